/* Two windows compared: a deploy that raised errors and latency is worse,
 * beyond noise, and set against the version it replaced; a model whose
 * traffic did not change is the same; a handful of calls is too few to
 * tell; what only one window has is new or gone. And the words of
 * `:compare` make the windows, or say what is wrong with them. */
#include <stdint.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../data/compare.h"
#include "t.h"

#define T0 1795392000LL /* 2026-11-23T00:00:00Z, now */

static store_t *fresh(const char *name)
{
	store_t *st;
	char err[256];
	char *path = t_path(name);
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	free(path);
	return st;
}

/* One call a minute on model (prompt@version when prompt is not NULL) from
 * `from` to `to` (Unix s), every err_every-th failing (0: none), taking
 * ms times a factor that goes round 1.0 .. 1.9, so that the latencies
 * spread over many buckets. */
static void serve(store_t *st, const char *prompt, const char *version, const char *model, int64_t from, int64_t to,
		  int err_every, double ms)
{
	static int seq;
	batch_t b = {0};
	int i = 0;
	for (int64_t t = from; t < to; t += 60, i++) {
		call_t *c = batch_add_call(&b);
		char span[17];
		snprintf(span, sizeof span, "%016x", 0x9000 + seq++);
		call_set_id(c->span_id, &c->span_len, span);
		call_set_id(c->trace_id, &c->trace_len, "0af7651916cd43dd8448eb211c80319c");
		c->ts_ns = t * NS_PER_S;
		c->provider = "openai";
		c->model = arena_strdup(&b.arena, model);
		if (prompt) {
			c->prompt_name = arena_strdup(&b.arena, prompt);
			c->prompt_version = arena_strdup(&b.arena, version);
		}
		c->input_tokens = 100;
		c->output_tokens = 10;
		c->latency_ms = ms * (1 + (i * 7 % 10) / 10.0);
		c->ttft_ms = c->latency_ms / 4;
		c->is_error = err_every && i % err_every == 0;
		if (c->is_error)
			c->error_type = "server_error";
	}
	ingest_stats s = {0};
	char err[256];
	pricing_t *pr = pricing_new();
	ck_assert_msg(store_ingest(st, &b, pr, &s, err, sizeof err) == 0, "%s", err);
	pricing_free(pr);
	batch_free(&b);
}

static const cmp_row *row(const compare_t *c, int is_model, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].is_model == is_model && !strcmp(c->v[i].key, key))
			return &c->v[i];
	ck_abort_msg("no row %s", key);
	return NULL;
}

/* The last two hours: support@1 on claude until 40 minutes ago, then
 * support@2 there with a third of its calls failing and three times as
 * slow; gpt-4o steady throughout; a few calls of tiny; a model that only
 * served before, one that only serves now. */
static store_t *incident(void)
{
	store_t *st = fresh("compare.db");
	int64_t deploy = T0 - 40 * 60;
	serve(st, "support", "1", "claude", T0 - 7200, deploy, 50, 2000);
	serve(st, "support", "2", "claude", deploy, T0, 3, 6000);
	serve(st, "search", "4", "gpt-4o", T0 - 7200, T0, 40, 900);
	serve(st, NULL, NULL, "tiny", T0 - 7200, T0 - 7200 + 5 * 60, 0, 100);
	serve(st, NULL, NULL, "tiny", T0 - 600, T0 - 300, 0, 100);
	serve(st, NULL, NULL, "old-model", T0 - 7200, T0 - 3600, 0, 500);
	serve(st, NULL, NULL, "new-model", T0 - 3600, T0, 0, 500);
	return st;
}

