#!/usr/bin/env python3
"""A local stand-in for a provider's HTTP API, for tests only.

    fake_api.py PLAN.json LOG.jsonl PORTFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening) and
answers each request from PLAN: {"routes": {"/v1/chat/completions": [R1, R2,
...]}}; the path is matched without its query string, each request takes the
next response of its route and the last one repeats. A response R:

    status      HTTP status (200)
    headers     {"Name": "value"}
    body        the body text, or
    body_file   a file whose bytes are the body (a recorded exchange)
    sse_lines   when the recorded body has one JSON per blank-line-separated
                block without "data: " (OpenAI's documented examples): true
                prefixes each block with "data: "
    chunk       bytes per write (default: the whole body at once)
    delay_ms    pause before each write
    cut_after   close the connection after this many body bytes, mid-stream
    hang        accept the request and never answer
    hold_until  answer only once this file exists (the test is ready for it)
    endless     a text sent again and again, never ending (chunked), as a
                broken proxy or a hostile server may: a body with no end
    content_length  the Content-Length announced, whatever is sent (with
                endless: a huge body announced and streamed)
    drip_ms     send the body (or the endless text) one byte at a time, this
                many milliseconds apart: a server that never stalls long
                enough for an idle timeout and never finishes
    garbage     this many bytes of random binary (seeded: the same bytes
                every run) as the body
    gzip        the body gzip-compressed, with Content-Encoding: gzip;
    gzip_cut    ... and cut to this many compressed bytes (a truncated gzip
                stream that the Content-Length calls complete)
    match       {"query_has": "page=p2"}: this response only for such a query;
                "query_has" may be a list, all of which the query must hold.
                The first response whose match holds picks the match: the
                responses with that same match are taken in turn (the last
                repeats), like a route's plain responses

Every request is appended to LOG as one JSON line: method, path, query,
headers, body, and t (when it arrived, Unix seconds).
"""
import gzip
import json
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

plan_path, log_path, port_path = sys.argv[1:4]
with open(plan_path) as f:
    PLAN = json.load(f)
counters = {}
lock = threading.Lock()


def pick(path, query):
    routes = PLAN.get("routes", {})
    rs = routes.get(path)
    if rs is None:
        return {"status": 404, "body": json.dumps({"error": {"message": "no route " + path}})}

    def holds(m):
        want = m.get("query_has", "\0")
        return all(w in query for w in (want if isinstance(want, list) else [want]))

    # Responses with a query match are chosen by it; the others in turn.
    for r in rs:
        m = r.get("match")
        if m and holds(m):
            same = [x for x in rs if x.get("match") == m]
            key = (path, json.dumps(m, sort_keys=True))
            with lock:
                n = counters.get(key, 0)
                counters[key] = n + 1
            return same[min(n, len(same) - 1)]
    plain = [r for r in rs if not r.get("match")]
    with lock:
        n = counters.get(path, 0)
        counters[path] = n + 1
    return plain[min(n, len(plain) - 1)]


def body_of(r):
    if "garbage" in r:
        return random.Random(13).randbytes(int(r["garbage"]))
    if "body_file" in r:
        with open(r["body_file"], "rb") as f:
            b = f.read()
        if r.get("sse_lines"):
            blocks = [x.strip() for x in b.decode().split("\n\n") if x.strip() and x.strip() != "...."]
            b = "".join("data: " + x + "\n\n" for x in blocks).encode()
            b += b"data: [DONE]\n\n"
        return b
    return r.get("body", "").encode()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def handle_any(self):
        path, _, query = self.path.partition("?")
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        with lock:
            with open(log_path, "a") as f:
                f.write(json.dumps({"method": self.command, "path": path, "query": query,
                                    "headers": {k.lower(): v for k, v in self.headers.items()},
                                    "body": body, "t": time.time()}) + "\n")
        r = pick(path, query)
        if r.get("hang"):
            time.sleep(3600)
            return
        while r.get("hold_until") and not os.path.exists(r["hold_until"]):
            time.sleep(0.05)
        b = body_of(r)
        if r.get("gzip"):
            b = gzip.compress(b)
            if "gzip_cut" in r:
                b = b[:int(r["gzip_cut"])]
        self.send_response(r.get("status", 200))
        hdrs = dict(r.get("headers", {}))
        hdrs.setdefault("Content-Type", "application/json")
        if r.get("gzip"):
            hdrs["Content-Encoding"] = "gzip"
        for k, v in hdrs.items():
            self.send_header(k, v)
        if "endless" in r:
            self.endless(r)
            return
        if "content_length" in r:
            self.send_header("Content-Length", str(r["content_length"]))
            self.end_headers()
            self.drip(r, b)
            return
        if r.get("drip_ms"):
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.drip(r, b)
            return
        cut = r.get("cut_after")
        if cut is None:
            self.send_header("Content-Length", str(len(b)))
        else:
            self.send_header("Content-Length", str(len(b)))  # promises more than it sends
        self.end_headers()
        step = r.get("chunk") or len(b) or 1
        sent = 0
        for i in range(0, len(b), step):
            part = b[i:i + step]
            if cut is not None and sent + len(part) > cut:
                part = part[:max(0, cut - sent)]
                self.wfile.write(part)
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if r.get("delay_ms"):
                time.sleep(r["delay_ms"] / 1000.0)
            self.wfile.write(part)
            self.wfile.flush()
            sent += len(part)

    def drip(self, r, b):
        """The bytes, one at a time drip_ms apart (all at once without it)."""
        if not r.get("drip_ms"):
            self.wfile.write(b)
            self.wfile.flush()
            return
        for i in range(len(b)):
            self.wfile.write(b[i:i + 1])
            self.wfile.flush()
            time.sleep(r["drip_ms"] / 1000.0)

    def endless(self, r):
        """The text again and again until the client hangs up: chunked, or
        under the Content-Length the plan announces."""
        text = r["endless"].encode()
        chunked = "content_length" not in r
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(r["content_length"]))
        self.end_headers()
        block = text * max(1, 65536 // max(1, len(text)))
        while True:
            data = text if r.get("drip_ms") else block
            if chunked:
                data = b"%x\r\n%s\r\n" % (len(data), data)
            if r.get("drip_ms"):
                self.drip(r, data)
            else:
                self.wfile.write(data)
                self.wfile.flush()

    do_GET = handle_any
    do_POST = handle_any


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that hung up (a request it cancelled, a timeout) is
        # part of the tests, not an error of the server.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


srv = Server(("127.0.0.1", 0), H)
srv.daemon_threads = True
tmp = port_path + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, port_path)
srv.serve_forever()
