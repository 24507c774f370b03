/* The store on ClickHouse: the read path, and the store_ops table that puts
 * it (with ch_write.c's inserts) behind the same calls as the SQLite store.
 *
 * Every query is in the SQL that ClickHouse 18.16 and current releases
 * share, with literals escaped here (ch_quote) and never spliced raw.
 * - The dashboard, reports and changes read the rollups (-Merge of the
 *   AggregatingMergeTree states), never the calls: a window costs its
 *   buckets, not its calls. Percentiles come from the rollups' histograms
 *   (core/hist buckets), within the histogram's stated error.
 * - A page of the trace list is read in two phases: the page's keys first
 *   (ts, span id and the sort column, from the time-ordered table, no text),
 *   then those rows' columns and the start of their output, so that a page
 *   never reads the text of every matching call.
 * - Text search scans the window newest first (the calls table is ordered by
 *   time), case-insensitively, and stops at the page's size.
 *
 * A call has no integer id in ClickHouse: the store id the console passes
 * around is 63 bits of cityHash64(span_id). The calls a page returned are
 * remembered (id -> ts and span id), so that opening one reads one granule;
 * an id not remembered is looked up by its hash, a scan. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../core/clock.h"
#include "../core/demo.h"
#include "../core/genai.h"
#include "../core/hist.h"
#include "ch.h"
#include "file.h"
#include "store_internal.h"

#define ID_EXPR "bitAnd(cityHash64(span_id), 9223372036854775807)"

struct ch_store {
	ch_conn *c;
	store_t *local; /* the console's own state: replays, labels, templates, billed usage */
	body_codec *codec; /* a dictionary the ingester trained and handed over (bodies go as text) */
	u64map dim_id; /* dimension hash -> id of the last store_dims_load */
	uint64_t *dim_hash; /* id -> hash */
	int64_t ndims;
	/* The first and last minute of each dimension in the hours a changes
	 * computation asked about: one query an hour, for every dimension. */
	struct edge_min {
		int64_t hour, dim, first, last;
	} *edges;
	size_t nedges, edges_cap;
	int64_t *edge_hours;
	size_t nedge_hours;
	int in_changes;
	int64_t data_from_s; /* during a changes computation: no rollup row before (0 unknown) */
	uint64_t seen_count; /* for store_changed */
	int64_t seen_last;
	char err[512]; /* the last failure, for the generic bodies' messages */
};

/* ---- ids of calls -------------------------------------------------------- */

typedef struct seen_call {
	int64_t id, ts;
	char span[33];
} seen_call;

/* Shared by every connection of the process (the querier's pages are opened
 * on the console's): a small open-addressing table, the oldest entries
 * overwritten. */
#define SEEN_CAP 65536
static seen_call seen[SEEN_CAP];
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;

static void seen_put(int64_t id, int64_t ts, const char *span)
{
	pthread_mutex_lock(&seen_mu);
	seen_call *s = &seen[(uint64_t)id % SEEN_CAP];
	s->id = id;
	s->ts = ts;
	snprintf(s->span, sizeof s->span, "%s", span);
	pthread_mutex_unlock(&seen_mu);
}

static int seen_get(int64_t id, int64_t *ts, char *span)
{
	pthread_mutex_lock(&seen_mu);
	seen_call *s = &seen[(uint64_t)id % SEEN_CAP];
	int hit = s->id == id && id;
	if (hit) {
		*ts = s->ts;
		memcpy(span, s->span, sizeof s->span);
	}
	pthread_mutex_unlock(&seen_mu);
	return hit;
}

/* ---- helpers --------------------------------------------------------------- */

static ch_conn *conn(store_t *st)
{
	return st->chs->c;
}

static int fail(store_t *st, const char *what, const char *why, char *err, size_t errlen)
{
	sbuf m = SBUF_INIT;
	sb_printf(&m, "%s: %s: %s", st->path, what, why);
	snprintf(st->chs->err, sizeof st->chs->err, "%s", sb_str(&m));
	sb_free(&m);
	if (err)
		snprintf(err, errlen, "%s", st->chs->err);
	return -1;
}

static int64_t num(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

static uint64_t unum(const char *s)
{
	return s && *s != '-' ? strtoull(s, NULL, 10) : 0;
}

/* A decimal number at *p (digits only), *p past it; 0 when none. */
static uint64_t digits(const char **p, int *ok)
{
	const char *s = *p;
	uint64_t v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	*ok = s != *p;
	*p = s;
	return v;
}

/* A histogram as text "([1,2],[3,4])" (bucket indices, then their counts,
 * in any order) into h, with the exact min, max and sum. A frame reads
 * thousands of buckets this way, so they are parsed by hand and added in
 * one sorted merge. */
static void hist_from_text(hist_t *h, const char *map, const char *mn, const char *mx, const char *sum)
{
	if (!map)
		return;
	const char *p = strchr(map, '[');
	const char *q = p ? strchr(p, ']') : NULL;
	const char *c = q ? strchr(q + 1, '[') : NULL;
	if (!c)
		return;
	p++;
	c++;
	size_t n = 0, cap = 0;
	hist_bucket *b = NULL;
	while (p < q && *c && *c != ']') {
		int ok1, ok2;
		uint64_t idx = digits(&p, &ok1), cnt = digits(&c, &ok2);
		if (!ok1 || !ok2)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			b = xrealloc(b, cap * sizeof *b);
		}
		b[n].idx = idx < UINT32_MAX ? (uint32_t)idx : UINT32_MAX;
		b[n++].n = cnt;
		p += *p == ',';
		c += *c == ',';
	}
	if (n)
		hist_add_buckets(h, b, n, strtod(mn, NULL), strtod(mx, NULL), strtod(sum, NULL));
	free(b);
}

/* The columns a rollup read gives after its key columns: the counts, then
 * the two histograms as (min, max, sum, sumMap-like text "([b,..],[n,..])"). */
#define ROLLUP_NCOLS 15

#define RES_3H RES_COUNT /* the histograms' three-hour blocks (hist_3h) */
static const char *const res_suffix[RES_COUNT + 1] = {"1m", "1h", "1d", "3h"};

/* The histograms' ranges: the hours' whole three-hour blocks from hist_3h,
 * whose rows are about half as many as the three hours'. At most 3 * nr. */
static int hist_ranges(const rrange *r, int nr, rrange *out)
{
	int n = 0;
	for (int i = 0; i < nr; i++) {
		int64_t b0 = (r[i].from + 10799) / 10800 * 10800, b1 = r[i].to / 10800 * 10800;
		if (r[i].res != RES_1H || b0 >= b1) {
			out[n++] = r[i];
			continue;
		}
		if (r[i].from < b0)
			out[n++] = (rrange){RES_1H, r[i].from, b0};
		out[n++] = (rrange){RES_3H, b0, b1};
		if (b1 < r[i].to)
			out[n++] = (rrange){RES_1H, b1, r[i].to};
	}
	return n;
}

/* Rows of one kind of table ("rollup_", "hist_", "errors_") over the
 * ranges, one SELECT a resolution (its ranges ORed, and `cond` when not
 * NULL), the SELECTs joined by UNION ALL; the histograms' hours in
 * three-hour blocks where they hold whole ones. */
static void ranges_union(sbuf *q, const char *table, const char *cols, const rrange *r, int nr, const char *cond)
{
	rrange *hr = NULL;
	if (!strcmp(table, "hist_")) {
		hr = xcalloc((size_t)(3 * nr + 1), sizeof *hr);
		nr = hist_ranges(r, nr, hr);
		r = hr;
	}
	int first = 1;
	for (int res = 0; res <= RES_3H; res++) {
		int any = 0;
		for (int i = 0; i < nr; i++) {
			if (r[i].res != res)
				continue;
			if (!any)
				sb_printf(q, "%sSELECT %s FROM %s%s WHERE (", first ? "" : " UNION ALL ", cols, table,
					  res_suffix[res]);
			sb_printf(q, "%s(t >= %lld AND t < %lld)", any ? " OR " : "", (long long)r[i].from,
				  (long long)r[i].to);
			any = 1;
			first = 0;
		}
		if (any)
			sb_printf(q, ")%s%s", cond ? " AND " : "", cond ? cond : "");
	}
	free(hr);
}

/* A rollup read over ranges (of one or several resolutions: a window is the
 * coarsest rollups that cover it and finer ones at its edges), summed on the
 * server and grouped by `keys` (the aliases `exprs` defines over the columns
 * t and dim: "dim", or "t, dim"), every column as text (so that reads of
 * several kinds share one UNION ALL): `head` first (a tag, the keys), then
 * the ROLLUP_NCOLS columns. The histograms come from the hist_ tables
 * (sum(n) by bucket, far quicker on ClickHouse 18.16 than merging the
 * rollups' sumMap states), joined on the keys; the exact min, max and sum
 * from the rollups. With lean, no TTFT: its columns are empty and its
 * states are not merged (nor, in a pieces read, the errors by type).
 * Every joined subquery here is named (ClickHouse 20.5 and newer refuse
 * them unnamed). */
/* The merged rollup states as text: the counts and the latency's min, max
 * and sum, then the TTFT's. */
#define ROLLUP_LAT \
	" toString(minIfMerge(lat_min)) AS c_lmin, toString(maxIfMerge(lat_max)) AS c_lmax," \
	" toString(sumIfMerge(lat_sum)) AS c_lsum"
#define ROLLUP_COUNTS \
	" toString(sumMerge(calls)) AS c_calls, toString(sumMerge(errors)) AS c_errors," \
	" toString(sumMerge(tokens_in)) AS c_tin, toString(sumMerge(tokens_cached)) AS c_tcached," \
	" toString(sumMerge(tokens_out)) AS c_tout, toString(sumMerge(cost)) AS c_cost," \
	" toString(sumMerge(unpriced)) AS c_unpriced," ROLLUP_LAT
#define ROLLUP_TTFT \
	" toString(minIfMerge(ttft_min)) AS c_tmin, toString(maxIfMerge(ttft_max)) AS c_tmax," \
	" toString(sumIfMerge(ttft_sum)) AS c_tsum"
#define ROLLUP_STATES_LAT \
	"t, dim, calls, errors, tokens_in, tokens_cached, tokens_out, cost, unpriced, lat_min, lat_max, lat_sum"
#define ROLLUP_STATES ROLLUP_STATES_LAT ", ttft_min, ttft_max, ttft_sum"
static void rollup_select(sbuf *q, const char *head, const rrange *r, int nr, int lean, const char *exprs,
			  const char *keys)
{
	sb_printf(q,
		  "SELECT %s c_calls, c_errors, c_tin, c_tcached, c_tout, c_cost, c_unpriced, c_lmin, c_lmax, c_lsum,"
		  " h_lat, c_tmin, c_tmax, c_tsum, h_ttft FROM (SELECT %s," ROLLUP_COUNTS ", %s FROM (",
		  head, exprs, lean ? "'' AS c_tmin, '' AS c_tmax, '' AS c_tsum" : ROLLUP_TTFT);
	ranges_union(q, "rollup_", lean ? ROLLUP_STATES_LAT : ROLLUP_STATES, r, nr, NULL);
	sb_printf(q,
		  ") GROUP BY %s) AS ro ANY LEFT JOIN (SELECT %s,"
		  " concat('(', toString(groupArrayIf(bucket, kind = 0)), ',', toString(groupArrayIf(n, kind = 0)), ')')"
		  " AS h_lat,"
		  " concat('(', toString(groupArrayIf(bucket, kind = 1)), ',', toString(groupArrayIf(n, kind = 1)), ')')"
		  " AS h_ttft FROM (SELECT %s, kind, bucket, sum(n) AS n FROM (",
		  keys, keys, exprs);
	ranges_union(q, "hist_", "t, dim, kind, bucket, n", r, nr, lean ? "kind = 0" : NULL);
	sb_printf(q, ") GROUP BY %s, kind, bucket) GROUP BY %s) AS hi USING %s", keys, keys, keys);
}

static void add_rollup_cols(rstats *s, char **v, int with_ttft)
{
	s->calls = sat_add_u64(s->calls, unum(v[0]));
	s->errors = sat_add_u64(s->errors, unum(v[1]));
	s->input_tokens = sat_add_u64(s->input_tokens, unum(v[2]));
	s->cached_tokens = sat_add_u64(s->cached_tokens, unum(v[3]));
	s->output_tokens = sat_add_u64(s->output_tokens, unum(v[4]));
	s->cost_nusd = sat_add_i64(s->cost_nusd, num(v[5]));
	s->unpriced = sat_add_u64(s->unpriced, unum(v[6]));
	hist_from_text(&s->lat, v[10], v[7], v[8], v[9]);
	if (with_ttft)
		hist_from_text(&s->ttft, v[14], v[11], v[12], v[13]);
}

typedef struct two_ud {
	int64_t a, b;
	int rows;
} two_ud;

static int two_row(void *ud, char **v, int n)
{
	two_ud *u = ud;
	u->a = n > 0 ? num(v[0]) : 0;
	u->b = n > 1 ? num(v[1]) : 0;
	u->rows++;
	return 0;
}

/* ---- dimensions and windows ---------------------------------------------- */

typedef struct dims_ud {
	store_t *st;
	dims_t *d;
} dims_ud;

static int dim_row_cb(void *ud, char **v, int n)
{
	dims_ud *u = ud;
	struct ch_store *cs = u->st->chs;
	if (n < 6)
		return 0;
	uint64_t h = strtoull(v[0], NULL, 10);
	if (!h || u64map_get(&cs->dim_id, h))
		return 0;
	dims_t *d = u->d;
	int64_t id = d->n ? d->n : 1;
	d->v = xrealloc(d->v, (size_t)(id + 1) * sizeof *d->v);
	if (!d->n)
		memset(&d->v[0], 0, sizeof d->v[0]);
	d->n = id + 1;
	dim_row *r = &d->v[id];
	char **f[5] = {&r->provider, &r->model, &r->prompt_name, &r->prompt_version, &r->feature};
	for (int i = 0; i < 5; i++)
		*f[i] = xstrdup(v[1 + i] ? v[1 + i] : "");
	cs->dim_hash = xrealloc(cs->dim_hash, (size_t)(id + 1) * sizeof *cs->dim_hash);
	cs->dim_hash[id] = h;
	cs->ndims = id + 1;
	u64map_put(&cs->dim_id, h, id);
	return 0;
}

