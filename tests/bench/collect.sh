#!/bin/sh
# make bench: `llmops collect` receiving from 8 exporters at once (each POSTing protobuf batches of
# 512 LLM-call spans and waiting for the answer, as an OTLP exporter does), with the console open on
# the same store in a real terminal, drawing as the panes move. Prints spans per second, request
# latency, the receiver's peak RSS, and whether every span sent is in the store.
# Prints figures only; nothing here asserts on time.
set -eu
D=$(mktemp -d /tmp/llmops-bench-collect.XXXXXX)
S=$D/live.db
SOCK="llmops-bench-collect-$$"
TM="tmux -L $SOCK -f /dev/null"
col=
trap '$TM kill-server 2>/dev/null; [ -n "$col" ] && kill $col 2>/dev/null; rm -rf "$D"' EXIT
export XDG_CONFIG_HOME="$D/config" XDG_STATE_HOME="$D/state" XDG_DATA_HOME="$D/data"
EXPORTERS=${BENCH_EXPORTERS:-8}
BATCHES=${BENCH_COLLECT_BATCHES:-40}
SPANS=512

./llmops --store "$S" collect --listen 127.0.0.1:0 2>"$D/collect.err" &
col=$!
w=0
while ! grep -q " on " "$D/collect.err" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.1; w=$((w + 1)); done
addr=$(sed -n 's/.* on \([^ ]*\).*/\1/p' "$D/collect.err" | head -1)
$TM new-session -d -s c -x 80 -y 24 "./llmops --store $S"
sleep 1
./build/otlp_load "http://$addr/v1/traces" "$EXPORTERS" "$BATCHES" "$SPANS" >"$D/load.out" || true
rss=$(awk '/VmHWM/ {print $2}' /proc/$col/status)
kill -TERM $col
wait $col || true
col=
stored=$(sqlite3 "$S" "SELECT COUNT(*) FROM calls")
sent=$((EXPORTERS * BATCHES * SPANS))
echo "collect, $EXPORTERS exporters x $BATCHES batches x $SPANS LLM-call spans, the console open on the store:"
sed 's/^/  /' "$D/load.out"
printf "  receiver peak RSS %.1f MB (target < 64 MiB); %d of %d spans stored as calls%s\n" \
	"$(echo "$rss / 1024" | bc -l)" "$stored" "$sent" "$([ "$stored" -eq "$sent" ] && echo ", every one" || echo ": SPANS MISSING")"
echo "  (targets: >= 20,000 LLM-call spans/s, p99 request latency < 250 ms)"
