/* The cost pane: the window's spend and burn, what the providers billed
 * for it (the gap is spend the traces miss), the budgets' projections, and
 * per model spend, bill, share and trend. Enter opens a model's calls,
 * costliest first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../data/reconcile.h"
#include "../tui/columns.h"
#include "../tui/tui.h"
#include "pane.h"

typedef struct cost {
	recon_traced t;
	reconcile_t r;
	/* The selected model, once the user has moved to one: the cursor
	 * stays on it as the rows re-sort (until then, on the top row). */
	char sel_model[128];
} cost;

/* The model table. The trend takes the room left, short of three columns
 * that keep the sparkline off the border. */
enum { CC_MODEL, CC_TRACED, CC_BILLED, CC_SHARE, CC_CALLS, CC_PER_CALL, CC_TREND, CC_MARGIN, CC_COUNT };

/* On a narrow screen the trend goes first, then $/call, calls and share;
 * the model's name shrinks last. */
static const column cost_cols[CC_COUNT] = {
    [CC_MODEL] = {.title = "MODEL", .width = 17, .el = EL_DEFAULT, .cut = 1, .give = 4, .min = 10},
    [CC_TRACED] = {.title = "SPEND", .width = 8, .pad = 1, .align = COL_RIGHT, .el = EL_DEFAULT},
    [CC_BILLED] = {.title = "BILLED", .width = 8, .align = COL_RIGHT, .el = EL_DEFAULT},
    [CC_SHARE] = {.title = "SHARE", .width = 6, .align = COL_RIGHT, .el = EL_DEFAULT, .give = 3},
    [CC_CALLS] = {.title = "CALLS", .width = 7, .align = COL_RIGHT, .el = EL_DEFAULT, .give = 2},
    [CC_PER_CALL] = {.title = "$/CALL", .width = 9, .align = COL_RIGHT, .el = EL_DEFAULT, .give = 1},
    [CC_TREND] = {.title = "TREND", .width = 1, .pad = 1, .el = EL_BAR, .fill = 1},
    [CC_MARGIN] = {.width = 3},
};

static int budget_el(double frac)
{
	return frac >= 1.0 ? EL_CRIT : frac >= 0.8 ? EL_WARN : frac >= 0.5 ? EL_ACCENT : EL_OK;
}

/* The rows point into the series and the bill: before either goes, the
 * selected model's name is kept. */
static void rows_drop(pane_t *p)
{
	cost *c = p->priv;
	if (p->moved && c->r.nrows && p->pos.sel >= 0 && p->pos.sel < (int)c->r.nrows)
		snprintf(c->sel_model, sizeof c->sel_model, "%s", c->r.rows[p->pos.sel].model);
	reconcile_free(&c->r);
}

static void bill_load(pane_t *p, app_t *a)
{
	cost *c = p->priv;
	const dash_data *d = p->d;
	reconcile_load(a->st, a->prices, a->provs, &d->s, &c->t, d->from, d->to, &c->r);
	/* The rows re-sort as the bill comes in: the cursor stays on its model. */
	for (size_t r = 0; *c->sel_model && r < c->r.nrows; r++)
		if (!strcmp(c->r.rows[r].model, c->sel_model)) {
			p->pos.sel = (int)r;
			break;
		}
	if (p->pos.sel >= (int)c->r.nrows)
		p->pos.sel = c->r.nrows ? (int)c->r.nrows - 1 : 0;
}

static void cost_reload(pane_t *p, app_t *a)
{
	cost *c = p->priv;
	rows_drop(p);
	if (!p->d->loaded)
		return;
	reconcile_traced(a->st, p->d->to, &c->t);
	bill_load(p, a);
}

/* The usage poller stored buckets: the bill, not the traces, changed. */
static void cost_billed(pane_t *p, app_t *a)
{
	if (!p->d->loaded)
		return;
	rows_drop(p);
	bill_load(p, a);
}

/* A line of parts that drops its least important parts to fit. */
typedef struct part {
	char text[200];
	int el, prio; /* prio 0 always stays; higher goes first */
} part;

