/* Shared by the store's source files only. */
#ifndef LLMOPS_STORE_INTERNAL_H
#define LLMOPS_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "../core/body.h"
#include "../core/map.h"
#include "../core/rollup.h"
#include "store.h"

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
	ST_FTS_INSERT,
	ST_FTS_SET,
	ST_MAX_ID,
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
	int busy_ms;          /* the connection's busy timeout */
	int64_t data_version; /* last PRAGMA data_version seen */
	/* bulk imports: checkpoints on a thread of their own */
	pthread_t ck_thread;
	pthread_mutex_t ck_mu;
	pthread_cond_t ck_cv;
	int ck_running, ck_stop;
};

/* A cached prepared statement, reset and unbound. */
sqlite3_stmt *store_stmt(store_t *st, int which, const char *sql);
int store_has_events(store_t *st);
int64_t fts_indexed_upto(store_t *st);
int fts_remove(store_t *st, int64_t id);
int64_t call_key(const uint8_t *span, size_t len);
body_codec *store_codec_by_id(store_t *st, int64_t id);
/* Decodes a body from columns col.. (zdict, body, input, output, variables, attrs). */
int store_body_decode(store_t *st, sqlite3_stmt *s, int col, char **input, char **output, char **variables,
		      char **attrs);
int fts_add(store_t *st, int64_t id);


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
/* The row of a dimension id, or NULL. */
static inline const dim_row *store_dim(const dims_t *d, int64_t id)
{
	return id > 0 && id < d->n && d->v[id].model ? &d->v[id] : NULL;
}

#endif
