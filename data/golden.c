#include "golden.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../core/str.h"
#include "file.h"
#include "store.h"

/* The busy handler waits this long for the write lock; the retry loop below
 * covers what it cannot (SQLITE_BUSY from COMMIT, or a timeout under a long
 * burst). Two annotators commit about a millisecond each, so this is only
 * reached when something holds the file for seconds. */
#define BUSY_TIMEOUT_MS 2000
#define WRITE_ATTEMPTS 5

/* IF NOT EXISTS throughout: the tables may share the store's file, whose
 * schema version (user_version) belongs to the store and is left alone. */
static const char schema[] =
    /* The log. Rows are only ever inserted: the items below can always be
     * rebuilt from it, and who did what when stays on record. */
    "CREATE TABLE IF NOT EXISTS golden_events(id INTEGER PRIMARY KEY, call_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind IN ('label','note','expected','undo')), value TEXT,"
    "  annotator TEXT NOT NULL, ts INTEGER NOT NULL, undoes INTEGER REFERENCES golden_events(id));"
    "CREATE INDEX IF NOT EXISTS golden_events_call ON golden_events(call_id, kind, id);"
    "CREATE INDEX IF NOT EXISTS golden_events_by ON golden_events(annotator, kind, id);"
    "CREATE INDEX IF NOT EXISTS golden_events_undoes ON golden_events(undoes) WHERE undoes IS NOT NULL;"
    /* The current state; label_event/label_ts are the event that set the
     * current label, so that export can order by it. */
    "CREATE TABLE IF NOT EXISTS golden_items(call_id TEXT PRIMARY KEY, trace_id TEXT, model TEXT,"
    "  provider TEXT, prompt_name TEXT, prompt_version TEXT, input TEXT, output TEXT, variables TEXT,"
    "  call_ts INTEGER, label TEXT, label_event INTEGER, label_ts INTEGER, note TEXT, expected TEXT,"
    "  annotator TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS golden_items_labelled ON golden_items(label_ts, label_event)"
    "  WHERE label IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS golden_claims(call_id TEXT PRIMARY KEY, annotator TEXT NOT NULL,"
    "  until INTEGER NOT NULL);";

struct golden {
	sqlite3 *db;
	char *path;
	char *good; /* the label whose items' output counts as a right answer */
};