static void draw_parts(part *pt, int n, int y, int x, int w)
{
	int keep[24], total = 0;
	for (int i = 0; i < n; i++) {
		keep[i] = 1;
		total += text_width(pt[i].text);
	}
	while (total > w) {
		int worst = -1;
		for (int i = 0; i < n; i++)
			if (keep[i] && pt[i].prio > 0 && (worst < 0 || pt[i].prio >= pt[worst].prio))
				worst = i;
		if (worst < 0)
			break;
		keep[worst] = 0;
		total -= text_width(pt[worst].text);
	}
	int cx = x;
	for (int i = 0; i < n && cx < x + w; i++)
		if (keep[i])
			cx += draw_text_cut(y, cx, x + w - cx, pt[i].text, pt[i].el, 1);
}

/* One provider's part: its bill, or why there is none. What went wrong
 * outranks an amount (the total has those); a provider with neither key
 * nor bill ranks last. */
static void provider_part(const reconcile_t *r, const usage_status *st, const char *name, part *p)
{
	const usage_prov *b = reconcile_bill_of(r, name);
	char amt[32] = "";
	if (b)
		fmt_usd(amt, sizeof amt, (double)usage_billed_nusd(b) / 1e9);
	const char *why = NULL;
	p->el = EL_DEFAULT;
	p->prio = 3;
	switch (st ? st->state : US_OK) {
	case US_STOPPED: why = "key rejected, r retries"; p->el = EL_WARN; p->prio = 1; break;
	case US_FAILED: why = "failing"; p->el = EL_WARN; p->prio = 1; break;
	case US_RETRYING: why = "retrying"; p->el = EL_WARN; p->prio = 1; break;
	case US_WAITING: why = "fetching"; p->el = EL_DIM; p->prio = 4; break;
	case US_NO_KEY: why = "no admin key"; p->el = EL_DIM; p->prio = b ? 3 : 7; break;
	case US_KEY_ERROR: why = "admin key unreadable"; p->el = EL_WARN; p->prio = 1; break;
	}
	if (b && why)
		snprintf(p->text, sizeof p->text, " %s %s %s (%s)", glyph(G_DOT), name, amt, why);
	else if (b)
		snprintf(p->text, sizeof p->text, " %s %s %s%s", glyph(G_DOT), name, amt, b->unpriced ? "+?" : "");
	else if (why)
		snprintf(p->text, sizeof p->text, " %s %s: %s", glyph(G_DOT), name, why);
	else
		snprintf(p->text, sizeof p->text, " %s %s $0", glyph(G_DOT), name);
}

/* The line under the traced spend: what the providers billed for the same
 * window, per provider, and the gap as untraced spend; or how to get it. */
