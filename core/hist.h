/* Mergeable log-linear histogram for latencies (milliseconds).
 *
 * A value v >= 2^-10 falls in a bucket chosen by its binary exponent and the
 * top 7 bits of its mantissa (128 linear sub-buckets per power of two), so a
 * bucket spans at most 1/128 of its lower bound and its midpoint is within
 * 0.4% of any value in it. Quantiles are reported as the bucket midpoint
 * clamped to the exact min and max, which keeps them within 1% of the exact
 * nearest-rank value. Only non-empty buckets are kept, sorted by index, so a
 * minute of traffic costs a few hundred bytes serialised. */
#ifndef LLMOPS_HIST_H
#define LLMOPS_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

typedef struct hist {
	uint32_t n, cap;   /* non-empty buckets */
	uint32_t *idx;     /* sorted bucket indices */
	uint64_t *cnt;
	uint64_t total;
	double min, max;   /* exact; valid when total > 0 */
	double sum;
} hist_t;

#define HIST_INIT {0, 0, NULL, NULL, 0, 0, 0, 0}

void hist_init(hist_t *h);
void hist_free(hist_t *h);
void hist_reset(hist_t *h);
void hist_add(hist_t *h, double v);
void hist_add_n(hist_t *h, double v, uint64_t n);
void hist_merge(hist_t *dst, const hist_t *src);
/* Adds a histogram given as buckets (index, count) in any order, an index
 * possibly repeated, with its exact min, max and sum: what another store
 * sends as text. b may be reordered; indices out of range are dropped. */
typedef struct hist_bucket {
	uint32_t idx;
	uint64_t n;
} hist_bucket;
void hist_add_buckets(hist_t *h, hist_bucket *b, size_t m, double min, double max, double sum);
/* The same as merging each of src in turn, in one pass. */
void hist_merge_many(hist_t *dst, const hist_t *const *src, size_t k);

/* A dense accumulator: one counter per possible bucket (60 KB), so adding a
 * histogram costs its own size, not the size of what has been summed so far.
 * For summing many histograms into one; flush writes the sum into dst (adding
 * to what dst holds) and leaves the accumulator empty for reuse. */
#define HIST_NBUCKETS 7681u
typedef struct hacc {
	uint64_t *cnt; /* HIST_NBUCKETS, allocated on first use */
	uint32_t lo, hi;
	int used;      /* lo..hi valid */
	uint64_t total;
	double min, max, sum;
} hacc;

void hacc_init(hacc *a);
void hacc_free(hacc *a);
void hacc_add(hacc *a, const hist_t *h);
int hacc_add_blob(hacc *a, const void *blob, size_t len); /* -1: malformed, a unchanged */
void hacc_flush(hacc *a, hist_t *dst);
/* Nearest-rank quantile, p in (0, 100]: the smallest value with at least
 * p% of the values at or below it. 0 when empty. */
double hist_quantile(const hist_t *h, double p);

/* Serialisation: a compact varint blob, stable across versions (first byte
 * is the format version). */
void hist_encode(const hist_t *h, sbuf *out);
int hist_decode(hist_t *h, const void *blob, size_t len);      /* replaces h */
int hist_merge_blob(hist_t *h, const void *blob, size_t len);  /* adds into h */

uint32_t hist_bucket_index(double v);
double hist_bucket_mid(uint32_t idx);

/* Half the resolution, for histograms that are only drawn (the dashboard's
 * columns): each pair of neighbouring buckets of a power of two becomes its
 * lower one, 64 to a power of two, so that a quantile is within 1.2% of a
 * value in its bucket rather than 0.4%. Summing coarse histograms gives the
 * coarse histogram of the sum, whatever the order. min, max, sum and the
 * total are kept. */
static inline uint32_t hist_coarse_index(uint32_t idx)
{
	return idx ? idx - ((idx - 1) & 1u) : 0;
}
void hist_coarsen(hist_t *h);

#endif
