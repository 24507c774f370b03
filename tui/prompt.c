#include "prompt.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "../core/keymap.h"
#include "../core/sanitize.h"
#include "../data/file.h"
#include "tui_internal.h"

#define MAXLEN 1024

struct prompt {
	History *hist;
	char *path;
	int active;
	char lead[160]; /* a view's question can say what it wants (app_ask) */
	wchar_t buf[MAXLEN];
	int len, cur;
	int hpos;          /* -1: editing a new line; else how far back in history */
	wchar_t saved[MAXLEN]; /* the new line, while browsing history */
	int saved_len;
	char out[MAXLEN * 4];
	int dirty;         /* history changed since the last save */
	prompt_complete_fn complete;
	void *complete_ctx;
	int (*keep)(const char *line);
	char choices[512]; /* the candidates of the last Tab, listed above the line */
};

prompt_t *prompt_new(const char *history_path)
{
	prompt_t *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	HistEvent ev;
	p->hist = history_init();
	history(p->hist, &ev, H_SETSIZE, 1000);
	history(p->hist, &ev, H_SETUNIQUE, 1);
	if (history_path) {
		p->path = strdup(history_path);
		history(p->hist, &ev, H_LOAD, history_path); /* a missing file is fine */
	}
	p->hpos = -1;
	return p;
}

int prompt_save(prompt_t *p)
{
	if (!p->path || !p->dirty)
		return 0;
	/* libedit's own save truncates in place: a kill in between would lose
	 * everything. Write a new file and rename it over the old one. */
	file_tmp t;
	if (file_tmp_open(&t, p->path, 0600, 1))
		return -1;
	HistEvent ev;
	if (history(p->hist, &ev, H_SAVE_FP, t.f) < 0) {
		file_tmp_abort(&t);
		return -1;
	}
	if (file_tmp_commit(&t))
		return -1;
	p->dirty = 0;
	return 0;
}

void prompt_free(prompt_t *p)
{
	if (!p)
		return;
	prompt_save(p);
	history_end(p->hist);
	free(p->path);
	free(p);
}

static void set_text(prompt_t *p, const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	const char *src = s;
	size_t n = mbsrtowcs(p->buf, &src, MAXLEN - 1, &st);
	if (n == (size_t)-1)
		n = 0;
	p->len = p->cur = (int)n;
	p->buf[n] = 0;
}

void prompt_begin(prompt_t *p, const char *lead, const char *initial)
{
	p->active = 1;
	p->choices[0] = 0;
	snprintf(p->lead, sizeof p->lead, "%s", lead);
	set_text(p, initial ? initial : "");
	p->hpos = -1;
}

void prompt_set_complete(prompt_t *p, prompt_complete_fn fn, void *ctx)
{
	p->complete = fn;
	p->complete_ctx = ctx;
}

void prompt_set_keep(prompt_t *p, int (*keep)(const char *line))
{
	p->keep = keep;
}

