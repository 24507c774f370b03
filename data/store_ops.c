/* The public store functions, each handing over to the backend's table. */
#include "store_ops.h"

#include <string.h>

#include "../core/clock.h"
#include "store_internal.h"

const store_ops store_sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.schema_version = sq_schema_version,
	.ingest = sq_ingest,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.prune_spans = sq_prune_spans,
	.span_traces_pending = sq_span_traces_pending,
	.busy_timeout = sq_busy_timeout,
	.busy = sq_busy,
	.body_codec = sq_body_codec,
	.meta_get_int = sq_meta_get_int,
	.meta_set_int = sq_meta_set_int,
	.put_prompt = sq_put_prompt,
	.call_count = sq_call_count,
	.call_mark = sq_call_mark,
	.time_range = sq_time_range,
	.changed = sq_changed,
	.last_ts = sq_last_ts,
	.report = sq_report,
	.series = sq_series,
	.warm = sq_warm,
	.spend = sq_spend,
	.models = sq_models,
	.calls_page = sq_calls_page,
	.call_refs = sq_call_refs,
	.filter_values = sq_filter_values,
	.call_get = sq_call_get,
	.call_body = sq_call_body,
	.find_call = sq_find_call,
	.find_call_ref = sq_find_call_ref,
	.fts_step = sq_fts_step,
	.fts_pending = sq_fts_pending,
	.fts_since = sq_fts_since,
	.fts_search = sq_fts_search,
	.trace_get = sq_trace_get,
	.trace_of_call = sq_trace_of_call,
	.prompts_list = sq_prompts_list,
	.prompts_get_text = sq_prompts_get_text,
	.prompts_add = sq_prompts_add,
	.changes_compute = sq_changes_compute,
	.usage_store_page = sq_usage_store_page,
	.usage_fetch_start = sq_usage_fetch_start,
	.usage_summarize = sq_usage_summarize,
	.dims_load = sq_dims_load,
	.window_per_dim = sq_window_per_dim,
	.cancel = sq_cancel,
	.dim_hours = sq_dim_hours,
	.dim_minute = sq_dim_minute,
	.filter_stats = sq_filter_stats,
	.filter_last_ts = sq_filter_last_ts,
};

int store_open(const char *path, int flags, store_t **out, char *err, size_t errlen)
{
	if (store_is_url(path))
		return ch_store_open(path, flags, out, err, errlen);
	return sq_open(path, flags, out, err, errlen);
}

void store_close(store_t *st)
{
	if (st)
		st->ops->close(st);
}

int store_schema_version(store_t *st)
{
	return st->ops->schema_version(st);
}

int store_ingest(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen)
{
	return st->ops->ingest(st, b, prices, stats, err, errlen);
}

int store_begin(store_t *st, char *err, size_t errlen)
{
	return st->ops->begin(st, err, errlen);
}

int store_commit(store_t *st, char *err, size_t errlen)
{
	return st->ops->commit(st, err, errlen);
}

int store_settle(store_t *st, int all, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen)
{
	return st->ops->settle ? st->ops->settle(st, all, prices, stats, err, errlen) : 0;
}

void store_rollback(store_t *st)
{
	st->ops->rollback(st);
}

int store_prune_spans(store_t *st, uint64_t *pruned)
{
	return st->ops->prune_spans(st, pruned);
}

size_t store_span_traces_pending(const store_t *st)
{
	return st->ops->span_traces_pending(st);
}

int store_busy_timeout(store_t *st, int ms)
{
	return st->ops->busy_timeout(st, ms);
}

int store_busy(store_t *st)
{
	return st->ops->busy(st);
}

body_codec *store_body_codec(store_t *st)
{
	return st->ops->body_codec(st);
}

int64_t store_meta_get_int(store_t *st, const char *key, int64_t def)
{
	return st->ops->meta_get_int(st, key, def);
}

int store_meta_set_int(store_t *st, const char *key, int64_t v)
{
	return st->ops->meta_set_int(st, key, v);
}

int store_put_prompt(store_t *st, const char *name, const char *version, const char *text, const char *source,
		     int64_t created_ns)
{
	return st->ops->put_prompt(st, name, version, text, source, created_ns);
}

int64_t store_call_count(store_t *st)
{
	return st->ops->call_count(st);
}

