#!/usr/bin/env python3
"""Hard cases of putting one call together from several instrumentation
layers, each imported in the order that once went wrong: the number of
calls, their fields, no span pointing at a call that is gone, and rollups
that agree with the calls.

usage: layers.py LLMOPS WORK_DIR
Ends with "layers: N passed, N failed".
"""
import json
import os
import sqlite3
import subprocess
import sys

LLMOPS, WORK = sys.argv[1:3]
T0 = 1796602827000000000
MS = 1000000
SDK = "com.anthropic.sdk.typescript"
CLAUDE = "claude-3-5-sonnet-20240620"
passed = failed = 0


def attr(k, v):
    if isinstance(v, int):
        return {"key": k, "value": {"intValue": str(v)}}
    if isinstance(v, float):
        return {"key": k, "value": {"doubleValue": v}}
    return {"key": k, "value": {"stringValue": v}}


def span(trace, sid, parent=None, start=0, end=None, llm=False, model="gpt-4o-mini", prov="openai", tin=None,
         tout=None, extra=None, status=None, name=None):
    a = []
    if llm:
        a += [attr("gen_ai.operation.name", "chat"), attr("gen_ai.provider.name", prov),
              attr("gen_ai.request.model", model)]
        if tin is not None:
            a.append(attr("gen_ai.usage.input_tokens", tin))
        if tout is not None:
            a.append(attr("gen_ai.usage.output_tokens", tout))
    for k, v in (extra or {}).items():
        a.append(attr(k, v))
    s = {"traceId": "%032x" % trace, "spanId": "%016x" % sid, "name": name or ("chat" if llm else "step"),
         "kind": 1, "startTimeUnixNano": str(T0 + start), "attributes": a}
    if end is not None:
        s["endTimeUnixNano"] = str(T0 + end)
    if parent:
        s["parentSpanId"] = "%016x" % parent
    if status:
        s["status"] = status
    return s


def line(spans, scope="lib"):
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [attr("service.name", "svc")]},
                                          "scopeSpans": [{"scope": {"name": scope}, "spans": spans}]}]})