static void complete(prompt_t *p)
{
	char before[MAXLEN * 4], after[MAXLEN * 4];
	wchar_t c = p->buf[p->cur];
	p->buf[p->cur] = 0;
	size_t bl = wcstombs(before, p->buf, sizeof before);
	p->buf[p->cur] = c;
	size_t al = wcstombs(after, p->buf + p->cur, sizeof after);
	if (bl == (size_t)-1 || al == (size_t)-1)
		return;
	before[sizeof before - 1] = after[sizeof after - 1] = 0;
	size_t from = bl, n = 0;
	char **cand = NULL;
	p->complete(p->complete_ctx, p->lead, before, &from, &cand, &n);
	if (from > bl)
		from = bl;
	if (!n) {
		snprintf(p->choices, sizeof p->choices, "(no completions)");
		free(cand);
		return;
	}
	/* What every candidate shares, cut back to a whole character. */
	size_t common = strlen(cand[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < common && cand[i][k] == cand[0][k])
			k++;
		common = k;
	}
	while (common && ((unsigned char)cand[0][common] & 0xc0) == 0x80)
		common--;
	char repl[MAXLEN * 4];
	snprintf(repl, sizeof repl, "%.*s", (int)common, cand[0]);
	if (n == 1 && common && !strchr("=,><", cand[0][common - 1]) && after[0] != ' ')
		snprintf(repl + common, sizeof repl - common, " ");
	if (strlen(repl) >= bl - from) {
		char line[MAXLEN * 4 * 2];
		snprintf(line, sizeof line, "%.*s%s", (int)from, before, repl);
		set_text(p, line); /* the cursor at the end of what was completed */
		int cur = p->len;
		snprintf(line + strlen(line), sizeof line - strlen(line), "%s", after);
		set_text(p, line);
		p->cur = cur < p->len ? cur : p->len;
	}
	p->choices[0] = 0;
	if (n > 1) {
		size_t off = 0;
		for (size_t i = 0; i < n && off + 2 < sizeof p->choices; i++)
			off += (size_t)snprintf(p->choices + off, sizeof p->choices - off, "%s%s", i ? "  " : "", cand[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(cand[i]);
	free(cand);
}

int prompt_active(const prompt_t *p)
{
	return p->active;
}

const char *prompt_line(prompt_t *p)
{
	return p->out;
}

const char *prompt_peek(prompt_t *p)
{
	wcstombs(p->out, p->buf, sizeof p->out);
	p->out[sizeof p->out - 1] = 0;
	return p->out;
}

/* The entry `back` steps into the past (0 = newest), or NULL. */
static const char *entry(prompt_t *p, int back)
{
	HistEvent ev;
	if (history(p->hist, &ev, H_FIRST) < 0)
		return NULL;
	for (int i = 0; i < back; i++)
		if (history(p->hist, &ev, H_NEXT) < 0)
			return NULL;
	return ev.str;
}

static void browse(prompt_t *p, int to)
{
	if (to < -1)
		return;
	if (p->hpos == -1) {
		memcpy(p->saved, p->buf, sizeof p->buf);
		p->saved_len = p->len;
	}
	if (to == -1) {
		memcpy(p->buf, p->saved, sizeof p->buf);
		p->len = p->cur = p->saved_len;
		p->hpos = -1;
		return;
	}
	const char *e = entry(p, to);
	if (!e)
		return;
	char line[MAXLEN * 4];
	snprintf(line, sizeof line, "%s", e);
	line[strcspn(line, "\n")] = 0;
	set_text(p, line);
	p->hpos = to;
}

/* Ctrl-R: the next older entry that contains what is typed. */
static void search_back(prompt_t *p)
{
	char pat[MAXLEN * 4];
	wcstombs(pat, p->hpos == -1 ? p->buf : p->saved, sizeof pat);
	for (int i = p->hpos + 1;; i++) {
		const char *e = entry(p, i);
		if (!e)
			return;
		if (strstr(e, pat)) {
			if (p->hpos == -1) {
				memcpy(p->saved, p->buf, sizeof p->buf);
				p->saved_len = p->len;
			}
			char line[MAXLEN * 4];
			snprintf(line, sizeof line, "%s", e);
			line[strcspn(line, "\n")] = 0;
			set_text(p, line);
			p->hpos = i;
			return;
		}
	}
}

int prompt_key(prompt_t *p, int key)
{
	p->choices[0] = 0;
	switch (key) {
	case K_TAB:
		if (p->complete)
			complete(p);
		break;
	case K_ENTER: {
		p->active = 0;
		wcstombs(p->out, p->buf, sizeof p->out);
		p->out[sizeof p->out - 1] = 0;
		/* Lines that start with a space stay out of the history, as in bash. */
		if (p->out[0] && p->out[0] != ' ' && (!p->keep || p->keep(p->out))) {
			HistEvent ev;
			history(p->hist, &ev, H_ENTER, p->out);
			p->dirty = 1;
			prompt_save(p);
		}
		return PROMPT_DONE;
	}
	case K_ESC:
	case K_CTRL('G'):
	case K_CTRL('C'):
		p->active = 0;
		prompt_peek(p); /* what was typed stays readable (a note's draft) */
		return PROMPT_CANCEL;
	case K_BACKSPACE:
		if (p->cur == 0) {
			if (p->len == 0) {
				p->active = 0; /* backspace on an empty line leaves it */
				return PROMPT_CANCEL;
			}
			break;
		}
		memmove(p->buf + p->cur - 1, p->buf + p->cur, (size_t)(p->len - p->cur + 1) * sizeof(wchar_t));
		p->cur--;
		p->len--;
		break;
	case K_DEL:
	case K_CTRL('D'):
		if (p->cur < p->len) {
			memmove(p->buf + p->cur, p->buf + p->cur + 1, (size_t)(p->len - p->cur) * sizeof(wchar_t));
			p->len--;
		}
		break;
	case K_LEFT:
	case K_CTRL('B'):
		if (p->cur > 0)
			p->cur--;
		break;
	case K_RIGHT:
	case K_CTRL('F'):
		if (p->cur < p->len)
			p->cur++;
		break;
	case K_HOME:
	case K_CTRL('A'):
		p->cur = 0;
		break;
	case K_END:
	case K_CTRL('E'):
		p->cur = p->len;
		break;
	case K_CTRL('U'):
		memmove(p->buf, p->buf + p->cur, (size_t)(p->len - p->cur + 1) * sizeof(wchar_t));
		p->len -= p->cur;
		p->cur = 0;
		break;
	case K_CTRL('K'):
		p->len = p->cur;
		p->buf[p->len] = 0;
		break;
	case K_CTRL('W'): {
		int s = p->cur;
		while (s > 0 && iswspace((wint_t)p->buf[s - 1]))
			s--;
		while (s > 0 && !iswspace((wint_t)p->buf[s - 1]))
			s--;
		memmove(p->buf + s, p->buf + p->cur, (size_t)(p->len - p->cur + 1) * sizeof(wchar_t));
		p->len -= p->cur - s;
		p->cur = s;
		break;
	}
	case K_UP:
	case K_CTRL('P'):
		browse(p, p->hpos + 1);
		break;
	case K_DOWN:
	case K_CTRL('N'):
		browse(p, p->hpos - 1);
		break;
	case K_CTRL('R'):
		search_back(p);
		break;
	default:
		/* Printable characters only: a pasted escape sequence stays inert. */
		if (key < 0x20 || key == 0x7f || (key >= 0x80 && key < 0xa0) || key >= KEY_SPECIAL ||
		    san_is_format_char((uint32_t)key) || p->len >= MAXLEN - 1)
			break;
		memmove(p->buf + p->cur + 1, p->buf + p->cur, (size_t)(p->len - p->cur + 1) * sizeof(wchar_t));
		p->buf[p->cur++] = (wchar_t)key;
		p->len++;
		break;
	}
	return PROMPT_MORE;
}

void prompt_draw(prompt_t *p, int y, int x, int w)
{
	if (p->choices[0] && y > 0) {
		/* Over the last row of the view, as a shell lists its completions. */
		draw_fill(y - 1, x, w, EL_STATUS);
		draw_text_cut(y - 1, x + 1, w - 2, p->choices, EL_STATUS, 1);
	}
	draw_fill(y, x, w, EL_DEFAULT);
	int lw = draw_text(y, x, w, p->lead, EL_DEFAULT);
	int avail = w - lw - 1;
	if (avail < 1)
		return;
	/* Scroll sideways so that the cursor stays in view. */
	int start = 0, cols = 0;
	for (int i = p->cur - 1; i >= 0; i--) {
		int cw = wcwidth(p->buf[i]);
		cols += cw > 0 ? cw : 1;
		if (cols > avail - 1) {
			start = i + 1;
			break;
		}
	}
	char text[MAXLEN * 4];
	wcstombs(text, p->buf + start, sizeof text);
	text[sizeof text - 1] = 0;
	draw_text(y, x + lw, avail, text, EL_DEFAULT);
	/* The cursor: the cell under it, reversed. */
	int cx = x + lw;
	for (int i = start; i < p->cur; i++) {
		int cw = wcwidth(p->buf[i]);
		cx += cw > 0 ? cw : 1;
	}
	if (cx < x + w) {
		attr_t a = A_REVERSE;
		mvchgat(y, cx, 1, a, 0, NULL);
	}
}
