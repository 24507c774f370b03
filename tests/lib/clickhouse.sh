#!/bin/sh
# A private ClickHouse server for the tests: its own config, users, data and
# logs in a folder of the test's, listening on free ports of 127.0.0.1 only,
# never the system service. Used as a command (the unit tests) or sourced
# (the shell tests):
#
#   sh tests/lib/clickhouse.sh start DIR [SHARD-TCP-PORT...]
#        prints "HTTP-PORT TCP-PORT" once the server answers; with shard
#        ports (the native TCP ports of every server of the cluster, this
#        one's included, in the same order on each), its remote_servers has
#        a cluster "llmops_shards" of one shard a port. The ports are taken
#        from DIR/ports ("HTTP TCP INTERSERVER") when it exists (a restart,
#        or ports chosen before the servers of a cluster start), else free
#        ones are found.
#   sh tests/lib/clickhouse.sh stop DIR
#   sh tests/lib/clickhouse.sh tls DIR   before start: HTTPS too (ch_tls)
#   sh tests/lib/clickhouse.sh ports N    N free TCP ports of 127.0.0.1
#
# With CH_QUERY_LOG=1, every query is logged in system.query_log (with
# its duration, rows and bytes read), flushed each second: where the time of
# a screen goes (tests/bench/ch_queries.sh reads it).
#
# With CH_WATCH_PID set, the server is stopped when that process is gone
# (a test binary killed before its teardown leaves no server behind).
#
# The server has two users: default (no password, the tests' own) and
# llmops_auth with the password in DIR/password, for the tests of a
# password given or refused. Exit 77 when clickhouse-server is not installed.
set -u

ch_bin() {
	for b in clickhouse-server /usr/sbin/clickhouse-server /usr/bin/clickhouse; do
		command -v "$b" >/dev/null 2>&1 && { echo "$b"; return 0; }
	done
	return 1
}

