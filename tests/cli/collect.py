#!/usr/bin/env python3
"""`llmops collect`, the OTLP/HTTP receiver, spoken to as exporters and hostile
clients speak to it: the captured bodies of real instrumentation libraries
POSTed as protobuf, JSON and gzip (each call stored once, as importing the
file stores it), a kill -9 after a 200, and the faults (a truncated body, a
gzip bomb, a 1 GiB Content-Length, a slow client, 500 connections at once, a
client that leaves mid-body, a wrong token), after each of which it keeps
serving. Run from the repository root; prints "collect: N passed, N failed"."""
import gzip
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

LLMOPS = os.environ.get("LLMOPS", os.path.abspath("llmops"))
CAPTURED = "tests/corpus/captured"
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: collect: " + what)


T = tempfile.mkdtemp(prefix="llmops-collect.")
ENV = dict(os.environ, HOME=T + "/home", XDG_CONFIG_HOME=T + "/config", XDG_DATA_HOME=T + "/data",
           XDG_STATE_HOME=T + "/state", LLMOPS_NOW="2026-12-07T12:00:00Z")
for k in ("LLMOPS_STORE", "LLMOPSRC", "LLMOPS_COLLECT_TOKEN"):
    ENV.pop(k, None)
os.makedirs(T + "/home", exist_ok=True)