static void dims_reset(struct ch_store *cs)
{
	free(cs->dim_id.keys);
	free(cs->dim_id.vals);
	memset(&cs->dim_id, 0, sizeof cs->dim_id);
	free(cs->dim_hash);
	cs->dim_hash = NULL;
	cs->ndims = 0;
}

static int select_kept(store_t *st, const char *sql, ch_row_fn fn, void *ud, char *err, size_t errlen);

/* Every dimension that served: the day rollups hold one row a dimension a
 * day, far fewer than the calls. */
static int ch_dims_load(store_t *st, dims_t *d)
{
	memset(d, 0, sizeof *d);
	dims_reset(st->chs);
	dims_ud u = {st, d};
	char err[512];
	if (select_kept(st,
			"SELECT dim, any(provider), any(model), any(prompt_name), any(prompt_version), any(feature)"
			" FROM rollup_1d GROUP BY dim ORDER BY dim",
			dim_row_cb, &u, err, sizeof err)) {
		fail(st, "reading the dimensions", err, NULL, 0);
		return -1;
	}
	return 0;
}

static int64_t dim_of(store_t *st, const char *hash)
{
	return u64map_get(&st->chs->dim_id, strtoull(hash, NULL, 10));
}

typedef struct window_ud {
	store_t *st;
	const dims_t *dims;
	rstats *per_dim;
} window_ud;

static int window_row(void *ud, char **v, int n)
{
	window_ud *u = ud;
	if (n < 1 + ROLLUP_NCOLS)
		return 0;
	int64_t id = dim_of(u->st, v[0]);
	if (id <= 0 || id >= u->dims->n)
		return 0;
	add_rollup_cols(&u->per_dim[id], v + 1, 1);
	return 0;
}

static int window_err_row(void *ud, char **v, int n)
{
	window_ud *u = ud;
	if (n < 3)
		return 0;
	int64_t id = dim_of(u->st, v[0]);
	if (id > 0 && id < u->dims->n)
		ecounts_add(&u->per_dim[id].errs, v[1] ? v[1] : "error", unum(v[2]));
	return 0;
}

/* The error counts in the shape of rollup_select's columns: type and
 * count, then blanks. */
#define ERRORS_STR_COLS " error_type, toString(sum(n)), '', '', '', '', '', '', '', '', '', '', '', '', ''"

/* The last windows read per dimension, for a moment: one frame asks the
 * same window several times (the panes, the changes strip, the alert rules
 * on their own connection), and each would be a round trip. Shared by the
 * connections of the process, keyed by the database; emptied by any write
 * through a store and when store_changed sees new calls. */
#define MEMO_S 1.0 /* how long a window read answers again */

static struct window_memo {
	double at; /* clock_mono() of the read, 0 unused */
	char db[512];
	int64_t from, to, ndims;
	uint64_t *hashes;
	rstats *per_dim;
	int lean; /* read without the TTFT histograms and the errors by type */
} memo[8];
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;

static void memo_drop(struct window_memo *m)
{
	for (int64_t d = 0; m->per_dim && d < m->ndims; d++)
		rstats_free(&m->per_dim[d]);
	free(m->per_dim);
	free(m->hashes);
	memset(m, 0, sizeof *m);
}

static unsigned long memo_gen; /* counts the clears: a read that a write overtook is not kept */

static void answers_drop(void);

static void memo_clear(void)
{
	pthread_mutex_lock(&memo_mu);
	memo_gen++;
	for (size_t i = 0; i < sizeof memo / sizeof *memo; i++)
		memo_drop(&memo[i]);
	answers_drop();
	pthread_mutex_unlock(&memo_mu);
}

/* Small answers kept the same way: the dimensions, the spend, the first
 * and last minutes the changes strip asks, which the panes, the changes
 * strip and the alert rules each ask in one frame. By the query's text. */
typedef struct answer_row {
	int n;
	char **v;
} answer_row;

static struct answer_memo {
	double at;
	char *key; /* the database, a newline, the query */
	answer_row *rows;
	size_t nrows, cap;
} answers[16];

static void answer_drop(struct answer_memo *a)
{
	for (size_t i = 0; i < a->nrows; i++) {
		for (int j = 0; j < a->rows[i].n; j++)
			free(a->rows[i].v[j]);
		free(a->rows[i].v);
	}
	free(a->rows);
	free(a->key);
	memset(a, 0, sizeof *a);
}

static void answers_drop(void) /* under memo_mu */
{
	for (size_t i = 0; i < sizeof answers / sizeof *answers; i++)
		answer_drop(&answers[i]);
}

typedef struct keep_ud {
	ch_row_fn fn;
	void *ud;
	struct answer_memo got;
} keep_ud;

static int keep_row(void *ud, char **v, int n)
{
	keep_ud *k = ud;
	if (k->got.nrows == k->got.cap) {
		k->got.cap = k->got.cap ? k->got.cap * 2 : 64;
		k->got.rows = xrealloc(k->got.rows, k->got.cap * sizeof *k->got.rows);
	}
	answer_row *r = &k->got.rows[k->got.nrows++];
	r->n = n;
	r->v = xcalloc((size_t)(n ? n : 1), sizeof *r->v);
	for (int i = 0; i < n; i++)
		r->v[i] = v[i] ? xstrdup(v[i]) : NULL;
	return k->fn(k->ud, v, n);
}

/* ch_select, answered from what the same query gave less than MEMO_S ago
 * on this database when it can. */
static int select_kept(store_t *st, const char *sql, ch_row_fn fn, void *ud, char *err, size_t errlen)
{
	sbuf key = SBUF_INIT;
	sb_printf(&key, "%s\n%s", ch_url_display(st->chs->c), sql);
	double now = clock_mono();
	pthread_mutex_lock(&memo_mu);
	for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
		struct answer_memo *a = &answers[i];
		if (a->at > 0 && now - a->at < MEMO_S && !strcmp(a->key, key.p)) {
			int rc = 0; /* the callbacks are row parsers: they take no lock */
			for (size_t r = 0; r < a->nrows && !rc; r++)
				rc = fn(ud, a->rows[r].v, a->rows[r].n);
			pthread_mutex_unlock(&memo_mu);
			sb_free(&key);
			return rc;
		}
	}
	unsigned long gen = memo_gen;
	pthread_mutex_unlock(&memo_mu);
	keep_ud k = {fn, ud, {0}};
	int rc = ch_select(conn(st), sql, keep_row, &k, err, errlen);
	pthread_mutex_lock(&memo_mu);
	if (!rc && gen == memo_gen) {
		struct answer_memo *a = &answers[0];
		for (size_t i = 1; i < sizeof answers / sizeof *answers; i++)
			if (answers[i].at < a->at)
				a = &answers[i];
		answer_drop(a);
		*a = k.got;
		a->key = sb_steal(&key);
		a->at = clock_mono();
		memset(&k.got, 0, sizeof k.got);
	}
	pthread_mutex_unlock(&memo_mu);
	answer_drop(&k.got);
	sb_free(&key);
	return rc;
}

/* Adds the same window, read less than MEMO_S ago under the same
 * dimensions (whole unless lean), into per_dim: 1, or 0 when there
 * is none. */
static int memo_get(store_t *st, int64_t from, int64_t to, const dims_t *dims, rstats *per_dim, int lean)
{
	struct ch_store *cs = st->chs;
	double now = clock_mono();
	int hit = 0;
	pthread_mutex_lock(&memo_mu);
	for (size_t i = 0; i < sizeof memo / sizeof *memo && !hit; i++) {
		struct window_memo *m = &memo[i];
		if (m->at > 0 && now - m->at < MEMO_S && m->from == from && m->to == to && m->ndims == dims->n &&
		    m->lean <= lean &&
		    dims->n <= cs->ndims && !strcmp(m->db, ch_url_display(cs->c)) &&
		    (dims->n < 2 || !memcmp(m->hashes + 1, cs->dim_hash + 1, (size_t)(dims->n - 1) * sizeof *m->hashes))) {
			for (int64_t d = 0; d < dims->n; d++)
				rstats_merge(&per_dim[d], &m->per_dim[d]);
			hit = 1;
		}
	}
	pthread_mutex_unlock(&memo_mu);
	return hit;
}

static void memo_put(store_t *st, unsigned long gen, int64_t from, int64_t to, const dims_t *dims,
		     const rstats *per_dim, int lean)
{
	struct ch_store *cs = st->chs;
	if (dims->n > cs->ndims)
		return;
	pthread_mutex_lock(&memo_mu);
	if (gen != memo_gen) { /* written meanwhile */
		pthread_mutex_unlock(&memo_mu);
		return;
	}
	struct window_memo *m = &memo[0];
	for (size_t i = 1; i < sizeof memo / sizeof *memo; i++)
		if (memo[i].at < m->at)
			m = &memo[i];
	memo_drop(m);
	snprintf(m->db, sizeof m->db, "%s", ch_url_display(cs->c));
	m->from = from;
	m->to = to;
	m->ndims = dims->n;
	m->lean = lean;
	m->hashes = xcalloc((size_t)(dims->n ? dims->n : 1), sizeof *m->hashes);
	if (dims->n > 1) /* ids start at 1 */
		memcpy(m->hashes + 1, cs->dim_hash + 1, (size_t)(dims->n - 1) * sizeof *m->hashes);
	m->per_dim = xcalloc((size_t)(dims->n ? dims->n : 1), sizeof *m->per_dim);
	for (int64_t d = 0; d < dims->n; d++)
		rstats_merge(&m->per_dim[d], &per_dim[d]);
	m->at = clock_mono();
	pthread_mutex_unlock(&memo_mu);
}

/* The windows the memo does not answer, read in one query. */
static int ch_windows_per_dim(store_t *st, const twin *w, size_t n, const dims_t *dims, int lean,
			      rstats *const *per_dim);

/* The window's figures per dimension: the coarsest rollups that cover it
 * and finer ones at its edges (rollup_ranges), with their error counts, in
 * one query. */
static int ch_window_per_dim(store_t *st, int64_t from_ns, int64_t to_ns, const dims_t *dims, rstats *per_dim)
{
	twin w = {from_ns, to_ns};
	return ch_windows_per_dim(st, &w, 1, dims, 0, &per_dim);
}

/* The windows of a frame share most of their time: the changes strip's
 * (the window, the one before it, and the span before each deploy in it)
 * start at the same hour or overlap. So the time is cut at every window's
 * start and end, each piece between two cuts that some window covers is
 * read once, per dimension, and each window sums its pieces (the sums are
 * exact: counts, min, max, histograms). All the pieces come in one query,
 * each row tagged with its piece by a multiIf over the cuts: on ClickHouse
 * 18.16 a query of this shape costs tens of milliseconds before it reads a
 * row, and one query is spread over the server's cores anyway; several at
 * once were slower on a machine of two. */
typedef struct pieces {
	store_t *st;
	const dims_t *dims;
	int64_t *cut; /* Unix seconds, ascending: piece j is [cut[j], cut[j + 1]) */
	size_t ncut;
	rstats **piece; /* per piece: dims->n, NULL when no window covers it */
} pieces;

/* A row of a pieces read: 'r' or 'e', the piece, then what window_row or
 * window_err_row takes. */
static int piece_row(void *ud, char **v, int n)
{
	pieces *p = ud;
	if (n < 3 || !v[0] || !v[1])
		return 0;
	uint64_t j = unum(v[1]);
	if (j + 1 >= p->ncut || !p->piece[j])
		return 0;
	window_ud w = {p->st, p->dims, p->piece[j]};
	if (*v[0] == 'r')
		return window_row(&w, v + 2, n - 2);
	return window_err_row(&w, v + 2, n - 2);
}

