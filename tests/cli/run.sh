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

t bad-now
LLMOPS_NOW=someday "$LLMOPS" --store "$S" report >"$T/out" 2>"$T/err"
eq "$?" 2
has "$T/err" "LLMOPS_NOW"

. tests/cli/replay.sh

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
