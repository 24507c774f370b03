#!/bin/sh
# Real OpenTelemetry exporters (@opentelemetry/exporter-trace-otlp-http and -proto, both on
# the same provider, so every span arrives twice) sending a real instrumentation library's
# spans straight to `llmops collect`: each call stored once, as many as importing the same
# script's captured file gives.
# Needs node >= 22 and the capture packages (see tests/capture/README.md); skips, saying so,
# without them. usage: sh tests/cli/collect_node.sh LLMOPS
set -u
LLMOPS=${1:-$PWD/llmops}
here=$(cd "$(dirname "$0")/../capture" && pwd)
corpus=$(cd "$here/../corpus" && pwd)
node=${CAPTURE_NODE:-node}
envdir=${CAPTURE_ENV:-$here}
if ! command -v "$node" >/dev/null 2>&1; then
	echo "collect-node: skipped: no node (set CAPTURE_NODE to node >= 22)"
	exit 0
fi
major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
	echo "collect-node: skipped: node $("$node" --version) is older than 22 (set CAPTURE_NODE)"
	exit 0
fi
if [ ! -d "$envdir/node_modules/@opentelemetry/exporter-trace-otlp-proto" ]; then
	echo "collect-node: skipped: packages not installed (run 'npm install' in tests/capture, or set CAPTURE_ENV)"
	exit 0
fi
T=$(mktemp -d /tmp/llmops-collect-node.XXXXXX)
run=$T/run
mkdir -p "$run" "$T/out"
cp "$here"/*.mjs "$run/"
ln -s "$envdir/node_modules" "$run/node_modules"
cp "$here/package.json" "$run/package.json"
export HOME=$T XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_STATE_HOME=$T/state
unset LLMOPS_STORE LLMOPSRC LLMOPS_COLLECT_TOKEN
"$node" "$run/replay-server.mjs" "$corpus" "$T/out" "$run/replay.port" >/dev/null 2>&1 &
replay=$!
pass=0 fail=0
for lib in traceloop langfuse vercel-ai-otel; do
	S=$T/$lib.db
	"$LLMOPS" --store "$S" collect --listen 127.0.0.1:0 2>"$T/$lib.err" &
	col=$!
	while ! grep -q " on " "$T/$lib.err" 2>/dev/null || [ ! -s "$run/replay.port" ]; do
		kill -0 $col 2>/dev/null || break
		sleep 0.1
	done
	addr=$(sed -n 's/.* on \([^ ]*\).*/\1/p' "$T/$lib.err" | head -1)
	mkdir -p "$T/out/$lib"
	script=$(echo "$lib" | tr '+' '_')
	CAPTURE_LIB=$lib CAPTURE_OUT=$T/out CAPTURE_REPLAY_URL="http://127.0.0.1:$(cat "$run/replay.port")" \
		CAPTURE_OTLP_URL="http://$addr" CAPTURE_OTLP_FLAT=1 \
		OPENAI_API_KEY=sk-capture-placeholder ANTHROPIC_API_KEY=sk-ant-capture-placeholder \
		"$node" "$run/$script.mjs" >"$T/$lib.log" 2>&1
	kill -TERM $col
	wait $col
	rc=$?
	# The same script's capture, imported from the file, says what one run gives.
	"$LLMOPS" --store "$T/$lib-ref.db" import "$corpus/captured/$lib/traces.jsonl" >/dev/null 2>&1
	want=$(sqlite3 "$T/$lib-ref.db" "SELECT COUNT(*) FROM calls" 2>/dev/null || echo -1)
	got=$(sqlite3 "$S" "SELECT COUNT(*) FROM calls" 2>/dev/null || echo 0)
	if [ "$rc" -eq 0 ] && [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: collect-node: $lib: $got calls stored from the exporters, $want from the captured file (collect exit $rc)"
		tail -3 "$T/$lib.err" "$T/$lib.log"
	fi
done
kill $replay 2>/dev/null
rm -rf "$T"
echo "collect-node: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