static int pieces_read(pieces *p, int lean, char *err, size_t errlen)
{
	rrange *ranges = xcalloc(p->ncut * 5 + 1, sizeof *ranges);
	int nr = 0;
	for (size_t j = 0; j + 1 < p->ncut; j++)
		if (p->piece[j])
			nr += rollup_ranges(p->cut[j] * NS_PER_S, p->cut[j + 1] * NS_PER_S, ranges + nr);
	if (nr <= 0) {
		free(ranges);
		return 0;
	}
	sbuf exprs = SBUF_INIT, q = SBUF_INIT;
	if (p->ncut > 2) {
		sb_adds(&exprs, "multiIf(");
		for (size_t j = 1; j + 1 < p->ncut; j++)
			sb_printf(&exprs, "t < %lld, %zu, ", (long long)p->cut[j], j - 1);
		sb_printf(&exprs, "%zu) AS seg, dim", p->ncut - 2);
	} else {
		sb_adds(&exprs, "0 AS seg, dim");
	}
	rollup_select(&q, "'r', toString(seg), toString(dim),", ranges, nr, lean, exprs.p, "seg, dim");
	if (!lean) {
		sb_printf(&q, " UNION ALL SELECT 'e', toString(seg), toString(dim)," ERRORS_STR_COLS
			  " FROM (SELECT %s, error_type, n FROM (", exprs.p);
		ranges_union(&q, "errors_", "t, dim, error_type, n", ranges, nr, NULL);
		sb_adds(&q, ")) GROUP BY seg, dim, error_type");
	}
	int rc = ch_select(conn(p->st), q.p, piece_row, p, err, errlen);
	sb_free(&q);
	sb_free(&exprs);
	free(ranges);
	return rc ? -1 : 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int covers(const twin *w, int64_t from_s, int64_t to_s)
{
	return w->from_ns / NS_PER_S <= from_s && to_s <= w->to_ns / NS_PER_S;
}

/* Windows at once, without TTFT and the errors by type when lean (the
 * changes strip compares neither). Before the first rollup row there is
 * nothing to read. */
static int ch_windows_per_dim(store_t *st, const twin *w, size_t n, const dims_t *dims, int lean,
			      rstats *const *per_dim)
{
	struct ch_store *cs = st->chs;
	size_t nd = (size_t)(dims->n ? dims->n : 1);
	twin *fw = xcalloc(n ? n : 1, sizeof *fw);
	size_t *which = xcalloc(n ? n : 1, sizeof *which), nf = 0;
	for (size_t k = 0; k < n; k++) {
		/* whole minutes, as rollup_ranges reads a window alone: two
		 * windows that meet inside a minute both have it */
		int64_t from = floor_to(w[k].from_ns, NS_PER_MIN), to = ceil_to(w[k].to_ns, NS_PER_MIN);
		if (cs->data_from_s > 0) {
			int64_t lo = cs->data_from_s * NS_PER_S;
			if (to <= lo)
				continue;
			/* nothing before the first hour: from the start of its
			 * day, whose rollups hold only what came after (the hours'
			 * and days' are never dropped), in fewer rows */
			if (from < lo)
				from = floor_to(lo, NS_PER_DAY);
		}
		if (to <= from || memo_get(st, from, to, dims, per_dim[k], lean))
			continue;
		fw[nf] = (twin){from, to};
		which[nf++] = k;
	}
	pieces p = {st, dims, xcalloc(2 * nf + 1, sizeof(int64_t)), 0, NULL};
	for (size_t i = 0; i < nf; i++) {
		p.cut[p.ncut++] = fw[i].from_ns / NS_PER_S;
		p.cut[p.ncut++] = fw[i].to_ns / NS_PER_S;
	}
	qsort(p.cut, p.ncut, sizeof *p.cut, cmp_i64);
	size_t u = 0;
	for (size_t i = 0; i < p.ncut; i++)
		if (!u || p.cut[i] != p.cut[u - 1])
			p.cut[u++] = p.cut[i];
	p.ncut = u;
	p.piece = xcalloc(p.ncut ? p.ncut : 1, sizeof *p.piece);
	for (size_t j = 0; j + 1 < p.ncut; j++)
		for (size_t i = 0; i < nf && !p.piece[j]; i++)
			if (covers(&fw[i], p.cut[j], p.cut[j + 1]))
				p.piece[j] = xcalloc(nd, sizeof **p.piece);
	pthread_mutex_lock(&memo_mu);
	unsigned long gen = memo_gen;
	pthread_mutex_unlock(&memo_mu);
	char err[512];
	int rc = pieces_read(&p, lean, err, sizeof err);
	if (rc)
		fail(st, "reading the rollups", err, NULL, 0);
	for (size_t i = 0; i < nf && !rc; i++) {
		rstats *sum = xcalloc(nd, sizeof *sum);
		for (size_t j = 0; j + 1 < p.ncut; j++)
			if (p.piece[j] && covers(&fw[i], p.cut[j], p.cut[j + 1]))
				for (int64_t d = 0; d < dims->n; d++)
					rstats_merge(&sum[d], &p.piece[j][d]);
		memo_put(st, gen, fw[i].from_ns, fw[i].to_ns, dims, sum, lean);
		for (int64_t d = 0; d < dims->n; d++) {
			rstats_merge(&per_dim[which[i]][d], &sum[d]);
			rstats_free(&sum[d]);
		}
		free(sum);
	}
	for (size_t j = 0; j < p.ncut; j++) {
		for (int64_t d = 0; p.piece[j] && d < dims->n; d++)
			rstats_free(&p.piece[j][d]);
		free(p.piece[j]);
	}
	free(p.piece);
	free(p.cut);
	free(fw);
	free(which);
	return rc;
}

static int ch_report(store_t *st, int64_t from_ns, int64_t to_ns, int by, report_t *out, char *err, size_t errlen)
{
	/* The grouping is the SQLite store's: only its two reads differ. */
	st->chs->err[0] = 0;
	int rc = sq_report(st, from_ns, to_ns, by, out, err, errlen);
	if (rc && st->chs->err[0])
		snprintf(err, errlen, "%s", st->chs->err);
	return rc;
}

static void edges_reset(struct ch_store *cs)
{
	free(cs->edges);
	free(cs->edge_hours);
	cs->edges = NULL;
	cs->edge_hours = NULL;
	cs->nedges = cs->edges_cap = cs->nedge_hours = 0;
}

static int ch_changes(store_t *st, int64_t from_ns, int64_t to_ns, changes_t *out, char *err, size_t errlen)
{
	st->chs->err[0] = 0;
	edges_reset(st->chs); /* what this computation reads, fresh */
	st->chs->in_changes = 1;
	int rc = sq_changes_compute(st, from_ns, to_ns, out, err, errlen);
	st->chs->in_changes = 0;
	st->chs->data_from_s = 0;
	edges_reset(st->chs);
	if (rc && st->chs->err[0])
		snprintf(err, errlen, "%s", st->chs->err);
	return rc;
}

typedef struct hours_ud {
	store_t *st;
	const dims_t *dims;
	int64_t *fh, *lh;
} hours_ud;

static int hours_row(void *ud, char **v, int n)
{
	hours_ud *u = ud;
	if (n < 3)
		return 0;
	int64_t id = dim_of(u->st, v[0]);
	if (id > 0 && id < u->dims->n) {
		u->fh[id] = num(v[1]);
		u->lh[id] = num(v[2]);
	}
	return 0;
}

static int ch_dim_hours(store_t *st, const dims_t *dims, int64_t *first_h, int64_t *last_h)
{
	hours_ud u = {st, dims, first_h, last_h};
	char e[512];
	if (select_kept(st, "SELECT dim, min(t), max(t) FROM rollup_1h GROUP BY dim", hours_row, &u, e, sizeof e))
		return fail(st, "reading the rollups", e, NULL, 0);
	/* For the rest of the changes computation: its comparisons before a
	 * deploy need not read what lies before the first hour of any call. */
	int64_t lo = 0;
	for (int64_t d = 1; d < dims->n; d++)
		if (first_h[d] > 0 && (!lo || first_h[d] < lo))
			lo = first_h[d];
	if (st->chs->in_changes)
		st->chs->data_from_s = lo;
	return 0;
}

static int edge_row(void *ud, char **v, int n)
{
	struct ch_store *cs = ud;
	if (n < 4)
		return 0;
	if (cs->nedges == cs->edges_cap) {
		cs->edges_cap = cs->edges_cap ? cs->edges_cap * 2 : 256;
		cs->edges = xrealloc(cs->edges, cs->edges_cap * sizeof *cs->edges);
	}
	struct edge_min *e = &cs->edges[cs->nedges++];
	e->hour = num(v[0]);
	e->dim = u64map_get(&cs->dim_id, strtoull(v[1] ? v[1] : "0", NULL, 10));
	e->first = num(v[2]);
	e->last = num(v[3]);
	return 0;
}

/* The hours the changes strip will ask about, read in one query: the
 * first and last minute of every dimension in each. */
static int ch_dim_minutes_ahead(store_t *st, const int64_t *hours_s, size_t n)
{
	struct ch_store *cs = st->chs;
	sbuf q = SBUF_INIT;
	size_t fresh = 0;
	int64_t *hs = xcalloc(n ? n : 1, sizeof *hs);
	for (size_t i = 0; i < n; i++) {
		int known = 0;
		for (size_t h = 0; h < cs->nedge_hours && !known; h++)
			known = cs->edge_hours[h] == hours_s[i];
		for (size_t k = 0; k < fresh && !known; k++)
			known = hs[k] == hours_s[i];
		if (!known)
			hs[fresh++] = hours_s[i];
	}
	if (!fresh) {
		free(hs);
		return 0;
	}
	sb_adds(&q, "SELECT intDiv(t, 3600) * 3600 AS h, dim, min(t), max(t) FROM rollup_1m WHERE ");
	for (size_t k = 0; k < fresh; k++)
		sb_printf(&q, "%s(t >= %lld AND t < %lld)", k ? " OR " : "", (long long)hs[k], (long long)(hs[k] + 3600));
	sb_adds(&q, " GROUP BY h, dim");
	char e[512];
	int rc = select_kept(st, q.p, edge_row, cs, e, sizeof e);
	sb_free(&q);
	if (!rc) {
		cs->edge_hours = xrealloc(cs->edge_hours, (cs->nedge_hours + fresh) * sizeof *cs->edge_hours);
		for (size_t k = 0; k < fresh; k++)
			cs->edge_hours[cs->nedge_hours++] = hs[k];
	}
	free(hs);
	return rc ? fail(st, "reading the rollups", e, NULL, 0) : 0;
}

/* The first (or last) minute of a dimension in an hour: the changes strip
 * asks this of many dimensions in the same few hours, so the first question
 * about an hour reads that hour's minutes of every dimension at once. */
static int ch_dim_minute(store_t *st, int64_t dim, int64_t hour_s, int last, int64_t *t)
{
	struct ch_store *cs = st->chs;
	if (dim <= 0 || dim >= cs->ndims)
		return 0;
	if (ch_dim_minutes_ahead(st, &hour_s, 1))
		return -1;
	for (size_t i = 0; i < cs->nedges; i++)
		if (cs->edges[i].hour == hour_s && cs->edges[i].dim == dim) {
			*t = last ? cs->edges[i].last : cs->edges[i].first;
			return 1;
		}
	return 0;
}

/* ---- series ---------------------------------------------------------------- */

typedef struct series_ud {
	store_t *st;
	series_t *s;
	dims_t *d;
	int64_t from, step;
	size_t gcap;
	int errors;     /* the rows are the error counts */
	int total_rows; /* the totals' histograms come in rows of their own ('x') */
} series_ud;

static series_group *group_of(series_ud *u, const dim_row *dm)
{
	series_t *s = u->s;
	for (size_t i = 0; i < s->ngroups; i++)
		if (!strcmp(s->groups[i].key, dm->model) && !strcmp(s->groups[i].provider, dm->provider))
			return &s->groups[i];
	if (s->ngroups == u->gcap) {
		u->gcap = u->gcap ? u->gcap * 2 : 8;
		s->groups = xrealloc(s->groups, u->gcap * sizeof *s->groups);
	}
	series_group *g = &s->groups[s->ngroups++];
	memset(g, 0, sizeof *g);
	g->key = xstrdup(dm->model);
	g->provider = xstrdup(dm->provider);
	rstats_init(&g->total);
	g->cols = xcalloc((size_t)s->ncols, sizeof *g->cols);
	return g;
}

static int series_row(void *ud, char **v, int n)
{
	series_ud *u = ud;
	if (n < (u->errors ? 4 : 2 + ROLLUP_NCOLS))
		return 0;
	int64_t t = num(v[0]) * NS_PER_S;
	int col = (int)((t - u->from) / u->step);
	int64_t id = dim_of(u->st, v[1]);
	const dim_row *dm = store_dim(u->d, id);
	if (col < 0 || col >= u->s->ncols || !dm)
		return 0;
	series_group *g = group_of(u, dm);
	if (u->errors) {
		uint64_t k = unum(v[3]);
		const char *name = v[2] ? v[2] : "error";
		ecounts_add(&u->s->cols[col].errs, name, k);
		ecounts_add(&u->s->total.errs, name, k);
		ecounts_add(&g->cols[col].errs, name, k);
		ecounts_add(&g->total.errs, name, k);
		return 0;
	}
	add_rollup_cols(&u->s->cols[col], v + 2, 0);
	add_rollup_cols(&g->cols[col], v + 2, 0);
	/* The totals' histograms come at full resolution in rows of their own
	 * ('x'): the columns' are coarse. */
	char *w[ROLLUP_NCOLS];
	memcpy(w, v + 2, sizeof w);
	if (u->total_rows)
		w[10] = NULL;
	add_rollup_cols(&u->s->total, w, !u->total_rows);
	add_rollup_cols(&g->total, w, !u->total_rows);
	return 0;
}

static int series_any_row(void *ud, char **v, int n)
{
	series_ud *u = ud;
	if (n < 2 || !v[0])
		return 0;
	if (*v[0] == 'x') { /* a group's histograms over the whole span */
		if (n < 3 + ROLLUP_NCOLS)
			return 0;
		const dim_row *dm = store_dim(u->d, dim_of(u->st, v[2]));
		if (!dm)
			return 0;
		char **c = v + 3;
		series_group *g = group_of(u, dm);
		hist_from_text(&g->total.lat, c[10], c[7], c[8], c[9]);
		hist_from_text(&u->s->total.lat, c[10], c[7], c[8], c[9]);
		hist_from_text(&g->total.ttft, c[14], c[11], c[12], c[13]);
		hist_from_text(&u->s->total.ttft, c[14], c[11], c[12], c[13]);
		return 0;
	}
	u->errors = *v[0] == 'e';
	return series_row(ud, v + 1, n - 1);
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

static int ch_series(store_t *st, int64_t from_ns, int64_t to_ns, int ncols, series_t *out, char *err, size_t errlen)
{
	series_layout(from_ns, to_ns, ncols, out);
	int res = out->res;
	int64_t from = out->from_ns, to = out->to_ns, step = out->step_ns;
	dims_t d;
	if (ch_dims_load(st, &d)) {
		snprintf(err, errlen, "%s", st->chs->err);
		return -1;
	}
	series_ud u = {st, out, &d, from, step, 0, 0, 0};
	sbuf q = SBUF_INIT;
	/* Summed on the server by column and by (model, provider), each group
	 * named by one of its dimensions (rep): what series_row would add up,
	 * sent once rather than per minute (or hour) and dimension. The
	 * latency histograms by column at the columns' half resolution
	 * (hist_coarse_index: half the keys to sum, as on SQLite); both
	 * histograms over the whole span at full resolution, for the totals
	 * (no pane draws TTFT by column); each summed under one packed number
	 * (column, group, bucket), which ClickHouse 18.16 groups by several
	 * times faster than by the three. */
	sbuf x = SBUF_INIT, from_h = SBUF_INIT, to_h = SBUF_INIT, gi = SBUF_INIT, gl = SBUF_INIT;
	int64_t f_s = from / NS_PER_S, step_s = step / NS_PER_S, t_s = to / NS_PER_S;
	int64_t ng = 0, *gnum = xcalloc((size_t)(d.n > 0 ? d.n : 1), sizeof *gnum);
	sbuf gn = SBUF_INIT;
	for (int64_t i = 1; i < d.n; i++) {
		if (!d.v[i].model)
			continue;
		int64_t rep = i;
		for (int64_t j = 1; j < i; j++)
			if (d.v[j].model && !strcmp(d.v[j].model, d.v[i].model) &&
			    !strcmp(d.v[j].provider, d.v[i].provider)) {
				rep = j;
				break;
			}
		if (rep == i) { /* a new group: its number, and the dimension naming it */
			gnum[i] = ++ng;
			sb_printf(&gl, "%s%llu", gl.len ? "," : "", (unsigned long long)st->chs->dim_hash[i]);
			sb_printf(&gn, "%s%lld", gn.len ? "," : "", (long long)ng);
		}
		sb_printf(&from_h, "%s%llu", from_h.len ? "," : "", (unsigned long long)st->chs->dim_hash[i]);
		sb_printf(&to_h, "%s%llu", to_h.len ? "," : "", (unsigned long long)st->chs->dim_hash[rep]);
		sb_printf(&gi, "%s%lld", gi.len ? "," : "", (long long)gnum[rep]);
	}
	free(gnum);
	rrange all = {res, f_s, t_s};
	sb_printf(&x, "%lld + intDiv(t - %lld, %lld) * %lld AS ct, ", (long long)f_s, (long long)f_s, (long long)step_s,
		  (long long)step_s);
	if (from_h.len)
		sb_printf(&x, "transform(dim, [%s], [%s], dim) AS cd", from_h.p, to_h.p);
	else
		sb_adds(&x, "dim AS cd");
	const char *r = res_suffix[res];
	/* columns of whole three-hour blocks read those (a 7-day window's at
	 * 60 columns, when its end falls on one) */
	const char *hr = res == RES_1H && step_s % 10800 == 0 && f_s % 10800 == 0 ? res_suffix[RES_3H] : r;
	u.total_rows = ng > 0;
	if (ng) {
		/* k = column << 32 | group << 13 | bucket (HIST_NBUCKETS < 8192) */
		sb_printf(&q,
			  "SELECT 'r', toString(ct), toString(cd), c_calls, c_errors, c_tin, c_tcached, c_tout, c_cost,"
			  " c_unpriced, c_lmin, c_lmax, c_lsum, h_lat, '', '', '', '' FROM (SELECT %s,"
			  ROLLUP_COUNTS " FROM rollup_%s WHERE t >= %lld AND t < %lld GROUP BY ct, cd) AS ro ANY LEFT JOIN"
			  " (SELECT %lld + intDiv(k, 4294967296) * %lld AS ct,"
			  " transform(intDiv(k, 8192) %% 524288, [%s], [%s], toUInt64(0)) AS cd,"
			  " concat('(', toString(groupArray(k %% 8192)), ',', toString(groupArray(n)), ')') AS h_lat"
			  " FROM (SELECT intDiv(t - %lld, %lld) * 4294967296 + transform(dim, [%s], [%s], 0) * 8192"
			  " + (bucket - (bucket > 0 AND bucket %% 2 = 0))"
			  " AS k, sum(n) AS n FROM hist_%s WHERE t >= %lld AND t < %lld AND kind = 0 GROUP BY k)"
			  " GROUP BY ct, cd) AS hi USING ct, cd",
			  x.p, r, (long long)f_s, (long long)t_s, (long long)f_s, (long long)step_s, gn.p,
			  gl.p, (long long)f_s, (long long)step_s, from_h.p, gi.p, hr, (long long)f_s, (long long)t_s);
		/* Each group's histograms over the span, k = kind << 32 | group
		 * << 13 | bucket: from the coarsest rollups that cover it (the same
		 * sums, fewer rows). */
		rrange tr[5];
		int ntr = rollup_ranges(from, to, tr);
		sb_printf(&q,
			  " UNION ALL SELECT 'x', '0', toString(cd), '0', '0', '0', '0', '0', '0', '0', c_lmin, c_lmax,"
			  " c_lsum, h_lat, c_tmin, c_tmax, c_tsum, h_ttft FROM (SELECT transform(dim, [%s], [%s], dim) AS cd,"
			  ROLLUP_LAT "," ROLLUP_TTFT " FROM (",
			  from_h.p, to_h.p);
		ranges_union(&q, "rollup_", "t, dim, lat_min, lat_max, lat_sum, ttft_min, ttft_max, ttft_sum", tr, ntr,
			     NULL);
		sb_printf(&q,
			  ") GROUP BY cd) AS ro ANY LEFT JOIN (SELECT"
			  " transform(intDiv(k, 8192) %% 524288, [%s], [%s], toUInt64(0)) AS cd,"
			  " concat('(', toString(groupArrayIf(k %% 8192, k < 4294967296)), ',',"
			  " toString(groupArrayIf(n, k < 4294967296)), ')') AS h_lat,"
			  " concat('(', toString(groupArrayIf(k %% 8192, k >= 4294967296)), ',',"
			  " toString(groupArrayIf(n, k >= 4294967296)), ')') AS h_ttft"
			  " FROM (SELECT kind * 4294967296 + transform(dim, [%s], [%s], 0) * 8192 + bucket AS k,"
			  " sum(n) AS n FROM (",
			  gn.p, gl.p, from_h.p, gi.p);
		ranges_union(&q, "hist_", "t, dim, kind, bucket, n", tr, ntr, NULL);
		sb_adds(&q, ") GROUP BY k) GROUP BY cd) AS hi USING cd");
	} else {
		rollup_select(&q, "'r', toString(ct), toString(cd),", &all, 1, 0, x.p, "ct, cd");
	}
	sb_printf(&q,
		  " UNION ALL SELECT 'e', toString(ct), toString(cd)," ERRORS_STR_COLS
		  " FROM (SELECT %s, error_type, n FROM errors_%s WHERE t >= %lld AND t < %lld) GROUP BY ct, cd, error_type",
		  x.p, r, (long long)f_s, (long long)t_s);
	sb_free(&x);
	sb_free(&from_h);
	sb_free(&to_h);
	sb_free(&gi);
	sb_free(&gl);
	sb_free(&gn);
	char e[512];
	int rc = ch_select(conn(st), q.p, series_any_row, &u, e, sizeof e);
	sb_free(&q);
	store_dims_free(&d);
	if (rc) {
		series_free(out);
		return fail(st, "reading the rollups", e, err, errlen);
	}
	if (out->ngroups)
		qsort(out->groups, out->ngroups, sizeof *out->groups, cmp_group_cost);
	return 0;
}

static void ch_warm(store_t *st, int64_t now_ns)
{
	(void)st;
	(void)now_ns;
}

static int spend_row(void *ud, char **v, int n)
{
	int64_t *r = ud;
	if (n >= 2) {
		r[0] += num(v[0]);
		r[1] += num(v[1]);
	}
	return 0;
}

static int ch_spend(store_t *st, int64_t from_ns, int64_t to_ns, int64_t *cost, uint64_t *calls)
{
	*cost = 0;
	*calls = 0;
	rrange r[5];
	int nr = rollup_ranges(from_ns, to_ns, r);
	int64_t acc[2] = {0, 0};
	char err[512];
	if (nr <= 0)
		return 0;
	sbuf q = SBUF_INIT;
	for (int i = 0; i < nr; i++)
		sb_printf(&q, "%sSELECT sumMerge(cost), sumMerge(calls) FROM %s WHERE t >= %lld AND t < %lld",
			  i ? " UNION ALL " : "", rollup_table[r[i].res], (long long)r[i].from, (long long)r[i].to);
	int rc = select_kept(st, q.p, spend_row, acc, err, sizeof err);
	sb_free(&q);
	if (rc)
		return fail(st, "summing the spend", err, NULL, 0);
	*cost = acc[0];
	*calls = (uint64_t)acc[1];
	return 0;
}

/* ---- totals ---------------------------------------------------------------- */

static int64_t ch_call_count(store_t *st)
{
	two_ud u = {0};
	char err[512];
	if (ch_select(conn(st), "SELECT count() FROM calls", two_row, &u, err, sizeof err))
		return fail(st, "counting the calls", err, NULL, 0);
	return u.a;
}

static int range_row(void *ud, char **v, int n)
{
	int64_t *r = ud;
	for (int i = 0; i < 3 && i < n; i++)
		r[i] = num(v[i]);
	return 0;
}

/* Kept a second like the small answers (the console asks for it twice as
 * it starts); -1 for an empty store. */
static int ch_time_range(store_t *st, int64_t *first, int64_t *last)
{
	int64_t r[3] = {0, 0, 0};
	char err[512];
	*first = *last = 0;
	/* The first and last minutes from the rollups, then the calls of those
	 * minutes alone: never a scan of the table. */
	if (select_kept(st,
			"SELECT (SELECT min(ts) FROM calls WHERE ts < (SELECT min(t) + 60 FROM rollup_1m) * 1000000000),"
			" (SELECT max(ts) FROM calls WHERE ts >= (SELECT max(t) FROM rollup_1m) * 1000000000),"
			" (SELECT count() FROM rollup_1m)",
			range_row, r, err, sizeof err))
		return fail(st, "reading the time range", err, NULL, 0);
	if (r[2] <= 0)
		return -1;
	*first = r[0];
	*last = r[1];
	return 0;
}

static int ch_changed(store_t *st)
{
	two_ud u = {0};
	char err[512];
	/* Rows are only added: their count says (and costs no scan). */
	if (ch_select(conn(st), "SELECT count(), 0 FROM calls", two_row, &u, err, sizeof err))
		return 0;
	int changed = (uint64_t)u.a != st->chs->seen_count || u.b != st->chs->seen_last;
	if (changed)
		memo_clear();
	st->chs->seen_count = (uint64_t)u.a;
	st->chs->seen_last = u.b;
	return changed;
}

static int64_t ch_last_ts(store_t *st)
{
	int64_t first, last;
	return ch_time_range(st, &first, &last) ? 0 : last;
}

/* ---- the filter as SQL ------------------------------------------------------- */

static int same(const char *value, const char *s)
{
	return !strcmp(value, s);
}

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

static void text_terms(sbuf *q, const fvalues *v, const char *col, int prefix)
{
	for (int neg = 0; neg < 2; neg++) {
		int any = 0;
		for (int i = 0; i < v->n; i++) {
			if (v->neg[i] != neg)
				continue;
			sb_adds(q, any ? " OR " : neg ? " AND NOT (" : " AND (");
			if (prefix)
				sb_printf(q, "substring(%s, 1, %zu) = ", col, strlen(v->v[i]));
			else
				sb_printf(q, "%s = ", col);
			ch_quote(q, v->v[i]);
			any = 1;
		}
		if (any)
			sb_addc(q, ')');
	}
}

/* One word or phrase of a text query as a regular expression (re2) that
 * finds it as SQLite's index does: its tokens (runs of letters and digits)
 * whole, in order, with anything else between them, any case. The texts are
 * stored as JSON, so an escape (the \n of a line break) separates words too. */
static void word_regex(sbuf *re, const char *w)
{
	sb_adds(re, "(?i)(?:^|[^\\p{L}\\p{N}]|\\\\[nrtbf])");
	int tokens = 0;
	for (const unsigned char *p = (const unsigned char *)w; *p;) {
		/* bytes of a multi-byte character count as a letter, as in the index */
		if (!(isalnum(*p) || *p >= 0x80)) {
			p++;
			continue;
		}
		if (tokens++)
			sb_adds(re, "(?:[^\\p{L}\\p{N}]|\\\\[nrtbf])+");
		while (*p && (isalnum(*p) || *p >= 0x80))
			sb_addc(re, (char)*p++);
	}
	sb_adds(re, "(?:$|[^\\p{L}\\p{N}])");
	if (!tokens) { /* nothing to find: as the index, which finds nothing */
		sb_reset(re);
		sb_adds(re, "$^");
	}
}

/* The words of the filter's text query ("w1" "w2", quotes doubled), each
 * to be found in the input or the output. */
static void text_words(sbuf *q, const char *text)
{
	const char *p = text;
	sbuf w = SBUF_INIT, re = SBUF_INIT;
	while ((p = strchr(p, '"'))) {
		sb_reset(&w);
		p++;
		while (*p) {
			if (*p == '"' && p[1] == '"') {
				sb_addc(&w, '"');
				p += 2;
			} else if (*p == '"') {
				p++;
				break;
			} else {
				sb_addc(&w, *p++);
			}
		}
		sb_reset(&re);
		word_regex(&re, sb_str(&w));
		sb_adds(q, " AND (match(output, ");
		ch_quote(q, sb_str(&re));
		sb_adds(q, ") OR match(input, ");
		ch_quote(q, sb_str(&re));
		sb_adds(q, "))");
	}
	sb_free(&w);
	sb_free(&re);
}

/* 0, or -1 when the filter asks what this store cannot answer. */
static int where_sql(store_t *st, sbuf *q, const filter_t *f, int64_t now_ns, char *err, size_t errlen)
{
	if (!f)
		return 0;
	if (f->sample_bp) /* filter_sample_bucket: sipHash64 of the id's bytes */
		sb_printf(q, " AND sipHash64(unhex(span_id)) %% 10000 %s %d", f->sample_neg ? ">=" : "<", f->sample_bp);
	if (f->model.n || f->provider.n || f->feature.n || f->prompt.n) {
		dims_t d;
		if (ch_dims_load(st, &d)) {
			snprintf(err, errlen, "%s", st->chs->err);
			return -1;
		}
		int any = 0;
		sb_adds(q, " AND dim IN (");
		for (int64_t i = 1; i < d.n; i++)
			if (d.v[i].model && dim_matches(&d.v[i], f)) {
				sb_printf(q, "%s%llu", any ? "," : "", (unsigned long long)st->chs->dim_hash[i]);
				any = 1;
			}
		sb_adds(q, any ? ")" : "0)");
		store_dims_free(&d);
	}
	if (f->status >= 0)
		sb_printf(q, " AND status = %d", f->status);
	text_terms(q, &f->error, "error_type", 0);
	text_terms(q, &f->user, "user_id", 0);
	text_terms(q, &f->session, "session_id", 0);
	text_terms(q, &f->trace, "trace_id", 1);
	if (f->since_ns)
		sb_printf(q, " AND ts >= %lld", (long long)(now_ns - f->since_ns));
	if (f->before_ns)
		sb_printf(q, " AND ts < %lld", (long long)(now_ns - f->before_ns));
	if (f->lat_min >= 0)
		sb_printf(q, " AND latency_ms > %.17g", f->lat_min);
	if (f->lat_max >= 0)
		sb_printf(q, " AND latency_ms < %.17g AND latency_ms >= 0", f->lat_max);
	if (f->text)
		text_words(q, f->text);
	return 0;
}

/* ---- pages of calls ------------------------------------------------------------ */

typedef struct key_row {
	int64_t id, ts;
	char span[33];
} key_row;

typedef struct keys_ud {
	key_row *v;
	size_t n, cap;
} keys_ud;

static int key_row_cb(void *ud, char **v, int n)
{
	keys_ud *k = ud;
	if (n < 3)
		return 0;
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->v = xrealloc(k->v, k->cap * sizeof *k->v);
	}
	key_row *r = &k->v[k->n++];
	r->ts = num(v[0]);
	snprintf(r->span, sizeof r->span, "%s", v[1] ? v[1] : "");
	r->id = num(v[2]);
	return 0;
}

#define ROW_COLS                                                                                                    \
	"ts, span_id, " ID_EXPR ", model, prompt_name, prompt_version, feature, status, error_type, latency_ms, ttft_ms," \
	" input_tokens, output_tokens, cached_tokens, cost_nusd, if(status = 1, substring(error_message, 1, 400),"  \
	" substring(output, 1, 400))"
#define ROW_NCOLS 16

static void cut_preview(char *s)
{
	if (strlen(s) > 240) {
		size_t cut = 240;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		s[cut] = 0;
	}
}

static void fill_row(call_row *r, char **v)
{
	memset(r, 0, sizeof *r);
	r->ts = num(v[0]);
	snprintf(r->span, sizeof r->span, "%s", v[1] ? v[1] : "");
	r->id = num(v[2]);
	r->model = xstrdup(v[3] && *v[3] ? v[3] : "?");
	if (v[4] && *v[4]) {
		sbuf p = SBUF_INIT;
		sb_printf(&p, "%s@%s", v[4], v[5] && *v[5] ? v[5] : "?");
		r->prompt = sb_steal(&p);
	}
	r->feature = v[6] && *v[6] ? xstrdup(v[6]) : NULL;
	r->is_error = (int)num(v[7]);
	r->error_type = v[8] && *v[8] ? xstrdup(v[8]) : NULL;
	r->latency_ms = v[9] ? strtod(v[9], NULL) : -1;
	r->ttft_ms = v[10] ? strtod(v[10], NULL) : -1;
	r->input_tokens = num(v[11]);
	r->output_tokens = num(v[12]);
	r->cached_tokens = num(v[13]);
	r->cost_nusd = num(v[14]);
	if (r->latency_ms < 0)
		r->latency_ms = -1;
	if (r->ttft_ms < 0)
		r->ttft_ms = -1;
	const char *text = v[15] ? v[15] : "";
	if (r->is_error) {
		sbuf p = SBUF_INIT;
		sb_printf(&p, "%s%s%s", r->error_type ? r->error_type : "error", *text ? ": " : "", text);
		r->preview = sb_steal(&p);
	} else if (*text) {
		r->preview = xstrdup(text);
	}
	if (r->preview)
		cut_preview(r->preview);
	seen_put(r->id, r->ts, r->span);
}

typedef struct rows_ud {
	call_row *v;
	size_t n;
	const keys_ud *keys;
} rows_ud;

static int rows_cb(void *ud, char **v, int n)
{
	rows_ud *u = ud;
	if (n < ROW_NCOLS)
		return 0;
	int64_t id = num(v[2]);
	/* In the order of the keys. */
	for (size_t i = 0; i < u->keys->n; i++)
		if (u->keys->v[i].id == id && !u->v[i].model) {
			fill_row(&u->v[i], v);
			break;
		}
	return 0;
}

/* The rows of the keys, by their (ts, span id): one granule a key. */
static int rows_of_keys(store_t *st, const keys_ud *k, call_row *rows, char *err, size_t errlen)
{
	if (!k->n)
		return 0;
	int64_t lo = k->v[0].ts, hi = k->v[0].ts;
	for (size_t i = 1; i < k->n; i++) {
		if (k->v[i].ts < lo)
			lo = k->v[i].ts;
		if (k->v[i].ts > hi)
			hi = k->v[i].ts;
	}
	sbuf q = SBUF_INIT;
	sb_printf(&q, "SELECT " ROW_COLS " FROM calls WHERE ts >= %lld AND ts <= %lld AND (ts, span_id) IN (",
		  (long long)lo, (long long)hi);
	for (size_t i = 0; i < k->n; i++) {
		sb_printf(&q, "%s(%lld, ", i ? ", " : "", (long long)k->v[i].ts);
		ch_quote(&q, k->v[i].span);
		sb_addc(&q, ')');
	}
	sb_addc(&q, ')');
	rows_ud u = {rows, 0, k};
	char e[512];
	int rc = ch_select(conn(st), q.p, rows_cb, &u, e, sizeof e);
	sb_free(&q);
	if (rc)
		return fail(st, "reading the calls", e, err, errlen);
	return 0;
}

static const char *const sort_cols[] = {"ts", "latency_ms", "cost_nusd"};

typedef struct bound_ud {
	int64_t need, seen, bucket;
} bound_ud;

static int bound_row(void *ud, char **v, int n)
{
	bound_ud *u = ud;
	if (n < 2 || u->seen >= u->need)
		return 0;
	u->seen += num(v[1]);
	u->bucket = num(v[0]);
	return 0;
}

/* Sorted by latency, a page is the slowest calls of the filter past the
 * key: rather than sort every call's latency (all 10 million, with their
 * ids), the latency histograms of the rollups say which bucket the page
 * reaches, and the keys are read from the calls past that bucket only, in
 * calls_lat, which is ordered by latency bucket (a few granules, where the
 * calls table would read the bucket of every call). For a filter of
 * dimensions and time alone, the only ones the histograms know; the bucket
 * is found among fewer calls than the page may take (the whole minutes
 * inside its time, the buckets wholly past the key), so that the page is
 * never cut short. Empty when there is no such bound. */
static int latency_bound(store_t *st, const page_req *req, char *pre, size_t len, char *err, size_t errlen)
{
	*pre = 0;
	const filter_t *f = req->filter;
	if (!req->older ||
	    (f && (f->text || f->status >= 0 || f->error.n || f->user.n || f->session.n || f->trace.n || f->sample_bp ||
		   f->lat_min >= 0 || f->lat_max >= 0)))
		return 0;
	int64_t from = f && f->since_ns ? ceil_to(req->now_ns - f->since_ns, NS_PER_MIN) : INT64_MIN / 4;
	int64_t to = f && f->before_ns ? floor_to(req->now_ns - f->before_ns, NS_PER_MIN) : INT64_MAX / 4;
	rrange r[5];
	int nr = from < to ? rollup_ranges(from, to, r) : 0;
	if (nr <= 0)
		return 0;
	sbuf cond = SBUF_INIT, q = SBUF_INIT;
	sb_adds(&cond, "kind = 0");
	if (req->has_key)
		sb_printf(&cond, " AND bucket < %u", hist_bucket_index(req->key_val));
	if (f && (f->model.n || f->provider.n || f->feature.n || f->prompt.n)) {
		filter_t dims_only;
		filter_init(&dims_only);
		dims_only.model = f->model;
		dims_only.provider = f->provider;
		dims_only.feature = f->feature;
		dims_only.prompt = f->prompt;
		if (where_sql(st, &cond, &dims_only, req->now_ns, err, errlen)) {
			sb_free(&cond);
			return -1;
		}
	}
	sb_adds(&q, "SELECT bucket, sum(n) FROM (");
	ranges_union(&q, "hist_", "t, dim, kind, bucket, n", r, nr, cond.p);
	sb_adds(&q, ") GROUP BY bucket ORDER BY bucket DESC");
	bound_ud u = {req->limit, 0, 0};
	int rc = ch_select(conn(st), q.p, bound_row, &u, err, errlen);
	sb_free(&q);
	sb_free(&cond);
	if (!rc && u.seen >= u.need && u.bucket > 0)
		snprintf(pre, len, "lat_bucket >= %lld", (long long)u.bucket);
	return rc;
}

/* The page's rows for its keys, in out: 0; how many keys had no row (a
 * delete or a retention drop since the keys were read; they are left out);
 * -1 on a failure. */
static int page_rows(store_t *st, const keys_ud *k, const page_req *req, call_page *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->rows = xcalloc(k->n ? k->n : 1, sizeof *out->rows);
	if (rows_of_keys(st, k, out->rows, err, errlen)) {
		free(out->rows);
		out->rows = NULL;
		return -1;
	}
	for (size_t i = 0; i < k->n; i++)
		if (out->rows[i].model)
			out->rows[out->n++] = out->rows[i];
	out->complete = k->n < (size_t)req->limit;
	if (!req->older)
		for (size_t i = 0; i < out->n / 2; i++) {
			call_row t = out->rows[i];
			out->rows[i] = out->rows[out->n - 1 - i];
			out->rows[out->n - 1 - i] = t;
		}
	return (int)(k->n - out->n);
}

static int ch_calls_page(store_t *st, const page_req *req, call_page *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	sbuf q = SBUF_INIT;
	const char *col = sort_cols[req->sort];
	static const char head[] = "SELECT ts, span_id, " ID_EXPR " AS cid FROM calls WHERE 1";
	sb_adds(&q, head);
	if (where_sql(st, &q, req->filter, req->now_ns, err, errlen)) {
		sb_free(&q);
		return -1;
	}
	if (req->sort != SORT_TIME)
		sb_printf(&q, " AND %s >= 0", col);
	if (req->has_key) {
		const char *op = req->older ? "<" : ">";
		char kv[64];
		if (req->sort == SORT_TIME)
			snprintf(kv, sizeof kv, "%lld", (long long)req->key_ts);
		else
			snprintf(kv, sizeof kv, "%.17g", req->key_val);
		sb_printf(&q, " AND (%s %s %s OR (%s = %s AND cid %s %lld))", col, op, kv, col, kv, op,
			  (long long)req->key_id);
	}
	const char *dir = req->older ? "DESC" : "ASC";
	keys_ud k = {0};
	char e[512];
	int rc = 0;
	/* In time order, the keys are read from a window next to the key that
	 * grows until it holds a page (or the store's whole span): the table is
	 * ordered by time, so a window reads its own granules and not every
	 * call's (the server would otherwise read them all to sort them). */
	two_ud span = {0};
	if (req->sort == SORT_TIME &&
	    ch_select(conn(st), "SELECT min(t), max(t) + 60, count() FROM rollup_1m", two_row, &span, e, sizeof e) == 0 &&
	    span.rows && span.b > span.a) {
		int64_t lo_all = span.a * NS_PER_S, hi_all = span.b * NS_PER_S;
		int64_t edge = req->has_key ? req->key_ts : req->older ? hi_all : lo_all;
		size_t base = q.len;
		for (int64_t w = NS_PER_HOUR;; w *= 8) {
			q.len = base;
			q.p[base] = 0;
			int64_t from = req->older ? edge - w : edge, to = req->older ? edge : edge + w;
			sb_printf(&q, " AND ts >= %lld AND ts <= %lld ORDER BY ts %s, cid %s LIMIT %d", (long long)from,
				  (long long)to, dir, dir, req->limit);
			free(k.v);
			memset(&k, 0, sizeof k);
			rc = ch_select(conn(st), q.p, key_row_cb, &k, e, sizeof e);
			if (rc || k.n >= (size_t)req->limit || (req->older ? from <= lo_all : to >= hi_all))
				break;
		}
	} else {
		char pre[64] = "";
		if (req->sort == SORT_LATENCY)
			rc = latency_bound(st, req, pre, sizeof pre, e, sizeof e);
		sb_printf(&q, " ORDER BY %s %s, cid %s LIMIT %d", col, dir, dir, req->limit);
		/* The keys among the calls past the bound: from calls_lat, or, when
		 * some of them have no call any more (a delete on calls, a TTL that
		 * reached calls first), from the calls past it; short of a page
		 * (the rollups counted calls the table no longer holds), the page
		 * is read whole. */
		const char *rest = q.p + strlen(head); /* the filter, order and limit */
		for (int lat = 1; !rc && *pre && lat >= 0; lat--) {
			sbuf w = SBUF_INIT;
			if (lat)
				sb_printf(&w, "SELECT ts, span_id, " ID_EXPR " AS cid FROM calls_lat WHERE %s%s", pre, rest);
			else
				sb_printf(&w, "SELECT ts, span_id, " ID_EXPR " AS cid FROM calls PREWHERE %s WHERE 1%s", pre,
					  rest);
			free(k.v);
			memset(&k, 0, sizeof k);
			rc = ch_select(conn(st), w.p, key_row_cb, &k, e, sizeof e);
			sb_free(&w);
			if (!rc && k.n < (size_t)req->limit) {
				*pre = 0;
			} else if (!rc && lat) {
				int gone = page_rows(st, &k, req, out, err, errlen);
				if (gone <= 0) {
					sb_free(&q);
					free(k.v);
					return gone;
				}
				call_page_free(out);
			} else {
				break;
			}
		}
		if (!rc && !*pre) {
			free(k.v);
			memset(&k, 0, sizeof k);
			rc = ch_select(conn(st), q.p, key_row_cb, &k, e, sizeof e);
		}
	}
	sb_free(&q);
	if (rc) {
		free(k.v);
		return fail(st, "reading the calls", e, err, errlen);
	}
	int got = page_rows(st, &k, req, out, err, errlen);
	free(k.v);
	return got < 0 ? -1 : 0;
}

static int ch_call_refs(store_t *st, const filter_t *f, int64_t now_ns, size_t max, call_ref **out, size_t *n,
			int *more, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	*more = 0;
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT ts, span_id, " ID_EXPR " AS cid FROM calls WHERE 1");
	if (where_sql(st, &q, f, now_ns, err, errlen)) {
		sb_free(&q);
		return -1;
	}
	sb_printf(&q, " ORDER BY ts DESC, cid DESC LIMIT %zu", max + 1);
	keys_ud k = {0};
	char e[512];
	int rc = ch_select(conn(st), q.p, key_row_cb, &k, e, sizeof e);
	sb_free(&q);
	if (rc) {
		free(k.v);
		return fail(st, "reading the calls", e, err, errlen);
	}
	if (k.n > max) {
		*more = 1;
		k.n = max;
	}
	*out = xcalloc(k.n ? k.n : 1, sizeof **out);
	for (size_t i = 0; i < k.n; i++) {
		(*out)[i].id = k.v[i].id;
		(*out)[i].ts = k.v[i].ts;
		snprintf((*out)[i].span, sizeof (*out)[i].span, "%s", k.v[i].span);
		seen_put(k.v[i].id, k.v[i].ts, k.v[i].span);
	}
	*n = k.n;
	free(k.v);
	return 0;
}

/* ---- one call -------------------------------------------------------------------- */

#define FULL_COLS                                                                                                   \
	ROW_COLS ", trace_id, provider, request_model, operation, user_id, session_id, error_message, input, output,"  \
		 " variables, attrs, thinking"

typedef struct full_ud {
	call_full *c;
	int found;
} full_ud;

static char *opt(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static int full_cb(void *ud, char **v, int n)
{
	full_ud *u = ud;
	if (n < ROW_NCOLS + 12 || u->found)
		return 0;
	call_full *c = u->c;
	fill_row(&c->row, v);
	char **w = v + ROW_NCOLS;
	snprintf(c->trace, sizeof c->trace, "%s", w[0] ? w[0] : "");
	c->provider = xstrdup(w[1] ? w[1] : "");
	c->request_model = opt(w[2]);
	c->operation = opt(w[3]);
	c->user_id = opt(w[4]);
	c->session_id = opt(w[5]);
	c->error_message = opt(w[6]);
	c->input = opt(w[7]);
	c->output = opt(w[8]);
	c->variables = opt(w[9]);
	c->attrs = opt(w[10]);
	c->thinking = opt(w[11]);
	u->found = 1;
	return 0;
}

/* Where the call is: by its remembered (ts, span), else by its id's hash. */
static void call_where(sbuf *q, int64_t id)
{
	int64_t ts;
	char span[33];
	if (seen_get(id, &ts, span)) {
		sb_printf(q, " WHERE ts = %lld AND span_id = ", (long long)ts);
		ch_quote(q, span);
	} else {
		sb_printf(q, " WHERE " ID_EXPR " = %lld", (long long)id);
	}
	sb_adds(q, " LIMIT 1");
}

typedef struct events_ud {
	genai_event ev[64];
	char *names[64];
	size_t n;
} events_ud;

static int event_cb(void *ud, char **v, int n)
{
	events_ud *u = ud;
	if (n < 2 || u->n >= 64)
		return 0;
	u->names[u->n] = xstrdup(v[0] ? v[0] : "");
	u->ev[u->n].name = u->names[u->n];
	u->ev[u->n].body = cJSON_Parse(v[1] ? v[1] : "");
	u->n++;
	return 0;
}

/* A call with no content of its own takes it from the GenAI events of its
 * span: those that came after the call was written are kept apart on the
 * server (span_events) and joined here, when the call is read, as the
 * SQLite store joins them when they come. */
static void content_from_events(store_t *st, call_full *out)
{
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT name, body FROM (SELECT DISTINCT name, body, ts FROM span_events WHERE trace_id = ");
	ch_quote(&q, out->trace);
	sb_adds(&q, " AND span_id = ");
	ch_quote(&q, out->row.span);
	sb_adds(&q, ") ORDER BY ts, name, body LIMIT 64");
	events_ud u = {.n = 0};
	char e[512];
	if (ch_select(conn(st), q.p, event_cb, &u, e, sizeof e) == 0 && u.n) {
		char *input = NULL, *output = NULL;
		genai_from_events(u.ev, u.n, &input, &output);
		if (input || output) {
			free(out->input);
			free(out->output);
			out->input = input;
			out->output = output;
		}
	}
	for (size_t i = 0; i < u.n; i++) {
		free(u.names[i]);
		cJSON_Delete((cJSON *)u.ev[i].body);
	}
	sb_free(&q);
}

static int ch_call_get(store_t *st, int64_t id, call_full *out)
{
	memset(out, 0, sizeof *out);
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT " FULL_COLS " FROM calls");
	call_where(&q, id);
	full_ud u = {out, 0};
	char e[512];
	int rc = ch_select(conn(st), q.p, full_cb, &u, e, sizeof e);
	sb_free(&q);
	if (rc || !u.found) {
		if (rc)
			fail(st, "reading a call", e, NULL, 0);
		call_full_free(out);
		memset(out, 0, sizeof *out);
		return -1;
	}
	if ((!out->input || !*out->input) && (!out->output || !*out->output))
		content_from_events(st, out);
	/* Where in its trace the call was made. */
	trace_view t;
	if (store_trace_of_call(st, id, &t) == 0) {
		out->trace_path = trace_path_of(&t, id);
		out->trace_spans = t.n;
		trace_view_free(&t);
	}
	return 0;
}

static int ch_call_body(store_t *st, int64_t id, char **input, char **output, char **variables, char **attrs)
{
	call_full c;
	char **want[4] = {input, output, variables, attrs};
	for (int i = 0; i < 4; i++)
		if (want[i])
			*want[i] = NULL;
	if (ch_call_get(st, id, &c))
		return -1;
	char **have[4] = {&c.input, &c.output, &c.variables, &c.attrs};
	for (int i = 0; i < 4; i++)
		if (want[i]) {
			*want[i] = *have[i];
			*have[i] = NULL;
		}
	call_full_free(&c);
	return 0;
}

static int is_hex(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return 0;
	return 1;
}

static int ch_find_call_ref(store_t *st, const char *ref, int64_t *id, char *err, size_t errlen)
{
	size_t len = strlen(ref);
	if (!is_hex(ref) || len < STORE_SPAN_PREFIX_MIN || len > 32) {
		/* A store id, as the console shows none: the hash id. */
		char *e;
		long long v = strtoll(ref, &e, 10);
		if (*e || v <= 0) {
			snprintf(err, errlen, "no call %s", ref);
			return -1;
		}
		*id = v;
		return 0;
	}
	char low[33];
	for (size_t i = 0; i <= len; i++)
		low[i] = (char)(ref[i] >= 'A' && ref[i] <= 'F' ? ref[i] + 32 : ref[i]);
	sbuf q = SBUF_INIT;
	sb_printf(&q, "SELECT ts, span_id, " ID_EXPR " FROM calls WHERE substring(span_id, 1, %zu) = ", len);
	ch_quote(&q, low);
	sb_adds(&q, " LIMIT 4");
	keys_ud k = {0};
	char e[512];
	int rc = ch_select(conn(st), q.p, key_row_cb, &k, e, sizeof e);
	sb_free(&q);
	if (rc) {
		free(k.v);
		return fail(st, "finding a call", e, err, errlen);
	}
	if (k.n == 1) {
		*id = k.v[0].id;
		seen_put(k.v[0].id, k.v[0].ts, k.v[0].span);
	} else if (k.n > 1) {
		sbuf m = SBUF_INIT;
		sb_printf(&m, "%s is ambiguous:", ref);
		for (size_t i = 0; i < k.n && i < 3; i++)
			sb_printf(&m, " %s", k.v[i].span);
		snprintf(err, errlen, "%s", sb_str(&m));
		sb_free(&m);
		rc = -2;
	} else {
		snprintf(err, errlen, "no call %s", ref);
		rc = -1;
	}
	free(k.v);
	return rc;
}

static int ch_find_call(store_t *st, const char *ref, int64_t *id)
{
	char err[256];
	return ch_find_call_ref(st, ref, id, err, sizeof err) ? -1 : 0;
}

/* ---- filter values ----------------------------------------------------------------- */

typedef struct vals_ud {
	char **v;
	size_t n, cap;
} vals_ud;

static int val_cb(void *ud, char **v, int n)
{
	vals_ud *u = ud;
	if (n < 1 || !v[0] || !*v[0])
		return 0;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		u->v = xrealloc(u->v, u->cap * sizeof *u->v);
	}
	u->v[u->n++] = xstrdup(v[0]);
	return 0;
}

static int ch_filter_values(store_t *st, const char *field, size_t max, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	static const char *const cols[][2] = {{"error", "error_type"}, {"user", "user_id"}, {"session", "session_id"}};
	const char *col = NULL;
	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
		if (!strcmp(field, cols[i][0]))
			col = cols[i][1];
	/* The dimensions' fields as the SQLite store lists them. */
	if (!col)
		return sq_filter_values(st, field, max, out, n);
	/* The others from the newest calls only, as there. */
	char q[512];
	snprintf(q, sizeof q,
		 "SELECT DISTINCT v FROM (SELECT %s AS v FROM calls ORDER BY ts DESC LIMIT %d) WHERE v != '' ORDER BY v"
		 " LIMIT %zu",
		 col, FILTER_VALUES_SCAN, max);
	vals_ud u = {0};
	char e[512];
	if (ch_select(conn(st), q, val_cb, &u, e, sizeof e)) {
		for (size_t i = 0; i < u.n; i++)
			free(u.v[i]);
		free(u.v);
		fail(st, "reading the filter values", e, NULL, 0);
		return -1;
	}
	*out = u.v ? u.v : xcalloc(1, sizeof **out);
	*n = u.n;
	return 0;
}

/* ---- what the ClickHouse store does not keep --------------------------------------- */

static int none_err(store_t *st, const char *what, char *err, size_t errlen)
{
	if (err)
		snprintf(err, errlen, "%s: %s is not available on a ClickHouse store yet", st->path, what);
	return -1;
}

/* ---- traces ---------------------------------------------------------------------- */

typedef struct trace_ud {
	trace_view *t;
	size_t cap;
	char (*call_spans)[65]; /* per span: the call it is part of */
} trace_ud;

static trace_span *trace_add(trace_ud *u)
{
	trace_view *t = u->t;
	if (t->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		t->v = xrealloc(t->v, u->cap * sizeof *t->v);
		u->call_spans = xrealloc(u->call_spans, u->cap * sizeof *u->call_spans);
	}
	u->call_spans[t->n][0] = 0;
	trace_span *sp = &t->v[t->n++];
	memset(sp, 0, sizeof *sp);
	sp->end = -1;
	return sp;
}

static int span_cb(void *ud, char **v, int n)
{
	trace_ud *u = ud;
	if (n < 12)
		return 0;
	trace_span *sp = trace_add(u);
	snprintf(sp->span, sizeof sp->span, "%s", v[0] ? v[0] : "");
	snprintf(sp->parent, sizeof sp->parent, "%s", v[1] ? v[1] : "");
	sp->name = opt(v[2]);
	sp->kind = (int)num(v[3]);
	sp->scope = opt(v[4]);
	sp->service = opt(v[5]);
	sp->start = num(v[6]);
	sp->end = v[7] && num(v[7]) > 0 ? num(v[7]) : -1;
	sp->status = (int)num(v[8]);
	sp->status_message = opt(v[9]);
	snprintf(u->call_spans[u->t->n - 1], sizeof u->call_spans[0], "%s", v[10] ? v[10] : "");
	sp->attrs = opt(v[11]);
	return 0;
}

typedef struct tcall_ud {
	trace_ud *u;
	int lone; /* no spans: each call is a span of its own */
} tcall_ud;

/* A call of the trace: its figures onto the spans that are part of it. */
static int tcall_cb(void *ud, char **v, int n)
{
	tcall_ud *c = ud;
	trace_ud *u = c->u;
	if (n < 14)
		return 0;
	const char *span = v[0] ? v[0] : "";
	if (c->lone) {
		trace_span *sp = trace_add(u);
		snprintf(sp->span, sizeof sp->span, "%s", span);
		snprintf(u->call_spans[u->t->n - 1], sizeof u->call_spans[0], "%s", span);
		sp->start = num(v[11]);
		double lat = v[10] ? strtod(v[10], NULL) : -1;
		if (lat >= 0)
			sp->end = sp->start + (int64_t)(lat * 1e6);
		sp->name = xstrdup(v[12] && *v[12] ? v[12] : "chat");
	}
	int64_t id = num(v[1]);
	seen_put(id, num(v[11]), span);
	for (size_t i = 0; i < u->t->n; i++) {
		if (strcmp(u->call_spans[i], span))
			continue;
		trace_span *sp = &u->t->v[i];
		sp->call_id = id;
		free(sp->provider);
		free(sp->model);
		free(sp->error_type);
		snprintf(sp->call_span, sizeof sp->call_span, "%s", span);
		sp->provider = opt(v[2]);
		sp->model = opt(v[3]);
		sp->is_error = num(v[4]) != 0;
		sp->error_type = opt(v[5]);
		sp->input_tokens = num(v[6]);
		sp->cached_tokens = num(v[7]);
		sp->output_tokens = num(v[8]);
		sp->cost_nusd = num(v[9]);
		sp->latency_ms = v[10] ? strtod(v[10], NULL) : -1;
	}
	return 0;
}

/* The trace by its id (32 hex digits): its spans, each once, and the calls
 * that are part of it. 0, and out->n 0 when the store has none of it. */
static int trace_load(store_t *st, const char *trace, trace_view *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	snprintf(out->trace, sizeof out->trace, "%s", trace);
	trace_ud u = {out, 0, NULL};
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT span_id, parent_id, name, kind, scope, service, start_ns, end_ns, status, status_message,"
		    " call_span_id, attrs FROM spans FINAL WHERE trace_id = ");
	ch_quote(&q, trace);
	char e[512];
	int rc = ch_select(conn(st), q.p, span_cb, &u, e, sizeof e);
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < out->n; i++) {
		if (out->v[i].start < lo)
			lo = out->v[i].start;
		if (out->v[i].start > hi)
			hi = out->v[i].start;
	}
	/* The calls, found by time first: the table is ordered by it. */
	sb_reset(&q);
	sb_adds(&q, "SELECT span_id, " ID_EXPR ", provider, model, status, error_type, input_tokens, cached_tokens,"
		    " output_tokens, cost_nusd, latency_ms, ts, operation, trace_id FROM calls WHERE (trace_id = ");
	ch_quote(&q, trace);
	/* and the calls of other traces its spans joined (a provider SDK's
	 * span recorded alone at the root of a trace of its own) */
	int others = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (!u.call_spans[i][0])
			continue;
		int dup = 0;
		for (size_t k = 0; k < i && !dup; k++)
			dup = !strcmp(u.call_spans[k], u.call_spans[i]);
		if (dup)
			continue;
		sb_adds(&q, others++ ? "," : " OR span_id IN (");
		ch_quote(&q, u.call_spans[i]);
	}
	sb_adds(&q, others ? "))" : ")");
	if (out->n)
		sb_printf(&q, " AND ts >= %lld AND ts <= %lld", (long long)(lo - NS_PER_HOUR), (long long)(hi + NS_PER_HOUR));
	sb_adds(&q, " ORDER BY ts");
	tcall_ud c = {&u, out->n == 0};
	if (!rc)
		rc = ch_select(conn(st), q.p, tcall_cb, &c, e, sizeof e);
	sb_free(&q);
	free(u.call_spans);
	if (rc) {
		trace_view_free(out);
		return fail(st, "reading a trace", e, err, errlen);
	}
	trace_order_tree(out);
	u64map calls = {0};
	out->start = INT64_MAX;
	out->end = INT64_MIN;
	for (size_t i = 0; i < out->n; i++) {
		trace_span *sp = &out->v[i];
		if (sp->start < out->start)
			out->start = sp->start;
		if (sp->end > out->end)
			out->end = sp->end;
		if (!sp->call_id || u64map_get(&calls, (uint64_t)sp->call_id)) {
			if (sp->call_id) {
				/* an inner layer of a call already counted */
				free(sp->provider);
				free(sp->model);
				free(sp->error_type);
				sp->provider = sp->model = sp->error_type = NULL;
				sp->is_error = 0;
				sp->input_tokens = sp->cached_tokens = sp->output_tokens = sp->cost_nusd = 0;
				sp->latency_ms = 0;
				sp->call_span[0] = 0;
			}
			continue;
		}
		u64map_put(&calls, (uint64_t)sp->call_id, 1);
		sp->call_first = 1;
		out->calls++;
		out->errors += sp->is_error;
		if (sp->cost_nusd > 0)
			out->cost_nusd += sp->cost_nusd;
	}
	free(calls.keys);
	free(calls.vals);
	if (out->end < out->start)
		out->end = out->start;
	return 0;
}

