/* The dashboard: what cost, latency and errors are doing now, from the
 * rollups only (a million calls draw as fast as a thousand). It loads the
 * window's series and lays out the panes of panes[] (pane.h), each in its
 * own file: what changed (deploys and regressions, a strip on top), cost
 * burn against the budgets, the latency distribution with its
 * percentiles, and errors against their thresholds. Tab moves between
 * them; Enter opens the calls behind the focused pane's selected row. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../tui/listpos.h"
#include "../tui/tui.h"
#include "pane.h"

#define NCOLS 60

/* The panes, in the order Tab visits them. Strips (with a height) go across
 * the top; of the others, the first is the widest (and on a narrower
 * screen, the one on top) and the rest share what is left. */
static const pane_ops *const panes[] = {&pane_cost, &pane_latency, &pane_errors, &pane_changes};
#define NPANES ((int)(sizeof panes / sizeof *panes))

/* The changes of a window, read on a connection of their own while the
 * series is read (a store whose reads are round trips to a server). */
typedef struct side_read {
	store_t *st;
	int64_t from, to;
	changes_t ch;
	int ok;
	char err[256];
} side_read;

typedef struct dash {
	dash_data d;
	char err[256];
	int focus;
	pane_t pane[NPANES];
	store_t *side;   /* the second connection, opened at the first reload */
	int side_failed; /* it could not be opened: every read on the first */
} dash;

static void *side_changes(void *arg)
{
	side_read *r = arg;
	r->ok = changes_compute(r->st, r->from, r->to, &r->ch, r->err, sizeof r->err) == 0;
	return NULL;
}

static void panes_focus(dash *d, int focus)
{
	d->focus = focus;
	for (int i = 0; i < NPANES; i++)
		d->pane[i].focused = i == focus;
}

static void dash_reload(view_t *v, app_t *a)
{
	dash *d = v->priv;
	if (!d->pane[0].ops) { /* the first reload, open's */
		for (int i = 0; i < NPANES; i++)
			d->pane[i] = (pane_t){panes[i], xcalloc(1, panes[i]->private_size ? panes[i]->private_size : 1), &d->d};
		panes_focus(d, d->focus);
	}
	/* The old series outlives the panes' reload: what they keep of it (a
	 * selected row's name) is read before it goes. */
	series_t old = d->d.s;
	memset(&d->d.s, 0, sizeof d->d.s);
	d->err[0] = 0;
	int64_t now = a->now_ns;
	d->d.to = now;
	d->d.from = now - a->window_ns;
	changes_free(&d->d.ch);
	/* The series and the changes do not depend on each other: on a server,
	 * both are read at once, the frame waiting for the slower. */
	if (!d->side && !d->side_failed && store_remote(a->st)) {
		char e[256];
		d->side_failed = store_open(a->store_path, STORE_READONLY, &d->side, e, sizeof e) != 0;
	}
	side_read r = {d->side, d->d.from, d->d.to};
	pthread_t th;
	int par = d->side && pthread_create(&th, NULL, side_changes, &r) == 0;
	d->d.loaded = store_series(a->st, d->d.from, d->d.to, NCOLS, &d->d.s, d->err, sizeof d->err) == 0;
	if (!d->d.loaded)
		series_free(&d->d.s);
	if (par) {
		pthread_join(th, NULL);
		d->d.ch = r.ch;
		snprintf(d->d.ch_err, sizeof d->d.ch_err, "%s", r.err);
		d->d.ch_ok = d->d.loaded && r.ok;
	} else {
		d->d.ch_ok = d->d.loaded &&
			     changes_compute(a->st, d->d.from, d->d.to, &d->d.ch, d->d.ch_err, sizeof d->d.ch_err) == 0;
	}
	for (int i = 0; i < NPANES; i++)
		if (panes[i]->reload)
			panes[i]->reload(&d->pane[i], a);
	series_free(&old);
}

static void dash_open(view_t *v, app_t *a, const void *arg)
{
	(void)arg;
	dash_reload(v, a);
}

static void dash_close(view_t *v, app_t *a)
{
	(void)a;
	dash *d = v->priv;
	for (int i = 0; i < NPANES && d->pane[i].ops; i++) {
		if (panes[i]->close)
			panes[i]->close(&d->pane[i]);
		free(d->pane[i].priv);
	}
	series_free(&d->d.s);
	changes_free(&d->d.ch);
	if (d->side)
		store_close(d->side);
	d->side = NULL;
}

/* The usage poller stored buckets: the panes that show the bill reload it;
 * nothing else moves. */
static void dash_billed(view_t *v, app_t *a)
{
	dash *d = v->priv;
	for (int i = 0; i < NPANES && d->pane[i].ops; i++)
		if (panes[i]->billed)
			panes[i]->billed(&d->pane[i], a);
}

/* ---- the view ---------------------------------------------------------- */

/* The window's spend, p95 latency and error rate on one line: what must
 * show at any size. A figure that does not fit whole is left out, from
 * the last. */
static void dash_headline(const dash *d, app_t *a, int y, int x, int w)
{
	const rstats *t = &d->d.s.total;
	char cost[24], p95[16] = "-", rate[16] = "-", parts[3][48];
	char piece[160];
	pane_usd(cost, sizeof cost, t->cost_nusd);
	if (t->lat.total)
		fmt_ms(p95, sizeof p95, hist_quantile(&t->lat, 95));
	double r = t->calls ? (double)t->errors / (double)t->calls : 0;
	if (t->calls)
		snprintf(rate, sizeof rate, "%.1f%%", 100.0 * r);
	snprintf(parts[0], sizeof parts[0], "%s in %s", cost, a->window_name);
	snprintf(parts[1], sizeof parts[1], "p95 %s", p95);
	snprintf(parts[2], sizeof parts[2], "%s err", rate);
	const int els[3] = {EL_MARK, EL_MARK, t->calls ? pane_rate_el(a, r) : EL_DIM};
	pane_line ln = {y, x + 1, x + w - 1};
	for (int i = 0; i < 3; i++) {
		snprintf(piece, sizeof piece, "%s%s%s%s", i ? " " : "", i ? glyph(G_DOT) : "", i ? " " : "", parts[i]);
		if (text_width(piece) > pane_room(&ln))
			break;
		pane_put(&ln, els[i], "%s", piece);
	}
}

