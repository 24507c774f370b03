/* One JSONL line through the importer's parser, and the same line through
 * the reference parser (cJSON) that the fast path must agree with: when the
 * fast path takes a line, cJSON takes it too, with the same fields. */
#include <cjson/cJSON.h>
#include <math.h>

#include "../../core/batch.h"
#include "../../data/import.h"
#include "fuzz.h"

static pricing_t *prices;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	prices = pricing_new();
	return 0;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The fast path keeps JSON values as written, cJSON prints them anew: the
 * two agree when they print the same once parsed (cJSON_Compare would take
 * a duplicated key for a difference). */
static int same_json(const char *a, const char *b)
{
	if (same_str(a, b))
		return 1;
	if (!a || !b)
		return 0;
	cJSON *ja = cJSON_Parse(a), *jb = cJSON_Parse(b);
	char *pa = ja ? cJSON_PrintUnformatted(ja) : NULL, *pb = jb ? cJSON_PrintUnformatted(jb) : NULL;
	int same = pa && pb && !strcmp(pa, pb);
	cJSON_free(pa);
	cJSON_free(pb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return same;
}

static int same_num(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

#define SAME(cond, what) FUZZ_CHECK(cond, "fast path and cJSON disagree on %s: %.*s", what, (int)len, line)

static void compare(const char *line, size_t len, const call_t *a, const call_t *b)
{
	SAME(a->ts_ns == b->ts_ns, "ts");
	SAME(a->trace_len == b->trace_len && !memcmp(a->trace_id, b->trace_id, a->trace_len), "trace_id");
	SAME(a->span_len == b->span_len && !memcmp(a->span_id, b->span_id, a->span_len), "span_id");
	SAME(same_str(a->provider, b->provider), "provider");
	SAME(same_str(a->model, b->model), "model");
	SAME(same_str(a->request_model, b->request_model), "request_model");
	SAME(same_str(a->operation, b->operation), "operation");
	SAME(same_str(a->prompt_name, b->prompt_name), "prompt_name");
	SAME(same_str(a->prompt_version, b->prompt_version), "prompt_version");
	SAME(same_str(a->prompt_template, b->prompt_template), "prompt_template");
	SAME(same_str(a->feature, b->feature), "feature");
	SAME(same_str(a->user_id, b->user_id), "user_id");
	SAME(a->input_tokens == b->input_tokens, "input_tokens");
	SAME(a->cached_tokens == b->cached_tokens, "cached_tokens");
	SAME(a->output_tokens == b->output_tokens, "output_tokens");
	SAME(same_num(a->latency_ms, b->latency_ms), "latency_ms");
	SAME(same_num(a->ttft_ms, b->ttft_ms), "ttft_ms");
	SAME(a->is_error == b->is_error, "status");
	SAME(same_str(a->error_type, b->error_type), "error_type");
	SAME(same_str(a->error_message, b->error_message), "error_message");
	SAME(a->has_cost == b->has_cost && a->cost_nusd == b->cost_nusd, "cost_usd");
	SAME(same_json(a->input, b->input), "input");
	SAME(same_str(a->output, b->output), "output");
	SAME(same_json(a->variables, b->variables), "variables");
	SAME(same_json(a->attrs, b->attrs), "the attributes kept");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	size_t len = size;
	batch_t fast = {0}, slow = {0};
	char e1[256] = "", e2[256] = "";
	int r1 = jsonl_parse_line(line, len, &fast, e1, sizeof e1);
	int r2 = jsonl_parse_slow(line, len, &slow, e2, sizeof e2);
	FUZZ_CHECK(r1 == 0 || r1 == -1, "odd return %d", r1);
	if (r1 == 0) {
		FUZZ_CHECK(fast.n == 1, "%zu calls from one line", fast.n);
		FUZZ_CHECK(r2 == 0, "the fast path took a line cJSON rejects (%s): %.*s", e2, (int)len, line);
		compare(line, len, &fast.calls[0], &slow.calls[0]);
		fuzz_touch_call(&fast.calls[0]);
		/* What the importer does next: costs, dimensions, rollups. */
		batch_prepare(&fast, prices);
	} else {
		FUZZ_CHECK(fast.n == 0, "a rejected line left %zu calls", fast.n);
		fuzz_check_err(e1, sizeof e1);
	}
	batch_free(&fast);
	batch_free(&slow);
	return 0;
}
