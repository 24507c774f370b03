# Alert rules on a ClickHouse store: the same calls imported into SQLite and
# into a private clickhouse-server (tests/lib/clickhouse.sh) give `check` the
# same values and the same exit status, with and without `where`, for rules
# the rollups answer and rules that read the calls.
. tests/lib/clickhouse.sh
CHD="$T/ch"
t check-clickhouse-server
ports=$(ch_start "$CHD")
src=$?
if [ $src = 77 ]; then
	echo "check-clickhouse: skipped: clickhouse-server is not installed (sh scripts/deps.sh --test)"
	ok
	return 0 2>/dev/null || exit 0
fi
at_exit 'ch_stop "$CHD"'
eq "$src" 0
set -- $ports
U="clickhouse://127.0.0.1:$1/alerts"
G="$T/gen.jsonl"
"$PWD/build/gen_jsonl" 20000 2026-11-23T12:00:00Z 7 >"$G"
expect_rc 0 "$LLMOPS" --store "$U" import "$G"
expect_rc 0 "$LLMOPS" --store "$T/s.db" import "$G"

# same_check SQ.json CH.json: "same" when every rule has the same state and
# the same value (percentiles within the histogram's 1%), else what differs.
same_check() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
out = []
for k in ("firing", "worst"):
	if a[k] != b[k]:
		out.append("%s %r != %r" % (k, a[k], b[k]))
for x, y in zip(a["rules"], b["rules"]):
	for k in ("rule", "state", "severity", "threshold", "filter"):
		if x[k] != y[k]:
			out.append("%s %s %r != %r" % (x["rule"], k, x[k], y[k]))
	vx, vy = x["value"], y["value"]
	pct = x["metric"] in ("p50", "p95", "p99", "ttft_p95")
	if vx is None or vy is None or not pct:
		if vx != vy:
			out.append("%s value %r != %r" % (x["rule"], vx, vy))
	elif abs(vx - vy) > 0.01 * max(abs(vx), abs(vy)):
		out.append("%s value %r != %r" % (x["rule"], vx, vy))
if len(a["rules"]) != len(b["rules"]):
	out.append("%d rules != %d" % (len(a["rules"]), len(b["rules"])))
print("same" if not out else "differ: " + "; ".join(out))
PY
}

t check-clickhouse-same-as-sqlite
# rules on dimensions only (the rollups) and rules with a `where` on the
# calls' own columns (an aggregation of the window's calls)
cat >"$T/rc" <<'RC'
alert sa-errors error_rate > 5% where prompt=support-answer severity crit
alert sa-errors-user error_rate > 5% where "prompt=support-answer user!=nobody" severity crit
alert all-errors errors > 10 severity warn
alert busy calls > 10 severity warn
alert quiet calls > 1000000
alert slow p95 > 2s
alert slow-errors p95 > 100 where status=error
alert slow-long p50 > 100 where "latency>1000 model=gpt-4o"
alert ttft ttft_p95 > 1s where user!=nobody
alert spend cost > 1
alert stopped no_data > 15m where model=gpt-4o severity crit
alert stopped-errors no_data > 15m where status=error
unalert builtin
RC
for now in 2026-11-23T12:00:00Z 2026-11-23T11:20:00Z 2026-11-23T14:00:00Z; do
	LLMOPS_NOW=$now "$LLMOPS" -c "$T/rc" --store "$T/s.db" check --json >"$T/sq.json" 2>"$T/sq.err"
	sq_rc=$?
	LLMOPS_NOW=$now "$LLMOPS" -c "$T/rc" --store "$U" check --json >"$T/ch.json" 2>"$T/ch.err"
	ch_rc=$?
	eq "$ch_rc" "$sq_rc"
	eq "$(same_check "$T/sq.json" "$T/ch.json")" "same"
done
# the incident is seen on ClickHouse as on SQLite, and not as an empty store
LLMOPS_NOW=2026-11-23T12:00:00Z expect_rc 5 "$LLMOPS" -c "$T/rc" --store "$U" check --json
eq "$(json "$T/out" "[r['state'] for r in d['rules'] if r['rule'] in ('sa-errors', 'sa-errors-user', 'busy', 'quiet', 'stopped')]")" \
	"['firing', 'firing', 'firing', 'ok', 'ok']"
eq "$(json "$T/out" "int(next(r['value'] for r in d['rules'] if r['rule'] == 'busy') > 100)")" 1
LLMOPS_NOW=2026-11-23T14:00:00Z expect_rc 5 "$LLMOPS" -c "$T/rc" --store "$U" check
has "$T/out" "CRIT stopped "

t prompts-clickhouse-same-as-sqlite
# the prompt registry from the rollups: every version, its first and last
# minute, calls, errors, p95 (the same histogram buckets), cost and what it
# is set against, as on SQLite
expect_rc 0 "$LLMOPS" --store "$U" prompt list
cp "$T/out" "$T/ch-prompts.txt"
"$LLMOPS" --store "$T/s.db" prompt list >"$T/sq-prompts.txt"
eq "$(cat "$T/ch-prompts.txt")" "$(cat "$T/sq-prompts.txt")"
has "$T/ch-prompts.txt" "support-answer  8 "
expect_rc 0 "$LLMOPS" --store "$U" prompt list support-answer
eq "$(wc -l <"$T/out")" 4
# a template added on this machine is listed beside those of the traffic,
# and its text is there to diff
printf 'You are a greeter.\n' >"$T/g1.txt"
printf 'You are a kind greeter.\n' >"$T/g2.txt"
expect_rc 0 "$LLMOPS" --store "$U" prompt add greeter "$T/g1.txt"
expect_rc 0 "$LLMOPS" --store "$U" prompt add greeter "$T/g2.txt"
expect_rc 0 "$LLMOPS" --store "$U" prompt list greeter
has "$T/out" "greeter  2        add"
expect_rc 0 "$LLMOPS" --store "$U" prompt diff greeter 1 2
has "$T/out" "kind"

t check-clickhouse-server-down
ch_stop "$CHD"
expect_rc 3 "$LLMOPS" -c "$T/rc" --store "$U" check --nagios
has "$T/out" "LLMOPS UNKNOWN - "
