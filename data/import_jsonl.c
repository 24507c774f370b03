/* The flat JSONL call record (the README's import section), one object a line. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/clock.h"
#include "../core/genai.h"
#include "../core/jsonscan.h"
#include "../core/sanitize.h"
#include "import.h"

long text_check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		/* Eight ASCII bytes with no NUL among them at a time. */
		if (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (!(w & 0x8080808080808080ULL) && !((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		unsigned char c = p[i];
		if (c == 0)
			return (long)i;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!len || i + len > n)
			return (long)i;
		for (size_t k = 1; k < len; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return (long)i;
		/* Overlongs and surrogates. */
		if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] > 0x9f) || (c == 0xf0 && p[i + 1] < 0x90) ||
		    (c == 0xf4 && p[i + 1] > 0x8f))
			return (long)i;
		i += len;
	}
	return -1;
}

/* The latest start time a call may have: a day after now, by the wall clock
 * or by the injected clock of the tests, whichever is later. */
static int too_late(int64_t ts)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t wall = (int64_t)now.tv_sec * NS_PER_S + now.tv_nsec;
	if (ts <= wall + IMPORT_MAX_AHEAD_NS)
		return 0;
	return ts > clock_now_ns() + IMPORT_MAX_AHEAD_NS;
}

int import_check_call(const call_t *c, const char *ts_name, char *err, size_t errlen)
{
	if (c->ts_ns < IMPORT_MIN_TS_NS || too_late(c->ts_ns)) {
		char when[40];
		clock_fmt_rfc3339(c->ts_ns, when, sizeof when);
		snprintf(err, errlen, "%s: %s is out of range (from 2000-01-01 to a day after now)", ts_name, when);
		return -1;
	}
	const struct {
		const char *name;
		int64_t v;
	} toks[] = {{"input_tokens", c->input_tokens}, {"cached_tokens", c->cached_tokens},
		    {"output_tokens", c->output_tokens}};
	for (size_t i = 0; i < 3; i++)
		if (toks[i].v > IMPORT_MAX_TOKENS) {
			snprintf(err, errlen, "%s: %lld is out of range (at most 1,000,000,000 a call)", toks[i].name,
				 (long long)toks[i].v);
			return -1;
		}
	const struct {
		const char *name;
		double v;
	} ms[] = {{"latency_ms", c->latency_ms}, {"ttft_ms", c->ttft_ms}};
	for (size_t i = 0; i < 2; i++)
		if (!(ms[i].v <= IMPORT_MAX_MS)) {
			snprintf(err, errlen, "%s: %.15g is out of range (at most 86400000, a day)", ms[i].name, ms[i].v);
			return -1;
		}
	if (c->has_cost && (c->cost_nusd < 0 || c->cost_nusd > (int64_t)(IMPORT_MAX_COST_USD * 1e9))) {
		snprintf(err, errlen, "cost_usd: %.15g is out of range (0 to 10000 USD a call)", (double)c->cost_nusd / 1e9);
		return -1;
	}
	return 0;
}

/* Offset of a \u0000 escape in JSON text, or -1: decoded, it would end the
 * C string that holds the value, and silently drop the rest. */
