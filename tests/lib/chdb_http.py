#!/usr/bin/env python3
"""A test-only stand-in for ClickHouse's HTTP interface over chDB.

chDB is ClickHouse as an embedded library (libchdb.so, from the npm package
@chdb/lib-linux-x64-gnu; tests/lib/chdb.sh says which version the tests use and installs it).
This server speaks the part of ClickHouse's HTTP interface that llmops uses
(data/ch.c) and runs every statement on one persistent chDB session over a data
folder of its own, so that the engine that parses and executes llmops's SQL is
a current ClickHouse:

  - POST, the query in the body; or, for an insert, the query in the URL's
    `query` parameter and the rows in the body (gzip with Content-Encoding: gzip)
  - `database` (the session's current database for the query), `query_id`,
    and every other URL parameter but the HTTP-only ones applied as a setting
    (`SET name = value`), so that the engine checks settings' names and values
  - basic authentication or the X-ClickHouse-User/-Key headers, checked against
    --user/--password-file when given (wrong: ClickHouse's error 516, HTTP 401)
  - an error as HTTP 500 with ClickHouse's own "Code: N. DB::Exception: ..." text
  - `KILL QUERY WHERE query_id = 'ID'`: chDB names its queries itself, so each
    statement is sent with a leading comment holding the URL's query_id, and the
    kill, on a second chDB connection (the first is busy running the query),
    picks the query by that comment; answered at once, as with ASYNC

usage: chdb_http.py LIBCHDB DATADIR PORTFILE [--user U --password-file F] [--log FILE]
                   [--cluster NAME]
Listens on a free port of 127.0.0.1 and writes it to PORTFILE once ready.
--cluster NAME defines a cluster of one shard, this engine itself (chDB serves
no native protocol, so a second shard cannot be had): a Distributed table over
it reads and writes the local table, as a one-shard cluster would.
"""
import base64
import ctypes
import gzip
import http.server
import os
import re
import sys
import threading
import urllib.parse
import zlib

# URL parameters that are the HTTP interface's own, not settings.
HTTP_ONLY = {
    "query", "database", "query_id", "user", "password", "default_format", "wait_end_of_query",
    "enable_http_compression", "http_zlib_compression_level", "buffer_size", "session_id",
    "session_timeout", "session_check", "compress", "decompress",
}
SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Chdb:
    def __init__(self, lib, path, config=None):
        L = ctypes.CDLL(lib)
        L.chdb_connect.restype = ctypes.POINTER(ctypes.c_void_p)
        L.chdb_connect.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
        L.chdb_query_n.restype = ctypes.c_void_p
        L.chdb_query_n.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                   ctypes.c_size_t]
        for f in ("chdb_result_buffer", "chdb_result_error"):
            getattr(L, f).restype = ctypes.c_void_p
            getattr(L, f).argtypes = [ctypes.c_void_p]
        L.chdb_result_length.restype = ctypes.c_size_t
        L.chdb_result_length.argtypes = [ctypes.c_void_p]
        L.chdb_destroy_query_result.argtypes = [ctypes.c_void_p]
        L.chdb_destroy_query_result.restype = None
        self.L = L
        args = [b"clickhouse", ("--path=" + path).encode()]
        if config:
            args.append(("--config-file=" + config).encode())
        argv = (ctypes.c_char_p * len(args))(*args)
        self.conn = L.chdb_connect(len(args), argv)
        if not self.conn:
            raise SystemExit("chdb_http: chdb_connect failed")
        self.mu = threading.Lock()

    def query(self, sql, fmt=b"TabSeparated"):
        """(ok, bytes): the answer, or ClickHouse's error text."""
        r = self.L.chdb_query_n(self.conn[0], sql, len(sql), fmt, len(fmt))
        if not r:
            return False, b"Code: 1000. DB::Exception: chDB returned no result. (POCO_EXCEPTION)"
        try:
            e = self.L.chdb_result_error(r)
            if e:
                return False, ctypes.string_at(e)
            n = self.L.chdb_result_length(r)
            b = self.L.chdb_result_buffer(r)
            return True, ctypes.string_at(b, n) if n and b else b""
        finally:
            self.L.chdb_destroy_query_result(r)


def quote(v):
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


