# Replay: a provider that accepts and never answers costs a keypress nothing.
demo_store
t replay-hang-esc
rm -f "$XDG_CONFIG_HOME/llmops/llmopsrc"
printf '{"routes": {"/v1/messages": [{"hang": true}], "/v1/chat/completions": [{"hang": true}]}}' >"$T/hang.json"
python3 tests/server/fake_api.py "$T/hang.json" "$T/hang.log" "$T/hang.port" &
HANG=$!
n=0
while [ ! -s "$T/hang.port" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
HP=$(cat "$T/hang.port")
$TM new-session -d -s rp -x 100 -y 30 "OPENAI_BASE_URL=http://127.0.0.1:$HP/v1 ANTHROPIC_BASE_URL=http://127.0.0.1:$HP OPENAI_API_KEY=k ANTHROPIC_API_KEY=k $LLMOPS --store $S traces prompt=support-answer@8"
expect_screen rp "support-answer@8"
$TM send-keys -t rp R
expect_screen rp "against version"
$TM send-keys -t rp Enter
expect_screen rp "waiting for the first token"
# While the request hangs, keys are answered: scroll, then help and back.
$TM send-keys -t rp '?'
expect_screen rp "help:" 3
$TM send-keys -t rp q
expect_screen rp "Esc cancels" 3
$TM send-keys -t rp Escape
expect_screen rp "cancelled" 3
# Saved as cancelled.
n=0
while [ $n -lt 30 ]; do
	[ "$(sqlite3 "$S" "SELECT count(*) FROM replays WHERE status='cancelled'" 2>/dev/null)" = 1 ] && break
	sleep 0.1
	n=$((n + 1))
done
if [ $n -lt 30 ]; then ok; else bad "the cancelled replay was not saved"; fi
$TM send-keys -t rp q q q
kill "$HANG" 2>/dev/null
