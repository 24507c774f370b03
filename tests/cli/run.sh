#!/bin/sh
# Command-line tests: the real ./llmops on real and generated files, checking
# what a user sees (stdout, stderr, exit status) and what lands in the store.
# Run from the repository root (make cli). Ends with "cli: N passed, N failed".
set -u

LLMOPS=${LLMOPS:-$PWD/llmops}
CORPUS=$PWD/tests/corpus
T=$(mktemp -d /tmp/llmops-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_STATE_HOME="$T/state"
mkdir -p "$HOME"
unset LLMOPS_STORE LLMOPSRC NO_COLOR
# Never the real providers, whatever the environment holds.
unset OPENAI_API_KEY OPENAI_ADMIN_KEY ANTHROPIC_API_KEY ANTHROPIC_ADMIN_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL
export LLMOPS_NOW=2026-11-23T12:00:00Z

pass=0
fail=0
name=""

t() { name=$1; }
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $name: $*"
}
# expect_rc WANT CMD...: runs CMD, stdout to $T/out, stderr to $T/err
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}
expect_rc() {
	want=$1
	shift
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, wanted $want ($*); stderr: $(head -c 400 "$T/err")"; fi
}
has() { # FILE PATTERN (fixed string)
	if grep -qF -- "$2" "$1"; then ok; else bad "$(basename "$1") lacks '$2': $(head -c 600 "$1")"; fi
}
lacks() {
	if grep -qF -- "$2" "$1"; then bad "$(basename "$1") has '$2'"; else ok; fi
}
eq() {
	if [ "$1" = "$2" ]; then ok; else bad "got '$1', wanted '$2'"; fi
}
json() { # FILE PYTHON-EXPRESSION over d
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

S="$T/store.db"

# ---- help, version, usage ---------------------------------------------------
t help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "import [--format auto|otlp|jsonl|llm] FILE"
has "$T/out" "report [--since DUR"
expect_rc 0 "$LLMOPS" help
expect_rc 0 "$LLMOPS" --version
has "$T/out" "llmops 0."
t usage
expect_rc 2 "$LLMOPS" frobnicate
has "$T/err" "llmops: unknown command 'frobnicate'"
expect_rc 2 "$LLMOPS" report --bogus
has "$T/err" "unknown option '--bogus'"
expect_rc 2 "$LLMOPS" import --json x
has "$T/err" "option --json does not apply to 'import'"
expect_rc 2 "$LLMOPS" report --since soon
has "$T/err" "--since: expected a duration"
expect_rc 2 "$LLMOPS" report --by colour
expect_rc 2 "$LLMOPS" import
expect_rc 2 "$LLMOPS" --store
has "$T/err" "needs a value"
t api-key-on-command-line
expect_rc 2 "$LLMOPS" report --api-key=sk-secret
lacks "$T/err" "sk-secret"

# ---- import the corpus -------------------------------------------------------
t import-otlp
for f in otlp_logs_otel.pretty.json otlp_traces_otel.jsonl otlp_traces_traceloop.jsonl \
	otlp_traces_openinference.jsonl otlp_traces_otel.pretty.json; do
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
cp "$CORPUS/llm_logsdb/logs_empty_llm_0.31.1.db" "$T/logs.db"
sqlite3 "$T/logs.db" "INSERT INTO responses(id, model, prompt, response, duration_ms, datetime_utc, input_tokens, output_tokens)
	VALUES('01jm8ec74wxsdatyn5pq1fp0s5','gpt-4o-mini','hello','hi there',500,'2026-11-23T11:30:00+00:00',10,3)"
chmod 444 "$T/logs.db"
expect_rc 0 "$LLMOPS" --store "$S" import "$T/logs.db"
has "$T/out" "1 calls imported [llm"
expect_rc 1 "$LLMOPS" --store "$S" import --format llm "$CORPUS/otel/generated/otlp_traces_otel.jsonl"
has "$T/err" "not a SQLite database"
expect_rc 1 "$LLMOPS" --store "$S" import --format jsonl "$T/logs.db"
has "$T/err" "is a SQLite database"

# ---- bad input ---------------------------------------------------------------
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

# ---- OTLP protobuf -----------------------------------------------------------
# The protobuf twins of the corpus give the calls of their JSON files;
# build/otlp_json2pb writes the three framings of the same requests.
J2P=$PWD/build/otlp_json2pb
G="$CORPUS/otel/generated"
calls_of() { # STORE: what is stored of each call (bodies are compressed per store)
	sqlite3 "$1" "SELECT trace_id, span_id, ts, provider, model, request_model, operation, input_tokens,
		cached_tokens, output_tokens, latency_ms, status, error_type, error_message FROM calls_v ORDER BY span_id"
}
t protobuf-twins
for f in otel:3 traceloop:2 openinference:2; do
	expect_rc 0 "$LLMOPS" --store "$T/pbj.db" import "$G/otlp_traces_${f%:*}.jsonl"
	expect_rc 0 "$LLMOPS" --store "$T/pbp.db" import "$G/otlp_traces_${f%:*}.pb"
	has "$T/out" "otlp_traces_${f%:*}.pb: ${f#*:} calls imported [otlp"
done
"$LLMOPS" --store "$T/pbj.db" report --json --since 30d >"$T/pbj.json"
"$LLMOPS" --store "$T/pbp.db" report --json --since 30d >"$T/pbp.json"
if cmp -s "$T/pbj.json" "$T/pbp.json"; then ok; else bad "report --json differs: $(diff "$T/pbj.json" "$T/pbp.json" | head -5)"; fi
eq "$(json "$T/pbp.json" "d['total']['calls']")" 7
eq "$(json "$T/pbp.json" "d['total']['errors_by_type']")" "{'not_found': 1}"
eq "$(calls_of "$T/pbp.db")" "$(calls_of "$T/pbj.db")"
eq "$(sqlite3 "$T/pbp.db" "SELECT count(*) FROM calls_v WHERE output_tokens > 0")" 4
t protobuf-twin-again-is-a-duplicate
expect_rc 0 "$LLMOPS" --store "$T/pbp.db" import "$G/otlp_traces_otel.jsonl"
has "$T/out" "0 calls imported, 3 already in the store [otlp"

t protobuf-logs
expect_rc 0 "$LLMOPS" --store "$T/pbl.db" import "$G/otlp_logs_otel.pb"
has "$T/out" "0 calls imported, 5 content events"
expect_rc 0 "$LLMOPS" --store "$T/pbl.db" import "$G/otlp_traces_otel.pb"
has "$T/out" "3 calls imported"
expect_rc 0 "$LLMOPS" --store "$T/pbl2.db" import "$G/otlp_logs_otel.pretty.json"
expect_rc 0 "$LLMOPS" --store "$T/pbl2.db" import "$G/otlp_traces_otel.jsonl"
# The messages of the log records reached their calls, as from JSON.
eq "$(sqlite3 "$T/pbl.db" "SELECT count(*) FROM calls WHERE from_events != 0")" 3
eq "$(sqlite3 "$T/pbl2.db" "SELECT count(*) FROM calls WHERE from_events != 0")" 3

t protobuf-from-an-exporter
# Bodies the OpenTelemetry JS exporters POSTed, varint-delimited (captured/PROVENANCE.md).
C="$PWD/tests/corpus/captured/otel-openai"
expect_rc 0 "$LLMOPS" --store "$T/pbc.db" import "$C/logs.pb"
has "$T/out" "0 calls imported, 9 content events"
expect_rc 0 "$LLMOPS" --store "$T/pbc.db" import "$C/traces.pb"
has "$T/out" "6 calls imported [otlp"
"$LLMOPS" --store "$T/pbc2.db" import "$C/logs.jsonl" "$C/traces.jsonl" >/dev/null
eq "$(calls_of "$T/pbc.db")" "$(calls_of "$T/pbc2.db")"
eq "$(sqlite3 "$T/pbc.db" "SELECT count(*) FROM calls WHERE from_events != 0")" \
	"$(sqlite3 "$T/pbc2.db" "SELECT count(*) FROM calls WHERE from_events != 0")"

t protobuf-framings
"$LLMOPS" --store "$T/pbj-otel.db" import "$G/otlp_traces_otel.jsonl" >/dev/null
for fr in single varint be32; do
	"$J2P" $fr "$G/otlp_traces_otel.jsonl" "$T/otel.$fr.pb"
	expect_rc 0 "$LLMOPS" --store "$T/pb-$fr.db" import "$T/otel.$fr.pb"
	has "$T/out" "otel.$fr.pb: 3 calls imported [otlp"
	eq "$(calls_of "$T/pb-$fr.db")" "$(calls_of "$T/pbj-otel.db")"
done
if cmp -s "$T/otel.single.pb" "$G/otlp_traces_otel.pb"; then ok; else bad "the committed twin is not what otlp_json2pb writes"; fi
expect_rc 0 "$LLMOPS" --store "$T/pb-fmt.db" import --format otlp "$T/otel.varint.pb"
has "$T/out" "3 calls imported [otlp"
t protobuf-stdin
"$LLMOPS" --store "$T/pb-stdin.db" import - <"$T/otel.be32.pb" >"$T/out" 2>"$T/err"
eq "$?" 0
has "$T/out" "<stdin>: 3 calls imported [otlp"

# byte_of FILE N: where the Nth message of a 4-byte length-prefixed file starts
byte_of() {
	python3 -c "
import sys
d = open(sys.argv[1], 'rb').read(); off = 0
for _ in range(int(sys.argv[2]) - 1): off += 4 + int.from_bytes(d[off:off + 4], 'big')
print(off)" "$1" "$2"
}
t protobuf-truncated
size=$(stat -c %s "$T/otel.be32.pb")
head -c $((size - 10)) "$T/otel.be32.pb" >"$T/trunc.pb"
expect_rc 3 "$LLMOPS" --store "$T/pb-trunc.db" import "$T/trunc.pb"
has "$T/err" "llmops: $T/trunc.pb: message 3 (byte $(byte_of "$T/otel.be32.pb" 3)): truncated: the length prefix claims"
has "$T/out" "2 calls imported, 1 records rejected"
head -c $(($(stat -c %s "$T/otel.single.pb") - 10)) "$T/otel.single.pb" >"$T/trunc1.pb"
expect_rc 1 "$LLMOPS" --store "$T/pb-trunc.db" import "$T/trunc1.pb"
has "$T/err" "llmops: $T/trunc1.pb: message 1 (byte 0): not an OTLP request: truncated: "

t protobuf-bad-message-among-good
python3 -c "
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); off = 4 + int.from_bytes(d[0:4], 'big')
d[off + 4] = 0xff
open(sys.argv[2], 'wb').write(d)" "$T/otel.be32.pb" "$T/bad2.pb"
expect_rc 3 "$LLMOPS" --store "$T/pb-bad.db" import "$T/bad2.pb"
has "$T/err" "llmops: $T/bad2.pb: message 2 (byte $(byte_of "$T/bad2.pb" 2)): not an OTLP request: "
has "$T/out" "2 calls imported, 1 records rejected"
# A length over 256 MiB: that message is passed over.
{ cat "$T/otel.be32.pb"; printf '\022\300\000\000abc'; } >"$T/huge.pb"
expect_rc 3 "$LLMOPS" --store "$T/pb-huge.db" import "$T/huge.pb"
has "$T/err" "message 4 (byte $size): a message of 314572800 bytes is larger than 256 MiB"
has "$T/out" "3 calls imported, 1 records rejected"

