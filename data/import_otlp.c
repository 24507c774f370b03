/* OTLP/JSON traces and logs, mapped from the GenAI semantic conventions (old
 * and new) and the attributes of OpenLLMetry/Traceloop, OpenInference,
 * Langfuse v5, the Vercel AI SDK (gen_ai and its own ai.*) and OpenLIT. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/genai.h"
#include "import.h"

/* ---- AnyValue ---------------------------------------------------------- */

static const cJSON *field(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *any_str(const cJSON *v)
{
	const cJSON *s = field(v, "stringValue");
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* intValue is a decimal string in the spec and a number from JS exporters. */
static int any_int(const cJSON *v, int64_t *out)
{
	const cJSON *i = field(v, "intValue");
	if (!i)
		i = field(v, "doubleValue");
	if (!i)
		i = field(v, "stringValue");
	if (cJSON_IsNumber(i) && isfinite(i->valuedouble)) {
		/* held to the int64 range (the cast would be undefined); the
		 * call's range check then names the field */
		double d = i->valuedouble;
		*out = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
		return 0;
	}
	if (cJSON_IsString(i)) {
		char *end;
		errno = 0;
		long long n = strtoll(i->valuestring, &end, 10);
		if (end != i->valuestring && !*end && !errno) {
			*out = n;
			return 0;
		}
		double d = strtod(i->valuestring, &end);
		if (end != i->valuestring && !*end && isfinite(d)) {
			*out = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
			return 0;
		}
	}
	return -1;
}

static int any_double(const cJSON *v, double *out)
{
	const cJSON *d = field(v, "doubleValue");
	if (!d)
		d = field(v, "intValue");
	if (cJSON_IsNumber(d)) {
		*out = d->valuedouble;
		return 0;
	}
	if (cJSON_IsString(d)) {
		char *end;
		double x = strtod(d->valuestring, &end);
		if (end != d->valuestring && !*end && isfinite(x)) {
			*out = x;
			return 0;
		}
	}
	return -1;
}

/* AnyValue to plain JSON: kvlists become objects, arrays arrays. */
static cJSON *any_json(const cJSON *v)
{
	const cJSON *x;
	if ((x = field(v, "stringValue")) && cJSON_IsString(x))
		return cJSON_CreateString(x->valuestring);
	if ((x = field(v, "boolValue")))
		return cJSON_CreateBool(cJSON_IsTrue(x));
	if ((x = field(v, "intValue"))) {
		int64_t n;
		if (any_int(v, &n) == 0)
			return cJSON_CreateNumber((double)n);
		return cJSON_CreateNull();
	}
	if ((x = field(v, "doubleValue"))) {
		double d;
		return any_double(v, &d) == 0 ? cJSON_CreateNumber(d) : cJSON_CreateString(cJSON_IsString(x) ? x->valuestring : "");
	}
	if ((x = field(v, "bytesValue")) && cJSON_IsString(x))
		return cJSON_CreateString(x->valuestring);
	if ((x = field(v, "arrayValue"))) {
		cJSON *a = cJSON_CreateArray();
		const cJSON *e;
		cJSON_ArrayForEach(e, field(x, "values")) cJSON_AddItemToArray(a, any_json(e));
		return a;
	}
	if ((x = field(v, "kvlistValue"))) {
		cJSON *o = cJSON_CreateObject();
		const cJSON *kv;
		cJSON_ArrayForEach(kv, field(x, "values"))
		{
			const cJSON *k = field(kv, "key");
			if (cJSON_IsString(k))
				cJSON_AddItemToObject(o, k->valuestring, any_json(field(kv, "value")));
		}
		return o;
	}
	return cJSON_CreateNull();
}

/* ---- attribute sets ---------------------------------------------------- */

typedef struct attrs {
	const char **keys;
	const cJSON **vals;
	uint8_t *used;
	size_t n;
} attrs_t;

static void attrs_load(attrs_t *a, const cJSON *list)
{
	size_t n = (size_t)cJSON_GetArraySize(list);
	a->keys = xcalloc(n ? n : 1, sizeof *a->keys);
	a->vals = xcalloc(n ? n : 1, sizeof *a->vals);
	a->used = xcalloc(n ? n : 1, 1);
	a->n = 0;
	const cJSON *kv;
	cJSON_ArrayForEach(kv, list)
	{
		const cJSON *k = field(kv, "key");
		if (!cJSON_IsString(k))
			continue;
		a->keys[a->n] = k->valuestring;
		a->vals[a->n] = field(kv, "value");
		a->n++;
	}
}

static void attrs_free(attrs_t *a)
{
	free(a->keys);
	free(a->vals);
	free(a->used);
}

static const cJSON *get(attrs_t *a, const char *key)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->keys[i], key)) {
			a->used[i] = 1;
			return a->vals[i];
		}
	return NULL;
}

static const char *get_str(attrs_t *a, const char *key)
{
	const cJSON *v = get(a, key);
	return v ? any_str(v) : NULL;
}

/* The first of several names that is present, as a string. */
static const char *first_str(attrs_t *a, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *s = get_str(a, *keys);
		if (s && *s)
			return s;
	}
	return NULL;
}

static int64_t first_int(attrs_t *a, const char *const *keys)
{
	for (; *keys; keys++) {
		const cJSON *v = get(a, *keys);
		int64_t n;
		if (v && any_int(v, &n) == 0 && n >= 0)
			return n;
	}
	return -1;
}

/* Marks names as consumed (derived values such as total tokens). */
static void consume(attrs_t *a, const char *const *keys)
{
	for (; *keys; keys++)
		get(a, *keys);
}

static const char *any_text(const cJSON *v, char *buf, size_t n)
{
	const char *s = any_str(v);
	if (s)
		return s;
	int64_t i;
	if (any_int(v, &i) == 0) {
		snprintf(buf, n, "%lld", (long long)i);
		return buf;
	}
	return NULL;
}

/* A string attribute, or a number rendered as text (prompt versions are ints
 * in Langfuse and Traceloop). */
static const char *first_text(attrs_t *a, const char *const *keys, char *buf, size_t n)
{
	for (; *keys; keys++) {
		const cJSON *v = get(a, *keys);
		const char *t = v ? any_text(v, buf, n) : NULL;
		if (t && *t)
			return t;
	}
	return NULL;
}

/* ---- exact nanosecond times ---------------------------------------------

 * The spec writes 64-bit times as decimal strings, which strtoull reads
 * exactly. Some encoders write JSON numbers, which cJSON has already turned
 * into doubles (good to ~256 ns at today's values); for those the digits are
 * read again from the document text, in document order, which is the order
 * in which the spans are visited. */
typedef struct nanos_src {
	const char *doc;
	size_t len;
	const char *key;
	size_t pos; /* where the next search starts */
} nanos_src;

