/* The schema llmops keeps in ClickHouse, created and versioned by llmops
 * (the llmops_schema table: one row a version applied, with the form).
 *
 * Two forms, chosen when the database is created, by the server's version:
 * - modern (ClickHouse 22 and newer): LowCardinality dimensions, ZSTD on the
 *   texts, bloom-filter skip indexes on the ids, a DateTime64(3) `time`
 *   column that partitions and carries the TTL of `set retention`;
 * - portable (older servers, Debian 12's 18.16): plain types, no TTL.
 * Both have the same columns under the same names with the same meaning, so
 * that one SQL text reads either: `ts` (Unix nanoseconds) is what queries
 * filter and order on; `time` exists on the modern form only.
 *
 * What a reader may rely on, table by table:
 *
 * calls: one row a call (an LLM request), deduplicated on span id when
 *   written (see ch_write.c): a row is never updated and never repeated.
 *   Ordered by (ts, span_id): a time window reads a contiguous range.
 *   Ids are lower-case hex. Unknown numbers are -1 (tokens, latency_ms,
 *   ttft_ms); cost_nusd is nano-dollars, -1 unpriced. status 0 ok, 1 error;
 *   error_type is '' when none. Strings never NULL (''). dim is the call's
 *   dimension hash (call_dim_hash): provider, model, prompt name and
 *   version, feature. lat_bucket/ttft_bucket are hist_bucket_index of the
 *   latency and TTFT (0 when unknown), for the rollups' histograms.
 *   Granules of 1024 rows (a database created before keeps 8192: it reads
 *   the same, a page sorted by latency more slowly).
 * spans: every span of a trace (steps, tools, and the LLM spans, is_llm 1),
 *   ReplacingMergeTree on (trace_id, span_id): read a trace with FINAL (or
 *   argMax) to see each span once. call_span_id is the span id of the call
 *   an LLM span is part of ('' for the other steps): several layers of
 *   instrumentation recording one request are one call, under the
 *   outermost layer's span id.
 * span_events: GenAI content events that arrived apart from their span,
 *   ReplacingMergeTree on (trace_id, span_id, ts, name, hash).
 * prompt_versions: templates seen in traces, ReplacingMergeTree on (name,
 *   version).
 * rollup_1m / rollup_1h / rollup_1d: AggregatingMergeTree fed by
 *   materialized views on calls, one row a (t, dim, provider, model,
 *   prompt_name, prompt_version, feature) once merged; read them with
 *   -Merge and GROUP BY: sumMerge(calls), sumMerge(errors),
 *   sumMerge(tokens_in), sumMerge(tokens_cached), sumMerge(tokens_out)
 *   (the known counts), sumMerge(cost) (nano-dollars of the priced calls),
 *   sumMerge(unpriced),
 *   minIfMerge(lat_min), maxIfMerge(lat_max), sumIfMerge(lat_sum),
 *   sumMapMerge(lat_hist) (the histogram: bucket indices of core/hist and
 *   their counts; the count is the sum of the counts), and the same for
 *   ttft_*. t is the bucket's start in Unix seconds (UTC minutes, hours,
 *   days), as in the SQLite store's rollups.
 * errors_1m / errors_1h / errors_1d: SummingMergeTree of the error counts by
 *   type: (t, dim, error_type) -> n (sum(n) with GROUP BY: rows may not be
 *   merged yet). error_type 'error' when the call gave none.
 * hist_1m / hist_1h / hist_1d (since version 2): SummingMergeTree of the
 *   histograms: (t, dim, kind, bucket) -> n, kind 0 latency, 1 TTFT, bucket
 *   as lat_bucket/ttft_bucket, calls with the value unknown left out; read
 *   with sum(n) GROUP BY. The same counts as the rollups' sumMap states,
 *   which ClickHouse 18.16 merges slowly over many rows; min, max and sum
 *   stay in the rollups. Fed by materialized views on calls; a database of
 *   version 1 gets them from its rollups when a writer opens it.
 * calls_lat (since version 3): every call whose latency is known, as
 *   (ts, span_id, lat_bucket, latency_ms, dim), ordered by (lat_bucket, ts,
 *   span_id), fed by a materialized view on calls (so it holds what calls
 *   holds, under the same retention): the slowest calls without reading a
 *   column of every call. Filled from calls when a writer opens a database
 *   of version 2.
 * hist_3h (since version 3): the histograms by three hours (t a multiple of
 *   10800, UTC), between hist_1h and hist_1d: a range of hours reads whole
 *   blocks of three where it holds them. Filled from hist_1h when a writer
 *   opens a database of version 2.
 *
 * Under a cluster (ch_cluster), each of these is TABLE_local on every shard
 * and TABLE is a Distributed table over them, sharded by trace id so that
 * a trace's calls, spans and events are on one shard; the materialized
 * views run on each shard's local tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ch_internal.h"

enum {
	T_CALLS, T_SPANS, T_EVENTS, T_PROMPTS, T_R1M, T_R1H, T_R1D, T_E1M, T_E1H, T_E1D, T_H1M, T_H1H, T_H1D, T_H3H, T_LAT,
	T_COUNT
};
const char *const ch_tables[CH_NTABLES] = {"calls",     "spans",     "span_events", "prompt_versions", "rollup_1m",
					  "rollup_1h", "rollup_1d", "errors_1m",   "errors_1h",       "errors_1d",
					  "hist_1m",   "hist_1h",   "hist_1d",     "hist_3h",         "calls_lat"};
#define tables ch_tables
_Static_assert(T_COUNT == CH_NTABLES, "one name a table");
static const int64_t rollup_step_s[3] = {60, 3600, 86400};

/* A dimension's type: LowCardinality where the server has it. */
static const char *dim_t(const ch_conn *c)
{
	return c->modern ? "LowCardinality(String)" : "String";
}

