/* Filters: how a FILTER line is read, the error that names the term at
 * fault, and which calls of a store each filter finds (the trace list and
 * the annotation queue both ask the store with it). */
#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../core/filter.h"
#include "../../data/import.h"
#include "../../data/query.h"
#include "../../data/store.h"
#include "t.h"

/* 2026-11-23T12:00:00Z */
#define NOW_NS (1795435200LL * NS_PER_S)

static int parse(filter_t *f, const char *expr, char *err)
{
	filter_init(f);
	err[0] = 0;
	return filter_parse(f, expr, err, 256);
}

START_TEST(parse_fields)
{
	filter_t f;
	char err[256];
	ck_assert_int_eq(parse(&f, "  model=gpt-4o provider=anthropic status=error error=rate_limit "
				   "prompt=support@7 feature=checkout since=15m latency>2000 latency<9000.5  ",
			       err),
			 0);
	ck_assert_int_eq(f.model.n, 1);
	ck_assert_str_eq(f.model.v[0], "gpt-4o");
	ck_assert_str_eq(f.provider.v[0], "anthropic");
	ck_assert_int_eq(f.status, 1);
	ck_assert_str_eq(f.error.v[0], "rate_limit");
	ck_assert_str_eq(f.prompt.v[0], "support@7");
	ck_assert_str_eq(f.feature.v[0], "checkout");
	ck_assert_int_eq(f.since_ns, 15 * 60 * NS_PER_S);
	ck_assert_double_eq(f.lat_min, 2000);
	ck_assert_double_eq(f.lat_max, 9000.5);
	ck_assert_ptr_null(f.text);
	ck_assert(!filter_empty(&f));
	filter_free(&f);

	ck_assert_int_eq(parse(&f, "status=ok model=a model=b latency>=250", err), 0);
	ck_assert_int_eq(f.status, 0);
	ck_assert_int_eq(f.model.n, 2); /* either value */
	ck_assert_str_eq(f.model.v[1], "b");
	ck_assert_double_eq(f.lat_min, 250);
	ck_assert_double_eq(f.lat_max, -1);
	filter_free(&f);

	/* Commas list either value; != leaves a value out, for every field. */
	ck_assert_int_eq(parse(&f, "model=a,b provider!=openai,google user=u1 session!=s9 trace=ABC12 status!=error", err), 0);
	ck_assert_int_eq(f.model.n, 2);
	ck_assert_str_eq(f.model.v[0], "a");
	ck_assert_str_eq(f.model.v[1], "b");
	ck_assert(!f.model.neg[0] && !f.model.neg[1]);
	ck_assert_int_eq(f.provider.n, 2);
	ck_assert(f.provider.neg[0] && f.provider.neg[1]);
	ck_assert_str_eq(f.provider.v[1], "google");
	ck_assert_str_eq(f.user.v[0], "u1");
	ck_assert(f.session.neg[0]);
	ck_assert_str_eq(f.trace.v[0], "abc12");
	ck_assert_int_eq(f.status, 0);
	ck_assert(!filter_empty(&f));
	filter_free(&f);
	ck_assert_int_eq(parse(&f, "status!=ok since!=1h sample!=10%", err), 0);
	ck_assert_int_eq(f.status, 1);
	ck_assert_int_eq(f.before_ns, 3600 * NS_PER_S);
	ck_assert_int_eq(f.since_ns, 0);
	ck_assert(f.sample_neg);
	ck_assert_int_eq(f.sample_bp, 1000);
	filter_free(&f);

	ck_assert_int_eq(parse(&f, "", err), 0);
	ck_assert(filter_empty(&f));
	ck_assert_int_eq(parse(&f, "   \t ", err), 0);
	ck_assert(filter_empty(&f));
	ck_assert_int_eq(filter_parse(&f, NULL, err, sizeof err), 0);
	ck_assert(filter_empty(&f));
}
END_TEST

/* Words search the text: each is quoted for FTS5, so that its syntax (and a
 * quote inside) is taken literally; a quoted phrase stays one term, even when
 * it looks like a field. */
START_TEST(parse_words)
{
	filter_t f;
	char err[256];
	ck_assert_int_eq(parse(&f, "refund \"order 42\" model=gpt-4o", err), 0);
	ck_assert_str_eq(f.text, "\"refund\" \"order 42\"");
	ck_assert_str_eq(f.model.v[0], "gpt-4o");
	filter_free(&f);
	ck_assert_int_eq(parse(&f, "\"model=x\" NOT OR* say\"hi", err), 0);
	ck_assert_int_eq(f.model.n, 0);
	ck_assert_str_eq(f.text, "\"model=x\" \"NOT\" \"OR*\" \"say\"\"hi\"");
	filter_free(&f);
	/* A word that merely contains < or > is a word. */
	ck_assert_int_eq(parse(&f, "a>b", err), 0);
	ck_assert_str_eq(f.text, "\"a>b\"");
	ck_assert_double_eq(f.lat_min, -1);
	filter_free(&f);
}
END_TEST

