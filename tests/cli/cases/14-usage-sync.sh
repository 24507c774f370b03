# The providers' usage and cost reports fetched page by page, stored, fetched again.
U="$T/usage.db"

t usage-help
expect_rc 0 "$LLMOPS" --help
has "$T/out" "usage sync [--provider NAME] [--since DUR]"
has "$T/out" "usage [--provider NAME] [--since DUR] [--json]"

t usage-sync-openai-pages
fake both
expect_rc 0 keyed "$LLMOPS" --store "$U" usage sync --provider openai --since 2d
has "$T/out" "openai: tokens per minute: 60 buckets in 3 pages, 2026-11-23 11:00 to 12:00 UTC"
has "$T/out" "openai: tokens per hour: 48 buckets in 1 page"
has "$T/out" "openai: cost reports: 3 buckets in 1 page"
lacks "$T/out" "anthropic"
# Every page asked for, each with the cursor of the page before.
eq "$(reqs /v1/organization/usage/completions bucket_width=1m)" 3
lacks_q=$(nth_query /v1/organization/usage/completions 1 bucket_width=1m)
case $lacks_q in *page=*) bad "the first page asked with a cursor: $lacks_q" ;; *) ok ;; esac
case $(nth_query /v1/organization/usage/completions 2 bucket_width=1m) in *"&page=p2"*) ok ;; *) bad "page 2 without page=p2" ;; esac
case $(nth_query /v1/organization/usage/completions 3 bucket_width=1m) in *"&page=p3"*) ok ;; *) bad "page 3 without page=p3" ;; esac
eq "$(nth_query /v1/organization/usage/completions 1 bucket_width=1m)" \
	"start_time=1795431600&end_time=1795435200&bucket_width=1m&group_by%5B%5D=model&limit=60"
eq "$(reqs /v1/organization/costs bucket_width=1d start_time=1795219200)" 1
eq "$(reqs /v1/organizations/usage_report/messages)" 0
python3 -c 'import json,sys
h = [json.loads(l)["headers"] for l in open(sys.argv[1])]
print(all(x.get("authorization") == "Bearer " + sys.argv[2] for x in h))' "$T/fake.log" "$OK_KEY" >"$T/auth"
has "$T/auth" "True"
# All three pages' buckets are stored, each with the time it was fetched.
eq "$(sq "$U" "SELECT count(*), sum(input_tokens), min(fetched_at), max(fetched_at) FROM usage_buckets WHERE width=60")" "60|60000|1795435200|1795435200"
eq "$(sq "$U" "SELECT count(DISTINCT start_s) FROM usage_buckets WHERE width=3600")" 48
eq "$(sq "$U" "SELECT group_concat(cost_nusd) FROM (SELECT cost_nusd FROM cost_buckets ORDER BY start_s)")" "1250000000,12500000000,500000000"

t usage-json
expect_rc 0 "$LLMOPS" --store "$U" usage --json --since 2d
eq "$(json "$T/out" 'sorted(d.keys())')" "['billed', 'from', 'to', 'usage']"
eq "$(json "$T/out" 'd["from"] + " " + d["to"]')" "2026-11-21T12:00:00Z 2026-11-23T12:00:00Z"
# The minutes of 11:00 count once: the hour bucket of 11:00 gives way to them.
eq "$(json "$T/out" '[(u["model"], u["requests"], u["input_tokens"], u["cached_tokens"], u["output_tokens"]) for u in d["usage"]]')" \
	"[('gpt-4o-2024-08-06', 470, 2350000, 0, 470000), ('gpt-4o-mini-2024-07-18', 120, 60000, 6000, 12000)]"
# Buckets that start in the window: 11-22 ("12.50", a string) and 11-23 (0.5).
eq "$(json "$T/out" 'd["billed"]')" "[{'provider': 'openai', 'cost_usd': 13}]"
expect_rc 0 "$LLMOPS" --store "$U" usage --since 2d
has "$T/out" "PROVIDER"
has "$T/out" "gpt-4o-mini-2024-07-18"
has "$T/out" "billed (cost reports): openai \$13.00"
expect_rc 2 "$LLMOPS" --store "$U" usage sync --json
expect_rc 2 "$LLMOPS" --store "$U" usage sync --since soon
expect_rc 2 "$LLMOPS" --store "$U" usage frobnicate
expect_rc 2 "$LLMOPS" --store "$U" report --provider openai
expect_rc 1 "$LLMOPS" --store "$T/none.db" usage
has "$T/err" "llmops usage sync"

t usage-sync-incremental-and-replaced
fake again
expect_rc 0 keyed "$LLMOPS" --store "$U" usage sync --provider openai --since 2d
# Only what may still change: minutes from 11:45, the hour of 11:00, the
# cost reports from 11-22 (a day stays open for a day after it ends).
eq "$(nth_query /v1/organization/usage/completions 1 bucket_width=1m)" \
	"start_time=1795434300&end_time=1795435200&bucket_width=1m&group_by%5B%5D=model&limit=15"
eq "$(reqs /v1/organization/usage/completions bucket_width=1h start_time=1795431600)" 1
eq "$(reqs /v1/organization/costs start_time=1795305600)" 1
# The re-fetched minutes replace the stored ones.
expect_rc 0 "$LLMOPS" --store "$U" usage --json --since 1h
eq "$(json "$T/out" '[(u["model"], u["requests"], u["input_tokens"]) for u in d["usage"]]')" \
	"[('gpt-4o-mini-2024-07-18', 105, 45075)]"
eq "$(sq "$U" "SELECT count(*) FROM usage_buckets WHERE width=60")" 60

t usage-sync-anthropic
A="$T/anth.db"
fake both
expect_rc 0 keyed "$LLMOPS" --store "$A" usage sync --provider anthropic --since 2d
has "$T/out" "anthropic: tokens per minute: 60 buckets in 3 pages"
eq "$(reqs /v1/organizations/usage_report/messages bucket_width=1m)" 3
case $(nth_query /v1/organizations/usage_report/messages 3 bucket_width=1m) in *"&page=c3"*) ok ;; *) bad "page 3 without page=c3" ;; esac
eq "$(nth_query /v1/organizations/usage_report/messages 1 bucket_width=1m)" \
	"starting_at=2026-11-23T11%3A00%3A00Z&ending_at=2026-11-23T12%3A00%3A00Z&bucket_width=1m&group_by%5B%5D=model&limit=60"
python3 -c 'import json,sys
h = [json.loads(l)["headers"] for l in open(sys.argv[1])]
print(all(x.get("x-api-key") == sys.argv[2] and x.get("anthropic-version") == "2023-06-01" and "authorization" not in x for x in h))' \
	"$T/fake.log" "$AK_KEY" >"$T/auth"
has "$T/auth" "True"
expect_rc 0 "$LLMOPS" --store "$A" usage --json --since 2d
# Input is uncached + cache writes + cache reads; no request count; cents to dollars.
eq "$(json "$T/out" '[(u["provider"], u["model"], u["requests"], u["input_tokens"], u["cached_tokens"], u["output_tokens"]) for u in d["usage"]]')" \
	"[('anthropic', 'claude-sonnet-4-5-20250929', None, 33000, 24000, 3000)]"
eq "$(json "$T/out" 'd["billed"]')" "[{'provider': 'anthropic', 'cost_usd': 8.5795}]"
