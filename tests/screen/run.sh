#!/bin/sh
# Screen tests, as tig's: the real ./llmops plays the keys of a case file
# (LLMOPS_SCRIPT) with LLMOPS_NO_DISPLAY, a fixed clock and fixed data. The
# console waits until loading is idle before each key; "@snap" lines save the
# screen as text and each is compared with tests/screen/expected/CASE.N.screen.
#
# A case file (tests/screen/cases/NAME.keys) holds keys, one line per step
# (":cmd" and "/text" are typed and entered; "<Enter>", "<C-f>", "jjk" are keys),
# and directives:
#   #@ store demo|demo-full|hostile|empty|clickhouse  the data (default demo: 5,000
#                                   calls; demo-full: the 200,000 of `make demo`, made on
#                                   first use; clickhouse: the demo week in a private
#                                   ClickHouse server, started for the first case that
#                                   asks; skipped when clickhouse-server is not installed)
#   #@ size COLSxLINES              the terminal (default 80x24)
#   #@ args WORDS                   the command line after "llmops" ($T: the case's folder)
#   #@ rc LINE                      a line of the llmopsrc
#   #@ env NAME=VALUE               the environment
#   #@ stderr TEXT                  stderr must hold TEXT after the screen is gone
#                                   (otherwise stdout and stderr must stay empty)
#   #@ server PLAN                  a stand-in provider (tests/server/fake_api.py)
#                                   answering from fixtures/PLAN ($CORPUS: tests/corpus, $FIXTURES);
#                                   OPENAI_BASE_URL, ANTHROPIC_BASE_URL and keys point at it;
#                                   the case gets its own copy of the store, which
#                                   the console writes into (replays, usage reports)
#   #@ mask SED-ERE                 what varies from run to run (a latency) reads ~
#   #@ sh COMMAND                   run first, in the case's own folder, with $LLMOPS,
#                                   $CORPUS (tests/corpus) and
#                                   $STORE, a copy of the store made for this case alone
#                                   (prompt versions to add, calls to import); the
#                                   console then opens that copy
# UPDATE=1 writes the expected screens instead of comparing (review them!).
# Ends with "screen: N passed, N failed".
set -u

