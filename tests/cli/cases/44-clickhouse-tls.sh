# A ClickHouse store over HTTPS (secure=1): a private server with a
# certificate from an authority of the test's. Trusted through
# clickhouse_ca, it imports and reports as over HTTP, the password over TLS;
# untrusted, on the plain port, or with a file that holds no certificate, it
# says which, and never the password.
. tests/lib/clickhouse.sh
t clickhouse-tls
CHD="$T/ch"
if ! ch_bin >/dev/null; then
	echo "clickhouse-tls: skipped: clickhouse-server is not installed (sh scripts/deps.sh --test)"
	ok
	return 0 2>/dev/null || exit 0
fi
ch_tls "$CHD"
eq "$?" 0
ports=$(ch_start "$CHD")
eq "$?" 0
at_exit 'ch_stop "$CHD"'
HP=$(cat "$CHD/tls/port")
SU="clickhouse://llmops_auth@127.0.0.1:$HP/llmops?secure=1"
export LLMOPS_CLICKHOUSE_PASSWORD="$(cat "$CHD/password")"
mkdir -p "$XDG_CONFIG_HOME/llmops"
"$PWD/build/gen_jsonl" 2000 2026-11-23T12:00:00Z 3 >"$T/g.jsonl"

t clickhouse-tls-untrusted
expect_rc 1 "$LLMOPS" --store "$SU" report --since 1d
has "$T/err" "llmops_auth@127.0.0.1:$HP: the server's certificate is not trusted"
has "$T/err" "clickhouse_ca"
lacks "$T/err" "$LLMOPS_CLICKHOUSE_PASSWORD"

t clickhouse-tls-trusted
echo "set clickhouse_ca = $CHD/tls/ca.pem" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 0 "$LLMOPS" --store "$SU" import "$T/g.jsonl"
has "$T/out" "2,000 calls imported"
expect_rc 0 "$LLMOPS" --store "$SU" report --since 7d --json
"$LLMOPS" --store "$T/s.db" import "$T/g.jsonl" >/dev/null 2>&1
"$LLMOPS" --store "$T/s.db" report --since 7d --json >"$T/sq.json"
eq "$(json "$T/out" "d['total']['calls']")" "$(json "$T/sq.json" "d['total']['calls']")"
eq "$(json "$T/out" "d['total']['cost_usd']")" "$(json "$T/sq.json" "d['total']['cost_usd']")"

t clickhouse-tls-plain-port
expect_rc 1 "$LLMOPS" --store "clickhouse://llmops_auth@127.0.0.1:${ports%% *}/llmops?secure=1" report --since 1d
has "$T/err" "the TLS handshake failed (secure=1 needs the server's HTTPS port)"

t clickhouse-tls-bad-ca
echo "set clickhouse_ca = $T/g.jsonl" >"$XDG_CONFIG_HOME/llmops/llmopsrc"
expect_rc 1 "$LLMOPS" --store "$SU" report --since 1d
has "$T/err" "clickhouse_ca $T/g.jsonl cannot be read as PEM certificates"
lacks "$T/err" "$LLMOPS_CLICKHOUSE_PASSWORD"
rm "$XDG_CONFIG_HOME/llmops/llmopsrc"