/* A text column's codec. */
static const char *text_codec(const ch_conn *c)
{
	return c->modern ? " CODEC(ZSTD(3))" : "";
}

static void month_partition(const ch_conn *c, sbuf *q, const char *ns_col)
{
	if (c->modern)
		sb_adds(q, " PARTITION BY toYYYYMM(time)");
	else
		sb_printf(q, " PARTITION BY toYYYYMM(toDateTime(intDiv(%s, 1000000000)))", ns_col);
}

static void time_col(const ch_conn *c, sbuf *q, const char *ns_col)
{
	if (c->modern)
		sb_printf(q, ", time DateTime64(3, 'UTC') MATERIALIZED fromUnixTimestamp64Milli(intDiv(%s, 1000000))",
			  ns_col);
}

static void ttl(const ch_conn *c, sbuf *q)
{
	if (c->modern && c->retention_days > 0)
		sb_printf(q, " TTL toDateTime(time) + INTERVAL %d DAY", c->retention_days);
}

/* The end of a table kept by time: its `time` column (modern form), the
 * engine, months, order and TTL. */
static void timed_tail(const ch_conn *c, sbuf *q, const char *ns_col, const char *engine, const char *order)
{
	time_col(c, q, ns_col);
	sb_printf(q, ") ENGINE = %s()", engine);
	month_partition(c, q, ns_col);
	sb_printf(q, " ORDER BY (%s)", order);
	ttl(c, q);
}

