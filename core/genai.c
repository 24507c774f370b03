#include "genai.h"

#include <stdlib.h>
#include <string.h>

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Renders tool-call arguments (a JSON string, an object, or anything) as text. */
static void add_args(sbuf *b, const cJSON *args)
{
	if (cJSON_IsString(args)) {
		sb_adds(b, args->valuestring);
	} else if (args) {
		char *s = cJSON_PrintUnformatted(args);
		if (s) {
			sb_adds(b, s);
			free(s);
		}
	}
}

int genai_is_thinking_part(const cJSON *part)
{
	const char *type = str_of(part, "type");
	return type && (!strcmp(type, "thinking") || !strcmp(type, "reasoning") || !strcmp(type, "redacted_thinking"));
}

static void part_text(const cJSON *part, sbuf *b)
{
	if (cJSON_IsString(part)) {
		sb_adds(b, part->valuestring);
		return;
	}
	if (!cJSON_IsObject(part))
		return;
	const char *type = str_of(part, "type");
	const char *t = str_of(part, "text");
	if (!t)
		t = str_of(part, "content");
	if (genai_is_thinking_part(part))
		return; /* kept apart from the answer: genai_output_thinking */
	if (type && !strcmp(type, "custom"))
		return; /* a provider's own bookkeeping (the AI SDK's message_start) */
	if (t && (!type || !strcmp(type, "text") || !strcmp(type, "output_text") || !strcmp(type, "input_text"))) {
		sb_adds(b, t);
		return;
	}
	if (type && (!strcmp(type, "tool_call") || !strcmp(type, "tool_use") || !strcmp(type, "function_call"))) {
		const char *name = str_of(part, "name");
		sb_printf(b, "[tool call] %s(", name ? name : "?");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(part, "arguments");
		if (!args)
			args = cJSON_GetObjectItemCaseSensitive(part, "input");
		add_args(b, args);
		sb_addc(b, ')');
		return;
	}
	if (type && (!strcmp(type, "tool_call_response") || !strcmp(type, "tool_result"))) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(part, "result");
		if (!r)
			r = cJSON_GetObjectItemCaseSensitive(part, "response");
		if (!r)
			r = cJSON_GetObjectItemCaseSensitive(part, "content");
		char *s = genai_content_text(r);
		if (s) {
			sb_adds(b, s);
			free(s);
		} else {
			add_args(b, r);
		}
		return;
	}
	if (type)
		sb_printf(b, "[%s]", type); /* images, audio, files: say what was there */
}

char *genai_content_text(const cJSON *content)
{
	if (cJSON_IsString(content))
		return strdup(content->valuestring);
	if (!cJSON_IsArray(content))
		return NULL;
	sbuf b = SBUF_INIT;
	const cJSON *part;
	int first = 1;
	cJSON_ArrayForEach(part, content)
	{
		size_t before = b.len;
		if (!first)
			sb_addc(&b, '\n');
		size_t mark = b.len;
		part_text(part, &b);
		if (b.len == mark) {
			b.len = before; /* nothing rendered: drop the separator */
			if (b.p)
				b.p[b.len] = 0;
		} else {
			first = 0;
		}
	}
	return sb_steal(&b);
}

static cJSON *norm_tool_calls(const cJSON *tc)
{
	if (!cJSON_IsArray(tc) || !cJSON_GetArraySize(tc))
		return NULL;
	cJSON *out = cJSON_CreateArray();
	const cJSON *t;
	cJSON_ArrayForEach(t, tc)
	{
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(t, "function");
		const char *name = str_of(fn ? fn : t, "name");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn ? fn : t, "arguments");
		cJSON *o = cJSON_CreateObject();
		const char *id = str_of(t, "id");
		if (id)
			cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "name", name ? name : "");
		sbuf a = SBUF_INIT;
		add_args(&a, args);
		cJSON_AddStringToObject(o, "arguments", sb_str(&a));
		sb_free(&a);
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

cJSON *genai_norm_message(const cJSON *m, const char *role_hint)
{
	if (!cJSON_IsObject(m))
		return NULL;
	const char *role = str_of(m, "role");
	if (!role)
		role = role_hint;
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
	if (!content)
		content = cJSON_GetObjectItemCaseSensitive(m, "parts");
	if (!content)
		content = cJSON_GetObjectItemCaseSensitive(m, "text");
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(m, "message");
	if (!content && cJSON_IsObject(inner)) {
		content = cJSON_GetObjectItemCaseSensitive(inner, "content");
		if (!role)
			role = str_of(inner, "role");
	}
	char *text = genai_content_text(content);
	const cJSON *tc = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
	if (!tc && cJSON_IsObject(inner))
		tc = cJSON_GetObjectItemCaseSensitive(inner, "tool_calls");
	cJSON *tools = norm_tool_calls(tc);
	if (!text && !tools && !role)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "role", role ? role : "user");
	cJSON_AddStringToObject(o, "content", text ? text : "");
	free(text);
	if (tools)
		cJSON_AddItemToObject(o, "tool_calls", tools);
	const char *id = str_of(m, "tool_call_id");
	if (!id && role && !strcmp(role, "tool"))
		id = str_of(m, "id");
	if (id)
		cJSON_AddStringToObject(o, "tool_call_id", id);
	const char *name = str_of(m, "name");
	if (name)
		cJSON_AddStringToObject(o, "name", name);
	return o;
}

