/* Reports read the rollups only, never the calls: the cost of a report is the
 * number of buckets in the window (minutes at the ragged ends, hours, days),
 * not the number of calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "store_internal.h"

int sq_dims_load(store_t *st, dims_t *d)
{
	sqlite3_stmt *s;
	memset(d, 0, sizeof *d);
	if (sqlite3_prepare_v2(st->db, "SELECT id, provider, model, prompt_name, prompt_version, feature FROM dims ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (id < 0 || id > 10000000)
			continue;
		if (id >= d->n) {
			int64_t n = id + 64;
			d->v = xrealloc(d->v, (size_t)n * sizeof *d->v);
			memset(d->v + d->n, 0, (size_t)(n - d->n) * sizeof *d->v);
			d->n = n;
		}
		dim_row *r = &d->v[id];
		char **f[5] = {&r->provider, &r->model, &r->prompt_name, &r->prompt_version, &r->feature};
		for (int i = 0; i < 5; i++)
			*f[i] = xstrdup((const char *)sqlite3_column_text(s, i + 1));
	}
	sqlite3_finalize(s);
	return 0;
}

void store_dims_free(dims_t *d)
{
	for (int64_t i = 0; i < d->n; i++) {
		free(d->v[i].provider);
		free(d->v[i].model);
		free(d->v[i].prompt_name);
		free(d->v[i].prompt_version);
		free(d->v[i].feature);
	}
	free(d->v);
}

static const char *const by_names[] = {"model", "prompt", "provider", "feature"};

const char *report_by_name(int by)
{
	return by >= 0 && by < 4 ? by_names[by] : "?";
}

int report_by_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, by_names[i]))
			return i;
	return -1;
}


/* The whole key, however long: a cut one would split a character and merge
 * two models that share a prefix. */
static void group_key(const dim_row *r, int by, sbuf *out)
{
	sb_reset(out);
	switch (by) {
	case BY_PROMPT:
		if (*r->prompt_name)
			sb_printf(out, "%s@%s", r->prompt_name, *r->prompt_version ? r->prompt_version : "?");
		else
			sb_adds(out, "(none)");
		break;
	case BY_PROVIDER: sb_adds(out, *r->provider ? r->provider : "(unknown)"); break;
	case BY_FEATURE: sb_adds(out, *r->feature ? r->feature : "(none)"); break;
	default: sb_adds(out, r->model); break;
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_groups(const void *a, const void *b)
{
	const report_group *x = a, *y = b;
	if (x->s.cost_nusd != y->s.cost_nusd)
		return x->s.cost_nusd > y->s.cost_nusd ? -1 : 1;
	if (x->s.calls != y->s.calls)
		return x->s.calls > y->s.calls ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* A stored count: SQLite turns a sum that overflows into a real, which it
 * reads back as the largest integer; a negative one can only be damage. */
static uint64_t col_count(sqlite3_stmt *q, int i)
{
	int64_t v = sqlite3_column_int64(q, i);
	return v > 0 ? (uint64_t)v : 0;
}

/* Adds one stored rollup row into s. */
static int add_row(sqlite3_stmt *q, rstats *s)
{
	s->calls = sat_add_u64(s->calls, col_count(q, 1));
	s->errors = sat_add_u64(s->errors, col_count(q, 2));
	if (ecounts_parse_add(&s->errs, (const char *)sqlite3_column_text(q, 3)))
		return -1;
	s->input_tokens = sat_add_u64(s->input_tokens, col_count(q, 4));
	s->cached_tokens = sat_add_u64(s->cached_tokens, col_count(q, 5));
	s->output_tokens = sat_add_u64(s->output_tokens, col_count(q, 6));
	s->cost_nusd = sat_add_i64(s->cost_nusd, (int64_t)col_count(q, 7));
	s->unpriced = sat_add_u64(s->unpriced, col_count(q, 8));
	if (hist_merge_blob(&s->lat, sqlite3_column_blob(q, 9), (size_t)sqlite3_column_bytes(q, 9)) ||
	    hist_merge_blob(&s->ttft, sqlite3_column_blob(q, 10), (size_t)sqlite3_column_bytes(q, 10)))
		return -1;
	return 0;
}

int sq_window_per_dim(store_t *st, int64_t from_ns, int64_t to_ns, const dims_t *dims, rstats *per_dim)
{
	rrange ranges[5];
	int nr = rollup_ranges(from_ns, to_ns, ranges), rc = 0;
	for (int i = 0; i < nr && !rc; i++) {
		char sql[256];
		snprintf(sql, sizeof sql,
			 "SELECT dim, calls, errors, error_types, input_tokens, cached_tokens, output_tokens, cost_nusd,"
			 " unpriced, latency, ttft FROM %s WHERE t >= ? AND t < ?",
			 rollup_table[ranges[i].res]);
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_int64(q, 1, ranges[i].from);
		sqlite3_bind_int64(q, 2, ranges[i].to);
		int step;
		while ((step = sqlite3_step(q)) == SQLITE_ROW) {
			int64_t dim = sqlite3_column_int64(q, 0);
			if (dim <= 0 || dim >= dims->n || !dims->v[dim].model)
				continue;
			if (add_row(q, &per_dim[dim])) {
				rc = -2;
				break;
			}
		}
		if (step != SQLITE_DONE && !rc)
			rc = -1;
		sqlite3_finalize(q);
	}
	return rc;
}

int sq_dim_hours(store_t *st, const dims_t *dims, int64_t *first_h, int64_t *last_h)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT dim, min(t), max(t) FROM rollup_1h GROUP BY dim", -1, &q, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(q) == SQLITE_ROW) {
		int64_t d = sqlite3_column_int64(q, 0);
		if (d > 0 && d < dims->n) {
			first_h[d] = sqlite3_column_int64(q, 1);
			last_h[d] = sqlite3_column_int64(q, 2);
		}
	}
	sqlite3_finalize(q);
	return 0;
}

int sq_dim_minute(store_t *st, int64_t dim, int64_t hour_s, int last, int64_t *t)
{
	sqlite3_stmt *q;
	const char *sql = last ? "SELECT max(t) FROM rollup_1m WHERE t >= ? AND t < ? AND dim = ?"
			       : "SELECT min(t) FROM rollup_1m WHERE t >= ? AND t < ? AND dim = ?";
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, hour_s);
	sqlite3_bind_int64(q, 2, hour_s + 3600);
	sqlite3_bind_int64(q, 3, dim);
	int found = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL;
	if (found)
		*t = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return found;
}

