# The plans of tests/server/fake_api.py for the usage cases of the
# command-line tests: python3 tests/cli/plans.py DIR writes DIR/PLAN.json.
# LLMOPS_NOW is 2026-11-23T12:00:00Z; the bodies are the shapes the providers'
# usage and cost reports document (tests/corpus/openai for OpenAI).
import datetime, json, sys
out = sys.argv[1]
NOW = 1795435200  # 2026-11-23T12:00:00Z
DAY = 86400
TODAY = NOW - 12 * 3600
def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
def oa_usage(start, n, w, rows, nxt=None):
    return json.dumps({"object": "page", "has_more": nxt is not None, "next_page": nxt, "data": [
        {"object": "bucket", "start_time": start + i * w, "end_time": start + (i + 1) * w, "results": [
            {"object": "organization.usage.completions.result", "model": m, "input_tokens": a,
             "input_cached_tokens": c, "output_tokens": o, "num_model_requests": r, "project_id": None,
             "user_id": None, "api_key_id": None, "batch": None, "service_tier": None} for (m, a, c, o, r) in rows]}
        for i in range(n)]})
def oa_costs(vals):
    return json.dumps({"object": "page", "has_more": False, "next_page": None, "data": [
        {"object": "bucket", "start_time": d, "end_time": d + DAY, "results": [
            {"object": "organization.costs.result", "amount": {"value": v, "currency": "usd"}, "line_item": None,
             "project_id": None}]} for (d, v) in vals]})
def an_usage(start, n, w, rows, nxt=None):
    return json.dumps({"has_more": nxt is not None, "next_page": nxt, "data": [
        {"starting_at": iso(start + i * w), "ending_at": iso(start + (i + 1) * w), "results": [
            {"uncached_input_tokens": u, "cache_creation": {"ephemeral_5m_input_tokens": c5,
             "ephemeral_1h_input_tokens": c1}, "cache_read_input_tokens": cr, "output_tokens": o,
             "server_tool_use": {"web_search_requests": 0}, "model": m, "workspace_id": None, "api_key_id": None,
             "service_tier": "standard", "context_window": "0-200k"} for (m, u, c5, c1, cr, o) in rows]}
        for i in range(n)]})
def an_costs(vals):
    return json.dumps({"has_more": False, "next_page": None, "data": [
        {"starting_at": iso(d), "ending_at": iso(d + DAY), "results": [
            {"amount": v, "currency": "USD", "workspace_id": None, "description": None, "cost_type": None,
             "model": None, "service_tier": None, "token_type": None, "context_window": None}]} for (d, v) in vals]})
def m(*parts):
    return {"query_has": list(parts)}
H11 = NOW - 3600
MINI = [("gpt-4o-mini-2024-07-18", 1000, 100, 200, 2)]
OA_HOURS = oa_usage(NOW - 48 * 3600, 48, 3600, [("gpt-4o-2024-08-06", 50000, 0, 10000, 10)])
OA_COSTS = oa_costs([(TODAY - 2 * DAY, 1.25), (TODAY - DAY, "12.50"), (TODAY, 0.5)])  # a number and a string
OA_USAGE = "/v1/organization/usage/completions"
OA_COST = "/v1/organization/costs"
AN_USAGE = "/v1/organizations/usage_report/messages"
AN_COST = "/v1/organizations/cost_report"
def openai(minute=None, costs=None):
    return {OA_USAGE: minute or [
        {"match": m("bucket_width=1m", "page=p2"), "body": oa_usage(H11 + 1200, 20, 60, MINI, "p3")},
        {"match": m("bucket_width=1m", "page=p3"), "body": oa_usage(H11 + 2400, 20, 60, MINI)},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 20, 60, MINI, "p2")},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}],
        OA_COST: costs or [{"body": OA_COSTS}]}
SONNET = [("claude-sonnet-4-5-20250929", 100, 30, 20, 400, 50)]
def anthropic(cost=None):
    return {AN_USAGE: [
        {"match": m("bucket_width=1m", "page=c2"), "body": an_usage(H11 + 1200, 20, 60, SONNET, "c3")},
        {"match": m("bucket_width=1m", "page=c3"), "body": an_usage(H11 + 2400, 20, 60, SONNET)},
        {"match": m("bucket_width=1m"), "body": an_usage(H11, 20, 60, SONNET, "c2")},
        {"match": m("bucket_width=1h"), "body": an_usage(NOW - 48 * 3600, 48, 3600, [])}],
        AN_COST: cost or [{"body": an_costs([(TODAY - DAY, "734.50"), (TODAY, "123.45")])}]}
