# The corpus imported into one store, and the reports read from it.
t import-otlp
for f in $CORPUS_OTLP; do
	expect_rc 0 "$LLMOPS" --store "$S" import "$CORPUS/otel/generated/$f"
done
has "$T/out" "0 calls imported, 3 already in the store [otlp"
t store-mode
mode=$(stat -c %a "$S")
eq "$mode" 600
t no-progress-on-a-pipe
eq "$(cat "$T/err")" ""

t progress-on-a-terminal
if command -v script >/dev/null 2>&1; then
	script -qec "$LLMOPS --store $T/pty.db import $CORPUS/otel/generated/otlp_traces_otel.jsonl" /dev/null >"$T/pty.out" 2>&1
	has "$T/pty.out" "records"
	has "$T/pty.out" "MB/s"
	has "$T/pty.out" "ETA"
	has "$T/pty.out" "3 calls imported"
fi
t non-llm-spans-skipped
expect_rc 0 "$LLMOPS" --store "$T/proto.db" import "$CORPUS/otel/otlp-proto_examples_trace.json"
has "$T/out" "0 calls imported, 1 spans skipped (not LLM calls)"

t options-anywhere
"$LLMOPS" --store "$S" report --json --since 30d >"$T/a.json" 2>&1
"$LLMOPS" report --since=30d --json --store="$S" >"$T/b.json" 2>&1
if cmp -s "$T/a.json" "$T/b.json"; then ok; else bad "different output"; fi
eq "$(json "$T/a.json" "d['total']['calls']")" 7
eq "$(json "$T/a.json" "d['total']['errors']")" 1
eq "$(json "$T/a.json" "d['total']['errors_by_type']")" "{'not_found': 1}"
eq "$(json "$T/a.json" "d['by']")" model
eq "$(json "$T/a.json" "[g['key'] for g in d['groups']][0]")" gpt-4-0613
eq "$(json "$T/a.json" "d['unpriced_models']")" "['this-model-does-not-exist']"
eq "$(json "$T/a.json" "sorted(d['groups'][0].keys())")" \
	"['cached_tokens', 'calls', 'cost_usd', 'error_rate', 'errors', 'errors_by_type', 'input_tokens', 'key', 'latency_ms', 'output_tokens', 'ttft_ms', 'unpriced_calls']"

t report-text
expect_rc 0 "$LLMOPS" --store "$S" report --since 30d
has "$T/out" "7 calls, 1 errors"
has "$T/out" "MODEL"
has "$T/out" "gpt-4o-mini-2024-07-18"
has "$T/out" "errors by type: not_found 1"
has "$T/out" "unpriced: 1 calls"
t report-from-to
expect_rc 0 "$LLMOPS" --store "$S" report --from 2026-11-23T00:00:00Z --to 2026-11-24T00:00:00Z --json
eq "$(json "$T/out" "d['from'] + ' ' + d['to']")" "2026-11-23T00:00:00Z 2026-11-24T00:00:00Z"
expect_rc 0 "$LLMOPS" --store "$S" report --from 1700000000 --to 1700003600 --json
eq "$(json "$T/out" "d['total']['calls']")" 0
expect_rc 2 "$LLMOPS" --store "$S" report --from 2026-11-24T00:00:00Z --to 2026-11-23T00:00:00Z
expect_rc 2 "$LLMOPS" --store "$S" report --since 1h --from 2026-11-23T00:00:00Z
t report-no-store
expect_rc 1 "$LLMOPS" --store "$T/none.db" report
has "$T/err" "no store at $T/none.db"

t import-llm-logsdb
logsdb_with_a_row "$T/logs.db"
expect_rc 0 "$LLMOPS" --store "$S" import "$T/logs.db"
has "$T/out" "1 calls imported [llm"
expect_rc 1 "$LLMOPS" --store "$S" import --format llm "$CORPUS/otel/generated/otlp_traces_otel.jsonl"
has "$T/err" "not a SQLite database"
expect_rc 1 "$LLMOPS" --store "$S" import --format jsonl "$T/logs.db"
has "$T/err" "is a SQLite database"

t bad-now
LLMOPS_NOW=someday "$LLMOPS" --store "$S" report >"$T/out" 2>"$T/err"
eq "$?" 2
has "$T/err" "LLMOPS_NOW"
