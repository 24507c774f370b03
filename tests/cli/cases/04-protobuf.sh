# OTLP protobuf, and damaged protobuf files.
# The protobuf twins of the corpus give the calls of their JSON files;
# build/otlp_json2pb writes the three framings of the same requests.
J2P=$PWD/build/otlp_json2pb
G="$CORPUS/otel/generated"
t protobuf-twins
for f in otel:3 traceloop:2 openinference:2; do
	expect_rc 0 "$LLMOPS" --store "$T/pbj.db" import "$G/otlp_traces_${f%:*}.jsonl"
	expect_rc 0 "$LLMOPS" --store "$T/pbp.db" import "$G/otlp_traces_${f%:*}.pb"
	has "$T/out" "otlp_traces_${f%:*}.pb: ${f#*:} calls imported [otlp"
done
"$LLMOPS" --store "$T/pbj.db" report --json --since 30d >"$T/pbj.json"
"$LLMOPS" --store "$T/pbp.db" report --json --since 30d >"$T/pbp.json"
if cmp -s "$T/pbj.json" "$T/pbp.json"; then ok; else bad "report --json differs: $(diff "$T/pbj.json" "$T/pbp.json" | head -5)"; fi
eq "$(json "$T/pbp.json" "d['total']['calls']")" 7
eq "$(json "$T/pbp.json" "d['total']['errors_by_type']")" "{'not_found': 1}"
eq "$(calls_of "$T/pbp.db")" "$(calls_of "$T/pbj.db")"
eq "$(sqlite3 "$T/pbp.db" "SELECT count(*) FROM calls_v WHERE output_tokens > 0")" 4
t protobuf-twin-again-is-a-duplicate
expect_rc 0 "$LLMOPS" --store "$T/pbp.db" import "$G/otlp_traces_otel.jsonl"
has "$T/out" "0 calls imported, 3 already in the store [otlp"

t protobuf-logs
expect_rc 0 "$LLMOPS" --store "$T/pbl.db" import "$G/otlp_logs_otel.pb"
has "$T/out" "0 calls imported, 5 content events"
expect_rc 0 "$LLMOPS" --store "$T/pbl.db" import "$G/otlp_traces_otel.pb"
has "$T/out" "3 calls imported"
expect_rc 0 "$LLMOPS" --store "$T/pbl2.db" import "$G/otlp_logs_otel.pretty.json"
expect_rc 0 "$LLMOPS" --store "$T/pbl2.db" import "$G/otlp_traces_otel.jsonl"
# The messages of the log records reached their calls, as from JSON.
eq "$(sqlite3 "$T/pbl.db" "SELECT count(*) FROM calls WHERE from_events != 0")" 3
eq "$(sqlite3 "$T/pbl2.db" "SELECT count(*) FROM calls WHERE from_events != 0")" 3

t protobuf-from-an-exporter
# Bodies the OpenTelemetry JS exporters POSTed, varint-delimited (captured/PROVENANCE.md).
C="$PWD/tests/corpus/captured/otel-openai"
expect_rc 0 "$LLMOPS" --store "$T/pbc.db" import "$C/logs.pb"
has "$T/out" "0 calls imported, 9 content events"
expect_rc 0 "$LLMOPS" --store "$T/pbc.db" import "$C/traces.pb"
has "$T/out" "6 calls imported [otlp"
"$LLMOPS" --store "$T/pbc2.db" import "$C/logs.jsonl" "$C/traces.jsonl" >/dev/null
eq "$(calls_of "$T/pbc.db")" "$(calls_of "$T/pbc2.db")"
eq "$(sqlite3 "$T/pbc.db" "SELECT count(*) FROM calls WHERE from_events != 0")" \
	"$(sqlite3 "$T/pbc2.db" "SELECT count(*) FROM calls WHERE from_events != 0")"

