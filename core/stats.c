#include "stats.h"

#include <math.h>

double stats_norm_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

double stats_p_two_sided(double z)
{
	double p = erfc(fabs(z) / sqrt(2.0));
	return p > 1 ? 1 : p;
}

static stats_test verdict(double z)
{
	stats_test t = {z, stats_p_two_sided(z), 0};
	t.significant = t.p < STATS_ALPHA;
	return t;
}

stats_test stats_two_proportions(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2)
{
	if (!n1 || !n2 || x1 > n1 || x2 > n2)
		return verdict(0);
	double a = (double)n1, b = (double)n2;
	double pooled = ((double)x1 + (double)x2) / (a + b);
	double se = sqrt(pooled * (1 - pooled) * (1 / a + 1 / b));
	if (!(se > 0))
		return verdict(0);
	return verdict(((double)x2 / b - (double)x1 / a) / se);
}

/* The rank sum of the second sample, bin by bin: a bin's values share the
 * mid rank of the ranks they span. Doubles: the counts of a year of calls
 * squared still fit with room to spare. */
typedef struct mw_acc {
	double n1, n2, ranked, r2, ties;
} mw_acc;

static void mw_bin(mw_acc *m, uint64_t ca, uint64_t cb)
{
	double a = (double)ca, b = (double)cb, t = a + b;
	if (t <= 0)
		return;
	m->r2 += b * (m->ranked + (t + 1) / 2);
	m->ties += t * t * t - t;
	m->ranked += t;
	m->n1 += a;
	m->n2 += b;
}

static stats_mw mw_end(const mw_acc *m)
{
	stats_mw r = {verdict(0), 0, 0.5};
	if (m->n1 <= 0 || m->n2 <= 0)
		return r;
	double n = m->n1 + m->n2, pairs = m->n1 * m->n2;
	r.u = m->r2 - m->n2 * (m->n2 + 1) / 2;
	r.p_higher = r.u / pairs;
	double var = pairs / 12 * ((n + 1) - m->ties / (n * (n - 1)));
	double d = r.u - pairs / 2;
	if (var > 0 && fabs(d) > 0.5)
		r.t = verdict((d - copysign(0.5, d)) / sqrt(var));
	return r;
}

stats_mw stats_mann_whitney(const uint64_t *a, const uint64_t *b, size_t nbins)
{
	mw_acc m = {0};
	for (size_t i = 0; i < nbins; i++)
		mw_bin(&m, a[i], b[i]);
	return mw_end(&m);
}

stats_mw stats_mann_whitney_hist(const hist_t *a, const hist_t *b)
{
	mw_acc m = {0};
	uint32_t i = 0, j = 0;
	/* Both bucket lists are sorted: one merge walk, in value order. */
	while (i < a->n || j < b->n) {
		if (j >= b->n || (i < a->n && a->idx[i] < b->idx[j]))
			mw_bin(&m, a->cnt[i++], 0);
		else if (i >= a->n || b->idx[j] < a->idx[i])
			mw_bin(&m, 0, b->cnt[j++]);
		else
			mw_bin(&m, a->cnt[i++], b->cnt[j++]);
	}
	return mw_end(&m);
}
