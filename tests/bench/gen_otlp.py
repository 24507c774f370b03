#!/usr/bin/env python3
"""Agent traces as OTLP/JSON lines (512 spans a line, as a Collector batches):
each trace an invoke_agent span with its context, two steps each with a
library's LLM span and the provider SDK's own span below it (two layers of
one request), and a tool span. usage: gen_otlp.py TRACES > FILE"""
import json
import random
import sys

random.seed(7)
T0 = 1795420000000000000  # 2026-11-23T08:26:40Z


def kv(k, v):
    return {"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}}


def span(tid, sid, pid, name, t0, t1, attrs):
    s = {"traceId": tid, "spanId": sid, "name": name, "kind": 3, "startTimeUnixNano": str(t0),
         "endTimeUnixNano": str(t1), "attributes": [kv(k, v) for k, v in attrs.items()]}
    if pid:
        s["parentSpanId"] = pid
    return s


batch = {"gen_ai": [], "lib": [], "sdk": []}
count = 0


def flush():
    global count
    scopes = [{"scope": {"name": n}, "spans": v} for n, v in
              (("gen_ai", batch["gen_ai"]), ("@traceloop/instrumentation-anthropic", batch["lib"]),
               ("com.anthropic.sdk.typescript", batch["sdk"])) if v]
    print(json.dumps({"resourceSpans": [{"resource": {"attributes": [kv("service.name", "support")]},
                                         "scopeSpans": scopes}]}))
    for v in batch.values():
        v.clear()
    count = 0


for t in range(int(sys.argv[1])):
    tid = "%032x" % (t + 1)
    sid = lambda n: "%016x" % (t * 16 + n + 1)
    base = T0 + t * 100_000_000
    batch["gen_ai"].append(span(tid, sid(0), None, "invoke_agent support", base, base + 90_000_000,
                                {"gen_ai.operation.name": "invoke_agent", "ai.settings.context.feature": "support",
                                 "ai.settings.context.userId": "u-%d" % (t % 500)}))
    for s in range(2):
        st = base + s * 40_000_000
        inp, out = random.randint(200, 3000), random.randint(20, 600)
        usage = {"gen_ai.usage.input_tokens": inp, "gen_ai.usage.output_tokens": out}
        batch["gen_ai"].append(span(tid, sid(1 + s * 3), sid(0), "step %d" % (s + 1), st, st + 39_000_000,
                                    {"gen_ai.operation.name": "step"}))
        lib = {"gen_ai.provider.name": "anthropic", "gen_ai.operation.name": "chat",
               "gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.response.model": "claude-sonnet-4-5-20250929",
               "gen_ai.input.messages": json.dumps([{"role": "user", "parts": [
                   {"type": "text", "content": "where is order %d?" % t}]}]),
               "gen_ai.output.messages": json.dumps([{"role": "assistant", "parts": [
                   {"type": "text", "content": "Order %d ships today." % t}]}])}
        lib.update(usage)
        batch["lib"].append(span(tid, sid(2 + s * 3), sid(1 + s * 3), "chat claude-sonnet-4-5", st + 10_000,
                                 st + 38_000_000, lib))
        sdk = {"gen_ai.provider.name": "anthropic", "gen_ai.operation.name": "chat",
               "gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.response.model": "claude-sonnet-4-5-20250929",
               "http.response.status_code": 200}
        sdk.update(usage)
        batch["sdk"].append(span(tid, sid(3 + s * 3), sid(2 + s * 3), "anthropic.messages.create", st + 20_000,
                                 st + 37_000_000, sdk))
    batch["gen_ai"].append(span(tid, sid(9), sid(0), "execute_tool lookup_order", base + 39_500_000,
                                base + 39_800_000, {"gen_ai.operation.name": "execute_tool"}))
    count += 8
    if count >= 512:
        flush()
if count:
    flush()
