/* The providers' usage and cost reports: parsing, storing, summing. The
 * poller that fetches them is in usage_poll.c. */
#include "usage.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/clock.h"
#include "provider_internal.h"
#include "store_internal.h"

/* ---- parsing ----------------------------------------------------------- */

int usage_decimal(const char *s, int scale, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	uint64_t m = 0;
	int e10 = 0, any = 0;
	/* 17 significant digits are kept; more only move the decimal point
	 * (integer part) or are dropped (fraction): no amount needs them. */
	for (; isdigit((unsigned char)*p); p++) {
		any = 1;
		if (m < 10000000000000000ULL)
			m = m * 10 + (uint64_t)(*p - '0');
		else
			e10++;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			any = 1;
			if (m < 10000000000000000ULL) {
				m = m * 10 + (uint64_t)(*p - '0');
				e10--;
			}
		}
	}
	if (!any)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		int eneg = 0, ev = 0, edig = 0;
		if (*p == '-' || *p == '+')
			eneg = *p++ == '-';
		for (; isdigit((unsigned char)*p); p++, edig++)
			if (ev < 1000)
				ev = ev * 10 + (*p - '0');
		if (!edig)
			return -1;
		e10 += eneg ? -ev : ev;
	}
	if (*p)
		return -1;
	int shift = scale + e10;
	if (shift >= 0) {
		for (; shift > 0; shift--) {
			if (m > (uint64_t)INT64_MAX / 10)
				return -1;
			m *= 10;
		}
	} else if (-shift > 18) {
		m = 0;
	} else {
		uint64_t div = 1;
		for (int i = 0; i < -shift; i++)
			div *= 10;
		uint64_t q = m / div, r = m % div;
		m = q + (r * 2 >= div ? 1 : 0); /* half away from zero */
	}
	if (m > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)m : (int64_t)m;
	return 0;
}

int usage_bad(usage_pctx *c, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: not the documented shape: %s", c->endpoint, what);
	return -1;
}

int usage_tokens(usage_pctx *c, const cJSON *o, const char *name, int64_t def, int64_t *out, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!v || cJSON_IsNull(v)) {
		if (def < 0)
			return usage_bad(c, "%s has no %s", where, name);
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9e15 || v->valuedouble != floor(v->valuedouble))
		return usage_bad(c, "%s.%s is not a token count", where, name);
	*out = (int64_t)v->valuedouble;
	return 0;
}

char *usage_row_model(const cJSON *r)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "model");
	return xstrdup(cJSON_IsString(m) && m->valuestring ? m->valuestring : "");
}

int usage_is_usd(const cJSON *cur)
{
	return !cur || cJSON_IsNull(cur) || (cJSON_IsString(cur) && !strcasecmp(cur->valuestring, "usd"));
}

int usage_amount(usage_pctx *c, const cJSON *v, int scale, int64_t *out, const char *where)
{
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble * pow(10, scale);
		if (!isfinite(d) || fabs(d) > 9e18)
			return usage_bad(c, "%s is out of range", where);
		*out = llround(d);
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring && usage_decimal(v->valuestring, scale, out) == 0)
		return 0;
	return usage_bad(c, "%s is not a number", where);
}

/* The bucket's range, in the names and form of the provider's reports. */
static int bucket_times(usage_pctx *c, const provider_ops *ops, const cJSON *b, int64_t *start, int64_t *end,
			const char *where)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(b, ops->time_from);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(b, ops->time_to);
	if (!ops->rfc3339) {
		/* Up to the year 9999: anything later is no time a bill covers. */
		if (!cJSON_IsNumber(s) || !cJSON_IsNumber(e) || !(fabs(s->valuedouble) < 253402300800.0) ||
		    !(fabs(e->valuedouble) < 253402300800.0))
			return usage_bad(c, "%s has no %s and %s in Unix seconds", where, ops->time_from, ops->time_to);
		*start = (int64_t)s->valuedouble;
		*end = (int64_t)e->valuedouble;
	} else {
		int64_t sn, en;
		if (!cJSON_IsString(s) || !cJSON_IsString(e) ||
		    clock_parse_rfc3339(s->valuestring, strlen(s->valuestring), &sn) ||
		    clock_parse_rfc3339(e->valuestring, strlen(e->valuestring), &en))
			return usage_bad(c, "%s has no %s and %s in RFC 3339", where, ops->time_from, ops->time_to);
		*start = sn / NS_PER_S;
		*end = en / NS_PER_S;
	}
	if (*start < 0 || *end <= *start)
		return usage_bad(c, "%s ends before it starts", where);
	return 0;
}

