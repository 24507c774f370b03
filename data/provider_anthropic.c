/* Anthropic: the Messages API for replay, the Admin API's usage and cost
 * reports for billed spend. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "provider_internal.h"

/* ---- chat -------------------------------------------------------------- */

/* System/developer messages leave the list for the top-level `system`;
 * max_tokens is the recorded one or 4096; streamed. */
static int anthropic_build(const char *input, const char *system, const char *model, const char *attrs, sbuf *body,
			   char *err, size_t errlen)
{
	cJSON *msgs = chat_messages(input, err, errlen);
	if (!msgs)
		return -1;
	for (int i = cJSON_GetArraySize(msgs) - 1; i >= 0; i--)
		if (chat_is_system(cJSON_GetArrayItem(msgs, i)))
			cJSON_DeleteItemFromArray(msgs, i);
	if (cJSON_GetArraySize(msgs) == 0) {
		cJSON_Delete(msgs);
		snprintf(err, errlen, "the call recorded only a system prompt: no user message to replay");
		return -1;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", model);
	double mt, t;
	chat_recorded(attrs, &mt, &t);
	cJSON_AddNumberToObject(root, "max_tokens", mt > 0 ? mt : 4096);
	cJSON_AddStringToObject(root, "system", system);
	cJSON_AddItemToObject(root, "messages", msgs);
	if (t >= 0)
		cJSON_AddNumberToObject(root, "temperature", t);
	cJSON_AddBoolToObject(root, "stream", 1);
	chat_finish_body(root, body);
	return 0;
}

static void anthropic_usage(chat_result *r, const cJSON *u)
{
	if (!cJSON_IsObject(u))
		return;
	int64_t in = chat_count(u, "input_tokens"), cr = chat_count(u, "cache_read_input_tokens"),
		cw = chat_count(u, "cache_creation_input_tokens"), out = chat_count(u, "output_tokens");
	if (in >= 0) /* input as llmops counts it: uncached + cache writes + cache reads */
		r->input_tokens = in + (cr > 0 ? cr : 0) + (cw > 0 ? cw : 0);
	if (in >= 0 || cr >= 0)
		r->cached_tokens = cr > 0 ? cr : 0;
	if (out >= 0)
		r->output_tokens = out; /* message_delta's count is the final total */
}

static void anthropic_block(chat_result *r, const cJSON *b)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "type");
	if (!cJSON_IsString(t))
		return;
	if (!strcmp(t->valuestring, "text")) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(b, "text");
		if (cJSON_IsString(x))
			sb_adds(&r->text, x->valuestring);
	} else if (!strcmp(t->valuestring, "tool_use")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "name");
		chat_tool_call(r, cJSON_IsString(n) ? n->valuestring : "?");
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(b, "input");
		if (cJSON_IsObject(in) && cJSON_GetArraySize(in) > 0) {
			char *s = cJSON_PrintUnformatted(in);
			sb_adds(&r->text, s ? s : "");
			cJSON_free(s);
		}
	} else if (!strcmp(t->valuestring, "thinking")) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(b, "thinking");
		if (cJSON_IsString(x))
			sb_adds(&r->thinking, x->valuestring);
	}
}

static void anthropic_event(chat_result *r, const char *event, const char *data, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(data, len);
	if (!j)
		return;
	const cJSON *tj = cJSON_GetObjectItemCaseSensitive(j, "type");
	const char *type = cJSON_IsString(tj) ? tj->valuestring : event;
	if (!strcmp(type, "error") || !strcmp(event, "error")) {
		chat_error_object(r, j, 0);
	} else if (!strcmp(type, "message_start")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
		chat_set_str(r->model, sizeof r->model, cJSON_GetObjectItemCaseSensitive(m, "model"));
		anthropic_usage(r, cJSON_GetObjectItemCaseSensitive(m, "usage"));
		r->started = 1;
	} else if (!strcmp(type, "content_block_start")) {
		anthropic_block(r, cJSON_GetObjectItemCaseSensitive(j, "content_block"));
	} else if (!strcmp(type, "content_block_delta")) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "delta");
		const cJSON *dt = cJSON_GetObjectItemCaseSensitive(d, "type");
		const char *k = cJSON_IsString(dt) ? dt->valuestring : "";
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(
		    d, !strcmp(k, "text_delta") ? "text" : !strcmp(k, "thinking_delta") ? "thinking" : "partial_json");
		if (cJSON_IsString(x))
			sb_adds(!strcmp(k, "thinking_delta") ? &r->thinking : &r->text, x->valuestring);
	} else if (!strcmp(type, "message_delta")) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "delta");
		chat_set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(d, "stop_reason"));
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
		int64_t out = chat_count(u, "output_tokens");
		if (out >= 0)
			r->output_tokens = out;
	} else if (!strcmp(type, "message_stop")) {
		r->finished = 1;
	}
	cJSON_Delete(j);
}