static void rollup_cols(const ch_conn *c, sbuf *q)
{
	const char *d = dim_t(c);
	sb_printf(q,
		  "(t Int64, dim UInt64, provider %s, model %s, prompt_name %s, prompt_version %s, feature %s,"
		  " calls AggregateFunction(sum, UInt64), errors AggregateFunction(sum, UInt64),"
		  " tokens_in AggregateFunction(sum, UInt64), tokens_cached AggregateFunction(sum, UInt64),"
		  " tokens_out AggregateFunction(sum, UInt64), cost AggregateFunction(sum, Int64),"
		  " unpriced AggregateFunction(sum, UInt64),",
		  d, d, d, d, d);
	const char *h[2] = {"lat", "ttft"};
	for (int i = 0; i < 2; i++)
		sb_printf(q,
			  " %s_min AggregateFunction(minIf, Float64, UInt8), %s_max AggregateFunction(maxIf, Float64, UInt8),"
			  " %s_sum AggregateFunction(sumIf, Float64, UInt8),"
			  " %s_hist AggregateFunction(sumMap, Array(UInt32), Array(UInt64))%s",
			  h[i], h[i], h[i], h[i], i ? ")" : ",");
}

/* The local (or only) table's columns and engine. */
static void table_def(const ch_conn *c, int t, sbuf *q)
{
	const char *d = dim_t(c), *z = text_codec(c);
	switch (t) {
	case T_CALLS:
		sb_printf(q,
			  "(ts Int64, trace_id String, span_id String, provider %s, model %s, request_model %s,"
			  " operation %s, prompt_name %s, prompt_version %s, feature %s, user_id String,"
			  " session_id String, input_tokens Int64, cached_tokens Int64, output_tokens Int64,"
			  " latency_ms Float64, ttft_ms Float64, lat_bucket UInt32, ttft_bucket UInt32,"
			  " status UInt8, error_type %s, error_message String%s, cost_nusd Int64, dim UInt64,"
			  " input String%s, output String%s, variables String%s, attrs String%s, thinking String%s,"
			  " inserted_at DateTime DEFAULT now()",
			  d, d, d, d, d, d, d, d, z, z, z, z, z, z);
		time_col(c, q, "ts");
		if (c->modern)
			sb_adds(q, ", INDEX span_idx span_id TYPE bloom_filter GRANULARITY 4,"
				   " INDEX trace_idx trace_id TYPE bloom_filter GRANULARITY 4");
		sb_adds(q, ") ENGINE = MergeTree()");
		month_partition(c, q, "ts");
		sb_adds(q, " ORDER BY (ts, span_id)");
		ttl(c, q);
		/* Granules of 1024 rows, not 8192: a page sorted by latency or
		 * cost, a trace's calls and a call opened by id read a granule a
		 * call, and the texts make a granule wide. */
		sb_adds(q, " SETTINGS index_granularity = 1024");
		break;
	case T_LAT:
		sb_adds(q, "(ts Int64, span_id String, lat_bucket UInt32, latency_ms Float64, dim UInt64");
		timed_tail(c, q, "ts", "MergeTree", "lat_bucket, ts, span_id");
		break;
	case T_SPANS:
		sb_printf(q,
			  "(trace_id String, span_id String, parent_id String, name String, kind Int32, scope %s,"
			  " service %s, start_ns Int64, end_ns Int64, status UInt8, status_message String,"
			  " is_llm UInt8, call_span_id String, ctx String%s, attrs String%s,"
			  " inserted_at DateTime DEFAULT now()",
			  d, d, z, z);
		timed_tail(c, q, "start_ns", "ReplacingMergeTree", "trace_id, span_id");
		break;
	case T_EVENTS:
		sb_printf(q, "(trace_id String, span_id String, ts Int64, name %s, body String%s, hash UInt64", d, z);
		timed_tail(c, q, "ts", "ReplacingMergeTree", "trace_id, span_id, ts, name, hash");
		break;
	case T_PROMPTS:
		sb_printf(q,
			  "(name String, version String, template String%s, source String, created_at Int64)"
			  " ENGINE = ReplacingMergeTree() ORDER BY (name, version)",
			  z);
		break;
	case T_R1M:
	case T_R1H:
	case T_R1D:
		rollup_cols(c, q);
		sb_adds(q, " ENGINE = AggregatingMergeTree()");
		sb_adds(q, t == T_R1D ? " PARTITION BY toYear(toDateTime(t))" : " PARTITION BY toYYYYMM(toDateTime(t))");
		sb_adds(q, " ORDER BY (t, dim, provider, model, prompt_name, prompt_version, feature)");
		if (t == T_R1M && c->modern && c->retention_days > 0)
			sb_printf(q, " TTL toDateTime(t) + INTERVAL %d DAY", c->retention_days);
		break;
	case T_H1M:
	case T_H1H:
	case T_H1D:
	case T_H3H:
		sb_adds(q, "(t Int64, dim UInt64, kind UInt8, bucket UInt32, n UInt64) ENGINE = SummingMergeTree(n)");
		sb_adds(q, t == T_H1D ? " PARTITION BY toYear(toDateTime(t))" : " PARTITION BY toYYYYMM(toDateTime(t))");
		sb_adds(q, " ORDER BY (t, dim, kind, bucket)");
		if (t == T_H1M && c->modern && c->retention_days > 0)
			sb_printf(q, " TTL toDateTime(t) + INTERVAL %d DAY", c->retention_days);
		break;
	default:
		sb_printf(q, "(t Int64, dim UInt64, error_type %s, n UInt64) ENGINE = SummingMergeTree(n)", d);
		sb_adds(q, t == T_E1D ? " PARTITION BY toYear(toDateTime(t))" : " PARTITION BY toYYYYMM(toDateTime(t))");
		sb_adds(q, " ORDER BY (t, dim, error_type)");
		if (t == T_E1M && c->modern && c->retention_days > 0)
			sb_printf(q, " TTL toDateTime(t) + INTERVAL %d DAY", c->retention_days);
		break;
	}
}

