/* OTLP protobuf: bytes laid out by hand from the published field numbers,
 * the protobuf twins of the JSON corpus (calls equal field by field),
 * detection of the three framings, and the reasons a bad message is given. */
#include <cjson/cJSON.h>

#include "../../core/batch.h"
#include "../../data/import.h"
#include "../../data/otlp_pb.h"
#include "otlp_encode.h"
#include "t.h"

/* ---- a message written byte by byte ------------------------------------- */

/* Wire types and field numbers as opentelemetry-proto publishes them; this
 * does not use the .proto the reader is generated from. */
static void w_varint(sbuf *b, uint64_t v)
{
	do {
		sb_addc(b, (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
		v >>= 7;
	} while (v);
}

static void w_tag(sbuf *b, unsigned field, unsigned wt)
{
	w_varint(b, field << 3 | wt);
}

static void w_bytes(sbuf *b, unsigned field, const void *p, size_t n)
{
	w_tag(b, field, 2);
	w_varint(b, n);
	sb_add(b, p, n);
}

static void w_str(sbuf *b, unsigned field, const char *s)
{
	w_bytes(b, field, s, strlen(s));
}

static void w_sub(sbuf *b, unsigned field, sbuf *sub)
{
	w_bytes(b, field, sub->p ? sub->p : "", sub->len);
	sb_free(sub);
}

static void w_fixed64(sbuf *b, unsigned field, uint64_t v)
{
	w_tag(b, field, 1);
	for (int i = 0; i < 8; i++)
		sb_addc(b, (char)(v >> (8 * i)));
}

/* KeyValue{key = 1, value = 2 AnyValue{string_value = 1 | int_value = 3}} */
static void w_attr_str(sbuf *b, unsigned field, const char *k, const char *v)
{
	sbuf kv = SBUF_INIT, any = SBUF_INIT;
	w_str(&any, 1, v);
	w_str(&kv, 1, k);
	w_sub(&kv, 2, &any);
	w_sub(b, field, &kv);
}

static void w_attr_int(sbuf *b, unsigned field, const char *k, int64_t v)
{
	sbuf kv = SBUF_INIT, any = SBUF_INIT;
	w_tag(&any, 3, 0);
	w_varint(&any, (uint64_t)v);
	w_str(&kv, 1, k);
	w_sub(&kv, 2, &any);
	w_sub(b, field, &kv);
}

static const uint8_t TRACE_ID[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
				     0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
static const uint8_t SPAN_ID[8] = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};
#define T0 1767225600123456789ull /* beyond 2^53: a double would lose it */

/* ExportTraceServiceRequest{resource_spans = 1 ResourceSpans{resource = 1,
 * scope_spans = 2 ScopeSpans{scope = 1, spans = 2 Span}}} */
static void hand_request(sbuf *out)
{
	sbuf span = SBUF_INIT, status = SBUF_INIT, scope = SBUF_INIT, ss = SBUF_INIT, res = SBUF_INIT,
	     rs = SBUF_INIT;
	w_bytes(&span, 1, TRACE_ID, 16);     /* trace_id */
	w_bytes(&span, 2, SPAN_ID, 8);       /* span_id */
	w_str(&span, 5, "chat gpt-4o-mini"); /* name */
	w_tag(&span, 6, 0);                  /* kind = CLIENT */
	w_varint(&span, 3);
	w_fixed64(&span, 7, T0);                 /* start_time_unix_nano */
	w_fixed64(&span, 8, T0 + 1250000000ull); /* end_time_unix_nano */
	w_attr_str(&span, 9, "gen_ai.operation.name", "chat");
	w_attr_str(&span, 9, "gen_ai.provider.name", "openai");
	w_attr_str(&span, 9, "gen_ai.request.model", "gpt-4o-mini");
	w_attr_str(&span, 9, "gen_ai.response.model", "gpt-4o-mini-2024-07-18");
	w_attr_int(&span, 9, "gen_ai.usage.input_tokens", 52);
	w_attr_int(&span, 9, "gen_ai.usage.output_tokens", 47);
	w_attr_str(&span, 9, "error.type", "RateLimitError");
	w_str(&status, 2, "slow down"); /* Status.message */
	w_tag(&status, 3, 0);           /* Status.code = ERROR */
	w_varint(&status, 2);
	w_sub(&span, 15, &status);
	w_str(&scope, 1, "my-instrumentation"); /* InstrumentationScope.name */
	w_str(&scope, 2, "1.2.3");
	w_sub(&ss, 1, &scope);
	w_sub(&ss, 2, &span);
	w_attr_str(&res, 1, "service.name", "checkout-bot"); /* Resource.attributes */
	w_sub(&rs, 1, &res);
	w_sub(&rs, 2, &ss);
	w_sub(out, 1, &rs);
}

START_TEST(pb_hand_encoded_span)
{
	sbuf m = SBUF_INIT;
	hand_request(&m);
	batch_t b = {0};
	char err[256] = "";
	ck_assert_msg(otlp_pb_parse((const uint8_t *)m.p, m.len, &b, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 1);
	call_t *c = &b.calls[0];
	ck_assert_uint_eq(c->trace_len, 16);
	ck_assert_int_eq(memcmp(c->trace_id, TRACE_ID, 16), 0);
	ck_assert_uint_eq(c->span_len, 8);
	ck_assert_int_eq(memcmp(c->span_id, SPAN_ID, 8), 0);
	ck_assert_int_eq(c->ts_ns, (int64_t)T0);
	ck_assert_double_eq(c->latency_ms, 1250);
	ck_assert_str_eq(c->provider, "openai");
	ck_assert_str_eq(c->model, "gpt-4o-mini-2024-07-18");
	ck_assert_str_eq(c->request_model, "gpt-4o-mini");
	ck_assert_int_eq(c->input_tokens, 52);
	ck_assert_int_eq(c->output_tokens, 47);
	ck_assert_int_eq(c->is_error, 1);
	ck_assert_str_eq(c->error_type, "rate_limit");
	ck_assert_str_eq(c->error_message, "slow down");
	batch_free(&b);

	/* The tree the mapping sees: ids in hex, times as decimal strings, the
	 * scope's name kept. */
	cJSON *j = otlp_pb_to_json((const uint8_t *)m.p, m.len, err, sizeof err);
	ck_assert_ptr_nonnull(j);
	const cJSON *ss = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "resourceSpans"), 0), "scopeSpans"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(ss, "scope"), "name")->valuestring,
			 "my-instrumentation");
	const cJSON *sp = cJSON_GetArrayItem(cJSON_GetObjectItem(ss, "spans"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(sp, "traceId")->valuestring, "4bf92f3577b34da6a3ce929d0e0e4736");
	ck_assert_str_eq(cJSON_GetObjectItem(sp, "spanId")->valuestring, "00f067aa0ba902b7");
	ck_assert_str_eq(cJSON_GetObjectItem(sp, "startTimeUnixNano")->valuestring, "1767225600123456789");
	ck_assert_int_eq(cJSON_GetObjectItem(sp, "kind")->valueint, 3);
	ck_assert_ptr_null(cJSON_GetObjectItem(sp, "parentSpanId")); /* a root */
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(sp, "status"), "code")->valueint, 2);
	cJSON_Delete(j);
	sb_free(&m);
}
END_TEST

