# q restores the terminal.
demo_store
t q-restores-terminal
$TM new-session -d -s q -x 100 -y 30 "sh -c '$LLMOPS --store $S; echo \"EXIT=\$?\"; stty -a | tr \" \" \"\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo; sleep 30'"
expect_screen q "Errors"
if [ "$($TM display -p -t q '#{alternate_on}')" = 1 ]; then ok; else bad "the console is not on the alternate screen"; fi
$TM send-keys -t q q
expect_screen q "EXIT=0"
wait_for q "echo" 5 # stty prints after EXIT=: wait for it, not only for EXIT=
if screen q | grep -qx "icanon" && screen q | grep -qx "echo"; then ok; else bad "terminal modes not restored: $(screen q)"; fi
if [ "$($TM display -p -t q '#{alternate_on}')" = 0 ]; then ok; else bad "still on the alternate screen"; fi
if [ "$($TM display -p -t q '#{cursor_flag}')" = 1 ]; then ok; else bad "the cursor stayed hidden"; fi
$TM kill-session -t q
