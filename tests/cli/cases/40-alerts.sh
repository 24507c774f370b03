# Alert rules: llmops check on the demo store (its incident: support-answer's errors), its exit
# statuses, --json and --nagios; a feed that stops; notifications by command and by webhook (a local
# server), once per transition; collect evaluating as it receives.
"$LLMOPS" demo --no-tui --calls 20000 --store "$T/demo.db" >/dev/null 2>&1
D="$T/demo.db"
cat >"$T/rc" <<'RC'
alert sa-errors error_rate > 5% where prompt=support-answer severity crit
unalert builtin
RC

t check-fires-on-the-incident
expect_rc 5 "$LLMOPS" -c "$T/rc" --store "$D" check
# the same figures as the report of the window gives for the prompt's versions
"$LLMOPS" --store "$D" report --since 1h --by prompt --json >"$T/rep.json"
nums=$(json "$T/rep.json" "'%d errors of %d calls' % (sum(g['errors'] for g in d['groups'] if g['key'].startswith('support-answer@')), sum(g['calls'] for g in d['groups'] if g['key'].startswith('support-answer@')))")
pct=$(json "$T/rep.json" "'%.1f%%' % (100.0 * sum(g['errors'] for g in d['groups'] if g['key'].startswith('support-answer@')) / sum(g['calls'] for g in d['groups'] if g['key'].startswith('support-answer@')))")
has "$T/out" "CRIT sa-errors $pct > 5% since 12:00: $nums (error_rate over 1h)"
has "$T/out" "filter: prompt=support-answer status=error since=1h"
has "$T/out" "1 of 1 rule firing (1 critical)"
t check-exit-statuses
printf 'alert busy calls > 10 severity warn\nunalert builtin\n' >"$T/warn.rc"
expect_rc 4 "$LLMOPS" -c "$T/warn.rc" --store "$D" check
has "$T/out" "WARN busy "
printf 'alert busy calls > 1000000\nunalert builtin\n' >"$T/ok.rc"
expect_rc 0 "$LLMOPS" -c "$T/ok.rc" --store "$D" check
has "$T/out" "OK: 1 rule, none firing"
# the built-in thresholds are rules too: the demo's error rate is over 2% in the last hour
printf '' >"$T/empty.rc"
expect_rc 4 "$LLMOPS" -c "$T/empty.rc" --store "$D" check
has "$T/out" "WARN builtin-error-warn"
expect_rc 1 "$LLMOPS" -c "$T/rc" --store "$T/none.db" check
has "$T/err" "no store at"
expect_rc 2 "$LLMOPS" -c "$T/rc" --store "$D" check --json --nagios
expect_rc 0 "$LLMOPS" check --help
t check-rc-errors
printf 'alert ok calls > 1\nalert slow p95 > fast\nalert x latency > 5\n' >"$T/bad.rc"
expect_rc 4 "$LLMOPS" -c "$T/bad.rc" --store "$D" check
has "$T/err" "bad.rc:2: p95 takes milliseconds (2000, 2000ms or 2s), not 'fast'"
has "$T/err" "bad.rc:3: unknown metric 'latency'"

t check-json
expect_rc 5 "$LLMOPS" -c "$T/rc" --store "$D" check --json
cp "$T/out" "$T/check.json"
eq "$(json "$T/check.json" "sorted(d.keys())")" "['firing', 'now', 'rules', 'store', 'worst']"
eq "$(json "$T/check.json" "(d['worst'], d['firing'], len(d['rules']))")" "('crit', 1, 1)"
eq "$(json "$T/check.json" "sorted(d['rules'][0].keys())")" "['builtin', 'detail', 'filter', 'metric', 'op', 'rule', 'severity', 'since', 'state', 'summary', 'threshold', 'transition', 'value']"
eq "$(json "$T/check.json" "(d['rules'][0]['rule'], d['rules'][0]['state'], d['rules'][0]['threshold'], '%.1f%%' % d['rules'][0]['value'])")" "('sa-errors', 'firing', 5, '$pct')"

