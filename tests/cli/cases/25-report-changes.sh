# What changed: on the demo's incident, report --changes names the deploy of
# support-answer@8 first, with its minute, the version before and the model
# whose errors it raised (its first call came some minutes after the deploy in
# the demo's sparse traffic); report --json carries the same facts.
t report-changes
expect_rc 0 "$LLMOPS" demo --no-tui --calls 20000 --store "$T/chg.db"
expect_rc 0 "$LLMOPS" --store "$T/chg.db" report --changes --since 1h
eq "$(head -n 1 "$T/out" | awk '{print $1, $2, $3}')" "! support-answer@8 since"
has "$T/out" "on claude-sonnet-4-5"
eq "$(grep -c 'support-answer@7 *stopped' "$T/out")" 1
expect_rc 0 "$LLMOPS" --store "$T/chg.db" report --since 1h --json
eq "$(json "$T/out" "(d['changes'][0]['prompt'], d['changes'][0]['version'], d['changes'][0]['kind'], d['changes'][0]['regressed'], d['changes'][0]['before'])")" "('support-answer', '8', 'new', True, '7')"
eq "$(json "$T/out" "d['changes'][0]['first_seen'][:15]")" "2026-11-23T11:1"  # 47 minutes before LLMOPS_NOW, to the first call
eq "$(json "$T/out" "d['changes'][0]['now']['error_rate'] > 3 * d['changes'][0]['was']['error_rate']")" True
t report-changes-quiet-window
expect_rc 0 "$LLMOPS" --store "$T/chg.db" report --changes --from 2000-01-01T00:00:00Z --to 2000-01-01T01:00:00Z
eq "$(cat "$T/out")" "no changes in the window"
t report-changes-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "report --changes [--since DUR | --from TIME --to TIME]"
