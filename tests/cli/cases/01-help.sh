# Help, version and usage errors: what a mistyped command line is told.
t help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "import [--format auto|otlp|jsonl|llm] FILE"
has "$T/out" "report [--since DUR"
expect_rc 0 "$LLMOPS" help
expect_rc 0 "$LLMOPS" --version
has "$T/out" "llmops 0."
t usage
expect_rc 2 "$LLMOPS" frobnicate
has "$T/err" "llmops: unknown command 'frobnicate'"
expect_rc 2 "$LLMOPS" report --bogus
has "$T/err" "unknown option '--bogus'"
expect_rc 2 "$LLMOPS" import --json x
has "$T/err" "option --json does not apply to 'import'"
expect_rc 2 "$LLMOPS" report --since soon
has "$T/err" "--since: expected a duration"
expect_rc 2 "$LLMOPS" report --by colour
expect_rc 2 "$LLMOPS" import
expect_rc 2 "$LLMOPS" --store
has "$T/err" "needs a value"
t api-key-on-command-line
expect_rc 2 "$LLMOPS" report --api-key=sk-secret
lacks "$T/err" "sk-secret"
