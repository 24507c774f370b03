#!/bin/sh
# The ClickHouse write path at scale: N calls (10 million unless N is set) of
# the demo traffic loaded into a private clickhouse-server through
# ch_ingest/ch_flush, with the time it took, the rows per table and the
# bytes on disk. The server's folder is $CH_BENCH_DIR (kept, so that the
# read benchmarks can open the same database); KEEP=1 leaves the server
# running and prints its URL. Run from the repository root: make
# bench-clickhouse.
set -eu
N=${N:-10000000}
DIR=${CH_BENCH_DIR:-/tmp/llmops-bench-clickhouse}
NOW=${NOW:-2026-06-01T12:00:00Z}
. tests/lib/clickhouse.sh
mkdir -p "$DIR"
ports=$(ch_start "$DIR") || { echo "bench-clickhouse: the server did not start" >&2; exit 1; }
http=${ports%% *}
[ "${KEEP:-0}" = 1 ] || trap 'ch_stop "$DIR"' EXIT
q() { curl -sS "http://127.0.0.1:$http/" --data-binary "$1"; }
q "DROP DATABASE IF EXISTS bench" >/dev/null
echo "== ClickHouse $(q 'SELECT version()'): loading $N calls"
./build/ch_load "clickhouse://127.0.0.1:$http/bench" "$N" "$NOW"
q "SELECT table, sum(rows), formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE active AND database = 'bench' GROUP BY table ORDER BY table FORMAT PrettyCompactMonoBlock" 2>/dev/null ||
	q "SELECT table, sum(rows), formatReadableSize(sum(bytes)) FROM system.parts WHERE active AND database = 'bench' GROUP BY table ORDER BY table FORMAT PrettyCompactMonoBlock"
echo "calls: $(q 'SELECT count() FROM bench.calls'), in the day rollup: $(q 'SELECT sumMerge(calls) FROM bench.rollup_1d')"
[ "${KEEP:-0}" = 1 ] && echo "server left running: clickhouse://127.0.0.1:$http/bench (stop: sh tests/lib/clickhouse.sh stop $DIR)"
exit 0
