# llmops collect, the OTLP/HTTP receiver: every captured library's bodies over HTTP (protobuf, JSON,
# gzip; each call stored once), a kill -9 after a 200, the faults and the token (tests/cli/collect.py);
# then real OpenTelemetry exporters from npm against it, when node and the packages are there.
t collect
python3 tests/cli/collect.py >"$T/collect.out" 2>&1
res=$(tail -n 1 "$T/collect.out")
case "$res" in
"collect: "*" passed, 0 failed") ok ;;
*) bad "$(grep -v '^collect:' "$T/collect.out" | head -n 20)" ;;
esac
t collect-real-exporters
sh tests/cli/collect_node.sh "$LLMOPS" >"$T/node.out" 2>&1
res=$(tail -n 1 "$T/node.out")
case "$res" in
*skipped*) echo "  $res" ;;
"collect-node: "*" passed, 0 failed") ok ;;
*) bad "$(head -n 20 "$T/node.out")" ;;
esac
t collect-usage
expect_rc 2 "$LLMOPS" --store "$T/u.db" collect extra
has "$T/err" "collect: unexpected argument 'extra'"
expect_rc 2 "$LLMOPS" --store "$T/u.db" report --listen 127.0.0.1:0
has "$T/err" "option --listen does not apply to 'report'"
expect_rc 0 "$LLMOPS" --help
has "$T/out" "collect [--listen ADDR:PORT]"
has "$T/out" "watch FILE..."
has "$T/out" "--listen [ADDR:PORT]"
