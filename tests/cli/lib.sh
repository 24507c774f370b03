# Helpers and set-ups shared by the command-line cases (tests/cli/cases),
# sourced by tests/lib/harness.sh in each case's own shell: the real ./llmops
# on real and generated files, checking what a user sees (stdout, stderr,
# exit status) and what lands in the store.
export LLMOPS_NOW=2026-11-23T12:00:00Z

# The store most cases read: the corpus imported (corpus_store).
S="$T/store.db"
# The OTLP files of the corpus that corpus_store imports, in order.
CORPUS_OTLP="otlp_logs_otel.pretty.json otlp_traces_otel.jsonl otlp_traces_traceloop.jsonl
	otlp_traces_openinference.jsonl otlp_traces_otel.pretty.json"

# logsdb_with_a_row FILE: an llm logs.db of the corpus holding one response,
# read-only as a user's own would be to another program.
logsdb_with_a_row() {
	cp "$CORPUS/llm_logsdb/logs_empty_llm_0.31.1.db" "$1"
	sqlite3 "$1" "INSERT INTO responses(id, model, prompt, response, duration_ms, datetime_utc, input_tokens, output_tokens)
	VALUES('01jm8ec74wxsdatyn5pq1fp0s5','gpt-4o-mini','hello','hi there',500,'2026-11-23T11:30:00+00:00',10,3)"
	chmod 444 "$1"
}

# corpus_store: $S with the corpus's OTLP files and a logs.db imported
# (8 calls, one of them an error), as 02-import-corpus builds it.
corpus_store() {
	for f in $CORPUS_OTLP; do
		"$LLMOPS" --store "$S" import "$CORPUS/otel/generated/$f" >/dev/null 2>&1
	done
	logsdb_with_a_row "$T/logs.db"
	"$LLMOPS" --store "$S" import "$T/logs.db" >/dev/null 2>&1
}

# stdin_store: $T/stdin.db, 3 calls read from standard input, as 03-bad-input builds it.
stdin_store() {
	echo '{"ts":"2026-11-23T11:30:00Z","model":"claude-haiku-4-5","provider":"anthropic","input_tokens":1000,"output_tokens":100}' |
		"$LLMOPS" --store "$T/stdin.db" import - >/dev/null 2>&1
	"$LLMOPS" --store "$T/stdin.db" import - <"$CORPUS/otel/generated/otlp_traces_traceloop.pretty.json" >/dev/null 2>&1
}

# big_import: $G, 150,000 generated calls, and $T/clean.json, the report of
# a store that imported them in one go.
big_import() {
	G="$T/gen.jsonl"
	"$PWD/build/gen_jsonl" 150000 2026-11-23T12:00:00Z 5 >"$G" 2>/dev/null || python3 - "$G" <<'EOF'
import json, sys, random
random.seed(5)
with open(sys.argv[1], "w") as f:
    for i in range(150000):
        f.write(json.dumps({"ts": 1795000000 + i, "model": random.choice(["gpt-4o", "claude-haiku-4-5"]),
                            "input_tokens": random.randint(10, 2000), "output_tokens": random.randint(1, 500),
                            "latency_ms": random.random() * 5000, "input": [{"role": "user", "content": "x" * 500}]}) + "\n")
EOF
	"$LLMOPS" --store "$T/clean.db" import "$G" >/dev/null 2>&1
	"$LLMOPS" --store "$T/clean.db" report --since 30d --json >"$T/clean.json"
}

# no_controls FILE: the bytes hold no ESC, BEL or C1 control (raw or UTF-8)
no_controls() {
	if python3 -c "import sys; t=open(sys.argv[1],'rb').read().decode('utf-8','replace')
sys.exit(any(c in '\x1b\x07' or 0x80 <= ord(c) <= 0x9f for c in t))" "$1"; then ok; else
		bad "$(basename "$1") holds a terminal control: $(od -c "$1" | head -5)"
	fi
}

