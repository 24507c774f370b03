/* Deterministic, realistic synthetic traffic: a week of an LLM application's
 * calls up to `now`, with an incident in the last hour (a new prompt version
 * that raises latency and errors for one model). The same seed, count and
 * `now` always give the same calls. */
#ifndef LLMOPS_DEMO_H
#define LLMOPS_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"

typedef struct demo_prompt {
	const char *name, *version, *feature;
	const char *template; /* with {{variables}} */
	int64_t deployed_ns;  /* when this version started serving */
} demo_prompt;

typedef struct demo {
	uint64_t seed;
	int64_t now_ns, from_ns;
	uint64_t total, emitted;
	uint64_t rng;
	double *cum;   /* traffic weight per minute, cumulative */
	int64_t minutes;
	int64_t cursor; /* minute of the last call */
	demo_prompt *prompts;
	size_t nprompts;
	sbuf scratch;
} demo_t;

#define DEMO_DEFAULT_CALLS 200000
#define DEMO_DAYS 7

void demo_init(demo_t *d, uint64_t total, int64_t now_ns, uint64_t seed);
void demo_free(demo_t *d);
/* Fills up to max calls into b (strings in its arena), in time order;
 * returns how many (0 when done). */
size_t demo_next(demo_t *d, batch_t *b, size_t max);
/* The prompt versions the traffic uses, with their templates. */
const demo_prompt *demo_prompts(demo_t *d, size_t *n);

/* One call as a JSONL call record (no newline). */
void call_to_jsonl(const call_t *c, sbuf *out);
void json_escape(sbuf *out, const char *s);

#endif
