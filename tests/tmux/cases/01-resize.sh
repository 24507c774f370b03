# Resize: 200x60 -> 80x24 -> 80x23 -> 40x10 -> 39x10 -> 200x60.
demo_store
t resize
$TM new-session -d -s rs -x 200 -y 60 "$LLMOPS --store $S"
expect_screen rs "Errors"
# Three columns side by side at 200 wide: one line holds all three titles.
if screen rs | grep -q "Cost.*Latency.*Errors"; then ok; else bad "no three columns at 200x60: $(screen rs | head -3)"; fi
$TM resize-window -t rs -x 80 -y 24
sleep 0.5
expect_screen rs "Latency"
if screen rs | grep -q "Cost.*Latency"; then bad "still three columns at 80x24"; else ok; fi
if [ "$(screen rs | wc -l)" -eq 24 ] && screen rs | sed -n 24p | grep -q "help"; then ok; else bad "not laid out for 24 rows: $(screen rs)"; fi
# 80x23 (tmux's status bar takes a row of 80x24): the panes, not a complaint.
$TM resize-window -t rs -x 80 -y 23
sleep 0.5
if wait_for rs "Errors" && ! screen rs | grep -q "too small"; then ok; else bad "80x23 is not drawn: $(screen rs)"; fi
# 40x10: the headline figures over one pane.
$TM resize-window -t rs -x 40 -y 10
expect_screen rs "p95"
if screen rs | grep -q "in 1h.*p95.*err"; then ok; else bad "no headline at 40x10: $(screen rs)"; fi
$TM resize-window -t rs -x 39 -y 10
expect_screen rs "terminal too small: 39x10"
$TM resize-window -t rs -x 200 -y 60
sleep 0.5
if wait_for rs "Errors" && screen rs | grep -q "Cost.*Latency.*Errors"; then ok; else bad "not back to three columns: $(screen rs | head -3)"; fi
$TM kill-session -t rs