# Free ports: asked of the kernel (bound to port 0) and released; a race with
# another process taking one is caught by the server failing to start.
ch_ports() {
	python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

ch_write_config() { # DIR HTTP TCP INTERSERVER [SHARD-TCP...]
	dir=$1 http=$2 tcp=$3 inter=$4
	shift 4
	mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
	shards=""
	if [ $# -gt 0 ]; then
		for p in "$@"; do
			shards="$shards<shard><replica><host>127.0.0.1</host><port>$p</port></replica></shard>"
		done
		shards="<llmops_shards>$shards</llmops_shards>"
	fi
	tls=""
	if [ -f "$dir/tls/server.pem" ]; then
		tls="<https_port>$(cat "$dir/tls/port")</https_port>
    <openSSL><server>
        <certificateFile>$dir/tls/server.pem</certificateFile>
        <privateKeyFile>$dir/tls/server.key</privateKeyFile>
        <verificationMode>none</verificationMode>
        <loadDefaultCAFile>false</loadDefaultCAFile>
        <cacheSessions>true</cacheSessions>
        <disableProtocols>sslv2,sslv3</disableProtocols>
        <preferServerCiphers>true</preferServerCiphers>
    </server></openSSL>"
	fi
	cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>$dir/log/server.log</log>
        <errorlog>$dir/log/server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$http</http_port>
    <tcp_port>$tcp</tcp_port>
    <interserver_http_port>$inter</interserver_http_port>
    $tls
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <max_connections>64</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>32</max_concurrent_queries>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>67108864</mark_cache_size>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <remote_servers>$shards</remote_servers>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
    <dictionaries_config>$dir/no_dictionaries.xml</dictionaries_config>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <flush_interval_milliseconds>1000</flush_interval_milliseconds>
    </query_log>
</yandex>
XML
	[ -f "$dir/password" ] || echo "pw-$$-$(date +%s)-test" >"$dir/password"
	pw=$(cat "$dir/password")
	cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>2000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
            <log_queries>${CH_QUERY_LOG:-0}</log_queries>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <llmops_auth>
            <password>$pw</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </llmops_auth>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
    </interval></default></quotas>
</yandex>
XML
	echo "$http $tcp $inter" >"$dir/ports"
}

# Waits until the server answers its HTTP port (or has died): a start is a
# fraction of a second; a server that never answers is a failure, said once
# the loop has polled for long enough on any machine.
ch_wait() { # DIR
	dir=$1
	set -- $(cat "$dir/ports")
	i=0
	while [ $i -lt 600 ]; do
		if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			echo "clickhouse.sh: the server stopped while starting:" >&2
			tail -n 5 "$dir/log/server.err.log" >&2 2>/dev/null
			return 1
		fi
		[ "$(curl -s "http://127.0.0.1:$1/ping" 2>/dev/null)" = "Ok." ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "clickhouse.sh: no answer on 127.0.0.1:$1 (log: $dir/log)" >&2
	return 1
}

# ch_tls DIR: before ch_start, makes the server speak HTTPS too, on a port
# of its own (DIR/tls/port) with a certificate for 127.0.0.1 signed by an
# authority of the test's (DIR/tls/ca.pem).
ch_tls() {
	mkdir -p "$1/tls" && (
		cd "$1/tls" &&
			openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=llmops test authority" &&
			openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
			printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >ext.cnf &&
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 3650 -extfile ext.cnf
	) >"$1/tls/openssl.log" 2>&1 && ch_ports 1 >"$1/tls/port"
}

ch_start() { # DIR [SHARD-TCP...]
	bin=$(ch_bin) || { echo "clickhouse.sh: clickhouse-server is not installed" >&2; return 77; }
	dir=$(cd "$1" 2>/dev/null && pwd) || { mkdir -p "$1" && dir=$(cd "$1" && pwd); }
	shift
	if [ -f "$dir/ports" ]; then
		# a restart keeps its ports, data and password
		read -r http tcp inter <"$dir/ports"
	else
		read -r http tcp inter <<P
$(ch_ports 3)
P
	fi
	ch_write_config "$dir" "$http" "$tcp" "$inter" "$@"
	# The server's own pid file would need a folder it can write: the
	# background job's pid is the server's (no daemon mode).
	(cd "$dir" && exec "$bin" --config-file="$dir/config.xml" >"$dir/log/stdout" 2>&1) &
	echo $! >"$dir/pid"
	if [ -n "${CH_WATCH_PID:-}" ]; then
		spid=$!
		(
			while kill -0 "$CH_WATCH_PID" 2>/dev/null && kill -0 "$spid" 2>/dev/null; do sleep 1; done
			kill "$spid" 2>/dev/null
		) >/dev/null 2>&1 </dev/null &
	fi
	ch_wait "$dir" || return 1
	echo "$http $tcp"
}

ch_stop() { # DIR
	dir=$1
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	rm -f "$dir/pid"
}

# ch_same_traces URL, for the cli cases (their eq, bad, T, LLMOPS and
# CORPUS): imports the OTLP of real instrumentation libraries into the
# ClickHouse store at URL and into the SQLite file $T/o.db, and checks that
# all 191 traces read back the same, as text and as JSON (the first three
# that differ are named).
ch_same_traces() {
	for f in $CORPUS/otel/generated/*.jsonl $CORPUS/captured/*/traces.jsonl; do
		"$LLMOPS" --store "$T/o.db" import "$f" >/dev/null 2>&1
		"$LLMOPS" --store "$1" import "$f" >"$T/imp.out" 2>&1 || bad "import $f: $(head -c 400 "$T/imp.out")"
	done
	sqlite3 "$T/o.db" "SELECT DISTINCT lower(hex(trace_id)) FROM spans" >"$T/traces"
	eq "$(wc -l <"$T/traces")" 191
	same=0 shown=0
	for tr in $(cat "$T/traces"); do
		"$LLMOPS" --store "$T/o.db" trace "$tr" >"$T/a.txt" 2>&1
		"$LLMOPS" --store "$1" trace "$tr" >"$T/b.txt" 2>&1
		"$LLMOPS" --store "$T/o.db" trace --json "$tr" >"$T/a.json" 2>&1
		"$LLMOPS" --store "$1" trace --json "$tr" >"$T/b.json" 2>&1
		if cmp -s "$T/a.txt" "$T/b.txt" && cmp -s "$T/a.json" "$T/b.json"; then
			same=$((same + 1))
		elif [ $((shown = shown + 1)) -le 3 ]; then
			bad "trace $tr differs: $(diff "$T/a.txt" "$T/b.txt" | head -c 400)"
		fi
	done
	eq "$same" 191
}

# ch_same_export URL FILE, for the cli cases (their eq, expect_rc, T and
# LLMOPS): labels a quarter's sample of the failed calls of the ClickHouse
# store at URL and of the SQLite store FILE, each into a golden file of its
# own (config folders $T/cch and $T/csq), and checks that both export the
# same four items.
ch_same_export() {
	printf '1\n2\n1\ns\n2\n' >"$T/label.keys"
	for s in ch sq; do
		st=$1
		[ $s = sq ] && st=$2
		mkdir -p "$T/c$s/llmops"
		echo "set golden = $T/golden-$s.db" >"$T/c$s/llmops/llmopsrc"
		XDG_CONFIG_HOME="$T/c$s" LLMOPS_NO_DISPLAY=1 LINES=24 COLUMNS=80 LLMOPS_SCRIPT="$T/label.keys" \
			expect_rc 0 "$LLMOPS" --store "$st" annotate status=error sample=25%
		XDG_CONFIG_HOME="$T/c$s" expect_rc 0 "$LLMOPS" --store "$st" export --format jsonl
		python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    d.pop("labelled_at", None)
    print(json.dumps(d, sort_keys=True))' "$T/out" >"$T/export-$s.jsonl"
	done
	eq "$(wc -l <"$T/export-ch.jsonl")" 4
	eq "$(cmp "$T/export-ch.jsonl" "$T/export-sq.jsonl" 2>&1)" ""
}

# As a command; sourced, only the functions are defined.
case "$0" in
*lib/clickhouse.sh)
	cmd=${1:-}
	[ $# -gt 0 ] && shift
	case "$cmd" in
	start) ch_start "$@" ;;
	stop) ch_stop "$@" ;;
	tls) ch_tls "$@" ;;
	ports) ch_ports "${1:-1}" ;;
	*) echo "usage: sh tests/lib/clickhouse.sh start DIR [SHARD-TCP-PORT...] | stop DIR | ports N" >&2; exit 2 ;;
	esac
	;;
esac