typedef struct str_ud {
	char v[65];
} str_ud;

static int str_cb(void *ud, char **v, int n)
{
	str_ud *u = ud;
	if (n > 0 && v[0] && !u->v[0])
		snprintf(u->v, sizeof u->v, "%s", v[0]);
	return 0;
}

static int ch_trace_of_call(store_t *st, int64_t call_id, trace_view *out)
{
	memset(out, 0, sizeof *out);
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT trace_id FROM calls");
	call_where(&q, call_id);
	str_ud t = {""};
	char e[512];
	int rc = ch_select(conn(st), q.p, str_cb, &t, e, sizeof e);
	sb_free(&q);
	if (rc || !t.v[0])
		return -1;
	return trace_load(st, t.v, out, e, sizeof e);
}

static int ch_trace_get(store_t *st, const char *ref, trace_view *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char low[65];
	size_t len = strlen(ref);
	if (is_hex(ref) && len < sizeof low) {
		for (size_t i = 0; i <= len; i++)
			low[i] = (char)(ref[i] >= 'A' && ref[i] <= 'F' ? ref[i] + 32 : ref[i]);
		if (len == 32) {
			if (trace_load(st, low, out, err, errlen))
				return -1;
			if (out->n)
				return 0;
			trace_view_free(out);
		}
	}
	int64_t cid;
	int frc = ch_find_call_ref(st, ref, &cid, err, errlen);
	if (frc == 0 && ch_trace_of_call(st, cid, out) == 0)
		return 0;
	if (frc == -2)
		return -1;
	if (is_hex(ref) && len >= 8 && len < sizeof low) {
		/* a layer's span, or a step */
		sbuf q = SBUF_INIT;
		sb_adds(&q, "SELECT trace_id FROM spans WHERE span_id = ");
		ch_quote(&q, low);
		sb_adds(&q, " LIMIT 1");
		str_ud t = {""};
		char e[512];
		int rc = ch_select(conn(st), q.p, str_cb, &t, e, sizeof e);
		sb_free(&q);
		if (!rc && t.v[0] && trace_load(st, t.v, out, err, errlen) == 0 && out->n)
			return 0;
	}
	trace_view_free(out);
	snprintf(err, errlen, "no trace or call '%s' in %s", ref, store_path(st));
	return -1;
}