static int parse_bucket(usage_pctx *c, const provider_ops *ops, int kind, const cJSON *b, usage_bucket *o,
			const char *where)
{
	if (!cJSON_IsObject(b))
		return usage_bad(c, "%s is not an object", where);
	if (bucket_times(c, ops, b, &o->start, &o->end, where))
		return -1;
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(b, "results");
	if (!cJSON_IsArray(rs))
		return usage_bad(c, "%s has no results array", where);
	int n = cJSON_GetArraySize(rs), i = 0;
	if (kind == UK_USAGE && n)
		o->rows = xcalloc((size_t)n, sizeof *o->rows);
	const cJSON *r;
	cJSON_ArrayForEach(r, rs)
	{
		char w[128];
		snprintf(w, sizeof w, "%s.results[%d]", where, i++);
		if (!cJSON_IsObject(r))
			return usage_bad(c, "%s is not an object", w);
		if (kind == UK_COST) {
			int64_t v;
			if (ops->cost_row(c, r, &v, w))
				return -1;
			if (__builtin_add_overflow(o->cost_nusd, v, &o->cost_nusd))
				return usage_bad(c, "%s: the amounts overflow", w);
		} else {
			usage_row *row = &o->rows[o->nrows];
			if (ops->usage_row(c, r, row, w))
				return -1;
			o->nrows++;
		}
	}
	return 0;
}

/* The most values a page may hold. A parsed value costs cJSON some 80
 * bytes whatever its text, so a body of "0,0,0,..." within the size cap
 * would still take hundreds of megabytes as a tree; a real page of a week
 * of hours for dozens of models holds some 150,000. */
#define MAX_VALUES 1000000

/* Values in a JSON text, counted without parsing it: one per comma and per
 * opening bracket, outside strings (an upper bound, which is what matters). */
static size_t count_values(const char *p, size_t len, size_t stop_after)
{
	size_t n = 1;
	int in_str = 0;
	for (size_t i = 0; i < len && n <= stop_after; i++) {
		char ch = p[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == ',' || ch == '[' || ch == '{') {
			n++;
		}
	}
	return n;
}

int usage_parse(const provider_ops *ops, int kind, const char *endpoint, const char *body, size_t len, usage_page *out,
		char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->kind = kind;
	usage_pctx c = {endpoint, err, errlen};
	if (count_values(body, len, MAX_VALUES) > MAX_VALUES) {
		snprintf(err, errlen, "%s: the body holds more than %d values; not read", endpoint, MAX_VALUES);
		return -1;
	}
	cJSON *doc = cJSON_ParseWithLength(body, len);
	if (!doc) {
		snprintf(err, errlen, "%s: the body is not JSON", endpoint);
		return -1;
	}
	int rc = -1;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(doc, "object");
	const cJSON *more = cJSON_GetObjectItemCaseSensitive(doc, "has_more");
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(doc, "next_page");
	if (!cJSON_IsObject(doc)) {
		usage_bad(&c, "the body is not an object");
	} else if (obj && !(cJSON_IsString(obj) && !strcmp(obj->valuestring, "page"))) {
		usage_bad(&c, "object is not \"page\"");
	} else if (!cJSON_IsArray(data)) {
		usage_bad(&c, "no data array");
	} else if (more && !cJSON_IsBool(more)) {
		usage_bad(&c, "has_more is not true or false");
	} else if (next && !cJSON_IsNull(next) && !cJSON_IsString(next)) {
		usage_bad(&c, "next_page is not a string");
	} else {
		int n = cJSON_GetArraySize(data), i = 0;
		out->v = xcalloc(n ? (size_t)n : 1, sizeof *out->v);
		rc = 0;
		const cJSON *b;
		cJSON_ArrayForEach(b, data)
		{
			char w[32];
			snprintf(w, sizeof w, "data[%d]", i++);
			usage_bucket *ub = &out->v[out->n++];
			if (parse_bucket(&c, ops, kind, b, ub, w)) {
				rc = -1;
				break;
			}
		}
		if (rc == 0) {
			out->has_more = cJSON_IsTrue(more);
			if (cJSON_IsString(next) && next->valuestring[0])
				out->next_page = xstrdup(next->valuestring);
			/* More pages and no cursor to ask for them with: the end. */
			if (!out->next_page)
				out->has_more = 0;
		}
	}
	cJSON_Delete(doc);
	if (rc)
		usage_page_free(out);
	return rc;
}

