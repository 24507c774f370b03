#include "query.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/pricing.h"
#include "store_internal.h"
#include "trace.h"

/* ---- dimensions -------------------------------------------------------- */

/* ---- series ------------------------------------------------------------ */

static int add_rollup_row(sqlite3_stmt *q, rstats *s, int with_hist)
{
	/* saturating, as the report's sums: a corrupt or hostile store must not
	 * wrap into a negative cost */
	int64_t v[8];
	for (int i = 0; i < 8; i++) {
		v[i] = i == 2 ? 0 : sqlite3_column_int64(q, 2 + i);
		if (v[i] < 0)
			v[i] = 0;
	}
	s->calls = sat_add_u64(s->calls, (uint64_t)v[0]);
	s->errors = sat_add_u64(s->errors, (uint64_t)v[1]);
	if (ecounts_parse_add(&s->errs, (const char *)sqlite3_column_text(q, 4)))
		return -1;
	s->input_tokens = sat_add_u64(s->input_tokens, (uint64_t)v[3]);
	s->cached_tokens = sat_add_u64(s->cached_tokens, (uint64_t)v[4]);
	s->output_tokens = sat_add_u64(s->output_tokens, (uint64_t)v[5]);
	s->cost_nusd = sat_add_i64(s->cost_nusd, v[6]);
	s->unpriced = sat_add_u64(s->unpriced, (uint64_t)v[7]);
	if (with_hist && (hist_merge_blob(&s->lat, sqlite3_column_blob(q, 10), (size_t)sqlite3_column_bytes(q, 10)) ||
			  hist_merge_blob(&s->ttft, sqlite3_column_blob(q, 11), (size_t)sqlite3_column_bytes(q, 11))))
		return -1;
	return 0;
}

static int cmp_group_cost(const void *a, const void *b)
{
	const series_group *x = a, *y = b;
	if (x->total.cost_nusd != y->total.cost_nusd)
		return x->total.cost_nusd > y->total.cost_nusd ? -1 : 1;
	if (x->total.calls != y->total.calls)
		return x->total.calls > y->total.calls ? -1 : 1;
	return strcmp(x->key, y->key);
}

int sq_series(store_t *st, int64_t from_ns, int64_t to_ns, int ncols, series_t *out, char *err, size_t errlen)
{
	series_layout(from_ns, to_ns, ncols, out);
	int res = out->res, n = out->ncols;
	int64_t from = out->from_ns, to = out->to_ns, step = out->step_ns;
	dims_t d;
	store_dims_load(st, &d);
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT t, dim, calls, errors, error_types, input_tokens, cached_tokens, output_tokens, cost_nusd,"
		 " unpriced, latency, ttft FROM %s WHERE t >= ? AND t < ? ORDER BY t",
		 rollup_table[res]);
	sqlite3_stmt *q;
	int rc = 0;
	int prc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
	if (prc != SQLITE_OK) {
		store_note_error(st, prc, "reading the rollups");
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		store_dims_free(&d);
		return -1;
	}
	sqlite3_bind_int64(q, 1, from / NS_PER_S);
	sqlite3_bind_int64(q, 2, to / NS_PER_S);
	/* Rows come in time order, so each model fills its columns one after
	 * the other: its histograms for the open column are summed in a dense
	 * accumulator and written out when the next column starts. */
	size_t gcap = 0;
	typedef struct open_cell {
		int col;
		hacc lat;  /* the open column's */
		hacc ttft; /* the whole window's: columns carry none */
	} open_cell;
	open_cell *open = NULL;
	int srow = SQLITE_DONE;
	while (!rc && (srow = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(q, 0) * NS_PER_S;
		int col = (int)((t - from) / step);
		if (col < 0 || col >= n)
			continue;
		const dim_row *dm = store_dim(&d, sqlite3_column_int64(q, 1));
		if (!dm)
			continue;
		size_t gi = 0;
		while (gi < out->ngroups && strcmp(out->groups[gi].key, dm->model))
			gi++;
		if (gi == out->ngroups) {
			if (out->ngroups == gcap) {
				gcap = gcap ? gcap * 2 : 8;
				out->groups = xrealloc(out->groups, gcap * sizeof *out->groups);
				open = xrealloc(open, gcap * sizeof *open);
			}
			series_group *g = &out->groups[out->ngroups];
			memset(g, 0, sizeof *g);
			g->key = xstrdup(dm->model);
			g->provider = xstrdup(dm->provider);
			g->cols = xcalloc((size_t)n, sizeof *g->cols);
			open[out->ngroups].col = col;
			hacc_init(&open[out->ngroups].lat);
			hacc_init(&open[out->ngroups].ttft);
			out->ngroups++;
		}
		series_group *g = &out->groups[gi];
		open_cell *oc = &open[gi];
		if (oc->col != col) {
			hacc_flush(&oc->lat, &g->cols[oc->col].lat);
			oc->col = col;
		}
		if (add_rollup_row(q, &g->cols[col], 0) ||
		    hacc_add_blob(&oc->lat, sqlite3_column_blob(q, 10), (size_t)sqlite3_column_bytes(q, 10)) ||
		    hacc_add_blob(&oc->ttft, sqlite3_column_blob(q, 11), (size_t)sqlite3_column_bytes(q, 11)))
			rc = -1;
	}
	for (size_t i = 0; i < out->ngroups; i++) {
		hacc_flush(&open[i].lat, &out->groups[i].cols[open[i].col].lat);
		hacc_flush(&open[i].ttft, &out->groups[i].total.ttft);
		hacc_free(&open[i].lat);
		hacc_free(&open[i].ttft);
	}
	free(open);
	/* A step that fails midway (a damaged page) must not pass for the end
	 * of the rows: the figures would be short, with nothing to say so. */
	char why[200] = "";
	if (!rc && srow != SQLITE_DONE) {
		store_note_error(st, srow, "reading the rollups");
		snprintf(why, sizeof why, "%s", sqlite3_errmsg(st->db));
		rc = -1;
	}
	sqlite3_finalize(q);
	store_dims_free(&d);
	/* Totals from the per-model columns; then the columns' latency at the
	 * resolution the panes draw (the totals keep the full one). */
	if (!rc) {
		size_t k = out->ngroups > (size_t)n ? out->ngroups : (size_t)n;
		const rstats **src = xcalloc(k ? k : 1, sizeof *src);
		for (size_t i = 0; i < out->ngroups; i++) {
			series_group *g = &out->groups[i];
			for (int c = 0; c < n; c++)
				src[c] = &g->cols[c];
			rstats_merge_many(&g->total, src, (size_t)n);
			for (int c = 0; c < n; c++)
				hist_coarsen(&g->cols[c].lat);
		}
		for (int c = 0; c < n; c++) {
			for (size_t i = 0; i < out->ngroups; i++)
				src[i] = &out->groups[i].cols[c];
			rstats_merge_many(&out->cols[c], src, out->ngroups);
		}
		for (size_t i = 0; i < out->ngroups; i++)
			src[i] = &out->groups[i].total;
		rstats_merge_many(&out->total, src, out->ngroups);
		free(src);
	}
	if (out->ngroups)
		qsort(out->groups, out->ngroups, sizeof *out->groups, cmp_group_cost);
	if (rc) {
		snprintf(err, errlen, "%s: %s", st->path, *why ? why : "corrupt rollup row");
		series_free(out);
		return -1;
	}
	return 0;
}

