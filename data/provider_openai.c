/* OpenAI, and every gateway that speaks its API (type=openai with a
 * base_url): Chat Completions for replay, the organization's usage and
 * costs endpoints for billed spend. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "provider_internal.h"

/* ---- chat -------------------------------------------------------------- */

/* The first system/developer message gets the new text (one is put first
 * when there was none), every other message stays as it was; streamed,
 * with usage. */
static int openai_build(const char *input, const char *system, const char *model, const char *attrs, sbuf *body,
			char *err, size_t errlen)
{
	cJSON *msgs = chat_messages(input, err, errlen);
	if (!msgs)
		return -1;
	int replaced = 0;
	cJSON *m;
	cJSON_ArrayForEach(m, msgs)
	{
		if (chat_is_system(m)) {
			cJSON_ReplaceItemInObjectCaseSensitive(m, "content", cJSON_CreateString(system));
			replaced = 1;
			break;
		}
	}
	if (!replaced) {
		cJSON *sys = cJSON_CreateObject();
		cJSON_AddStringToObject(sys, "role", "system");
		cJSON_AddStringToObject(sys, "content", system);
		cJSON_InsertItemInArray(msgs, 0, sys);
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", model);
	cJSON_AddItemToObject(root, "messages", msgs);
	double mt, t;
	chat_recorded(attrs, &mt, &t);
	if (mt > 0)
		cJSON_AddNumberToObject(root, "max_completion_tokens", mt);
	if (t >= 0)
		cJSON_AddNumberToObject(root, "temperature", t);
	cJSON_AddBoolToObject(root, "stream", 1);
	cJSON *so = cJSON_AddObjectToObject(root, "stream_options");
	cJSON_AddBoolToObject(so, "include_usage", 1);
	chat_finish_body(root, body);
	return 0;
}

static void openai_usage(chat_result *r, const cJSON *u)
{
	if (!cJSON_IsObject(u))
		return;
	r->input_tokens = chat_count(u, "prompt_tokens");
	r->output_tokens = chat_count(u, "completion_tokens");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens_details");
	int64_t c = chat_count(d, "cached_tokens");
	r->cached_tokens = c >= 0 ? c : 0;
}

static void openai_tool(chat_result *r, const cJSON *tc)
{
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(tc, "index");
	int i = cJSON_IsNumber(idx) ? idx->valueint : 0;
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
	if (i != r->tool_open || cJSON_IsString(name)) {
		chat_tool_call(r, cJSON_IsString(name) ? name->valuestring : "?");
		r->tool_open = i;
	}
	if (cJSON_IsString(args))
		sb_adds(&r->text, args->valuestring);
}

static void openai_event(chat_result *r, const char *event, const char *data, size_t len)
{
	(void)event; /* the stream's events are all data */
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		r->finished = 1;
		return;
	}
	cJSON *j = cJSON_ParseWithLength(data, len);
	if (!j)
		return;
	if (chat_error_object(r, j, 0)) {
		cJSON_Delete(j);
		return;
	}
	r->started = 1;
	chat_set_str(r->model, sizeof r->model, cJSON_GetObjectItemCaseSensitive(j, "model"));
	const cJSON *ch;
	cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(j, "choices"))
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(ch, "delta");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(d, "content");
		if (cJSON_IsString(c))
			sb_adds(&r->text, c->valuestring);
		const cJSON *rf = cJSON_GetObjectItemCaseSensitive(d, "refusal");
		if (cJSON_IsString(rf))
			sb_adds(&r->text, rf->valuestring);
		const cJSON *tc;
		cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(d, "tool_calls")) openai_tool(r, tc);
		chat_set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(ch, "finish_reason"));
	}
	openai_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	cJSON_Delete(j);
}

static void openai_body(chat_result *r, const char *body, size_t len, long status)
{
	cJSON *j = chat_whole_body(r, body, len, status);
	if (!j)
		return;
	const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ch, "message");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
	if (cJSON_IsString(c))
		sb_adds(&r->text, c->valuestring);
	const cJSON *tc;
	cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(m, "tool_calls")) openai_tool(r, tc);
	chat_set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(ch, "finish_reason"));
	openai_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	cJSON_Delete(j);
}

/* ---- usage and cost reports -------------------------------------------- */

static int openai_usage_row(usage_pctx *c, const cJSON *r, usage_row *o, const char *where)
{
	if (usage_tokens(c, r, "input_tokens", -1, &o->input_tokens, where) ||
	    usage_tokens(c, r, "output_tokens", -1, &o->output_tokens, where) ||
	    usage_tokens(c, r, "input_cached_tokens", 0, &o->cached_tokens, where) ||
	    usage_tokens(c, r, "input_cache_write_tokens", 0, &o->cache_write_tokens, where))
		return -1;
	/* num_model_requests is required by the spec; a result without it
	 * still has its tokens, so it is kept with the count unknown. */
	if (usage_tokens(c, r, "num_model_requests", 0, &o->requests, where))
		return -1;
	if (!cJSON_GetObjectItemCaseSensitive(r, "num_model_requests"))
		o->requests = -1;
	/* input_tokens already holds cached and cache-write tokens. */
	if (o->cached_tokens > o->input_tokens)
		return usage_bad(c, "%s: more cached tokens than input tokens", where);
	o->model = usage_row_model(r);
	return 0;
}

/* amount.value is read as a number or a numeric string (both seen live). */
static int openai_cost_row(usage_pctx *c, const cJSON *r, int64_t *nusd, const char *where)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "amount");
	if (!cJSON_IsObject(a))
		return usage_bad(c, "%s has no amount", where);
	if (!usage_is_usd(cJSON_GetObjectItemCaseSensitive(a, "currency")))
		return usage_bad(c, "%s.amount is not in USD", where);
	char w[160];
	snprintf(w, sizeof w, "%s.amount.value", where);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "value");
	if (!v)
		return usage_bad(c, "%s is missing", w);
	return usage_amount(c, v, 9, nusd, w); /* dollars */
}

const provider_ops provider_openai = {
    .name = "openai",
    .api = "OpenAI Chat Completions",
    .key_env = {"OPENAI_API_KEY", "OPENAI_ADMIN_KEY"},
    .base_env = "OPENAI_BASE_URL",
    .default_base = "https://api.openai.com/v1",
    .auth_prefix = "Authorization: Bearer ",
    .headers = NULL,
    .chat_path = "/chat/completions",
    .chat_build = openai_build,
    .chat_event = openai_event,
    .chat_body = openai_body,
    .usage_path = "/organization/usage/completions",
    .cost_path = "/organization/costs",
    .time_from = "start_time",
    .time_to = "end_time",
    .rfc3339 = 0,
    .cost_max_limit = 180,
    .usage_row = openai_usage_row,
    .cost_row = openai_cost_row,
};