long json_nul_escape(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while ((p = memmem(p, (size_t)(end - p), "\\u0000", 6))) {
		size_t at = (size_t)(p - s), bs = 0;
		while (bs < at && s[at - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return (long)(p - s);
		p++;
	}
	return -1;
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "something else";
}

#define FAIL(...)                                                                                    \
	do {                                                                                         \
		snprintf(err, errlen, __VA_ARGS__);                                                  \
		goto fail;                                                                           \
	} while (0)

static char *print_arena(arena_t *a, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	if (!s)
		return NULL;
	char *r = arena_strdup(a, s);
	free(s);
	return r;
}

/* What both parsers do once the fields are read: required fields, ids
 * (from the line itself when absent), provider and error normalisation. */
static int finish_call(call_t *c, arena_t *a, const char *line, size_t len, int has_ts, const char *status,
		       const char *trace, const char *span, char *err, size_t errlen)
{
	if (!has_ts) {
		snprintf(err, errlen, "missing field \"ts\"");
		return -1;
	}
	if (str_empty(c->model)) {
		snprintf(err, errlen, "missing field \"model\"");
		return -1;
	}
	if (c->cached_tokens > 0 && c->input_tokens >= 0 && c->cached_tokens > c->input_tokens) {
		snprintf(err, errlen, "cached_tokens (%lld) exceeds input_tokens (%lld): input_tokens counts all prompt tokens",
			 (long long)c->cached_tokens, (long long)c->input_tokens);
		return -1;
	}
	if (import_check_call(c, "ts", err, errlen))
		return -1;
	char q[64];
	if (trace && call_set_id(c->trace_id, &c->trace_len, trace)) {
		sanitize_clip(trace, 40, q, sizeof q);
		snprintf(err, errlen, "trace_id: '%s' is not hex", q);
		return -1;
	}
	if (span && call_set_id(c->span_id, &c->span_len, span)) {
		sanitize_clip(span, 40, q, sizeof q);
		snprintf(err, errlen, "span_id: '%s' is not hex", q);
		return -1;
	}
	if (!trace || !span) {
		/* Identity from the line itself, so that importing the file again
		 * finds the same call. */
		uint64_t h1 = hash64(line, len, 0x6c6c6d6f), h2 = hash64(line, len, 0x7370616e);
		if (!trace) {
			memcpy(c->trace_id, &h1, 8);
			memcpy(c->trace_id + 8, &h2, 8);
			c->trace_len = 16;
		}
		if (!span) {
			uint64_t h3 = hash64(line, len, h1);
			memcpy(c->span_id, &h3, 8);
			c->span_len = 8;
		}
	}
	if (c->provider) {
		const char *p = call_norm_provider(c->provider);
		if (p) {
			c->provider = p;
		} else {
			char *low = arena_strdup(a, c->provider);
			str_lower(low);
			c->provider = low;
		}
	} else {
		c->provider = call_guess_provider(c->model);
	}
	if (status)
		c->is_error = !strcmp(status, "error");
	else if (c->error_type)
		c->is_error = 1;
	if (c->is_error) {
		char buf[64];
		const char *t = call_norm_error(c->error_type, c->error_message, buf, sizeof buf);
		c->error_type = t == buf ? arena_strdup(a, t) : t ? t : "error";
	} else {
		c->error_type = NULL;
	}
	return 0;
}

int jsonl_parse_slow(const char *line, size_t len, batch_t *b, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	size_t saved_n = b->n;
	cJSON *extra = NULL;
	if (!root) {
		long bad = text_check(line, len);
		if (bad >= 0) {
			snprintf(err, errlen, "binary data, not JSON text (byte 0x%02x at column %ld)",
				 (unsigned char)line[bad], bad + 1);
			return -1;
		}
		size_t at = end ? (size_t)(end - line) : 0;
		size_t rest = at;
		while (rest < len && (line[rest] == ' ' || line[rest] == '\t' || line[rest] == '\r'))
			rest++;
		/* cJSON stops on the last byte or just past it when the record is cut. */
		char last = line[len ? len - 1 : 0];
		if (at >= len || rest >= len || (at + 1 == len && last != '}' && last != ']'))
			snprintf(err, errlen, "truncated JSON: the line ends inside the record");
		else
			snprintf(err, errlen, "malformed JSON at column %zu", at + 1);
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "expected a JSON object, got %s", type_name(root));
		cJSON_Delete(root);
		return -1;
	}
	long bad = text_check(line, len);
	if (bad >= 0)
		FAIL("invalid UTF-8 at column %ld", bad + 1);
	/* cJSON stops after the first value: whatever follows on the line would
	 * otherwise be dropped without a word. */
	size_t rest = end ? (size_t)(end - line) : len;
	while (rest < len && (line[rest] == ' ' || line[rest] == '\t' || line[rest] == '\r' || line[rest] == '\n'))
		rest++;
	if (rest < len)
		FAIL("unexpected text after the record at column %zu (one JSON object a line)", rest + 1);
	long nul = json_nul_escape(line, len);
	if (nul >= 0)
		FAIL("\\u0000 (a NUL character) at column %ld cannot be stored; the value would be cut there", nul + 1);

	call_t *c = batch_add_call(b);
	arena_t *a = &b->arena;
	const char *status = NULL, *trace = NULL, *span = NULL;
	int has_ts = 0;
	for (cJSON *f = root->child; f; f = f->next) {
		const char *k = f->string;
		if (!k)
			continue;
		if (cJSON_IsNull(f))
			continue; /* null means absent */
#define STR(field)                                                                                   \
	if (!cJSON_IsString(f))                                                                      \
		FAIL("%s: expected a string, got %s", k, type_name(f));                             \
	c->field = arena_strdup(a, f->valuestring);
#define INT(field)                                                                                   \
	if (!cJSON_IsNumber(f) || f->valuedouble < 0 || f->valuedouble != floor(f->valuedouble) ||   \
	    f->valuedouble > 9e15)                                                                   \
		FAIL("%s: expected a whole number >= 0, got %s", k, cJSON_IsNumber(f) ? "a fraction or negative number" : type_name(f)); \
	c->field = (int64_t)f->valuedouble;
#define NUM(field)                                                                                   \
	if (!cJSON_IsNumber(f) || f->valuedouble < 0 || !isfinite(f->valuedouble))                   \
		FAIL("%s: expected a number >= 0, got %s", k, cJSON_IsNumber(f) ? "a negative number" : type_name(f)); \
	c->field = f->valuedouble;
		if (!strcmp(k, "ts")) {
			if (cJSON_IsString(f)) {
				if (clock_parse_rfc3339(f->valuestring, strlen(f->valuestring), &c->ts_ns)) {
					char q[64];
					sanitize_clip(f->valuestring, 40, q, sizeof q);
					FAIL("ts: '%s' is not an RFC 3339 time", q);
				}
			} else if (cJSON_IsNumber(f)) {
				c->ts_ns = clock_from_unix_guess(f->valuedouble);
				if (c->ts_ns < 0)
					FAIL("ts: %.15g is not a Unix time in seconds, milliseconds or nanoseconds", f->valuedouble);
			} else {
				FAIL("ts: expected an RFC 3339 string or Unix time, got %s", type_name(f));
			}
			has_ts = 1;
		} else if (!strcmp(k, "model")) {
			STR(model);
		} else if (!strcmp(k, "provider")) {
			STR(provider);
		} else if (!strcmp(k, "trace_id")) {
			if (!cJSON_IsString(f))
				FAIL("trace_id: expected a hex string, got %s", type_name(f));
			trace = f->valuestring;
		} else if (!strcmp(k, "span_id")) {
			if (!cJSON_IsString(f))
				FAIL("span_id: expected a hex string, got %s", type_name(f));
			span = f->valuestring;
		} else if (!strcmp(k, "prompt_name")) {
			STR(prompt_name);
		} else if (!strcmp(k, "prompt_version")) {
			if (cJSON_IsNumber(f)) {
				char v[32];
				snprintf(v, sizeof v, "%.15g", f->valuedouble);
				c->prompt_version = arena_strdup(a, v);
			} else {
				STR(prompt_version);
			}
		} else if (!strcmp(k, "variables")) {
			if (!cJSON_IsObject(f))
				FAIL("variables: expected an object, got %s", type_name(f));
			c->variables = print_arena(a, f);
		} else if (!strcmp(k, "input_tokens")) {
			INT(input_tokens);
		} else if (!strcmp(k, "cached_tokens")) {
			INT(cached_tokens);
		} else if (!strcmp(k, "output_tokens")) {
			INT(output_tokens);
		} else if (!strcmp(k, "latency_ms")) {
			NUM(latency_ms);
		} else if (!strcmp(k, "ttft_ms")) {
			NUM(ttft_ms);
		} else if (!strcmp(k, "status")) {
			if (!cJSON_IsString(f) || (strcmp(f->valuestring, "ok") && strcmp(f->valuestring, "error")))
				FAIL("status: expected \"ok\" or \"error\"");
			status = f->valuestring;
		} else if (!strcmp(k, "error_type")) {
			STR(error_type);
		} else if (!strcmp(k, "error_message")) {
			STR(error_message);
		} else if (!strcmp(k, "feature")) {
			STR(feature);
		} else if (!strcmp(k, "user_id")) {
			STR(user_id);
		} else if (!strcmp(k, "operation")) {
			STR(operation);
		} else if (!strcmp(k, "cost_usd")) {
			if (!cJSON_IsNumber(f) || f->valuedouble < 0 || !isfinite(f->valuedouble))
				FAIL("cost_usd: expected a number >= 0, got %s", cJSON_IsNumber(f) ? "a negative number" : type_name(f));
			if (f->valuedouble > IMPORT_MAX_COST_USD)
				FAIL("cost_usd: %.15g is out of range (0 to 10000 USD a call)", f->valuedouble);
			c->has_cost = 1;
			c->cost_nusd = llround(f->valuedouble * 1e9);
		} else if (!strcmp(k, "input")) {
			if (cJSON_IsString(f)) {
				cJSON *arr = genai_norm_messages(f);
				c->input = print_arena(a, arr);
				cJSON_Delete(arr);
			} else if (cJSON_IsArray(f)) {
				const cJSON *m;
				cJSON_ArrayForEach(m, f)
				{
					if (!cJSON_IsObject(m) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "role")))
						FAIL("input: expected an array of {\"role\", \"content\"} messages");
				}
				c->input = print_arena(a, f);
			} else {
				FAIL("input: expected an array of messages, got %s", type_name(f));
			}
		} else if (!strcmp(k, "output")) {
			STR(output);
		} else {
			if (!extra)
				extra = cJSON_CreateObject();
			cJSON_AddItemReferenceToObject(extra, k, f);
		}
#undef STR
#undef INT
#undef NUM
	}
	if (finish_call(c, a, line, len, has_ts, status, trace, span, err, errlen))
		goto fail;
	if (extra) {
		c->attrs = print_arena(a, extra);
		cJSON_Delete(extra);
	}
	cJSON_Delete(root);
	return 0;