static int raw_next_number(nanos_src *ns, uint64_t *out)
{
	size_t klen = strlen(ns->key);
	while (ns->pos + klen + 2 < ns->len) {
		const char *p = memmem(ns->doc + ns->pos, ns->len - ns->pos, ns->key, klen);
		if (!p)
			break;
		size_t at = (size_t)(p - ns->doc);
		ns->pos = at + klen;
		if (at == 0 || ns->doc[at - 1] != '"' || (at >= 2 && ns->doc[at - 2] == '\\'))
			continue;
		const char *q = p + klen;
		const char *end = ns->doc + ns->len;
		if (q >= end || *q != '"')
			continue;
		q++;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q >= end || *q != ':')
			continue;
		q++;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q >= end || !isdigit((unsigned char)*q))
			continue; /* a string value: not one of ours */
		uint64_t v = 0;
		while (q < end && isdigit((unsigned char)*q))
			v = v * 10 + (uint64_t)(*q++ - '0');
		*out = v;
		return 0;
	}
	return -1;
}

/* 0, 1 when absent, -1 when not an integer, -2 when outside int64's
 * nanoseconds (negative, or past 2262). */
static int get_nanos(const cJSON *o, nanos_src *src, int64_t *out)
{
	const cJSON *v = field(o, src->key);
	if (cJSON_IsString(v)) {
		char *end;
		errno = 0;
		const char *t = v->valuestring;
		while (*t == ' ')
			t++;
		if (*t == '-' || *t == '+')
			return *t == '-' && t[1] >= '0' && t[1] <= '9' ? -2 : -1;
		unsigned long long n = strtoull(t, &end, 10);
		if (end == t || *end)
			return -1;
		if (errno || n > INT64_MAX)
			return -2;
		*out = (int64_t)n;
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		uint64_t n;
		if (raw_next_number(src, &n) == 0 && n <= INT64_MAX && fabs((double)n - v->valuedouble) < 1e6) {
			*out = (int64_t)n;
			return 0;
		}
		if (!(v->valuedouble >= 0 && v->valuedouble < 9.2e18))
			return -2;
		*out = (int64_t)v->valuedouble;
		return 0;
	}
	return v ? -1 : 1; /* 1: absent */
}

/* ---- messages ---------------------------------------------------------- */

/* Flattened message lists: PREFIX.N.rest = value, as OpenLLMetry writes
 * gen_ai.prompt.0.role and OpenInference llm.input_messages.0.message.role. */
static cJSON *flattened(attrs_t *a, const char *prefix)
{
	size_t plen = strlen(prefix);
	cJSON *byidx[256] = {0};
	int maxidx = -1;
	for (size_t i = 0; i < a->n; i++) {
		const char *k = a->keys[i];
		if (strncmp(k, prefix, plen) || !isdigit((unsigned char)k[plen]))
			continue;
		char *end;
		long idx = strtol(k + plen, &end, 10);
		if (*end != '.' || idx < 0 || idx > 255)
			continue;
		a->used[i] = 1;
		const char *rest = end + 1;
		if (!strncmp(rest, "message.", 8))
			rest += 8; /* OpenInference */
		if (!byidx[idx])
			byidx[idx] = cJSON_CreateObject();
		cJSON *m = byidx[idx];
		if (idx > maxidx)
			maxidx = (int)idx;
		cJSON *val = any_json(a->vals[i]);
		if (!strncmp(rest, "tool_calls.", 11) || !strncmp(rest, "contents.", 9)) {
			/* tool_calls.J.{id,name,arguments} (OpenInference: tool_call.id,
			 * tool_call.function.name|arguments), contents.K.message_content.text */
			int tools = rest[0] == 't';
			char *e2;
			long j = strtol(rest + (tools ? 11 : 9), &e2, 10);
			if (*e2 != '.' || j < 0 || j > 255) {
				cJSON_Delete(val);
				continue;
			}
			const char *leaf = e2 + 1;
			if (!strncmp(leaf, "tool_call.", 10))
				leaf += 10;
			if (!strncmp(leaf, "function.", 9))
				leaf += 9;
			if (!strncmp(leaf, "message_content.", 16))
				leaf += 16;
			const char *arr_name = tools ? "tool_calls" : "content";
			cJSON *arr = cJSON_GetObjectItemCaseSensitive(m, arr_name);
			if (!cJSON_IsArray(arr)) {
				cJSON_DeleteItemFromObjectCaseSensitive(m, arr_name);
				arr = cJSON_AddArrayToObject(m, arr_name);
			}
			while (cJSON_GetArraySize(arr) <= j)
				cJSON_AddItemToArray(arr, cJSON_CreateObject());
			cJSON *slot = cJSON_GetArrayItem(arr, (int)j);
			cJSON_DeleteItemFromObjectCaseSensitive(slot, leaf);
			cJSON_AddItemToObject(slot, leaf, val);
		} else {
			if (cJSON_GetObjectItemCaseSensitive(m, rest) && !strcmp(rest, "content")) {
				cJSON_Delete(val); /* contents.K already gave the parts */
				continue;
			}
			cJSON_DeleteItemFromObjectCaseSensitive(m, rest);
			cJSON_AddItemToObject(m, rest, val);
		}
	}
	if (maxidx < 0)
		return NULL;
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i <= maxidx; i++)
		if (byidx[i])
			cJSON_AddItemToArray(arr, byidx[i]);
	return arr;
}

static char *print_arena(arena_t *ar, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	if (!s)
		return NULL;
	char *r = arena_strdup(ar, s);
	free(s);
	return r;
}

/* A JSON string attribute holding messages (or a structured value). */
static cJSON *messages_attr(const cJSON *v)
{
	if (!v)
		return NULL;
	cJSON *j = any_json(v);
	cJSON *m = genai_norm_messages(j);
	cJSON_Delete(j);
	return m;
}

static char *text_attr(const cJSON *v, int output)
{
	if (!v)
		return NULL;
	cJSON *j = any_json(v);
	char *t = output ? genai_output_text(j) : genai_content_text(j);
	if (!t && cJSON_IsString(j))
		t = strdup(j->valuestring);
	cJSON_Delete(j);
	return t;
}

static void prepend_system(cJSON *msgs, char *text)
{
	if (!text)
		return;
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "system");
	cJSON_AddStringToObject(m, "content", text);
	cJSON_InsertItemInArray(msgs, 0, m);
	free(text);
}

/* The model's thinking, kept apart from the answer. */
static void thinking_of_json(const cJSON *v, call_t *c, arena_t *ar)
{
	if (c->thinking)
		return;
	char *t = genai_output_thinking(v);
	if (t && *t)
		c->thinking = arena_strdup(ar, t);
	free(t);
}

static void thinking_attr(const cJSON *v, call_t *c, arena_t *ar)
{
	cJSON *j = any_json(v);
	thinking_of_json(j, c, ar);
	cJSON_Delete(j);
}