/* The prompt registry: the versions the ingester wrote (a ReplacingMergeTree
 * on name and version, grouped so that rows not merged yet count once), and
 * the day and minute rollups, as the SQLite store lists them. */
typedef struct pver_ud {
	prompt_version_fn fn;
	void *ud;
} pver_ud;

static int pver_row(void *ud, char **v, int n)
{
	pver_ud *u = ud;
	if (n >= 4 && v[0] && v[1])
		u->fn(u->ud, v[0], v[1], v[2] && *v[2] ? v[2] : NULL, num(v[3]));
	return 0;
}

static int ch_prompt_versions(store_t *st, const char *name, prompt_version_fn fn, void *ud, char *err, size_t errlen)
{
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT name, version, any(source), min(created_at) FROM prompt_versions");
	if (name) {
		sb_adds(&q, " WHERE name = ");
		ch_quote(&q, name);
	}
	sb_adds(&q, " GROUP BY name, version");
	pver_ud u = {fn, ud};
	char e[512];
	int rc = ch_select(conn(st), q.p, pver_row, &u, e, sizeof e);
	sb_free(&q);
	if (rc)
		return fail(st, "reading the prompt versions", e, err, errlen);
	/* and those added on this machine (prompt add, the rc's prompt folders) */
	return st->chs->local ? sq_prompt_src.versions(st->chs->local, name, fn, ud, err, errlen) : 0;
}

