/* Importers: the JSONL record, OTLP (every file of the corpus), llm logs.db. */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <unistd.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../core/genai.h"
#include "../../core/sanitize.h"
#include "../../data/import.h"
#include "../../data/store.h"
#include "t.h"

/* ---- JSONL ------------------------------------------------------------- */

static const char FULL[] =
    "{\"ts\":\"2026-11-20T10:11:12.345Z\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
    "\"provider\":\"OpenAI\",\"model\":\"gpt-4o-mini-2024-07-18\",\"prompt_name\":\"support-answer\",\"prompt_version\":7,"
    "\"variables\":{\"customer\":\"Ann\"},\"input_tokens\":1200,\"cached_tokens\":300,\"output_tokens\":250,"
    "\"latency_ms\":1234.5,\"ttft_ms\":300,\"status\":\"error\",\"error_type\":\"RateLimitError\",\"feature\":\"checkout\","
    "\"user_id\":\"u-1\",\"cost_usd\":0.00123,\"input\":[{\"role\":\"system\",\"content\":\"Be \\\"brief\\\"\\n\"},"
    "{\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00\"}],\"output\":\"ok\",\"region\":\"eu\",\"tags\":[1,2]}";

START_TEST(jsonl_full_record)
{
	batch_t b = {0};
	char err[256] = "";
	ck_assert_msg(jsonl_parse_line(FULL, strlen(FULL), &b, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 1);
	call_t *c = &b.calls[0];
	int64_t ts;
	clock_parse_time("2026-11-20T10:11:12.345Z", &ts);
	ck_assert_int_eq(c->ts_ns, ts);
	ck_assert_uint_eq(c->trace_len, 16);
	ck_assert_uint_eq(c->span_len, 8);
	ck_assert_int_eq(c->span_id[0], 0x00);
	ck_assert_int_eq(c->span_id[7], 0xb7);
	ck_assert_str_eq(c->provider, "openai");
	ck_assert_str_eq(c->model, "gpt-4o-mini-2024-07-18");
	ck_assert_str_eq(c->prompt_version, "7");
	ck_assert_str_eq(c->variables, "{\"customer\":\"Ann\"}");
	ck_assert_int_eq(c->input_tokens, 1200);
	ck_assert_int_eq(c->cached_tokens, 300);
	ck_assert_int_eq(c->output_tokens, 250);
	ck_assert_double_eq(c->latency_ms, 1234.5);
	ck_assert_double_eq(c->ttft_ms, 300);
	ck_assert_int_eq(c->is_error, 1);
	ck_assert_str_eq(c->error_type, "rate_limit");
	ck_assert_int_eq(c->has_cost, 1);
	ck_assert_int_eq(c->cost_nusd, 1230000);
	ck_assert_ptr_nonnull(strstr(c->input, "\"role\":\"user\""));
	ck_assert_str_eq(c->output, "ok");
	ck_assert_ptr_nonnull(strstr(c->attrs, "\"region\":\"eu\""));
	ck_assert_ptr_nonnull(strstr(c->attrs, "\"tags\":[1,2]"));
	batch_free(&b);
}
END_TEST

static void expect_reject(const char *line, const char *reason)
{
	batch_t b = {0};
	char err[256] = "";
	ck_assert_msg(jsonl_parse_line(line, strlen(line), &b, err, sizeof err) == -1, "accepted: %s", line);
	ck_assert_msg(strstr(err, reason) != NULL, "for %s: wanted '%s', got '%s'", line, reason, err);
	ck_assert_uint_eq(b.n, 0);
	batch_free(&b);
}

START_TEST(jsonl_rejections_say_why)
{
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\"", "truncated");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",}", "malformed JSON at column 42");
	expect_reject("[1,2,3]", "expected a JSON object, got an array");
	expect_reject("\"just a string\"", "got a string");
	expect_reject("{\"ts\":true,\"model\":\"x\"}", "ts: expected an RFC 3339 string or Unix time, got a boolean");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"input_tokens\":\"12\"}", "input_tokens: expected a whole number");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"input_tokens\":-3}", "input_tokens");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"latency_ms\":[1]}", "latency_ms: expected a number");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\"}", "missing field \"model\"");
	expect_reject("{\"model\":\"x\"}", "missing field \"ts\"");
	expect_reject("{\"ts\":\"next tuesday\",\"model\":\"x\"}", "is not an RFC 3339 time");
	expect_reject("{\"ts\":-5,\"model\":\"x\"}", "ts: -5 is not a Unix time");
	expect_reject("{\"ts\":1e300,\"model\":\"x\"}", "is not a Unix time");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"status\":\"fine\"}", "status: expected");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"span_id\":\"zz-top\"}", "span_id: 'zz-top' is not hex");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"input\":{\"role\":\"user\"}}", "input: expected an array");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"input\":[{\"content\":\"no role\"}]}",
		      "input: expected an array of {\"role\", \"content\"} messages");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"input_tokens\":5,\"cached_tokens\":9}",
		      "cached_tokens (9) exceeds input_tokens (5)");
	expect_reject("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data");
	expect_reject("{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\xff\"}", "invalid UTF-8 at column 40");
}
END_TEST