t protobuf-garbage
printf '\001\002\377\376garbage\000\000\n' >"$T/garbage.bin"
expect_rc 1 "$LLMOPS" --store "$T/pb-g.db" import "$T/garbage.bin"
has "$T/err" "llmops: $T/garbage.bin:1: binary data"
expect_rc 1 "$LLMOPS" --store "$T/pb-g.db" import --format otlp "$T/garbage.bin"
has "$T/err" "llmops: $T/garbage.bin: message 1 (byte 0): not an OTLP request: "
eq "$(sqlite3 "$T/pb-g.db" "SELECT count(*) FROM calls")" 0

# ---- hostile input: nothing passes raw, overflows or is lost in silence ------
# no_controls FILE: the bytes hold no ESC, BEL or C1 control (raw or UTF-8)
no_controls() {
	if python3 -c "import sys; t=open(sys.argv[1],'rb').read().decode('utf-8','replace')
sys.exit(any(c in '\x1b\x07' or 0x80 <= ord(c) <= 0x9f for c in t))" "$1"; then ok; else
		bad "$(basename "$1") holds a terminal control: $(od -c "$1" | head -5)"
	fi
}
t escapes-in-import-errors
H="$T/hostile-esc.jsonl"
{
	printf '{"ts":"\\u001b]0;TITLE\\u0007\\u001b]52;c;aGVsbG8=\\u0007","model":"m"}\n'
	printf '{"ts":"2026-11-23T11:00:00Z","model":"m","trace_id":"\\u001b]0;TRACE\\u0007\\u009b2J"}\n'
	printf '{"ts":"2026-11-23T11:00:00Z","model":"m","span_id":"\\u009d0;SPAN\\u009c"}\n'
} >"$H"
expect_rc 1 "$LLMOPS" --store "$T/hostile.db" import "$H"
has "$T/err" "$H:1: ts: '"
has "$T/err" "$H:2: trace_id: '"
has "$T/err" "$H:3: span_id: '"
no_controls "$T/err"
cp "$CORPUS/llm_logsdb/logs_empty_llm_0.31.1.db" "$T/esc-logs.db"
sqlite3 "$T/esc-logs.db" "INSERT INTO responses(id, model, datetime_utc) VALUES(
	'r1' || char(27) || ']0;ID' || char(7), 'gpt-4o-mini', 'x' || char(27) || ']52;c;aGk=' || char(7))"
expect_rc 1 "$LLMOPS" --store "$T/hostile.db" import "$T/esc-logs.db"
has "$T/err" "responses row 1 (id r1"
no_controls "$T/err"

t hostile-numbers-jsonl
H="$T/hostile-num.jsonl"
{
	echo '{"ts":"2026-11-23T11:00:00Z","model":"gpt-4o","cost_usd":5e9}'
	echo '{"ts":"2026-11-23T11:00:01Z","model":"gpt-4o","cost_usd":5e9}'
	echo '{"ts":"2026-11-23T11:00:02Z","model":"gpt-4o","cost_usd":9.3e9}'
	echo '{"ts":1,"model":"gpt-4o"}'
	echo '{"ts":"2099-01-01T00:00:00Z","model":"gpt-4o"}'
	echo '{"ts":"2026-11-23T11:00:03Z","model":"gpt-4o","input_tokens":1000000000000}'
	echo '{"ts":"2026-11-23T11:00:04Z","model":"gpt-4o","latency_ms":1e300}'
	echo '{"ts":"2026-11-23T11:00:05Z","model":"gpt-4o","ttft_ms":1e308}'
	echo '{"ts":"2026-11-23T11:00:06Z","model":"gpt-4o","cost_usd":10000,"input_tokens":1000000000}'
	echo '{"ts":"2026-11-23T11:00:07Z","model":"gpt-4o","cost_usd":9999.5}'
} >"$H"
expect_rc 3 "$LLMOPS" --store "$T/num.db" import "$H"
has "$T/err" "$H:1: cost_usd: 5000000000 is out of range (0 to 10000 USD a call)"
has "$T/err" "$H:2: cost_usd: 5000000000 is out of range"
has "$T/err" "$H:3: cost_usd: 9300000000 is out of range"
has "$T/err" "$H:4: ts: 1970-01-01T00:00:01Z is out of range (from 2000-01-01 to a day after now)"
has "$T/err" "$H:5: ts: 2099-01-01T00:00:00Z is out of range"
has "$T/err" "$H:6: input_tokens: 1000000000000 is out of range"
has "$T/err" "$H:7: latency_ms: 1e+300 is out of range"
has "$T/err" "$H:8: ttft_ms: 1e+308 is out of range"
has "$T/out" "2 calls imported, 8 records rejected"
"$LLMOPS" --store "$T/num.db" report --since 1h --json >"$T/num.json"
eq "$(json "$T/num.json" "d['total']['cost_usd'], d['total']['unpriced_calls'], d['total']['input_tokens']")" \
	"19999.5 0 1000000000"

t hostile-numbers-otlp
# span: START END -> one OTLP request a line
span() {
	printf '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","startTimeUnixNano":%s,"endTimeUnixNano":%s,"attributes":[{"key":"gen_ai.system","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":%s}}]}]}]}]}\n' "$1" "$2" "${3:-5}"
}
H="$T/hostile-num.otlp.jsonl"
{
	span 1e308 1e308
	span '"0"' '"1795424400000000000"'
	span '"-1"' '"1795424400000000000"'
	span '"1795424400000000000"' '"1795424400000000000"' 1e308
	span '"1795424400000000000"' '"1795510800000000001"'
	span '"1795424400000000000"' '"1795424401000000000"'
} >"$H"
expect_rc 3 "$LLMOPS" --store "$T/num-otlp.db" import "$H"
has "$T/err" "$H:1: span 1: startTimeUnixNano is out of range"
has "$T/err" "$H:2: span 1: startTimeUnixNano: 1970-01-01T00:00:00Z is out of range"
has "$T/err" "$H:3: span 1: startTimeUnixNano is out of range"
has "$T/err" "$H:4: span 1: a token count is out of range"
has "$T/err" "$H:5: span 1: latency_ms: 86400000.000001 is out of range"
has "$T/out" "1 calls imported, 5 records rejected"

t hostile-numbers-logsdb
cp "$CORPUS/llm_logsdb/logs_empty_llm_0.31.1.db" "$T/num-logs.db"
sqlite3 "$T/num-logs.db" "INSERT INTO responses(id, model, duration_ms, datetime_utc, input_tokens, output_tokens, token_details) VALUES
	('r1','gpt-4o-mini',500,'2026-11-23T11:30:00+00:00',1e308,3,NULL),
	('r2','gpt-4o-mini',500,'2026-11-23T11:30:01+00:00',10,3,'{\"cache_read_input_tokens\":1e308}'),
	('r3','gpt-4o-mini',500,'not a date',10,3,NULL),
	('r4','gpt-4o-mini',500,NULL,10,3,NULL),
	('r5','gpt-4o-mini',500,'1970-01-01T00:00:00',10,3,NULL),
	('r6','gpt-4o-mini',500,'2026-11-23T11:30:02+00:00',10,3,NULL),
	(NULL,'gpt-4o-mini',500,'2026-11-23T11:30:03+00:00',10,3,NULL)"