static void draw_billed(const reconcile_t *r, app_t *a, int y, int x, int w)
{
	part pt[24];
	int n = 0;
	size_t np = usage_poller_count(a->usage);
	if (!r->win.have && !usage_poller_active(a->usage)) {
		/* No admin key anywhere: how to add one. */
		sbuf envs = SBUF_INIT;
		const char *kerr = NULL;
		for (size_t i = 0; i < np; i++) {
			usage_status st;
			usage_poller_status(a->usage, i, &st);
			prov_t *p = a->provs ? provs_find(a->provs, st.provider) : NULL;
			if (st.state == US_KEY_ERROR && !kerr)
				kerr = p ? p->key_err[KEY_ADMIN] : NULL;
			if (st.state == US_NO_KEY && p && !strstr(sb_str(&envs), p->env_name[KEY_ADMIN]))
				sb_printf(&envs, "%s%s", envs.len ? " or " : "", p->env_name[KEY_ADMIN]);
		}
		if (kerr)
			draw_textf(y, x, w, EL_WARN, "billed spend: %s", kerr);
		else
			draw_textf(y, x, w, EL_DIM, "billed spend needs an admin key: set %s",
				   envs.len ? envs.p : "admin_key_file= on a provider line");
		sb_free(&envs);
		return;
	}
	char b[32];
	if (!r->win.have) {
		snprintf(pt[n].text, sizeof pt[n].text, "billed:");
		pt[n].el = EL_DEFAULT;
		pt[n++].prio = 0;
	} else {
		recon_verdict v;
		reconcile_verdict(r, &v);
		pane_usd(b, sizeof b, r->win.billed);
		pt[n] = (part){"", EL_DEFAULT, 0};
		snprintf(pt[n++].text, sizeof pt[0].text, "billed ");
		pt[n] = (part){"", EL_HEADER, 0};
		/* Tokens of a model the price table lacks have no price: the
		 * amount is at least this much. */
		snprintf(pt[n++].text, sizeof pt[0].text, "%s%s", b, v.unpriced ? "+?" : "");
		if (v.estimated) {
			/* Tokens at the price table's rates, until a cost report says. */
			pt[n] = (part){" est.", EL_DIM, 2};
			n++;
		}
		if (v.kind == RG_UNTRACED) {
			pane_usd(b, sizeof b, v.gap);
			pt[n] = (part){"", v.notable ? EL_WARN : EL_DEFAULT, 0};
			snprintf(pt[n++].text, sizeof pt[0].text, " %s untraced spend %s%s", glyph(G_DOT), v.unpriced ? "at least " : "", b);
			if (v.pct >= 0) {
				pt[n] = (part){"", EL_DIM, 6};
				snprintf(pt[n++].text, sizeof pt[0].text, " (%.0f%%)", v.pct);
			}
		} else if (v.kind == RG_UNKNOWN) {
			pt[n] = (part){"", EL_WARN, 0};
			snprintf(pt[n++].text, sizeof pt[0].text, " %s untraced spend unknown: no price for %.80s", glyph(G_DOT),
				 v.no_price ? v.no_price : "some models");
		} else {
			/* Usage reports lag the calls by minutes. */
			pane_usd(b, sizeof b, v.gap);
			pt[n] = (part){"", EL_DIM, 0};
			snprintf(pt[n++].text, sizeof pt[0].text, " %s traced exceeds billed by %s", glyph(G_DOT), b);
		}
		if (v.since_s >= 0) {
			char since[32];
			clock_fmt_short(v.since_s * NS_PER_S, since, sizeof since);
			pt[n] = (part){"", EL_WARN, 2};
			snprintf(pt[n++].text, sizeof pt[0].text, " (billed since %s)", since + 5);
		}
	}
	/* Per provider: the polled ones in the rc's order, then any other
	 * whose bill is in the store. */
	for (size_t i = 0; i < np && n < 22; i++) {
		usage_status st;
		usage_poller_status(a->usage, i, &st);
		provider_part(r, &st, st.provider, &pt[n++]);
	}
	for (size_t i = 0; i < r->us.nprovs && n < 22; i++) {
		int known = 0;
		for (size_t k = 0; k < np; k++) {
			usage_status st;
			usage_poller_status(a->usage, k, &st);
			known |= !strcmp(st.provider, r->us.provs[i].provider);
		}
		if (known || !reconcile_has_bill(&r->us.provs[i]))
			continue;
		provider_part(r, NULL, r->us.provs[i].provider, &pt[n++]);
	}
	if (!r->win.have && n > 1 && pt[1].text[0] == ' ') {
		/* "billed: openai: fetching", not "billed: · openai: fetching" */
		size_t skip = 1 + strlen(glyph(G_DOT));
		memmove(pt[1].text, pt[1].text + skip, strlen(pt[1].text + skip) + 1);
	}
	draw_parts(pt, n, y, x, w);
}

/* ---- cost -------------------------------------------------------------- */

