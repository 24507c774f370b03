/* A FILTER: space-separated terms that must all hold.
 *   model=gpt-4o  provider=anthropic  status=error  error=rate_limit
 *   prompt=support-answer  prompt=support-answer@7  feature=checkout
 *   user=ID  session=ID  trace=HEX (a prefix will do)
 *   since=15m  latency>2000  latency<100  and words or "quoted words"
 * A field given twice, or with values separated by commas (model=a,b), matches
 * either value; FIELD!=V leaves those calls out (since!=1h: older than an hour,
 * so that since=1d since!=1h is the day before the last hour;
 * sample!=10%: the calls outside that sample). A model matches its dated
 * snapshots too (model=gpt-4o finds gpt-4o-2024-08-06). */
#ifndef LLMOPS_FILTER_H
#define LLMOPS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#define FILTER_MAX_VALUES 8

typedef struct fvalues {
	char *v[FILTER_MAX_VALUES];
	unsigned char neg[FILTER_MAX_VALUES]; /* FIELD!=V: calls with V are left out */
	int n;
} fvalues;

typedef struct filter {
	fvalues model, provider, error, prompt, feature, user, session, trace;
	int status;          /* -1 any, 0 ok, 1 error */
	int64_t since_ns;    /* 0: none */
	int64_t before_ns;   /* since!=D: only the calls older than D; 0: none */
	int sample_neg;      /* sample!=N%: the calls outside that sample */
	double lat_min, lat_max; /* < 0: none (latency>N is lat_min = N) */
	char *text;          /* an FTS5 query built from the words, or NULL */
	int sample_bp;       /* sample=N%: keep N% (in basis points) of the calls; 0: all */
} filter_t;

void filter_init(filter_t *f);
void filter_free(filter_t *f);
/* 0, or -1 with the offending term in err: "what is wrong (the details)",
 * so that a narrow screen can leave out the part in parentheses. */
int filter_parse(filter_t *f, const char *expr, char *err, size_t errlen);
int filter_empty(const filter_t *f);
void filter_copy(filter_t *dst, const filter_t *src);

/* A call's sample bucket, 0..9999, from its span id: the same call is in or
 * out of a sample=N% on every run, on every machine and in either store. */
unsigned filter_sample_bucket(const void *span_id, size_t len);

/* Does a model name match a model= value (exactly, or as its dated snapshot)? */
int filter_model_matches(const char *value, const char *model);

/* Does a call's value (NULL: it has none) pass a field's terms: one of the
 * FIELD=V values if there are any, none of the FIELD!=V ones? eq(value, s)
 * says whether s is what a value asks for. */
int filter_values_pass(const fvalues *v, const char *s, int (*eq)(const char *value, const char *s));
int filter_values_pos(const fvalues *v); /* how many FIELD=V values */

/* The field names a filter knows, NULL-terminated, in the order of the help. */
extern const char *const filter_fields[];

#endif