t check-nagios
nagios_ok() { # the first line of $T/out as the plugin guidelines give it
	python3 - "$T/out" <<'PY'
import re, sys
line = open(sys.argv[1]).read().split("\n")[0]
num = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"
rng = r"@?(~|" + num + r")?(:(" + num + r")?)?"
perf = r"('[^'=]+'|[^' =]+)=(" + num + r"|U)(s|ms|us|%|B|KB|MB|TB|c)?(;(" + rng + r")?){0,2}(;(" + num + r")?){0,2}"
ok = re.fullmatch(r"LLMOPS (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+( \| " + perf + r"( " + perf + r")*)?", line)
print("yes" if ok else "no: " + line)
PY
}
expect_rc 2 "$LLMOPS" -c "$T/rc" --store "$D" check --nagios
eq "$(nagios_ok)" yes
has "$T/out" "LLMOPS CRITICAL - CRIT sa-errors $pct > 5%"
has "$T/out" "| 'sa-errors'="
has "$T/out" "%;;5;0;100"
expect_rc 1 "$LLMOPS" -c "$T/warn.rc" --store "$D" check --nagios
eq "$(nagios_ok)" yes
has "$T/out" "LLMOPS WARNING - WARN busy"
expect_rc 0 "$LLMOPS" -c "$T/ok.rc" --store "$D" check --nagios
eq "$(nagios_ok)" yes
has "$T/out" "LLMOPS OK - 1 rule, none firing | 'busy'="
expect_rc 3 "$LLMOPS" -c "$T/rc" --store "$T/none.db" check --nagios
eq "$(nagios_ok)" yes
has "$T/out" "LLMOPS UNKNOWN - "

t no-data-when-a-feed-stops
for m in 40 42 44 46 48 50; do
	echo "{\"ts\":\"2026-11-23T11:${m}:00Z\",\"model\":\"gpt-4o\",\"provider\":\"openai\",\"input_tokens\":10,\"output_tokens\":5}"
done >"$T/feed.jsonl"
"$LLMOPS" --store "$T/feed.db" import "$T/feed.jsonl" >/dev/null 2>&1
printf 'alert feed no_data > 15m where model=gpt-4o severity crit\nunalert builtin\n' >"$T/feed.rc"
expect_rc 0 "$LLMOPS" -c "$T/feed.rc" --store "$T/feed.db" check
LLMOPS_NOW=2026-11-23T12:10:00Z expect_rc 5 "$LLMOPS" -c "$T/feed.rc" --store "$T/feed.db" check
has "$T/out" "CRIT feed 20m > 15m since 12:10: newest call 2026-11-23T11:50:00Z"
has "$T/out" "filter: model=gpt-4o"

t alert-cmd-once-per-transition
cat >"$T/cmd.rc" <<RC
alert sa-errors error_rate > 5% where prompt=support-answer severity crit
unalert builtin
set alert_cmd = "cat >> '$T/cmd.log'"
RC
cp "$D" "$T/cmd.db"
expect_rc 5 "$LLMOPS" -c "$T/cmd.rc" --store "$T/cmd.db" check
expect_rc 5 "$LLMOPS" -c "$T/cmd.rc" --store "$T/cmd.db" check
LLMOPS_NOW=2026-11-23T12:30:00Z expect_rc 5 "$LLMOPS" -c "$T/cmd.rc" --store "$T/cmd.db" check
# the same store by a relative path has the same state
(cd "$T" && "$LLMOPS" -c cmd.rc --store ./cmd.db check >/dev/null 2>&1)
eq "$(wc -l <"$T/cmd.log")" 1
python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d['rule'], d['transition'], d['state'], d['severity'], d['filter'])" "$T/cmd.log" >"$T/cmd.first"
has "$T/cmd.first" "sa-errors fired firing crit prompt=support-answer status=error since=1h"
# two hours on, the window holds no calls: it resolves, once
LLMOPS_NOW=2026-11-23T14:00:00Z expect_rc 0 "$LLMOPS" -c "$T/cmd.rc" --store "$T/cmd.db" check
LLMOPS_NOW=2026-11-23T14:01:00Z expect_rc 0 "$LLMOPS" -c "$T/cmd.rc" --store "$T/cmd.db" check
eq "$(wc -l <"$T/cmd.log")" 2
eq "$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readlines()[1])['transition'])" "$T/cmd.log")" resolved

