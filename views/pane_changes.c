/* The changes pane: what changed in the window (data/changes.h), a line
 * each, worst regression first: the deploy an on-call engineer is looking
 * for without a key. A strip across the dashboard's top, one line at
 * 80x24, more where there is room. Enter opens the selected version's (or
 * model's) calls; D diffs a version against the one before it, and when
 * the pane does not have the focus, the worst regression's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../data/changes.h"
#include "../tui/tui.h"
#include "pane.h"

/* The most lines the strip takes, however tall the screen. */
#define CHANGES_MAX_LINES 6

static void changes_reload(pane_t *p, app_t *a)
{
	(void)a;
	const changes_t *ch = &p->d->ch;
	if (p->pos.sel >= (int)ch->n)
		p->pos.sel = ch->n ? (int)ch->n - 1 : 0;
}

static int changes_height(pane_t *p, int w, int h)
{
	(void)w;
	int lines = p->d->ch.n ? (int)p->d->ch.n : 1;
	if (lines > CHANGES_MAX_LINES)
		lines = CHANGES_MAX_LINES;
	/* Up to a screen of 30 lines, one line: the panes under it need theirs. */
	int room = h < 30 ? 1 : (h - 24) / 3;
	if (lines > room)
		lines = room;
	return lines + 2;
}

/* A change's line; under 120 columns, with the model in the short form
 * the other panes use. */
static void summary(const change *ch, app_t *a, const char *arrow, int iw, char *line, size_t n)
{
	change_summary(ch, a->now_ns, arrow, line, n);
	char *on = ch->model ? strstr(line, ch->model) : NULL;
	if (on && iw < 120) {
		char mshort[128], rest[512];
		model_short(ch->model, mshort, sizeof mshort);
		snprintf(rest, sizeof rest, "%s", on + strlen(ch->model));
		snprintf(on, n - (size_t)(on - line), "%s%s", mshort, rest);
	}
}

static void changes_draw(pane_t *p, app_t *a, int y, int x, int h, int w)
{
	const dash_data *c = p->d;
	char title[64];
	snprintf(title, sizeof title, "Changes · %s", a->window_name);
	draw_box(y, x, h, w, title, p->focused);
	int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
	if (ih < 1 || iw < 10)
		return;
	if (!c->ch_ok) {
		draw_text_cut(iy, ix, iw, c->ch_err[0] ? c->ch_err : "cannot read the changes", EL_CRIT, 1);
		return;
	}
	if (!c->ch.n) {
		draw_text(iy, ix, iw, "no deploy, stop or regression in the window", EL_OK);
		return;
	}
	int first = p->pos.sel >= ih ? p->pos.sel - ih + 1 : 0;
	/* The labels in a column, as wide as the widest shown (a third of the line at most). */
	int lw = 0;
	for (int r = 0; r < ih && first + r < (int)c->ch.n; r++) {
		char label[300];
		int tw = text_width(change_label(&c->ch.v[first + r], label, sizeof label));
		if (tw > lw)
			lw = tw;
	}
	if (lw > iw / 3)
		lw = iw / 3;
	for (int r = 0; r < ih && first + r < (int)c->ch.n; r++) {
		const change *ch = &c->ch.v[first + r];
		int ry = iy + r;
		char label[300], fitted[300], line[512];
		change_label(ch, label, sizeof label);
		/* The long form where it fits whole, then the compact one, then
		 * the shortest, whose figures give way one by one. */
		summary(ch, a, NULL, iw, line, sizeof line);
		if (text_width(label) + 2 + text_width(line) > iw)
			summary(ch, a, glyph(G_ARROW), iw, line, sizeof line);
		int sep = 2;
		if (text_width(label) + 2 + text_width(line) > iw) {
			char mshort[128];
			sep = 1;
			int room = iw - (text_width(label) < lw ? text_width(label) : lw) - sep;
			change_summary_fit(ch, a->now_ns, glyph(G_ARROW), ch->model ? model_short(ch->model, mshort, sizeof mshort) : NULL,
					   room, line, sizeof line);
		}
		/* A label wider than its column takes what the figures leave, and
		 * then gives way in its name, never its version. */
		int room = iw - sep - text_width(line);
		prompt_label(label, room > lw ? room : lw, fitted, sizeof fitted);
		char *st = sanitize_str(line, tui_ascii() ? SAN_ASCII : 0);
		pane_line ln = {ry, ix, ix + iw};
		int lx = ln.x;
		pane_put(&ln, ch->regressed ? EL_CRIT : ch->kind == CHANGE_NEW ? EL_MARK : EL_DIM, "%s", fitted);
		if (ln.x < lx + lw)
			ln.x = lx + lw;
		pane_put(&ln, EL_DEFAULT, "%*s", sep, "");
		draw_text_cut(ry, ln.x, pane_room(&ln), st, ch->regressed ? EL_DEFAULT : EL_DIM, 1);
		free(st);
		if (p->focused && first + r == p->pos.sel)
			pane_cursor(ry, ix, iw);
	}
}

static const change *changes_sel(pane_t *p)
{
	const changes_t *ch = &p->d->ch;
	return p->pos.sel < (int)ch->n ? &ch->v[p->pos.sel] : NULL;
}

static int changes_enter(pane_t *p, app_t *a)
{
	const change *ch = changes_sel(p);
	if (!ch)
		return 0;
	char extra[600];
	if (ch->prompt)
		snprintf(extra, sizeof extra, "prompt=%s@%s", ch->prompt, ch->version);
	else
		snprintf(extra, sizeof extra, "model=%s", ch->version);
	pane_open_traces(a, extra, SORT_TIME);
	return 1;
}

/* D: the selected version (with the focus) or the worst regression of a
 * version against the one before it. */
static int changes_action(pane_t *p, app_t *a, int act)
{
	if (act != A_DIFF)
		return 0;
	const dash_data *c = p->d;
	const change *ch = p->focused ? changes_sel(p) : NULL;
	for (size_t i = 0; !ch && i < c->ch.n; i++)
		if (c->ch.v[i].prompt && c->ch.v[i].before && c->ch.v[i].regressed)
			ch = &c->ch.v[i];
	if (!ch || !ch->prompt)
		return 0; /* the generic diff: the version in traffic against the one before */
	diff_show(a, ch->prompt, ch->before, ch->version);
	return 1;
}

static int changes_rows(pane_t *p)
{
	return (int)p->d->ch.n;
}

static int changes_search(pane_t *p, const char *text, int dir)
{
	const dash_data *c = p->d;
	int n = (int)c->ch.n;
	for (int k = 1; k <= n; k++) {
		int i = ((p->pos.sel + dir * k) % n + n) % n;
		char label[300];
		if (strstr(change_label(&c->ch.v[i], label, sizeof label), text)) {
			p->pos.sel = i;
			return 1;
		}
	}
	return 0;
}

const pane_ops pane_changes = {
    .name = "changes",
    .reload = changes_reload,
    .draw = changes_draw,
    .enter = changes_enter,
    .action = changes_action,
    .rows = changes_rows,
    .search = changes_search,
    .height = changes_height,
};
