/* A store is SQLite or ClickHouse behind one interface: each backend fills a
 * const table of these operations (as each view fills a view_ops), and the
 * public functions of store.h, query.h, prompts.h, changes.h, trace.h and
 * usage.h hand their arguments to the table of the store they are given, so
 * that the views, reports, import, receiver, replays and annotation never ask
 * which backend is behind it. Each operation has the contract of the public
 * function of the same name. For data/ alone. */
#ifndef LLMOPS_STORE_OPS_H
#define LLMOPS_STORE_OPS_H

#include "../core/body.h"
#include "changes.h"
#include "prompts.h"
#include "query.h"
#include "store.h"
#include "trace.h"
#include "usage.h"

struct dims_t;
struct twin;

typedef struct store_ops {
	const char *name; /* "sqlite", "clickhouse": for messages */
	int remote;       /* each read is a round trip to a server (store_remote) */
	void (*close)(store_t *st);
	int (*schema_version)(store_t *st);
	int (*ingest)(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen);
	int (*begin)(store_t *st, char *err, size_t errlen);
	int (*commit)(store_t *st, char *err, size_t errlen);
	int (*settle)(store_t *st, int all, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen); /* NULL: none */
	void (*rollback)(store_t *st);
	int (*prune_spans)(store_t *st, uint64_t *pruned);
	size_t (*span_traces_pending)(const store_t *st);
	int (*busy_timeout)(store_t *st, int ms);
	int (*busy)(store_t *st);
	body_codec *(*body_codec)(store_t *st);
	int64_t (*meta_get_int)(store_t *st, const char *key, int64_t def);
	int (*meta_set_int)(store_t *st, const char *key, int64_t v);
	int (*put_prompt)(store_t *st, const char *name, const char *version, const char *text, const char *source,
			  int64_t created_ns);
	int64_t (*call_count)(store_t *st);
	int64_t (*call_mark)(store_t *st);
	int (*time_range)(store_t *st, int64_t *first_ns, int64_t *last_ns);
	int (*changed)(store_t *st);
	int64_t (*last_ts)(store_t *st);
	int (*report)(store_t *st, int64_t from_ns, int64_t to_ns, int by, report_t *out, char *err, size_t errlen);
	int (*series)(store_t *st, int64_t from_ns, int64_t to_ns, int ncols, series_t *out, char *err, size_t errlen);
	void (*warm)(store_t *st, int64_t now_ns);
	int (*spend)(store_t *st, int64_t from_ns, int64_t to_ns, int64_t *cost_nusd, uint64_t *calls);
	int (*models)(store_t *st, int64_t from_ns, int64_t to_ns, char ***models, size_t *n);
	int (*calls_page)(store_t *st, const page_req *req, call_page *out, char *err, size_t errlen);
	int (*call_refs)(store_t *st, const filter_t *f, int64_t now_ns, size_t max, call_ref **out, size_t *n,
			 int *more, char *err, size_t errlen);
	int (*filter_values)(store_t *st, const char *field, size_t max, char ***out, size_t *n);
	int (*call_get)(store_t *st, int64_t id, call_full *out);
	int (*call_body)(store_t *st, int64_t id, char **input, char **output, char **variables, char **attrs);
	int (*find_call)(store_t *st, const char *ref, int64_t *id);
	int (*find_call_ref)(store_t *st, const char *ref, int64_t *id, char *err, size_t errlen);
	int (*fts_step)(store_t *st, int max_rows, int64_t *pending);
	int64_t (*fts_pending)(store_t *st);
	int64_t (*fts_since)(store_t *st, int64_t hint);
	int (*fts_search)(store_t *st, const char *query, int64_t *ids, int max, int *n, char *err, size_t errlen);
	int (*trace_get)(store_t *st, const char *ref, trace_view *out, char *err, size_t errlen);
	int (*trace_of_call)(store_t *st, int64_t call_id, trace_view *out);
	int (*prompts_list)(store_t *st, const char *name, prompt_list *out, char *err, size_t errlen);
	int (*prompts_get_text)(store_t *st, const char *name, const char *version, char **text, char *err,
				size_t errlen);
	int (*prompts_add)(store_t *st, const char *name, const char *version, const char *text, const char *source,
			   int64_t now_ns, char *out_version, size_t vlen, int *same, char *err, size_t errlen);
	int (*changes_compute)(store_t *st, int64_t from_ns, int64_t to_ns, changes_t *out, char *err, size_t errlen);
	int (*usage_store_page)(store_t *st, const char *provider, int width_s, const usage_page *pg, int64_t fetched_s,
				char *err, size_t errlen);
	int64_t (*usage_fetch_start)(store_t *st, const char *provider, int kind, int width_s, int64_t from_s,
				     int64_t to_s, int64_t settle_s);
	/* the dimensions and the rollups of a window per dimension (store_internal.h) */
	int (*dims_load)(store_t *st, struct dims_t *d);
	int (*window_per_dim)(store_t *st, int64_t from_ns, int64_t to_ns, const struct dims_t *dims, rstats *per_dim);
	/* NULL: window_per_dim for each window */
	int (*windows_per_dim)(store_t *st, const struct twin *w, size_t n, const struct dims_t *dims, int lean,
			       rstats *const *per_dim);
	/* from another thread: stops the query under way, which then fails (none: nothing) */
	void (*cancel)(store_t *st);
	int (*dim_hours)(store_t *st, const struct dims_t *dims, int64_t *first_h, int64_t *last_h);
	int (*dim_minute)(store_t *st, int64_t dim, int64_t hour_s, int last, int64_t *t);
	int (*dim_minutes_ahead)(store_t *st, const int64_t *hours_s, size_t n); /* NULL: nothing to do */
	int (*usage_summarize)(store_t *st, pricing_t *prices, int64_t from_ns, int64_t to_ns, usage_sum *out,
			       char *err, size_t errlen);
	int (*filter_stats)(store_t *st, const filter_t *f, int64_t from_ns, int64_t to_ns, int64_t now_ns,
			    rstats *out, char *err, size_t errlen);
	int (*filter_last_ts)(store_t *st, const filter_t *f, int64_t now_ns, int64_t *ts, char *err, size_t errlen);
} store_ops;

