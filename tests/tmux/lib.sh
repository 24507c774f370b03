# Helpers and set-ups shared by the terminal cases (tests/tmux/cases), sourced
# by tests/lib/harness.sh in each case's own shell. The console runs inside a
# private tmux server, one per case, driven with send-keys and read with
# capture-pane.
HERE=$PWD/tests
SOCK="llmops-test-$$"
TM=tm
# tm ARGS: tmux on the case's server. A kill-session that ends the last
# session waits until the server has gone: a new-session straight after it
# could reach a server on its way out ("server exited unexpectedly"), which a
# loaded machine makes likely. A new server starts with the environment of
# the new-session that starts it, as the cases expect.
tm() {
	if [ "$1" = kill-session ]; then
		_tm_pid=$(tmux -L "$SOCK" -f /dev/null display-message -p '#{pid}' 2>/dev/null)
		tmux -L "$SOCK" -f /dev/null "$@" || return
		tmux -L "$SOCK" -f /dev/null has-session 2>/dev/null && return 0
		[ -n "$_tm_pid" ] && gone "$_tm_pid" 10
		return 0
	fi
	tmux -L "$SOCK" -f /dev/null "$@"
}
at_exit '$TM kill-server 2>/dev/null'
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset LLMOPS_NO_DISPLAY LLMOPS_SCRIPT LLMOPS_NOW
mkdir -p "$XDG_CONFIG_HOME/llmops"

screen() { $TM capture-pane -p -t "$1"; }
# wait_for PANE TEXT [SECONDS]: until the pane shows TEXT
wait_for() {
	i=0
	lim=$(((${3:-10}) * 10))
	while [ $i -lt $lim ]; do
		screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
expect_screen() { # PANE TEXT [SECONDS]
	if wait_for "$1" "$2" "${3:-10}"; then ok; else bad "never showed '$2'; the screen:
$(screen "$1")"; fi
}
# gone PID [SECONDS]: until the process has ended
gone() {
	i=0
	while [ $i -lt $((${2:-5} * 10)) ]; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# demo_store: $S, a demo week of 3,000 calls.
S="$T/demo.db"
demo_store() {
	"$LLMOPS" demo --no-tui --calls 3000 --store "$S" >/dev/null || exit 1
}
# hostile_store: $T/hostile.db, calls whose text attacks terminals. They are
# dated 2026-11-20: the console looks at them from then ($HOSTILE_NOW).
HOSTILE_NOW=2026-11-20T12:00:00Z
hostile_store() {
	"$LLMOPS" import --store "$T/hostile.db" "$HERE/screen/fixtures/hostile.jsonl" >/dev/null 2>&1 || exit 1
}
