# Replay against a local stand-in for the providers (tests/cli/replay_lib.sh).
. tests/cli/replay_lib.sh

t replay-openai-request
fake "{\"routes\": {\"/v1/chat/completions\": [{\"body_file\": \"$OC/otelcontrib_chat_completion_streaming_include_usage.response_body.txt\", \"chunk\": 50, $SSE}]}}"
expect_rc 0 replay 00000000000000a1 --prompt support@1 --json
eq "$(req 0 "r['path']")" "/v1/chat/completions"
eq "$(req 0 "r['headers']['authorization']")" "Bearer $OKEY"
# The older version, rendered with the call's own variables, replaces the system message.
eq "$(req 0 "b['messages'][0]")" "{'role': 'system', 'content': 'You help customers of Northwind.\\nTier: gold.\\nBe brief.\\n'}"
# The rest of the conversation is intact, in order.
eq "$(req 0 "b['messages'][1:]")" "[{'role': 'user', 'content': 'Where is order 42?'}, {'role': 'assistant', 'content': 'Let me check.'}, {'role': 'user', 'content': 'Thanks, still waiting'}]"
eq "$(req 0 "(b['model'], b['stream'], b['stream_options'])")" "('gpt-4o-2024-08-06', True, {'include_usage': True})"
eq "$(json "$T/out" "d['output']")" '"This is a test."'
eq "$(json "$T/out" "(d['call_id'], d['prompt'], d['model'], d['input_tokens'], d['output_tokens'])")" "('00000000000000a1', 'support@1', 'gpt-4-0613', 12, 5)"
eq "$(json "$T/out" "d['original_output']")" "Sorry, I cannot help."
eq "$(json "$T/out" "d['latency_ms'] >= 0 and d['ttft_ms'] >= 0 and d['ttft_ms'] <= d['latency_ms'] and d['cost_usd'] > 0")" "True"
rid=$(json "$T/out" "d['replay_id']")
# Saved with its request and response.
eq "$(sqlite3 "$RS" "SELECT status, prompt_version, output_tokens, request LIKE '%Be brief%', response LIKE '%[DONE]%' FROM replays WHERE id=$rid")" "ok|1|5|1|1"

t replay-text
fake "{\"routes\": {\"/v1/chat/completions\": [{\"body_file\": \"$OC/otelcontrib_chat_completion_streaming_include_usage.response_body.txt\", $SSE}]}}"
expect_rc 0 replay 00000000000000a1 --prompt 1
eq "$(cat "$T/out")" '"This is a test."'
has "$T/err" "replaying call 00000000000000a1 with support@1 on openai gpt-4o-2024-08-06"
has "$T/err" "original"
has "$T/err" "saved as replay"

t replay-anthropic-request
fake "{\"routes\": {\"/v1/messages\": [{\"body_file\": \"$AC/openllmetry_anthropic_prompt_caching_stream_read.response_body.txt\", \"chunk\": 64, $SSE}]}}"
expect_rc 0 replay 00000000000000a2 --prompt support@1 --json
eq "$(req 0 "r['path']")" "/v1/messages"
eq "$(req 0 "(r['headers']['x-api-key'], r['headers']['anthropic-version'])")" "('$AKEY', '2023-06-01')"
# The system prompt is the top-level system; the messages keep only the conversation.
eq "$(req 0 "repr(b['system'])")" "'You help customers of Northwind.\\nTier: silver.\\nBe brief.\\n'"
eq "$(req 0 "b['messages']")" "[{'role': 'user', 'content': [{'type': 'text', 'text': 'Refund please'}]}]"
eq "$(req 0 "(b['max_tokens'], b['stream'], 'authorization' in r['headers'])")" "(4096, True, False)"
# Input counts cache reads (4 uncached + 1165 read); 221 output tokens.
eq "$(json "$T/out" "(d['input_tokens'], d['output_tokens'], d['model'])")" "(1169, 221, 'claude-3-5-sonnet-20240620')"
eq "$(sqlite3 "$RS" "SELECT cached_tokens FROM replays WHERE id=$(json "$T/out" "d['replay_id']")")" "1165"

