# Hostile input: nothing passes raw, overflows or is lost in silence.
t escapes-in-import-errors
H="$T/hostile-esc.jsonl"
{
	printf '{"ts":"\\u001b]0;TITLE\\u0007\\u001b]52;c;aGVsbG8=\\u0007","model":"m"}\n'
	printf '{"ts":"2026-11-23T11:00:00Z","model":"m","trace_id":"\\u001b]0;TRACE\\u0007\\u009b2J"}\n'
	printf '{"ts":"2026-11-23T11:00:00Z","model":"m","span_id":"\\u009d0;SPAN\\u009c"}\n'
} >"$H"
expect_rc 1 "$LLMOPS" --store "$T/hostile.db" import "$H"
has "$T/err" "$H:1: ts: '"
has "$T/err" "$H:2: trace_id: '"
has "$T/err" "$H:3: span_id: '"
no_controls "$T/err"
cp "$CORPUS/llm_logsdb/logs_empty_llm_0.31.1.db" "$T/esc-logs.db"
sqlite3 "$T/esc-logs.db" "INSERT INTO responses(id, model, datetime_utc) VALUES(
	'r1' || char(27) || ']0;ID' || char(7), 'gpt-4o-mini', 'x' || char(27) || ']52;c;aGk=' || char(7))"
expect_rc 1 "$LLMOPS" --store "$T/hostile.db" import "$T/esc-logs.db"
has "$T/err" "responses row 1 (id r1"
no_controls "$T/err"

t hostile-numbers-jsonl
H="$T/hostile-num.jsonl"
{
	echo '{"ts":"2026-11-23T11:00:00Z","model":"gpt-4o","cost_usd":5e9}'
	echo '{"ts":"2026-11-23T11:00:01Z","model":"gpt-4o","cost_usd":5e9}'
	echo '{"ts":"2026-11-23T11:00:02Z","model":"gpt-4o","cost_usd":9.3e9}'
	echo '{"ts":1,"model":"gpt-4o"}'
	echo '{"ts":"2099-01-01T00:00:00Z","model":"gpt-4o"}'
	echo '{"ts":"2026-11-23T11:00:03Z","model":"gpt-4o","input_tokens":1000000000000}'
	echo '{"ts":"2026-11-23T11:00:04Z","model":"gpt-4o","latency_ms":1e300}'
	echo '{"ts":"2026-11-23T11:00:05Z","model":"gpt-4o","ttft_ms":1e308}'
	echo '{"ts":"2026-11-23T11:00:06Z","model":"gpt-4o","cost_usd":10000,"input_tokens":1000000000}'
	echo '{"ts":"2026-11-23T11:00:07Z","model":"gpt-4o","cost_usd":9999.5}'
} >"$H"
expect_rc 3 "$LLMOPS" --store "$T/num.db" import "$H"
has "$T/err" "$H:1: cost_usd: 5000000000 is out of range (0 to 10000 USD a call)"
has "$T/err" "$H:2: cost_usd: 5000000000 is out of range"
has "$T/err" "$H:3: cost_usd: 9300000000 is out of range"
has "$T/err" "$H:4: ts: 1970-01-01T00:00:01Z is out of range (from 2000-01-01 to a day after now)"
has "$T/err" "$H:5: ts: 2099-01-01T00:00:00Z is out of range"
has "$T/err" "$H:6: input_tokens: 1000000000000 is out of range"
has "$T/err" "$H:7: latency_ms: 1e+300 is out of range"
has "$T/err" "$H:8: ttft_ms: 1e+308 is out of range"
has "$T/out" "2 calls imported, 8 records rejected"
"$LLMOPS" --store "$T/num.db" report --since 1h --json >"$T/num.json"
eq "$(json "$T/num.json" "d['total']['cost_usd'], d['total']['unpriced_calls'], d['total']['input_tokens']")" \
	"19999.5 0 1000000000"

