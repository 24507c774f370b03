/* ClickHouse against a real server: a private clickhouse-server started by
 * tests/lib/clickhouse.sh on free ports of 127.0.0.1 (or the one that
 * LLMOPS_TEST_CLICKHOUSE_URL names, for the tests that need no control of
 * the server). Each test has a database of its own. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../core/batch.h"
#include "../../core/config.h"
#include "../../core/hist.h"
#include "../../data/ch.h"
#include "../../data/follow.h"
#include "../../data/import.h"
#include "../../data/query.h"
#include "../../data/store.h"
#include "t.h"

static char srv_dir[256];   /* the private server's folder ("" none) */
static char srv_base[256];  /* clickhouse://127.0.0.1:PORT */
static int srv_http, srv_tcp;
static int ch_missing;      /* clickhouse-server is not installed */

/* Runs tests/lib/clickhouse.sh; its first output line in out. */
static int script(const char *args, char *out, size_t n)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "sh tests/lib/clickhouse.sh %s", args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && n) {
		out[0] = '\0';
		if (!fgets(out, (int)n, p))
			out[0] = '\0';
	}
	char sink[256];
	while (fgets(sink, sizeof sink, p))
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int start_server(const char *dir, const char *shards, int *http, int *tcp)
{
	char args[512], out[128];
	/* Stopped with the test run, however it ends. */
	snprintf(args, sizeof args, "start %s %s", dir, shards ? shards : "");
	char pid[32];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv("CH_WATCH_PID", pid, 1);
	int rc = script(args, out, sizeof out);
	if (rc == 0 && sscanf(out, "%d %d", http, tcp) == 2)
		return 0;
	return rc ? rc : -1;
}

static void stop_server(const char *dir)
{
	char args[300];
	snprintf(args, sizeof args, "stop %s", dir);
	script(args, NULL, 0);
}

static void suite_setup(void)
{
	const char *url = getenv("LLMOPS_TEST_CLICKHOUSE_URL");
	if (url && *url) {
		snprintf(srv_base, sizeof srv_base, "%s", url);
		return;
	}
	snprintf(srv_dir, sizeof srv_dir, "/tmp/llmops-ch-unit-%d", (int)getpid());
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", srv_dir);
	if (system(cmd) != 0)
		return;
	int rc = start_server(srv_dir, NULL, &srv_http, &srv_tcp);
	if (rc == 77) {
		ch_missing = 1;
		fprintf(stderr, "ClickHouse tests skipped: clickhouse-server is not installed "
				"(sh scripts/deps.sh --test installs it)\n");
		return;
	}
	if (rc)
		return;
	snprintf(srv_base, sizeof srv_base, "clickhouse://127.0.0.1:%d", srv_http);
}

static void suite_teardown(void)
{
	if (!srv_dir[0])
		return;
	stop_server(srv_dir);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", srv_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", srv_dir);
}

/* A database of the test's own on the shared server. */
static ch_conn *conn_db(const char *db, int flags)
{
	ck_assert_msg(srv_base[0], "the ClickHouse test server did not start (see /tmp/llmops-ch-unit-*/log)");
	char url[512], err[512] = "";
	snprintf(url, sizeof url, "%s/%s_%d", srv_base, db, (int)getpid());
	ch_conn *c = NULL;
	ck_assert_msg(ch_connect(url, NULL, flags, &c, err, sizeof err) == 0, "connect %s: %s", url, err);
	return c;
}

/* Said once, by the set-up. */
static int skip(void)
{
	return ch_missing;
}

/* ---- rows back ---------------------------------------------------------- */

typedef struct rows {
	char *v[64][8];
	int null[64][8];
	int n, ncols;
} rows;

static int collect(void *ud, char **cols, int ncols)
{
	rows *r = ud;
	if (r->n >= 64)
		return 0;
	r->ncols = ncols;
	for (int i = 0; i < ncols && i < 8; i++) {
		r->v[r->n][i] = cols[i] ? xstrdup(cols[i]) : NULL;
		r->null[r->n][i] = !cols[i];
	}
	r->n++;
	return 0;
}

static void rows_free(rows *r)
{
	for (int i = 0; i < r->n; i++)
		for (int k = 0; k < 8; k++)
			free(r->v[i][k]);
	memset(r, 0, sizeof *r);
}

static const char *const hostile[] = {
    "it's \"quoted\"",
    "back\\slash \\' \\n not a newline",
    "tab\there\tand\ttab",
    "new\nline\r\ncrlf",
    "\\N",
    "",
    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",             /* UTF-8 */
    "bad \xff\xfe utf-8 \xc3 cut \xe6\x97",                                  /* not UTF-8 */
    "ctrl \x01\x02\x1b[31m red \x7f",
    "Code: 1, e.displayText() = DB::Exception: pretend, e.what() = DB::Exception",
    "'); DROP TABLE calls; --",
};
#define NHOSTILE (sizeof hostile / sizeof *hostile)

START_TEST(quote_round_trip)
{
	if (skip())
		return;
	ch_conn *c = conn_db("quote", CH_NO_SCHEMA);
	for (size_t i = 0; i < NHOSTILE; i++) {
		sbuf q = SBUF_INIT;
		sb_adds(&q, "SELECT ");
		ch_quote(&q, hostile[i]);
		sb_adds(&q, ", length(");
		ch_quote(&q, hostile[i]);
		sb_adds(&q, ")");
		rows r = {0};
		char err[512] = "";
		ck_assert_msg(ch_select(c, q.p, collect, &r, err, sizeof err) == 0, "string %zu: %s", i, err);
		ck_assert_int_eq(r.n, 1);
		ck_assert_msg(!r.null[0][0], "string %zu came back NULL", i);
		ck_assert_msg(!strcmp(r.v[0][0], hostile[i]), "string %zu came back as '%s'", i, r.v[0][0]);
		ck_assert_int_eq(atoi(r.v[0][1]), (int)strlen(hostile[i]));
		rows_free(&r);
		sb_free(&q);
	}
	/* NULL is not the text \N. */
	rows r = {0};
	char err[512];
	ck_assert(ch_select(c, "SELECT NULL, '\\\\N', toNullable('x')", collect, &r, err, sizeof err) == 0);
	ck_assert(r.null[0][0]);
	ck_assert(!r.null[0][1]);
	ck_assert_str_eq(r.v[0][1], "\\N");
	ck_assert_str_eq(r.v[0][2], "x");
	rows_free(&r);
	ch_disconnect(c);
}
END_TEST

typedef struct seq_check {
	long rows, bad;
} seq_check;

static int seq_row(void *ud, char **cols, int ncols)
{
	seq_check *k = ud;
	char want[64];
	snprintf(want, sizeof want, "a\tb\\\n%ld", k->rows);
	if (ncols != 2 || !cols[0] || atol(cols[0]) != k->rows || !cols[1] || strcmp(cols[1], want))
		k->bad++;
	k->rows++;
	return 0;
}

