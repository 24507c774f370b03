# The console's command history keeps what was typed at ':', except a webhook URL set there:
# it often carries its token, and the history is a file on disk.
t history-keeps-commands-not-webhook-urls
"$LLMOPS" --store "$T/h.db" import /dev/null >/dev/null 2>&1
printf '%s\n' ':window 6h' ':set alert_webhook = https://hooks.example.com/services/T000/B000/SECRETTOKEN' \
	':set  alert_webhook=https://hooks.example.com/x/OTHERSECRET' ':q' >"$T/h.keys"
LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/h.keys" expect_rc 0 "$LLMOPS" --store "$T/h.db"
hist=$(find "$XDG_STATE_HOME" -name history | head -n 1)
[ -n "$hist" ] && ok || bad "no history file under $XDG_STATE_HOME"
# (libedit writes a space as \040.)
has "$hist" "window\\0406h"
lacks "$hist" "SECRETTOKEN"
lacks "$hist" "OTHERSECRET"
