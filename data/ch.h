/* ClickHouse over its HTTP interface (libcurl): the connection, queries with
 * results as unescaped TabSeparated columns, the schema llmops keeps there,
 * and the write path (batches of calls, spans and events as JSONEachRow).
 *
 * The URL is clickhouse://[USER@]HOST[:PORT]/DATABASE[?secure=1&cluster=NAME]
 * (port 8123, 8443 with secure=1). The password comes from the environment
 * (LLMOPS_CLICKHOUSE_PASSWORD) or from a command's output
 * (clickhouse_password_cmd); it is never taken from the URL, never stored and
 * never printed: errors name the user, host and port only.
 *
 * With cluster=NAME (a cluster of the server's remote_servers), each table
 * is a local MergeTree table (NAME_local) on every shard and a Distributed
 * table over them under the plain name: inserts go to the Distributed
 * table, and a query that filters one table with a subquery over another
 * must read the local table in the subquery (ch_local), since the server
 * refuses an IN over a Distributed table inside a distributed query. */
#ifndef LLMOPS_CH_H
#define LLMOPS_CH_H

#include <stddef.h>
#include <stdint.h>

#include "../core/batch.h"
#include "../core/pricing.h"
#include "../core/str.h"
#include "store.h"

typedef struct ch_conn ch_conn;

enum {
	CH_READONLY = 1,  /* never writes: no schema created or migrated (it must exist) */
	CH_NO_SCHEMA = 2, /* connect and check the server only (tests, tools) */
};

/* The environment variable that holds the password. */
#define CH_PASSWORD_ENV "LLMOPS_CLICKHOUSE_PASSWORD"

/* Connects: parses the URL, takes the password (environment, else
 * password_cmd when not NULL), checks the server (SELECT version()), and
 * creates or migrates the schema unless CH_READONLY or CH_NO_SCHEMA. err
 * names USER@HOST:PORT and the reason, never the password. */
int ch_connect(const char *url, const char *password_cmd, int flags, ch_conn **out, char *err, size_t errlen);
void ch_disconnect(ch_conn *c);
/* The server's major version (18, 22, 24 ...) and which schema form it has:
 * 1 the modern form (ClickHouse 22 and newer), 0 the portable one. */
int ch_server_major(const ch_conn *c);
int ch_modern(const ch_conn *c);
/* clickhouse://USER@HOST:PORT/DATABASE: the URL without any secret. */
const char *ch_url_display(const ch_conn *c);
const char *ch_database(const ch_conn *c);
/* The cluster name (NULL: a single server). */
const char *ch_cluster(const ch_conn *c);
/* The table a subquery must read: "calls_local" under a cluster, else "calls". */
const char *ch_local(const ch_conn *c, const char *table);

/* Every query carries max_execution_time (seconds; 0: none) and a query_id
 * of its own, and is run with wait_end_of_query=1 so that an error after
 * the first rows is an error, never data. Default 30 s. */
void ch_set_timeout(ch_conn *c, int seconds);
/* A PEM file of the authorities to check secure=1 servers against instead
 * of the system's (NULL: the system's), for every connection after it. */
void ch_set_ca_file(const char *path);

/* A SELECT (FORMAT TabSeparated is added): each row's columns, unescaped
 * (\N stays "\\N" only as text; a NULL arrives as NULL). fn returning
 * non-zero stops the rows (ch_select then returns that value). -1 with err
 * on a failure: the server's own message, or the transport's. */
typedef int (*ch_row_fn)(void *ud, char **cols, int ncols);
int ch_select(ch_conn *c, const char *sql, ch_row_fn fn, void *ud, char *err, size_t errlen);
/* A statement without rows (DDL, INSERT ... SELECT, KILL). */
int ch_exec(ch_conn *c, const char *sql, char *err, size_t errlen);
/* An INSERT with its data as the request body, gzip-compressed on the way:
 * sql is "INSERT INTO t FORMAT JSONEachRow". */
int ch_insert(ch_conn *c, const char *sql, const char *data, size_t len, char *err, size_t errlen);
/* The first column of the first row as an integer (def when none). */
int ch_select_int(ch_conn *c, const char *sql, int64_t def, int64_t *out, char *err, size_t errlen);

/* From another thread: stops the query this connection is running (KILL
 * QUERY by its query_id, over a connection of its own); ch_select then
 * fails with "cancelled". Safe when nothing runs. */
void ch_cancel(ch_conn *c);
/* The query_id of the query running now ("" when none), for tests. */
void ch_running_query(ch_conn *c, char *out, size_t n);

/* Appends s as a quoted string literal: quotes and backslashes escaped,
 * control characters as escapes; bytes that are not UTF-8 pass as they are
 * (ClickHouse strings are bytes). */
void ch_quote(sbuf *b, const char *s);
/* The same for n bytes. */
void ch_quote_n(sbuf *b, const char *s, size_t n);

/* The schema (ch_schema.c). ch_connect calls ch_schema_ensure; the version
 * it brings the database to. */
#define CH_SCHEMA_VERSION 3
int ch_schema_ensure(ch_conn *c, char *err, size_t errlen);
int ch_schema_version(ch_conn *c, int *version, char *err, size_t errlen);
/* How long calls, spans, events and minute rollups are kept (`set
 * retention`; 0: for ever). On the modern form a TTL on the tables (the
 * server drops what is older as it merges); on the portable form, which has
 * no TTL, the months wholly older than the retention are dropped now. The
 * hour and day rollups are kept: they are small and the reports over long
 * windows read them. */
int ch_set_retention(ch_conn *c, int days, char *err, size_t errlen);
/* `set retention` (a duration, 0 unset) in whole days, rounded up. */
static inline int ch_retention_days_of(int64_t ns)
{
	const int64_t day = 86400LL * 1000000000LL;
	return ns <= 0 ? 0 : (int)((ns + day - 1) / day);
}
int ch_retention_days(const ch_conn *c);

/* The write path (ch_write.c): the same contract as store_ingest, idempotent
 * on span id. Rows are buffered until ch_flush or until a buffer holds
 * CH_BATCH_ROWS rows; ch_flush is the commit point. The LLM spans of a
 * trace are held back for their other layers, across batches, until
 * ch_settle (or the connection closes): their calls are counted in the
 * stats of the ch_ingest or ch_settle that writes them. */
#define CH_BATCH_ROWS 100000
int ch_ingest(ch_conn *c, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen);
int ch_flush(ch_conn *c, char *err, size_t errlen);
/* Writes the held LLM spans and their calls, then flushes: all of them, or
 * (all 0) those of traces no span of which arrived for CH_HOLD_S seconds
 * (looked for once a second at most).
 * prices NULL: the last ch_ingest's. stats may be NULL. */
#define CH_HOLD_S 2.0
int ch_settle(ch_conn *c, int all, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen);

#endif
