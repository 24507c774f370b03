#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <limits.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/filter.h"
#include "../core/genai.h"
#include "../core/map.h"
#include "file.h"
#include "store_internal.h"

#define APPLICATION_ID 0x4c4c4d4f /* "LLMO" */

static int load_codecs(store_t *st);
static void start_checkpointer(store_t *st);

/* Forward-only migrations; migration i takes the schema from version i to
 * i + 1, in its own transaction together with the user_version bump. */
static const char *const migrations[] = {
    /* 1: calls, bodies, rollups, events, full-text index, prompt versions */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE dims(id INTEGER PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL,"
    "  prompt_name TEXT NOT NULL DEFAULT '', prompt_version TEXT NOT NULL DEFAULT '',"
    "  feature TEXT NOT NULL DEFAULT '', UNIQUE(provider, model, prompt_name, prompt_version, feature));"
    /* key: a 63-bit hash of the span id, unique; two calls whose span ids
     * hash alike take the next free key (checked against the ids). */
    "CREATE TABLE calls(id INTEGER PRIMARY KEY, key INTEGER NOT NULL,"
    "  trace_id BLOB NOT NULL, span_id BLOB NOT NULL,"
    "  ts INTEGER NOT NULL,"          /* start, Unix ns */
    "  dim INTEGER NOT NULL REFERENCES dims(id),"
    "  request_model TEXT, operation TEXT, user_id TEXT,"
    "  input_tokens INTEGER, cached_tokens INTEGER, output_tokens INTEGER,"
    "  latency_ms REAL, ttft_ms REAL,"
    "  status INTEGER NOT NULL,"      /* 0 ok, 1 error */
    "  error_type TEXT, error_message TEXT,"
    "  cost_nusd INTEGER,"            /* NULL: unpriced */
    /* The body: a zstd frame (zdict > 0, the dictionary in zdicts) or plain
     * text columns (zdict = 0). In the call's own row: one B-tree insert a
     * call, and a row is still only a few hundred bytes. */
    "  zdict INTEGER NOT NULL DEFAULT 0, body BLOB,"
    "  input TEXT, output TEXT, variables TEXT, attrs TEXT,"
    "  from_events INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX calls_key ON calls(key);"
    "CREATE INDEX calls_ts ON calls(ts);"
    "CREATE TABLE zdicts(id INTEGER PRIMARY KEY, dict BLOB NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE TABLE rollup_1m(t INTEGER NOT NULL, dim INTEGER NOT NULL, calls INTEGER NOT NULL,"
    "  errors INTEGER NOT NULL, error_types TEXT, input_tokens INTEGER NOT NULL,"
    "  cached_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_nusd INTEGER NOT NULL,"
    "  unpriced INTEGER NOT NULL, latency BLOB, ttft BLOB, PRIMARY KEY(t, dim)) WITHOUT ROWID;"
    "CREATE TABLE rollup_1h(t INTEGER NOT NULL, dim INTEGER NOT NULL, calls INTEGER NOT NULL,"
    "  errors INTEGER NOT NULL, error_types TEXT, input_tokens INTEGER NOT NULL,"
    "  cached_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_nusd INTEGER NOT NULL,"
    "  unpriced INTEGER NOT NULL, latency BLOB, ttft BLOB, PRIMARY KEY(t, dim)) WITHOUT ROWID;"
    "CREATE TABLE rollup_1d(t INTEGER NOT NULL, dim INTEGER NOT NULL, calls INTEGER NOT NULL,"
    "  errors INTEGER NOT NULL, error_types TEXT, input_tokens INTEGER NOT NULL,"
    "  cached_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_nusd INTEGER NOT NULL,"
    "  unpriced INTEGER NOT NULL, latency BLOB, ttft BLOB, PRIMARY KEY(t, dim)) WITHOUT ROWID;"
    "CREATE TABLE span_events(span_id BLOB NOT NULL, trace_id BLOB NOT NULL, ts INTEGER NOT NULL,"
    "  name TEXT NOT NULL, body TEXT NOT NULL, hash INTEGER NOT NULL,"
    "  PRIMARY KEY(span_id, trace_id, ts, name, hash)) WITHOUT ROWID;"
    "CREATE VIRTUAL TABLE call_fts USING fts5(input, output, content='',"
    "  tokenize='unicode61 remove_diacritics 2');"
    "CREATE TABLE prompt_versions(name TEXT NOT NULL, version TEXT NOT NULL, template TEXT NOT NULL,"
    "  source TEXT, created_at INTEGER, PRIMARY KEY(name, version)) WITHOUT ROWID;"
    /* For people who open the store with sqlite3. */
    "CREATE VIEW calls_v AS SELECT c.id, lower(hex(c.trace_id)) AS trace_id, lower(hex(c.span_id)) AS span_id,"
    "  c.ts / 1000000000.0 AS ts, d.provider, d.model, d.prompt_name, d.prompt_version, d.feature,"
    "  c.request_model, c.operation, c.user_id, c.input_tokens, c.cached_tokens, c.output_tokens,"
    "  c.latency_ms, c.ttft_ms, CASE c.status WHEN 0 THEN 'ok' ELSE 'error' END AS status, c.error_type,"
    "  c.error_message, c.cost_nusd / 1e9 AS cost_usd, c.zdict, c.input, c.output, c.variables, c.attrs"
    "  FROM calls c JOIN dims d ON d.id = c.dim;",
    /* 2: replays, each with the request sent and the response received */
    "CREATE TABLE replays(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, call_id INTEGER NOT NULL,"
    "  span_id TEXT, batch_id INTEGER, prompt_name TEXT, prompt_version TEXT, provider TEXT, model TEXT,"
    "  status TEXT NOT NULL, error_type TEXT, error_message TEXT, http_status INTEGER,"
    "  input_tokens INTEGER, cached_tokens INTEGER, output_tokens INTEGER, latency_ms REAL, ttft_ms REAL,"
    "  cost_nusd INTEGER, request TEXT NOT NULL, response TEXT, output TEXT);"
    "CREATE INDEX replays_call ON replays(call_id);",
    /* 3: what the providers' usage and cost APIs report (data/usage.c).
     * Times are Unix seconds, as the APIs give them; width is the bucket's
     * in seconds. A usage bucket fetched with nothing in it is one row with
     * model '' and zeros, so that the store knows the time was fetched. */
    "CREATE TABLE usage_buckets(provider TEXT NOT NULL, width INTEGER NOT NULL, start_s INTEGER NOT NULL,"
    "  end_s INTEGER NOT NULL, model TEXT NOT NULL, requests INTEGER," /* NULL: not reported */
    "  input_tokens INTEGER NOT NULL," /* all billed input: cached and cache writes included */
    "  cached_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,"
    "  fetched_at INTEGER NOT NULL, PRIMARY KEY(provider, width, start_s, model)) WITHOUT ROWID;"
    "CREATE TABLE cost_buckets(provider TEXT NOT NULL, width INTEGER NOT NULL, start_s INTEGER NOT NULL,"
    "  end_s INTEGER NOT NULL, cost_nusd INTEGER NOT NULL," /* USD, nano-dollars */
    "  fetched_at INTEGER NOT NULL, PRIMARY KEY(provider, width, start_s)) WITHOUT ROWID;",
    /* 4: the cost pane sums a window of buckets on every reload: by time,
     * not by a scan of a year of them. */
    "CREATE INDEX usage_buckets_time ON usage_buckets(start_s);",
    /* 5: whole traces. Every span of a trace that holds an LLM call: the
     * steps (agent, tool, retrieval, HTTP) with their attributes and the
     * context they pass down (ctx), and each LLM span with its own record
     * (rec) and the call it is part of, since several instrumentation layers
     * may record one provider request. */
    "CREATE TABLE spans(trace_id BLOB NOT NULL, span_id BLOB NOT NULL, parent_id BLOB, name TEXT NOT NULL,"
    "  kind INTEGER NOT NULL DEFAULT 0, scope TEXT, service TEXT, start_ns INTEGER NOT NULL, end_ns INTEGER,"
    "  status INTEGER NOT NULL DEFAULT 0, status_message TEXT, call_id INTEGER, rec TEXT, ctx TEXT, attrs TEXT,"
    "  PRIMARY KEY(trace_id, span_id)) WITHOUT ROWID;"
    "CREATE INDEX spans_call ON spans(call_id) WHERE call_id IS NOT NULL;"
    /* every layer's span id finds its call */
    "CREATE INDEX spans_layer ON spans(span_id) WHERE call_id IS NOT NULL;"
    "ALTER TABLE calls ADD COLUMN session_id TEXT;"
    "DROP VIEW calls_v;"
    "CREATE VIEW calls_v AS SELECT c.id, lower(hex(c.trace_id)) AS trace_id, lower(hex(c.span_id)) AS span_id,"
    "  c.ts / 1000000000.0 AS ts, d.provider, d.model, d.prompt_name, d.prompt_version, d.feature,"
    "  c.request_model, c.operation, c.user_id, c.session_id, c.input_tokens, c.cached_tokens, c.output_tokens,"
    "  c.latency_ms, c.ttft_ms, CASE c.status WHEN 0 THEN 'ok' ELSE 'error' END AS status, c.error_type,"
    "  c.error_message, c.cost_nusd / 1e9 AS cost_usd, c.zdict, c.input, c.output, c.variables, c.attrs"
    "  FROM calls c JOIN dims d ON d.id = c.dim;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

static void seterr(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t n, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		seterr(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* A write that fails names the store: an import reads from one file and
 * writes to another, and "disk is full" alone does not say which. */
static int st_exec(store_t *st, const char *sql, char *err, size_t errlen)
{
	char msg[400];
	if (exec(st->db, sql, msg, sizeof msg) == 0)
		return 0;
	seterr(err, errlen, "%s: %s", st->path, msg);
	return -1;
}

/* SQL functions used by the rollup upserts: merging happens inside the same
 * statement, so a bucket another process wrote in between is merged too. */
static void fn_hist_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	hist_t h = HIST_INIT;
	for (int i = 0; i < argc; i++) {
		if (sqlite3_value_type(argv[i]) != SQLITE_BLOB)
			continue;
		if (hist_merge_blob(&h, sqlite3_value_blob(argv[i]), (size_t)sqlite3_value_bytes(argv[i]))) {
			hist_free(&h);
			sqlite3_result_error(ctx, "corrupt latency histogram", -1);
			return;
		}
	}
	sbuf b = SBUF_INIT;
	hist_encode(&h, &b);
	sqlite3_result_blob(ctx, b.p, (int)b.len, SQLITE_TRANSIENT);
	sb_free(&b);
	hist_free(&h);
}

/* sample=N% of a filter: the call's bucket from its span id. */
static void fn_sample_bucket(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int(ctx, (int)filter_sample_bucket(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0])));
}

static void fn_counts_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	ecounts e = {0};
	for (int i = 0; i < argc; i++) {
		const char *t = (const char *)sqlite3_value_text(argv[i]);
		if (t && ecounts_parse_add(&e, t)) {
			ecounts_free(&e);
			sqlite3_result_error(ctx, "corrupt error counts", -1);
			return;
		}
	}
	if (!e.n) {
		sqlite3_result_null(ctx);
	} else {
		sbuf b = SBUF_INIT;
		ecounts_format(&e, &b);
		sqlite3_result_text(ctx, b.p, (int)b.len, SQLITE_TRANSIENT);
		sb_free(&b);
	}
	ecounts_free(&e);
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *s;
	int v = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	return v;
}

