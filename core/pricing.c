#include "pricing.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

/* USD per million tokens: input, cached input (-1: none, input price
 * applies), output. Read from the providers' price pages and LiteLLM's table
 * as of August 2026; `set pricing_file` overrides any of them. */
static const struct {
	const char *model;
	double in, cached, out;
} builtin[] = {
    /* OpenAI */
    {"gpt-5.4", 2.50, 0.25, 15.00},
    {"gpt-5.4-mini", 0.75, 0.075, 4.50},
    {"gpt-5.4-nano", 0.20, 0.02, 1.25},
    {"gpt-5.2", 1.75, 0.175, 14.00},
    {"gpt-5.1", 1.25, 0.125, 10.00},
    {"gpt-5", 1.25, 0.125, 10.00},
    {"gpt-5-mini", 0.25, 0.025, 2.00},
    {"gpt-5-nano", 0.05, 0.005, 0.40},
    {"gpt-4.1", 2.00, 0.50, 8.00},
    {"gpt-4.1-mini", 0.40, 0.10, 1.60},
    {"gpt-4.1-nano", 0.10, 0.025, 0.40},
    {"gpt-4o", 2.50, 1.25, 10.00},
    {"gpt-4o-2024-05-13", 5.00, -1, 15.00},
    {"gpt-4o-mini", 0.15, 0.075, 0.60},
    {"o1", 15.00, 7.50, 60.00},
    {"o3", 2.00, 0.50, 8.00},
    {"o3-mini", 1.10, 0.55, 4.40},
    {"o4-mini", 1.10, 0.275, 4.40},
    {"gpt-4-turbo", 10.00, -1, 30.00},
    {"gpt-4", 30.00, -1, 60.00},
    {"gpt-3.5-turbo", 0.50, -1, 1.50},
    {"text-embedding-3-small", 0.02, -1, 0},
    {"text-embedding-3-large", 0.13, -1, 0},
    /* Anthropic */
    {"claude-opus-4-6", 5.00, 0.50, 25.00},
    {"claude-opus-4-5", 5.00, 0.50, 25.00},
    {"claude-opus-4-1", 15.00, 1.50, 75.00},
    {"claude-opus-4", 15.00, 1.50, 75.00},
    {"claude-sonnet-4-6", 3.00, 0.30, 15.00},
    {"claude-sonnet-4-5", 3.00, 0.30, 15.00},
    {"claude-sonnet-4", 3.00, 0.30, 15.00},
    {"claude-3-7-sonnet", 3.00, 0.30, 15.00},
    {"claude-3-5-sonnet", 3.00, 0.30, 15.00},
    {"claude-haiku-4-5", 1.00, 0.10, 5.00},
    {"claude-3-5-haiku", 0.80, 0.08, 4.00},
    {"claude-3-haiku", 0.25, 0.03, 1.25},
    {"claude-3-opus", 15.00, 1.50, 75.00},
    /* Google */
    {"gemini-3-pro-preview", 2.00, 0.20, 12.00},
    {"gemini-3-flash-preview", 0.50, 0.05, 3.00},
    {"gemini-2.5-pro", 1.25, 0.125, 10.00},
    {"gemini-2.5-flash", 0.30, 0.03, 2.50},
    {"gemini-2.5-flash-lite", 0.10, 0.01, 0.40},
    {"gemini-2.0-flash", 0.10, 0.025, 0.40},
    {"gemini-2.0-flash-lite", 0.075, -1, 0.30},
    {"gemini-1.5-pro", 1.25, -1, 5.00},
    {"gemini-1.5-flash", 0.075, -1, 0.30},
};

static price_t none_sentinel;

static int64_t ppt_from_usd_per_token(double usd)
{
	return (int64_t)llround(usd * 1e12);
}

static void put(pricing_t *p, const char *model, int64_t in, int64_t cached, int64_t out, int builtin_flag)
{
	price_t *pr = xmalloc(sizeof *pr);
	pr->in_ppt = in;
	pr->cached_ppt = cached;
	pr->out_ppt = out;
	pr->builtin = builtin_flag;
	free(strmap_put(&p->models, model, pr));
}

pricing_t *pricing_new(void)
{
	pricing_t *p = xcalloc(1, sizeof *p);
	strmap_init(&p->models);
	strmap_init(&p->resolved);
	pthread_mutex_init(&p->mu, NULL);
	p->source = "built-in";
	snprintf(p->date, sizeof p->date, "2026-08");
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
		int64_t in = ppt_from_usd_per_token(builtin[i].in / 1e6);
		int64_t cached = builtin[i].cached < 0 ? in : ppt_from_usd_per_token(builtin[i].cached / 1e6);
		put(p, builtin[i].model, in, cached, ppt_from_usd_per_token(builtin[i].out / 1e6), 1);
	}
	return p;
}

void pricing_free(pricing_t *p)
{
	if (!p)
		return;
	strmap_free(&p->models, free);
	strmap_free(&p->resolved, NULL);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static int num(const cJSON *o, const char *k, double *v)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	if (cJSON_IsNumber(j)) {
		*v = j->valuedouble;
		return 1;
	}
	if (cJSON_IsString(j)) { /* a few community copies quote their numbers */
		char *end;
		*v = strtod(j->valuestring, &end);
		return end != j->valuestring && *end == 0;
	}
	return 0;
}