static void compute(store_t *st, const char *const *words, int n, compare_t *c)
{
	compare_span sp;
	char err[256];
	ck_assert_msg(compare_span_parse(st, (char *const *)words, n, T0 * NS_PER_S, NS_PER_HOUR, &sp, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_msg(compare_compute(st, &sp, c, err, sizeof err) == 0, "%s", err);
}

START_TEST(deploy_is_worse_quiet_model_is_same)
{
	store_t *st = incident();
	compare_t c;
	const char *w[] = {"1h"};
	compute(st, w, 1, &c);
	ck_assert_int_eq(c.span.to_ns, T0 * NS_PER_S);
	ck_assert_int_eq(c.span.split_ns, (T0 - 3600) * NS_PER_S);
	ck_assert_int_eq(c.span.from_ns, (T0 - 7200) * NS_PER_S);

	/* The new version, against the one that served before it. */
	const cmp_row *r = row(&c, 0, "support@2");
	ck_assert_str_eq(r->against, "support@1");
	ck_assert_int_eq(r->verdict, CMP_WORSE);
	ck_assert(r->err_tested && r->err.significant && r->err.z > 0);
	ck_assert(r->lat_tested && r->lat.t.significant && r->lat.t.z > 0);
	ck_assert_uint_eq(r->was.calls, 60);
	ck_assert_uint_eq(r->now.calls, 40);
	ck_assert(r->now.p95_ms > 2.5 * r->was.p95_ms);

	/* The model it runs on is worse too; the steady one is the same. */
	ck_assert_int_eq(row(&c, 1, "claude")->verdict, CMP_WORSE);
	const cmp_row *g = row(&c, 1, "gpt-4o");
	ck_assert_int_eq(g->verdict, CMP_SAME);
	ck_assert(g->err_tested && g->lat_tested && !g->err.significant && !g->lat.t.significant);
	ck_assert_int_eq(row(&c, 0, "search@4")->verdict, CMP_SAME);

	/* Five calls a side: no test. */
	const cmp_row *tiny = row(&c, 1, "tiny");
	ck_assert_int_eq(tiny->verdict, CMP_FEW);
	ck_assert(!tiny->err_tested && !tiny->lat_tested);
	ck_assert_int_eq(row(&c, 1, "old-model")->verdict, CMP_GONE);
	ck_assert_int_eq(row(&c, 1, "new-model")->verdict, CMP_NEW);
	/* The version that stopped 40 minutes ago still served 20 minutes of the hour. */
	ck_assert_int_eq(row(&c, 0, "support@1")->verdict, CMP_SAME);

	/* What moved comes first: the version and its model. */
	ck_assert_int_eq(c.v[0].verdict, CMP_WORSE);
	ck_assert_int_eq(c.v[1].verdict, CMP_WORSE);
	ck_assert_uint_eq(c.counts[CMP_WORSE], 2);
	ck_assert_int_eq(c.v[c.n - 1].verdict, CMP_FEW);
	for (size_t i = 1; i < c.n; i++)
		ck_assert_int_le(c.v[i - 1].verdict, c.v[i].verdict);

	char f[256];
	compare_row_filter(&c, r, T0 * NS_PER_S, f, sizeof f);
	ck_assert_str_eq(f, "since=1h prompt=support@2");
	/* Later, the list shows the same window, not the calls since. */
	compare_row_filter(&c, g, T0 * NS_PER_S + 30 * NS_PER_S, f, sizeof f);
	ck_assert_str_eq(f, "since=1h30s since!=30s model=gpt-4o");

	char fig[64];
	ck_assert_int_eq(compare_fmt(r, CMPF_ERR, "->", fig, sizeof fig), 1);
	ck_assert_str_eq(fig, "3.3->35.0%*");
	ck_assert_int_eq(compare_fmt(g, CMPF_CALLS, "->", fig, sizeof fig), 0);
	ck_assert_str_eq(fig, "60->60");
	ck_assert_int_eq(compare_fmt(row(&c, 1, "new-model"), CMPF_ERR, "->", fig, sizeof fig), 0);
	ck_assert_str_eq(fig, "-->0.0%");
	compare_free(&c);
	store_close(st);
}
END_TEST

/* since NAME@VERSION: the split at the deploy's first minute, the 40
 * minutes since against the 40 before; the replaced version is gone. */
START_TEST(since_a_deploy)
{
	store_t *st = incident();
	compare_t c;
	const char *w[] = {"since", "support@2"};
	compute(st, w, 2, &c);
	ck_assert_int_eq(c.span.split_ns, (T0 - 2400) * NS_PER_S);
	ck_assert_int_eq(c.span.from_ns, (T0 - 4800) * NS_PER_S);
	ck_assert_int_eq(c.span.to_ns, T0 * NS_PER_S);
	ck_assert_str_eq(c.span.since, "support@2");
	ck_assert_int_eq(row(&c, 0, "support@2")->verdict, CMP_WORSE);
	ck_assert_int_eq(row(&c, 0, "support@1")->verdict, CMP_GONE);
	ck_assert_int_eq(row(&c, 1, "gpt-4o")->verdict, CMP_SAME);
	char d[200];
	compare_describe(&c.span, T0 * NS_PER_S - 1, d, sizeof d);
	ck_assert_str_eq(d, "since support@2 23:20-00:00 (40m) against 22:40-23:20");
	compare_free(&c);

	/* With a DUR too: at most that on each side; the calls after the
	 * window are left out of its drill-down. */
	const char *w2[] = {"10m", "since", "support@2"};
	compute(st, w2, 3, &c);
	ck_assert_int_eq(c.span.from_ns, (T0 - 3000) * NS_PER_S);
	ck_assert_int_eq(c.span.to_ns, (T0 - 1800) * NS_PER_S);
	char f[256];
	compare_row_filter(&c, row(&c, 0, "support@2"), T0 * NS_PER_S, f, sizeof f);
	ck_assert_str_eq(f, "since=40m since!=30m prompt=support@2");
	compare_free(&c);
	store_close(st);
}
END_TEST

static void refused(store_t *st, const char *const *w, int n, const char *want)
{
	compare_span sp;
	char err[256] = "";
	ck_assert_int_eq(compare_span_parse(st, (char *const *)w, n, T0 * NS_PER_S, NS_PER_HOUR, &sp, err, sizeof err), -1);
	ck_assert_msg(strstr(err, want), "'%s' lacks '%s'", err, want);
}

START_TEST(words_that_make_no_windows)
{
	store_t *st = incident();
	const char *a[] = {"yesterday"}, *b[] = {"since"}, *c[] = {"since", "support@9"}, *d[] = {"30s"},
		   *e[] = {"since", "2030-01-01T00:00:00Z"}, *f[] = {"since", "soon"};
	refused(st, a, 1, "expected DUR or since NAME@VERSION|TIME, got 'yesterday'");
	refused(st, b, 1, "since what?");
	refused(st, c, 2, "support@9 never served a call");
	refused(st, d, 1, "30s is less than one");
	refused(st, e, 2, "is not in the past");
	refused(st, f, 2, "expected NAME@VERSION or a time");
	/* HH:MM is the last such minute, UTC: 23:50 yesterday, 00:00 just gone. */
	const char *g[] = {"since", "23:50"}, *h[] = {"since", "00:00"}, *i[] = {"since", "24:00"};
	compare_span sp;
	char err[256];
	ck_assert_int_eq(compare_span_parse(st, (char *const *)g, 2, T0 * NS_PER_S + 30 * NS_PER_S, NS_PER_HOUR, &sp, err, sizeof err), 0);
	ck_assert_int_eq(sp.split_ns, (T0 - 600) * NS_PER_S);
	ck_assert_int_eq(sp.to_ns, (T0 + 60) * NS_PER_S);
	ck_assert_int_eq(sp.from_ns, (T0 - 1260) * NS_PER_S);
	ck_assert_int_eq(compare_span_parse(st, (char *const *)h, 2, T0 * NS_PER_S + 30 * NS_PER_S, NS_PER_HOUR, &sp, err, sizeof err), 0);
	ck_assert_int_eq(sp.split_ns, T0 * NS_PER_S);
	refused(st, i, 2, "expected NAME@VERSION or a time (HH:MM, RFC 3339");
	/* No DUR: the default window, widened to the end of the current minute. */
	ck_assert_int_eq(compare_span_parse(st, NULL, 0, T0 * NS_PER_S + 5 * NS_PER_S, 15 * NS_PER_MIN, &sp, err, sizeof err), 0);
	ck_assert_int_eq(sp.to_ns, (T0 + 60) * NS_PER_S);
	ck_assert_int_eq(sp.split_ns, (T0 + 60 - 900) * NS_PER_S);
	ck_assert_int_eq(sp.from_ns, (T0 + 60 - 1800) * NS_PER_S);
	store_close(st);
}
END_TEST

START_TEST(empty_store)
{
	store_t *st = fresh("empty.db");
	compare_t c;
	compute(st, NULL, 0, &c);
	ck_assert_uint_eq(c.n, 0);
	compare_free(&c);
	store_close(st);
}
END_TEST

Suite *suite_compare(void)
{
	Suite *s = suite_create("compare");
	TCase *t = tcase_create("compare");
	tcase_add_test(t, deploy_is_worse_quiet_model_is_same);
	tcase_add_test(t, since_a_deploy);
	tcase_add_test(t, words_that_make_no_windows);
	tcase_add_test(t, empty_store);
	suite_add_tcase(s, t);
	return s;
}