cJSON *genai_norm_messages(const cJSON *v)
{
	cJSON *parsed = NULL;
	if (cJSON_IsString(v)) {
		parsed = cJSON_Parse(v->valuestring);
		if (!parsed) {
			/* Not JSON: a bare prompt string. */
			cJSON *arr = cJSON_CreateArray();
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "role", "user");
			cJSON_AddStringToObject(o, "content", v->valuestring);
			cJSON_AddItemToArray(arr, o);
			return arr;
		}
		v = parsed;
	}
	cJSON *out = NULL;
	if (cJSON_IsArray(v)) {
		out = cJSON_CreateArray();
		const cJSON *m;
		cJSON_ArrayForEach(m, v)
		{
			cJSON *n = genai_norm_message(m, NULL);
			if (n)
				cJSON_AddItemToArray(out, n);
		}
	} else if (cJSON_IsObject(v)) {
		const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(v, "messages");
		if (cJSON_IsArray(msgs)) {
			out = genai_norm_messages(msgs);
		} else {
			cJSON *n = genai_norm_message(v, NULL);
			if (n) {
				out = cJSON_CreateArray();
				cJSON_AddItemToArray(out, n);
			}
		}
	}
	cJSON_Delete(parsed);
	if (out && !cJSON_GetArraySize(out)) {
		cJSON_Delete(out);
		out = NULL;
	}
	return out;
}

static void tool_calls_text(const cJSON *tc, sbuf *b)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, tc)
	{
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(t, "function");
		const char *name = str_of(fn ? fn : t, "name");
		if (b->len)
			sb_addc(b, '\n');
		sb_printf(b, "[tool call] %s(", name ? name : "?");
		add_args(b, cJSON_GetObjectItemCaseSensitive(fn ? fn : t, "arguments"));
		sb_addc(b, ')');
	}
}

/* The message of a response (an OpenAI response object: choices[0].message)
 * in *src, and its content or parts. */
static const cJSON *response_content(const cJSON *v, const cJSON **src)
{
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(v, "choices");
	if (cJSON_IsArray(choices))
		v = cJSON_GetArrayItem(choices, 0);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(v, "message");
	*src = cJSON_IsObject(msg) ? msg : v;
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(*src, "content");
	return content ? content : cJSON_GetObjectItemCaseSensitive(*src, "parts");
}

char *genai_output_text(const cJSON *v)
{
	cJSON *parsed = NULL;
	if (cJSON_IsString(v)) {
		parsed = cJSON_Parse(v->valuestring);
		if (!parsed || !(cJSON_IsArray(parsed) || cJSON_IsObject(parsed))) {
			cJSON_Delete(parsed);
			return strdup(v->valuestring);
		}
		v = parsed;
	}
	if (cJSON_IsArray(v))
		v = cJSON_GetArrayItem(v, 0);
	char *res = NULL;
	if (cJSON_IsObject(v)) {
		const cJSON *src;
		const cJSON *content = response_content(v, &src);
		if (!content)
			content = cJSON_GetObjectItemCaseSensitive(src, "text");
		sbuf b = SBUF_INIT;
		char *t = genai_content_text(content);
		if (t) {
			sb_adds(&b, t);
			free(t);
		}
		const cJSON *tc = cJSON_GetObjectItemCaseSensitive(src, "tool_calls");
		if (cJSON_IsArray(tc))
			tool_calls_text(tc, &b);
		if (b.len)
			res = sb_steal(&b);
		else
			sb_free(&b);
	}
	cJSON_Delete(parsed);
	return res;
}

static const char *event_role(const char *name)
{
	static const struct {
		const char *ev, *role;
	} map[] = {{"gen_ai.system.message", "system"},
		   {"gen_ai.user.message", "user"},
		   {"gen_ai.assistant.message", "assistant"},
		   {"gen_ai.tool.message", "tool"}};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(name, map[i].ev))
			return map[i].role;
	return NULL;
}

static void append_all(cJSON *dst, cJSON *src)
{
	if (!src)
		return;
	cJSON *m;
	while ((m = src->child)) {
		cJSON_DetachItemViaPointer(src, m);
		cJSON_AddItemToArray(dst, m);
	}
	cJSON_Delete(src);
}

