# The store on a current ClickHouse, in the schema's modern form
# (LowCardinality, ZSTD, skip indexes, a DateTime64 `time`, TTL retention):
# Debian has only 18.16, so the engine is chDB (ClickHouse 26 as a library)
# behind tests/lib/chdb_http.py, which speaks ClickHouse's HTTP interface.
# The same files imported into SQLite and into it give the same reports,
# traces, prompts, alert values and labelled export. Skips, saying why,
# when chDB cannot be had (tests/lib/chdb.sh).
. tests/lib/chdb.sh
. tests/lib/clickhouse.sh
CHD="$T/chdb"
same_report() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ca, cb = a.pop("changes", []), b.pop("changes", [])
key = lambda c: sorted((x["kind"], x.get("prompt") or "", x.get("version") or "", x["first_seen"], x["calls"]) for x in c)
print("same" if a == b and key(ca) == key(cb) else "differ: %s" % [k for k in a if a[k] != b.get(k)])
PY
}

t clickhouse-modern-server
echo secret-MODERN-0c41 >"$T/password"
port=$(CHDB_USER=llmops_auth CHDB_PASSWORD_FILE="$T/password" chdb_start "$CHD")
src=$?
if [ $src = 77 ]; then
	echo "clickhouse-modern: skipped: $port"
	ok
	return 0 2>/dev/null || exit 0
fi
at_exit 'chdb_stop "$CHD"'
eq "$src" 0
export LLMOPS_CLICKHOUSE_PASSWORD="$(cat "$T/password")"
q() { chdb_query "$port" "$1" llmops_auth; }
eq "$(q "SELECT toUInt32(splitByChar('.', version())[1]) >= 22")" 1
U="clickhouse://llmops_auth@127.0.0.1:$port/llmops"
G="$T/gen.jsonl"
"$PWD/build/gen_jsonl" 20000 2026-11-23T12:00:00Z 7 >"$G"

t clickhouse-modern-password
LLMOPS_CLICKHOUSE_PASSWORD=not-the-password expect_rc 1 "$LLMOPS" --store "$U" report --since 1d
has "$T/err" "llmops_auth@127.0.0.1:$port: authentication failed"
lacks "$T/err" "not-the-password"

t clickhouse-modern-import
expect_rc 0 "$LLMOPS" --store "$U" import "$G"
has "$T/out" "20,000 calls imported [jsonl"
expect_rc 0 "$LLMOPS" --store "$T/s.db" import "$G"
expect_rc 0 "$LLMOPS" --store "$U" import "$G"
has "$T/out" "0 calls imported, 20,000 already in the store"
eq "$(q 'SELECT count() FROM llmops.calls')" 20000

t clickhouse-modern-schema
# The modern form, as chosen by the server's version.
eq "$(q 'SELECT form FROM llmops.llmops_schema')" modern
eq "$(q "SELECT type FROM system.columns WHERE database = 'llmops' AND table = 'calls' AND name = 'time' FORMAT TSVRaw")" "DateTime64(3, 'UTC')"
eq "$(q "SELECT type FROM system.columns WHERE database = 'llmops' AND table = 'calls' AND name = 'model'")" "LowCardinality(String)"
eq "$(q "SELECT count() > 0 FROM system.columns WHERE database = 'llmops' AND table = 'calls' AND compression_codec LIKE '%ZSTD%'")" 1
eq "$(q "SELECT count() > 0 FROM system.data_skipping_indices WHERE database = 'llmops' AND table = 'calls' AND type = 'bloom_filter'")" 1

t clickhouse-modern-report-same-as-sqlite
for by in model prompt provider feature; do
	for win in 1h 1d 7d; do
		"$LLMOPS" --store "$T/s.db" report --since $win --by $by --json >"$T/sq.json" 2>"$T/sq.err"
		"$LLMOPS" --store "$U" report --since $win --by $by --json >"$T/ch.json" 2>"$T/ch.err"
		eq "$by $win $(same_report "$T/sq.json" "$T/ch.json") $(head -c 300 "$T/ch.err")" "$by $win same "
	done