t webhook-once-per-transition
mkdir -p "$T/plans"
echo '{"routes": {"/hooks/T0/SECRETPART": [{"status": 200, "body": "ok"}]}}' >"$T/plans/hook.json"
echo '{"routes": {"/hooks/T0/SECRETPART": [{"status": 500, "body": "down"}]}}' >"$T/plans/hookdown.json"
fake hook
cat >"$T/hook.rc" <<RC
alert sa-errors error_rate > 5% where prompt=support-answer severity crit
unalert builtin
set alert_webhook = http://127.0.0.1:$PORT/hooks/T0/SECRETPART
RC
cp "$D" "$T/hook.db"
expect_rc 5 "$LLMOPS" -c "$T/hook.rc" --store "$T/hook.db" check
expect_rc 5 "$LLMOPS" -c "$T/hook.rc" --store "$T/hook.db" check
eq "$(reqs /hooks/T0/SECRETPART)" 1
python3 -c "import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(r['method'], json.loads(r['body'])['text'])" "$T/fake.log" >"$T/hook.first"
has "$T/hook.first" "POST CRIT sa-errors $pct > 5% since 12:00: $nums (prompt=support-answer status=error since=1h)"
LLMOPS_NOW=2026-11-23T14:00:00Z expect_rc 0 "$LLMOPS" -c "$T/hook.rc" --store "$T/hook.db" check
eq "$(reqs /hooks/T0/SECRETPART)" 2
python3 -c "import json,sys; r=json.loads(open(sys.argv[1]).readlines()[1]); print(json.loads(r['body'])['text'])" "$T/fake.log" >"$T/hook.second"
has "$T/hook.second" "RESOLVED sa-errors - (> 5%), firing since 12:00: 0 errors of 0 calls"
t webhook-retries-and-keeps-its-secret
fake hookdown
cat >"$T/down.rc" <<RC
alert sa-errors error_rate > 5% where prompt=support-answer severity crit
unalert builtin
set alert_webhook = http://127.0.0.1:$PORT/hooks/T0/SECRETPART
RC
cp "$D" "$T/down.db"
expect_rc 5 "$LLMOPS" -c "$T/down.rc" --store "$T/down.db" check
eq "$(reqs /hooks/T0/SECRETPART)" 3
has "$T/err" "alert_webhook http://127.0.0.1:$PORT/…: HTTP 500"
lacks "$T/err" "SECRETPART"
lacks "$T/out" "SECRETPART"
fake_stop

t collect-is-the-alerter
cat >"$T/col.rc" <<RC
alert sa-errors error_rate > 5% where prompt=support-answer severity crit
unalert builtin
set alert_cmd = "cat >> '$T/col.log'"
RC
cp "$D" "$T/col.db"
"$LLMOPS" -c "$T/col.rc" --store "$T/col.db" collect --listen 127.0.0.1:0 >"$T/col.out" 2>"$T/col.err" &
cpid=$!
i=0
while ! grep -q sa-errors "$T/col.log" 2>/dev/null && kill -0 $cpid 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $cpid
wait $cpid
eq "$(python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d['rule'], d['transition'])" "$T/col.log")" "sa-errors fired"
has "$T/col.err" "llmops: CRIT sa-errors $pct > 5% since 12:00"