/* ---- the twins of the JSON corpus --------------------------------------- */

static void same_str(const char *what, const char *a, const char *b)
{
	ck_assert_msg(str_eq(a, b), "%s: JSON gives '%s', protobuf '%s'", what, a ? a : "(null)", b ? b : "(null)");
}

static void same_calls(const batch_t *a, const batch_t *b)
{
	ck_assert_uint_eq(a->n, b->n);
	ck_assert_uint_eq(a->skipped, b->skipped);
	for (size_t i = 0; i < a->n; i++) {
		const call_t *x = &a->calls[i], *y = &b->calls[i];
		ck_assert_uint_eq(x->trace_len, y->trace_len);
		ck_assert_int_eq(memcmp(x->trace_id, y->trace_id, x->trace_len), 0);
		ck_assert_uint_eq(x->span_len, y->span_len);
		ck_assert_int_eq(memcmp(x->span_id, y->span_id, x->span_len), 0);
		ck_assert_int_eq(x->ts_ns, y->ts_ns);
		ck_assert_double_eq(x->latency_ms, y->latency_ms);
		ck_assert_double_eq(x->ttft_ms, y->ttft_ms);
		ck_assert_int_eq(x->input_tokens, y->input_tokens);
		ck_assert_int_eq(x->cached_tokens, y->cached_tokens);
		ck_assert_int_eq(x->output_tokens, y->output_tokens);
		ck_assert_int_eq(x->is_error, y->is_error);
		same_str("provider", x->provider, y->provider);
		same_str("model", x->model, y->model);
		same_str("request_model", x->request_model, y->request_model);
		same_str("operation", x->operation, y->operation);
		same_str("prompt_name", x->prompt_name, y->prompt_name);
		same_str("prompt_version", x->prompt_version, y->prompt_version);
		same_str("feature", x->feature, y->feature);
		same_str("user_id", x->user_id, y->user_id);
		same_str("error_type", x->error_type, y->error_type);
		same_str("error_message", x->error_message, y->error_message);
		same_str("input", x->input, y->input);
		same_str("output", x->output, y->output);
		same_str("variables", x->variables, y->variables);
		same_str("attrs", x->attrs, y->attrs);
	}
	ck_assert_uint_eq(a->nev, b->nev);
	for (size_t i = 0; i < a->nev; i++) {
		const span_event_t *x = &a->events[i], *y = &b->events[i];
		ck_assert_int_eq(memcmp(x->span_id, y->span_id, x->span_len), 0);
		ck_assert_int_eq(x->ts_ns, y->ts_ns);
		same_str("event name", x->name, y->name);
		same_str("event body", x->body, y->body);
	}
}

