# llmops trace: a trace's tree of spans, and span names that attack terminals.
t trace-tree
V="$PWD/tests/corpus/captured/vercel-ai-otel/traces.jsonl"
"$LLMOPS" --store "$T/vercel.db" import "$V" >"$T/out" 2>&1
has "$T/out" "other spans of their traces kept"
tid=$(sqlite3 "$T/vercel.db" "SELECT trace_id FROM calls_v WHERE output LIKE '%San Francisco%' LIMIT 1")
expect_rc 0 "$LLMOPS" --store "$T/vercel.db" trace "$tid"
has "$T/out" "trace $tid"
has "$T/out" "invoke_agent"
has "$T/out" "execute_tool"
has "$T/out" "[call "
span=$(sqlite3 "$T/vercel.db" "SELECT span_id FROM calls_v WHERE trace_id='$tid' LIMIT 1")
expect_rc 0 "$LLMOPS" --store "$T/vercel.db" trace "$span" --json
eq "$(json "$T/out" "d['trace_id']")" "$tid"
eq "$(json "$T/out" "[s['name'].split()[0] for s in d['spans'] if s['depth'] == 0]")" "['invoke_agent']"
eq "$(json "$T/out" "sum(1 for s in d['spans'] if s['call'] and s['call']['outermost'])")" \
	"$(sqlite3 "$T/vercel.db" "SELECT count(*) FROM calls_v WHERE trace_id='$tid'")"
expect_rc 1 "$LLMOPS" --store "$T/vercel.db" trace 0123456789abcdef0123456789abcdef
has "$T/err" "no trace or call"

t trace-hostile-names
python3 - "$T/hostile-trace.jsonl" <<'PY'
import json, sys
def kv(k, v):
    return {"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}}
evil = "tool \x1b]52;c;cm0gLXJmIH4=\x07\u202egnp.exe\u200b\x9b31m"
spans = [
    {"traceId": "ab" * 16, "spanId": "01" * 8, "name": evil, "kind": 1, "startTimeUnixNano": "1796000000000000000",
     "endTimeUnixNano": "1796000001000000000", "attributes": [kv("note", evil)]},
    {"traceId": "ab" * 16, "spanId": "02" * 8, "parentSpanId": "01" * 8, "name": "chat " + evil, "kind": 3,
     "startTimeUnixNano": "1796000000100000000", "endTimeUnixNano": "1796000000900000000",
     "attributes": [kv("gen_ai.operation.name", "chat"), kv("gen_ai.provider.name", "openai"),
                    kv("gen_ai.request.model", "gpt-4o-mini" + evil), kv("gen_ai.usage.input_tokens", 10),
                    kv("gen_ai.usage.output_tokens", 2)]}]
open(sys.argv[1], "w").write(json.dumps({"resourceSpans": [{"resource": {}, "scopeSpans": [
    {"scope": {"name": "x" + evil}, "spans": spans}]}]}) + "\n")
PY
"$LLMOPS" --store "$T/hostile-trace.db" import "$T/hostile-trace.jsonl" >/dev/null 2>&1
for fmt in "" --json; do
	"$LLMOPS" --store "$T/hostile-trace.db" trace abababababababababababababababab $fmt >"$T/out" 2>&1
	eq "$?" 0
	# no ESC, BEL, C1 (as UTF-8 or raw), bidi override or zero-width space reaches the output
	eq "$(python3 -c "import sys; t=open(sys.argv[1],'rb').read().decode('utf-8', 'replace'); print(any(x in t for x in '\x1b\x07\x9b\u202e\u200b'))" "$T/out")" False
done
