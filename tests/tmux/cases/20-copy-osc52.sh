# y and Y reach the clipboard as OSC 52: with tmux's set-clipboard on, the
# copied text lands in tmux's paste buffer, and the bytes the terminal got
# carry it in base64.
demo_store
t copy-osc52
$TM new-session -d -s cp -x 100 -y 30 "sh -c 'sleep 0.5; exec $LLMOPS --store $S traces'"
$TM set -g set-clipboard on
$TM pipe-pane -o -t cp "cat >> $T/bytes.log"
expect_screen cp "OUTPUT"
$TM send-keys -t cp j y
expect_screen cp "copied "
span=$(screen cp | sed -n 's/^ *copied \([0-9a-f]*\).*/\1/p')
sleep 0.3
got=$($TM show-buffer 2>/dev/null)
if [ -n "$span" ] && [ "$got" = "$span" ]; then ok; else bad "y copied '$got', the status line said '$span'"; fi
python3 - "$T/bytes.log" "$span" <<'PY' && ok || bad "no OSC 52 sequence with the span id in the terminal's bytes"
import base64, sys
data = open(sys.argv[1], "rb").read()
want = b"\x1b]52;c;" + base64.b64encode(sys.argv[2].encode()) + b"\x07"
sys.exit(0 if sys.argv[2] and want in data else 1)
PY
t copy-json
$TM send-keys -t cp Enter
expect_screen cp "call $span"
$TM send-keys -t cp Y
expect_screen cp 'copied {"ts":'
sleep 0.3
$TM show-buffer >"$T/call.json" 2>/dev/null
python3 - "$T/call.json" "$span" <<'PY' && ok || bad "Y did not copy the call as JSON: $(head -c 300 "$T/call.json")"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d.get("span_id") == sys.argv[2] and d.get("model") and "status" in d else 1)
PY
t copy-json-imports
"$LLMOPS" import --store "$T/again.db" "$T/call.json" >"$T/import.out" 2>&1 && grep -q "1 call" "$T/import.out" && ok ||
	bad "the copied JSON does not import again: $(cat "$T/import.out")"
$TM kill-session -t cp