void series_free(series_t *s)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		for (int c = 0; c < s->ncols; c++)
			rstats_free(&s->groups[i].cols[c]);
		free(s->groups[i].cols);
		free(s->groups[i].key);
		free(s->groups[i].provider);
		rstats_free(&s->groups[i].total);
	}
	free(s->groups);
	for (int c = 0; c < s->ncols; c++)
		rstats_free(&s->cols[c]);
	free(s->cols);
	rstats_free(&s->total);
	memset(s, 0, sizeof *s);
}

void sq_warm(store_t *st, int64_t now_ns)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT sum(length(latency) + length(ttft)) FROM %s WHERE t >= ?", rollup_table[RES_1H]);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(q, 1, (now_ns - 15 * NS_PER_DAY) / NS_PER_S);
	sqlite3_step(q);
	sqlite3_finalize(q);
}

int sq_spend(store_t *st, int64_t from_ns, int64_t to_ns, int64_t *cost, uint64_t *calls)
{
	*cost = 0;
	*calls = 0;
	rrange r[5];
	int nr = rollup_ranges(from_ns, to_ns, r);
	for (int i = 0; i < nr; i++) {
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT total(cost_nusd), total(calls) FROM %s WHERE t >= ? AND t < ?",
			 rollup_table[r[i].res]);
		sqlite3_stmt *q;
		int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);
		if (rc != SQLITE_OK) {
			store_note_error(st, rc, "summing the spend");
			return -1;
		}
		sqlite3_bind_int64(q, 1, r[i].from);
		sqlite3_bind_int64(q, 2, r[i].to);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*cost += (int64_t)sqlite3_column_double(q, 0);
			*calls += (uint64_t)sqlite3_column_double(q, 1);
		} else {
			store_note_error(st, rc, "summing the spend");
		}
		sqlite3_finalize(q);
		if (rc != SQLITE_ROW)
			return -1;
	}
	return 0;
}

int sq_changed(store_t *st)
{
	sqlite3_stmt *q;
	int64_t v = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	int changed = v != st->data_version;
	st->data_version = v;
	return changed;
}

int64_t sq_last_ts(store_t *st)
{
	int64_t first, last;
	return store_time_range(st, &first, &last) ? 0 : last;
}

int sq_models(store_t *st, int64_t from_ns, int64_t to_ns, char ***models, size_t *n)
{
	*models = NULL;
	*n = 0;
	series_t s;
	char err[128];
	if (store_series(st, from_ns, to_ns, 1, &s, err, sizeof err))
		return -1;
	*models = xcalloc(s.ngroups ? s.ngroups : 1, sizeof **models);
	for (size_t i = 0; i < s.ngroups; i++)
		(*models)[(*n)++] = xstrdup(s.groups[i].key);
	series_free(&s);
	return 0;
}