t replay-anthropic-thinking-tools
fake "{\"routes\": {\"/v1/messages\": [{\"body_file\": \"$AC/openllmetry_anthropic_thinking_streaming.response_body.txt\", $SSE}, {\"body_file\": \"$AC/openllmetry_anthropic_tools_streaming.response_body.txt\", $SSE}]}}"
expect_rc 0 replay 00000000000000a2 --prompt support@1 --json
# The thinking stays out of the answer.
eq "$(json "$T/out" "len(d['output']) > 0 and 'thinking' not in d['output']")" "True"
expect_rc 0 replay 00000000000000a2 --prompt support@1 --json
has "$T/out" "[tool call get_weather]"

t replay-openai-tools
fake "{\"routes\": {\"/v1/chat/completions\": [{\"body_file\": \"$OC/otelcontrib_chat_completion_tools_streaming.response_body.txt\", $SSE}]}}"
expect_rc 0 replay 00000000000000a1 --prompt support@1 --json
has "$T/out" "[tool call get_current_weather]"

t replay-model-override
fake "{\"routes\": {\"/v1/chat/completions\": [{\"body_file\": \"$OC/otelcontrib_chat_completion_streaming_include_usage.response_body.txt\", $SSE}]}}"
expect_rc 0 replay 00000000000000a1 --prompt support@1 --model gpt-4.1-mini --json
eq "$(req 0 "b['model']")" "gpt-4.1-mini"

t replay-no-system-message
# A call without a system message gets one, first.
expect_rc 0 replay 00000000000000a3 --prompt support@1 --json
eq "$(req 1 "b['messages']")" "[{'role': 'system', 'content': 'You help customers of Northwind.\\nTier: bronze.\\nBe brief.\\n'}, {'role': 'user', 'content': 'Hi'}]"
t replay-missing-variable
expect_rc 1 replay 00000000000000a3 --prompt support@2 --json
has "$T/err" "support@2 cannot be rendered for call 00000000000000a3: the call has no variable 'plan' (it has: company, tier)"
eq "$(nreq)" 2 # nothing more was sent

t replay-unknown-version
expect_rc 1 replay 00000000000000a1 --prompt support@9
has "$T/err" "prompt 'support' has no version '9'"
t replay-unknown-call
expect_rc 1 replay ffffffffffffffff --prompt support@1
has "$T/err" "no call 'ffffffffffffffff'"
t replay-unsupported-provider
expect_rc 1 replay 00000000000000a4 --prompt support@1
has "$T/err" "provider 'google'"
t replay-usage
expect_rc 2 "$LLMOPS" --store "$RS" replay 00000000000000a1
has "$T/err" "--prompt"

t replay-no-key
OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY= "$LLMOPS" --store "$RS" replay 00000000000000a1 --prompt support@1 >"$T/out" 2>"$T/err"
eq "$?" 1
has "$T/err" "no API key for openai: set OPENAI_API_KEY"

t replay-key-cmd
# A key from a command in the rc, never on the command line.
printf 'provider openai type=openai base_url=http://127.0.0.1:%s/v1 api_key_cmd="printf sk-from-cmd-77"\n' "$PORT" >"$R/rc"
OPENAI_API_KEY= "$LLMOPS" -c "$R/rc" --store "$RS" replay 00000000000000a1 --prompt support@1 --json >"$T/out" 2>"$T/err"
eq "$?" 0
eq "$(req -1 "r['headers']['authorization']")" "Bearer sk-from-cmd-77"

