#include "call.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "str.h"

void call_init(call_t *c)
{
	memset(c, 0, sizeof *c);
	c->input_tokens = c->cached_tokens = c->output_tokens = -1;
	c->latency_ms = c->ttft_ms = -1;
	c->span = -1;
}

const char *call_norm_provider(const char *p)
{
	if (str_empty(p))
		return NULL;
	/* The common spellings, without the table walk. */
	if (!strcmp(p, "openai"))
		return "openai";
	if (!strcmp(p, "anthropic"))
		return "anthropic";
	if (!strcmp(p, "google"))
		return "google";
	static const struct {
		const char *from, *to;
	} map[] = {
	    {"openai", "openai"},
	    {"anthropic", "anthropic"},
	    {"azure.ai.openai", "azure"},
	    {"az.ai.openai", "azure"},
	    {"azure.ai.inference", "azure"},
	    {"azure", "azure"},
	    {"gcp.gemini", "google"},
	    {"gcp.vertex_ai", "google"},
	    {"gcp.gen_ai", "google"},
	    {"vertex_ai", "google"},
	    {"vertexai", "google"},
	    {"gemini", "google"},
	    {"google", "google"},
	    {"aws.bedrock", "bedrock"},
	    {"bedrock", "bedrock"},
	    {"mistral_ai", "mistral"},
	    {"mistralai", "mistral"},
	    {"x_ai", "xai"},
	    {"ibm.watsonx.ai", "watsonx"},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strcasecmp(p, map[i].from) == 0)
			return map[i].to;
	/* The Vercel AI SDK names the API too: "openai.chat", "anthropic.messages". */
	const char *dot = strchr(p, '.');
	if (dot && dot > p && dot - p < 32) {
		char head[32];
		memcpy(head, p, (size_t)(dot - p));
		head[dot - p] = 0;
		for (size_t i = 0; i < sizeof map / sizeof *map; i++)
			if (strcasecmp(head, map[i].from) == 0)
				return map[i].to;
	}
	return NULL; /* caller keeps its own lower-cased copy */
}

const char *call_guess_provider(const char *m)
{
	if (str_empty(m))
		return NULL;
	if (str_has_prefix(m, "gpt-") || str_has_prefix(m, "o1") || str_has_prefix(m, "o3") ||
	    str_has_prefix(m, "o4") || str_has_prefix(m, "chatgpt") || str_has_prefix(m, "text-embedding") ||
	    str_has_prefix(m, "davinci") || str_has_prefix(m, "openai/"))
		return "openai";
	if (str_has_prefix(m, "claude") || str_has_prefix(m, "anthropic/"))
		return "anthropic";
	if (str_has_prefix(m, "gemini") || str_has_prefix(m, "google/") || str_has_prefix(m, "models/gemini"))
		return "google";
	if (str_has_prefix(m, "mistral") || str_has_prefix(m, "codestral"))
		return "mistral";
	return NULL;
}

static void squash(const char *s, char *out, size_t n)
{
	size_t o = 0;
	for (; s && *s && o + 1 < n; s++)
		if (isalnum((unsigned char)*s))
			out[o++] = (char)tolower((unsigned char)*s);
	out[o] = 0;
}

static int has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

const char *call_norm_error(const char *raw, const char *message, char *buf, size_t n)
{
	char r[128], m[512];
	squash(raw, r, sizeof r);
	squash(message, m, sizeof m);
	if (!*r && !*m)
		return NULL;
	/* Context overflows come back as 400 invalid_request with a telling message,
	 * so look at them before the generic bad-request spellings. */
	if (has(r, "contextlength") || has(r, "contextwindow") || has(m, "contextlength") ||
	    has(m, "maximumcontext") || has(m, "contextwindow") || has(m, "promptistoolong") || has(r, "413"))
		return "context_length";
	if (has(r, "insufficientquota") || has(r, "quota") || has(r, "billing") || has(m, "insufficientquota"))
		return "quota";
	if (has(r, "ratelimit") || has(r, "429") || has(r, "toomanyrequests") || has(r, "throttl") ||
	    has(m, "ratelimit"))
		return "rate_limit";
	if (has(r, "overloaded") || has(r, "529"))
		return "overloaded";
	if (has(r, "timeout") || has(r, "timedout") || has(r, "deadline") || has(r, "408") || has(r, "504"))
		return "timeout";
	if (has(r, "auth") || has(r, "401") || has(r, "403") || has(r, "permission") || has(r, "apikey") ||
	    has(r, "forbidden"))
		return "auth";
	if (has(r, "notfound") || has(r, "404"))
		return "not_found";
	if (has(r, "contentfilter") || has(r, "contentpolicy") || has(r, "safety"))
		return "content_filter";
	if (has(r, "cancel") || has(r, "abort"))
		return "cancelled";
	if (has(r, "connection") || has(r, "econn") || has(r, "network"))
		return "connection";
	if (has(r, "500") || has(r, "502") || has(r, "503") || has(r, "internalserver") ||
	    has(r, "servererror") || has(r, "apierror") || has(r, "serviceunavailable") || has(r, "badgateway"))
		return "server_error";
	if (has(r, "badrequest") || has(r, "invalidrequest") || has(r, "400") || has(r, "422") ||
	    has(r, "unprocessable"))
		return "bad_request";
	if (!*r)
		return "error";
	/* Keep an unknown type readable, but safe for filters and rollup keys. */
	size_t o = 0;
	for (const char *s = raw; *s && o + 1 < n && o < 40; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '_' || c == '.' || c == '-')
			buf[o++] = (char)tolower(c);
		else if (o && buf[o - 1] != '_')
			buf[o++] = '_';
	}
	buf[o] = 0;
	return o ? buf : "error";
}

