/* The providers' usage and cost reports: the parsers against the real
 * examples (and the shapes seen live), then storing, replacing, incremental
 * fetch starts and the sums the console and `llmops usage` show. */
#include <sqlite3.h>

#include "../../core/clock.h"
#include "../../data/provider.h"
#include "../../data/usage.h"
#include "t.h"

static const char *const OU = "GET /v1/organization/usage/completions";
static const char *const OC = "GET /v1/organization/costs";
static const char *const AU = "GET /v1/organizations/usage_report/messages";
static const char *const AC = "GET /v1/organizations/cost_report";

static void parse_ok(const provider_ops *type, int kind, const char *ep, const char *body, usage_page *pg)
{
	char err[512] = "";
	int rc = usage_parse(type, kind, ep, body, strlen(body), pg, err, sizeof err);
	ck_assert_msg(rc == 0, "%s", err);
}

/* The error, for a body that must be refused. */
static char *parse_bad(const provider_ops *type, int kind, const char *ep, const char *body)
{
	static char err[512];
	usage_page pg;
	err[0] = 0;
	ck_assert_int_eq(usage_parse(type, kind, ep, body, strlen(body), &pg, err, sizeof err), -1);
	ck_assert_ptr_null(pg.v);
	ck_assert_uint_eq(pg.n, 0);
	/* Every complaint names the endpoint. */
	ck_assert_msg(strstr(err, ep) == err, "%s", err);
	return err;
}

/* A corpus result object inside a one-bucket page. */
static char *wrap(const char *result, const char *more)
{
	sbuf b = SBUF_INIT;
	sb_printf(&b,
		  "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\",\"start_time\":1730419200,"
		  "\"end_time\":1730505600,\"results\":[%s]}],%s}",
		  result, more);
	return sb_steal(&b);
}

START_TEST(openai_usage_corpus)
{
	char *body = t_read(CORPUS "openai/usage_completions_response.example.json", NULL);
	ck_assert_ptr_nonnull(body);
	usage_page pg;
	parse_ok(&provider_openai, UK_USAGE, OU, body, &pg);
	ck_assert_uint_eq(pg.n, 1);
	ck_assert_int_eq(pg.v[0].start, 1730419200);
	ck_assert_int_eq(pg.v[0].end, 1730505600);
	ck_assert_uint_eq(pg.v[0].nrows, 1);
	const usage_row *r = &pg.v[0].rows[0];
	ck_assert_str_eq(r->model, ""); /* not grouped by model: null */
	ck_assert_int_eq(r->input_tokens, 1000); /* already holds cached and cache writes */
	ck_assert_int_eq(r->cached_tokens, 400);
	ck_assert_int_eq(r->cache_write_tokens, 100);
	ck_assert_int_eq(r->output_tokens, 500);
	ck_assert_int_eq(r->requests, 5);
	/* Pagination: more, and the cursor to ask for it with. */
	ck_assert_int_eq(pg.has_more, 1);
	ck_assert_str_eq(pg.next_page, "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=");
	usage_page_free(&pg);
	free(body);

	char *res = t_read(CORPUS "openai/UsageCompletionsResult.example.json", NULL);
	body = wrap(res, "\"has_more\":false,\"next_page\":null");
	parse_ok(&provider_openai, UK_USAGE, OU, body, &pg);
	r = &pg.v[0].rows[0];
	ck_assert_str_eq(r->model, "gpt-4o-mini-2024-07-18");
	ck_assert_int_eq(r->input_tokens, 5000);
	ck_assert_int_eq(r->cached_tokens, 1800);
	ck_assert_int_eq(r->output_tokens, 1000);
	ck_assert_int_eq(pg.has_more, 0);
	ck_assert_ptr_null(pg.next_page);
	usage_page_free(&pg);
	free(body);
	free(res);

	/* Buckets come back even when nothing was used. */
	parse_ok(&provider_openai, UK_USAGE, OU,
		 "{\"object\":\"page\",\"data\":[{\"object\":\"bucket\",\"start_time\":60,\"end_time\":120,\"results\":[]}],"
		 "\"has_more\":false,\"next_page\":null}",
		 &pg);
	ck_assert_uint_eq(pg.n, 1);
	ck_assert_uint_eq(pg.v[0].nrows, 0);
	usage_page_free(&pg);
}
END_TEST

