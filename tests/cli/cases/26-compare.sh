# Two windows compared, on the demo store as `make demo` writes it: the
# incident (support-answer@8, set against @7, and the model it broke) is
# worse beyond noise, and the models that served none of it are the same;
# since a deploy gives the same answer; bad words are bad usage.
t compare-demo-incident
expect_rc 0 "$LLMOPS" demo --no-tui --store "$T/demo.db"
expect_rc 0 "$LLMOPS" --store "$T/demo.db" compare 1h --json
cp "$T/out" "$T/cmp.json"
verdict() { json "$T/cmp.json" "[r['verdict'] for r in d['rows'] if r['key'] == '$1'][0]"; }
eq "$(verdict support-answer@8)" worse
eq "$(json "$T/cmp.json" "[(r['against'], r['errors']['significant'], r['errors']['p'] < 0.01, r['latency']['significant']) for r in d['rows'] if r['key'] == 'support-answer@8'][0]")" "('support-answer@7', True, True, True)"
eq "$(verdict claude-sonnet-4-5-20250929)" worse
for quiet in gpt-4o-mini-2024-07-18 gpt-4.1-mini claude-haiku-4-5-20251001 gemini-2.5-flash text-embedding-3-small; do
	eq "$quiet $(verdict $quiet)" "$quiet same"
done
# What moved comes first; the windows are the last hour and the one before.
eq "$(json "$T/cmp.json" "[r['significant'] for r in d['rows']] == sorted([r['significant'] for r in d['rows']], reverse=True)")" True
eq "$(json "$T/cmp.json" "(d['after']['from'], d['after']['to'], d['before']['from'], d['since'])")" \
	"('2026-11-23T11:00:00Z', '2026-11-23T12:00:00Z', '2026-11-23T10:00:00Z', None)"
eq "$(json "$T/cmp.json" "(d['tests']['alpha'], d['tests']['min_calls'], d['counts']['worse'] >= 2)")" "(0.01, 20, True)"
eq "$(json "$T/cmp.json" "sorted(d['rows'][0]['after'].keys())")" \
	"['calls', 'error_rate', 'errors', 'latency_ms', 'ttft_ms', 'usd_per_call']"

t compare-demo-text
expect_rc 0 "$LLMOPS" --store "$T/demo.db" compare 1h
has "$T/out" "11:00-12:00 (1h) against 10:00-11:00 UTC"
has "$T/out" "* beyond noise (p < 0.01)"
eq "$(grep -c '^! ' "$T/out")" "$(json "$T/cmp.json" "d['counts']['worse']")"
eq "$(grep '^! support-answer@8 vs @7 ' "$T/out" | awk '{print $NF}')" worse
eq "$(grep '^  gemini-2.5-flash ' "$T/out" | awk '{print $NF}')" same
# A pipe is 200 columns wide: every column shows.
has "$T/out" "P50"

t compare-since-deploy
expect_rc 0 "$LLMOPS" --store "$T/demo.db" compare since support-answer@8 --json
cp "$T/out" "$T/since.json"
eq "$(json "$T/since.json" "(d['since'], d['after']['from'][:15], d['after']['to'])")" "('support-answer@8', '2026-11-23T11:1', '2026-11-23T12:00:00Z')"
eq "$(json "$T/since.json" "[r['verdict'] for r in d['rows'] if r['key'] == 'support-answer@8'][0]")" worse
eq "$(json "$T/since.json" "[r['verdict'] for r in d['rows'] if r['key'] == 'support-answer@7'][0]")" gone
eq "$(json "$T/since.json" "[r['verdict'] for r in d['rows'] if r['key'] == 'gemini-2.5-flash'][0]")" same
# A time works too, and the window is widened to whole minutes.
expect_rc 0 "$LLMOPS" --store "$T/demo.db" compare 30m since 2026-11-23T11:00:30Z --json
eq "$(json "$T/out" "(d['before']['from'], d['after']['from'], d['after']['to'])")" \
	"('2026-11-23T10:30:00Z', '2026-11-23T11:00:00Z', '2026-11-23T11:30:00Z')"

t compare-bad-words
expect_rc 2 "$LLMOPS" --store "$T/demo.db" compare yesterday
has "$T/err" "compare: expected DUR or since NAME@VERSION|TIME, got 'yesterday'"
expect_rc 2 "$LLMOPS" --store "$T/demo.db" compare since support-answer@99
has "$T/err" "support-answer@99 never served a call"
expect_rc 2 "$LLMOPS" --store "$T/demo.db" compare 1h --by model
expect_rc 1 "$LLMOPS" --store "$T/none.db" compare
has "$T/err" "no store at"

t compare-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "compare [DUR] [since NAME@VERSION|TIME] [--json]"