static void dash_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	dash *d = v->priv;
	if (!d->d.loaded) {
		draw_textf(y + 1, x + 2, w - 4, EL_CRIT, "cannot read the store: %s", d->err);
		return;
	}
	if (w < 60 || h < 16) {
		pane_t *p = d->pane;
		/* Small: the headline figures, and under them the focused pane
		 * alone (Tab shows the next), as long as a box still fits. */
		dash_headline(d, a, y, x, w);
		if (h - 1 >= 5)
			p[d->focus].ops->draw(&p[d->focus], a, y + 1, x, h - 1, w);
		return;
	}
	/* The strips first, then the other panes in what is left. */
	pane_t *p[NPANES];
	int np = 0;
	for (int i = 0; i < NPANES; i++) {
		pane_t *s = &d->pane[i];
		if (!s->ops->height) {
			p[np++] = s;
			continue;
		}
		int sh = s->ops->height(s, w, h);
		if (sh > h - 16)
			sh = h - 16;
		if (sh < 3)
			continue;
		s->ops->draw(s, a, y, x, sh, w);
		y += sh;
		h -= sh;
	}
	if (w >= 150) {
		/* Side by side: the first pane 2/5, the others share the rest. */
		int cw = np > 1 ? w * 2 / 5 : w, ow = np > 1 ? (w - cw) / (np - 1) : 0, px = x + cw;
		p[0]->ops->draw(p[0], a, y, x, h, cw);
		for (int i = 1; i < np; i++, px += ow)
			p[i]->ops->draw(p[i], a, y, px, h, i == np - 1 ? x + w - px : ow);
	} else {
		/* The first on top, 45% and a row for the billed line; the
		 * others side by side under it. */
		int ch = h * 45 / 100 + 1;
		if (ch < 10)
			ch = 10;
		int ow = np > 1 ? w / (np - 1) : 0, px = x;
		p[0]->ops->draw(p[0], a, y, x, ch, w);
		for (int i = 1; i < np; i++, px += ow)
			p[i]->ops->draw(p[i], a, y + ch, px, h - ch, i == np - 1 ? x + w - px : ow);
	}
}

/* The cursor of a pane with rows; a page key moves it five rows,
 * whatever the pane's height. */
static void pane_move(pane_t *p, int act)
{
	p->pos.n = p->ops->rows(p);
	p->pos.page = 5;
	listpos_action(&p->pos, act);
	p->moved = 1;
}

/* The focused pane has the first say; the cursor keys move its rows and
 * Enter opens what is behind them; any other action goes to the pane that
 * takes it, focused or not. */
static int dash_action(view_t *v, app_t *a, int act)
{
	dash *d = v->priv;
	if (!d->pane[0].ops)
		return 0;
	pane_t *f = &d->pane[d->focus];
	switch (act) {
	case A_NEXT_PANE: panes_focus(d, (d->focus + 1) % NPANES); return 1;
	case A_PREV_PANE: panes_focus(d, (d->focus + NPANES - 1) % NPANES); return 1;
	case A_REFRESH: dash_reload(v, a); return 1;
	default: break;
	}
	if (f->ops->action && f->ops->action(f, a, act))
		return 1;
	if (pane_is_move(act)) {
		if (f->ops->rows)
			pane_move(f, act);
		return 1;
	}
	if (act == A_ENTER) {
		if (!f->ops->enter || !f->ops->enter(f, a))
			pane_open_traces(a, "", SORT_TIME);
		return 1;
	}
	for (int i = 0; i < NPANES; i++)
		if (i != d->focus && panes[i]->action && panes[i]->action(&d->pane[i], a, act))
			return 1;
	return 0;
}

/* `/` looks in the panes that search, in order: the one that finds takes
 * the focus. It says where it looked, since the calls' text is searched in
 * the trace list, not here. */
static int dash_search(view_t *v, app_t *a, const char *text, int dir)
{
	dash *d = v->priv;
	for (int i = 0; i < NPANES && d->pane[i].ops; i++)
		if (panes[i]->search && panes[i]->search(&d->pane[i], text, dir)) {
			panes_focus(d, i);
			d->pane[i].moved = 1;
			app_message(a, EL_MESSAGE, "found in the %s pane's models; t for the calls, where / searches their text",
				    panes[i]->name);
			return 1;
		}
	char *shown = sanitize_str(text, tui_ascii() ? SAN_ASCII : 0);
	app_message(a, EL_ERROR, "no model matches %s here; t for the calls, where / searches their text", shown);
	free(shown);
	return -1;
}

static void dash_title(view_t *v, app_t *a, char *buf, size_t n)
{
	(void)v;
	(void)a;
	snprintf(buf, n, "dashboard");
}

const view_ops dashboard_ops = {
    .name = "dashboard",
    .scope = SC_DASHBOARD,
    .flags = VIEW_WINDOWED,
    .private_size = sizeof(dash),
    .open = dash_open,
    .close = dash_close,
    .draw = dash_draw,
    .action = dash_action,
    .reload = dash_reload,
    .billed = dash_billed,
    .search = dash_search,
    .title = dash_title,
};
