# The incident's keys in a real terminal at 80x24: the first frame names the
# deploy with its figures against the version before and marks its minute in
# the sparklines; D diffs support-answer 7 against 8; the prompts view opens
# on the worst regression (in the error colour), s changes the order and D
# there diffs the same pair; t on the trace list opens the selected call's
# trace, and a trace id pasted into the filter opens that trace.
# Enough calls that the incident's hour holds a regression by the rule.
S="$T/incident.db"
"$LLMOPS" demo --no-tui --calls 20000 --store "$S" >/dev/null || exit 1
esc=$(printf '\033')
dot=$(printf '\302\267')
t incident-first-frame
$TM new-session -d -s ik -x 80 -y 24 "$LLMOPS --store $S"
expect_screen ik "support-answer@8 "
# The strip's 80-column form keeps p95 (and the time) beside the error rate.
# (Its row depends on whether an alert banner is up: found by its border.)
if screen ik | grep -Eq '^│ support-answer@8 [0-9]{2}:[0-9]{2} err [0-9.]+→[0-9.]+% p95 '; then ok; else
	bad "the changes line at 80 columns: $(screen ik | sed -n 2,4p)"
fi
t deploy-mark-in-sparklines
# Between "p95 " and " max": the sparkline alone, not the box's borders.
if screen ik | grep -F " max " | sed -n 's/.*│ p95 \(.*\) max .*/\1/p' | grep -q "│"; then ok; else
	bad "no deploy mark in the p95 sparkline: $(screen ik)"
fi
t dashboard-D-worst-regression
$TM send-keys -t ik D
expect_screen ik "support-answer@7 → support-answer@8"
$TM send-keys -t ik q
expect_screen ik "Changes $dot"
t prompts-view-worst-first
$TM send-keys -t ik p
expect_screen ik "by regression"
# The first row is the one under the column headings.
if screen ik | grep -A1 "PROMPT@VERSION" | tail -n 1 | grep -q "^$(printf '\342\226\266')support-answer@8 .*! err"; then ok; else
	bad "the first row is not the regression: $(screen ik | sed -n 1,4p)"
fi
# The regression's figures in the error colour (red), not the dim one,
# once the cursor's highlight is off its row.
$TM send-keys -t ik j
sleep 0.3
if $TM capture-pane -p -e -t ik | grep -A1 "PROMPT@VERSION" | tail -n 1 | grep -q "${esc}\[[0-9;]*31[0-9;]*m! err"; then ok; else
	bad "the regression is not in the error colour: $($TM capture-pane -p -e -t ik | grep -A1 "PROMPT@VERSION" | tail -n 1 | cat -v)"
fi
t prompts-view-sort-key
$TM send-keys -t ik k s
expect_screen ik "by first seen"
t prompts-view-D
$TM send-keys -t ik s s s s s
expect_screen ik "by regression"
$TM send-keys -t ik D
expect_screen ik "support-answer@7 → support-answer@8"
$TM send-keys -t ik q q
t trace-list-t
$TM send-keys -t ik t
expect_screen ik " ok  " # the rows are in
$TM send-keys -t ik t
expect_screen ik "llmops $dot trace "
$TM send-keys -t ik q
expect_screen ik "[traces]"
t filter-pasted-trace-id
id=$(sqlite3 "$S" "SELECT lower(hex(trace_id)) FROM calls ORDER BY ts LIMIT 1")
$TM send-keys -t ik f C-u "$id" Enter
expect_screen ik "llmops $dot trace $id"
$TM send-keys -t ik Q
$TM kill-session -t ik 2>/dev/null