static int migrate(store_t *st, char *err, size_t errlen)
{
	for (;;) {
		if (exec(st->db, "BEGIN IMMEDIATE", err, errlen))
			return -1;
		int v = user_version(st->db);
		if (v > SCHEMA_VERSION) {
			exec(st->db, "ROLLBACK", NULL, 0);
			seterr(err, errlen, "store schema %d is newer than this llmops knows (%d); upgrade llmops", v,
			       SCHEMA_VERSION);
			return -1;
		}
		if (v == SCHEMA_VERSION) {
			exec(st->db, "COMMIT", NULL, 0);
			st->schema = v;
			return 0;
		}
		char bump[96];
		snprintf(bump, sizeof bump, "PRAGMA user_version=%d; PRAGMA application_id=%d", v + 1, APPLICATION_ID);
		if (exec(st->db, migrations[v], err, errlen) || exec(st->db, bump, err, errlen) ||
		    exec(st->db, "COMMIT", err, errlen)) {
			exec(st->db, "ROLLBACK", NULL, 0);
			return -1;
		}
	}
}

/* Before SQLite initialises: no global allocation statistics (a mutex taken
 * on every malloc), and no serialising mutexes on connections, which are
 * never shared between threads here. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}

/* Whether this process can write the store: the file itself, and its folder
 * (SQLite writes the WAL and its shared-memory index beside the file). 0, or
 * -1 with the reason in why. */
int store_writable(const char *path, char *why, size_t n)
{
	if (access(path, W_OK)) {
		seterr(why, n, errno == EROFS ? "on a read-only file system" : "the file cannot be written: %s",
		       strerror(errno));
		return -1;
	}
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = 0;
	int rc = access(slash ? dir : ".", W_OK);
	if (rc)
		seterr(why, n, errno == EROFS ? "on a read-only file system" : "its folder cannot be written: %s",
		       strerror(errno));
	free(dir);
	return rc ? -1 : 0;
}