/* ---- filter values ------------------------------------------------------ */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void add_unique(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (!s || !*s)
		return;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = xstrdup(s);
}

int sq_filter_values(store_t *st, const char *field, size_t max, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	static const char *const dim_fields[] = {"model", "provider", "feature", "prompt"};
	static const char *const col_fields[][2] = {{"error", "error_type"}, {"user", "user_id"}, {"session", "session_id"}};
	for (size_t f = 0; f < sizeof dim_fields / sizeof *dim_fields; f++) {
		if (strcmp(field, dim_fields[f]))
			continue;
		dims_t d;
		if (store_dims_load(st, &d))
			return -1;
		for (int64_t i = 1; i < d.n; i++) {
			const dim_row *r = &d.v[i];
			if (!r->model)
				continue;
			if (f == 0) {
				add_unique(out, n, &cap, r->model);
				char fam[256]; /* model=gpt-4o finds its dated snapshots */
				if (pricing_strip_date(r->model, fam, sizeof fam))
					add_unique(out, n, &cap, fam);
			} else if (f == 1) {
				add_unique(out, n, &cap, r->provider);
			} else if (f == 2) {
				add_unique(out, n, &cap, r->feature);
			} else if (*r->prompt_name) {
				add_unique(out, n, &cap, r->prompt_name);
				if (*r->prompt_version) {
					char pv[512];
					snprintf(pv, sizeof pv, "%s@%s", r->prompt_name, r->prompt_version);
					add_unique(out, n, &cap, pv);
				}
			}
		}
		store_dims_free(&d);
		goto done;
	}
	for (size_t f = 0; f < sizeof col_fields / sizeof *col_fields; f++) {
		if (strcmp(field, col_fields[f][0]))
			continue;
		char sql[256];
		snprintf(sql, sizeof sql,
			 "SELECT DISTINCT v FROM (SELECT %s AS v FROM calls ORDER BY id DESC LIMIT %d) WHERE v IS NOT NULL LIMIT %zu",
			 col_fields[f][1], FILTER_VALUES_SCAN, max);
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
			return -1;
		while (sqlite3_step(q) == SQLITE_ROW)
			add_unique(out, n, &cap, (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		goto done;
	}
	return -1;
done:
	qsort(*out, *n, sizeof **out, cmp_str);
	while (*n > max)
		free((*out)[--*n]);
	return 0;
}

/* ---- calls ------------------------------------------------------------- */

static int same(const char *value, const char *s)
{
	return !strcmp(value, s);
}

/* prompt=NAME is every version of it, prompt=NAME@V that one; s is "NAME@V". */
static int prompt_is(const char *value, const char *s)
{
	if (strchr(value, '@'))
		return !strcmp(value, s);
	size_t n = strlen(value);
	return !strncmp(value, s, n) && s[n] == '@';
}

static int dim_matches(const dim_row *d, const filter_t *f)
{
	if (!filter_values_pass(&f->model, d->model, filter_model_matches) ||
	    !filter_values_pass(&f->provider, d->provider, same) ||
	    !filter_values_pass(&f->feature, *d->feature ? d->feature : NULL, same))
		return 0;
	if (f->prompt.n) {
		char p[512];
		snprintf(p, sizeof p, "%s@%s", d->prompt_name, d->prompt_version);
		if (!filter_values_pass(&f->prompt, *d->prompt_name ? p : NULL, prompt_is))
			return 0;
	}
	return 1;
}

static void fill_row(store_t *st, sqlite3_stmt *q, const dims_t *d, call_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(q, 0);
	r->ts = sqlite3_column_int64(q, 1);
	const dim_row *dm = store_dim(d, sqlite3_column_int64(q, 2));
	r->model = xstrdup(dm ? dm->model : "?");
	r->feature = dm && *dm->feature ? xstrdup(dm->feature) : NULL;
	if (dm && *dm->prompt_name) {
		sbuf p = SBUF_INIT;
		sb_printf(&p, "%s@%s", dm->prompt_name, *dm->prompt_version ? dm->prompt_version : "?");
		r->prompt = sb_steal(&p);
	}
	r->is_error = sqlite3_column_int(q, 3);
	const char *et = (const char *)sqlite3_column_text(q, 4);
	r->error_type = et ? xstrdup(et) : NULL;
	r->latency_ms = sqlite3_column_type(q, 6) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 6);
	r->ttft_ms = sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 7);
	r->input_tokens = sqlite3_column_type(q, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 8);
	r->output_tokens = sqlite3_column_type(q, 9) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 9);
	r->cached_tokens = sqlite3_column_type(q, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 10);
	r->cost_nusd = sqlite3_column_type(q, 11) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 11);
	hex_encode(sqlite3_column_blob(q, 18), (size_t)(sqlite3_column_bytes(q, 18) > 16 ? 16 : sqlite3_column_bytes(q, 18)),
		   r->span);
	/* The preview: the error for a failed call, else the first of the output. */
	const char *em = (const char *)sqlite3_column_text(q, 5);
	if (r->is_error) {
		sbuf p = SBUF_INIT;
		sb_printf(&p, "%s%s%s", et ? et : "error", em ? ": " : "", em ? em : "");
		r->preview = sb_steal(&p);
	} else {
		char *output = NULL;
		if (store_body_decode(st, q, 12, NULL, &output, NULL, NULL) == 0 && output) {
			if (strlen(output) > 240) {
				/* cut between characters, never inside one */
				size_t cut = 240;
				while (cut > 0 && ((unsigned char)output[cut] & 0xc0) == 0x80)
					cut--;
				output[cut] = 0;
			}
			r->preview = output;
		}
	}
}

