/* The import path's JSON scanner: what it decodes is what the record said,
 * and what it cannot vouch for it refuses (the importer then falls back to
 * cJSON, which words the error), never reading past the end of its input. */
#include "../../core/jsonscan.h"
#include "t.h"

/* A scanner over an exact-size copy of text, without a NUL after it, so that
 * AddressSanitizer sees any read past the end. */
static jscan over(const char *text, size_t n, char **copy)
{
	*copy = xmalloc(n ? n : 1);
	memcpy(*copy, text, n);
	jscan s = {*copy, *copy + n};
	return s;
}

/* The string at the start of text, decoded; NULL when refused. */
static char *str_of(const char *text, arena_t *a, size_t *len)
{
	char *copy, *out = NULL;
	jscan s = over(text, strlen(text), &copy);
	size_t n = 0;
	int rc = js_string(&s, a, &out, &n);
	free(copy);
	if (len)
		*len = n;
	return rc ? NULL : out;
}

START_TEST(strings_and_escapes)
{
	arena_t a = {0};
	size_t n;
	ck_assert_str_eq(str_of("\"plain text\"", &a, &n), "plain text");
	ck_assert_uint_eq(n, 10);
	ck_assert_str_eq(str_of("  \"\"", &a, &n), "");
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(str_of("\"a\\\"b\\\\c\\/d\"", &a, NULL), "a\"b\\c/d");
	ck_assert_str_eq(str_of("\"\\b\\f\\n\\r\\t\"", &a, &n), "\b\f\n\r\t");
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(str_of("\"caf\\u00e9\"", &a, NULL), "caf\xc3\xa9");
	ck_assert_str_eq(str_of("\"\\u20AC\"", &a, NULL), "\xe2\x82\xac");
	/* A surrogate pair is one character: U+1F600 in four bytes. */
	ck_assert_str_eq(str_of("\"\\ud83d\\ude00!\"", &a, &n), "\xf0\x9f\x98\x80!");
	ck_assert_uint_eq(n, 5);
	/* UTF-8 as it came, and long runs (the eight-bytes-at-a-time path) with an escape at every offset. */
	ck_assert_str_eq(str_of("\"\xe6\x97\xa5\xe6\x9c\xac\"", &a, NULL), "\xe6\x97\xa5\xe6\x9c\xac");
	for (int at = 0; at < 20; at++) {
		char in[64], want[64];
		snprintf(in, sizeof in, "\"%.*s\\n%.*s\"", at, "abcdefghijklmnopqrstuvwxyz", 19 - at, "ABCDEFGHIJKLMNOPQRSTU");
		snprintf(want, sizeof want, "%.*s\n%.*s", at, "abcdefghijklmnopqrstuvwxyz", 19 - at, "ABCDEFGHIJKLMNOPQRSTU");
		ck_assert_str_eq(str_of(in, &a, NULL), want);
	}
	arena_free(&a);
}
END_TEST

/* What RFC 8259 does not allow, and what a C string cannot hold. */
START_TEST(strings_refused)
{
	arena_t a = {0};
	const char *bad[] = {
	    "\"unterminated",
	    "\"ends in a backslash\\",
	    "\"\\u12\"",
	    "\"\\u12G4\"",
	    "\"\\x41\"",
	    "\"\\'\"",
	    "\"raw\ttab\"",
	    "\"raw\nnewline\"",
	    "\"\x01\"",
	    "\"\\u0000\"",        /* a NUL inside a C string would cut it short */
	    "\"\\ud83d\"",        /* a lone high surrogate */
	    "\"\\ud83dx\"",
	    "\"\\ude00\"",        /* a lone low surrogate */
	    "\"\\ud83d\\u0041\"", /* high surrogate, then not a low one */
	    "'single'",
	    "plain",
	    "",
	    NULL,
	};
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(str_of(bad[i], &a, NULL) == NULL, "accepted %s", bad[i]);
	arena_free(&a);
}
END_TEST

