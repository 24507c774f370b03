# Spans of one request from several layers become one call (tests/cli/layers.py).
t layers-hard-cases
mkdir -p "$T/layers"
python3 tests/cli/layers.py "$LLMOPS" "$T/layers" >"$T/layers.out" 2>&1
case "$(tail -n 1 "$T/layers.out")" in
"layers: "*" passed, 0 failed") ok ;;
*) bad "$(grep -v '^layers:' "$T/layers.out" | head -n 20)" ;;
esac

# Layers of one request in either order: nested (Traceloop over the Anthropic
# SDK) and apart, the SDK's span a root of its own (Langfuse's startObservation).
for lib in traceloop+anthropic-sdk langfuse+anthropic-sdk; do
t "layers-either-order $lib"
L="$PWD/tests/corpus/captured/$lib/traces.jsonl"
python3 - "$L" "$T/outer.jsonl" "$T/inner.jsonl" <<'PY'
import json, sys
src, outer, inner = sys.argv[1:]
o, i = open(outer, "w"), open(inner, "w")
for line in open(src):
    d = json.loads(line)
    for rs in d["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            f = i if ss["scope"]["name"].startswith("com.anthropic.sdk") else o
            f.write(json.dumps({"resourceSpans": [dict(rs, scopeSpans=[ss])]}) + "\n")
PY
rm -f "$T"/in-first.db* "$T"/out-first.db*
"$LLMOPS" --store "$T/in-first.db" import "$T/inner.jsonl" >/dev/null 2>&1
"$LLMOPS" --store "$T/in-first.db" import "$T/outer.jsonl" >"$T/out" 2>&1
has "$T/out" "spans of the same requests merged"
"$LLMOPS" --store "$T/out-first.db" import "$T/outer.jsonl" "$T/inner.jsonl" >/dev/null 2>&1
q="SELECT span_id, provider, model, input_tokens, cached_tokens, output_tokens, status, error_type, latency_ms FROM calls_v ORDER BY span_id"
eq "$(sqlite3 "$T/in-first.db" "$q")" "$(sqlite3 "$T/out-first.db" "$q")"
eq "$(sqlite3 "$T/in-first.db" "SELECT count(*) FROM calls")" \
	"$(json "$PWD/tests/corpus/captured/$lib/expected.json" "len([e for e in d if e['emitted']['spans']])")"
# every layer's span id finds the call
inner=$(python3 -c "import json,sys; print(next(json.loads(l)['resourceSpans'][0]['scopeSpans'][0]['spans'][0]['spanId'] for l in open(sys.argv[1])))" "$T/inner.jsonl")
expect_rc 0 "$LLMOPS" --store "$T/in-first.db" trace "$inner" --json
eq "$(json "$T/out" "[s['call']['outermost'] for s in d['spans'] if s['span_id'] == '$inner']")" "[False]"
"$LLMOPS" --store "$T/in-first.db" report --since 30d --json >"$T/a.json"
"$LLMOPS" --store "$T/out-first.db" report --since 30d --json >"$T/b.json"
eq "$(json "$T/a.json" "d['total']['calls'], d['total']['input_tokens'], d['total']['output_tokens']")" \
	"$(json "$T/b.json" "d['total']['calls'], d['total']['input_tokens'], d['total']['output_tokens']")"
done