START_TEST(openai_costs_number_and_string)
{
	char *body = t_read(CORPUS "openai/costs_response.example.json", NULL);
	usage_page pg;
	parse_ok(&provider_openai, UK_COST, OC, body, &pg);
	ck_assert_uint_eq(pg.n, 1);
	ck_assert_int_eq(pg.v[0].cost_nusd, 60000000); /* $0.06: dollars, not cents */
	ck_assert_int_eq(pg.has_more, 0);
	usage_page_free(&pg);
	free(body);

	/* amount.value as a string, as seen live, beside the corpus's number. */
	char *res = t_read(CORPUS "openai/CostsResult.example.json", NULL);
	sbuf b = SBUF_INIT;
	sb_printf(&b, "%s,{\"object\":\"organization.costs.result\",\"amount\":{\"value\":\"12.50\",\"currency\":\"usd\"}}",
		  res);
	body = wrap(b.p, "\"has_more\":false,\"next_page\":null");
	parse_ok(&provider_openai, UK_COST, OC, body, &pg);
	ck_assert_int_eq(pg.v[0].cost_nusd, 12560000000LL); /* 0.06 + 12.50 */
	usage_page_free(&pg);
	free(body);
	sb_free(&b);
	free(res);

	/* Dollars with many decimals stay exact as strings. */
	body = wrap("{\"amount\":{\"value\":\"0.000000001\",\"currency\":\"usd\"}}", "\"has_more\":false");
	parse_ok(&provider_openai, UK_COST, OC, body, &pg);
	ck_assert_int_eq(pg.v[0].cost_nusd, 1);
	usage_page_free(&pg);
	free(body);
}
END_TEST

static const char anth_usage[] =
    "{\"data\":[{\"starting_at\":\"2026-01-01T00:00:00Z\",\"ending_at\":\"2026-01-02T00:00:00Z\","
    "\"results\":[{\"uncached_input_tokens\":1500,\"cache_creation\":{\"ephemeral_5m_input_tokens\":500,"
    "\"ephemeral_1h_input_tokens\":0},\"cache_read_input_tokens\":200,\"output_tokens\":500,"
    "\"server_tool_use\":{\"web_search_requests\":0},\"model\":\"claude-sonnet-4-5\",\"workspace_id\":null,"
    "\"api_key_id\":null,\"service_tier\":\"standard\",\"context_window\":\"0-200k\"}]}],"
    "\"has_more\":true,\"next_page\":\"2026-01-02T00:00:00Z\"}";

START_TEST(anthropic_usage_normalised)
{
	usage_page pg;
	parse_ok(&provider_anthropic, UK_USAGE, AU, anth_usage, &pg);
	ck_assert_uint_eq(pg.n, 1);
	ck_assert_int_eq(pg.v[0].start, 1767225600);
	ck_assert_int_eq(pg.v[0].end, 1767312000);
	const usage_row *r = &pg.v[0].rows[0];
	ck_assert_str_eq(r->model, "claude-sonnet-4-5");
	/* The README's input: uncached + cache creation + cache read; reads apart. */
	ck_assert_int_eq(r->input_tokens, 1500 + 500 + 200);
	ck_assert_int_eq(r->cached_tokens, 200);
	ck_assert_int_eq(r->cache_write_tokens, 500);
	ck_assert_int_eq(r->output_tokens, 500);
	ck_assert_int_eq(r->requests, -1); /* not reported */
	/* A cursor shaped like a time is still only a cursor. */
	ck_assert_int_eq(pg.has_more, 1);
	ck_assert_str_eq(pg.next_page, "2026-01-02T00:00:00Z");
	usage_page_free(&pg);
}
END_TEST