typedef struct pday_ud {
	store_t *st;
	prompt_day_fn fn;
	void *ud;
	rstats s;
} pday_ud;

static int pday_row(void *ud, char **v, int n)
{
	pday_ud *u = ud;
	if (n < 2 + ROLLUP_NCOLS)
		return 0;
	int64_t id = dim_of(u->st, v[1]);
	if (id <= 0)
		return 0;
	rstats_reset(&u->s);
	add_rollup_cols(&u->s, v + 2, 0);
	u->fn(u->ud, num(v[0]), id, &u->s);
	return 0;
}

static int ch_prompt_days(store_t *st, prompt_day_fn fn, void *ud, char *err, size_t errlen)
{
	pday_ud u = {st, fn, ud, {0}};
	rstats_init(&u.s);
	char e[512];
	sbuf q = SBUF_INIT;
	rrange all = {RES_1D, INT64_MIN / 2, INT64_MAX / 2};
	rollup_select(&q, "toString(t), toString(dim),", &all, 1, 0, "t, dim", "t, dim");
	int rc = ch_select(conn(st), q.p, pday_row, &u, e, sizeof e);
	sb_free(&q);
	rstats_free(&u.s);
	return rc ? fail(st, "reading the rollups", e, err, errlen) : 0;
}

static int64_t ch_prompt_edge(store_t *st, const int64_t *dims, size_t ndims, int64_t day_s, int last)
{
	if (!ndims)
		return -1;
	sbuf q = SBUF_INIT;
	sb_printf(&q, "SELECT %s(t), count() FROM rollup_1m WHERE t >= %lld AND t < %lld AND dim IN (", last ? "max" : "min",
		  (long long)day_s, (long long)(day_s + 86400));
	for (size_t i = 0; i < ndims; i++)
		sb_printf(&q, "%s%llu", i ? "," : "",
			  dims[i] > 0 && dims[i] < st->chs->ndims ? (unsigned long long)st->chs->dim_hash[dims[i]] : 0ULL);
	sb_adds(&q, ")");
	two_ud u = {0};
	char e[512];
	int rc = ch_select(conn(st), q.p, two_row, &u, e, sizeof e);
	sb_free(&q);
	return rc || u.b <= 0 ? -1 : u.a;
}