t replay-401
fake '{"routes": {"/v1/chat/completions": [{"status": 401, "body": "{\"error\": {\"message\": \"Incorrect API key provided\", \"type\": \"invalid_request_error\", \"param\": null, \"code\": \"invalid_api_key\"}}"}]}}'
expect_rc 1 replay 00000000000000a1 --prompt support@1
has "$T/err" "API key rejected by openai (HTTP 401): Incorrect API key provided"
eq "$(nreq)" 1 # not retried

t replay-429-then-ok
fake "{\"routes\": {\"/v1/chat/completions\": [{\"status\": 429, \"headers\": {\"retry-after-ms\": \"150\"}, \"body\": \"{\\\"error\\\": {\\\"message\\\": \\\"Rate limit reached\\\", \\\"type\\\": \\\"requests\\\", \\\"param\\\": null, \\\"code\\\": \\\"rate_limit_exceeded\\\"}}\"}, {\"body_file\": \"$OC/otelcontrib_chat_completion_streaming_include_usage.response_body.txt\", $SSE}]}}"
expect_rc 0 replay 00000000000000a1 --prompt support@1
has "$T/err" "rate limited (429); retrying in 0.1 s (attempt 2 of 3)"
eq "$(cat "$T/out")" '"This is a test."'
eq "$(nreq)" 2

t replay-5xx
fake '{"routes": {"/v1/chat/completions": [{"status": 503, "headers": {"retry-after": "0"}, "body": "{\"error\": {\"message\": \"Service unavailable\", \"type\": \"server_error\", \"param\": null, \"code\": null}}"}]}}'
expect_rc 1 replay 00000000000000a1 --prompt support@1 --json
eq "$(nreq)" 3 # three attempts
eq "$(json "$T/out" "(d['status'], d['error_type'])")" "('error', 'server_error')"
has "$T/out" "Service unavailable"

t replay-context-too-long
fake '{"routes": {"/v1/chat/completions": [{"status": 400, "body": "{\"error\": {\"message\": \"This model maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.\", \"type\": \"invalid_request_error\", \"param\": \"messages\", \"code\": \"context_length_exceeded\"}}"}]}}'
expect_rc 1 replay 00000000000000a1 --prompt support@1
has "$T/err" "context too long for gpt-4o-2024-08-06: This model maximum context length is 128000 tokens"
eq "$(nreq)" 1

t replay-broken-stream
# The connection drops midway: what came is kept and marked.
fake "{\"routes\": {\"/v1/messages\": [{\"body_file\": \"$AC/openllmetry_anthropic_message_streaming.response_body.txt\", \"chunk\": 100, \"cut_after\": 1500, $SSE}]}}"
expect_rc 1 replay 00000000000000a2 --prompt support@1 --json
eq "$(json "$T/out" "(d['status'], d['output'].startswith('Here'))")" "('partial', True)"
has "$T/out" "partial output kept"
eq "$(sqlite3 "$RS" "SELECT status, length(output) > 0 FROM replays WHERE id=$(json "$T/out" "d['replay_id']")")" "partial|1"

t replay-error-event-in-200
printf 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620","content":[],"usage":{"input_tokens":20,"output_tokens":1}}}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Your refund"}}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n' >"$R/overloaded.txt"
fake "{\"routes\": {\"/v1/messages\": [{\"body_file\": \"$R/overloaded.txt\", $SSE}]}}"
expect_rc 1 replay 00000000000000a2 --prompt support@1
has "$T/err" "overloaded in the stream: Overloaded; partial output kept"
eq "$(cat "$T/out")" "Your refund"

