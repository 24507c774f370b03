/* The significance tests against values worked out by hand and checked
 * with Python's standard library (math.erfc; the Mann-Whitney U by counting
 * the pairs and its variance from the mid ranks, as in the comments). */
#include <math.h>

#include "../../core/stats.h"
#include "t.h"

#define near(a, b, eps) ck_assert_msg(fabs((a) - (b)) < (eps), "%s = %.9g, expected %.9g", #a, (double)(a), (double)(b))

START_TEST(normal_tails)
{
	/* 0.5 * math.erfc(1.959963985 / math.sqrt(2)) = 0.025 */
	near(stats_norm_sf(1.959963985), 0.025, 1e-9);
	near(stats_norm_sf(0), 0.5, 1e-12);
	/* math.erfc(2.575829304 / math.sqrt(2)) = 0.01: the edge of significance */
	near(stats_p_two_sided(2.575829304), 0.01, 1e-9);
	near(stats_p_two_sided(-2.575829304), 0.01, 1e-9);
}
END_TEST

START_TEST(two_proportions_known_values)
{
	/* 10 of 200 against 30 of 200: pooled 40/400 = 0.1, se = sqrt(0.1 * 0.9
	 * * (1/200 + 1/200)) = 0.03, z = (0.15 - 0.05) / 0.03 = 3.333333,
	 * p = math.erfc(3.333333 / math.sqrt(2)) = 0.000858121. */
	stats_test t = stats_two_proportions(10, 200, 30, 200);
	near(t.z, 3.333333, 1e-6);
	near(t.p, 0.000858121, 1e-9);
	ck_assert(t.significant);
	/* 10 of 200 against 16 of 200: z = 0.03 / sqrt(0.065 * 0.935 * 0.01) =
	 * 1.216911, p = 0.223638: within noise. */
	t = stats_two_proportions(10, 200, 16, 200);
	near(t.z, 1.216911, 1e-6);
	near(t.p, 0.223638, 1e-6);
	ck_assert(!t.significant);
	/* A fall is a negative z: 30 of 200 against 10 of 200. */
	t = stats_two_proportions(30, 200, 10, 200);
	near(t.z, -3.333333, 1e-6);
	ck_assert(t.significant);
	/* 8 of 600 against 45 of 500: z = 5.912243, p = 3.3748e-09. */
	t = stats_two_proportions(8, 600, 45, 500);
	near(t.z, 5.912243, 1e-6);
	near(t.p / 3.3748e-09, 1, 1e-4);
}
END_TEST

START_TEST(two_proportions_without_variance)
{
	/* No errors on either side, or errors on every call: nothing to test. */
	stats_test t = stats_two_proportions(0, 500, 0, 500);
	ck_assert(t.z == 0 && t.p == 1 && !t.significant);
	t = stats_two_proportions(50, 50, 70, 70);
	ck_assert(t.z == 0 && t.p == 1 && !t.significant);
	t = stats_two_proportions(0, 0, 3, 10);
	ck_assert(t.z == 0 && t.p == 1 && !t.significant);
	/* More errors than calls is damage, not a finding. */
	t = stats_two_proportions(11, 10, 0, 10);
	ck_assert(t.p == 1 && !t.significant);
}
END_TEST

