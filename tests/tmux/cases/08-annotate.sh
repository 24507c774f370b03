# Annotation: kill -9 loses no label; two annotators share one file.
demo_store
t annotate-kill-9
G="$T/golden.db"
printf 'set golden = %s\nset annotator = alice\n' "$G" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
$TM new-session -d -s an -x 100 -y 30 "$LLMOPS --store $S annotate status=error"
expect_screen an "annotate 0/"
: >"$T/shown"
n=1 # (wait_for uses i)
while [ $n -le 20 ]; do
	# a label, and the next key only once the title counts it as saved
	$TM send-keys -t an "$((n % 2 + 1))"
	if ! wait_for an "annotate $n/" 5; then bad "label $n never showed as saved: $(screen an)"; break; fi
	screen an | sed -n 's/.*saved: [a-z]* on \([0-9a-f]*\).*/\1/p' | head -1 >>"$T/shown"
	n=$((n + 1))
done
pid=$($TM display -p -t an '#{pane_pid}')
kill -9 "$pid"
"$LLMOPS" --store "$S" export --golden "$G" --format jsonl -o "$T/labels.jsonl" >/dev/null 2>&1
python3 -c "import json,sys; [print(json.loads(l)['call_id']) for l in open(sys.argv[1])]" "$T/labels.jsonl" >"$T/exported"
if [ "$(wc -l <"$T/exported")" -eq 20 ]; then ok; else bad "$(wc -l <"$T/exported") labels exported after kill -9, wanted 20"; fi
if cmp -s "$T/shown" "$T/exported"; then ok; else bad "export order differs from labelling order: $(paste -d' ' "$T/shown" "$T/exported" | head -5)"; fi
$TM kill-session -t an 2>/dev/null
# Opened again, the queue counts the 20 as labelled and starts on a call without a label.
$TM new-session -d -s an -x 100 -y 30 "$LLMOPS --store $S annotate status=error"
expect_screen an "annotate 20/"
if screen an | grep -q "not labelled"; then ok; else bad "the reopened queue does not start on an unlabelled call: $(screen an | head -3)"; fi
$TM kill-session -t an 2>/dev/null

t annotate-two-annotators
G2="$T/golden2.db"
printf 'set golden = %s\n' "$G2" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
$TM new-session -d -s a1 -x 100 -y 30 "USER=ann $LLMOPS --store $S annotate since=7d"
$TM new-session -d -s a2 -x 100 -y 30 "USER=bob $LLMOPS --store $S annotate since=7d"
expect_screen a1 "annotate 0/"
expect_screen a2 "annotate 0/"
n=1
while [ $n -le 15 ]; do
	$TM send-keys -t a1 1
	$TM send-keys -t a2 2
	n=$((n + 1))
done
n=0 # each label is fsynced (synchronous=FULL): on a loaded machine this takes a while
while [ $n -lt 300 ]; do
	"$LLMOPS" --store "$S" export --golden "$G2" --format jsonl -o "$T/two.jsonl" >/dev/null 2>&1
	[ "$(wc -l <"$T/two.jsonl")" -ge 30 ] && break
	sleep 0.1
	n=$((n + 1))
done
$TM send-keys -t a1 q
$TM send-keys -t a2 q
python3 - "$T/two.jsonl" >"$T/two.out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ids = [r["call_id"] for r in rows]
by = {}
for r in rows:
    by[r["annotator"]] = by.get(r["annotator"], 0) + 1
print(len(ids), len(set(ids)), by.get("ann", 0), by.get("bob", 0))
PY
if [ "$(cat "$T/two.out")" = "30 30 15 15" ]; then ok; else bad "two annotators: total, distinct, ann, bob = $(cat "$T/two.out"), wanted 30 30 15 15
$(screen a1 | sed -n '1p;$p')
$(screen a2 | sed -n '1p;$p')"; fi
