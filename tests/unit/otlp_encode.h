/* For the tests: OTLP/JSON requests encoded as OTLP protobuf with
 * protobuf-c, independently of the reader under test (which goes the other
 * way), so that a protobuf twin of a JSON file can be made and compared. */
#ifndef LLMOPS_OTLP_ENCODE_H
#define LLMOPS_OTLP_ENCODE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* One request ({"resourceSpans"} or {"resourceLogs"}) as protobuf bytes
 * (malloc'ed; *len set), or NULL when the JSON is not such a request. */
uint8_t *otlp_encode_json(const cJSON *req, size_t *len);

#endif