START_TEST(select_many_rows)
{
	if (skip())
		return;
	ch_conn *c = conn_db("many", CH_NO_SCHEMA);
	/* Rows with escapes in them cross the HTTP chunks: each arrives whole
	 * and in order. */
	seq_check k = {0};
	char err[512];
	ck_assert_msg(ch_select(c, "SELECT number, concat('a\\tb\\\\\\n', toString(number)) FROM system.numbers LIMIT 300000",
				seq_row, &k, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(k.rows, 300000);
	ck_assert_int_eq(k.bad, 0);
	rows r = {0};
	ck_assert(ch_select(c, "SELECT 1 FROM system.numbers LIMIT 0", collect, &r, err, sizeof err) == 0);
	ck_assert_int_eq(r.n, 0);
	ch_disconnect(c);
}
END_TEST

typedef struct counter {
	long rows;
	int64_t last;
} counter;

static int count_rows(void *ud, char **cols, int ncols)
{
	counter *k = ud;
	k->rows++;
	if (ncols > 0 && cols[0])
		k->last = atoll(cols[0]);
	return 0;
}

START_TEST(error_after_rows_is_no_data)
{
	if (skip())
		return;
	ch_conn *c = conn_db("late", CH_NO_SCHEMA);
	/* The server fails at the millionth row, after it has produced
	 * (and, without waiting for the end, sent) many rows. */
	counter k = {0};
	char err[512] = "";
	int rc = ch_select(c, "SELECT number, throwIf(number = 1000000) FROM system.numbers LIMIT 2000000", count_rows, &k,
			   err, sizeof err);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(k.rows == 0, "%ld rows taken for data before the error", k.rows);
	ck_assert_msg(strstr(err, "error 395") && strstr(err, "127.0.0.1"), "%s", err);
	/* The connection is still good. */
	int64_t v = 0;
	ck_assert(ch_select_int(c, "SELECT 41 + 1", 0, &v, err, sizeof err) == 0);
	ck_assert_int_eq(v, 42);
	ch_disconnect(c);
}
END_TEST

START_TEST(bad_sql_names_the_server)
{
	if (skip())
		return;
	ch_conn *c = conn_db("badsql", CH_NO_SCHEMA);
	char err[512] = "";
	ck_assert_int_eq(ch_exec(c, "SELEC 1", err, sizeof err), -1);
	ck_assert_msg(strstr(err, "ClickHouse default@127.0.0.1:") && strstr(err, "Syntax error"), "%s", err);
	ck_assert_msg(!strchr(err, '\n'), "%s", err);
	ch_disconnect(c);
}
END_TEST

START_TEST(url_parsing)
{
	char err[512];
	ch_conn *c = NULL;
	ck_assert_int_eq(ch_connect("clickhouse://u:secretpw@127.0.0.1:1/db", NULL, 0, &c, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "password in the ClickHouse URL is refused"), "%s", err);
	ck_assert_msg(!strstr(err, "secretpw"), "%s", err);
	ck_assert_int_eq(ch_connect("clickhouse://127.0.0.1/db;drop", NULL, 0, &c, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "database name"), "%s", err);
	ck_assert_int_eq(ch_connect("clickhouse://127.0.0.1", NULL, 0, &c, err, sizeof err), -1);
	ck_assert_int_eq(ch_connect("http://127.0.0.1/db", NULL, 0, &c, err, sizeof err), -1);
	ck_assert_int_eq(ch_connect("clickhouse://127.0.0.1:99999/db", NULL, 0, &c, err, sizeof err), -1);
	ck_assert_int_eq(ch_connect("clickhouse://127.0.0.1/db?sslmode=x", NULL, 0, &c, err, sizeof err), -1);
	ck_assert(c == NULL);
}
END_TEST

/* ---- failures ----------------------------------------------------------- */

static int free_port(void)
{
	char out[64];
	ck_assert(script("ports 1", out, sizeof out) == 0);
	return atoi(out);
}

START_TEST(server_down)
{
	if (skip())
		return;
	int port = free_port();
	char url[128], err[512] = "";
	snprintf(url, sizeof url, "clickhouse://127.0.0.1:%d/llmops", port);
	ch_conn *c = NULL;
	ck_assert_int_eq(ch_connect(url, NULL, 0, &c, err, sizeof err), -1);
	char want[128];
	snprintf(want, sizeof want, "cannot connect to ClickHouse at 127.0.0.1:%d", port);
	ck_assert_msg(strstr(err, want), "%s", err);
}
END_TEST

static char *password_of(const char *dir)
{
	char path[300];
	snprintf(path, sizeof path, "%s/password", dir);
	char *pw = t_read(path, NULL);
	ck_assert(pw);
	pw[strcspn(pw, "\n")] = '\0';
	return pw;
}

START_TEST(wrong_password)
{
	if (skip() || !srv_dir[0])
		return;
	char *pw = password_of(srv_dir);
	char url[256], err[512] = "";
	snprintf(url, sizeof url, "clickhouse://llmops_auth@127.0.0.1:%d/authdb", srv_http);
	ch_conn *c = NULL;
	setenv(CH_PASSWORD_ENV, "not-the-password-xyzzy", 1);
	ck_assert_int_eq(ch_connect(url, NULL, 0, &c, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "authentication failed") && strstr(err, "llmops_auth@127.0.0.1:"), "%s", err);
	ck_assert_msg(!strstr(err, "xyzzy"), "the password is in the message: %s", err);
	/* The right one, from the environment. */
	setenv(CH_PASSWORD_ENV, pw, 1);
	ck_assert_msg(ch_connect(url, NULL, 0, &c, err, sizeof err) == 0, "%s", err);
	char shown[256];
	snprintf(shown, sizeof shown, "clickhouse://llmops_auth@127.0.0.1:%d/authdb", srv_http);
	ck_assert_str_eq(ch_url_display(c), shown);
	ck_assert_msg(!strstr(ch_url_display(c), pw), "%s", ch_url_display(c));
	ch_disconnect(c);
	/* From clickhouse_password_cmd when the environment has none. */
	unsetenv(CH_PASSWORD_ENV);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "cat %s/password", srv_dir);
	ck_assert_msg(ch_connect(url, cmd, 0, &c, err, sizeof err) == 0, "%s", err);
	ch_disconnect(c);
	/* A command that fails says so. */
	ck_assert_int_eq(ch_connect(url, "exit 3", 0, &c, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "clickhouse_password_cmd"), "%s", err);
	free(pw);
}
END_TEST

START_TEST(timeout_kills_query)
{
	if (skip())
		return;
	ch_conn *c = conn_db("slow", CH_NO_SCHEMA);
	ch_set_timeout(c, 1);
	char err[512] = "";
	/* Never ends by itself. */
	int rc = ch_select(c, "SELECT count() FROM system.numbers", NULL, NULL, err, sizeof err);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err, "error 159") && strstr(err, "Timeout exceeded"), "%s", err);
	ch_disconnect(c);
}
END_TEST

typedef struct cancel_arg {
	ch_conn *c;
	char qid[96];
} cancel_arg;

static void *canceller(void *p)
{
	cancel_arg *a = p;
	for (;;) {
		ch_running_query(a->c, a->qid, sizeof a->qid);
		if (a->qid[0])
			break;
		usleep(10000);
	}
	/* The query is under way on the server. */
	usleep(200000);
	ch_cancel(a->c);
	return NULL;
}

static int64_t running_on_server(const char *qid)
{
	ch_conn *o = conn_db("watch", CH_NO_SCHEMA);
	sbuf q = SBUF_INIT;
	sb_adds(&q, "SELECT count() FROM system.processes WHERE query_id = ");
	ch_quote(&q, qid);
	int64_t n = -1;
	char err[512];
	ck_assert_msg(ch_select_int(o, q.p, -1, &n, err, sizeof err) == 0, "%s", err);
	sb_free(&q);
	ch_disconnect(o);
	return n;
}

START_TEST(cancel_from_another_thread)
{
	if (skip())
		return;
	ch_conn *c = conn_db("cancel", CH_NO_SCHEMA);
	ch_set_timeout(c, 0);
	cancel_arg a = {c, ""};
	pthread_t th;
	pthread_create(&th, NULL, canceller, &a);
	char err[512] = "";
	int rc = ch_select(c, "SELECT count() FROM system.numbers", NULL, NULL, err, sizeof err);
	pthread_join(th, NULL);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err, "cancelled"), "%s", err);
	/* Killed on the server too, not only abandoned: gone once the kill
	 * has been acted on. */
	int64_t n = 1;
	for (int i = 0; i < 500 && n; i++) {
		n = running_on_server(a.qid);
		if (n)
			usleep(20000);
	}
	ck_assert_msg(n == 0, "query %s still runs on the server", a.qid);
	/* The connection goes on. */
	int64_t v;
	ck_assert(ch_select_int(c, "SELECT 7", 0, &v, err, sizeof err) == 0);
	ck_assert_int_eq(v, 7);
	ch_disconnect(c);
}
END_TEST