/* The local (or only) table's name in this database. */
static const char *local_name(const ch_conn *c, int t)
{
	static const char *const local[T_COUNT] = {"calls_local",     "spans_local",     "span_events_local",
						   "prompt_versions_local", "rollup_1m_local", "rollup_1h_local",
						   "rollup_1d_local", "errors_1m_local", "errors_1h_local",
						   "errors_1d_local", "hist_1m_local",   "hist_1h_local",
						   "hist_1d_local",   "hist_3h_local",   "calls_lat_local"};
	return c->cluster ? local[t] : tables[t];
}

static void rollup_view(const ch_conn *c, int res, sbuf *q)
{
	int64_t step = rollup_step_s[res];
	sb_printf(q, "CREATE MATERIALIZED VIEW IF NOT EXISTS %s_mv TO %s AS SELECT intDiv(ts, %lld) * %lld AS t,",
		  local_name(c, T_R1M + res), local_name(c, T_R1M + res), (long long)(step * 1000000000),
		  (long long)step);
	sb_adds(q, " dim, provider, model, prompt_name, prompt_version, feature,"
		   " sumState(toUInt64(1)) AS calls, sumState(toUInt64(status)) AS errors,"
		   " sumState(toUInt64(greatest(input_tokens, 0))) AS tokens_in,"
		   " sumState(toUInt64(greatest(cached_tokens, 0))) AS tokens_cached,"
		   " sumState(toUInt64(greatest(output_tokens, 0))) AS tokens_out,"
		   " sumState(toInt64(if(cost_nusd >= 0, cost_nusd, 0))) AS cost,"
		   " sumState(toUInt64(cost_nusd < 0)) AS unpriced,");
	const char *h[2][2] = {{"lat", "latency_ms"}, {"ttft", "ttft_ms"}};
	for (int i = 0; i < 2; i++)
		sb_printf(q,
			  " minIfState(%2$s, %2$s >= 0) AS %1$s_min, maxIfState(%2$s, %2$s >= 0) AS %1$s_max,"
			  " sumIfState(%2$s, %2$s >= 0) AS %1$s_sum,"
			  " sumMapState(if(%2$s >= 0, [%1$s_bucket], emptyArrayUInt32()),"
			  " if(%2$s >= 0, [toUInt64(1)], emptyArrayUInt64())) AS %1$s_hist%3$s",
			  h[i][0], h[i][1], i ? "" : ",");
	sb_printf(q, " FROM %s GROUP BY t, dim, provider, model, prompt_name, prompt_version, feature",
		  local_name(c, T_CALLS));
}

