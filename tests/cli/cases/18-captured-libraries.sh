# Real instrumentation libraries, one call per provider request (tests/cli/captured.py).
t captured-libraries
mkdir -p "$T/captured"
python3 tests/cli/captured.py "$LLMOPS" "$PWD/tests/corpus/captured" "$T/captured" >"$T/captured.out" 2>&1
cap=$(tail -n 1 "$T/captured.out")
case "$cap" in
"captured: "*" passed, 0 failed") ok ;;
*) bad "$(grep -v '^captured:' "$T/captured.out" | head -n 20)" ;;
esac