/* The fast path must agree with cJSON on every line: same verdict, same
 * fields. Lines are mutated at random (deleted, duplicated and replaced
 * bytes, chopped ends) to reach the odd corners of JSON. */
static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void compare_paths(const char *line, size_t len)
{
	batch_t fast = {0}, slow = {0};
	char e1[256], e2[256];
	int r1 = jsonl_parse_line(line, len, &fast, e1, sizeof e1);
	int r2 = jsonl_parse_slow(line, len, &slow, e2, sizeof e2);
	ck_assert_msg(r1 == r2, "verdicts differ (%d vs %d) on: %.*s", r1, r2, (int)len, line);
	if (r1 == 0) {
		call_t *a = &fast.calls[0], *b = &slow.calls[0];
		ck_assert_int_eq(a->ts_ns, b->ts_ns);
		ck_assert(same_str(a->model, b->model));
		ck_assert(same_str(a->provider, b->provider));
		ck_assert(same_str(a->output, b->output));
		ck_assert(same_str(a->prompt_version, b->prompt_version));
		ck_assert(same_str(a->error_type, b->error_type));
		ck_assert_int_eq(a->input_tokens, b->input_tokens);
		ck_assert_int_eq(a->cached_tokens, b->cached_tokens);
		ck_assert_int_eq(a->output_tokens, b->output_tokens);
		ck_assert_int_eq(a->is_error, b->is_error);
		ck_assert_int_eq(a->cost_nusd, b->cost_nusd);
		ck_assert_int_eq(a->trace_len, b->trace_len);
		ck_assert_int_eq(memcmp(a->trace_id, b->trace_id, a->trace_len), 0);
		ck_assert_int_eq(memcmp(a->span_id, b->span_id, a->span_len), 0);
		/* The fast path keeps the input's text as written; same content. */
		cJSON *ja = a->input ? cJSON_Parse(a->input) : NULL, *jb = b->input ? cJSON_Parse(b->input) : NULL;
		ck_assert(cJSON_Compare(ja, jb, 1) || (!ja && !jb));
		cJSON_Delete(ja);
		cJSON_Delete(jb);
	}
	batch_free(&fast);
	batch_free(&slow);
}

START_TEST(jsonl_fast_path_agrees_with_cjson)
{
	uint64_t r = 99;
	char buf[2048];
	size_t base = strlen(FULL);
	compare_paths(FULL, base);
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, FULL, base);
		size_t n = base;
		int edits = 1 + (int)(i % 3);
		for (int e = 0; e < edits; e++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t at = (size_t)(r >> 33) % n;
			int kind = (int)(r >> 20) % 5;
			static const char alphabet[] = "{}[]\":,\\ 0123456789.-eE+tfnulrsabcd\x01\x7f\xc3\xa9";
			if (kind == 0 && n > 1) { /* delete */
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			} else if (kind == 1 && n < sizeof buf - 1) { /* insert */
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = alphabet[(r >> 40) % (sizeof alphabet - 1)];
				n++;
			} else if (kind == 2) { /* replace */
				buf[at] = alphabet[(r >> 40) % (sizeof alphabet - 1)];
			} else if (kind == 3) { /* chop */
				n = at + 1;
			}
		}
		compare_paths(buf, n);
	}
}
END_TEST

/* Values no call can have, and text that would be kept in part, are
 * rejected with the reason, by the fast path and cJSON alike. */