static void budget_line(int y, int x, int w, const char *label, const recon_budget *b, double budget)
{
	char proj[32], bud[32];
	double projected = (double)b->so_far / 1e9 + b->rate_per_h * b->hours_left;
	fmt_usd(proj, sizeof proj, projected);
	fmt_usd(bud, sizeof bud, budget);
	double frac = budget > 0 ? projected / budget : 0;
	pane_line ln = {y, x, x + w};
	pane_put(&ln, EL_DEFAULT, "%s proj %s of %s ", label, proj, bud);
	int bw = 10;
	if (ln.x + bw + 6 > ln.end)
		bw = pane_room(&ln) - 6;
	if (bw > 2) {
		/* A bar of the projection against the budget, scale to 120%, with
		 * marks at 50, 80 and 100%. */
		double scale = frac > 1.2 ? frac : 1.2;
		int bx = ln.x;
		draw_fill(y, bx, bw, EL_DIM);
		draw_bar(y, bx, bw, frac / scale, budget_el(frac));
		const double marks[] = {0.5, 0.8, 1.0};
		for (int i = 0; i < 3; i++) {
			int mx = bx + (int)floor(marks[i] / scale * bw);
			if (mx >= bx + (int)floor(frac / scale * bw) && mx < bx + bw)
				draw_glyph(y, mx, G_VLINE, budget_el(marks[i]));
		}
		ln.x += bw + 1;
	}
	pane_put(&ln, budget_el(frac), "%.0f%%", frac * 100);
}