class Collector:
    def __init__(self, store, listen="127.0.0.1:0", env=None):
        self.p = subprocess.Popen([LLMOPS, "--store", store, "collect", "--listen", listen],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or ENV, text=True)
        self.first = self.p.stderr.readline()
        self.port = None
        if " on " in self.first:
            addr = self.first.split(" on ", 1)[1].split()[0]
            self.port = int(addr.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        out, err = self.p.communicate(timeout=60)
        return self.p.returncode, self.first + err


def post(port, path, body, ctype="application/x-protobuf", enc=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"Content-Type": ctype}
    if enc:
        h["Content-Encoding"] = enc
    h.update(headers or {})
    c.request("POST", path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data


def pb_bodies(path):
    data = open(path, "rb").read()
    out, off = [], 0
    while off < len(data):
        n = shift = 0
        while True:
            b = data[off]
            off += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        out.append(data[off:off + n])
        off += n
    return out


def json_bodies(path):
    return [l for l in open(path, "rb").read().split(b"\n") if l.strip()]


def figures(store):
    db = sqlite3.connect(store)
    r = db.execute("SELECT COUNT(*), COALESCE(SUM(input_tokens),0), COALESCE(SUM(output_tokens),0), "
                   "SUM(status != 0) FROM calls").fetchone()
    db.close()
    return r


def import_file(store, path):
    subprocess.run([LLMOPS, "--store", store, "import", path], env=ENV, capture_output=True, check=False)


def report_total(store):
    r = subprocess.run([LLMOPS, "--store", store, "report", "--from", "2000-01-01T00:00:00Z", "--to",
                        "2100-01-01T00:00:00Z", "--json"], env=ENV, capture_output=True, text=True, check=False)
    return json.loads(r.stdout)["total"] if r.returncode == 0 else r.stderr


# ---- the captures of every library, over HTTP three times over ------------------------------
libs = sorted(d for d in os.listdir(CAPTURED) if os.path.isdir(os.path.join(CAPTURED, d)))
# With LLMOPS_TEST_CLICKHOUSE (a server's clickhouse://HOST:PORT), into a
# ClickHouse database a library instead, compared with the file imported
# into SQLite by the whole report; only this part runs.
CH = os.environ.get("LLMOPS_TEST_CLICKHOUSE")
if CH:
    for lib in libs:
        d = os.path.join(CAPTURED, lib)
        live, ref = CH + "/" + lib.replace("+", "_").replace("-", "_"), f"{T}/{lib}-file.db"
        col = Collector(live)
        check(col.port, f"{lib}: collect said where it listens: {col.first!r}")
        if not col.port:
            col.stop()
            continue
        bodies = pb_bodies(d + "/traces.pb") if os.path.exists(d + "/traces.pb") else json_bodies(d + "/traces.jsonl")
        ct = "application/x-protobuf" if os.path.exists(d + "/traces.pb") else "application/json"
        ok = True
        # each body, then again as an exporter retrying it, gzipped
        for b in bodies:
            ok = ok and post(col.port, "/v1/traces", b, ct)[0] == 200
        for b in bodies:
            ok = ok and post(col.port, "/v1/traces", gzip.compress(b), ct, enc="gzip")[0] == 200
        check(ok, f"{lib}: every body answered 200 by collect into ClickHouse")
        rc, err = col.stop()
        check(rc == 0, f"{lib}: SIGTERM stops collect into ClickHouse with status 0, not {rc}: {err}")
        import_file(ref, d + "/traces.jsonl")
        got, want = report_total(live), report_total(ref)
        check(isinstance(want, dict) and want["calls"] > 0 and got == want,
              f"{lib}: received into ClickHouse {got}, imported from the file into SQLite {want}")
    print(f"collect: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
for lib in libs:
    d = os.path.join(CAPTURED, lib)
    live, ref = f"{T}/{lib}-live.db", f"{T}/{lib}-file.db"
    col = Collector(live)
    check(col.port, f"{lib}: collect said where it listens: {col.first!r}")
    if not col.port:
        col.stop()
        continue
    pb = pb_bodies(d + "/traces.pb") if os.path.exists(d + "/traces.pb") else []
    js = json_bodies(d + "/traces.jsonl")
    ok = True
    for b in pb:
        st, h, body = post(col.port, "/v1/traces", b)
        ok = ok and st == 200 and h.get("Content-Type") == "application/x-protobuf" and body == b""
    for b in js:
        st, h, body = post(col.port, "/v1/traces", b, "application/json")
        ok = ok and st == 200 and h.get("Content-Type") == "application/json" and json.loads(body) == {}
    # An exporter retrying what it sent, gzipped this time.
    for b in pb or js:
        st, h, body = post(col.port, "/v1/traces", gzip.compress(b), "application/x-protobuf" if pb else
                           "application/json", enc="gzip")
        ok = ok and st == 200
    for name, ct, bodies in (("logs.pb", "application/x-protobuf", None), ("logs.jsonl", "application/json", None)):
        p = os.path.join(d, name)
        if os.path.exists(p):
            for b in (pb_bodies(p) if name.endswith(".pb") else json_bodies(p)):
                st, h, body = post(col.port, "/v1/logs", b, ct)
                ok = ok and st == 200
    check(ok, f"{lib}: every body answered 200 in its own encoding")
    rc, err = col.stop()
    check(rc == 0, f"{lib}: SIGTERM stops collect with status 0, not {rc}: {err}")
    check("batches" in err and "stopped" in err, f"{lib}: a last status line on stop: {err}")
    import_file(ref, d + "/traces.jsonl")
    if os.path.exists(d + "/logs.jsonl"):
        import_file(ref, d + "/logs.jsonl")
    got, want = figures(live), figures(ref)
    check(want[0] > 0 and got == want, f"{lib}: received {got}, imported from the file {want} (calls, in, out, errors)")

# ---- a kill -9 after a 200 loses nothing ------------------------------------------------------
store = f"{T}/kill.db"
col = Collector(store)
bodies = pb_bodies(CAPTURED + "/traceloop/traces.pb")
for b in bodies:
    post(col.port, "/v1/traces", b)
col.p.kill()
col.p.wait()
ref = f"{T}/kill-ref.db"
import_file(ref, CAPTURED + "/traceloop/traces.pb")
check(figures(store) == figures(ref), f"kill -9 after the 200s: {figures(store)} stored, {figures(ref)} sent")

# ---- faults -------------------------------------------------------------------------------------
store = f"{T}/faults.db"
col = Collector(store)
port = col.port
good = pb_bodies(CAPTURED + "/openlit/traces.pb")[0] if os.path.exists(CAPTURED + "/openlit/traces.pb") else bodies[0]


def raw(data, half_close=False, read=True):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(data)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    out = b""
    if read:
        try:
            while True:
                k = s.recv(4096)
                if not k:
                    break
                out += k
                if b"\r\n\r\n" in out:
                    break
        except (socket.timeout, ConnectionResetError):
            pass
    s.close()
    return out


def still_serving(what):
    st, _, _ = post(port, "/v1/traces", good)
    check(st == 200, f"after {what}, a good request is answered 200, not {st}")


st, _, body = post(port, "/v1/traces", good[: len(good) // 2])
check(st == 400 and b"protobuf" in body, f"a truncated protobuf body: 400 saying why, got {st} {body[:200]!r}")
still_serving("a truncated body")

bomb = gzip.compress(b"\0" * (64 << 20))
st, _, body = post(port, "/v1/traces", bomb, enc="gzip")
check(st == 413, f"a gzip bomb (64 MiB of zeros): 413, got {st}")
still_serving("a gzip bomb")

r = raw(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
        b"Content-Length: 1073741824\r\n\r\n")
check(r.startswith(b"HTTP/1.1 413"), f"Content-Length 1 GiB: 413 before the body, got {r[:40]!r}")
still_serving("a 1 GiB Content-Length")

raw(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
    b'{"resourceSpans":[', half_close=True)
still_serving("a client that left mid-body")

# A slow client trickling its headers holds its own connection only.
slow = socket.create_connection(("127.0.0.1", port), timeout=30)
slow.sendall(b"POST /v1/tr")
t0 = time.time()
still_serving("a slow client holding a connection")
slow.sendall(b"aces HTTP/1.1\r\n")
still_serving("a slow client still trickling")
slow.close()

# 500 connections at once, each with a request.
results = []
lock = threading.Lock()
gate = threading.Barrier(500, timeout=60)


def one():
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        c.connect()
        gate.wait()
        c.request("POST", "/v1/traces", body=good, headers={"Content-Type": "application/x-protobuf"})
        r = c.getresponse()
        r.read()
        with lock:
            results.append(r.status)
        c.close()
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        with lock:
            results.append(repr(e))


threads = [threading.Thread(target=one) for _ in range(500)]
for t in threads:
    t.start()
for t in threads:
    t.join()
answered = [r for r in results if r in (200, 503)]
check(len(answered) == 500 and results.count(200) > 0,
      f"500 concurrent connections: each answered 200 (or 503 to retry): {sorted(set(map(str, results)))}")
still_serving("500 concurrent connections")
rc, err = col.stop()
check(rc == 0, f"collect stops cleanly after the faults: {rc} {err}")

# ---- the token ------------------------------------------------------------------------------------
r = subprocess.run([LLMOPS, "--store", f"{T}/tok.db", "collect", "--listen", "0.0.0.0:0"], env=ENV,
                   capture_output=True, text=True, timeout=30)
check(r.returncode == 1 and "token" in r.stderr,
      f"listening beyond loopback without a token is refused: {r.returncode} {r.stderr!r}")
env = dict(ENV, LLMOPS_COLLECT_TOKEN="tok-3f9a1c")
col = Collector(f"{T}/tok.db", "0.0.0.0:0", env)
port = col.port
check(port is not None and "tok-3f9a1c" not in col.first, f"with a token it listens, and never shows it: {col.first!r}")
st, h, _ = post(port, "/v1/traces", good)
check(st == 401, f"no token: 401, got {st}")
st, _, _ = post(port, "/v1/traces", good, headers={"Authorization": "Bearer wrong"})
check(st == 401, f"a wrong token: 401, got {st}")
check(figures(f"{T}/tok.db")[0] in (0, None), "nothing stored from requests without the token")
st, _, _ = post(port, "/v1/traces", good, headers={"Authorization": "Bearer tok-3f9a1c"})
check(st == 200, f"the right token: 200, got {st}")
rc, err = col.stop()
check("tok-3f9a1c" not in err, "the token is never printed")
check(figures(f"{T}/tok.db")[0] > 0, "the request with the token was stored")

# ---- TLS without a proxy -------------------------------------------------------------------------
import shutil
import ssl

if shutil.which("openssl"):
    d = f"{T}/tls"
    os.makedirs(d + "/config/llmops", exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/key.pem", "-out",
                    d + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   capture_output=True, check=True)
    with open(d + "/config/llmops/llmopsrc", "w") as f:
        f.write(f"set collect_tls_cert = {d}/cert.pem\nset collect_tls_key = {d}/key.pem\n")
    env = dict(ENV, XDG_CONFIG_HOME=d + "/config")
    col = Collector(f"{T}/tls.db", env=env)
    check(col.port is not None and "HTTPS" in col.first, f"with a certificate it says it speaks HTTPS: {col.first!r}")
    ctx = ssl.create_default_context(cafile=d + "/cert.pem")
    c = http.client.HTTPSConnection("127.0.0.1", col.port, timeout=30, context=ctx)
    c.request("POST", "/v1/traces", body=good, headers={"Content-Type": "application/x-protobuf"})
    r = c.getresponse()
    r.read()
    check(r.status == 200, f"a request over TLS, the certificate checked: {r.status}")
    try:
        post(col.port, "/v1/traces", good)
        plain = "answered"
    except Exception:  # noqa: BLE001 - a TLS server does not speak plain HTTP
        plain = "refused"
    check(plain == "refused", "plain HTTP to the TLS port gets no HTTP answer")
    col.stop()
    check(figures(f"{T}/tls.db")[0] > 0, "what came over TLS was stored")
    with open(d + "/config/llmops/llmopsrc", "w") as f:
        f.write(f"set collect_tls_cert = {d}/cert.pem\nset collect_tls_key = {d}/missing.pem\n")
    r = subprocess.run([LLMOPS, "--store", f"{T}/tls2.db", "collect", "--listen", "127.0.0.1:0"], env=env,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "collect_tls_key" in r.stderr and "missing.pem" in r.stderr,
          f"a key file that is not there: {r.returncode} {r.stderr!r}")
else:
    print("  collect: TLS skipped: no openssl to make a certificate")

# ---- usage errors --------------------------------------------------------------------------------
r = subprocess.run([LLMOPS, "--store", f"{T}/u.db", "collect", "--listen=nonsense"], env=ENV,
                   capture_output=True, text=True, timeout=30)
check(r.returncode == 2 and "ADDR:PORT" in r.stderr, f"a bad --listen: {r.returncode} {r.stderr!r}")
r = subprocess.run([LLMOPS, "--store", f"{T}/u.db", "collect", "--listen", "127.0.0.1:99999"], env=ENV,
                   capture_output=True, text=True, timeout=30)
check(r.returncode == 2 and "0 to 65535" in r.stderr, f"a port out of range: {r.returncode} {r.stderr!r}")
busy = Collector(f"{T}/u.db")
r = subprocess.run([LLMOPS, "--store", f"{T}/u2.db", "collect", "--listen", f"127.0.0.1:{busy.port}"], env=ENV,
                   capture_output=True, text=True, timeout=30)
check(r.returncode == 1 and f"127.0.0.1:{busy.port}" in r.stderr,
      f"a port already taken: status 1 naming it: {r.returncode} {r.stderr!r}")
busy.stop()

subprocess.run(["rm", "-rf", T])
print(f"collect: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
