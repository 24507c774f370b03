/* The store's insides, for data/ alone: its connection and cached statements
 * (which the queries, reports, prompts, replays and usage modules use
 * directly), the helpers the importers share (store.c and trace.c), and the
 * dimension table in memory. Everything outside data/ goes through store.h
 * and the other public headers. */
#ifndef LLMOPS_STORE_INTERNAL_H
#define LLMOPS_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "../core/body.h"
#include "../core/map.h"
#include "../core/rollup.h"
#include "store.h"
#include "store_ops.h"

/* The statements each connection prepares once (store_stmt). */
enum {
	ST_DIM_INSERT,
	ST_DIM_SELECT,
	ST_CALL_INSERT,
	ST_ROLLUP_1M,
	ST_ROLLUP_1H,
	ST_ROLLUP_1D,
	ST_CALL_BY_SPAN,
	ST_EVENTS_OF,
	ST_BODY_FROM_EVENTS,
	ST_EVENT_INSERT,
	ST_HAS_EVENTS,
	ST_COUNT,
	ST_RANGE,
	ST_BODY_GET,
	ST_KEY_HOLDER,
	ST_FIND_ID,
	ST_PROMPT_PUT,
	ST_PROMPT_SEEN,
	ST_FTS_META,
	ST_FTS_ROWS,
	ST_FTS_LOW,
	ST_FTS_INSERT,
	ST_FTS_SET,
	ST_MAX_ID,
	ST_SPAN_INSERT,
	ST_SPAN_EXISTS,
	ST_TRACE_SPANS,
	ST_SPAN_SET_CALL,
	ST_CALL_SCALARS,
	ST_HAS_CALL_IN_TRACE,
	ST_SPANS_OF_CALL,
	ST_CALL_SPAN_COUNT,
	ST_TRACE_CALL,
	ST__N
};

/* uint64 -> int64 (0 = absent), open addressing. */
typedef struct u64map {
	uint64_t *keys;
	int64_t *vals;
	size_t cap, len;
} u64map;

int64_t u64map_get(const u64map *m, uint64_t k);
void u64map_put(u64map *m, uint64_t k, int64_t v);

struct store {
	const store_ops *ops; /* the backend: store_sqlite_ops for the fields below */
	struct ch_store *chs; /* the ClickHouse backend's own (ch_read.c); NULL on SQLite */
	sqlite3 *db;
	char *path;
	int schema;
	sqlite3_stmt *stmt[ST__N];
	u64map dims;          /* dimension hash -> id */
	body_codec **codecs;  /* every dictionary in the store */
	size_t ncodecs;
	body_codec *codec;    /* the one new bodies are compressed with */
	int has_events;
	int in_txn;           /* inside store_begin .. store_commit */
	int readonly;         /* opened for reading only: the store cannot be written */
	char *damage;         /* the first read that found the file damaged, said once */
	int busy_ms;          /* the connection's busy timeout */
	int64_t data_version; /* last PRAGMA data_version seen */
	/* traces whose steps this import stored, to drop those that end up
	 * with no LLM call (ids, 1 + trace_len bytes each) */
	sbuf span_traces;
	u64map span_trace_seen;
	int sdk_roots;        /* -1 unknown; 1 when a provider SDK's own root span is stored */
	/* STORE_SCRATCH: the ids of the calls counted without a row, as 64-bit
	 * fingerprints in an open-addressed table (0: an empty slot) */
	int scratch;
	uint64_t *seen;
	size_t nseen, seencap;
	/* bulk imports: checkpoints on a thread of their own */
	pthread_t ck_thread;
	pthread_mutex_t ck_mu;
	pthread_cond_t ck_cv;
	int ck_running, ck_stop;
};

/* After a statement failed with rc: a damaged file (SQLITE_CORRUPT,
 * SQLITE_NOTADB) is recorded with what was being read, for store_damage. */
void store_note_error(store_t *st, int rc, const char *what);

/* A cached prepared statement, reset and unbound. */
sqlite3_stmt *store_stmt(store_t *st, int which, const char *sql);
int store_has_events(store_t *st);
/* 1 when the text index holds the call (its text must be taken out before it changes). */
int fts_indexed(store_t *st, int64_t id);
int fts_remove(store_t *st, int64_t id);
int64_t call_key(const uint8_t *span, size_t len);
body_codec *store_codec_by_id(store_t *st, int64_t id);
/* Decodes a body from columns col.. (zdict, body, input, output, variables, attrs). */
int store_body_decode(store_t *st, sqlite3_stmt *s, int col, char **input, char **output, char **variables,
		      char **attrs);
int fts_add(store_t *st, int64_t id);

void bind_text_or_null(sqlite3_stmt *s, int i, const char *v);
void bind_int_or_null(sqlite3_stmt *s, int i, int64_t v);
void bind_real_or_null(sqlite3_stmt *s, int i, double v);
int64_t dim_id(store_t *st, const call_t *c);
int64_t find_by_ids(store_t *st, const uint8_t *span, int span_len, const uint8_t *trace, int trace_len);
int fill_from_events(store_t *st, const uint8_t *span, int span_len, const uint8_t *trace, int trace_len,
		      ingest_stats *stats);