void call_row_free(call_row *r)
{
	free(r->model);
	free(r->prompt);
	free(r->feature);
	free(r->error_type);
	free(r->preview);
	memset(r, 0, sizeof *r);
}

void call_page_free(call_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		call_row_free(&p->rows[i]);
	free(p->rows);
	memset(p, 0, sizeof *p);
}

static const char *const sort_cols[] = {"c.ts", "c.latency_ms", "c.cost_nusd"};

/* The fields matched in SQL on a column of calls, their values bound as
 * ?10 onwards in this order. A trace is matched on a prefix of its hex. */
enum { NTEXT = 4 };
static const char *const text_cols[NTEXT] = {"c.error_type", "c.user_id", "c.session_id", "lower(hex(c.trace_id))"};

static const fvalues *text_field(const filter_t *f, int i)
{
	const fvalues *v[NTEXT] = {&f->error, &f->user, &f->session, &f->trace};
	return v[i];
}

static int text_sql(sbuf *sql, const fvalues *v, const char *col, int k)
{
	int trace = col == text_cols[NTEXT - 1];
	for (int neg = 0; neg < 2; neg++) {
		int any = 0;
		for (int i = 0; i < v->n; i++) {
			if (v->neg[i] != neg)
				continue;
			if (!any)
				sb_printf(sql, neg ? " AND (%s IS NULL OR NOT (" : " AND (", col);
			if (trace)
				sb_printf(sql, "%ssubstr(%s, 1, length(?%d)) = ?%d", any ? " OR " : "", col, k, k);
			else
				sb_printf(sql, "%s%s = ?%d", any ? " OR " : "", col, k);
			k++;
			any = 1;
		}
		if (any)
			sb_adds(sql, neg ? "))" : ")");
	}
	return k;
}

static int text_bind(sqlite3_stmt *q, const fvalues *v, int k)
{
	for (int neg = 0; neg < 2; neg++)
		for (int i = 0; i < v->n; i++)
			if (v->neg[i] == neg)
				sqlite3_bind_text(q, k++, v->v[i], -1, SQLITE_STATIC);
	return k;
}

/* The filter's terms as SQL over calls c, and their parameters (?1..?4, ?8, ?9,
 * ?10..), shared by the pages of the trace list and the annotation queue. */
static void where_sql(sbuf *sql, const filter_t *f, const dims_t *d)
{
	if (!f)
		return;
	if (f->model.n || f->provider.n || f->feature.n || f->prompt.n) {
		/* Dimensions are few: match them here, hand SQLite the ids. */
		int any = 0;
		sb_adds(sql, " AND c.dim IN (");
		for (int64_t i = 1; i < d->n; i++)
			if (d->v[i].model && dim_matches(&d->v[i], f)) {
				sb_printf(sql, "%s%lld", any ? "," : "", (long long)i);
				any = 1;
			}
		sb_adds(sql, any ? ")" : "NULL)");
	}
	if (f->status >= 0)
		sb_printf(sql, " AND c.status = %d", f->status);
	int k = 10;
	for (int i = 0; i < NTEXT; i++)
		k = text_sql(sql, text_field(f, i), text_cols[i], k);
	if (f->since_ns)
		sb_adds(sql, " AND c.ts >= ?1");
	if (f->before_ns)
		sb_adds(sql, " AND c.ts < ?9");
	if (f->lat_min >= 0)
		sb_adds(sql, " AND c.latency_ms > ?2");
	if (f->lat_max >= 0)
		sb_adds(sql, " AND c.latency_ms < ?3");
	if (f->text)
		sb_adds(sql, " AND c.id IN (SELECT rowid FROM call_fts WHERE call_fts MATCH ?4)");
	if (f->sample_bp)
		sb_adds(sql, f->sample_neg ? " AND llmops_sample_bucket(c.span_id) >= ?8" : " AND llmops_sample_bucket(c.span_id) < ?8");
}

static void where_bind(sqlite3_stmt *q, const filter_t *f, int64_t now_ns)
{
	if (!f)
		return;
	if (f->since_ns)
		sqlite3_bind_int64(q, 1, now_ns - f->since_ns);
	if (f->before_ns)
		sqlite3_bind_int64(q, 9, now_ns - f->before_ns);
	if (f->lat_min >= 0)
		sqlite3_bind_double(q, 2, f->lat_min);
	if (f->lat_max >= 0)
		sqlite3_bind_double(q, 3, f->lat_max);
	if (f->text)
		sqlite3_bind_text(q, 4, f->text, -1, SQLITE_STATIC);
	if (f->sample_bp)
		sqlite3_bind_int(q, 8, f->sample_bp);
	int k = 10;
	for (int i = 0; i < NTEXT; i++)
		k = text_bind(q, text_field(f, i), k);
}