# ---- replay against a hostile provider --------------------------------------
# Each fault of tests/server/fake_api.py: the replay ends by itself (its
# replay_timeout, set short in the rc; `timeout 120` only guards the test
# against a hang), says what happened, and stays under 256 MiB.
printf 'set replay_timeout = 3s\n' >"$R/limits.rc"
# hostile_replay CALL [ENV=VALUE...]: replay CALL against support@1 with that
# rc, its peak memory (KiB) in $R/peak
hostile_replay() {
	call=$1
	shift
	env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" \
		OPENAI_API_KEY=$OKEY ANTHROPIC_API_KEY=$AKEY "$@" timeout 120 /usr/bin/time -f %M -o "$R/peak" \
		"$LLMOPS" -c "$R/limits.rc" --store "$RS" replay "$call" --prompt support@1 --json >"$T/out" 2>"$T/err"
	rc=$?
}
replay_ended() { if [ "$rc" -ne 124 ]; then ok; else bad "still running after 120 s"; fi; }
replay_under_256m() {
	kb=$(tail -n 1 "$R/peak")
	if [ "$kb" -lt 262144 ] 2>/dev/null; then ok; else bad "peak memory $kb KiB, wanted under 256 MiB"; fi
}
replay_err() { json "$T/out" "d.get('error', '')"; }
# A chat completion chunk of 1,000 characters of text, as an endless stream.
DELTA="data: {\\\"choices\\\":[{\\\"index\\\":0,\\\"delta\\\":{\\\"content\\\":\\\"$(printf '%01000d' 0)\\\"}}]}\\n\\n"

t replay-endless-answer
fake "{\"routes\": {\"/v1/chat/completions\": [{\"endless\": \"$DELTA\", $SSE}]}}"
hostile_replay 00000000000000a1
replay_ended
eq "$rc" 1
eq "$(json "$T/out" "(d['status'], d['error_type'], len(d['output']) >= 4 << 20)")" "('partial', 'too_large', True)"
has "$T/out" "the answer is longer than 4 MiB; partial output kept"
replay_under_256m
eq "$(nreq)" 1

t replay-endless-pings
# Events that carry nothing: the stream's own cap ends it.
fake "{\"routes\": {\"/v1/messages\": [{\"endless\": \"event: ping\\ndata: {\\\"type\\\": \\\"ping\\\"}\\n\\n\", $SSE}]}}"
hostile_replay 00000000000000a2
replay_ended
eq "$rc" 1
has "$T/out" "response from POST /v1/messages larger than 64 MiB"
replay_under_256m

t replay-endless-line
# One line that never ends.
fake "{\"routes\": {\"/v1/chat/completions\": [{\"endless\": \"data: xxxxxxxxxxxxxxxx\", $SSE}]}}"
hostile_replay 00000000000000a1
replay_ended
eq "$rc" 1
has "$T/out" "an event from POST /v1/chat/completions is longer than 1 MiB"
replay_under_256m

t replay-huge-content-length
fake '{"routes": {"/v1/chat/completions": [{"endless": "{", "content_length": 10737418240}]}}'
hostile_replay 00000000000000a1
replay_ended
eq "$rc" 1
has "$T/out" "response from POST /v1/chat/completions larger than 64 MiB"
eq "$(json "$T/out" "d['error_type']")" "too_large"
replay_under_256m
eq "$(nreq)" 1 # not retried
# A whole JSON body (not a stream) has a smaller cap.
python3 -c 'import json,sys; json.dump({"routes": {"/v1/chat/completions": [{"body": json.dumps({"id": "x", "pad": "a" * (5 << 20)})}]}}, open(sys.argv[1], "w"))' "$R/big.json"
fake "$(cat "$R/big.json")"
hostile_replay 00000000000000a1
eq "$rc" 1
has "$T/out" "response from POST /v1/chat/completions larger than 4 MiB"
replay_under_256m

t replay-drip
# A byte a second: never silent long, never done; the replay_timeout ends it.
fake "{\"routes\": {\"/v1/chat/completions\": [{\"body_file\": \"$OC/otelcontrib_chat_completion_streaming_include_usage.response_body.txt\", \"drip_ms\": 1000, $SSE}]}}"
hostile_replay 00000000000000a1 LLMOPS_HTTP_IDLE=60
replay_ended
eq "$rc" 1
has "$T/out" "gave up after the replay_timeout of 3s"
eq "$(json "$T/out" "d['error_type']")" "timeout"
replay_under_256m
eq "$(sqlite3 "$RS" "SELECT status, error_message LIKE '%replay_timeout of 3s%' FROM replays WHERE id=$(json "$T/out" "d['replay_id']")")" "error|1"