int store_seen_prompt(store_t *st, const char *name, const char *version, const char *text, int64_t ts);
int store_insert_call(store_t *st, const call_t *c, body_codec *codec, int64_t key, int64_t *id);

/* Rollup buckets (minute, dimension id) to compute again from the calls,
 * with their hour and day, after calls were merged or changed. */
typedef struct rebuild_set {
	int64_t *t, *dim; /* minute start (Unix s), dimension id */
	size_t n, cap;
} rebuild_set;
void rebuild_add(rebuild_set *r, int64_t ts_ns, int64_t dim);
int rollup_rebuild(store_t *st, rebuild_set *r);
void rebuild_free(rebuild_set *r);

/* A batch of OTLP spans: stores the steps of their traces, puts together
 * one call per provider request (several instrumentation layers may have
 * recorded it) with the context its trace passes down, and adds the new
 * calls to the batch's rollups; changed calls go to rebuild. */
int trace_ingest(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, rebuild_set *rebuild);


/* A trace's spans into tree order (a parent before its children, siblings
 * by start) with their depths (trace_out.c). */
struct trace_view;
void trace_order_tree(struct trace_view *t);

/* The dimension table in memory, indexed by id (v[id].model is NULL where
 * there is no such id): for reports and console queries. */
typedef struct dim_row {
	char *provider, *model, *prompt_name, *prompt_version, *feature;
} dim_row;
typedef struct dims_t {
	dim_row *v;
	int64_t n;
} dims_t;
int store_dims_load(store_t *st, dims_t *d);
void store_dims_free(dims_t *d);
/* Adds the rollups of [from_ns, to_ns) (minute aligned) into per_dim[dim],
 * an array of dims->n rstats. 0; -1 on a store error; -2 on a corrupt row. */
int store_window_per_dim(store_t *st, int64_t from_ns, int64_t to_ns, const dims_t *dims, rstats *per_dim);
/* The same for n windows at once, window k into per_dim[k], a server
 * reading them together; when lean the TTFT histograms and the errors by
 * type may be left empty (the changes strip compares neither). */
typedef struct twin {
	int64_t from_ns, to_ns;
} twin;
int store_windows_per_dim(store_t *st, const twin *w, size_t n, const dims_t *dims, int lean,
			  rstats *const *per_dim);
/* The columns of a series of [from_ns, to_ns) in about ncols (one or two
 * more when the window's ends fall inside a column), laid out the same by
 * every backend: out zeroed, then its from_ns, to_ns, step_ns, ncols, res
 * and cols (ncols empty rstats). */
void series_layout(int64_t from_ns, int64_t to_ns, int ncols, series_t *out);

/* The prompt registry from a backend's three reads: the versions whose text
 * is known (only `name`'s when not NULL; source NULL when none), the daily
 * rollups as (day, dimension id of store_dims_load, stats), and the first or
 * last minute of a day in which any of some dimensions served (-1: unknown).
 * The reads fill err themselves. */
typedef void (*prompt_version_fn)(void *ud, const char *name, const char *version, const char *source,
				  int64_t created_ns);
typedef void (*prompt_day_fn)(void *ud, int64_t day_s, int64_t dim, const rstats *s);
typedef struct prompt_src {
	int (*versions)(store_t *st, const char *name, prompt_version_fn fn, void *ud, char *err, size_t errlen);
	int (*days)(store_t *st, prompt_day_fn fn, void *ud, char *err, size_t errlen);
	int64_t (*edge_minute)(store_t *st, const int64_t *dims, size_t ndims, int64_t day_s, int last);
} prompt_src;
int prompts_build(store_t *st, const char *name, const prompt_src *src, prompt_list *out, char *err, size_t errlen);
extern const prompt_src sq_prompt_src;
/* The first and last hour (Unix s) each dimension served, into first_h[dim]
 * and last_h[dim] (arrays of dims->n; 0 where it never did). 0 or -1. */
int store_dim_hours(store_t *st, const dims_t *dims, int64_t *first_h, int64_t *last_h);
/* The first (last) minute of the hour at hour_s in which dim served: 1 and
 * *t; 0 when it did not; -1 on a store error. */
int store_dim_minute(store_t *st, int64_t dim, int64_t hour_s, int last, int64_t *t);
/* The hours store_dim_minute will be asked about, told first: a server
 * reads them all at once. 0 or -1. */
int store_dim_minutes_ahead(store_t *st, const int64_t *hours_s, size_t n);
/* The row of a dimension id, or NULL. */
static inline const dim_row *store_dim(const dims_t *d, int64_t id)
{
	return id > 0 && id < d->n && d->v[id].model ? &d->v[id] : NULL;
}

#endif
