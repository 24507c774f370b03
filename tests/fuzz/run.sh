#!/bin/sh
# The fuzz targets of build-fuzz/, run from the repository root by make:
#   run.sh fuzz TARGET...     each for $FUZZ_SECONDS (60), one after the other
#   run.sh regress TARGET...  every seed and every crash ever found, once each
# A line per target, and a non-zero exit when any target crashed, leaked,
# timed out or ran out of memory. In fuzz mode the input that did it is kept
# in build-fuzz/crashes/TARGET/ and its log in build-fuzz/log/TARGET.log.
set -u

mode=${1:?usage: run.sh fuzz|regress TARGET...}
shift
fz=build-fuzz
secs=${FUZZ_SECONDS:-60}
# The quarantine of freed memory (256 MiB by default) would count against
# the memory limit: a smaller one leaves the limit to the code under test.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=32}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

# The longest input worth trying: a line, a document, a small logs.db.
max_len() {
	case $1 in
	jsonl | rc) echo 4096 ;;
	chat_body | usage) echo 8192 ;;
	llmdb) echo 32768 ;;
	*) echo 16384 ;;
	esac
}

# What a failed run found, from libFuzzer's and the sanitizers' last words.
verdict() {
	if grep -q 'ERROR: libFuzzer: timeout' "$1"; then echo "timeout"
	elif grep -q 'out-of-memory' "$1"; then echo "out of memory"
	elif grep -q 'LeakSanitizer: detected memory leaks' "$1"; then echo "leak"
	elif grep -q 'runtime error:' "$1"; then echo "undefined behaviour: $(grep -m1 'runtime error:' "$1" | sed 's/.*runtime error: //')"
	elif grep -q 'ERROR: AddressSanitizer' "$1"; then echo "$(grep -m1 'ERROR: AddressSanitizer' "$1" | sed 's/.*AddressSanitizer: \([^ ]*\).*/\1/')"
	elif grep -q '^fuzz: ' "$1"; then echo "$(grep -m1 '^fuzz: ' "$1" | cut -c1-160)"
	else echo "crash"
	fi
}

mkdir -p "$fz/log"
failed=0
for t in "$@"; do
	bin=$fz/fuzz_$t
	log=$fz/log/$t.log
	set -- -rss_limit_mb=256 -timeout=10 -max_len="$(max_len "$t")"
	[ -f "tests/fuzz/dict/$t.dict" ] && set -- "$@" -dict="tests/fuzz/dict/$t.dict"
	if [ "$mode" = fuzz ]; then
		mkdir -p "$fz/corpus/$t" "$fz/crashes/$t"
		# The corpus grown by earlier runs goes first: new inputs are kept there.
		nice -n 10 "$bin" "$@" -max_total_time="$secs" -print_final_stats=1 \
			-artifact_prefix="$fz/crashes/$t/" "$fz/corpus/$t" "tests/fuzz/seeds/$t" \
			$(ls -d "tests/fuzz/regress/$t" 2>/dev/null) >"$log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		if [ $rc -eq 0 ]; then
			printf 'fuzz %-10s ok: %s runs in %ss, %s\n' "$t" "${runs:-?}" "$secs" "${cov:-cov: ?}"
		else
			art=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
			printf 'fuzz %-10s FAILED: %s (input: %s; log: %s)\n' "$t" "$(verdict "$log")" "${art:-none}" "$log"
			failed=1
		fi
	else
		files=$(find "tests/fuzz/seeds/$t" "tests/fuzz/regress/$t" -type f 2>/dev/null | sort)
		n=$(printf '%s\n' "$files" | grep -c .)
		# shellcheck disable=SC2086
		if "$bin" "$@" $files >"$log" 2>&1; then
			printf 'fuzz-regress %-10s ok: %s inputs\n' "$t" "$n"
		else
			last=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
			printf 'fuzz-regress %-10s FAILED: %s (input: %s; log: %s)\n' "$t" "$(verdict "$log")" "${last:-?}" "$log"
			failed=1
		fi
	fi
done
exit $failed