static void errors_view(const ch_conn *c, int res, sbuf *q)
{
	int64_t step = rollup_step_s[res];
	sb_printf(q,
		  "CREATE MATERIALIZED VIEW IF NOT EXISTS %s_mv TO %s AS SELECT intDiv(ts, %lld) * %lld AS t, dim,"
		  " if(error_type = '', 'error', error_type) AS error_type, count() AS n FROM %s WHERE status = 1"
		  " GROUP BY t, dim, error_type",
		  local_name(c, T_E1M + res), local_name(c, T_E1M + res), (long long)(step * 1000000000),
		  (long long)step, local_name(c, T_CALLS));
}

/* The histogram of latency (kind 0) or TTFT (kind 1) per resolution. */
static const char *const hist_kind[2][2] = {{"lat", "latency_ms"}, {"ttft", "ttft_ms"}};

/* hist_3h, the three-hour blocks (UTC 00, 03, ... 21), since version 3:
 * between the hours and the days, so that a long window's edges and the
 * pieces of the changes strip read a third of the hours' rows. */
static const int hist_tables[4] = {T_H1M, T_H1H, T_H1D, T_H3H};
static const int64_t hist_step_s[4] = {60, 3600, 86400, 10800};

static void hist_view(const ch_conn *c, int level, int kind, sbuf *q)
{
	int t = hist_tables[level];
	int64_t step = hist_step_s[level];
	sb_printf(q,
		  "CREATE MATERIALIZED VIEW IF NOT EXISTS %s_%s_mv TO %s AS SELECT intDiv(ts, %lld) * %lld AS t, dim,"
		  " toUInt8(%d) AS kind, %s_bucket AS bucket, count() AS n FROM %s WHERE %s >= 0 GROUP BY t, dim, bucket",
		  local_name(c, t), hist_kind[kind][0], local_name(c, t), (long long)(step * 1000000000), (long long)step,
		  kind, hist_kind[kind][0], local_name(c, T_CALLS), hist_kind[kind][1]);
}

/* calls_lat: every call whose latency is known, by latency bucket. */
static void lat_view(const ch_conn *c, sbuf *q)
{
	sb_printf(q,
		  "CREATE MATERIALIZED VIEW IF NOT EXISTS %s_mv TO %s AS SELECT ts, span_id, lat_bucket, latency_ms, dim"
		  " FROM %s WHERE latency_ms >= 0",
		  local_name(c, T_LAT), local_name(c, T_LAT), local_name(c, T_CALLS));
}

/* How a table is spread over the shards: a trace on one shard. */
static const char *shard_key(int t)
{
	switch (t) {
	case T_CALLS:
	case T_SPANS:
	case T_EVENTS:
		return "cityHash64(trace_id)";
	case T_PROMPTS:
		return "cityHash64(name)";
	default:
		return "rand()";
	}
}

static int run(ch_conn *c, sbuf *q, char *err, size_t errlen)
{
	int rc = ch_exec(c, q->p, err, errlen);
	sb_reset(q);
	return rc;
}

/* Table t (and, under a cluster, its Distributed table over the shards'). */
static int create_table(ch_conn *c, int t, sbuf *q, const char *if_not_exists, char *err, size_t errlen)
{
	sb_printf(q, "CREATE TABLE %s%s ", if_not_exists, local_name(c, t));
	table_def(c, t, q);
	int rc = run(c, q, err, errlen);
	if (!rc && c->cluster) {
		sb_printf(q, "CREATE TABLE %s%s AS %s ENGINE = Distributed(%s, %s, %s, %s)", if_not_exists, tables[t],
			  local_name(c, t), c->cluster, c->db, local_name(c, t), shard_key(t));
		rc = run(c, q, err, errlen);
	}
	return rc;
}

