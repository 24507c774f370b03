#!/bin/sh
# peers.sh JSONL NOW (make bench): the report by model from the same file by
# llmops and by the tools an engineer would otherwise reach for: a Python
# stdlib script that streams the file, sqlite3 loading it with .import and its
# JSON functions, and lnav's headless SQL where lnav is installed. Each prints
# calls (once per id), errors, tokens, cost and p95 latency by model. Wall time
# is what a user waits; CPU time (user and system, every thread) is what the
# run costs, and stays comparable when other work shares the machine (the
# load average is printed beside each run). Prints figures only.
set -eu
J=$1 NOW=$2
D=${BENCH_DIR:-$PWD/build/bench}
R="$PWD/build/runstat"
S="$D/peers.db"
PR=${BENCH_PEER_RUNS:-1}
mkdir -p "$D"
cat "$J" >/dev/null

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
show() { # NAME WALL CPU RSS_KB
	printf "%-40s %7.2f s wall %7.2f s CPU  peak RSS %5.0f MB  (load %s)\n" "$1" "$2" "$3" "$(echo "$4 / 1024" | bc -l)" \
		"$(cut -d' ' -f1 /proc/loadavg)"
}
peer() { # NAME CMD...: median wall and CPU of PR runs into $pw and $pc ("" when it failed)
	name=$1
	shift
	ws="" cs="" pw="" pc=""
	for i in $(seq 1 "$PR"); do
		if ! "$R" "$@" >"$D/peer.out" 2>"$D/peer.err"; then
			echo "$name: failed: $(tail -n 3 "$D/peer.err")"
			return 0
		fi
		set -- $(tail -n 1 "$D/peer.err") "$@"
		ws="$ws $2" rss=$3 cs="$cs $4"
		shift 4
	done
	pw=$(echo "$ws" | median) pc=$(echo "$cs" | median)
	show "$name" "$pw" "$pc" "$rss"
}
fw="" fc="" fname=""
fastest() { # NAME: keeps the fastest peer's wall and CPU time
	[ -n "$pw" ] || return 0
	if [ -z "$fw" ] || [ "$(echo "$pw < $fw" | bc -l)" = 1 ]; then fw=$pw fname=$1; fi
	if [ -z "$fc" ] || [ "$(echo "$pc < $fc" | bc -l)" = 1 ]; then fc=$pc; fi
}

peer "python3 stdlib script (peer_report.py)" python3 tests/bench/peer_report.py "$J"
fastest python3
peer "sqlite3 .import + json_extract" sh tests/bench/peer_sqlite.sh "$D/peer.db" "$J"
fastest sqlite3
rm -f "$D/peer.db"
if command -v lnav >/dev/null 2>&1; then
	# lnav reads JSON lines through a format, installed in a home of the bench's own.
	mkdir -p "$D/lnav-home"
	HOME="$D/lnav-home" lnav -i tests/bench/lnav_llmops.json >/dev/null 2>&1
	q=$(grep -v '^--' tests/bench/peer_report.lnav.sql | tr '\n\t' '  ')
	peer "lnav -n, headless SQL" env HOME="$D/lnav-home" lnav -n -c ";$q" "$J"
	fastest lnav
else
	echo "lnav: not installed (apt-get install lnav), left out"
fi

rm -f "$S" "$S-wal" "$S-shm"
"$R" ./llmops --store "$S" import "$J" >/dev/null 2>"$D/peer.err"
set -- $(tail -n 1 "$D/peer.err")
iw=$2 irss=$3 ic=$4
env LLMOPS_NOW="$NOW" "$R" ./llmops --store "$S" report --since 7d >/dev/null 2>"$D/peer.err"
set -- $(tail -n 1 "$D/peer.err")
iw=$(echo "$iw + $2" | bc -l) ic=$(echo "$ic + $4" | bc -l)
show "llmops import + report" "$iw" "$ic" "$irss"
rm -f "$S" "$S-wal" "$S-shm"
peer "llmops report FILE" env LLMOPS_NOW="$NOW" ./llmops report --since 7d "$J"
if [ -n "$fw" ] && [ -n "$pw" ]; then
	printf "against the fastest peer (%s): import + report %.2fx its wall time, %.2fx the least CPU;\n" \
		"$fname" "$(echo "$iw / $fw" | bc -l)" "$(echo "$ic / $fc" | bc -l)"
	printf "  report FILE %.2fx its wall time, %.2fx the least CPU (target: at most 0.5x)\n" \
		"$(echo "$pw / $fw" | bc -l)" "$(echo "$pc / $fc" | bc -l)"
fi
