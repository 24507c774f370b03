# :write FILE saves what the view holds as text: the list's rows (all those
# loaded, not just the screen's), then the whole call; a path it cannot
# write says so and leaves nothing behind.
demo_store
t write-list
$TM new-session -d -s wr -x 100 -y 30 "sh -c 'sleep 0.5; exec $LLMOPS --store $S traces'"
expect_screen wr "OUTPUT"
$TM send-keys -t wr ":write $T/list.txt" Enter
expect_screen wr "wrote "
rows=$(($(wc -l <"$T/list.txt") - 1))
first=$(sed -n 2p "$T/list.txt" | cut -f7)
if [ "$rows" -gt 28 ] && head -1 "$T/list.txt" | grep -q "^time	status	model" && [ ${#first} -eq 16 ]; then ok; else bad "the list as written: $(head -3 "$T/list.txt")"; fi
t write-call
$TM send-keys -t wr Enter
expect_screen wr "call $first"
$TM send-keys -t wr ":write $T/call.txt" Enter
expect_screen wr "call.txt"
if grep -q "$first" "$T/call.txt" && [ "$(wc -l <"$T/call.txt")" -gt 5 ]; then ok; else bad "the call as written: $(head -5 "$T/call.txt")"; fi
t write-fails
$TM send-keys -t wr ":write /proc/nowhere/x.txt" Enter
expect_screen wr "write: /proc/nowhere/x.txt:"
$TM kill-session -t wr
