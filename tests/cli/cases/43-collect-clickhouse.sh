# llmops collect into a ClickHouse store: every captured library's bodies
# POSTed over OTLP/HTTP and then again as an exporter's gzipped retry; each
# request's calls are stored once, and the report is the one a file import
# into SQLite gives (tests/cli/collect.py with LLMOPS_TEST_CLICKHOUSE).
. tests/lib/clickhouse.sh
t collect-clickhouse
ports=$(ch_start "$T/ch")
src=$?
if [ $src = 77 ]; then
	echo "collect-clickhouse: skipped: clickhouse-server is not installed (sh scripts/deps.sh --test)"
	ok
	return 0 2>/dev/null || exit 0
fi
at_exit 'ch_stop "$T/ch"'
eq "$src" 0
LLMOPS_TEST_CLICKHOUSE="clickhouse://127.0.0.1:${ports%% *}" python3 tests/cli/collect.py >"$T/collect.out" 2>&1
res=$(tail -n 1 "$T/collect.out")
case "$res" in
"collect: "*" passed, 0 failed") ok ;;
*) bad "$(cat "$T/collect.out")" ;;
esac
