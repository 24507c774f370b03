#!/bin/sh
# Terminal tests: what only a real terminal shows. The console runs inside a
# private tmux server, driven with send-keys and read with capture-pane:
# resizing, hang-up, q restoring the terminal, the bytes the terminal gets
# when calls carry escape sequences, a watched file growing and rows that
# another process imports. One case a file in tests/tmux/cases, each in a
# shell, a temporary folder and a tmux server of its own (tests/lib/harness.sh);
# their shared helpers in tests/tmux/lib.sh. Run from the repository root
# (make tmux, or make tmux CASE=resize):
#   sh tests/tmux/run.sh [CASE...]
# Ends with "tmux: N passed, N failed".
. tests/lib/harness.sh
harness_main tmux "$@"
