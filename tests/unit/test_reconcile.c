/* Billed against traced: each figure the dashboard's cost pane shows of the
 * providers' bill beside the traces, from a store holding both. */
#include <stdint.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../data/reconcile.h"
#include "t.h"

#define DAY0 1795392000LL /* 2026-11-23T00:00:00Z */
#define USD 1000000000LL

static store_t *fresh(const char *name)
{
	store_t *st;
	char err[256];
	char *path = t_path(name);
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	free(path);
	return st;
}

/* A traced call that cost nusd (as its source said). */
static void traced(store_t *st, pricing_t *pr, const char *prov, const char *model, int64_t ts_s, int64_t nusd)
{
	static int seq;
	batch_t b = {0};
	call_t *c = batch_add_call(&b);
	char span[17];
	snprintf(span, sizeof span, "%016x", 0x5000 + seq++);
	call_set_id(c->span_id, &c->span_len, span);
	call_set_id(c->trace_id, &c->trace_len, "0af7651916cd43dd8448eb211c80319c");
	c->ts_ns = ts_s * NS_PER_S;
	c->provider = prov;
	c->model = arena_strdup(&b.arena, model);
	c->input_tokens = 100;
	c->output_tokens = 10;
	c->latency_ms = 500;
	c->has_cost = 1;
	c->cost_nusd = nusd;
	ingest_stats s = {0};
	char err[256];
	ck_assert_msg(store_ingest(st, &b, pr, &s, err, sizeof err) == 0, "%s", err);
	batch_free(&b);
}

/* n minute buckets of the bill from t, each with `in` input tokens (a tenth
 * cached, half as many out) of every model of models. */
static void billed(store_t *st, const char *prov, int64_t t, int n, const char *const *models, int64_t in)
{
	usage_page pg = {.kind = UK_USAGE};
	size_t nm = 0;
	while (models[nm])
		nm++;
	pg.v = xcalloc((size_t)n, sizeof *pg.v);
	pg.n = (size_t)n;
	for (int i = 0; i < n; i++) {
		pg.v[i].start = t + (int64_t)i * 60;
		pg.v[i].end = pg.v[i].start + 60;
		pg.v[i].rows = xcalloc(nm, sizeof *pg.v[i].rows);
		pg.v[i].nrows = nm;
		for (size_t m = 0; m < nm; m++)
			pg.v[i].rows[m] = (usage_row){.model = xstrdup(models[m]), .requests = 1, .input_tokens = in,
						      .cached_tokens = in / 10, .output_tokens = in / 2};
	}
	char err[256];
	ck_assert_msg(usage_store_page(st, prov, 60, &pg, t + n * 60 + 3600, err, sizeof err) == 0, "%s", err);
	usage_page_free(&pg);
}

static int64_t est(pricing_t *pr, const char *model, int64_t in)
{
	const price_t *p = pricing_lookup(pr, model);
	ck_assert_ptr_nonnull(p);
	return price_cost_nusd(p, in, in / 10, in / 2);
}

typedef struct fixture {
	series_t s;
	recon_traced t;
	reconcile_t r;
} fixture;

/* What the dashboard loads for the window [now - span, now). */
static void load(fixture *f, store_t *st, pricing_t *pr, provs_t *provs, int64_t now_s, int64_t span_s)
{
	char err[256];
	int64_t to = now_s * NS_PER_S, from = to - span_s * NS_PER_S;
	ck_assert_msg(store_series(st, from, to, 60, &f->s, err, sizeof err) == 0, "%s", err);
	reconcile_traced(st, to, &f->t);
	reconcile_load(st, pr, provs, &f->s, &f->t, from, to, &f->r);
}

static void unload(fixture *f)
{
	reconcile_free(&f->r);
	series_free(&f->s);
}

static const recon_row *row_of(const reconcile_t *r, const char *model)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].model, model))
			return &r->rows[i];
	return NULL;
}

/* The bill above the traces: the gap is untraced spend, in dollars and in
 * per cent of the bill; a model only the bill knows is a row of its own,
 * ranked with the others by the larger of traced and billed. */
