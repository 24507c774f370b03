# A provider that never stops sending: keys answered, memory bounded.
demo_store
t usage-endless-body-memory
cat >"$T/uend-plan.json" <<'EOF2'
{"routes": {
 "/v1/organization/usage/completions": [{"endless": "0,"}],
 "/v1/organization/costs": [{"endless": "0,"}]}}
EOF2
python3 "$PWD/tests/server/fake_api.py" "$T/uend-plan.json" "$T/uend.log" "$T/uend.port" 2>/dev/null &
uend_srv=$!
n=0
while [ ! -s "$T/uend.port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
port=$(cat "$T/uend.port")
cp "$S" "$T/uend.db"
: >"$XDG_CONFIG_HOME/llmops/llmopsrc"
$TM new-session -d -s ue -x 100 -y 30 "sh -c 'echo \$\$ >$T/uend.pid; exec env OPENAI_ADMIN_KEY=sk-admin-tmux-5 \
OPENAI_BASE_URL=http://127.0.0.1:$port/v1 $LLMOPS --store $T/uend.db'"
expect_screen ue "larger than 8 MiB" 20
n=0
while [ "$(grep -c '"path"' "$T/uend.log")" -lt 3 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ "$(grep -c '"path"' "$T/uend.log")" -ge 3 ]; then ok; else bad "the three report requests never went out"; fi
$TM send-keys -t ue '?'
if wait_for ue "help: dashboard keys" 3; then ok; else bad "? not answered within 3 s while a provider floods: $(screen ue | head -3)"; fi
$TM send-keys -t ue q
# Every endless body was cut at its cap: the peak stays far below 256 MiB.
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$(cat "$T/uend.pid")/status" 2>/dev/null)
if [ -n "$hwm" ] && [ "$hwm" -lt 262144 ]; then ok; else bad "peak memory ${hwm:-?} KiB, wanted under 256 MiB"; fi
$TM kill-session -t ue
kill "$uend_srv" 2>/dev/null
