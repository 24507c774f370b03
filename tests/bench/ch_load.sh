#!/bin/sh
# The ClickHouse write path at scale: N calls (10 million unless N is set) of
# the demo traffic loaded into a private clickhouse-server through
# ch_ingest/ch_flush, with the time it took, the rows per table and the
# bytes on disk. The server's folder is $CH_BENCH_DIR (kept, so that the
# read benchmarks can open the same database); KEEP=1 leaves the server
# running and prints its URL (a server already running in that folder is
# used again); the database is $CH_BENCH_DB (bench). Run from the repository
# root: make bench-clickhouse.
#
# REPLICATE=K loads N calls through the write path, then multiplies them on
# the server: K-1 times INSERT INTO calls SELECT the same calls with new span
# and trace ids (an MD5 of the old id and the copy's number) and the same
# times shifted by the copy's number of nanoseconds, so the database ends
# with N*K calls of the same week at K times the traffic. The materialized
# views fill the rollups from those inserts as from any other; only the
# calls are copied (not their spans: a copy's trace view shows the call
# alone). N=1000000 REPLICATE=10 gives 10 million calls in minutes rather
# than the 45 of the write path.
set -eu
N=${N:-10000000}
K=${REPLICATE:-1}
DIR=${CH_BENCH_DIR:-/tmp/llmops-bench-clickhouse}
DB=${CH_BENCH_DB:-bench}
NOW=${NOW:-2026-06-01T12:00:00Z}
. tests/lib/clickhouse.sh
mkdir -p "$DIR"
if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null && ch_wait "$DIR" 2>/dev/null; then
	read -r http _ <"$DIR/ports"
else
	ports=$(ch_start "$DIR") || { echo "bench-clickhouse: the server did not start" >&2; exit 1; }
	http=${ports%% *}
fi
[ "${KEEP:-0}" = 1 ] || trap 'ch_stop "$DIR"' EXIT
q() { curl -sS "http://127.0.0.1:$http/" --data-binary "$1"; }
q "DROP DATABASE IF EXISTS $DB" >/dev/null
echo "== ClickHouse $(q 'SELECT version()'): loading $N calls"
./build/ch_load "clickhouse://127.0.0.1:$http/$DB" "$N" "$NOW"
if [ "$K" -gt 1 ]; then
	cols=$(q "SELECT name FROM system.columns WHERE database = '$DB' AND table = 'calls' AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')")
	cols=$(echo "$cols" | grep -v '^inserted_at$' | paste -sd, -)
	sel=$(echo "$cols" | sed -e 's/\bts\b/ts + {k} AS ts/' \
		-e 's/\btrace_id\b/lower(hex(MD5(concat(trace_id, '"'"'{k}'"'"')))) AS trace_id/' \
		-e 's/\bspan_id\b/substring(lower(hex(MD5(concat(span_id, '"'"'{k}'"'"')))), 1, 16) AS span_id/')
	# The copies are of the calls loaded, never of an earlier copy: those
	# get the time of their insert as inserted_at (the write path sends 0).
	loaded=$(q "SELECT toUInt32(max(inserted_at)) FROM $DB.calls")
	sleep 1
	t0=$(date +%s)
	k=1
	while [ "$k" -lt "$K" ]; do
		s=$(echo "$sel" | sed "s/{k}/$k/g")
		out=$(q "INSERT INTO $DB.calls ($cols) SELECT $s FROM $DB.calls WHERE inserted_at <= toDateTime($loaded)")
		[ -z "$out" ] || { echo "bench-clickhouse: the copy failed: $out" >&2; exit 1; }
		k=$((k + 1))
	done
	echo "replicated on the server to $(q "SELECT count() FROM $DB.calls") calls in $(($(date +%s) - t0)) s"
fi
q "SELECT table, sum(rows), formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE active AND database = '$DB' GROUP BY table ORDER BY table FORMAT PrettyCompactMonoBlock" 2>/dev/null ||
	q "SELECT table, sum(rows), formatReadableSize(sum(bytes)) FROM system.parts WHERE active AND database = '$DB' GROUP BY table ORDER BY table FORMAT PrettyCompactMonoBlock"
echo "calls: $(q "SELECT count() FROM $DB.calls"), in the day rollup: $(q "SELECT sumMerge(calls) FROM $DB.rollup_1d")"
[ "${KEEP:-0}" = 1 ] && echo "server left running: clickhouse://127.0.0.1:$http/$DB (stop: sh tests/lib/clickhouse.sh stop $DIR)"
exit 0