void usage_page_free(usage_page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		for (size_t k = 0; k < p->v[i].nrows; k++)
			free(p->v[i].rows[k].model);
		free(p->v[i].rows);
	}
	free(p->v);
	free(p->next_page);
	int kind = p->kind;
	memset(p, 0, sizeof *p);
	p->kind = kind;
}

/* ---- the store --------------------------------------------------------- */

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

typedef struct put_stmts {
	sqlite3_stmt *del, *ins, *cost, *prune;
} put_stmts;

static int put_usage(put_stmts *ps, const char *provider, int width_s, const usage_bucket *b, int64_t fetched_s)
{
	sqlite3_bind_text(ps->del, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int(ps->del, 2, width_s);
	sqlite3_bind_int64(ps->del, 3, b->start);
	if (step_done(ps->del))
		return -1;
	static const usage_row none = {.model = "", .requests = -1};
	size_t n = b->nrows ? b->nrows : 1;
	for (size_t i = 0; i < n; i++) {
		const usage_row *r = b->nrows ? &b->rows[i] : &none;
		sqlite3_stmt *s = ps->ins;
		sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, width_s);
		sqlite3_bind_int64(s, 3, b->start);
		sqlite3_bind_int64(s, 4, b->end);
		sqlite3_bind_text(s, 5, r->model, -1, SQLITE_STATIC);
		if (r->requests < 0)
			sqlite3_bind_null(s, 6);
		else
			sqlite3_bind_int64(s, 6, r->requests);
		sqlite3_bind_int64(s, 7, r->input_tokens);
		sqlite3_bind_int64(s, 8, r->cached_tokens);
		sqlite3_bind_int64(s, 9, r->cache_write_tokens);
		sqlite3_bind_int64(s, 10, r->output_tokens);
		sqlite3_bind_int64(s, 11, fetched_s);
		if (step_done(s))
			return -1;
	}
	return 0;
}

static int put_cost(put_stmts *ps, const char *provider, int width_s, const usage_bucket *b, int64_t fetched_s)
{
	sqlite3_stmt *s = ps->cost;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, width_s);
	sqlite3_bind_int64(s, 3, b->start);
	sqlite3_bind_int64(s, 4, b->end);
	sqlite3_bind_int64(s, 5, b->cost_nusd);
	sqlite3_bind_int64(s, 6, fetched_s);
	return step_done(s);
}

static int prepare(store_t *st, const char *sql, sqlite3_stmt **s)
{
	return sqlite3_prepare_v2(st->db, sql, -1, s, NULL) == SQLITE_OK ? 0 : -1;
}

int sq_usage_store_page(store_t *st, const char *provider, int width_s, const usage_page *pg, int64_t fetched_s,
			char *err, size_t errlen)
{
	/* A few pages a minute at most: statements are prepared per page. */
	put_stmts ps = {0};
	int rc = prepare(st, "DELETE FROM usage_buckets WHERE provider=? AND width=? AND start_s=?", &ps.del) ||
		 /* Two results of one model in a bucket (a grouping the
		  * provider added) are one row: they add up. */
		 prepare(st,
			 "INSERT INTO usage_buckets(provider, width, start_s, end_s, model, requests, input_tokens,"
			 " cached_tokens, cache_write_tokens, output_tokens, fetched_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)"
			 " ON CONFLICT(provider, width, start_s, model) DO UPDATE SET"
			 " requests = CASE WHEN requests IS NULL AND excluded.requests IS NULL THEN NULL"
			 "   ELSE coalesce(requests, 0) + coalesce(excluded.requests, 0) END,"
			 " input_tokens = input_tokens + excluded.input_tokens,"
			 " cached_tokens = cached_tokens + excluded.cached_tokens,"
			 " cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,"
			 " output_tokens = output_tokens + excluded.output_tokens",
			 &ps.ins) ||
		 prepare(st,
			 "INSERT OR REPLACE INTO cost_buckets(provider, width, start_s, end_s, cost_nusd, fetched_at)"
			 " VALUES(?,?,?,?,?,?)",
			 &ps.cost) ||
		 /* Minute buckets older than two days whose hour bucket is in:
		  * the hour says the same, and sums stay quick over long windows. */
		 prepare(st,
			 "DELETE FROM usage_buckets WHERE provider=?1 AND width=60 AND start_s<?2 AND EXISTS("
			 " SELECT 1 FROM usage_buckets h WHERE h.provider=?1 AND h.width=3600"
			 " AND h.start_s = usage_buckets.start_s - usage_buckets.start_s % 3600)",
			 &ps.prune);
	if (!rc)
		rc = store_begin(st, err, errlen);
	else
		snprintf(err, errlen, "store: %s", sqlite3_errmsg(st->db));
	int began = !rc;
	for (size_t i = 0; i < pg->n && !rc; i++)
		rc = pg->kind == UK_COST ? put_cost(&ps, provider, width_s, &pg->v[i], fetched_s)
					 : put_usage(&ps, provider, width_s, &pg->v[i], fetched_s);
	if (!rc && pg->kind == UK_USAGE && width_s == 3600) {
		sqlite3_bind_text(ps.prune, 1, provider, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ps.prune, 2, fetched_s - 2 * 86400);
		rc = step_done(ps.prune);
	}
	if (rc && began) {
		snprintf(err, errlen, "store: %s", sqlite3_errmsg(st->db));
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->in_txn = 0;
	}
	sqlite3_finalize(ps.del);
	sqlite3_finalize(ps.ins);
	sqlite3_finalize(ps.cost);
	sqlite3_finalize(ps.prune);
	if (rc)
		return -1;
	return store_commit(st, err, errlen);
}