done
eq "$(json "$T/ch.json" "d['total']['calls']")" "$(json "$T/sq.json" "d['total']['calls']")"
expect_rc 0 "$LLMOPS" --store "$U" report --since 1d --changes
head -n 2 "$T/out" >"$T/ch.txt"
"$LLMOPS" --store "$T/s.db" report --since 1d --changes | head -n 2 >"$T/sq.txt"
eq "$(cat "$T/ch.txt")" "$(cat "$T/sq.txt")"

t clickhouse-modern-traces-same-as-sqlite
# OTLP from real instrumentation libraries, read back trace by trace.
OU="clickhouse://llmops_auth@127.0.0.1:$port/otlp"
ch_same_traces "$OU"
"$LLMOPS" --store "$T/o.db" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/a.json"
"$LLMOPS" --store "$OU" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/b.json" 2>"$T/b.err"
if cmp -s "$T/a.json" "$T/b.json"; then ok; else bad "report differs: $(diff "$T/a.json" "$T/b.json" | head -c 400) $(head -c 300 "$T/b.err")"; fi
# Importing the captured files again adds nothing.
for f in $CORPUS/captured/*/traces.jsonl; do
	"$LLMOPS" --store "$OU" import "$f" >"$T/imp.out" 2>&1
	has "$T/imp.out" " 0 calls imported"
done

t clickhouse-modern-collect
# The receiver: a captured file's requests posted one by one are the calls
# its import makes, written once each trace has been quiet for a moment.
CU="clickhouse://llmops_auth@127.0.0.1:$port/collected"
f=$CORPUS/captured/traceloop+anthropic-sdk/traces.jsonl
python3 - "$LLMOPS" "$CU" "$f" >"$T/collect.out" 2>&1 <<'PY'
import http.client, subprocess, sys, time
llmops, url, src = sys.argv[1:]
p = subprocess.Popen([llmops, "--store", url, "collect", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
first = p.stderr.readline()
port = int(first.split(" on ", 1)[1].split()[0].rsplit(":", 1)[1])
for line in open(src):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/v1/traces", body=line, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
time.sleep(4)
p.terminate()
p.communicate(timeout=60)
print(subprocess.run([llmops, "--store", url, "report", "--from", "2020-01-01T00:00:00Z", "--to",
                      "2030-01-01T00:00:00Z", "--json"], capture_output=True, text=True).stdout)
PY
"$LLMOPS" --store "$T/col.db" import "$f" >/dev/null 2>&1
"$LLMOPS" --store "$T/col.db" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/col.json"
eq "$(json "$T/collect.out" "d['total']['calls']")" "$(json "$T/col.json" "d['total']['calls']")"
eq "$(json "$T/collect.out" "d['total']['cost_usd']")" "$(json "$T/col.json" "d['total']['cost_usd']")"

t clickhouse-modern-prompts
expect_rc 0 "$LLMOPS" --store "$T/s.db" prompt list
cp "$T/out" "$T/sq-prompts.txt"
expect_rc 0 "$LLMOPS" --store "$U" prompt list
eq "$(cat "$T/out")" "$(cat "$T/sq-prompts.txt")"
printf 'Answer briefly.\n' >"$T/p1.txt"
printf 'Answer briefly and politely.\n' >"$T/p2.txt"
expect_rc 0 "$LLMOPS" --store "$U" prompt add modern-p "$T/p1.txt"
expect_rc 0 "$LLMOPS" --store "$U" prompt add modern-p "$T/p2.txt"
has "$T/out" "added modern-p@2"
XDG_STATE_HOME="$T/host-b" expect_rc 0 "$LLMOPS" --store "$U" prompt diff modern-p 1 2
has "$T/out" "and politely"

t clickhouse-modern-check-and-export
# Alert values over the sample and outside it, and the labelled export, as
# from the SQLite store.
ch_same_export "$U" "$T/s.db"
for s in "sample=25%" "sample!=25%" "model=gpt-4o"; do
	for st in ch sq; do
		printf 'alert s calls > 0 over 7d where "status=error %s"\nalert p p95 > 1ms over 1d\nalert c cost > 0 over 7d where "%s"\nalert e error_rate > 1%% over 7d\n' "$s" "$s" >"$T/c$st/llmops/llmopsrc"
	done
	XDG_CONFIG_HOME="$T/cch" "$LLMOPS" --store "$U" check --json >"$T/ch.json" 2>"$T/ch.err"
	XDG_CONFIG_HOME="$T/csq" "$LLMOPS" --store "$T/s.db" check --json >"$T/sq.json"
	v='[(r["rule"], r["value"]) for r in d["rules"]]'
	eq "$(json "$T/ch.json" "$v") $(head -c 300 "$T/ch.err")" "$(json "$T/sq.json" "$v") "
done

t clickhouse-modern-console
# The demo week on both stores, and the console's screens over it the same:
# the dashboard's panes, the trace list and a call, the prompts view, the
# compare view.
DU="clickhouse://llmops_auth@127.0.0.1:$port/demo"
expect_rc 0 env LLMOPS_NOW=2026-11-20T12:00:00Z "$LLMOPS" demo --no-tui --calls 5000 --store "$DU"
expect_rc 0 env LLMOPS_NOW=2026-11-20T12:00:00Z "$LLMOPS" demo --no-tui --calls 5000 --store "$T/demo.db"
for s in ch sq; do
	st=$DU
	[ $s = sq ] && st="$T/demo.db"
	printf ':save-display %s/%s.1\nt\n:save-display %s/%s.2\n<Enter>\n:save-display %s/%s.3\nq\nq\np\n:save-display %s/%s.4\nq\nc\n:save-display %s/%s.5\n' \
		"$T" $s "$T" $s "$T" $s "$T" $s "$T" $s >"$T/$s.keys"
	LLMOPS_NOW=2026-11-20T12:00:00Z LLMOPS_NO_DISPLAY=1 LINES=40 COLUMNS=160 LLMOPS_SCRIPT="$T/$s.keys" \
		expect_rc 0 "$LLMOPS" --store "$st"
done
for i in 1 2 3 4 5; do
	eq "screen $i: $(diff "$T/sq.$i" "$T/ch.$i" 2>&1 | head -c 600)" "screen $i: "
done
has "$T/ch.2" "support-answer@8"

t clickhouse-modern-retention
# set retention = 30d is a TTL on the tables it keeps: calls older than 30
# days (by the server's clock) go at the next merge, as do their rollups.
RU="clickhouse://llmops_auth@127.0.0.1:$port/kept"
old=$(date -u -d '-60 days' +%Y-%m-%dT%H:00:00Z)
new=$(date -u -d '-1 day' +%Y-%m-%dT%H:00:00Z)
"$PWD/build/gen_jsonl" 300 "$old" 3 >"$T/old.jsonl"
"$PWD/build/gen_jsonl" 200 "$new" 4 >"$T/new.jsonl"
expect_rc 0 "$LLMOPS" --store "$RU" import "$T/old.jsonl" "$T/new.jsonl"
eq "$(q 'SELECT count() FROM kept.calls')" 500
mkdir -p "$XDG_CONFIG_HOME/llmops"
echo 'set retention = 30d' >"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 0 "$LLMOPS" --store "$RU" import /dev/null
has_ttl() { q "SELECT create_table_query FROM system.tables WHERE database = 'kept' AND name = '$1'" | grep -c "TTL $2 + toIntervalDay(30)"; }
eq "$(has_ttl calls 'toDateTime(time)')" 1
eq "$(has_ttl rollup_1m 'toDateTime(t)')" 1
q 'OPTIMIZE TABLE kept.calls FINAL' >/dev/null
eq "$(q 'SELECT count() FROM kept.calls')" 200
LLMOPS_NOW= expect_rc 0 "$LLMOPS" --store "$RU" report --since 20d --json
eq "$(json "$T/out" "d['total']['calls']")" 200
# A new database made with retention set has the TTL from its creation.
expect_rc 0 "$LLMOPS" --store "clickhouse://llmops_auth@127.0.0.1:$port/kept2" import "$T/new.jsonl"
q "SELECT create_table_query FROM system.tables WHERE database = 'kept2' AND name = 'calls'" >"$T/kept2.sql"
has "$T/kept2.sql" "TTL toDateTime(time) + toIntervalDay(30)"
rm "$XDG_CONFIG_HOME/llmops/llmopsrc"

t clickhouse-modern-statements
# The engine refused no statement of llmops's but a database that is not
# there yet (demo asks whether one holds calls before it creates it, as a
# server refuses it too); the wrong password never reached the engine.
refused() { grep -A1 '^ERR' "$1" | grep -v '^ERR USE \|(UNKNOWN_DATABASE)\|^--$' | head -c 1000; }
eq "$(refused "$CHD/log")" ""

t clickhouse-modern-cluster
# cluster=NAME: local tables and a Distributed table over them, on a cluster
# of one shard (chDB serves no native protocol for a second one; two shards
# are tested on 18.16): the same reports and traces as from SQLite.
cport=$(CHDB_CLUSTER=llmops_shards chdb_start "$T/chdb-cluster")
eq "$?" 0
at_exit 'chdb_stop "$T/chdb-cluster"'
DU="clickhouse://127.0.0.1:$cport/sharded?cluster=llmops_shards"
expect_rc 0 "$LLMOPS" --store "$DU" import "$G"
has "$T/out" "20,000 calls imported"
for f in $CORPUS/captured/vercel-ai-otel/traces.jsonl $CORPUS/captured/openlit/traces.jsonl; do
	expect_rc 0 "$LLMOPS" --store "$DU" import "$f"
	"$LLMOPS" --store "$T/d.db" import "$f" >/dev/null 2>&1
done
"$LLMOPS" --store "$T/d.db" import "$G" >/dev/null 2>&1
eq "$(chdb_query "$cport" "SELECT engine FROM system.tables WHERE database = 'sharded' AND name IN ('calls', 'calls_local') ORDER BY name")" "Distributed
MergeTree"
for by in prompt model; do
	"$LLMOPS" --store "$T/d.db" report --since 7d --by $by --json >"$T/a.json"
	"$LLMOPS" --store "$DU" report --since 7d --by $by --json >"$T/b.json" 2>"$T/b.err"
	eq "$(same_report "$T/a.json" "$T/b.json") $(head -c 300 "$T/b.err")" "same "
done
same=0 n=0
for tr in $(sqlite3 "$T/d.db" "SELECT DISTINCT lower(hex(trace_id)) FROM spans"); do
	n=$((n + 1))
	"$LLMOPS" --store "$T/d.db" trace --json "$tr" >"$T/a.json" 2>&1
	"$LLMOPS" --store "$DU" trace --json "$tr" >"$T/b.json" 2>&1
	cmp -s "$T/a.json" "$T/b.json" && same=$((same + 1))
done
eq "$same" "$n"
eq "$((n > 10))" 1
eq "$(refused "$T/chdb-cluster/log")" ""
chdb_stop "$T/chdb-cluster"

t clickhouse-modern-unit
# The ClickHouse unit suites that need no control of the server (round trips
# of hostile strings, errors after the first rows, a query cut by its time
# limit and one cancelled, idempotent writes, the readers), on this engine.
if [ -x build/unit_tests ]; then
	uport=$(chdb_start "$T/chdb-unit")
	eq "$?" 0
	at_exit 'chdb_stop "$T/chdb-unit"'
	for s in clickhouse clickhouse_read; do
		env -u LLMOPS_CLICKHOUSE_PASSWORD LLMOPS_TEST_CLICKHOUSE_URL="clickhouse://127.0.0.1:$uport" \
			CK_DEFAULT_TIMEOUT=300 CK_RUN_SUITE=$s \
			timeout 900 ./build/unit_tests >"$T/unit-$s.out" 2>&1
		eq "$s $?" "$s 0"
		has "$T/unit-$s.out" "100%: Checks: "
	done
else
	echo "clickhouse-modern-unit: skipped: build/unit_tests is not built (make build/unit_tests)"
	ok
fi
