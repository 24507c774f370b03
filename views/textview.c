#include "textview.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/action.h"
#include "../core/sanitize.h"
#include "../core/str.h"
#include "../tui/tui.h"

void tv_init(textview *t)
{
	memset(t, 0, sizeof *t);
	t->wrap = 1;
	t->hit = -1;
	t->pos.keep = 1;
}

void tv_clear(textview *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	t->n = 0;
	t->nrows = 0;
	t->width = 0;
	t->hit = -1;
}

void tv_free(textview *t)
{
	tv_clear(t);
	free(t->v);
	free(t->row_line);
	free(t->row_off);
	memset(t, 0, sizeof *t);
}

void tv_add(textview *t, int el, int indent, const char *text)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	/* Sanitised once, here; tabs become spaces so that widths hold. */
	sbuf b = SBUF_INIT;
	sanitize(text ? text : "", text ? strlen(text) : 0, (tui_ascii() ? SAN_ASCII : 0) | SAN_TABS, &b);
	sbuf o = SBUF_INIT;
	for (size_t i = 0; i < b.len; i++) {
		if (b.p[i] == '\t')
			sb_adds(&o, "    ");
		else
			sb_addc(&o, b.p[i]);
	}
	sb_free(&b);
	t->v[t->n].text = sb_steal(&o);
	t->v[t->n].el = el;
	t->v[t->n].indent = indent;
	t->n++;
	t->width = 0; /* layout again */
}

void tv_addf(textview *t, int el, int indent, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tv_add(t, el, indent, buf);
}

void tv_add_block(textview *t, int el, int indent, const char *text)
{
	const char *p = text ? text : "";
	do {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		char *pad = xmalloc((size_t)indent + n + 1);
		memset(pad, ' ', (size_t)indent);
		memcpy(pad + indent, line, n + 1);
		tv_add(t, el, indent, pad);
		free(pad);
		free(line);
		p = nl ? nl + 1 : p + n;
	} while (*p);
}

static void add_row(textview *t, size_t line, size_t off)
{
	if (t->nrows == t->rcap) {
		t->rcap = t->rcap ? t->rcap * 2 : 256;
		t->row_line = xrealloc(t->row_line, t->rcap * sizeof *t->row_line);
		t->row_off = xrealloc(t->row_off, t->rcap * sizeof *t->row_off);
	}
	t->row_line[t->nrows] = line;
	t->row_off[t->nrows] = off;
	t->nrows++;
}

static void layout(textview *t, int w)
{
	if (t->width == w && t->nrows)
		return;
	t->width = w;
	t->nrows = 0;
	for (size_t i = 0; i < t->n; i++) {
		const char *s = t->v[i].text;
		size_t len = strlen(s), off = 0;
		add_row(t, i, 0);
		if (!t->wrap)
			continue;
		int first = 1;
		while (1) {
			int avail = first ? w : w - t->v[i].indent;
			if (avail < 8)
				avail = w;
			size_t fit = text_cut(s + off, avail, NULL);
			if (off + fit >= len)
				break;
			/* Break after a space when there is one in the second half. */
			size_t brk = fit;
			for (size_t k = fit; k > fit / 2; k--)
				if (s[off + k - 1] == ' ') {
					brk = k;
					break;
				}
			if (brk == 0)
				brk = fit ? fit : 1;
			off += brk;
			add_row(t, i, off);
			first = 0;
		}
	}
}

void tv_draw(textview *t, int y, int x, int h, int w)
{
	layout(t, w);
	t->pos.page = h;
	t->pos.n = (int)t->nrows;
	listpos_clamp(&t->pos);
	for (int r = 0; r < h && t->pos.top + r < (int)t->nrows; r++) {
		size_t row = (size_t)(t->pos.top + r);
		const tline *l = &t->v[t->row_line[row]];
		size_t off = t->row_off[row];
		int indent = off ? l->indent : 0;
		const char *s = l->text + off;
		if (!t->wrap && t->left > 0) {
			s += text_cut(s, t->left, NULL);
		}
		size_t end = t->wrap && row + 1 < t->nrows && t->row_line[row + 1] == t->row_line[row] ? t->row_off[row + 1] - off
												     : strlen(s);
		char *part = xstrndup(s, end < strlen(s) ? end : strlen(s));
		draw_text_cut(y + r, x + indent, w - indent, part, l->el, !t->wrap);
		free(part);
		if ((int)row == t->hit) {
			draw_chgat(y + r, x, w, EL_SEARCH);
			if (x > 0) /* the match shows without colour too */
				draw_text(y + r, x - 1, 1, glyph(G_CURSOR), EL_SEARCH);
		}
	}
}

const char *tv_position(const textview *t, char *buf, size_t n)
{
	if ((int)t->nrows <= t->pos.page)
		snprintf(buf, n, "all");
	else if (t->pos.top == 0)
		snprintf(buf, n, "top");
	else if (t->pos.top + t->pos.page >= (int)t->nrows)
		snprintf(buf, n, "end");
	else
		snprintf(buf, n, "%d%%", (int)(100.0 * (t->pos.top + t->pos.page) / (double)t->nrows));
	return buf;
}

int tv_action(textview *t, int a)
{
	t->pos.n = (int)t->nrows;
	if (listpos_scroll(&t->pos, a))
		return 1;
	switch (a) {
	case A_SCROLL_RIGHT:
		if (!t->wrap)
			t->left += 8;
		return 1;
	case A_SCROLL_LEFT:
		if (!t->wrap)
			t->left = t->left > 8 ? t->left - 8 : 0;
		return 1;
	case A_TOGGLE_WRAP:
		t->wrap = !t->wrap;
		t->left = 0;
		t->width = 0;
		return 1;
	default: return 0;
	}
}

int tv_search(textview *t, const char *text, int dir)
{
	if (!t->nrows)
		return 0;
	int start = t->hit >= 0 ? t->hit : t->pos.top - (dir > 0 ? 1 : -1);
	for (int k = 1; k <= (int)t->nrows; k++) {
		int row = ((start + dir * k) % (int)t->nrows + (int)t->nrows) % (int)t->nrows;
		size_t line = t->row_line[row];
		/* Match on the whole line, shown on its first display row. */
		if (t->row_off[row] != 0)
			continue;
		if (strcasestr(t->v[line].text, text)) {
			t->hit = row;
			if (row < t->pos.top || row >= t->pos.top + t->pos.page)
				t->pos.top = row > 2 ? row - 2 : 0;
			return 1;
		}
	}
	return 0;
}