expect_rc 3 "$LLMOPS" --store "$T/num-logs.db.store" import "$T/num-logs.db"
has "$T/err" "num-logs.db: responses row 7: id is missing"
has "$T/err" "num-logs.db: responses row 1 (id r1): input_tokens: 1e+308 is out of range"
has "$T/err" "responses row 2 (id r2): token_details cache_read_input_tokens: 1e+308 is out of range"
has "$T/err" "responses row 3 (id r3): datetime_utc: 'not a date' is not a time"
has "$T/err" "responses row 4 (id r4): datetime_utc is missing"
has "$T/err" "responses row 5 (id r5): datetime_utc: 1970-01-01T00:00:00Z is out of range"
has "$T/out" "1 calls imported, 6 records rejected"
lacks "$T/out" "skipped"

t records-never-half-kept
H="$T/hostile-half.jsonl"
{
	printf '%s\n' '{"ts":"2026-11-23T11:00:00Z","model":"a"}{"ts":"2026-11-23T11:00:01Z","model":"b"}'
	printf '%s\n' '{"ts":"2026-11-23T11:00:02Z","model":"c"} trailing junk'
	printf '%s\n' '{"ts":"2026-11-23T11:00:03Z","model":"d","output":"a\u0000b"}'
	printf '%s\n' '{"ts":"2026-11-23T11:00:04Z","model":"e","input":[{"role":"user","content":"x\u0000y"}]}'
	printf '%s\n' '{"ts":"2026-11-23T11:00:05Z","model":"f","output":"a\\u0000b"}   '
} >"$H"
expect_rc 3 "$LLMOPS" --store "$T/half.db" import "$H"
has "$T/err" "$H:1: unexpected text after the record at column 42 (one JSON object a line)"
has "$T/err" "$H:2: unexpected text after the record at column 43"
has "$T/err" "$H:3: \\u0000 (a NUL character) at column"
has "$T/err" "$H:4: \\u0000 (a NUL character) at column"
has "$T/out" "1 calls imported, 4 records rejected"
"$LLMOPS" --store "$T/half.db" report --since 1h --json >"$T/half.json"
eq "$(json "$T/half.json" "[g['key'] for g in d['groups']]")" "['f']"
S2=$(head -1 "$CORPUS/otel/generated/otlp_traces_otel.jsonl")
printf '%s%s\n' "$S2" "$S2" >"$T/half.otlp.jsonl"
expect_rc 1 "$LLMOPS" --store "$T/half.db" import "$T/half.otlp.jsonl"
has "$T/err" "$T/half.otlp.jsonl:1: unexpected text after the request"

t report-keys-whole-and-escaped
P=$(python3 -c "print('m' * 600)")
H="$T/hostile-keys.jsonl"
{
	echo "{\"ts\":\"2026-11-23T11:00:00Z\",\"model\":\"${P}-one\"}"
	echo "{\"ts\":\"2026-11-23T11:00:01Z\",\"model\":\"${P}-two\"}"
	python3 -c "print('{\"ts\":\"2026-11-23T11:00:02Z\",\"model\":\"' + 'x' * 510 + '\u00e9\u00e9\"}')"
	echo '{"ts":"2026-11-23T11:00:03Z","model":"bidi\u202egnp.exe\u200b\u0085\u009b31m"}'
} >"$H"
expect_rc 0 "$LLMOPS" --store "$T/keys.db" import "$H"
"$LLMOPS" --store "$T/keys.db" report --since 1h --json >"$T/keys.json"
eq "$(json "$T/keys.json" "sorted(len(g['key']) for g in d['groups'])")" "[18, 512, 604, 604]"
eq "$(json "$T/keys.json" "[g['key'][600:] for g in d['groups'] if len(g['key']) == 604] == ['-one', '-two'] or [g['key'][600:] for g in d['groups'] if len(g['key']) == 604] == ['-two', '-one']")" "True"
eq "$(json "$T/keys.json" "[g['key'] for g in d['groups'] if g['key'].startswith('bidi')] == ['bidi\u202egnp.exe\u200b\u0085\u009b31m']")" "True"
no_controls "$T/keys.json"
has "$T/keys.json" '\u202e'
has "$T/keys.json" '\u200b'
has "$T/keys.json" '\u0085'
python3 -c "import sys; open(sys.argv[1],'rb').read().decode('utf-8')" "$T/keys.json" && ok || bad "report --json is not valid UTF-8"

t otlp-line-larger-than-16mib
# A Collector batch: 8,000 spans with their content, on one 27 MB line.
python3 - "$T/big.otlp.jsonl" <<'PY'
import json, sys
content = "x" * 3000
spans = []
for i in range(8000):
    spans.append({"traceId": "%032x" % (i + 1), "spanId": "%016x" % (i + 1),
                  "startTimeUnixNano": str(1795423686094000000 + i * 1000000),
                  "endTimeUnixNano": str(1795423686094000000 + i * 1000000 + 500000000),
                  "attributes": [{"key": "gen_ai.system", "value": {"stringValue": "openai"}},
                                 {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
                                 {"key": "gen_ai.prompt.0.role", "value": {"stringValue": "user"}},
                                 {"key": "gen_ai.prompt.0.content", "value": {"stringValue": content}}]})
doc = {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}
open(sys.argv[1], "w").write(json.dumps(doc, separators=(",", ":")) + "\n")
PY
eq "$(($(wc -c <"$T/big.otlp.jsonl") > 16 * 1024 * 1024))" 1
expect_rc 0 "$LLMOPS" --store "$T/big.db" import "$T/big.otlp.jsonl"
has "$T/out" "8,000 calls imported"

# ---- an import killed midway, run again -------------------------------------
t killed-import-completes-exactly
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
"$LLMOPS" --store "$T/killed.db" import "$G" >/dev/null 2>&1 &
pid=$!
sleep 0.4
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
partial=$(sqlite3 "$T/killed.db" "PRAGMA integrity_check; SELECT count(*) FROM calls" 2>&1 | tr '\n' ' ')
case "$partial" in "ok "*) ok ;; *) bad "integrity after kill: $partial" ;; esac
expect_rc 0 "$LLMOPS" --store "$T/killed.db" import "$G"
"$LLMOPS" --store "$T/killed.db" report --since 30d --json >"$T/killed.json"
if cmp -s "$T/clean.json" "$T/killed.json"; then ok; else bad "report differs after a killed import: $partial"; fi
eq "$(sqlite3 "$T/killed.db" "SELECT sum(calls) FROM rollup_1m")" "$(sqlite3 "$T/killed.db" "SELECT count(*) FROM calls")"

# ---- a full disk ----------------------------------------------------------------
# The count printed is what was committed, the error names the store, and the
# same import run again (once there is room) completes it exactly. A small
# tmpfs where mounting is allowed (root), else a file size limit.
t full-disk-reports-what-landed
FD="$T/full"
mkdir -p "$FD"
if mount -t tmpfs -o size=12m tmpfs "$FD" 2>/dev/null; then
	full_run() { "$LLMOPS" --store "$FD/s.db" import "$G"; }
	room() { mount -o remount,size=400m "$FD"; }
else
	echo "cli: full-disk: cannot mount a tmpfs (not root); a file size limit stands in for a full disk"
	full_run() { (trap '' XFSZ; ulimit -f 12000; exec "$LLMOPS" --store "$FD/s.db" import "$G"); }
	room() { full_run() { "$LLMOPS" --store "$FD/s.db" import "$G"; }; }
fi
expect_rc 1 full_run
has "$T/err" "llmops: $FD/s.db: "
has "$T/err" "run the same import again: what landed is not imported twice"
landed=$(sed -n 's/^.*gen.jsonl: \([0-9,]*\) calls imported before the store failed.*$/\1/p' "$T/out" | tr -d ,)
eq "$landed" "$(sqlite3 "$FD/s.db" "SELECT count(*) FROM calls")"
if [ -n "$landed" ] && [ "$landed" -lt 150000 ]; then ok; else bad "imported '$landed' of 150000 on a full disk: $(cat "$T/out")"; fi
room
expect_rc 0 full_run
"$LLMOPS" --store "$FD/s.db" report --since 30d --json >"$T/full.json"
if cmp -s "$T/clean.json" "$T/full.json"; then ok; else bad "report differs after a full disk and a second import"; fi
eq "$(sqlite3 "$FD/s.db" "SELECT count(*) FROM calls")" 150000
umount "$FD" 2>/dev/null

# ---- a store that cannot be written ------------------------------------------------
# A read-only file system (a tmpfs remounted read-only) where mounting is
# allowed, else a folder and a file without write permission (which do not
# stop root). What only reads works; what writes says why it cannot.
t read-only-store
RO="$T/ro"
mkdir -p "$RO"
ro_mounted=0
mount -t tmpfs -o size=8m tmpfs "$RO" 2>/dev/null && ro_mounted=1
printf '%s\n' '{"ts":"2026-11-23T11:30:00Z","model":"gpt-4o","input_tokens":10,"output_tokens":5}' \
	'{"ts":"2026-11-23T11:40:00Z","model":"claude-haiku-4-5","status":"error","error_type":"timeout"}' >"$T/ro.jsonl"
"$LLMOPS" --store "$RO/s.db" import "$T/ro.jsonl" >/dev/null 2>&1
if [ $ro_mounted = 1 ]; then
	mount -o remount,ro "$RO"