fail:
	b->n = saved_n;
	cJSON_Delete(extra);
	cJSON_Delete(root);
	return -1;
}

/* ---- the fast path ------------------------------------------------------ */

/* input: an array of objects, each with a string "role". */
static int check_messages(jscan *s)
{
	if (js_expect(s, '['))
		return -1;
	js_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (js_expect(s, '{'))
			return -1;
		int role = 0;
		js_ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
		} else {
			for (;;) {
				if (js_peek(s) != JS_STR)
					return -1;
				/* a key spelled without escapes compares in place; an
				 * escaped one sends the record to the slow path */
				int is_role = s->end - s->p >= 6 && !memcmp(s->p, "\"role\"", 6);
				if (js_skip(s) || js_expect(s, ':'))
					return -1;
				if (is_role) {
					if (js_peek(s) != JS_STR)
						return -1;
					role = 1;
				}
				if (js_skip(s))
					return -1;
				js_ws(s);
				if (s->p < s->end && *s->p == ',') {
					s->p++;
					continue;
				}
				if (js_expect(s, '}'))
					return -1;
				break;
			}
		}
		if (!role)
			return -1;
		js_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		return js_expect(s, ']');
	}
}

/* Keys of the record, with their lengths known at compile time. */
enum fkey { K_TS, K_INPUT, K_VARIABLES, K_INPUT_TOKENS, K_CACHED_TOKENS, K_OUTPUT_TOKENS, K_LATENCY, K_TTFT, K_COST,
	    K_MODEL, K_PROVIDER, K_PROMPT_NAME, K_PROMPT_VERSION, K_ERROR_TYPE, K_ERROR_MESSAGE, K_FEATURE, K_USER_ID,
	    K_OPERATION, K_OUTPUT, K_TRACE_ID, K_SPAN_ID, K_STATUS, K_OTHER };
