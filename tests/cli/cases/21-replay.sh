# Replay against a local stand-in for the providers (tests/cli/replay.sh).
. tests/cli/replay.sh
