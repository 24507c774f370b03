# llmops FILE...: a file where a command is expected opens the console on it (here without a
# display, playing a script: the screen is saved to a file); the commands keep their names.
mkdir -p "$T/w"
printf '%s\n' \
	'{"ts":"2026-11-16T09:00:00Z","model":"gpt-4o","provider":"openai","input_tokens":1000,"output_tokens":100,"latency_ms":800}' \
	'{"ts":"2026-11-16T09:05:00Z","model":"gpt-4o","provider":"openai","input_tokens":1000,"output_tokens":100,"latency_ms":900}' \
	'{"ts":"2026-11-16T09:10:00Z","model":"claude-haiku-4-5","provider":"anthropic","input_tokens":500,"output_tokens":50,"latency_ms":400,"status":"error","error_type":"rate_limit"}' \
	>"$T/w/week-old.jsonl"
# headless FILE ARGS...: the console on the arguments, its screen saved in $T/screen.
headless() {
	printf ':save-display %s\n' "$T/screen" >"$T/script"
	rm -f "$T/screen"
	run env LLMOPS_NO_DISPLAY=1 LLMOPS_SCRIPT="$T/script" LINES=24 COLUMNS=100 "$LLMOPS" "$@"
}

t open-unknown-word
expect_rc 2 "$LLMOPS" nosuchcmd
has "$T/err" "llmops: unknown command 'nosuchcmd'"
lacks "$T/err" "No such file"

t open-file-temporary-store
headless "$T/w/week-old.jsonl"
eq "$rc" 0
has "$T/screen" "imported 3 calls from week-old.jsonl"
has "$T/screen" "temporary store"
# A file from last week: the window is its time, not the hour before now (2026-11-23 12:00).
has "$T/screen" "to 11-16 09:11 UTC"
has "$T/screen" "3 calls"
# Removed on the way out.
eq "$(find "$HOME/.cache/llmops" -name 'open-*' 2>/dev/null | wc -l)" 0
[ -e "$XDG_DATA_HOME/llmops/llmops.db" ] && bad "the default store was created" || ok

t open-file-named-store
headless --store "$T/kept.db" "$T/w/week-old.jsonl"
eq "$rc" 0
has "$T/screen" "store kept.db"
eq "$(sqlite3 "$T/kept.db" 'SELECT count(*) FROM calls')" 3

t open-file-like-a-command
# A file called import: the command wins; ./import is the file.
cp "$T/w/week-old.jsonl" "$T/w/import"
(cd "$T/w" && expect_rc 2 "$LLMOPS" import)
has "$T/err" "import: give the files to import"
(cd "$T/w" && headless ./import)
has "$T/screen" "imported 3 calls from import"

t open-file-bad-line
{
	cat "$T/w/week-old.jsonl"
	echo '{"ts":"2026-11-16T09:20:00Z","model":"gpt-4o","input_tokens":"many"}'
} >"$T/w/bad.jsonl"
headless "$T/w/bad.jsonl"
# Some records rejected: the exit status says so, and every reason is printed once the screen is gone.
eq "$rc" 3
has "$T/screen" "$T/w/bad.jsonl:4: "
has "$T/err" "llmops: $T/w/bad.jsonl:4: "
has "$T/err" "input_tokens"

t open-file-options
expect_rc 2 "$LLMOPS" "$T/w/week-old.jsonl" --json
has "$T/err" "option --json does not apply"
expect_rc 2 "$LLMOPS" --format xml "$T/w/week-old.jsonl"
has "$T/err" "--format: expected auto, otlp, jsonl or llm"
headless --format jsonl "$T/w/week-old.jsonl" "$CORPUS/otel/generated/otlp_traces_traceloop.jsonl"
# Told jsonl, the OTLP file's lines are not call records: nothing of it usable, as import says.
eq "$rc" 1
has "$T/err" "otlp_traces_traceloop.jsonl:1: "

t open-otlp-file
headless "$CORPUS/captured/openinference/traces.jsonl"
eq "$rc" 0
has "$T/screen" "imported 17 calls from traces.jsonl"

t open-file-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "llmops [--store PATH] [--format auto|otlp|jsonl|llm] FILE..."
has "$T/out" "temporary store removed on quit unless --store names one"