calls_of() { # STORE: what is stored of each call (bodies are compressed per store)
	sqlite3 "$1" "SELECT trace_id, span_id, ts, provider, model, request_model, operation, input_tokens,
		cached_tokens, output_tokens, latency_ms, status, error_type, error_message FROM calls_v ORDER BY span_id"
}

# ---- provider usage and cost APIs, against a local server ----------------------
# tests/server/fake_api.py speaks the four endpoints; each case gets a plan
# (tests/cli/plans.py). The keys are distinctive so that a grep finds any copy of them.
OK_KEY=sk-admin-CLITEST-openai-5d1e9c0a
AK_KEY=sk-ant-admin01-CLITEST-anth-77b0f3
FAKE_PID=""
fake_stop() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=""
}
at_exit fake_stop
fake() { # PLAN: the providers answer from $T/plans/PLAN.json; requests go to $T/fake.log
	fake_stop
	if [ ! -d "$T/plans" ]; then
		mkdir -p "$T/plans"
		python3 tests/cli/plans.py "$T/plans"
	fi
	rm -f "$T/fake.port" "$T/fake.log"
	python3 tests/server/fake_api.py "$T/plans/$1.json" "$T/fake.log" "$T/fake.port" 2>"$T/fake.err" &
	FAKE_PID=$!
	i=0
	while [ ! -f "$T/fake.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat "$T/fake.port")
	: >"$T/fake.log"
}
# keyed CMD...: with both admin keys and the fake server as both providers
keyed() {
	env OPENAI_ADMIN_KEY="$OK_KEY" ANTHROPIC_ADMIN_KEY="$AK_KEY" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
		ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" "$@"
}
# reqs PATH [QUERY-PART...]: the requests the server saw on PATH whose query holds every part
reqs() {
	python3 -c 'import json,sys
n = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["path"] == sys.argv[2] and all(q in d["query"] for q in sys.argv[3:]):
        n += 1
print(n)' "$T/fake.log" "$@"
}
# nth_query PATH N [QUERY-PART...]: the query of the Nth such request (1-based)
nth_query() {
	python3 -c 'import json,sys
m = [json.loads(l) for l in open(sys.argv[1])]
m = [d for d in m if d["path"] == sys.argv[2] and all(q in d["query"] for q in sys.argv[4:])]
print(m[int(sys.argv[3]) - 1]["query"] if len(m) >= int(sys.argv[3]) else "")' "$T/fake.log" "$@"
}
sq() { sqlite3 "$1" "$2"; }
# gap PATH QUERY-PART: seconds between the first two such requests
gap() {
	python3 -c 'import json,sys
t = [d["t"] for d in map(json.loads, open(sys.argv[1])) if d["path"] == sys.argv[2] and sys.argv[3] in d["query"]]
print("%.1f" % (t[1] - t[0]) if len(t) > 1 else "none")' "$T/fake.log" "$@"
}
at_least_1s() { # SECONDS: 0.9 or more (a lower bound only: a slow machine passes too)
	if [ "$1" != none ] && [ "$(python3 -c "print(float('$1') >= 0.9)")" = True ]; then ok; else bad "retried after $1 s, wanted 1 s or more"; fi
}

# ---- usage sync against a hostile provider -----------------------------------
# hostile_sync [ENV=VALUE...]: usage sync of openai against the running fake,
# its peak memory (KiB) in $T/peak
hostile_sync() {
	keyed env "$@" timeout 120 /usr/bin/time -f %M -o "$T/peak" "$LLMOPS" --store "$T/hostile.db" usage sync \
		--provider openai --since 1h >"$T/out" 2>"$T/err"
	rc=$?
}
under_256m() {
	kb=$(tail -n 1 "$T/peak")
	if [ "$kb" -lt 262144 ] 2>/dev/null; then ok; else bad "peak memory $kb KiB, wanted under 256 MiB"; fi
}
ended() { if [ "$rc" -ne 124 ]; then ok; else bad "still running after 120 s"; fi; }