elif [ "$(id -u)" != 0 ]; then
	chmod 444 "$RO/s.db"
	chmod 555 "$RO"
else
	echo "cli: read-only-store: cannot mount a tmpfs and root ignores file modes; skipped"
fi
if [ $ro_mounted = 1 ] || [ "$(id -u)" != 0 ]; then
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" report --since 1h --json
	eq "$(json "$T/out" "d['total']['calls'], d['total']['errors']")" "2 1"
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" usage --json
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" prompt list
	has "$T/out" "no prompts yet"
	expect_rc 0 "$LLMOPS" --store "$RO/s.db" export --format jsonl
	eq "$(cat "$T/out")" ""
	expect_rc 1 "$LLMOPS" --store "$RO/s.db" import "$T/ro.jsonl"
	has "$T/err" "llmops: $RO/s.db: the store is read-only ("
	has "$T/err" "); this command writes to it"
	# The console shows the store, says it is read-only, and refuses labels.
	printf ':save-display %s\nA\n:save-display %s\n:q\n' "$T/ro1.screen" "$T/ro2.screen" >"$T/ro.keys"
	LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/ro.keys" expect_rc 0 "$LLMOPS" --store "$RO/s.db"
	has "$T/ro1.screen" "store is read-only: viewing only"
	has "$T/ro1.screen" "1 of 2 calls"
	has "$T/ro2.screen" "annotate: store is read-only: viewing only (labels cannot be saved)"
fi
[ $ro_mounted = 1 ] && umount "$RO"
chmod -R u+w "$RO" 2>/dev/null

# ---- demo --------------------------------------------------------------------
t demo
expect_rc 0 "$LLMOPS" demo --no-tui --calls 20000 --store "$T/demo.db"
has "$T/out" "demo store $T/demo.db: 20,000 calls"
"$LLMOPS" --store "$T/demo.db" report --since 7d --json >"$T/demo.json"
eq "$(json "$T/demo.json" "d['total']['calls']")" 20000
eq "$(json "$T/demo.json" "len(d['groups']) >= 6 and len({g['key'].split('-')[0] for g in d['groups']}) >= 2")" True
"$LLMOPS" --store "$T/demo.db" report --since 1h --by prompt --json >"$T/inc.json"
eq "$(json "$T/inc.json" "d['groups'][0]['key']")" "support-answer@8"
eq "$(json "$T/inc.json" "d['groups'][0]['error_rate'] > 3 * d['total']['error_rate'] / 2")" True
t demo-replaces-only-a-demo
expect_rc 0 "$LLMOPS" demo --no-tui --calls 3000 --store "$T/demo.db"
"$LLMOPS" --store "$T/demo.db" report --since 7d --json >"$T/demo2.json"
eq "$(json "$T/demo2.json" "d['total']['calls']")" 3000
expect_rc 1 "$LLMOPS" demo --no-tui --calls 100 --store "$S"
has "$T/err" "holds data that is not a demo"
t demo-without-terminal-prints-report
expect_rc 0 "$LLMOPS" demo --calls 2000
has "$T/out" "demo store $XDG_DATA_HOME/llmops/demo.db"
has "$T/out" "by model"

# ---- the man page's key list comes from the action table --------------------------
t man-keys-in-step
python3 scripts/man-keys.py >"$T/keys.want"
sed -n '/^\.\\" keys: begin/,/^\.\\" keys: end/p' llmops.1 | sed '1d;$d' >"$T/keys.got"
if cmp -s "$T/keys.want" "$T/keys.got" && [ -s "$T/keys.got" ]; then ok; else bad "llmops.1's KEYS differ from scripts/man-keys.py: $(diff "$T/keys.want" "$T/keys.got" | head -5)"; fi
t rc-example-loads-clean
sed -e 's/^#bind /bind /' -e 's/^#color /color /' llmopsrc.example >"$T/example.rc"
echo ':q' >"$T/q.keys"
LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/q.keys" expect_rc 0 "$LLMOPS" -c "$T/example.rc" --store "$T/example.db"
lacks "$T/err" "example.rc"

