/* Model prices: a built-in table of current OpenAI, Anthropic and Google
 * models, overridable by LiteLLM's model_prices_and_context_window.json.
 *
 * Prices are kept as integer pico-dollars per token so that a call's cost is
 * exact integer arithmetic, rounded once to nano-dollars. */
#ifndef LLMOPS_PRICING_H
#define LLMOPS_PRICING_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include "map.h"

typedef struct price {
	int64_t in_ppt;      /* input, pico-dollars per token */
	int64_t cached_ppt;  /* cache read; equals in_ppt when the source has none */
	int64_t out_ppt;
	int builtin;         /* 1 when from the built-in table */
} price_t;

typedef struct pricing {
	strmap models;       /* name -> price_t* */
	strmap resolved;     /* lookup cache: name as seen -> price_t* or &none */
	const char *source;  /* "built-in" or the pricing file path */
	char date[16];       /* date of the built-in table */
	pthread_mutex_t mu;  /* guards the lookup cache */
} pricing_t;

pricing_t *pricing_new(void);
void pricing_free(pricing_t *p);

/* Loads LiteLLM's JSON; its entries override built-in ones. Returns the number
 * of priced entries, or -1 with a message in err. */
int pricing_load_litellm(pricing_t *p, const char *json, size_t len, char *err, size_t errlen);

/* Exact name first, then without a "provider/" prefix, then without a date
 * or version suffix ("-2024-07-18", "-20250929", "@20250929", "-0613",
 * "-v1:0"). NULL when the model is unknown: such calls cost 0 and are
 * counted as unpriced, never guessed. */
const price_t *pricing_lookup(pricing_t *p, const char *model);

/* The README's cost: (input - cached) * input + cached * cache_read + output * output. */
int64_t price_cost_nusd(const price_t *pr, int64_t input, int64_t cached, int64_t output);

/* Family name of a dated model, written into out; 0 if nothing was removed. */
int pricing_strip_date(const char *model, char *out, size_t n);

#endif
