#!/bin/sh
# The console's figures on a store (make bench runs it on the 1M-call store):
# first complete dashboard frame, keypress-to-frame in the dashboard and the
# trace list, bytes written to the terminal while idle and per refresh, and
# CPU while idle with a watched file. The console runs in a real terminal
# (a private tmux server); LLMOPS_BENCH makes it log its frame times.
# Prints figures only; nothing here asserts on time. The store is a file
# or a clickhouse:// URL; IDLE=0 leaves out the minute of idleness.
set -eu

S=${1:?store}
NOW=${2:?now}
D=$(mktemp -d /tmp/llmops-bench.XXXXXX)
SOCK="llmops-bench-$$"
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$D"' EXIT
export XDG_CONFIG_HOME="$D/config" XDG_STATE_HOME="$D/state"
mkdir -p "$XDG_CONFIG_HOME/llmops"
L="$D/bench.log"

waitlog() { # PATTERN COUNT
	w=0
	while [ "$(grep -c "$1" "$L" 2>/dev/null || true)" -lt "$2" ] && [ $w -lt 600 ]; do
		sleep 0.05
		w=$((w + 1))
	done
}
stats() { # label, from the key-to-frame lines after line $1
	tail -n +"$(($1 + 1))" "$L" | awk '/^key-to-frame/ {print $2 * 1000}' | sort -n |
		awk -v what="$2" '{v[++n] = $1}
		END { if (!n) { print what ": no frames"; exit }
		      p = int(n * 0.95 + 0.5); if (p < 1) p = 1
		      printf "%s: median %.2f ms, p95 %.2f ms, max %.2f ms over %d frames (target <= 20 ms)\n",
		      what, v[int((n + 1) / 2)], v[p], v[n], n }'
}

# A session that outlives the console's: killing the last one would end the
# tmux server, and the next new-session could reach it while it goes.
$TM new-session -d -s keep -x 80 -y 24 "sleep 100000"

# ---- first frame and key-to-frame --------------------------------------------------
for i in 1 2 3; do
	: >"$L"
	$TM new-session -d -s c$i -x 80 -y 24 "LLMOPS_NOW=$NOW LLMOPS_BENCH=$L ./llmops --store $S"
	waitlog first-frame 1
	sed -n 's/^first-frame //p' "$L" | awk -v r=$i '{printf "first dashboard frame, run %d: %.1f ms (target <= 150 ms)\n", r, $1 * 1000}'
	[ $i -lt 3 ] && $TM kill-session -t c$i
done
s=c3
sleep 1
# After a fresh import the console builds the full-text index in the background
# (its title says so): keys and idleness are measured once that work is done.
w=0
while $TM capture-pane -p -t $s | grep -q "indexing text" && [ $w -lt 6000 ]; do
	sleep 0.1
	w=$((w + 1))
done
[ $w -gt 0 ] && echo "full-text index of the import built in the background: about $((w / 10)) s more"
# Each key once the frame of the one before is out (a store over the network
# may take longer than the pause), so that every key has its own frame.
n0=$(wc -l <"$L")
for k in 1 2 3 4 5 6 7 8 9 2 Tab Tab Tab j j j k k m m m m; do
	n=$(grep -c '^key-to-frame' "$L" || true)
	$TM send-keys -t $s "$k"
	waitlog '^key-to-frame' $((n + 1))
	sleep 0.15
done
stats "$n0" "dashboard key-to-frame (windows 15m..365d, Tab, j/k, m)"
# The window keys alone, 1 to 9 twice, each after the last frame.
n0=$(wc -l <"$L")
: >"$D/windows"
for k in 1 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7 8 9 2; do
	n=$(grep -c '^key-to-frame' "$L" || true)
	$TM send-keys -t $s "$k"
	waitlog '^key-to-frame' $((n + 1))
	grep '^key-to-frame' "$L" | sed -n "$((n + 1))p" | awk -v k="$k" '{printf "%s %.0f\n", k, $2 * 1000}' >>"$D/windows"
	sleep 0.3
done
stats "$n0" "window switch key-to-frame (1..9 twice)"
sort -k1,1n -s "$D/windows" | awk '{v[$1] = v[$1] " " $2} END {
	split("15m 1h 6h 24h 7d 14d 30d 90d 365d", w, " ")
	printf "  by window (ms):"; for (i = 1; i <= 9; i++) printf " %s%s;", w[i], v[i]; printf "\n" }'
$TM send-keys -t $s 2 t
sleep 1
n0=$(wc -l <"$L")
for i in $(seq 1 60); do
	$TM send-keys -t $s j
	sleep 0.03
done
for i in $(seq 1 20); do
	$TM send-keys -t $s C-f
	sleep 0.05
done
for k in G g s s s; do
	$TM send-keys -t $s "$k"
	sleep 0.5
done
stats "$n0" "trace list key-to-frame (j x60, C-f x20, G, g, s)"
# The list's rows come from the query thread: for a key that asks it (a new
# sort reads its first rows), the frame that shows them.
for i in 1 2 3; do # back to time order, as the title says
	$TM capture-pane -p -t $s | head -1 | grep -q "newest first" && break
	$TM send-keys -t $s s
	sleep 1
done
n0=$(wc -l <"$L")
for k in s s s s s s s s s; do
	n=$(grep -c '^key-to-rows' "$L" || true)
	$TM send-keys -t $s "$k"
	waitlog '^key-to-rows' $((n + 1))
	sleep 0.5
done
tail -n +"$((n0 + 1))" "$L" | awk '/^key-to-rows/ {i = n++ % 3; v[i] = v[i] " " sprintf("%.1f", $2 * 1000)}
	END {printf "trace list sorted, key to its rows (ms): by latency%s; by cost%s; by time%s (target <= 150 ms)\n", v[0], v[1], v[2]}'
$TM kill-session -t $s

[ "${IDLE:-1}" = 0 ] && exit 0

# ---- idle: bytes to the terminal and CPU, with a watched file -----------------------
W="$D/live.jsonl"
: >"$W"
printf 'set refresh = 5\nwatch jsonl %s\n' "$W" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
$TM new-session -d -s idle -x 80 -y 24 "sh -c 'sleep 0.3; exec ./llmops --store $S'"
$TM pipe-pane -o -t idle "cat >> $D/bytes"
sleep 3 # the first frame and the catch-up of the watched file
pid=$($TM display -p -t idle '#{pane_pid}')
b0=$(stat -c %s "$D/bytes")
c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 60
b1=$(stat -c %s "$D/bytes")
c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
hz=$(getconf CLK_TCK)
echo "idle for 60 s (refresh 5 s, a watched file): $((b1 - b0)) bytes to the terminal (target: a clock tick), CPU $(echo "($c1 - $c0) * 100 / $hz / 60" | bc -l | awk '{printf "%.2f", $1}')% of a core (target < 1%)"
# A refresh that has something to show: a call appended to the watched file.
tot=0
for i in 1 2 3 4 5; do
	b0=$(stat -c %s "$D/bytes")
	echo "{\"ts\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"model\":\"gpt-4o\",\"input_tokens\":100,\"output_tokens\":20,\"latency_ms\":800}" >>"$W"
	sleep 2
	b1=$(stat -c %s "$D/bytes")
	tot=$((tot + b1 - b0))
done
echo "a refresh with a new call: $((tot / 5)) bytes to the terminal on average (80x24 is 1920 cells)"
