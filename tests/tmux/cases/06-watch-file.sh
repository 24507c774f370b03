# A watched file growing, rotated and truncated.
t watch-file
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
cat >"$XDG_CONFIG_HOME/llmops/llmopsrc" <<EOF2
set refresh = 1
watch jsonl $T/live.jsonl
EOF2
: >"$T/live.jsonl"
# The console opens a store, never makes one: an empty one first.
"$LLMOPS" import --store "$T/live.db" /dev/null >/dev/null 2>&1
$TM new-session -d -s w -x 120 -y 30 "$LLMOPS --store $T/live.db traces"
expect_screen w "no calls match"
echo "{\"ts\":\"$(now)\",\"model\":\"grown-model-a\",\"input_tokens\":5,\"output_tokens\":2,\"output\":\"first appended line\"}" >>"$T/live.jsonl"
expect_screen w "grown-model-a" 10
mv "$T/live.jsonl" "$T/live.jsonl.1"
echo "{\"ts\":\"$(now)\",\"model\":\"rotated-model-b\",\"output\":\"after rotation\"}" >"$T/live.jsonl"
expect_screen w "rotated-model-b" 10
: >"$T/live.jsonl"
echo "{\"ts\":\"$(now)\",\"model\":\"truncated-model\",\"output\":\"after truncation\"}" >>"$T/live.jsonl"
expect_screen w "truncated-model" 10
# An idle console with a watched file costs (almost) no CPU.
pid=$($TM display -p -t w '#{pane_pid}')
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 5
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
ticks=$((t1 - t0))
hz=$(getconf CLK_TCK)
# under 5% of a core over 5 s (the target, below 1%, is measured by make bench)
if [ $((ticks * 100)) -lt $((hz * 5 * 5)) ]; then ok; else bad "idle with a watched file used $ticks ticks in 5 s"; fi
t another-process-imports
echo "{\"ts\":\"$(now)\",\"model\":\"imported-elsewhere\",\"output\":\"from another process\"}" >"$T/other.jsonl"
"$LLMOPS" import --store "$T/live.db" "$T/other.jsonl" >/dev/null 2>&1
expect_screen w "imported-elsewhere" 10
t watched-file-vanishes
rm -f "$T/live.jsonl"
expect_screen w "live.jsonl vanished" 10
$TM kill-session -t w
