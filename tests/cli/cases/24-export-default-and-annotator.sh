# One label from the console with $USER empty: the annotator is the login
# name, not "unknown"; export without --format writes jsonl; one item left
# out or exported reads in the singular.
corpus_store
printf '2\n' >"$T/label.keys"
t annotator-login-name
USER= LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/label.keys" expect_rc 0 "$LLMOPS" --store "$S" annotate
expect_rc 0 "$LLMOPS" --store "$S" export --format jsonl
eq "$(json "$T/out" 'd["annotator"]' 2>&1)" "$(id -un)"
t export-default-jsonl
cp "$T/out" "$T/want.jsonl"
expect_rc 0 "$LLMOPS" --store "$S" export
eq "$(cmp "$T/out" "$T/want.jsonl" 2>&1)" ""
expect_rc 0 "$LLMOPS" --store "$S" export -o "$T/default.jsonl"
has "$T/out" "$T/default.jsonl: 1 item exported [jsonl]"
t export-one-left-out
expect_rc 0 "$LLMOPS" --store "$S" export --format evals -o "$T/evals.jsonl"
has "$T/out" "0 items exported [evals], 1 labelled item left out (no reference answer)"
expect_rc 0 "$LLMOPS" --store "$S" export --format chat
has "$T/err" "llmops: 1 labelled item left out (no reference answer)"