START_TEST(jsonl_hostile_values_rejected)
{
	static const struct {
		const char *line, *reason;
	} cases[] = {
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"cost_usd\":5e9}", "cost_usd: 5000000000 is out of range"},
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"cost_usd\":1e300}", "cost_usd: 1e+300 is out of range"},
	    {"{\"ts\":1,\"model\":\"x\"}", "ts: 1970-01-01T00:00:01Z is out of range"},
	    {"{\"ts\":\"1999-12-31T23:59:59Z\",\"model\":\"x\"}", "ts: 1999-12-31T23:59:59Z is out of range"},
	    {"{\"ts\":\"2199-01-01T00:00:00Z\",\"model\":\"x\"}", "out of range (from 2000-01-01 to a day after now)"},
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"output_tokens\":1000000001}", "output_tokens: 1000000001 is out of range"},
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"latency_ms\":86400001}", "latency_ms: 86400001 is out of range"},
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\"}{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"y\"}",
	     "unexpected text after the record at column 42"},
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\"} junk", "unexpected text after the record at column 43"},
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"output\":\"a\\u0000b\"}", "\\u0000 (a NUL character) at column 53"},
	    {"{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"v\":{\"k\":\"\\\\\\u0000\"}}", "\\u0000 (a NUL character)"},
	    {"{\"ts\":\"\\u001b]0;T\\u0007\",\"model\":\"x\"}", "ts: '" SAN_ESC_MARK "' is not"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		expect_reject(cases[i].line, cases[i].reason);
		compare_paths(cases[i].line, strlen(cases[i].line));
	}
	/* an escaped backslash before u0000 is text, not a NUL; the edges of
	 * every range are accepted */
	const char *fine[] = {
	    "{\"ts\":\"2000-01-01T00:00:00Z\",\"model\":\"x\",\"output\":\"a\\\\u0000b\"}",
	    "{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\",\"cost_usd\":10000,\"input_tokens\":1000000000,\"latency_ms\":86400000}",
	    "{\"ts\":\"2026-01-01T00:00:00Z\",\"model\":\"x\"}  \r",
	};
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
		batch_t b = {0};
		char err[256] = "";
		ck_assert_msg(jsonl_parse_line(fine[i], strlen(fine[i]), &b, err, sizeof err) == 0, "%s: %s", fine[i], err);
		compare_paths(fine[i], strlen(fine[i]));
		batch_free(&b);
	}
}
END_TEST

START_TEST(jsonl_ids_from_the_line_are_stable)
{
	const char *line = "{\"ts\":1767225600,\"model\":\"gpt-4o\"}";
	batch_t b = {0};
	char err[64];
	ck_assert_int_eq(jsonl_parse_line(line, strlen(line), &b, err, sizeof err), 0);
	ck_assert_int_eq(jsonl_parse_line(line, strlen(line), &b, err, sizeof err), 0);
	ck_assert_int_eq(memcmp(b.calls[0].span_id, b.calls[1].span_id, 8), 0);
	ck_assert_str_eq(b.calls[0].provider, "openai"); /* from the model name */
	ck_assert_int_eq(b.calls[0].ts_ns, 1767225600LL * NS_PER_S);
	batch_free(&b);
}
END_TEST

Suite *suite_jsonl(void)
{
	Suite *s = suite_create("jsonl");
	TCase *t = tcase_create("jsonl");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, jsonl_full_record);
	tcase_add_test(t, jsonl_rejections_say_why);
	tcase_add_test(t, jsonl_fast_path_agrees_with_cjson);
	tcase_add_test(t, jsonl_ids_from_the_line_are_stable);
	tcase_add_test(t, jsonl_hostile_values_rejected);
	suite_add_tcase(s, t);
	return s;
}

/* ---- OTLP -------------------------------------------------------------- */

typedef struct want {
	const char *span, *model, *request_model;
	int in, out; /* -1: not reported */
	const char *status, *error_type, *input_has, *output;
} want;

static const want otel_calls[] = {
    {"e481ffc58213bdec", "gpt-4o-mini-2024-07-18", "gpt-4o-mini", 12, 5, "ok", NULL, "Say this is a test", "This is a test."},
    {"d2d090edfe3303b9", "gpt-4-0613", "gpt-4", 12, 5, "ok", NULL, "Say this is a test", "\"This is a test.\""},
    {"b002871e9c036532", "this-model-does-not-exist", NULL, -1, -1, "error", "not_found", "Say this is a test", NULL},
};
static const want traceloop_calls[] = {
    {"b963b6cd2a8ca12e", "gpt-4o-mini-2024-07-18", "gpt-4o-mini", 12, 5, "ok", NULL, "Say this is a test", "This is a test."},
    {"95b94f755dee782b", "gpt-4-0613", "gpt-4", -1, -1, "ok", NULL, "Say this is a test", "\"This is a test.\""},
};
static const want openinference_calls[] = {
    {"5bcaa5d8ef1de298", "gpt-4o-mini-2024-07-18", NULL, 12, 5, "ok", NULL, "Say this is a test", "This is a test."},
    {"8c001de4c14eb075", "gpt-4", NULL, -1, -1, "ok", NULL, "Say this is a test", "\"This is a test.\""},
};

