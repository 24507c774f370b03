/* Alert rules: what the rc's `alert` lines mean, and how a rule's value and
 * state follow the calls in the store and the passing of time (the clock is
 * each evaluation's `now`). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdint.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../core/config.h"
#include "../../data/alerts.h"
#include "../../data/usage.h"
#include "t.h"

#define T0 1795392000LL /* 2026-11-23T00:00:00Z, seconds */

static int parse(const char *line, alert_rule *r, char *err, size_t errlen)
{
	char *w[CONFIG_MAX_WORDS];
	int n = config_split(line, w, CONFIG_MAX_WORDS);
	ck_assert_int_gt(n, 0);
	int rc = alert_rule_parse((const char *const *)w, n, r, err, errlen);
	config_words_free(w, n);
	return rc;
}

START_TEST(parse_rules)
{
	alert_rule r;
	char err[512];
	ck_assert_int_eq(parse("alert sonnet-errors error_rate > 5% over 15m where \"model=claude-sonnet-4 prompt=a\" "
			       "severity crit for 5m", &r, err, sizeof err), 0);
	ck_assert_str_eq(r.name, "sonnet-errors");
	ck_assert_int_eq(r.metric, AM_ERROR_RATE);
	ck_assert_int_eq(r.op, AO_GT);
	ck_assert(r.value == 5);
	ck_assert(r.over_ns == 15 * NS_PER_MIN);
	ck_assert(r.for_ns == 5 * NS_PER_MIN);
	ck_assert_int_eq(r.severity, ALERT_CRIT);
	ck_assert_str_eq(r.where, "model=claude-sonnet-4 prompt=a");
	alert_rule_free(&r);

	/* units: seconds for latency, dollars, a duration for no_data */
	ck_assert_int_eq(parse("alert slow p95 >= 2.5s", &r, err, sizeof err), 0);
	ck_assert(r.value == 2500 && r.op == AO_GE && r.severity == ALERT_WARN);
	alert_rule_free(&r);
	ck_assert_int_eq(parse("alert spend burn > $4.50", &r, err, sizeof err), 0);
	ck_assert(r.value == 4.5);
	alert_rule_free(&r);
	ck_assert_int_eq(parse("alert feed no_data 15m", &r, err, sizeof err), 0);
	ck_assert(r.metric == AM_NO_DATA && r.value == 900 && r.op == AO_GT);
	alert_rule_free(&r);

	ck_assert_int_eq(parse("alert x latency > 5", &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown metric 'latency'"));
	ck_assert_int_eq(parse("alert x p95 > fast", &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "p95 takes milliseconds"));
	ck_assert_int_eq(parse("alert x calls > 5 severity page", &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "severity is warn or crit"));
	ck_assert_int_eq(parse("alert x calls > 5 where latency>>", &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "where:"));
	ck_assert_int_eq(parse("alert x calls 5", &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "expected an operator"));
	ck_assert_int_eq(parse("alert x calls > 5 over", &r, err, sizeof err), -1);
	ck_assert_int_eq(parse("alert x;rm calls > 5", &r, err, sizeof err), -1);
	ck_assert_int_eq(parse("alert x budget_daily > 80 where model=a", &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "x: where does not apply to budget_daily (it is the whole spend)");
	ck_assert_int_eq(parse("alert x no_data > 5m over 1h", &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "x: over does not apply to no_data");
}
END_TEST

/* The rc: a bad line is path:line, the built-ins are listed with the user's
 * rules and unalert turns them off. */
START_TEST(config_rules)
{
	config_t c;
	config_init(&c);
	const char *rc = "set budget_daily = 20\n"
			 "alert a calls > 10\n"
			 "alert b p99 > soon\n"
			 "unalert builtin-error-warn\n";
	config_parse(&c, "/x/llmopsrc", rc, strlen(rc), NULL, NULL);
	ck_assert_ptr_nonnull(strstr(sb_str(&c.errors), "/x/llmopsrc:3: p99 takes milliseconds"));
	alert_rules rs;
	alerts_from_config(&c, &rs);
	ck_assert_int_eq((int)rs.n, 5); /* a, error warn+crit, daily budget warn+crit */
	ck_assert_str_eq(rs.v[0].name, "a");
	ck_assert_int_eq(rs.v[0].line, 2);
	ck_assert(!alert_rules_find(&rs, "builtin-error-warn")->enabled);
	ck_assert(alert_rules_find(&rs, "builtin-error-crit")->enabled);
	ck_assert(alert_rules_find(&rs, "builtin-error-crit")->value == 5);
	ck_assert(alert_rules_find(&rs, "builtin-budget-daily-crit")->value == 100);
	ck_assert_ptr_null(alert_rules_find(&rs, "builtin-budget-monthly-crit"));
	alert_rules_free(&rs);
	config_free(&c);

	config_init(&c);
	rc = "unalert builtin\n";
	config_parse(&c, "/x/llmopsrc", rc, strlen(rc), NULL, NULL);
	alerts_from_config(&c, &rs);
	for (size_t i = 0; i < rs.n; i++)
		ck_assert(!rs.v[i].enabled);
	alert_rules_free(&rs);
	config_free(&c);
}
END_TEST

static store_t *fresh(void)
{
	store_t *st;
	char err[256];
	char *path = t_path("alerts.db");
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	free(path);
	return st;
}

/* n calls at second ts_s, of prompt p (NULL: none), nerr of them failed,
 * each taking lat ms. */
static void calls(store_t *st, int64_t ts_s, int n, int nerr, const char *p, double lat)
{
	static int seq;
	batch_t b = {0};
	for (int i = 0; i < n; i++) {
		call_t *c = batch_add_call(&b);
		char span[17];
		snprintf(span, sizeof span, "%016x", 0x7000 + seq++);
		call_set_id(c->span_id, &c->span_len, span);
		call_set_id(c->trace_id, &c->trace_len, "0af7651916cd43dd8448eb211c80319c");
		c->ts_ns = ts_s * NS_PER_S + i;
		c->provider = "anthropic";
		c->model = "claude-sonnet-4";
		c->prompt_name = p;
		c->prompt_version = p ? "1" : NULL;
		c->latency_ms = lat;
		c->has_cost = 1;
		c->cost_nusd = 10000000; /* a cent */
		if (i < nerr) {
			c->is_error = 1;
			c->error_type = "rate_limit";
		}
	}
	ingest_stats s = {0};
	char err[256];
	ck_assert_msg(store_ingest(st, &b, NULL, &s, err, sizeof err) == 0, "%s", err);
	batch_free(&b);
}

static alert_rule rule(const char *line)
{
	alert_rule r;
	char err[512];
	ck_assert_msg(parse(line, &r, err, sizeof err) == 0, "%s", err);
	return r;
}

static alert_env env(void)
{
	return (alert_env){.window_ns = NS_PER_HOUR};
}

START_TEST(eval_values)
{
	store_t *st = fresh();
	calls(st, T0 + 60, 50, 10, "support-answer", 800);
	calls(st, T0 + 120, 50, 0, "support-answer", 1200);
	calls(st, T0 + 180, 100, 1, NULL, 300);
	alert_rules rs = {0};
	alert_rule r = rule("alert sa-errors error_rate > 5 where prompt=support-answer severity crit");
	alert_rules_add(&rs, &r);
	r = rule("alert all-errors error_rate > 5");
	alert_rules_add(&rs, &r);
	r = rule("alert sa-p95 p95 > 1s where prompt=support-answer");
	alert_rules_add(&rs, &r);
	r = rule("alert limited calls >= 11 where error=rate_limit"); /* counted from the calls, not the rollups */
	alert_rules_add(&rs, &r);
	r = rule("alert spend cost > $1.99");
	alert_rules_add(&rs, &r);
	alert_env e = env();
	alert_result *res;
	size_t n;
	char err[256];
	ck_assert_msg(alerts_eval(st, &rs, &e, NULL, (T0 + 600) * NS_PER_S, NULL, &res, &n, err, sizeof err) == 0, "%s",
		      err);
	ck_assert_int_eq((int)n, 5);
	ck_assert(fabs(res[0].value - 10.0) < 1e-9);
	ck_assert_int_eq(res[0].state, ALERT_FIRING);
	ck_assert_int_eq(res[0].transition, ALERT_T_FIRED);
	ck_assert_str_eq(res[0].summary, "CRIT sa-errors 10.0% > 5% since 00:10");
	ck_assert_str_eq(res[0].detail, "10 errors of 100 calls");
	ck_assert_str_eq(res[0].filter, "prompt=support-answer status=error since=1h");
	ck_assert(fabs(res[1].value - 5.5) < 1e-9); /* 11 of 200 */
	ck_assert_int_eq(res[1].state, ALERT_FIRING);
	ck_assert(fabs(res[2].value - 1200) < 1200 * 0.01);
	ck_assert_int_eq(res[2].state, ALERT_FIRING);
	ck_assert(res[3].value == 11);
	ck_assert_int_eq(res[3].state, ALERT_FIRING);
	ck_assert(fabs(res[4].value - 2.0) < 1e-9);
	ck_assert_int_eq(alerts_worst(res, n), ALERT_CRIT);
	free(res);

	/* an hour later the window holds none of them */
	ck_assert(alerts_eval(st, &rs, &e, NULL, (T0 + 4 * 3600) * NS_PER_S, NULL, &res, &n, err, sizeof err) == 0);
	ck_assert(isnan(res[0].value));
	ck_assert_int_eq(res[0].state, ALERT_OK);
	ck_assert(res[3].value == 0);
	ck_assert_int_eq(alerts_worst(res, n), 0);
	free(res);
	alert_rules_free(&rs);
	store_close(st);
}
END_TEST

/* Evaluates at minute m, carrying the state over; the result of rule 0. */
static alert_result step(store_t *st, alert_rules *rs, alert_state *s, int m)
{
	alert_env e = env();
	alert_state next;
	alert_result *res;
	size_t n;
	char err[256];
	ck_assert_msg(alerts_eval(st, rs, &e, s, (T0 + m * 60) * NS_PER_S, &next, &res, &n, err, sizeof err) == 0, "%s",
		      err);
	alert_result r = res[0];
	free(res);
	alert_state_free(s);
	*s = next;
	return r;
}

START_TEST(for_and_resolve)
{
	store_t *st = fresh();
	for (int m = 0; m < 20; m++)
		calls(st, T0 + m * 60, 1, 0, NULL, 100);
	alert_rules rs = {0};
	alert_rule r = rule("alert busy calls > 5 over 10m for 5m");
	alert_rules_add(&rs, &r);
	alert_state s = {0};
	alert_result x = step(st, &rs, &s, 5); /* 5 calls: false */
	ck_assert_int_eq(x.state, ALERT_OK);
	x = step(st, &rs, &s, 10); /* 10 calls: true, not yet for 5m */
	ck_assert_int_eq(x.state, ALERT_PENDING);
	ck_assert_int_eq(x.transition, ALERT_T_NONE);
	x = step(st, &rs, &s, 14);
	ck_assert_int_eq(x.state, ALERT_PENDING);
	x = step(st, &rs, &s, 15); /* held 5m: fires, once */
	ck_assert_int_eq(x.state, ALERT_FIRING);
	ck_assert_int_eq(x.transition, ALERT_T_FIRED);
	ck_assert(x.since_ns == (T0 + 15 * 60) * NS_PER_S);
	/* the state survives a round trip through its file */
	char *path = t_path("state/alerts.json");
	char err[256];
	ck_assert_msg(alert_state_save(path, &s, err, sizeof err) == 0, "%s", err);
	alert_state_free(&s);
	ck_assert_msg(alert_state_load(path, &s, err, sizeof err) == 0, "%s", err);
	free(path);
	ck_assert_int_eq(alert_state_find(&s, "busy")->state, ALERT_FIRING);
	x = step(st, &rs, &s, 15);
	ck_assert_int_eq(x.state, ALERT_FIRING);
	ck_assert_int_eq(x.transition, ALERT_T_NONE);
	x = step(st, &rs, &s, 26); /* 4 calls left in the window: false, still firing */
	ck_assert(x.value == 4);
	ck_assert_int_eq(x.state, ALERT_FIRING);
	x = step(st, &rs, &s, 30);
	ck_assert_int_eq(x.state, ALERT_FIRING);
	x = step(st, &rs, &s, 31); /* false for 5m: resolves, once */
	ck_assert_int_eq(x.state, ALERT_OK);
	ck_assert_int_eq(x.transition, ALERT_T_RESOLVED);
	ck_assert_str_eq(x.summary, "RESOLVED busy 0 (> 5), firing since 00:15");
	x = step(st, &rs, &s, 32);
	ck_assert_int_eq(x.transition, ALERT_T_NONE);
	alert_state_free(&s);
	alert_rules_free(&rs);

	/* a feed that stops: no_data fires once its newest call is older than 15m */
	r = rule("alert feed no_data > 15m severity crit");
	alert_rules_add(&rs, &r);
	x = step(st, &rs, &s, 30); /* newest call at 19m */
	ck_assert_int_eq(x.state, ALERT_OK);
	ck_assert(x.value == 11 * 60);
	x = step(st, &rs, &s, 35);
	ck_assert_int_eq(x.state, ALERT_FIRING);
	ck_assert_int_eq(x.transition, ALERT_T_FIRED);
	ck_assert_str_eq(x.summary, "CRIT feed 16m > 15m since 00:35");
	calls(st, T0 + 36 * 60, 1, 0, NULL, 100);
	x = step(st, &rs, &s, 37);
	ck_assert_int_eq(x.transition, ALERT_T_RESOLVED);
	alert_state_free(&s);
	alert_rules_free(&rs);
	store_close(st);
}
END_TEST

/* Budgets projected as the cost pane projects them; no_data narrowed by a
 * filter, answered from the rollups or from the calls. */
START_TEST(eval_budget_and_feeds)
{
	store_t *st = fresh();
	int64_t noon = T0 + 12 * 3600;
	calls(st, noon - 600, 100, 0, "support-answer", 500); /* $1, ten minutes ago */
	calls(st, noon - 3 * 3600, 10, 10, NULL, 500);      /* failed ones, three hours ago */
	alert_rules rs = {0};
	alert_rule r = rule("alert day budget_daily >= 100% severity crit");
	alert_rules_add(&rs, &r);
	r = rule("alert sa-feed no_data > 15m where prompt=support-answer");
	alert_rules_add(&rs, &r);
	r = rule("alert other-feed no_data > 15m where model=gpt-4o");
	alert_rules_add(&rs, &r);
	r = rule("alert failing-feed no_data > 1h where status=error");
	alert_rules_add(&rs, &r);
	r = rule("alert month budget_monthly > 80");
	alert_rules_add(&rs, &r);
	alert_env e = {.window_ns = NS_PER_HOUR, .budget_daily = 10};
	alert_result *res;
	size_t n;
	char err[256];
	ck_assert_msg(alerts_eval(st, &rs, &e, NULL, noon * NS_PER_S, NULL, &res, &n, err, sizeof err) == 0, "%s", err);
	/* $1.10 so far, $4/h over the last 15 minutes for the 12 hours left: $49.10 of $10 */
	ck_assert_msg(fabs(res[0].value - 491) < 1e-6, "%g", res[0].value);
	ck_assert_int_eq(res[0].state, ALERT_FIRING);
	ck_assert_str_eq(res[0].detail, "projected $49.10 of $10.00 ($1.10 so far, $4.00/h)");
	ck_assert(fabs(res[1].value - 600) < 1e-3);
	ck_assert_int_eq(res[1].state, ALERT_OK);
	ck_assert(isinf(res[2].value));
	ck_assert_str_eq(res[2].detail, "no calls at all");
	ck_assert_int_eq(res[2].state, ALERT_FIRING);
	ck_assert(fabs(res[3].value - 3 * 3600) < 1);
	ck_assert_int_eq(res[3].state, ALERT_FIRING);
	ck_assert(isnan(res[4].value)); /* no monthly budget set */
	ck_assert_str_eq(res[4].detail, "no budget_monthly set");
	ck_assert_int_eq(res[4].state, ALERT_OK);
	free(res);
	alert_rules_free(&rs);
	store_close(st);
}
END_TEST

/* Untraced: what the provider billed beside what the traces of its calls
 * cost, over the window; no value without a bill. */
START_TEST(eval_untraced)
{
	store_t *st = fresh();
	pricing_t *pr = pricing_new();
	int64_t now = T0 + 12 * 3600;
	batch_t b = {0};
	call_t *c = batch_add_call(&b);
	call_set_id(c->span_id, &c->span_len, "00000000000000aa");
	call_set_id(c->trace_id, &c->trace_len, "0af7651916cd43dd8448eb211c80319c");
	c->ts_ns = (now - 1800) * NS_PER_S;
	c->provider = "openai";
	c->model = "gpt-4o-mini";
	c->has_cost = 1;
	c->cost_nusd = 1000000000; /* $1 */
	ingest_stats is = {0};
	char err[256];
	ck_assert_msg(store_ingest(st, &b, pr, &is, err, sizeof err) == 0, "%s", err);
	batch_free(&b);
	alert_rules rs = {0};
	alert_rule r = rule("alert gap untraced > $1 severity crit");
	alert_rules_add(&rs, &r);
	alert_env e = {.window_ns = NS_PER_HOUR, .prices = pr};
	alert_result *res;
	size_t n;
	ck_assert(alerts_eval(st, &rs, &e, NULL, now * NS_PER_S, NULL, &res, &n, err, sizeof err) == 0);
	ck_assert(isnan(res[0].value));
	ck_assert_str_eq(res[0].detail, "no provider bill in the window (llmops usage sync)");
	ck_assert_int_eq(res[0].state, ALERT_OK);
	free(res);

	/* the hour billed: a million input tokens a minute */
	usage_page pg = {.kind = UK_USAGE};
	pg.v = xcalloc(60, sizeof *pg.v);
	pg.n = 60;
	for (int i = 0; i < 60; i++) {
		pg.v[i].start = now - 3600 + i * 60;
		pg.v[i].end = pg.v[i].start + 60;
		pg.v[i].rows = xcalloc(1, sizeof *pg.v[i].rows);
		pg.v[i].nrows = 1;
		pg.v[i].rows[0] = (usage_row){.model = xstrdup("gpt-4o-mini"), .requests = 1, .input_tokens = 1000000};
	}
	ck_assert_msg(usage_store_page(st, "openai", 60, &pg, now + 3600, err, sizeof err) == 0, "%s", err);
	usage_page_free(&pg);
	const price_t *p = pricing_lookup(pr, "gpt-4o-mini");
	ck_assert_ptr_nonnull(p);
	double billed = 60 * (double)price_cost_nusd(p, 1000000, 0, 0) / 1e9;
	ck_assert(billed > 2);
	ck_assert(alerts_eval(st, &rs, &e, NULL, now * NS_PER_S, NULL, &res, &n, err, sizeof err) == 0);
	ck_assert_msg(fabs(res[0].value - (billed - 1)) < 1e-6, "%g against %g", res[0].value, billed - 1);
	ck_assert_int_eq(res[0].state, ALERT_FIRING);
	free(res);
	alert_rules_free(&rs);
	pricing_free(pr);
	store_close(st);
}
END_TEST

/* The command gets one JSON object per transition on its standard input,
 * none for a rule that did not change. */
START_TEST(notify_cmd)
{
	char *out = t_path("notified.jsonl");
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cat >> '%s'", out);
	alert_notifier *nf = alert_notifier_new(cmd, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(nf);
	alert_rule r = rule("alert sa-errors error_rate > 5 severity crit");
	alert_result res[3] = {
	    {.rule = &r, .value = 9.4, .state = ALERT_FIRING, .transition = ALERT_T_FIRED, .since_ns = T0 * NS_PER_S},
	    {.rule = &r, .value = 9.0, .state = ALERT_FIRING, .transition = ALERT_T_NONE},
	    {.rule = &r, .value = 1.0, .state = ALERT_OK, .transition = ALERT_T_RESOLVED, .since_ns = T0 * NS_PER_S},
	};
	snprintf(res[0].summary, sizeof res[0].summary, "CRIT sa-errors 9.4%% > 5%% since 00:00");
	alert_notify(nf, res, 3, "/x/store.db");
	alert_notifier_free(nf);
	size_t len;
	char *text = t_read(out, &len);
	ck_assert_ptr_nonnull(text);
	int lines = 0;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, 2);
	ck_assert_ptr_nonnull(strstr(text, "\"rule\":\"sa-errors\""));
	ck_assert_ptr_nonnull(strstr(text, "\"transition\":\"fired\""));
	ck_assert_ptr_nonnull(strstr(text, "\"transition\":\"resolved\""));
	ck_assert_ptr_nonnull(strstr(text, "\"store\":\"/x/store.db\""));
	ck_assert_ptr_nonnull(strstr(text, "\"summary\":\"CRIT sa-errors 9.4% > 5% since 00:00\""));
	free(text);
	free(out);
	alert_rule_free(&r);
}
END_TEST

/* A webhook that accepts the connection and never answers does not hold
 * up a console quitting: cancel stops it. */
START_TEST(notify_cancel)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 4) == 0);
	socklen_t al = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &al);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", ntohs(a.sin_port));
	alert_notifier *nf = alert_notifier_new(NULL, url, NULL, NULL);
	alert_rule r = rule("alert x calls > 1");
	alert_result res[2] = {{.rule = &r, .transition = ALERT_T_FIRED}, {.rule = &r, .transition = ALERT_T_RESOLVED}};
	alert_notify(nf, res, 2, NULL);
	alert_notifier_cancel(nf);
	/* the first request was stopped, the second (and any retry) never made */
	int conns = 0, c;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while ((c = accept(fd, NULL, NULL)) >= 0) {
		conns++;
		close(c);
	}
	ck_assert_int_le(conns, 1);
	close(fd);
	alert_rule_free(&r);
}
END_TEST

START_TEST(mask_url)
{
	char m[128];
	alert_mask_url("https://hooks.slack.com/services/T000/B000/XXXXSECRET", m, sizeof m);
	ck_assert_str_eq(m, "https://hooks.slack.com/…");
	alert_mask_url("http://user:pw@127.0.0.1:8080/hook?token=s", m, sizeof m);
	ck_assert_str_eq(m, "http://127.0.0.1:8080/…");
}
END_TEST

Suite *suite_alerts(void)
{
	Suite *s = suite_create("alerts");
	TCase *tc = tcase_create("alerts");
	tcase_add_test(tc, parse_rules);
	tcase_add_test(tc, config_rules);
	tcase_add_test(tc, eval_values);
	tcase_add_test(tc, for_and_resolve);
	tcase_add_test(tc, eval_budget_and_feeds);
	tcase_add_test(tc, eval_untraced);
	tcase_add_test(tc, notify_cmd);
	tcase_add_test(tc, notify_cancel);
	tcase_add_test(tc, mask_url);
	suite_add_tcase(s, tc);
	return s;
}
