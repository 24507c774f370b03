# R against a provider that takes the connection and never answers: the time
# waited moves on screen, the message says the provider is connected and
# silent, and the replay_timeout (60s unless set) is stated.
demo_store
t replay-waiting-ticks
rm -f "$XDG_CONFIG_HOME/llmops/llmopsrc"
printf '{"routes": {"/v1/messages": [{"hang": true}], "/v1/chat/completions": [{"hang": true}]}}' >"$T/wt-plan.json"
python3 tests/server/fake_api.py "$T/wt-plan.json" "$T/wt.log" "$T/wt.port" 2>/dev/null &
wt_srv=$!
n=0
while [ ! -s "$T/wt.port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
port=$(cat "$T/wt.port")
$TM new-session -d -s wt -x 100 -y 30 "env OPENAI_BASE_URL=http://127.0.0.1:$port/v1 \
ANTHROPIC_BASE_URL=http://127.0.0.1:$port OPENAI_API_KEY=k ANTHROPIC_API_KEY=k $LLMOPS --store $S traces prompt=support-answer@8"
expect_screen wt "support-answer@8"
$TM send-keys -t wt R
expect_screen wt "against version"
$TM send-keys -t wt Enter
expect_screen wt "waiting for the first token"
# No key is pressed from here on: what moves, moves by itself.
expect_screen wt "connected, no answer for 2s; gives up after the replay_timeout of 60s" 10
first=$(screen wt | grep -o 'waiting for the first token [0-9.]*s' | head -n 1)
expect_screen wt "connected, no answer for 3s" 10
second=$(screen wt | grep -o 'waiting for the first token [0-9.]*s' | head -n 1)
if [ -n "$first" ] && [ "$first" != "$second" ]; then ok; else bad "the timer stood still: '$first', then '$second'"; fi
case "$first" in "waiting for the first token 0.0s") bad "the timer still reads 0.0s" ;; *) ok ;; esac
if screen wt | grep -qF "no connection"; then bad "says no connection while connected"; else ok; fi
$TM send-keys -t wt Escape
expect_screen wt "cancelled" 3
$TM kill-session -t wt
kill "$wt_srv" 2>/dev/null
