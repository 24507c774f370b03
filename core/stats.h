/* Significance tests for comparing two windows of traffic: whether an
 * error rate or a latency distribution moved beyond what chance would give.
 * Pure arithmetic on counts, no I/O.
 *
 * Error rates: the two-proportion z-test with a pooled proportion.
 * Latency: the Mann-Whitney U test (Wilcoxon rank-sum) computed from binned
 * counts, as the rollups' histograms hold them: the values of one bin are
 * ties, given their mid rank, and the variance is corrected for ties. Both
 * use the normal approximation, which is sound from a few dozen
 * observations on each side; the caller sets the minimum. */
#ifndef LLMOPS_STATS_H
#define LLMOPS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

/* The level below which a two-sided p-value counts as significant. */
#define STATS_ALPHA 0.01

/* P(Z > z) for a standard normal Z. */
double stats_norm_sf(double z);
/* The two-sided p-value of a z statistic: P(|Z| >= |z|). */
double stats_p_two_sided(double z);

typedef struct stats_test {
	double z;        /* positive: the second sample is higher (or slower) */
	double p;        /* two-sided */
	int significant; /* p < STATS_ALPHA */
} stats_test;

/* x1 of n1 against x2 of n2 (successes, here errors, of trials): z is
 * (x2/n2 - x1/n1) over the pooled standard error. No variance (either n
 * is 0, or the pooled rate is 0 or 1): z 0, p 1. */
stats_test stats_two_proportions(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2);

typedef struct stats_mw {
	stats_test t;
	double u;        /* U of the second sample: the pairs (a, b) with b > a, plus half the ties */
	double p_higher; /* u / (n1 n2): the chance that a value of the second sample beats one of the first */
} stats_mw;

/* The Mann-Whitney U test of b against a, where a[i] and b[i] count the
 * values of each sample in bin i and the bins are in increasing order. The
 * z statistic has a continuity correction of 1/2 (as scipy's
 * mannwhitneyu(method="asymptotic") has by default). */
stats_mw stats_mann_whitney(const uint64_t *a, const uint64_t *b, size_t nbins);
/* The same over two histograms' buckets (core/hist.h), b against a. */
stats_mw stats_mann_whitney_hist(const hist_t *a, const hist_t *b);

#endif