static store_t *fresh_store(char **path)
{
	*path = t_path("store.db");
	store_t *st;
	char err[256];
	ck_assert_msg(store_open(*path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	return st;
}

static import_status import(store_t *st, const char *file, import_result *r)
{
	pricing_t *p = pricing_new();
	FILE *errs = fopen("/dev/null", "w");
	import_opts o = {.format = FMT_AUTO, .max_errors_shown = 10, .prices = p, .errs = errs};
	import_status rc = import_path(st, file, &o, r);
	fclose(errs);
	pricing_free(p);
	return rc;
}

static void check_calls(const char *dbpath, const want *w, size_t n)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *s;
		ck_assert_int_eq(sqlite3_prepare_v2(db,
						    "SELECT model, request_model, input_tokens, output_tokens, status, error_type, id,"
						    " provider, latency_ms FROM calls_v WHERE span_id = ?",
						    -1, &s, NULL),
				 SQLITE_OK);
		sqlite3_bind_text(s, 1, w[i].span, -1, SQLITE_STATIC);
		ck_assert_msg(sqlite3_step(s) == SQLITE_ROW, "no call %s", w[i].span);
		ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), w[i].model);
		if (w[i].request_model)
			ck_assert_str_eq((const char *)sqlite3_column_text(s, 1), w[i].request_model);
		if (w[i].in < 0) {
			ck_assert_int_eq(sqlite3_column_type(s, 2), SQLITE_NULL);
		} else {
			ck_assert_int_eq(sqlite3_column_int(s, 2), w[i].in);
			ck_assert_int_eq(sqlite3_column_int(s, 3), w[i].out);
		}
		ck_assert_str_eq((const char *)sqlite3_column_text(s, 4), w[i].status);
		if (w[i].error_type)
			ck_assert_str_eq((const char *)sqlite3_column_text(s, 5), w[i].error_type);
		ck_assert_str_eq((const char *)sqlite3_column_text(s, 7), "openai");
		ck_assert(sqlite3_column_double(s, 8) > 0);
		int64_t id = sqlite3_column_int64(s, 6);
		sqlite3_finalize(s);
		(void)id;
	}
	sqlite3_close(db);
}

static void check_bodies(store_t *st, const want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t id;
		ck_assert_msg(store_find_call(st, w[i].span, &id) == 0, "cannot find %s", w[i].span);
		char *in, *out;
		ck_assert_int_eq(store_call_body(st, id, &in, &out, NULL, NULL), 0);
		ck_assert_msg(in && strstr(in, w[i].input_has), "%s input: %s", w[i].span, in ? in : "(none)");
		if (w[i].output)
			ck_assert_msg(out && !strcmp(out, w[i].output), "%s output: %s", w[i].span, out ? out : "(none)");
		else
			ck_assert_ptr_null(out);
		free(in);
		free(out);
	}
}

START_TEST(otlp_every_corpus_file)
{
	char *path;
	store_t *st = fresh_store(&path);
	import_result r;
	/* The content of the otel instrumentation arrives as log records: import
	 * them before their spans, which must pick them up. */
	ck_assert_int_eq(import(st, CORPUS "otel/generated/otlp_logs_otel.pretty.json", &r), IMPORT_OK);
	ck_assert_uint_eq(r.events, 5);
	ck_assert_uint_eq(r.inserted, 0);
	ck_assert_int_eq(import(st, CORPUS "otel/generated/otlp_traces_otel.jsonl", &r), IMPORT_OK);
	ck_assert_uint_eq(r.inserted, 3);
	ck_assert_uint_eq(r.filled, 3);
	ck_assert_int_eq(import(st, CORPUS "otel/generated/otlp_traces_traceloop.jsonl", &r), IMPORT_OK);
	ck_assert_uint_eq(r.inserted, 2);
	ck_assert_int_eq(import(st, CORPUS "otel/generated/otlp_traces_openinference.jsonl", &r), IMPORT_OK);
	ck_assert_uint_eq(r.inserted, 2);
	ck_assert_uint_eq(r.format, FMT_OTLP);
	/* The same spans laid out as one pretty-printed document: stored once. */
	const char *pretty[] = {"otlp_traces_otel.pretty.json", "otlp_traces_traceloop.pretty.json",
				"otlp_traces_openinference.pretty.json"};
	for (int i = 0; i < 3; i++) {
		char f[256];
		snprintf(f, sizeof f, CORPUS "otel/generated/%s", pretty[i]);
		ck_assert_int_eq(import(st, f, &r), IMPORT_OK);
		ck_assert_uint_eq(r.inserted, 0);
		ck_assert_uint_ge(r.duplicates, 2);
	}
	ck_assert_int_eq(store_call_count(st), 7);
	check_calls(path, otel_calls, 3);
	check_calls(path, traceloop_calls, 2);
	check_calls(path, openinference_calls, 2);
	check_bodies(st, otel_calls, 3);
	check_bodies(st, traceloop_calls, 2);
	check_bodies(st, openinference_calls, 2);
	/* Logs again, after the spans: nothing new, nothing doubled. */
	ck_assert_int_eq(import(st, CORPUS "otel/generated/otlp_logs_otel.pretty.json", &r), IMPORT_OK);
	ck_assert_uint_eq(r.events, 0);
	/* The error's own spelling is kept beside the normalised type. */
	int64_t id;
	ck_assert_int_eq(store_find_call(st, "b002871e9c036532", &id), 0);
	char *attrs;
	store_call_body(st, id, NULL, NULL, NULL, &attrs);
	ck_assert_ptr_nonnull(strstr(attrs, "NotFoundError"));
	free(attrs);
	store_close(st);
	free(path);
}
END_TEST