/* Every request of a JSON file, mapped as JSON and, encoded with protobuf-c,
 * as protobuf: the same calls. Returns how many requests. */
static int twin_requests(const char *path, batch_t *json_all)
{
	size_t len;
	char *text = t_read(path, &len);
	ck_assert_ptr_nonnull(text);
	const char *p = text, *end = text + len;
	int n = 0;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		const char *next = NULL;
		cJSON *req = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &next, 0);
		ck_assert_ptr_nonnull(req);
		batch_t bj = {0}, bp = {0};
		char err[256] = "";
		ck_assert_msg(otlp_parse_doc(p, (size_t)(next - p), &bj, err, sizeof err) == 0, "%s", err);
		ck_assert_msg(otlp_parse_doc(p, (size_t)(next - p), json_all, err, sizeof err) == 0, "%s", err);
		size_t mlen;
		uint8_t *msg = otlp_encode_json(req, &mlen);
		ck_assert_ptr_nonnull(msg);
		ck_assert_msg(otlp_pb_parse(msg, mlen, &bp, err, sizeof err) == 0, "%s: %s", path, err);
		same_calls(&bj, &bp);
		free(msg);
		cJSON_Delete(req);
		batch_free(&bj);
		batch_free(&bp);
		p = next;
		n++;
	}
	free(text);
	return n;
}

START_TEST(pb_twins_of_the_corpus)
{
	static const struct {
		const char *json, *pb;
		int requests;
		size_t calls, events;
	} files[] = {
	    {"otlp_traces_otel.jsonl", "otlp_traces_otel.pb", 3, 3, 0},
	    {"otlp_traces_traceloop.jsonl", "otlp_traces_traceloop.pb", 2, 2, 0},
	    {"otlp_traces_openinference.jsonl", "otlp_traces_openinference.pb", 2, 2, 0},
	    {"otlp_logs_otel.pretty.json", "otlp_logs_otel.pb", 1, 0, 5},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, CORPUS "otel/generated/%s", files[i].json);
		batch_t all = {0};
		ck_assert_int_eq(twin_requests(path, &all), files[i].requests);
		ck_assert_uint_eq(all.n, files[i].calls);
		ck_assert_uint_eq(all.nev, files[i].events);
		/* The committed twin: every request as one message (protobuf
		 * merges repeated fields of messages written back to back). */
		snprintf(path, sizeof path, CORPUS "otel/generated/%s", files[i].pb);
		size_t len;
		char *pb = t_read(path, &len);
		ck_assert_ptr_nonnull(pb);
		ck_assert_int_eq(otlp_pb_sniff((const uint8_t *)pb, len), PB_SINGLE);
		batch_t b = {0};
		char err[256] = "";
		ck_assert_msg(otlp_pb_parse((const uint8_t *)pb, len, &b, err, sizeof err) == 0, "%s: %s", path, err);
		same_calls(&all, &b);
		batch_free(&b);
		batch_free(&all);
		free(pb);
	}
}
END_TEST

/* ---- detection ------------------------------------------------------------ */

static void framed(sbuf *out, const sbuf *m, int framing)
{
	if (framing == PB_VARINT)
		w_varint(out, m->len);
	if (framing == PB_BE32) {
		uint8_t h[4] = {(uint8_t)(m->len >> 24), (uint8_t)(m->len >> 16), (uint8_t)(m->len >> 8), (uint8_t)m->len};
		sb_add(out, h, 4);
	}
	sb_add(out, m->p, m->len);
}