int64_t store_call_mark(store_t *st)
{
	return st->ops->call_mark(st);
}

int store_time_range(store_t *st, int64_t *first_ns, int64_t *last_ns)
{
	return st->ops->time_range(st, first_ns, last_ns);
}

int store_changed(store_t *st)
{
	return st->ops->changed(st);
}

int64_t store_last_ts(store_t *st)
{
	return st->ops->last_ts(st);
}

int store_report(store_t *st, int64_t from_ns, int64_t to_ns, int by, report_t *out, char *err, size_t errlen)
{
	return st->ops->report(st, from_ns, to_ns, by, out, err, errlen);
}

int store_series(store_t *st, int64_t from_ns, int64_t to_ns, int ncols, series_t *out, char *err, size_t errlen)
{
	return st->ops->series(st, from_ns, to_ns, ncols, out, err, errlen);
}

void store_warm(store_t *st, int64_t now_ns)
{
	st->ops->warm(st, now_ns);
}

int store_spend(store_t *st, int64_t from_ns, int64_t to_ns, int64_t *cost_nusd, uint64_t *calls)
{
	return st->ops->spend(st, from_ns, to_ns, cost_nusd, calls);
}

int store_models(store_t *st, int64_t from_ns, int64_t to_ns, char ***models, size_t *n)
{
	return st->ops->models(st, from_ns, to_ns, models, n);
}

int store_calls_page(store_t *st, const page_req *req, call_page *out, char *err, size_t errlen)
{
	return st->ops->calls_page(st, req, out, err, errlen);
}

int store_call_refs(store_t *st, const filter_t *f, int64_t now_ns, size_t max, call_ref **out, size_t *n, int *more,
		    char *err, size_t errlen)
{
	return st->ops->call_refs(st, f, now_ns, max, out, n, more, err, errlen);
}

int store_filter_values(store_t *st, const char *field, size_t max, char ***out, size_t *n)
{
	return st->ops->filter_values(st, field, max, out, n);
}

int store_call_get(store_t *st, int64_t id, call_full *out)
{
	return st->ops->call_get(st, id, out);
}

int store_call_body(store_t *st, int64_t id, char **input, char **output, char **variables, char **attrs)
{
	return st->ops->call_body(st, id, input, output, variables, attrs);
}

int store_find_call(store_t *st, const char *ref, int64_t *id)
{
	return st->ops->find_call(st, ref, id);
}

int store_find_call_ref(store_t *st, const char *ref, int64_t *id, char *err, size_t errlen)
{
	return st->ops->find_call_ref(st, ref, id, err, errlen);
}

int store_fts_step(store_t *st, int max_rows, int64_t *pending)
{
	return st->ops->fts_step(st, max_rows, pending);
}

int64_t store_fts_pending(store_t *st)
{
	return st->ops->fts_pending(st);
}

int64_t store_fts_since(store_t *st, int64_t hint)
{
	return st->ops->fts_since(st, hint);
}

int store_fts_search(store_t *st, const char *query, int64_t *ids, int max, int *n, char *err, size_t errlen)
{
	return st->ops->fts_search(st, query, ids, max, n, err, errlen);
}

int store_trace_get(store_t *st, const char *ref, trace_view *out, char *err, size_t errlen)
{
	return st->ops->trace_get(st, ref, out, err, errlen);
}

int store_trace_of_call(store_t *st, int64_t call_id, trace_view *out)
{
	return st->ops->trace_of_call(st, call_id, out);
}

int prompts_list(store_t *st, const char *name, prompt_list *out, char *err, size_t errlen)
{
	return st->ops->prompts_list(st, name, out, err, errlen);
}

int prompts_get_text(store_t *st, const char *name, const char *version, char **text, char *err, size_t errlen)
{
	return st->ops->prompts_get_text(st, name, version, text, err, errlen);
}

int prompts_add(store_t *st, const char *name, const char *version, const char *text, const char *source,
		int64_t now_ns, char *out_version, size_t vlen, int *same, char *err, size_t errlen)
{
	return st->ops->prompts_add(st, name, version, text, source, now_ns, out_version, vlen, same, err, errlen);
}