static void map_content(attrs_t *A, const cJSON *span, call_t *c, arena_t *ar)
{
	cJSON *in = NULL;
	char *out = NULL;

	/* GenAI v1.37+: JSON strings of parts-based messages. */
	const cJSON *im = get(A, "gen_ai.input.messages");
	if (im) {
		in = messages_attr(im);
		const cJSON *si = get(A, "gen_ai.system_instructions");
		if (in && si) {
			cJSON *j = any_json(si);
			cJSON *p = cJSON_IsString(j) ? cJSON_Parse(j->valuestring) : NULL;
			char *t = genai_content_text(p ? p : j);
			cJSON_Delete(p);
			cJSON_Delete(j);
			prepend_system(in, t);
		}
	}
	const cJSON *om = get(A, "gen_ai.output.messages");
	if (om) {
		out = text_attr(om, 1);
		thinking_attr(om, c, ar);
	}

	/* OpenLLMetry <= 0.54: gen_ai.prompt.N.*, gen_ai.completion.N.* */
	if (!in)
		in = flattened(A, "gen_ai.prompt.");
	else
		cJSON_Delete(flattened(A, "gen_ai.prompt."));
	cJSON *comp = flattened(A, "gen_ai.completion.");
	if (!out && comp)
		out = genai_output_text(comp);
	if (comp)
		thinking_of_json(comp, c, ar);
	cJSON_Delete(comp);

	/* OpenInference */
	cJSON *oi_in = flattened(A, "llm.input_messages.");
	if (!in)
		in = oi_in;
	else
		cJSON_Delete(oi_in);
	cJSON *oi_out = flattened(A, "llm.output_messages.");
	if (!out && oi_out)
		out = genai_output_text(oi_out);
	if (oi_out)
		thinking_of_json(oi_out, c, ar);
	cJSON_Delete(oi_out);

	/* Span events: gen_ai.*.message, gen_ai.choice, gen_ai.content.*,
	 * gen_ai.client.inference.operation.details. */
	if (!in || !out) {
		const cJSON *events = field(span, "events");
		genai_event ev[64];
		cJSON *bodies[64];
		size_t n = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, events)
		{
			const cJSON *name = field(e, "name");
			if (n == 64 || !cJSON_IsString(name) || strncmp(name->valuestring, "gen_ai.", 7))
				continue;
			cJSON *obj = cJSON_CreateObject();
			const cJSON *kv;
			cJSON_ArrayForEach(kv, field(e, "attributes"))
			{
				const cJSON *k = field(kv, "key");
				if (cJSON_IsString(k))
					cJSON_AddItemToObject(obj, k->valuestring, any_json(field(kv, "value")));
			}
			bodies[n] = obj;
			ev[n].name = name->valuestring;
			ev[n].body = obj;
			n++;
		}
		if (n) {
			char *ein = NULL, *eout = NULL;
			genai_from_events(ev, n, &ein, &eout);
			if (!in && ein)
				in = cJSON_Parse(ein);
			if (!out && eout) {
				out = eout;
				eout = NULL;
			}
			free(ein);
			free(eout);
		}
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(bodies[i]);
	}

	/* OpenInference input.value / output.value: a request body or plain text. */
	const cJSON *iv = get(A, "input.value");
	const char *imime = get_str(A, "input.mime_type");
	if (!in && iv) {
		cJSON *j = any_json(iv);
		if (cJSON_IsString(j) && (!imime || strstr(imime, "json")))
			in = genai_norm_messages(j);
		if (!in && cJSON_IsString(j)) {
			in = cJSON_CreateArray();
			cJSON *m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "role", "user");
			cJSON_AddStringToObject(m, "content", j->valuestring);
			cJSON_AddItemToArray(in, m);
		}
		cJSON_Delete(j);
	}
	const cJSON *ov = get(A, "output.value");
	get(A, "output.mime_type");
	if (!out && ov)
		out = text_attr(ov, 1);

	if (in && cJSON_GetArraySize(in))
		c->input = print_arena(ar, in);
	cJSON_Delete(in);
	if (out) {
		c->output = arena_strdup(ar, out);
		free(out);
	}
}

/* ---- spans ------------------------------------------------------------- */

static const char *const K_OPERATION[] = {"gen_ai.operation.name", "llm.request.type", NULL};
static const char *const K_PROVIDER[] = {"gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system",
					 "ai.model.provider", NULL};
/* The response's model first: that is what was billed. */
static const char *const K_RESP_MODEL[] = {"gen_ai.response.model", "llm.response.model_name", "ai.response.model",
					   "llm.response.model", NULL};
static const char *const K_MODEL[] = {"llm.model_name", "langfuse.observation.model.name", "gen_ai.request.model",
				      "llm.request.model_name", "llm.request.model", "ai.model.id", NULL};
static const char *const K_REQ_MODEL[] = {"gen_ai.request.model", "llm.request.model_name", "llm.request.model",
					  "ai.model.id", NULL};
static const char *const K_IN[] = {"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt",
				   "llm.usage.prompt_tokens", "ai.usage.inputTokens", "ai.usage.promptTokens", NULL};
static const char *const K_OUT[] = {"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
				    "llm.token_count.completion", "llm.usage.completion_tokens", "ai.usage.outputTokens",
				    "ai.usage.completionTokens", NULL};
static const char *const K_CACHED[] = {"gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
				       "llm.token_count.prompt_details.cache_read", "ai.usage.cachedInputTokens",
				       "ai.usage.inputTokenDetails.cacheReadTokens", NULL};
static const char *const K_CWRITE[] = {"gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_write.input_tokens",
				       "gen_ai.usage.cache_creation_input_tokens",
				       "llm.token_count.prompt_details.cache_write",
				       "ai.usage.inputTokenDetails.cacheWriteTokens", NULL};
static const char *const K_DERIVED[] = {"gen_ai.usage.total_tokens", "llm.token_count.total", "llm.usage.total_tokens",
					"ai.usage.totalTokens", NULL};
static const char *const K_TTFT_S[] = {"gen_ai.response.time_to_first_chunk", "gen_ai.client.operation.time_to_first_chunk",
				       "gen_ai.server.time_to_first_token", "gen_ai.response.time_to_first_token",
				       "llm.response.time_to_first_token", NULL};
static const char *const K_TTFT_MS[] = {"ai.response.msToFirstChunk", "ai.stream.msToFirstChunk", NULL};
static const char *const K_PROMPT[] = {"gen_ai.prompt.name", "langfuse.observation.prompt.name", "langfuse.prompt.name",
				       "traceloop.prompt.key", "llm.prompt_template.name", NULL};
static const char *const K_PVERSION[] = {"langfuse.observation.prompt.version", "langfuse.prompt.version",
					 "traceloop.prompt.version", "traceloop.prompt.version_name",
					 "llm.prompt_template.version", NULL};
static const char *const K_TEMPLATE[] = {"llm.prompt_template.template", "traceloop.prompt.template", NULL};
static const char *const K_VARS[] = {"traceloop.prompt.template_variables", "llm.prompt_template.variables", NULL};
static const char *const K_FEATURE[] = {"llmops.feature", "feature", "traceloop.association.properties.feature",
					"app.feature", NULL};
