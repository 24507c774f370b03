#!/usr/bin/env python3
"""Every capture of a real instrumentation library (tests/corpus/captured/LIB)
imported, and each stored call compared with what the library's requests
really were (LIB/expected.json, derived from the recorded provider
responses): one call per provider request, with its provider, model, tokens,
status, error type, time to first token, prompt, tags, answer and thinking,
where the library records them. The protobuf twin, where there is one,
must give the same calls as the JSON file.

usage: captured.py LLMOPS CORPUS_DIR WORK_DIR [LIB...]
Prints one line per failed check and ends with "captured: N passed, N failed".
"""
import json
import os
import sqlite3
import subprocess
import sys

LLMOPS, CORPUS, WORK = sys.argv[1:4]
ONLY = set(sys.argv[4:])
passed = failed = 0


def check(ok, lib, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: captured {lib}: {what}")


def emitted(exp, *fields):
    """Does the library put this field in its spans at all (per the capture)?"""
    em = exp.get("emitted") or {}
    if not any(f in em for f in fields):
        return True
    for f in fields:
        v = em.get(f)
        if isinstance(v, dict) and any(v.values()):
            return True
        if isinstance(v, list) and v:
            return True
    return False


def load(store):
    db = sqlite3.connect(store)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT * FROM calls_v ORDER BY ts")]
    db.close()
    return rows


def imp(lib, store, files):
    for f in files:
        r = subprocess.run([LLMOPS, "--store", store, "import", f], capture_output=True, text=True)
        check(r.returncode == 0, lib, f"import {os.path.basename(f)} exited {r.returncode}: {r.stderr[:300]}")


def compare(lib, exp, call):
    n = exp["call"]
    def eq(field, want, got):
        check(want == got, lib, f"call {n} ({exp['scenario']}): {field} {got!r}, wanted {want!r}")

    eq("provider", exp["provider"], call["provider"])
    if emitted(exp, "model"):
        eq("model", exp["model"], call["model"])
    if emitted(exp, "input_tokens", "uncached_input_tokens"):
        if exp["input_tokens"] is not None:
            eq("input_tokens", exp["input_tokens"], call["input_tokens"])
    if emitted(exp, "cached_tokens") and exp.get("cached_tokens"):
        eq("cached_tokens", exp["cached_tokens"], call["cached_tokens"])
    if emitted(exp, "output_tokens") and exp["output_tokens"] is not None:
        eq("output_tokens", exp["output_tokens"], call["output_tokens"])
    eq("status", exp["status"], call["status"])
    if exp["status"] == "error":
        eq("error_type", exp["error_type"], call["error_type"])
    if exp.get("ttft_recorded"):
        check(call["ttft_ms"] is not None, lib, f"call {n} ({exp['scenario']}): no time to first token")
    for f, col in (("prompt_name", "prompt_name"), ("prompt_version", "prompt_version"), ("feature", "feature"),
                   ("user", "user_id"), ("session", "session_id")):
        if exp.get(f) is not None:
            eq(f, str(exp[f]), call[col])
    if exp.get("variables") and emitted(exp, "variables"):
        # The library may carry more variables than the test asked about.
        got = json.loads(call["variables"]) if call["variables"] else {}
        eq("variables", exp["variables"], {k: got.get(k) for k in exp["variables"]})
    if exp.get("answer_contains") and emitted(exp, "answer_text") and exp["status"] == "ok":
        out = call["output"] or ""
        check(exp["answer_contains"] in out, lib, f"call {n} ({exp['scenario']}): output {out[:80]!r} lacks "
                                                   f"{exp['answer_contains']!r}")
    if exp.get("thinking") and emitted(exp, "thinking_text"):
        attrs = json.loads(call["attrs"]) if call["attrs"] else {}
        thinking = attrs.get("llmops.thinking") or ""
        check(bool(thinking), lib, f"call {n}: thinking not kept")
        check(not thinking or thinking[:40] not in (call["output"] or ""), lib,
              f"call {n}: thinking mixed into the output")


def run(lib):
    d = os.path.join(CORPUS, lib)
    exp = json.load(open(os.path.join(d, "expected.json")))
    windows = json.load(open(os.path.join(d, "calls.json")))["calls"]
    win = {w["call"]: w for w in windows}
    files = [os.path.join(d, f) for f in ("traces.jsonl", "logs.jsonl") if os.path.exists(os.path.join(d, f))]
    store = os.path.join(WORK, lib.replace("+", "_") + ".db")
    imp(lib, store, files)
    calls = load(store)
    # A request the library made no span for cannot be a call.
    seen = [e for e in exp if (e.get("emitted") or {}).get("spans", [1])]
    check(len(calls) == len(seen), lib, f"{len(calls)} calls stored for {len(seen)} provider requests with spans")
    # Each call belongs to the last request the client started before it.
    starts = sorted((w["t_start_ms"], w["call"]) for w in windows)
    by_req = {}
    for c in calls:
        mine = [n for t, n in starts if t <= c["ts"] * 1e3 + 1]
        if mine:
            by_req.setdefault(mine[-1], []).append(c)
    # One client call may make several requests (an agent's steps): in order.
    for n in sorted(set(e["call"] for e in seen)):
        want = [e for e in seen if e["call"] == n]
        got = sorted(by_req.get(n, []), key=lambda c: c["ts"])
        check(len(got) == len(want), lib, f"call {n} ({want[0]['scenario']}): {len(got)} calls stored for "
                                          f"{len(want)} requests")
        if len(got) == len(want):
            for e, c in zip(want, got):
                compare(lib, e, c)
    # The rollups the panes and reports read agree with the calls, at every
    # resolution, after layers were merged into calls.
    db = sqlite3.connect(store)
    truth = db.execute("SELECT count(*), total(coalesce(input_tokens, 0)), total(coalesce(output_tokens, 0)),"
                       " sum(status = 1) FROM calls").fetchone()
    for tbl in ("rollup_1m", "rollup_1h", "rollup_1d"):
        got = db.execute(f"SELECT total(calls), total(input_tokens), total(output_tokens), total(errors)"
                         f" FROM {tbl}").fetchone()
        check(tuple(int(v or 0) for v in got) == tuple(int(v or 0) for v in truth), lib,
              f"{tbl} holds {got}, the calls {truth}")
    db.close()
    # Imported again: nothing changes.
    imp(lib, store, files)
    check(load(store) == calls, lib, "a second import changed the calls")
    # The protobuf twin gives the same calls.
    pb = os.path.join(d, "traces.pb")
    if os.path.exists(pb):
        store2 = os.path.join(WORK, lib.replace("+", "_") + "-pb.db")
        logs = [f for f in files if f.endswith("logs.jsonl")]
        imp(lib, store2, [pb] + logs)
        keys = ("span_id", "provider", "model", "input_tokens", "cached_tokens", "output_tokens", "status",
                "error_type", "latency_ms", "ttft_ms", "prompt_name", "prompt_version", "feature", "user_id",
                "session_id", "input", "output")
        a = [{k: c[k] for k in keys} for c in calls]
        b = [{k: c[k] for k in keys} for c in load(store2)]
        check(a == b, lib, "the protobuf twin gives other calls than the JSON file")


libs = sorted(x for x in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, x)))
for lib in libs:
    if not ONLY or lib in ONLY:
        run(lib)
print(f"captured: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