# ---- configuration ------------------------------------------------------------
t rc-errors
mkdir -p "$XDG_CONFIG_HOME/llmops"
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF
set window = 30d
set nonsense = 1
label 12 x
provider openai type=openai admin_key_file=$T/admin.key
EOF
printf 'sk-admin-test\n' >"$T/admin.key"
chmod 644 "$T/admin.key"
expect_rc 0 "$LLMOPS" --store "$S" report
has "$T/err" "llmops: $XDG_CONFIG_HOME/llmops/llmopsrc:2: unknown option 'nonsense'"
has "$T/err" "llmopsrc:3: label"
has "$T/err" "llmopsrc:4: key file $T/admin.key is readable by group or others (mode 0644); refused"
lacks "$T/err" "sk-admin-test"
has "$T/out" "8 calls" # set window = 30d took effect
chmod 600 "$T/admin.key"
expect_rc 0 "$LLMOPS" --store "$S" report
lacks "$T/err" "admin.key"
t rc-store
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF
set store = $S
set window = 30d
EOF
expect_rc 0 "$LLMOPS" report --json
eq "$(json "$T/out" "d['total']['calls']")" 8
t env-store-beats-rc
LLMOPS_STORE="$T/stdin.db" "$LLMOPS" report --json --since 30d >"$T/out" 2>&1
eq "$(json "$T/out" "d['total']['calls']")" 3
t explicit-rc-missing
expect_rc 0 "$LLMOPS" -c "$T/missing.rc" --store "$S" report
has "$T/err" "$T/missing.rc: cannot read"
t pricing-file
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF
set pricing_file = $T/prices.json
EOF
cat >"$T/prices.json" <<EOF
{"gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-3, "output_cost_per_token": 1e-3}}
EOF
echo '{"ts":"2026-11-23T11:30:00Z","model":"gpt-4o","input_tokens":10,"output_tokens":5}' >"$T/p.jsonl"
"$LLMOPS" --store "$T/priced.db" import "$T/p.jsonl" >/dev/null 2>&1
"$LLMOPS" --store "$T/priced.db" report --json >"$T/out" 2>&1
eq "$(json "$T/out" "d['total']['cost_usd']")" 0.015
echo '{' >"$T/prices.json"
expect_rc 0 "$LLMOPS" --store "$T/priced.db" report
has "$T/err" "$T/prices.json: line 1: malformed JSON (built-in prices used)"
t rc-hostile-files
# Only regular files are read: /dev/zero and a FIFO nobody writes to are
# refused at once (before, the first ran out of memory, the second hung).
mkfifo "$T/fifo"
printf '\357\273\277set window = 30d\nsource /dev/zero\nsource %s\nsource missing.rc\nsource self.rc\n' "$T/fifo" >"$T/self.rc"
printf 'source self.rc\nsource self.rc\nset pricing_file = /dev/zero\n' >>"$T/self.rc"
expect_rc 0 "$LLMOPS" -c "$T/self.rc" --store "$S" report
has "$T/out" "8 calls" # the BOM did not hide the first line
lacks "$T/err" "U+FEFF"
has "$T/err" "llmops: $T/self.rc:2: source /dev/zero: cannot read: not a regular file"
has "$T/err" "llmops: $T/self.rc:3: source $T/fifo: cannot read: not a regular file"
has "$T/err" "llmops: $T/self.rc:4: source $T/missing.rc: cannot read: No such file or directory"
has "$T/err" "llmops: $T/self.rc:5: source $T/self.rc: already being read (it sources itself)"
has "$T/err" "llmops: /dev/zero: cannot read the pricing file: not a regular file"
rm -f "$T/fifo"
head -c 2000000 /dev/zero | tr '\0' '#' >"$T/big.rc"
echo "source big.rc" >"$T/outer.rc"
expect_rc 0 "$LLMOPS" -c "$T/outer.rc" --store "$S" report
has "$T/err" "llmops: $T/outer.rc:1: source $T/big.rc: cannot read: larger than 1 MiB"

rm -f "$XDG_CONFIG_HOME/llmops/llmopsrc"

# ---- export -------------------------------------------------------------------
# Labels come from the console (the golden unit tests cover the content of each
# format); here: usage, where the dataset is looked for, and the atomic write.
t export-usage
expect_rc 2 "$LLMOPS" --store "$S" export
has "$T/err" "export: give --format jsonl, evals, chat, promptfoo or langfuse"
expect_rc 2 "$LLMOPS" --store "$S" export --format csv
has "$T/err" "--format: expected jsonl, evals, chat, promptfoo or langfuse, got 'csv'"
has "$T/err" "(see llmops --help)"
expect_rc 2 "$LLMOPS" --store "$S" export --format jsonl extra
has "$T/err" "export: unexpected argument 'extra'"
expect_rc 2 "$LLMOPS" --store "$S" report --label good
has "$T/err" "option --label does not apply to 'report'"
expect_rc 2 "$LLMOPS" --store "$S" export --format jsonl -o
has "$T/err" "needs a value"
t export-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "export [--golden PATH] --format jsonl|evals|chat|promptfoo|langfuse [-o FILE] [--label LABEL]"
t export-missing-dataset
expect_rc 1 "$LLMOPS" export --golden "$T/no-such.db" --format jsonl
has "$T/err" "llmops: no golden dataset at $T/no-such.db"
if [ -e "$T/no-such.db" ]; then bad "a missing dataset was created"; else ok; fi
t export-empty
for f in jsonl evals chat promptfoo langfuse; do
	expect_rc 0 "$LLMOPS" export --format "$f" --store "$S"
	eq "$(wc -c <"$T/out")" 0
	eq "$(cat "$T/err")" ""
done
t export-to-file
mkdir -p "$T/exp"
echo "old line" >"$T/exp/golden.jsonl"
expect_rc 0 "$LLMOPS" --store "$S" export -o "$T/exp/golden.jsonl" --format langfuse --label good
has "$T/out" "$T/exp/golden.jsonl: 0 items exported [langfuse]"
eq "$(wc -c <"$T/exp/golden.jsonl")" 0
eq "$(ls "$T/exp")" "golden.jsonl"
expect_rc 0 "$LLMOPS" --store "$S" export --format evals --output=- 
eq "$(wc -c <"$T/out")" 0
t export-unwritable
expect_rc 1 "$LLMOPS" --store "$S" export --format chat -o "$T/nowhere/golden.jsonl"
has "$T/err" "llmops: $T/nowhere/golden.jsonl: cannot write"
mkdir -p "$T/exp/dir"
expect_rc 1 "$LLMOPS" --store "$S" export --format chat -o "$T/exp/dir"
has "$T/err" "llmops: $T/exp/dir: "
eq "$(ls "$T/exp" | tr '\n' ' ')" "dir golden.jsonl "
t export-golden-from-rc
mkdir -p "$XDG_CONFIG_HOME/llmops"
cp "$S" "$T/team.db"
echo "set golden = $T/team.db" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 0 "$LLMOPS" --store "$T/absent.db" export --format promptfoo -o "$T/exp/pf.jsonl"
has "$T/out" "0 items exported [promptfoo]"
echo "set golden = $T/gone.db" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 1 "$LLMOPS" --store "$S" export --format jsonl
has "$T/err" "no golden dataset at $T/gone.db"
expect_rc 0 "$LLMOPS" --store "$S" export --format jsonl --golden "$T/team.db"
rm -f "$XDG_CONFIG_HOME/llmops/llmopsrc"

t console-bad-filter
# A bad filter is a usage error before any screen opens.
expect_rc 2 "$LLMOPS" --store "$S" annotate status=error sample=150%
has "$T/err" "sample= takes a percentage"
expect_rc 2 "$LLMOPS" --store "$S" traces colour=red
has "$T/err" "unknown field 'colour'"
t help-annotate
expect_rc 0 "$LLMOPS" --help
has "$T/out" "annotate [FILTER...]"
has "$T/out" "sample=N%"
# ---- prompt registry ---------------------------------------------------------
t prompt-add
P="$T/prompts.db"
printf 'You are a support agent.\nBe brief.\nCite the order id.\n' >"$T/v1.txt"
printf 'You are a friendly support agent.\nBe brief.\nCite the order id.\nNever promise refunds.\n' >"$T/v2.txt"
expect_rc 0 "$LLMOPS" --store "$P" prompt add support "$T/v1.txt"
has "$T/out" "added support@1"
expect_rc 0 "$LLMOPS" prompt add support "$T/v2.txt" --store "$P"
has "$T/out" "added support@2"
expect_rc 0 "$LLMOPS" prompt add support "$T/v2.txt" --store "$P"
has "$T/out" "same as version 2; nothing added"
expect_rc 0 "$LLMOPS" prompt add --version beta support "$T/v1.txt" --store "$P"
has "$T/out" "added support@beta"
expect_rc 1 "$LLMOPS" prompt add support "$T/missing.txt" --store "$P"
has "$T/err" "missing.txt: No such file"
t prompt-list
expect_rc 0 "$LLMOPS" --store "$P" prompt list
has "$T/out" "PROMPT"
eq "$(awk '$1 == "support" {print $2}' "$T/out" | tr '\n' ' ')" "beta 2 1 "
expect_rc 0 "$LLMOPS" --store "$P" prompt list support
expect_rc 1 "$LLMOPS" --store "$P" prompt list nosuch
has "$T/err" "llmops: no prompt named 'nosuch'"
t prompt-diff
expect_rc 0 "$LLMOPS" --store "$P" prompt diff support 1 2
has "$T/out" "--- support@1"
has "$T/out" "+++ support@2"
has "$T/out" "@@ -1,3 +1,4 @@"
cp "$T/out" "$T/d.patch"
if patch -s -o "$T/patched.txt" "$T/v1.txt" <"$T/d.patch" && cmp -s "$T/patched.txt" "$T/v2.txt"; then ok; else bad "patch did not give v2"; fi
expect_rc 1 "$LLMOPS" --store "$P" prompt diff support 1 9
has "$T/err" "llmops: prompt 'support' has no version '9'"
expect_rc 1 "$LLMOPS" --store "$P" prompt diff nosuch 1 2
has "$T/err" "no prompt named 'nosuch'"
t prompt-usage
expect_rc 2 "$LLMOPS" --store "$P" prompt
expect_rc 2 "$LLMOPS" --store "$P" prompt frob
expect_rc 2 "$LLMOPS" --store "$P" prompt diff support 1
expect_rc 2 "$LLMOPS" --store "$P" prompt list --version 3
expect_rc 0 "$LLMOPS" --version
has "$T/out" "llmops 0."
t prompt-git-folder
mkdir -p "$T/repo/prompts"
(
	cd "$T/repo" && git init -q . &&
	for i in 1 2 3; do
		echo "rule $i" >>prompts/triage.txt && git add prompts/triage.txt &&
		git -c user.name=t -c user.email=t@t commit -qm "rule $i" || exit 1
	done
) >/dev/null 2>&1 || bad "git repo set-up failed"
printf 'prompts %s\n' "$T/repo/prompts" >"$T/prompts.rc"
expect_rc 0 "$LLMOPS" -c "$T/prompts.rc" --store "$P" prompt list triage
eq "$(awk '$1 == "triage" && $3 == "git"' "$T/out" | wc -l | tr -d ' ')" 3
v_new=$(awk '$1 == "triage" {print $2; exit}' "$T/out")
v_old=$(awk '$1 == "triage" {v = $2} END {print v}' "$T/out")
expect_rc 0 "$LLMOPS" -c "$T/prompts.rc" --store "$P" prompt diff triage "$v_old" "$v_new"
has "$T/out" "+rule 3"
expect_rc 0 "$LLMOPS" -c "$T/prompts.rc" --store "$P" prompt list triage
eq "$(awk '$1 == "triage"' "$T/out" | wc -l | tr -d ' ')" 3
t prompt-demo-stats
"$LLMOPS" demo --store "$T/demo.db" --no-tui --calls 20000 >/dev/null 2>&1
expect_rc 0 "$LLMOPS" --store "$T/demo.db" prompt list support-answer
eq "$(awk '$1 == "support-answer" && $2 == "6" {gsub(",", "", $(NF-3)); print ($(NF-3) > 0)}' "$T/out")" 1
eq "$(awk '$1 == "support-answer" && $2 == "8" {gsub(",", "", $(NF-3)); print ($(NF-3) > 0)}' "$T/out")" 1
expect_rc 0 "$LLMOPS" --store "$T/demo.db" prompt diff support-answer 7 8
has "$T/out" "--- support-answer@7"

# ---- provider usage and cost APIs, against a local server ----------------------
# tests/server/fake_api.py speaks the four endpoints; each case gets a plan.
# The keys are distinctive so that a grep finds any copy of them.
OK_KEY=sk-admin-CLITEST-openai-5d1e9c0a
AK_KEY=sk-ant-admin01-CLITEST-anth-77b0f3
FAKE_PID=""
fake_stop() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=""
}
trap 'fake_stop; rm -rf "$T"' EXIT
fake() { # PLAN: the providers answer from $T/plans/PLAN.json; requests go to $T/fake.log
	fake_stop
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
mkdir -p "$T/plans"
# The plans. LLMOPS_NOW is 2026-11-23T12:00:00Z; the bodies are the shapes of
# reference/formats.md sections 1 and 2 (tests/corpus/openai for OpenAI).
python3 - "$T/plans" <<'EOF'
import datetime, json, sys
out = sys.argv[1]
NOW = 1795435200  # 2026-11-23T12:00:00Z
DAY = 86400
TODAY = NOW - 12 * 3600
def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
def oa_usage(start, n, w, rows, nxt=None):
    return json.dumps({"object": "page", "has_more": nxt is not None, "next_page": nxt, "data": [
        {"object": "bucket", "start_time": start + i * w, "end_time": start + (i + 1) * w, "results": [
            {"object": "organization.usage.completions.result", "model": m, "input_tokens": a,
             "input_cached_tokens": c, "output_tokens": o, "num_model_requests": r, "project_id": None,
             "user_id": None, "api_key_id": None, "batch": None, "service_tier": None} for (m, a, c, o, r) in rows]}
        for i in range(n)]})
def oa_costs(vals):
    return json.dumps({"object": "page", "has_more": False, "next_page": None, "data": [
        {"object": "bucket", "start_time": d, "end_time": d + DAY, "results": [
            {"object": "organization.costs.result", "amount": {"value": v, "currency": "usd"}, "line_item": None,
             "project_id": None}]} for (d, v) in vals]})
def an_usage(start, n, w, rows, nxt=None):
    return json.dumps({"has_more": nxt is not None, "next_page": nxt, "data": [
        {"starting_at": iso(start + i * w), "ending_at": iso(start + (i + 1) * w), "results": [
            {"uncached_input_tokens": u, "cache_creation": {"ephemeral_5m_input_tokens": c5,
             "ephemeral_1h_input_tokens": c1}, "cache_read_input_tokens": cr, "output_tokens": o,
             "server_tool_use": {"web_search_requests": 0}, "model": m, "workspace_id": None, "api_key_id": None,
             "service_tier": "standard", "context_window": "0-200k"} for (m, u, c5, c1, cr, o) in rows]}
        for i in range(n)]})
def an_costs(vals):
    return json.dumps({"has_more": False, "next_page": None, "data": [
        {"starting_at": iso(d), "ending_at": iso(d + DAY), "results": [
            {"amount": v, "currency": "USD", "workspace_id": None, "description": None, "cost_type": None,
             "model": None, "service_tier": None, "token_type": None, "context_window": None}]} for (d, v) in vals]})
def m(*parts):
    return {"query_has": list(parts)}
H11 = NOW - 3600
MINI = [("gpt-4o-mini-2024-07-18", 1000, 100, 200, 2)]
OA_HOURS = oa_usage(NOW - 48 * 3600, 48, 3600, [("gpt-4o-2024-08-06", 50000, 0, 10000, 10)])
OA_COSTS = oa_costs([(TODAY - 2 * DAY, 1.25), (TODAY - DAY, "12.50"), (TODAY, 0.5)])  # a number and a string
OA_USAGE = "/v1/organization/usage/completions"
OA_COST = "/v1/organization/costs"
AN_USAGE = "/v1/organizations/usage_report/messages"
AN_COST = "/v1/organizations/cost_report"
def openai(minute=None, costs=None):
    return {OA_USAGE: minute or [
        {"match": m("bucket_width=1m", "page=p2"), "body": oa_usage(H11 + 1200, 20, 60, MINI, "p3")},
        {"match": m("bucket_width=1m", "page=p3"), "body": oa_usage(H11 + 2400, 20, 60, MINI)},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 20, 60, MINI, "p2")},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}],
        OA_COST: costs or [{"body": OA_COSTS}]}