START_TEST(gap_is_untraced_spend)
{
	store_t *st = fresh("r.db");
	pricing_t *pr = pricing_new();
	int64_t now = DAY0 + 12 * 3600;
	traced(st, pr, "openai", "gpt-4o-mini", now - 1800, 1 * USD);
	traced(st, pr, "openai", "gpt-4o", now - 900, 2 * USD);
	billed(st, "openai", now - 3600, 60, (const char *const[]){"gpt-4o-mini", "gpt-4.1", NULL}, 1000000);
	fixture f = {0};
	load(&f, st, pr, NULL, now, 3600);
	int64_t mini = 60 * est(pr, "gpt-4o-mini", 1000000), g41 = 60 * est(pr, "gpt-4.1", 1000000);
	ck_assert(f.r.win.have);
	ck_assert_int_eq(f.r.win.billed, mini + g41);
	ck_assert_int_eq(f.r.win.traced, 3 * USD);

	recon_verdict v;
	reconcile_verdict(&f.r, &v);
	ck_assert_int_eq(v.kind, RG_UNTRACED);
	ck_assert_int_eq(v.gap, mini + g41 - 3 * USD);
	ck_assert_double_eq_tol(v.pct, 100.0 * (double)(mini + g41 - 3 * USD) / (double)(mini + g41), 1e-9);
	ck_assert(v.notable); /* over 5% of the bill */
	ck_assert(v.estimated); /* tokens priced, no cost report */
	ck_assert(!v.unpriced);
	ck_assert_int_eq(v.since_s, -1); /* the bill covers the window */
	ck_assert_int_eq(reconcile_model_span(&f.r), 0);

	/* gpt-4.1 (billed only), gpt-4o-mini (traced and billed), gpt-4o
	 * (traced only, with no bill beside it). */
	ck_assert_uint_eq(f.r.nrows, 3);
	ck_assert(g41 > mini && mini > 2 * USD);
	ck_assert_str_eq(f.r.rows[0].model, "gpt-4.1");
	ck_assert_int_lt(f.r.rows[0].g, 0);
	ck_assert_int_eq(f.r.rows[0].billed, g41);
	ck_assert_str_eq(f.r.rows[1].model, "gpt-4o-mini");
	ck_assert_str_eq(f.s.groups[f.r.rows[1].g].key, "gpt-4o-mini");
	ck_assert_int_eq(f.r.rows[1].billed, mini);
	ck_assert_str_eq(f.r.rows[2].model, "gpt-4o");
	ck_assert_int_eq(f.r.rows[2].billed, -1);
	ck_assert_int_eq(f.r.rows[2].rank, 2 * USD);
	ck_assert_ptr_eq(reconcile_bill_of(&f.r, "openai"), &f.r.us.provs[0]);
	ck_assert_ptr_null(reconcile_bill_of(&f.r, "anthropic"));
	unload(&f);

	/* A gap under 5% of the bill is no warning; none at all has no per cent. */
	traced(st, pr, "openai", "gpt-4o", now - 600, mini + g41 - 3 * USD - (mini + g41) / 100);
	load(&f, st, pr, NULL, now, 3600);
	reconcile_verdict(&f.r, &v);
	ck_assert_int_eq(v.gap, (mini + g41) / 100);
	ck_assert(!v.notable);
	unload(&f);
	traced(st, pr, "openai", "gpt-4o", now - 300, (mini + g41) / 100);
	load(&f, st, pr, NULL, now, 3600);
	reconcile_verdict(&f.r, &v);
	ck_assert_int_eq(v.kind, RG_UNTRACED);
	ck_assert_int_eq(v.gap, 0);
	ck_assert_double_eq(v.pct, -1);
	unload(&f);
	pricing_free(pr);
	store_close(st);
}
END_TEST

/* The traces above the bill: the bill lags (usage comes minutes late), by
 * so much; unless some of the bill has no price, and then the gap is
 * unknown, naming the model. An unpriced model only the bill knows is on
 * top of the rows: its spend could be of any size. */
