# The compare view in a real terminal, from the dashboard's key and from
# :compare 1h: the incident's version and its model are worse, in bold red
# with their figures beyond noise starred (bold reverse without colour); the
# quiet rows are dim.
t compare-key-and-command
export LLMOPS_NOW=2026-11-20T12:00:00Z
"$LLMOPS" demo --no-tui --calls 50000 --store "$T/cmp.db" >/dev/null || exit 1
$TM new-session -d -s cm -x 80 -y 24 "$LLMOPS --store $T/cmp.db"
expect_screen cm "Changes"
$TM send-keys -t cm c
expect_screen cm "compare · 11:00-12:00 (1h) against 10:00-11:00"
expect_screen cm "support-answer@8 vs @7"
esc=$(printf '\033')
pane=$($TM capture-pane -p -e -t cm)
if printf '%s\n' "$pane" | grep -F "${esc}[1m${esc}[31mclaude-sonnet-4-5" | grep -qF "${esc}[1m${esc}[31mworse"; then ok; else
	bad "the worse model is not bold red: $(printf '%s\n' "$pane" | sed -n 4,6p | cat -v)"
fi
if printf '%s\n' "$pane" | grep -F "${esc}[2mgemini-2.5-flash" | grep -qF "${esc}[2msame"; then ok; else
	bad "a quiet model is not dim: $(printf '%s\n' "$pane" | grep -F gemini | cat -v)"
fi
if printf '%s\n' "$pane" | grep -qF "%*${esc}[0m"; then ok; else bad "no starred error rate: $(printf '%s\n' "$pane" | sed -n 4,6p | cat -v)"; fi
# Back to the dashboard, then the same view by its command, and another window.
$TM send-keys -t cm q
expect_screen cm "Changes"
$TM send-keys -t cm ':compare 1h' Enter
expect_screen cm "compare · 11:00-12:00 (1h) against 10:00-11:00"
$TM send-keys -t cm ':compare 15m' Enter
expect_screen cm "compare · 11:45-12:00 (15m) against 11:30-11:45"
# One q goes back to the dashboard: a second :compare replaced the first.
$TM send-keys -t cm q
expect_screen cm "Changes"
$TM kill-session -t cm

t compare-monochrome
$TM new-session -d -s cn -x 80 -y 24 "$LLMOPS --no-color --store $T/cmp.db"
expect_screen cn "Changes"
$TM send-keys -t cn c
expect_screen cn "support-answer@8 vs @7"
pane=$($TM capture-pane -p -e -t cn)
if printf '%s\n' "$pane" | grep -F "${esc}[1;7mclaude-sonnet-4-5" | grep -qF "${esc}[1;7mworse"; then ok; else
	bad "the worse model is not bold reverse: $(printf '%s\n' "$pane" | sed -n 4,6p | cat -v)"
fi
if printf '%s\n' "$pane" | grep -F "${esc}[2mgemini-2.5-flash" | grep -qF "${esc}[2msame"; then ok; else
	bad "a quiet model is not dim: $(printf '%s\n' "$pane" | grep -F gemini | cat -v)"
fi
$TM kill-session -t cn