int sq_calls_page(store_t *st, const page_req *req, call_page *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	const filter_t *f = req->filter;
	sbuf sql = SBUF_INIT;
	sb_adds(&sql, "SELECT c.id, c.ts, c.dim, c.status, c.error_type, c.error_message, c.latency_ms, c.ttft_ms,"
		      " c.input_tokens, c.output_tokens, c.cached_tokens, c.cost_nusd,"
		      " c.zdict, c.body, c.input, c.output, c.variables, c.attrs, c.span_id FROM calls c WHERE 1");
	dims_t d;
	store_dims_load(st, &d);
	where_sql(&sql, f, &d);
	const char *col = sort_cols[req->sort];
	if (req->sort != SORT_TIME)
		sb_printf(&sql, " AND %s IS NOT NULL", col);
	if (req->has_key)
		sb_printf(&sql, " AND (%s, c.id) %s (?5, ?6)", col, req->older ? "<" : ">");
	sb_printf(&sql, " ORDER BY %s %s, c.id %s LIMIT ?7", col, req->older ? "DESC" : "ASC", req->older ? "DESC" : "ASC");

	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql.p, -1, &q, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(st->db));
		sb_free(&sql);
		store_dims_free(&d);
		return -1;
	}
	sb_free(&sql);
	where_bind(q, f, req->now_ns);
	if (req->has_key) {
		if (req->sort == SORT_TIME)
			sqlite3_bind_int64(q, 5, req->key_ts);
		else
			sqlite3_bind_double(q, 5, req->key_val);
		sqlite3_bind_int64(q, 6, req->key_id);
	}
	sqlite3_bind_int(q, 7, req->limit);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->rows = xrealloc(out->rows, cap * sizeof *out->rows);
		}
		fill_row(st, q, &d, &out->rows[out->n++]);
	}
	if (rc != SQLITE_DONE) {
		store_note_error(st, rc, "reading the calls");
		snprintf(err, errlen, "%s", store_damage(st) ? store_damage(st) : sqlite3_errmsg(st->db));
		sqlite3_finalize(q);
		call_page_free(out);
		store_dims_free(&d);
		return -1;
	}
	sqlite3_finalize(q);
	store_dims_free(&d);
	out->complete = out->n < (size_t)req->limit;
	if (!req->older) {
		/* Fetched ascending: hand them back newest (or largest) first. */
		for (size_t i = 0; i < out->n / 2; i++) {
			call_row t = out->rows[i];
			out->rows[i] = out->rows[out->n - 1 - i];
			out->rows[out->n - 1 - i] = t;
		}
	}
	if (f && f->text)
		out->fts_pending = store_fts_pending(st);
	return 0;
}

int sq_call_refs(store_t *st, const filter_t *f, int64_t now_ns, size_t max, call_ref **out, size_t *n,
		 int *more, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	*more = 0;
	sbuf sql = SBUF_INIT;
	sb_adds(&sql, "SELECT c.id, c.ts, c.span_id FROM calls c WHERE 1");
	dims_t d;
	store_dims_load(st, &d);
	where_sql(&sql, f, &d);
	sb_adds(&sql, " ORDER BY c.ts DESC, c.id DESC LIMIT ?7");
	sqlite3_stmt *q;
	int prc = sqlite3_prepare_v2(st->db, sql.p, -1, &q, NULL);
	sb_free(&sql);
	store_dims_free(&d);
	if (prc != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(st->db));
		return -1;
	}
	where_bind(q, f, now_ns);
	sqlite3_bind_int64(q, 7, (int64_t)max + 1);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == max) {
			*more = 1;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		call_ref *r = &(*out)[(*n)++];
		r->id = sqlite3_column_int64(q, 0);
		r->ts = sqlite3_column_int64(q, 1);
		int len = sqlite3_column_bytes(q, 2);
		hex_encode(sqlite3_column_blob(q, 2), (size_t)(len > 16 ? 16 : len), r->span);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_note_error(st, rc, "reading the calls");
		snprintf(err, errlen, "%s", store_damage(st) ? store_damage(st) : sqlite3_errmsg(st->db));
		sqlite3_finalize(q);
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	sqlite3_finalize(q);
	return 0;
}

