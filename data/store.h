/* The SQLite store: calls, their bodies, per-minute/hour/day rollups, GenAI
 * events that arrived apart from their spans, the full-text index, and (for
 * the features that build on it) prompt versions. WAL mode; the schema is
 * versioned with PRAGMA user_version and migrated forward only. */
#ifndef LLMOPS_STORE_H
#define LLMOPS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/batch.h"
#include "../core/pricing.h"
#include "../core/rollup.h"

typedef struct store store_t;

enum {
	STORE_CREATE = 1,  /* create the file (and its folder) when missing */
	STORE_BULK = 2,    /* a long import or the receiver: bigger cache, checkpoints in a helper thread */
	STORE_READONLY = 4, /* opened read-only, nothing written */
	/* The command only reads, or can do without writing: a store it can
	 * write is opened as usual (migrated, its WAL tidied at close), one it
	 * cannot is opened read-only. */
	STORE_VIEWER = 8,
	/* A throwaway store that answers one report on files: nothing synced, and
	 * calls outside traces are counted by their ids in memory, only their
	 * dimensions and rollups written (see store_scratch). */
	STORE_SCRATCH = 16,
};

/* Without STORE_READONLY or STORE_VIEWER, a store that cannot be written is
 * an error that says so. A read-only store must already have this
 * version's schema (migrating would write). */
int store_open(const char *path, int flags, store_t **out, char *err, size_t errlen);
/* path names a ClickHouse database (clickhouse://[USER@]HOST[:PORT]/DATABASE)
 * rather than a file: store_open connects to it. */
int store_is_url(const char *path);
/* From another thread: stops the query the store is running, if its
 * backend can (a ClickHouse server kills it); that query then fails. */
void store_cancel(store_t *st);
/* The SQLite file that keeps what the console writes of its own for this
 * store (replays, the golden dataset's default, prompt templates, billed
 * usage): the store itself for a file; for a ClickHouse URL, a file of that
 * server's and database's under the state folder (malloc'ed; NULL and err
 * when there is no state folder). */
char *store_local_path(const char *store_path, char *err, size_t errlen);
/* The command whose output is the ClickHouse password when
 * LLMOPS_CLICKHOUSE_PASSWORD is not set (`set clickhouse_password_cmd`). */
void store_set_password_cmd(const char *cmd);
/* The certificate authorities a secure=1 ClickHouse store is checked
 * against instead of the system's (`set clickhouse_ca`; NULL: the system's). */
void store_set_ca_file(const char *path);
/* How long a ClickHouse store keeps calls (`set retention`; 0: for ever),
 * applied by the commands that write (import, collect, demo). */
void store_set_retention(int64_t ns);
/* Opened read-only (STORE_READONLY, or STORE_VIEWER on a store that cannot be
 * written): every write would fail. */
int store_readonly(const store_t *st);
/* Non-NULL once a read found the file damaged (a page zeroed or cut off):
 * "store is damaged: WHAT failed: REASON". Queries then fail rather than
 * show partial figures; the console says this in its status line. */
const char *store_damage(const store_t *st);
/* The message for a write refused on a read-only store. */
#define STORE_READONLY_MSG "store is read-only: viewing only"
/* What a command that needs a store says when PATH has none. */
#define STORE_MISSING_FMT "no store at %s (llmops import FILE, or llmops demo)"
/* 0 when this process can write the store (file and folder), else -1 and
 * the reason in why. */
int store_writable(const char *path, char *why, size_t n);
struct sqlite3;
/* Opens a database file that cannot be written, for reading (as immutable
 * where its folder cannot hold the WAL index); for the golden dataset too. */
int store_sqlite_open_readonly(const char *path, struct sqlite3 **db, char *err, size_t errlen);
void store_close(store_t *st);
const char *store_path(const store_t *st);
/* Each read is a round trip to a server (ClickHouse): a caller with reads
 * that do not depend on each other gains by issuing them at once, each on a
 * connection of its own. 0 for a file. */
int store_remote(const store_t *st);
/* Opened with STORE_SCRATCH: a batch without spans or content events needs
 * no compressed bodies, as no call row is written for it. */
int store_scratch(const store_t *st);
int store_schema_version(store_t *st);

typedef struct ingest_stats {
	uint64_t inserted;    /* new calls */
	uint64_t duplicates;  /* calls already in the store */
	uint64_t events;      /* new GenAI events */
	uint64_t filled;      /* calls whose content came from events */
	uint64_t merged;      /* LLM spans that joined a call another layer recorded */
	uint64_t spans;       /* other spans of traces stored (steps, tools, ...) */
} ingest_stats;

