/* The dashboard: what cost, latency and errors are doing now, from the
 * rollups only (a million calls draw as fast as a thousand). Three panes:
 * cost burn against the budgets, the latency distribution with its
 * percentiles, and errors against their thresholds. Tab moves between
 * them; Enter opens the calls behind the selected row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../tui/tui.h"
#include "view.h"

#define NCOLS 60

enum { P_COST, P_LATENCY, P_ERRORS, P_COUNT };

/* A row of the cost pane's model table: a traced model, with what its
 * provider billed for it where the provider reports tokens per model, or a
 * model only the bill knows (g < 0): spend the traces do not show. */
typedef struct cost_row {
	int g;           /* index in s.groups, or -1 */
	const char *model;
	int64_t billed;  /* the provider's tokens priced; -1 when none */
	int unpriced;
	int64_t rank;    /* the larger of traced and billed */
} cost_row;

/* Billed against traced over a span, for the providers whose bill is in
 * the store. */
typedef struct billed_span {
	int have;
	int64_t billed, traced; /* traced: the calls of those providers only */
} billed_span;

typedef struct dash {
	series_t s;
	int loaded;
	char err[256];
	int64_t from, to;
	int64_t today_cost, month_cost, last15_cost, last24_cost;
	int64_t today_start, month_start;
	int focus;
	int sel[P_COUNT];
	char model[128];   /* the latency pane's model; "" for all */
	size_t *err_order; /* groups by errors, for the errors pane */
	/* billed spend (the providers' usage and cost reports) */
	usage_sum us;
	billed_span bwin, btoday, bmonth, b24;
	unsigned usage_gen;
	cost_row *rows;
	size_t nrows;
	/* The cost pane's selected model, once the user has moved to one: the
	 * cursor stays on it as the rows re-sort (until then, on the top row). */
	char cost_sel[128];
	int cost_moved;
} dash;

