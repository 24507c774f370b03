# llmops watch FILE...: a file that is not there yet is waited for (and said so), then followed as
# it grows, here a stream of length-delimited OTLP protobuf written a message at a time.
t watch-command
"$LLMOPS" import --store "$T/w.db" /dev/null >/dev/null 2>&1
$TM new-session -d -s w -x 120 -y 30 "$LLMOPS --store $T/w.db watch $T/later.pb"
expect_screen w "waiting for $T/later.pb to appear"
# The first message, then the rest, as an exporter's file grows.
python3 - "$HERE/corpus/captured/vercel-ai-otel/traces.pb" "$T/later.pb" <<'PY'
import sys, time
data = open(sys.argv[1], "rb").read()
n = shift = off = 0
while True:
    b = data[off]; off += 1; n |= (b & 0x7F) << shift; shift += 7
    if b < 0x80: break
first = off + n
with open(sys.argv[2], "ab") as f:
    f.write(data[:first // 2]); f.flush(); time.sleep(1.5)
    f.write(data[first // 2:]); f.flush()
PY
expect_screen w "later.pb appeared; following it" 10
# The captures are dated 2026-12-07: the trace list shows them whatever the window.
$TM send-keys -t w t
expect_screen w "gpt-4o-mini" 10
$TM send-keys -t w q q
