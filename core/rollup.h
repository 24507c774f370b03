/* Aggregates of calls: what a rollup bucket, a report group or a dashboard
 * pane holds. All of it merges exactly (counts, tokens, nano-dollars) or
 * with stated error (latency and TTFT histograms). */
#ifndef LLMOPS_ROLLUP_H
#define LLMOPS_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "hist.h"
#include "str.h"

/* Errors by type, kept sorted by name; serialised as "rate_limit=3;timeout=1". */
typedef struct ecount {
	char *name; /* owned by the ecounts */
	uint64_t n;
} ecount;

typedef struct ecounts {
	ecount *v;
	size_t n, cap;
} ecounts;

void ecounts_add(ecounts *e, const char *name, uint64_t n);
void ecounts_merge(ecounts *dst, const ecounts *src);
int ecounts_parse_add(ecounts *e, const char *text); /* adds; -1 if malformed */
void ecounts_format(const ecounts *e, sbuf *out);
void ecounts_reset(ecounts *e);
void ecounts_free(ecounts *e);

typedef struct rstats {
	uint64_t calls, errors;
	uint64_t input_tokens, cached_tokens, output_tokens;
	uint64_t unpriced;  /* calls with no price and no given cost */
	int64_t cost_nusd;
	hist_t lat, ttft;
	ecounts errs;
} rstats;

/* Sums that stop at the largest value instead of wrapping: a hostile or
 * corrupt count must not turn into a negative cost. */
static inline uint64_t sat_add_u64(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline int64_t sat_add_i64(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

void rstats_init(rstats *s);
void rstats_reset(rstats *s);
void rstats_free(rstats *s);
/* cost_nusd < 0 means unpriced. */
void rstats_add_call(rstats *s, const call_t *c, int64_t cost_nusd);
void rstats_merge(rstats *dst, const rstats *src);
/* The same as rstats_merge of each in turn, with one pass per histogram. */
void rstats_merge_many(rstats *dst, const rstats *const *src, size_t n);
double rstats_error_rate(const rstats *s); /* 0..1 */

/* Rollup resolutions. */
enum { RES_1M, RES_1H, RES_1D, RES_COUNT };
extern const int64_t rollup_step_ns[RES_COUNT];
extern const char *const rollup_table[RES_COUNT];

/* A table of rstats keyed by (resolution, bucket start, dimension id), used to
 * sum a batch of calls before it is merged into the stored rollups. */
typedef struct racc_entry {
	int used;
	int res;
	int64_t t; /* bucket start, Unix seconds */
	int64_t dim;
	rstats s;
} racc_entry;

typedef struct racc {
	racc_entry *v;
	size_t cap, len;
} racc;

void racc_init(racc *a);
rstats *racc_get(racc *a, int res, int64_t t, int64_t dim);
void racc_reset(racc *a); /* keeps memory */
void racc_free(racc *a);

/* Splits [from, to) (Unix ns, minute aligned) into the fewest rollup ranges:
 * minutes at the ragged ends, hours, whole days in the middle. */
typedef struct rrange {
	int res;
	int64_t from, to; /* Unix seconds */
} rrange;
int rollup_ranges(int64_t from_ns, int64_t to_ns, rrange out[5]);

#endif