START_TEST(pb_framings_detected)
{
	sbuf m = SBUF_INIT;
	hand_request(&m);
	for (int f = PB_SINGLE; f <= PB_BE32; f++) {
		sbuf s = SBUF_INIT;
		framed(&s, &m, f);
		framed(&s, &m, f);
		ck_assert_int_eq(otlp_pb_sniff((const uint8_t *)s.p, s.len), f);
		/* Only the start of a large file is looked at: a cut end is fine. */
		ck_assert_int_eq(otlp_pb_sniff((const uint8_t *)s.p, s.len - 7), f);
		sb_free(&s);
	}
	sb_free(&m);
}
END_TEST

START_TEST(pb_never_taken_for_text)
{
	static const char *const texts[] = {
	    "{\"resourceSpans\":[]}\n",
	    "\n{\"resourceSpans\":[{\"resource\":{}}]}",
	    "\n\n{\n  \"resourceLogs\": []\n}\n",
	    "  [1,2,3]",
	    "{\"ts\":\"2026-11-23T11:00:00Z\",\"model\":\"gpt-4o\"}\n",
	    "\xef\xbb\xbf{\"resourceSpans\":[]}",
	    "SQLite format 3\0\x10\0\x01\x01\0@  ",
	    "garbage\nmore garbage\n",
	    "\x0a",
	    "",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		size_t n = strlen(texts[i]);
		if (i == 6)
			n = 24;
		ck_assert_msg(otlp_pb_sniff((const uint8_t *)texts[i], n) == -1, "taken for protobuf: %s", texts[i]);
	}
	/* Pretty-printed JSON after any number of blank lines or spaces (a
	 * newline is the tag byte of field 1, a space a small length). */
	for (int k = 0; k < 40; k++) {
		sbuf b = SBUF_INIT;
		for (int i = 0; i < k; i++)
			sb_addc(&b, k % 3 == 2 ? ' ' : k % 3 == 1 && i % 2 ? '\r' : '\n');
		sb_adds(&b, k % 2 ? "{\n  \"resourceSpans\": [\n    {\n      \"resource\": {\n        \"attributes\": []}}]}\n"
				  : "\n{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{}}]}]}]}\n");
		ck_assert_msg(otlp_pb_sniff((const uint8_t *)b.p, b.len) == -1, "taken for protobuf: %s", b.p);
		sb_free(&b);
	}
	/* Random bytes are not protobuf either. */
	uint8_t junk[4096];
	uint64_t x = 88172645463325252ull;
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof junk; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			junk[i] = (uint8_t)x;
		}
		ck_assert_int_eq(otlp_pb_sniff(junk, sizeof junk), -1);
	}
}
END_TEST

/* ---- what a bad message is told ----------------------------------------- */

static void expect_bad(const void *p, size_t n, const char *reason)
{
	batch_t b = {0};
	char err[256] = "";
	ck_assert_msg(otlp_pb_parse(p, n, &b, err, sizeof err) == -1, "accepted (%s)", reason);
	ck_assert_msg(strstr(err, reason) != NULL, "wanted '%s', got '%s'", reason, err);
	ck_assert_uint_eq(b.n, 0);
	batch_free(&b);
}