SONNET = [("claude-sonnet-4-5-20250929", 100, 30, 20, 400, 50)]
def anthropic(cost=None):
    return {AN_USAGE: [
        {"match": m("bucket_width=1m", "page=c2"), "body": an_usage(H11 + 1200, 20, 60, SONNET, "c3")},
        {"match": m("bucket_width=1m", "page=c3"), "body": an_usage(H11 + 2400, 20, 60, SONNET)},
        {"match": m("bucket_width=1m"), "body": an_usage(H11, 20, 60, SONNET, "c2")},
        {"match": m("bucket_width=1h"), "body": an_usage(NOW - 48 * 3600, 48, 3600, [])}],
        AN_COST: cost or [{"body": an_costs([(TODAY - DAY, "734.50"), (TODAY, "123.45")])}]}
plans = {
    "both": {**openai(), **anthropic()},
    # Fetched again: the last quarter hour of minutes says something else.
    "again": {**openai(minute=[
        {"match": m("bucket_width=1m"), "body": oa_usage(NOW - 900, 15, 60, [("gpt-4o-mini-2024-07-18", 5, 0, 1, 1)])},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}])},
    "rate-limited": {**openai(minute=[
        {"match": m("bucket_width=1m"), "status": 429, "headers": {"retry-after-ms": "0"},
         "body": json.dumps({"error": {"message": "Rate limit reached", "type": "requests"}})},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
        **anthropic(cost=[{"status": 429, "headers": {"Retry-After": "1"}, "body": "{}"},
                          {"body": an_costs([(TODAY, "100")])}])},
    # A long wait asked for: the refresh key must not cut it short.
    "retry-after-long": openai(minute=[
        {"match": m("bucket_width=1m"), "status": 429, "headers": {"Retry-After": "100"},
         "body": json.dumps({"error": {"message": "Rate limit reached", "type": "requests"}})},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
    "retry-after-zero": openai(minute=[
        {"match": m("bucket_width=1m"), "status": 429, "headers": {"Retry-After": "0"}, "body": "{}"},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
    # Answered only once the test holds the store's write lock.
    "locked": {path: [dict(r, hold_until=out + "/../lock.ready") for r in rs] for path, rs in openai().items()},
    "server-error": openai(costs=[{"status": 500, "body": "{\"error\":{\"message\":\"boom\"}}"}, {"body": OA_COSTS}]),
    "server-down": openai(costs=[{"status": 503, "body": "{}"}]),
    "hang": openai(minute=[
        {"match": m("bucket_width=1m"), "hang": True},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
    "hang-always": {OA_USAGE: [{"hang": True}], OA_COST: [{"hang": True}]},
    "garbage": openai(costs=[{"body": "<html><body>502 Bad Gateway</body></html>",
                              "headers": {"Content-Type": "text/html"}}]),
    "wrong-shape": openai(costs=[{"body": json.dumps({"object": "page", "data": [
        {"object": "bucket", "start_time": TODAY, "end_time": TODAY + DAY,
         "results": [{"amount": {"value": "lots", "currency": "usd"}}]}], "has_more": False})}]),
    "rejected": {OA_USAGE: [{"status": 401, "body": json.dumps({"error": {
        "message": "Incorrect API key provided: sk-admin-CLITEST-openai-5d1e9c0a. You can find your key at ...",
        "type": "invalid_request_error", "code": "invalid_api_key"}})}],
                 OA_COST: [{"status": 403, "body": "{}"}]},
}
for k, v in plans.items():
    json.dump({"routes": v}, open(f"{out}/{k}.json", "w"))
EOF
U="$T/usage.db"

t usage-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "usage sync [--provider NAME] [--since DUR]"
has "$T/out" "usage [--provider NAME] [--since DUR] [--json]"

t usage-sync-openai-pages
fake both
expect_rc 0 keyed "$LLMOPS" --store "$U" usage sync --provider openai --since 2d
has "$T/out" "openai: tokens per minute: 60 buckets in 3 pages, 2026-11-23 11:00 to 12:00 UTC"
has "$T/out" "openai: tokens per hour: 48 buckets in 1 page"
has "$T/out" "openai: cost reports: 3 buckets in 1 page"
lacks "$T/out" "anthropic"
# Every page asked for, each with the cursor of the page before.
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 3
lacks_q=$(nth_query /v1/organization/usage/completions 1 bucket_width=1m)
case $lacks_q in *page=*) bad "the first page asked with a cursor: $lacks_q" ;; *) ok ;; esac
case $(nth_query /v1/organization/usage/completions 2 bucket_width=1m) in *"&page=p2"*) ok ;; *) bad "page 2 without page=p2" ;; esac
case $(nth_query /v1/organization/usage/completions 3 bucket_width=1m) in *"&page=p3"*) ok ;; *) bad "page 3 without page=p3" ;; esac
eq "$(nth_query /v1/organization/usage/completions 1 bucket_width=1m)" \
	"start_time=1795431600&end_time=1795435200&bucket_width=1m&group_by%5B%5D=model&limit=60"
eq "$(reqs /v1/organization/costs bucket_width=1d start_time=1795219200)" 1
eq "$(reqs /v1/organizations/usage_report/messages)" 0
python3 -c 'import json,sys
h = [json.loads(l)["headers"] for l in open(sys.argv[1])]
print(all(x.get("authorization") == "Bearer " + sys.argv[2] for x in h))' "$T/fake.log" "$OK_KEY" >"$T/auth"
has "$T/auth" "True"
# All three pages' buckets are stored, each with the time it was fetched.
eq "$(sq "$U" "SELECT count(*), sum(input_tokens), min(fetched_at), max(fetched_at) FROM usage_buckets WHERE width=60")" "60|60000|1795435200|1795435200"
eq "$(sq "$U" "SELECT count(DISTINCT start_s) FROM usage_buckets WHERE width=3600")" 48
eq "$(sq "$U" "SELECT group_concat(cost_nusd) FROM (SELECT cost_nusd FROM cost_buckets ORDER BY start_s)")" "1250000000,12500000000,500000000"

t usage-json
expect_rc 0 "$LLMOPS" --store "$U" usage --json --since 2d
eq "$(json "$T/out" 'sorted(d.keys())')" "['billed', 'from', 'to', 'usage']"
eq "$(json "$T/out" 'd["from"] + " " + d["to"]')" "2026-11-21T12:00:00Z 2026-11-23T12:00:00Z"
# The minutes of 11:00 count once: the hour bucket of 11:00 gives way to them.
eq "$(json "$T/out" '[(u["model"], u["requests"], u["input_tokens"], u["cached_tokens"], u["output_tokens"]) for u in d["usage"]]')" \
	"[('gpt-4o-2024-08-06', 470, 2350000, 0, 470000), ('gpt-4o-mini-2024-07-18', 120, 60000, 6000, 12000)]"
# Buckets that start in the window: 11-22 ("12.50", a string) and 11-23 (0.5).
eq "$(json "$T/out" 'd["billed"]')" "[{'provider': 'openai', 'cost_usd': 13}]"
expect_rc 0 "$LLMOPS" --store "$U" usage --since 2d
has "$T/out" "PROVIDER"
has "$T/out" "gpt-4o-mini-2024-07-18"
has "$T/out" "billed (cost reports): openai \$13.00"
expect_rc 2 "$LLMOPS" --store "$U" usage sync --json
expect_rc 2 "$LLMOPS" --store "$U" usage sync --since soon
expect_rc 2 "$LLMOPS" --store "$U" usage frobnicate
expect_rc 2 "$LLMOPS" --store "$U" report --provider openai
expect_rc 1 "$LLMOPS" --store "$T/none.db" usage
has "$T/err" "llmops usage sync"

t usage-sync-incremental-and-replaced
fake again
expect_rc 0 keyed "$LLMOPS" --store "$U" usage sync --provider openai --since 2d
# Only what may still change: minutes from 11:45, the hour of 11:00, the
# cost reports from 11-22 (a day stays open for a day after it ends).
eq "$(nth_query /v1/organization/usage/completions 1 bucket_width=1m)" \
	"start_time=1795434300&end_time=1795435200&bucket_width=1m&group_by%5B%5D=model&limit=15"
eq "$(reqs /v1/organization/usage/completions bucket_width=1h start_time=1795431600)" 1
eq "$(reqs /v1/organization/costs start_time=1795305600)" 1
# The re-fetched minutes replace the stored ones.
expect_rc 0 "$LLMOPS" --store "$U" usage --json --since 1h
eq "$(json "$T/out" '[(u["model"], u["requests"], u["input_tokens"]) for u in d["usage"]]')" \
	"[('gpt-4o-mini-2024-07-18', 105, 45075)]"
eq "$(sq "$U" "SELECT count(*) FROM usage_buckets WHERE width=60")" 60

t usage-sync-anthropic
A="$T/anth.db"
fake both
expect_rc 0 keyed "$LLMOPS" --store "$A" usage sync --provider anthropic --since 2d
has "$T/out" "anthropic: tokens per minute: 60 buckets in 3 pages"
eq "$(reqs /v1/organizations/usage_report/messages bucket_width=1m)" 3
case $(nth_query /v1/organizations/usage_report/messages 3 bucket_width=1m) in *"&page=c3"*) ok ;; *) bad "page 3 without page=c3" ;; esac
eq "$(nth_query /v1/organizations/usage_report/messages 1 bucket_width=1m)" \
	"starting_at=2026-11-23T11%3A00%3A00Z&ending_at=2026-11-23T12%3A00%3A00Z&bucket_width=1m&group_by%5B%5D=model&limit=60"
