# Replay and trace as the console shows a call: by its span id (any unique
# prefix of 8 hex digits or more), with the summary's figures in their columns.
. tests/cli/replay_lib.sh
# A slow call, an embedding and a call with no prompt, besides replay_lib's.
cat >"$R/more.jsonl" <<'JSONL'
{"ts":"2026-11-23T11:10:00Z","trace_id":"bb01","span_id":"7f3a9c2e5d1b4a60","provider":"openai","model":"gpt-4o-mini","prompt_name":"support","prompt_version":"2","variables":{"company":"Northwind","tier":"gold"},"input_tokens":458,"output_tokens":120,"latency_ms":30094,"ttft_ms":1250,"status":"ok","input":[{"role":"user","content":"Hi"}],"output":"Hello."}
{"ts":"2026-11-23T11:11:00Z","trace_id":"bb02","span_id":"e3b0c44298fc1c14","provider":"openai","operation":"embeddings","model":"text-embedding-3-small","input_tokens":8,"latency_ms":80,"status":"ok","input":"refund policy"}
{"ts":"2026-11-23T11:12:00Z","trace_id":"bb03","span_id":"c0ffee0012345678","provider":"openai","model":"gpt-4o-mini","input_tokens":10,"output_tokens":3,"latency_ms":400,"status":"ok","input":[{"role":"user","content":"Hi"}],"output":"Hello."}
JSONL
"$LLMOPS" --store "$RS" import "$R/more.jsonl" >/dev/null 2>&1

t replay-summary-columns
fake "{\"routes\": {\"/v1/chat/completions\": [{\"body_file\": \"$OC/otelcontrib_chat_completion_streaming_include_usage.response_body.txt\", $SSE}]}}"
expect_rc 0 replay 7f3a9c2e5d1b4a60 --prompt support@1
# The deadline is stated before the wait it bounds (60s unless set).
has "$T/err" "replaying call 7f3a9c2e5d1b4a60 with support@1 on openai gpt-4o-mini; gives up after the replay_timeout of 60s"
# Each figure under its title, latency as the console shows it.
eq "$(awk '$1 == "original" { print $4, $5 }' "$T/err")" "30.1s 1.25s"
eq "$(awk '$1 == "original" { print ($6 ~ /^\$[0-9.]+$/) }' "$T/err")" "1"
eq "$(awk '$1 == "replay" { print ($4 ~ /^[0-9.]+(ms|s)$/), ($6 ~ /^\$[0-9.]+$/) }' "$T/err")" "1 1"
stop_fake

t replay-span-prefix
fake "{\"routes\": {\"/v1/chat/completions\": [{\"body_file\": \"$OC/otelcontrib_chat_completion_streaming_include_usage.response_body.txt\", $SSE}]}}"
# The 8 hex digits the console's tables show are enough.
expect_rc 0 replay 7f3a9c2e --prompt support@1 --json
eq "$(json "$T/out" "d['call_id']")" "7f3a9c2e5d1b4a60"
expect_rc 0 replay 7F3A9C2E5D --prompt support@1 --json
eq "$(json "$T/out" "d['call_id']")" "7f3a9c2e5d1b4a60"
# Ambiguous: an error that lists the calls it could be, nothing sent.
n0=$(nreq)
expect_rc 1 replay 00000000 --prompt support@1
has "$T/err" "'00000000' begins the span ids of 4 calls: "
has "$T/err" "00000000000000a1"
has "$T/err" "give more digits"
eq "$(nreq)" "$n0"
# Fewer than 8 digits is not a prefix.
expect_rc 1 replay 7f3a9c2 --prompt support@1
has "$T/err" "no call '7f3a9c2'"

t trace-span-prefix
expect_rc 0 "$LLMOPS" --store "$RS" trace 7f3a9c2e
has "$T/out" "[call 7f3a9c2e5d1b4a60"
expect_rc 1 "$LLMOPS" --store "$RS" trace 00000000
has "$T/err" "begins the span ids of 4 calls"

t replay-embedding
# An embedding has no prompt: said at once, by its span id.
n0=$(nreq)
expect_rc 1 replay e3b0c44298fc1c14 --prompt support@1
has "$T/err" "call e3b0c44298fc1c14 is an embedding: it has no prompt to replace"
eq "$(nreq)" "$n0"
# Errors about a call name it by its span id, never the store's row id.
expect_rc 1 replay c0ffee0012345678 --prompt 1
has "$T/err" "call c0ffee0012345678 records no prompt name"
stop_fake

t replay-silent-provider
# Connected and silent: each attempt waits a third of the replay_timeout, says
# so (not "no connection"), and the replay ends at the stated timeout.
fake '{"routes": {"/v1/chat/completions": [{"hang": true}]}}'
printf 'set replay_timeout = 6s\n' >"$R/six.rc"
OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=$OKEY \
	"$LLMOPS" -c "$R/six.rc" --store "$RS" replay 7f3a9c2e5d1b4a60 --prompt support@1 >"$T/out" 2>"$T/err"
eq "$?" 1
has "$T/err" "gives up after the replay_timeout of 6s"
has "$T/err" "llmops: connected, no answer for 2s; retrying in"
# Given up at the deadline, or not retried because it comes first: either
# way the last word names it.
eq "$(grep -c '^llmops: replay: .*replay_timeout of 6s' "$T/err")" 1
lacks "$T/err" "no connection"
stop_fake
