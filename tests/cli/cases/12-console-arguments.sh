# The console's arguments: a filter checked before any screen opens.
corpus_store
t console-bad-filter
expect_rc 2 "$LLMOPS" --store "$S" annotate status=error sample=150%
has "$T/err" "sample= takes a percentage"
expect_rc 2 "$LLMOPS" --store "$S" traces colour=red
has "$T/err" "unknown field 'colour'"
t help-annotate
expect_rc 0 "$LLMOPS" --help
has "$T/out" "annotate [FILTER...]"
has "$T/out" "sample=N%"
