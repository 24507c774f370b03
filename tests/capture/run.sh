#!/bin/sh
# Reruns the captures: real instrumentation libraries, official clients pointed at a local
# replay server, OTLP/HTTP JSON and protobuf to a local receiver.
#
# usage: sh tests/capture/run.sh [-o OUT_DIR] [LIB ...]
#   CAPTURE_NODE   node >= 22 (default: node on PATH)
#   CAPTURE_ENV    folder whose node_modules holds the packages of package.json
#                  (default: tests/capture itself, after `npm install` there)
#   CAPTURE_ENV_OTEL3  the same for otel3/package.json (otel-openai needs the OpenTelemetry
#                  3.x stack; default: tests/capture/otel3)
# Without -o the output goes to a temporary folder, printed at the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(cd "$here/../corpus" && pwd)
node=${CAPTURE_NODE:-node}
envdir=${CAPTURE_ENV:-$here}
envdir3=${CAPTURE_ENV_OTEL3:-$here/otel3}
out=
while getopts o: opt; do
	case $opt in
	o) out=$OPTARG ;;
	*) echo "usage: sh tests/capture/run.sh [-o OUT_DIR] [LIB ...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
libs=${*:-"anthropic-sdk traceloop+anthropic-sdk openinference+anthropic-sdk langfuse+anthropic-sdk langfuse vercel-ai-otel vercel-ai-legacy traceloop openinference otel-openai openlit"}

if ! command -v "$node" >/dev/null 2>&1; then
	echo "skipped: no node (set CAPTURE_NODE to node >= 22)"
	exit 0
fi
major=$("$node" -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 22 ]; then
	echo "skipped: node $("$node" --version) is older than 22 (set CAPTURE_NODE)"
	exit 0
fi
if [ ! -d "$envdir/node_modules/@anthropic-ai/sdk" ]; then
	echo "skipped: packages not installed (run 'npm install' in tests/capture, or set CAPTURE_ENV)"
	exit 0
fi

[ -n "$out" ] || out=$(mktemp -d /tmp/llmops-capture.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
run=$(mktemp -d /tmp/llmops-capture-run.XXXXXX)
# The scripts import their packages from $envdir; node resolves imports next to the script's
# real path, so the scripts are copied beside a link to the packages.
cp "$here"/*.mjs "$run/"
ln -s "$envdir/node_modules" "$run/node_modules"
mkdir "$run/otel3"
cp "$here"/otel3/*.mjs "$run/otel3/"
ln -s "$envdir3/node_modules" "$run/otel3/node_modules"
cp "$here/package.json" "$run/package.json"

"$node" "$run/replay-server.mjs" "$corpus" "$out" "$run/replay.port" &
replay=$!
"$node" "$run/receiver.mjs" "$out" "$run/otlp.port" &
receiver=$!
trap 'kill $replay $receiver 2>/dev/null; rm -rf "$run"' EXIT
while [ ! -s "$run/replay.port" ] || [ ! -s "$run/otlp.port" ]; do
	sleep 0.1
done

status=0
for lib in $libs; do
	script=$(echo "$lib" | tr '+' '_')
	if [ "$lib" = otel-openai ]; then
		script=otel3/$lib
		if [ ! -d "$envdir3/node_modules/@opentelemetry/instrumentation-openai" ]; then
			echo "$lib: skipped: packages not installed (run 'npm install' in tests/capture/otel3, or set CAPTURE_ENV_OTEL3)"
			continue
		fi
	fi
	if [ ! -f "$here/$script.mjs" ]; then
		echo "$lib: no script $script.mjs" >&2
		status=1
		continue
	fi
	rm -rf "${out:?}/$lib"
	mkdir -p "$out/$lib"
	echo "capture: $lib"
	if ! CAPTURE_LIB=$lib CAPTURE_OUT=$out \
		CAPTURE_REPLAY_URL="http://127.0.0.1:$(cat "$run/replay.port")" \
		CAPTURE_OTLP_URL="http://127.0.0.1:$(cat "$run/otlp.port")" \
		OPENAI_API_KEY=sk-capture-placeholder ANTHROPIC_API_KEY=sk-ant-capture-placeholder \
		"$node" "$run/$script.mjs" >"$run/$lib.log" 2>&1; then
		cp "$run/$lib.log" "$out/$lib/script.log"
		echo "$lib: script failed, see $out/$lib/script.log" >&2
		status=1
		continue
	fi
	"$node" "$run/expected.mjs" "$corpus" "$out/$lib" || status=1
	"$node" "$run/twins.mjs" "$out/$lib" || status=1
done
echo "capture: output in $out"
exit $status