START_TEST(otlp_logs_after_spans)
{
	char *path;
	store_t *st = fresh_store(&path);
	import_result r;
	ck_assert_int_eq(import(st, CORPUS "otel/generated/otlp_traces_otel.pretty.json", &r), IMPORT_OK);
	ck_assert_uint_eq(r.inserted, 3);
	ck_assert_int_eq(import(st, CORPUS "otel/generated/otlp_logs_otel.pretty.json", &r), IMPORT_OK);
	ck_assert_uint_eq(r.filled, 3);
	check_bodies(st, otel_calls, 3);
	store_close(st);
	free(path);
}
END_TEST

START_TEST(otlp_mapping_details)
{
	/* OpenLLMetry's flattened prompt/completion attributes, an Anthropic
	 * provider spelled "Anthropic", cache reads reported apart from input,
	 * prompt identity from Langfuse, a non-LLM span, intValue as string,
	 * numeric times beyond 2^53 read exactly, and status code 2. */
	const char *doc =
	    "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"billing\"}}]},"
	    "\"scopeSpans\":[{\"spans\":["
	    "{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\",\"name\":\"workflow\","
	    "\"startTimeUnixNano\":\"1795423686094000000\",\"endTimeUnixNano\":\"1795423686194000000\","
	    "\"attributes\":[{\"key\":\"traceloop.span.kind\",\"value\":{\"stringValue\":\"workflow\"}}]},"
	    "{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"00f067aa0ba902b7\",\"name\":\"anthropic.chat\","
	    "\"startTimeUnixNano\":1795423686094000123,\"endTimeUnixNano\":1795423688094000123,"
	    "\"attributes\":["
	    "{\"key\":\"llm.request.type\",\"value\":{\"stringValue\":\"chat\"}},"
	    "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"Anthropic\"}},"
	    "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"claude-3-5-sonnet-20240620\"}},"
	    "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"4\"}},"
	    "{\"key\":\"gen_ai.usage.cache_read_input_tokens\",\"value\":{\"intValue\":\"1165\"}},"
	    "{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":\"221\"}},"
	    "{\"key\":\"langfuse.observation.prompt.name\",\"value\":{\"stringValue\":\"invoice-help\"}},"
	    "{\"key\":\"langfuse.observation.prompt.version\",\"value\":{\"intValue\":3}},"
	    "{\"key\":\"traceloop.prompt.template_variables\",\"value\":{\"stringValue\":\"{\\\"customer\\\":\\\"Ann\\\"}\"}},"
	    "{\"key\":\"gen_ai.prompt.0.role\",\"value\":{\"stringValue\":\"system\"}},"
	    "{\"key\":\"gen_ai.prompt.0.content\",\"value\":{\"stringValue\":\"You help with invoices.\"}},"
	    "{\"key\":\"gen_ai.prompt.1.role\",\"value\":{\"stringValue\":\"user\"}},"
	    "{\"key\":\"gen_ai.prompt.1.content\",\"value\":{\"stringValue\":\"Where is invoice 42?\"}},"
	    "{\"key\":\"gen_ai.completion.0.role\",\"value\":{\"stringValue\":\"assistant\"}},"
	    "{\"key\":\"gen_ai.completion.0.content\",\"value\":{\"stringValue\":\"It was sent on Monday.\"}},"
	    "{\"key\":\"error.type\",\"value\":{\"stringValue\":\"overloaded_error\"}},"
	    "{\"key\":\"custom.flag\",\"value\":{\"boolValue\":true}}],"
	    "\"status\":{\"code\":2,\"message\":\"Overloaded\"}}]}]}]}";
	batch_t b = {0};
	char err[256] = "";
	ck_assert_msg(otlp_parse_doc(doc, strlen(doc), &b, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 1);
	/* the other span is kept as a step of the trace, not as a call */
	ck_assert_uint_eq(b.nspans, 2);
	ck_assert_int_eq(b.spans[b.calls[0].span].call, 0);
	call_t *c = &b.calls[0];
	ck_assert_int_eq(c->ts_ns, 1795423686094000123LL); /* exact, not through a double */
	ck_assert_double_eq(c->latency_ms, 2000);
	ck_assert_str_eq(c->provider, "anthropic");
	ck_assert_str_eq(c->model, "claude-3-5-sonnet-20240620");
	ck_assert_int_eq(c->input_tokens, 4 + 1165); /* all billed input, cache reads included */
	ck_assert_int_eq(c->cached_tokens, 1165);
	ck_assert_int_eq(c->output_tokens, 221);
	ck_assert_str_eq(c->prompt_name, "invoice-help");
	ck_assert_str_eq(c->prompt_version, "3");
	ck_assert_str_eq(c->variables, "{\"customer\":\"Ann\"}");
	/* the service is the feature of last resort, once the trace is put together */
	ck_assert_ptr_null(c->feature);
	ck_assert_str_eq(b.spans[c->span].service, "billing");
	ck_assert_int_eq(c->is_error, 1);
	ck_assert_str_eq(c->error_type, "overloaded");
	ck_assert_str_eq(c->error_message, "Overloaded");
	ck_assert_ptr_nonnull(strstr(c->input, "You help with invoices."));
	ck_assert_ptr_nonnull(strstr(c->input, "\"role\":\"user\",\"content\":\"Where is invoice 42?\""));
	ck_assert_str_eq(c->output, "It was sent on Monday.");
	ck_assert_ptr_nonnull(strstr(c->attrs, "\"custom.flag\":true"));
	ck_assert_ptr_null(strstr(c->attrs, "gen_ai.prompt.0"));
	batch_free(&b);
}
END_TEST

START_TEST(otlp_bad_documents)
{
	batch_t b = {0};
	char err[256];
	ck_assert_int_eq(otlp_parse_doc("{\"foo\":1}", 9, &b, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an OTLP/JSON request"));
	const char *noid = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"chat x\",\"startTimeUnixNano\":\"1\","
			   "\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}}]}]}]}]}";
	ck_assert_int_eq(otlp_parse_doc(noid, strlen(noid), &b, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "span 1: traceId missing"));
	ck_assert_uint_eq(b.n, 0);
	batch_free(&b);
}
END_TEST

/* The error classes that real libraries give, each decided by the
 * best-founded source. */
START_TEST(otlp_error_classes)
{
	char buf[64];
	int rank;
	/* the HTTP status first, even under an SDK's exception class */
	ck_assert_str_eq(call_classify_error(404, "AI_APICallError", "Not Found", buf, sizeof buf, &rank), "not_found");
	ck_assert_int_eq(rank, ERR_RANK_STATUS);
	ck_assert_str_eq(call_classify_error(529, "AI_APICallError", NULL, buf, sizeof buf, &rank), "overloaded");
	/* a plain 400 says less than a provider's message */
	ck_assert_str_eq(call_classify_error(400, "invalid_request_error", NULL, buf, sizeof buf, &rank), "bad_request");
	ck_assert_int_eq(rank, ERR_RANK_GENERIC_STATUS);
	ck_assert_str_eq(call_classify_error(400, NULL, "prompt is too long: 210012 tokens > 200000 maximum", buf,
					     sizeof buf, &rank),
			 "context_length");
	/* Traceloop: exception.type=Error, the body in the message */
	ck_assert_str_eq(call_classify_error(0, "Error", "529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}",
					     buf, sizeof buf, &rank),
			 "overloaded");
	ck_assert_int_eq(rank, ERR_RANK_MESSAGE);
	ck_assert_str_eq(call_classify_error(0, "Error", "Error: 404 The model `x` does not exist", buf, sizeof buf, &rank),
			 "not_found");
	ck_assert_str_eq(call_classify_error(0, "overloaded_error", NULL, buf, sizeof buf, &rank), "overloaded");
	/* the class alone, last */
	ck_assert_str_eq(call_classify_error(0, "RateLimitError", NULL, buf, sizeof buf, &rank), "rate_limit");
	ck_assert_int_eq(rank, ERR_RANK_CLASS);
	ck_assert_ptr_null(call_classify_error(0, NULL, NULL, buf, sizeof buf, &rank));
	/* the Vercel AI SDK names the API with the provider */
	ck_assert_str_eq(call_norm_provider("openai.chat"), "openai");
	ck_assert_str_eq(call_norm_provider("anthropic.messages"), "anthropic");
	ck_assert_str_eq(call_norm_provider("azure.ai.openai"), "azure");
	ck_assert_ptr_null(call_norm_provider("acme.llm"));
}
END_TEST

/* Thinking is kept apart from the answer, whatever shape the output has. */
START_TEST(otlp_thinking_apart)
{
	static const char *const outputs[] = {
	    /* GenAI parts */
	    "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"reasoning\",\"content\":\"count the r\"},"
	    "{\"type\":\"text\",\"content\":\"Three.\"}]}]",
	    /* Anthropic content blocks */
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"count the r\"},"
	    "{\"type\":\"text\",\"text\":\"Three.\"}]}",
	};
	for (size_t i = 0; i < sizeof outputs / sizeof *outputs; i++) {
		cJSON *j = cJSON_Parse(outputs[i]);
		char *answer = genai_output_text(j), *thinking = genai_output_thinking(j);
		ck_assert_str_eq(answer, "Three.");
		ck_assert_str_eq(thinking, "count the r");
		free(answer);
		free(thinking);
		cJSON_Delete(j);
	}
	cJSON *plain = cJSON_Parse("{\"role\":\"assistant\",\"content\":\"Three.\"}");
	ck_assert_ptr_null(genai_output_thinking(plain));
	cJSON_Delete(plain);
}
END_TEST

Suite *suite_otlp(void)
{
	Suite *s = suite_create("otlp");
	TCase *t = tcase_create("otlp");
	tcase_add_test(t, otlp_every_corpus_file);
	tcase_add_test(t, otlp_logs_after_spans);
	tcase_add_test(t, otlp_mapping_details);
	tcase_add_test(t, otlp_bad_documents);
	tcase_add_test(t, otlp_error_classes);
	tcase_add_test(t, otlp_thinking_apart);
	suite_add_tcase(s, t);
	return s;
}

/* ---- llm logs.db ------------------------------------------------------- */

static void sql(sqlite3 *db, const char *q)
{
	char *msg = NULL;
	ck_assert_msg(sqlite3_exec(db, q, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", q, msg ? msg : "");
}

START_TEST(llmdb_generation_1)
{
	char *db_path = t_path("logs.db");
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cp " CORPUS "llm_logsdb/logs_empty_llm_0.31.1.db %s", db_path);
	ck_assert_int_eq(system(cmd), 0);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	sql(db, "INSERT INTO conversations VALUES('01jm8ec74wxsdatyn5pq1fp0s4','chat','gpt-4o-mini')");
	sql(db, "INSERT INTO responses(id, model, prompt, system, response, conversation_id, duration_ms, datetime_utc,"
		" input_tokens, output_tokens, token_details, options_json) VALUES"
		"('01jm8ec74wxsdatyn5pq1fp0s5','gpt-4o-mini','Summarise: the meeting','You are terse.','Done.',"
		"'01jm8ec74wxsdatyn5pq1fp0s4',812,'2026-01-05T10:12:33.120551+00:00',412,57,"
		"'{\"prompt_tokens_details\": {\"cached_tokens\": 256}}','{\"temperature\": 0.2}'),"
		"('01jm8ec74wxsdatyn5pq1fp0s6','anthropic/claude-3-haiku-20240307','Hi',NULL,'Hello!',NULL,300,"
		"'2023-07-12 06:16:24.447785',10,3,'{\"cache_read_input_tokens\": 100, \"cache_creation_input_tokens\": 20}',NULL)");
	sql(db, "INSERT INTO tools(id, name) VALUES(1, 'lookup')");
	sql(db, "INSERT INTO tool_calls(response_id, tool_id, name, arguments) VALUES('01jm8ec74wxsdatyn5pq1fp0s5', 1, 'lookup', '{\"q\": 1}')");
	sqlite3_close(db);

	char *path;
	store_t *st = fresh_store(&path);
	import_result r;
	ck_assert_int_eq(import(st, db_path, &r), IMPORT_OK);
	ck_assert_uint_eq(r.format, FMT_LLM);
	ck_assert_uint_eq(r.inserted, 2);
	/* Read-only: importing again stores nothing new. */
	ck_assert_int_eq(import(st, db_path, &r), IMPORT_OK);
	ck_assert_uint_eq(r.duplicates, 2);

	sqlite3 *s;
	sqlite3_open(path, &s);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(s, "SELECT model, provider, input_tokens, cached_tokens, output_tokens, latency_ms, input, output"
			      " FROM calls_v ORDER BY ts", -1, &q, NULL);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	/* 2023: the old row without a time zone, and Anthropic's uncached input. */
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "claude-3-haiku-20240307");
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 1), "anthropic");
	ck_assert_int_eq(sqlite3_column_int(q, 2), 10 + 100 + 20);
	ck_assert_int_eq(sqlite3_column_int(q, 3), 100);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "gpt-4o-mini");
	ck_assert_int_eq(sqlite3_column_int(q, 2), 412);
	ck_assert_int_eq(sqlite3_column_int(q, 3), 256);
	ck_assert_int_eq(sqlite3_column_int(q, 4), 57);
	ck_assert_double_eq(sqlite3_column_double(q, 5), 812);
	ck_assert_ptr_nonnull(strstr((const char *)sqlite3_column_text(q, 6), "You are terse."));
	ck_assert_ptr_nonnull(strstr((const char *)sqlite3_column_text(q, 6), "Summarise: the meeting"));
	ck_assert_ptr_nonnull(strstr((const char *)sqlite3_column_text(q, 7), "Done."));
	ck_assert_ptr_nonnull(strstr((const char *)sqlite3_column_text(q, 7), "[tool call] lookup({\"q\": 1})"));
	sqlite3_finalize(q);
	sqlite3_close(s);
	store_close(st);
	free(path);
	free(db_path);
}
END_TEST

START_TEST(llmdb_generation_2)
{
	char *db_path = t_path("logs32.db");
	size_t len;
	char *schema = t_read(CORPUS "llm_logsdb/schema_llm_0.32_from_docs_logging_md.sql", &len);
	ck_assert_ptr_nonnull(schema);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	sql(db, schema);
	free(schema);
	/* A thread: system, user, assistant; one turn whose reply is the last. */
	sql(db, "INSERT INTO messages VALUES('b2:01','' ,'system',NULL)");
	sql(db, "UPDATE messages SET parent_hash = NULL WHERE hash = 'b2:01'");
	sql(db, "INSERT INTO messages VALUES('b2:02','b2:01','user',NULL), ('b2:03','b2:02','assistant',NULL)");
	sql(db, "INSERT INTO fragments(id, hash, content) VALUES(1, 'h', 'the quarterly report')");
	sql(db, "INSERT INTO parts(message_hash, position, type, text, payload) VALUES"
		"('b2:01', 0, 'text', 'You summarise.', NULL),"
		"('b2:02', 0, 'text', NULL, '{\"text_ref\":[{\"literal\":\"Summarise \"},{\"fragment\":1}]}'),"
		"('b2:03', 0, 'reasoning', 'thinking...', NULL),"
		"('b2:03', 1, 'text', 'Revenue grew 4%.', NULL)");
	sql(db, "INSERT INTO threads VALUES('01k2w00000000000000000000a','t','b2:03',NULL,'2026-08-04T10:00:00+00:00')");
	sql(db, "INSERT INTO turns(id, thread_id, parent_message_hash, tip_message_hash, model, resolved_model, input_tokens,"
		" output_tokens, duration_ms, datetime_utc) VALUES('01k2x00000000000000000000b','01k2w00000000000000000000a',"
		"'b2:02','b2:03','gpt-5-mini','gpt-5-mini-2025-08-07',120,30,900,'2026-08-04T10:00:01+00:00')");
	sqlite3_close(db);

	char *path;
	store_t *st = fresh_store(&path);
	import_result r;
	ck_assert_int_eq(import(st, db_path, &r), IMPORT_OK);
	ck_assert_uint_eq(r.inserted, 1);
	sqlite3 *s;
	sqlite3_open(path, &s);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(s, "SELECT model, request_model, input, output, input_tokens FROM calls_v", -1, &q, NULL);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "gpt-5-mini-2025-08-07");
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 1), "gpt-5-mini");
	const char *in = (const char *)sqlite3_column_text(q, 2);
	ck_assert_ptr_nonnull(strstr(in, "{\"role\":\"system\",\"content\":\"You summarise.\"}"));
	ck_assert_ptr_nonnull(strstr(in, "Summarise the quarterly report"));
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 3), "Revenue grew 4%.");
	ck_assert_int_eq(sqlite3_column_int(q, 4), 120);
	sqlite3_finalize(q);
	sqlite3_close(s);
	store_close(st);
	free(path);
	free(db_path);
}
END_TEST

START_TEST(llmdb_not_a_logs_db)
{
	char *db_path = t_path("other.db");
	sqlite3 *db;
	sqlite3_open(db_path, &db);
	sql(db, "CREATE TABLE x(a)");
	sqlite3_close(db);
	char *path;
	store_t *st = fresh_store(&path);
	import_result r;
	ck_assert_int_eq(import(st, db_path, &r), IMPORT_FAILED);
	store_close(st);
	free(path);
	free(db_path);
}
END_TEST

Suite *suite_llmdb(void)
{
	Suite *s = suite_create("llmdb");
	TCase *t = tcase_create("llmdb");
	tcase_add_test(t, llmdb_generation_1);
	tcase_add_test(t, llmdb_generation_2);
	tcase_add_test(t, llmdb_not_a_logs_db);
	suite_add_tcase(s, t);
	return s;
}
