/* The diff view: two versions of one prompt side by side, the old one on
 * the left. Changed lines pair up and the words that changed are
 * highlighted; each side has line numbers and a gutter mark ('-' deleted,
 * '+' inserted, '~' changed word by word), and without colour the changed
 * words are also bracketed as [-old-] and {+new+}, so the view reads on a
 * monochrome terminal and in a screen dump. Long lines wrap within their
 * half (w scrolls them sideways instead), nothing is cut. One display-line
 * index drives both halves, so they scroll together. The layout
 * (core/sidebyside) is built once per width and mode; a keypress then
 * redraws only the lines on screen, whatever the size of the prompt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sidebyside.h"
#include "../core/textdiff.h"
#include "../data/prompts.h"
#include "../tui/listpos.h"
#include "../tui/tui.h"
#include "view.h"

#define CONTEXT 3 /* equal lines around a hunk, as diff -u */
#define ABOVE 4   /* lines kept above a hunk jumped to */

typedef struct diffv {
	char *name;
	char *ver[2];  /* left (old) and right (new) */
	char *text[2];
	td_diff d;
	sbs_cache words; /* of d, across layouts */
	sbs_layout l;
	int built;
	int cols;      /* text columns of a half at the last layout; 0: lay out again */
	int refocus;   /* after the next layout, show the current hunk */
	int whole;     /* the whole text, not only the hunks */
	int wrap;
	listpos pos;   /* over the display lines: the first on screen, the body lines at the last draw */
	int left;      /* columns scrolled sideways when not wrapping */
	int cur;       /* the current hunk, -1 before the first */
	long hit;      /* display line of the last search match, -1 */
	prompt_stats st[2];
	int has_st[2];
	char **versions; /* of this prompt, newest first, for the question */
	size_t nversions;
	int asking;    /* the side a question is for, -1 */
} diffv;

/* What diff_show hands to the view it pushes, which takes the strings over. */
typedef struct diff_arg {
	char *name, *ver[2], *text[2];
} diff_arg;

/* ---- choosing the pair --------------------------------------------------- */

/* The version serving now: the one that served last; the newest when none did. */
static size_t serving(const prompt_info *p)
{
	size_t best = 0;
	for (size_t i = 1; i < p->n; i++)
		if (p->v[i].s.last_ns > p->v[best].s.last_ns)
			best = i;
	return best;
}

static long version_index(const prompt_info *p, const char *ver)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].version, ver))
			return (long)i;
	return -1;
}

int diff_show(app_t *a, const char *name, const char *old_v, const char *new_v)
{
	prompt_list l;
	char err[512];
	if (prompts_list(a->st, name, &l, err, sizeof err)) {
		app_message(a, EL_ERROR, "%s", err);
		return -1;
	}
	int rc = -1;
	const prompt_info *p = NULL;
	for (size_t i = 0; name && i < l.n; i++)
		if (!strcmp(l.v[i].name, name))
			p = &l.v[i];
	if (!name) {
		/* Of the prompts whose serving version has one before it, the one
		 * that served last: what an incident most likely shipped. */
		for (size_t i = 0; i < l.n; i++) {
			size_t s = serving(&l.v[i]);
			if (s + 1 < l.v[i].n && (!p || l.v[i].v[s].s.last_ns > p->v[serving(p)].s.last_ns))
				p = &l.v[i];
		}
		if (!p) {
			app_message(a, EL_ERROR, "no prompt has two versions to diff yet");
			goto out;
		}
	} else if (!p) {
		app_message(a, EL_ERROR, "no prompt named '%s'", name);
		goto out;
	}
	long in = new_v ? version_index(p, new_v) : (long)serving(p);
	if (in < 0) {
		app_message(a, EL_ERROR, "prompt '%s' has no version '%s'", p->name, new_v);
		goto out;
	}
	new_v = p->v[in].version;
	if (!old_v) {
		if ((size_t)in + 1 >= p->n) {
			app_message(a, EL_ERROR, "%s@%s is the first version: nothing before it to diff against", p->name,
				    new_v);
			goto out;
		}
		old_v = p->v[in + 1].version;
	}
	char *t[2] = {NULL, NULL};
	const char *want[2] = {old_v, new_v};
	for (int s = 0; s < 2; s++) {
		long i = version_index(p, want[s]);
		if (i >= 0 && !p->v[i].has_text) {
			/* Short enough for the status line at 80 columns. */
			app_message(a, EL_ERROR, "no text stored for %s@%s (seen in traffic only; llmops prompt add)", p->name,
				    want[s]);
			free(t[0]);
			goto out;
		}
		if (prompts_get_text(a->st, p->name, want[s], &t[s], err, sizeof err)) {
			app_message(a, EL_ERROR, "%s", err);
			free(t[0]);
			goto out;
		}
	}
	diff_arg arg = {xstrdup(p->name), {xstrdup(old_v), xstrdup(new_v)}, {t[0], t[1]}};
	app_push(a, &diff_ops, &arg);
	rc = 0;
out:
	prompt_list_free(&l);
	return rc;
}