int64_t sq_usage_fetch_start(store_t *st, const char *provider, int kind, int width_s, int64_t from_s, int64_t to_s,
			     int64_t settle_s)
{
	sqlite3_stmt *s;
	if (prepare(st,
		    kind == UK_COST ? "SELECT start_s, end_s, fetched_at FROM cost_buckets"
				      " WHERE provider=? AND width=? AND start_s>=? AND start_s<? ORDER BY start_s"
				    : "SELECT start_s, max(end_s), min(fetched_at) FROM usage_buckets"
				      " WHERE provider=? AND width=? AND start_s>=? AND start_s<? GROUP BY start_s ORDER BY start_s",
		    &s))
		return from_s;
	sqlite3_bind_text(s, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, width_s);
	sqlite3_bind_int64(s, 3, from_s);
	sqlite3_bind_int64(s, 4, to_s);
	int64_t t = from_s;
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t start = sqlite3_column_int64(s, 0), end = sqlite3_column_int64(s, 1),
			fetched = sqlite3_column_int64(s, 2);
		if (start > t)
			break; /* a gap: never fetched */
		if (fetched < end + settle_s) {
			t = start; /* may still change */
			break;
		}
		if (end > t)
			t = end;
	}
	sqlite3_finalize(s);
	return t < to_s ? t : to_s;
}

/* ---- sums -------------------------------------------------------------- */

typedef struct dayrep {
	const char *provider;
	int64_t day;      /* Unix days */
	int64_t cost;     /* the report */
	int64_t est;      /* the day's tokens priced */
	int final;        /* fetched long enough after the day ended */
	int unpriced;
} dayrep;

static usage_prov *prov_of(usage_sum *s, const char *name)
{
	for (size_t i = 0; i < s->nprovs; i++)
		if (!strcmp(s->provs[i].provider, name))
			return &s->provs[i];
	s->provs = xrealloc(s->provs, (s->nprovs + 1) * sizeof *s->provs);
	usage_prov *p = &s->provs[s->nprovs++];
	memset(p, 0, sizeof *p);
	p->provider = xstrdup(name);
	p->first_s = p->first_usage_s = -1;
	return p;
}

static usage_model *model_of_sum(usage_sum *s, const char *provider, const char *model)
{
	for (size_t i = 0; i < s->nmodels; i++)
		if (!strcmp(s->models[i].provider, provider) && !strcmp(s->models[i].model, model))
			return &s->models[i];
	s->models = xrealloc(s->models, (s->nmodels + 1) * sizeof *s->models);
	usage_model *m = &s->models[s->nmodels++];
	memset(m, 0, sizeof *m);
	m->provider = xstrdup(provider);
	m->model = xstrdup(model);
	m->requests = -1;
	return m;
}

static int cmp_provs(const void *a, const void *b)
{
	return strcmp(((const usage_prov *)a)->provider, ((const usage_prov *)b)->provider);
}