def check(ok, case, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: layers {case}: {what}")


def run(case, files, want_calls, fields=None):
    """Imports files (lists of lines) in order into a new store and checks."""
    store = os.path.join(WORK, case + ".db")
    for i, lines in enumerate(files):
        path = os.path.join(WORK, f"{case}-{i}.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = subprocess.run([LLMOPS, "--store", store, "import", path], capture_output=True, text=True)
        check(r.returncode == 0, case, f"import {i} exited {r.returncode}: {r.stderr[:200]}")
    db = sqlite3.connect(store)
    n = db.execute("SELECT count(*) FROM calls").fetchone()[0]
    check(n == want_calls, case, f"{n} calls, wanted {want_calls}")
    gone = db.execute("SELECT count(*) FROM spans WHERE call_id IS NOT NULL AND call_id NOT IN"
                      " (SELECT id FROM calls)").fetchone()[0]
    check(gone == 0, case, f"{gone} spans point at a call that is gone")
    truth = db.execute("SELECT count(*), total(coalesce(input_tokens, 0)), sum(status) FROM calls").fetchone()
    for tbl in ("rollup_1m", "rollup_1h", "rollup_1d"):
        got = db.execute(f"SELECT total(calls), total(input_tokens), total(errors) FROM {tbl}").fetchone()
        check(tuple(int(v or 0) for v in got) == tuple(int(v or 0) for v in truth), case,
              f"{tbl} holds {got}, the calls {truth}")
    if fields:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("SELECT * FROM calls_v ORDER BY ts")]
        for k, v in fields.items():
            got = [r[k] for r in rows]
            check(got == v, case, f"{k} {got}, wanted {v}")
    db.close()


# An SDK's root span joins one call, never two: two alike requests of another
# layer, each in its own trace, and one SDK span between them.
g1 = span(21, 1, None, 0, 300 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=52, tout=5)
g2 = span(22, 2, None, 2 * MS, 298 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=52, tout=5)
s = span(23, 3, None, 5 * MS, 290 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=52, tout=5)
root = span(21, 9, None, 0, 400 * MS, extra={"feature": "f"})
g1["parentSpanId"] = "%016x" % 9
run("sdk-root-joins-once", [[line([g1], "lf"), line([s], SDK), line([g2], "lf")], [line([root], "lf")]], 2)

# A parent with two LLM children: a child merged into it keeps it when
# another child that started earlier arrives later.
p = span(1, 1, None, 0, 1000 * MS, llm=True, tin=100, tout=10)
a = span(1, 2, 1, 10 * MS, 400 * MS, llm=True, tin=30, tout=3)
b = span(1, 3, 1, 500 * MS, 900 * MS, llm=True, tin=40, tout=4)
run("merged-child-kept", [[line([p, b])], [line([a])]], 2)

# A chain of 40 nested layers, every other one first: one call.
chain = [span(2, i + 1, i if i else None, i * MS, (1000 - i) * MS, llm=True, tin=10, tout=1) for i in range(40)]
run("forty-layers-in-two-halves", [[line(chain[0::2])], [line(chain[1::2])]], 1, {"input_tokens": [10]})

# The SDK's layer joined from its own trace stays in the call when a step
# of the other trace arrives later: its status, error type and TTFT hold.
r = span(5, 9, None, 0, 600 * MS, extra={"user.id": "u-42"})
g = span(5, 1, 9, 0, 500 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=100, tout=10)
s = span(6, 3, None, 2 * MS, 498 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=100, tout=10,
         extra={"http.response.status_code": 429, "gen_ai.response.time_to_first_chunk": 0.123},
         status={"code": 2, "message": "rate limited"})
run("joined-layer-survives", [[line([g], "lf"), line([s], SDK)], [line([r], "lf")]], 1,
    {"status": ["error"], "error_type": ["rate_limit"], "ttft_ms": [123.0], "user_id": ["u-42"]})

# The SDK's root first, then a call of two nested layers that holds it.
g = span(3, 1, None, 0, 500 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=7, tout=3)
n = span(3, 2, 1, 1 * MS, 499 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=7, tout=3)
s = span(4, 3, None, 2 * MS, 498 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=7, tout=3)
run("sdk-root-before-nested-layers", [[line([s], SDK)], [line([g], "lf"), line([n], "otel")]], 1)

# A step with no context that links a call to the step that has it.
r = span(7, 1, None, 0, 900 * MS, extra={"user.id": "u-7", "feature": "checkout"})
m = span(7, 2, 1, 1 * MS, 800 * MS, name="middle")
c = span(7, 3, 2, 2 * MS, 700 * MS, llm=True, tin=5, tout=5)
run("context-through-a-later-step", [[line([r, c])], [line([m])]], 1, {"feature": ["checkout"], "user_id": ["u-7"]})

# The start time is kept to the nanosecond, so a call at the end of a
# minute stays in that minute's rollup.
c = span(8, 1, None, 59 * 1000 * MS + 999 * MS + 999950, 60 * 1000 * MS + 5 * MS, llm=True, tin=1, tout=1)
run("start-to-the-nanosecond", [[line([c])]], 1)
db = sqlite3.connect(os.path.join(WORK, "start-to-the-nanosecond.db"))
got = db.execute("SELECT ts FROM calls").fetchone()[0]
check(got == T0 + 59 * 1000 * MS + 999 * MS + 999950, "start-to-the-nanosecond", f"ts {got}")
db.close()

# Other providers' calls at the same moment do not crowd out the SDK's join.
g = span(10, 1, None, 0, 30000 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=9, tout=9)
s = span(11, 2, None, 5 * MS + 200000, 29000 * MS, llm=True, prov="anthropic", model=CLAUDE, tin=9, tout=9)
others = [span(100 + i, 100 + i, None, 5 * MS + i * 1000, 6 * MS, llm=True, tin=1, tout=1) for i in range(100)]
run("sdk-join-among-others", [[line([g], "lf"), line(others), line([s], SDK)]], 101)

print(f"layers: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
