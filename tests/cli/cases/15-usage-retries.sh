# Usage sync when a provider asks to wait, fails, hangs, or the store is locked.
t usage-sync-both-and-rate-limited
R="$T/rl.db"
fake rate-limited
expect_rc 0 keyed "$LLMOPS" --store "$R" usage sync --since 1h
# retry-after-ms: 0 is not "at once": a second at least.
has "$T/err" "openai: GET /v1/organization/usage/completions: HTTP 429 (rate limited); retrying in 1.0s"
has "$T/err" "anthropic: GET /v1/organizations/cost_report: HTTP 429 (rate limited); retrying in 1.0s"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 2
eq "$(reqs /v1/organizations/cost_report)" 2
eq "$(sq "$R" "SELECT provider, count(*) FROM usage_buckets WHERE width=60 GROUP BY 1")" "anthropic|60
openai|60"
eq "$(sq "$R" "SELECT provider, cost_nusd FROM cost_buckets WHERE start_s=1795392000 ORDER BY 1")" "anthropic|1000000000
openai|500000000"
at_least_1s "$(gap /v1/organization/usage/completions bucket_width=1m)"

t usage-sync-retry-after-zero
fake retry-after-zero
expect_rc 0 keyed "$LLMOPS" --store "$T/ra0.db" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/usage/completions: HTTP 429 (rate limited); retrying in 1.0s"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 2
at_least_1s "$(gap /v1/organization/usage/completions bucket_width=1m)"

t usage-refresh-keeps-retry-after
# Asked to wait 100 s, the console waits; five presses of r send nothing
# more to that endpoint, and r says when the next try is.
fake retry-after-long
printf 'rrrrr\n:save-display %s\n' "$T/ra.screen" >"$T/ra.keys"
"$LLMOPS" --store "$T/ra.db" import /dev/null >/dev/null 2>&1
expect_rc 0 env OPENAI_ADMIN_KEY="$OK_KEY" OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 \
	LLMOPS_SCRIPT="$T/ra.keys" "$LLMOPS" --store "$T/ra.db"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 1
has "$T/ra.screen" "openai: rate limited, next try in "

t usage-sync-server-error
E="$T/err.db"
fake server-error
expect_rc 0 keyed "$LLMOPS" --store "$E" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: HTTP 500; retrying in"
eq "$(reqs /v1/organization/costs)" 2
eq "$(sq "$E" "SELECT count(*) FROM cost_buckets")" 3
fake server-down
expect_rc 3 keyed "$LLMOPS" --store "$E" usage sync --provider openai --since 1h
has "$T/err" "openai: GET /v1/organization/costs: HTTP 503; gave up after 3 attempts"
has "$T/out" "openai: cost reports: failed"
has "$T/out" "openai: tokens per minute: "
eq "$(reqs /v1/organization/costs)" 3

t usage-sync-hang
H="$T/hang.db"
fake hang
# LLMOPS_USAGE_TIMEOUT_MS: a short wait for an answer, so that the case is quick.
keyed env LLMOPS_USAGE_TIMEOUT_MS=300 "$LLMOPS" --store "$H" usage sync --provider openai --since 1h >"$T/out" 2>"$T/err"
eq "$?" 0
has "$T/err" "openai: GET /v1/organization/usage/completions: no complete answer within 0.3s; retrying in"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 2
eq "$(sq "$H" "SELECT count(*) FROM usage_buckets WHERE width=60")" 60

t usage-sync-store-locked
# Another process holds the store's write lock (an import, an annotator)
# when the pages come: they wait in memory, nothing is fetched twice, and
# they land once the lock is let go.
L="$T/locked.db"
"$LLMOPS" --store "$L" import /dev/null >/dev/null 2>&1
fake locked # its answers wait for $T/lock.ready
rm -f "$T/lock.ready" "$T/lock.release"
keyed "$LLMOPS" --store "$L" usage sync --provider openai --since 2d >"$T/out" 2>"$T/err" &
syncer=$!
n=0
while [ "$(($(reqs /v1/organization/usage/completions) + $(reqs /v1/organization/costs)))" -lt 3 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
python3 "$PWD/tests/server/hold_lock.py" "$L" "$T/lock.ready" "$T/lock.release" &
locker=$!
n=0
while [ ! -f "$T/lock.ready" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
sleep 1 # the pages come, and their first tries at the store find it locked
if kill -0 "$syncer" 2>/dev/null; then ok; else bad "usage sync ended while the store was locked: $(cat "$T/err")"; fi
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 1 # page 2 waits for page 1 to be stored
eq "$(sq "$L" "SELECT count(*) FROM usage_buckets")" 0
: >"$T/lock.release"
wait "$locker"
wait "$syncer"
eq "$?" 0
has "$T/out" "openai: tokens per minute: 60 buckets in 3 pages"
has "$T/out" "openai: cost reports: 3 buckets in 1 page"
lacks "$T/err" "locked"
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 3
eq "$(reqs /v1/organization/costs)" 1 # stored late, not fetched again
eq "$(sq "$L" "SELECT count(*) FROM usage_buckets WHERE width=60")" 60