int diff_show_spec(app_t *a, const char *spec)
{
	const char *at = spec ? strrchr(spec, '@') : NULL;
	if (!at || at == spec || !at[1]) {
		app_message(a, EL_ERROR, "this call has no prompt version to diff");
		return -1;
	}
	char *name = xstrndup(spec, (size_t)(at - spec));
	int rc = diff_show(a, name, NULL, at + 1);
	free(name);
	return rc;
}

/* ---- the view ------------------------------------------------------------- */

static int identical(const diffv *dv)
{
	return !dv->d.ndel && !dv->d.nins;
}

static void say_if_identical(diffv *dv, app_t *a)
{
	if (identical(dv))
		app_message(a, EL_MESSAGE, "no differences: %s@%s and %s@%s have the same text", dv->name, dv->ver[0],
			    dv->name, dv->ver[1]);
}

/* The texts changed: diff them again and show the first hunk. */
static void compare(diffv *dv)
{
	sidebyside_cache_free(&dv->words);
	textdiff_free(&dv->d);
	textdiff_lines(dv->text[0], strlen(dv->text[0]), dv->text[1], strlen(dv->text[1]), &dv->d);
	dv->cols = 0;
	dv->refocus = 1;
	dv->cur = identical(dv) ? -1 : 0;
	dv->pos.top = 0;
	dv->left = 0;
	dv->hit = -1;
}

/* The traffic of each side and the prompt's versions, from the registry. */
static void load_meta(diffv *dv, app_t *a)
{
	for (size_t i = 0; i < dv->nversions; i++)
		free(dv->versions[i]);
	free(dv->versions);
	dv->versions = NULL;
	dv->nversions = 0;
	dv->has_st[0] = dv->has_st[1] = 0;
	prompt_list l;
	char err[256];
	if (prompts_list(a->st, dv->name, &l, err, sizeof err))
		return;
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].name, dv->name))
			continue;
		dv->versions = xcalloc(l.v[i].n ? l.v[i].n : 1, sizeof *dv->versions);
		for (size_t k = 0; k < l.v[i].n; k++) {
			dv->versions[dv->nversions++] = xstrdup(l.v[i].v[k].version);
			for (int s = 0; s < 2; s++)
				if (!strcmp(l.v[i].v[k].version, dv->ver[s])) {
					dv->st[s] = l.v[i].v[k].s;
					dv->has_st[s] = 1;
				}
		}
	}
	prompt_list_free(&l);
}

static void diff_open(view_t *v, app_t *a, const void *varg)
{
	diffv *dv = v->priv;
	const diff_arg *arg = varg;
	dv->name = arg->name;
	for (int s = 0; s < 2; s++) {
		dv->ver[s] = arg->ver[s];
		dv->text[s] = arg->text[s];
	}
	dv->wrap = 1;
	dv->asking = -1;
	compare(dv);
	load_meta(dv, a);
	say_if_identical(dv, a);
}