int sq_report(store_t *st, int64_t from_ns, int64_t to_ns, int by, report_t *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->by = by;
	r->from_ns = floor_to(from_ns, NS_PER_MIN);
	r->to_ns = floor_to(to_ns, NS_PER_MIN) == to_ns ? to_ns : floor_to(to_ns, NS_PER_MIN) + NS_PER_MIN;
	rstats_init(&r->total);
	dims_t dims;
	if (store_dims_load(st, &dims)) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	/* One rstats per dimension first (cheap to index), grouped at the end. */
	rstats *per_dim = xcalloc((size_t)(dims.n ? dims.n : 1), sizeof *per_dim);
	int rc = store_window_per_dim(st, r->from_ns, r->to_ns, &dims, per_dim);
	if (rc) {
		snprintf(err, errlen, "%s: %s", st->path, rc == -2 ? "corrupt rollup row" : sqlite3_errmsg(st->db));
	} else {
		strmap groups, unpriced;
		strmap_init(&groups);
		strmap_init(&unpriced);
		size_t cap = 0;
		sbuf kb = SBUF_INIT;
		for (int64_t d = 1; d < dims.n; d++) {
			if (!per_dim[d].calls)
				continue;
			group_key(&dims.v[d], by, &kb);
			const char *key = sb_str(&kb);
			intptr_t gi = (intptr_t)strmap_get(&groups, key);
			if (!gi) {
				if (r->n == cap) {
					cap = cap ? cap * 2 : 16;
					r->groups = xrealloc(r->groups, cap * sizeof *r->groups);
				}
				r->groups[r->n].key = xstrdup(key);
				rstats_init(&r->groups[r->n].s);
				gi = (intptr_t)++r->n;
				strmap_put(&groups, key, (void *)gi);
			}
			rstats_merge(&r->groups[gi - 1].s, &per_dim[d]);
			rstats_merge(&r->total, &per_dim[d]);
			if (per_dim[d].unpriced && !strmap_get(&unpriced, dims.v[d].model)) {
				strmap_put(&unpriced, dims.v[d].model, (void *)1);
				r->unpriced_models = xrealloc(r->unpriced_models,
							      (r->n_unpriced_models + 1) * sizeof *r->unpriced_models);
				r->unpriced_models[r->n_unpriced_models++] = xstrdup(dims.v[d].model);
			}
		}
		sb_free(&kb);
		strmap_free(&groups, NULL);
		strmap_free(&unpriced, NULL);
		if (r->n)
			qsort(r->groups, r->n, sizeof *r->groups, cmp_groups);
		/* By name: the same list whatever order a backend keeps its dimensions in. */
		if (r->n_unpriced_models > 1)
			qsort(r->unpriced_models, r->n_unpriced_models, sizeof *r->unpriced_models, cmp_names);
	}
	for (int64_t d = 0; d < dims.n; d++)
		rstats_free(&per_dim[d]);
	free(per_dim);
	store_dims_free(&dims);
	if (rc)
		report_free(r);
	return rc ? -1 : 0;
}

void report_free(report_t *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->groups[i].key);
		rstats_free(&r->groups[i].s);
	}
	free(r->groups);
	for (size_t i = 0; i < r->n_unpriced_models; i++)
		free(r->unpriced_models[i]);
	free(r->unpriced_models);
	rstats_free(&r->total);
	memset(r, 0, sizeof *r);
}