#define KEY(s) {s, sizeof s - 1}
static const struct {
	const char *name;
	size_t len;
} fkeys[K_OTHER] = {
    KEY("ts"), KEY("input"), KEY("variables"), KEY("input_tokens"), KEY("cached_tokens"), KEY("output_tokens"),
    KEY("latency_ms"), KEY("ttft_ms"), KEY("cost_usd"), KEY("model"), KEY("provider"), KEY("prompt_name"),
    KEY("prompt_version"), KEY("error_type"), KEY("error_message"), KEY("feature"), KEY("user_id"),
    KEY("operation"), KEY("output"), KEY("trace_id"), KEY("span_id"), KEY("status"),
};

static enum fkey which_key(const char *k, size_t n)
{
	for (int i = 0; i < K_OTHER; i++)
		if (fkeys[i].len == n && k[0] == fkeys[i].name[0] && !memcmp(k, fkeys[i].name, n))
			return (enum fkey)i;
	return K_OTHER;
}

/* 0: the call was appended; -1: not handled here (the slow path decides). */
static int parse_fast(const char *line, size_t len, batch_t *b)
{
	jscan s = {line, line + len};
	if (js_expect(&s, '{'))
		return -1;
	size_t saved_n = b->n;
	call_t *c = batch_add_call(b);
	arena_t *a = &b->arena;
	const char *status = NULL;
	char *trace = NULL, *span = NULL;
	int has_ts = 0;
	sbuf extra = SBUF_INIT;
	js_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		goto done;
	}
	for (;;) {
		char *k;
		size_t kn;
		js_ws(&s);
		const char *key_start = s.p;
		if (js_string(&s, a, &k, &kn) || js_expect(&s, ':'))
			goto slow;
		const char *key_end = s.p - 1;
		enum js_type t = js_peek(&s);
		enum fkey fk = which_key(k, kn);
		if (t == JS_ERR)
			goto slow;
		if (t == JS_NULL) {
			if (js_skip(&s))
				goto slow;
		} else if (fk == K_TS) {
			if (t == JS_STR) {
				char *v;
				size_t vn;
				if (js_string(&s, a, &v, &vn) || clock_parse_rfc3339(v, vn, &c->ts_ns))
					goto slow;
			} else if (t == JS_NUM) {
				double v;
				int ii;
				int64_t iv;
				if (js_number(&s, &v, &ii, &iv) || (c->ts_ns = clock_from_unix_guess(v)) < 0)
					goto slow;
			} else {
				goto slow;
			}
			has_ts = 1;
		} else if (fk == K_INPUT) {
			const char *v0 = (js_ws(&s), s.p);
			if (t != JS_ARR || check_messages(&s))
				goto slow;
			c->input = arena_strndup(a, v0, (size_t)(s.p - v0));
		} else if (fk == K_VARIABLES) {
			const char *v0 = (js_ws(&s), s.p);
			if (t != JS_OBJ || js_skip(&s))
				goto slow;
			c->variables = arena_strndup(a, v0, (size_t)(s.p - v0));
		} else if (fk == K_INPUT_TOKENS || fk == K_CACHED_TOKENS || fk == K_OUTPUT_TOKENS) {
			double v;
			int ii;
			int64_t iv;
			if (t != JS_NUM || js_number(&s, &v, &ii, &iv) || !ii || iv < 0 || iv > 9000000000000000LL)
				goto slow;
			*(fk == K_INPUT_TOKENS ? &c->input_tokens : fk == K_CACHED_TOKENS ? &c->cached_tokens : &c->output_tokens) = iv;
		} else if (fk == K_LATENCY || fk == K_TTFT || fk == K_COST) {
			double v;
			int ii;
			int64_t iv;
			if (t != JS_NUM || js_number(&s, &v, &ii, &iv) || v < 0 || !isfinite(v) ||
			    (fk == K_COST && v > IMPORT_MAX_COST_USD))
				goto slow;
			if (fk == K_LATENCY)
				c->latency_ms = v;
			else if (fk == K_TTFT)
				c->ttft_ms = v;
			else {
				c->has_cost = 1;
				c->cost_nusd = llround(v * 1e9);
			}
		} else if (fk == K_PROMPT_VERSION && t == JS_NUM) {
			double v;
			int ii;
			int64_t iv;
			if (js_number(&s, &v, &ii, &iv))
				goto slow;
			char buf[32];
			snprintf(buf, sizeof buf, "%.15g", v);
			c->prompt_version = arena_strdup(a, buf);
		} else if (fk != K_OTHER) {
			char *v;
			size_t vn;
			if (t != JS_STR || js_string(&s, a, &v, &vn))
				goto slow;
			switch (fk) {
			case K_MODEL: c->model = v; break;
			case K_PROVIDER: c->provider = v; break;
			case K_PROMPT_NAME: c->prompt_name = v; break;
			case K_PROMPT_VERSION: c->prompt_version = v; break;
			case K_ERROR_TYPE: c->error_type = v; break;
			case K_ERROR_MESSAGE: c->error_message = v; break;
			case K_FEATURE: c->feature = v; break;
			case K_USER_ID: c->user_id = v; break;
			case K_OPERATION: c->operation = v; break;
			case K_OUTPUT: c->output = v; break;
			case K_TRACE_ID: trace = v; break;
			case K_SPAN_ID: span = v; break;
			case K_STATUS:
				if (strcmp(v, "ok") && strcmp(v, "error"))
					goto slow;
				status = v;
				break;
			default: goto slow;
			}
		} else {
			/* Kept as it came: the key and value text, both valid JSON. */
			const char *v0 = (js_ws(&s), s.p);
			if (js_skip(&s))
				goto slow;
			sb_addc(&extra, extra.len ? ',' : '{');
			sb_add(&extra, key_start, (size_t)(key_end - key_start));
			sb_addc(&extra, ':');
			sb_add(&extra, v0, (size_t)(s.p - v0));
		}
		js_ws(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			continue;
		}
		if (js_expect(&s, '}'))
			goto slow;
		break;
	}
done:
	js_ws(&s);
	if (s.p != s.end)
		goto slow;
	if (extra.len) {
		sb_addc(&extra, '}');
		c->attrs = arena_strndup(a, extra.p, extra.len);
	}
	sb_free(&extra);
	char err[8];
	if (finish_call(c, a, line, len, has_ts, status, trace, span, err, sizeof err)) {
		b->n = saved_n;
		return -1;
	}
	return 0;
slow:
	sb_free(&extra);
	b->n = saved_n;
	return -1;
}

int jsonl_parse_line(const char *line, size_t len, batch_t *b, char *err, size_t errlen)
{
	if (text_check(line, len) < 0 && json_nul_escape(line, len) < 0 && parse_fast(line, len, b) == 0)
		return 0;
	return jsonl_parse_slow(line, len, b, err, errlen);
}
