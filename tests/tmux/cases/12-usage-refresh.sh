# r after a rejected key: fetching, not "failing", while the new fetch is out.
demo_store
t usage-refresh-resets-state
cat >"$T/ureset-plan.json" <<'EOF2'
{"routes": {
 "/v1/organization/usage/completions": [{"status": 401, "body": "{}"}, {"hang": true}],
 "/v1/organization/costs": [{"status": 401, "body": "{}"}, {"hang": true}]}}
EOF2
python3 "$PWD/tests/server/fake_api.py" "$T/ureset-plan.json" "$T/ureset.log" "$T/ureset.port" 2>/dev/null &
ureset_pid=$!
n=0
while [ ! -s "$T/ureset.port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
port=$(cat "$T/ureset.port")
cp "$S" "$T/ureset.db"
$TM new-session -d -s ur -x 100 -y 30 "env OPENAI_ADMIN_KEY=sk-admin-tmux-3 \
OPENAI_BASE_URL=http://127.0.0.1:$port/v1 $LLMOPS --store $T/ureset.db"
expect_screen ur "openai: key rejected, r retries"
n=$(grep -c '"path"' "$T/ureset.log")
$TM send-keys -t ur r
# The new requests hang: until they end, the pane says the provider is being
# fetched, and nothing of the rejection it has left behind.
expect_screen ur "openai: fetching"
m=0
while [ "$(grep -c '"path"' "$T/ureset.log")" -le "$n" ] && [ $m -lt 50 ]; do sleep 0.1; m=$((m + 1)); done
if [ "$(grep -c '"path"' "$T/ureset.log")" -gt "$n" ]; then ok; else bad "r did not ask again"; fi
if screen ur | grep -qF -e "openai: failing" -e "key rejected"; then bad "the old outcome still shows: $(screen ur | sed -n 2,6p)"; else ok; fi
$TM kill-session -t ur
kill "$ureset_pid" 2>/dev/null