START_TEST(mann_whitney_known_values)
{
	/* {1,2,3} against {4,5,6}: every pair higher, U = 9 of 9 pairs, mean 4.5,
	 * variance 3*3*7/12 = 5.25, z = (9 - 4.5 - 0.5) / sqrt(5.25) = 1.745743,
	 * p = 0.0808556 (scipy's mannwhitneyu(method="asymptotic") says the same). */
	uint64_t a[6] = {1, 1, 1, 0, 0, 0}, b[6] = {0, 0, 0, 1, 1, 1};
	stats_mw m = stats_mann_whitney(a, b, 6);
	near(m.u, 9, 1e-9);
	near(m.p_higher, 1, 1e-12);
	near(m.t.z, 1.745743, 1e-6);
	near(m.t.p, 0.0808556, 1e-7);
	ck_assert(!m.t.significant);
	/* Ties: a = 1,1,1,2,2,3 and b = 1,2,2,3,3,3. U counts the pairs where b
	 * is higher and half the ties: 26. The variance from the mid ranks
	 * (n1 n2 / (N (N-1)) * sum (r - (N+1)/2)^2) is 34.909091; z =
	 * (26 - 18 - 0.5) / sqrt(34.909091) = 1.269381, p = 0.204305. */
	uint64_t ta[3] = {3, 2, 1}, tb[3] = {1, 2, 3};
	m = stats_mann_whitney(ta, tb, 3);
	near(m.u, 26, 1e-9);
	near(m.p_higher, 26.0 / 36, 1e-12);
	near(m.t.z, 1.269381, 1e-6);
	near(m.t.p, 0.204305, 1e-6);
	/* Bigger samples in four bins: 30,20,10,5 against 10,20,25,15. U = 3262.5,
	 * z = 4.513476, p = 6.37737e-06: significant, the second is higher. */
	uint64_t ba[4] = {30, 20, 10, 5}, bb[4] = {10, 20, 25, 15};
	m = stats_mann_whitney(ba, bb, 4);
	near(m.u, 3262.5, 1e-9);
	near(m.t.z, 4.513476, 1e-6);
	near(m.t.p / 6.37737e-06, 1, 1e-4);
	ck_assert(m.t.significant);
	/* The other way round: the same p, a negative z. */
	m = stats_mann_whitney(bb, ba, 4);
	near(m.t.z, -4.513476, 1e-6);
	ck_assert(m.t.significant);
}
END_TEST

START_TEST(mann_whitney_degenerate)
{
	/* Everything in one bin: all ties, no variance. */
	uint64_t a[1] = {40}, b[1] = {50};
	stats_mw m = stats_mann_whitney(a, b, 1);
	ck_assert(m.t.z == 0 && m.t.p == 1 && !m.t.significant);
	near(m.p_higher, 0.5, 1e-12);
	/* An empty side. */
	uint64_t e[2] = {0, 0}, f[2] = {3, 4};
	m = stats_mann_whitney(e, f, 2);
	ck_assert(m.t.p == 1 && !m.t.significant);
}
END_TEST

/* The histograms' buckets are the bins: the same values give the same test
 * as the counts, whatever the order they were added in. */
START_TEST(mann_whitney_over_histograms)
{
	hist_t a, b;
	hist_init(&a);
	hist_init(&b);
	/* Values far apart land in distinct buckets: the four-bin case above. */
	const double v[4] = {100, 200, 400, 800};
	const uint64_t ca[4] = {30, 20, 10, 5}, cb[4] = {10, 20, 25, 15};
	for (int i = 3; i >= 0; i--) {
		hist_add_n(&a, v[i], ca[i]);
		hist_add_n(&b, v[i], cb[i]);
	}
	stats_mw m = stats_mann_whitney_hist(&a, &b);
	near(m.u, 3262.5, 1e-9);
	near(m.t.z, 4.513476, 1e-6);
	/* Buckets only one side has still rank: b slower on a value a lacks. */
	hist_add_n(&b, 5000, 10);
	m = stats_mann_whitney_hist(&a, &b);
	ck_assert(m.t.z > 4.513476);
	/* The same distribution on both sides: no difference. */
	m = stats_mann_whitney_hist(&a, &a);
	near(m.t.z, 0, 1e-12);
	near(m.p_higher, 0.5, 1e-12);
	hist_free(&a);
	hist_free(&b);
}
END_TEST

Suite *suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("stats");
	tcase_add_test(t, normal_tails);
	tcase_add_test(t, two_proportions_known_values);
	tcase_add_test(t, two_proportions_without_variance);
	tcase_add_test(t, mann_whitney_known_values);
	tcase_add_test(t, mann_whitney_degenerate);
	tcase_add_test(t, mann_whitney_over_histograms);
	suite_add_tcase(s, t);
	return s;
}
