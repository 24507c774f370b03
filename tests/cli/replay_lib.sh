# The replay tests' stand-in for the providers (tests/server/fake_api.py), which
# answers with the exchanges recorded in tests/corpus and keeps every request
# it received, and a store of calls to replay. Sourced by the replay cases of
# tests/cli/cases (the helpers and $T of tests/lib/harness.sh).

R="$T/replay"
mkdir -p "$R"
RS="$R/store.db"
OKEY=sk-test-openai-Zq81Lx
AKEY=sk-ant-test-anthropic-Wd52Pp

# Two calls of prompt `support` at version 2, each with its variables and a
# conversation whose other messages must reach the provider untouched.
cat >"$R/calls.jsonl" <<'JSONL'
{"ts":"2026-11-23T11:00:00Z","trace_id":"aa01","span_id":"00000000000000a1","provider":"openai","model":"gpt-4o-2024-08-06","prompt_name":"support","prompt_version":"2","variables":{"company":"Northwind","tier":"gold"},"input_tokens":40,"output_tokens":9,"latency_ms":900,"ttft_ms":300,"status":"error","error_type":"server_error","input":[{"role":"system","content":"v2 text for Northwind"},{"role":"user","content":"Where is order 42?"},{"role":"assistant","content":"Let me check."},{"role":"user","content":"Thanks, still waiting"}],"output":"Sorry, I cannot help."}
{"ts":"2026-11-23T11:01:00Z","trace_id":"aa02","span_id":"00000000000000a2","provider":"anthropic","model":"claude-3-5-sonnet-20240620","prompt_name":"support","prompt_version":"2","variables":{"company":"Northwind","tier":"silver"},"input_tokens":30,"output_tokens":7,"latency_ms":700,"status":"ok","input":[{"role":"system","content":"v2 text"},{"role":"user","content":[{"type":"text","text":"Refund please"}]}],"output":"Refund issued."}
{"ts":"2026-11-23T11:02:00Z","trace_id":"aa03","span_id":"00000000000000a3","provider":"openai","model":"gpt-4o-mini","prompt_name":"support","prompt_version":"2","variables":{"company":"Northwind","tier":"bronze"},"input_tokens":30,"output_tokens":7,"latency_ms":700,"status":"ok","input":[{"role":"user","content":"Hi"}],"output":"Hello."}
{"ts":"2026-11-23T11:03:00Z","trace_id":"aa04","span_id":"00000000000000a4","provider":"google","model":"gemini-1.5-pro","prompt_name":"support","prompt_version":"2","variables":{"company":"Northwind","tier":"gold"},"input":[{"role":"user","content":"Hi"}],"output":"Hello."}
JSONL
"$LLMOPS" --store "$RS" import "$R/calls.jsonl" >/dev/null 2>&1
printf 'You help customers of {{company}}.\nTier: {{ tier }}.\nBe brief.\n' >"$R/v1.txt"
printf 'You help customers of {{company}}.\nTier: {{tier}}.\nPlan: {{plan}}.\nBe very thorough.\n' >"$R/v2.txt"
"$LLMOPS" --store "$RS" prompt add support "$R/v1.txt" --version 1 >/dev/null 2>&1
"$LLMOPS" --store "$RS" prompt add support "$R/v2.txt" --version 2 >/dev/null 2>&1

# fake PLAN: starts the server with that plan; $PORT and $RLOG are set.
FAKE_PID=""
fake() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	rm -f "$R/port" "$R/log.jsonl"
	printf '%s' "$1" >"$R/plan.json"
	python3 tests/server/fake_api.py "$R/plan.json" "$R/log.jsonl" "$R/port" &
	FAKE_PID=$!
	n=0
	while [ ! -s "$R/port" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	PORT=$(cat "$R/port")
	RLOG="$R/log.jsonl"
	touch "$RLOG"
}
stop_fake() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; FAKE_PID=""; }
# replay ARGS...: the replay command with the fake server's addresses and
# keys in the environment (never on the command line).
replay() {
	OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" \
		OPENAI_API_KEY=$OKEY ANTHROPIC_API_KEY=$AKEY "$LLMOPS" --store "$RS" replay "$@"
}
# req N EXPR: a Python expression over the Nth request received (r; b is its JSON body).
req() {
	python3 -c "import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; r=L[int(sys.argv[2])]; b=json.loads(r['body']) if r['body'] else None; print($2)" "$RLOG" "$1"
}
nreq() { wc -l <"$RLOG" | tr -d ' '; }
SSE='"headers": {"Content-Type": "text/event-stream"}'
OC=$CORPUS/openai
AC=$CORPUS/anthropic

