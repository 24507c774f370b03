# Export. Labels come from the console (the golden unit tests cover the content of each
# format); here: usage, where the dataset is looked for, and the atomic write.
corpus_store
t export-usage
expect_rc 2 "$LLMOPS" --store "$S" export --format csv
has "$T/err" "--format: expected jsonl, evals, chat, promptfoo or langfuse, got 'csv'"
has "$T/err" "(see llmops --help)"
expect_rc 2 "$LLMOPS" --store "$S" export --format jsonl extra
has "$T/err" "export: unexpected argument 'extra'"
expect_rc 2 "$LLMOPS" --store "$S" report --label good
has "$T/err" "option --label does not apply to 'report'"
expect_rc 2 "$LLMOPS" --store "$S" export --format jsonl -o
has "$T/err" "needs a value"
t export-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "export [--golden PATH] [--format jsonl|evals|chat|promptfoo|langfuse] [-o FILE] [--label LABEL]"
t export-missing-dataset
expect_rc 1 "$LLMOPS" export --golden "$T/no-such.db" --format jsonl
has "$T/err" "llmops: no golden dataset at $T/no-such.db"
if [ -e "$T/no-such.db" ]; then bad "a missing dataset was created"; else ok; fi
t export-empty
for f in jsonl evals chat promptfoo langfuse; do
	expect_rc 0 "$LLMOPS" export --format "$f" --store "$S"
	eq "$(wc -c <"$T/out")" 0
	eq "$(cat "$T/err")" ""
done
t export-to-file
mkdir -p "$T/exp"
echo "old line" >"$T/exp/golden.jsonl"
expect_rc 0 "$LLMOPS" --store "$S" export -o "$T/exp/golden.jsonl" --format langfuse --label good
has "$T/out" "$T/exp/golden.jsonl: 0 items exported [langfuse]"
eq "$(wc -c <"$T/exp/golden.jsonl")" 0
eq "$(ls "$T/exp")" "golden.jsonl"
expect_rc 0 "$LLMOPS" --store "$S" export --format evals --output=- 
eq "$(wc -c <"$T/out")" 0
t export-unwritable
expect_rc 1 "$LLMOPS" --store "$S" export --format chat -o "$T/nowhere/golden.jsonl"
has "$T/err" "llmops: $T/nowhere/golden.jsonl: cannot write"
mkdir -p "$T/exp/dir"
expect_rc 1 "$LLMOPS" --store "$S" export --format chat -o "$T/exp/dir"
has "$T/err" "llmops: $T/exp/dir: "
eq "$(ls "$T/exp" | tr '\n' ' ')" "dir golden.jsonl "
t export-golden-from-rc
mkdir -p "$XDG_CONFIG_HOME/llmops"
cp "$S" "$T/team.db"
echo "set golden = $T/team.db" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 0 "$LLMOPS" --store "$T/absent.db" export --format promptfoo -o "$T/exp/pf.jsonl"
has "$T/out" "0 items exported [promptfoo]"
echo "set golden = $T/gone.db" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 1 "$LLMOPS" --store "$S" export --format jsonl
has "$T/err" "no golden dataset at $T/gone.db"
expect_rc 0 "$LLMOPS" --store "$S" export --format jsonl --golden "$T/team.db"
rm -f "$XDG_CONFIG_HOME/llmops/llmopsrc"