LLMOPS=${LLMOPS:-$PWD/llmops}
HERE=$PWD/tests/screen
T=$(mktemp -d /tmp/llmops-screen.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LLMOPS_NOW=2026-11-20T12:00:00Z LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color LLMOPS_NO_DISPLAY=1
unset NO_COLOR LLMOPSRC LLMOPS_STORE LLMOPS_BENCH VISUAL EDITOR
unset OPENAI_API_KEY OPENAI_ADMIN_KEY ANTHROPIC_API_KEY ANTHROPIC_ADMIN_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL
export HOME="$T/home" XDG_DATA_HOME="$T/data"
mkdir -p "$HOME"

# The data: the demo week, and a store of calls whose text attacks terminals.
"$LLMOPS" demo --no-tui --calls 5000 --store "$T/demo.db" >/dev/null || exit 1
"$LLMOPS" import --store "$T/hostile.db" "$HERE/fixtures/hostile.jsonl" >/dev/null 2>&1 || exit 1
"$LLMOPS" import --store "$T/empty.db" /dev/null >/dev/null 2>&1

# The demo week in ClickHouse, the first time a case asks for it.
CHU=""
clickhouse_store() {
	[ -n "$CHU" ] && return 0
	. "$PWD/tests/lib/clickhouse.sh"
	# once more on other ports, should another process have taken one
	ports=$(ch_start "$T/ch" 2>"$T/ch.err") || { r=$?; [ $r = 77 ] && return 77; ch_stop "$T/ch"; rm -rf "$T/ch"; ports=$(ch_start "$T/ch" 2>>"$T/ch.err"); } || return $?
	trap 'ch_stop "$T/ch"; rm -rf "$T"' EXIT
	CHU="clickhouse://127.0.0.1:${ports%% *}/demo"
	XDG_STATE_HOME="$T/ch-state" "$LLMOPS" demo --no-tui --calls 5000 --store "$CHU" >/dev/null 2>>"$T/ch.err"
}

pass=0
fail=0
only=${1:-}
for case in "$HERE"/cases/*.keys; do
	name=$(basename "$case" .keys)
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	d="$T/run/$name"
	mkdir -p "$d/config/llmops" "$d/state" "$d/out"
	store=demo size=80x24 args="" envs="" want_err="" plan="" masks=""
	: >"$d/config/llmops/llmopsrc"
	: >"$d/script"
	: >"$d/setup"
	n=0
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"#@ store "*) store=${line#\#@ store } ;;
		"#@ size "*) size=${line#\#@ size } ;;
		"#@ args "*) args=$(printf '%s' "${line#\#@ args }" | sed "s|\$T|$d|g") ;;
		"#@ rc "*) printf '%s\n' "${line#\#@ rc }" | sed "s|\$T|$d|g" >>"$d/config/llmops/llmopsrc" ;;
		"#@ env "*) envs="$envs ${line#\#@ env }" ;;
		"#@ stderr "*) want_err=${line#\#@ stderr } ;;
		"#@ server "*) plan=${line#\#@ server } ;;
		"#@ mask "*) masks="$masks${masks:+;}s/${line#\#@ mask }/~/g" ;;
		"#@ sh "*) printf '%s\n' "${line#\#@ sh }" >>"$d/setup" ;;
		"#"*) ;;
		@snap)
			n=$((n + 1))
			printf ':save-display %s/out/%s.%d.screen\n' "$d" "$name" "$n" >>"$d/script"
			;;
		*) printf '%s\n' "$line" >>"$d/script" ;;
		esac
	done <"$case"
	srv=""
	if [ -n "$plan" ]; then
		sed -e "s|\$CORPUS|$PWD/tests/corpus|g" -e "s|\$FIXTURES|$HERE/fixtures|g" "$HERE/fixtures/$plan" >"$d/plan.json"
		python3 "$PWD/tests/server/fake_api.py" "$d/plan.json" "$d/requests.jsonl" "$d/port" &
		srv=$!
		k=0
		while [ ! -s "$d/port" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
		port=$(cat "$d/port")
		envs="$envs OPENAI_BASE_URL=http://127.0.0.1:$port/v1 ANTHROPIC_BASE_URL=http://127.0.0.1:$port"
		envs="$envs OPENAI_API_KEY=sk-screen-openai ANTHROPIC_API_KEY=sk-screen-anthropic"
	fi
	cols=${size%x*}
	lines=${size#*x}
	db="$T/$store.db"
	ok=1
	if [ "$store" = demo-full ] && [ ! -f "$db" ]; then
		"$LLMOPS" demo --no-tui --store "$db" >/dev/null || exit 1
		# Its text index built once, here, rather than before the first key of a case.
		echo ':q' >"$T/quit.keys"
		env XDG_CONFIG_HOME="$T/none" XDG_STATE_HOME="$T/none" LLMOPS_SCRIPT="$T/quit.keys" LINES=24 COLUMNS=80 \
			"$LLMOPS" --store "$db" >/dev/null 2>&1 || exit 1
	elif [ "$store" = clickhouse ]; then
		clickhouse_store
		chs=$?
		if [ $chs = 77 ]; then
			echo "screen: $name skipped: clickhouse-server is not installed (sh scripts/deps.sh --test)"
			continue
		fi
		[ $chs = 0 ] || { echo "FAIL: $name: the ClickHouse store could not be made: $(head -c 400 "$T/ch.err")"; fail=$((fail + 1)); continue; }
		db=$CHU
	fi
	# A case that writes gets a copy of the file; on ClickHouse what the
	# console writes (replays, labels) goes to the case's own state folder.
	if { [ -n "$plan" ] || [ -s "$d/setup" ]; } && [ "$store" != clickhouse ]; then
		cp "$db" "$d/store.db"
		db="$d/store.db"
	fi
	if [ -s "$d/setup" ]; then
		if ! (cd "$d" && LLMOPS="$LLMOPS" STORE="$db" CORPUS="$OLDPWD/tests/corpus" sh -e setup) >"$d/setup.out" 2>&1; then
			echo "FAIL: $name: its #@ sh lines failed: $(head -c 300 "$d/setup.out")"
			ok=0
		fi
	fi
	# shellcheck disable=SC2086
	env XDG_CONFIG_HOME="$d/config" XDG_STATE_HOME="$d/state" LINES="$lines" COLUMNS="$cols" \
		LLMOPS_SCRIPT="$d/script" $envs \
		timeout 60 "$LLMOPS" --store "$db" $args >"$d/stdout" 2>"$d/stderr"
	rc=$?
	[ -n "$srv" ] && kill "$srv" 2>/dev/null
	errs_ok=1
	if [ -n "$want_err" ]; then
		grep -qF -- "$want_err" "$d/stderr" || errs_ok=0
	elif [ -s "$d/stderr" ]; then
		errs_ok=0
	fi
	if [ $rc -ne 0 ] || [ -s "$d/stdout" ] || [ $errs_ok = 0 ]; then
		echo "FAIL: $name: exit $rc; stdout: $(head -c 300 "$d/stdout"); stderr: $(head -c 300 "$d/stderr")"
		ok=0
	fi
	i=1
	while [ $i -le $n ]; do
		got="$d/out/$name.$i.screen"
		# Paths under the temporary directory read the same on every run.
		[ -f "$got" ] && sed -i "s|$T|\$T|g" "$got"
		[ -f "$got" ] && [ -n "$masks" ] && sed -E -i "$masks" "$got"
		want="$HERE/expected/$name.$i.screen"
		if [ "${UPDATE:-}" = 1 ]; then
			cp "$got" "$want" 2>/dev/null || { echo "FAIL: $name: screen $i was not saved"; ok=0; }
		elif [ ! -f "$got" ]; then
			echo "FAIL: $name: screen $i was not saved"
			ok=0
		elif ! diff -u "$want" "$got" >"$d/diff" 2>&1; then
			echo "FAIL: $name: screen $i differs from tests/screen/expected/$name.$i.screen:"
			cat "$d/diff"
			ok=0
		fi
		i=$((i + 1))
	done
	[ "${UPDATE:-}" != 1 ] && [ -f "$HERE/expected/$name.$((n + 1)).screen" ] &&
		{ echo "FAIL: $name: expected/$name.$((n + 1)).screen has no @snap"; ok=0; }
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "screen: $pass passed, $fail failed"
[ $fail -eq 0 ]
