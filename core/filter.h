/* A FILTER: space-separated terms that must all hold.
 *   model=gpt-4o  provider=anthropic  status=error  error=rate_limit
 *   prompt=support-answer  prompt=support-answer@7  feature=checkout
 *   since=15m  latency>2000  latency<100  and words or "quoted words"
 * The same field given twice matches either value (model=a model=b). A model
 * matches its dated snapshots too (model=gpt-4o finds gpt-4o-2024-08-06). */
#ifndef LLMOPS_FILTER_H
#define LLMOPS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#define FILTER_MAX_VALUES 8

typedef struct fvalues {
	char *v[FILTER_MAX_VALUES];
	int n;
} fvalues;

typedef struct filter {
	fvalues model, provider, error, prompt, feature;
	int status;          /* -1 any, 0 ok, 1 error */
	int64_t since_ns;    /* 0: none */
	double lat_min, lat_max; /* < 0: none (latency>N is lat_min = N) */
	char *text;          /* an FTS5 query built from the words, or NULL */
	int sample_bp;       /* sample=N%: keep N% (in basis points) of the calls; 0: all */
} filter_t;

void filter_init(filter_t *f);
void filter_free(filter_t *f);
/* 0, or -1 with the offending term in err. */
int filter_parse(filter_t *f, const char *expr, char *err, size_t errlen);
int filter_empty(const filter_t *f);
void filter_copy(filter_t *dst, const filter_t *src);

/* A call's sample bucket, 0..9999, from its span id: the same call is in or
 * out of a sample=N% on every run and on every machine. */
unsigned filter_sample_bucket(const void *span_id, size_t len);

/* Does a model name match a model= value (exactly, or as its dated snapshot)? */
int filter_model_matches(const char *value, const char *model);

#endif