static const prompt_src ch_prompt_src = {ch_prompt_versions, ch_prompt_days, ch_prompt_edge};

static int ch_prompts_list(store_t *st, const char *name, prompt_list *out, char *err, size_t errlen)
{
	return prompts_build(st, name, &ch_prompt_src, out, err, errlen);
}

typedef struct text_ud {
	char *s;
	int found;
} text_ud;

static int text_row(void *ud, char **v, int n)
{
	text_ud *u = ud;
	if (n >= 2 && num(v[1]) > 0 && !u->found) {
		u->s = xstrdup(v[0] ? v[0] : "");
		u->found = 1;
	}
	return 0;
}

static int ch_prompts_get_text(store_t *st, const char *name, const char *version, char **text, char *err,
			       size_t errlen)
{
	*text = NULL;
	/* a template the ingester took from a trace, else one added here */
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT any(template), count() FROM prompt_versions WHERE name = ");
	ch_quote(&q, name);
	sb_adds(&q, " AND version = ");
	ch_quote(&q, version);
	text_ud u = {0};
	char e[512];
	int rc = ch_select(conn(st), q.p, text_row, &u, e, sizeof e);
	sb_free(&q);
	if (rc)
		return fail(st, "reading the prompt versions", e, err, errlen);
	if (u.found) {
		*text = u.s;
		return 0;
	}
	if (!st->chs->local)
		return none_err(st, "the prompt registry", err, errlen);
	return sq_prompts_get_text(st->chs->local, name, version, text, err, errlen);
}

/* A template onto the server, so that every machine that opens the
 * database can diff it; where the server refuses (a user that may only
 * read), into this machine's own file, as before. */
static int ch_put(store_t *st, const char *name, const char *version, const char *text, const char *source,
		  int64_t created_ns, char *err, size_t errlen)
{
	sbuf row = SBUF_INIT;
	sb_adds(&row, "{\"name\":");
	json_escape(&row, name);
	sb_adds(&row, ",\"version\":");
	json_escape(&row, version);
	sb_adds(&row, ",\"template\":");
	json_escape(&row, text);
	sb_adds(&row, ",\"source\":");
	json_escape(&row, source ? source : "");
	sb_printf(&row, ",\"created_at\":%lld}\n", (long long)created_ns);
	char e[512];
	int rc = ch_insert(conn(st), "INSERT INTO prompt_versions FORMAT JSONEachRow", row.p, row.len, e, sizeof e);
	sb_free(&row);
	if (!rc)
		return 0;
	if (!st->chs->local)
		return fail(st, "writing the prompt version", e, err, errlen);
	int same = 0;
	char v[64];
	return sq_prompts_add(st->chs->local, name, version, text, source, created_ns, v, sizeof v, &same, err, errlen);
}

static int ch_prompts_add(store_t *st, const char *name, const char *version, const char *text, const char *source,
			  int64_t now_ns, char *out_version, size_t vlen, int *same_text, char *err, size_t errlen)
{
	return prompts_add_with(st, name, version, text, source, now_ns, out_version, vlen, same_text, ch_put, err,
				errlen);
}

static int ch_usage_store_page(store_t *st, const char *provider, int width_s, const usage_page *pg,
			       int64_t fetched_s, char *err, size_t errlen)
{
	if (!st->chs->local)
		return none_err(st, "billed usage", err, errlen);
	return sq_usage_store_page(st->chs->local, provider, width_s, pg, fetched_s, err, errlen);
}

static int64_t ch_usage_fetch_start(store_t *st, const char *provider, int kind, int width_s, int64_t from_s,
				    int64_t to_s, int64_t settle_s)
{
	if (!st->chs->local)
		return from_s;
	return sq_usage_fetch_start(st->chs->local, provider, kind, width_s, from_s, to_s, settle_s);
}

static int ch_usage_summarize(store_t *st, pricing_t *prices, int64_t from_ns, int64_t to_ns, usage_sum *out,
			      char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!st->chs->local)
		return none_err(st, "billed usage", err, errlen);
	return sq_usage_summarize(st->chs->local, prices, from_ns, to_ns, out, err, errlen);
}

static int ch_fts_step(store_t *st, int max_rows, int64_t *pending)
{
	(void)st, (void)max_rows;
	*pending = 0;
	return 0;
}

static int64_t ch_zero(store_t *st)
{
	(void)st;
	return 0;
}

static int64_t ch_fts_since(store_t *st, int64_t hint)
{
	(void)st, (void)hint;
	return 0;
}

static int ch_fts_search(store_t *st, const char *query, int64_t *ids, int max, int *n, char *err, size_t errlen)
{
	(void)query, (void)ids, (void)max;
	*n = 0;
	return none_err(st, "the full-text index", err, errlen);
}

/* ---- writing, and the store itself --------------------------------------------------- */

static int ch_ingest_op(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen)
{
	if (st->readonly) {
		snprintf(err, errlen, "%s", STORE_READONLY_MSG);
		return -1;
	}
	/* The ingester's dictionary is the store's to keep (it goes on using
	 * it): kept here, so that it is trained once and freed at close. */
	if (b->new_codec && b->new_codec != st->chs->codec) {
		body_codec_free(st->chs->codec);
		st->chs->codec = b->new_codec;
	}
	b->new_codec = NULL;
	memo_clear(); /* what it reads next includes these */
	return ch_ingest(conn(st), b, prices, stats, err, errlen);
}

