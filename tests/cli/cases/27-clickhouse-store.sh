# The store on ClickHouse: a private clickhouse-server (tests/lib/clickhouse.sh)
# on free ports of 127.0.0.1. The same calls imported into SQLite and into
# ClickHouse give the same reports; the console's own state (replays, labels)
# stays in a local file under the state folder.
. tests/lib/clickhouse.sh
CHD="$T/ch"
# same_report A.json B.json: "same" when the figures are the same and, of the
# changes, the facts that do not hang on which of two equally good models is
# named (the tie goes to the first in each store's own order).
same_report() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ca, cb = a.pop("changes", []), b.pop("changes", [])
key = lambda c: sorted((x["kind"], x.get("prompt") or "", x.get("version") or "", x["first_seen"], x["calls"]) for x in c)
print("same" if a == b and key(ca) == key(cb) else "differ: %s" % [k for k in a if a[k] != b.get(k)])
PY
}
t clickhouse-server
ports=$(ch_start "$CHD")
src=$?
if [ $src = 77 ]; then
	echo "clickhouse-store: skipped: clickhouse-server is not installed (sh scripts/deps.sh --test)"
	ok
	return 0 2>/dev/null || exit 0
fi
at_exit 'ch_stop "$CHD"'
eq "$src" 0
set -- $ports
U="clickhouse://127.0.0.1:$1/llmops"
G="$T/gen.jsonl"
"$PWD/build/gen_jsonl" 20000 2026-11-23T12:00:00Z 7 >"$G"

t clickhouse-import
expect_rc 0 "$LLMOPS" --store "$U" import "$G"
has "$T/out" "20,000 calls imported [jsonl"
expect_rc 0 "$LLMOPS" --store "$T/s.db" import "$G"
# Idempotent on span id, as the SQLite store: a second import adds nothing.
expect_rc 0 "$LLMOPS" --store "$U" import "$G"
has "$T/out" "0 calls imported, 20,000 already in the store"

t clickhouse-report-same-as-sqlite
# The figures (counts, tokens, cost, error types, percentiles from the same
# histogram buckets) are the same; of the changes, the facts that do not
# hang on which of two equally good models is named.
for by in model prompt provider feature; do
	for win in 1h 1d 7d; do
		"$LLMOPS" --store "$T/s.db" report --since $win --by $by --json >"$T/sq.json" 2>"$T/sq.err"
		"$LLMOPS" --store "$U" report --since $win --by $by --json >"$T/ch.json" 2>"$T/ch.err"
		eq "$(same_report "$T/sq.json" "$T/ch.json")" "same"
	done
done
eq "$(json "$T/ch.json" "d['total']['calls']")" "$(json "$T/sq.json" "d['total']['calls']")"

t clickhouse-report-text
expect_rc 0 "$LLMOPS" --store "$U" report --since 1d
head -n 2 "$T/out" >"$T/ch.txt"
"$LLMOPS" --store "$T/s.db" report --since 1d | head -n 2 >"$T/sq.txt"
eq "$(cat "$T/ch.txt")" "$(cat "$T/sq.txt")"

t clickhouse-traces-same-as-sqlite
# OTLP from real instrumentation libraries: the layers of one request are one
# call, steps and tools are kept, and every trace reads back the same, as
# text and as JSON, a provider SDK's span alone in a trace of its own
# (Langfuse) shown with the call of the other trace it joined.
OU="clickhouse://127.0.0.1:$1/otlp"
ch_same_traces "$OU"
"$LLMOPS" --store "$T/o.db" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/a.json"
"$LLMOPS" --store "$OU" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/b.json"
if cmp -s "$T/a.json" "$T/b.json"; then ok; else bad "report differs: $(diff "$T/a.json" "$T/b.json" | head -c 400)"; fi
# A step's span id opens its trace too.
step=$(sqlite3 "$T/o.db" "SELECT lower(hex(span_id)) FROM spans WHERE call_id IS NULL LIMIT 1")
expect_rc 0 "$LLMOPS" --store "$OU" trace "$step"
has "$T/out" "$(sqlite3 "$T/o.db" "SELECT name FROM spans WHERE call_id IS NULL LIMIT 1")"

t clickhouse-layers-apart
# The layers of one request in two imports, in either order (a library's
# spans in one file, the provider SDK's in the other, nested or, under
# Langfuse, the SDK's a trace of its own): as many calls as the SQLite store
# makes, each counted once, and importing them again adds nothing.
for lib in traceloop+anthropic-sdk langfuse+anthropic-sdk; do
	python3 - "$CORPUS/captured/$lib/traces.jsonl" "$T/outer.jsonl" "$T/inner.jsonl" <<'PY'