static void seterr(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t n, const char *fmt, ...)
{
	if (!err || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static void nap(int attempt)
{
	struct timespec ts = {0, (long)(attempt + 1) * 10 * 1000000L};
	nanosleep(&ts, NULL);
}

static int is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* A statement of the opening, again while another process holds the file
 * (two annotators opening a new dataset at once: switching it to WAL and
 * creating its tables take locks that the busy timeout does not always
 * wait for). */
static int exec_opening(sqlite3 *db, const char *sql)
{
	int rc = SQLITE_BUSY;
	for (int attempt = 0; attempt < 100 && is_busy(rc); attempt++) {
		if (attempt)
			nap(attempt < 9 ? attempt : 9);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	return rc;
}

int golden_open(const char *path, golden_t **out, char *err, size_t errlen)
{
	*out = NULL;
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	if (exists && S_ISDIR(sb.st_mode)) {
		seterr(err, errlen, "%s: is a directory, not a golden dataset", path);
		return -1;
	}
	golden_t *g = xcalloc(1, sizeof *g);
	g->path = xstrdup(path);
	g->good = xstrdup("good");
	char why[300];
	if (exists && store_writable(path, why, sizeof why)) {
		/* A dataset that cannot be written can still be exported. */
		if (store_sqlite_open_readonly(path, &g->db, err, errlen)) {
			golden_close(g);
			return -1;
		}
		/* Never labelled: the same tables, empty, in memory. */
		sbuf t = SBUF_INIT;
		for (const char *p = schema; *p;) {
			static const char tbl[] = "CREATE TABLE IF NOT EXISTS ", idx[] = "CREATE INDEX IF NOT EXISTS ";
			if (!strncmp(p, tbl, sizeof tbl - 1)) {
				sb_adds(&t, "CREATE TEMP TABLE IF NOT EXISTS ");
				p += sizeof tbl - 1;
			} else if (!strncmp(p, idx, sizeof idx - 1)) {
				sb_adds(&t, "CREATE INDEX IF NOT EXISTS temp.");
				p += sizeof idx - 1;
			} else {
				sb_addc(&t, *p++);
			}
		}
		int rc = sqlite3_exec(g->db, "SELECT 1 FROM golden_items LIMIT 0", NULL, NULL, NULL) == SQLITE_OK
			     ? SQLITE_OK
			     : sqlite3_exec(g->db, t.p, NULL, NULL, NULL);
		sb_free(&t);
		if (rc != SQLITE_OK) {
			seterr(err, errlen, "%s: %s", path, sqlite3_errmsg(g->db));
			golden_close(g);
			return -1;
		}
		*out = g;
		return 0;
	}
	/* Labels sit beside incident text: a new file is for its owner only (a
	 * team shares one with chmod g+rw; SQLite gives the WAL the same mode). */
	mode_t old = umask(077);
	int rc = sqlite3_open_v2(path, &g->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(g->db, BUSY_TIMEOUT_MS);
		/* Reading forces the header check: a file that is not a database
		 * fails here, not at the first label. */
		rc = exec_opening(g->db, "SELECT count(*) FROM sqlite_schema");
	}
	if (rc == SQLITE_OK)
		rc = exec_opening(g->db, "PRAGMA journal_mode=WAL");
	umask(old);
	/* A label shown as saved must survive a power cut, not only kill -9. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(g->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = exec_opening(g->db, schema);
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", path, g->db ? sqlite3_errmsg(g->db) : "cannot open");
		golden_close(g);
		return -1;
	}
	*out = g;
	return 0;
}

void golden_close(golden_t *g)
{
	if (!g)
		return;
	sqlite3_close(g->db);
	free(g->path);
	free(g->good);
	free(g);
}

const char *golden_path(const golden_t *g)
{
	return g->path;
}

void golden_set_good_label(golden_t *g, const char *label)
{
	free(g->good);
	g->good = label ? xstrdup(label) : NULL;
}

/* ---- writing ----------------------------------------------------------- */

/* Runs body inside BEGIN IMMEDIATE .. COMMIT. The write lock is taken
 * first, so nothing read inside can go stale before the write (a deferred
 * transaction would get SQLITE_BUSY on its upgrade, which the busy handler
 * does not wait for). On SQLITE_BUSY the whole transaction is tried again,
 * a bounded number of times; body returns an SQLite code. */
typedef int (*txn_body)(golden_t *g, void *arg);

static int write_txn(golden_t *g, txn_body body, void *arg, char *err, size_t errlen)
{
	int rc = SQLITE_BUSY;
	for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
		if (attempt)
			nap(attempt);
		rc = sqlite3_exec(g->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (is_busy(rc))
			continue;
		if (rc != SQLITE_OK)
			break;
		rc = body(g, arg);
		if (rc == SQLITE_OK) {
			/* A COMMIT that gets SQLITE_BUSY leaves the transaction open,
			 * and may simply be tried again. */
			for (int c = 0; c < WRITE_ATTEMPTS; c++) {
				rc = sqlite3_exec(g->db, "COMMIT", NULL, NULL, NULL);
				if (!is_busy(rc))
					break;
				nap(c);
			}
			if (rc == SQLITE_OK)
				return 0;
		}
		int busy = is_busy(rc);
		char msg[256];
		snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(g->db));
		if (!sqlite3_get_autocommit(g->db))
			sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
		if (!busy) {
			seterr(err, errlen, "%s: %s", g->path, msg);
			return -1;
		}
	}
	seterr(err, errlen, "%s: %s", g->path, is_busy(rc) ? "the file stayed busy; nothing was saved, try again"
							   : sqlite3_errmsg(g->db));
	return -1;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int append_event(golden_t *g, const char *call_id, const char *kind, const char *value,
			const char *annotator, int64_t ts, int64_t undoes, int64_t *id)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(g->db,
				    "INSERT INTO golden_events(call_id, kind, value, annotator, ts, undoes)"
				    " VALUES(?,?,?,?,?,?)",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(s, 1, call_id);
	bind_text(s, 2, kind);
	bind_text(s, 3, value);
	bind_text(s, 4, annotator);
	sqlite3_bind_int64(s, 5, ts);
	if (undoes > 0)
		sqlite3_bind_int64(s, 6, undoes);
	else
		sqlite3_bind_null(s, 6);
	rc = step_done(s);
	if (rc == SQLITE_OK && id)
		*id = sqlite3_last_insert_rowid(g->db);
	return rc;
}

/* Creates the item from its call when new; an existing item keeps its
 * snapshot, except where the first one lacked a field. */
static int ensure_item(golden_t *g, const golden_call *c, int64_t now)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
	    g->db,
	    "INSERT INTO golden_items(call_id, trace_id, model, provider, prompt_name, prompt_version, input, output,"
	    "  variables, call_ts, created, updated) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"
	    " ON CONFLICT(call_id) DO UPDATE SET trace_id = coalesce(trace_id, excluded.trace_id),"
	    "  model = coalesce(model, excluded.model), provider = coalesce(provider, excluded.provider),"
	    "  prompt_name = coalesce(prompt_name, excluded.prompt_name),"
	    "  prompt_version = coalesce(prompt_version, excluded.prompt_version),"
	    "  input = coalesce(input, excluded.input), output = coalesce(output, excluded.output),"
	    "  variables = coalesce(variables, excluded.variables), call_ts = coalesce(call_ts, excluded.call_ts)",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(s, 1, c->call_id);
	bind_text(s, 2, c->trace_id);
	bind_text(s, 3, c->model);
	bind_text(s, 4, c->provider);
	bind_text(s, 5, c->prompt_name);
	bind_text(s, 6, c->prompt_version);
	bind_text(s, 7, c->input);
	bind_text(s, 8, c->output);
	bind_text(s, 9, c->variables);
	if (c->ts_ns)
		sqlite3_bind_int64(s, 10, c->ts_ns);
	else
		sqlite3_bind_null(s, 10);
	sqlite3_bind_int64(s, 11, now);
	sqlite3_bind_int64(s, 12, now);
	return step_done(s);
}

typedef struct annot_arg {
	const golden_call *c;
	const char *kind, *value, *annotator;
	int64_t now;
} annot_arg;

static int annotate_body(golden_t *g, void *arg)
{
	annot_arg *a = arg;
	int64_t id;
	int rc = ensure_item(g, a->c, a->now);
	if (rc == SQLITE_OK)
		rc = append_event(g, a->c->call_id, a->kind, a->value, a->annotator, a->now, 0, &id);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_stmt *s;
	const char *sql = !strcmp(a->kind, "label")
			      ? "UPDATE golden_items SET label = ?1, annotator = ?2, label_event = ?3, label_ts = ?4,"
				" updated = ?4 WHERE call_id = ?5"
			  : !strcmp(a->kind, "note")
			      ? "UPDATE golden_items SET note = ?1, updated = ?4 WHERE call_id = ?5"
			      : "UPDATE golden_items SET expected = ?1, updated = ?4 WHERE call_id = ?5";
	if ((rc = sqlite3_prepare_v2(g->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	bind_text(s, 1, a->value);
	if (!strcmp(a->kind, "label")) {
		bind_text(s, 2, a->annotator);
		sqlite3_bind_int64(s, 3, id);
	}
	sqlite3_bind_int64(s, 4, a->now);
	bind_text(s, 5, a->c->call_id);
	return step_done(s);
}

static int annotate(golden_t *g, const golden_call *c, const char *kind, const char *value, const char *annotator,
		    int64_t now, char *err, size_t errlen)
{
	if (!c || str_empty(c->call_id) || str_empty(annotator)) {
		seterr(err, errlen, "a %s needs a call and an annotator", kind);
		return -1;
	}
	if (!strcmp(kind, "label") && str_empty(value)) {
		seterr(err, errlen, "empty label");
		return -1;
	}
	/* An empty note or expected answer clears it. */
	if (value && !*value)
		value = NULL;
	annot_arg a = {c, kind, value, annotator, now};
	return write_txn(g, annotate_body, &a, err, errlen);
}

int golden_label(golden_t *g, const golden_call *c, const char *label, const char *annotator, int64_t now_ns,
		 char *err, size_t errlen)
{
	return annotate(g, c, "label", label, annotator, now_ns, err, errlen);
}

int golden_note(golden_t *g, const golden_call *c, const char *note, const char *annotator, int64_t now_ns,
		char *err, size_t errlen)
{
	return annotate(g, c, "note", note, annotator, now_ns, err, errlen);
}

int golden_expected(golden_t *g, const golden_call *c, const char *expected, const char *annotator, int64_t now_ns,
		    char *err, size_t errlen)
{
	return annotate(g, c, "expected", expected, annotator, now_ns, err, errlen);
}

typedef struct undo_arg {
	const char *annotator;
	int64_t now;
	char *call_id;
	size_t call_id_len;
	int nothing;
} undo_arg;

static int undo_body(golden_t *g, void *arg)
{
	undo_arg *u = arg;
	sqlite3_stmt *s;
	/* This annotator's latest label that no undo points at yet. */
	int rc = sqlite3_prepare_v2(g->db,
				    "SELECT e.id, e.call_id FROM golden_events e WHERE e.annotator = ? AND e.kind = 'label'"
				    " AND NOT EXISTS (SELECT 1 FROM golden_events u WHERE u.undoes = e.id)"
				    " ORDER BY e.id DESC LIMIT 1",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(s, 1, u->annotator);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		u->nothing = 1;
		return rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	int64_t target = sqlite3_column_int64(s, 0);
	char *call_id = xstrdup((const char *)sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	rc = append_event(g, call_id, "undo", NULL, u->annotator, u->now, target, NULL);
	/* The item takes the label of its latest label event still standing,
	 * whoever gave it: undoing my label never removes a colleague's later
	 * one, and undoing the latest brings back the one before. */
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    g->db,
		    "UPDATE golden_items SET (label, annotator, label_event, label_ts) = (SELECT e.value, e.annotator,"
		    "   e.id, e.ts FROM golden_events e WHERE e.call_id = ?1 AND e.kind = 'label'"
		    "   AND NOT EXISTS (SELECT 1 FROM golden_events u WHERE u.undoes = e.id) ORDER BY e.id DESC LIMIT 1),"
		    " updated = ?2 WHERE call_id = ?1",
		    -1, &s, NULL);
	if (rc == SQLITE_OK) {
		bind_text(s, 1, call_id);
		sqlite3_bind_int64(s, 2, u->now);
		rc = step_done(s);
	}
	if (rc == SQLITE_OK && u->call_id && u->call_id_len)
		snprintf(u->call_id, u->call_id_len, "%s", call_id);
	free(call_id);
	return rc;
}

int golden_undo(golden_t *g, const char *annotator, int64_t now_ns, char *call_id, size_t call_id_len, char *err,
		size_t errlen)
{
	if (call_id && call_id_len)
		call_id[0] = 0;
	if (str_empty(annotator)) {
		seterr(err, errlen, "undo needs an annotator");
		return -1;
	}
	undo_arg u = {annotator, now_ns, call_id, call_id_len, 0};
	if (write_txn(g, undo_body, &u, err, errlen))
		return -1;
	return u.nothing ? 1 : 0;
}

/* ---- reading ----------------------------------------------------------- */

#define ITEM_COLS                                                                                                  \
	"call_id, trace_id, model, provider, prompt_name, prompt_version, input, output, variables, label, note,"  \
	" expected, annotator, created, updated, call_ts"

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static void item_from_row(sqlite3_stmt *s, golden_item *it)
{
	memset(it, 0, sizeof *it);
	it->call_id = col_dup(s, 0);
	it->trace_id = col_dup(s, 1);
	it->model = col_dup(s, 2);
	it->provider = col_dup(s, 3);
	it->prompt_name = col_dup(s, 4);
	it->prompt_version = col_dup(s, 5);
	it->input = col_dup(s, 6);
	it->output = col_dup(s, 7);
	it->variables = col_dup(s, 8);
	it->label = col_dup(s, 9);
	it->note = col_dup(s, 10);
	it->expected = col_dup(s, 11);
	it->annotator = col_dup(s, 12);
	it->created_ns = sqlite3_column_int64(s, 13);
	it->updated_ns = sqlite3_column_int64(s, 14);
	it->call_ts_ns = sqlite3_column_int64(s, 15);
}

int golden_get(golden_t *g, const char *call_id, golden_item *it)
{
	memset(it, 0, sizeof *it);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(g->db, "SELECT " ITEM_COLS " FROM golden_items WHERE call_id = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	bind_text(s, 1, call_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		item_from_row(s, it);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

void golden_item_free(golden_item *it)
{
	char **f[] = {&it->call_id, &it->trace_id,  &it->model, &it->provider, &it->prompt_name,
		      &it->prompt_version, &it->input, &it->output, &it->variables, &it->label,
		      &it->note, &it->expected, &it->annotator};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

/* A count, with ?1 a text and ?2 a number when the query has them. */
static int64_t query_int(golden_t *g, const char *sql, const char *a, int64_t n)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(g->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	int np = sqlite3_bind_parameter_count(s);
	if (np >= 1)
		bind_text(s, 1, a);
	if (np >= 2)
		sqlite3_bind_int64(s, 2, n);
	int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return v;
}

int golden_is_labelled(golden_t *g, const char *call_id)
{
	return query_int(g, "SELECT count(*) FROM golden_items WHERE call_id = ?1 AND label IS NOT NULL", call_id, 0) > 0;
}

int golden_labelled_ids(golden_t *g, char ***ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *s;
	/* BINARY collation: the primary key's order is strcmp's. */
	if (sqlite3_prepare_v2(g->db, "SELECT call_id FROM golden_items WHERE label IS NOT NULL ORDER BY call_id",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		if (!id)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = xstrdup(id);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		golden_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void golden_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int64_t golden_count(golden_t *g, const char *label)
{
	return query_int(g, "SELECT count(*) FROM golden_items WHERE label IS NOT NULL AND (?1 IS NULL OR label = ?1)",
			 label, 0);
}

int64_t golden_count_by(golden_t *g, const char *annotator, int64_t since_ns)
{
	return query_int(g,
			 "SELECT count(*) FROM golden_items WHERE label IS NOT NULL AND annotator = ?1"
			 " AND label_ts >= ?2",
			 annotator, since_ns);
}

int64_t golden_event_count(golden_t *g)
{
	return query_int(g, "SELECT count(*) FROM golden_events", NULL, 0);
}

/* ---- claims ------------------------------------------------------------ */

typedef struct claim_arg {
	const char *call_id, *annotator;
	int64_t now, ttl;
	int ours;
} claim_arg;

static int claim_body(golden_t *g, void *arg)
{
	claim_arg *c = arg;
	sqlite3_stmt *s;
	/* Labelled already (by anyone): checked in the same transaction as the
	 * claim, or two annotators could each see the call free, one label it and
	 * release it, and the other take it and label it again. */
	int rc = sqlite3_prepare_v2(g->db, "SELECT 1 FROM golden_items WHERE call_id = ? AND label IS NOT NULL", -1, &s,
				    NULL);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(s, 1, c->call_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW) {
		c->ours = 2;
		return SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		return rc;
	/* New, renewed, or taken over from a claim that ran out; a live claim
	 * of someone else's is left as it is and changes nothing. */
	rc = sqlite3_prepare_v2(g->db,
				    "INSERT INTO golden_claims(call_id, annotator, until) VALUES(?1, ?2, ?3)"
				    " ON CONFLICT(call_id) DO UPDATE SET annotator = excluded.annotator,"
				    "  until = excluded.until WHERE golden_claims.annotator = excluded.annotator"
				    "  OR golden_claims.until <= ?4",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(s, 1, c->call_id);
	bind_text(s, 2, c->annotator);
	sqlite3_bind_int64(s, 3, c->now + c->ttl);
	sqlite3_bind_int64(s, 4, c->now);
	rc = sqlite3_step(s);
	c->ours = rc == SQLITE_DONE && sqlite3_changes(g->db) > 0;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int golden_claim(golden_t *g, const char *call_id, const char *annotator, int64_t now_ns, int64_t ttl_ns)
{
	if (str_empty(call_id) || str_empty(annotator))
		return -1;
	claim_arg c = {call_id, annotator, now_ns, ttl_ns, 0};
	if (write_txn(g, claim_body, &c, NULL, 0))
		return -1;
	return c.ours;
}

typedef struct release_arg {
	const char *call_id, *annotator;
} release_arg;

static int release_body(golden_t *g, void *arg)
{
	release_arg *r = arg;
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(g->db, "DELETE FROM golden_claims WHERE call_id = ? AND annotator = ?", -1, &s,
				    NULL);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(s, 1, r->call_id);
	bind_text(s, 2, r->annotator);
	return step_done(s);
}

void golden_release(golden_t *g, const char *call_id, const char *annotator)
{
	if (str_empty(call_id) || str_empty(annotator))
		return;
	release_arg r = {call_id, annotator};
	write_txn(g, release_body, &r, NULL, 0);
}

/* ---- export ------------------------------------------------------------ */

static const char *const format_names[] = {
    [GF_JSONL] = "jsonl", [GF_EVALS] = "evals", [GF_CHAT] = "chat", [GF_PROMPTFOO] = "promptfoo",
    [GF_LANGFUSE] = "langfuse",
};

int golden_format_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof format_names / sizeof *format_names; i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	return -1;
}

const char *golden_format_name(int format)
{
	return format >= 0 && format < (int)(sizeof format_names / sizeof *format_names) ? format_names[format] : "?";
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The messages of a call as JSON: the stored array as it is; any other text
 * (a bare prompt) as one user message; nothing as an empty array. */
static cJSON *messages_of(const char *input)
{
	if (!input)
		return cJSON_CreateArray();
	cJSON *j = cJSON_Parse(input);
	if (cJSON_IsArray(j))
		return j;
	const char *text = cJSON_IsString(j) ? j->valuestring : input;
	cJSON *arr = cJSON_CreateArray(), *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(m, "content", text);
	cJSON_AddItemToArray(arr, m);
	cJSON_Delete(j);
	return arr;
}

/* The answer an item holds up as right: the expected answer when one was
 * written, else production's own output when the item carries the "good"
 * label (it was judged right as it is). A "bad" output without a correction
 * is no reference for anything: NULL. */
static const char *reference_of(const golden_t *g, const golden_item *it)
{
	if (it->expected)
		return it->expected;
	if (it->output && g->good && str_eq(it->label, g->good))
		return it->output;
	return NULL;
}

static char *stable_id(const char *call_id)
{
	sbuf b = SBUF_INIT;
	sb_printf(&b, "golden-%s", call_id);
	return sb_steal(&b);
}

static cJSON *provenance(const golden_item *it)
{
	char when[40];
	cJSON *m = cJSON_CreateObject();
	cJSON_AddItemToObject(m, "call_id", cJSON_CreateString(it->call_id));
	cJSON_AddItemToObject(m, "trace_id", str_or_null(it->trace_id));
	cJSON_AddItemToObject(m, "label", str_or_null(it->label));
	cJSON_AddItemToObject(m, "note", str_or_null(it->note));
	cJSON_AddItemToObject(m, "model", str_or_null(it->model));
	cJSON_AddItemToObject(m, "provider", str_or_null(it->provider));
	cJSON_AddItemToObject(m, "prompt_name", str_or_null(it->prompt_name));
	cJSON_AddItemToObject(m, "prompt_version", str_or_null(it->prompt_version));
	cJSON_AddItemToObject(m, "annotator", str_or_null(it->annotator));
	clock_fmt_rfc3339(it->created_ns, when, sizeof when);
	cJSON_AddStringToObject(m, "created_at", when);
	return m;
}

/* promptfoo's vars: the call's template variables; a call without them gets
 * its last user message as "input", so the test still has something to
 * render into a prompt. */
static cJSON *vars_of(const golden_item *it, const cJSON *messages)
{
	if (it->variables) {
		cJSON *v = cJSON_Parse(it->variables);
		if (cJSON_IsObject(v))
			return v;
		cJSON_Delete(v);
	}
	cJSON *vars = cJSON_CreateObject();
	const cJSON *last = NULL, *m;
	cJSON_ArrayForEach(m, messages)
	{
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		if (cJSON_IsString(role) && !strcmp(role->valuestring, "user"))
			last = m;
	}
	const cJSON *content = last ? cJSON_GetObjectItemCaseSensitive(last, "content") : NULL;
	cJSON_AddItemToObject(vars, "input", content ? cJSON_Duplicate(content, 1) : cJSON_CreateString(""));
	return vars;
}

static cJSON *assistant(const char *text)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "assistant");
	cJSON_AddStringToObject(m, "content", text);
	return m;
}

/* One line of the export, or NULL when the format has no use for the item
 * (evals and chat need a reference answer and something to ask). */
static cJSON *export_row(const golden_t *g, int format, const golden_item *it)
{
	cJSON *msgs = messages_of(it->input);
	const char *ref = reference_of(g, it);
	char *id = stable_id(it->call_id);
	cJSON *o = cJSON_CreateObject();
	char when[40];
	switch (format) {
	case GF_JSONL:
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "call_id", it->call_id);
		cJSON_AddItemToObject(o, "trace_id", str_or_null(it->trace_id));
		cJSON_AddItemToObject(o, "label", str_or_null(it->label));
		cJSON_AddItemToObject(o, "note", str_or_null(it->note));
		cJSON_AddItemToObject(o, "input", msgs);
		msgs = NULL;
		cJSON_AddItemToObject(o, "output", str_or_null(it->output));
		cJSON_AddItemToObject(o, "expected", str_or_null(it->expected));
		cJSON_AddItemToObject(o, "model", str_or_null(it->model));
		cJSON_AddItemToObject(o, "prompt_name", str_or_null(it->prompt_name));
		cJSON_AddItemToObject(o, "prompt_version", str_or_null(it->prompt_version));
		cJSON_AddItemToObject(o, "annotator", str_or_null(it->annotator));
		clock_fmt_rfc3339(it->created_ns, when, sizeof when);
		cJSON_AddStringToObject(o, "created_at", when);
		break;
	case GF_EVALS:
	case GF_CHAT:
		if (!ref || !cJSON_GetArraySize(msgs)) {
			cJSON_Delete(o);
			o = NULL;
			break;
		}
		if (format == GF_EVALS) {
			cJSON_AddItemToObject(o, "input", msgs);
			cJSON_AddStringToObject(o, "ideal", ref);
		} else {
			cJSON_AddItemToArray(msgs, assistant(ref));
			cJSON_AddItemToObject(o, "messages", msgs);
		}
		msgs = NULL;
		break;
	case GF_PROMPTFOO: {
		sbuf d = SBUF_INIT;
		sb_printf(&d, "%s %s", it->label, it->call_id);
		if (it->prompt_name)
			sb_printf(&d, " (%s%s%s)", it->prompt_name, it->prompt_version ? "@" : "",
				  it->prompt_version ? it->prompt_version : "");
		cJSON_AddStringToObject(o, "description", sb_str(&d));
		sb_free(&d);
		cJSON_AddItemToObject(o, "vars", vars_of(it, msgs));
		/* With a reference the answer must equal it; an output judged
		 * wrong and not corrected must at least not come back. */
		cJSON *asserts = cJSON_AddArrayToObject(o, "assert"), *a = cJSON_CreateObject();
		if (ref) {
			cJSON_AddStringToObject(a, "type", "equals");
			cJSON_AddStringToObject(a, "value", ref);
			cJSON_AddItemToArray(asserts, a);
		} else if (it->output) {
			cJSON_AddStringToObject(a, "type", "not-equals");
			cJSON_AddStringToObject(a, "value", it->output);
			cJSON_AddItemToArray(asserts, a);
		} else {
			cJSON_Delete(a);
		}
		cJSON_AddItemToObject(o, "metadata", provenance(it));
		break;
	}
	case GF_LANGFUSE:
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddItemToObject(o, "input", msgs);
		msgs = NULL;
		cJSON_AddItemToObject(o, "expectedOutput", str_or_null(ref));
		cJSON_AddItemToObject(o, "metadata", provenance(it));
		cJSON_AddItemToObject(o, "sourceTraceId", str_or_null(it->trace_id));
		cJSON_AddStringToObject(o, "sourceObservationId", it->call_id);
		break;
	}
	cJSON_Delete(msgs);
	free(id);
	return o;
}

int golden_export_ex(golden_t *g, int format, const char *label, const char *path, golden_export_stats *st,
		     char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	if (format < 0 || format > GF_LANGFUSE) {
		seterr(err, errlen, "unknown export format");
		return -1;
	}
	int to_stdout = !path || !strcmp(path, "-");
	FILE *f = stdout;
	file_tmp tmp = {0};
	if (!to_stdout) {
		if (file_tmp_open(&tmp, path, 0666, 0)) {
			seterr(err, errlen, "%s: cannot write: %s", path, strerror(errno));
			return -1;
		}
		f = tmp.f;
	}
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(g->db,
				    "SELECT " ITEM_COLS " FROM golden_items WHERE label IS NOT NULL"
				    " AND (?1 IS NULL OR label = ?1) ORDER BY label_ts, label_event",
				    -1, &s, NULL);
	int failed = 0;
	if (rc != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", g->path, sqlite3_errmsg(g->db));
		failed = 1;
	} else {
		bind_text(s, 1, label);
		/* One read transaction for the whole statement: a label committed
		 * meanwhile by someone else is in the next export, not half in. */
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			golden_item it;
			item_from_row(s, &it);
			cJSON *row = export_row(g, format, &it);
			golden_item_free(&it);
			if (!row) {
				st->skipped++;
				continue;
			}
			char *line = cJSON_PrintUnformatted(row);
			cJSON_Delete(row);
			/* escaped, not raw: the same value, but no bidi or C1
			 * character reaches whatever shows the file */
			sbuf safe = SBUF_INIT;
			sanitize_json(line, strlen(line), &safe);
			fputs(sb_str(&safe), f);
			fputc('\n', f);
			sb_free(&safe);
			free(line);
			st->written++;
		}
		if (rc != SQLITE_DONE) {
			seterr(err, errlen, "%s: %s", g->path, sqlite3_errmsg(g->db));
			failed = 1;
		}
		sqlite3_finalize(s);
	}
	if (to_stdout) {
		if (fflush(f) || ferror(f)) {
			if (!failed)
				seterr(err, errlen, "standard output: %s", strerror(errno));
			failed = 1;
		}
		return failed ? -1 : 0;
	}
	if (failed) {
		file_tmp_abort(&tmp);
		return -1;
	}
	if (file_tmp_commit(&tmp)) {
		seterr(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int golden_export(golden_t *g, int format, const char *label, const char *path, size_t *n, char *err, size_t errlen)
{
	golden_export_stats st;
	int rc = golden_export_ex(g, format, label, path, &st, err, errlen);
	if (n)
		*n = st.written;
	return rc;
}
