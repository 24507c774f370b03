/* A prompt label fitted to its column: the version stays visible whatever
 * the name, the widths are the terminal's, and nothing unsafe comes through. */
#include <locale.h>
#include <wchar.h>

#include "../../core/label.h"
#include "../../core/rollup.h"
#include "../../core/sanitize.h"
#include "../../data/report_out.h"
#include "t.h"

#define ELL "\xe2\x80\xa6"

/* The display width of s, as the terminal measures it. */
static int cols_of(const char *s)
{
	int w = 0;
	for (size_t i = 0, n = strlen(s); i < n;) {
		uint32_t cp;
		i += utf8_decode((const unsigned char *)s + i, n - i, &cp);
		int cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : cw;
	}
	return w;
}

static void fits(const char *label, int cols, const char *want)
{
	char out[256];
	int w = label_fit_prompt(label, cols, ELL, 0, out, sizeof out);
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(w, cols_of(out));
	ck_assert_int_le(w, cols);
}

START_TEST(label_keeps_the_version)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	fits("support_answer@8", 16, "support_answer@8");
	fits("support_answer@8", 30, "support_answer@8");
	fits("support_answer@8", 15, "support_answ" ELL "@8");
	fits("support_answer_long@8", 16, "support_answe" ELL "@8");
	fits("support_answer@12", 8, "supp" ELL "@12");
	/* The last '@' splits: a name may hold one. */
	fits("team@support@7", 10, "team@su" ELL "@7");
	/* No version: cut at the end. */
	fits("support-answer", 8, "support" ELL);
}
END_TEST

START_TEST(label_multibyte)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	/* Accented: a column a character, several bytes each. */
	fits("r\xc3\xa9ponse_client@12", 10, "r\xc3\xa9pons" ELL "@12");
	/* Wide: two columns a character, never half of one. */
	fits("\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97@3", 8,
	     "\xe6\xbc\xa2\xe5\xad\x97" ELL "@3");
	/* A multibyte version stays whole. */
	fits("support_answer@v\xc3\xa9t\xc3\xa9", 12, "suppor" ELL "@v\xc3\xa9t\xc3\xa9");
}
END_TEST

START_TEST(label_version_longer_than_the_column)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	/* One character of the name, then the version's beginning. */
	fits("support-answer@2024-11-20-release-candidate", 12, "s" ELL "@2024-11-" ELL);
	fits("support-answer@9f8e7d6c5b4a39281706", 14, "s" ELL "@9f8e7d6c5b" ELL);
	/* Too narrow for even that: the label's beginning. */
	fits("support-answer@2024-11-20", 4, "sup" ELL);
	fits("support-answer@8", 1, ELL);
	char out[8];
	ck_assert_int_eq(label_fit_prompt("support-answer@8", 0, ELL, 0, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(label_untrusted_and_ascii)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	char out[256];
	/* An escape sequence in the name never reaches the output, and the
	 * version still shows. */
	label_fit_prompt("evil\x1b]52;c;ZWNobw==\x07name_that_is_long@8", 12, ELL, 0, out, sizeof out);
	for (const char *p = out; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20, "control byte 0x%02x came through", *p);
	ck_assert_ptr_nonnull(strstr(out, ELL "@8"));
	ck_assert_int_le(cols_of(out), 12);
	/* ASCII: non-ASCII becomes '?', the ellipsis is the caller's. */
	int w = label_fit_prompt("r\xc3\xa9ponse_client@12", 10, "~", SAN_ASCII, out, sizeof out);
	ck_assert_str_eq(out, "r?pons~@12");
	ck_assert_int_eq(w, 10);
	/* A short buffer is cut at a character boundary. */
	char small[5];
	label_fit_prompt("\xe6\xbc\xa2\xe5\xad\x97@3", 10, ELL, 0, small, sizeof small);
	ck_assert_str_eq(small, "\xe6\xbc\xa2");
}
END_TEST

/* report's text: a PROMPT column too narrow for a name keeps the versions apart. */
START_TEST(label_in_the_report_table)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	report_group g[2] = {{"support_answer_for_the_long_tail@8", {0}}, {"support_answer_for_the_long_tail@7", {0}}};
	report_t r = {.by = BY_PROMPT, .groups = g, .n = 2};
	rstats_init(&r.total);
	for (int i = 0; i < 2; i++) {
		rstats_init(&g[i].s);
		g[i].s.calls = 10;
		r.total.calls += 10;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_write_text(&r, f, 40, 0);
	fclose(f);
	ck_assert_msg(strstr(buf, ELL "@8 ") && strstr(buf, ELL "@7 "), "versions cut away:\n%s", buf);
	ck_assert_ptr_null(strstr(buf, "@" ELL));
	free(buf);
	for (int i = 0; i < 2; i++)
		rstats_free(&g[i].s);
	rstats_free(&r.total);
}
END_TEST

Suite *suite_label(void)
{
	Suite *s = suite_create("label");
	TCase *t = tcase_create("fit");
	tcase_add_test(t, label_keeps_the_version);
	tcase_add_test(t, label_multibyte);
	tcase_add_test(t, label_version_longer_than_the_column);
	tcase_add_test(t, label_untrusted_and_ascii);
	tcase_add_test(t, label_in_the_report_table);
	suite_add_tcase(s, t);
	return s;
}