/* Opens a database that cannot be written, for reading. A clean WAL store
 * has no -wal or -shm file, and a read-only connection needs to create the
 * -shm in the folder; where it cannot, the file alone holds everything, so
 * it is opened as immutable. A -wal left by a crash holds commits the file
 * lacks: without a -shm beside it they cannot be read, and that is said. */
int store_sqlite_open_readonly(const char *path, sqlite3 **db, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(*db, 5000);
		rc = sqlite3_exec(*db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		return 0;
	if ((rc & 0xff) == SQLITE_CANTOPEN) {
		sqlite3_close(*db);
		*db = NULL;
		sbuf wal = SBUF_INIT;
		sb_printf(&wal, "%s-wal", path);
		struct stat sb;
		int pending = stat(wal.p, &sb) == 0 && sb.st_size > 0;
		sb_free(&wal);
		if (pending) {
			seterr(err, errlen,
			       "%s: cannot be written, and its last commits are still in %s-wal, which cannot be read "
			       "without writing beside it; open it once where it can be written",
			       path, path);
			return -1;
		}
		sbuf uri = SBUF_INIT;
		sb_adds(&uri, "file:");
		for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
			if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			    strchr("/-._~", *c))
				sb_addc(&uri, (char)*c);
			else
				sb_printf(&uri, "%%%02X", *c);
		}
		sb_adds(&uri, "?immutable=1");
		rc = sqlite3_open_v2(uri.p, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
		sb_free(&uri);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(*db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
	}
	seterr(err, errlen, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
	sqlite3_close(*db);
	*db = NULL;
	return -1;
}

static int open_readonly(store_t *st, char *err, size_t errlen)
{
	if (store_sqlite_open_readonly(st->path, &st->db, err, errlen))
		return -1;
	st->readonly = 1;
	store_busy_timeout(st, 5000);
	int v = user_version(st->db);
	if (v > SCHEMA_VERSION) {
		seterr(err, errlen, "store schema %d is newer than this llmops knows (%d); upgrade llmops", v,
		       SCHEMA_VERSION);
		return -1;
	}
	if (v < SCHEMA_VERSION) {
		seterr(err, errlen,
		       v ? "%s: read-only, and its schema (version %d) needs an upgrade that cannot be written; open it "
			   "once where it can be written"
			 : "%s: read-only, and not an llmops store (schema %d)",
		       st->path, v);
		return -1;
	}
	st->schema = v;
	return 0;
}

int sq_open(const char *path, int flags, store_t **out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	*out = NULL;
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	if (exists && S_ISDIR(sb.st_mode)) {
		seterr(err, errlen, "%s: is a directory, not a store", path);
		return -1;
	}
	if (!exists && !(flags & STORE_CREATE)) {
		seterr(err, errlen, STORE_MISSING_FMT, path);
		return -1;
	}
	if (!exists && file_mkdir_parents(path)) {
		seterr(err, errlen, "cannot create the folder of %s: %s", path, strerror(errno));
		return -1;
	}
	int ro = (flags & STORE_READONLY) != 0;
	char why[300] = "";
	if (exists && !ro && store_writable(path, why, sizeof why)) {
		if (!(flags & STORE_VIEWER)) {
			seterr(err, errlen, "%s: the store is read-only (%s); this command writes to it", path, why);
			return -1;
		}
		ro = 1;
	}
	store_t *st = xcalloc(1, sizeof *st);
	st->ops = &store_sqlite_ops;
	st->path = xstrdup(path);
	if (ro) {
		if (open_readonly(st, err, errlen)) {
			store_close(st);
			return -1;
		}
		exec(st->db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384", NULL, 0);
		goto functions;
	}
	/* Annotations will hold incident text: the store, its WAL and its shared
	 * memory file are for the owner only. */
	mode_t old = umask(077);
	int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		store_busy_timeout(st, 5000);
		/* Reading anything forces the header check, so a file that is not a
		 * database fails here, not later. */
		rc = sqlite3_exec(st->db, exists ? "SELECT count(*) FROM sqlite_schema" : "PRAGMA page_size=16384",
				  NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, (flags & STORE_SCRATCH) ? "PRAGMA journal_mode=MEMORY" : "PRAGMA journal_mode=WAL",
				  NULL, NULL, NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
		store_close(st);
		return -1;
	}
	st->scratch = (flags & STORE_SCRATCH) != 0;
	exec(st->db, st->scratch ? "PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY"
				 : "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY", NULL, 0);
	exec(st->db, (flags & STORE_BULK) ? "PRAGMA cache_size=-32768" : "PRAGMA cache_size=-16384", NULL, 0);
	if (flags & STORE_BULK)
		start_checkpointer(st);
functions:
	sqlite3_create_function(st->db, "llmops_hist_merge", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				fn_hist_merge, NULL, NULL);
	sqlite3_create_function(st->db, "llmops_counts_merge", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				fn_counts_merge, NULL, NULL);
	sqlite3_create_function(st->db, "llmops_sample_bucket", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				fn_sample_bucket, NULL, NULL);
	if (!st->readonly && migrate(st, err, errlen)) {
		store_close(st);
		return -1;
	}
	if (load_codecs(st)) {
		seterr(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

/* A long import checkpoints from a thread of its own, on a connection of its
 * own: the writer then never waits for the disk to sync, and the WAL stays a
 * few megabytes instead of growing with the import. */
static void *checkpointer(void *arg)
{
	store_t *st = arg;
	sqlite3 *db = NULL;
	pthread_setname_np(pthread_self(), "llmops-ckpt");
	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 100);
	sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	pthread_mutex_lock(&st->ck_mu);
	while (!st->ck_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 50 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&st->ck_cv, &st->ck_mu, &until);
		if (st->ck_stop)
			break;
		pthread_mutex_unlock(&st->ck_mu);
		int log = 0, done = 0;
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		pthread_mutex_lock(&st->ck_mu);
	}
	pthread_mutex_unlock(&st->ck_mu);
	sqlite3_close(db);
	return NULL;
}

static void start_checkpointer(store_t *st)
{
	pthread_mutex_init(&st->ck_mu, NULL);
	pthread_cond_init(&st->ck_cv, NULL);
	/* The writer's own automatic checkpoints would wait for the disk. */
	if (pthread_create(&st->ck_thread, NULL, checkpointer, st) == 0) {
		st->ck_running = 1;
		sqlite3_wal_autocheckpoint(st->db, 0);
	}
}

static void stop_checkpointer(store_t *st)
{
	if (!st->ck_running)
		return;
	pthread_mutex_lock(&st->ck_mu);
	st->ck_stop = 1;
	pthread_cond_signal(&st->ck_cv);
	pthread_mutex_unlock(&st->ck_mu);
	pthread_join(st->ck_thread, NULL);
	st->ck_running = 0;
	pthread_mutex_destroy(&st->ck_mu);
	pthread_cond_destroy(&st->ck_cv);
}

void sq_close(store_t *st)
{
	if (!st)
		return;
	double t0 = clock_mono();
	stop_checkpointer(st);
	double t1 = clock_mono();
	for (size_t i = 0; i < sizeof st->stmt / sizeof *st->stmt; i++)
		sqlite3_finalize(st->stmt[i]);
	double t2 = 0, t3 = 0;
	if (st->db) {
		if (!st->readonly)
			sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
		t2 = clock_mono();
		sqlite3_close(st->db);
		t3 = clock_mono();
	}
	if (getenv("LLMOPS_DEBUG_INGEST"))
		fprintf(stderr, "close: checkpointer %.2fs optimize %.2fs close %.2fs\n", t1 - t0, t2 - t1, t3 - t2);
	free(st->dims.keys);
	free(st->dims.vals);
	sb_free(&st->span_traces);
	free(st->span_trace_seen.keys);
	free(st->span_trace_seen.vals);
	for (size_t i = 0; i < st->ncodecs; i++)
		body_codec_free(st->codecs[i]);
	free(st->codecs);
	free(st->damage);
	free(st->seen);
	free(st->path);
	free(st);
}

int store_scratch(const store_t *st)
{
	return st->scratch;
}

const char *store_path(const store_t *st)
{
	return st->path;
}

int store_readonly(const store_t *st)
{
	return st->readonly;
}

void store_note_error(store_t *st, int rc, const char *what)
{
	rc &= 0xff;
	if (st->damage || (rc != SQLITE_CORRUPT && rc != SQLITE_NOTADB))
		return;
	sbuf b = SBUF_INIT;
	sb_printf(&b, "store is damaged: %s failed: %s", what, sqlite3_errstr(rc));
	st->damage = sb_steal(&b);
}

const char *store_damage(const store_t *st)
{
	return st->damage;
}

int sq_schema_version(store_t *st)
{
	return st->schema;
}

sqlite3_stmt *store_stmt(store_t *st, int which, const char *sql)
{
	if (!st->stmt[which] && sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[which], NULL))
		return NULL;
	/* No sqlite3_clear_bindings: every use binds all parameters. */
	sqlite3_reset(st->stmt[which]);
	return st->stmt[which];
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Dimension ids are cached by the dimension's hash; a miss inserts (another
 * process may have done it first, hence OR IGNORE) and reads the id back. */
int64_t dim_id(store_t *st, const call_t *c)
{
	int64_t id = u64map_get(&st->dims, c->dim_hash);
	if (id)
		return id;
	sqlite3_stmt *s = store_stmt(st, ST_DIM_INSERT,
				     "INSERT OR IGNORE INTO dims(provider, model, prompt_name, prompt_version, feature) "
				     "VALUES(?,?,?,?,?)");
	const char *vals[5] = {nz(c->provider), nz(c->model), nz(c->prompt_name), nz(c->prompt_version), nz(c->feature)};
	for (int i = 0; i < 5; i++)
		sqlite3_bind_text(s, i + 1, vals[i], -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	s = store_stmt(st, ST_DIM_SELECT,
		       "SELECT id FROM dims WHERE provider=? AND model=? AND prompt_name=? AND prompt_version=? AND feature=?");
	for (int i = 0; i < 5; i++)
		sqlite3_bind_text(s, i + 1, vals[i], -1, SQLITE_STATIC);
	id = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (id > 0)
		u64map_put(&st->dims, c->dim_hash, id);
	return id;
}

void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void bind_int_or_null(sqlite3_stmt *s, int i, int64_t v)
{
	if (v >= 0)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

void bind_real_or_null(sqlite3_stmt *s, int i, double v)
{
	if (v >= 0)
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static int flush_rollups(store_t *st, batch_t *b)
{
	static const char *const sql[RES_COUNT] = {
#define UPSERT(tbl)                                                                                          \
	"INSERT INTO " tbl "(t, dim, calls, errors, error_types, input_tokens, cached_tokens, output_tokens,"  \
	" cost_nusd, unpriced, latency, ttft) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(t, dim) DO UPDATE SET" \
	" calls = calls + excluded.calls, errors = errors + excluded.errors,"                                  \
	" error_types = llmops_counts_merge(error_types, excluded.error_types),"                              \
	" input_tokens = input_tokens + excluded.input_tokens,"                                              \
	" cached_tokens = cached_tokens + excluded.cached_tokens,"                                           \
	" output_tokens = output_tokens + excluded.output_tokens, cost_nusd = cost_nusd + excluded.cost_nusd," \
	" unpriced = unpriced + excluded.unpriced, latency = llmops_hist_merge(latency, excluded.latency),"   \
	" ttft = llmops_hist_merge(ttft, excluded.ttft)"
	    UPSERT("rollup_1m"), UPSERT("rollup_1h"), UPSERT("rollup_1d")
#undef UPSERT
	};
	sbuf lat = SBUF_INIT, ttft = SBUF_INIT, errs = SBUF_INIT;
	int rc = 0;
	for (int r = 0; r < RES_COUNT && !rc; r++)
	for (size_t i = 0; i < b->acc[r].cap && !rc; i++) {
		racc_entry *e = &b->acc[r].v[i];
		if (!e->used)
			continue;
		int64_t dim = u64map_get(&st->dims, (uint64_t)e->dim);
		if (dim <= 0) {
			rc = -1;
			break;
		}
		sqlite3_stmt *s = store_stmt(st, ST_ROLLUP_1M + e->res, sql[e->res]);
		sb_reset(&lat);
		sb_reset(&ttft);
		sb_reset(&errs);
		hist_encode(&e->s.lat, &lat);
		hist_encode(&e->s.ttft, &ttft);
		ecounts_format(&e->s.errs, &errs);
		sqlite3_bind_int64(s, 1, e->t);
		sqlite3_bind_int64(s, 2, dim);
		sqlite3_bind_int64(s, 3, (int64_t)e->s.calls);
		sqlite3_bind_int64(s, 4, (int64_t)e->s.errors);
		bind_text_or_null(s, 5, errs.len ? errs.p : NULL);
		sqlite3_bind_int64(s, 6, (int64_t)e->s.input_tokens);
		sqlite3_bind_int64(s, 7, (int64_t)e->s.cached_tokens);
		sqlite3_bind_int64(s, 8, (int64_t)e->s.output_tokens);
		sqlite3_bind_int64(s, 9, e->s.cost_nusd);
		sqlite3_bind_int64(s, 10, (int64_t)e->s.unpriced);
		sqlite3_bind_blob(s, 11, lat.p, (int)lat.len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 12, ttft.p, (int)ttft.len, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(s);
	}
	sb_free(&lat);
	sb_free(&ttft);
	sb_free(&errs);
	return rc;
}

/* The call with these ids (trace may be NULL: any trace), 0 when absent. */
int64_t find_by_ids(store_t *st, const uint8_t *span, int span_len, const uint8_t *trace, int trace_len)
{
	int64_t key = call_key(span, (size_t)span_len);
	sqlite3_stmt *s = store_stmt(st, ST_CALL_BY_SPAN, "SELECT key, id, trace_id, span_id FROM calls WHERE key >= ? ORDER BY key LIMIT 8");
	sqlite3_bind_int64(s, 1, key);
	int64_t id = 0, expect = key;
	while (!id && sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_int64(s, 0) != expect)
			break; /* a gap: the probe chain ended */
		expect++;
		if (sqlite3_column_bytes(s, 3) == span_len && !memcmp(sqlite3_column_blob(s, 3), span, (size_t)span_len) &&
		    (!trace || (sqlite3_column_bytes(s, 2) == trace_len &&
				!memcmp(sqlite3_column_blob(s, 2), trace, (size_t)trace_len))))
			id = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return id;
}

/* Rebuilds a call's input and output from its GenAI events (OTLP log records
 * imported before or after the span), unless the call carries its own. */
int fill_from_events(store_t *st, const uint8_t *span, int span_len, const uint8_t *trace, int trace_len,
			    ingest_stats *stats)
{
	int64_t id = find_by_ids(st, span, span_len, trace, trace_len);
	sqlite3_stmt *s;
	if (!id)
		return 0;
	s = store_stmt(st, ST_EVENTS_OF, "SELECT name, body FROM span_events WHERE span_id=? AND trace_id=? ORDER BY ts");
	sqlite3_bind_blob(s, 1, span, span_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, trace, trace_len, SQLITE_STATIC);
	genai_event ev[64];
	char *names[64];
	int n = 0;
	while (n < 64 && sqlite3_step(s) == SQLITE_ROW) {
		names[n] = xstrdup((const char *)sqlite3_column_text(s, 0));
		ev[n].name = names[n];
		ev[n].body = cJSON_Parse((const char *)sqlite3_column_text(s, 1));
		n++;
	}
	sqlite3_reset(s);
	char *input = NULL, *output = NULL;
	genai_from_events(ev, (size_t)n, &input, &output);
	for (int i = 0; i < n; i++) {
		free(names[i]);
		cJSON_Delete((cJSON *)ev[i].body);
	}
	int rc = 0;
	if (input || output) {
		/* The index holds what it was given: take the old text out first. */
		int indexed = fts_indexed(st, id);
		if (indexed && fts_remove(st, id))
			rc = -1;
		s = store_stmt(st, ST_BODY_FROM_EVENTS,
			       "UPDATE calls SET input = ?, output = ?, from_events = 1, zdict = 0, body = NULL WHERE id = ?"
			       " AND (from_events = 1 OR (zdict = 0 AND input IS NULL AND output IS NULL))");
		bind_text_or_null(s, 1, input);
		bind_text_or_null(s, 2, output);
		sqlite3_bind_int64(s, 3, id);
		if (!rc && sqlite3_step(s) != SQLITE_DONE)
			rc = -1;
		else if (!rc && sqlite3_changes(st->db))
			stats->filled++;
		sqlite3_reset(s);
		if (!rc && indexed && fts_add(st, id))
			rc = -1;
	}
	free(input);
	free(output);
	return rc;
}

static int adopt_codec(store_t *st, body_codec *c)
{
	size_t len;
	const void *dict = body_codec_dict(c, &len);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO zdicts(dict, created_at) VALUES(?, ?)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(s, 1, dict, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, clock_now_ns());
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	if (rc)
		return -1;
	body_codec_set_id(c, sqlite3_last_insert_rowid(st->db));
	st->codecs = xrealloc(st->codecs, (st->ncodecs + 1) * sizeof *st->codecs);
	st->codecs[st->ncodecs++] = c;
	st->codec = c;
	return 0;
}

int64_t call_key(const uint8_t *span, size_t len)
{
	return (int64_t)(hash64(span, len, 0x6b6579) >> 1);
}

typedef struct keyed {
	int64_t key;
	size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
	int64_t x = ((const keyed *)a)->key, y = ((const keyed *)b)->key;
	return x < y ? -1 : x > y;
}

/* 1 when the call holding key has c's ids, 0 when another call, -1 on error. */
static int key_holder_is(store_t *st, int64_t key, const call_t *c)
{
	sqlite3_stmt *s = store_stmt(st, ST_KEY_HOLDER, "SELECT trace_id, span_id FROM calls WHERE key=?");
	sqlite3_bind_int64(s, 1, key);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		rc = sqlite3_column_bytes(s, 0) == c->trace_len && sqlite3_column_bytes(s, 1) == c->span_len &&
		     !memcmp(sqlite3_column_blob(s, 0), c->trace_id, c->trace_len) &&
		     !memcmp(sqlite3_column_blob(s, 1), c->span_id, c->span_len);
	}
	sqlite3_reset(s);
	return rc;
}

/* A template a trace carried: kept the first time its version is seen, and
 * never over one that was added or read from a prompts folder. */
int store_seen_prompt(store_t *st, const char *name, const char *version, const char *text, int64_t ts)
{
	sqlite3_stmt *s = store_stmt(st, ST_PROMPT_SEEN,
				     "INSERT INTO prompt_versions(name, version, template, source, created_at)"
				     " VALUES(?,?,?,'trace',?) ON CONFLICT(name, version) DO NOTHING");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, ts);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(s);
	return rc;
}

/* Inserts one call under key (or the next free one when another call's span
 * id hashes alike). 0 and *id when inserted, 1 when this very call is
 * already stored (*id: that call), -1 on error. The body is the compressed
 * one when codec is given, else the plain fields. */
int store_insert_call(store_t *st, const call_t *c, body_codec *codec, int64_t key, int64_t *id)
{
	int64_t dim = dim_id(st, c);
	if (dim < 0)
		return -1;
	for (;;) {
		sqlite3_stmt *s = store_stmt(st, ST_CALL_INSERT,
			       "INSERT INTO calls(key, trace_id, span_id, ts, dim, request_model, operation, user_id,"
			       " input_tokens, cached_tokens, output_tokens, latency_ms, ttft_ms, status,"
			       " error_type, error_message, cost_nusd, zdict, body, input, output, variables, attrs, session_id)"
			       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING");
		sqlite3_bind_int64(s, 1, key);
		sqlite3_bind_blob(s, 2, c->trace_id, c->trace_len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, c->span_id, c->span_len, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, c->ts_ns);
		sqlite3_bind_int64(s, 5, dim);
		bind_text_or_null(s, 6, str_eq(c->request_model, c->model) ? NULL : c->request_model);
		bind_text_or_null(s, 7, c->operation);
		bind_text_or_null(s, 8, c->user_id);
		bind_int_or_null(s, 9, c->input_tokens);
		bind_int_or_null(s, 10, c->cached_tokens);
		bind_int_or_null(s, 11, c->output_tokens);
		bind_real_or_null(s, 12, c->latency_ms);
		bind_real_or_null(s, 13, c->ttft_ms);
		sqlite3_bind_int(s, 14, c->is_error ? 1 : 0);
		bind_text_or_null(s, 15, c->is_error ? c->error_type : NULL);
		bind_text_or_null(s, 16, c->error_message);
		bind_int_or_null(s, 17, c->cost);
		if (c->zbody && codec) {
			sqlite3_bind_int64(s, 18, body_codec_id(codec));
			sqlite3_bind_blob(s, 19, c->zbody, (int)c->zlen, SQLITE_STATIC);
			for (int k = 20; k <= 23; k++)
				sqlite3_bind_null(s, k);
		} else {
			sqlite3_bind_int(s, 18, 0);
			sqlite3_bind_null(s, 19);
			bind_text_or_null(s, 20, c->input);
			bind_text_or_null(s, 21, c->output);
			bind_text_or_null(s, 22, c->variables);
			bind_text_or_null(s, 23, c->attrs);
		}
		bind_text_or_null(s, 24, c->session_id);
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
		if (sqlite3_changes(st->db)) {
			*id = sqlite3_last_insert_rowid(st->db);
			return 0;
		}
		/* The key is taken: by this very call (a duplicate), or by
		 * another whose span id hashes alike (probe on). */
		int same = key_holder_is(st, key, c);
		if (same < 0)
			return -1;
		if (same) {
			*id = find_by_ids(st, c->span_id, c->span_len, c->trace_id, c->trace_len);
			return 1;
		}
		key = (key + 1) & INT64_MAX;
	}
}

/* A scratch store counts a call once by its ids, as the calls table's key
 * does, without the row: 1 when they were seen before. The ids are kept as
 * 64-bit fingerprints, 8 bytes a call (two distinct calls of a billion-call
 * file share one with odds of about 3%, of a million-call file 3e-8). */
static int scratch_seen(store_t *st, const call_t *c)
{
	uint64_t f = hash64(c->span_id, c->span_len, hash64(c->trace_id, c->trace_len, 0x5eed + c->span_len));
	if (!f)
		f = 1; /* 0 marks an empty slot */
	if (2 * (st->nseen + 1) > st->seencap) {
		size_t cap = st->seencap ? st->seencap * 2 : 1u << 16;
		uint64_t *v = xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < st->seencap; i++) {
			if (!st->seen[i])
				continue;
			size_t j = st->seen[i] & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = st->seen[i];
		}
		free(st->seen);
		st->seen = v;
		st->seencap = cap;
	}
	size_t j = f & (st->seencap - 1);
	for (; st->seen[j]; j = (j + 1) & (st->seencap - 1))
		if (st->seen[j] == f)
			return 1;
	st->seen[j] = f;
	st->nseen++;
	return 0;
}

/* A batch of calls without traces into a scratch store: dimensions get their
 * ids in the order the calls table would give them, duplicates are left out
 * as its key leaves them out, and only the rollups are written. */
static int scratch_ingest(store_t *st, batch_t *b, ingest_stats *stats, char *err, size_t errlen)
{
	int own_txn = !st->in_txn;
	if (own_txn && st_exec(st, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	keyed *order = xmalloc((b->n ? b->n : 1) * sizeof *order);
	for (size_t i = 0; i < b->n; i++) {
		order[i].key = call_key(b->calls[i].span_id, b->calls[i].span_len);
		order[i].i = i;
	}
	qsort(order, b->n, sizeof *order, cmp_keyed);
	uint8_t *keep = NULL;
	int rc = 0;
	for (size_t oi = 0; oi < b->n && !rc; oi++) {
		size_t i = order[oi].i;
		const call_t *c = &b->calls[i];
		if (dim_id(st, c) < 0) {
			rc = -1;
			break;
		}
		/* Calls of traces read before are rows: they count too. */
		if (scratch_seen(st, c) || (st->scratch > 1 && find_by_ids(st, c->span_id, c->span_len, c->trace_id,
									     c->trace_len) > 0)) {
			stats->duplicates++;
			if (!keep) {
				keep = xmalloc(b->n);
				memset(keep, 1, b->n);
			}
			keep[i] = 0;
			continue;
		}
		stats->inserted++;
	}
	free(order);
	if (!rc && keep)
		batch_rollup(b, keep);
	free(keep);
	if (!rc)
		rc = flush_rollups(st, b);
	if (rc) {
		seterr(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		exec(st->db, "ROLLBACK", NULL, 0);
		st->in_txn = 0;
		return -1;
	}
	if (own_txn && st_exec(st, "COMMIT", err, errlen)) {
		exec(st->db, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}

int sq_ingest(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen)
{
	ingest_stats local = {0};
	if (!stats)
		stats = &local;
	if (!b->prepared)
		batch_prepare(b, prices);
	if (st->scratch && !b->nspans && !b->nev && !b->new_codec && !store_has_events(st))
		return scratch_ingest(st, b, stats, err, errlen);
	if (st->scratch)
		st->scratch = 2; /* call rows from here on */
	int own_txn = !st->in_txn;
	if (own_txn && st_exec(st, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	int rc = 0;
	if (b->new_codec) {
		/* The dictionary lands in the same transaction as the first rows
		 * that need it. Ownership passes to the store either way. */
		body_codec *c = b->new_codec;
		b->new_codec = NULL;
		if (adopt_codec(st, c)) {
			body_codec_free(c);
			b->codec = NULL;
			rc = -1;
		}
	}
	int have_events = b->nev > 0 || store_has_events(st);
	uint8_t *keep = NULL;
	rebuild_set rebuild = {0};
	/* In key order, consecutive inserts into the unique key index land on
	 * the same or neighbouring pages instead of anywhere in it. */
	keyed *order = xmalloc((b->n ? b->n : 1) * sizeof *order);
	for (size_t i = 0; i < b->n; i++) {
		order[i].key = call_key(b->calls[i].span_id, b->calls[i].span_len);
		order[i].i = i;
	}
	qsort(order, b->n, sizeof *order, cmp_keyed);
	if (b->nspans)
		rc = trace_ingest(st, b, prices, stats, &rebuild);
	for (size_t oi = 0; oi < b->n && !rc && !b->nspans; oi++) {
		size_t i = order[oi].i;
		const call_t *c = &b->calls[i];
		int64_t id;
		int r = store_insert_call(st, c, c->zbody ? b->codec : NULL, order[oi].key, &id);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 1) {
			/* Already stored: its rollups must not count twice. */
			stats->duplicates++;
			if (!keep) {
				keep = xmalloc(b->n);
				memset(keep, 1, b->n);
			}
			keep[i] = 0;
			continue;
		}
		stats->inserted++;
		if (c->prompt_template && c->prompt_name && c->prompt_version &&
		    store_seen_prompt(st, c->prompt_name, c->prompt_version, c->prompt_template, c->ts_ns)) {
			rc = -1;
			break;
		}
		if (!rc && have_events && !c->input && !c->output &&
		    fill_from_events(st, c->span_id, c->span_len, c->trace_id, c->trace_len, stats))
			rc = -1;
	}
	u64map touched = {0};
	for (size_t i = 0; i < b->nev && !rc; i++) {
		const span_event_t *e = &b->events[i];
		sqlite3_stmt *s = store_stmt(st, ST_EVENT_INSERT,
					     "INSERT OR IGNORE INTO span_events(span_id, trace_id, ts, name, body, hash) VALUES(?,?,?,?,?,?)");
		sqlite3_bind_blob(s, 1, e->span_id, e->span_len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, e->trace_id, e->trace_len, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, e->ts_ns);
		sqlite3_bind_text(s, 4, e->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, e->body, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, (int64_t)(hash64(e->body, strlen(e->body), 3) >> 1));
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = -1;
			break;
		}
		if (sqlite3_changes(st->db)) {
			stats->events++;
			st->has_events = 1;
			/* Each call with new events is rebuilt once, after all of them. */
			uint64_t k = hash64(e->span_id, e->span_len, hash64(e->trace_id, e->trace_len, 5)) | 1;
			if (!u64map_get(&touched, k))
				u64map_put(&touched, k, (int64_t)i + 1);
		}
	}
	for (size_t i = 0; i < touched.cap && !rc; i++) {
		if (!touched.keys[i])
			continue;
		const span_event_t *e = &b->events[touched.vals[i] - 1];
		if (fill_from_events(st, e->span_id, e->span_len, e->trace_id, e->trace_len, stats))
			rc = -1;
	}
	free(touched.keys);
	free(touched.vals);
	if (!rc && keep)
		batch_rollup(b, keep);
	free(keep);
	free(order);
	if (!rc)
		rc = flush_rollups(st, b);
	if (!rc)
		rc = rollup_rebuild(st, &rebuild);
	rebuild_free(&rebuild);
	if (rc) {
		seterr(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		exec(st->db, "ROLLBACK", NULL, 0);
		st->in_txn = 0;
		return -1;
	}
	if (own_txn && st_exec(st, "COMMIT", err, errlen)) {
		exec(st->db, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}

int sq_begin(store_t *st, char *err, size_t errlen)
{
	if (st->in_txn)
		return 0;
	if (st_exec(st, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	st->in_txn = 1;
	return 0;
}

int sq_busy_timeout(store_t *st, int ms)
{
	int was = st->busy_ms;
	st->busy_ms = ms;
	sqlite3_busy_timeout(st->db, ms);
	return was;
}

void sq_rollback(store_t *st)
{
	if (!st->in_txn)
		return;
	st->in_txn = 0;
	exec(st->db, "ROLLBACK", NULL, 0);
}

int sq_busy(store_t *st)
{
	int c = sqlite3_errcode(st->db);
	return c == SQLITE_BUSY || c == SQLITE_LOCKED;
}

int sq_commit(store_t *st, char *err, size_t errlen)
{
	if (!st->in_txn)
		return 0;
	st->in_txn = 0;
	if (st_exec(st, "COMMIT", err, errlen)) {
		exec(st->db, "ROLLBACK", NULL, 0);
		return -1;
	}
	return 0;
}

int store_has_events(store_t *st)
{
	if (st->has_events)
		return 1;
	sqlite3_stmt *s = store_stmt(st, ST_HAS_EVENTS, "SELECT 1 FROM span_events LIMIT 1");
	st->has_events = s && sqlite3_step(s) == SQLITE_ROW;
	if (s)
		sqlite3_reset(s);
	return st->has_events;
}

int64_t sq_call_count(store_t *st)
{
	sqlite3_stmt *s = store_stmt(st, ST_COUNT, "SELECT count(*) FROM calls");
	int64_t n = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return n;
}

/* Ids only grow and a duplicate takes none: the rowid's maximum, one step
 * down the b-tree, where count(*) would read every page. */
int64_t sq_call_mark(store_t *st)
{
	sqlite3_stmt *s = NULL;
	int64_t v = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(id) FROM calls", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int sq_time_range(store_t *st, int64_t *first, int64_t *last)
{
	/* Two subqueries: min and max together in one SELECT defeat SQLite's
	 * min/max optimisation and scan the whole index (18 MB on 1M calls). */
	sqlite3_stmt *s = store_stmt(st, ST_RANGE, "SELECT (SELECT min(ts) FROM calls), (SELECT max(ts) FROM calls)");
	int rc = -1, step = s ? sqlite3_step(s) : SQLITE_ERROR;
	if (step == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*first = sqlite3_column_int64(s, 0);
		*last = sqlite3_column_int64(s, 1);
		rc = 0;
	} else if (step != SQLITE_ROW) {
		store_note_error(st, step, "reading the time of the newest call");
	}
	if (s)
		sqlite3_reset(s);
	return rc;
}

body_codec *store_codec_by_id(store_t *st, int64_t id)
{
	for (size_t i = 0; i < st->ncodecs; i++)
		if (body_codec_id(st->codecs[i]) == id)
			return st->codecs[i];
	return NULL;
}

body_codec *sq_body_codec(store_t *st)
{
	return st->codec;
}

static int load_codecs(store_t *st)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT id, dict FROM zdicts ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		body_codec *c = body_codec_new(sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1),
					       sqlite3_column_int64(s, 0));
		if (!c)
			continue;
		st->codecs = xrealloc(st->codecs, (st->ncodecs + 1) * sizeof *st->codecs);
		st->codecs[st->ncodecs++] = c;
		st->codec = c; /* the newest compresses */
	}
	sqlite3_finalize(s);
	return 0;
}

int store_body_decode(store_t *st, sqlite3_stmt *s, int col, char **input, char **output, char **variables,
		      char **attrs)
{
	int64_t zdict = sqlite3_column_int64(s, col);
	if (zdict > 0) {
		body_codec *c = store_codec_by_id(st, zdict);
		sbuf raw = SBUF_INIT;
		int rc = -1;
		if (c && body_decompress(c, sqlite3_column_blob(s, col + 1), (size_t)sqlite3_column_bytes(s, col + 1),
					 &raw) == 0)
			rc = body_unpack(raw.p, raw.len, input, output, variables, attrs);
		sb_free(&raw);
		return rc;
	}
	char **dst[4] = {input, output, variables, attrs};
	for (int i = 0; i < 4; i++) {
		const char *t = (const char *)sqlite3_column_text(s, col + 2 + i);
		if (dst[i])
			*dst[i] = t ? xstrdup(t) : NULL;
	}
	return 0;
}

int sq_call_body(store_t *st, int64_t id, char **input, char **output, char **variables, char **attrs)
{
	sqlite3_stmt *s = store_stmt(st, ST_BODY_GET,
				     "SELECT zdict, body, input, output, variables, attrs FROM calls WHERE id=?");
	sqlite3_bind_int64(s, 1, id);
	char **dst[4] = {input, output, variables, attrs};
	for (int i = 0; i < 4; i++)
		if (dst[i])
			*dst[i] = NULL;
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = store_body_decode(st, s, 0, input, output, variables, attrs);
	sqlite3_reset(s);
	return rc;
}

int sq_find_call(store_t *st, const char *ref, int64_t *id)
{
	uint8_t b[CALL_ID_MAX];
	uint8_t n;
	if (call_set_id(b, &n, ref) == 0 && strlen(ref) >= 16) {
		int64_t found = find_by_ids(st, b, n, NULL, 0);
		if (found) {
			*id = found;
			return 0;
		}
		/* the span of another layer of the same request */
		sqlite3_stmt *q;
		if (st->schema >= 5 && sqlite3_prepare_v2(st->db,
							  "SELECT call_id FROM spans WHERE span_id=? AND call_id IS NOT NULL LIMIT 1",
							  -1, &q, NULL) == SQLITE_OK) {
			sqlite3_bind_blob(q, 1, b, n, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW)
				found = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
			if (found) {
				*id = found;
				return 0;
			}
		}
	}
	char *end;
	long long v = strtoll(ref, &end, 10);
	if (*end || end == ref || v <= 0)
		return -1;
	sqlite3_stmt *s = store_stmt(st, ST_FIND_ID, "SELECT id FROM calls WHERE id=?");
	sqlite3_bind_int64(s, 1, v);
	int rc = sqlite3_step(s) == SQLITE_ROW ? 0 : -1;
	sqlite3_reset(s);
	if (rc == 0)
		*id = v;
	return rc;
}

/* Calls whose span id starts with the hex digits of ref: how many (up to 6),
 * the first one's id and, in list, the span ids of the first five. */
static int calls_by_span_prefix(store_t *st, const char *ref, int64_t *id, char *list, size_t listlen)
{
	char like[40];
	snprintf(like, sizeof like, "%s%%", ref);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT id, lower(hex(span_id)) FROM calls WHERE hex(span_id) LIKE ? ORDER BY ts DESC LIMIT 6",
			       -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, like, -1, SQLITE_TRANSIENT);
	int n = 0;
	size_t used = 0;
	if (listlen)
		list[0] = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (!n)
			*id = sqlite3_column_int64(q, 0);
		if (n < 5 && used < listlen)
			used += (size_t)snprintf(list + used, listlen - used, "%s%s", n ? ", " : "",
						 (const char *)sqlite3_column_text(q, 1));
		n++;
	}
	sqlite3_finalize(q);
	return n;
}

int sq_find_call_ref(store_t *st, const char *ref, int64_t *id, char *err, size_t errlen)
{
	size_t len = strlen(ref);
	if (len >= 16 && store_find_call(st, ref, id) == 0)
		return 0;
	/* A prefix before a store id: "00000123" is a span's beginning far
	 * more often than call 123. */
	if (len >= STORE_SPAN_PREFIX_MIN && len <= 32 && strspn(ref, "0123456789abcdefABCDEF") == len) {
		char some[5 * 40];
		int n = calls_by_span_prefix(st, ref, id, some, sizeof some);
		if (n == 1)
			return 0;
		if (n > 1) {
			char count[16];
			snprintf(count, sizeof count, n > 5 ? "more than 5" : "%d", n);
			snprintf(err, errlen, "'%s' begins the span ids of %s calls: %s%s; give more digits", ref, count, some,
				 n > 5 ? ", ..." : "");
			return -2;
		}
	}
	return store_find_call(st, ref, id);
}

int sq_put_prompt(store_t *st, const char *name, const char *version, const char *text, const char *source,
		  int64_t created_ns)
{
	sqlite3_stmt *s = store_stmt(st, ST_PROMPT_PUT,
				     "INSERT INTO prompt_versions(name, version, template, source, created_at) VALUES(?,?,?,?,?)"
				     " ON CONFLICT(name, version) DO UPDATE SET template=excluded.template, source=excluded.source");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	bind_text_or_null(s, 4, source);
	sqlite3_bind_int64(s, 5, created_ns);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(s);
	return rc;
}

int64_t sq_meta_get_int(store_t *st, const char *key, int64_t def)
{
	sqlite3_stmt *s;
	int64_t v = def;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1, &s, NULL) != SQLITE_OK)
		return def;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int sq_meta_set_int(store_t *st, const char *key, int64_t v)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, v);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

static size_t u64slot(const u64map *m, uint64_t k)
{
	size_t mask = m->cap - 1, i = (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & mask;
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & mask;
	return i;
}

int64_t u64map_get(const u64map *m, uint64_t k)
{
	if (!m->cap || !k)
		return 0;
	size_t i = u64slot(m, k);
	return m->keys[i] == k ? m->vals[i] : 0;
}

void u64map_put(u64map *m, uint64_t k, int64_t v)
{
	if (!k)
		return; /* 0 marks empty slots; a zero hash is not cached */
	if ((m->len + 1) * 2 > m->cap) {
		u64map old = *m;
		m->cap = old.cap ? old.cap * 2 : 64;
		m->keys = xcalloc(m->cap, sizeof *m->keys);
		m->vals = xcalloc(m->cap, sizeof *m->vals);
		m->len = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.keys[i])
				u64map_put(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	size_t i = u64slot(m, k);
	if (m->keys[i] != k)
		m->len++;
	m->keys[i] = k;
	m->vals[i] = v;
}
