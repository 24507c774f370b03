#include "chat.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/call.h"

void chat_result_init(chat_result *r)
{
	memset(r, 0, sizeof *r);
	r->input_tokens = r->cached_tokens = r->output_tokens = -1;
	r->tool_open = -1;
}

void chat_result_free(chat_result *r)
{
	sb_free(&r->text);
	sb_free(&r->thinking);
}

/* ---- requests ---------------------------------------------------------- */

static int is_system(const cJSON *m)
{
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
	return cJSON_IsString(role) && (!strcmp(role->valuestring, "system") || !strcmp(role->valuestring, "developer"));
}

static cJSON *parse_messages(const char *input, char *err, size_t errlen)
{
	cJSON *msgs = input && *input ? cJSON_Parse(input) : NULL;
	if (!cJSON_IsArray(msgs)) {
		cJSON_Delete(msgs);
		snprintf(err, errlen, "the call recorded no request messages to replay");
		return NULL;
	}
	return msgs;
}

/* Recorded request settings worth keeping (the GenAI convention's names):
 * max_tokens and temperature, -1 when not recorded. */
static void recorded(const char *attrs, double *max_tokens, double *temperature)
{
	static const char *const keys[2] = {"gen_ai.request.max_tokens", "gen_ai.request.temperature"};
	double *out[2] = {max_tokens, temperature};
	cJSON *a = attrs ? cJSON_Parse(attrs) : NULL;
	for (int i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, keys[i]);
		*out[i] = -1;
		if (cJSON_IsNumber(v)) {
			*out[i] = v->valuedouble;
		} else if (cJSON_IsString(v) && *v->valuestring) {
			char *end;
			double d = strtod(v->valuestring, &end);
			if (!*end)
				*out[i] = d;
		}
	}
	cJSON_Delete(a);
}

static void finish_body(cJSON *root, sbuf *body)
{
	char *s = cJSON_PrintUnformatted(root);
	sb_reset(body);
	sb_adds(body, s ? s : "");
	cJSON_free(s);
	cJSON_Delete(root);
}

int chat_build_openai(const char *input, const char *system, const char *model, const char *attrs, sbuf *body,
		      char *err, size_t errlen)
{
	cJSON *msgs = parse_messages(input, err, errlen);
	if (!msgs)
		return -1;
	int replaced = 0;
	cJSON *m;
	cJSON_ArrayForEach(m, msgs)
	{
		if (is_system(m)) {
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
	recorded(attrs, &mt, &t);
	if (mt > 0)
		cJSON_AddNumberToObject(root, "max_completion_tokens", mt);
	if (t >= 0)
		cJSON_AddNumberToObject(root, "temperature", t);
	cJSON_AddBoolToObject(root, "stream", 1);
	cJSON *so = cJSON_AddObjectToObject(root, "stream_options");
	cJSON_AddBoolToObject(so, "include_usage", 1);
	finish_body(root, body);
	return 0;
}

int chat_build_anthropic(const char *input, const char *system, const char *model, const char *attrs, sbuf *body,
			 char *err, size_t errlen)
{
	cJSON *msgs = parse_messages(input, err, errlen);
	if (!msgs)
		return -1;
	for (int i = cJSON_GetArraySize(msgs) - 1; i >= 0; i--)
		if (is_system(cJSON_GetArrayItem(msgs, i)))
			cJSON_DeleteItemFromArray(msgs, i);
	if (cJSON_GetArraySize(msgs) == 0) {
		cJSON_Delete(msgs);
		snprintf(err, errlen, "the call recorded only a system prompt: no user message to replay");
		return -1;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", model);
	double mt, t;
	recorded(attrs, &mt, &t);
	cJSON_AddNumberToObject(root, "max_tokens", mt > 0 ? mt : 4096);
	cJSON_AddStringToObject(root, "system", system);
	cJSON_AddItemToObject(root, "messages", msgs);
	if (t >= 0)
		cJSON_AddNumberToObject(root, "temperature", t);
	cJSON_AddBoolToObject(root, "stream", 1);
	finish_body(root, body);
	return 0;
}

/* ---- answers ----------------------------------------------------------- */

/* A token count; -1 when absent or not one (negative, or too large to be
 * real: a hostile server's 1e300 must not reach the sums). */
static int64_t num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 9e15))
		return -1;
	return (int64_t)v->valuedouble;
}

static void set_str(char *dst, size_t n, const cJSON *v)
{
	if (cJSON_IsString(v))
		snprintf(dst, n, "%s", v->valuestring);
}

static void set_error(chat_result *r, const char *type, const char *code, const char *msg, long status)
{
	char st[16], buf[64];
	snprintf(st, sizeof st, "%ld", status);
	const char *raw = code && *code ? code : type && *type ? type : status ? st : "error";
	const char *norm = call_norm_error(raw, msg, buf, sizeof buf);
	if ((!norm || !strcmp(norm, "bad_request") || !strcmp(norm, "error")) && status)
		norm = call_norm_error(st, msg, buf, sizeof buf);
	r->error = 1;
	snprintf(r->error_type, sizeof r->error_type, "%s", norm ? norm : "error");
	snprintf(r->error_msg, sizeof r->error_msg, "%s", msg && *msg ? msg : type && *type ? type : "error");
}

