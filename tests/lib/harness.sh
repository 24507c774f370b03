# The harness of the command-line and terminal tests, sourced from the
# repository root. A suite is a folder of cases (tests/SUITE/cases/NN-name.sh)
# and an optional tests/SUITE/lib.sh of helpers and set-ups its cases share.
# Each case runs in a shell of its own, with its own temporary folder $T,
# home and XDG folders, so that it passes alone exactly as in the full run:
#
#   sh tests/SUITE/run.sh              every case, in order
#   sh tests/SUITE/run.sh export       only NN-export.sh (or give NN-export)
#
# Ends with "SUITE: N passed, N failed", counted over every check of every
# case; a case that stops before its end counts as one more failure.
set -u

# harness_main SUITE [CASE...]: the runner of tests/SUITE/run.sh.
harness_main() {
	suite=$1
	shift
	if [ ! -d "tests/$suite/cases" ]; then
		echo "$suite: run from the repository root (no tests/$suite/cases here)" >&2
		return 2
	fi
	tally=$(mktemp /tmp/llmops-$suite-tally.XXXXXX)
	ran=0
	for case in "tests/$suite/cases/"*.sh; do
		base=$(basename "$case" .sh)
		if [ $# -gt 0 ]; then
			want=0
			for a in "$@"; do
				[ "$a" = "$base" ] || [ "$a" = "${base#[0-9][0-9]-}" ] && want=1
			done
			[ $want = 1 ] || continue
		fi
		ran=$((ran + 1))
		HARNESS_TALLY=$tally sh -c '. tests/lib/harness.sh; harness_case "$1" "$2"' harness "$suite" "$case"
		# Killed outright, it could not say so itself.
		tail -n 1 "$tally" | grep -q " $base\$" ||
			{ echo "FAIL: $base: the case was killed"; echo "0 1 $base" >>"$tally"; }
	done
	if [ $ran = 0 ]; then
		echo "$suite: no case named '$*' in tests/$suite/cases" >&2
		rm -f "$tally"
		return 2
	fi
	pass=$(awk '{p += $1} END {print p + 0}' "$tally")
	fail=$(awk '{f += $2} END {print f + 0}' "$tally")
	rm -f "$tally"
	echo "$suite: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# harness_case SUITE FILE: one case, in the shell it was started in.
harness_case() {
	case_name=$(basename "$2" .sh)
	LLMOPS=${LLMOPS:-$PWD/llmops}
	CORPUS=$PWD/tests/corpus
	T=$(mktemp -d "/tmp/llmops-$1.XXXXXX")
	pass=0
	fail=0
	name=""
	harness_exit_hooks=""
	harness_ended=0
	trap 'harness_exit' EXIT
	# Nothing of the user's own: home, configuration, data and state are the case's.
	export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" XDG_STATE_HOME="$T/state"
	mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME"
	unset LLMOPS_STORE LLMOPSRC NO_COLOR
	# Never the real providers, whatever the environment holds.
	unset OPENAI_API_KEY OPENAI_ADMIN_KEY ANTHROPIC_API_KEY ANTHROPIC_ADMIN_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL
	[ -f "tests/$1/lib.sh" ] && . "tests/$1/lib.sh"
	. "$2"
	harness_ended=1
	echo "$pass $fail $case_name" >>"$HARNESS_TALLY"
}

# at_exit COMMAND: run when the case ends, however it ends (servers, sessions).
at_exit() {
	harness_exit_hooks="$harness_exit_hooks
$1"
}
harness_exit() {
	# An exit before the last line (an unset variable, a set-up that failed):
	# the checks so far count, and so does the stop, as a failure.
	if [ "$harness_ended" = 0 ]; then
		echo "FAIL: $case_name: the case stopped before its end${name:+ (in $name)}"
		echo "$pass $((fail + 1)) $case_name" >>"$HARNESS_TALLY"
	fi
	eval "$harness_exit_hooks"
	rm -rf "$T"
}

# The checks. t NAME names the checks that follow it; each check is one
# pass or one "FAIL: NAME: why" line.
t() { name=$1; }
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $name: $*"
}
# run CMD...: stdout to $T/out, stderr to $T/err, the status in $rc
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# expect_rc WANT CMD...: run, and the status must be WANT
expect_rc() {
	want=$1
	shift
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, wanted $want ($*); stderr: $(head -c 400 "$T/err")"; fi
}
has() { # FILE PATTERN (fixed string)
	if grep -qF -- "$2" "$1"; then ok; else bad "$(basename "$1") lacks '$2': $(head -c 600 "$1")"; fi
}
lacks() {
	if grep -qF -- "$2" "$1"; then bad "$(basename "$1") has '$2'"; else ok; fi
}
eq() {
	if [ "$1" = "$2" ]; then ok; else bad "got '$1', wanted '$2'"; fi
}
json() { # FILE PYTHON-EXPRESSION over d
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