START_TEST(anthropic_cost_cents)
{
	usage_page pg;
	parse_ok(&provider_anthropic, UK_COST, AC,
		 "{\"data\":[{\"starting_at\":\"2026-01-01T00:00:00Z\",\"ending_at\":\"2026-01-02T00:00:00Z\","
		 "\"results\":[{\"amount\":\"734.50\",\"currency\":\"USD\",\"workspace_id\":null,\"description\":null},"
		 "{\"amount\":\"123.45\",\"currency\":\"USD\"}]}],\"has_more\":false,\"next_page\":null}",
		 &pg);
	/* Cents: "734.50" is $7.345 and "123.45" is $1.2345. */
	ck_assert_int_eq(pg.v[0].cost_nusd, 7345000000LL + 1234500000LL);
	usage_page_free(&pg);
}
END_TEST

START_TEST(bodies_not_the_documented_shape)
{
	char *e = parse_bad(&provider_openai, UK_COST, OC, "<html><body>502 Bad Gateway</body></html>");
	ck_assert_ptr_nonnull(strstr(e, "not JSON"));
	e = parse_bad(&provider_openai, UK_USAGE, OU, "{\"data\":\"none\"}");
	ck_assert_ptr_nonnull(strstr(e, "no data array"));
	e = parse_bad(&provider_openai, UK_USAGE, OU, "[1,2]");
	e = parse_bad(&provider_openai, UK_USAGE, OU, "{\"object\":\"list\",\"data\":[]}");
	/* A good bucket then a bad one: nothing at all comes back. */
	e = parse_bad(&provider_openai, UK_USAGE, OU,
		      "{\"data\":[{\"start_time\":0,\"end_time\":60,\"results\":[{\"input_tokens\":1,\"output_tokens\":2}]},"
		      "{\"start_time\":60,\"end_time\":120,\"results\":[{\"output_tokens\":2}]}]}");
	ck_assert_msg(strstr(e, "data[1].results[0] has no input_tokens"), "%s", e);
	e = parse_bad(&provider_openai, UK_USAGE, OU,
		      "{\"data\":[{\"start_time\":0,\"end_time\":60,\"results\":[{\"input_tokens\":-4,\"output_tokens\":2}]}]}");
	ck_assert_ptr_nonnull(strstr(e, "input_tokens is not a token count"));
	e = parse_bad(&provider_openai, UK_USAGE, OU, "{\"data\":[{\"start_time\":\"soon\",\"end_time\":60,\"results\":[]}]}");
	ck_assert_ptr_nonnull(strstr(e, "start_time"));
	e = parse_bad(&provider_openai, UK_COST, OC,
		      "{\"data\":[{\"start_time\":0,\"end_time\":86400,\"results\":[{\"amount\":{\"value\":\"twelve\"}}]}]}");
	ck_assert_ptr_nonnull(strstr(e, "data[0].results[0].amount.value is not a number"));
	e = parse_bad(&provider_openai, UK_COST, OC,
		      "{\"data\":[{\"start_time\":0,\"end_time\":86400,\"results\":[{\"amount\":{\"value\":3,\"currency\":\"eur\"}}]}]}");
	ck_assert_ptr_nonnull(strstr(e, "not in USD"));
	/* A costs body is not a usage body. */
	char *body = t_read(CORPUS "openai/costs_response.example.json", NULL);
	e = parse_bad(&provider_openai, UK_USAGE, OU, body);
	ck_assert_ptr_nonnull(strstr(e, "has no input_tokens"));
	free(body);
	/* Anthropic's times are RFC 3339; its amounts strings of cents. */
	e = parse_bad(&provider_anthropic, UK_USAGE, AU,
		      "{\"data\":[{\"starting_at\":1767225600,\"ending_at\":1767312000,\"results\":[]}]}");
	ck_assert_ptr_nonnull(strstr(e, "RFC 3339"));
	e = parse_bad(&provider_anthropic, UK_COST, AC,
		      "{\"data\":[{\"starting_at\":\"2026-01-01T00:00:00Z\",\"ending_at\":\"2026-01-02T00:00:00Z\","
		      "\"results\":[{\"currency\":\"USD\"}]}]}");
	ck_assert_ptr_nonnull(strstr(e, "amount is missing"));
	e = parse_bad(&provider_openai, UK_USAGE, OU, "{\"data\":[],\"has_more\":\"yes\"}");
	ck_assert_ptr_nonnull(strstr(e, "has_more"));
	/* Amounts whose sum passes what 64 bits hold: refused, never wrapped. */
	e = parse_bad(&provider_openai, UK_COST, OC,
		      "{\"data\":[{\"start_time\":0,\"end_time\":86400,\"results\":[{\"amount\":{\"value\":8e9}},"
		      "{\"amount\":{\"value\":8e9}}]}]}");
	ck_assert_msg(strstr(e, "data[0].results[1]: the amounts overflow"), "%s", e);
}
END_TEST