static int create_all(ch_conn *c, char *err, size_t errlen)
{
	sbuf q = SBUF_INIT;
	int rc = 0;
	for (int t = 0; t < T_COUNT && !rc; t++) {
		rc = create_table(c, t, &q, "IF NOT EXISTS ", err, errlen);
	}
	/* The views after their tables: a view created first would miss rows. */
	for (int res = 0; res < 3 && !rc; res++) {
		rollup_view(c, res, &q);
		rc = run(c, &q, err, errlen);
		if (!rc) {
			errors_view(c, res, &q);
			rc = run(c, &q, err, errlen);
		}
		for (int k = 0; k < 2 && !rc; k++) {
			hist_view(c, res, k, &q);
			rc = run(c, &q, err, errlen);
		}
	}
	for (int k = 0; k < 2 && !rc; k++) {
		hist_view(c, 3, k, &q);
		rc = run(c, &q, err, errlen);
	}
	if (!rc) {
		lat_view(c, &q);
		rc = run(c, &q, err, errlen);
	}
	sb_free(&q);
	return rc;
}

/* Drops table t and its views (TABLE_local plus each suffix), and creates
 * the table again: a migration cut short starts again from nothing. */
static int renew(ch_conn *c, int t, const char *const *views, int nviews, sbuf *q, char *err, size_t errlen)
{
	int rc = 0;
	for (int k = 0; k < nviews && !rc; k++) {
		sb_printf(q, "DROP TABLE IF EXISTS %s%s", local_name(c, t), views[k]);
		rc = run(c, q, err, errlen);
	}
	if (!rc && c->cluster) {
		sb_printf(q, "DROP TABLE IF EXISTS %s", tables[t]);
		rc = run(c, q, err, errlen);
	}
	if (!rc) {
		sb_printf(q, "DROP TABLE IF EXISTS %s", local_name(c, t));
		rc = run(c, q, err, errlen);
	}
	return rc ? rc : create_table(c, t, q, "", err, errlen);
}

static const char *const hist_views[2] = {"_lat_mv", "_ttft_mv"}, *const lat_views[1] = {"_mv"};

/* Version 2 to 3: the three-hour histograms, summed from the hours', and
 * the calls by latency, copied from the calls, then their views; as
 * migrate_hist below, by a writer before it writes, and from the start
 * again when cut short. */
static int migrate_3(ch_conn *c, char *err, size_t errlen)
{
	sbuf q = SBUF_INIT;
	int rc = renew(c, T_LAT, lat_views, 1, &q, err, errlen);
	if (!rc) {
		sb_printf(&q,
			  "INSERT INTO %s (ts, span_id, lat_bucket, latency_ms, dim) SELECT ts, span_id, lat_bucket,"
			  " latency_ms, dim FROM %s WHERE latency_ms >= 0",
			  local_name(c, T_LAT), local_name(c, T_CALLS));
		rc = run(c, &q, err, errlen);
	}
	if (!rc) {
		lat_view(c, &q);
		rc = run(c, &q, err, errlen);
	}
	if (!rc)
		rc = renew(c, T_H3H, hist_views, 2, &q, err, errlen);
	if (!rc) {
		sb_printf(&q,
			  "INSERT INTO %s (t, dim, kind, bucket, n) SELECT intDiv(t, 10800) * 10800 AS b, dim, kind, bucket,"
			  " sum(n) FROM %s GROUP BY b, dim, kind, bucket",
			  local_name(c, T_H3H), local_name(c, T_H1H));
		rc = run(c, &q, err, errlen);
	}
	for (int k = 0; k < 2 && !rc; k++) {
		hist_view(c, 3, k, &q);
		rc = run(c, &q, err, errlen);
	}
	sb_free(&q);
	return rc;
}

/* Version 1 to 2: the histogram tables, filled from the rollups' sumMap
 * states, then their views. Only a writer migrates, before it writes, so
 * no call arrives between the fill and the views (one writer a database, as
 * the README says). A migration cut short is done again from the start:
 * what it left is dropped first. */
