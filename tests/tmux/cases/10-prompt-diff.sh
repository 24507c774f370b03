# Prompt diff on a terminal: the diff view, its colours, q back to the shell.
t prompt-diff-terminal
D="$T/diff.db"
printf 'You are the support assistant.\nAnswer in at most 120 words.\nSign with your first name.\n' >"$T/p1.txt"
printf 'You are the friendly support assistant.\nAnswer in at most 80 words.\nSign with your first name.\n' >"$T/p2.txt"
"$LLMOPS" --store "$D" prompt add tone "$T/p1.txt" >/dev/null && "$LLMOPS" --store "$D" prompt add tone "$T/p2.txt" >/dev/null
$TM new-session -d -s pd -x 80 -y 24 "sh -c '$LLMOPS --store $D prompt diff tone 1 2; echo \"EXIT=\$?\"; sleep 30'"
expect_screen pd "tone@1 → tone@2"
# The changed words in reverse video and colour: red on the old side, green on the new.
esc=$(printf '\033')
if $TM capture-pane -p -e -t pd | grep -qF "${esc}[7m${esc}[31m120" &&
	$TM capture-pane -p -e -t pd | grep -qF "${esc}[7m${esc}[32mfriendly"; then ok; else
	bad "changed words not highlighted: $($TM capture-pane -p -e -t pd | sed -n 3,6p | cat -v)"
fi
$TM send-keys -t pd q
expect_screen pd "EXIT=0"
$TM kill-session -t pd
# Without colour: the words are bracketed instead, and still reversed.
$TM new-session -d -s pn -x 80 -y 24 "$LLMOPS --store $D --no-color prompt diff tone 1 2"
expect_screen pn "{+80+}"
if $TM capture-pane -p -e -t pn | grep -qF "${esc}[7m[-120-]"; then ok; else
	bad "no reverse video without colour: $($TM capture-pane -p -e -t pn | sed -n 3,6p | cat -v)"
fi
$TM kill-session -t pn