static const char *const K_USER[] = {"user.id", "enduser.id", "langfuse.user.id", "gen_ai.user.id",
				     "traceloop.association.properties.user_id", NULL};
static const char *const K_SESSION[] = {"session.id", "langfuse.session.id", "gen_ai.conversation.id",
					"traceloop.association.properties.session_id", NULL};
static const char *const K_HTTP_STATUS[] = {"http.response.status_code", "http.status_code", "ai.response.statusCode",
					    NULL};
/* Free-form metadata whose keys say feature, user, session or prompt. */
static const char *const META_PREFIXES[] = {"ai.telemetry.metadata.", "ai.settings.context.",
					    "traceloop.association.properties.", "langfuse.trace.metadata.",
					    "langfuse.observation.metadata.", "metadata.", NULL};

static int is_llm_span(attrs_t *A)
{
	const char *op = get_str(A, "gen_ai.operation.name");
	if (op) {
		static const char *const yes[] = {"chat", "text_completion", "generate_content", "completion",
						  "embeddings", "embedding", "responses", NULL};
		for (const char *const *y = yes; *y; y++)
			if (!strcmp(op, *y))
				return 1;
		return 0;
	}
	const char *kind = get_str(A, "openinference.span.kind");
	if (kind)
		return !strcasecmp(kind, "LLM") || !strcasecmp(kind, "EMBEDDING");
	const char *rt = get_str(A, "llm.request.type");
	if (rt)
		return !strcmp(rt, "chat") || !strcmp(rt, "completion") || !strcmp(rt, "embedding");
	const char *lf = get_str(A, "langfuse.observation.type");
	if (lf)
		return !strcasecmp(lf, "generation") || !strcasecmp(lf, "embedding");
	if ((get(A, "gen_ai.system") || get(A, "gen_ai.provider.name")) &&
	    (get(A, "gen_ai.request.model") || get(A, "gen_ai.response.model")))
		return 1;
	return 0;
}

static int set_id_field(uint8_t *dst, uint8_t *len, const cJSON *v)
{
	return cJSON_IsString(v) && *v->valuestring ? call_set_id(dst, len, v->valuestring) : -1;
}

/* ---- context: what a span says about who and what a call was for -------- */

typedef struct span_context {
	const char *feature, *user, *session, *prompt, *version;
	cJSON *vars; /* owned */
} span_context;

static void ctx_set(const char **dst, const char *v, arena_t *ar)
{
	if (!*dst && v && *v)
		*dst = arena_strdup(ar, v);
}

/* A metadata key's last word, squashed: "userId", "user_id" -> "userid". */
static void squash_key(const char *k, char *out, size_t n)
{
	size_t o = 0;
	for (; *k && o + 1 < n; k++)
		if (isalnum((unsigned char)*k))
			out[o++] = (char)tolower((unsigned char)*k);
	out[o] = 0;
}

static void ctx_meta(span_context *x, const char *key, const char *val, arena_t *ar)
{
	char k[48];
	squash_key(key, k, sizeof k);
	if (!strcmp(k, "feature"))
		ctx_set(&x->feature, val, ar);
	else if (!strcmp(k, "userid") || !strcmp(k, "user"))
		ctx_set(&x->user, val, ar);
	else if (!strcmp(k, "sessionid") || !strcmp(k, "session"))
		ctx_set(&x->session, val, ar);
	else if (!strcmp(k, "promptname") || !strcmp(k, "prompt") || !strcmp(k, "promptkey"))
		ctx_set(&x->prompt, val, ar);
	else if (!strcmp(k, "promptversion"))
		ctx_set(&x->version, val, ar);
}


static void ctx_read(attrs_t *A, span_context *x, arena_t *ar)
{
	char vbuf[32];
	ctx_set(&x->feature, first_str(A, K_FEATURE), ar);
	ctx_set(&x->user, first_str(A, K_USER), ar);
	ctx_set(&x->session, first_str(A, K_SESSION), ar);
	ctx_set(&x->prompt, first_str(A, K_PROMPT), ar);
	ctx_set(&x->version, first_text(A, K_PVERSION, vbuf, sizeof vbuf), ar);
	for (const char *const *k = K_VARS; *k && !x->vars; k++) {
		const char *sv = get_str(A, *k);
		cJSON *j = sv ? cJSON_Parse(sv) : NULL;
		if (cJSON_IsObject(j))
			x->vars = j;
		else
			cJSON_Delete(j);
	}
	/* The Vercel AI SDK's Langfuse bridge: metadata JSON {"name", "version"}. */
	const char *lp = get_str(A, "ai.telemetry.metadata.langfusePrompt");
	if (lp) {
		cJSON *j = cJSON_Parse(lp);
		const cJSON *n = field(j, "name"), *v = field(j, "version");
		if (cJSON_IsString(n) && !x->prompt) {
			x->prompt = arena_strdup(ar, n->valuestring);
			if (cJSON_IsNumber(v)) {
				snprintf(vbuf, sizeof vbuf, "%.15g", v->valuedouble);
				ctx_set(&x->version, vbuf, ar);
			} else if (cJSON_IsString(v)) {
				ctx_set(&x->version, v->valuestring, ar);
			}
		}
		cJSON_Delete(j);
	}
	for (size_t i = 0; i < A->n; i++) {
		const char *key = A->keys[i];
		/* Traceloop: traceloop.prompt.template_variables.NAME */
		static const char tv[] = "traceloop.prompt.template_variables.";
		if (!strncmp(key, tv, sizeof tv - 1) && key[sizeof tv - 1]) {
			const char *val = any_text(A->vals[i], vbuf, sizeof vbuf);
			if (!val)
				continue;
			if (!x->vars)
				x->vars = cJSON_CreateObject();
			if (!cJSON_GetObjectItemCaseSensitive(x->vars, key + sizeof tv - 1))
				cJSON_AddStringToObject(x->vars, key + sizeof tv - 1, val);
			A->used[i] = 1;
			continue;
		}
		for (const char *const *p = META_PREFIXES; *p; p++) {
			size_t pl = strlen(*p);
			if (strncmp(key, *p, pl) || strchr(key + pl, '.'))
				continue;
			const char *val = any_text(A->vals[i], vbuf, sizeof vbuf);
			if (!val)
				break;
			const char *before[5] = {x->feature, x->user, x->session, x->prompt, x->version};
			ctx_meta(x, key + pl, val, ar);
			const char *after[5] = {x->feature, x->user, x->session, x->prompt, x->version};
			if (memcmp(before, after, sizeof before))
				A->used[i] = 1;
			break;
		}
	}
	/* OpenInference: metadata as one JSON object. */
	const char *meta = get_str(A, "metadata");
	if (meta) {
		cJSON *j = cJSON_Parse(meta);
		for (const cJSON *e = cJSON_IsObject(j) ? j->child : NULL; e; e = e->next) {
			char nb[32];
			const char *val = cJSON_IsString(e) ? e->valuestring : NULL;
			if (!val && cJSON_IsNumber(e)) {
				snprintf(nb, sizeof nb, "%.15g", e->valuedouble);
				val = nb;
			}
			if (val)
				ctx_meta(x, e->string, val, ar);
		}
		cJSON_Delete(j);
		/* the object itself stays among the kept attributes */
		for (size_t i = 0; i < A->n; i++)
			if (!strcmp(A->keys[i], "metadata"))
				A->used[i] = 0;
	}
	/* The AI SDK names the function a call was made for. */
	if (!x->feature) {
		const char *fid = get_str(A, "ai.telemetry.functionId");
		if (fid)
			ctx_set(&x->feature, fid, ar);
	}
}