/* {"error": {...}} (OpenAI; Anthropic wraps it with "type":"error"). */
static int error_object(chat_result *r, const cJSON *root, long status)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!e)
		return 0;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
	set_error(r, cJSON_IsString(t) ? t->valuestring : NULL, cJSON_IsString(c) ? c->valuestring : NULL,
		  cJSON_IsString(m) ? m->valuestring : cJSON_IsString(e) ? e->valuestring : NULL, status);
	return 1;
}

/* A whole body: the answer's JSON, or NULL when it is an error (set in r,
 * with the start of the body when it is not even JSON). */
static cJSON *whole_body(chat_result *r, const char *body, size_t len, long status)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	if (!j && status < 400) {
		/* A success that is not an answer: said as such, not as the
		 * provider's error, and none of its bytes quoted. */
		r->error = 1;
		snprintf(r->error_type, sizeof r->error_type, "bad_response");
		snprintf(r->error_msg, sizeof r->error_msg, "the body is not JSON");
		return NULL;
	}
	if (!j || error_object(r, j, status) || status >= 400) {
		if (!r->error) {
			char msg[160];
			snprintf(msg, sizeof msg, "HTTP %ld: %.*s", status, (int)(len > 100 ? 100 : len), body);
			set_error(r, NULL, NULL, msg, status);
		}
		cJSON_Delete(j);
		return NULL;
	}
	r->started = r->finished = 1;
	set_str(r->model, sizeof r->model, cJSON_GetObjectItemCaseSensitive(j, "model"));
	return j;
}

static void openai_usage(chat_result *r, const cJSON *u)
{
	if (!cJSON_IsObject(u))
		return;
	r->input_tokens = num(u, "prompt_tokens");
	r->output_tokens = num(u, "completion_tokens");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens_details");
	int64_t c = num(d, "cached_tokens");
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
		sb_printf(&r->text, "%s[tool call %s] ", r->text.len ? "\n" : "",
			  cJSON_IsString(name) ? name->valuestring : "?");
		r->tool_open = i;
	}
	if (cJSON_IsString(args))
		sb_adds(&r->text, args->valuestring);
}

void chat_openai_event(chat_result *r, const char *data, size_t len)
{
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		r->finished = 1;
		return;
	}
	cJSON *j = cJSON_ParseWithLength(data, len);
	if (!j)
		return;
	if (error_object(r, j, 0)) {
		cJSON_Delete(j);
		return;
	}
	r->started = 1;
	set_str(r->model, sizeof r->model, cJSON_GetObjectItemCaseSensitive(j, "model"));
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
		set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(ch, "finish_reason"));
	}
	openai_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	cJSON_Delete(j);
}

void chat_openai_body(chat_result *r, const char *body, size_t len, long status)
{
	cJSON *j = whole_body(r, body, len, status);
	if (!j)
		return;
	const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ch, "message");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
	if (cJSON_IsString(c))
		sb_adds(&r->text, c->valuestring);
	const cJSON *tc;
	cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(m, "tool_calls")) openai_tool(r, tc);
	set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(ch, "finish_reason"));
	openai_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	cJSON_Delete(j);
}

static void anthropic_usage(chat_result *r, const cJSON *u)
{
	if (!cJSON_IsObject(u))
		return;
	int64_t in = num(u, "input_tokens"), cr = num(u, "cache_read_input_tokens"),
		cw = num(u, "cache_creation_input_tokens"), out = num(u, "output_tokens");
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
		sb_printf(&r->text, "%s[tool call %s] ", r->text.len ? "\n" : "", cJSON_IsString(n) ? n->valuestring : "?");
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

void chat_anthropic_event(chat_result *r, const char *event, const char *data, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(data, len);
	if (!j)
		return;
	const cJSON *tj = cJSON_GetObjectItemCaseSensitive(j, "type");
	const char *type = cJSON_IsString(tj) ? tj->valuestring : event;
	if (!strcmp(type, "error") || !strcmp(event, "error")) {
		error_object(r, j, 0);
	} else if (!strcmp(type, "message_start")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
		set_str(r->model, sizeof r->model, cJSON_GetObjectItemCaseSensitive(m, "model"));
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
		set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(d, "stop_reason"));
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
		int64_t out = num(u, "output_tokens");
		if (out >= 0)
			r->output_tokens = out;
	} else if (!strcmp(type, "message_stop")) {
		r->finished = 1;
	}
	cJSON_Delete(j);
}

void chat_anthropic_body(chat_result *r, const char *body, size_t len, long status)
{
	cJSON *j = whole_body(r, body, len, status);
	if (!j)
		return;
	const cJSON *b;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(j, "content")) anthropic_block(r, b);
	set_str(r->stop_reason, sizeof r->stop_reason, cJSON_GetObjectItemCaseSensitive(j, "stop_reason"));
	anthropic_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	cJSON_Delete(j);
}
