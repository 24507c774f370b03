# The console with --listen: OTLP/HTTP posted to it shows in the panes at once, the status line says
# where it receives and how many calls came in the last minute; a port already taken is said, and the
# console goes on.
t console-receives
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The console opens a store, never makes one: empty ones first.
"$LLMOPS" import --store "$T/live.db" /dev/null >/dev/null 2>&1
"$LLMOPS" import --store "$T/other.db" /dev/null >/dev/null 2>&1
$TM new-session -d -s r -x 100 -y 30 "$LLMOPS --store $T/live.db --listen 127.0.0.1:$port traces"
expect_screen r "receiving on 127.0.0.1:$port, 0 calls in the last minute"
# Spans that started a minute ago, as an exporter sends them now.
python3 - "$port" <<'PY'
import http.client, json, sys, time
t0 = time.time_ns() - 60_000_000_000
spans = [{"traceId": "%032x" % (i + 1), "spanId": "%016x" % (i + 1), "name": "chat gpt-4o", "kind": 3,
          "startTimeUnixNano": str(t0 + i * 1_000_000), "endTimeUnixNano": str(t0 + i * 1_000_000 + 800_000_000),
          "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                         {"key": "gen_ai.provider.name", "value": {"stringValue": "openai"}},
                         {"key": "gen_ai.request.model", "value": {"stringValue": "received-model-x"}},
                         {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "120"}},
                         {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "30"}}]} for i in range(7)]
body = json.dumps({"resourceSpans": [{"scopeSpans": [{"scope": {"name": "gen_ai"}, "spans": spans}]}]})
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
c.request("POST", "/v1/traces", body=body, headers={"Content-Type": "application/json"})
r = c.getresponse()
r.read()
sys.exit(0 if r.status == 200 else 1)
PY
if [ $? -eq 0 ]; then ok; else bad "the console's receiver did not answer 200"; fi
expect_screen r "received-model-x" 10
expect_screen r "7 calls in the last minute" 10
t console-port-taken
$TM new-session -d -s r2 -x 100 -y 30 "$LLMOPS --store $T/other.db --listen 127.0.0.1:$port"
expect_screen r2 "listen: cannot listen on 127.0.0.1:$port"
$TM send-keys -t r2 q
$TM send-keys -t r q