static int cmp_errors_desc(const void *a, const void *b, void *ctx)
{
	const series_t *s = ctx;
	const series_group *x = &s->groups[*(const size_t *)a], *y = &s->groups[*(const size_t *)b];
	if (x->total.errors != y->total.errors)
		return x->total.errors > y->total.errors ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void billed_reload(dash *d, app_t *a);

/* The cost pane's rows point into the series and the usage sums: before
 * either is freed, the selected model's name is kept and the rows go. */
static void rows_drop(dash *d)
{
	if (d->cost_moved && d->nrows && d->sel[P_COST] >= 0 && d->sel[P_COST] < (int)d->nrows)
		snprintf(d->cost_sel, sizeof d->cost_sel, "%s", d->rows[d->sel[P_COST]].model);
	free(d->rows);
	d->rows = NULL;
	d->nrows = 0;
}

static void dash_reload(view_t *v, app_t *a)
{
	dash *d = v->priv;
	rows_drop(d);
	usage_sum_free(&d->us);
	series_free(&d->s);
	free(d->err_order);
	d->err_order = NULL;
	d->err[0] = 0;
	int64_t now = a->now_ns;
	d->to = now;
	d->from = now - a->window_ns;
	if (store_series(a->st, d->from, d->to, NCOLS, &d->s, d->err, sizeof d->err)) {
		d->loaded = 0;
		return;
	}
	d->loaded = 1;
	uint64_t calls;
	d->today_start = floor_to(now, NS_PER_DAY);
	int64_t y;
	unsigned m, day;
	civil_from_days(d->today_start / NS_PER_DAY, &y, &m, &day);
	d->month_start = days_from_civil(y, m, 1) * NS_PER_DAY;
	store_spend(a->st, d->today_start, now, &d->today_cost, &calls);
	store_spend(a->st, d->month_start, now, &d->month_cost, &calls);
	store_spend(a->st, now - 15 * NS_PER_MIN, now, &d->last15_cost, &calls);
	store_spend(a->st, now - NS_PER_DAY, now, &d->last24_cost, &calls);
	d->err_order = xcalloc(d->s.ngroups ? d->s.ngroups : 1, sizeof *d->err_order);
	for (size_t i = 0; i < d->s.ngroups; i++)
		d->err_order[i] = i;
	qsort_r(d->err_order, d->s.ngroups, sizeof *d->err_order, cmp_errors_desc, &d->s);
	for (int p = 0; p < P_COUNT; p++)
		if (p != P_COST && d->sel[p] >= (int)d->s.ngroups)
			d->sel[p] = d->s.ngroups ? (int)d->s.ngroups - 1 : 0;
	billed_reload(d, a); /* and the cost pane's rows */
}

static void dash_open(view_t *v, app_t *a)
{
	dash_reload(v, a);
}

static void dash_close(view_t *v, app_t *a)
{
	(void)a;
	dash *d = v->priv;
	series_free(&d->s);
	free(d->err_order);
	usage_sum_free(&d->us);
	free(d->rows);
}

/* ---- helpers ----------------------------------------------------------- */

static int rate_el(app_t *a, double rate)
{
	double pct = rate * 100;
	if (pct >= config_num(a->cfg, CFG_error_crit))
		return EL_CRIT;
	if (pct >= config_num(a->cfg, CFG_error_warn))
		return EL_WARN;
	return EL_OK;
}

static int budget_el(double frac)
{
	return frac >= 1.0 ? EL_CRIT : frac >= 0.8 ? EL_WARN : frac >= 0.5 ? EL_ACCENT : EL_OK;
}

static const series_group *latency_group(dash *d)
{
	if (!d->model[0])
		return NULL;
	for (size_t i = 0; i < d->s.ngroups; i++)
		if (!strcmp(d->s.groups[i].key, d->model))
			return &d->s.groups[i];
	return NULL;
}

/* Resamples per-column values onto n screen columns. */
static void resample(const double *src, int ns, double *dst, int n)
{
	for (int i = 0; i < n; i++) {
		int a = i * ns / n, b = (i + 1) * ns / n;
		if (b <= a)
			b = a + 1;
		double sum = 0;
		int k = 0;
		for (int j = a; j < b && j < ns; j++)
			if (src[j] >= 0) {
				sum = fmax(sum, src[j]);
				k++;
			}
		dst[i] = k ? sum : -1;
	}
}

/* The series of one measure over the window's columns, resampled to at most
 * w values: kind 0 spend, 1 error rate, 2 p95 latency. */
static int series_values(dash *d, const rstats *cols, int kind, int w, double *o, double *max)
{
	double *v = xcalloc((size_t)d->s.ncols, sizeof *v);
	*max = 0;
	for (int c = 0; c < d->s.ncols; c++) {
		const rstats *r = &cols[c];
		if (kind == 0)
			v[c] = (double)r->cost_nusd / 1e9;
		else if (kind == 1)
			v[c] = r->calls ? rstats_error_rate(r) : -1;
		else
			v[c] = r->lat.total ? hist_quantile(&r->lat, 95) : -1;
		if (v[c] > *max)
			*max = v[c];
	}
	int n = w < d->s.ncols ? w : d->s.ncols;
	resample(v, d->s.ncols, o, n);
	free(v);
	return n;
}

static void spark_of(dash *d, const rstats *cols, int kind, int y, int x, int w, int el)
{
	if (w <= 0 || !d->s.ncols)
		return;
	double *o = xcalloc((size_t)w, sizeof *o), max;
	int n = series_values(d, cols, kind, w, o, &max);
	draw_spark(y, x, o, n, max, el);
	free(o);
}

/* The same series as a column chart h rows high, for panes with room to
 * spare (200x60): a spike is a tall bar, not one glyph among many. */
static void chart_of(dash *d, const rstats *cols, int kind, int y, int x, int h, int w, int el)
{
	if (w <= 0 || h <= 0 || !d->s.ncols)
		return;
	double *o = xcalloc((size_t)w, sizeof *o), max;
	int n = series_values(d, cols, kind, w, o, &max);
	for (int c = 0; c < n && max > 0; c++) {
		if (o[c] <= 0)
			continue;
		int eighths = (int)ceil(o[c] / max * h * 8);
		for (int r = 0; r < h && eighths > 0; r++, eighths -= 8)
			draw_glyph(y + h - 1 - r, x + c, (enum glyph)(G_SPARK0 + (eighths >= 8 ? 7 : eighths - 1)), el);
	}
	free(o);
}

static void chart_block(dash *d, app_t *a, const rstats *cols, int kind, const char *title, int y, int x, int h, int w,
			int el);

static void usd(char *b, size_t n, int64_t nusd)
{
	fmt_usd(b, n, (double)nusd / 1e9);
}

/* ---- billed spend ------------------------------------------------------ */

/* Is a traced call's provider one whose bill is in the store: the same
 * name, or the type of the provider line of that name? */
static int same_provider(app_t *a, const char *traced, const char *billed)
{
	if (!traced || !billed)
		return 0;
	if (!strcmp(traced, billed))
		return 1;
	prov_t *p = a->provs ? provs_find(a->provs, billed) : NULL;
	return p && !strcmp(p->ops->name, traced);
}

static int has_bill(const usage_prov *p)
{
	return p->has_usage || p->has_cost;
}

static void span_of(const usage_sum *us, billed_span *o)
{
	memset(o, 0, sizeof *o);
	for (size_t i = 0; i < us->nprovs; i++)
		if (has_bill(&us->provs[i])) {
			o->have = 1;
			o->billed += usage_billed_nusd(&us->provs[i]);
		}
}

/* Where a provider's bill in the store begins, within [from, ...). */
static int64_t bill_start(const usage_prov *p, int64_t from)
{
	return p->first_s >= 0 && p->first_s * NS_PER_S > from ? p->first_s * NS_PER_S : from;
}

/* Billed over [from, to) against the traced spend of the same providers
 * over the same time: from where each one's bill in the store begins, so
 * that a window reaching back before the first fetch compares like with
 * like. us: the window's sums when already made. */
static void billed_over(app_t *a, int64_t from, int64_t to, const usage_sum *us, billed_span *o)
{
	usage_sum own;
	char err[256];
	memset(o, 0, sizeof *o);
	if (!us) {
		if (usage_summarize(a->st, a->prices, from, to, &own, err, sizeof err))
			return;
		us = &own;
	}
	span_of(us, o);
	for (size_t i = 0; o->have && i < us->nprovs; i++) {
		const usage_prov *p = &us->provs[i];
		int64_t start = bill_start(p, from);
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= has_bill(&us->provs[k]) && bill_start(&us->provs[k], from) == start;
		if (!has_bill(p) || seen || start >= to)
			continue;
		/* One report for each start (usually one for all providers). */
		report_t r;
		if (store_report(a->st, start, to, BY_PROVIDER, &r, err, sizeof err))
			continue;
		for (size_t g = 0; g < r.n; g++)
			for (size_t k = 0; k < us->nprovs; k++) {
				const usage_prov *q = &us->provs[k];
				if (has_bill(q) && bill_start(q, from) == start && same_provider(a, r.groups[g].key, q->provider)) {
					o->traced += r.groups[g].s.cost_nusd;
					break;
				}
			}
		report_free(&r);
	}
	if (us == &own)
		usage_sum_free(&own);
}

/* The same model under two names: "gpt-4o-2024-08-06" and "gpt-4o". */
static int same_family(const char *x, const char *y)
{
	char fx[128], fy[128];
	pricing_strip_date(x, fx, sizeof fx);
	pricing_strip_date(y, fy, sizeof fy);
	return !strcmp(fx, fy);
}

static void row_add(cost_row *r, const usage_model *m)
{
	r->billed = (r->billed < 0 ? 0 : r->billed) + m->est_nusd;
	r->unpriced |= m->unpriced;
}

static int cmp_rows(const void *a, const void *b)
{
	const cost_row *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->model, y->model);
}

/* Traced models with their billed estimate beside them, then the models
 * only the bill knows; with a bill, the costliest of either first. */
static void build_rows(dash *d)
{
	rows_drop(d);
	d->rows = xcalloc(d->s.ngroups + d->us.nmodels + 1, sizeof *d->rows);
	for (size_t g = 0; g < d->s.ngroups; g++)
		d->rows[d->nrows++] = (cost_row){(int)g, d->s.groups[g].key, -1, 0, d->s.groups[g].total.cost_nusd};
	size_t ntraced = d->nrows;
	char *taken = xcalloc(d->us.nmodels + 1, 1);
	/* Exact names first, then a family that only one traced model has. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t m = 0; m < d->us.nmodels; m++) {
			const usage_model *um = &d->us.models[m];
			if (taken[m] || !*um->model)
				continue;
			int hit = -1, hits = 0;
			for (size_t r = 0; r < ntraced; r++)
				if (pass ? same_family(d->rows[r].model, um->model) : !strcmp(d->rows[r].model, um->model)) {
					hit = (int)r;
					hits++;
				}
			if (hits == 1 || (pass == 0 && hits)) {
				row_add(&d->rows[hit], um);
				taken[m] = 1;
			}
		}
	for (size_t m = 0; m < d->us.nmodels; m++) {
		const usage_model *um = &d->us.models[m];
		if (taken[m] || (!um->input_tokens && !um->output_tokens))
			continue;
		cost_row *r = &d->rows[d->nrows++];
		*r = (cost_row){-1, *um->model ? um->model : "(no model)", -1, 0, 0};
		row_add(r, um);
	}
	free(taken);
	int any = 0;
	for (size_t r = 0; r < d->nrows; r++) {
		if (d->rows[r].billed > d->rows[r].rank)
			d->rows[r].rank = d->rows[r].billed;
		/* A model only the bill knows, at no price we know: spend the
		 * traces miss of any size, so on top. */
		if (d->rows[r].g < 0 && d->rows[r].unpriced)
			d->rows[r].rank = INT64_MAX;
		any |= d->rows[r].billed >= 0;
	}
	if (any)
		qsort(d->rows, d->nrows, sizeof *d->rows, cmp_rows);
	/* The rows re-sort as the bill comes in: the cursor stays on its model. */
	for (size_t r = 0; *d->cost_sel && r < d->nrows; r++)
		if (!strcmp(d->rows[r].model, d->cost_sel)) {
			d->sel[P_COST] = (int)r;
			break;
		}
	if (d->sel[P_COST] >= (int)d->nrows)
		d->sel[P_COST] = d->nrows ? (int)d->nrows - 1 : 0;
}