t hostile-numbers-otlp
# span: START END -> one OTLP request a line
span() {
	printf '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","startTimeUnixNano":%s,"endTimeUnixNano":%s,"attributes":[{"key":"gen_ai.system","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":%s}}]}]}]}]}\n' "$1" "$2" "${3:-5}"
}
H="$T/hostile-num.otlp.jsonl"
{
	span 1e308 1e308
	span '"0"' '"1795424400000000000"'
	span '"-1"' '"1795424400000000000"'
	span '"1795424400000000000"' '"1795424400000000000"' 1e308
	span '"1795424400000000000"' '"1795510800000000001"'
	span '"1795424400000000000"' '"1795424401000000000"'
} >"$H"
expect_rc 3 "$LLMOPS" --store "$T/num-otlp.db" import "$H"
has "$T/err" "$H:1: span 1: startTimeUnixNano is out of range"
has "$T/err" "$H:2: span 1: startTimeUnixNano: 1970-01-01T00:00:00Z is out of range"
has "$T/err" "$H:3: span 1: startTimeUnixNano is out of range"
has "$T/err" "$H:4: span 1: a token count is out of range"
has "$T/err" "$H:5: span 1: latency_ms: 86400000.000001 is out of range"
has "$T/out" "1 calls imported, 5 records rejected"

t hostile-numbers-logsdb
cp "$CORPUS/llm_logsdb/logs_empty_llm_0.31.1.db" "$T/num-logs.db"
sqlite3 "$T/num-logs.db" "INSERT INTO responses(id, model, duration_ms, datetime_utc, input_tokens, output_tokens, token_details) VALUES
	('r1','gpt-4o-mini',500,'2026-11-23T11:30:00+00:00',1e308,3,NULL),
	('r2','gpt-4o-mini',500,'2026-11-23T11:30:01+00:00',10,3,'{\"cache_read_input_tokens\":1e308}'),
	('r3','gpt-4o-mini',500,'not a date',10,3,NULL),
	('r4','gpt-4o-mini',500,NULL,10,3,NULL),
	('r5','gpt-4o-mini',500,'1970-01-01T00:00:00',10,3,NULL),
	('r6','gpt-4o-mini',500,'2026-11-23T11:30:02+00:00',10,3,NULL),
	(NULL,'gpt-4o-mini',500,'2026-11-23T11:30:03+00:00',10,3,NULL)"
expect_rc 3 "$LLMOPS" --store "$T/num-logs.db.store" import "$T/num-logs.db"
has "$T/err" "num-logs.db: responses row 7: id is missing"
has "$T/err" "num-logs.db: responses row 1 (id r1): input_tokens: 1e+308 is out of range"
has "$T/err" "responses row 2 (id r2): token_details cache_read_input_tokens: 1e+308 is out of range"
has "$T/err" "responses row 3 (id r3): datetime_utc: 'not a date' is not a time"
has "$T/err" "responses row 4 (id r4): datetime_utc is missing"
has "$T/err" "responses row 5 (id r5): datetime_utc: 1970-01-01T00:00:00Z is out of range"
has "$T/out" "1 calls imported, 6 records rejected"
lacks "$T/out" "skipped"

t records-never-half-kept
H="$T/hostile-half.jsonl"
{
	printf '%s\n' '{"ts":"2026-11-23T11:00:00Z","model":"a"}{"ts":"2026-11-23T11:00:01Z","model":"b"}'
	printf '%s\n' '{"ts":"2026-11-23T11:00:02Z","model":"c"} trailing junk'
	printf '%s\n' '{"ts":"2026-11-23T11:00:03Z","model":"d","output":"a\u0000b"}'
	printf '%s\n' '{"ts":"2026-11-23T11:00:04Z","model":"e","input":[{"role":"user","content":"x\u0000y"}]}'
	printf '%s\n' '{"ts":"2026-11-23T11:00:05Z","model":"f","output":"a\\u0000b"}   '
} >"$H"
expect_rc 3 "$LLMOPS" --store "$T/half.db" import "$H"
has "$T/err" "$H:1: unexpected text after the record at column 42 (one JSON object a line)"
has "$T/err" "$H:2: unexpected text after the record at column 43"
has "$T/err" "$H:3: \\u0000 (a NUL character) at column"
has "$T/err" "$H:4: \\u0000 (a NUL character) at column"
has "$T/out" "1 calls imported, 4 records rejected"
"$LLMOPS" --store "$T/half.db" report --since 1h --json >"$T/half.json"
eq "$(json "$T/half.json" "[g['key'] for g in d['groups']]")" "['f']"
S2=$(head -1 "$CORPUS/otel/generated/otlp_traces_otel.jsonl")
printf '%s%s\n' "$S2" "$S2" >"$T/half.otlp.jsonl"
expect_rc 1 "$LLMOPS" --store "$T/half.db" import "$T/half.otlp.jsonl"
has "$T/err" "$T/half.otlp.jsonl:1: unexpected text after the request"

