/* Billed against traced: what the providers' usage and cost reports say was
 * spent, beside what the traced calls cost, for the same providers over the
 * same time. The gap is spend the traces miss (a service calling the API
 * without the SDK's instrumentation); a model the price table lacks makes
 * the bill a floor ("$0.54+?") and the gap unknown; a bill that lags the
 * traces (usage reports come minutes late) says nothing about what they
 * miss. Which day's cost report is final, and how token counts are priced
 * until it is, is usage_summarize's (usage.h). */
#ifndef LLMOPS_RECONCILE_H
#define LLMOPS_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/pricing.h"
#include "provider.h"
#include "query.h"
#include "store.h"
#include "usage.h"

/* Billed against traced over a span, for the providers whose bill is in the
 * store. */
typedef struct recon_span {
	int have;               /* some provider's bill covers the span */
	int64_t billed, traced; /* traced: the calls of those providers only */
} recon_span;

/* A row of the per-model table: a traced model, with what its provider
 * billed for it where the provider reports tokens per model, or a model only
 * the bill knows (g < 0): spend the traces do not show. */
typedef struct recon_row {
	int g;          /* index in the series' groups, or -1 */
	const char *model;
	int64_t billed; /* the provider's tokens priced; -1 when none */
	int unpriced;   /* some of those tokens have no price */
	int64_t rank;   /* the larger of traced and billed */
} recon_row;

/* The traced spend of the spans the budgets project from. */
typedef struct recon_traced {
	int64_t today_start, month_start;
	int64_t today, month, last15, last24;
} recon_traced;

typedef struct reconcile {
	int64_t from, to;
	usage_sum us;          /* the window's bill; empty when unreadable */
	recon_span win, today, month, last24;
	recon_row *rows;       /* point into the series and us */
	size_t nrows;
} reconcile_t;

/* The traced spend today, this month, over the last 15 minutes and the
 * last 24 hours, to now. */
void reconcile_traced(store_t *st, int64_t now, recon_traced *o);

/* The window [from, to) of the series s: the bill, the spans the budgets
 * use (today, month and last 24 hours, as t has them) and the model rows.
 * The rows point into s: s outlives them. provs: the rc's provider lines
 * (a bill under a line's name is its type's traced calls), or NULL. */
void reconcile_load(store_t *st, pricing_t *prices, provs_t *provs, const series_t *s, const recon_traced *t,
		    int64_t from, int64_t to, reconcile_t *r);
void reconcile_free(reconcile_t *r);

/* Billed over [from, to) against the traced spend of the same providers
 * over the same time: from where each one's bill in the store begins, so
 * that a window reaching back before the first fetch compares like with
 * like. us: the span's sums when already made, or NULL. */
void reconcile_span(store_t *st, pricing_t *prices, provs_t *provs, int64_t from, int64_t to, const usage_sum *us,
		    recon_span *o);
/* What the traces miss of a span's spend; never below nothing. */
int64_t reconcile_untraced(const recon_span *b);
/* A provider's bill in the window, or NULL when there is none. */
const usage_prov *reconcile_bill_of(const reconcile_t *r, const char *provider);
int reconcile_has_bill(const usage_prov *p);

/* What the window's bill says of the traces. */
enum recon_gap {
	RG_UNTRACED, /* gap: what the traces miss, 0 or more */
	RG_UNKNOWN,  /* below the traces only because some tokens have no price */
	RG_LAGS,     /* gap: how far the traces exceed the bill (it lags) */
};

typedef struct recon_verdict {
	int estimated;       /* some of it is priced tokens, no cost report yet */
	int unpriced;        /* tokens with no price: the amount is a floor */
	int kind;            /* enum recon_gap */
	int64_t gap;
	int notable;         /* an untraced gap over 5% of the bill */
	double pct;          /* the untraced gap in % of the bill; -1 none */
	const char *no_price; /* RG_UNKNOWN: a model with no price, or NULL */
	int64_t since_s;     /* the bill begins over an hour into the window:
			      * where (Unix seconds); -1 when it covers it */
} recon_verdict;

/* Only where r->win.have. */
void reconcile_verdict(const reconcile_t *r, recon_verdict *v);

/* How much of the window the models' billed figures cover, when their token
 * counts begin over an hour into it (kept for a week); 0 when all of it. */
int64_t reconcile_model_span(const reconcile_t *r);

/* A budget's projection: spent so far (the bill's untraced spend added),
 * the rate it accrues at, and the hours left. */
typedef struct recon_budget {
	int64_t so_far;
	double rate_per_h, hours_left;
} recon_budget;

/* The day from the last 15 minutes' burn, the month from the last 24
 * hours'; where the bills are in, what the traces missed is added, so far
 * and at the rate it accrued. */
void reconcile_budgets(const reconcile_t *r, const recon_traced *t, recon_budget *day, recon_budget *month);

#endif