static void anthropic_body(chat_result *r, const char *body, size_t len, long status)
{
	cJSON *j = chat_whole_body(r, body, len, status);
	if (!j)
		return;
	const cJSON *b;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(j, "content")) anthropic_block(r, b);
	chat_set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(j, "stop_reason"));
	anthropic_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	cJSON_Delete(j);
}

/* ---- usage and cost reports -------------------------------------------- */

static int anthropic_usage_row(usage_pctx *c, const cJSON *r, usage_row *o, const char *where)
{
	int64_t uncached, w5 = 0, w1h = 0;
	if (usage_tokens(c, r, "uncached_input_tokens", -1, &uncached, where) ||
	    usage_tokens(c, r, "output_tokens", -1, &o->output_tokens, where) ||
	    usage_tokens(c, r, "cache_read_input_tokens", 0, &o->cached_tokens, where))
		return -1;
	const cJSON *cc = cJSON_GetObjectItemCaseSensitive(r, "cache_creation");
	if (cc && !cJSON_IsNull(cc)) {
		if (!cJSON_IsObject(cc))
			return usage_bad(c, "%s.cache_creation is not an object", where);
		char w[160];
		snprintf(w, sizeof w, "%s.cache_creation", where);
		if (usage_tokens(c, cc, "ephemeral_5m_input_tokens", 0, &w5, w) ||
		    usage_tokens(c, cc, "ephemeral_1h_input_tokens", 0, &w1h, w))
			return -1;
	}
	/* As the README says: input is everything billed as input, cache writes and
	 * reads included; cached is the reads. */
	o->cache_write_tokens = w5 + w1h;
	o->input_tokens = uncached + o->cache_write_tokens + o->cached_tokens;
	o->requests = -1; /* the usage report has no request count */
	o->model = usage_row_model(r);
	return 0;
}

/* The amount is a decimal string of cents. */
static int anthropic_cost_row(usage_pctx *c, const cJSON *r, int64_t *nusd, const char *where)
{
	if (!usage_is_usd(cJSON_GetObjectItemCaseSensitive(r, "currency")))
		return usage_bad(c, "%s is not in USD", where);
	char w[160];
	snprintf(w, sizeof w, "%s.amount", where);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "amount");
	if (!v)
		return usage_bad(c, "%s is missing", w);
	return usage_amount(c, v, 7, nusd, w); /* cents: 1 cent = 10^7 nano-dollars */
}

static const char *const anthropic_headers[] = {"anthropic-version: 2023-06-01", NULL};

const provider_ops provider_anthropic = {
    .name = "anthropic",
    .api = "Anthropic Messages",
    .key_env = {"ANTHROPIC_API_KEY", "ANTHROPIC_ADMIN_KEY"},
    .base_env = "ANTHROPIC_BASE_URL",
    .default_base = "https://api.anthropic.com",
    .auth_prefix = "x-api-key: ",
    .headers = anthropic_headers,
    .chat_path = "/v1/messages",
    .chat_build = anthropic_build,
    .chat_event = anthropic_event,
    .chat_body = anthropic_body,
    .usage_path = "/v1/organizations/usage_report/messages",
    .cost_path = "/v1/organizations/cost_report",
    .time_from = "starting_at",
    .time_to = "ending_at",
    .rfc3339 = 1,
    .cost_max_limit = 31,
    .usage_row = anthropic_usage_row,
    .cost_row = anthropic_cost_row,
};