/* The SQLite store: the bodies in store.c, query.c and the modules beside them. */
extern const store_ops store_sqlite_ops;
void sq_cancel(store_t *st);
int sq_dim_hours(store_t *st, const struct dims_t *dims, int64_t *first_h, int64_t *last_h);
int sq_dim_minute(store_t *st, int64_t dim, int64_t hour_s, int last, int64_t *t);
int sq_dims_load(store_t *st, struct dims_t *d);
int sq_window_per_dim(store_t *st, int64_t from_ns, int64_t to_ns, const struct dims_t *dims, rstats *per_dim);
int sq_open(const char *path, int flags, store_t **out, char *err, size_t errlen);
void sq_close(store_t *st);
int sq_schema_version(store_t *st);
int sq_ingest(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen);
int sq_begin(store_t *st, char *err, size_t errlen);
int sq_commit(store_t *st, char *err, size_t errlen);
void sq_rollback(store_t *st);
int sq_prune_spans(store_t *st, uint64_t *pruned);
size_t sq_span_traces_pending(const store_t *st);
int sq_busy_timeout(store_t *st, int ms);
int sq_busy(store_t *st);
body_codec *sq_body_codec(store_t *st);
int64_t sq_meta_get_int(store_t *st, const char *key, int64_t def);
int sq_meta_set_int(store_t *st, const char *key, int64_t v);
int sq_put_prompt(store_t *st, const char *name, const char *version, const char *text, const char *source,
		  int64_t created_ns);
