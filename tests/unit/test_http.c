/* Server-sent events and retry delays: what the replay and usage clients
 * build on. */
#include "../../data/http.h"
#include "../../data/sse.h"
#include "t.h"

typedef struct got {
	sbuf log;
	int n;
} got;

static int on_ev(void *ud, const char *event, const char *data, size_t len)
{
	got *g = ud;
	sb_printf(&g->log, "[%s|%.*s]", event, (int)len, data);
	g->n++;
	return 0;
}

/* The same stream fed whole and one byte at a time gives the same events. */
static void feed_both(const char *text, const char *want)
{
	for (int step = 0; step < 2; step++) {
		got g = {SBUF_INIT, 0};
		sse_t s;
		sse_init(&s, on_ev, &g);
		if (step == 0)
			sse_feed(&s, text, strlen(text));
		else
			for (size_t i = 0; text[i]; i++)
				sse_feed(&s, text + i, 1);
		ck_assert_str_eq(sb_str(&g.log), want);
		sse_free(&s);
		sb_free(&g.log);
	}
}

START_TEST(sse_events)
{
	feed_both("event: message_start\ndata: {\"a\":1}\n\n: comment\n\ndata: x\ndata: y\n\n",
		  "[message_start|{\"a\":1}][|x\ny]");
	/* CRLF and lone CR line ends, split anywhere. */
	feed_both("data: one\r\n\r\ndata:two\r\rdata:  three\n\n", "[|one][|two][| three]");
	/* An event name does not leak into the next event. */
	feed_both("event: error\ndata: {}\n\ndata: [DONE]\n\n", "[error|{}][|[DONE]]");
}
END_TEST

START_TEST(sse_unfinished)
{
	got g = {SBUF_INIT, 0};
	sse_t s;
	sse_init(&s, on_ev, &g);
	const char *t = "data: whole\n\ndata: cut in the mid";
	sse_feed(&s, t, strlen(t));
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(sse_end(&s), 1); /* the broken stream is noticed */
	ck_assert_int_eq(g.n, 1);
	sse_free(&s);
	sb_free(&g.log);
}
END_TEST

START_TEST(sse_corpus)
{
	/* A recorded Anthropic stream: every event is a JSON object. */
	size_t len;
	char *t = t_read(CORPUS "anthropic/openllmetry_anthropic_message_streaming.response_body.txt", &len);
	ck_assert_ptr_nonnull(t);
	got g = {SBUF_INIT, 0};
	sse_t s;
	sse_init(&s, on_ev, &g);
	sse_feed(&s, t, len);
	ck_assert_int_eq(sse_end(&s), 0);
	ck_assert_int_gt(g.n, 5);
	ck_assert_ptr_nonnull(strstr(sb_str(&g.log), "[message_stop|{\"type\":\"message_stop\""));
	sse_free(&s);
	sb_free(&g.log);
	free(t);
}
END_TEST

START_TEST(sse_caps)
{
	/* A line that never ends is refused once past the cap, in pieces or whole. */
	got g = {SBUF_INIT, 0};
	sse_t s;
	sse_init(&s, on_ev, &g);
	s.max = 64;
	int rc = sse_feed(&s, "data: ", 6);
	for (int i = 0; i < 20 && rc == 0; i++)
		rc = sse_feed(&s, "xxxxxxxxxx", 10);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(s.too_long, 1);
	ck_assert_uint_le(s.line.len, 64);
	ck_assert_int_eq(sse_feed(&s, "\n\n", 2), -1); /* nothing more is taken */
	ck_assert_int_eq(g.n, 0);
	sse_free(&s);
	/* Short lines that add up to an event past the cap. */
	sse_init(&s, on_ev, &g);
	s.max = 64;
	rc = 0;
	for (int i = 0; i < 20 && rc == 0; i++)
		rc = sse_feed(&s, "data: 0123456789\n", 17);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(s.too_long, 1);
	ck_assert_uint_le(s.data.len, 64);
	ck_assert_int_eq(g.n, 0);
	sse_free(&s);
	/* Up to the cap, an event goes through. */
	sse_init(&s, on_ev, &g);
	s.max = 64;
	ck_assert_int_eq(sse_feed(&s, "data: 0123456789\ndata: 0123456789\n\n", 35), 0);
	ck_assert_int_eq(g.n, 1);
	sse_free(&s);
	sb_free(&g.log);
}
END_TEST

START_TEST(backoff)
{
	ck_assert(http_backoff_s(1, 7, 300) == 7);     /* the server's word */
	ck_assert(http_backoff_s(1, 900, 300) == 300); /* capped */
	ck_assert(http_backoff_s(1, 0, 300) >= 0.1);    /* "Retry-After: 0" is not "now, forever" */
	for (int a = 1; a < 30; a++) {
		double d = http_backoff_s(a, -1, 300);
		double base = a > 9 ? 300 : (double)(1 << (a - 1));
		if (base > 300)
			base = 300;
		ck_assert(d <= 300 && d >= base / 2 - 1e-9 && d <= base + 1e-9);
	}
}
END_TEST


#include "../../core/template.h"

START_TEST(template_render)
{
	sbuf o = SBUF_INIT;
	char err[256];
	ck_assert_int_eq(tpl_render("Hi {{ name }}, {{n}} items {{ not a var }} {{", "{\"name\":\"Ann\",\"n\":3}", &o, err,
				    sizeof err),
			 0);
	ck_assert_str_eq(sb_str(&o), "Hi Ann, 3 items {{ not a var }} {{");
	ck_assert_int_eq(tpl_render("{{a}} and {{b}}", "{\"a\":\"x\"}", &o, err, sizeof err), -1);
	ck_assert_str_eq(err, "the call has no variable 'b' (it has: a)");
	ck_assert_int_eq(tpl_render("{{a}}", NULL, &o, err, sizeof err), -1);
	ck_assert_str_eq(err, "the call has no variable 'a' (it recorded no variables)");
	sb_free(&o);
}
END_TEST

Suite *suite_http(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("sse");
	tcase_add_test(tc, sse_events);
	tcase_add_test(tc, sse_unfinished);
	tcase_add_test(tc, sse_corpus);
	tcase_add_test(tc, sse_caps);
	tcase_add_test(tc, backoff);
	tcase_add_test(tc, template_render);
	suite_add_tcase(s, tc);
	return s;
}
