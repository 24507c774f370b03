# R against a server that never answers: given up at the replay_timeout.
demo_store
t replay-timeout-console
printf '{"routes": {"/v1/messages": [{"hang": true}], "/v1/chat/completions": [{"hang": true}]}}' >"$T/rt-plan.json"
python3 tests/server/fake_api.py "$T/rt-plan.json" "$T/rt.log" "$T/rt.port" 2>/dev/null &
rt_srv=$!
n=0
while [ ! -s "$T/rt.port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
port=$(cat "$T/rt.port")
printf 'set replay_timeout = 3s\n' >"$XDG_CONFIG_HOME/llmops/llmopsrc"
cp "$S" "$T/rt.db"
# LLMOPS_HTTP_IDLE: no idle timeout within the 3 s, so that the deadline is what ends it.
$TM new-session -d -s rt -x 100 -y 30 "env LLMOPS_HTTP_IDLE=60 OPENAI_BASE_URL=http://127.0.0.1:$port/v1 \
ANTHROPIC_BASE_URL=http://127.0.0.1:$port OPENAI_API_KEY=k ANTHROPIC_API_KEY=k $LLMOPS --store $T/rt.db traces prompt=support-answer@8"
expect_screen rt "support-answer@8"
$TM send-keys -t rt R
expect_screen rt "against version"
$TM send-keys -t rt Enter
expect_screen rt "waiting for the first token"
expect_screen rt "gave up after the replay_timeout of 3s" 10
expect_screen rt "connected, no answer yet"
if [ "$(sqlite3 "$T/rt.db" "SELECT status, error_type FROM replays")" = "error|timeout" ]; then ok; else
	bad "saved as $(sqlite3 "$T/rt.db" "SELECT status, error_type FROM replays"), wanted error|timeout"; fi
$TM kill-session -t rt
kill "$rt_srv" 2>/dev/null