START_TEST(lagging_bill_and_unpriced_floor)
{
	store_t *st = fresh("r.db");
	pricing_t *pr = pricing_new();
	int64_t now = DAY0 + 12 * 3600;
	traced(st, pr, "openai", "gpt-4o-mini", now - 1800, 100 * USD);
	billed(st, "openai", now - 3600, 10, (const char *const[]){"gpt-4o-mini", NULL}, 1000);
	fixture f = {0};
	load(&f, st, pr, NULL, now, 3600);
	int64_t mini = 10 * est(pr, "gpt-4o-mini", 1000);
	recon_verdict v;
	reconcile_verdict(&f.r, &v);
	ck_assert_int_eq(v.kind, RG_LAGS);
	ck_assert_int_eq(v.gap, 100 * USD - mini);
	ck_assert(!v.unpriced);
	/* A lagging bill says nothing of what the traces miss: nothing is
	 * added to the budgets, and nothing taken off. */
	ck_assert_int_eq(reconcile_untraced(&f.r.win), 0);
	ck_assert_int_eq(reconcile_untraced(&f.r.today), 0);
	recon_budget day, month;
	reconcile_budgets(&f.r, &f.t, &day, &month);
	ck_assert_int_eq(day.so_far, 100 * USD);
	ck_assert_int_eq(month.so_far, 100 * USD);
	unload(&f);

	billed(st, "openai", now - 1200, 1, (const char *const[]){"frobnicator-9", NULL}, 1000);
	load(&f, st, pr, NULL, now, 3600);
	reconcile_verdict(&f.r, &v);
	ck_assert_int_eq(v.kind, RG_UNKNOWN);
	ck_assert(v.unpriced);
	ck_assert_str_eq(v.no_price, "frobnicator-9");
	ck_assert(f.r.us.provs[0].unpriced); /* the provider's amount is a floor: "+?" */
	ck_assert_uint_eq(f.r.nrows, 2);
	ck_assert_str_eq(f.r.rows[0].model, "frobnicator-9");
	ck_assert_int_lt(f.r.rows[0].g, 0);
	ck_assert(f.r.rows[0].unpriced);
	ck_assert_int_eq(f.r.rows[0].billed, 0);
	ck_assert_str_eq(f.r.rows[1].model, "gpt-4o-mini");
	unload(&f);

	/* Above the traces with tokens unpriced: at least the gap. */
	billed(st, "openai", now - 3000, 30, (const char *const[]){"gpt-4o-mini", NULL}, 100000000);
	load(&f, st, pr, NULL, now, 3600);
	reconcile_verdict(&f.r, &v);
	ck_assert_int_eq(v.kind, RG_UNTRACED);
	ck_assert(v.unpriced);
	ck_assert_int_eq(v.gap, f.r.win.billed - 100 * USD);
	ck_assert_int_gt(v.gap, 0);
	unload(&f);
	pricing_free(pr);
	store_close(st);
}
END_TEST

/* A window reaching back before the bill's first bucket compares like with
 * like: the traces from where the bill begins. It says since when, and the
 * models' column how much of the window it covers (BILL 3h). A billed name
 * with a date is the traced model of its family. */
START_TEST(bill_start_and_families)
{
	store_t *st = fresh("r.db");
	pricing_t *pr = pricing_new();
	int64_t now = DAY0 + 12 * 3600;
	traced(st, pr, "openai", "gpt-4o-mini", now - 10 * 3600, 5 * USD);
	traced(st, pr, "openai", "gpt-4o-mini", now - 3600, 1 * USD);
	billed(st, "openai", now - 3 * 3600, 180, (const char *const[]){"gpt-4o-mini-2024-07-18", NULL}, 1000);
	fixture f = {0};
	load(&f, st, pr, NULL, now, 86400);
	int64_t mini = 180 * est(pr, "gpt-4o-mini", 1000);
	ck_assert_int_eq(f.r.win.traced, 1 * USD);
	ck_assert_int_eq(f.r.win.billed, mini);
	recon_verdict v;
	reconcile_verdict(&f.r, &v);
	ck_assert_int_eq(v.since_s, now - 3 * 3600);
	ck_assert_int_eq(reconcile_model_span(&f.r), 3 * NS_PER_HOUR);
	ck_assert_uint_eq(f.r.nrows, 1);
	ck_assert_str_eq(f.r.rows[0].model, "gpt-4o-mini");
	ck_assert_int_eq(f.r.rows[0].billed, mini);
	unload(&f);

	/* Two traced models of the family: the bill's name matches neither
	 * for sure, and stands alone. */
	traced(st, pr, "openai", "gpt-4o-mini-2024-09-01", now - 1800, 1 * USD);
	load(&f, st, pr, NULL, now, 86400);
	ck_assert_uint_eq(f.r.nrows, 3);
	ck_assert_int_lt(row_of(&f.r, "gpt-4o-mini-2024-07-18")->g, 0);
	ck_assert_int_eq(row_of(&f.r, "gpt-4o-mini")->billed, -1);
	unload(&f);
	pricing_free(pr);
	store_close(st);
}
END_TEST

