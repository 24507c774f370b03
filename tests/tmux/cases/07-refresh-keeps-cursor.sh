# New calls while the trace list is open: the cursor stays on its call, the
# new ones are counted above it, and on the first row the list follows the head.
t refresh-keeps-cursor
printf 'set refresh = 1\n' >"$XDG_CONFIG_HOME/llmops/llmopsrc"
ago() { date -u -d "-$1 min" +%Y-%m-%dT%H:%M:%SZ; }
for i in 1 2 3 4 5; do
	echo "{\"ts\":\"$(ago $((10 - i)))\",\"model\":\"kept-model-$i\",\"output\":\"call $i\"}"
done >"$T/kept.jsonl"
"$LLMOPS" import --store "$T/kept.db" "$T/kept.jsonl" >/dev/null 2>&1
$TM new-session -d -s kc -x 120 -y 30 "$LLMOPS --store $T/kept.db traces"
expect_screen kc "kept-model-1"
# the line with the cursor (a UTF-8 terminal: the glyph)
cursor() { screen kc | grep "^$(printf '\342\226\266')"; }
# Newest first: two rows down is kept-model-3.
$TM send-keys -t kc j j
i=0
while [ $i -lt 50 ] && ! cursor | grep -q "kept-model-3"; do
	sleep 0.1
	i=$((i + 1))
done
if cursor | grep -q "kept-model-3"; then ok; else bad "the cursor is not on kept-model-3: $(screen kc)"; fi
for i in 1 2; do
	echo "{\"ts\":\"$(ago 0)\",\"model\":\"newer-model-$i\",\"output\":\"new $i\"}"
done >"$T/newer.jsonl"
line=$(screen kc | grep -n "^$(printf '\342\226\266')" | cut -d: -f1)
"$LLMOPS" import --store "$T/kept.db" "$T/newer.jsonl" >/dev/null 2>&1
# Off the first row the list does not follow the head: the new calls are
# counted in the title, above the screen, until the user goes to the top.
expect_screen kc "7 $(printf '\302\267') 2 new" 10
if cursor | grep -q "kept-model-3" && [ "$(screen kc | grep -n "^$(printf '\342\226\266')" | cut -d: -f1)" = "$line" ]; then ok; else
	bad "the cursor left its call or its line when new calls came: $(screen kc)"; fi
if screen kc | grep -q "newer-model"; then bad "the list moved to show the new calls: $(screen kc)"; else ok; fi
$TM send-keys -t kc g
expect_screen kc "newer-model-2" 10
if screen kc | grep -q "[0-9] new"; then bad "the marker stayed at the top: $(screen kc)"; else ok; fi
if cursor | grep -q "newer-model-"; then ok; else bad "g did not go to the newest call: $(screen kc)"; fi
# On the first row the list follows the head: the cursor on the newest call.
echo "{\"ts\":\"$(ago 0)\",\"model\":\"head-model\",\"output\":\"newest\"}" >"$T/head.jsonl"
"$LLMOPS" import --store "$T/kept.db" "$T/head.jsonl" >/dev/null 2>&1
expect_screen kc "head-model" 10
i=0
while [ $i -lt 50 ] && ! cursor | grep -q "head-model"; do
	sleep 0.1
	i=$((i + 1))
done
if cursor | grep -q "head-model" && ! screen kc | grep -q "[0-9] new"; then ok; else bad "the list did not follow the head: $(screen kc)"; fi
$TM kill-session -t kc
# Scrolled down the list, the cursor's call keeps its line on screen too.
i=1
while [ $i -le 40 ]; do
	echo "{\"ts\":\"$(ago $((50 - i)))\",\"model\":\"deep-model-$i\",\"output\":\"call $i\"}"
	i=$((i + 1))
done >"$T/deep.jsonl"
"$LLMOPS" import --store "$T/deep.db" "$T/deep.jsonl" >/dev/null 2>&1
$TM new-session -d -s kc -x 120 -y 30 "$LLMOPS --store $T/deep.db traces"
expect_screen kc "deep-model-40"
$TM send-keys -t kc G
i=0
while [ $i -lt 50 ] && ! cursor | grep -q "deep-model-1 "; do
	sleep 0.1
	i=$((i + 1))
done
line=$(screen kc | grep -n "^$(printf '\342\226\266')" | cut -d: -f1)
echo "{\"ts\":\"$(ago 0)\",\"model\":\"newer-deep\",\"output\":\"new\"}" >"$T/newer.jsonl"
"$LLMOPS" import --store "$T/deep.db" "$T/newer.jsonl" >/dev/null 2>&1
expect_screen kc "traces $(printf '\302\267') 41 " 10
if cursor | grep -q "deep-model-1 " && [ "$(screen kc | grep -n "^$(printf '\342\226\266')" | cut -d: -f1)" = "$line" ]; then ok; else
	bad "the cursor did not stay on deep-model-1 at line $line: $(screen kc)"; fi
$TM kill-session -t kc
rm -f "$XDG_CONFIG_HOME/llmops/llmopsrc"
