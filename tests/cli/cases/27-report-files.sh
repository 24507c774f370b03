# report FILE...: the report straight from trace files is the one an import
# into a fresh store gives, text and --json, on every corpus and on generated
# calls, with a call read twice counted once; nothing is left on disk.
same_report() { # LABEL OPTIONS FILE...: report FILE... against import + report
	label=$1 opts=$2
	shift 2
	rm -f "$T/ref.db" "$T/ref.db-wal" "$T/ref.db-shm"
	"$LLMOPS" --store "$T/ref.db" import "$@" >/dev/null 2>&1
	"$LLMOPS" --store "$T/ref.db" report $opts >"$T/want" 2>&1
	run "$LLMOPS" --store "$T/none.db" report $opts "$@"
	if cmp -s "$T/want" "$T/out"; then ok; else bad "$label: report $opts FILE differs: $(diff "$T/want" "$T/out" | head -20)"; fi
}

t report-files-jsonl
"$PWD/build/gen_jsonl" 20000 2026-11-23T12:00:00Z 7 >"$T/gen.jsonl"
head -n 3000 "$T/gen.jsonl" >"$T/again.jsonl" # the first calls read a second time
for o in "--since 30d --json" "--since 30d" "--since 1h --json" "--since 7d --by prompt --json" "--since 2d --by feature" \
	"--since 1d --changes" "--from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z --json"; do
	same_report jsonl "$o" "$T/gen.jsonl" "$T/again.jsonl"
done
run "$LLMOPS" report --since 30d --json "$T/gen.jsonl" "$T/again.jsonl"
eq "$(json "$T/out" "d['total']['calls']")" 20000
t report-files-otlp
set --
for f in $CORPUS_OTLP; do set -- "$@" "$CORPUS/otel/generated/$f"; done
same_report otlp "--since 30d --json" "$@" "$CORPUS/otel/generated/otlp_traces_otel.jsonl"
same_report otlp-text "--since 30d" "$@"
for d in langfuse openinference traceloop vercel-ai-otel; do
	same_report "$d" "--since 3650d --json" "$CORPUS/captured/$d/traces.jsonl" "$CORPUS/captured/$d/traces.pb"
done
t report-files-llm-logsdb
logsdb_with_a_row "$T/logs.db"
same_report llm "--since 30d --json" "$T/logs.db" "$T/logs.db"
t report-files-mixed
same_report mixed "--since 30d --by provider --json" "$T/logs.db" "$@" "$T/again.jsonl"

t report-files-leave-nothing
mkdir -p "$T/tmp"
TMPDIR="$T/tmp" expect_rc 0 "$LLMOPS" --store "$T/none.db" report --since 30d "$T/again.jsonl"
eq "$(ls -A "$T/tmp")" ""
[ -e "$T/none.db" ] && bad "report FILE created the store" || ok

t report-files-bad-input
{ head -n 2 "$T/again.jsonl"; echo '{"ts": "yesterday"'; sed -n 3,5p "$T/again.jsonl"; } >"$T/bad.jsonl"
expect_rc 3 "$LLMOPS" report --since 30d --json "$T/bad.jsonl"
has "$T/err" "bad.jsonl:3:"
eq "$(json "$T/out" "d['total']['calls']")" 5
expect_rc 1 "$LLMOPS" report --since 30d "$T/missing.jsonl"
has "$T/err" "missing.jsonl: No such file or directory"
eq "$(cat "$T/out")" ""

t report-files-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "report [OPTIONS] [--format auto|otlp|jsonl|llm] FILE..."
