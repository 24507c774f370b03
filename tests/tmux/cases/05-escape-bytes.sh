# The bytes the terminal receives.
hostile_store
t escape-bytes
# No BEL may come from the calls' text; the console's own (an alert starting to
# fire on these failed calls) is silenced so that any BEL here is the content's.
echo "set bell = off" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
$TM new-session -d -s esc -x 120 -y 30 "sh -c 'sleep 0.5; LLMOPS_NOW=$HOSTILE_NOW exec $LLMOPS --store $T/hostile.db traces'"
$TM pipe-pane -o -t esc "cat >> $T/bytes.log"
expect_screen esc "support-answer@8"
# The list, then each call in full.
$TM send-keys -t esc Enter
expect_screen esc "plain question"
$TM send-keys -t esc q j Enter
expect_screen esc "wide"
$TM send-keys -t esc q j Enter
expect_screen esc "customer:"
sleep 0.5
$TM pipe-pane -t esc
python3 - "$T/bytes.log" <<'PY' && ok || bad "the terminal received content's escape sequences (above)"
import sys
data = open(sys.argv[1], "rb").read()
bad = {
    "OSC 52 clipboard write": b"\x1b]52",
    "its payload": b"ZWNobyBwd25lZA==",
    "OSC 0 title": b"\x1b]0;",
    "DCS": b"\x1bP",
    "C1 CSI": b"\xc2\x9b",
    "C1 NEL": b"\xc2\x85",
    "bidi override U+202E": "\u202e".encode(),
    "zero-width space": "\u200b".encode(),
    "BEL": b"\x07",
    "blinking SGR 5 from an error type": b"\x1b[5m",
}
found = [k for k, v in bad.items() if v in data]
for k in found:
    print("  sent to the terminal:", k)
# And the markers that stand for them did arrive.
for marker in ("\u241b".encode(), b"<U+202E>", "\u240d".encode()):
    if marker not in data:
        print("  marker missing:", marker)
        found.append(marker)
sys.exit(1 if found else 0)
PY
$TM kill-session -t esc