int changes_compute(store_t *st, int64_t from_ns, int64_t to_ns, changes_t *out, char *err, size_t errlen)
{
	return st->ops->changes_compute(st, from_ns, to_ns, out, err, errlen);
}

int usage_store_page(store_t *st, const char *provider, int width_s, const usage_page *pg, int64_t fetched_s, char *err,
		     size_t errlen)
{
	return st->ops->usage_store_page(st, provider, width_s, pg, fetched_s, err, errlen);
}

int64_t usage_fetch_start(store_t *st, const char *provider, int kind, int width_s, int64_t from_s, int64_t to_s,
			  int64_t settle_s)
{
	return st->ops->usage_fetch_start(st, provider, kind, width_s, from_s, to_s, settle_s);
}

int usage_summarize(store_t *st, pricing_t *prices, int64_t from_ns, int64_t to_ns, usage_sum *out, char *err,
		    size_t errlen)
{
	return st->ops->usage_summarize(st, prices, from_ns, to_ns, out, err, errlen);
}

int store_dims_load(store_t *st, dims_t *d)
{
	return st->ops->dims_load(st, d);
}

int store_remote(const store_t *st)
{
	return st->ops->remote;
}

int store_window_per_dim(store_t *st, int64_t from_ns, int64_t to_ns, const dims_t *dims, rstats *per_dim)
{
	return st->ops->window_per_dim(st, from_ns, to_ns, dims, per_dim);
}

/* The finest rollups that give the window about ncols columns of whole
 * rollup steps, ending on the step after to_ns. */
void series_layout(int64_t from_ns, int64_t to_ns, int ncols, series_t *out)
{
	memset(out, 0, sizeof *out);
	if (ncols < 1)
		ncols = 1;
	int64_t span = to_ns - from_ns;
	int res = span <= 6 * NS_PER_HOUR ? RES_1M : span <= 14 * NS_PER_DAY ? RES_1H : RES_1D;
	int64_t rstep = rollup_step_ns[res];
	int64_t step = ceil_to(ceil_to(span, ncols) / ncols, rstep);
	if (step < rstep)
		step = rstep;
	int64_t from = floor_to(from_ns, rstep), to = ceil_to(to_ns, rstep);
	int n = (int)((to - from + step - 1) / step);
	out->from_ns = to - (int64_t)n * step;
	out->to_ns = to;
	out->step_ns = step;
	out->ncols = n;
	out->res = res;
	out->cols = xcalloc((size_t)n, sizeof *out->cols);
}

int store_windows_per_dim(store_t *st, const twin *w, size_t n, const dims_t *dims, int lean,
			  rstats *const *per_dim)
{
	if (st->ops->windows_per_dim)
		return st->ops->windows_per_dim(st, w, n, dims, lean, per_dim);
	for (size_t k = 0; k < n; k++) {
		int rc = st->ops->window_per_dim(st, w[k].from_ns, w[k].to_ns, dims, per_dim[k]);
		if (rc)
			return rc;
	}
	return 0;
}

int store_dim_hours(store_t *st, const dims_t *dims, int64_t *first_h, int64_t *last_h)
{
	return st->ops->dim_hours(st, dims, first_h, last_h);
}

int store_dim_minute(store_t *st, int64_t dim, int64_t hour_s, int last, int64_t *t)
{
	return st->ops->dim_minute(st, dim, hour_s, last, t);
}

int store_dim_minutes_ahead(store_t *st, const int64_t *hours_s, size_t n)
{
	return st->ops->dim_minutes_ahead ? st->ops->dim_minutes_ahead(st, hours_s, n) : 0;
}

void store_cancel(store_t *st)
{
	st->ops->cancel(st);
}

/* A page of SQLite finishes soon enough: the next request waits for it. */
void sq_cancel(store_t *st)
{
	(void)st;
}

int store_filter_stats(store_t *st, const filter_t *f, int64_t from_ns, int64_t to_ns, int64_t now_ns, rstats *out,
		       char *err, size_t errlen)
{
	return st->ops->filter_stats(st, f, from_ns, to_ns, now_ns, out, err, errlen);
}

int store_filter_last_ts(store_t *st, const filter_t *f, int64_t now_ns, int64_t *ts, char *err, size_t errlen)
{
	return st->ops->filter_last_ts(st, f, now_ns, ts, err, errlen);
}
