# Bad input: each rejected record named by FILE:LINE and why, the rest kept.
t bad-lines
B="$T/bad.jsonl"
{
	echo '{"ts":"2026-11-23T11:00:00Z","model":"gpt-4o","input_tokens":10,"output_tokens":2}'
	echo '{"ts":"2026-11-23T11:00:01Z","model":"gpt-4o"'
	echo '{"ts":"2026-11-23T11:00:02Z","model":"gpt-4o",}'
	echo '[1,2]'
	echo '{"ts":"2026-11-23T11:00:03Z","model":"gpt-4o","output_tokens":"many"}'
	printf '\001\002\000\377binary\n'
	echo ''
	echo '{"ts":"2026-11-23T11:00:04Z","model":"gpt-4o","input_tokens":5,"output_tokens":1}'
} >"$B"
python3 -c "import sys; sys.stdout.write('{\"ts\":\"2026-11-23T11:00:05Z\",\"model\":\"x\",\"output\":\"' + 'a'*(17*1024*1024) + '\"}\n')" >>"$B"
echo '{"ts":"2026-11-23T11:00:06Z","model":"gpt-4o","input_tokens":7,"output_tokens":1}' >>"$B"
printf '{"ts":"2026-11-23T11:00:07Z","model":"gpt-4o"' >>"$B"
expect_rc 3 "$LLMOPS" --store "$T/bad.db" import "$B"
has "$T/err" "llmops: $B:2: truncated JSON"
has "$T/err" "llmops: $B:3: malformed JSON at column"
has "$T/err" "llmops: $B:4: expected a JSON object, got an array"
has "$T/err" "llmops: $B:5: output_tokens: expected a whole number"
has "$T/err" "llmops: $B:6: binary data"
has "$T/err" "llmops: $B:9: line longer than 16 MiB"
has "$T/err" "llmops: $B:11: truncated JSON"
has "$T/out" "3 calls imported, 7 records rejected"
"$LLMOPS" --store "$T/bad.db" report --since 1d --json >"$T/bad.json"
eq "$(json "$T/bad.json" "d['total']['calls'] * 1000 + d['total']['input_tokens']")" 3022

t many-bad-lines
for i in $(seq 1 25); do echo "not json $i"; done >"$T/worse.jsonl"
echo '{"ts":"2026-11-23T11:00:00Z","model":"gpt-4o"}' >>"$T/worse.jsonl"
expect_rc 3 "$LLMOPS" --store "$T/bad.db" import "$T/worse.jsonl"
eq "$(grep -c "llmops: $T/worse.jsonl:[0-9]*:" "$T/err")" 10
has "$T/err" "llmops: $T/worse.jsonl: 15 more records rejected"
t all-bad
printf 'garbage\nmore garbage\n' >"$T/all-bad.jsonl"
expect_rc 1 "$LLMOPS" --store "$T/bad.db" import "$T/all-bad.jsonl"

t missing-file
expect_rc 1 "$LLMOPS" --store "$T/bad.db" import "$T/nope.jsonl"
has "$T/err" "llmops: $T/nope.jsonl: No such file or directory"
t directory
expect_rc 1 "$LLMOPS" --store "$T/bad.db" import "$T"
has "$T/err" "is a directory"
t unreadable
echo '{}' >"$T/secret.jsonl"
chmod 000 "$T/secret.jsonl"
if [ "$(id -u)" != 0 ]; then
	expect_rc 1 "$LLMOPS" --store "$T/bad.db" import "$T/secret.jsonl"
	has "$T/err" "Permission denied"
fi
t several-files-worst-status
expect_rc 1 "$LLMOPS" --store "$T/bad.db" import "$CORPUS/otel/generated/otlp_traces_otel.jsonl" "$T/nope.jsonl"
has "$T/out" "otlp_traces_otel.jsonl: 3 calls imported"

t stdin
echo '{"ts":"2026-11-23T11:30:00Z","model":"claude-haiku-4-5","provider":"anthropic","input_tokens":1000,"output_tokens":100}' |
	"$LLMOPS" --store "$T/stdin.db" import - >"$T/out" 2>"$T/err"
eq "$?" 0
has "$T/out" "<stdin>: 1 calls imported [jsonl"
"$LLMOPS" --store "$T/stdin.db" report --json --since 1h >"$T/o.json"
# claude-haiku-4-5: $1 / M input, $5 / M output
eq "$(json "$T/o.json" "d['total']['cost_usd']")" 0.0015
cat "$CORPUS/otel/generated/otlp_traces_traceloop.pretty.json" | "$LLMOPS" --store "$T/stdin.db" import - >"$T/out" 2>&1
has "$T/out" "2 calls imported [otlp"

t untrusted-text-in-report
printf '{"ts":"2026-11-23T11:40:00Z","model":"evil\\u001b]0;PWNED\\u0007\\u001b[2Jmodel"}\n' |
	"$LLMOPS" --store "$T/evil.db" import - >/dev/null 2>&1
"$LLMOPS" --store "$T/evil.db" report --since 1h >"$T/evil.txt"
if grep -q "$(printf '\033')" "$T/evil.txt"; then bad "an ESC byte reached stdout"; else ok; fi
has "$T/evil.txt" "evil"
"$LLMOPS" --store "$T/evil.db" report --since 1h --json >"$T/evil.json"
if grep -q "$(printf '\033')" "$T/evil.json"; then bad "an ESC byte in the JSON"; else ok; fi
eq "$(json "$T/evil.json" "d['groups'][0]['key']")" "$(printf 'evil\033]0;PWNED\007\033[2Jmodel')"
