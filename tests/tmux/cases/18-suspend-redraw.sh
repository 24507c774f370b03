# Ctrl-Z gives the shell its terminal back and fg restores the screen;
# Ctrl-L repaints what something else wrote over it; Esc goes back; in the
# emacs keymap Alt keys are keys of their own and C-x C-c quits.
demo_store
t suspend-redraw
$TM new-session -d -s z -x 100 -y 30 "env PS1='shell> ' bash --norc --noprofile -i"
expect_screen z "shell>"
$TM send-keys -t z "sh -c '$LLMOPS --store $S; echo EXIT=\$?'" Enter
expect_screen z "Errors"
$TM send-keys -t z C-z
if wait_for z "Stopped" 5 && [ "$($TM display -p -t z '#{alternate_on}')" = 0 ]; then ok; else
	bad "Ctrl-Z did not stop the console and leave the alternate screen: $(screen z)"
fi
$TM send-keys -t z "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo MODES" Enter
if wait_for z "icanon echo MODES" 5; then ok; else bad "the terminal was not restored while stopped: $(screen z)"; fi
$TM send-keys -t z "fg" Enter
if wait_for z "Errors" 5 && [ "$($TM display -p -t z '#{alternate_on}')" = 1 ] && screen z | grep -q "Cost"; then ok; else
	bad "fg did not bring the console back: $(screen z)"
fi
# Something else writes over the screen: Ctrl-L draws it all again.
tty=$($TM display -p -t z '#{pane_tty}')
printf '\033[5;5HGARBAGE-OVER-THE-PANES' >"$tty"
wait_for z "GARBAGE-OVER" 5
$TM send-keys -t z C-l
sleep 0.5
if wait_for z "Errors" 5 && ! screen z | grep -q "GARBAGE-OVER"; then ok; else bad "Ctrl-L did not repaint: $(screen z)"; fi
# A lone Esc (after the ESCDELAY wait) goes back.
$TM send-keys -t z t
expect_screen z "[traces]"
$TM send-keys -t z Escape
if wait_for z "[dashboard]" 5; then ok; else bad "Esc did not go back: $(screen z)"; fi
$TM send-keys -t z q
expect_screen z "EXIT=0"
# The emacs keymap: C-x alone waits, C-x C-c quits.
printf 'set keymap = emacs\n' >"$XDG_CONFIG_HOME/llmops/llmopsrc"
$TM send-keys -t z "clear; sh -c '$LLMOPS --store $S; echo EXIT2=\$?'" Enter
expect_screen z "Errors"
# Alt and a key (Esc and the key at once) is one key, not Esc then the key.
$TM send-keys -t z M-j
expect_screen z "<M-j> is not bound"
$TM send-keys -t z C-x
expect_screen z "C-x-"
$TM send-keys -t z C-c
expect_screen z "EXIT2=0"
$TM kill-session -t z
