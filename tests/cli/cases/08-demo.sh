# The demo: a week of calls with an incident, and a store it must not overwrite.
corpus_store
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