t replay-accept-and-hang-idle
# Connected, and nothing: the idle timeout per attempt, retried, said as
# such (not "no connection").
fake '{"routes": {"/v1/chat/completions": [{"hang": true}]}}'
printf 'set replay_timeout = 60s\n' >"$R/limits.rc"
hostile_replay 00000000000000a1 LLMOPS_HTTP_IDLE=1
replay_ended
eq "$rc" 1
eq "$(replay_err)" "http://127.0.0.1:$PORT/v1: connected, no answer for 1s (3 attempts)"
eq "$(json "$T/out" "d['error_type']")" "timeout"
eq "$(nreq)" 3
# Without --json the retries are said as they happen.
env OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=$OKEY LLMOPS_HTTP_IDLE=1 \
	"$LLMOPS" -c "$R/limits.rc" --store "$RS" replay 00000000000000a1 --prompt support@1 >"$T/out" 2>"$T/err"
has "$T/err" "llmops: connected, no answer for 1s; retrying in"
lacks "$T/err" "no connection"

t replay-accept-and-hang-deadline
# Idle never fires before the deadline: the replay_timeout, retries included.
printf 'set replay_timeout = 2s\n' >"$R/limits.rc"
hostile_replay 00000000000000a1 LLMOPS_HTTP_IDLE=60
replay_ended
eq "$rc" 1
eq "$(replay_err)" "gave up after the replay_timeout of 2s: http://127.0.0.1:$PORT/v1, connected, no answer yet (attempt 1 of 3)"

t replay-timeout-bad-value
printf 'set replay_timeout = soon\n' >"$R/bad.rc"
"$LLMOPS" -c "$R/bad.rc" --store "$RS" replay ffffffffffffffff --prompt support@1 >"$T/out" 2>"$T/err"
has "$T/err" "bad.rc:1: replay_timeout: expected a duration like 15m, 1h or 7d, got 'soon'"

t replay-no-connection
printf 'set replay_timeout = 30s\n' >"$R/limits.rc"
stop_fake # nothing listens on $PORT any more
hostile_replay 00000000000000a1
replay_ended
eq "$rc" 1
eq "$(replay_err)" "http://127.0.0.1:$PORT/v1: no connection: Couldn't connect to server (3 attempts)"
eq "$(json "$T/out" "d['error_type']")" "connection"

t replay-binary-garbage
fake "{\"routes\": {\"/v1/chat/completions\": [{\"garbage\": 4096, $SSE}]}}"
hostile_replay 00000000000000a1
replay_ended
eq "$rc" 1
has "$T/out" "the answer from POST /v1/chat/completions is neither an event stream of the chat protocol nor JSON (HTTP 200, 4096 bytes)"
replay_under_256m

t replay-truncated-gzip
# Cut midway, the gzip stream decodes to part of the answer: kept, and said.
fake "{\"routes\": {\"/v1/messages\": [{\"body_file\": \"$AC/openllmetry_anthropic_message_streaming.response_body.txt\", \"gzip\": true, \"gzip_cut\": 700, $SSE}]}}"
hostile_replay 00000000000000a2
replay_ended
eq "$rc" 1
eq "$(json "$T/out" "(d['status'], len(d['output']) > 0)")" "('partial', True)"
has "$T/out" "partial output kept"
replay_under_256m
stop_fake

t replay-keys-nowhere
# No key in anything the program wrote.
stop_fake
for f in "$RS" "$RS-wal" "$T/state" "$T/data" "$T/config"; do
	[ -e "$f" ] || continue
	if grep -rqaF -e "$OKEY" -e "$AKEY" -e "sk-from-cmd-77" "$f"; then bad "a key is in $f"; else ok; fi
done