static int migrate_hist(ch_conn *c, char *err, size_t errlen)
{
	sbuf q = SBUF_INIT;
	int rc = 0;
	for (int res = 0; res < 3 && !rc; res++) {
		int t = T_H1M + res;
		rc = renew(c, t, hist_views, 2, &q, err, errlen);
		if (!rc) {
			const char *r = local_name(c, T_R1M + res);
			sb_printf(&q,
				  "INSERT INTO %s (t, dim, kind, bucket, n) SELECT t, dim, kind, b, c FROM"
				  " (SELECT t, dim, toUInt8(0) AS kind, sumMapMerge(lat_hist) AS m FROM %s GROUP BY t, dim"
				  " UNION ALL SELECT t, dim, toUInt8(1) AS kind, sumMapMerge(ttft_hist) AS m FROM %s"
				  " GROUP BY t, dim) ARRAY JOIN m.1 AS b, m.2 AS c WHERE c > 0",
				  local_name(c, t), r, r);
			rc = run(c, &q, err, errlen);
		}
		for (int k = 0; k < 2 && !rc; k++) {
			hist_view(c, res, k, &q);
			rc = run(c, &q, err, errlen);
		}
	}
	sb_free(&q);
	return rc;
}

typedef struct ver_ud {
	int version;
	char form[16];
} ver_ud;

static int ver_row(void *ud, char **cols, int ncols)
{
	ver_ud *v = ud;
	if (ncols >= 2 && cols[0] && cols[1]) {
		int n = atoi(cols[0]);
		if (n > v->version) {
			v->version = n;
			snprintf(v->form, sizeof v->form, "%s", cols[1]);
		}
	}
	return 0;
}

static int read_version(ch_conn *c, ver_ud *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof *v);
	return ch_select(c, "SELECT version, form FROM llmops_schema", ver_row, v, err, errlen);
}

int ch_schema_version(ch_conn *c, int *version, char *err, size_t errlen)
{
	ver_ud v;
	if (read_version(c, &v, err, errlen))
		return -1;
	*version = v.version;
	return 0;
}

static int adopt_form(ch_conn *c, const ver_ud *v, char *err, size_t errlen)
{
	if (v->version > CH_SCHEMA_VERSION) {
		ch_seterr(err, errlen,
			  "ClickHouse %s/%s: the schema is version %d, newer than this llmops knows (%d); upgrade llmops",
			  c->where, c->db, v->version, CH_SCHEMA_VERSION);
		return -1;
	}
	/* The form the database was created in, whatever the server is now:
	 * a server upgraded under a portable database keeps reading it so. */
	if (v->version > 0)
		c->modern = !strcmp(v->form, "modern");
	return 0;
}