static void diff_close(view_t *v, app_t *a)
{
	(void)a;
	diffv *dv = v->priv;
	sidebyside_free(&dv->l);
	sidebyside_cache_free(&dv->words);
	textdiff_free(&dv->d);
	free(dv->name);
	for (int s = 0; s < 2; s++) {
		free(dv->ver[s]);
		free(dv->text[s]);
	}
	for (size_t i = 0; i < dv->nversions; i++)
		free(dv->versions[i]);
	free(dv->versions);
}

static void diff_reload(view_t *v, app_t *a)
{
	load_meta(v->priv, a); /* the traffic moved on; the texts of a version never change */
}

/* Lays out for `cols` text columns a half. The same rows at another width
 * (or wrapping) keep the line on top; other rows (the whole text or only
 * the hunks) show the current hunk. */
static void relayout(diffv *dv, int cols)
{
	size_t row = 0, k = 0;
	int keep = dv->built && !dv->refocus && dv->l.nlines;
	if (keep) {
		const sbs_row *r = sidebyside_row(&dv->l, dv->pos.top > 0 ? (size_t)dv->pos.top : 0, &k);
		row = r ? (size_t)(r - dv->l.rows) : 0;
	}
	sidebyside_free(&dv->l);
	int flags = (tui_ascii() ? SBS_ASCII : 0) | (tui_colors_on() ? 0 : SBS_MARKERS) | (dv->wrap ? 0 : SBS_NOWRAP);
	sidebyside_build(&dv->l, &dv->d, &dv->words, dv->whole || identical(dv) ? -1 : CONTEXT, cols, flags);
	dv->built = 1;
	dv->cols = cols;
	dv->hit = -1;
	if (keep && row < dv->l.nrows) {
		const sbs_row *r = &dv->l.rows[row];
		dv->pos.top = (int)(r->first + (k < r->height ? k : r->height - 1));
	} else if (dv->refocus) {
		/* From the top when the hunk shows there; else a few lines above it. */
		long start = dv->cur >= 0 && (size_t)dv->cur < dv->l.nhunks ? (long)dv->l.hunks[dv->cur] : 0;
		dv->pos.top = start + ABOVE < dv->pos.page ? 0 : (int)(start - ABOVE);
	}
	dv->refocus = 0;
}

static void clamp_top(diffv *dv)
{
	dv->pos.n = (int)dv->l.nlines;
	listpos_clamp(&dv->pos);
}

/* After scrolling: the current hunk is the last one that starts above the
 * reading line (ABOVE lines down), as a jump would have left it. */
static void follow_hunk(diffv *dv)
{
	dv->cur = -1;
	for (size_t i = 0; i < dv->l.nhunks && (long)dv->l.hunks[i] <= dv->pos.top + ABOVE; i++)
		dv->cur = (int)i;
}

static int digits(size_t n)
{
	int d = 1;
	for (; n >= 10; n /= 10)
		d++;
	return d;
}

