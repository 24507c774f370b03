# A current ClickHouse for the tests, where Debian has only 18.16: chDB, the
# ClickHouse engine as a library, behind tests/lib/chdb_http.py (ClickHouse's
# HTTP interface as llmops uses it). Sourced by a case, after tests/lib/harness.sh.
#
# Where chDB comes from: the npm package @chdb/lib-linux-x64-gnu, version
# CHDB_VERSION below (its libchdb.so reports ClickHouse 26.5.1.1), installed by
# npm into build/chdb on first use (about 530 MB, seconds from the registry).
# LLMOPS_CHDB_LIB=/path/to/libchdb.so uses another copy instead. Without npm,
# python3 or the registry, chdb_lib says why and the case skips.
CHDB_VERSION=26.5.3

# chdb_lib: prints the path of libchdb.so, installing it first if need be;
# on failure prints why (one line) and returns 77.
chdb_lib() {
	if [ -n "${LLMOPS_CHDB_LIB:-}" ]; then
		if [ -f "$LLMOPS_CHDB_LIB" ]; then echo "$LLMOPS_CHDB_LIB"; return 0; fi
		echo "LLMOPS_CHDB_LIB=$LLMOPS_CHDB_LIB is not a file"
		return 77
	fi
	if ! command -v python3 >/dev/null 2>&1; then
		echo "no python3 to run tests/lib/chdb_http.py"
		return 77
	fi
	dir=$PWD/build/chdb
	lib=$dir/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so
	if [ -f "$lib" ] && grep -q "\"version\": \"$CHDB_VERSION\"" "$dir/node_modules/@chdb/lib-linux-x64-gnu/package.json"; then
		echo "$lib"
		return 0
	fi
	if [ "$(uname -sm)" != "Linux x86_64" ]; then
		echo "chDB's package here is for Linux x86_64 only"
		return 77
	fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "no npm to install @chdb/lib-linux-x64-gnu@$CHDB_VERSION (or set LLMOPS_CHDB_LIB)"
		return 77
	fi
	mkdir -p "$dir"
	if ! timeout 600 npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
		"@chdb/lib-linux-x64-gnu@$CHDB_VERSION" >"$dir/npm.log" 2>&1 || [ ! -f "$lib" ]; then
		echo "npm could not install @chdb/lib-linux-x64-gnu@$CHDB_VERSION ($(grep -v '^npm notice' "$dir/npm.log" | tail -n 1 | cut -c1-120))"
		return 77
	fi
	echo "$lib"
}

# chdb_start DIR: starts the adapter on a fresh data folder DIR/data, on a
# free port of 127.0.0.1, and prints that port; its statements go to DIR/log.
# Optional: CHDB_USER and CHDB_PASSWORD_FILE make it check that user and password;
# CHDB_CLUSTER=NAME defines a cluster of one shard, the engine itself.
chdb_start() {
	mkdir -p "$1"
	lib=$(chdb_lib) || { echo "$lib"; return 77; }
	set -- "$1" --log "$1/log"
	[ -n "${CHDB_USER:-}" ] && set -- "$@" --user "$CHDB_USER" --password-file "$CHDB_PASSWORD_FILE"
	[ -n "${CHDB_CLUSTER:-}" ] && set -- "$@" --cluster "$CHDB_CLUSTER"
	d=$1
	shift
	python3 "$PWD/tests/lib/chdb_http.py" "$lib" "$d/data" "$d/port" "$@" >"$d/out" 2>&1 &
	set -- "$d"
	echo $! >"$1/pid"
	i=0
	while [ ! -f "$1/port" ] && [ $i -lt 300 ]; do
		kill -0 "$(cat "$1/pid")" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -f "$1/port" ]; then
		echo "the chDB adapter did not start: $(tail -n 1 "$1/out")"
		return 1
	fi
	cat "$1/port"
}

# chdb_stop DIR
chdb_stop() {
	[ -f "$1/pid" ] || return 0
	kill "$(cat "$1/pid")" 2>/dev/null && wait "$(cat "$1/pid")" 2>/dev/null
	rm -f "$1/pid"
}

# chdb_query PORT SQL [USER]: the answer (TabSeparated), or the error on
# stderr and status 1; as USER, its password from $LLMOPS_CLICKHOUSE_PASSWORD
chdb_query() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import base64, os, sys, urllib.request, urllib.error
port, sql, user = sys.argv[1:]
h = {}
if user:
    pw = os.environ.get("LLMOPS_CLICKHOUSE_PASSWORD", "")
    h["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
try:
    req = urllib.request.Request("http://127.0.0.1:%s/" % port, data=sql.encode(), headers=h)
    sys.stdout.write(urllib.request.urlopen(req, timeout=60).read().decode())
except urllib.error.HTTPError as e:
    sys.stderr.write(e.read().decode())
    sys.exit(1)
PY
}