static int cmp_models(const void *a, const void *b)
{
	const usage_model *x = a, *y = b;
	int c = strcmp(x->provider, y->provider);
	if (c)
		return c;
	if (x->est_nusd != y->est_nusd)
		return x->est_nusd > y->est_nusd ? -1 : 1;
	return strcmp(x->model, y->model);
}

/* Sums of money and tokens stop at the largest value instead of wrapping. */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

static int sql_fail(store_t *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "usage: %s", sqlite3_errmsg(st->db));
	return -1;
}

int sq_usage_summarize(store_t *st, pricing_t *prices, int64_t from_ns, int64_t to_ns, usage_sum *out, char *err,
		       size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->from_ns = from_ns;
	out->to_ns = to_ns;
	/* Buckets that start in the window: [from, to) rounded up to seconds. */
	int64_t from = (from_ns + NS_PER_S - 1) / NS_PER_S, to = (to_ns + NS_PER_S - 1) / NS_PER_S;
	sqlite3_stmt *q;
	int rc;

	/* Cost reports: whole days inside the window replace the estimate. */
	dayrep *days = NULL;
	size_t ndays = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT provider, start_s, end_s, cost_nusd, fetched_at FROM cost_buckets"
			       " WHERE width=86400 AND start_s>=? AND start_s<? ORDER BY provider, start_s",
			       -1, &q, NULL) != SQLITE_OK)
		return sql_fail(st, err, errlen);
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		usage_prov *p = prov_of(out, (const char *)sqlite3_column_text(q, 0));
		int64_t start = sqlite3_column_int64(q, 1), end = sqlite3_column_int64(q, 2), c = sqlite3_column_int64(q, 3);
		p->has_cost = 1;
		p->cost_report_nusd = sat_add(p->cost_report_nusd, c);
		if (end <= to) {
			days = xrealloc(days, (ndays + 1) * sizeof *days);
			days[ndays++] = (dayrep){p->provider, start / 86400, c, 0,
						 sqlite3_column_int64(q, 4) >= end + USAGE_COST_FINAL_S, 0};
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(days);
		usage_sum_free(out);
		return sql_fail(st, err, errlen);
	}

	/* Tokens, each hour once: the hour bucket where the minutes are not
	 * all there, the minutes everywhere else. */
	/* An hour bucket that starts before the window counts for the part of
	 * it inside (the traces of those minutes are in the window), unless
	 * the minutes of that part are all there. Sums run in floating point
	 * and are clamped: no count of tokens wraps around. */
	if (sqlite3_prepare_v2(
		st->db,
		/* Per provider and hour: whether an hour bucket is there and
		 * how many minutes; then, per hour, the buckets it takes, found
		 * through the primary key (joins against a scanned list of hours
		 * made a month's sum take seconds). */
		"WITH d AS (SELECT provider, start_s/3600 AS h, max(width=3600) AS hh,"
		"   count(DISTINCT CASE WHEN width=60 AND start_s>=?1 THEN start_s END) AS n FROM usage_buckets"
		"   WHERE start_s>?1-3600 AND start_s<?2 GROUP BY 1, 2),"
		" pick AS (SELECT provider, h, CASE WHEN hh AND n < CASE WHEN h*3600 < ?1 THEN (h*3600 + 3600 - ?1 + 59)/60"
		"   ELSE 60 END THEN 3600 ELSE 60 END AS width FROM d),"
		" w AS (SELECT u.*, CASE WHEN u.start_s < ?1 THEN (u.start_s + u.width - ?1) * 1.0 / u.width ELSE 1.0 END AS f"
		"   FROM pick JOIN usage_buckets u ON u.provider=pick.provider AND u.width=pick.width"
		"    AND u.start_s >= CASE WHEN pick.width=60 THEN max(pick.h*3600, ?1) ELSE pick.h*3600 END"
		"    AND u.start_s < min(pick.h*3600 + 3600, ?2))"
		" SELECT provider, model, start_s/86400, round(sum(requests*f)), min(round(sum(input_tokens*f)), 1e15),"
		"  min(round(sum(cached_tokens*f)), 1e15), min(round(sum(output_tokens*f)), 1e15)"
		" FROM w GROUP BY 1, 2, 3",
		-1, &q, NULL) != SQLITE_OK) {
		free(days);
		usage_sum_free(out);
		return sql_fail(st, err, errlen);
	}
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *prov = (const char *)sqlite3_column_text(q, 0), *model = (const char *)sqlite3_column_text(q, 1);
		int64_t day = sqlite3_column_int64(q, 2);
		int64_t in = sqlite3_column_int64(q, 4), cached = sqlite3_column_int64(q, 5), outt = sqlite3_column_int64(q, 6);
		usage_prov *p = prov_of(out, prov);
		p->has_usage = 1;
		if (!in && !outt && sqlite3_column_type(q, 3) == SQLITE_NULL && !*model)
			continue; /* markers of buckets with nothing in them */
		usage_model *m = model_of_sum(out, prov, model);
		if (sqlite3_column_type(q, 3) != SQLITE_NULL)
			m->requests = sat_add(m->requests < 0 ? 0 : m->requests, sqlite3_column_int64(q, 3));
		m->input_tokens = sat_add(m->input_tokens, in);
		m->cached_tokens = sat_add(m->cached_tokens, cached);
		m->output_tokens = sat_add(m->output_tokens, outt);
		const price_t *pr = *model && prices ? pricing_lookup(prices, model) : NULL;
		/* Cache writes are priced as input, as the traces' costs are
		 * (the README's formula): the two estimates compare like for like. */
		int64_t est = pr ? price_cost_nusd(pr, in, cached, outt) : 0;
		int unpriced = !pr && (in || outt);
		m->unpriced |= unpriced;
		m->est_nusd = sat_add(m->est_nusd, est);
		dayrep *dr = NULL;
		for (size_t i = 0; i < ndays && !dr; i++)
			if (days[i].day == day && !strcmp(days[i].provider, prov))
				dr = &days[i];
		if (dr) {
			dr->est = sat_add(dr->est, est);
			dr->unpriced |= unpriced;
		} else {
			p->estimated_nusd = sat_add(p->estimated_nusd, est);
			p->unpriced |= unpriced;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(days);
		usage_sum_free(out);
		return sql_fail(st, err, errlen);
	}
	/* A day's report fetched soon after the day ended may still be short
	 * of late usage: until it is final, the larger of it and the day's
	 * priced tokens counts. */
	for (size_t i = 0; i < ndays; i++) {
		usage_prov *p = prov_of(out, days[i].provider);
		if (days[i].final || days[i].cost >= days[i].est) {
			p->reported_nusd = sat_add(p->reported_nusd, days[i].cost);
		} else {
			p->estimated_nusd = sat_add(p->estimated_nusd, days[i].est);
			p->unpriced |= days[i].unpriced;
		}
	}
	free(days);

	/* How far back the numbers of each provider in the window go (a window
	 * reaching further says so): the first key of each stream, through the
	 * primary key, not a scan of every bucket. */
	if (sqlite3_prepare_v2(st->db,
			       "SELECT (SELECT min(start_s) FROM usage_buckets WHERE provider=?1 AND width=60),"
			       " (SELECT min(start_s) FROM usage_buckets WHERE provider=?1 AND width=3600),"
			       " (SELECT min(start_s) FROM cost_buckets WHERE provider=?1 AND width=86400)",
			       -1, &q, NULL) != SQLITE_OK) {
		usage_sum_free(out);
		return sql_fail(st, err, errlen);
	}
	for (size_t i = 0; i < out->nprovs; i++) {
		usage_prov *p = &out->provs[i];
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, p->provider, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(q)) != SQLITE_ROW)
			break;
		int64_t v[3];
		for (int k = 0; k < 3; k++)
			v[k] = sqlite3_column_type(q, k) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, k);
		p->first_usage_s = v[0] < 0 ? v[1] : v[1] < 0 || v[0] < v[1] ? v[0] : v[1];
		p->first_s = p->first_usage_s < 0 ? v[2] : v[2] < 0 || p->first_usage_s < v[2] ? p->first_usage_s : v[2];
	}
	sqlite3_finalize(q);
	if (out->nprovs && rc != SQLITE_ROW) {
		usage_sum_free(out);
		return sql_fail(st, err, errlen);
	}
	if (out->nprovs)
		qsort(out->provs, out->nprovs, sizeof *out->provs, cmp_provs);
	if (out->nmodels)
		qsort(out->models, out->nmodels, sizeof *out->models, cmp_models);
	return 0;
}

void usage_sum_free(usage_sum *s)
{
	for (size_t i = 0; i < s->nmodels; i++) {
		free(s->models[i].provider);
		free(s->models[i].model);
	}
	for (size_t i = 0; i < s->nprovs; i++)
		free(s->provs[i].provider);
	free(s->models);
	free(s->provs);
	memset(s, 0, sizeof *s);
}
