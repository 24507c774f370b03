# A mistyped --store: only import, collect, demo, prompt add and usage sync
# (which fetch data into it) create a store; everything else says there is
# none, and leaves no file behind.
printf ':q\n' >"$T/q.keys"
NS="$T/typo/stroe.db"
for cmd in "" traces annotate prompts; do
	t "console-no-store-$cmd"
	LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/q.keys" expect_rc 1 "$LLMOPS" --store "$NS" $cmd
	has "$T/err" "no store at $NS (llmops import FILE, or llmops demo)"
	if [ -e "$NS" ] || [ -e "$T/typo" ]; then bad "the console created $NS"; else ok; fi
done
t watch-no-store
echo '{"ts":"2026-11-23T11:30:00Z","model":"gpt-4o"}' >"$T/w.jsonl"
LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/q.keys" expect_rc 1 "$LLMOPS" --store "$NS" watch "$T/w.jsonl"
has "$T/err" "no store at $NS (llmops import FILE, or llmops demo)"
for cmd in report "trace 0123456789abcdef" usage "prompt list" "prompt diff p 1 2" export; do
	t "no-store-$cmd"
	expect_rc 1 "$LLMOPS" --store "$NS" $cmd
	has "$T/err" "no store at $NS (llmops import FILE, or llmops demo)"
	if [ -e "$NS" ] || [ -e "$T/typo" ]; then bad "'$cmd' created $NS"; else ok; fi
done
t prompt-add-creates
echo "You are helpful." >"$T/p.txt"
expect_rc 0 "$LLMOPS" --store "$T/p.db" prompt add support "$T/p.txt"
if [ -e "$T/p.db" ]; then ok; else bad "prompt add made no store"; fi
t import-creates
expect_rc 0 "$LLMOPS" --store "$T/i.db" import "$T/w.jsonl"
if [ -e "$T/i.db" ]; then ok; else bad "import made no store"; fi