/* The first span of a side that ends after byte off (spans are sorted). */
static size_t first_span(const sbs_layout *l, const sbs_side *sd, size_t off)
{
	size_t lo = 0, hi = sd->nspans;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const sbs_range *r = &l->spans[sd->span0 + mid];
		if (r->off + r->len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Bytes [off, off + len) of a side's text in at most cols columns, the
 * changed words in the word element; 1 when text was left over. */
static int draw_piece(const sbs_layout *l, const sbs_side *sd, size_t off, size_t len, int y, int x, int cols, int el,
		      int wel)
{
	const char *t = l->text.p + sd->off;
	size_t pos = off, end = off + len, si = first_span(l, sd, off);
	int used = 0;
	while (pos < end) {
		while (si < sd->nspans && l->spans[sd->span0 + si].off + l->spans[sd->span0 + si].len <= pos)
			si++;
		size_t next = end;
		int in = 0;
		if (si < sd->nspans) {
			const sbs_range *r = &l->spans[sd->span0 + si];
			if (r->off <= pos) {
				in = 1;
				next = r->off + r->len < end ? r->off + r->len : end;
			} else if (r->off < end) {
				next = r->off;
			}
		}
		int w;
		size_t nb = sidebyside_fit(t + pos, next - pos, cols - used, &w);
		if (nb) {
			char *part = xstrndup(t + pos, nb);
			draw_text(y, x + used, w, part, in ? wel : el);
			free(part);
		}
		used += w;
		pos += nb;
		if (pos < next)
			return 1; /* the columns ran out */
	}
	return 0;
}

static void draw_gap(const sbs_row *r, int y, int x, int half)
{
	char label[96];
	snprintf(label, sizeof label, " %zu unchanged line%s ", r->skip, r->skip == 1 ? "" : "s");
	for (int s = 0; s < 2; s++) {
		int x0 = x + s * (half + 1);
		for (int i = 1; i < half; i++)
			draw_glyph(y, x0 + i, G_HLINE, EL_DIM);
		draw_text(y, x0 + 3, half - 3, label, EL_DIM);
	}
}

static void draw_line(diffv *dv, size_t line, int y, int x, int half, int dn)
{
	size_t k;
	const sbs_row *r = sidebyside_row(&dv->l, line, &k);
	if (r->kind == TD_GAP) {
		draw_gap(r, y, x, half);
		return;
	}
	int cols = dv->cols;
	for (int s = 0; s < 2; s++) {
		const sbs_side *sd = &r->side[s];
		int x0 = x + s * (half + 1), tx = x0 + dn + 4;
		if (sd->line < 0)
			continue;
		int el = sd->mark == '-' ? EL_DIFF_DEL : sd->mark == '+' ? EL_DIFF_ADD : EL_DEFAULT;
		if (k == 0)
			draw_textf(y, x0 + 1, dn, EL_DIM, "%*ld", dn, sd->line + 1);
		if (sd->mark != ' ' && k < sd->npieces) {
			char m[2] = {sd->mark, 0};
			draw_text(y, x0 + dn + 2, 1, m, s ? EL_DIFF_ADD : EL_DIFF_DEL);
		}
		size_t off, len;
		if (!sidebyside_piece(&dv->l, line, s, &off, &len))
			continue;
		if (!dv->wrap && dv->left > 0) {
			size_t skip = sidebyside_fit(dv->l.text.p + sd->off + off, len, dv->left, NULL);
			off += skip;
			len -= skip;
		}
		if (draw_piece(&dv->l, sd, off, len, y, tx, cols, el, s ? EL_DIFF_ADD_WORD : EL_DIFF_DEL_WORD))
			draw_glyph(y, tx + cols - 1, G_ARROW, EL_DIM); /* more to the right: l scrolls */
	}
}

/* Each half: its version, and on the right what it did in production. The
 * figures are what the diff is read for, so when the half is narrow they
 * shorten (36.2k 1.3%) and then the name is cut, never the figures. */
static void draw_header(diffv *dv, int y, int x, int half)
{
	for (int s = 0; s < 2; s++) {
		int x0 = x + s * (half + 1);
		char name[300], stats[96], brief[48], calls[32];
		const prompt_stats *st = &dv->st[s];
		snprintf(name, sizeof name, "%s@%s", dv->name, dv->ver[s]);
		if (dv->has_st[s] && st->calls) {
			double pct = 100.0 * (double)st->errors / (double)st->calls;
			fmt_thousands(calls, sizeof calls, st->calls);
			snprintf(stats, sizeof stats, "%s calls %.1f%% err", calls, pct);
			fmt_count(calls, sizeof calls, (double)st->calls);
			snprintf(brief, sizeof brief, "%s %.1f%%", calls, pct);
		} else {
			snprintf(stats, sizeof stats, "no traffic");
			snprintf(brief, sizeof brief, "-");
		}
		draw_fill(y, x0, half, EL_HEADER);
		int namew = text_width(name);
		const char *fig = stats;
		if (namew + 1 + text_width(stats) > half - 2)
			fig = brief;
		int sw = text_width(fig);
		if (sw > half - 2)
			sw = half - 2;
		/* A cut name keeps its version: the two halves differ only there. */
		int room = half - 3 - sw, vw = text_width(dv->ver[s]) + 1;
		if (namew <= room || vw + 2 > room) {
			draw_text_cut(y, x0 + 1, room, name, EL_HEADER, 1);
		} else {
			int w = draw_text_cut(y, x0 + 1, room - vw, dv->name, EL_HEADER, 1);
			snprintf(name, sizeof name, "@%s", dv->ver[s]);
			draw_text(y, x0 + 1 + w, vw, name, EL_HEADER);
		}
		if (sw > 0)
			draw_text_cut(y, x0 + half - 1 - sw, sw, fig, EL_HEADER, 1);
	}
}

static void diff_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	(void)a;
	diffv *dv = v->priv;
	/* Two halves and a rule: " NNN m text" each, NNN as wide as the longest side's count. */
	int half = (w - 1) / 2;
	int dn = digits(dv->d.a.n > dv->d.b.n ? dv->d.a.n : dv->d.b.n);
	int cols = half - dn - 4;
	if (cols < 8)
		cols = 8;
	dv->pos.page = h - 1;
	dv->pos.keep = 1;
	if (!dv->built || cols != dv->cols)
		relayout(dv, cols);
	clamp_top(dv);
	draw_header(dv, y, x, half);
	draw_glyph(y, x + half, G_VLINE, EL_BORDER);
	if (!dv->l.nlines) {
		draw_text(y + 2, x + 2, w - 4, "(both versions are empty)", EL_DIM);
		return;
	}
	for (int r = 0; r < dv->pos.page; r++) {
		long line = dv->pos.top + r;
		int yy = y + 1 + r;
		draw_glyph(yy, x + half, G_VLINE, EL_BORDER);
		if (line >= (long)dv->l.nlines)
			continue;
		draw_line(dv, (size_t)line, yy, x, half, dn);
		if (line == dv->hit) {
			draw_chgat(yy, x, w, EL_SEARCH);
			draw_glyph(yy, x, G_CURSOR, EL_SEARCH);
		} else if (dv->cur >= 0 && (size_t)dv->cur < dv->l.nhunks && (size_t)line == dv->l.hunks[dv->cur]) {
			draw_glyph(yy, x, G_CURSOR, EL_ACCENT); /* the current hunk */
		}
	}
}

/* ---- keys ----------------------------------------------------------------- */

static void jump(diffv *dv, app_t *a, int dir)
{
	int n = (int)dv->l.nhunks;
	if (!n) {
		app_message(a, EL_MESSAGE, "no differences");
		return;
	}
	/* Back from inside a hunk goes to its start first, as vim's [c does. */
	int target = dir > 0 ? dv->cur + 1
			     : dv->cur >= 0 && (long)dv->l.hunks[dv->cur] < dv->pos.top ? dv->cur : dv->cur - 1;
	if (target >= n) {
		app_message(a, EL_MESSAGE, "no hunk after this one (%d of %d)", n, n);
		return;
	}
	if (target < 0) {
		app_message(a, EL_MESSAGE, "no hunk before this one");
		return;
	}
	dv->cur = target;
	dv->pos.top = (int)dv->l.hunks[target] - ABOVE;
	clamp_top(dv);
}

static void ask(diffv *dv, app_t *a, int side)
{
	sbuf lead = SBUF_INIT;
	sb_printf(&lead, "%s version of %s (", side ? "right" : "left", dv->name);
	for (size_t i = 0; i < dv->nversions && i < 6; i++)
		sb_printf(&lead, "%s%s", i ? " " : "", dv->versions[i]);
	sb_printf(&lead, "%s): ", dv->nversions > 6 ? " ..." : "");
	dv->asking = side;
	app_ask(a, lead.p, "");
	sb_free(&lead);
}

static void diff_answer(view_t *v, app_t *a, const char *text, int how)
{
	diffv *dv = v->priv;
	int side = dv->asking;
	if (how == ASK_TYPING || side < 0)
		return;
	dv->asking = -1;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", text ? text : "");
	char *ver = str_trim(buf);
	if (how == ASK_CANCEL || !*ver)
		return;
	char *t, err[512];
	if (prompts_get_text(a->st, dv->name, ver, &t, err, sizeof err)) {
		app_message(a, EL_ERROR, "%s", err);
		return;
	}
	free(dv->ver[side]);
	free(dv->text[side]);
	dv->ver[side] = xstrdup(ver);
	dv->text[side] = t;
	compare(dv);
	load_meta(dv, a);
	say_if_identical(dv, a);
}

static int diff_action(view_t *v, app_t *a, int act)
{
	diffv *dv = v->priv;
	dv->pos.n = (int)dv->l.nlines;
	if (listpos_scroll(&dv->pos, act)) {
		follow_hunk(dv);
		return 1;
	}
	switch (act) {
	case A_SCROLL_RIGHT:
		if (!dv->wrap)
			dv->left += 8;
		return 1;
	case A_SCROLL_LEFT:
		dv->left = dv->left > 8 ? dv->left - 8 : 0;
		return 1;
	case A_TOGGLE_WRAP:
		dv->wrap = !dv->wrap;
		dv->left = 0;
		dv->cols = 0; /* the same rows: the line on top stays */
		return 1;
	case A_TOGGLE_CONTEXT:
		dv->whole = !dv->whole;
		dv->cols = 0;
		dv->refocus = 1;
		app_message(a, EL_MESSAGE, dv->whole ? "the whole text" : "only the hunks, with %d lines around", CONTEXT);
		return 1;
	case A_NEXT_HUNK:
	case A_PREV_HUNK: jump(dv, a, act == A_NEXT_HUNK ? 1 : -1); return 1;
	case A_DIFF_LEFT:
	case A_DIFF_RIGHT: ask(dv, a, act == A_DIFF_RIGHT); return 1;
	case A_DIFF: app_message(a, EL_MESSAGE, "this is the diff (? lists the keys that choose other versions)"); return 1;
	default: return 0;
	}
}

static int diff_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	diffv *dv = v->priv;
	size_t n = dv->l.nrows;
	if (!n)
		return 0;
	size_t k;
	const sbs_row *at = sidebyside_row(&dv->l, (size_t)(dv->hit >= 0 ? dv->hit : dv->pos.top), &k);
	long start = at ? (long)(at - dv->l.rows) : 0;
	if (dv->hit < 0)
		start -= dir; /* the line on top is the first candidate */
	for (size_t i = 1; i <= n; i++) {
		long ri = ((start + dir * (long)i) % (long)n + (long)n) % (long)n;
		const sbs_row *r = &dv->l.rows[ri];
		if (r->kind == TD_GAP)
			continue;
		if (strcasestr(dv->l.text.p + r->side[0].off, text) || strcasestr(dv->l.text.p + r->side[1].off, text)) {
			dv->hit = (long)r->first;
			if (dv->hit < dv->pos.top || dv->hit >= dv->pos.top + dv->pos.page)
				dv->pos.top = dv->hit - 2;
			clamp_top(dv);
			follow_hunk(dv);
			return 1;
		}
	}
	return 0;
}

