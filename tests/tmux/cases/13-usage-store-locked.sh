# Another process holds the store's write lock: keys are still answered.
demo_store
t usage-store-locked
# The provider's answers wait until the lock is held ($T/ulock.ready).
python3 - "$HERE/screen/fixtures/usage-billed.json" "$T/ulock-plan.json" "$T/ulock.ready" <<'EOF2'
import json, sys
plan = json.load(open(sys.argv[1]))
for path, rs in plan["routes"].items():
    for r in rs:
        r["hold_until"] = sys.argv[3]
json.dump(plan, open(sys.argv[2], "w"))
EOF2
python3 "$PWD/tests/server/fake_api.py" "$T/ulock-plan.json" "$T/ulock.log" "$T/ulock.port" 2>/dev/null &
ulock_srv=$!
n=0
while [ ! -s "$T/ulock.port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
port=$(cat "$T/ulock.port")
cp "$S" "$T/ulock.db"
$TM new-session -d -s ul -x 100 -y 30 "env OPENAI_ADMIN_KEY=sk-admin-tmux-4 \
OPENAI_BASE_URL=http://127.0.0.1:$port/v1 $LLMOPS --store $T/ulock.db"
expect_screen ul "openai: fetching"
n=0
while [ "$(grep -c '"path"' "$T/ulock.log" 2>/dev/null)" -lt 3 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
# An import, say: it holds the write lock until told to let go.
python3 "$PWD/tests/server/hold_lock.py" "$T/ulock.db" "$T/ulock.ready" "$T/ulock.release" &
ulock_locker=$!
n=0
while [ ! -f "$T/ulock.ready" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ -f "$T/ulock.ready" ]; then ok; else bad "the lock was never taken"; fi
# The pages come while the store is locked; keys are answered, and nothing
# says the fetch failed: the pages wait for the store.
$TM send-keys -t ul '?'
expect_screen ul "help: dashboard keys"
$TM send-keys -t ul q
expect_screen ul "openai: fetching"
if screen ul | grep -qF -e "failing" -e "locked"; then bad "a locked store shows as a failure: $(screen ul | sed -n '4p;$p')"; else ok; fi
if [ "$(sqlite3 "$T/ulock.db" "SELECT count(*) FROM usage_buckets")" = 0 ]; then ok; else bad "stored through a lock?"; fi
# Let go: the pages land without being fetched again.
: >"$T/ulock.release"
wait "$ulock_locker"
n=0
while [ "$(sqlite3 "$T/ulock.db" "SELECT count(*) FROM usage_buckets" 2>/dev/null)" = 0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ "$(sqlite3 "$T/ulock.db" "SELECT count(*) FROM usage_buckets")" -gt 0 ]; then ok; else bad "the pages never landed"; fi
expect_screen ul "openai \$"
if [ "$(grep -c '"path"' "$T/ulock.log")" = 3 ]; then ok; else bad "fetched again: $(grep -c '"path"' "$T/ulock.log") requests, wanted 3"; fi
$TM kill-session -t ul
kill "$ulock_srv" 2>/dev/null
