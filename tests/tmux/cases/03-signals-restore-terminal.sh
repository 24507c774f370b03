# SIGTERM, SIGINT: the same exit path.
demo_store
for sig in TERM INT; do
	t "sig$sig-restores-terminal"
	$TM new-session -d -s s$sig -x 100 -y 30 "sh -c '$LLMOPS --store $S & echo \$! > $T/pid.$sig; wait \$!; echo \"EXIT=\$?\"; stty -a | tr \" \" \"\\n\" | grep -x -e icanon -e -icanon; sleep 30'"
	expect_screen s$sig "Errors"
	kill -$sig "$(cat "$T/pid.$sig")"
	expect_screen s$sig "EXIT="
	wait_for s$sig "canon" 5 # stty prints after EXIT=: wait for it, not only for EXIT=
	if screen s$sig | grep -qx "icanon"; then ok; else bad "terminal modes not restored after SIG$sig: $(screen s$sig)"; fi
	$TM kill-session -t s$sig
done
