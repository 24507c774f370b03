#include "chat.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/call.h"
#include "provider_internal.h"

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

int chat_is_system(const cJSON *m)
{
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
	return cJSON_IsString(role) && (!strcmp(role->valuestring, "system") || !strcmp(role->valuestring, "developer"));
}

cJSON *chat_messages(const char *input, char *err, size_t errlen)
{
	cJSON *msgs = input && *input ? cJSON_Parse(input) : NULL;
	if (!cJSON_IsArray(msgs)) {
		cJSON_Delete(msgs);
		snprintf(err, errlen, "the call recorded no request messages to replay");
		return NULL;
	}
	return msgs;
}

void chat_recorded(const char *attrs, double *max_tokens, double *temperature)
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

void chat_finish_body(cJSON *root, sbuf *body)
{
	char *s = cJSON_PrintUnformatted(root);
	sb_reset(body);
	sb_adds(body, s ? s : "");
	cJSON_free(s);
	cJSON_Delete(root);
}

/* ---- answers ----------------------------------------------------------- */

/* A token count; -1 when absent or not one (negative, or too large to be
 * real: a hostile server's 1e300 must not reach the sums). */
int64_t chat_count(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 9e15))
		return -1;
	return (int64_t)v->valuedouble;
}

void chat_set_str(char *dst, size_t n, const cJSON *v)
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
int chat_error_object(chat_result *r, const cJSON *root, long status)
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

/* The error is set with the start of the body when it is not even JSON. */
cJSON *chat_whole_body(chat_result *r, const char *body, size_t len, long status)
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
	if (!j || chat_error_object(r, j, status) || status >= 400) {
		if (!r->error) {
			char msg[160];
			snprintf(msg, sizeof msg, "HTTP %ld: %.*s", status, (int)(len > 100 ? 100 : len), body);
			set_error(r, NULL, NULL, msg, status);
		}
		cJSON_Delete(j);
		return NULL;
	}
	r->started = r->finished = 1;
	chat_set_str(r->model, sizeof r->model, cJSON_GetObjectItemCaseSensitive(j, "model"));
	return j;
}

void chat_tool_call(chat_result *r, const char *name)
{
	sb_printf(&r->text, "%s[tool call %s] ", r->text.len ? "\n" : "", name);
}
