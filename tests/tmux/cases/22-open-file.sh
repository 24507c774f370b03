# llmops FILE: the console at once on a file being imported. The corpus's OTLP files (JSON lines
# and length-delimited protobuf) open on their calls; a big generated file shows its progress
# in the status line while the dashboard grows, then the count; q while it imports stops it and
# a named store keeps what was committed.
t open-otlp-files
$TM new-session -d -s o -x 120 -y 30 "$LLMOPS $HERE/corpus/captured/openinference/traces.jsonl"
expect_screen o "imported 17 calls from traces.jsonl"
expect_screen o "temporary store"
# The captures are of 2026-12-07: the window is theirs, whatever today is.
expect_screen o "claude-3-5-sonnet-20240620"
$TM send-keys -t o t
expect_screen o "gpt-4o-mini"
$TM send-keys -t o q q
$TM new-session -d -s p -x 120 -y 30 "$LLMOPS $HERE/corpus/captured/vercel-ai-otel/traces.pb"
expect_screen p "calls from traces.pb"
$TM send-keys -t p t
expect_screen p "gpt-4o-mini"
$TM send-keys -t p q q

t open-big-file
# 200,000 calls (about 360 MB) of the demo's traffic, a week ending now.
"$PWD/build/gen_jsonl" 200000 "$(date -u +%Y-%m-%dT%H:%M:%SZ)" 7 >"$T/big.jsonl" || exit 1
$TM new-session -d -s b -x 120 -y 30 "LLMOPS_BENCH=$T/bench.log $LLMOPS --store $T/big.db $T/big.jsonl"
# The first frame comes before the import has ended: the progress line, then the count.
expect_screen b "importing big.jsonl: "
expect_screen b " calls, " 30
screen b | grep -q "importing big.jsonl: .* MB of 3[0-9][0-9] MB ([0-9]*%)" && ok ||
	bad "no progress with the file's size: $(screen b | tail -1)"
grep -q "^first-frame" "$T/bench.log" && ok || bad "no first frame logged"
# The dashboard shows calls while it imports (a week of them: the window widens to 7d).
expect_screen b "window 7d" 60
expect_screen b "imported 200,000 calls from big.jsonl" 600
expect_screen b "store big.db"
$TM send-keys -t b q
eq "$(sqlite3 "$T/big.db" 'SELECT count(*) FROM calls')" 200000

t open-big-file-q-stops
rm -f "$T/big.db"*
$TM new-session -d -s q -x 120 -y 30 "$LLMOPS --store $T/part.db $T/big.jsonl; echo exited \$?; sleep 600"
# Once some calls are committed, q: the console leaves, the import stops where it was.
i=0
while ! screen q | grep -q "importing big.jsonl: .*, [1-9][0-9,]* calls" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
$TM send-keys -t q q
expect_screen q "exited 0" 60
n=$(sqlite3 "$T/part.db" 'SELECT count(*) FROM calls')
[ "$n" -gt 0 ] && [ "$n" -lt 200000 ] && ok || bad "$n calls kept after q, wanted some but not all"
eq "$(sqlite3 "$T/part.db" 'PRAGMA integrity_check')" ok

t open-file-bad-line
{
	head -3 "$T/big.jsonl"
	echo '{"ts":"2026-11-16T09:20:00Z","model":"gpt-4o","latency_ms":"slow"}'
	sed -n 4,5p "$T/big.jsonl"
} >"$T/bad.jsonl"
$TM new-session -d -s e -x 120 -y 30 "$LLMOPS $T/bad.jsonl; echo exited \$?; sleep 600"
expect_screen e "$T/bad.jsonl:4: "
$TM send-keys -t e q
# Printed again once the screen is gone; some records rejected: status 3.
expect_screen e "exited 3"
expect_screen e "llmops: $T/bad.jsonl:4: "
