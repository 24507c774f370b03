/* Billed against traced (reconcile.h). */
#include "reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/str.h"

void reconcile_traced(store_t *st, int64_t now, recon_traced *o)
{
	uint64_t calls;
	int64_t y;
	unsigned m, day;
	memset(o, 0, sizeof *o);
	o->today_start = floor_to(now, NS_PER_DAY);
	civil_from_days(o->today_start / NS_PER_DAY, &y, &m, &day);
	o->month_start = days_from_civil(y, m, 1) * NS_PER_DAY;
	store_spend(st, o->today_start, now, &o->today, &calls);
	store_spend(st, o->month_start, now, &o->month, &calls);
	store_spend(st, now - 15 * NS_PER_MIN, now, &o->last15, &calls);
	store_spend(st, now - NS_PER_DAY, now, &o->last24, &calls);
}

int reconcile_has_bill(const usage_prov *p)
{
	return p->has_usage || p->has_cost;
}

/* Is a traced call's provider one whose bill is in the store: the same
 * name, or the type of the provider line of that name? */
static int same_provider(provs_t *provs, const char *traced, const char *billed)
{
	if (!traced || !billed)
		return 0;
	if (!strcmp(traced, billed))
		return 1;
	prov_t *p = provs ? provs_find(provs, billed) : NULL;
	return p && !strcmp(p->ops->name, traced);
}

/* Where a provider's bill in the store begins, within [from, ...). */
static int64_t bill_start(const usage_prov *p, int64_t from)
{
	return p->first_s >= 0 && p->first_s * NS_PER_S > from ? p->first_s * NS_PER_S : from;
}

void reconcile_span(store_t *st, pricing_t *prices, provs_t *provs, int64_t from, int64_t to, const usage_sum *us,
		    recon_span *o)
{
	usage_sum own;
	char err[256];
	memset(o, 0, sizeof *o);
	if (!us) {
		if (usage_summarize(st, prices, from, to, &own, err, sizeof err))
			return;
		us = &own;
	}
	for (size_t i = 0; i < us->nprovs; i++)
		if (reconcile_has_bill(&us->provs[i])) {
			o->have = 1;
			o->billed += usage_billed_nusd(&us->provs[i]);
		}
	for (size_t i = 0; o->have && i < us->nprovs; i++) {
		const usage_prov *p = &us->provs[i];
		int64_t start = bill_start(p, from);
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= reconcile_has_bill(&us->provs[k]) && bill_start(&us->provs[k], from) == start;
		if (!reconcile_has_bill(p) || seen || start >= to)
			continue;
		/* One report for each start (usually one for all providers). */
		report_t r;
		if (store_report(st, start, to, BY_PROVIDER, &r, err, sizeof err))
			continue;
		for (size_t g = 0; g < r.n; g++)
			for (size_t k = 0; k < us->nprovs; k++) {
				const usage_prov *q = &us->provs[k];
				if (reconcile_has_bill(q) && bill_start(q, from) == start &&
				    same_provider(provs, r.groups[g].key, q->provider)) {
					o->traced += r.groups[g].s.cost_nusd;
					break;
				}
			}
		report_free(&r);
	}
	if (us == &own)
		usage_sum_free(&own);
}

int64_t reconcile_untraced(const recon_span *b)
{
	return b->have && b->billed > b->traced ? b->billed - b->traced : 0;
}

/* The same model under two names: "gpt-4o-2024-08-06" and "gpt-4o". */
static int same_family(const char *x, const char *y)
{
	char fx[128], fy[128];
	pricing_strip_date(x, fx, sizeof fx);
	pricing_strip_date(y, fy, sizeof fy);
	return !strcmp(fx, fy);
}

static void row_add(recon_row *r, const usage_model *m)
{
	r->billed = (r->billed < 0 ? 0 : r->billed) + m->est_nusd;
	r->unpriced |= m->unpriced;
}

static int cmp_rows(const void *a, const void *b)
{
	const recon_row *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->model, y->model);
}

/* Traced models with their billed estimate beside them, then the models
 * only the bill knows; with a bill, the costliest of either first. */
static void build_rows(reconcile_t *r, const series_t *s)
{
	const usage_sum *us = &r->us;
	r->rows = xcalloc(s->ngroups + us->nmodels + 1, sizeof *r->rows);
	r->nrows = 0;
	for (size_t g = 0; g < s->ngroups; g++)
		r->rows[r->nrows++] = (recon_row){(int)g, s->groups[g].key, -1, 0, s->groups[g].total.cost_nusd};
	size_t ntraced = r->nrows;
	char *taken = xcalloc(us->nmodels + 1, 1);
	/* Exact names first, then a family that only one traced model has. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t m = 0; m < us->nmodels; m++) {
			const usage_model *um = &us->models[m];
			if (taken[m] || !*um->model)
				continue;
			int hit = -1, hits = 0;
			for (size_t k = 0; k < ntraced; k++)
				if (pass ? same_family(r->rows[k].model, um->model) : !strcmp(r->rows[k].model, um->model)) {
					hit = (int)k;
					hits++;
				}
			if (hits == 1 || (pass == 0 && hits)) {
				row_add(&r->rows[hit], um);
				taken[m] = 1;
			}
		}
	for (size_t m = 0; m < us->nmodels; m++) {
		const usage_model *um = &us->models[m];
		if (taken[m] || (!um->input_tokens && !um->output_tokens))
			continue;
		recon_row *row = &r->rows[r->nrows++];
		*row = (recon_row){-1, *um->model ? um->model : "(no model)", -1, 0, 0};
		row_add(row, um);
	}
	free(taken);
	int any = 0;
	for (size_t k = 0; k < r->nrows; k++) {
		if (r->rows[k].billed > r->rows[k].rank)
			r->rows[k].rank = r->rows[k].billed;
		/* A model only the bill knows, at no price we know: spend the
		 * traces miss of any size, so on top. */
		if (r->rows[k].g < 0 && r->rows[k].unpriced)
			r->rows[k].rank = INT64_MAX;
		any |= r->rows[k].billed >= 0;
	}
	if (any)
		qsort(r->rows, r->nrows, sizeof *r->rows, cmp_rows);
}