python3 -c 'import json,sys
h = [json.loads(l)["headers"] for l in open(sys.argv[1])]
print(all(x.get("x-api-key") == sys.argv[2] and x.get("anthropic-version") == "2023-06-01" and "authorization" not in x for x in h))' \
	"$T/fake.log" "$AK_KEY" >"$T/auth"
has "$T/auth" "True"
expect_rc 0 "$LLMOPS" --store "$A" usage --json --since 2d
# Input is uncached + cache writes + cache reads; no request count; cents to dollars.
eq "$(json "$T/out" '[(u["provider"], u["model"], u["requests"], u["input_tokens"], u["cached_tokens"], u["output_tokens"]) for u in d["usage"]]')" \
	"[('anthropic', 'claude-sonnet-4-5-20250929', None, 33000, 24000, 3000)]"
eq "$(json "$T/out" 'd["billed"]')" "[{'provider': 'anthropic', 'cost_usd': 8.5795}]"

t usage-sync-both-and-rate-limited
R="$T/rl.db"
fake rate-limited
expect_rc 0 keyed "$LLMOPS" --store "$R" usage sync --since 1h
# retry-after-ms: 0 is not "at once": a second at least.
has "$T/err" "openai: GET /v1/organization/usage/completions: HTTP 429 (rate limited); retrying in 1.0s"
has "$T/err" "anthropic: GET /v1/organizations/cost_report: HTTP 429 (rate limited); retrying in 1.0s"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 2
eq "$(reqs /v1/organizations/cost_report)" 2
eq "$(sq "$R" "SELECT provider, count(*) FROM usage_buckets WHERE width=60 GROUP BY 1")" "anthropic|60
openai|60"
eq "$(sq "$R" "SELECT provider, cost_nusd FROM cost_buckets WHERE start_s=1795392000 ORDER BY 1")" "anthropic|1000000000
openai|500000000"
# gap PATH QUERY-PART: seconds between the first two such requests
gap() {
	python3 -c 'import json,sys
t = [d["t"] for d in map(json.loads, open(sys.argv[1])) if d["path"] == sys.argv[2] and sys.argv[3] in d["query"]]
print("%.1f" % (t[1] - t[0]) if len(t) > 1 else "none")' "$T/fake.log" "$@"
}
at_least_1s() { # SECONDS: 0.9 or more (a lower bound only: a slow machine passes too)
	if [ "$1" != none ] && [ "$(python3 -c "print(float('$1') >= 0.9)")" = True ]; then ok; else bad "retried after $1 s, wanted 1 s or more"; fi
}
at_least_1s "$(gap /v1/organization/usage/completions bucket_width=1m)"

t usage-sync-retry-after-zero
fake retry-after-zero
expect_rc 0 keyed "$LLMOPS" --store "$T/ra0.db" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/usage/completions: HTTP 429 (rate limited); retrying in 1.0s"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 2
at_least_1s "$(gap /v1/organization/usage/completions bucket_width=1m)"

t usage-refresh-keeps-retry-after
# Asked to wait 100 s, the console waits; five presses of r send nothing
# more to that endpoint, and r says when the next try is.
fake retry-after-long
printf 'rrrrr\n:save-display %s\n' "$T/ra.screen" >"$T/ra.keys"
expect_rc 0 env OPENAI_ADMIN_KEY="$OK_KEY" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 \
	LLMOPS_SCRIPT="$T/ra.keys" "$LLMOPS" --store "$T/ra.db"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 1
has "$T/ra.screen" "openai: rate limited, next try in "

t usage-sync-server-error
E="$T/err.db"
fake server-error
expect_rc 0 keyed "$LLMOPS" --store "$E" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: HTTP 500; retrying in"
eq "$(reqs /v1/organization/costs)" 2
eq "$(sq "$E" "SELECT count(*) FROM cost_buckets")" 3
fake server-down
expect_rc 3 keyed "$LLMOPS" --store "$E" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: HTTP 503; gave up after 3 attempts"
has "$T/out" "openai: cost reports: failed"
has "$T/out" "openai: tokens per minute: "
eq "$(reqs /v1/organization/costs)" 3

t usage-sync-hang
H="$T/hang.db"
fake hang
# LLMOPS_USAGE_TIMEOUT_MS: a short wait for an answer, so that the case is quick.
keyed env LLMOPS_USAGE_TIMEOUT_MS=300 "$LLMOPS" --store "$H" usage sync --provider openai --since 1h >"$T/out" 2>"$T/err"
eq "$?" 0
has "$T/err" "openai: GET /v1/organization/usage/completions: no complete answer within 0.3s; retrying in"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 2
eq "$(sq "$H" "SELECT count(*) FROM usage_buckets WHERE width=60")" 60