static void cost_draw(pane_t *p, app_t *a, int y, int x, int h, int w)
{
	const dash_data *d = p->d;
	const cost *c = p->priv;
	const reconcile_t *rc = &c->r;
	char title[64];
	snprintf(title, sizeof title, "Cost %s %s", glyph(G_DOT), a->window_name);
	draw_box(y, x, h, w, title, p->focused);
	int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
	if (ih < 1 || iw < 10)
		return;
	const rstats *t = &d->s.total;
	double win_h = (double)(d->s.to_ns - d->s.from_ns) / 3.6e12;
	double avg_h = win_h > 0 ? (double)t->cost_nusd / 1e9 / win_h : 0;
	double burn_h = (double)c->t.last15 / 1e9 * 4;
	char spend[32], today[32], burn[32], avg[32];
	pane_usd(spend, sizeof spend, t->cost_nusd);
	pane_usd(today, sizeof today, c->t.today);
	fmt_usd(burn, sizeof burn, burn_h);
	fmt_usd(avg, sizeof avg, avg_h);
	pane_line ln = {iy, ix, ix + iw};
	pane_put(&ln, EL_HEADER, "%s", spend);
	pane_put(&ln, EL_DEFAULT, " in %s", a->window_name);
	/* On a narrow pane, each figure whole or not at all. */
	char piece[96];
	snprintf(piece, sizeof piece, " %s today %s", glyph(G_DOT), today);
	int more = text_width(piece) <= pane_room(&ln);
	if (more)
		pane_put(&ln, EL_DEFAULT, "%s", piece);
	snprintf(piece, sizeof piece, " %s burn %s/h", glyph(G_DOT), burn);
	more = more && text_width(piece) <= pane_room(&ln);
	if (more) {
		pane_put(&ln, EL_DEFAULT, " %s burn ", glyph(G_DOT));
		pane_put(&ln, burn_h > 1.5 * avg_h && burn_h > 0 ? EL_WARN : EL_DEFAULT, "%s/h", burn);
	}
	snprintf(piece, sizeof piece, " (15m) vs %s/h", avg);
	if (more && text_width(piece) <= pane_room(&ln))
		pane_put(&ln, EL_DIM, "%s", piece);
	if (t->unpriced) {
		char n[32];
		fmt_count(n, sizeof n, (double)t->unpriced);
		ln.x++;
		pane_put(&ln, EL_WARN, "%s %s unpriced", glyph(G_MARK), n);
	}
	if (ih < 2)
		return;
	draw_billed(rc, a, iy + 1, ix, iw);
	if (ih < 3)
		return;
	/* Budgets: the day from the last 15 minutes' burn, the month from the
	 * last 24 hours'. Where the providers' bills are in, what the traces
	 * missed is added, so far and at the rate it accrued. */
	double bd = config_num(a->cfg, CFG_budget_daily), bm = config_num(a->cfg, CFG_budget_monthly);
	recon_budget day, mon;
	reconcile_budgets(rc, &c->t, &day, &mon);
	if (bd <= 0 && bm <= 0) {
		char mtd[32];
		pane_usd(mtd, sizeof mtd, mon.so_far);
		char line[160];
		snprintf(line, sizeof line, "month to date %s %s no budget set (budget_daily, budget_monthly)", mtd,
			 glyph(G_DOT));
		if (text_width(line) > iw) /* the names of the settings go first */
			snprintf(line, sizeof line, "month to date %s %s no budget set", mtd, glyph(G_DOT));
		draw_text(iy + 2, ix, iw, line, EL_DIM);
	} else {
		int half = iw / 2;
		if (bd > 0)
			budget_line(iy + 2, ix, bm > 0 ? half - 1 : iw, "day", &day, bd);
		if (bm > 0)
			budget_line(iy + 2, bd > 0 ? ix + half + 1 : ix, bd > 0 ? iw - half - 1 : iw, "month", &mon, bm);
	}
	if (ih < 5)
		return;
	/* Per model: spend, what the provider billed for it, share, calls,
	 * $/call, and the trend over the window. */
	int billed_col = 0;
	for (size_t r = 0; r < rc->nrows; r++)
		billed_col |= rc->rows[r].billed >= 0;
	column cc[CC_COUNT];
	memcpy(cc, cost_cols, sizeof cc);
	/* The model's room; one more for the unpriced mark after it. */
	cc[CC_MODEL].width = (iw >= 90 ? 30 : iw >= 70 ? 24 - billed_col * 2 : 18 - billed_col * 2) - 1;
	cc[CC_TRACED].title = billed_col ? "TRACED" : "SPEND";
	char hd[16] = "BILLED";
	if (billed_col) {
		/* The models' bill is their token counts, kept for a week: a
		 * longer window says how much of it the column covers. */
		int64_t span = reconcile_model_span(rc);
		if (span >= NS_PER_DAY)
			snprintf(hd, sizeof hd, "BILL %dd", (int)((span + NS_PER_DAY / 2) / NS_PER_DAY));
		else if (span > 0)
			snprintf(hd, sizeof hd, "BILL %dh", (int)((span + NS_PER_HOUR / 2) / NS_PER_HOUR));
		cc[CC_BILLED].title = hd;
	} else {
		cc[CC_BILLED].width = 0;
	}
	columns l;
	columns_layout(&l, cc, CC_COUNT, iw);
	if (l.w[CC_TREND] <= 4)
		l.w[CC_TREND] = 0; /* no room for a trend worth the name */
	int hy = iy + 3;
	columns_header(&l, hy, ix);
	int rows = ih - 4;
	if (!rc->nrows) {
		draw_text(hy + 1, ix, iw,
			  a->last_call_ts ? "no calls in this window (1-9 widen it)"
					  : "no calls yet: llmops import FILE, or watch a file in llmopsrc",
			  EL_DIM);
		return;
	}
	if (rows - (int)rc->nrows >= 8) {
		/* Room to spare: spend over the window as a chart under the table. */
		int ch = rows - (int)rc->nrows - 1;
		if (ch > 22)
			ch = 22;
		char step[16], ctitle[64];
		clock_fmt_dur((d->s.to_ns - d->s.from_ns) / (d->s.ncols ? d->s.ncols : 1), step, sizeof step);
		snprintf(ctitle, sizeof ctitle, "spend per %s", step);
		pane_chart(d, a, d->s.cols, PM_SPEND, ctitle, hy + 2 + (int)rc->nrows, ix, ch, iw, EL_BAR);
		rows = (int)rc->nrows;
	}
	int first = p->pos.sel >= rows ? p->pos.sel - rows + 1 : 0;
	for (int r = 0; r < rows && first + r < (int)rc->nrows; r++) {
		const recon_row *row = &rc->rows[first + r];
		const series_group *g = row->g >= 0 ? &d->s.groups[row->g] : NULL;
		int ry = hy + 1 + r;
		char b[32];
		char mshort[128];
		int mw = l.w[CC_MODEL];
		columns_cell(&l, CC_MODEL, ry, ix, mw < (int)strlen(row->model) ? model_short(row->model, mshort, sizeof mshort) : row->model,
			     g ? EL_DEFAULT : EL_WARN);
		if (billed_col) {
			if (row->billed < 0)
				snprintf(b, sizeof b, "-");
			else if (row->unpriced && !row->billed)
				snprintf(b, sizeof b, "?");
			else
				pane_usd(b, sizeof b, row->billed);
			columns_cell(&l, CC_BILLED, ry, ix, b, row->billed < 0 ? EL_DIM : row->unpriced ? EL_WARN : EL_DEFAULT);
		}
		if (!g) {
			/* Only the bill knows it: spend the traces do not show. */
			columns_cell(&l, CC_TRACED, ry, ix, "-", EL_DIM);
			columns_cell(&l, CC_TREND, ry, ix, "untraced", EL_WARN);
		} else {
			if (g->total.unpriced == g->total.calls) {
				columns_cell(&l, CC_TRACED, ry, ix, "?", EL_WARN);
			} else {
				pane_usd(b, sizeof b, g->total.cost_nusd);
				columns_cell(&l, CC_TRACED, ry, ix, b, -1);
			}
			double share = t->cost_nusd ? 100.0 * (double)g->total.cost_nusd / (double)t->cost_nusd : 0;
			snprintf(b, sizeof b, "%5.0f%%", share);
			columns_cell(&l, CC_SHARE, ry, ix, b, -1);
			fmt_count(b, sizeof b, (double)g->total.calls);
			columns_cell(&l, CC_CALLS, ry, ix, b, -1);
			fmt_usd(b, sizeof b, g->total.calls ? (double)g->total.cost_nusd / 1e9 / (double)g->total.calls : 0);
			columns_cell(&l, CC_PER_CALL, ry, ix, b, -1);
			pane_spark(d, g->cols, PM_SPEND, ry, ix + l.x[CC_TREND], l.w[CC_TREND], EL_BAR);
			pane_spark_marks(d, g->key, ry, ix + l.x[CC_TREND], l.w[CC_TREND]);
			if (g->total.unpriced)
				draw_glyph(ry, ix + l.x[CC_MODEL] + mw, G_MARK, EL_WARN);
		}
		if (p->focused && first + r == p->pos.sel)
			pane_cursor(ry, ix, iw);
	}
}

