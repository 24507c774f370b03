#!/bin/sh
# Command-line tests: the real ./llmops on real and generated files, checking
# what a user sees (stdout, stderr, exit status) and what lands in the store.
# One case a file in tests/cli/cases, each in a shell and a temporary folder
# of its own (tests/lib/harness.sh); their shared helpers in tests/cli/lib.sh.
# Run from the repository root (make cli, or make cli CASE=export):
#   sh tests/cli/run.sh [CASE...]
# Ends with "cli: N passed, N failed".
. tests/lib/harness.sh
harness_main cli "$@"