int call_set_id(uint8_t *dst, uint8_t *len, const char *hex)
{
	char clean[2 * CALL_ID_MAX + 1];
	size_t o = 0;
	for (const char *s = hex; *s; s++) {
		if (*s == '-')
			continue;
		if (o >= sizeof clean - 1)
			return -1;
		clean[o++] = *s;
	}
	if (o == 0)
		return -1;
	int n = hex_decode(clean, o, dst, CALL_ID_MAX);
	if (n <= 0)
		return -1;
	*len = (uint8_t)n;
	return 0;
}

static const char *from_status(long s, const char *m)
{
	if (s == 400 || s == 413 || s == 422) {
		if (has(m, "contextlength") || has(m, "maximumcontext") || has(m, "contextwindow") ||
		    has(m, "promptistoolong") || has(m, "toomanytokens") || s == 413)
			return "context_length";
		return "bad_request";
	}
	if (s == 401 || s == 403)
		return "auth";
	if (s == 404)
		return "not_found";
	if (s == 408 || s == 504)
		return "timeout";
	if (s == 429)
		return has(m, "insufficientquota") || has(m, "exceededyourcurrentquota") ? "quota" : "rate_limit";
	if (s == 499)
		return "cancelled";
	if (s == 529)
		return "overloaded";
	if (s >= 500 && s < 600)
		return has(m, "overloaded") ? "overloaded" : "server_error";
	if (s >= 400 && s < 500)
		return "bad_request";
	return NULL;
}

/* What a provider's error text says (squashed), when it says it plainly. */
static const char *from_message(const char *m)
{
	if (!*m)
		return NULL;
	if (has(m, "contextlength") || has(m, "maximumcontext") || has(m, "contextwindow") ||
	    has(m, "promptistoolong") || has(m, "toomanytokens"))
		return "context_length";
	if (has(m, "insufficientquota") || has(m, "exceededyourcurrentquota"))
		return "quota";
	if (has(m, "overloaded"))
		return "overloaded";
	if (has(m, "ratelimit") || has(m, "toomanyrequests"))
		return "rate_limit";
	if (has(m, "doesnotexist") || has(m, "modelnotfound") || has(m, "notfounderror") || has(m, "notfound"))
		return "not_found";
	if (has(m, "invalidapikey") || has(m, "incorrectapikey") || has(m, "authenticationerror") ||
	    has(m, "permissionerror") || has(m, "unauthorized"))
		return "auth";
	if (has(m, "requesttimedout") || has(m, "timedout"))
		return "timeout";
	if (has(m, "internalservererror") || has(m, "serviceunavailable") || has(m, "badgateway") ||
	    has(m, "apierror"))
		return "server_error";
	if (has(m, "invalidrequesterror") || has(m, "badrequest"))
		return "bad_request";
	return NULL;
}

/* An HTTP status quoted near the start of an SDK's error text, as in
 * "529 {"type":"error",...}" or "Error: 404 The model ... does not exist". */
static long status_in_message(const char *msg)
{
	if (!msg)
		return 0;
	for (size_t i = 0; msg[i] && i < 64; i++) {
		if (!isdigit((unsigned char)msg[i]) || (i && isdigit((unsigned char)msg[i - 1])))
			continue;
		if (isdigit((unsigned char)msg[i + 1]) && isdigit((unsigned char)msg[i + 2]) &&
		    !isdigit((unsigned char)msg[i + 3])) {
			long s = (msg[i] - '0') * 100 + (msg[i + 1] - '0') * 10 + (msg[i + 2] - '0');
			if (s >= 400 && s < 600)
				return s;
		}
	}
	return 0;
}

const char *call_classify_error(long http_status, const char *raw, const char *message, char *buf, size_t n,
				int *rank)
{
	char m[512];
	squash(message, m, sizeof m);
	const char *t;
	if (http_status >= 400 && (t = from_status(http_status, m))) {
		*rank = !strcmp(t, "bad_request") || !strcmp(t, "server_error") ? ERR_RANK_GENERIC_STATUS : ERR_RANK_STATUS;
		return t;
	}
	long ms = status_in_message(message);
	if (ms && (t = from_status(ms, m))) {
		*rank = ERR_RANK_MESSAGE;
		return t;
	}
	/* A provider's own error type ("overloaded_error", snake case) says as
	 * much as its message; an SDK's class ("RateLimitError") less. */
	char r[128];
	squash(raw, r, sizeof r);
	if ((t = from_message(m)) || (raw && strchr(raw, '_') && (t = from_message(r)))) {
		*rank = ERR_RANK_MESSAGE;
		return t;
	}
	t = call_norm_error(raw, NULL, buf, n);
	*rank = t ? ERR_RANK_CLASS : ERR_RANK_NONE;
	return t;
}