void genai_from_events(const genai_event *ev, size_t n, char **input, char **output)
{
	cJSON *msgs = cJSON_CreateArray();
	sbuf out = SBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *name = ev[i].name;
		const cJSON *body = ev[i].body;
		const char *role = event_role(name);
		if (role) {
			cJSON *m = genai_norm_message(body, role);
			if (m) {
				/* The event name is the role; a body role only refines it. */
				cJSON_AddItemToArray(msgs, m);
			}
		} else if (!strcmp(name, "gen_ai.choice")) {
			const cJSON *idx = cJSON_GetObjectItemCaseSensitive(body, "index");
			if (cJSON_IsNumber(idx) && idx->valuedouble != 0)
				continue;
			char *t = genai_output_text(body);
			if (t) {
				if (out.len)
					sb_addc(&out, '\n');
				sb_adds(&out, t);
				free(t);
			}
		} else if (!strcmp(name, "gen_ai.content.prompt")) {
			append_all(msgs, genai_norm_messages(cJSON_GetObjectItemCaseSensitive(body, "gen_ai.prompt")));
		} else if (!strcmp(name, "gen_ai.content.completion")) {
			char *t = genai_output_text(cJSON_GetObjectItemCaseSensitive(body, "gen_ai.completion"));
			if (t) {
				sb_adds(&out, t);
				free(t);
			}
		} else if (!strcmp(name, "gen_ai.client.inference.operation.details")) {
			const cJSON *sys = cJSON_GetObjectItemCaseSensitive(body, "gen_ai.system_instructions");
			char *st = NULL;
			if (cJSON_IsString(sys)) {
				cJSON *p = cJSON_Parse(sys->valuestring);
				st = p ? genai_content_text(p) : strdup(sys->valuestring);
				cJSON_Delete(p);
			} else if (sys) {
				st = genai_content_text(sys);
			}
			if (st) {
				cJSON *m = cJSON_CreateObject();
				cJSON_AddStringToObject(m, "role", "system");
				cJSON_AddStringToObject(m, "content", st);
				cJSON_AddItemToArray(msgs, m);
				free(st);
			}
			append_all(msgs, genai_norm_messages(cJSON_GetObjectItemCaseSensitive(body, "gen_ai.input.messages")));
			char *t = genai_output_text(cJSON_GetObjectItemCaseSensitive(body, "gen_ai.output.messages"));
			if (t) {
				sb_adds(&out, t);
				free(t);
			}
		}
	}
	*input = cJSON_GetArraySize(msgs) ? cJSON_PrintUnformatted(msgs) : NULL;
	cJSON_Delete(msgs);
	*output = out.len ? sb_steal(&out) : NULL;
	sb_free(&out);
}

void genai_messages_text(const char *json, sbuf *out)
{
	cJSON *a = json ? cJSON_Parse(json) : NULL;
	const cJSON *m;
	cJSON_ArrayForEach(m, a)
	{
		const char *c = str_of(m, "content");
		if (c && *c) {
			if (out->len)
				sb_addc(out, '\n');
			sb_adds(out, c);
		}
		const cJSON *tc = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
		const cJSON *t;
		cJSON_ArrayForEach(t, tc)
		{
			const char *name = str_of(t, "name"), *args = str_of(t, "arguments");
			sb_printf(out, "\n%s %s", name ? name : "", args ? args : "");
		}
	}
	cJSON_Delete(a);
}

/* The thinking parts of a content array, joined. */
static void thinking_of(const cJSON *content, sbuf *b)
{
	const cJSON *part;
	cJSON_ArrayForEach(part, content)
	{
		if (!cJSON_IsObject(part) || !genai_is_thinking_part(part))
			continue;
		const char *t = str_of(part, "thinking");
		if (!t)
			t = str_of(part, "content");
		if (!t)
			t = str_of(part, "text");
		if (!t)
			t = "[redacted thinking]";
		if (b->len)
			sb_addc(b, '\n');
		sb_adds(b, t);
	}
}

char *genai_output_thinking(const cJSON *v)
{
	cJSON *parsed = NULL;
	if (cJSON_IsString(v)) {
		parsed = cJSON_Parse(v->valuestring);
		v = parsed;
	}
	sbuf b = SBUF_INIT;
	if (cJSON_IsArray(v) && cJSON_IsObject(cJSON_GetArrayItem(v, 0)) &&
	    !cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(v, 0), "type"))
		v = cJSON_GetArrayItem(v, 0); /* a list of messages: the first */
	if (cJSON_IsObject(v)) {
		const cJSON *src;
		const cJSON *content = response_content(v, &src);
		thinking_of(content, &b);
		const char *rc = str_of(src, "reasoning_content");
		if (!b.len && rc)
			sb_adds(&b, rc);
	} else if (cJSON_IsArray(v)) {
		thinking_of(v, &b); /* a bare list of parts */
	}
	cJSON_Delete(parsed);
	if (!b.len) {
		sb_free(&b);
		return NULL;
	}
	return sb_steal(&b);
}