plans = {
    "both": {**openai(), **anthropic()},
    # Fetched again: the last quarter hour of minutes says something else.
    "again": {**openai(minute=[
        {"match": m("bucket_width=1m"), "body": oa_usage(NOW - 900, 15, 60, [("gpt-4o-mini-2024-07-18", 5, 0, 1, 1)])},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}])},
    "rate-limited": {**openai(minute=[
        {"match": m("bucket_width=1m"), "status": 429, "headers": {"retry-after-ms": "0"},
         "body": json.dumps({"error": {"message": "Rate limit reached", "type": "requests"}})},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
        **anthropic(cost=[{"status": 429, "headers": {"Retry-After": "1"}, "body": "{}"},
                          {"body": an_costs([(TODAY, "100")])}])},
    # A long wait asked for: the refresh key must not cut it short.
    "retry-after-long": openai(minute=[
        {"match": m("bucket_width=1m"), "status": 429, "headers": {"Retry-After": "100"},
         "body": json.dumps({"error": {"message": "Rate limit reached", "type": "requests"}})},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
    "retry-after-zero": openai(minute=[
        {"match": m("bucket_width=1m"), "status": 429, "headers": {"Retry-After": "0"}, "body": "{}"},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
    # Answered only once the test holds the store's write lock.
    "locked": {path: [dict(r, hold_until=out + "/../lock.ready") for r in rs] for path, rs in openai().items()},
    "server-error": openai(costs=[{"status": 500, "body": "{\"error\":{\"message\":\"boom\"}}"}, {"body": OA_COSTS}]),
    "server-down": openai(costs=[{"status": 503, "body": "{}"}]),
    "hang": openai(minute=[
        {"match": m("bucket_width=1m"), "hang": True},
        {"match": m("bucket_width=1m"), "body": oa_usage(H11, 60, 60, MINI)},
        {"match": m("bucket_width=1h"), "body": OA_HOURS}]),
    "hang-always": {OA_USAGE: [{"hang": True}], OA_COST: [{"hang": True}]},
    "garbage": openai(costs=[{"body": "<html><body>502 Bad Gateway</body></html>",
                              "headers": {"Content-Type": "text/html"}}]),
    "wrong-shape": openai(costs=[{"body": json.dumps({"object": "page", "data": [
        {"object": "bucket", "start_time": TODAY, "end_time": TODAY + DAY,
         "results": [{"amount": {"value": "lots", "currency": "usd"}}]}], "has_more": False})}]),
    "rejected": {OA_USAGE: [{"status": 401, "body": json.dumps({"error": {
        "message": "Incorrect API key provided: sk-admin-CLITEST-openai-5d1e9c0a. You can find your key at ...",
        "type": "invalid_request_error", "code": "invalid_api_key"}})}],
                 OA_COST: [{"status": 403, "body": "{}"}]},
}
for k, v in plans.items():
    json.dump({"routes": v}, open(f"{out}/{k}.json", "w"))

# One plan per fault, on every OpenAI report endpoint.
PAGE = json.dumps({"object": "page", "has_more": False, "next_page": None, "data": []})
ROUTES = ["/v1/organization/usage/completions", "/v1/organization/costs"]
def every(r):
    return {p: [r] for p in ROUTES}
plans = {
    "endless": every({"endless": "0,"}),
    "huge-length": every({"endless": "0", "content_length": 10 * 1024 ** 3}),
    # Within the size cap, yet a tree of millions of values.
    "many-values": every({"body": '{"object":"page","data":[' + "0," * 3500000 + "0]}"}),
    "drip": every({"body": PAGE, "drip_ms": 1000}),
    "hang-every": every({"hang": True}),
    "binary": every({"garbage": 4096}),
    "gzip-cut": every({"body": json.dumps({"object": "page", "has_more": False, "next_page": None, "data": [
        {"object": "bucket", "start_time": 1795431600 + 60 * i, "end_time": 1795431660 + 60 * i, "results": []}
        for i in range(60)]}), "gzip": True, "gzip_cut": 200}),
}
for k, v in plans.items():
    json.dump({"routes": v}, open(f"{out}/{k}.json", "w"))