static int cost_enter(pane_t *p, app_t *a)
{
	const cost *c = p->priv;
	if (c->r.nrows && c->r.rows[p->pos.sel].g < 0) {
		app_message(a, EL_MESSAGE, "%s is billed but has no traced calls: its spend is untraced", c->r.rows[p->pos.sel].model);
		return 1;
	}
	if (!p->d->s.ngroups)
		return 0;
	char extra[300];
	snprintf(extra, sizeof extra, "model=%s", c->r.rows[p->pos.sel].model);
	pane_open_traces(a, extra, SORT_COST);
	return 1;
}

static int cost_rows(pane_t *p)
{
	const cost *c = p->priv;
	return (int)c->r.nrows;
}

static int cost_search(pane_t *p, const char *text, int dir)
{
	const cost *c = p->priv;
	int n = (int)c->r.nrows;
	for (int k = 1; k <= n; k++) {
		int i = ((p->pos.sel + dir * k) % n + n) % n;
		if (strstr(c->r.rows[i].model, text)) {
			p->pos.sel = i;
			return 1;
		}
	}
	return 0;
}

static void cost_close(pane_t *p)
{
	cost *c = p->priv;
	reconcile_free(&c->r);
}

const pane_ops pane_cost = {
    .name = "cost",
    .private_size = sizeof(cost),
    .reload = cost_reload,
    .billed = cost_billed,
    .draw = cost_draw,
    .enter = cost_enter,
    .rows = cost_rows,
    .search = cost_search,
    .close = cost_close,
};