void reconcile_load(store_t *st, pricing_t *prices, provs_t *provs, const series_t *s, const recon_traced *t,
		    int64_t from, int64_t to, reconcile_t *r)
{
	char err[256];
	memset(r, 0, sizeof *r);
	r->from = from;
	r->to = to;
	if (usage_summarize(st, prices, from, to, &r->us, err, sizeof err))
		memset(&r->us, 0, sizeof r->us);
	reconcile_span(st, prices, provs, from, to, &r->us, &r->win);
	if (r->win.have) {
		reconcile_span(st, prices, provs, t->today_start, to, NULL, &r->today);
		reconcile_span(st, prices, provs, t->month_start, to, NULL, &r->month);
		reconcile_span(st, prices, provs, to - NS_PER_DAY, to, NULL, &r->last24);
	}
	build_rows(r, s);
}

void reconcile_free(reconcile_t *r)
{
	free(r->rows);
	usage_sum_free(&r->us);
	memset(r, 0, sizeof *r);
}

const usage_prov *reconcile_bill_of(const reconcile_t *r, const char *provider)
{
	for (size_t i = 0; i < r->us.nprovs; i++)
		if (!strcmp(r->us.provs[i].provider, provider) && reconcile_has_bill(&r->us.provs[i]))
			return &r->us.provs[i];
	return NULL;
}

void reconcile_verdict(const reconcile_t *r, recon_verdict *v)
{
	const usage_sum *us = &r->us;
	memset(v, 0, sizeof *v);
	v->pct = -1;
	v->since_s = -1;
	for (size_t i = 0; i < us->nprovs; i++) {
		v->estimated |= us->provs[i].estimated_nusd != 0 || (us->provs[i].has_usage && !us->provs[i].has_cost);
		v->unpriced |= us->provs[i].unpriced;
	}
	int64_t gap = r->win.billed - r->win.traced;
	if (gap >= 0) {
		v->kind = RG_UNTRACED;
		v->gap = gap;
		v->notable = gap > 0 && gap * 20 > r->win.billed;
		if (gap > 0 && r->win.billed > 0)
			v->pct = 100.0 * (double)gap / (double)r->win.billed;
	} else if (v->unpriced) {
		v->kind = RG_UNKNOWN;
		for (size_t i = 0; i < us->nmodels && !v->no_price; i++)
			if (us->models[i].unpriced && *us->models[i].model)
				v->no_price = us->models[i].model;
	} else {
		v->kind = RG_LAGS;
		v->gap = -gap;
	}
	/* A window reaching back before the first bucket stored. */
	int64_t first = -1;
	for (size_t i = 0; i < us->nprovs; i++)
		if (us->provs[i].first_s >= 0 && (first < 0 || us->provs[i].first_s < first))
			first = us->provs[i].first_s;
	if (first >= 0 && first * NS_PER_S > r->from + NS_PER_HOUR)
		v->since_s = first;
}

int64_t reconcile_model_span(const reconcile_t *r)
{
	int64_t first = -1;
	for (size_t i = 0; i < r->us.nprovs; i++)
		if (r->us.provs[i].first_usage_s >= 0 && (first < 0 || r->us.provs[i].first_usage_s < first))
			first = r->us.provs[i].first_usage_s;
	if (first >= 0 && first * NS_PER_S > r->from + NS_PER_HOUR)
		return r->to - first * NS_PER_S;
	return 0;
}

void reconcile_budgets(const reconcile_t *r, const recon_traced *t, recon_budget *day, recon_budget *month)
{
	int64_t y0;
	unsigned m0, day0;
	civil_from_days(t->month_start / NS_PER_DAY, &y0, &m0, &day0);
	int64_t next_month = days_from_civil(m0 == 12 ? y0 + 1 : y0, m0 == 12 ? 1 : m0 + 1, 1) * NS_PER_DAY;
	double hours_gone = (double)(r->to - t->today_start) / 3.6e12;
	double burn_h = (double)t->last15 / 1e9 * 4;
	day->so_far = t->today + reconcile_untraced(&r->today);
	day->rate_per_h = burn_h + (hours_gone > 0 ? (double)reconcile_untraced(&r->today) / 1e9 / hours_gone : 0);
	day->hours_left = (double)(t->today_start + NS_PER_DAY - r->to) / 3.6e12;
	month->so_far = t->month + reconcile_untraced(&r->month);
	month->rate_per_h = ((double)t->last24 + (double)reconcile_untraced(&r->last24)) / 1e9 / 24;
	month->hours_left = (double)(next_month - r->to) / 3.6e12;
}