int ch_schema_check(ch_conn *c, char *err, size_t errlen)
{
	ver_ud v;
	if (read_version(c, &v, err, errlen)) {
		ch_seterr(err, errlen, "ClickHouse %s: database %s has no llmops schema (open it once without read-only)",
			  c->where, c->db);
		return -1;
	}
	if (adopt_form(c, &v, err, errlen))
		return -1;
	if (v.version < CH_SCHEMA_VERSION) {
		ch_seterr(err, errlen, "ClickHouse %s: database %s has schema version %d, this llmops needs %d (open it once without read-only)",
			  c->where, c->db, v.version, CH_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

int ch_schema_ensure(ch_conn *c, char *err, size_t errlen)
{
	if (ch_exec(c,
		    "CREATE TABLE IF NOT EXISTS llmops_schema (version UInt32, form String, applied_at DateTime)"
		    " ENGINE = TinyLog",
		    err, errlen))
		return -1;
	ver_ud v;
	if (read_version(c, &v, err, errlen) || adopt_form(c, &v, err, errlen))
		return -1;
	if (v.version == CH_SCHEMA_VERSION)
		return 0;
	/* Version 1 is the schema but the histogram tables; version 2 adds
	 * them, version 3 the three-hour ones and calls_lat. A migration is applied once and recorded; every statement of
	 * the creation is IF NOT EXISTS: one cut short is finished by the next
	 * connection. */
	if (v.version == 1 && migrate_hist(c, err, errlen))
		return -1;
	if (v.version >= 1 && v.version < 3 && migrate_3(c, err, errlen))
		return -1;
	if (create_all(c, err, errlen))
		return -1;
	sbuf q = SBUF_INIT;
	sb_printf(&q, "INSERT INTO llmops_schema VALUES (%d, '%s', now())", CH_SCHEMA_VERSION,
		  c->modern ? "modern" : "portable");
	int rc = ch_exec(c, q.p, err, errlen);
	sb_free(&q);
	return rc;
}

/* ---- retention ---------------------------------------------------------- */

typedef struct parts_ud {
	char **ids;
	size_t n, cap;
} parts_ud;

static int part_row(void *ud, char **cols, int ncols)
{
	parts_ud *p = ud;
	if (ncols < 1 || !cols[0])
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->ids = xrealloc(p->ids, p->cap * sizeof *p->ids);
	}
	p->ids[p->n++] = xstrdup(cols[0]);
	return 0;
}

/* Portable form: the monthly partitions (YYYYMM) that end before the
 * retention's start are dropped whole; a month partly inside is kept. */
static int drop_old_months(ch_conn *c, int days, char *err, size_t errlen)
{
	time_t cut = time(NULL) - (time_t)days * 86400;
	struct tm tm;
	gmtime_r(&cut, &tm);
	int cut_month = (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
	static const int monthly[] = {T_CALLS, T_SPANS, T_EVENTS, T_R1M, T_E1M, T_H1M, T_LAT};
	int rc = 0;
	sbuf q = SBUF_INIT;
	for (size_t i = 0; i < sizeof monthly / sizeof *monthly && !rc; i++) {
		const char *name = local_name(c, monthly[i]);
		parts_ud p = {0};
		sb_adds(&q, "SELECT DISTINCT partition_id FROM system.parts WHERE active AND database = ");
		ch_quote(&q, c->db);
		sb_adds(&q, " AND table = ");
		ch_quote(&q, name);
		rc = ch_select(c, q.p, part_row, &p, err, errlen);
		sb_reset(&q);
		for (size_t k = 0; k < p.n; k++) {
			int month = atoi(p.ids[k]);
			if (!rc && month > 0 && month < cut_month) {
				sb_printf(&q, "ALTER TABLE %s DROP PARTITION %d", name, month);
				rc = run(c, &q, err, errlen);
			}
			free(p.ids[k]);
		}
		free(p.ids);
	}
	sb_free(&q);
	return rc;
}

int ch_set_retention(ch_conn *c, int days, char *err, size_t errlen)
{
	if (days < 0)
		days = 0;
	int was = c->retention_days;
	c->retention_days = days;
	if (!c->modern)
		return days > 0 ? drop_old_months(c, days, err, errlen) : 0;
	if (days == was)
		return 0;
	static const int kept[] = {T_CALLS, T_SPANS, T_EVENTS, T_R1M, T_E1M, T_H1M, T_LAT};
	sbuf q = SBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < sizeof kept / sizeof *kept && !rc; i++) {
		int t = kept[i];
		const char *col = (t == T_R1M || t == T_E1M || t == T_H1M) ? "toDateTime(t)" : "toDateTime(time)";
		if (days > 0)
			sb_printf(&q, "ALTER TABLE %s MODIFY TTL %s + INTERVAL %d DAY", local_name(c, t), col, days);
		else
			sb_printf(&q, "ALTER TABLE %s REMOVE TTL", local_name(c, t));
		rc = run(c, &q, err, errlen);
	}
	sb_free(&q);
	return rc;
}
