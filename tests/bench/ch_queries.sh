#!/bin/sh
# Where the console's time goes on a ClickHouse store: opens the console on
# URL (in a private tmux server, as console.sh does), waits for the first
# complete dashboard frame, then presses each of KEYS (the dashboard's
# window keys unless given) and lists, from the server's system.query_log,
# every query of the first frame and of each key: its duration, the rows
# and bytes it read, and its text (cut). Each query is one HTTP round trip.
# The server must log queries: a private one started with CH_QUERY_LOG=1
# (tests/lib/clickhouse.sh). Prints figures only.
#
#   sh tests/bench/ch_queries.sh clickhouse://127.0.0.1:PORT/DB NOW [KEYS [PAGE_KEYS]]
set -eu
URL=${1:?clickhouse URL}
NOW=${2:?now}
KEYS=${3:-1 2 3 4 5 6 7 8 9}
PAGE_KEYS=${4:-C-f C-f C-f C-f C-f C-f C-f C-f C-f C-f G g s s s C-f C-f C-f C-f C-f}
hostport=${URL#clickhouse://}
hostport=${hostport%%/*}
hostport=${hostport#*@}
D=$(mktemp -d /tmp/llmops-chq.XXXXXX)
SOCK="llmops-chq-$$"
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$D"' EXIT
export XDG_CONFIG_HOME="$D/config" XDG_STATE_HOME="$D/state"
mkdir -p "$XDG_CONFIG_HOME/llmops"
L="$D/bench.log"
q() { curl -sS "http://$hostport/" --data-binary "$1"; }
[ "$(q "SELECT value FROM system.settings WHERE name = 'log_queries'")" = 1 ] ||
	{ echo "ch_queries: the server does not log queries (start it with CH_QUERY_LOG=1)" >&2; exit 1; }
waitlog() { # PATTERN COUNT
	w=0
	while [ "$(grep -c "$1" "$L" 2>/dev/null || true)" -lt "$2" ] && [ $w -lt 600 ]; do
		sleep 0.05
		w=$((w + 1))
	done
}
# The queries that started from $1 (server seconds) to before $2.
list() {
	sleep 2 # the log is flushed each second
	q "SELECT query_duration_ms, read_rows, formatReadableSize(read_bytes), substring(replaceRegexpAll(query, '[[:space:]]+', ' '), 1, 160)
	   FROM system.query_log WHERE type = 2 AND query_id LIKE 'llmops-%' AND query_start_time >= toDateTime($1) AND query_start_time < toDateTime($2)
	   ORDER BY query_start_time, event_time" |
		awk -F'\t' '{n++; ms += $1; rows += $2; printf "  %5d ms %10d rows %10s  %s\n", $1, $2, $3, $4}
		END {printf "  %d queries (HTTP round trips), %d ms on the server, %d rows read\n", n, ms, rows}'
}
t0=$(q "SELECT toUInt32(now())")
: >"$L"
$TM new-session -d -s c -x 80 -y 24 "LLMOPS_NOW=$NOW LLMOPS_BENCH=$L ./llmops --store $URL"
waitlog first-frame 1
sleep 1.5
t1=$(q "SELECT toUInt32(now())")
echo "== first complete dashboard frame: $(sed -n 's/^first-frame //p' "$L" | awk '{printf "%.1f ms", $1 * 1000}')"
list "$t0" "$t1"
n=0
for k in $KEYS; do
	n=$((n + 1))
	sleep 1.1
	t0=$(q "SELECT toUInt32(now())")
	$TM send-keys -t c "$k"
	waitlog key-to-frame $n
	sleep 1.1
	t1=$(q "SELECT toUInt32(now())")
	echo "== key $k: $(grep '^key-to-frame' "$L" | sed -n "${n}p" | awk '{printf "%.1f ms", $2 * 1000}') key to frame"
	list "$t0" "$t1"
done

# ---- the trace list's pages ---------------------------------------------------------
$TM send-keys -t c 2
sleep 1.5
$TM send-keys -t c t
sleep 2
echo "== trace list pages (1h window): server time of each page's queries"
: >"$D/pages"
for k in $PAGE_KEYS; do
	sleep 1.1
	t0=$(q "SELECT toUInt32(now())")
	$TM send-keys -t c "$k"
	sleep 1.1
	t1=$(q "SELECT toUInt32(now())")
	sleep 1.1
	q "SELECT count(), sum(query_duration_ms) FROM system.query_log WHERE type = 2 AND query_id LIKE 'llmops-%'
	   AND query_start_time >= toDateTime($t0) AND query_start_time < toDateTime($t1)" |
		awk -v k="$k" '{printf "  %-4s %2d queries %5d ms\n", k, $1, $2}' | tee -a "$D/pages"
done
awk '$2 > 0 {print $4}' "$D/pages" | sort -n | awk '{v[++n] = $1}
	END { if (!n) { print "  no page was read"; exit }
	      p = int(n * 0.95 + 0.5); if (p < 1) p = 1
	      printf "  pages read: %d, server time median %d ms, p95 %d ms, max %d ms\n", n, v[int((n + 1) / 2)], v[p], v[n] }'