def setting_value(v):
    return v if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", v) else quote(v)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "chdb_http"

    def log_message(self, fmt, *args):
        if self.server.log:
            self.server.log.write("%s\n" % (fmt % args))
            self.server.log.flush()

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/tab-separated-values; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        if status != 200:
            m = re.match(rb"Code: (\d+)", body)
            if m:
                self.send_header("X-ClickHouse-Exception-Code", m.group(1).decode())
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, text):
        self.answer(status, text if isinstance(text, bytes) else text.encode())

    def authorised(self, params):
        srv = self.server
        if srv.user is None:
            return True
        user, pw = "default", ""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return False
        elif self.headers.get("X-ClickHouse-User"):
            user, pw = self.headers["X-ClickHouse-User"], self.headers.get("X-ClickHouse-Key", "")
        elif "user" in params:
            user, pw = params["user"], params.get("password", "")
        return user == srv.user and pw == srv.password

    def note(self, ok, sql, out):
        """The statement in the log: "ok SQL", or "ERR SQL" and the error."""
        log = self.server.log
        if log:
            log.write("%s %s\n" % ("ok" if ok else "ERR", sql[:300].decode("utf-8", "replace").replace("\n", " ")))
            if not ok:
                log.write("   %s\n" % out.decode("utf-8", "replace"))
            log.flush()

    def do_GET(self):
        # ClickHouse answers a bare GET / with "Ok."
        self.answer(200, b"Ok.\n")

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if not self.authorised(params):
            return self.error(401, "Code: 516. DB::Exception: %s: Authentication failed: password is "
                              "incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)\n"
                              % (self.server.user,))
        enc = (self.headers.get("Content-Encoding") or "").lower()
        if enc in ("gzip", "deflate"):
            try:
                body = gzip.decompress(body) if enc == "gzip" else zlib.decompress(body)
            except (OSError, zlib.error) as e:
                return self.error(500, "Code: 432. DB::Exception: cannot decompress the body: %s. "
                                  "(UNKNOWN_CODEC)\n" % e)
        elif enc:
            return self.error(500, "Code: 432. DB::Exception: unknown Content-Encoding %s. "
                              "(UNKNOWN_CODEC)\n" % enc)
        sql = params["query"].encode() + b"\n" + body if "query" in params else body
        srv = self.server
        m = re.match(rb"\s*KILL\s+QUERY\s+WHERE\s+query_id\s*=\s*'([A-Za-z0-9_.-]*)'", sql, re.I)
        if m:
            with srv.killer.mu:
                ok, out = srv.killer.query(b"KILL QUERY WHERE startsWith(query, '/* query_id=%s */') ASYNC"
                                           % m.group(1))
            return self.answer(200, b"") if ok else self.error(500, out + b"\n")
        qid = params.get("query_id", "")
        if re.fullmatch(r"[A-Za-z0-9_.-]+", qid):
            sql = b"/* query_id=%s */ " % qid.encode() + sql
        with srv.chdb.mu:
            pre = []
            db = params.get("database")
            pre.append("USE %s" % (db if db and SETTING_NAME.match(db) else "default"))
            for k, v in params.items():
                if k in HTTP_ONLY:
                    continue
                if not SETTING_NAME.match(k):
                    return self.error(500, "Code: 115. DB::Exception: Unknown setting %s. (UNKNOWN_SETTING)\n"
                                      % k)
                pre.append("SET %s = %s" % (k, setting_value(v)))
            # A setting the previous query set and this one does not is
            # back to its default, as on a server's fresh HTTP session.
            for k in srv.set_before - set(params):
                pre.append("SET %s = DEFAULT" % k)
            srv.set_before = {k for k in params if k not in HTTP_ONLY}
            for p in pre:
                ok, out = srv.chdb.query(p.encode())
                if not ok:
                    self.note(ok, p.encode(), out)
                    return self.error(500, out + b"\n")
            ok, out = srv.chdb.query(sql)
            self.note(ok, sql, out)
        if not ok:
            return self.error(500, out + b" (version %s)\n" % srv.version.encode())
        self.answer(200, out)


def main():
    a = sys.argv[1:]
    if len(a) < 3:
        sys.exit(__doc__)
    lib, data, portfile = a[:3]
    opts = dict(zip(a[3::2], a[4::2]))
    os.makedirs(data, exist_ok=True)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    config = None
    if "--cluster" in opts:
        # A port nothing listens on: the one replica is this engine (is_local).
        config = os.path.join(data, "cluster.xml")
        with open(config, "w") as f:
            f.write("<clickhouse><tcp_port>1</tcp_port><remote_servers><%s><shard><replica><host>localhost</host>"
                    "<port>1</port></replica></shard></%s></remote_servers></clickhouse>\n"
                    % (opts["--cluster"], opts["--cluster"]))
    srv.chdb = Chdb(lib, data, config)
    srv.killer = Chdb(lib, data, config)
    ok, v = srv.chdb.query(b"SELECT version()")
    srv.version = v.decode().strip() if ok else "?"
    srv.user = opts.get("--user")
    srv.password = open(opts["--password-file"]).readline().rstrip("\n") if "--password-file" in opts else ""
    srv.log = open(opts["--log"], "a") if "--log" in opts else None
    srv.set_before = set()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