int pricing_load_litellm(pricing_t *p, const char *json, size_t len, char *err, size_t errlen)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root || !cJSON_IsObject(root)) {
		if (root) {
			snprintf(err, errlen, "expected a JSON object of model entries");
		} else {
			const char *at = cJSON_GetErrorPtr();
			int line = 1;
			for (const char *s = json; at && s < at && s < json + len; s++)
				line += *s == '\n';
			snprintf(err, errlen, "line %d: malformed JSON", line);
		}
		cJSON_Delete(root);
		return -1;
	}
	int count = 0;
	for (cJSON *e = root->child; e; e = e->next) {
		if (!cJSON_IsObject(e) || !e->string || strcmp(e->string, "sample_spec") == 0)
			continue;
		double in, out, cached;
		int has_in = num(e, "input_cost_per_token", &in);
		int has_out = num(e, "output_cost_per_token", &out);
		if (!has_in && !has_out)
			continue;
		if (!has_in)
			in = 0;
		if (!has_out)
			out = 0;
		int64_t in_ppt = ppt_from_usd_per_token(in);
		int64_t cached_ppt = num(e, "cache_read_input_token_cost", &cached) ? ppt_from_usd_per_token(cached)
									     : in_ppt;
		put(p, e->string, in_ppt, cached_ppt, ppt_from_usd_per_token(out), 0);
		count++;
	}
	cJSON_Delete(root);
	/* Earlier lookups may have resolved to entries that were just replaced. */
	pthread_mutex_lock(&p->mu);
	strmap_free(&p->resolved, NULL);
	strmap_init(&p->resolved);
	pthread_mutex_unlock(&p->mu);
	return count;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int pricing_strip_date(const char *model, char *out, size_t n)
{
	snprintf(out, n, "%s", model);
	int changed = 0;
	for (;;) {
		size_t L = strlen(out);
		if (L > 11 && out[L - 11] == '-' && all_digits(out + L - 10, 4) && out[L - 6] == '-' &&
		    all_digits(out + L - 5, 2) && out[L - 3] == '-' && all_digits(out + L - 2, 2)) {
			out[L - 11] = 0; /* -2024-07-18 */
		} else if (L > 9 && (out[L - 9] == '-' || out[L - 9] == '@') && all_digits(out + L - 8, 8)) {
			out[L - 9] = 0; /* -20250929, @20250929 */
		} else if (L > 5 && out[L - 5] == '-' && all_digits(out + L - 4, 4)) {
			out[L - 5] = 0; /* -0613 */
		} else if (L > 7 && strcmp(out + L - 7, "-latest") == 0) {
			out[L - 7] = 0;
		} else {
			/* bedrock's -v1:0 / -v2 */
			char *v = strrchr(out, '-');
			if (v && v[1] == 'v' && isdigit((unsigned char)v[2])) {
				const char *q = v + 2;
				while (isdigit((unsigned char)*q) || *q == ':')
					q++;
				if (*q == 0) {
					*v = 0;
					changed = 1;
					continue;
				}
			}
			break;
		}
		changed = 1;
	}
	return changed;
}

static const char *strip_prefixes(const char *m)
{
	const char *slash = strrchr(m, '/');
	if (slash)
		m = slash + 1;
	static const char *const regions[] = {"us.", "eu.", "apac.", "global.", "jp.", "au."};
	for (size_t i = 0; i < sizeof regions / sizeof *regions; i++)
		if (str_has_prefix(m, regions[i])) {
			m += strlen(regions[i]);
			break;
		}
	if (str_has_prefix(m, "anthropic."))
		m += strlen("anthropic.");
	return m;
}

static const price_t *resolve(pricing_t *p, const char *model)
{
	const price_t *pr = strmap_get(&p->models, model);
	if (pr)
		return pr;
	char low[256];
	snprintf(low, sizeof low, "%s", model);
	str_lower(low);
	if ((pr = strmap_get(&p->models, low)))
		return pr;
	const char *bare = strip_prefixes(low);
	if (bare != low && (pr = strmap_get(&p->models, bare)))
		return pr;
	char fam[256];
	if (pricing_strip_date(bare, fam, sizeof fam) && (pr = strmap_get(&p->models, fam)))
		return pr;
	return NULL;
}

const price_t *pricing_lookup(pricing_t *p, const char *model)
{
	if (str_empty(model))
		return NULL;
	pthread_mutex_lock(&p->mu);
	const price_t *pr = strmap_get(&p->resolved, model);
	if (!pr) {
		pr = resolve(p, model);
		strmap_put(&p->resolved, model, (void *)(pr ? pr : &none_sentinel));
	}
	pthread_mutex_unlock(&p->mu);
	return pr == &none_sentinel ? NULL : pr;
}

int64_t price_cost_nusd(const price_t *pr, int64_t input, int64_t cached, int64_t output)
{
	if (input < 0)
		input = 0;
	if (cached < 0)
		cached = 0;
	if (cached > input)
		cached = input;
	if (output < 0)
		output = 0;
	/* In 128 bits: a month of an organisation's tokens at pico-dollar
	 * rates passes 2^63. The result is clamped, never wrapped. */
	__int128 pico = (__int128)(input - cached) * pr->in_ppt + (__int128)cached * pr->cached_ppt +
			(__int128)output * pr->out_ppt;
	__int128 n = (pico + 500) / 1000;
	return n > INT64_MAX ? INT64_MAX : n < INT64_MIN ? INT64_MIN : (int64_t)n;
}