/* Stores a batch in one transaction: calls (idempotent on trace+span id),
 * their rollups, and events. Costs come from the call when given, else from
 * the price table (NULL: none). */
int store_ingest(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen);
/* Several batches in one transaction: each batch's inserts touch most pages
 * of the (random) key index, so committing every few batches instead of
 * every batch writes that index far fewer times. */
int store_begin(store_t *st, char *err, size_t errlen);
int store_commit(store_t *st, char *err, size_t errlen);
/* Writes what the store held back for layers of the same requests still to
 * come (ClickHouse; SQLite merges them as they come and holds nothing):
 * all of it (at the end of an import), or (all 0) what has waited long
 * enough (the receiver, now and then). stats counts what that added.
 * prices NULL: those of the last store_ingest. */
int store_settle(store_t *st, int all, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen);
/* After an import: drops the stored steps of traces that hold no LLM call,
 * and says how many. */
int store_prune_spans(store_t *st, uint64_t *pruned);
/* Traces noted since the last prune. */
size_t store_span_traces_pending(const store_t *st);
/* Ends a transaction begun with store_begin without its writes (none open:
 * nothing). */
void store_rollback(store_t *st);
/* How long a statement waits for a lock another connection holds (5 s from
 * store_open); returns the wait it replaces. A write on the console's own
 * thread waits briefly, and tries again later. */
int store_busy_timeout(store_t *st, int ms);
/* The last statement failed because another connection held the lock. */
int store_busy(store_t *st);

/* The dictionary new bodies are compressed with (NULL until one is trained). */
body_codec *store_body_codec(store_t *st);

/* Small integers kept in the store's meta table. */
int64_t store_meta_get_int(store_t *st, const char *key, int64_t def);
int store_meta_set_int(store_t *st, const char *key, int64_t v);

/* Totals. */
int64_t store_call_count(store_t *st);
/* A number that grows by one with each call committed (by any connection)
 * and is cheap to read however big the store: the difference of two reads
 * is the calls committed between them. */
int64_t store_call_mark(store_t *st);
int store_time_range(store_t *st, int64_t *first_ns, int64_t *last_ns);

/* Reports from rollups only. */
enum report_by { BY_MODEL, BY_PROMPT, BY_PROVIDER, BY_FEATURE };
typedef struct report_group {
	char *key;
	rstats s;
} report_group;

typedef struct report {
	int64_t from_ns, to_ns; /* effective window (minute aligned) */
	int by;
	report_group *groups;   /* sorted by cost, highest first */
	size_t n;
	rstats total;
	char **unpriced_models; /* models with unpriced calls in the window */
	size_t n_unpriced_models;
} report_t;

int store_report(store_t *st, int64_t from_ns, int64_t to_ns, int by, report_t *out, char *err, size_t errlen);
void report_free(report_t *r);
const char *report_by_name(int by);
int report_by_parse(const char *s);

/* Full-text index: built after import, in slices, so that it never slows the
 * import down, and from the newest call down, so that what happened last is
 * searchable first. Indexes up to max_rows more calls; *pending is what is
 * left. Search is complete when *pending is 0. */
int store_fts_step(store_t *st, int max_rows, int64_t *pending);
/* Calls the index has not reached yet. */
int64_t store_fts_pending(store_t *st);
/* While the index is being built from the newest call down: the start of the
 * newest call it has not reached, so that every call that started later is
 * searchable. 0 when the index is complete or the newest calls are not in it
 * yet. hint, when not 0, is an earlier answer (the walk starts there). */
int64_t store_fts_since(store_t *st, int64_t hint);
/* Ids of calls whose input or output match an FTS5 query, newest first. */
int store_fts_search(store_t *st, const char *query, int64_t *ids, int max, int *n, char *err, size_t errlen);

/* A call's body, for tests and the detail view (malloc'ed, NULL if none). */
int store_call_body(store_t *st, int64_t id, char **input, char **output, char **variables, char **attrs);
/* Finds a call by span id hex (or store id); 0 and *id on success. */
int store_find_call(store_t *st, const char *ref, int64_t *id);
/* Finds a call as a user names it: its span id, any unique prefix of it of
 * at least STORE_SPAN_PREFIX_MIN hex digits, or its store id. 0 and *id on
 * success; -1 when nothing matches; -2 when the prefix is ambiguous, err then
 * listing a few of the span ids it matches. */
#define STORE_SPAN_PREFIX_MIN 8
int store_find_call_ref(store_t *st, const char *ref, int64_t *id, char *err, size_t errlen);

/* Prompt versions (templates), kept for the prompt registry. */
int store_put_prompt(store_t *st, const char *name, const char *version, const char *text, const char *source,
		     int64_t created_ns);

#endif