static char *ctx_json(const span_context *x, arena_t *ar)
{
	if (!x->feature && !x->user && !x->session && !x->prompt && !x->version && !x->vars)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	if (x->feature)
		cJSON_AddStringToObject(o, "feature", x->feature);
	if (x->user)
		cJSON_AddStringToObject(o, "user_id", x->user);
	if (x->session)
		cJSON_AddStringToObject(o, "session_id", x->session);
	if (x->prompt)
		cJSON_AddStringToObject(o, "prompt_name", x->prompt);
	if (x->version)
		cJSON_AddStringToObject(o, "prompt_version", x->version);
	if (x->vars)
		cJSON_AddItemReferenceToObject(o, "variables", x->vars);
	char *r = print_arena(ar, o);
	cJSON_Delete(o);
	return r;
}

static void kept_attrs(attrs_t *A, attrs_t *R, call_t *c, arena_t *ar)
{
	cJSON *o = NULL;
	for (size_t i = 0; i < A->n; i++) {
		if (A->used[i])
			continue;
		if (!o)
			o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, A->keys[i], any_json(A->vals[i]));
	}
	for (size_t i = 0; R && i < R->n; i++) {
		if (R->used[i])
			continue;
		if (!o)
			o = cJSON_CreateObject();
		char k[256];
		snprintf(k, sizeof k, "resource.%s", R->keys[i]);
		cJSON_AddItemToObject(o, k, any_json(R->vals[i]));
	}
	if (c->thinking) {
		if (!o)
			o = cJSON_CreateObject();
		cJSON_DeleteItemFromObjectCaseSensitive(o, CALL_THINKING_KEY);
		cJSON_AddStringToObject(o, CALL_THINKING_KEY, c->thinking);
	}
	if (o) {
		c->attrs = print_arena(ar, o);
		cJSON_Delete(o);
	}
}

/* All of a span's attributes as one JSON object (for the steps of a trace). */
static const char *all_attrs(attrs_t *A, arena_t *ar)
{
	if (!A->n)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < A->n; i++)
		cJSON_AddItemToObject(o, A->keys[i], any_json(A->vals[i]));
	const char *r = o->child ? print_arena(ar, o) : NULL;
	cJSON_Delete(o);
	return r;
}

/* ---- the families that are not GenAI conventions ------------------------ */

/* Langfuse v5: usage_details is a JSON object whose input leaves out the
 * cached part (input_cached_tokens for OpenAI; cache_read_input_tokens and
 * cache_creation_input_tokens for Anthropic). */
static void langfuse_usage(attrs_t *A, call_t *c)
{
	const char *u = get_str(A, "langfuse.observation.usage_details");
	get(A, "langfuse.observation.cost_details");
	if (!u)
		return;
	cJSON *j = cJSON_Parse(u);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return;
	}
	static const char *const cached_keys[] = {"input_cached_tokens", "cache_read_input_tokens", "input_cache_read",
						  "cached_tokens", NULL};
	static const char *const write_keys[] = {"cache_creation_input_tokens", "input_cache_creation", NULL};
	double in = -1, out = -1, cached = 0, cwrite = 0;
	const cJSON *v;
	if (cJSON_IsNumber(v = field(j, "input")) || cJSON_IsNumber(v = field(j, "prompt_tokens")))
		in = v->valuedouble;
	if (cJSON_IsNumber(v = field(j, "output")) || cJSON_IsNumber(v = field(j, "completion_tokens")))
		out = v->valuedouble;
	for (const char *const *k = cached_keys; *k; k++)
		if (cJSON_IsNumber(v = field(j, *k)) && v->valuedouble > 0)
			cached += v->valuedouble;
	for (const char *const *k = write_keys; *k; k++)
		if (cJSON_IsNumber(v = field(j, *k)) && v->valuedouble > 0)
			cwrite += v->valuedouble;
	if (c->input_tokens < 0 && in >= 0 && in < 1e15)
		c->input_tokens = (int64_t)(in + cached + cwrite);
	if (c->cached_tokens < 0 && in >= 0 && cached < 1e15)
		c->cached_tokens = (int64_t)cached;
	if (c->output_tokens < 0 && out >= 0 && out < 1e15)
		c->output_tokens = (int64_t)out;
	cJSON_Delete(j);
}

/* A JSON date string ("2026-..." or "\"2026-...\"") to Unix ns. */
static int json_date(const char *s, int64_t *ns)
{
	if (!s)
		return -1;
	char buf[64];
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		if (n - 2 >= sizeof buf)
			return -1;
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = 0;
		s = buf;
	}
	return clock_parse_time(s, ns);
}

/* Tool calls as the AI SDK records them: [{toolCallId, toolName, args|input}]. */
static void vercel_tool_calls(const char *json, sbuf *out)
{
	cJSON *j = cJSON_Parse(json);
	const cJSON *t;
	const cJSON *arr = cJSON_IsArray(j) ? j : NULL;
	cJSON_ArrayForEach(t, arr)
	{
		const cJSON *name = field(t, "toolName");
		const cJSON *args = field(t, "args");
		if (!args)
			args = field(t, "input");
		char *a = args ? (cJSON_IsString(args) ? strdup(args->valuestring) : cJSON_PrintUnformatted(args)) : NULL;
		if (out->len)
			sb_addc(out, '\n');
		sb_printf(out, "[tool call] %s(%s)", cJSON_IsString(name) ? name->valuestring : "?", a ? a : "");
		free(a);
	}
	cJSON_Delete(j);
}