START_TEST(decimal_amounts)
{
	int64_t v;
	ck_assert_int_eq(usage_decimal("12.50", 9, &v), 0);
	ck_assert_int_eq(v, 12500000000LL);
	ck_assert_int_eq(usage_decimal("-0.3", 9, &v), 0);
	ck_assert_int_eq(v, -300000000);
	ck_assert_int_eq(usage_decimal("1e-3", 9, &v), 0);
	ck_assert_int_eq(v, 1000000);
	ck_assert_int_eq(usage_decimal("734.5", 7, &v), 0);
	ck_assert_int_eq(v, 7345000000LL);
	ck_assert_int_eq(usage_decimal(".5", 0, &v), 0);
	ck_assert_int_eq(v, 1); /* half away from zero */
	ck_assert_int_eq(usage_decimal("0.0000000004", 9, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(usage_decimal("+2.", 0, &v), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(usage_decimal("00000000000000000000000123.25", 2, &v), 0);
	ck_assert_int_eq(v, 12325);
	ck_assert_int_eq(usage_decimal("", 9, &v), -1);
	ck_assert_int_eq(usage_decimal("-", 9, &v), -1);
	ck_assert_int_eq(usage_decimal("1.2.3", 9, &v), -1);
	ck_assert_int_eq(usage_decimal("5e", 9, &v), -1);
	ck_assert_int_eq(usage_decimal("12 ", 9, &v), -1);
	ck_assert_int_eq(usage_decimal("nan", 9, &v), -1);
	ck_assert_int_eq(usage_decimal("1e30", 9, &v), -1); /* out of range */
}
END_TEST

/* ---- the store --------------------------------------------------------- */

static store_t *fresh(void)
{
	store_t *st;
	char err[256];
	char *path = t_path("u.db");
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	free(path);
	return st;
}

/* A page of usage buckets: n buckets of width w from t, each with one row
 * of model m (none when m is NULL) of `in` input tokens. */
static void put(store_t *st, const char *prov, int w, int64_t t, int n, const char *m, int64_t in, int64_t fetched)
{
	usage_page pg = {.kind = UK_USAGE};
	pg.v = xcalloc((size_t)n, sizeof *pg.v);
	pg.n = (size_t)n;
	for (int i = 0; i < n; i++) {
		pg.v[i].start = t + (int64_t)i * w;
		pg.v[i].end = pg.v[i].start + w;
		if (m) {
			pg.v[i].rows = xcalloc(1, sizeof *pg.v[i].rows);
			pg.v[i].nrows = 1;
			pg.v[i].rows[0] = (usage_row){.model = xstrdup(m), .requests = 2, .input_tokens = in,
						      .cached_tokens = in / 10, .output_tokens = in / 2};
		}
	}
	char err[256];
	ck_assert_msg(usage_store_page(st, prov, w, &pg, fetched, err, sizeof err) == 0, "%s", err);
	usage_page_free(&pg);
}

static void put_cost(store_t *st, const char *prov, int64_t day_start, int64_t nusd, int64_t fetched)
{
	usage_page pg = {.kind = UK_COST};
	pg.v = xcalloc(1, sizeof *pg.v);
	pg.n = 1;
	pg.v[0] = (usage_bucket){.start = day_start, .end = day_start + 86400, .cost_nusd = nusd};
	char err[256];
	ck_assert_msg(usage_store_page(st, prov, 86400, &pg, fetched, err, sizeof err) == 0, "%s", err);
	usage_page_free(&pg);
}

static const usage_model *find_model(const usage_sum *s, const char *prov, const char *model)
{
	for (size_t i = 0; i < s->nmodels; i++)
		if (!strcmp(s->models[i].provider, prov) && !strcmp(s->models[i].model, model))
			return &s->models[i];
	return NULL;
}

static const usage_prov *find_prov(const usage_sum *s, const char *prov)
{
	for (size_t i = 0; i < s->nprovs; i++)
		if (!strcmp(s->provs[i].provider, prov))
			return &s->provs[i];
	return NULL;
}

static usage_sum sum(store_t *st, pricing_t *pr, int64_t from_s, int64_t to_s)
{
	usage_sum s;
	char err[256];
	ck_assert_msg(usage_summarize(st, pr, from_s * NS_PER_S, to_s * NS_PER_S, &s, err, sizeof err) == 0, "%s", err);
	return s;
}

#define DAY0 1795392000LL /* 2026-11-23T00:00:00Z */

START_TEST(store_replaces_and_sums_each_hour_once)
{
	store_t *st = fresh();
	int64_t h0 = DAY0 + 10 * 3600, now = DAY0 + 13 * 3600;
	/* Hour 10: all 60 minutes and the hour bucket: the minutes count. */
	put(st, "openai", 60, h0, 60, "gpt-4o-mini", 10, now);
	put(st, "openai", 3600, h0, 1, "gpt-4o-mini", 999, now);
	/* Hour 11: the hour bucket and only half of its minutes: the hour. */
	put(st, "openai", 3600, h0 + 3600, 1, "gpt-4o-mini", 1000, now);
	put(st, "openai", 60, h0 + 3600, 30, "gpt-4o-mini", 7, now);
	/* Hour 12, the current one: minutes only. */
	put(st, "openai", 60, h0 + 7200, 20, "gpt-4o-mini", 5, now);
	usage_sum s = sum(st, NULL, h0, now);
	const usage_model *m = find_model(&s, "openai", "gpt-4o-mini");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->input_tokens, 600 + 1000 + 100);
	ck_assert_int_eq(m->requests, 120 + 2 + 40);
	ck_assert_int_eq(m->cached_tokens, 60 + 100 + 0); /* 10/10 = 1 a minute; 5/10 = 0 */
	usage_sum_free(&s);

	/* Fetched again, a bucket replaces the stored one: the minute at
	 * 12:00 now holds another model only. */
	put(st, "openai", 60, h0 + 7200, 1, "gpt-4o", 50, now);
	s = sum(st, NULL, h0 + 7200, now);
	ck_assert_int_eq(find_model(&s, "openai", "gpt-4o-mini")->input_tokens, 19 * 5);
	ck_assert_int_eq(find_model(&s, "openai", "gpt-4o")->input_tokens, 50);
	usage_sum_free(&s);
	/* ... and fetched empty, it is empty (a marker, never a model). */
	put(st, "openai", 60, h0 + 7200, 1, NULL, 0, now);
	s = sum(st, NULL, h0 + 7200, now);
	ck_assert_ptr_null(find_model(&s, "openai", "gpt-4o"));
	ck_assert_ptr_null(find_model(&s, "openai", ""));
	ck_assert_int_eq(find_prov(&s, "openai")->has_usage, 1);
	usage_sum_free(&s);
	store_close(st);
}
END_TEST

START_TEST(store_fetch_start_is_incremental)
{
	store_t *st = fresh();
	int64_t t0 = DAY0 + 11 * 3600, now = DAY0 + 12 * 3600;
	/* Nothing stored: from the start. */
	ck_assert_int_eq(usage_fetch_start(st, "openai", UK_USAGE, 60, t0, now, 900), t0);
	/* The hour fetched at 12:00: final up to 11:45, the rest may change. */
	put(st, "openai", 60, t0, 60, NULL, 0, now);
	ck_assert_int_eq(usage_fetch_start(st, "openai", UK_USAGE, 60, t0, now, 900), now - 900);
	/* Fetched again later, everything is final. */
	put(st, "openai", 60, now - 900, 15, "gpt-4o", 1, now + 900);
	ck_assert_int_eq(usage_fetch_start(st, "openai", UK_USAGE, 60, t0, now, 900), now);
	/* Another provider and another width are their own. */
	ck_assert_int_eq(usage_fetch_start(st, "anthropic", UK_USAGE, 60, t0, now, 900), t0);
	ck_assert_int_eq(usage_fetch_start(st, "openai", UK_USAGE, 3600, t0, now, 3600), t0);
	/* A gap is fetched again. */
	put(st, "openai", 3600, t0 - 7200, 1, NULL, 0, now);
	ck_assert_int_eq(usage_fetch_start(st, "openai", UK_USAGE, 3600, t0 - 7200, now, 3600), t0 - 3600);
	/* Cost reports: yesterday final once a day has passed since its end. */
	put_cost(st, "openai", DAY0 - 86400, 5, DAY0 + 3600);
	put_cost(st, "openai", DAY0, 5, DAY0 + 3600);
	ck_assert_int_eq(usage_fetch_start(st, "openai", UK_COST, 86400, DAY0 - 86400, DAY0 + 86400, 86400), DAY0 - 86400);
	put_cost(st, "openai", DAY0 - 86400, 7, DAY0 + 86400);
	ck_assert_int_eq(usage_fetch_start(st, "openai", UK_COST, 86400, DAY0 - 86400, DAY0 + 86400, 86400), DAY0);
	store_close(st);
}
END_TEST

START_TEST(store_cost_reports_reconcile_the_estimate)
{
	store_t *st = fresh();
	pricing_t *pr = pricing_new();
	const price_t *p = pricing_lookup(pr, "gpt-4o-mini");
	ck_assert_ptr_nonnull(p);
	int64_t now = DAY0 + 12 * 3600;
	/* Yesterday: hour buckets, and its cost report. Today: minutes. */
	put(st, "openai", 3600, DAY0 - 86400, 24, "gpt-4o-mini", 1000000, now);
	put(st, "openai", 60, DAY0 + 11 * 3600, 60, "gpt-4o-mini", 1000, now);
	put_cost(st, "openai", DAY0 - 86400, 42 * 1000000000LL, now);
	put_cost(st, "openai", DAY0, 3 * 1000000000LL, now); /* today so far */
	int64_t est_hour = price_cost_nusd(p, 1000000, 100000, 500000), est_min = price_cost_nusd(p, 1000, 100, 500);

	/* The last two days: yesterday is whole and reported, today estimated. */
	usage_sum s = sum(st, pr, DAY0 - 86400, now);
	const usage_prov *u = find_prov(&s, "openai");
	ck_assert_int_eq(u->reported_nusd, 42 * 1000000000LL);
	ck_assert_int_eq(u->estimated_nusd, 60 * est_min);
	ck_assert_int_eq(usage_billed_nusd(u), 42 * 1000000000LL + 60 * est_min);
	ck_assert_int_eq(u->cost_report_nusd, 45 * 1000000000LL); /* what usage --json sums */
	/* The model's estimate covers all its tokens, reported day or not. */
	ck_assert_int_eq(find_model(&s, "openai", "gpt-4o-mini")->est_nusd, 24 * est_hour + 60 * est_min);
	ck_assert_int_eq(u->first_s, DAY0 - 86400);
	usage_sum_free(&s);

	/* Half of yesterday: no whole day, all estimated. */
	s = sum(st, pr, DAY0 - 43200, now);
	u = find_prov(&s, "openai");
	ck_assert_int_eq(u->reported_nusd, 0);
	ck_assert_int_eq(u->estimated_nusd, 12 * est_hour + 60 * est_min);
	usage_sum_free(&s);

	/* Yesterday's report fetched just after midnight, short of the
	 * day's priced tokens: until it is final the larger counts. */
	put_cost(st, "openai", DAY0 - 86400, 1000000, DAY0 + 600);
	s = sum(st, pr, DAY0 - 86400, now);
	u = find_prov(&s, "openai");
	ck_assert_int_eq(u->reported_nusd, 0);
	ck_assert_int_eq(u->estimated_nusd, 24 * est_hour + 60 * est_min);
	usage_sum_free(&s);
	/* Fetched again six hours after the day ended, it is final. */
	put_cost(st, "openai", DAY0 - 86400, 1000000, DAY0 + USAGE_COST_FINAL_S);
	s = sum(st, pr, DAY0 - 86400, now);
	u = find_prov(&s, "openai");
	ck_assert_int_eq(u->reported_nusd, 1000000);
	ck_assert_int_eq(u->estimated_nusd, 60 * est_min);
	usage_sum_free(&s);

	/* A window starting at 10:15 with only the hour bucket of 10:00
	 * there: three quarters of it count, as the traces of 10:15-11:00 do. */
	put(st, "openai", 3600, DAY0 + 10 * 3600, 1, "gpt-4o-mini", 4000, now);
	s = sum(st, pr, DAY0 + 10 * 3600 + 900, DAY0 + 11 * 3600);
	ck_assert_int_eq(find_model(&s, "openai", "gpt-4o-mini")->input_tokens, 3000);
	ck_assert_int_eq(find_model(&s, "openai", "gpt-4o-mini")->requests, 2); /* 1.5, rounded */
	usage_sum_free(&s);
	/* ... unless the minutes of 10:15-11:00 are all there. */
	put(st, "openai", 60, DAY0 + 10 * 3600 + 900, 45, "gpt-4o-mini", 10, now);
	s = sum(st, pr, DAY0 + 10 * 3600 + 900, DAY0 + 11 * 3600);
	ck_assert_int_eq(find_model(&s, "openai", "gpt-4o-mini")->input_tokens, 450);
	usage_sum_free(&s);

	/* Tokens past any real month are priced without wrapping around. */
	ck_assert(price_cost_nusd(p, 9000000000000000LL, 0, 9000000000000000LL) > 0);

	/* A month of cost reports, a week of tokens: each says how far back. */
	put_cost(st, "openai", DAY0 - 30 * 86400, 5, now);
	s = sum(st, pr, DAY0 - 86400, now);
	ck_assert_int_eq(find_prov(&s, "openai")->first_s, DAY0 - 30 * 86400);
	ck_assert_int_eq(find_prov(&s, "openai")->first_usage_s, DAY0 - 86400);
	usage_sum_free(&s);

	/* A model the price table lacks is unpriced, not guessed. */
	put(st, "openai", 60, DAY0 + 11 * 3600, 1, "frobnicator-9", 1000, now);
	s = sum(st, pr, DAY0 + 11 * 3600, now);
	ck_assert_int_eq(find_model(&s, "openai", "frobnicator-9")->unpriced, 1);
	ck_assert_int_eq(find_prov(&s, "openai")->unpriced, 1);
	usage_sum_free(&s);
	pricing_free(pr);
	store_close(st);
}
END_TEST

START_TEST(store_migrates_a_version_1_store)
{
	char *path = t_path("old.db");
	store_t *st;
	char err[256];
	ck_assert_int_eq(store_open(path, STORE_CREATE, &st, err, sizeof err), 0);
	store_close(st);
	/* As version 1 left it. */
	sqlite3 *db;
	sqlite3_open(path, &db);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE usage_buckets; DROP TABLE cost_buckets; DROP TABLE replays;"
					      " DROP TABLE spans; DROP VIEW calls_v; ALTER TABLE calls DROP COLUMN session_id;"
					      " CREATE VIEW calls_v AS SELECT id FROM calls; PRAGMA user_version=1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(path, 0, &st, err, sizeof err), 0);
	/* replays (2), usage (3), its time index (4), traces (5) */
	ck_assert_int_eq(store_schema_version(st), 5);
	put(st, "anthropic", 60, DAY0, 1, "claude-haiku-4-5", 3, DAY0);
	store_close(st);
	free(path);
}
END_TEST

Suite *suite_usage(void)
{
	Suite *s = suite_create("usage");
	TCase *t = tcase_create("parse");
	tcase_add_test(t, openai_usage_corpus);
	tcase_add_test(t, openai_costs_number_and_string);
	tcase_add_test(t, anthropic_usage_normalised);
	tcase_add_test(t, anthropic_cost_cents);
	tcase_add_test(t, bodies_not_the_documented_shape);
	tcase_add_test(t, decimal_amounts);
	suite_add_tcase(s, t);
	t = tcase_create("store");
	tcase_add_test(t, store_replaces_and_sums_each_hour_once);
	tcase_add_test(t, store_fetch_start_is_incremental);
	tcase_add_test(t, store_cost_reports_reconcile_the_estimate);
	tcase_add_test(t, store_migrates_a_version_1_store);
	suite_add_tcase(s, t);
	return s;
}