t usage-sync-store-locked
# Another process holds the store's write lock (an import, an annotator)
# when the pages come: they wait in memory, nothing is fetched twice, and
# they land once the lock is let go.
L="$T/locked.db"
"$LLMOPS" --store "$L" import /dev/null >/dev/null 2>&1
fake locked # its answers wait for $T/lock.ready
rm -f "$T/lock.ready" "$T/lock.release"
keyed "$LLMOPS" --store "$L" usage sync --provider openai --since 2d >"$T/out" 2>"$T/err" &
syncer=$!
n=0
while [ "$(($(reqs /v1/organization/usage/completions) + $(reqs /v1/organization/costs)))" -lt 3 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
python3 "$PWD/tests/server/hold_lock.py" "$L" "$T/lock.ready" "$T/lock.release" &
locker=$!
n=0
while [ ! -f "$T/lock.ready" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
sleep 1 # the pages come, and their first tries at the store find it locked
if kill -0 "$syncer" 2>/dev/null; then ok; else bad "usage sync ended while the store was locked: $(cat "$T/err")"; fi
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 1 # page 2 waits for page 1 to be stored
eq "$(sq "$L" "SELECT count(*) FROM usage_buckets")" 0
: >"$T/lock.release"
wait "$locker"
wait "$syncer"
eq "$?" 0
has "$T/out" "openai: tokens per minute: 60 buckets in 3 pages"
has "$T/out" "openai: cost reports: 3 buckets in 1 page"
lacks "$T/err" "locked"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 3
eq "$(reqs /v1/organization/costs)" 1 # stored late, not fetched again
eq "$(sq "$L" "SELECT count(*) FROM usage_buckets WHERE width=60")" 60

t usage-sync-garbage
G="$T/garbage.db"
fake garbage
expect_rc 3 keyed "$LLMOPS" --store "$G" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: the body is not JSON"
eq "$(reqs /v1/organization/costs)" 1 # not retried: a shape does not mend itself in seconds
eq "$(sq "$G" "SELECT count(*) FROM cost_buckets")" 0
eq "$(sq "$G" "SELECT count(*) > 0 FROM usage_buckets")" 1
fake wrong-shape
expect_rc 3 keyed "$LLMOPS" --store "$G" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: not the documented shape: data[0].results[0].amount.value is not a number"
eq "$(sq "$G" "SELECT count(*) FROM cost_buckets")" 0

t usage-sync-rejected-key
K="$T/rejected.db"
fake rejected
expect_rc 1 keyed "$LLMOPS" --store "$K" usage sync --provider openai
has "$T/err" "admin key rejected by openai"
lacks "$T/err" "CLITEST"
eq "$(sq "$K" "SELECT (SELECT count(*) FROM usage_buckets) + (SELECT count(*) FROM cost_buckets)")" 0
# A rejected key is not retried.
eq "$(($(reqs /v1/organization/usage/completions) + $(reqs /v1/organization/costs) <= 3))" 1

t usage-sync-no-key
expect_rc 1 "$LLMOPS" --store "$K" usage sync
has "$T/err" "no admin key for openai: set OPENAI_ADMIN_KEY"
has "$T/err" "no admin key for anthropic: set ANTHROPIC_ADMIN_KEY"
expect_rc 2 "$LLMOPS" --store "$K" usage sync --provider nosuch
has "$T/err" "no provider named 'nosuch'"
# Only one provider keyed: the other is simply not polled.
fake both
env OPENAI_ADMIN_KEY="$OK_KEY" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" \
	"$LLMOPS" --store "$T/one.db" usage sync --since 1h >"$T/out" 2>"$T/err"
eq "$?" 0
has "$T/err" "no admin key for anthropic"
eq "$(reqs /v1/organizations/usage_report/messages)" 0

t usage-admin-key-cmd-and-file
fake both
printf 'provider openai type=openai admin_key_cmd="printf sk-admin-FROMCMD-4411"\n' >"$T/cmd.rc"
env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" "$LLMOPS" -c "$T/cmd.rc" --store "$T/cmd.db" usage sync --provider openai --since 1h \
	>"$T/out" 2>"$T/err"
eq "$?" 0
eq "$(grep -c 'Bearer sk-admin-FROMCMD-4411' "$T/fake.log")" 5
printf '%s\n' "$OK_KEY" >"$T/admin.key"
chmod 644 "$T/admin.key"
printf 'provider openai type=openai admin_key_file=%s\n' "$T/admin.key" >"$T/file.rc"
env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" "$LLMOPS" -c "$T/file.rc" --store "$T/cmd.db" usage sync --provider openai --since 1h \
	>"$T/out" 2>"$T/err"
eq "$?" 1
has "$T/err" "admin.key"
lacks "$T/err" "CLITEST"
chmod 600 "$T/admin.key"
: >"$T/fake.log"
env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" "$LLMOPS" -c "$T/file.rc" --store "$T/cmd.db" usage sync --provider openai --since 1h \
	>"$T/out" 2>"$T/err"
eq "$?" 0
eq "$(grep -c "Bearer $OK_KEY" "$T/fake.log")" 5

t usage-keys-stay-secret
# In no argv, and (the variables wiped once read) not in the environment a
# process shows, while a fetch is under way.
fake hang-always
env OPENAI_ADMIN_KEY="$OK_KEY" ANTHROPIC_ADMIN_KEY="$AK_KEY" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
	LLMOPS_USAGE_TIMEOUT_MS=20000 "$LLMOPS" --store "$T/secret.db" usage sync --provider openai >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(reqs /v1/organization/usage/completions)" -lt 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tr '\0' '\n' </proc/$pid/cmdline >"$T/cmdline"
tr '\0' '\n' </proc/$pid/environ >"$T/environ" 2>/dev/null
kill $pid
wait $pid 2>/dev/null
has "$T/cmdline" "usage"
lacks "$T/cmdline" "CLITEST"
lacks "$T/environ" "CLITEST"
# The console with both keys: it polls, keeps a command history, and quits.
fake both
printf ':window 6h\n:q\n' >"$T/console.keys"
expect_rc 0 keyed env LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/console.keys" "$LLMOPS" --store "$T/console.db"
eq "$(sq "$T/console.db" "SELECT count(*) > 0 FROM usage_buckets")" 1
has "$XDG_STATE_HOME/llmops/history" "window"
# In no file llmops wrote: stores (and any WAL left by the killed one), the
# history, its output. Left out: what the test itself wrote with the keys
# (the server's request log, the plans, the key file).
fake_stop
grep -rla -e "$OK_KEY" -e "$AK_KEY" -e "CLITEST" "$T" --exclude=fake.log --exclude='*.json' --exclude=admin.key \
	>"$T/leaks" 2>&1
eq "$(cat "$T/leaks")" ""

t bad-now
LLMOPS_NOW=someday "$LLMOPS" --store "$S" report >"$T/out" 2>"$T/err"
eq "$?" 2
has "$T/err" "LLMOPS_NOW"

# ---- usage sync against a hostile provider -----------------------------------
# One plan per fault, on every OpenAI report endpoint: the command must end by
# itself (the product's own timeouts; `timeout 120` only guards the test
# against a hang), say what happened, and stay under 256 MiB whatever came.
python3 - "$T/plans" <<'EOF'
import json, sys
out = sys.argv[1]
PAGE = json.dumps({"object": "page", "has_more": False, "next_page": None, "data": []})
ROUTES = ["/v1/organization/usage/completions", "/v1/organization/costs"]
def every(r):
    return {p: [r] for p in ROUTES}
plans = {
    "endless": every({"endless": "0,"}),
    "huge-length": every({"endless": "0", "content_length": 10 * 1024 ** 3}),
    # Within the size cap, yet a tree of millions of values.
    "many-values": every({"body": '{"object":"page","data":[' + "0," * 3500000 + "0]}"}),
    "drip": every({"body": PAGE, "drip_ms": 1000}),
    "hang-every": every({"hang": True}),
    "binary": every({"garbage": 4096}),
    "gzip-cut": every({"body": json.dumps({"object": "page", "has_more": False, "next_page": None, "data": [
        {"object": "bucket", "start_time": 1795431600 + 60 * i, "end_time": 1795431660 + 60 * i, "results": []}
        for i in range(60)]}), "gzip": True, "gzip_cut": 200}),
}
for k, v in plans.items():
    json.dump({"routes": v}, open(f"{out}/{k}.json", "w"))
EOF
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

t usage-sync-endless-body
fake endless
hostile_sync LLMOPS_USAGE_TIMEOUT_MS=10000
ended
eq "$rc" 1
has "$T/err" "openai: response from GET /v1/organization/usage/completions larger than 8 MiB"
has "$T/err" "openai: response from GET /v1/organization/costs larger than 8 MiB"
under_256m
eq "$(reqs /v1/organization/costs)" 1 # not retried: it would only come again

t usage-sync-huge-content-length
fake huge-length
hostile_sync LLMOPS_USAGE_TIMEOUT_MS=10000
ended
eq "$rc" 1
has "$T/err" "openai: response from GET /v1/organization/costs larger than 8 MiB"
under_256m

t usage-sync-many-values
fake many-values
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: the body holds more than 1000000 values; not read"
under_256m

t usage-sync-drip
# A byte a second is never idle long enough: the overall deadline ends it.
fake drip
hostile_sync LLMOPS_USAGE_TIMEOUT_MS=1500
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: no complete answer within 1.5s; retrying in"
has "$T/err" "openai: GET /v1/organization/costs: no complete answer within 1.5s; gave up after 3 attempts"
under_256m

t usage-sync-accept-and-hang
# Connected and silent: the idle timeout, said as such, not "no connection".
fake hang-every
hostile_sync LLMOPS_HTTP_IDLE=1
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: connected, no answer for 1s; retrying in"
has "$T/err" "openai: GET /v1/organization/costs: connected, no answer for 1s; gave up after 3 attempts"
lacks "$T/err" "no connection"

t usage-sync-no-connection
# Nothing listens on the port any more: that is "no connection".
fake_stop
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: no connection: Couldn't connect to server; gave up after 3 attempts"

t usage-sync-binary-garbage
fake binary
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: the body is not JSON"
under_256m

t usage-sync-truncated-gzip
fake gzip-cut
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/usage/completions: the body is not JSON"
eq "$(sq "$T/hostile.db" "SELECT count(*) FROM usage_buckets")" 0
fake_stop

# ---- real instrumentation libraries, one call per provider request ---------
t captured-libraries
mkdir -p "$T/captured"
python3 tests/cli/captured.py "$LLMOPS" "$PWD/tests/corpus/captured" "$T/captured" >"$T/captured.out" 2>&1
cap=$(tail -n 1 "$T/captured.out")
case "$cap" in
"captured: "*" passed, 0 failed") ok ;;
*) bad "$(grep -v '^captured:' "$T/captured.out" | head -n 20)" ;;
esac

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

t logsdb-pages-that-loop
# A damaged logs.db whose pages loop would yield the same rows for ever.
expect_rc 1 "$LLMOPS" --store "$T/loop.db" import --format llm "$PWD/tests/fuzz/regress/llmdb/pages-that-loop.db"
has "$T/err" "more rows than the file can hold: it is damaged"

t otlp-nul-never-half-kept
printf '%s\n' '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"cd'"$(printf 'cd%.0s' $(seq 15))"'","spanId":"0101010101010101","name":"chat","startTimeUnixNano":"1796000000000000000","endTimeUnixNano":"1796000001000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.output.messages","value":{"stringValue":"keep\u0000lost"}}]}]}]}]}' >"$T/nul.jsonl"
expect_rc 1 "$LLMOPS" --store "$T/nul.db" import "$T/nul.jsonl"
has "$T/err" "nul.jsonl:1: \\u0000 (a NUL character) at offset"

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

. tests/cli/replay.sh

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
