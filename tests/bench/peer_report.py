#!/usr/bin/env python3
"""The peer llmops is measured against in make bench: what an engineer writes
in a few minutes with the standard library to answer from a JSONL export.
Streams the file once and prints, by model, the calls (each id once),
errors, tokens, cost and the p95 latency (nearest rank), costliest first."""
import json
import math
import sys

# $ per million tokens: input, cached input, output (the models the bench's file has).
PRICES = {
    "claude-sonnet-4-5": (3.00, 0.30, 15.00), "claude-haiku-4-5": (1.00, 0.10, 5.00),
    "gpt-4o": (2.50, 1.25, 10.00), "gpt-4o-mini": (0.15, 0.075, 0.60), "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "gemini-2.5-flash": (0.30, 0.03, 2.50), "text-embedding-3-small": (0.02, 0.02, 0.0),
}


def price(model):
    while model and model not in PRICES:  # a dated name falls back to its family
        model = model.rpartition("-")[0]
    return PRICES.get(model)


seen, by = set(), {}
with open(sys.argv[1], "rb") as f:
    for line in f:
        d = json.loads(line)
        key = (d.get("trace_id"), d.get("span_id"))
        if key in seen:
            continue
        seen.add(key)
        m = by.setdefault(d["model"], {"calls": 0, "errors": 0, "in": 0, "out": 0, "cost": 0.0, "lat": []})
        i, c, o = d.get("input_tokens") or 0, d.get("cached_tokens") or 0, d.get("output_tokens") or 0
        m["calls"] += 1
        m["errors"] += d.get("status") == "error"
        m["in"] += i
        m["out"] += o
        p = price(d["model"])
        if p:
            m["cost"] += ((i - c) * p[0] + c * p[1] + o * p[2]) / 1e6
        if d.get("latency_ms") is not None:
            m["lat"].append(d["latency_ms"])

print("%-28s %9s %7s %12s %12s %12s %9s" % ("MODEL", "CALLS", "ERRORS", "IN TOK", "OUT TOK", "COST", "P95 MS"))
for model, m in sorted(by.items(), key=lambda kv: -kv[1]["cost"]):
    lat = sorted(m["lat"])
    p95 = lat[max(0, math.ceil(0.95 * len(lat)) - 1)] if lat else 0
    print("%-28s %9d %7d %12d %12d %12.2f %9.0f" % (model, m["calls"], m["errors"], m["in"], m["out"], m["cost"], p95))