/* The model's thinking is kept among the attributes; shown on its own. */
static void take_thinking(call_full *c)
{
	cJSON *a = c->attrs ? cJSON_Parse(c->attrs) : NULL;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(a, CALL_THINKING_KEY);
	if (cJSON_IsString(t)) {
		c->thinking = xstrdup(t->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(a, CALL_THINKING_KEY);
		free(c->attrs);
		c->attrs = a->child ? cJSON_PrintUnformatted(a) : NULL;
	}
	cJSON_Delete(a);
}

int sq_call_get(store_t *st, int64_t id, call_full *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT c.id, c.ts, c.dim, c.status, c.error_type, c.error_message, c.latency_ms, c.ttft_ms,"
			       " c.input_tokens, c.output_tokens, c.cached_tokens, c.cost_nusd,"
			       " c.zdict, c.body, c.input, c.output, c.variables, c.attrs, c.span_id, c.trace_id,"
			       " c.request_model, c.operation, c.user_id, c.session_id FROM calls c WHERE c.id = ?",
			       -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	int rc = -1;
	if (sqlite3_step(q) == SQLITE_ROW) {
		dims_t d;
		store_dims_load(st, &d);
		fill_row(st, q, &d, &out->row);
		const dim_row *dm = store_dim(&d, sqlite3_column_int64(q, 2));
		out->provider = xstrdup(dm ? dm->provider : "");
		store_dims_free(&d);
		hex_encode(sqlite3_column_blob(q, 19), (size_t)(sqlite3_column_bytes(q, 19) > 32 ? 32 : sqlite3_column_bytes(q, 19)),
			   out->trace);
		const char *t;
		if ((t = (const char *)sqlite3_column_text(q, 20)))
			out->request_model = xstrdup(t);
		if ((t = (const char *)sqlite3_column_text(q, 21)))
			out->operation = xstrdup(t);
		if ((t = (const char *)sqlite3_column_text(q, 22)))
			out->user_id = xstrdup(t);
		if ((t = (const char *)sqlite3_column_text(q, 5)))
			out->error_message = xstrdup(t);
		if ((t = (const char *)sqlite3_column_text(q, 23)))
			out->session_id = xstrdup(t);
		store_body_decode(st, q, 12, &out->input, &out->output, &out->variables, &out->attrs);
		take_thinking(out);
		rc = 0;
	}
	sqlite3_finalize(q);
	if (rc == 0) {
		/* Where in its trace the call was made. */
		trace_view t;
		if (store_trace_of_call(st, id, &t) == 0) {
			out->trace_path = trace_path_of(&t, id);
			out->trace_spans = t.n;
			trace_view_free(&t);
		}
	}
	return rc;
}

void call_full_free(call_full *c)
{
	call_row_free(&c->row);
	free(c->provider);
	free(c->request_model);
	free(c->operation);
	free(c->user_id);
	free(c->session_id);
	free(c->thinking);
	free(c->trace_path);
	free(c->error_message);
	free(c->input);
	free(c->output);
	free(c->variables);
	free(c->attrs);
	memset(c, 0, sizeof *c);
}

/* ---- the worker -------------------------------------------------------- */

struct querier {
	store_t *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pipe[2];
	int stop;
	int index;
	/* the next request, not started */
	int has_req;
	page_req req;
	filter_t filter;
	uint64_t tag;
	/* in progress */
	int running;
	/* the last result, not taken */
	int has_res;
	call_page res;
	uint64_t res_tag;
	char res_err[256];
	int res_rc;
	int64_t fts_pending;
	int64_t fts_since; /* while indexing: calls since then are searchable */
	double since_read;
	int hold; /* background indexing waits for the first frame */
};

static void notify(querier_t *q)
{
	char c = 1;
	ssize_t w = write(q->pipe[1], &c, 1);
	(void)w; /* a full pipe already says "ready" */
}

static void *worker(void *arg)
{
	querier_t *q = arg;
	pthread_setname_np(pthread_self(), "llmops-query");
	pthread_mutex_lock(&q->mu);
	while (!q->stop) {
		if (q->has_req) {
			page_req req = q->req;
			filter_t f = q->filter;
			req.filter = &f;
			filter_init(&q->filter);
			uint64_t tag = q->tag;
			q->has_req = 0;
			q->running = 1;
			pthread_mutex_unlock(&q->mu);
			call_page page;
			char err[256] = "";
			int rc = store_calls_page(q->st, &req, &page, err, sizeof err);
			filter_free(&f);
			pthread_mutex_lock(&q->mu);
			q->running = 0;
			if (rc && q->has_req) {
				/* Cancelled for the request that superseded it. */
				call_page_free(&page);
				continue;
			}
			if (q->has_res)
				call_page_free(&q->res);
			q->res = page;
			q->res_rc = rc;
			q->res_tag = tag;
			snprintf(q->res_err, sizeof q->res_err, "%s", err);
			q->has_res = 1;
			notify(q);
			continue;
		}
		if (q->index && !q->hold && q->fts_pending != 0) {
			/* A slice of the full-text index between requests. */
			pthread_mutex_unlock(&q->mu);
			int64_t pending = 0, since = q->fts_since;
			int rc = store_fts_step(q->st, 1000, &pending);
			/* Where search is complete, once a second: the status line
			 * shows minutes. */
			if (rc == 0 && pending == 0)
				since = 0;
			else if (rc == 0 && clock_mono() - q->since_read >= 1) {
				since = store_fts_since(q->st, since);
				q->since_read = clock_mono();
			}
			pthread_mutex_lock(&q->mu);
			if (rc == 0) {
				int changed = (q->fts_pending > 0) != (pending > 0) || (since / (60 * NS_PER_S)) != (q->fts_since / (60 * NS_PER_S));
				q->fts_pending = pending;
				q->fts_since = since;
				if (changed || pending == 0)
					notify(q);
			} else {
				q->fts_pending = 0; /* the store is busy; look again later */
			}
			continue;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		pthread_cond_timedwait(&q->cv, &q->mu, &until);
		if (q->index && !q->has_req) {
			pthread_mutex_unlock(&q->mu);
			int64_t p = store_fts_pending(q->st);
			pthread_mutex_lock(&q->mu);
			q->fts_pending = p;
		}
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

querier_t *querier_start(const char *path, int index, char *err, size_t errlen)
{
	querier_t *q = xcalloc(1, sizeof *q);
	/* Indexing writes: a store that cannot be written is only read. */
	if (store_open(path, index ? STORE_VIEWER : STORE_READONLY, &q->st, err, errlen)) {
		free(q);
		return NULL;
	}
	if (store_readonly(q->st))
		index = 0;
	if (pipe2(q->pipe, O_NONBLOCK | O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		store_close(q->st);
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	filter_init(&q->filter);
	q->index = index;
	q->hold = 1; /* until the first frame is up: see querier_index_now */
	q->fts_pending = index ? store_fts_pending(q->st) : 0;
	if (pthread_create(&q->thread, NULL, worker, q)) {
		snprintf(err, errlen, "cannot start the query thread");
		close(q->pipe[0]);
		close(q->pipe[1]);
		store_close(q->st);
		free(q);
		return NULL;
	}
	return q;
}

void querier_stop(querier_t *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	if (q->has_res)
		call_page_free(&q->res);
	filter_free(&q->filter);
	close(q->pipe[0]);
	close(q->pipe[1]);
	store_close(q->st);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}

int querier_fd(querier_t *q)
{
	return q->pipe[0];
}

void querier_submit(querier_t *q, const page_req *req, uint64_t tag)
{
	pthread_mutex_lock(&q->mu);
	filter_free(&q->filter);
	if (req->filter)
		filter_copy(&q->filter, req->filter);
	q->req = *req;
	q->req.filter = NULL;
	q->tag = tag;
	q->has_req = 1;
	/* The page under way is no longer wanted: a server stops it. */
	if (q->running)
		store_cancel(q->st);
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

int querier_take(querier_t *q, call_page *out, uint64_t *tag, char *err, size_t errlen)
{
	char buf[64];
	while (read(q->pipe[0], buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&q->mu);
	int got = q->has_res;
	int rc = 0;
	if (got) {
		*out = q->res;
		*tag = q->res_tag;
		rc = q->res_rc;
		snprintf(err, errlen, "%s", q->res_err);
		q->has_res = 0;
		memset(&q->res, 0, sizeof q->res);
	}
	pthread_mutex_unlock(&q->mu);
	return got ? (rc ? -1 : 1) : 0;
}

int querier_busy(querier_t *q)
{
	pthread_mutex_lock(&q->mu);
	int busy = q->has_req || q->running || q->has_res;
	pthread_mutex_unlock(&q->mu);
	return busy;
}

void querier_index_now(querier_t *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	if (q->hold) {
		q->hold = 0;
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
}

int64_t querier_fts_since(querier_t *q)
{
	pthread_mutex_lock(&q->mu);
	int64_t v = q->fts_since;
	pthread_mutex_unlock(&q->mu);
	return v;
}

int64_t querier_fts_pending(querier_t *q)
{
	pthread_mutex_lock(&q->mu);
	int64_t p = q->fts_pending;
	pthread_mutex_unlock(&q->mu);
	return p;
}

/* ---- a filter's sums over a window ------------------------------------- */

/* Filters on dimensions only are answered by the rollups (a few rows a
 * minute, whatever the traffic); the others scan the window's calls. */
static int filter_dims_only(const filter_t *f)
{
	return f->status < 0 && !f->error.n && !f->user.n && !f->session.n && !f->trace.n && !f->since_ns &&
	       !f->before_ns && f->lat_min < 0 && f->lat_max < 0 && !f->text && !f->sample_bp;
}

int sq_filter_stats(store_t *st, const filter_t *f, int64_t from_ns, int64_t to_ns, int64_t now_ns, rstats *out,
		    char *err, size_t errlen)
{
	rstats_init(out);
	dims_t d;
	if (store_dims_load(st, &d)) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	int rc = 0;
	if (!f || filter_dims_only(f)) {
		rstats *per_dim = xcalloc((size_t)(d.n ? d.n : 1), sizeof *per_dim);
		int64_t to = floor_to(to_ns, NS_PER_MIN) == to_ns ? to_ns : floor_to(to_ns, NS_PER_MIN) + NS_PER_MIN;
		rc = store_window_per_dim(st, floor_to(from_ns, NS_PER_MIN), to, &d, per_dim);
		if (rc)
			snprintf(err, errlen, "%s: %s", st->path, rc == -2 ? "corrupt rollup row" : sqlite3_errmsg(st->db));
		for (int64_t i = 1; i < d.n; i++) {
			if (!rc && d.v[i].model && (!f || dim_matches(&d.v[i], f)))
				rstats_merge(out, &per_dim[i]);
			rstats_free(&per_dim[i]);
		}
		free(per_dim);
		store_dims_free(&d);
		return rc ? -1 : 0;
	}
	sbuf sql = SBUF_INIT;
	sb_adds(&sql, "SELECT c.status, c.error_type, c.latency_ms, c.ttft_ms, c.input_tokens, c.cached_tokens,"
		      " c.output_tokens, c.cost_nusd FROM calls c WHERE c.ts >= ?5 AND c.ts < ?6");
	where_sql(&sql, f, &d);
	store_dims_free(&d);
	sqlite3_stmt *q;
	int prc = sqlite3_prepare_v2(st->db, sql.p, -1, &q, NULL);
	sb_free(&sql);
	if (prc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	where_bind(q, f, now_ns);
	sqlite3_bind_int64(q, 5, from_ns);
	sqlite3_bind_int64(q, 6, to_ns);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		call_t c;
		memset(&c, 0, sizeof c);
		c.is_error = sqlite3_column_int(q, 0);
		c.error_type = (const char *)sqlite3_column_text(q, 1);
		c.latency_ms = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 2);
		c.ttft_ms = sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 3);
		c.input_tokens = sqlite3_column_type(q, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 4);
		c.cached_tokens = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 5);
		c.output_tokens = sqlite3_column_type(q, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 6);
		rstats_add_call(out, &c, sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 7));
	}
	if (step != SQLITE_DONE) {
		store_note_error(st, step, "reading the calls");
		snprintf(err, errlen, "%s", store_damage(st) ? store_damage(st) : sqlite3_errmsg(st->db));
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

/* The newest rollup bucket of res at or after from_s and before to_s that
 * holds calls of the dimensions f selects; 0 when none. */
static int64_t newest_bucket(store_t *st, const dims_t *d, const filter_t *f, int res, int64_t from_s, int64_t to_s)
{
	sbuf sql = SBUF_INIT;
	sb_printf(&sql, "SELECT MAX(t) FROM %s WHERE t >= ?1 AND t < ?2 AND calls > 0", rollup_table[res]);
	if (f) {
		int any = 0;
		sb_adds(&sql, " AND dim IN (");
		for (int64_t i = 1; i < d->n; i++)
			if (d->v[i].model && dim_matches(&d->v[i], f)) {
				sb_printf(&sql, "%s%lld", any ? "," : "", (long long)i);
				any = 1;
			}
		sb_adds(&sql, any ? ")" : "NULL)");
	}
	sqlite3_stmt *q;
	int64_t t = 0;
	if (sqlite3_prepare_v2(st->db, sql.p, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, from_s);
		sqlite3_bind_int64(q, 2, to_s);
		if (sqlite3_step(q) == SQLITE_ROW)
			t = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sb_free(&sql);
	return t;
}

int sq_filter_last_ts(store_t *st, const filter_t *f, int64_t now_ns, int64_t *ts, char *err, size_t errlen)
{
	*ts = 0;
	dims_t d;
	if (store_dims_load(st, &d)) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	/* A feed that stopped long ago must not cost a walk back through every
	 * call since: where the dimensions say it all, the daily rollups find
	 * its last day and the minutes its last minute, and only that minute's
	 * calls are read. */
	int64_t lo = 0;
	if (!f || filter_dims_only(f)) {
		int64_t now_s = now_ns / NS_PER_S;
		int64_t day = newest_bucket(st, &d, f, RES_1D, 0, now_s + 1);
		int64_t min = day ? newest_bucket(st, &d, f, RES_1M, day, now_s + 1) : 0;
		if (!min) {
			store_dims_free(&d);
			return 0;
		}
		lo = min * NS_PER_S;
	}
	sbuf sql = SBUF_INIT;
	sb_adds(&sql, "SELECT c.ts FROM calls c WHERE c.ts <= ?5 AND c.ts >= ?6");
	where_sql(&sql, f, &d);
	sb_adds(&sql, " ORDER BY c.ts DESC LIMIT 1");
	store_dims_free(&d);
	sqlite3_stmt *q;
	int prc = sqlite3_prepare_v2(st->db, sql.p, -1, &q, NULL);
	sb_free(&sql);
	if (prc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	where_bind(q, f, now_ns);
	sqlite3_bind_int64(q, 5, now_ns);
	sqlite3_bind_int64(q, 6, lo);
	int step = sqlite3_step(q), rc = 0;
	if (step == SQLITE_ROW)
		*ts = sqlite3_column_int64(q, 0);
	else if (step != SQLITE_DONE) {
		store_note_error(st, step, "reading the calls");
		snprintf(err, errlen, "%s", store_damage(st) ? store_damage(st) : sqlite3_errmsg(st->db));
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}