t protobuf-framings
"$LLMOPS" --store "$T/pbj-otel.db" import "$G/otlp_traces_otel.jsonl" >/dev/null
for fr in single varint be32; do
	"$J2P" $fr "$G/otlp_traces_otel.jsonl" "$T/otel.$fr.pb"
	expect_rc 0 "$LLMOPS" --store "$T/pb-$fr.db" import "$T/otel.$fr.pb"
	has "$T/out" "otel.$fr.pb: 3 calls imported [otlp"
	eq "$(calls_of "$T/pb-$fr.db")" "$(calls_of "$T/pbj-otel.db")"
done
if cmp -s "$T/otel.single.pb" "$G/otlp_traces_otel.pb"; then ok; else bad "the committed twin is not what otlp_json2pb writes"; fi
expect_rc 0 "$LLMOPS" --store "$T/pb-fmt.db" import --format otlp "$T/otel.varint.pb"
has "$T/out" "3 calls imported [otlp"
t protobuf-stdin
"$LLMOPS" --store "$T/pb-stdin.db" import - <"$T/otel.be32.pb" >"$T/out" 2>"$T/err"
eq "$?" 0
has "$T/out" "<stdin>: 3 calls imported [otlp"

# byte_of FILE N: where the Nth message of a 4-byte length-prefixed file starts
byte_of() {
	python3 -c "
import sys
d = open(sys.argv[1], 'rb').read(); off = 0
for _ in range(int(sys.argv[2]) - 1): off += 4 + int.from_bytes(d[off:off + 4], 'big')
print(off)" "$1" "$2"
}
t protobuf-truncated
size=$(stat -c %s "$T/otel.be32.pb")
head -c $((size - 10)) "$T/otel.be32.pb" >"$T/trunc.pb"
expect_rc 3 "$LLMOPS" --store "$T/pb-trunc.db" import "$T/trunc.pb"
has "$T/err" "llmops: $T/trunc.pb: message 3 (byte $(byte_of "$T/otel.be32.pb" 3)): truncated: the length prefix claims"
has "$T/out" "2 calls imported, 1 records rejected"
head -c $(($(stat -c %s "$T/otel.single.pb") - 10)) "$T/otel.single.pb" >"$T/trunc1.pb"
expect_rc 1 "$LLMOPS" --store "$T/pb-trunc.db" import "$T/trunc1.pb"
has "$T/err" "llmops: $T/trunc1.pb: message 1 (byte 0): not an OTLP request: truncated: "

t protobuf-bad-message-among-good
python3 -c "
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); off = 4 + int.from_bytes(d[0:4], 'big')
d[off + 4] = 0xff
open(sys.argv[2], 'wb').write(d)" "$T/otel.be32.pb" "$T/bad2.pb"
expect_rc 3 "$LLMOPS" --store "$T/pb-bad.db" import "$T/bad2.pb"
has "$T/err" "llmops: $T/bad2.pb: message 2 (byte $(byte_of "$T/bad2.pb" 2)): not an OTLP request: "
has "$T/out" "2 calls imported, 1 records rejected"
# A length over 256 MiB: that message is passed over.
{ cat "$T/otel.be32.pb"; printf '\022\300\000\000abc'; } >"$T/huge.pb"
expect_rc 3 "$LLMOPS" --store "$T/pb-huge.db" import "$T/huge.pb"
has "$T/err" "message 4 (byte $size): a message of 314572800 bytes is larger than 256 MiB"
has "$T/out" "3 calls imported, 1 records rejected"

t protobuf-garbage
printf '\001\002\377\376garbage\000\000\n' >"$T/garbage.bin"
expect_rc 1 "$LLMOPS" --store "$T/pb-g.db" import "$T/garbage.bin"
has "$T/err" "llmops: $T/garbage.bin:1: binary data"
expect_rc 1 "$LLMOPS" --store "$T/pb-g.db" import --format otlp "$T/garbage.bin"
has "$T/err" "llmops: $T/garbage.bin: message 1 (byte 0): not an OTLP request: "
eq "$(sqlite3 "$T/pb-g.db" "SELECT count(*) FROM calls")" 0
