# SIGHUP and a vanished terminal: exit, never spin.
demo_store
t sighup
$TM new-session -d -s hup -x 100 -y 30 "sh -c '$LLMOPS --store $S & echo \$! > $T/pid.hup; wait \$!; echo \$? > $T/rc.hup; sleep 30'"
expect_screen hup "Errors"
pid=$(cat "$T/pid.hup")
kill -HUP "$pid"
if gone "$pid" 5; then ok; else bad "still running 5 s after SIGHUP"; kill -9 "$pid"; fi
sleep 0.2
if [ "$(cat "$T/rc.hup" 2>/dev/null)" = 129 ]; then ok; else bad "exit status $(cat "$T/rc.hup" 2>/dev/null), wanted 129"; fi
$TM kill-session -t hup

t terminal-gone
$TM new-session -d -s gone -x 100 -y 30 "sh -c 'echo \$\$ > $T/pid.gone; exec $LLMOPS --store $S'"
expect_screen gone "Errors"
pid=$(cat "$T/pid.gone")
$TM kill-session -t gone # the pty closes under it, as an SSH drop does
if gone "$pid" 5; then ok; else
	cpu=$(ps -o %cpu= -p "$pid")
	bad "still running 5 s after its terminal went away (cpu $cpu%)"
	kill -9 "$pid"
fi