t report-keys-whole-and-escaped
P=$(python3 -c "print('m' * 600)")
H="$T/hostile-keys.jsonl"
{
	echo "{\"ts\":\"2026-11-23T11:00:00Z\",\"model\":\"${P}-one\"}"
	echo "{\"ts\":\"2026-11-23T11:00:01Z\",\"model\":\"${P}-two\"}"
	python3 -c "print('{\"ts\":\"2026-11-23T11:00:02Z\",\"model\":\"' + 'x' * 510 + '\u00e9\u00e9\"}')"
	echo '{"ts":"2026-11-23T11:00:03Z","model":"bidi\u202egnp.exe\u200b\u0085\u009b31m"}'
} >"$H"
expect_rc 0 "$LLMOPS" --store "$T/keys.db" import "$H"
"$LLMOPS" --store "$T/keys.db" report --since 1h --json >"$T/keys.json"
eq "$(json "$T/keys.json" "sorted(len(g['key']) for g in d['groups'])")" "[18, 512, 604, 604]"
eq "$(json "$T/keys.json" "[g['key'][600:] for g in d['groups'] if len(g['key']) == 604] == ['-one', '-two'] or [g['key'][600:] for g in d['groups'] if len(g['key']) == 604] == ['-two', '-one']")" "True"
eq "$(json "$T/keys.json" "[g['key'] for g in d['groups'] if g['key'].startswith('bidi')] == ['bidi\u202egnp.exe\u200b\u0085\u009b31m']")" "True"
no_controls "$T/keys.json"
has "$T/keys.json" '\u202e'
has "$T/keys.json" '\u200b'
has "$T/keys.json" '\u0085'
python3 -c "import sys; open(sys.argv[1],'rb').read().decode('utf-8')" "$T/keys.json" && ok || bad "report --json is not valid UTF-8"

t otlp-line-larger-than-16mib
# A Collector batch: 8,000 spans with their content, on one 27 MB line.
python3 - "$T/big.otlp.jsonl" <<'PY'
import json, sys
content = "x" * 3000
spans = []
for i in range(8000):
    spans.append({"traceId": "%032x" % (i + 1), "spanId": "%016x" % (i + 1),
                  "startTimeUnixNano": str(1795423686094000000 + i * 1000000),
                  "endTimeUnixNano": str(1795423686094000000 + i * 1000000 + 500000000),
                  "attributes": [{"key": "gen_ai.system", "value": {"stringValue": "openai"}},
                                 {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
                                 {"key": "gen_ai.prompt.0.role", "value": {"stringValue": "user"}},
                                 {"key": "gen_ai.prompt.0.content", "value": {"stringValue": content}}]})
doc = {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}
open(sys.argv[1], "w").write(json.dumps(doc, separators=(",", ":")) + "\n")
PY
eq "$(($(wc -c <"$T/big.otlp.jsonl") > 16 * 1024 * 1024))" 1
expect_rc 0 "$LLMOPS" --store "$T/big.db" import "$T/big.otlp.jsonl"
has "$T/out" "8,000 calls imported"

t logsdb-pages-that-loop
# A damaged logs.db whose pages loop would yield the same rows for ever.
expect_rc 1 "$LLMOPS" --store "$T/loop.db" import --format llm "$PWD/tests/fuzz/regress/llmdb/pages-that-loop.db"
has "$T/err" "more rows than the file can hold: it is damaged"

t otlp-nul-never-half-kept
printf '%s\n' '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"cd'"$(printf 'cd%.0s' $(seq 15))"'","spanId":"0101010101010101","name":"chat","startTimeUnixNano":"1796000000000000000","endTimeUnixNano":"1796000001000000000","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.output.messages","value":{"stringValue":"keep\u0000lost"}}]}]}]}]}' >"$T/nul.jsonl"
expect_rc 1 "$LLMOPS" --store "$T/nul.db" import "$T/nul.jsonl"
has "$T/err" "nul.jsonl:1: \\u0000 (a NUL character) at offset"