static int ch_begin(store_t *st, char *err, size_t errlen)
{
	(void)st, (void)err, (void)errlen;
	return 0;
}

static int ch_commit(store_t *st, char *err, size_t errlen)
{
	return st->readonly ? 0 : ch_flush(conn(st), err, errlen);
}

static int ch_settle_op(store_t *st, int all, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen)
{
	return st->readonly ? 0 : ch_settle(conn(st), all, prices, stats, err, errlen);
}

static void ch_rollback(store_t *st)
{
	(void)st;
}

static int ch_prune_spans(store_t *st, uint64_t *pruned)
{
	(void)st;
	*pruned = 0;
	return 0;
}

static size_t ch_span_traces_pending(const store_t *st)
{
	(void)st;
	return 0;
}

static int ch_busy_timeout(store_t *st, int ms)
{
	int was = st->busy_ms;
	st->busy_ms = ms;
	return was;
}

static int ch_busy(store_t *st)
{
	(void)st;
	return 0;
}

static body_codec *ch_body_codec(store_t *st)
{
	return st->chs->codec;
}

static int64_t ch_meta_get_int(store_t *st, const char *key, int64_t def)
{
	return st->chs->local ? sq_meta_get_int(st->chs->local, key, def) : def;
}

static int ch_meta_set_int(store_t *st, const char *key, int64_t v)
{
	return st->chs->local ? sq_meta_set_int(st->chs->local, key, v) : 0;
}

static int ch_put_prompt(store_t *st, const char *name, const char *version, const char *text, const char *source,
			 int64_t created_ns)
{
	char err[256];
	return ch_put(st, name, version, text, source, created_ns, err, sizeof err);
}

static int ch_schema_version_op(store_t *st)
{
	int v = 0;
	char err[256];
	return ch_schema_version(conn(st), &v, err, sizeof err) ? -1 : v;
}

static void ch_close(store_t *st)
{
	if (st->chs) {
		if (st->chs->c && !st->readonly) {
			char err[256];
			ch_flush(st->chs->c, err, sizeof err);
		}
		ch_disconnect(st->chs->c);
		dims_reset(st->chs);
		edges_reset(st->chs);
		body_codec_free(st->chs->codec);
		if (st->chs->local)
			sq_close(st->chs->local);
		free(st->chs);
	}
	free(st->damage);
	free(st->path);
	free(st);
}

static int ch_models(store_t *st, int64_t from_ns, int64_t to_ns, char ***models, size_t *n)
{
	return sq_models(st, from_ns, to_ns, models, n);
}

/* ---- a filter's sums over a window ---------------------------------------- */

/* As in the SQLite store: filters on dimensions only are answered by the
 * rollups, the others by one aggregation of the window's calls on the
 * server, into the same histogram buckets the rollups keep. */
static int filter_dims_only(const filter_t *f)
{
	return f->status < 0 && !f->error.n && !f->user.n && !f->session.n && !f->trace.n && !f->since_ns &&
	       !f->before_ns && f->lat_min < 0 && f->lat_max < 0 && !f->text && !f->sample_bp;
}

static int stats_row(void *ud, char **v, int n)
{
	if (n >= ROLLUP_NCOLS)
		add_rollup_cols(ud, v, 1);
	return 0;
}

static int stats_err_row(void *ud, char **v, int n)
{
	rstats *s = ud;
	if (n >= 2)
		ecounts_add(&s->errs, v[0] ? v[0] : "error", unum(v[1]));
	return 0;
}

static int ch_filter_stats(store_t *st, const filter_t *f, int64_t from_ns, int64_t to_ns, int64_t now_ns,
			   rstats *out, char *err, size_t errlen)
{
	rstats_init(out);
	if (!f || filter_dims_only(f)) {
		dims_t d;
		if (ch_dims_load(st, &d)) {
			snprintf(err, errlen, "%s", st->chs->err);
			return -1;
		}
		rstats *per_dim = xcalloc((size_t)(d.n ? d.n : 1), sizeof *per_dim);
		int64_t to = floor_to(to_ns, NS_PER_MIN) == to_ns ? to_ns : floor_to(to_ns, NS_PER_MIN) + NS_PER_MIN;
		int rc = ch_window_per_dim(st, floor_to(from_ns, NS_PER_MIN), to, &d, per_dim);
		if (rc)
			snprintf(err, errlen, "%s", st->chs->err);
		for (int64_t i = 1; i < d.n; i++) {
			if (!rc && d.v[i].model && (!f || dim_matches(&d.v[i], f)))
				rstats_merge(out, &per_dim[i]);
			rstats_free(&per_dim[i]);
		}
		free(per_dim);
		store_dims_free(&d);
		return rc ? -1 : 0;
	}
	sbuf w = SBUF_INIT, q = SBUF_INIT;
	sb_printf(&w, " FROM calls WHERE ts >= %lld AND ts < %lld", (long long)from_ns, (long long)to_ns);
	if (where_sql(st, &w, f, now_ns, err, errlen)) {
		sb_free(&w);
		return -1;
	}
	sb_adds(&q, "SELECT count(), sum(toUInt64(status)), sum(toUInt64(greatest(input_tokens, 0))),"
		    " sum(toUInt64(greatest(cached_tokens, 0))), sum(toUInt64(greatest(output_tokens, 0))),"
		    " sum(toInt64(if(cost_nusd >= 0, cost_nusd, 0))), sum(toUInt64(cost_nusd < 0))");
	const char *h[2][2] = {{"lat", "latency_ms"}, {"ttft", "ttft_ms"}};
	for (int i = 0; i < 2; i++)
		sb_printf(&q,
			  ", minIf(%2$s, %2$s >= 0), maxIf(%2$s, %2$s >= 0), sumIf(%2$s, %2$s >= 0),"
			  " sumMap(if(%2$s >= 0, [%1$s_bucket], emptyArrayUInt32()),"
			  " if(%2$s >= 0, [toUInt64(1)], emptyArrayUInt64()))",
			  h[i][0], h[i][1]);
	sb_adds(&q, sb_str(&w));
	char e[512];
	int rc = ch_select(conn(st), q.p, stats_row, out, e, sizeof e);
	if (!rc) {
		sb_reset(&q);
		sb_printf(&q, "SELECT if(error_type = '', 'error', error_type) AS et, count()%s AND status = 1 GROUP BY et",
			  sb_str(&w));
		rc = ch_select(conn(st), q.p, stats_err_row, out, e, sizeof e);
	}
	sb_free(&q);
	sb_free(&w);
	if (rc) {
		rstats_free(out);
		rstats_init(out);
		return fail(st, "reading the calls", e, err, errlen);
	}
	return 0;
}

static int ch_filter_last_ts(store_t *st, const filter_t *f, int64_t now_ns, int64_t *ts, char *err, size_t errlen)
{
	*ts = 0;
	char e[512];
	sbuf q = SBUF_INIT;
	int64_t lo = 0;
	/* A feed that stopped long ago: its last day from the daily rollups, its
	 * last minute from the minutes, and only that minute's calls read. */
	if (!f || filter_dims_only(f)) {
		static const int res[2] = {RES_1D, RES_1M};
		int64_t now_s = now_ns / NS_PER_S, t = 0;
		for (int i = 0; i < 2; i++) {
			sb_reset(&q);
			sb_printf(&q, "SELECT max(t) FROM %s WHERE t >= %lld AND t < %lld", rollup_table[res[i]],
				  (long long)t, (long long)(now_s + 1));
			if (where_sql(st, &q, f, now_ns, err, errlen)) {
				sb_free(&q);
				return -1;
			}
			two_ud u = {0};
			if (ch_select(conn(st), q.p, two_row, &u, e, sizeof e)) {
				sb_free(&q);
				return fail(st, "reading the rollups", e, err, errlen);
			}
			if (!u.rows || u.a <= 0) {
				sb_free(&q);
				return 0;
			}
			t = u.a;
		}
		lo = t * NS_PER_S;
	}
	sb_reset(&q);
	sb_printf(&q, "SELECT max(ts), count() FROM calls WHERE ts <= %lld AND ts >= %lld", (long long)now_ns,
		  (long long)lo);
	if (where_sql(st, &q, f, now_ns, err, errlen)) {
		sb_free(&q);
		return -1;
	}
	two_ud u = {0};
	int rc = ch_select(conn(st), q.p, two_row, &u, e, sizeof e);
	sb_free(&q);
	if (rc)
		return fail(st, "reading the calls", e, err, errlen);
	*ts = u.b > 0 ? u.a : 0;
	return 0;
}

static void ch_cancel_op(store_t *st)
{
	ch_cancel(conn(st));
}

const store_ops store_clickhouse_ops = {
	.name = "clickhouse",
	.remote = 1,
	.close = ch_close,
	.schema_version = ch_schema_version_op,
	.ingest = ch_ingest_op,
	.begin = ch_begin,
	.commit = ch_commit,
	.settle = ch_settle_op,
	.rollback = ch_rollback,
	.prune_spans = ch_prune_spans,
	.span_traces_pending = ch_span_traces_pending,
	.busy_timeout = ch_busy_timeout,
	.busy = ch_busy,
	.body_codec = ch_body_codec,
	.meta_get_int = ch_meta_get_int,
	.meta_set_int = ch_meta_set_int,
	.put_prompt = ch_put_prompt,
	.call_count = ch_call_count,
	.call_mark = ch_call_count, /* from the parts' row counts, not a scan */
	.time_range = ch_time_range,
	.changed = ch_changed,
	.last_ts = ch_last_ts,
	.report = ch_report,
	.series = ch_series,
	.warm = ch_warm,
	.spend = ch_spend,
	.models = ch_models,
	.calls_page = ch_calls_page,
	.call_refs = ch_call_refs,
	.filter_values = ch_filter_values,
	.call_get = ch_call_get,
	.call_body = ch_call_body,
	.find_call = ch_find_call,
	.find_call_ref = ch_find_call_ref,
	.fts_step = ch_fts_step,
	.fts_pending = ch_zero,
	.fts_since = ch_fts_since,
	.fts_search = ch_fts_search,
	.trace_get = ch_trace_get,
	.trace_of_call = ch_trace_of_call,
	.prompts_list = ch_prompts_list,
	.prompts_get_text = ch_prompts_get_text,
	.prompts_add = ch_prompts_add,
	.changes_compute = ch_changes,
	.usage_store_page = ch_usage_store_page,
	.usage_fetch_start = ch_usage_fetch_start,
	.usage_summarize = ch_usage_summarize,
	.dims_load = ch_dims_load,
	.window_per_dim = ch_window_per_dim,
	.windows_per_dim = ch_windows_per_dim,
	.cancel = ch_cancel_op,
	.dim_hours = ch_dim_hours,
	.dim_minute = ch_dim_minute,
	.dim_minutes_ahead = ch_dim_minutes_ahead,
	.filter_stats = ch_filter_stats,
	.filter_last_ts = ch_filter_last_ts,
};

static char *password_cmd;
static int retention_days;

void store_set_retention(int64_t ns)
{
	retention_days = ch_retention_days_of(ns);
}

void store_set_ca_file(const char *path)
{
	ch_set_ca_file(path);
}

void store_set_password_cmd(const char *cmd)
{
	free(password_cmd);
	password_cmd = cmd && *cmd ? xstrdup(cmd) : NULL;
}

char *store_local_path(const char *store_path, char *err, size_t errlen)
{
	if (!store_is_url(store_path))
		return xstrdup(store_path);
	/* One file a server and database: clickhouse-HOST-PORT-DATABASE.db,
	 * from the URL less its scheme, user and options. */
	const char *p = store_path + 13, *at = strchr(p, '@'), *slash = strchr(p, '/');
	if (at && (!slash || at < slash))
		p = at + 1;
	sbuf leaf = SBUF_INIT;
	sb_adds(&leaf, "clickhouse-");
	for (; *p && *p != '?'; p++)
		sb_addc(&leaf, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
					*p == '.' || *p == '_'
				       ? *p
				       : '-');
	sb_adds(&leaf, ".db");
	char *path = file_xdg_path(XDG_STATE, sb_str(&leaf), err, errlen);
	sb_free(&leaf);
	return path;
}

int store_is_url(const char *path)
{
	return path && !strncmp(path, "clickhouse://", 13);
}

int ch_store_open(const char *url, int flags, store_t **out, char *err, size_t errlen)
{
	*out = NULL;
	int ro = (flags & STORE_READONLY) != 0;
	ch_conn *c;
	/* A viewer needs no DDL where the schema is already there: a user
	 * that may only read and insert opens the database as it is. */
	if (!((flags & STORE_VIEWER) && !ro && ch_connect(url, password_cmd, CH_READONLY, &c, err, errlen) == 0) &&
	    ch_connect(url, password_cmd, ro ? CH_READONLY : 0, &c, err, errlen))
		return -1;
	store_t *st = xcalloc(1, sizeof *st);
	st->ops = &store_clickhouse_ops;
	st->chs = xcalloc(1, sizeof *st->chs);
	st->chs->c = c;
	st->path = xstrdup(ch_url_display(c));
	st->readonly = ro;
	st->busy_ms = 5000;
	if ((flags & STORE_CREATE) && retention_days && ch_set_retention(c, retention_days, err, errlen)) {
		store_close(st);
		return -1;
	}
	/* What the console writes of its own stays on this machine: a store
	 * opened only to read (the query thread) needs none of it. */
	if (!ro) {
		char *lp = store_local_path(url, err, errlen);
		if (!lp || sq_open(lp, STORE_CREATE, &st->chs->local, err, errlen)) {
			free(lp);
			store_close(st);
			return -1;
		}
		free(lp);
		/* Replays are saved on the store's connection: this one. */
		st->db = st->chs->local->db;
	}
	*out = st;
	return 0;
}