import json, sys
src, outer, inner = sys.argv[1:]
o, i = open(outer, "w"), open(inner, "w")
for line in open(src):
    d = json.loads(line)
    for rs in d["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            f = i if ss["scope"]["name"].startswith("com.anthropic.sdk") else o
            f.write(json.dumps({"resourceSpans": [dict(rs, scopeSpans=[ss])]}) + "\n")
PY
	rm -f "$T/apart.db"*
	"$LLMOPS" --store "$T/apart.db" import "$T/outer.jsonl" "$T/inner.jsonl" >/dev/null 2>&1
	"$LLMOPS" --store "$T/apart.db" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/a.json"
	for order in "inner outer" "outer inner"; do
		AU="clickhouse://127.0.0.1:$1/apart_$(echo "$lib$order" | tr -c 'a-z\n' '_')"
		for part in $order; do
			expect_rc 0 "$LLMOPS" --store "$AU" import "$T/$part.jsonl"
		done
		"$LLMOPS" --store "$AU" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/b.json"
		eq "$lib $order: $(json "$T/b.json" "d['total']['calls']")" "$lib $order: $(json "$T/a.json" "d['total']['calls']")"
		expect_rc 0 "$LLMOPS" --store "$AU" import "$T/outer.jsonl" "$T/inner.jsonl"
		eq "$(grep -c '^0 calls imported\| 0 calls imported' "$T/out")" 2
		"$LLMOPS" --store "$AU" report --from 2020-01-01T00:00:00Z --to 2030-01-01T00:00:00Z --json >"$T/c.json"
		eq "$(json "$T/c.json" "d['total']['calls']")" "$(json "$T/a.json" "d['total']['calls']")"
	done
done

t clickhouse-collect-layers
# The receiver: the layers of each request posted in separate requests are
# one call, written once their trace has been quiet for a moment, while the
# receiver runs.
CU="clickhouse://127.0.0.1:$1/collect_layers"
python3 - "$LLMOPS" "$CU" "$T/outer.jsonl" "$T/inner.jsonl" >"$T/collect.out" 2>&1 <<'PY'
import http.client, os, subprocess, sys, time
llmops, url, outer, inner = sys.argv[1:]
p = subprocess.Popen([llmops, "--store", url, "collect", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
first = p.stderr.readline()
port = int(first.split(" on ", 1)[1].split()[0].rsplit(":", 1)[1])
for f in (outer, inner):
    for line in open(f):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/v1/traces", body=line, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        assert r.status == 200, r.status
time.sleep(6)
print(subprocess.run([llmops, "--store", url, "report", "--from", "2020-01-01T00:00:00Z", "--to",
                      "2030-01-01T00:00:00Z", "--json"], capture_output=True, text=True).stdout)
p.terminate()
p.communicate(timeout=60)
PY
eq "$(json "$T/collect.out" "d['total']['calls']")" "$(json "$T/a.json" "d['total']['calls']")"

t clickhouse-two-shards
# Through a Distributed table over two servers: the same reports, traces and
# pages as from one (each read goes to both shards; a trace lives on one).
set -- $(ch_ports 6)
for k in 0 1; do
	mkdir -p "$T/sh$k"
	eval "echo \"\${$((3 * k + 1))} \${$((3 * k + 2))} \${$((3 * k + 3))}\"" >"$T/sh$k/ports"
done
sh0=$2 sh1=$5
ch_start "$T/sh0" "$sh0" "$sh1" >"$T/sh0.out" && ch_start "$T/sh1" "$sh0" "$sh1" >"$T/sh1.out"
eq "$?" 0
at_exit 'ch_stop "$T/sh0"; ch_stop "$T/sh1"'
DU="clickhouse://127.0.0.1:$(cut -d' ' -f1 "$T/sh0.out")/llmops?cluster=llmops_shards"
DU1="clickhouse://127.0.0.1:$(cut -d' ' -f1 "$T/sh1.out")/llmops?cluster=llmops_shards"
# each node's own tables first (the first write there creates them)
expect_rc 0 "$LLMOPS" --store "$DU1" import /dev/null
expect_rc 0 "$LLMOPS" --store "$DU" import "$G"
has "$T/out" "20,000 calls imported"
for f in $CORPUS/captured/vercel-ai-otel/traces.jsonl $CORPUS/captured/openlit/traces.jsonl; do
	"$LLMOPS" --store "$DU" import "$f" >/dev/null 2>&1
	"$LLMOPS" --store "$T/d.db" import "$f" >/dev/null 2>&1
done
"$LLMOPS" --store "$T/d.db" import "$G" >/dev/null 2>&1
"$LLMOPS" --store "$T/d.db" report --since 7d --by prompt --json >"$T/a.json"
# the other node answers for both shards
"$LLMOPS" --store "$DU1" report --since 7d --by prompt --json >"$T/b.json"
eq "$(same_report "$T/a.json" "$T/b.json")" "same"
same=0 n=0
for tr in $(sqlite3 "$T/d.db" "SELECT DISTINCT lower(hex(trace_id)) FROM spans"); do
	n=$((n + 1))
	"$LLMOPS" --store "$T/d.db" trace --json "$tr" >"$T/a.json" 2>&1
	"$LLMOPS" --store "$DU1" trace --json "$tr" >"$T/b.json" 2>&1
	cmp -s "$T/a.json" "$T/b.json" && same=$((same + 1))
done
eq "$same" "$n"
eq "$((n > 10))" 1
ch_stop "$T/sh0"
ch_stop "$T/sh1"
set -- $ports

t clickhouse-local-state
# Opening the store to write keeps the console's own state beside it, in a
# file of that server's and database's under the state folder.
eq "$(ls "$XDG_STATE_HOME/llmops/" | grep -c "^clickhouse-127.0.0.1-$1-llmops.db$")" 1

t clickhouse-rc-store
# `set store` takes the URL as it is (no path to resolve), and the password
# comes from clickhouse_password_cmd, never from the command line.
mkdir -p "$XDG_CONFIG_HOME/llmops"
printf 'set store = clickhouse://llmops_auth@127.0.0.1:%s/llmops\nset clickhouse_password_cmd = "cat %s/password"\n' "$1" "$CHD" \
	>"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 0 "$LLMOPS" report --since 1d --json
"$LLMOPS" --store "$T/s.db" report --since 1d --json >"$T/sq1.json"
eq "$(json "$T/out" "d['total']['calls']")" "$(json "$T/sq1.json" "d['total']['calls']")"
printf 'set store = clickhouse://llmops_auth@127.0.0.1:%s/llmops\nset clickhouse_password_cmd = "echo not-the-password"\n' "$1" \
	>"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 1 "$LLMOPS" report --since 1d
has "$T/err" "llmops_auth@127.0.0.1:$1"
lacks "$T/err" "not-the-password"
rm "$XDG_CONFIG_HOME/llmops/llmopsrc"

t clickhouse-label-sample
# Labelling from a ClickHouse store: sample= picks the same calls as on
# SQLite, so the queue is the same; the labels go to a local golden file,
# linked to the calls by span id, and export the same items with the same
# content as from the SQLite store.
ch_same_export "$U" "$T/s.db"
# The sample and the calls outside it split the failed calls in the same
# two parts on both stores.
for s in "sample=25%" "sample!=25%"; do
	n_ch=$(printf 'alert s calls > 0 over 7d where "status=error %s"\n' "$s" >"$T/cch/llmops/llmopsrc"; XDG_CONFIG_HOME="$T/cch" "$LLMOPS" --store "$U" check --json | python3 -c 'import json,sys; print([r["value"] for r in json.load(sys.stdin)["rules"] if r["rule"] == "s"][0])')
	n_sq=$(printf 'alert s calls > 0 over 7d where "status=error %s"\n' "$s" >"$T/csq/llmops/llmopsrc"; XDG_CONFIG_HOME="$T/csq" "$LLMOPS" --store "$T/s.db" check --json | python3 -c 'import json,sys; print([r["value"] for r in json.load(sys.stdin)["rules"] if r["rule"] == "s"][0])')
	eq "$n_ch" "$n_sq"
	eq "$((n_ch > 0))" 1
	[ "$s" = "sample=25%" ] && n_in=$n_ch
done
# about a quarter of the failed calls in the sample, the rest outside it
eq "$((n_in * 2 < n_ch))" 1

t clickhouse-prompts-shared
# A template added from one machine is on the server: another machine (its
# own state folder) lists and diffs it.
printf 'Answer briefly.\n' >"$T/p1.txt"
printf 'Answer briefly and politely.\n' >"$T/p2.txt"
XDG_STATE_HOME="$T/host-a" expect_rc 0 "$LLMOPS" --store "$U" prompt add shared-p "$T/p1.txt"
XDG_STATE_HOME="$T/host-a" expect_rc 0 "$LLMOPS" --store "$U" prompt add shared-p "$T/p2.txt"
has "$T/out" "added shared-p@2"
XDG_STATE_HOME="$T/host-b" expect_rc 0 "$LLMOPS" --store "$U" prompt diff shared-p 1 2
has "$T/out" "and politely"
XDG_STATE_HOME="$T/host-b" expect_rc 0 "$LLMOPS" --store "$U" prompt add shared-p "$T/p2.txt"
has "$T/out" "same as version 2"

t clickhouse-server-down
ch_stop "$CHD"
expect_rc 1 "$LLMOPS" --store "$U" report --since 1d
has "$T/err" "127.0.0.1:$1"
lacks "$T/err" "password"

t clickhouse-bad-url
expect_rc 1 "$LLMOPS" --store "clickhouse://127.0.0.1:$1/no-such;db" report --since 1d
has "$T/err" "database name"