START_TEST(pb_bad_messages_say_why)
{
	sbuf m = SBUF_INIT;
	hand_request(&m);
	/* Cut anywhere: never read past the end, always "truncated" or a span
	 * that lost what it needs. */
	for (size_t cut = 1; cut < m.len; cut++) {
		batch_t b = {0};
		char err[256] = "";
		int rc = otlp_pb_parse((const uint8_t *)m.p, cut, &b, err, sizeof err);
		ck_assert_msg(rc == -1 || b.n == 0 || b.n == 1, "cut %zu", cut);
		if (rc)
			ck_assert_msg(*err, "no reason for a cut at %zu", cut);
		batch_free(&b);
	}
	expect_bad(m.p, m.len - 3, "truncated: ");
	/* Field 1 of the request as a varint, not a message. */
	expect_bad("\x08\x01", 2, "ExportTraceServiceRequest: field 1 is varint, expected length-delimited");
	/* A group (wire type 3), which OTLP never uses. */
	expect_bad("\x0a\x02\x0b\x00", 4, "wire type group start");
	expect_bad("\x0a\x05\x12\x03\x0a\x01", 6, "truncated");
	/* Field 8 as a varint: a fixed64 in a Span, a fixed32 in a LogRecord. */
	expect_bad("\x0a\x06\x12\x04\x12\x02\x40\x01", 8, "not an OTLP request");
	/* A NUL inside a string would cut it: the message is rejected. */
	expect_bad("\x0a\x0d\x12\x0b\x12\x09\x2a\x07" "ch\0t x", 15, "Span field 5: a string holding a NUL byte");
	/* Arrays within arrays: bounded, not a stack overflow. */
	sbuf deep = SBUF_INIT;
	sb_adds(&deep, "");
	for (int i = 0; i < 200; i++) {
		sbuf arr = SBUF_INIT, any = SBUF_INIT;
		w_sub(&arr, 1, &deep); /* ArrayValue.values */
		w_sub(&any, 5, &arr);  /* AnyValue.array_value */
		deep = any;
	}
	sbuf kv = SBUF_INIT, span = SBUF_INIT, ss = SBUF_INIT, rs = SBUF_INIT, req = SBUF_INIT;
	w_str(&kv, 1, "deep");
	w_sub(&kv, 2, &deep);
	w_bytes(&span, 1, TRACE_ID, 16);
	w_sub(&span, 9, &kv);
	w_sub(&ss, 2, &span);
	w_sub(&rs, 2, &ss);
	w_sub(&req, 1, &rs);
	expect_bad(req.p, req.len, "nested deeper than 64 levels");
	sb_free(&req);
	sb_free(&m);
}
END_TEST

/* Every byte of a real message changed, and every length of it: a reason or
 * a result, never a read out of bounds (the sanitizer build checks). */
START_TEST(pb_mutations_are_survived)
{
	size_t len;
	char *pb = t_read(CORPUS "otel/generated/otlp_traces_otel.pb", &len);
	ck_assert_ptr_nonnull(pb);
	uint8_t *m = xmalloc(len);
	size_t rejected = 0;
	for (size_t i = 0; i < len; i++) {
		static const uint8_t flips[] = {0x00, 0xff, 0x80, 0x7f};
		for (size_t f = 0; f < sizeof flips; f++) {
			memcpy(m, pb, len);
			m[i] ^= flips[f];
			batch_t b = {0};
			char err[256] = "";
			if (otlp_pb_parse(m, len, &b, err, sizeof err)) {
				ck_assert_msg(*err, "rejected without a reason (byte %zu)", i);
				rejected++;
			}
			otlp_pb_sniff(m, len);
			batch_free(&b);
		}
		batch_t b = {0};
		char err[256] = "";
		otlp_pb_parse((const uint8_t *)pb, i, &b, err, sizeof err);
		batch_free(&b);
	}
	ck_assert_uint_gt(rejected, 0);
	free(m);
	free(pb);
}
END_TEST

/* ---- logs, and values of every kind ------------------------------------- */

