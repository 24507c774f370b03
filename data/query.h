/* What the console asks the store: rollup series and spend for the dashboard,
 * pages of calls for the trace list, the calls of the annotation queue, and
 * one call in full (which replays read too). Pages, which may scan, run on a
 * worker thread with a connection of its own, so that a keypress is never
 * stuck behind a query; the rest answers at once from the rollups or by id. */
#ifndef LLMOPS_QUERY_H
#define LLMOPS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "../core/filter.h"
#include "../core/rollup.h"
#include "store.h"

/* ---- dashboard series (synchronous: rollups only) ----------------------- */

/* Columns hold everything but a TTFT histogram (the dashboard shows TTFT for
 * the whole window only, and leaving it out halves the work), their latency
 * histograms at the half resolution of hist_coarsen (they are drawn, and
 * summing them is half the work on a server); totals hold both histograms
 * at full resolution. */
typedef struct series_group {
	char *key;      /* model */
	char *provider;
	rstats total;
	rstats *cols;   /* ncols */
} series_group;

typedef struct series {
	int64_t from_ns, to_ns, step_ns;
	int ncols;
	int res;         /* rollup resolution read */
	rstats total;
	rstats *cols;    /* all calls, per column */
	series_group *groups; /* per model, by cost */
	size_t ngroups;
} series_t;

/* [from, to) in ncols columns (fewer when the rollups are coarser). */
int store_series(store_t *st, int64_t from_ns, int64_t to_ns, int ncols, series_t *out, char *err, size_t errlen);
void series_free(series_t *s);
/* Reads the hourly rollups of the last 14 days into this connection's page
 * cache, so that the first switch to a 7d or 14d window does not wait for
 * the file (run when idle, after the first frame). */
void store_warm(store_t *st, int64_t now_ns);
/* Counts and cost only (no histograms): for today's and this month's spend. */
int store_spend(store_t *st, int64_t from_ns, int64_t to_ns, int64_t *cost_nusd, uint64_t *calls);
/* Has anyone (another process included) changed the store since last asked? */
int store_changed(store_t *st);
/* Start of the newest call, 0 when none. */
int64_t store_last_ts(store_t *st);

/* ---- calls ------------------------------------------------------------- */

enum sort_by { SORT_TIME, SORT_LATENCY, SORT_COST };

typedef struct call_row {
	int64_t id, ts;
	char span[33];
	char *model, *prompt, *feature; /* prompt as NAME@VERSION, or NULL */
	int is_error;
	char *error_type;
	double latency_ms, ttft_ms;
	int64_t input_tokens, output_tokens, cached_tokens;
	int64_t cost_nusd;   /* -1 unpriced */
	char *preview;       /* start of the output (or the error message) */
} call_row;

typedef struct call_page {
	call_row *rows;
	size_t n;
	int complete;       /* no more rows in that direction */
	int64_t fts_pending; /* calls the text index has not reached yet */
} call_page;

typedef struct page_req {
	const filter_t *filter;
	int64_t now_ns;
	int sort;
	int older;          /* 1: rows after the key, going back in time (or down the sort) */
	int has_key;
	int64_t key_ts, key_id;
	double key_val;
	int limit;
} page_req;

int store_calls_page(store_t *st, const page_req *req, call_page *out, char *err, size_t errlen);
void call_page_free(call_page *p);
void call_row_free(call_row *r);

/* The calls of a filter, newest first, as ids only: what the annotation
 * queue walks. At most max; *more when there were more. */
typedef struct call_ref {
	int64_t id, ts;
	char span[33];
} call_ref;
int store_call_refs(store_t *st, const filter_t *f, int64_t now_ns, size_t max, call_ref **out, size_t *n,
		    int *more, char *err, size_t errlen);

/* The values a filter field takes in the store, for Tab completion: model,
 * provider, feature and prompt (NAME and NAME@V) from the dimensions; error,
 * user and session from the newest FILTER_VALUES_SCAN calls only, so that
 * the answer stays quick on a store of millions. Sorted, unique, at most
 * max: 0 and *out (the strings and the array are the caller's to free), or
 * -1 for a field without values of its own. */
#define FILTER_VALUES_SCAN 20000
int store_filter_values(store_t *st, const char *field, size_t max, char ***out, size_t *n);

typedef struct call_full {
	call_row row;
	char trace[65];
	char *provider, *request_model, *operation, *user_id, *session_id, *error_message;
	char *input, *output, *variables, *attrs;
	char *thinking;        /* the model's reasoning, apart from its answer */
	char *trace_path;      /* the steps above it in its trace, "a > b" */
	size_t trace_spans;    /* spans of its trace that the store holds */
} call_full;

int store_call_get(store_t *st, int64_t id, call_full *out);
void call_full_free(call_full *c);

/* Models with calls in [from, to), most calls first (for the latency pane). */
int store_models(store_t *st, int64_t from_ns, int64_t to_ns, char ***models, size_t *n);

/* ---- a filter's sums over a window (alert rules) ---------------------- */

/* The sums of the calls f selects (NULL: all) that started in [from, to):
 * from the rollups (minute aligned outwards) when f names only model,
 * provider, feature and prompt, else from the calls themselves. now_ns is
 * what f's since= counts back from. */
int store_filter_stats(store_t *st, const filter_t *f, int64_t from_ns, int64_t to_ns, int64_t now_ns, rstats *out,
		       char *err, size_t errlen);
/* The start of the newest call f selects (NULL: any) at or before now_ns;
 * *ts 0 when there is none. */
int store_filter_last_ts(store_t *st, const filter_t *f, int64_t now_ns, int64_t *ts, char *err, size_t errlen);

/* ---- the worker -------------------------------------------------------- */

typedef struct querier querier_t;

/* Opens a connection of its own to the store at path. querier_fd becomes
 * readable when a result is ready. It also builds the full-text index in the
 * background when asked (index = 1) and the store can be written. */
querier_t *querier_start(const char *path, int index, char *err, size_t errlen);
void querier_stop(querier_t *q);
int querier_fd(querier_t *q);
/* Replaces any request not started yet. The filter is copied. */
void querier_submit(querier_t *q, const page_req *req, uint64_t tag);
/* A finished page, if any (the caller frees it): 1 when one was returned, -1
 * when its query failed (why in err), 0 when none is ready. */
int querier_take(querier_t *q, call_page *out, uint64_t *tag, char *err, size_t errlen);
/* A request waiting, running, or a result not taken yet. */
int querier_busy(querier_t *q);
/* Background full-text indexing starts when this is called: after the first
 * frame, so that it never competes with it. */
void querier_index_now(querier_t *q);
/* Full-text index progress: calls not indexed yet (0 when none, or when this
 * querier does not index). */
int64_t querier_fts_pending(querier_t *q);
/* While the index is being built: text search finds every call that started
 * after this (0 when not known yet, or when complete). */
int64_t querier_fts_since(querier_t *q);

#endif
