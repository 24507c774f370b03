/* core/: histograms, clock, pricing, config, sanitiser, body codec. */
#include <errno.h>
#include <math.h>
#include <sys/stat.h>

#include "../../core/body.h"
#include "../../core/clock.h"
#include "../../core/config.h"
#include "../../core/hist.h"
#include "../../core/pricing.h"
#include "../../core/rollup.h"
#include "../../core/sanitize.h"
#include "t.h"
#include "../../core/filter.h"

/* ---- hist -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The exact nearest-rank value, computed independently of the histogram. */
static double exact_rank(double *sorted, size_t n, int pct)
{
	size_t rank = ((size_t)pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static uint64_t rng = 12345;
static double urand(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng >> 11) * 0x1.0p-53;
}

START_TEST(hist_quantiles_within_one_percent)
{
	/* Long-tailed latencies across six orders of magnitude, and integers. */
	for (int round = 0; round < 4; round++) {
		size_t n = round == 3 ? 7 : 20000 + (size_t)round * 777;
		double *v = xmalloc(n * sizeof *v);
		hist_t h = HIST_INIT;
		for (size_t i = 0; i < n; i++) {
			double x = round == 1 ? floor(urand() * 5000) : exp(urand() * 14 - 4);
			v[i] = x;
			hist_add(&h, x);
		}
		qsort(v, n, sizeof *v, cmp_double);
		int pcts[] = {1, 25, 50, 90, 95, 99, 100};
		for (size_t k = 0; k < sizeof pcts / sizeof *pcts; k++) {
			double want = exact_rank(v, n, pcts[k]), got = hist_quantile(&h, pcts[k]);
			ck_assert_msg(fabs(got - want) <= 0.01 * fabs(want) + 1e-9, "p%d: got %g, exact %g (n=%zu)", pcts[k],
				      got, want, n);
		}
		ck_assert_double_eq(h.max, v[n - 1]);
		ck_assert_double_eq(h.min, v[0]);
		ck_assert_uint_eq(h.total, n);
		hist_free(&h);
		free(v);
	}
}
END_TEST

START_TEST(hist_merge_equals_whole)
{
	hist_t whole = HIST_INIT, parts[3] = {HIST_INIT, HIST_INIT, HIST_INIT};
	for (int i = 0; i < 9000; i++) {
		double x = exp(urand() * 10);
		hist_add(&whole, x);
		hist_add(&parts[i % 3], x);
	}
	/* Merge through the serialised form, as rollups are. */
	hist_t merged = HIST_INIT;
	for (int p = 0; p < 3; p++) {
		sbuf b = SBUF_INIT;
		hist_encode(&parts[p], &b);
		ck_assert_int_eq(hist_merge_blob(&merged, b.p, b.len), 0);
		sb_free(&b);
	}
	ck_assert_uint_eq(merged.total, whole.total);
	ck_assert_uint_eq(merged.n, whole.n);
	for (uint32_t i = 0; i < whole.n; i++) {
		ck_assert_uint_eq(merged.idx[i], whole.idx[i]);
		ck_assert_uint_eq(merged.cnt[i], whole.cnt[i]);
	}
	ck_assert_double_eq(merged.max, whole.max);
	for (int p = 0; p < 3; p++)
		hist_free(&parts[p]);
	hist_free(&merged);
	hist_free(&whole);
}
END_TEST

START_TEST(hist_coarse_columns)
{
	/* Half resolution: a pair of neighbouring buckets is one, the zero
	 * bucket stays, a power of two's last pair does not reach into the
	 * next; quantiles stay within 1.2% of the exact value; and coarsening
	 * parts then summing them is coarsening the sum. */
	ck_assert_uint_eq(hist_coarse_index(0), 0);
	ck_assert_uint_eq(hist_coarse_index(1), 1);
	ck_assert_uint_eq(hist_coarse_index(2), 1);
	ck_assert_uint_eq(hist_coarse_index(3), 3);
	uint32_t last = hist_bucket_index(1.999999), next = hist_bucket_index(2.0);
	ck_assert_uint_eq(next, last + 1);
	ck_assert_uint_ne(hist_coarse_index(last), hist_coarse_index(next));
	hist_t whole = HIST_INIT, parts[2] = {HIST_INIT, HIST_INIT}, sum = HIST_INIT;
	double v[2000];
	for (int i = 0; i < 2000; i++) {
		v[i] = 50 + exp(urand() * 9);
		hist_add(&whole, v[i]);
		hist_add(&parts[i % 2], v[i]);
	}
	hist_add(&whole, 0);
	hist_add(&parts[0], 0);
	uint32_t fine = whole.n;
	hist_coarsen(&whole);
	ck_assert_uint_lt(whole.n, fine);
	ck_assert_uint_eq(whole.total, 2001);
	uint64_t counted = 0;
	for (uint32_t i = 0; i < whole.n; i++) {
		counted += whole.cnt[i];
		ck_assert_uint_eq(hist_coarse_index(whole.idx[i]), whole.idx[i]);
		if (i)
			ck_assert_uint_lt(whole.idx[i - 1], whole.idx[i]);
	}
	ck_assert_uint_eq(counted, 2001);
	for (int p = 0; p < 2; p++) {
		hist_coarsen(&parts[p]);
		hist_merge(&sum, &parts[p]);
	}
	ck_assert_uint_eq(sum.n, whole.n);
	for (uint32_t i = 0; i < whole.n; i++) {
		ck_assert_uint_eq(sum.idx[i], whole.idx[i]);
		ck_assert_uint_eq(sum.cnt[i], whole.cnt[i]);
	}
	/* the exact nearest-rank p95 of the 2001 values (the 0 first) */
	double sorted[2001];
	sorted[0] = 0;
	memcpy(sorted + 1, v, sizeof v);
	qsort(sorted, 2001, sizeof *sorted, cmp_double);
	for (int p = 50; p <= 99; p += 49) {
		double exact = exact_rank(sorted, 2001, p);
		ck_assert_double_le(fabs(hist_quantile(&whole, p) - exact), exact * 0.012);
	}
	hist_free(&whole);
	hist_free(&sum);
	for (int p = 0; p < 2; p++)
		hist_free(&parts[p]);
}
END_TEST

START_TEST(hist_buckets_in_any_order)
{
	/* A histogram sent as (bucket, count) pairs out of order, a bucket
	 * twice, a count of 0 and an index past the last bucket: the same as
	 * adding the values, onto what the histogram held. */
	hist_t whole = HIST_INIT, h = HIST_INIT;
	hist_bucket b[400];
	size_t n = 0;
	hist_add(&whole, 3.0);
	hist_add(&h, 3.0);
	for (int i = 0; i < 300; i++) {
		double x = exp(urand() * 8);
		hist_add(&whole, x);
		b[n++] = (hist_bucket){hist_bucket_index(x), 1};
	}
	for (size_t i = 0; i < n / 2; i++) { /* reversed halves */
		hist_bucket t = b[i];
		b[i] = b[n - 1 - i];
		b[n - 1 - i] = t;
	}
	b[n++] = (hist_bucket){b[0].idx, 0};
	b[n++] = (hist_bucket){HIST_NBUCKETS + 5, 7};
	hist_add_buckets(&h, b, n, whole.min, whole.max, whole.sum - 3.0);
	ck_assert_uint_eq(h.total, whole.total);
	ck_assert_uint_eq(h.n, whole.n);
	for (uint32_t i = 0; i < whole.n; i++) {
		ck_assert_uint_eq(h.idx[i], whole.idx[i]);
		ck_assert_uint_eq(h.cnt[i], whole.cnt[i]);
	}
	ck_assert_double_eq(hist_quantile(&h, 95), hist_quantile(&whole, 95));
	/* in order, the same */
	hist_t s = HIST_INIT;
	hist_bucket one[2] = {{10, 2}, {20, 3}};
	hist_add_buckets(&s, one, 2, 0.01, 0.02, 0.05);
	ck_assert_uint_eq(s.total, 5);
	ck_assert_uint_eq(s.n, 2);
	hist_free(&s);
	hist_free(&h);
	hist_free(&whole);
}
END_TEST

START_TEST(hist_merge_many_equals_whole)
{
	/* dst already holds a part; one source is empty; ranges differ. */
	hist_t whole = HIST_INIT, dst = HIST_INIT, parts[4] = {HIST_INIT, HIST_INIT, HIST_INIT, HIST_INIT};
	for (int i = 0; i < 8000; i++) {
		double x = exp(urand() * (i % 4 == 2 ? 3 : 12));
		hist_add(&whole, x);
		if (i % 4 == 3)
			hist_add(&dst, x);
		else
			hist_add(&parts[i % 4], x);
	}
	const hist_t *src[4] = {&parts[0], &parts[3], &parts[1], &parts[2]};
	hist_merge_many(&dst, src, 4);
	ck_assert_uint_eq(dst.total, whole.total);
	ck_assert_uint_eq(dst.n, whole.n);
	for (uint32_t i = 0; i < whole.n; i++) {
		ck_assert_uint_eq(dst.idx[i], whole.idx[i]);
		ck_assert_uint_eq(dst.cnt[i], whole.cnt[i]);
	}
	ck_assert_double_eq(dst.min, whole.min);
	ck_assert_double_eq(dst.max, whole.max);
	ck_assert_double_eq_tol(dst.sum, whole.sum, whole.sum * 1e-12);
	ck_assert_double_eq(hist_quantile(&dst, 99), hist_quantile(&whole, 99));
	for (int p = 0; p < 4; p++)
		hist_free(&parts[p]);
	hist_free(&dst);
	hist_free(&whole);
}
END_TEST

/* Sums stop at the largest value: two huge costs never turn negative. */
START_TEST(rollup_sums_saturate)
{
	rstats a, b;
	rstats_init(&a);
	rstats_init(&b);
	call_t c = {0};
	c.input_tokens = INT64_MAX;
	c.cached_tokens = c.output_tokens = -1;
	c.latency_ms = c.ttft_ms = -1;
	rstats_add_call(&a, &c, INT64_MAX - 5);
	rstats_add_call(&a, &c, INT64_MAX - 5);
	ck_assert_int_eq(a.cost_nusd, INT64_MAX);
	ck_assert_uint_eq(a.input_tokens, (uint64_t)INT64_MAX * 2);
	rstats_add_call(&a, &c, 1);
	rstats_add_call(&a, &c, 1);
	ck_assert_uint_eq(a.input_tokens, UINT64_MAX);
	rstats_add_call(&b, &c, INT64_MAX);
	rstats_merge(&a, &b);
	ck_assert_int_eq(a.cost_nusd, INT64_MAX);
	ck_assert_uint_eq(a.input_tokens, UINT64_MAX);
	const rstats *many[2] = {&b, &b};
	rstats_merge_many(&b, many, 2);
	ck_assert_int_eq(b.cost_nusd, INT64_MAX);
	ck_assert_int_eq(sat_add_i64(INT64_MIN + 1, -5), INT64_MIN);
	rstats_free(&a);
	rstats_free(&b);
}
END_TEST

/* An error type longer than any fixed buffer survives the rollup's text form. */
START_TEST(rollup_error_names_whole)
{
	char name[300];
	memset(name, 'e', sizeof name - 1);
	name[sizeof name - 1] = 0;
	ecounts e = {0};
	ecounts_add(&e, name, 2);
	ecounts_add(&e, "timeout", 1);
	sbuf t = SBUF_INIT;
	ecounts_format(&e, &t);
	ecounts f = {0};
	ck_assert_int_eq(ecounts_parse_add(&f, sb_str(&t)), 0);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_str_eq(f.v[0].name, name);
	ck_assert_uint_eq(f.v[0].n, 2);
	ecounts_reset(&f);
	ck_assert_uint_eq(f.n, 0);
	ecounts_free(&f);
	ecounts_free(&e);
	sb_free(&t);
}
END_TEST

START_TEST(hist_empty_and_corrupt)
{
	hist_t h = HIST_INIT;
	ck_assert_double_eq(hist_quantile(&h, 95), 0);
	sbuf b = SBUF_INIT;
	hist_encode(&h, &b);
	ck_assert_int_eq(hist_decode(&h, b.p, b.len), 0);
	ck_assert_uint_eq(h.total, 0);
	const uint8_t bad[] = {9, 1, 2};
	ck_assert_int_eq(hist_decode(&h, bad, sizeof bad), -1);
	sb_free(&b);
	hist_free(&h);
}
END_TEST

Suite *suite_hist(void)
{
	Suite *s = suite_create("hist");
	TCase *t = tcase_create("hist");
	tcase_add_test(t, hist_quantiles_within_one_percent);
	tcase_add_test(t, hist_merge_equals_whole);
	tcase_add_test(t, hist_merge_many_equals_whole);
	tcase_add_test(t, hist_buckets_in_any_order);
	tcase_add_test(t, hist_coarse_columns);
	tcase_add_test(t, hist_empty_and_corrupt);
	tcase_add_test(t, rollup_sums_saturate);
	tcase_add_test(t, rollup_error_names_whole);
	suite_add_tcase(s, t);
	return s;
}

/* ---- clock ------------------------------------------------------------- */

START_TEST(clock_parses_times)
{
	int64_t t;
	ck_assert_int_eq(clock_parse_time("2026-01-01T00:00:00Z", &t), 0);
	ck_assert_int_eq(t, 1767225600LL * NS_PER_S);
	ck_assert_int_eq(clock_parse_time("2026-01-01T01:30:00.250+01:30", &t), 0);
	ck_assert_int_eq(t, 1767225600LL * NS_PER_S + 250 * NS_PER_MS);
	/* simonw/llm's old datetime_utc: a space and no zone */
	ck_assert_int_eq(clock_parse_time("2023-07-12 06:16:24.447785", &t), 0);
	ck_assert_int_eq(t % NS_PER_S, 447785000);
	ck_assert_int_eq(clock_parse_time("1767225600", &t), 0);
	ck_assert_int_eq(t, 1767225600LL * NS_PER_S);
	ck_assert_int_eq(clock_parse_time("2026-13-01T00:00:00Z", &t), -1);
	ck_assert_int_eq(clock_parse_time("yesterday", &t), -1);
	ck_assert_int_eq(clock_from_unix_guess(1767225600123.0), 1767225600123LL * NS_PER_MS);
	char buf[40];
	clock_fmt_rfc3339(1767225600LL * NS_PER_S + 5 * NS_PER_MS, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-01-01T00:00:00.005Z");
}
END_TEST

START_TEST(clock_parses_durations)
{
	int64_t d;
	ck_assert_int_eq(clock_parse_dur("15m", &d), 0);
	ck_assert_int_eq(d, 15 * NS_PER_MIN);
	ck_assert_int_eq(clock_parse_dur("1h30m", &d), 0);
	ck_assert_int_eq(d, 90 * NS_PER_MIN);
	ck_assert_int_eq(clock_parse_dur("7d", &d), 0);
	ck_assert_int_eq(clock_parse_dur("0s", &d), -1);
	ck_assert_int_eq(clock_parse_dur("10x", &d), -1);
	ck_assert_int_eq(clock_parse_dur("", &d), -1);
	char buf[32];
	clock_fmt_dur(90 * NS_PER_MIN, buf, sizeof buf);
	ck_assert_str_eq(buf, "1h30m");
}
END_TEST

START_TEST(filter_sample)
{
	filter_t f;
	filter_init(&f);
	char err[256];
	ck_assert_int_eq(filter_parse(&f, "status=error sample=10%", err, sizeof err), 0);
	ck_assert_int_eq(f.sample_bp, 1000);
	ck_assert(!filter_empty(&f));
	filter_free(&f);
	ck_assert_int_eq(filter_parse(&f, "sample=2.5", err, sizeof err), 0);
	ck_assert_int_eq(f.sample_bp, 250);
	filter_free(&f);
	const char *bad[] = {"sample=0", "sample=150%", "sample=ten", "sample=10%%", "sample="};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(filter_parse(&f, bad[i], err, sizeof err), -1);
		ck_assert_msg(strstr(err, "sample="), "%s: %s", bad[i], err);
		filter_free(&f);
	}
	/* Deterministic, and a 10% sample keeps about 10% of random ids. */
	const unsigned char id[8] = {0x8e, 0x12, 0xf4, 0x77, 0x18, 0x5e, 0xb9, 0x25};
	ck_assert_uint_eq(filter_sample_bucket(id, 8), filter_sample_bucket(id, 8));
	/* The bucket a ClickHouse server gives the same id: its
	 * sipHash64(unhex('00112233aabbccdd')) is 14497431197953952570. */
	const unsigned char known[8] = {0x00, 0x11, 0x22, 0x33, 0xaa, 0xbb, 0xcc, 0xdd};
	ck_assert_uint_eq(filter_sample_bucket(known, 8), 14497431197953952570ULL % 10000);
	int kept = 0;
	for (int i = 0; i < 20000; i++) {
		unsigned char r[8];
		for (int k = 0; k < 8; k++)
			r[k] = (unsigned char)(urand() * 256);
		unsigned b = filter_sample_bucket(r, 8);
		ck_assert_uint_lt(b, 10000);
		kept += b < 1000;
	}
	ck_assert_int_gt(kept, 1800);
	ck_assert_int_lt(kept, 2200);
}
END_TEST

Suite *suite_clock(void)
{
	Suite *s = suite_create("clock");
	TCase *t = tcase_create("clock");
	tcase_add_test(t, clock_parses_times);
	tcase_add_test(t, clock_parses_durations);
	tcase_add_test(t, filter_sample);
	suite_add_tcase(s, t);
	return s;
}

/* ---- pricing ----------------------------------------------------------- */

START_TEST(pricing_builtin_and_families)
{
	pricing_t *p = pricing_new();
	const price_t *a = pricing_lookup(p, "gpt-4o-mini");
	ck_assert_ptr_nonnull(a);
	/* $0.15 / $0.075 / $0.60 per million tokens */
	ck_assert_int_eq(a->in_ppt, 150000);
	ck_assert_int_eq(a->cached_ppt, 75000);
	ck_assert_int_eq(a->out_ppt, 600000);
	/* A dated snapshot falls back to its family ... */
	ck_assert_ptr_eq(pricing_lookup(p, "gpt-4o-mini-2024-07-18"), a);
	ck_assert_ptr_eq(pricing_lookup(p, "claude-sonnet-4-5-20250929"), pricing_lookup(p, "claude-sonnet-4-5"));
	ck_assert_ptr_eq(pricing_lookup(p, "gpt-4-0613"), pricing_lookup(p, "gpt-4"));
	ck_assert_ptr_eq(pricing_lookup(p, "anthropic/claude-3-haiku-20240307"), pricing_lookup(p, "claude-3-haiku"));
	/* ... but an exact entry wins over the family. */
	ck_assert_int_eq(pricing_lookup(p, "gpt-4o-2024-05-13")->in_ppt, 5000000);
	ck_assert_int_eq(pricing_lookup(p, "gpt-4o-2024-08-06")->in_ppt, 2500000);
	/* Unknown models are never guessed. */
	ck_assert_ptr_null(pricing_lookup(p, "this-model-does-not-exist"));
	ck_assert_ptr_null(pricing_lookup(p, "gpt-9"));
	/* The README's cost: (in - cached) * input + cached * cache_read + out * output */
	ck_assert_int_eq(price_cost_nusd(a, 1000, 400, 100), (600 * 150000 + 400 * 75000 + 100 * 600000 + 500) / 1000);
	pricing_free(p);
}
END_TEST

START_TEST(pricing_litellm_overrides)
{
	size_t len;
	char *json = t_read(CORPUS "litellm/model_prices_and_context_window.EXCERPT.json", &len);
	ck_assert_ptr_nonnull(json);
	pricing_t *p = pricing_new();
	char err[128];
	int n = pricing_load_litellm(p, json, len, err, sizeof err);
	ck_assert_int_ge(n, 8); /* sample_spec skipped */
	const price_t *o = pricing_lookup(p, "claude-opus-4-6");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->in_ppt, 5000000);
	ck_assert_int_eq(o->cached_ppt, 500000);
	ck_assert_int_eq(o->out_ppt, 25000000);
	ck_assert_int_eq(o->builtin, 0);
	/* An entry without a cache price charges cache reads at the input price. */
	const price_t *j = pricing_lookup(p, "ai21.jamba-1-5-large-v1:0");
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(j->cached_ppt, j->in_ppt);
	ck_assert_ptr_null(pricing_lookup(p, "sample_spec"));
	ck_assert_int_eq(pricing_load_litellm(p, "{\"a\": ", 6, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	pricing_free(p);
	free(json);
}
END_TEST

Suite *suite_pricing(void)
{
	Suite *s = suite_create("pricing");
	TCase *t = tcase_create("pricing");
	tcase_add_test(t, pricing_builtin_and_families);
	tcase_add_test(t, pricing_litellm_overrides);
	suite_add_tcase(s, t);
	return s;
}

/* ---- config ------------------------------------------------------------ */

typedef struct vfile {
	const char *path, *text;
} vfile;
static const vfile *vfs;

static char *vfs_read(const char *path, size_t max, size_t *len, char *err, size_t errlen, void *ud)
{
	(void)ud;
	(void)err;
	(void)errlen;
	for (const vfile *f = vfs; f && f->path; f++)
		if (!strcmp(f->path, path)) {
			*len = strlen(f->text);
			if (*len > max) {
				snprintf(err, errlen, "too large");
				errno = EFBIG;
				return NULL;
			}
			return xstrdup(f->text);
		}
	errno = ENOENT;
	return NULL;
}

START_TEST(config_every_statement)
{
	static const vfile files[] = {
	    {"/etc/llmops/rc",
	     "# comment\n"
	     "set store = /data/llmops.db\n"
	     "set refresh 10\n"
	     "set window=15m\n"
	     "set budget_daily = 200\n"
	     "set budget_monthly = 5000.5\n"
	     "set keymap = emacs\n"
	     "set pricing_file = prices.json\n"
	     "label 3 needs-review\n"
	     "watch otlp /var/log/otel.jsonl\n"
	     "watch jsonl calls.jsonl\n"
	     "attach llm ~/logs.db\n"
	     "prompts prompts/\n"
	     "provider openai type=openai admin_key_env=OPENAI_ADMIN_KEY poll=120\n"
	     "provider claude type=anthropic base_url=http://127.0.0.1:9999 api_key_cmd=\"pass show anthropic\"\n"
	     "bind vim x quit\n"
	     "color status white blue bold\n"
	     "source more.rc\n"},
	    {"/etc/llmops/more.rc", "set error_warn = 1.5\n"},
	    {NULL, NULL}};
	vfs = files;
	setenv("HOME", "/home/u", 1);
	config_t c;
	config_init(&c);
	ck_assert_int_eq(config_load(&c, "/etc/llmops/rc", 1, vfs_read, NULL), 0);
	ck_assert_msg(c.nerrors == 0, "errors: %s", sb_str(&c.errors));
	ck_assert_str_eq(config_str(&c, CFG_store), "/data/llmops.db");
	ck_assert_int_eq((int)config_num(&c, CFG_refresh), 10);
	ck_assert_int_eq(config_dur(&c, CFG_window), 15 * NS_PER_MIN);
	ck_assert_double_eq(config_num(&c, CFG_budget_monthly), 5000.5);
	ck_assert_str_eq(config_str(&c, CFG_keymap), "emacs");
	ck_assert_str_eq(config_str(&c, CFG_pricing_file), "/etc/llmops/prices.json");
	ck_assert_str_eq(c.labels[1], "good");
	ck_assert_str_eq(c.labels[2], "bad");
	ck_assert_str_eq(c.labels[3], "needs-review");
	ck_assert_uint_eq(c.watches.n, 2);
	ck_assert_str_eq(c.watches.v[1].path, "/etc/llmops/calls.jsonl");
	ck_assert_str_eq(c.attaches.v[0].path, "/home/u/logs.db");
	ck_assert_str_eq(c.prompt_dirs.v[0].path, "/etc/llmops/prompts/");
	ck_assert_uint_eq(c.providers.n, 2);
	ck_assert_int_eq(c.providers.v[0].poll, 120);
	ck_assert_str_eq(c.providers.v[1].api_key_cmd, "pass show anthropic");
	ck_assert_str_eq(c.providers.v[1].base_url, "http://127.0.0.1:9999");
	ck_assert_str_eq(c.binds.v[0].action, "quit");
	ck_assert_str_eq(c.colors.v[0].attrs, "bold");
	ck_assert_double_eq(config_num(&c, CFG_error_warn), 1.5);
	config_free(&c);
}
END_TEST

START_TEST(config_errors_name_file_and_line)
{
	static const vfile files[] = {{"rc",
				       "set refresh = 5\n"
				       "set nonsense = 1\n"
				       "set window = soon\n"
				       "label 0 x\n"
				       "provider openai type=openai api_key=sk-123\n"
				       "frobnicate\n"
				       "set budget_daily = 12\n"
				       "watch syslog /x\n"
				       "source missing.rc\n"
				       "color x \"unterminated\n"},
				      {NULL, NULL}};
	vfs = files;
	config_t c;
	config_init(&c);
	config_load(&c, "rc", 1, vfs_read, NULL);
	const char *e = sb_str(&c.errors);
	ck_assert_int_eq(c.nerrors, 8);
	ck_assert_ptr_nonnull(strstr(e, "rc:2: unknown option 'nonsense'"));
	ck_assert_ptr_nonnull(strstr(e, "rc:3: window: expected a duration"));
	ck_assert_ptr_nonnull(strstr(e, "rc:4: label"));
	ck_assert_ptr_nonnull(strstr(e, "rc:5: provider openai: keys are never written in the rc file"));
	ck_assert_ptr_null(strstr(e, "sk-123")); /* the key is not repeated */
	ck_assert_ptr_nonnull(strstr(e, "rc:6: unknown statement 'frobnicate'"));
	ck_assert_ptr_nonnull(strstr(e, "rc:8: watch"));
	ck_assert_ptr_nonnull(strstr(e, "missing.rc: cannot read"));
	ck_assert_ptr_nonnull(strstr(e, "rc:10: unterminated quote"));
	/* The good lines around the bad ones still took effect. */
	ck_assert_double_eq(config_num(&c, CFG_budget_daily), 12);
	ck_assert_uint_eq(c.providers.n, 0);
	config_free(&c);
}
END_TEST

/* Every read is counted: a load must stay bounded whatever the files say. */
static int gen_reads;

/* "/fan/N": eight `source /fan/...` lines, distinct files all the way down, so
 * that only a bound on the total (not on the depth) stops it. */
static char *gen_read(const char *path, size_t max, size_t *len, char *err, size_t errlen, void *ud)
{
	(void)ud;
	(void)max;
	gen_reads++;
	int n = 0;
	if (sscanf(path, "/fan/%d", &n) != 1) {
		snprintf(err, errlen, "no such file");
		errno = ENOENT;
		return NULL;
	}
	sbuf b = SBUF_INIT;
	for (int i = 0; i < 8; i++)
		sb_printf(&b, "source /fan/%d\n", n * 8 + i + 1);
	*len = b.len;
	return sb_steal(&b);
}

START_TEST(config_hostile_files_stay_bounded)
{
	sbuf words = SBUF_INIT, many = SBUF_INIT, junk = SBUF_INIT;
	sb_adds(&words, "\xef\xbb\xbfset window = 30m\ncolor status white blue");
	for (int i = 0; i < 40; i++)
		sb_adds(&words, " bold");
	sb_adds(&words, "\nsource nowhere.rc\nsource self.rc\nset refresh = 7\n");
	for (int i = 0; i < CONFIG_MAX_STATEMENTS + 500; i++)
		sb_adds(&many, "set refresh = 9\n");
	for (int i = 0; i < 1000; i++)
		sb_adds(&junk, "frobnicate\n");
	const vfile files[] = {{"self.rc", words.p}, {"many.rc", many.p}, {"junk.rc", junk.p}, {NULL, NULL}};
	vfs = files;

	/* A byte order mark, a line of 42 words (freed: the sanitizer run checks),
	 * a missing file and a file that sources itself: each an error at its
	 * line, and the lines after them still load. */
	config_t c;
	config_init(&c);
	config_load(&c, "self.rc", 1, vfs_read, NULL);
	const char *e = sb_str(&c.errors);
	ck_assert_msg(c.nerrors == 3, "errors: %s", e);
	ck_assert_int_eq(config_dur(&c, CFG_window), 30 * NS_PER_MIN);
	ck_assert_ptr_nonnull(strstr(e, "self.rc:2: too many words"));
	ck_assert_ptr_nonnull(strstr(e, "self.rc:3: source nowhere.rc: cannot read"));
	ck_assert_ptr_nonnull(strstr(e, "self.rc:4: source self.rc: already being read"));
	ck_assert_int_eq((int)config_num(&c, CFG_refresh), 7);
	config_free(&c);

	/* Eight sources a file, eight deep: 19 million files without a bound on
	 * the total. */
	config_init(&c);
	gen_reads = 0;
	config_load(&c, "/fan/0", 1, gen_read, NULL);
	ck_assert_int_le(gen_reads, CONFIG_MAX_FILES);
	ck_assert_msg(strstr(sb_str(&c.errors), "not read: more than 64 files in all"), "%s", sb_str(&c.errors) + (c.errors.len > 300 ? c.errors.len - 300 : 0));
	config_free(&c);

	/* Statements beyond the bound are not read; one error says so. */
	config_init(&c);
	config_load(&c, "many.rc", 1, vfs_read, NULL);
	ck_assert_int_eq(c.nerrors, 1);
	ck_assert_ptr_nonnull(strstr(sb_str(&c.errors), "many.rc:10001: more than 10000 statements"));
	config_free(&c);

	/* A thousand bad lines: the first hundred are told, the rest counted. */
	config_init(&c);
	config_load(&c, "junk.rc", 1, vfs_read, NULL);
	ck_assert_int_eq(c.nerrors, 1000);
	int lines = 0;
	for (const char *p = sb_str(&c.errors); *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, CONFIG_MAX_ERRORS + 1);
	ck_assert_ptr_nonnull(strstr(sb_str(&c.errors), "junk.rc: 900 more errors not shown"));
	config_free(&c);

	/* Too large for one file. */
	sbuf big = SBUF_INIT;
	for (size_t i = 0; i <= CONFIG_MAX_FILE_BYTES / 16; i++)
		sb_adds(&big, "# a long comment\n");
	const vfile bigf[] = {{"rc", "source big.rc\nset refresh = 8\n"}, {"big.rc", big.p}, {NULL, NULL}};
	vfs = bigf;
	config_init(&c);
	config_load(&c, "rc", 1, vfs_read, NULL);
	ck_assert_ptr_nonnull(strstr(sb_str(&c.errors), "rc:1: source big.rc: cannot read: too large"));
	ck_assert_int_eq((int)config_num(&c, CFG_refresh), 8);
	config_free(&c);
	sb_free(&big);
	sb_free(&words);
	sb_free(&many);
	sb_free(&junk);
}
END_TEST

Suite *suite_config(void)
{
	Suite *s = suite_create("config");
	TCase *t = tcase_create("config");
	tcase_add_test(t, config_every_statement);
	tcase_add_test(t, config_errors_name_file_and_line);
	tcase_add_test(t, config_hostile_files_stay_bounded);
	suite_add_tcase(s, t);
	return s;
}

/* ---- sanitize ---------------------------------------------------------- */

static char *san(const char *in, int flags)
{
	return sanitize_str(in, flags);
}

START_TEST(sanitize_makes_controls_inert)
{
	/* OSC 52 clipboard write, OSC 0 title, CSI clear + cursor move, CR overwrite,
	 * backspaces, RLO, zero-width space, DEL, C1 CSI, invalid UTF-8. */
	const char *in = "a\x1b]52;c;cm0gLXJmIH4=\x07"
			 "b\x1b]0;PWNED\x1b\\"
			 "c\x1b[2J\x1b[10;1H"
			 "d\rEVIL"
			 "e\b\b"
			 "f\xe2\x80\xae"
			 "g\xe2\x80\x8b"
			 "h\x7f"
			 "i\xc2\x9b"
			 "31mj\xff\xc0\xaf"
			 "k\x1bP1;2;3|junk\x1b\\l";
	char *out = san(in, 0);
	for (const char *p = out; *p; p++) {
		unsigned char c = (unsigned char)*p;
		ck_assert_msg(c >= 0x20 && c != 0x7f, "control byte 0x%02x at %ld in %s", c, (long)(p - out), out);
	}
	ck_assert_ptr_null(strstr(out, "PWNED"));
	ck_assert_ptr_null(strstr(out, "cm0gLXJm"));
	ck_assert_ptr_null(strstr(out, "junk"));
	ck_assert_ptr_nonnull(strstr(out, "a" SAN_ESC_MARK "b"));
	ck_assert_ptr_nonnull(strstr(out, "d\xe2\x90\x8d" "EVIL")); /* U+240D for \r */
	ck_assert_ptr_nonnull(strstr(out, "<U+202E>"));
	ck_assert_ptr_nonnull(strstr(out, "<U+200B>"));
	ck_assert_ptr_nonnull(strstr(out, "\xef\xbf\xbd")); /* U+FFFD */
	free(out);
	out = san(in, SAN_ASCII);
	for (const char *p = out; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "non-ASCII in %s", out);
	ck_assert_ptr_nonnull(strstr(out, "d^MEVIL"));
	free(out);
	out = san("line1\nline2\ttab", SAN_KEEP_NL | SAN_TABS);
	ck_assert_str_eq(out, "line1\nline2\ttab");
	free(out);
	out = san("plain \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80", 0);
	ck_assert_str_eq(out, "plain \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80");
	free(out);
	/* An unterminated OSC swallows the rest rather than leak it. */
	out = san("x\x1b]0;title without end", 0);
	ck_assert_str_eq(out, "x" SAN_ESC_MARK);
	free(out);
}
END_TEST

/* JSON for files and pipes: invisible and reordering characters escaped,
 * the value unchanged once parsed. */
START_TEST(sanitize_json_escapes_invisibles)
{
	const char *in = "{\"k\":\"a\xc2\x85" "b\xe2\x80\xae" "c\xe2\x80\x8b" "d\xc2\x9b" "e\xf3\xa0\x80\x81" "f\xff" "g \xc3\xa9\"}";
	sbuf out = SBUF_INIT;
	sanitize_json(in, strlen(in), &out);
	ck_assert_str_eq(sb_str(&out), "{\"k\":\"a\\u0085b\\u202ec\\u200bd\\u009be\\udb40\\udc01f\\ufffdg \xc3\xa9\"}");
	sb_free(&out);
}
END_TEST

/* A quotation in a message: sanitised, and cut between characters. */
START_TEST(sanitize_clip_cuts_between_characters)
{
	char q[64];
	sanitize_clip("\x1b]0;T\x07ok", 40, q, sizeof q);
	ck_assert_str_eq(q, SAN_ESC_MARK "ok");
	/* 20 two-byte characters: a cut at 12 bytes keeps 4 whole ones and the ellipsis */
	char in[64] = "";
	for (int i = 0; i < 20; i++)
		strcat(in, "\xc3\xa9");
	sanitize_clip(in, 12, q, sizeof q);
	ck_assert_str_eq(q, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	sanitize_clip("short", 40, q, sizeof q);
	ck_assert_str_eq(q, "short");
}
END_TEST

Suite *suite_sanitize(void)
{
	Suite *s = suite_create("sanitize");
	TCase *t = tcase_create("sanitize");
	tcase_add_test(t, sanitize_makes_controls_inert);
	tcase_add_test(t, sanitize_json_escapes_invisibles);
	tcase_add_test(t, sanitize_clip_cuts_between_characters);
	suite_add_tcase(s, t);
	return s;
}

/* ---- body codec -------------------------------------------------------- */

START_TEST(body_roundtrip_with_dictionary)
{
	size_t n = 3000; /* about a megabyte: enough text to train on */
	sbuf *samples = xcalloc(n, sizeof *samples);
	for (size_t i = 0; i < n; i++) {
		char in[600], out[300];
		snprintf(in, sizeof in,
			 "[{\"role\":\"system\",\"content\":\"You are the support assistant of Northwind. Order %zu is "
			 "shipped by carrier %zu and the customer tier is gold.\"},{\"role\":\"user\",\"content\":\"Where is "
			 "my order %zu? It is late by %zu days and I need it.\"}]",
			 i * 7919 % 100000, i % 5, i * 31 % 99999, i % 9);
		snprintf(out, sizeof out, "Your order %zu arrives in %zu days; sorry for the delay.", i * 7919 % 100000, i % 4);
		body_pack(&samples[i], in, out, i % 2 ? "{\"a\":\"b\"}" : NULL, NULL);
	}
	size_t dlen;
	void *dict = body_train(samples, n, &dlen);
	ck_assert_ptr_nonnull(dict);
	body_codec *c = body_codec_new(dict, dlen, 7);
	free(dict);
	size_t raw = 0, packed = 0;
	for (size_t i = 0; i < n; i++) {
		sbuf z = SBUF_INIT, back = SBUF_INIT;
		ck_assert_int_eq(body_compress(c, samples[i].p, samples[i].len, &z), 0);
		ck_assert_int_eq(body_decompress(c, z.p, z.len, &back), 0);
		ck_assert_uint_eq(back.len, samples[i].len);
		ck_assert_int_eq(memcmp(back.p, samples[i].p, back.len), 0);
		char *in, *out, *vars, *attrs;
		ck_assert_int_eq(body_unpack(back.p, back.len, &in, &out, &vars, &attrs), 0);
		ck_assert_ptr_nonnull(strstr(in, "Northwind"));
		ck_assert_ptr_nonnull(strstr(out, "sorry for the delay"));
		ck_assert(i % 2 ? vars != NULL : vars == NULL);
		ck_assert_ptr_null(attrs);
		raw += samples[i].len;
		packed += z.len;
		free(in);
		free(out);
		free(vars);
		sb_free(&z);
		sb_free(&back);
		sb_free(&samples[i]);
	}
	ck_assert_msg(packed * 3 < raw, "dictionary compression only %zu -> %zu", raw, packed);
	/* Garbage is refused, not crashed on. */
	sbuf junk = SBUF_INIT;
	ck_assert_int_eq(body_decompress(c, "not a frame", 11, &junk), -1);
	ck_assert_int_eq(body_unpack("\x01\xff\xff\xff\x7f", 5, NULL, NULL, NULL, NULL), -1);
	sb_free(&junk);
	body_codec_free(c);
	free(samples);
}
END_TEST

START_TEST(body_too_little_to_train)
{
	sbuf s[10] = {0};
	for (int i = 0; i < 10; i++)
		body_pack(&s[i], "[]", "x", NULL, NULL);
	size_t len;
	ck_assert_ptr_null(body_train(s, 10, &len));
	for (int i = 0; i < 10; i++)
		sb_free(&s[i]);
}
END_TEST

Suite *suite_body(void)
{
	Suite *s = suite_create("body");
	TCase *t = tcase_create("body");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, body_roundtrip_with_dictionary);
	tcase_add_test(t, body_too_little_to_train);
	suite_add_tcase(s, t);
	return s;
}
