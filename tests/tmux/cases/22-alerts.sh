# Alerts in a real terminal, on a watched feed: a rule firing shows a banner and
# rings the bell once (tmux counts bells through its alert-bell hook), never again
# while it goes on firing; ! lists it and Enter opens the calls behind it; the
# banner goes when the rule resolves; a new firing rings once more; each
# transition runs alert_cmd once. With set bell = off, no bell.
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
bells() { if [ -f "$T/bells" ]; then wc -l <"$T/bells" | tr -d ' '; else echo 0; fi; }
# wait_gone PANE TEXT [SECONDS]: until the pane no longer shows TEXT
wait_gone() {
	i=0
	while [ $i -lt $((${3:-10} * 10)) ]; do
		screen "$1" | grep -qF -- "$2" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# wait_bells N: until tmux counted N bells
wait_bells() {
	i=0
	while [ $i -lt 100 ] && [ "$(bells)" -lt "$1" ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# A server of our own first, so that its bell hook is in place before the console rings.
$TM new-session -d -s idle "sleep 600"
$TM set -g monitor-bell on
$TM set -g bell-action any
$TM set-hook -g alert-bell "run-shell 'echo bell >>$T/bells'"
"$LLMOPS" import --store "$T/a.db" /dev/null >/dev/null 2>&1
: >"$T/feed.jsonl"
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF2
set refresh = 1
unalert builtin
watch jsonl $T/feed.jsonl
alert checkout-quiet calls < 1 over 1h where feature=checkout severity crit
alert checkout-errors errors > 0 over 1h where feature=checkout severity warn
set alert_cmd = "cat >>$T/notes.json; echo >>$T/notes.json"
EOF2

t banner-and-one-bell
$TM new-session -d -s a -x 100 -y 30 "$LLMOPS --store $T/a.db"
expect_screen a "CRIT checkout-quiet"
wait_bells 1
eq "$(bells)" 1
# Three more evaluations (refresh = 1): the rule goes on firing, and rings no more.
sleep 3
eq "$(bells)" 1

t banner-in-the-error-colour
if $TM capture-pane -e -p -t a | sed -n 2p | grep -q "$(printf '\033')\[31m.*CRIT checkout-quiet"; then ok; else
	bad "the banner is not red: $($TM capture-pane -e -p -t a | sed -n 2p | cat -v)"
fi

t alerts-view-and-enter
$TM send-keys -t a '!'
# the built-in ones are listed too, off
expect_screen a "alerts · 4 rules, 1 firing"
if screen a | grep -q "checkout-quiet .*crit firing"; then ok; else bad "the view does not say checkout-quiet fires: $(screen a)"; fi
$TM send-keys -t a Enter
expect_screen a "feature=checkout since=1h"
expect_screen a "[traces]"
$TM send-keys -t a q
expect_screen a "[alerts]"

t banner-goes-on-resolve
echo "{\"ts\":\"$(now)\",\"model\":\"gpt-4o-mini\",\"feature\":\"checkout\",\"output\":\"fine\"}" >>"$T/feed.jsonl"
if wait_gone a "CRIT checkout-quiet" 15; then ok; else bad "the banner stayed: $(screen a)"; fi
expect_screen a "alerts · 4 rules, 0 firing"
eq "$(bells)" 1

t new-firing-rings-once-more
echo "{\"ts\":\"$(now)\",\"model\":\"gpt-4o-mini\",\"feature\":\"checkout\",\"status\":\"error\",\"error_type\":\"timeout\"}" >>"$T/feed.jsonl"
expect_screen a "WARN checkout-errors" 15
wait_bells 2
sleep 2
eq "$(bells)" 2
if $TM capture-pane -e -p -t a | sed -n 2p | grep -q "$(printf '\033')\[33m.*WARN checkout-errors"; then ok; else
	bad "the warning banner is not yellow: $($TM capture-pane -e -p -t a | sed -n 2p | cat -v)"
fi

t alert-cmd-once-per-transition
# fired (quiet), resolved (quiet), fired (errors)
i=0
while [ $i -lt 100 ] && [ "$(grep -c '"transition"' "$T/notes.json" 2>/dev/null || echo 0)" -lt 3 ]; do
	sleep 0.1
	i=$((i + 1))
done
eq "$(grep -o '"transition": *"fired"' "$T/notes.json" | wc -l | tr -d ' ')" 2
eq "$(grep -o '"transition": *"resolved"' "$T/notes.json" | wc -l | tr -d ' ')" 1
has "$T/notes.json" '"rule":"checkout-errors"'
$TM send-keys -t a q q
$TM kill-session -t a 2>/dev/null

t bell-off
rm -f "$T/bells"
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF2
set refresh = 1
set bell = off
unalert builtin
alert checkout-quiet calls < 1 over 1h where feature=checkout severity crit
EOF2
"$LLMOPS" import --store "$T/b.db" /dev/null >/dev/null 2>&1
$TM new-session -d -s b -x 100 -y 30 "env NO_COLOR=1 $LLMOPS --store $T/b.db"
expect_screen b "CRIT checkout-quiet"
# Monochrome: no colour on the banner (its attributes are the crit element's, reverse and bold).
if $TM capture-pane -e -p -t b | sed -n 2p | grep -q "$(printf '\033')\[3[0-7]m"; then
	bad "a colour on a monochrome banner: $($TM capture-pane -e -p -t b | sed -n 2p | cat -v)"
else ok; fi
sleep 2
eq "$(bells)" 0
$TM send-keys -t b q

t no-bell-for-what-check-saw-first
# check from cron saw the rule fire and kept it in the state directory: the
# console opening later shows the banner but has no new firing to ring for.
rm -f "$T/bells"
sed -i '/set bell = off/d' "$XDG_CONFIG_HOME/llmops/llmopsrc"
"$LLMOPS" import --store "$T/c.db" /dev/null >/dev/null 2>&1
expect_rc 5 "$LLMOPS" --store "$T/c.db" check
$TM new-session -d -s c -x 100 -y 30 "$LLMOPS --store $T/c.db"
expect_screen c "CRIT checkout-quiet"
sleep 2
eq "$(bells)" 0
$TM send-keys -t c q