int64_t sq_call_count(store_t *st);
int64_t sq_call_mark(store_t *st);
int sq_time_range(store_t *st, int64_t *first_ns, int64_t *last_ns);
int sq_changed(store_t *st);
int64_t sq_last_ts(store_t *st);
int sq_report(store_t *st, int64_t from_ns, int64_t to_ns, int by, report_t *out, char *err, size_t errlen);
int sq_series(store_t *st, int64_t from_ns, int64_t to_ns, int ncols, series_t *out, char *err, size_t errlen);
void sq_warm(store_t *st, int64_t now_ns);
int sq_spend(store_t *st, int64_t from_ns, int64_t to_ns, int64_t *cost_nusd, uint64_t *calls);
int sq_models(store_t *st, int64_t from_ns, int64_t to_ns, char ***models, size_t *n);
int sq_calls_page(store_t *st, const page_req *req, call_page *out, char *err, size_t errlen);
int sq_call_refs(store_t *st, const filter_t *f, int64_t now_ns, size_t max, call_ref **out, size_t *n, int *more,
		 char *err, size_t errlen);
int sq_filter_values(store_t *st, const char *field, size_t max, char ***out, size_t *n);
int sq_call_get(store_t *st, int64_t id, call_full *out);
int sq_call_body(store_t *st, int64_t id, char **input, char **output, char **variables, char **attrs);
int sq_find_call(store_t *st, const char *ref, int64_t *id);
int sq_find_call_ref(store_t *st, const char *ref, int64_t *id, char *err, size_t errlen);
int sq_fts_step(store_t *st, int max_rows, int64_t *pending);
int64_t sq_fts_pending(store_t *st);
int64_t sq_fts_since(store_t *st, int64_t hint);
int sq_fts_search(store_t *st, const char *query, int64_t *ids, int max, int *n, char *err, size_t errlen);
int sq_trace_get(store_t *st, const char *ref, trace_view *out, char *err, size_t errlen);
int sq_trace_of_call(store_t *st, int64_t call_id, trace_view *out);
int sq_prompts_list(store_t *st, const char *name, prompt_list *out, char *err, size_t errlen);
int sq_prompts_get_text(store_t *st, const char *name, const char *version, char **text, char *err, size_t errlen);
/* prompts_add over any backend: the version numbering and the same-text
 * check through the public reads, the new version written by put. */
typedef int (*prompt_put_fn)(store_t *st, const char *name, const char *version, const char *text,
			     const char *source, int64_t created_ns, char *err, size_t errlen);
int prompts_add_with(store_t *st, const char *name, const char *version, const char *text, const char *source,
		     int64_t now_ns, char *out_version, size_t vlen, int *same, prompt_put_fn put, char *err,
		     size_t errlen);
int sq_prompts_add(store_t *st, const char *name, const char *version, const char *text, const char *source,
		   int64_t now_ns, char *out_version, size_t vlen, int *same, char *err, size_t errlen);
int sq_changes_compute(store_t *st, int64_t from_ns, int64_t to_ns, changes_t *out, char *err, size_t errlen);
int sq_usage_store_page(store_t *st, const char *provider, int width_s, const usage_page *pg, int64_t fetched_s,
			char *err, size_t errlen);
int64_t sq_usage_fetch_start(store_t *st, const char *provider, int kind, int width_s, int64_t from_s, int64_t to_s,
			     int64_t settle_s);
int sq_usage_summarize(store_t *st, pricing_t *prices, int64_t from_ns, int64_t to_ns, usage_sum *out, char *err,
		       size_t errlen);
int sq_filter_stats(store_t *st, const filter_t *f, int64_t from_ns, int64_t to_ns, int64_t now_ns, rstats *out,
		    char *err, size_t errlen);
int sq_filter_last_ts(store_t *st, const filter_t *f, int64_t now_ns, int64_t *ts, char *err, size_t errlen);

/* ClickHouse (ch_read.c, ch_write.c): url is clickhouse://... */
extern const store_ops store_clickhouse_ops;
int ch_store_open(const char *url, int flags, store_t **out, char *err, size_t errlen);

#endif
