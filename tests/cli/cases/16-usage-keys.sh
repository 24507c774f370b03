# Admin keys: bad answers, a rejected or missing key, keys from a command or a file,
# and no key anywhere it could leak.
t usage-sync-garbage
G="$T/garbage.db"
fake garbage
expect_rc 3 keyed "$LLMOPS" --store "$G" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: the body is not JSON"
eq "$(reqs /v1/organization/costs)" 1 # not retried: a shape does not mend itself in seconds
eq "$(sq "$G" "SELECT count(*) FROM cost_buckets")" 0
eq "$(sq "$G" "SELECT count(*) > 0 FROM usage_buckets")" 1
fake wrong-shape
expect_rc 3 keyed "$LLMOPS" --store "$G" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: not the documented shape: data[0].results[0].amount.value is not a number"
eq "$(sq "$G" "SELECT count(*) FROM cost_buckets")" 0

t usage-sync-rejected-key
K="$T/rejected.db"
fake rejected
expect_rc 1 keyed "$LLMOPS" --store "$K" usage sync --provider openai
has "$T/err" "admin key rejected by openai"
lacks "$T/err" "CLITEST"
eq "$(sq "$K" "SELECT (SELECT count(*) FROM usage_buckets) + (SELECT count(*) FROM cost_buckets)")" 0
# A rejected key is not retried.
eq "$(($(reqs /v1/organization/usage/completions) + $(reqs /v1/organization/costs) <= 3))" 1

t usage-sync-no-key
expect_rc 1 "$LLMOPS" --store "$K" usage sync
has "$T/err" "no admin key for openai: set OPENAI_ADMIN_KEY"
has "$T/err" "no admin key for anthropic: set ANTHROPIC_ADMIN_KEY"
expect_rc 2 "$LLMOPS" --store "$K" usage sync --provider nosuch
has "$T/err" "no provider named 'nosuch'"
# Only one provider keyed: the other is simply not polled.
fake both
env OPENAI_ADMIN_KEY="$OK_KEY" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" \
	"$LLMOPS" --store "$T/one.db" usage sync --since 1h >"$T/out" 2>"$T/err"
eq "$?" 0
has "$T/err" "no admin key for anthropic"
eq "$(reqs /v1/organizations/usage_report/messages)" 0

t usage-admin-key-cmd-and-file
fake both
printf 'provider openai type=openai admin_key_cmd="printf sk-admin-FROMCMD-4411"\n' >"$T/cmd.rc"
env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" "$LLMOPS" -c "$T/cmd.rc" --store "$T/cmd.db" usage sync --provider openai --since 1h \
	>"$T/out" 2>"$T/err"
eq "$?" 0
eq "$(grep -c 'Bearer sk-admin-FROMCMD-4411' "$T/fake.log")" 5
printf '%s\n' "$OK_KEY" >"$T/admin.key"
chmod 644 "$T/admin.key"
printf 'provider openai type=openai admin_key_file=%s\n' "$T/admin.key" >"$T/file.rc"
env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" "$LLMOPS" -c "$T/file.rc" --store "$T/cmd.db" usage sync --provider openai --since 1h \
	>"$T/out" 2>"$T/err"
eq "$?" 1
has "$T/err" "admin.key"
lacks "$T/err" "CLITEST"
chmod 600 "$T/admin.key"
: >"$T/fake.log"
env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" "$LLMOPS" -c "$T/file.rc" --store "$T/cmd.db" usage sync --provider openai --since 1h \
	>"$T/out" 2>"$T/err"
eq "$?" 0
eq "$(grep -c "Bearer $OK_KEY" "$T/fake.log")" 5

t usage-keys-stay-secret
# In no argv, and (the variables wiped once read) not in the environment a
# process shows, while a fetch is under way.
fake hang-always
env OPENAI_ADMIN_KEY="$OK_KEY" ANTHROPIC_ADMIN_KEY="$AK_KEY" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" \
	LLMOPS_USAGE_TIMEOUT_MS=20000 "$LLMOPS" --store "$T/secret.db" usage sync --provider openai >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(reqs /v1/organization/usage/completions)" -lt 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tr '\0' '\n' </proc/$pid/cmdline >"$T/cmdline"
tr '\0' '\n' </proc/$pid/environ >"$T/environ" 2>/dev/null
kill $pid
wait $pid 2>/dev/null
has "$T/cmdline" "usage"
lacks "$T/cmdline" "CLITEST"
lacks "$T/environ" "CLITEST"
# The console with both keys: it polls, keeps a command history, and quits.
fake both
printf ':window 6h\n:q\n' >"$T/console.keys"
"$LLMOPS" --store "$T/console.db" import /dev/null >/dev/null 2>&1
expect_rc 0 keyed env LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/console.keys" "$LLMOPS" --store "$T/console.db"
eq "$(sq "$T/console.db" "SELECT count(*) > 0 FROM usage_buckets")" 1
has "$XDG_STATE_HOME/llmops/history" "window"
# In no file llmops wrote: stores (and any WAL left by the killed one), the
# history, its output. Left out: what the test itself wrote with the keys
# (the server's request log, the plans, the key file).
fake_stop
grep -rla -e "$OK_KEY" -e "$AK_KEY" -e "CLITEST" "$T" --exclude=fake.log --exclude='*.json' --exclude=admin.key \
	>"$T/leaks" 2>&1
eq "$(cat "$T/leaks")" ""
