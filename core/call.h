/* The call record: one LLM API call, whatever format it was read from.
 * Strings are owned by whoever filled the record (usually a batch arena). */
#ifndef LLMOPS_CALL_H
#define LLMOPS_CALL_H

#include <stddef.h>
#include <stdint.h>


#define CALL_ID_MAX 32

typedef struct call {
	uint8_t trace_id[CALL_ID_MAX], span_id[CALL_ID_MAX];
	uint8_t trace_len, span_len;
	int64_t ts_ns;              /* start */
	const char *provider;       /* normalised: openai, anthropic, google, ... */
	const char *model;          /* as billed (response model when known) */
	const char *request_model;
	const char *operation;      /* chat, text_completion, embeddings, ... */
	const char *prompt_name, *prompt_version;
	const char *prompt_template; /* the template text, when the trace carries it */
	const char *feature, *user_id, *session_id;
	int64_t input_tokens;       /* all prompt tokens, cached included; -1 unknown */
	int64_t cached_tokens;      /* of those, cache reads; -1 unknown */
	int64_t output_tokens;      /* -1 unknown */
	double latency_ms, ttft_ms; /* -1 unknown */
	int is_error;
	const char *error_type;     /* normalised: rate_limit, timeout, ... */
	const char *error_message;
	int error_rank;             /* how error_type was known: ERR_RANK_* */
	int model_from_response;    /* model is the response's, not the request's */
	int has_cost;               /* cost given by the source, taken as is */
	int64_t cost_nusd;          /* nano-dollars */
	const char *input;          /* JSON array of {role, content, ...} */
	const char *output;         /* response text */
	const char *variables;      /* JSON object, template variables */
	const char *attrs;          /* JSON object, attributes kept unmapped */
	const char *thinking;       /* reasoning the model showed, apart from its answer */
	long span;                  /* its span in the batch's spans (OTLP), -1 none */

	/* Filled by batch_prepare. */
	uint64_t dim_hash;          /* of provider, model, prompt, version, feature */
	int64_t cost;               /* nano-dollars; -1 unpriced */
	const void *zbody;          /* compressed body (batch arena), or NULL */
	uint32_t zlen;
} call_t;

void call_init(call_t *c);

/* How an error's type was known, weakest first: merging two records of one
 * request keeps the better-founded one. A status that only says "bad
 * request" or "server error" tells less than a provider's message saying
 * which. */
enum { ERR_RANK_NONE, ERR_RANK_CLASS, ERR_RANK_GENERIC_STATUS, ERR_RANK_MESSAGE, ERR_RANK_STATUS };

/* The attribute under which a call's thinking is kept in its attrs. */
#define CALL_THINKING_KEY "llmops.thinking"


/* "OpenAI" -> "openai", "gcp.gemini" -> "google", "az.ai.openai" -> "azure". */
const char *call_norm_provider(const char *p);
/* Best guess of the provider from a model name; NULL when unknown. */
const char *call_guess_provider(const char *model);
/* Map the many spellings of a failure (HTTP codes, SDK exception classes,
 * provider error codes) onto the short names used in filters and reports:
 * rate_limit, timeout, context_length, server_error, auth, not_found,
 * bad_request, content_filter, overloaded, quota, cancelled. Unknown
 * spellings come back lower-cased with anything unsafe replaced, in buf. */
const char *call_norm_error(const char *raw, const char *message, char *buf, size_t n);
/* The same, from everything a span may say about a failure: the HTTP status
 * (0: none) first, then the provider's error body or message, the exception
 * class last. *rank says which of them decided. */
const char *call_classify_error(long http_status, const char *raw, const char *message, char *buf, size_t n,
				int *rank);

/* Ids: lower-case hex (dashes of UUIDs dropped) into bytes. -1 if not hex. */
int call_set_id(uint8_t *dst, uint8_t *len, const char *hex);

#endif