static int num_of(const char *text, double *v, int *is_int, int64_t *iv, size_t *used)
{
	char *copy;
	jscan s = over(text, strlen(text), &copy);
	int rc = js_number(&s, v, is_int, iv);
	*used = (size_t)(s.p - copy);
	free(copy);
	return rc;
}

START_TEST(numbers)
{
	double v;
	int is_int;
	int64_t iv;
	size_t used;
	ck_assert_int_eq(num_of("1200", &v, &is_int, &iv, &used), 0);
	ck_assert(is_int);
	ck_assert_int_eq(iv, 1200);
	ck_assert_uint_eq(used, 4);
	ck_assert_int_eq(num_of("-42,", &v, &is_int, &iv, &used), 0);
	ck_assert(is_int);
	ck_assert_int_eq(iv, -42);
	ck_assert_uint_eq(used, 3); /* stops before what follows */
	ck_assert_int_eq(num_of("0", &v, &is_int, &iv, &used), 0);
	ck_assert_int_eq(iv, 0);
	/* A token count of 18 digits is exact; past that it is a double. */
	ck_assert_int_eq(num_of("123456789012345678", &v, &is_int, &iv, &used), 0);
	ck_assert(is_int);
	ck_assert_int_eq(iv, 123456789012345678LL);
	ck_assert_int_eq(num_of("99999999999999999999999", &v, &is_int, &iv, &used), 0);
	ck_assert(!is_int);
	ck_assert_double_eq_tol(v, 1e23, 1e9);
	ck_assert_int_eq(num_of("1234.5", &v, &is_int, &iv, &used), 0);
	ck_assert(!is_int);
	ck_assert_double_eq(v, 1234.5);
	ck_assert_int_eq(num_of("0.00123", &v, &is_int, &iv, &used), 0);
	ck_assert_double_eq_tol(v, 0.00123, 1e-12);
	ck_assert_int_eq(num_of("1e3", &v, &is_int, &iv, &used), 0);
	ck_assert(!is_int);
	ck_assert_double_eq(v, 1000);
	ck_assert_int_eq(num_of("-2.5E-2", &v, &is_int, &iv, &used), 0);
	ck_assert_double_eq_tol(v, -0.025, 1e-12);
	ck_assert_int_eq(num_of("5e+2", &v, &is_int, &iv, &used), 0);
	ck_assert_double_eq(v, 500);
	/* A leading zero ends the number: "01" is 0, then a stray digit the caller refuses. */
	ck_assert_int_eq(num_of("01", &v, &is_int, &iv, &used), 0);
	ck_assert_uint_eq(used, 1);
	const char *bad[] = {"-", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-x", "", "NaN", "Infinity", NULL};
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(num_of(bad[i], &v, &is_int, &iv, &used) == -1, "accepted '%s'", bad[i]);
	/* Too long to be read in place: refused, for cJSON to read. */
	char big[128] = "0.";
	memset(big + 2, '1', 100);
	big[102] = 0;
	ck_assert_int_eq(num_of(big, &v, &is_int, &iv, &used), -1);
}
END_TEST

static int skip_all(const char *text, size_t n)
{
	char *copy;
	jscan s = over(text, n, &copy);
	int rc = js_skip(&s);
	if (rc == 0) {
		js_ws(&s);
		if (s.p != s.end)
			rc = 1; /* valid, with something after it */
	}
	free(copy);
	return rc;
}

START_TEST(skip_validates)
{
	const char *good[] = {
	    "{}", "[]", " [ ] ", "\"x\"", "0", "-1.5e3", "true", "false", "null",
	    "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\\u00e9\",\"e\":{}}",
	    "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]",
	    "\t{\r\n\"k\" : [ true , false ] }\n",
	    NULL,
	};
	for (int i = 0; good[i]; i++)
		ck_assert_msg(skip_all(good[i], strlen(good[i])) == 0, "refused %s", good[i]);
	const char *bad[] = {
	    "{", "[", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}", "[01]", "[1 2]",
	    "tru", "nul", "falsey", "[true false]", "{\"a\":1 \"b\":2}", "[\"\\q\"]", "}", "]", ":", "[1]]",
	    "{\"a\":1}}", "/* comment */ 1", "[NaN]", "", " ",
	    NULL,
	};
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(skip_all(bad[i], strlen(bad[i])) != 0, "accepted %s", bad[i]);
}
END_TEST

