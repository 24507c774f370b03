/* OTLP protobuf: ExportTraceServiceRequest and ExportLogsServiceRequest
 * bodies, read into the OTLP/JSON shape that the OTLP/JSON mapping takes, so
 * that a span imports the same whichever encoding carried it. */
#ifndef LLMOPS_OTLP_PB_H
#define LLMOPS_OTLP_PB_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/batch.h"

#define OTLP_PB_MAX_MSG (256u << 20) /* a longer message is rejected */
#define OTLP_PB_MAX_DEPTH 64         /* nested values deeper than this are rejected */

/* How messages follow one another in a file. */
enum otlp_pb_framing {
	PB_SINGLE, /* one message, the whole input (a body as an exporter POSTs it) */
	PB_VARINT, /* each message after its length as a varint ("delimited") */
	PB_BE32,   /* each after a 4-byte big-endian length (the Collector's file exporter) */
};
const char *otlp_pb_framing_name(int framing);

/* The framing of the n bytes that start an input (all of it, or the first
 * part), or -1 when they are not OTLP protobuf. JSON text, SQLite files and
 * other binary data are never taken for it: the first message must be a
 * valid start of an OTLP request, with nothing but OTLP fields at its outer
 * levels. */
int otlp_pb_sniff(const uint8_t *p, size_t n);

/* One message, traces or logs (told apart by their content), as an OTLP/JSON
 * tree: ids as lower-case hex, 64-bit integers as decimal strings, bytes as
 * base64, zero values left out as the Collector leaves them out. NULL, with
 * the reason (naming the byte within the message), for a message that is
 * not valid OTLP. The caller frees the tree. */
cJSON *otlp_pb_to_json(const uint8_t *p, size_t n, char *err, size_t errlen);

/* One message mapped into the batch, as otlp_parse_doc does for JSON: 0, or
 * -1 with a reason and the batch unchanged. */
int otlp_pb_parse(const uint8_t *p, size_t n, batch_t *b, char *err, size_t errlen);
/* With partial success: see otlp_parse_doc_partial. */
int otlp_pb_parse_partial(const uint8_t *p, size_t n, batch_t *b, uint64_t *rejected, char *err, size_t errlen);

/* Varint at p (at most n bytes): the bytes it takes, 0 when it is cut short,
 * -1 when it is longer than 10 bytes or overflows 64 bits. */
int otlp_pb_varint(const uint8_t *p, size_t n, uint64_t *out);

#endif