static void other_content(attrs_t *A, call_t *c, arena_t *ar)
{
	/* Langfuse */
	const cJSON *li = get(A, "langfuse.observation.input");
	if (!c->input && li) {
		cJSON *j = any_json(li);
		cJSON *p = cJSON_IsString(j) ? cJSON_Parse(j->valuestring) : NULL;
		const cJSON *src = p ? p : j;
		if (cJSON_IsObject(src) && cJSON_IsArray(field(src, "messages")))
			src = field(src, "messages");
		cJSON *m = genai_norm_messages(src);
		if (m && cJSON_GetArraySize(m))
			c->input = print_arena(ar, m);
		cJSON_Delete(m);
		cJSON_Delete(p);
		cJSON_Delete(j);
	}
	const cJSON *lo = get(A, "langfuse.observation.output");
	if (lo && (!c->output || !c->thinking)) {
		cJSON *j = any_json(lo);
		if (!c->output) {
			char *t = genai_output_text(j);
			if (t) {
				c->output = arena_strdup(ar, t);
				free(t);
			}
		}
		if (!c->thinking) {
			char *t = genai_output_thinking(j);
			if (t) {
				c->thinking = arena_strdup(ar, t);
				free(t);
			}
		}
		cJSON_Delete(j);
	}
	/* Vercel AI SDK (its own ai.* attributes) */
	const char *pm = get_str(A, "ai.prompt.messages");
	if (!c->input && pm) {
		cJSON *j = cJSON_CreateString(pm);
		cJSON *m = genai_norm_messages(j);
		if (m && cJSON_GetArraySize(m))
			c->input = print_arena(ar, m);
		cJSON_Delete(m);
		cJSON_Delete(j);
	}
	get(A, "ai.prompt");
	const char *rt = get_str(A, "ai.response.text");
	const char *tc = get_str(A, "ai.response.toolCalls");
	if (!c->output && (rt || tc)) {
		sbuf b = SBUF_INIT;
		if (rt)
			sb_adds(&b, rt);
		if (tc)
			vercel_tool_calls(tc, &b);
		if (b.len)
			c->output = arena_strdup(ar, sb_str(&b));
		sb_free(&b);
	}
	const char *rr = get_str(A, "ai.response.reasoning");
	if (!c->thinking && rr && *rr)
		c->thinking = arena_strdup(ar, rr);
}

static long http_status(attrs_t *A)
{
	for (const char *const *k = K_HTTP_STATUS; *k; k++) {
		const cJSON *v = get(A, *k);
		int64_t n;
		if (v && any_int(v, &n) == 0 && n >= 100 && n < 1000)
			return (long)n;
	}
	return 0;
}