static void diff_title(view_t *v, app_t *a, char *buf, size_t n)
{
	(void)a;
	diffv *dv = v->priv;
	char where[64];
	if (identical(dv))
		snprintf(where, sizeof where, "no differences");
	else if (dv->cur >= 0)
		snprintf(where, sizeof where, "+%zu -%zu lines %s hunk %d/%zu", dv->d.nins, dv->d.ndel, glyph(G_DOT),
			 dv->cur + 1, dv->l.nhunks);
	else
		snprintf(where, sizeof where, "+%zu -%zu lines %s %zu hunk%s", dv->d.nins, dv->d.ndel, glyph(G_DOT),
			 dv->l.nhunks, dv->l.nhunks == 1 ? "" : "s");
	snprintf(buf, n, "diff %s %s@%s %s %s@%s %s %s", glyph(G_DOT), dv->name, dv->ver[0], glyph(G_ARROW), dv->name,
		 dv->ver[1], glyph(G_DOT), where);
}

const view_ops diff_ops = {
    .name = "diff",
    .scope = SC_DIFF,
    .private_size = sizeof(diffv),
    .open = diff_open,
    .close = diff_close,
    .draw = diff_draw,
    .action = diff_action,
    .reload = diff_reload,
    .search = diff_search,
    .title = diff_title,
    .answer = diff_answer,
};
