/* A trace drawn as a waterfall: where each span's bar goes. */
#include "../../data/trace.h"
#include "t.h"

static trace_view trace_of(int64_t start, int64_t end)
{
	trace_view t;
	memset(&t, 0, sizeof t);
	t.start = start;
	t.end = end;
	return t;
}

static trace_span span_at(int64_t start, int64_t end)
{
	trace_span s;
	memset(&s, 0, sizeof s);
	s.start = start;
	s.end = end;
	return s;
}

START_TEST(cells_on_the_trace_scale)
{
	trace_view t = trace_of(1000, 1000 + 68000000); /* 68ms */
	int c0, c1;
	trace_span root = span_at(1000, 1000 + 68000000);
	trace_span_cells(&t, &root, 16, &c0, &c1);
	ck_assert_int_eq(c0, 0);
	ck_assert_int_eq(c1, 16);
	/* the second half */
	trace_span late = span_at(1000 + 34000000, 1000 + 68000000);
	trace_span_cells(&t, &late, 16, &c0, &c1);
	ck_assert_int_eq(c0, 8);
	ck_assert_int_eq(c1, 16);
	/* a short tool call in the middle still shows, in one column */
	trace_span tool = span_at(1000 + 34000000, 1000 + 34000100);
	trace_span_cells(&t, &tool, 16, &c0, &c1);
	ck_assert_int_eq(c0, 8);
	ck_assert_int_eq(c1, 9);
	/* its end unknown: one column where it started */
	trace_span open = span_at(1000 + 17000000, -1);
	trace_span_cells(&t, &open, 16, &c0, &c1);
	ck_assert_int_eq(c0, 4);
	ck_assert_int_eq(c1, 5);
	/* an instant at the very end stays inside the bar */
	trace_span last = span_at(1000 + 68000000, 1000 + 68000000);
	trace_span_cells(&t, &last, 16, &c0, &c1);
	ck_assert_int_eq(c0, 15);
	ck_assert_int_eq(c1, 16);
}
END_TEST

START_TEST(cells_of_an_instant_trace)
{
	/* a trace of one span with no duration: one column, not a division by zero */
	trace_view t = trace_of(5, 5);
	trace_span s = span_at(5, 5);
	int c0, c1;
	trace_span_cells(&t, &s, 70, &c0, &c1);
	ck_assert_int_eq(c0, 0);
	ck_assert_int_eq(c1, 1);
}
END_TEST

Suite *suite_trace(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("waterfall");
	tcase_add_test(tc, cells_on_the_trace_scale);
	tcase_add_test(tc, cells_of_an_instant_trace);
	suite_add_tcase(s, tc);
	return s;
}