/* Every cut of a record is refused, and none is read past its end. */
START_TEST(truncated_records)
{
	const char *rec = "{\"ts\":\"2026-11-23T11:00:00Z\",\"model\":\"gpt-4o\",\"input_tokens\":1200,"
			  "\"input\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00 \\\"quoted\\\"\"}],"
			  "\"cost_usd\":-1.25e-3,\"ok\":true,\"none\":null,\"v\":{\"a\":[false]}}";
	size_t n = strlen(rec);
	ck_assert_int_eq(skip_all(rec, n), 0);
	for (size_t cut = 0; cut < n; cut++)
		ck_assert_msg(skip_all(rec, cut) != 0, "accepted the first %zu bytes", cut);
}
END_TEST

/* Nesting deeper than any record needs is refused without exhausting the
 * stack, however deep it goes. */
START_TEST(deep_nesting)
{
	size_t depth = 200000;
	char *doc = xmalloc(2 * depth);
	memset(doc, '[', depth);
	memset(doc + depth, ']', depth);
	ck_assert_int_eq(skip_all(doc, 2 * depth), -1);
	/* Objects too. */
	sbuf b = SBUF_INIT;
	for (int i = 0; i < 5000; i++)
		sb_adds(&b, "{\"a\":");
	sb_adds(&b, "1");
	for (int i = 0; i < 5000; i++)
		sb_addc(&b, '}');
	ck_assert_int_eq(skip_all(b.p, b.len), -1);
	sb_free(&b);
	/* A depth real data has is fine. */
	memset(doc, '[', 100);
	memset(doc + 100, ']', 100);
	ck_assert_int_eq(skip_all(doc, 200), 0);
	free(doc);
}
END_TEST

START_TEST(peek_and_expect)
{
	char *copy;
	const char *text = "  {\"k\": [1, \"two\", true, false, null]}";
	jscan s = over(text, strlen(text), &copy);
	ck_assert_int_eq(js_peek(&s), JS_OBJ);
	ck_assert_int_eq(js_expect(&s, '['), -1); /* not moved */
	ck_assert_int_eq(js_expect(&s, '{'), 0);
	ck_assert_int_eq(js_peek(&s), JS_STR);
	arena_t a = {0};
	char *k;
	size_t n;
	ck_assert_int_eq(js_string(&s, &a, &k, &n), 0);
	ck_assert_str_eq(k, "k");
	ck_assert_int_eq(js_expect(&s, ':'), 0);
	ck_assert_int_eq(js_peek(&s), JS_ARR);
	ck_assert_int_eq(js_expect(&s, '['), 0);
	const enum js_type want[] = {JS_NUM, JS_STR, JS_TRUE, JS_FALSE, JS_NULL};
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(js_peek(&s), want[i]);
		ck_assert_int_eq(js_skip(&s), 0);
		js_expect(&s, ',');
	}
	ck_assert_int_eq(js_expect(&s, ']'), 0);
	ck_assert_int_eq(js_expect(&s, '}'), 0);
	ck_assert_int_eq(js_peek(&s), JS_ERR); /* the end */
	ck_assert_int_eq(js_expect(&s, '}'), -1);
	arena_free(&a);
	free(copy);
}
END_TEST

Suite *suite_jsonscan(void)
{
	Suite *s = suite_create("jsonscan");
	TCase *t = tcase_create("jsonscan");
	tcase_add_test(t, strings_and_escapes);
	tcase_add_test(t, strings_refused);
	tcase_add_test(t, numbers);
	tcase_add_test(t, skip_validates);
	tcase_add_test(t, truncated_records);
	tcase_add_test(t, deep_nesting);
	tcase_add_test(t, peek_and_expect);
	suite_add_tcase(s, t);
	return s;
}