static int map_span(const cJSON *sp, attrs_t *R, const char *scope, batch_t *b, nanos_src *start, nanos_src *end,
		    nanos_src *evt, int idx, char *err, size_t errlen)
{
	int64_t t0 = 0, t1 = 0;
	int rs = get_nanos(sp, start, &t0), re = get_nanos(sp, end, &t1);
	/* Visit every event time too, so numeric ones stay in document order. */
	const cJSON *e;
	cJSON_ArrayForEach(e, field(sp, "events"))
	{
		int64_t tmp;
		get_nanos(e, evt, &tmp);
	}
	attrs_t A;
	attrs_load(&A, field(sp, "attributes"));
	arena_t *ar = &b->arena;
	int llm = is_llm_span(&A);
	size_t saved_spans = b->nspans;
	span_rec *S = batch_add_span(b);
	int rc = -1;
	/* A step of a trace that cannot be placed is not worth failing the
	 * record for; an LLM call is. */
	if (set_id_field(S->trace_id, &S->trace_len, field(sp, "traceId"))) {
		if (!llm)
			goto skip;
		snprintf(err, errlen, "span %d: traceId missing or not hex", idx + 1);
		goto out;
	}
	if (set_id_field(S->span_id, &S->span_len, field(sp, "spanId"))) {
		if (!llm)
			goto skip;
		snprintf(err, errlen, "span %d: spanId missing or not hex", idx + 1);
		goto out;
	}
	if (rs) {
		if (!llm)
			goto skip;
		snprintf(err, errlen, "span %d: startTimeUnixNano %s", idx + 1,
			 rs > 0 ? "missing" : rs == -2 ? "is out of range" : "is not an integer");
		goto out;
	}
	if (re < 0) {
		if (!llm)
			goto skip;
		snprintf(err, errlen, "span %d: endTimeUnixNano %s", idx + 1,
			 re == -2 ? "is out of range" : "is not an integer");
		goto out;
	}
	const cJSON *pid = field(sp, "parentSpanId");
	if (cJSON_IsString(pid) && *pid->valuestring && call_set_id(S->parent_id, &S->parent_len, pid->valuestring))
		S->parent_len = 0;
	S->start_ns = t0;
	S->end_ns = re == 0 && t1 >= t0 ? t1 : -1;
	const cJSON *nm = field(sp, "name");
	S->name = arena_strdup(ar, cJSON_IsString(nm) ? nm->valuestring : "");
	S->scope = scope ? arena_strdup(ar, scope) : NULL;
	const cJSON *kind = field(sp, "kind");
	/* SpanKind and StatusCode are small enums: anything else is unset. */
	S->kind = cJSON_IsNumber(kind) && kind->valuedouble >= 0 && kind->valuedouble <= 5 ? (int)kind->valuedouble : 0;
	const cJSON *st = field(sp, "status");
	const cJSON *code = field(st, "code");
	const cJSON *msg = field(st, "message");
	S->status = cJSON_IsNumber(code) && code->valuedouble >= 0 && code->valuedouble <= 2 ? (int)code->valuedouble : 0;
	if (cJSON_IsString(code))
		S->status = !strcmp(code->valuestring, "2") || !strcmp(code->valuestring, "STATUS_CODE_ERROR") ? 2
			    : !strcmp(code->valuestring, "1") || !strcmp(code->valuestring, "STATUS_CODE_OK") ? 1
													   : 0;
	if (S->status < 0 || S->status > 2)
		S->status = 0;
	if (cJSON_IsString(msg) && *msg->valuestring)
		S->status_message = arena_strdup(ar, msg->valuestring);

	span_context X = {0};
	ctx_read(&A, &X, ar);
	if (!llm) {
		S->ctx = ctx_json(&X, ar);
		S->attrs = all_attrs(&A, ar);
		cJSON_Delete(X.vars);
		rc = 0;
		goto out;
	}

	call_t *c = batch_add_call(b);
	S->call = (long)(b->n - 1);
	c->span = (long)(b->nspans - 1);
	memcpy(c->trace_id, S->trace_id, S->trace_len);
	c->trace_len = S->trace_len;
	memcpy(c->span_id, S->span_id, S->span_len);
	c->span_len = S->span_len;
	c->ts_ns = t0;
	if (S->end_ns >= 0)
		c->latency_ms = (double)(t1 - t0) / 1e6;

	const char *op = first_str(&A, K_OPERATION);
	if (!op && get(&A, "langfuse.observation.type") && !strcasecmp(get_str(&A, "langfuse.observation.type"), "embedding"))
		op = "embeddings";
	c->operation = op ? arena_strdup(ar, op) : "chat";
	const char *rmodel = first_str(&A, K_RESP_MODEL);
	const char *model = rmodel ? rmodel : first_str(&A, K_MODEL);
	const char *req = first_str(&A, K_REQ_MODEL);
	c->model = arena_strdup(ar, model ? model : req ? req : "(unknown)");
	c->model_from_response = rmodel != NULL;
	c->request_model = req ? arena_strdup(ar, req) : NULL;
	const char *prov = first_str(&A, K_PROVIDER);
	if (prov) {
		const char *p = call_norm_provider(prov);
		char *low = arena_strdup(ar, prov);
		str_lower(low);
		c->provider = p ? p : low;
	} else {
		c->provider = call_guess_provider(c->model);
		/* Langfuse's wrappers name their generations "OpenAI.chat",
		 * "anthropic-messages": a model nobody knows still has a provider. */
		for (const char *hint = S->name; !c->provider && hint; hint = hint == S->name ? S->scope : NULL) {
			char low[128];
			snprintf(low, sizeof low, "%s", hint);
			str_lower(low);
			c->provider = strstr(low, "openai") ? "openai" : strstr(low, "anthropic") ? "anthropic" : NULL;
		}
	}
	c->input_tokens = first_int(&A, K_IN);
	c->output_tokens = first_int(&A, K_OUT);
	c->cached_tokens = first_int(&A, K_CACHED);
	int64_t cwrite = first_int(&A, K_CWRITE);
	consume(&A, K_DERIVED);
	if (c->input_tokens > IMPORT_MAX_TOKENS || c->output_tokens > IMPORT_MAX_TOKENS ||
	    c->cached_tokens > IMPORT_MAX_TOKENS || cwrite > IMPORT_MAX_TOKENS) {
		cJSON_Delete(X.vars);
		snprintf(err, errlen, "span %d: a token count is out of range (at most 1,000,000,000 a call)", idx + 1);
		goto out;
	}
	/* Input counts cache reads and writes. Where a library reported
	 * Anthropic's uncached input_tokens, the parts outgrow the whole. */
	int64_t cache_parts = (c->cached_tokens > 0 ? c->cached_tokens : 0) + (cwrite > 0 ? cwrite : 0);
	if (c->input_tokens >= 0 && cache_parts > c->input_tokens)
		c->input_tokens += cache_parts;
	langfuse_usage(&A, c);
	for (const char *const *k = K_TTFT_S; *k; k++) {
		const cJSON *v = get(&A, *k);
		double sec;
		if (v && any_double(v, &sec) == 0 && sec >= 0 && c->ttft_ms < 0)
			c->ttft_ms = sec * 1000;
	}
	for (const char *const *k = K_TTFT_MS; *k; k++) {
		const cJSON *v = get(&A, *k);
		double ms;
		if (v && any_double(v, &ms) == 0 && ms >= 0 && c->ttft_ms < 0)
			c->ttft_ms = ms;
	}
	int64_t cst;
	/* Langfuse keeps milliseconds: the first token may seem to come a
	 * fraction of one before the start. */
	if (c->ttft_ms < 0 && json_date(get_str(&A, "langfuse.observation.completion_start_time"), &cst) == 0 &&
	    cst >= t0 - NS_PER_MS && (S->end_ns < 0 || cst <= S->end_ns + NS_PER_MS))
		c->ttft_ms = cst > t0 ? (double)(cst - t0) / 1e6 : 0;
	c->prompt_name = X.prompt;
	c->prompt_version = X.version;
	c->feature = X.feature;
	c->user_id = X.user;
	c->session_id = X.session;
	if (X.vars) {
		c->variables = print_arena(ar, X.vars);
		cJSON_Delete(X.vars);
	}
	/* The service is a call's feature of last resort, after what its trace
	 * says (applied where the trace is put together). */
	const char *svc = R ? get_str(R, "service.name") : NULL;
	if (svc)
		S->service = arena_strdup(ar, svc);
	char why[200];
	if (import_check_call(c, "startTimeUnixNano", why, sizeof why)) {
		snprintf(err, errlen, "span %d: %s", idx + 1, why);
		goto out;
	}
	/* The template goes to the prompt registry, which keys it by name and
	 * version; without both it stays among the kept attributes. */
	if (c->prompt_name && c->prompt_version) {
		const char *tpl = first_str(&A, K_TEMPLATE);
		if (tpl)
			c->prompt_template = arena_strdup(ar, tpl);
	}

	/* Status: code 2 (or Langfuse's level ERROR) is an error. Its type comes
	 * from the HTTP status first, then the provider's error text, the
	 * exception class last. */
	int is_err = S->status == 2;
	const char *level = get_str(&A, "langfuse.observation.level");
	const char *lmsg = get_str(&A, "langfuse.observation.status_message");
	if (level && !strcasecmp(level, "ERROR"))
		is_err = 1;
	const char *etype = get_str(&A, "error.type");
	const char *emsg = S->status_message ? S->status_message : lmsg && *lmsg ? lmsg : NULL;
	cJSON_ArrayForEach(e, field(sp, "events"))
	{
		const cJSON *name = field(e, "name");
		if (!cJSON_IsString(name) || strcmp(name->valuestring, "exception"))
			continue;
		attrs_t Xa;
		attrs_load(&Xa, field(e, "attributes"));
		const char *xt = get_str(&Xa, "exception.type"), *xm = get_str(&Xa, "exception.message");
		if (!etype && xt)
			etype = arena_strdup(ar, xt);
		if (!emsg && xm)
			emsg = arena_strdup(ar, xm);
		attrs_free(&Xa);
	}
	long hs = http_status(&A);
	if (etype && S->status == 0)
		is_err = 1; /* no status at all, but a failure recorded */
	if (hs >= 400)
		is_err = 1;
	if (is_err) {
		c->is_error = 1;
		char ebuf[64];
		int rank = ERR_RANK_NONE;
		const char *t = call_classify_error(hs, etype, emsg, ebuf, sizeof ebuf, &rank);
		c->error_type = arena_strdup(ar, t ? t : "error");
		c->error_rank = rank;
		if (emsg)
			c->error_message = arena_strdup(ar, emsg);
		if (etype && t && strcmp(etype, t)) {
			/* keep the library's own spelling among the attributes */
			for (size_t i = 0; i < A.n; i++)
				if (!strcmp(A.keys[i], "error.type"))
					A.used[i] = 0;
		}
	}
	map_content(&A, sp, c, ar);
	other_content(&A, c, ar);
	kept_attrs(&A, R, c, ar);
	rc = 0;
	goto out;
skip:
	b->skipped++;
	b->nspans = saved_spans;
	attrs_free(&A);
	return 0;
out:
	if (rc) {
		b->nspans = saved_spans;
		if (S->call >= 0)
			b->n--;
	}
	attrs_free(&A);
	return rc;
}

/* ---- log records (GenAI content events) -------------------------------- */