/* A bill under a provider line's own name is of the calls of its type. */
START_TEST(provider_line_names)
{
	store_t *st = fresh("r.db");
	pricing_t *pr = pricing_new();
	int64_t now = DAY0 + 12 * 3600;
	traced(st, pr, "openai", "gpt-4o-mini", now - 1800, 1 * USD);
	billed(st, "work", now - 3600, 60, (const char *const[]){"gpt-4o-mini", NULL}, 1000);
	fixture f = {0};
	load(&f, st, pr, NULL, now, 3600);
	ck_assert(f.r.win.have);
	ck_assert_int_eq(f.r.win.traced, 0); /* no line says what "work" is */
	unload(&f);
	prov_t line = {.name = "work", .ops = &provider_openai};
	provs_t provs = {&line, 1};
	load(&f, st, pr, &provs, now, 3600);
	ck_assert_int_eq(f.r.win.traced, 1 * USD);
	unload(&f);
	pricing_free(pr);
	store_close(st);
}
END_TEST

/* The budgets add what the traces missed, so far and at the rate it
 * accrued: the day from the last 15 minutes' burn, the month from the
 * last 24 hours'. */
START_TEST(budgets_add_untraced_spend)
{
	store_t *st = fresh("r.db");
	pricing_t *pr = pricing_new();
	int64_t now = DAY0 + 12 * 3600;
	traced(st, pr, "openai", "gpt-4o-mini", DAY0 - 3600, 4 * USD); /* yesterday, this month */
	traced(st, pr, "openai", "gpt-4o-mini", DAY0 + 3600, 2 * USD);
	traced(st, pr, "openai", "gpt-4o-mini", now - 300, USD / 2);
	billed(st, "openai", now - 3600, 60, (const char *const[]){"gpt-4o-mini", NULL}, 1000000);
	fixture f = {0};
	load(&f, st, pr, NULL, now, 3600);
	ck_assert_int_eq(f.t.today_start, DAY0 * NS_PER_S);
	ck_assert_int_eq(f.t.month_start, (DAY0 - 22 * 86400) * NS_PER_S); /* 2026-11-01 */
	ck_assert_int_eq(f.t.today, 2 * USD + USD / 2);
	ck_assert_int_eq(f.t.month, 6 * USD + USD / 2);
	ck_assert_int_eq(f.t.last15, USD / 2);
	ck_assert_int_eq(f.t.last24, 6 * USD + USD / 2);
	int64_t bill = 60 * est(pr, "gpt-4o-mini", 1000000);
	/* The bill begins an hour ago: the traces of that hour only. */
	int64_t missed = bill - USD / 2;
	ck_assert_int_eq(reconcile_untraced(&f.r.today), missed);
	ck_assert_int_eq(reconcile_untraced(&f.r.month), missed);
	ck_assert_int_eq(reconcile_untraced(&f.r.last24), missed);

	recon_budget day, month;
	reconcile_budgets(&f.r, &f.t, &day, &month);
	ck_assert_int_eq(day.so_far, 2 * USD + USD / 2 + missed);
	ck_assert_double_eq_tol(day.rate_per_h, 0.5 * 4 + (double)missed / 1e9 / 12, 1e-9);
	ck_assert_double_eq_tol(day.hours_left, 12, 1e-9);
	ck_assert_int_eq(month.so_far, 6 * USD + USD / 2 + missed);
	ck_assert_double_eq_tol(month.rate_per_h, (6.5 + (double)missed / 1e9) / 24, 1e-9);
	ck_assert_double_eq_tol(month.hours_left, 7 * 24 + 12, 1e-9); /* to 2026-12-01 */
	unload(&f);

	/* No bill: nothing added, and the traces alone project. */
	store_t *bare = fresh("bare.db");
	traced(bare, pr, "openai", "gpt-4o-mini", now - 300, USD / 2);
	load(&f, bare, pr, NULL, now, 3600);
	ck_assert(!f.r.win.have);
	ck_assert_int_eq(reconcile_untraced(&f.r.win), 0);
	reconcile_budgets(&f.r, &f.t, &day, &month);
	ck_assert_int_eq(day.so_far, USD / 2);
	ck_assert_double_eq_tol(day.rate_per_h, 2, 1e-9);
	unload(&f);
	store_close(bare);
	pricing_free(pr);
	store_close(st);
}
END_TEST

Suite *suite_reconcile(void)
{
	Suite *s = suite_create("reconcile");
	TCase *t = tcase_create("reconcile");
	tcase_add_test(t, gap_is_untraced_spend);
	tcase_add_test(t, lagging_bill_and_unpriced_floor);
	tcase_add_test(t, bill_start_and_families);
	tcase_add_test(t, provider_line_names);
	tcase_add_test(t, budgets_add_untraced_spend);
	suite_add_tcase(s, t);
	return s;
}