/* Each error names the term at fault, wherever it stands in the line. */
START_TEST(parse_errors)
{
	static const struct {
		const char *expr, *err;
	} cases[] = {
	    {"model=a colour=red since=1h",
	     "unknown field 'colour' (model, provider, status, error, prompt, feature, user, session, trace, since, sample, latency)"},
	    {"colour!=red", "unknown field 'colour' (model, provider, status, error, prompt, feature, user, session, trace, since, sample, latency)"},
	    {"model!=", "model!= needs a value"},
	    {"model=a,", "model= needs a value"},
	    {"model=,a", "model= needs a value"},
	    {"status!=maybe", "status!= is ok or error, not 'maybe'"},
	    {"trace=xyz", "trace= takes the hex digits of a trace id, not 'xyz'"},
	    {"latency!=500", "latency takes > or <, as in latency>2000"},
	    {"model=a,b,c,d,e,f,g,h,i", "model= given too many times"},
	    {"status=maybe", "status= is ok or error, not 'maybe'"},
	    {"model=a since=soon", "since= takes a duration like 15m, 1h, 7d, not 'soon'"},
	    {"latency>fast", "latency> takes milliseconds, as in latency>2000"},
	    {"latency<-5", "latency> takes milliseconds, as in latency>2000"},
	    {"latency>", "latency> takes milliseconds, as in latency>2000"},
	    {"refund \"order 42", "unterminated quote"},
	    {"provider= model=a", "provider= needs a value"},
	    {"sample=0", "sample= takes a percentage, not '0' (above 0 and up to 100, as in sample=10%)"},
	    {"sample=150%", "sample= takes a percentage, not '150%' (above 0 and up to 100, as in sample=10%)"},
	    {"sample=10%%", "sample= takes a percentage, not '10%%' (above 0 and up to 100, as in sample=10%)"},
	    {"model=a model=b model=c model=d model=e model=f model=g model=h model=i", "model= given too many times"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		filter_t f;
		char err[256];
		ck_assert_msg(parse(&f, cases[i].expr, err) == -1, "accepted %s", cases[i].expr);
		ck_assert_str_eq(err, cases[i].err);
		filter_free(&f);
	}
	/* A long term is quoted short: the error stays one line. */
	filter_t f;
	char err[256], expr[600];
	snprintf(expr, sizeof expr, "status=%0500d", 7);
	ck_assert_int_eq(parse(&f, expr, err), -1);
	ck_assert_uint_lt(strlen(err), 100);
	filter_free(&f);
}
END_TEST

START_TEST(sample_and_copy)
{
	filter_t f, g;
	char err[256];
	ck_assert_int_eq(parse(&f, "sample=2.5% model=m feature=x refund", err), 0);
	ck_assert_int_eq(f.sample_bp, 250);
	filter_copy(&g, &f);
	filter_free(&f); /* the copy owns its own strings */
	ck_assert_int_eq(g.sample_bp, 250);
	ck_assert_str_eq(g.model.v[0], "m");
	ck_assert_str_eq(g.feature.v[0], "x");
	ck_assert_str_eq(g.text, "\"refund\"");
	filter_free(&g);
	ck_assert(filter_empty(&g));
	ck_assert_int_eq(parse(&f, "sample=0.001", err), 0);
	ck_assert_int_eq(f.sample_bp, 1); /* never nothing at all */
	filter_free(&f);
}
END_TEST

START_TEST(model_family)
{
	ck_assert(filter_model_matches("gpt-4o", "gpt-4o"));
	ck_assert(filter_model_matches("gpt-4o", "gpt-4o-2024-08-06"));
	ck_assert(filter_model_matches("claude-3-5-sonnet", "claude-3-5-sonnet-20240620"));
	ck_assert(!filter_model_matches("gpt-4o", "gpt-4o-mini"));
	ck_assert(!filter_model_matches("gpt-4o", "gpt-4o-mini-2024-07-18"));
	ck_assert(!filter_model_matches("gpt-4", "gpt-4o"));
	ck_assert(!filter_model_matches("gpt-4o-2024-08-06", "gpt-4o"));
}
END_TEST

/* ---- which calls a filter finds ------------------------------------------ */

static const char *const CALLS[] = {
    "{\"ts\":\"2026-11-23T11:50:00Z\",\"span_id\":\"00000000000000a1\",\"provider\":\"openai\","
    "\"model\":\"gpt-4o-2024-08-06\",\"prompt_name\":\"support\",\"prompt_version\":\"7\",\"feature\":\"checkout\","
    "\"latency_ms\":500,\"output\":\"your parcel is in Denver\",\"user_id\":\"ada\",\"trace_id\":\"AA11000000000000000000000000000f\"}",
    "{\"ts\":\"2026-11-23T11:30:00Z\",\"span_id\":\"00000000000000a2\",\"provider\":\"openai\","
    "\"model\":\"gpt-4o-mini\",\"prompt_name\":\"support\",\"prompt_version\":\"6\",\"feature\":\"checkout\","
    "\"latency_ms\":2500,\"status\":\"error\",\"error_type\":\"rate_limit\",\"output\":\"\",\"user_id\":\"bob\","
    "\"trace_id\":\"aa110000000000000000000000000001\"}",
    "{\"ts\":\"2026-11-23T09:00:00Z\",\"span_id\":\"00000000000000a3\",\"provider\":\"anthropic\","
    "\"model\":\"claude-haiku-4-5\",\"prompt_name\":\"triage\",\"prompt_version\":\"1\",\"feature\":\"search\","
    "\"latency_ms\":50,\"output\":\"the refund was issued\",\"user_id\":\"ada\",\"trace_id\":\"bb220000000000000000000000000001\"}",
    "{\"ts\":\"2026-11-21T12:00:00Z\",\"span_id\":\"00000000000000a4\",\"provider\":\"anthropic\","
    "\"model\":\"claude-haiku-4-5\",\"feature\":\"search\",\"latency_ms\":3000,\"status\":\"error\","
    "\"error_type\":\"timeout\",\"output\":\"parcel lost, refund\"}",
    NULL,
};

static store_t *calls_store(void)
{
	store_t *st;
	char err[256];
	char *path = t_path("f.db");
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	free(path);
	batch_t b = {0};
	for (int i = 0; CALLS[i]; i++)
		ck_assert_msg(jsonl_parse_line(CALLS[i], strlen(CALLS[i]), &b, err, sizeof err) == 0, "%s", err);
	/* Sessions come from OTLP attributes; given here by hand. */
	b.calls[0].session_id = b.calls[1].session_id = "s-1";
	b.calls[2].session_id = "s-2";
	ck_assert_msg(store_ingest(st, &b, NULL, NULL, err, sizeof err) == 0, "%s", err);
	batch_free(&b);
	int64_t pending = 1;
	while (pending > 0)
		ck_assert_int_eq(store_fts_step(st, 100, &pending), 0);
	return st;
}

/* The calls a filter finds, as the last two digits of their span ids in
 * time order ("a4 a3"), through the trace list's query and the annotation
 * queue's: the two must agree. */
static char *found(store_t *st, const char *expr)
{
	filter_t f;
	char err[256];
	ck_assert_msg(parse(&f, expr, err) == 0, "%s: %s", expr, err);
	page_req req = {.filter = &f, .now_ns = NOW_NS, .sort = SORT_TIME, .older = 1, .limit = 100};
	call_page page;
	ck_assert_msg(store_calls_page(st, &req, &page, err, sizeof err) == 0, "%s: %s", expr, err);
	sbuf list = SBUF_INIT;
	for (size_t i = page.n; i-- > 0;)
		sb_printf(&list, "%s%s", list.len ? " " : "", page.rows[i].span + strlen(page.rows[i].span) - 2);
	call_ref *refs;
	size_t n;
	int more;
	ck_assert_msg(store_call_refs(st, &f, NOW_NS, 100, &refs, &n, &more, err, sizeof err) == 0, "%s", err);
	sbuf queue = SBUF_INIT;
	for (size_t i = n; i-- > 0;)
		sb_printf(&queue, "%s%s", queue.len ? " " : "", refs[i].span + strlen(refs[i].span) - 2);
	ck_assert_msg(!strcmp(sb_str(&list), sb_str(&queue)), "%s: the list finds '%s', the queue '%s'", expr,
		      sb_str(&list), sb_str(&queue));
	free(refs);
	sb_free(&queue);
	call_page_free(&page);
	filter_free(&f);
	char *s = xstrdup(sb_str(&list));
	sb_free(&list);
	return s;
}

#define FINDS(st, expr, want)                                                                                   \
	do {                                                                                                        \
		char *got_ = found(st, expr);                                                                       \
		ck_assert_msg(!strcmp(got_, want), "'%s' finds '%s', wanted '%s'", expr, got_, want);             \
		free(got_);                                                                                         \
	} while (0)

START_TEST(matching)
{
	store_t *st = calls_store();
	FINDS(st, "", "a4 a3 a2 a1");
	/* A model is its dated snapshots too, never a longer name. */
	FINDS(st, "model=gpt-4o", "a1");
	FINDS(st, "model=gpt-4o-mini", "a2");
	FINDS(st, "model=gpt-4o model=claude-haiku-4-5", "a4 a3 a1");
	FINDS(st, "model=gpt-4", "");
	FINDS(st, "provider=anthropic", "a4 a3");
	FINDS(st, "status=error", "a4 a2");
	FINDS(st, "status=ok", "a3 a1");
	FINDS(st, "error=rate_limit", "a2");
	FINDS(st, "error=timeout error=rate_limit", "a4 a2");
	/* A prompt by name is every version; NAME@VERSION is that one. */
	FINDS(st, "prompt=support", "a2 a1");
	FINDS(st, "prompt=support@7", "a1");
	FINDS(st, "prompt=support@8", "");
	FINDS(st, "prompt=supp", "");
	FINDS(st, "feature=search", "a4 a3");
	FINDS(st, "since=1h", "a2 a1");
	FINDS(st, "since=3h", "a3 a2 a1");
	FINDS(st, "latency>2000", "a4 a2");
	FINDS(st, "latency<100", "a3");
	FINDS(st, "latency>100 latency<3000", "a2 a1");
	/* Every term must hold. */
	FINDS(st, "provider=openai status=error", "a2");
	FINDS(st, "feature=search since=1d", "a3");
	FINDS(st, "provider=anthropic model=gpt-4o", "");
	/* Words search the input and output. */
	FINDS(st, "parcel", "a4 a1");
	FINDS(st, "parcel refund", "a4");
	FINDS(st, "\"refund was\"", "a3");
	FINDS(st, "Denver provider=anthropic", "");
	FINDS(st, "\"NOT\"", "");
	FINDS(st, "sample=100%", "a4 a3 a2 a1");
	FINDS(st, "sample!=100%", "");
	/* model=a,b is either; != leaves out, and keeps the calls without the field. */
	FINDS(st, "model=gpt-4o,claude-haiku-4-5", "a4 a3 a1");
	FINDS(st, "model!=gpt-4o", "a4 a3 a2");
	FINDS(st, "model!=gpt-4o,claude-haiku-4-5", "a2");
	FINDS(st, "provider!=openai", "a4 a3");
	FINDS(st, "status!=ok", "a4 a2");
	FINDS(st, "error!=rate_limit", "a4 a3 a1");
	FINDS(st, "error=rate_limit,timeout error!=timeout", "a2");
	FINDS(st, "prompt!=support", "a4 a3");
	FINDS(st, "prompt!=support@7", "a4 a3 a2");
	FINDS(st, "prompt=support prompt!=support@6", "a1");
	FINDS(st, "feature!=search", "a2 a1");
	FINDS(st, "since!=1h", "a4 a3");
	FINDS(st, "since=1d since!=1h", "a3"); /* the day before the last hour */
	/* Users, sessions and traces (any prefix of its hex, either case). */
	FINDS(st, "user=ada", "a3 a1");
	FINDS(st, "user!=ada", "a4 a2");
	FINDS(st, "user=ada,bob status=error", "a2");
	FINDS(st, "session=s-1", "a2 a1");
	FINDS(st, "session!=s-1", "a4 a3");
	FINDS(st, "trace=aa11", "a2 a1");
	FINDS(st, "trace=AA11000000000000000000000000000F", "a1");
	FINDS(st, "trace!=aa11", "a4 a3");
	FINDS(st, "trace=bb22,aa110000000000000000000000000001", "a3 a2");
	store_close(st);
}
END_TEST

/* A sample keeps the same calls on every run, and about the share asked. */
START_TEST(sample_is_stable)
{
	ck_assert_uint_eq(filter_sample_bucket("00000000000000a1", 16), filter_sample_bucket("00000000000000a1", 16));
	int in10 = 0, in50 = 0;
	for (int i = 0; i < 10000; i++) {
		char span[17];
		snprintf(span, sizeof span, "%016x", i * 7919);
		unsigned b = filter_sample_bucket(span, 16);
		ck_assert_uint_lt(b, 10000);
		in10 += b < 1000;
		in50 += b < 5000;
	}
	ck_assert_int_gt(in10, 800);
	ck_assert_int_lt(in10, 1200);
	ck_assert_int_gt(in50, 4700);
	ck_assert_int_lt(in50, 5300);
}
END_TEST

Suite *suite_filter(void)
{
	Suite *s = suite_create("filter");
	TCase *t = tcase_create("filter");
	tcase_add_test(t, parse_fields);
	tcase_add_test(t, parse_words);
	tcase_add_test(t, parse_errors);
	tcase_add_test(t, sample_and_copy);
	tcase_add_test(t, model_family);
	tcase_add_test(t, matching);
	tcase_add_test(t, sample_is_stable);
	suite_add_tcase(s, t);
	return s;
}