static int map_log(const cJSON *lr, batch_t *b, nanos_src *tsrc, nanos_src *osrc)
{
	int64_t t = 0, obs = 0;
	int rt = get_nanos(lr, tsrc, &t);
	get_nanos(lr, osrc, &obs);
	if (rt != 0)
		t = obs;
	attrs_t A;
	attrs_load(&A, field(lr, "attributes"));
	const cJSON *en = field(lr, "eventName");
	const char *name = cJSON_IsString(en) && *en->valuestring ? en->valuestring : get_str(&A, "event.name");
	if (!name || strncmp(name, "gen_ai.", 7)) {
		attrs_free(&A);
		b->skipped++;
		return 0;
	}
	span_event_t *ev = batch_add_event(b);
	if (set_id_field(ev->trace_id, &ev->trace_len, field(lr, "traceId")) ||
	    set_id_field(ev->span_id, &ev->span_len, field(lr, "spanId"))) {
		b->nev--; /* content without a span cannot be attached to a call */
		attrs_free(&A);
		b->skipped++;
		return 0;
	}
	ev->ts_ns = t;
	ev->name = arena_strdup(&b->arena, name);
	cJSON *body = any_json(field(lr, "body"));
	if (!cJSON_IsObject(body)) {
		cJSON *o = cJSON_CreateObject();
		if (!cJSON_IsNull(body))
			cJSON_AddItemToObject(o, "content", body);
		else
			cJSON_Delete(body);
		body = o;
	}
	for (size_t i = 0; i < A.n; i++) {
		if (!strcmp(A.keys[i], "event.name") || cJSON_GetObjectItemCaseSensitive(body, A.keys[i]))
			continue;
		cJSON_AddItemToObject(body, A.keys[i], any_json(A.vals[i]));
	}
	ev->body = print_arena(&b->arena, body);
	cJSON_Delete(body);
	attrs_free(&A);
	return 0;
}

/* ---- documents --------------------------------------------------------- */

static int parse_doc(const char *doc, size_t len, batch_t *b, uint64_t *rejected, char *err, size_t errlen);

int otlp_parse_doc(const char *doc, size_t len, batch_t *b, char *err, size_t errlen)
{
	return parse_doc(doc, len, b, NULL, err, errlen);
}

int otlp_parse_doc_partial(const char *doc, size_t len, batch_t *b, uint64_t *rejected, char *err, size_t errlen)
{
	return parse_doc(doc, len, b, rejected, err, errlen);
}

static int map_root(const cJSON *root, const char *doc, size_t len, batch_t *b, uint64_t *rejected, char *err,
		    size_t errlen);

static int parse_doc(const char *doc, size_t len, batch_t *b, uint64_t *rejected, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(doc, len, &end, 0);
	if (!root) {
		long bad = text_check(doc, len);
		if (bad >= 0)
			snprintf(err, errlen, "binary data, not JSON text (byte 0x%02x at offset %ld)", (unsigned char)doc[bad],
				 bad);
		else if (!end || end >= doc + len)
			snprintf(err, errlen, "truncated JSON: the record ends early");
		else
			snprintf(err, errlen, "malformed JSON at offset %ld", (long)(end - doc));
		return -1;
	}
	/* A second request on the same line would otherwise vanish unread. */
	const char *tail = end ? end : doc + len;
	while (tail < doc + len && (*tail == ' ' || *tail == '\t' || *tail == '\r' || *tail == '\n'))
		tail++;
	if (tail < doc + len) {
		snprintf(err, errlen, "unexpected text after the request at offset %ld (one request a line)", (long)(tail - doc));
		cJSON_Delete(root);
		return -1;
	}
	/* cJSON would end the string there and keep the first half quietly. */
	long nul = json_nul_escape(doc, len);
	if (nul >= 0) {
		snprintf(err, errlen, "\\u0000 (a NUL character) at offset %ld cannot be stored; the value would be cut there",
			 nul);
		cJSON_Delete(root);
		return -1;
	}
	int rc = map_root(root, doc, len, b, rejected, err, errlen);
	cJSON_Delete(root);
	return rc;
}

/* rejected NULL: one bad span fails the request and leaves the batch as it
 * was. Else a bad span is left out alone and counted, the first reason kept
 * in err. */
static int map_root(const cJSON *root, const char *doc, size_t len, batch_t *b, uint64_t *rejected, char *err,
		    size_t errlen)
{
	size_t saved_n = b->n, saved_ev = b->nev, saved_spans = b->nspans;
	uint64_t saved_skip = b->skipped;
	int rc = 0;
	const cJSON *rspans = field(root, "resourceSpans"), *rlogs = field(root, "resourceLogs");
	if (!cJSON_IsObject(root) ||
	    (!cJSON_IsArray(rspans) && !cJSON_IsArray(rlogs) && !cJSON_IsArray(field(root, "resourceMetrics")))) {
		snprintf(err, errlen, "not an OTLP/JSON request (no resourceSpans or resourceLogs)");
		return -1;
	}
	nanos_src start = {doc, len, "startTimeUnixNano", 0}, endt = {doc, len, "endTimeUnixNano", 0},
		  evt = {doc, len, "timeUnixNano", 0}, obs = {doc, len, "observedTimeUnixNano", 0};
	int idx = 0;
	char why[512];
	const cJSON *rs;
	cJSON_ArrayForEach(rs, rspans)
	{
		attrs_t R;
		attrs_load(&R, field(field(rs, "resource"), "attributes"));
		const cJSON *ss;
		cJSON_ArrayForEach(ss, field(rs, "scopeSpans"))
		{
			const cJSON *sn = field(field(ss, "scope"), "name");
			const char *scope = cJSON_IsString(sn) && *sn->valuestring ? sn->valuestring : NULL;
			const cJSON *sp;
			cJSON_ArrayForEach(sp, field(ss, "spans"))
			{
				if (rejected) {
					size_t n0 = b->n, ev0 = b->nev, sp0 = b->nspans;
					uint64_t sk0 = b->skipped;
					if (map_span(sp, &R, scope, b, &start, &endt, &evt, idx, why, sizeof why)) {
						b->n = n0;
						b->nev = ev0;
						b->nspans = sp0;
						b->skipped = sk0;
						if (!(*rejected)++)
							snprintf(err, errlen, "%s", why);
					}
				} else if (!rc && map_span(sp, &R, scope, b, &start, &endt, &evt, idx, err, errlen)) {
					rc = -1;
				}
				idx++;
			}
		}
		attrs_free(&R);
	}
	const cJSON *rl;
	cJSON_ArrayForEach(rl, rlogs)
	{
		const cJSON *sl;
		cJSON_ArrayForEach(sl, field(rl, "scopeLogs"))
		{
			const cJSON *lr;
			cJSON_ArrayForEach(lr, field(sl, "logRecords")) if (!rc) map_log(lr, b, &evt, &obs);
		}
	}
	if (rc) {
		b->n = saved_n;
		b->nev = saved_ev;
		b->nspans = saved_spans;
		b->skipped = saved_skip;
	}
	return rc;
}

int otlp_map_root(const cJSON *root, const char *doc, size_t len, batch_t *b, char *err, size_t errlen)
{
	return map_root(root, doc, len, b, NULL, err, errlen);
}

int otlp_map_root_partial(const cJSON *root, const char *doc, size_t len, batch_t *b, uint64_t *rejected, char *err,
			  size_t errlen)
{
	return map_root(root, doc, len, b, rejected, err, errlen);
}
