#!/bin/sh
# llmops FILE on the bench's JSONL: the first frame while the import runs behind the console
# (three runs, each stopped with q once the frame is out), then one whole import through the
# console, as its status line reports it. Prints figures only; nothing here asserts on time.
set -eu

J=${1:?file}
D=$(mktemp -d /tmp/llmops-bench-open.XXXXXX)
SOCK="llmops-bench-open-$$"
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$D"' EXIT
export XDG_CONFIG_HOME="$D/config" XDG_STATE_HOME="$D/state" XDG_CACHE_HOME="$D/cache"
mkdir -p "$XDG_CONFIG_HOME/llmops"
L="$D/bench.log"
name=$(basename "$J")

for i in 1 2 3; do
	: >"$L"
	$TM new-session -d -s o$i -x 120 -y 30 "LLMOPS_BENCH=$L ./llmops $J"
	w=0
	while ! grep -q first-frame "$L" && [ $w -lt 600 ]; do
		sleep 0.05
		w=$((w + 1))
	done
	sed -n 's/^first-frame //p' "$L" | awk -v r=$i '{printf "first frame of llmops FILE, run %d: %.1f ms (target < 300 ms)\n", r, $1 * 1000}'
	$TM send-keys -t o$i q
	sleep 1
done
$TM new-session -d -s all -x 160 -y 30 "./llmops $J"
w=0
while ! $TM capture-pane -p -t all | grep -q "imported .* from $name in" && [ $w -lt 36000 ]; do
	sleep 0.1
	w=$((w + 1))
done
$TM capture-pane -p -t all | grep -o "imported .* from $name in [0-9.]* s" || echo "the import did not end"
$TM send-keys -t all q