START_TEST(pb_logs_told_from_traces)
{
	/* A log record with neither time nor ids: its fields say nothing a span
	 * could not also hold, and it is still read as a log record. */
	sbuf rec = SBUF_INIT, body = SBUF_INIT, sl = SBUF_INIT, rl = SBUF_INIT, req = SBUF_INIT;
	w_str(&rec, 3, "INFO"); /* severity_text */
	w_str(&body, 1, "hello");
	w_sub(&rec, 5, &body); /* body */
	w_sub(&sl, 2, &rec);
	w_sub(&rl, 2, &sl);
	w_sub(&req, 1, &rl);
	char err[256] = "";
	cJSON *j = otlp_pb_to_json((const uint8_t *)req.p, req.len, err, sizeof err);
	ck_assert_msg(j != NULL, "%s", err);
	char *s = cJSON_PrintUnformatted(j);
	ck_assert_str_eq(s, "{\"resourceLogs\":[{\"resource\":{},\"scopeLogs\":[{\"logRecords\":[{\"severityText\":\"INFO\","
			    "\"body\":{\"stringValue\":\"hello\"}}]}]}]}");
	free(s);
	cJSON_Delete(j);
	sb_free(&req);

	/* A GenAI log event, with its time as fixed64 field 1. */
	sbuf r2 = SBUF_INIT, sl2 = SBUF_INIT, rl2 = SBUF_INIT, req2 = SBUF_INIT, b2 = SBUF_INIT;
	w_fixed64(&r2, 1, T0);
	w_str(&b2, 1, "Say this is a test");
	w_sub(&r2, 5, &b2);
	w_attr_str(&r2, 6, "event.name", "gen_ai.user.message");
	w_bytes(&r2, 9, TRACE_ID, 16);
	w_bytes(&r2, 10, SPAN_ID, 8);
	w_sub(&sl2, 2, &r2);
	w_sub(&rl2, 2, &sl2);
	w_sub(&req2, 1, &rl2);
	batch_t b = {0};
	ck_assert_msg(otlp_pb_parse((const uint8_t *)req2.p, req2.len, &b, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(b.nev, 1);
	ck_assert_int_eq(b.events[0].ts_ns, (int64_t)T0);
	ck_assert_str_eq(b.events[0].name, "gen_ai.user.message");
	ck_assert_str_eq(b.events[0].body, "{\"content\":\"Say this is a test\"}");
	batch_free(&b);
	sb_free(&req2);
}
END_TEST

START_TEST(pb_values_of_every_kind)
{
	cJSON *req = cJSON_Parse(
	    "{\"resourceSpans\":[{\"resource\":{},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
	    "\"spanId\":\"00f067aa0ba902b7\",\"attributes\":["
	    "{\"key\":\"i\",\"value\":{\"intValue\":\"-9007199254740993\"}},"
	    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.5}},"
	    "{\"key\":\"nan\",\"value\":{\"doubleValue\":\"NaN\"}},"
	    "{\"key\":\"inf\",\"value\":{\"doubleValue\":\"-Infinity\"}},"
	    "{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
	    "{\"key\":\"raw\",\"value\":{\"bytesValue\":\"AAEC/w==\"}},"
	    "{\"key\":\"arr\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"x\"},{\"intValue\":\"2\"}]}}},"
	    "{\"key\":\"kv\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":{\"boolValue\":false}}]}}},"
	    "{\"key\":\"empty\",\"value\":{}},"
	    "{\"key\":\"bad\",\"value\":{\"stringValue\":\"a\\u00ffb\"}}]}]}]}]}");
	ck_assert_ptr_nonnull(req);
	size_t len;
	uint8_t *msg = otlp_encode_json(req, &len);
	cJSON_Delete(req);
	/* Put a byte that is not UTF-8 where the encoder wrote "\xc3\xbf". */
	uint8_t *bad = memmem(msg, len, "a\xc3\xbf" "b", 4);
	ck_assert_ptr_nonnull(bad);
	bad[1] = 0xff;
	bad[2] = 'x';
	char err[256] = "";
	cJSON *j = otlp_pb_to_json(msg, len, err, sizeof err);
	ck_assert_msg(j != NULL, "%s", err);
	const cJSON *sp = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "resourceSpans"), 0),
									  "scopeSpans"),
						   0),
				"spans"),
	    0);
	char *s = cJSON_PrintUnformatted(cJSON_GetObjectItem(sp, "attributes"));
	ck_assert_str_eq(s, "[{\"key\":\"i\",\"value\":{\"intValue\":\"-9007199254740993\"}},"
			    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.5}},"
			    "{\"key\":\"nan\",\"value\":{\"doubleValue\":\"NaN\"}},"
			    "{\"key\":\"inf\",\"value\":{\"doubleValue\":\"-Infinity\"}},"
			    "{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
			    "{\"key\":\"raw\",\"value\":{\"bytesValue\":\"AAEC/w==\"}},"
			    "{\"key\":\"arr\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"x\"},{\"intValue\":\"2\"}]}}},"
			    "{\"key\":\"kv\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":{\"boolValue\":false}}]}}},"
			    "{\"key\":\"empty\",\"value\":{}},"
			    "{\"key\":\"bad\",\"value\":{\"stringValue\":\"a\xef\xbf\xbdxb\"}}]");
	free(s);
	cJSON_Delete(j);
	free(msg);
}
END_TEST

Suite *suite_otlp_pb(void)
{
	Suite *s = suite_create("otlp_pb");
	TCase *t = tcase_create("otlp_pb");
	tcase_add_test(t, pb_hand_encoded_span);
	tcase_add_test(t, pb_twins_of_the_corpus);
	tcase_add_test(t, pb_framings_detected);
	tcase_add_test(t, pb_never_taken_for_text);
	tcase_add_test(t, pb_bad_messages_say_why);
	tcase_add_test(t, pb_mutations_are_survived);
	tcase_add_test(t, pb_logs_told_from_traces);
	tcase_add_test(t, pb_values_of_every_kind);
	suite_add_tcase(s, t);
	return s;
}