START_TEST(server_restarted)
{
	if (skip())
		return;
	/* A server of the test's own: it is stopped and started again. */
	char dir[128];
	snprintf(dir, sizeof dir, "/tmp/llmops-ch-restart-%d", (int)getpid());
	int http, tcp;
	ck_assert(start_server(dir, NULL, &http, &tcp) == 0);
	char url[128], err[512] = "";
	snprintf(url, sizeof url, "clickhouse://127.0.0.1:%d/restart", http);
	ch_conn *c = NULL;
	ck_assert_msg(ch_connect(url, NULL, 0, &c, err, sizeof err) == 0, "%s", err);
	int64_t v = 0;
	ck_assert(ch_select_int(c, "SELECT count() FROM calls", -1, &v, err, sizeof err) == 0);
	stop_server(dir);
	ck_assert_int_eq(ch_select_int(c, "SELECT count() FROM calls", -1, &v, err, sizeof err), -1);
	char want[128];
	snprintf(want, sizeof want, "cannot connect to ClickHouse at 127.0.0.1:%d", http);
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert(start_server(dir, NULL, &http, &tcp) == 0);
	/* The same connection reconnects; the schema survived. */
	ck_assert_msg(ch_select_int(c, "SELECT count() FROM calls", -1, &v, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(v, 0);
	ch_disconnect(c);
	stop_server(dir);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert(system(cmd) == 0);
}
END_TEST

/* ---- schema and writes -------------------------------------------------- */

START_TEST(schema_created_once)
{
	if (skip())
		return;
	ch_conn *c = conn_db("schema", 0);
	char err[512];
	int v = 0;
	ck_assert(ch_schema_version(c, &v, err, sizeof err) == 0);
	ck_assert_int_eq(v, CH_SCHEMA_VERSION);
	ck_assert_int_eq(ch_modern(c), ch_server_major(c) >= 22);
	ch_disconnect(c);
	c = conn_db("schema", 0);
	int64_t n = 0;
	ck_assert(ch_select_int(c, "SELECT count() FROM llmops_schema", 0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 1);
	/* Every table and view the readers rely on. */
	ck_assert(ch_select_int(c,
				"SELECT count() FROM system.tables WHERE database = currentDatabase() AND name IN "
				"('calls','spans','span_events','prompt_versions','rollup_1m','rollup_1h','rollup_1d',"
				"'errors_1m','errors_1h','errors_1d','rollup_1m_mv','rollup_1h_mv','rollup_1d_mv',"
				"'errors_1m_mv','errors_1h_mv','errors_1d_mv','hist_1m','hist_1h','hist_1d','hist_1m_lat_mv',"
				"'hist_1m_ttft_mv','hist_1h_lat_mv','hist_1h_ttft_mv','hist_1d_lat_mv','hist_1d_ttft_mv')",
				0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 25);
	ch_disconnect(c);
	/* Read-only on a database without the schema is refused. */
	char url[512];
	snprintf(url, sizeof url, "%s/none_%d", srv_base, (int)getpid());
	ck_assert_int_eq(ch_connect(url, NULL, CH_READONLY, &c, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "no llmops schema"), "%s", err);
}
END_TEST

static void hex_of(int i, char *out, size_t n)
{
	snprintf(out, n, "%016x", 0x1000 + i);
}

static void fill(batch_t *b, int n, int first, int64_t t0);

/* The histograms of the rollups (sumMap states) and of the hist_ tables, as
 * text: (resolution, kind, t, dim, bucket, n) in order; the three-hour
 * blocks from the hours' rollups. */
static void hist_both(ch_conn *c, sbuf *from_rollups, sbuf *from_tables)
{
	char err[512];
	static const char *const res[] = {"1m", "1h", "1d", "3h"};
	for (int k = 0; k < 4; k++) {
		char q[1024];
		rows r = {0};
		const char *src = k == 3 ? "1h" : res[k], *tt = k == 3 ? "intDiv(t, 10800) * 10800" : "t";
		snprintf(q, sizeof q,
			 "SELECT kind, tt, dim, b, c FROM (SELECT %s AS tt, dim, toUInt8(0) AS kind,"
			 " sumMapMerge(lat_hist) AS m FROM rollup_%s GROUP BY tt, dim UNION ALL SELECT %s AS tt, dim,"
			 " toUInt8(1) AS kind, sumMapMerge(ttft_hist) AS m FROM rollup_%s GROUP BY tt, dim)"
			 " ARRAY JOIN m.1 AS b, m.2 AS c WHERE c > 0 ORDER BY kind, tt, dim, b",
			 tt, src, tt, src);
		ck_assert_msg(ch_select(c, q, collect, &r, err, sizeof err) == 0, "%s", err);
		for (int i = 0; i < r.n; i++)
			sb_printf(from_rollups, "%s %s %s %s %s %s\n", res[k], r.v[i][0], r.v[i][1], r.v[i][2], r.v[i][3],
				  r.v[i][4]);
		rows_free(&r);
		snprintf(q, sizeof q,
			 "SELECT kind, t, dim, bucket, sum(n) FROM hist_%s GROUP BY kind, t, dim, bucket"
			 " ORDER BY kind, t, dim, bucket",
			 res[k]);
		ck_assert_msg(ch_select(c, q, collect, &r, err, sizeof err) == 0, "%s", err);
		for (int i = 0; i < r.n; i++)
			sb_printf(from_tables, "%s %s %s %s %s %s\n", res[k], r.v[i][0], r.v[i][1], r.v[i][2], r.v[i][3],
				  r.v[i][4]);
		rows_free(&r);
	}
}

/* calls_lat holds every call whose latency is known, once, with its
 * latency, bucket and dimension. */
static void lat_same(ch_conn *c)
{
	char err[512];
	rows a = {0}, b = {0};
	ck_assert_msg(ch_select(c,
				"SELECT ts, span_id, lat_bucket, latency_ms, dim FROM calls WHERE latency_ms >= 0"
				" ORDER BY ts, span_id",
				collect, &a, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_msg(ch_select(c, "SELECT ts, span_id, lat_bucket, latency_ms, dim FROM calls_lat ORDER BY ts, span_id",
				collect, &b, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_int_gt(a.n, 0);
	ck_assert_int_eq(a.n, b.n);
	for (int i = 0; i < a.n; i++)
		for (int j = 0; j < 5; j++)
			ck_assert_str_eq(a.v[i][j], b.v[i][j]);
	rows_free(&a);
	rows_free(&b);
}

/* A database of schema version 1 (no histogram tables) or 2 (no three-hour
 * ones, no calls_lat): a reader says it is too old; a writer brings it to version 3, the
 * histograms filled from the rollups or the hours', and the calls it writes
 * afterwards reach them too. */
START_TEST(schema_migrates)
{
	if (skip())
		return;
	int from = _i;
	char db[32];
	snprintf(db, sizeof db, "migrate%d", from);
	ch_conn *c = conn_db(db, 0);
	char err[512] = "";
	int64_t t0 = 1700000000LL * 1000000000LL;
	batch_t b = {0};
	fill(&b, 40, 0, t0);
	ingest_stats st = {0};
	ck_assert_msg(ch_ingest(c, &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(ch_flush(c, err, sizeof err) == 0, "%s", err);
	batch_free(&b);
	/* Back to what that version was. */
	static const char *const undo[] = {
	    "DROP TABLE calls_lat_mv", "DROP TABLE calls_lat",
	    "DROP TABLE hist_3h_lat_mv", "DROP TABLE hist_3h_ttft_mv", "DROP TABLE hist_3h",
	    "DROP TABLE hist_1m_lat_mv", "DROP TABLE hist_1m_ttft_mv", "DROP TABLE hist_1h_lat_mv",
	    "DROP TABLE hist_1h_ttft_mv", "DROP TABLE hist_1d_lat_mv", "DROP TABLE hist_1d_ttft_mv",
	    "DROP TABLE hist_1m", "DROP TABLE hist_1h", "DROP TABLE hist_1d",
	};
	for (size_t i = 0; i < (from == 1 ? sizeof undo / sizeof *undo : 5); i++)
		ck_assert_msg(ch_exec(c, undo[i], err, sizeof err) == 0, "%s: %s", undo[i], err);
	ck_assert(ch_exec(c, "DROP TABLE llmops_schema", err, sizeof err) == 0);
	ck_assert(ch_exec(c, "CREATE TABLE llmops_schema (version UInt32, form String, applied_at DateTime) ENGINE = TinyLog",
			  err, sizeof err) == 0);
	char ins[128];
	snprintf(ins, sizeof ins, "INSERT INTO llmops_schema VALUES (%d, '%s', now())", from,
		 ch_modern(c) ? "modern" : "portable");
	ck_assert_msg(ch_exec(c, ins, err, sizeof err) == 0, "%s", err);
	ch_disconnect(c);

	char url[512], want_err[64];
	snprintf(url, sizeof url, "%s/%s_%d", srv_base, db, (int)getpid());
	ck_assert_int_eq(ch_connect(url, NULL, CH_READONLY, &c, err, sizeof err), -1);
	snprintf(want_err, sizeof want_err, "schema version %d, this llmops needs 3", from);
	ck_assert_msg(strstr(err, want_err), "%s", err);

	c = conn_db(db, 0);
	int v = 0;
	ck_assert(ch_schema_version(c, &v, err, sizeof err) == 0);
	ck_assert_int_eq(v, 3);
	sbuf want = SBUF_INIT, got = SBUF_INIT;
	hist_both(c, &want, &got);
	ck_assert(want.len > 0);
	ck_assert(strstr(sb_str(&got), "\n3h "));
	ck_assert_str_eq(sb_str(&got), sb_str(&want));
	lat_same(c);
	/* New calls, some in the minutes already there. */
	memset(&b, 0, sizeof b);
	fill(&b, 30, 30, t0);
	memset(&st, 0, sizeof st);
	ck_assert_msg(ch_ingest(c, &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(ch_flush(c, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(st.inserted, 20);
	batch_free(&b);
	sb_reset(&want);
	sb_reset(&got);
	hist_both(c, &want, &got);
	ck_assert_str_eq(sb_str(&got), sb_str(&want));
	lat_same(c);
	sb_free(&want);
	sb_free(&got);
	ch_disconnect(c);
	/* Opened again, nothing is migrated twice. */
	c = conn_db(db, 0);
	int64_t n = 0;
	ck_assert(ch_select_int(c, "SELECT count() FROM llmops_schema", 0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 2);
	ch_disconnect(c);
}
END_TEST

/* n calls over a few minutes, with hostile text and known latencies. */
static void fill(batch_t *b, int n, int first, int64_t t0)
{
	for (int i = first; i < first + n; i++) {
		call_t *c = batch_add_call(b);
		char span[40], trace[40];
		hex_of(i, span, sizeof span);
		snprintf(trace, sizeof trace, "%032x", 0x77 + i % 7);
		call_set_id(c->span_id, &c->span_len, span);
		call_set_id(c->trace_id, &c->trace_len, trace);
		c->ts_ns = t0 + (int64_t)i * 7000000000LL;
		c->provider = "openai";
		c->model = i % 3 ? "gpt-4o-mini" : "gpt-4o";
		c->feature = "support";
		c->input_tokens = 100 + i;
		c->cached_tokens = i % 2 ? 10 : -1;
		c->output_tokens = 20;
		c->latency_ms = i % 5 ? 100.0 + i * 3.5 : -1;
		c->ttft_ms = 50.0 + i;
		c->is_error = i % 4 == 0;
		c->error_type = i % 8 == 0 ? "rate_limit" : NULL;
		c->has_cost = 1;
		c->cost_nusd = i % 6 ? 1000 + i : 0;
		c->input = arena_strdup(&b->arena, hostile[(size_t)i % NHOSTILE]);
		c->output = arena_strdup(&b->arena, hostile[(size_t)(i + 3) % NHOSTILE]);
	}
}

START_TEST(ingest_idempotent)
{
	if (skip())
		return;
	ch_conn *c = conn_db("ingest", 0);
	int64_t t0 = 1700000000LL * 1000000000LL;
	batch_t b = {0};
	fill(&b, 50, 0, t0);
	/* The same span twice in one batch counts once. */
	fill(&b, 1, 3, t0);
	ingest_stats st = {0};
	char err[512] = "";
	ck_assert_msg(ch_ingest(c, &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(ch_flush(c, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(st.inserted, 50);
	ck_assert_int_eq(st.duplicates, 1);
	batch_free(&b);

	/* Again, and overlapping: only the new ones land. */
	memset(&b, 0, sizeof b);
	fill(&b, 60, 0, t0);
	memset(&st, 0, sizeof st);
	ck_assert_msg(ch_ingest(c, &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(ch_flush(c, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(st.inserted, 10);
	ck_assert_int_eq(st.duplicates, 50);

	int64_t n = 0;
	ck_assert(ch_select_int(c, "SELECT count() FROM calls", 0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 60);
	ck_assert(ch_select_int(c, "SELECT uniqExact(span_id) FROM calls", 0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 60);

	/* Every text came back as it went in. */
	for (int i = 0; i < 60; i += 7) {
		char span[40];
		hex_of(i, span, sizeof span);
		sbuf q = SBUF_INIT;
		sb_adds(&q, "SELECT input, output, error_type, cost_nusd, latency_ms FROM calls WHERE span_id = ");
		ch_quote(&q, span);
		rows r = {0};
		ck_assert_msg(ch_select(c, q.p, collect, &r, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(r.n, 1);
		ck_assert_msg(!strcmp(r.v[0][0], hostile[(size_t)i % NHOSTILE]), "input of %d: '%s'", i, r.v[0][0]);
		ck_assert_msg(!strcmp(r.v[0][1], hostile[(size_t)(i + 3) % NHOSTILE]), "output of %d", i);
		ck_assert_str_eq(r.v[0][2], i % 8 == 0 ? "rate_limit" : "");
		ck_assert_int_eq(atoll(r.v[0][3]), i % 6 ? 1000 + i : 0);
		rows_free(&r);
		sb_free(&q);
	}

	/* The rollups count each call once, with the costs, tokens and the
	 * latency histogram of core/hist. */
	rstats want;
	rstats_init(&want);
	for (size_t i = 0; i < b.n; i++)
		rstats_add_call(&want, &b.calls[i], b.calls[i].cost);
	rows r = {0};
	ck_assert_msg(ch_select(c,
				"SELECT sumMerge(calls), sumMerge(errors), sumMerge(tokens_in), sumMerge(tokens_cached),"
				" sumMerge(cost), sumMerge(unpriced), toString(minIfMerge(lat_min)),"
				" toString(maxIfMerge(lat_max)) FROM rollup_1h",
				collect, &r, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_int_eq(atoll(r.v[0][0]), (long long)want.calls);
	ck_assert_int_eq(atoll(r.v[0][1]), (long long)want.errors);
	ck_assert_int_eq(atoll(r.v[0][2]), (long long)want.input_tokens);
	ck_assert_int_eq(atoll(r.v[0][3]), (long long)want.cached_tokens);
	ck_assert_int_eq(atoll(r.v[0][4]), (long long)want.cost_nusd);
	ck_assert_int_eq(atoll(r.v[0][5]), (long long)want.unpriced);
	ck_assert(atof(r.v[0][6]) == want.lat.min);
	ck_assert(atof(r.v[0][7]) == want.lat.max);
	rows_free(&r);
	/* The histogram, bucket by bucket. */
	ck_assert(ch_select(c,
			    "SELECT arrayStringConcat(arrayMap(x -> toString(x), h.1), ','),"
			    " arrayStringConcat(arrayMap(x -> toString(x), h.2), ',')"
			    " FROM (SELECT sumMapMerge(lat_hist) AS h FROM rollup_1m)",
			    collect, &r, err, sizeof err) == 0);
	sbuf idx = SBUF_INIT, cnt = SBUF_INIT;
	for (uint32_t i = 0; i < want.lat.n; i++) {
		sb_printf(&idx, "%s%u", i ? "," : "", want.lat.idx[i]);
		sb_printf(&cnt, "%s%llu", i ? "," : "", (unsigned long long)want.lat.cnt[i]);
	}
	ck_assert_str_eq(r.v[0][0], sb_str(&idx));
	ck_assert_str_eq(r.v[0][1], sb_str(&cnt));
	rows_free(&r);
	/* The same buckets in the histogram tables of every resolution. */
	static const char *const hist_tables[] = {"hist_1m", "hist_1h", "hist_1d"};
	for (int k = 0; k < 3; k++) {
		char q[512];
		snprintf(q, sizeof q,
			 "SELECT arrayStringConcat(arrayMap(x -> toString(x), groupArray(bucket)), ','),"
			 " arrayStringConcat(arrayMap(x -> toString(x), groupArray(n)), ',')"
			 " FROM (SELECT bucket, sum(n) AS n FROM %s WHERE kind = 0 GROUP BY bucket ORDER BY bucket)",
			 hist_tables[k]);
		ck_assert_msg(ch_select(c, q, collect, &r, err, sizeof err) == 0, "%s", err);
		ck_assert_str_eq(r.v[0][0], sb_str(&idx));
		ck_assert_str_eq(r.v[0][1], sb_str(&cnt));
		rows_free(&r);
	}
	sb_free(&idx);
	sb_free(&cnt);
	/* Errors by type: those without one count as "error". */
	ck_assert(ch_select(c, "SELECT error_type, sum(n) FROM errors_1d GROUP BY error_type ORDER BY error_type", collect,
			    &r, err, sizeof err) == 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_str_eq(r.v[0][0], "error");
	ck_assert_str_eq(r.v[1][0], "rate_limit");
	ck_assert_int_eq(atoll(r.v[0][1]) + atoll(r.v[1][1]), (long long)want.errors);
	rows_free(&r);
	rstats_free(&want);
	batch_free(&b);
	ch_disconnect(c);
}
END_TEST

START_TEST(spans_and_events)
{
	if (skip())
		return;
	ch_conn *c = conn_db("spans", 0);
	batch_t b = {0};
	fill(&b, 2, 0, 1700000000LL * 1000000000LL);
	for (int k = 0; k < 2; k++) {
		span_rec *s = batch_add_span(&b);
		memset(s, 0, sizeof *s);
		call_set_id(s->trace_id, &s->trace_len, "00000000000000000000000000000077");
		call_set_id(s->span_id, &s->span_len, k ? "00000000000000aa" : "00000000000000bb");
		s->start_ns = 1700000000LL * 1000000000LL;
		s->end_ns = -1;
		s->name = "tool\tcall 'x'";
		s->call = -1;
		span_event_t *e = batch_add_event(&b);
		memset(e, 0, sizeof *e);
		call_set_id(e->trace_id, &e->trace_len, "00000000000000000000000000000077");
		call_set_id(e->span_id, &e->span_len, "0000000000001000");
		e->ts_ns = s->start_ns + k;
		e->name = "gen_ai.user.message";
		e->body = "{\"content\":\"hi\\n\"}";
	}
	ingest_stats st = {0};
	char err[512] = "";
	for (int round = 0; round < 2; round++) {
		ck_assert_msg(ch_ingest(c, &b, NULL, &st, err, sizeof err) == 0, "%s", err);
		ck_assert_msg(ch_flush(c, err, sizeof err) == 0, "%s", err);
	}
	int64_t n = 0;
	ck_assert(ch_select_int(c, "SELECT count() FROM spans FINAL WHERE trace_id = '00000000000000000000000000000077'",
				0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 2);
	ck_assert(ch_select_int(c, "SELECT count() FROM span_events FINAL", 0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 2);
	rows r = {0};
	ck_assert(ch_select(c, "SELECT name, end_ns FROM spans FINAL LIMIT 1", collect, &r, err, sizeof err) == 0);
	ck_assert_str_eq(r.v[0][0], "tool\tcall 'x'");
	ck_assert_str_eq(r.v[0][1], "-1");
	rows_free(&r);
	batch_free(&b);
	ch_disconnect(c);
}
END_TEST

/* An agent step with context, a library's LLM span under it, the provider
 * SDK's span under that: one request. */
static void layered(batch_t *b, const char *trace)
{
	const char *ids[3] = {"00000000000000a1", "00000000000000a2", "00000000000000a3"};
	int64_t t0 = 1700000000LL * 1000000000LL;
	for (int k = 0; k < 3; k++) {
		span_rec *s = batch_add_span(b);
		memset(s, 0, sizeof *s);
		call_set_id(s->trace_id, &s->trace_len, trace);
		call_set_id(s->span_id, &s->span_len, ids[k]);
		if (k)
			call_set_id(s->parent_id, &s->parent_len, ids[k - 1]);
		s->start_ns = t0 + k * 1000000;
		s->end_ns = t0 + 2000000000LL - k * 1000000;
		s->name = k == 0 ? "agent run" : k == 1 ? "llm.chat" : "chat gpt-4o";
		s->scope = k == 2 ? "opentelemetry.instrumentation.openai" : "my.agent";
		s->service = "shop-api";
		s->call = -1;
		if (k == 0) {
			s->ctx = "{\"feature\":\"checkout\",\"user_id\":\"u-17\",\"session_id\":\"s-9\"}";
			continue;
		}
		call_t *c = batch_add_call(b);
		s = &b->spans[b->nspans - 1];
		s->call = (long)(b->n - 1);
		memcpy(c->span_id, s->span_id, s->span_len);
		c->span_len = s->span_len;
		memcpy(c->trace_id, s->trace_id, s->trace_len);
		c->trace_len = s->trace_len;
		c->span = (long)(b->nspans - 1);
		c->ts_ns = s->start_ns;
		c->provider = "openai";
		c->operation = "chat";
		if (k == 1) { /* the library: the request as asked */
			c->model = "gpt-4o";
			c->request_model = "gpt-4o";
			c->latency_ms = 1998;
			c->input = "[{\"role\":\"user\",\"content\":\"where is my parcel, it's late\"}]";
		} else { /* the SDK, closest to the wire */
			c->model = "gpt-4o-2024-08-06";
			c->model_from_response = 1;
			c->input_tokens = 120;
			c->cached_tokens = 20;
			c->output_tokens = 33;
			c->latency_ms = 1996;
			c->ttft_ms = 300;
			c->input = "[{\"role\":\"user\",\"content\":\"where\"}]";
			c->output = "It left the depot today.";
		}
	}
}

static int64_t sq_int(sqlite3 *db, const char *q)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

START_TEST(layers_merge_as_sqlite)
{
	if (skip())
		return;
	const char *trace = "4bf92f3577b34da6a3ce929d0e0e4736";
	/* The SQLite store's answer. */
	char *path = t_path("layers.db");
	store_t *st;
	char err[512] = "";
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	batch_t b = {0};
	layered(&b, trace);
	ingest_stats want = {0};
	ck_assert_msg(store_ingest(st, &b, NULL, &want, err, sizeof err) == 0, "%s", err);
	store_close(st);
	batch_free(&b);
	sqlite3 *db;
	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	sqlite3_stmt *q;
	ck_assert(sqlite3_prepare_v2(db,
				     "SELECT span_id, model, request_model, input_tokens, cached_tokens, output_tokens,"
				     " latency_ms, ttft_ms, feature, user_id, session_id, input, output FROM calls_v",
				     -1, &q, NULL) == SQLITE_OK);
	ck_assert(sqlite3_step(q) == SQLITE_ROW);
	ck_assert_int_eq(sq_int(db, "SELECT count(*) FROM calls"), 1);

	ch_conn *c = conn_db("layers", 0);
	memset(&b, 0, sizeof b);
	layered(&b, trace);
	ingest_stats got = {0};
	ck_assert_msg(ch_ingest(c, &b, NULL, &got, err, sizeof err) == 0, "%s", err);
	/* The LLM spans wait for layers still to come until settled. */
	ck_assert_int_eq(got.inserted, 0);
	ck_assert_msg(ch_settle(c, 1, NULL, &got, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(got.inserted, want.inserted);
	ck_assert_int_eq(got.merged, want.merged);
	ck_assert_int_eq(got.inserted, 1);
	rows r = {0};
	ck_assert(ch_select(c,
			    "SELECT span_id, model, request_model, input_tokens, cached_tokens, output_tokens,"
			    " toString(latency_ms), toString(ttft_ms) FROM calls",
			    collect, &r, err, sizeof err) == 0);
	ck_assert_int_eq(r.n, 1);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(!strcmp(r.v[0][i], (const char *)sqlite3_column_text(q, i)), "column %d: %s, SQLite %s", i,
			      r.v[0][i], (const char *)sqlite3_column_text(q, i));
	ck_assert(atof(r.v[0][6]) == sqlite3_column_double(q, 6));
	ck_assert(atof(r.v[0][7]) == sqlite3_column_double(q, 7));
	rows_free(&r);
	ck_assert(ch_select(c, "SELECT feature, user_id, session_id, input, output FROM calls", collect, &r, err,
			    sizeof err) == 0);
	for (int i = 0; i < 5; i++)
		ck_assert_msg(!strcmp(r.v[0][i], (const char *)sqlite3_column_text(q, 8 + i)), "column %d: %s, SQLite %s",
			      8 + i, r.v[0][i], (const char *)sqlite3_column_text(q, 8 + i));
	rows_free(&r);
	sqlite3_finalize(q);
	sqlite3_close(db);
	/* Every layer's span finds its call. */
	ck_assert(ch_select(c, "SELECT span_id, call_span_id FROM spans FINAL ORDER BY span_id", collect, &r, err,
			    sizeof err) == 0);
	ck_assert_int_eq(r.n, 3);
	ck_assert_str_eq(r.v[0][1], "");
	ck_assert_str_eq(r.v[1][1], "00000000000000a2");
	ck_assert_str_eq(r.v[2][1], "00000000000000a2");
	rows_free(&r);
	/* Again: nothing new. */
	memset(&got, 0, sizeof got);
	ck_assert(ch_ingest(c, &b, NULL, &got, err, sizeof err) == 0);
	ck_assert(ch_settle(c, 1, NULL, &got, err, sizeof err) == 0);
	ck_assert_int_eq(got.inserted, 0);
	ck_assert_int_eq(got.duplicates, 1);
	batch_free(&b);
	free(path);
	ch_disconnect(c);
}
END_TEST


/* ---- the captured libraries, their layers apart ----------------------------- */

/* Each scope's spans of a captured file as a document of its own, so that
 * the layers of one request arrive in different batches; inner[i]: a
 * provider SDK's. */
static size_t scope_docs(const char *path, char ***docs, int **inner)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	*docs = NULL;
	*inner = NULL;
	while (getline(&line, &lcap, f) > 0) {
		cJSON *d = cJSON_Parse(line);
		if (!d)
			continue;
		cJSON *rs;
		cJSON_ArrayForEach(rs, cJSON_GetObjectItem(d, "resourceSpans"))
		{
			cJSON *sss = cJSON_DetachItemFromObject(rs, "scopeSpans"), *ss;
			cJSON_ArrayForEach(ss, sss)
			{
				cJSON *one = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(one, "resourceSpans");
				cJSON *r = cJSON_Duplicate(rs, 1), *sa = cJSON_AddArrayToObject(r, "scopeSpans");
				cJSON_AddItemToArray(sa, cJSON_Duplicate(ss, 1));
				cJSON_AddItemToArray(arr, r);
				if (n == cap) {
					cap = cap ? cap * 2 : 32;
					*docs = realloc(*docs, cap * sizeof **docs);
					*inner = realloc(*inner, cap * sizeof **inner);
				}
				const cJSON *name = cJSON_GetObjectItem(cJSON_GetObjectItem(ss, "scope"), "name");
				(*inner)[n] = cJSON_IsString(name) && !strncmp(name->valuestring, "com.anthropic.sdk", 17);
				(*docs)[n++] = cJSON_PrintUnformatted(one);
				cJSON_Delete(one);
			}
			cJSON_AddItemToObject(rs, "scopeSpans", sss);
		}
		cJSON_Delete(d);
	}
	free(line);
	fclose(f);
	return n;
}

static void docs_free(char **docs, int *inner, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(docs[i]);
	free(docs);
	free(inner);
}

/* pick: 0 every document, 1 the outer layers' (and the halves' first), 2
 * the inner layers' (the second half); rev: last first. */
static int take(const int *inner, size_t n, size_t i, int pick, int layered)
{
	if (!pick)
		return 1;
	int first = layered ? !inner[i] : i < n / 2;
	return pick == 1 ? first : !first;
}

static void feed_sqlite(store_t *st, char **docs, const int *inner, size_t n, int pick, int layered)
{
	char err[512] = "";
	for (size_t i = 0; i < n; i++) {
		if (!take(inner, n, i, pick, layered))
			continue;
		batch_t b = {0};
		ck_assert_msg(otlp_parse_doc(docs[i], strlen(docs[i]), &b, err, sizeof err) == 0, "%s", err);
		ingest_stats s = {0};
		ck_assert_msg(store_ingest(st, &b, NULL, &s, err, sizeof err) == 0, "%s", err);
		batch_free(&b);
	}
}

static void feed_ch(ch_conn *c, char **docs, const int *inner, size_t n, int pick, int layered, int rev,
		    ingest_stats *s)
{
	char err[512] = "";
	for (size_t k = 0; k < n; k++) {
		size_t i = rev ? n - 1 - k : k;
		if (!take(inner, n, i, pick, layered))
			continue;
		batch_t b = {0};
		ck_assert_msg(otlp_parse_doc(docs[i], strlen(docs[i]), &b, err, sizeof err) == 0, "%s", err);
		ck_assert_msg(ch_ingest(c, &b, NULL, s, err, sizeof err) == 0, "%s", err);
		batch_free(&b);
	}
	/* the end of an import */
	ck_assert_msg(ch_settle(c, 1, NULL, s, err, sizeof err) == 0, "%s", err);
}

typedef struct text_ud {
	sbuf *o;
} text_ud;

static int text_row(void *ud, char **cols, int ncols)
{
	text_ud *u = ud;
	for (int i = 0; i < ncols; i++)
		sb_printf(u->o, "%s%s", i ? "|" : "", cols[i] ? cols[i] : "");
	sb_addc(u->o, '\n');
	return 0;
}

/* The calls, a line each: span id, tokens, cost, error. */
static char *sq_calls(const char *path)
{
	sqlite3 *db;
	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	sqlite3_stmt *q;
	ck_assert(sqlite3_prepare_v2(db,
				     "SELECT lower(hex(span_id)), coalesce(input_tokens, -1), coalesce(cached_tokens, -1),"
				     " coalesce(output_tokens, -1), coalesce(cost_nusd, -1), status != 0, coalesce(error_type, '')"
				     " FROM calls ORDER BY 1",
				     -1, &q, NULL) == SQLITE_OK);
	sbuf o = SBUF_INIT;
	while (sqlite3_step(q) == SQLITE_ROW) {
		for (int i = 0; i < 7; i++)
			sb_printf(&o, "%s%s", i ? "|" : "", (const char *)sqlite3_column_text(q, i));
		sb_addc(&o, '\n');
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	return sb_steal(&o);
}

static char *ch_calls(ch_conn *c)
{
	sbuf o = SBUF_INIT;
	text_ud u = {&o};
	char err[512] = "";
	ck_assert_msg(ch_select(c,
				"SELECT span_id, input_tokens, cached_tokens, output_tokens, cost_nusd, status, error_type"
				" FROM calls ORDER BY span_id",
				text_row, &u, err, sizeof err) == 0,
		      "%s", err);
	return sb_steal(&o);
}

static int64_t ch_int(ch_conn *c, const char *q)
{
	int64_t v = -1;
	char err[512] = "";
	ck_assert_msg(ch_select_int(c, q, -1, &v, err, sizeof err) == 0, "%s: %s", q, err);
	return v;
}

/* Every call counted once: the rollups sum as many calls as the table
 * holds, and every LLM span's row names a call that is there. */
static void counted_once(ch_conn *c, int64_t want, const char *what)
{
	ck_assert_msg(ch_int(c, "SELECT count() FROM calls") == want, "%s: %lld calls, want %lld", what,
		      (long long)ch_int(c, "SELECT count() FROM calls"), (long long)want);
	ck_assert_msg(ch_int(c, "SELECT uniqExact(span_id) FROM calls") == want, "%s: repeated span ids", what);
	ck_assert_msg(ch_int(c, "SELECT sumMerge(calls) FROM rollup_1d") == want, "%s: the rollups count %lld", what,
		      (long long)ch_int(c, "SELECT sumMerge(calls) FROM rollup_1d"));
	ck_assert_msg(ch_int(c, "SELECT count() FROM spans FINAL WHERE is_llm = 1 AND call_span_id NOT IN"
				" (SELECT span_id FROM calls)") == 0,
		      "%s: a layer names no call", what);
}

static size_t captured_libs(char names[][64], size_t max)
{
	DIR *d = opendir(CORPUS "captured");
	ck_assert(d != NULL);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.' && !strchr(e->d_name, '.'))
			snprintf(names[n++], 64, "%.63s", e->d_name);
	closedir(d);
	ck_assert_uint_ge(n, 10);
	return n;
}

/* The layers of one request in different batches of one import, in either
 * order: the calls the SQLite store makes of them (the same span ids,
 * tokens, cost and errors), each counted once; imported again, nothing. */
START_TEST(layers_across_batches)
{
	if (skip())
		return;
	char libs[32][64];
	size_t nl = captured_libs(libs, 32);
	for (size_t li = 0; li < nl; li++) {
		char path[256], dbn[64];
		snprintf(path, sizeof path, CORPUS "captured/%s/traces.jsonl", libs[li]);
		char **docs;
		int *inner;
		size_t n = scope_docs(path, &docs, &inner);
		snprintf(dbn, sizeof dbn, "batches%zu.db", li);
		char *sq = t_path(dbn);
		store_t *st;
		char err[512] = "";
		ck_assert_msg(store_open(sq, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
		feed_sqlite(st, docs, inner, n, 0, 0);
		store_close(st);
		char *want = sq_calls(sq);
		int64_t nwant = 0;
		for (const char *p = want; *p; p++)
			nwant += *p == '\n';
		for (int rev = 0; rev < 2; rev++) {
			snprintf(dbn, sizeof dbn, "batches%zu_%d", li, rev);
			ch_conn *c = conn_db(dbn, 0);
			ingest_stats s = {0};
			feed_ch(c, docs, inner, n, 0, 0, rev, &s);
			char *got = ch_calls(c);
			ck_assert_msg(!strcmp(got, want), "%s (%s): ClickHouse\n%s\nSQLite\n%s", libs[li],
				      rev ? "last first" : "in order", got, want);
			ck_assert_int_eq((int64_t)s.inserted, nwant);
			counted_once(c, nwant, libs[li]);
			memset(&s, 0, sizeof s);
			feed_ch(c, docs, inner, n, 0, 0, !rev, &s);
			ck_assert_msg(s.inserted == 0, "%s again: %llu calls", libs[li], (unsigned long long)s.inserted);
			counted_once(c, nwant, libs[li]);
			free(got);
			ch_disconnect(c);
		}
		free(want);
		free(sq);
		docs_free(docs, inner, n);
	}
}
END_TEST

/* The layers of one request in two imports, in either order (the provider
 * SDK's spans in one, the library's in the other; or a file's halves): as
 * many calls as the SQLite store makes, each counted once. */
START_TEST(layers_separate_imports)
{
	if (skip())
		return;
	char libs[32][64];
	size_t nl = captured_libs(libs, 32);
	for (size_t li = 0; li < nl; li++) {
		char path[256], dbn[64];
		snprintf(path, sizeof path, CORPUS "captured/%s/traces.jsonl", libs[li]);
		int layered = strchr(libs[li], '+') != NULL;
		char **docs;
		int *inner;
		size_t n = scope_docs(path, &docs, &inner);
		snprintf(dbn, sizeof dbn, "apart%zu.db", li);
		char *sq = t_path(dbn);
		store_t *st;
		char err[512] = "";
		ck_assert_msg(store_open(sq, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
		feed_sqlite(st, docs, inner, n, 2, layered);
		feed_sqlite(st, docs, inner, n, 1, layered);
		store_close(st);
		char *want = sq_calls(sq);
		int64_t nwant = 0;
		for (const char *p = want; *p; p++)
			nwant += *p == '\n';
		for (int first = 1; first <= 2; first++) {
			snprintf(dbn, sizeof dbn, "apart%zu_%d", li, first);
			ch_conn *c = conn_db(dbn, 0);
			ingest_stats s = {0};
			feed_ch(c, docs, inner, n, first, layered, 0, &s);
			feed_ch(c, docs, inner, n, 3 - first, layered, 0, &s);
			ck_assert_msg((int64_t)s.inserted == nwant, "%s (%s first): %llu calls, SQLite %lld", libs[li],
				      first == 1 ? "outer" : "inner", (unsigned long long)s.inserted, (long long)nwant);
			counted_once(c, nwant, libs[li]);
			/* Both again, whole: nothing new. */
			memset(&s, 0, sizeof s);
			feed_ch(c, docs, inner, n, 0, layered, 1, &s);
			ck_assert_msg(s.inserted == 0, "%s again: %llu calls", libs[li], (unsigned long long)s.inserted);
			counted_once(c, nwant, libs[li]);
			ch_disconnect(c);
		}
		free(want);
		free(sq);
		docs_free(docs, inner, n);
	}
}
END_TEST


/* Request k: a library's LLM span and the provider SDK's below it. */
static void two_layers(batch_t *b, int k, int which)
{
	char trace[40], span[2][24];
	snprintf(trace, sizeof trace, "%032x", 0x5000000 + k);
	for (int j = 0; j < 2; j++)
		snprintf(span[j], sizeof span[j], "%016x", 0x600000 + 2 * k + j);
	int64_t t0 = 1700000000LL * 1000000000LL + (int64_t)k * 1000000LL;
	span_rec *s = batch_add_span(b);
	call_set_id(s->trace_id, &s->trace_len, trace);
	call_set_id(s->span_id, &s->span_len, span[which]);
	if (which)
		call_set_id(s->parent_id, &s->parent_len, span[0]);
	s->start_ns = t0 + which * 1000;
	s->end_ns = t0 + 900000 - which * 1000;
	s->scope = which ? "opentelemetry.instrumentation.openai" : "my.lib";
	s->service = "shop-api";
	call_t *c = batch_add_call(b);
	s = &b->spans[b->nspans - 1];
	s->call = (long)b->n - 1;
	memcpy(c->span_id, s->span_id, s->span_len);
	c->span_len = s->span_len;
	memcpy(c->trace_id, s->trace_id, s->trace_len);
	c->trace_len = s->trace_len;
	c->span = (long)b->nspans - 1;
	c->ts_ns = s->start_ns;
	c->provider = "openai";
	c->model = "gpt-4o";
	c->latency_ms = 0.9 - which * 0.002;
	if (which) {
		c->input_tokens = 100 + k % 7;
		c->output_tokens = 20;
	}
}

/* More spans than are held at once: the traces the latest batch did not
 * bring are settled early, those it brought stay held; every request is
 * one call still, its layers one batch apart. */
START_TEST(layers_held_beyond_the_bound)
{
	if (skip())
		return;
	ch_conn *c = conn_db("bound", 0);
	const int n = 30000, per = 1000;
	ingest_stats s = {0};
	char err[512] = "";
	for (int first = 0; first <= n; first += per) {
		batch_t b = {0};
		for (int k = first; k < first + per && k < n; k++)
			two_layers(&b, k, 0);
		for (int k = first - per; k < first; k++)
			if (k >= 0)
				two_layers(&b, k, 1);
		ck_assert_msg(ch_ingest(c, &b, NULL, &s, err, sizeof err) == 0, "%s", err);
		batch_free(&b);
	}
	ck_assert_msg(ch_settle(c, 1, NULL, &s, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq((int64_t)s.inserted, n);
	counted_once(c, n, "held beyond the bound");
	/* every call has the SDK's tokens, under the library's span id */
	ck_assert_int_eq(ch_int(c, "SELECT count() FROM calls WHERE input_tokens < 0"), 0);
	ck_assert_int_eq(ch_int(c, "SELECT count() FROM spans FINAL WHERE is_llm = 1 AND call_span_id = span_id"), n);
	ch_disconnect(c);
}
END_TEST


static void feed_file(ch_conn *c, store_t *st, const char *path, int whole, ingest_stats *s)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	sbuf all = SBUF_INIT;
	char buf[65536];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&all, buf, k);
	fclose(f);
	char err[512] = "";
	for (const char *p = sb_str(&all), *end = p + all.len; p < end;) {
		const char *nl = whole ? end : memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl > p) {
			batch_t b = {0};
			ck_assert_msg(otlp_parse_doc(p, (size_t)(nl - p), &b, err, sizeof err) == 0, "%s: %s", path, err);
			if (c)
				ck_assert_msg(ch_ingest(c, &b, NULL, s, err, sizeof err) == 0, "%s", err);
			else
				ck_assert_msg(store_ingest(st, &b, NULL, s, err, sizeof err) == 0, "%s", err);
			batch_free(&b);
		}
		p = nl + 1;
	}
	sb_free(&all);
}

/* Content that comes as GenAI log records apart from the span: before it
 * (an earlier import) or after it in the same import (the span is still
 * held): the calls' input and output are the SQLite store's. */
START_TEST(content_from_events)
{
	if (skip())
		return;
	const char *logs = CORPUS "otel/generated/otlp_logs_otel.pretty.json";
	const char *traces = CORPUS "otel/generated/otlp_traces_otel.jsonl";
	char *sq = t_path("events.db");
	store_t *st;
	char err[512] = "";
	ingest_stats s = {0};
	ck_assert_msg(store_open(sq, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	feed_file(NULL, st, logs, 1, &s);
	feed_file(NULL, st, traces, 0, &s);
	store_close(st);
	sqlite3 *db;
	ck_assert(sqlite3_open(sq, &db) == SQLITE_OK);
	sqlite3_stmt *q;
	ck_assert(sqlite3_prepare_v2(db, "SELECT span_id, coalesce(input, ''), coalesce(output, '') FROM calls_v ORDER BY 1",
				     -1, &q, NULL) == SQLITE_OK);
	sbuf want = SBUF_INIT;
	while (sqlite3_step(q) == SQLITE_ROW)
		sb_printf(&want, "%s|%s|%s\n", sqlite3_column_text(q, 0), sqlite3_column_text(q, 1),
			  sqlite3_column_text(q, 2));
	sqlite3_finalize(q);
	sqlite3_close(db);
	ck_assert_msg(strstr(sb_str(&want), "This is a test."), "%s", sb_str(&want));
	for (int after = 0; after < 2; after++) {
		ch_conn *c = conn_db(after ? "events_after" : "events_before", 0);
		memset(&s, 0, sizeof s);
		if (!after) {
			feed_file(c, NULL, logs, 1, &s);
			ck_assert(ch_settle(c, 1, NULL, &s, err, sizeof err) == 0); /* an import of its own */
			feed_file(c, NULL, traces, 0, &s);
		} else {
			feed_file(c, NULL, traces, 0, &s);
			feed_file(c, NULL, logs, 1, &s);
		}
		ck_assert_msg(ch_settle(c, 1, NULL, &s, err, sizeof err) == 0, "%s", err);
		sbuf got = SBUF_INIT;
		text_ud u = {&got};
		ck_assert(ch_select(c, "SELECT span_id, input, output FROM calls ORDER BY span_id", text_row, &u, err,
				    sizeof err) == 0);
		ck_assert_msg(!strcmp(sb_str(&got), sb_str(&want)), "events %s the spans: ClickHouse\n%s\nSQLite\n%s",
			      after ? "after" : "before", sb_str(&got), sb_str(&want));
		ck_assert_uint_eq(s.filled, 3);
		sb_free(&got);
		ch_disconnect(c);
	}
	/* Events that come in an import after their calls were written: the
	 * calls keep no content on the server, and a call read (what the call
	 * view, replay and export show) joins it as SQLite does. */
	ch_conn *c = conn_db("events_later", 0);
	memset(&s, 0, sizeof s);
	feed_file(c, NULL, traces, 0, &s);
	ck_assert_msg(ch_settle(c, 1, NULL, &s, err, sizeof err) == 0, "%s", err);
	feed_file(c, NULL, logs, 1, &s);
	ck_assert_msg(ch_settle(c, 1, NULL, &s, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(s.filled, 0);
	ch_disconnect(c);
	char url[512];
	snprintf(url, sizeof url, "%s/events_later_%d", srv_base, (int)getpid());
	ck_assert_msg(store_open(url, STORE_READONLY, &st, err, sizeof err) == 0, "%s", err);
	sbuf got = SBUF_INIT;
	char *lines = xstrdup(sb_str(&want));
	for (char *save = NULL, *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char span[80];
		snprintf(span, sizeof span, "%.*s", (int)(strchr(l, '|') - l), l);
		int64_t id = 0;
		ck_assert_msg(store_find_call(st, span, &id) == 0 && id, "%s", span);
		call_full f;
		ck_assert_int_eq(store_call_get(st, id, &f), 0);
		sb_printf(&got, "%s|%s|%s\n", span, f.input ? f.input : "", f.output ? f.output : "");
		call_full_free(&f);
	}
	free(lines);
	store_close(st);
	ck_assert_msg(!strcmp(sb_str(&got), sb_str(&want)), "events in a later import: ClickHouse\n%s\nSQLite\n%s",
		      sb_str(&got), sb_str(&want));
	sb_free(&got);
	sb_free(&want);
	free(sq);
}
END_TEST


/* A file followed into a ClickHouse store (the console's watch): a
 * library's spans, then the SDK's appended; once their traces are quiet the
 * requests are one call each, written while the file is still followed. */
START_TEST(follow_file_layers)
{
	if (skip())
		return;
	char **docs;
	int *inner;
	size_t n = scope_docs(CORPUS "captured/traceloop+anthropic-sdk/traces.jsonl", &docs, &inner);
	char *path = t_path("followed.jsonl");
	FILE *f = fopen(path, "w");
	for (size_t i = 0; i < n; i++)
		if (!inner[i])
			fprintf(f, "%s\n", docs[i]);
	fclose(f);
	char url[512], err[512] = "";
	snprintf(url, sizeof url, "%s/follow_%d", srv_base, (int)getpid());
	store_t *st;
	ck_assert_msg(store_open(url, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	ch_conn *c = conn_db("follow", 0);
	follower_t *fw = follower_new(path, FMT_AUTO);
	do
		ck_assert_msg(follower_poll(fw, st, NULL, err, sizeof err) >= 0, "%s", err);
	while (follower_pending(fw));
	f = fopen(path, "a");
	for (size_t i = 0; i < n; i++)
		if (inner[i])
			fprintf(f, "%s\n", docs[i]);
	fclose(f);
	int64_t got = 0;
	for (int tick = 0; tick < 100 && got < 14; tick++) {
		ck_assert_msg(follower_poll(fw, st, NULL, err, sizeof err) >= 0, "%s", err);
		got = ch_int(c, "SELECT count() FROM calls");
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	/* as many as the file imported whole into SQLite */
	counted_once(c, 14, "followed");
	follower_free(fw);
	store_close(st);
	counted_once(c, 14, "followed, closed");
	ch_disconnect(c);
	free(path);
	docs_free(docs, inner, n);
}
END_TEST

/* Batches bigger than one insert: split at CH_BATCH_ROWS, none lost. */
START_TEST(insert_split)
{
	if (skip())
		return;
	ch_conn *c = conn_db("split", 0);
	batch_t b = {0};
	int total = CH_BATCH_ROWS + 1234;
	for (int i = 0; i < total; i++) {
		call_t *x = batch_add_call(&b);
		char span[40];
		snprintf(span, sizeof span, "%016x", i + 1);
		call_set_id(x->span_id, &x->span_len, span);
		call_set_id(x->trace_id, &x->trace_len, span);
		x->ts_ns = 1700000000LL * 1000000000LL + (int64_t)i * 1000000;
		x->provider = "openai";
		x->model = "m";
		x->latency_ms = 10;
		x->ttft_ms = -1;
		x->input_tokens = x->cached_tokens = x->output_tokens = -1;
	}
	ingest_stats st = {0};
	char err[512] = "";
	ck_assert_msg(ch_ingest(c, &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	int64_t n = 0;
	/* A whole insert went before the flush. */
	ck_assert(ch_select_int(c, "SELECT count() FROM calls", 0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, total);
	ck_assert(ch_flush(c, err, sizeof err) == 0);
	ck_assert(ch_select_int(c, "SELECT sumMerge(calls) FROM rollup_1d", 0, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, total);
	batch_free(&b);
	ch_disconnect(c);
}
END_TEST

START_TEST(retention)
{
	if (skip())
		return;
	/* The setting, as the rc gives it. */
	config_t cfg;
	config_init(&cfg);
	char err[512] = "";
	ck_assert_msg(config_set(&cfg, "retention", "90d", err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(ch_retention_days_of(config_dur(&cfg, CFG_retention)), 90);
	ck_assert_int_eq(config_set(&cfg, "retention", "soon", err, sizeof err), -1);
	ck_assert_int_eq(ch_retention_days_of(36 * 3600LL * 1000000000LL), 2);
	ck_assert_int_eq(ch_retention_days_of(0), 0);
	config_free(&cfg);

	ch_conn *c = conn_db("retention", 0);
	batch_t b = {0};
	int64_t old = 1577836800LL * 1000000000LL; /* 2020-01-01 */
	fill(&b, 5, 0, old);
	fill(&b, 5, 100, (int64_t)time(NULL) * 1000000000LL - 3600LL * 1000000000LL * 24 * 3);
	ingest_stats st = {0};
	ck_assert_msg(ch_ingest(c, &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	ck_assert(ch_flush(c, err, sizeof err) == 0);
	ck_assert_msg(ch_set_retention(c, 90, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(ch_retention_days(c), 90);
	int64_t n = 0;
	ck_assert(ch_select_int(c, "SELECT count() FROM calls", -1, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 5);
	ck_assert(ch_select_int(c, "SELECT sumMerge(calls) FROM rollup_1m", -1, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 5);
	/* The hour and day rollups keep the long view. */
	ck_assert(ch_select_int(c, "SELECT sumMerge(calls) FROM rollup_1d", -1, &n, err, sizeof err) == 0);
	ck_assert_int_eq(n, 10);
	batch_free(&b);
	ch_disconnect(c);
}
END_TEST

/* ---- two shards --------------------------------------------------------- */

START_TEST(two_shards)
{
	if (skip())
		return;
	char dir[2][128], ports[128];
	ck_assert(script("ports 6", ports, sizeof ports) == 0);
	int p[6];
	ck_assert_int_eq(sscanf(ports, "%d %d %d %d %d %d", &p[0], &p[1], &p[2], &p[3], &p[4], &p[5]), 6);
	char shards[64];
	snprintf(shards, sizeof shards, "%d %d", p[1], p[4]);
	int http[2], tcp[2];
	for (int k = 0; k < 2; k++) {
		snprintf(dir[k], sizeof dir[k], "/tmp/llmops-ch-shard%d-%d", k, (int)getpid());
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s && echo '%d %d %d' > %s/ports", dir[k], dir[k], p[3 * k],
			 p[3 * k + 1], p[3 * k + 2], dir[k]);
		ck_assert(system(cmd) == 0);
		ck_assert(start_server(dir[k], shards, &http[k], &tcp[k]) == 0);
	}
	ch_conn *c[2];
	char err[512] = "";
	for (int k = 0; k < 2; k++) {
		char url[200];
		snprintf(url, sizeof url, "clickhouse://127.0.0.1:%d/llmops?cluster=llmops_shards", http[k]);
		ck_assert_msg(ch_connect(url, NULL, 0, &c[k], err, sizeof err) == 0, "%s", err);
	}
	batch_t b = {0};
	fill(&b, 40, 0, 1700000000LL * 1000000000LL);
	ingest_stats st = {0};
	ck_assert_msg(ch_ingest(c[0], &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(ch_flush(c[0], err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(st.inserted, 40);
	/* Both shards hold some; either node answers for all. */
	int64_t local[2], all;
	for (int k = 0; k < 2; k++) {
		ck_assert(ch_select_int(c[k], "SELECT count() FROM calls_local", -1, &local[k], err, sizeof err) == 0);
		ck_assert_int_gt(local[k], 0);
		ck_assert(ch_select_int(c[k], "SELECT count() FROM calls", -1, &all, err, sizeof err) == 0);
		ck_assert_int_eq(all, 40);
		ck_assert(ch_select_int(c[k], "SELECT sumMerge(calls) FROM rollup_1h", -1, &all, err, sizeof err) == 0);
		ck_assert_int_eq(all, 40);
	}
	ck_assert_int_eq(local[0] + local[1], 40);
	/* Written again through the other node: all found, none added. */
	memset(&st, 0, sizeof st);
	ck_assert_msg(ch_ingest(c[1], &b, NULL, &st, err, sizeof err) == 0, "%s", err);
	ck_assert(ch_flush(c[1], err, sizeof err) == 0);
	ck_assert_int_eq(st.duplicates, 40);
	ck_assert(ch_select_int(c[1], "SELECT count() FROM calls", -1, &all, err, sizeof err) == 0);
	ck_assert_int_eq(all, 40);
	/* The local-table subquery rule: a subquery over the Distributed table
	 * inside a distributed query is refused; over the local table it runs
	 * on each shard. The errors are the calls with status 1 (i % 4 == 0). */
	char q[256];
	snprintf(q, sizeof q, "SELECT count() FROM calls WHERE span_id IN (SELECT span_id FROM %s WHERE status = 1)",
		 ch_local(c[0], "calls"));
	ck_assert_msg(ch_select_int(c[0], q, -1, &all, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(all, 10);
	ck_assert_int_eq(ch_select_int(c[0], "SELECT count() FROM calls WHERE span_id IN (SELECT span_id FROM calls)", -1,
				       &all, err, sizeof err),
			 -1);
	ck_assert_msg(strstr(err, "Double-distributed"), "%s", err);
	batch_free(&b);
	for (int k = 0; k < 2; k++) {
		ch_disconnect(c[k]);
		stop_server(dir[k]);
		char cmd[400];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir[k]);
		ck_assert(system(cmd) == 0);
	}
}
END_TEST

Suite *suite_ch(void)
{
	Suite *s = suite_create("clickhouse");
	TCase *t = tcase_create("clickhouse");
	tcase_add_unchecked_fixture(t, suite_setup, suite_teardown);
	tcase_add_test(t, url_parsing);
	tcase_add_test(t, quote_round_trip);
	tcase_add_test(t, select_many_rows);
	tcase_add_test(t, error_after_rows_is_no_data);
	tcase_add_test(t, bad_sql_names_the_server);
	tcase_add_test(t, server_down);
	tcase_add_test(t, wrong_password);
	tcase_add_test(t, timeout_kills_query);
	tcase_add_test(t, cancel_from_another_thread);
	tcase_add_test(t, server_restarted);
	tcase_add_test(t, schema_created_once);
	tcase_add_loop_test(t, schema_migrates, 1, 3);
	tcase_add_test(t, ingest_idempotent);
	tcase_add_test(t, spans_and_events);
	tcase_add_test(t, layers_merge_as_sqlite);
	tcase_add_test(t, layers_across_batches);
	tcase_add_test(t, layers_separate_imports);
	tcase_add_test(t, layers_held_beyond_the_bound);
	tcase_add_test(t, content_from_events);
	tcase_add_test(t, follow_file_layers);
	tcase_add_test(t, insert_split);
	tcase_add_test(t, retention);
	tcase_add_test(t, two_shards);
	suite_add_tcase(s, t);
	return s;
}