static void billed_reload(dash *d, app_t *a)
{
	rows_drop(d);
	usage_sum_free(&d->us);
	char err[256];
	if (usage_summarize(a->st, a->prices, d->from, d->to, &d->us, err, sizeof err))
		memset(&d->us, 0, sizeof d->us);
	d->usage_gen = usage_poller_generation(a->usage);
	billed_over(a, d->from, d->to, &d->us, &d->bwin);
	if (d->bwin.have) {
		billed_over(a, d->today_start, d->to, NULL, &d->btoday);
		billed_over(a, d->month_start, d->to, NULL, &d->bmonth);
		billed_over(a, d->to - NS_PER_DAY, d->to, NULL, &d->b24);
	} else {
		memset(&d->btoday, 0, sizeof d->btoday);
		memset(&d->bmonth, 0, sizeof d->bmonth);
		memset(&d->b24, 0, sizeof d->b24);
	}
	build_rows(d);
}

/* What the traces miss of a span's spend (never below nothing: a bill that
 * lags the traces says nothing about what they miss). */
static int64_t untraced_of(const billed_span *b)
{
	return b->have && b->billed > b->traced ? b->billed - b->traced : 0;
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

static const usage_prov *bill_of(const dash *d, const char *name)
{
	for (size_t i = 0; i < d->us.nprovs; i++)
		if (!strcmp(d->us.provs[i].provider, name) && has_bill(&d->us.provs[i]))
			return &d->us.provs[i];
	return NULL;
}

/* One provider's part: its bill, or why there is none. What went wrong
 * outranks an amount (the total has those); a provider with neither key
 * nor bill ranks last. */
static void provider_part(const dash *d, const usage_status *st, const char *name, part *p)
{
	const usage_prov *b = bill_of(d, name);
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
static void draw_billed(dash *d, app_t *a, int y, int x, int w)
{
	part pt[24];
	int n = 0;
	size_t np = usage_poller_count(a->usage);
	if (!d->bwin.have && !usage_poller_active(a->usage)) {
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
	if (!d->bwin.have) {
		snprintf(pt[n].text, sizeof pt[n].text, "billed:");
		pt[n].el = EL_DEFAULT;
		pt[n++].prio = 0;
	} else {
		int estimated = 0, unpriced = 0;
		for (size_t i = 0; i < d->us.nprovs; i++) {
			estimated |= d->us.provs[i].estimated_nusd != 0 || (d->us.provs[i].has_usage && !d->us.provs[i].has_cost);
			unpriced |= d->us.provs[i].unpriced;
		}
		usd(b, sizeof b, d->bwin.billed);
		pt[n] = (part){"", EL_DEFAULT, 0};
		snprintf(pt[n++].text, sizeof pt[0].text, "billed ");
		pt[n] = (part){"", EL_HEADER, 0};
		/* Tokens of a model the price table lacks have no price: the
		 * amount is at least this much. */
		snprintf(pt[n++].text, sizeof pt[0].text, "%s%s", b, unpriced ? "+?" : "");
		if (estimated) {
			/* Tokens at the price table's rates, until a cost report says. */
			pt[n] = (part){" est.", EL_DIM, 2};
			n++;
		}
		int64_t gap = d->bwin.billed - d->bwin.traced;
		if (gap >= 0) {
			usd(b, sizeof b, gap);
			pt[n] = (part){"", gap > 0 && gap * 20 > d->bwin.billed ? EL_WARN : EL_DEFAULT, 0};
			snprintf(pt[n++].text, sizeof pt[0].text, " %s untraced spend %s%s", glyph(G_DOT), unpriced ? "at least " : "", b);
			if (gap > 0 && d->bwin.billed > 0) {
				pt[n] = (part){"", EL_DIM, 6};
				snprintf(pt[n++].text, sizeof pt[0].text, " (%.0f%%)", 100.0 * (double)gap / (double)d->bwin.billed);
			}
		} else if (unpriced) {
			/* Below the traces only because some tokens have no price. */
			pt[n] = (part){"", EL_WARN, 0};
			const char *which = "some models";
			for (size_t i = 0; i < d->us.nmodels; i++)
				if (d->us.models[i].unpriced && *d->us.models[i].model) {
					which = d->us.models[i].model;
					break;
				}
			snprintf(pt[n++].text, sizeof pt[0].text, " %s untraced spend unknown: no price for %.80s", glyph(G_DOT), which);
		} else {
			/* Usage reports lag the calls by minutes. */
			usd(b, sizeof b, -gap);
			pt[n] = (part){"", EL_DIM, 0};
			snprintf(pt[n++].text, sizeof pt[0].text, " %s traced exceeds billed by %s", glyph(G_DOT), b);
		}
		/* A window reaching back before the first bucket stored says so. */
		int64_t first = -1;
		for (size_t i = 0; i < d->us.nprovs; i++)
			if (d->us.provs[i].first_s >= 0 && (first < 0 || d->us.provs[i].first_s < first))
				first = d->us.provs[i].first_s;
		if (first >= 0 && first * NS_PER_S > d->from + NS_PER_HOUR) {
			char since[32];
			clock_fmt_short(first * NS_PER_S, since, sizeof since);
			pt[n] = (part){"", EL_WARN, 2};
			snprintf(pt[n++].text, sizeof pt[0].text, " (billed since %s)", since + 5);
		}
	}
	/* Per provider: the polled ones in the rc's order, then any other
	 * whose bill is in the store. */
	for (size_t i = 0; i < np && n < 22; i++) {
		usage_status st;
		usage_poller_status(a->usage, i, &st);
		provider_part(d, &st, st.provider, &pt[n++]);
	}
	for (size_t i = 0; i < d->us.nprovs && n < 22; i++) {
		int known = 0;
		for (size_t k = 0; k < np; k++) {
			usage_status st;
			usage_poller_status(a->usage, k, &st);
			known |= !strcmp(st.provider, d->us.provs[i].provider);
		}
		if (known || !has_bill(&d->us.provs[i]))
			continue;
		provider_part(d, NULL, d->us.provs[i].provider, &pt[n++]);
	}
	if (!d->bwin.have && n > 1 && pt[1].text[0] == ' ') {
		/* "billed: openai: fetching", not "billed: · openai: fetching" */
		size_t skip = 1 + strlen(glyph(G_DOT));
		memmove(pt[1].text, pt[1].text + skip, strlen(pt[1].text + skip) + 1);
	}
	draw_parts(pt, n, y, x, w);
}

/* ---- cost -------------------------------------------------------------- */

static void budget_line(app_t *a, int y, int x, int w, const char *label, int64_t so_far, double rate_per_h,
			double hours_left, double budget)
{
	char proj[32], bud[32];
	double projected = (double)so_far / 1e9 + rate_per_h * hours_left;
	fmt_usd(proj, sizeof proj, projected);
	fmt_usd(bud, sizeof bud, budget);
	double frac = budget > 0 ? projected / budget : 0;
	int cx = x;
	cx += draw_textf(y, cx, w, EL_DEFAULT, "%s proj %s of %s ", label, proj, bud);
	int bw = 10;
	if (cx + bw + 6 > x + w)
		bw = x + w - cx - 6;
	if (bw > 2) {
		/* A bar of the projection against the budget, scale to 120%, with
		 * marks at 50, 80 and 100%. */
		double scale = frac > 1.2 ? frac : 1.2;
		draw_fill(y, cx, bw, EL_DIM);
		draw_bar(y, cx, bw, frac / scale, budget_el(frac));
		const double marks[] = {0.5, 0.8, 1.0};
		for (int i = 0; i < 3; i++) {
			int mx = cx + (int)floor(marks[i] / scale * bw);
			if (mx >= cx + (int)floor(frac / scale * bw) && mx < cx + bw)
				draw_glyph(y, mx, G_VLINE, budget_el(marks[i]));
		}
		cx += bw + 1;
	}
	draw_textf(y, cx, x + w - cx, budget_el(frac), "%.0f%%", frac * 100);
	(void)a;
}

static void draw_cost(view_t *v, app_t *a, int y, int x, int h, int w)
{
	dash *d = v->priv;
	char title[64];
	snprintf(title, sizeof title, "Cost %s %s", glyph(G_DOT), a->window_name);
	draw_box(y, x, h, w, title, d->focus == P_COST);
	int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
	if (ih < 1 || iw < 10)
		return;
	const rstats *t = &d->s.total;
	double win_h = (double)(d->s.to_ns - d->s.from_ns) / 3.6e12;
	double avg_h = win_h > 0 ? (double)t->cost_nusd / 1e9 / win_h : 0;
	double burn_h = (double)d->last15_cost / 1e9 * 4;
	char spend[32], today[32], burn[32], avg[32];
	usd(spend, sizeof spend, t->cost_nusd);
	usd(today, sizeof today, d->today_cost);
	fmt_usd(burn, sizeof burn, burn_h);
	fmt_usd(avg, sizeof avg, avg_h);
	int cx = ix;
	cx += draw_textf(iy, cx, iw, EL_HEADER, "%s", spend);
	cx += draw_textf(iy, cx, ix + iw - cx, EL_DEFAULT, " in %s %s today %s %s burn ", a->window_name, glyph(G_DOT), today,
			 glyph(G_DOT));
	cx += draw_textf(iy, cx, ix + iw - cx, burn_h > 1.5 * avg_h && burn_h > 0 ? EL_WARN : EL_DEFAULT, "%s/h", burn);
	cx += draw_textf(iy, cx, ix + iw - cx, EL_DIM, " (15m) vs %s/h", avg);
	if (t->unpriced) {
		char n[32];
		fmt_count(n, sizeof n, (double)t->unpriced);
		draw_textf(iy, cx + 1, ix + iw - cx - 1, EL_WARN, "%s %s unpriced", glyph(G_MARK), n);
	}
	if (ih < 2)
		return;
	draw_billed(d, a, iy + 1, ix, iw);
	if (ih < 3)
		return;
	/* Budgets: the day from the last 15 minutes' burn, the month from the
	 * last 24 hours'. Where the providers' bills are in, what the traces
	 * missed is added, so far and at the rate it accrued. */
	double bd = config_num(a->cfg, CFG_budget_daily), bm = config_num(a->cfg, CFG_budget_monthly);
	double hours_today = (double)(d->today_start + NS_PER_DAY - d->to) / 3.6e12;
	double hours_gone = (double)(d->to - d->today_start) / 3.6e12;
	int64_t y0;
	unsigned m0, day0;
	civil_from_days(d->month_start / NS_PER_DAY, &y0, &m0, &day0);
	int64_t next_month = days_from_civil(m0 == 12 ? y0 + 1 : y0, m0 == 12 ? 1 : m0 + 1, 1) * NS_PER_DAY;
	double hours_month = (double)(next_month - d->to) / 3.6e12;
	int64_t day_so_far = d->today_cost + untraced_of(&d->btoday);
	int64_t month_so_far = d->month_cost + untraced_of(&d->bmonth);
	double day_rate = burn_h + (hours_gone > 0 ? (double)untraced_of(&d->btoday) / 1e9 / hours_gone : 0);
	double month_rate = ((double)d->last24_cost + (double)untraced_of(&d->b24)) / 1e9 / 24;
	if (bd <= 0 && bm <= 0) {
		char mtd[32];
		usd(mtd, sizeof mtd, month_so_far);
		draw_textf(iy + 2, ix, iw, EL_DIM, "month to date %s %s no budget set (budget_daily, budget_monthly)", mtd,
			   glyph(G_DOT));
	} else {
		int half = iw / 2;
		if (bd > 0)
			budget_line(a, iy + 2, ix, bm > 0 ? half - 1 : iw, "day", day_so_far, day_rate, hours_today, bd);
		if (bm > 0)
			budget_line(a, iy + 2, bd > 0 ? ix + half + 1 : ix, bd > 0 ? iw - half - 1 : iw, "month", month_so_far,
				    month_rate, hours_month, bm);
	}
	if (ih < 5)
		return;
	/* Per model: spend, what the provider billed for it, share, calls,
	 * $/call, and the trend over the window. */
	int billed_col = 0;
	for (size_t r = 0; r < d->nrows; r++)
		billed_col |= d->rows[r].billed >= 0;
	int bw = billed_col ? 8 : 0;
	int cm = iw >= 90 ? 30 : iw >= 70 ? 24 - bw / 4 : 18 - bw / 4;
	int ct = iw - cm - 8 - bw - 6 - 7 - 9 - 4;
	int hy = iy + 3;
	draw_text(hy, ix, cm, "MODEL", EL_HEADER);
	draw_text_right(hy, ix + cm, 8, billed_col ? "TRACED" : "SPEND", EL_HEADER);
	if (billed_col) {
		/* The models' bill is their token counts, kept for a week: a
		 * longer window says how much of it the column covers. */
		int64_t first = -1;
		for (size_t i = 0; i < d->us.nprovs; i++)
			if (d->us.provs[i].first_usage_s >= 0 && (first < 0 || d->us.provs[i].first_usage_s < first))
				first = d->us.provs[i].first_usage_s;
		char hd[16] = "BILLED";
		if (first >= 0 && first * NS_PER_S > d->from + NS_PER_HOUR) {
			int64_t span = d->to - first * NS_PER_S;
			if (span >= NS_PER_DAY)
				snprintf(hd, sizeof hd, "BILL %dd", (int)((span + NS_PER_DAY / 2) / NS_PER_DAY));
			else
				snprintf(hd, sizeof hd, "BILL %dh", (int)((span + NS_PER_HOUR / 2) / NS_PER_HOUR));
		}
		draw_text_right(hy, ix + cm + 8, 8, hd, EL_HEADER);
	}
	draw_text_right(hy, ix + cm + bw + 8, 6, "SHARE", EL_HEADER);
	draw_text_right(hy, ix + cm + bw + 14, 7, "CALLS", EL_HEADER);
	draw_text_right(hy, ix + cm + bw + 21, 9, "$/CALL", EL_HEADER);
	if (ct > 4)
		draw_text(hy, ix + cm + bw + 31, ct, "TREND", EL_HEADER);
	int rows = ih - 4;
	if (!d->nrows) {
		draw_text(hy + 1, ix, iw,
			  a->last_call_ts ? "no calls in this window (1-9 widen it)"
					  : "no calls yet: llmops import FILE, or watch a file in llmopsrc",
			  EL_DIM);
		return;
	}
	if (rows - (int)d->nrows >= 8) {
		/* Room to spare: spend over the window as a chart under the table. */
		int ch = rows - (int)d->nrows - 1;
		if (ch > 22)
			ch = 22;
		char step[16], ctitle[64];
		clock_fmt_dur((d->s.to_ns - d->s.from_ns) / (d->s.ncols ? d->s.ncols : 1), step, sizeof step);
		snprintf(ctitle, sizeof ctitle, "spend per %s", step);
		chart_block(d, a, d->s.cols, 0, ctitle, hy + 2 + (int)d->nrows, ix, ch, iw, EL_BAR);
		rows = (int)d->nrows;
	}
	int first = d->sel[P_COST] >= rows ? d->sel[P_COST] - rows + 1 : 0;
	for (int r = 0; r < rows && first + r < (int)d->nrows; r++) {
		const cost_row *row = &d->rows[first + r];
		const series_group *g = row->g >= 0 ? &d->s.groups[row->g] : NULL;
		int ry = hy + 1 + r;
		char b[32];
		char mshort[128];
		draw_text_cut(ry, ix, cm - 1,
			      cm - 1 < (int)strlen(row->model) ? model_short(row->model, mshort, sizeof mshort) : row->model,
			      g ? EL_DEFAULT : EL_WARN, 1);
		if (billed_col) {
			if (row->billed < 0)
				snprintf(b, sizeof b, "-");
			else if (row->unpriced && !row->billed)
				snprintf(b, sizeof b, "?");
			else
				usd(b, sizeof b, row->billed);
			draw_text_right(ry, ix + cm + 8, 8, b, row->billed < 0 ? EL_DIM : row->unpriced ? EL_WARN : EL_DEFAULT);
		}
		if (!g) {
			/* Only the bill knows it: spend the traces do not show. */
			draw_text_right(ry, ix + cm, 8, "-", EL_DIM);
			if (ct > 4)
				draw_text(ry, ix + cm + bw + 31, ct, "untraced", EL_WARN);
		} else {
			if (g->total.unpriced == g->total.calls) {
				draw_text_right(ry, ix + cm, 8, "?", EL_WARN);
			} else {
				usd(b, sizeof b, g->total.cost_nusd);
				draw_text_right(ry, ix + cm, 8, b, EL_DEFAULT);
			}
			double share = t->cost_nusd ? 100.0 * (double)g->total.cost_nusd / (double)t->cost_nusd : 0;
			draw_textf(ry, ix + cm + bw + 8, 6, EL_DEFAULT, "%5.0f%%", share);
			fmt_count(b, sizeof b, (double)g->total.calls);
			draw_text_right(ry, ix + cm + bw + 14, 7, b, EL_DEFAULT);
			fmt_usd(b, sizeof b, g->total.calls ? (double)g->total.cost_nusd / 1e9 / (double)g->total.calls : 0);
			draw_text_right(ry, ix + cm + bw + 21, 9, b, EL_DEFAULT);
			if (ct > 4)
				spark_of(d, g->cols, 0, ry, ix + cm + bw + 31, ct, EL_BAR);
			if (g->total.unpriced)
				draw_glyph(ry, ix + cm - 1, G_MARK, EL_WARN);
		}
		if (d->focus == P_COST && first + r == d->sel[P_COST]) {
			draw_chgat(ry, ix - 1, iw + 1, EL_SELECTED);
			draw_text(ry, ix - 1, 1, glyph(G_CURSOR), EL_SELECTED);
		}
	}
}

/* ---- latency ----------------------------------------------------------- */

static void draw_histogram(const hist_t *h, int y, int x, int hh, int w, double *marks, int nmarks, int *mcols)
{
	double lo = h->min > 0.5 ? h->min : 0.5, hi = h->max > lo * 1.01 ? h->max : lo * 2;
	double llo = log(lo), lhi = log(hi);
	double *cols = xcalloc((size_t)w, sizeof *cols), max = 0;
	for (uint32_t i = 0; i < h->n; i++) {
		double v = hist_bucket_mid(h->idx[i]);
		if (v < lo)
			v = lo;
		int c = (int)floor((log(v) - llo) / (lhi - llo) * (w - 1) + 0.5);
		if (c < 0)
			c = 0;
		if (c >= w)
			c = w - 1;
		cols[c] += (double)h->cnt[i];
	}
	for (int c = 0; c < w; c++)
		if (cols[c] > max)
			max = cols[c];
	for (int c = 0; c < w && max > 0; c++) {
		int eighths = (int)ceil(cols[c] / max * hh * 8);
		if (cols[c] > 0 && eighths == 0)
			eighths = 1;
		for (int r = 0; r < hh && eighths > 0; r++, eighths -= 8) {
			int lvl = eighths >= 8 ? 7 : eighths - 1;
			draw_glyph(y + hh - 1 - r, x + c, (enum glyph)(G_SPARK0 + lvl), EL_BAR);
		}
	}
	for (int i = 0; i < nmarks; i++) {
		double v = marks[i] < lo ? lo : marks[i] > hi ? hi : marks[i];
		mcols[i] = (int)floor((log(v) - llo) / (lhi - llo) * (w - 1) + 0.5);
	}
	free(cols);
}

/* A titled chart with its time axis under it: h rows in all. */
static void chart_block(dash *d, app_t *a, const rstats *cols, int kind, const char *title, int y, int x, int h, int w,
			int el)
{
	if (h < 4)
		return;
	draw_text(y, x, w, title, EL_DIM);
	chart_of(d, cols, kind, y + 1, x, h - 2, w, el);
	int n = w < d->s.ncols ? w : d->s.ncols;
	draw_textf(y + h - 1, x, w, EL_DIM, "-%s", a->window_name);
	draw_text_right(y + h - 1, x, n, "now", EL_DIM);
}

/* Time x latency, as lnav's spectrogram: a column per time slice, a row per
 * band of latency (log scale, slowest on top), darker where more calls fell. */
static void heat_strip(dash *d, const rstats *cols, const hist_t *all, int y, int x, int h, int w)
{
	if (w <= 0 || h <= 0 || !d->s.ncols || !all->total)
		return;
	double lo = all->min > 0.5 ? all->min : 0.5, hi = all->max > lo * 1.01 ? all->max : lo * 2;
	double llo = log(lo), lhi = log(hi);
	int n = w < d->s.ncols ? w : d->s.ncols;
	double *cell = xcalloc((size_t)(n * h), sizeof *cell), max = 0;
	for (int c = 0; c < d->s.ncols; c++) {
		int oc = c * n / d->s.ncols;
		const hist_t *hc = &cols[c].lat;
		for (uint32_t i = 0; i < hc->n; i++) {
			double v = hist_bucket_mid(hc->idx[i]);
			int band = (int)floor((log(v < lo ? lo : v) - llo) / (lhi - llo) * h);
			band = band < 0 ? 0 : band >= h ? h - 1 : band;
			cell[band * n + oc] += (double)hc->cnt[i];
		}
	}
	for (int i = 0; i < n * h; i++)
		max = fmax(max, cell[i]);
	for (int b = 0; b < h; b++)
		for (int c = 0; c < n; c++) {
			double f = cell[b * n + c] / max;
			if (f <= 0)
				continue;
			/* sqrt: a lone slow call still shows beside a thousand fast ones */
			int lvl = (int)ceil(sqrt(f) * 4);
			draw_glyph(y + h - 1 - b, x + c, (enum glyph)(G_SHADE1 + (lvl > 4 ? 3 : lvl - 1)), lvl >= 3 ? EL_MARK : EL_BAR);
		}
	free(cell);
}

static void draw_latency(view_t *v, app_t *a, int y, int x, int h, int w)
{
	dash *d = v->priv;
	const series_group *g = latency_group(d);
	char title[160];
	snprintf(title, sizeof title, "Latency %s %s (m)", glyph(G_DOT), g ? g->key : "all models");
	draw_box(y, x, h, w, title, d->focus == P_LATENCY);
	int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
	if (ih < 3 || iw < 10)
		return;
	const rstats *s = g ? &g->total : &d->s.total;
	const rstats *cols = g ? g->cols : d->s.cols;
	if (!s->lat.total) {
		draw_text(iy, ix, iw, "no latencies in this window", EL_DIM);
		return;
	}
	double q[3] = {hist_quantile(&s->lat, 50), hist_quantile(&s->lat, 95), hist_quantile(&s->lat, 99)};
	char b[3][16], mx[16], n[16];
	for (int i = 0; i < 3; i++)
		fmt_ms(b[i], sizeof b[i], q[i]);
	fmt_ms(mx, sizeof mx, s->lat.max);
	fmt_count(n, sizeof n, (double)s->lat.total);
	int cx = ix;
	static const char *const names[3] = {"p50", "p95", "p99"};
	for (int i = 0; i < 3; i++) {
		cx += draw_textf(iy, cx, ix + iw - cx, EL_DEFAULT, "%s ", names[i]);
		cx += draw_textf(iy, cx, ix + iw - cx, EL_MARK, "%s  ", b[i]);
	}
	/* Only what fits whole: a cut "max" with no number reads as a bug. */
	char mtail[48];
	snprintf(mtail, sizeof mtail, "max %s n %s", mx, n);
	if ((int)strlen(mtail) > ix + iw - cx)
		snprintf(mtail, sizeof mtail, "n %s", n);
	if ((int)strlen(mtail) <= ix + iw - cx)
		draw_text(iy, cx, ix + iw - cx, mtail, EL_DIM);
	/* The distribution, on a log scale, with the percentiles marked. */
	int hh = ih - 5;
	/* With room to spare, the histogram stays readable and a heat strip of
	 * latency over time takes the rest. */
	int heat = 0;
	if (hh > 20) {
		int hist_rows = (hh - 3) / 2 > 16 ? 16 : (hh - 3) / 2;
		heat = hh - hist_rows - 3;
		if (heat > 20)
			heat = 20;
		hh = hist_rows;
	}
	if (heat) {
		char lo[16], hi[16];
		fmt_ms(lo, sizeof lo, s->lat.min);
		fmt_ms(hi, sizeof hi, s->lat.max);
		draw_textf(iy + hh + 4, ix, iw, EL_DIM, "over time: %s (top) to %s, darker = more calls", hi, lo);
		heat_strip(d, cols, &s->lat, iy + hh + 5, ix, heat, iw);
		draw_textf(iy + hh + 5 + heat, ix, iw, EL_DIM, "-%s", a->window_name);
		draw_text_right(iy + hh + 5 + heat, ix, iw < d->s.ncols ? iw : d->s.ncols, "now", EL_DIM);
	}
	if (hh >= 1) {
		int mcols[3];
		draw_histogram(&s->lat, iy + 1, ix, hh, iw, q, 3, mcols);
		for (int i = 0; i < 3; i++)
			draw_glyph(iy + 1 + hh, ix + mcols[i], G_MARK, EL_MARK);
		char lo[16], hi[16];
		fmt_ms(lo, sizeof lo, s->lat.min);
		fmt_ms(hi, sizeof hi, s->lat.max);
		/* Percentile labels sit beside their marks where there is room. */
		int last = -1;
		for (int i = 0; i < 3; i++) {
			char lab[8];
			snprintf(lab, sizeof lab, "%s", names[i] + 1);
			int lx = ix + mcols[i] + 1;
			if (lx > last && lx + 2 < ix + iw) {
				draw_text(iy + 1 + hh, lx, 2, lab, EL_DIM);
				last = lx + 2;
			}
		}
		draw_text(iy + 2 + hh, ix, iw, lo, EL_DIM);
		draw_text_right(iy + 2 + hh, ix, iw, hi, EL_DIM);
	}
	/* Time to first token, and p95 over the window. */
	if (s->ttft.total) {
		char t[3][16];
		double tq[3] = {hist_quantile(&s->ttft, 50), hist_quantile(&s->ttft, 95), hist_quantile(&s->ttft, 99)};
		for (int i = 0; i < 3; i++)
			fmt_ms(t[i], sizeof t[i], tq[i]);
		draw_textf(iy + ih - 2, ix, iw, EL_DEFAULT, "TTFT p50 %s  p95 %s  p99 %s", t[0], t[1], t[2]);
	} else {
		draw_text(iy + ih - 2, ix, iw, "TTFT not reported (no streaming)", EL_DIM);
	}
	int lw = draw_text(iy + ih - 1, ix, iw, "p95 ", EL_DEFAULT);
	double maxp95 = 0;
	for (int c = 0; c < d->s.ncols; c++)
		if (cols[c].lat.total)
			maxp95 = fmax(maxp95, hist_quantile(&cols[c].lat, 95));
	char mp[16];
	fmt_ms(mp, sizeof mp, maxp95);
	int tail = text_width(mp) + 5;
	spark_of(d, cols, 2, iy + ih - 1, ix + lw, iw - lw - tail, EL_MARK);
	draw_textf(iy + ih - 1, ix + iw - tail + 1, tail - 1, EL_DIM, "max %s", mp);
}

/* ---- errors ------------------------------------------------------------ */

static void draw_errors(view_t *v, app_t *a, int y, int x, int h, int w)
{
	dash *d = v->priv;
	draw_box(y, x, h, w, "Errors", d->focus == P_ERRORS);
	int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
	if (ih < 3 || iw < 10)
		return;
	const rstats *t = &d->s.total;
	double rate = rstats_error_rate(t);
	char e[32], c[32];
	fmt_thousands(e, sizeof e, t->errors);
	fmt_count(c, sizeof c, (double)t->calls);
	int cx = ix + draw_textf(iy, ix, iw, rate_el(a, rate), "%.1f%%", rate * 100);
	draw_textf(iy, cx, ix + iw - cx, EL_DEFAULT, " errors %s %s of %s calls", glyph(G_DOT), e, c);
	int lw = draw_text(iy + 1, ix, iw, "rate ", EL_DEFAULT);
	double maxrate = 0;
	for (int col = 0; col < d->s.ncols; col++)
		if (d->s.cols[col].calls)
			maxrate = fmax(maxrate, rstats_error_rate(&d->s.cols[col]));
	char th[64];
	snprintf(th, sizeof th, " warn %g%% crit %g%%", config_num(a->cfg, CFG_error_warn), config_num(a->cfg, CFG_error_crit));
	int tw = text_width(th);
	spark_of(d, d->s.cols, 1, iy + 1, ix + lw, iw - lw - tw, rate_el(a, maxrate));
	draw_text(iy + 1, ix + iw - tw, tw, th, EL_DIM);
	int cm = iw - 8 - 7 - 1;
	if (iw >= 60)
		cm = iw - 8 - 7 - 18;
	draw_text(iy + 2, ix, cm, "MODEL", EL_HEADER);
	draw_text_right(iy + 2, ix + cm, 8, "ERRORS", EL_HEADER);
	draw_text_right(iy + 2, ix + cm + 8, 7, "RATE", EL_HEADER);
	if (iw >= 60)
		draw_text(iy + 2, ix + cm + 16, 17, "MOST", EL_HEADER);
	int rows = ih - 5;
	if (rows - (int)d->s.ngroups >= 8) {
		/* Room to spare: the error rate over the window as a chart. */
		int ch = rows - (int)d->s.ngroups - 1;
		if (ch > 22)
			ch = 22;
		chart_block(d, a, d->s.cols, 1, "error rate", iy + 4 + (int)d->s.ngroups, ix, ch, iw, rate_el(a, maxrate));
		rows = (int)d->s.ngroups;
	}
	int first = d->sel[P_ERRORS] >= rows ? d->sel[P_ERRORS] - rows + 1 : 0;
	for (int r = 0; r < rows && first + r < (int)d->s.ngroups; r++) {
		const series_group *g = &d->s.groups[d->err_order[first + r]];
		int ry = iy + 3 + r;
		double gr = rstats_error_rate(&g->total);
		char mshort[128];
		draw_text_cut(ry, ix, cm - 1, cm - 1 < (int)strlen(g->key) ? model_short(g->key, mshort, sizeof mshort) : g->key,
			      EL_DEFAULT, 1);
		char b[32];
		fmt_count(b, sizeof b, (double)g->total.errors);
		draw_text_right(ry, ix + cm, 8, b, g->total.errors ? EL_DEFAULT : EL_DIM);
		snprintf(b, sizeof b, "%.1f%%", gr * 100);
		draw_text_right(ry, ix + cm + 8, 7, b, rate_el(a, gr));
		if (iw >= 60 && g->total.errs.n) {
			const ecount *top = &g->total.errs.v[0];
			for (size_t k = 1; k < g->total.errs.n; k++)
				if (g->total.errs.v[k].n > top->n)
					top = &g->total.errs.v[k];
			draw_text_cut(ry, ix + cm + 16, 17, top->name, EL_DIM, 1);
		}
		if (d->focus == P_ERRORS && first + r == d->sel[P_ERRORS]) {
			draw_chgat(ry, ix - 1, iw + 1, EL_SELECTED);
			draw_text(ry, ix - 1, 1, glyph(G_CURSOR), EL_SELECTED);
		}
	}
	/* By type, most first. */
	sbuf types = SBUF_INIT;
	ecount *sorted = xcalloc(t->errs.n ? t->errs.n : 1, sizeof *sorted);
	if (t->errs.n)
		memcpy(sorted, t->errs.v, t->errs.n * sizeof *sorted);
	for (size_t i = 0; i < t->errs.n; i++)
		for (size_t j = i + 1; j < t->errs.n; j++)
			if (sorted[j].n > sorted[i].n) {
				ecount tmp = sorted[i];
				sorted[i] = sorted[j];
				sorted[j] = tmp;
			}
	for (size_t i = 0; i < t->errs.n; i++) {
		char n[32];
		fmt_thousands(n, sizeof n, sorted[i].n);
		sb_printf(&types, "%s%s %s", i ? " " : "", sorted[i].name, n);
	}
	free(sorted);
	draw_text_cut(iy + ih - 2, ix, iw, types.len ? types.p : "no errors", types.len ? EL_DEFAULT : EL_OK, 1);
	sb_free(&types);
	draw_text(iy + ih - 1, ix, iw, "e: these errors  Enter: a model's", EL_DIM);
}

/* ---- the view ---------------------------------------------------------- */

static void dash_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	dash *d = v->priv;
	if (!d->loaded) {
		draw_textf(y + 1, x + 2, w - 4, EL_CRIT, "cannot read the store: %s", d->err);
		return;
	}
	if (d->usage_gen != usage_poller_generation(a->usage))
		billed_reload(d, a); /* the poller stored buckets since */
	if (w >= 150) {
		int cw = w * 2 / 5, lw = (w - cw) / 2;
		draw_cost(v, a, y, x, h, cw);
		draw_latency(v, a, y, x + cw, h, lw);
		draw_errors(v, a, y, x + cw + lw, h, w - cw - lw);
	} else {
		/* 45%, and a row for the billed line */
		int ch = h * 45 / 100 + 1;
		if (ch < 10)
			ch = 10;
		draw_cost(v, a, y, x, ch, w);
		draw_latency(v, a, y + ch, x, h - ch, w / 2);
		draw_errors(v, a, y + ch, x + w / 2, h - ch, w - w / 2);
	}
}

static void open_traces(app_t *a, const char *extra, int sort)
{
	char f[512];
	snprintf(f, sizeof f, "since=%s%s%s", a->window_name, *extra ? " " : "", extra);
	app_show_traces(a, f, sort);
}

static int dash_action(view_t *v, app_t *a, int act)
{
	dash *d = v->priv;
	int n = (int)d->s.ngroups;
	switch (act) {
	case A_NEXT_PANE: d->focus = (d->focus + 1) % P_COUNT; return 1;
	case A_PREV_PANE: d->focus = (d->focus + P_COUNT - 1) % P_COUNT; return 1;
	case A_MOVE_DOWN:
	case A_MOVE_UP:
	case A_MOVE_FIRST:
	case A_MOVE_LAST:
	case A_PAGE_DOWN:
	case A_PAGE_UP: {
		if (d->focus == P_LATENCY)
			return dash_action(v, a, A_CYCLE_MODEL);
		int *s = &d->sel[d->focus], lim = d->focus == P_COST ? (int)d->nrows : n;
		*s += act == A_MOVE_DOWN ? 1 : act == A_MOVE_UP ? -1 : act == A_PAGE_DOWN ? 5 : act == A_PAGE_UP ? -5 : 0;
		if (act == A_MOVE_FIRST)
			*s = 0;
		if (act == A_MOVE_LAST)
			*s = lim - 1;
		if (*s >= lim)
			*s = lim - 1;
		if (*s < 0)
			*s = 0;
		d->cost_moved |= d->focus == P_COST;
		return 1;
	}
	case A_CYCLE_MODEL: {
		/* all, then each model by spend, then all again */
		int at = -1;
		for (int i = 0; i < n; i++)
			if (!strcmp(d->s.groups[i].key, d->model))
				at = i;
		if (at + 1 >= n)
			d->model[0] = 0;
		else
			snprintf(d->model, sizeof d->model, "%s", d->s.groups[at + 1].key);
		return 1;
	}
	case A_NEXT_ERROR: {
		char extra[256] = "status=error";
		if (d->focus == P_ERRORS && n)
			snprintf(extra, sizeof extra, "status=error model=%s", d->s.groups[d->err_order[d->sel[P_ERRORS]]].key);
		open_traces(a, extra, SORT_TIME);
		return 1;
	}
	case A_ENTER: {
		char extra[300] = "";
		if (d->focus == P_COST && d->nrows && d->rows[d->sel[P_COST]].g < 0) {
			app_message(a, EL_MESSAGE, "%s is billed but has no traced calls: its spend is untraced",
				    d->rows[d->sel[P_COST]].model);
			return 1;
		}
		if (!n) {
			open_traces(a, "", SORT_TIME);
			return 1;
		}
		if (d->focus == P_COST) {
			snprintf(extra, sizeof extra, "model=%s", d->rows[d->sel[P_COST]].model);
			open_traces(a, extra, SORT_COST);
		} else if (d->focus == P_ERRORS) {
			snprintf(extra, sizeof extra, "status=error model=%s", d->s.groups[d->err_order[d->sel[P_ERRORS]]].key);
			open_traces(a, extra, SORT_TIME);
		} else {
			/* The slow calls: beyond the p95 of what the pane shows. */
			const series_group *g = latency_group(d);
			const rstats *s = g ? &g->total : &d->s.total;
			double p95 = s->lat.total ? hist_quantile(&s->lat, 95) : 0;
			snprintf(extra, sizeof extra, "latency>%.0f%s%s", floor(p95), g ? " model=" : "", g ? g->key : "");
			open_traces(a, extra, SORT_LATENCY);
		}
		return 1;
	}
	case A_REFRESH: dash_reload(v, a); return 1;
	default: return 0;
	}
}

static int dash_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	dash *d = v->priv;
	int n = (int)d->nrows;
	for (int k = 1; k <= n; k++) {
		int i = ((d->sel[P_COST] + dir * k) % n + n) % n;
		if (strstr(d->rows[i].model, text)) {
			d->focus = P_COST;
			d->sel[P_COST] = i;
			d->cost_moved = 1;
			return 1;
		}
	}
	return 0;
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
    .private_size = sizeof(dash),
    .open = dash_open,
    .close = dash_close,
    .draw = dash_draw,
    .action = dash_action,
    .reload = dash_reload,
    .search = dash_search,
    .title = dash_title,
};
