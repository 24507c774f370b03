# A provider that never answers costs a keypress nothing.
demo_store
t usage-hang-keypress
cat >"$T/uhang-plan.json" <<'EOF2'
{"routes": {
 "/v1/organization/usage/completions": [{"hang": true}],
 "/v1/organization/costs": [{"hang": true}],
 "/v1/organizations/usage_report/messages": [{"status": 401, "body": "{\"type\":\"error\"}"}],
 "/v1/organizations/cost_report": [{"status": 401, "body": "{\"type\":\"error\"}"}]}}
EOF2
python3 "$PWD/tests/server/fake_api.py" "$T/uhang-plan.json" "$T/uhang.log" "$T/uhang.port" 2>/dev/null &
fake_pid=$!
i=0
while [ ! -f "$T/uhang.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$T/uhang.port")
cp "$S" "$T/usage.db"
: >"$XDG_CONFIG_HOME/llmops/llmopsrc"
count() { grep -c "\"path\": \"$1" "$T/uhang.log"; }
$TM new-session -d -s uh -x 100 -y 30 "env OPENAI_ADMIN_KEY=sk-admin-tmux-1 ANTHROPIC_ADMIN_KEY=sk-ant-admin-tmux-2 \
OPENAI_BASE_URL=http://127.0.0.1:$port/v1 ANTHROPIC_BASE_URL=http://127.0.0.1:$port $LLMOPS --store $T/usage.db"
expect_screen uh "admin key rejected by anthropic"
i=0
while [ "$(count /v1/organization/)" -lt 3 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# Every OpenAI request is now waiting on a server that will not answer for
# 30 s; keys are answered at once all the same.
if [ "$(count /v1/organization/)" -ge 3 ]; then ok; else bad "the OpenAI requests never went out"; fi
$TM send-keys -t uh '?'
if wait_for uh "help: dashboard keys" 3; then ok; else bad "? not answered within 3 s while a provider hangs: $(screen uh | head -3)"; fi
$TM send-keys -t uh q
if wait_for uh "key rejected, r retries" 3; then ok; else bad "the cost pane does not say the key was rejected: $(screen uh | sed -n 2,6p)"; fi
# Stopped until r: then asked again (and rejected again).
n=$(count /v1/organizations/)
$TM send-keys -t uh r
i=0
while [ "$(count /v1/organizations/)" -le "$n" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(count /v1/organizations/)" -gt "$n" ]; then ok; else bad "r did not poll the stopped provider again"; fi
expect_screen uh "admin key rejected by anthropic" 5
$TM kill-session -t uh
kill "$fake_pid" 2>/dev/null
