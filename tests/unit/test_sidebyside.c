/* The side-by-side layout: nothing cut (the pieces of a side are its whole
 * text), no piece wider than its column, both sides one height, word marks
 * with and without text markers, hunks, and untrusted text made safe. */
#include <locale.h>

#include "../../core/sidebyside.h"
#include "t.h"

typedef struct fixture {
	td_diff d;
	sbs_layout l;
} fixture;

static void lay(fixture *f, const char *a, const char *b, int context, int cols, int flags)
{
	textdiff_lines(a, strlen(a), b, strlen(b), &f->d);
	sidebyside_build(&f->l, &f->d, NULL, context, cols, flags);
}

static void unlay(fixture *f)
{
	sidebyside_free(&f->l);
	textdiff_free(&f->d);
}

static const char *side_text(const fixture *f, size_t row, int side)
{
	return f->l.text.p + f->l.rows[row].side[side].off;
}

/* Joins a side's pieces, and checks each fits its column. */
static char *joined(const fixture *f, size_t row, int side)
{
	const sbs_row *r = &f->l.rows[row];
	sbuf b = SBUF_INIT;
	sb_adds(&b, "");
	for (size_t k = 0; k < r->height; k++) {
		size_t off, len;
		if (!sidebyside_piece(&f->l, r->first + k, side, &off, &len)) {
			ck_assert_uint_ge(k, r->side[side].npieces);
			continue;
		}
		const char *p = side_text(f, row, side) + off;
		int used;
		ck_assert_uint_eq(sidebyside_fit(p, len, f->l.cols, &used), len);
		ck_assert_int_le(used, f->l.cols);
		sb_add(&b, p, len);
	}
	return sb_steal(&b);
}

/* Every display line belongs to the row it says, in order, without gaps. */
static void check_lines(const fixture *f)
{
	size_t line = 0;
	for (size_t i = 0; i < f->l.nrows; i++) {
		const sbs_row *r = &f->l.rows[i];
		ck_assert_uint_eq(r->first, line);
		size_t h = r->side[0].npieces > r->side[1].npieces ? r->side[0].npieces : r->side[1].npieces;
		ck_assert_uint_eq(r->height, h ? h : 1);
		for (size_t k = 0; k < r->height; k++) {
			size_t kk;
			ck_assert_ptr_eq(sidebyside_row(&f->l, line + k, &kk), r);
			ck_assert_uint_eq(kk, k);
		}
		line += r->height;
	}
	ck_assert_uint_eq(line, f->l.nlines);
	ck_assert_ptr_null(sidebyside_row(&f->l, line, NULL));
}

START_TEST(sbs_wraps_without_cutting)
{
	fixture f;
	const char *a = "short\nsame line\n";
	const char *b = "a much longer line that has to wrap over several pieces of ten\nsame line\n";
	lay(&f, a, b, -1, 10, 0);
	check_lines(&f);
	ck_assert_uint_eq(f.l.nrows, 2);
	ck_assert_int_eq(f.l.rows[0].kind, TD_CHANGED);
	/* Nothing in common: one line deleted, one inserted, no word marks. */
	ck_assert_int_eq(f.l.rows[0].side[0].mark, '-');
	ck_assert_int_eq(f.l.rows[0].side[1].mark, '+');
	ck_assert_uint_eq(f.l.rows[0].side[0].nspans + f.l.rows[0].side[1].nspans, 0);
	ck_assert_uint_eq(f.l.rows[0].side[0].npieces, 1);
	ck_assert_uint_ge(f.l.rows[0].side[1].npieces, 7);
	ck_assert_uint_eq(f.l.rows[0].height, f.l.rows[0].side[1].npieces);
	char *s = joined(&f, 0, 1);
	ck_assert_str_eq(s, "a much longer line that has to wrap over several pieces of ten");
	free(s);
	s = joined(&f, 0, 0);
	ck_assert_str_eq(s, "short");
	free(s);
	/* Breaks fall after a blank when there is one. */
	size_t off, len;
	ck_assert(sidebyside_piece(&f.l, 0, 1, &off, &len));
	ck_assert_uint_eq(len, 7); /* "a much " */
	/* The shorter side has nothing on the row's later lines. */
	ck_assert(!sidebyside_piece(&f.l, 1, 0, &off, &len));
	ck_assert_int_eq(f.l.rows[1].kind, TD_SAME);
	ck_assert_int_eq(f.l.rows[1].side[0].mark, ' ');
	ck_assert_int_eq(f.l.rows[1].side[0].line, 1);
	ck_assert_int_eq(f.l.rows[1].side[1].line, 1);
	ck_assert_uint_eq(f.l.nhunks, 1);
	ck_assert_uint_eq(f.l.hunks[0], 0);
	unlay(&f);

	/* Without wrapping, one piece a side however long. */
	lay(&f, a, b, -1, 10, SBS_NOWRAP);
	check_lines(&f);
	ck_assert_uint_eq(f.l.rows[0].height, 1);
	ck_assert(sidebyside_piece(&f.l, 0, 1, &off, &len));
	ck_assert_uint_eq(len, strlen("a much longer line that has to wrap over several pieces of ten"));
	unlay(&f);
}
END_TEST

START_TEST(sbs_word_marks)
{
	fixture f;
	const char *a = "Answer in English.\nThe quick brown fox jumps.\n";
	const char *b = "Answer in English.\nThe quick red fox jumps.\n";
	lay(&f, a, b, -1, 80, 0);
	ck_assert_uint_eq(f.l.nrows, 2);
	const sbs_row *r = &f.l.rows[1];
	ck_assert_int_eq(r->kind, TD_CHANGED);
	ck_assert_int_eq(r->side[0].mark, '~');
	ck_assert_int_eq(r->side[1].mark, '~');
	ck_assert_str_eq(side_text(&f, 1, 0), "The quick brown fox jumps.");
	ck_assert_uint_eq(r->side[0].nspans, 1);
	ck_assert_uint_eq(f.l.spans[r->side[0].span0].off, 10);
	ck_assert_uint_eq(f.l.spans[r->side[0].span0].len, 5);
	ck_assert_uint_eq(r->side[1].nspans, 1);
	ck_assert_uint_eq(f.l.spans[r->side[1].span0].off, 10);
	ck_assert_uint_eq(f.l.spans[r->side[1].span0].len, 3);
	ck_assert_uint_eq(f.l.nhunks, 1);
	ck_assert_uint_eq(f.l.hunks[0], 1);

	/* Laid out again from a cache of the word diffs: the same marks. */
	sbs_cache cache = {0};
	for (int pass = 0; pass < 2; pass++) {
		sbs_layout l2;
		sidebyside_build(&l2, &f.d, &cache, pass ? 1 : -1, 20, 0);
		const sbs_row *r2 = sidebyside_row(&l2, l2.hunks[0], NULL);
		ck_assert_uint_eq(r2->side[0].nspans, 1);
		ck_assert_uint_eq(l2.spans[r2->side[0].span0].off, 10);
		ck_assert_uint_eq(l2.spans[r2->side[0].span0].len, 5);
		ck_assert_int_eq(r2->side[1].mark, '~');
		sidebyside_free(&l2);
	}
	sidebyside_cache_free(&cache);
	unlay(&f);

	/* Without colour the marks are in the text too, and the spans cover them. */
	lay(&f, a, b, -1, 80, SBS_MARKERS);
	r = &f.l.rows[1];
	ck_assert_str_eq(side_text(&f, 1, 0), "The quick [-brown-] fox jumps.");
	ck_assert_str_eq(side_text(&f, 1, 1), "The quick {+red+} fox jumps.");
	ck_assert_uint_eq(f.l.spans[r->side[0].span0].len, strlen("[-brown-]"));
	ck_assert_uint_eq(f.l.spans[r->side[1].span0].len, strlen("{+red+}"));
	unlay(&f);

	/* A missing newline at the end is a change that shows. */
	lay(&f, "one\ntwo", "one\ntwo\n", -1, 80, 0);
	ck_assert_uint_eq(f.l.nrows, 2);
	ck_assert_int_eq(f.l.rows[1].side[0].mark, '~');
	ck_assert_str_eq(side_text(&f, 1, 0), "two" SBS_NO_NEWLINE);
	ck_assert_str_eq(side_text(&f, 1, 1), "two");
	ck_assert_uint_eq(f.l.rows[1].side[0].nspans, 1);
	unlay(&f);
}
END_TEST

START_TEST(sbs_context_and_hunks)
{
	sbuf a = SBUF_INIT, b = SBUF_INIT;
	for (int i = 1; i <= 40; i++) {
		sb_printf(&a, "line %d\n", i);
		if (i == 5)
			sb_printf(&b, "line five\n");
		else if (i == 30)
			sb_printf(&b, "line 30\nline 30 and a half\n");
		else if (i != 20)
			sb_printf(&b, "line %d\n", i);
	}
	fixture f;
	lay(&f, a.p, b.p, 2, 40, 0);
	check_lines(&f);
	/* gap, 2 context, changed, 2, gap, 2, deleted, 2, gap, 2, inserted, 2, gap */
	ck_assert_uint_eq(f.l.nhunks, 3);
	ck_assert_int_eq(f.l.rows[0].kind, TD_GAP);
	ck_assert_uint_eq(f.l.rows[0].skip, 2);
	size_t want[3];
	size_t n = 0;
	for (size_t i = 0; i < f.l.nrows; i++) {
		int k = f.l.rows[i].kind;
		if ((k == TD_CHANGED || k == TD_DELETED || k == TD_INSERTED) &&
		    (i == 0 || f.l.rows[i - 1].kind == TD_SAME || f.l.rows[i - 1].kind == TD_GAP))
			want[n++] = f.l.rows[i].first;
	}
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(f.l.hunks[i], want[i]);
	const sbs_row *gap = sidebyside_row(&f.l, f.l.nlines - 1, NULL);
	ck_assert_int_eq(gap->kind, TD_GAP);
	ck_assert_uint_eq(gap->skip, 8); /* lines 33..40 */
	ck_assert_uint_eq(gap->side[0].npieces + gap->side[1].npieces, 0);
	unlay(&f);

	/* The whole text: every line, the same three hunks. */
	lay(&f, a.p, b.p, -1, 40, 0);
	check_lines(&f);
	ck_assert_uint_eq(f.l.nhunks, 3);
	ck_assert_uint_eq(f.l.nlines, 41); /* 40 old lines, one inserted */
	unlay(&f);

	/* Identical texts: no hunks; the whole text still lays out. */
	lay(&f, a.p, a.p, -1, 40, 0);
	ck_assert_uint_eq(f.l.nhunks, 0);
	ck_assert_uint_eq(f.l.nlines, 40);
	unlay(&f);
	sb_free(&a);
	sb_free(&b);
}
END_TEST

START_TEST(sbs_untrusted_and_wide)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	fixture f;
	/* Escape sequences, controls and tabs on the old side; wide characters on the new. */
	lay(&f, "x\x1b]52;c;ZWNobw==\x07y\tz\x01\n", "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\n",
	    -1, 5, 0);
	check_lines(&f);
	const char *t = side_text(&f, 0, 0);
	for (const char *p = t; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20, "control byte 0x%02x reached the display text", *p);
	ck_assert_ptr_null(strstr(t, "52;"));
	ck_assert_ptr_nonnull(strstr(t, "y    z")); /* the tab, four spaces */
	/* Five columns hold two wide characters, never two and a half. */
	size_t off, len;
	ck_assert(sidebyside_piece(&f.l, 0, 1, &off, &len));
	ck_assert_uint_eq(len, 6);
	char *s = joined(&f, 0, 1);
	ck_assert_str_eq(s, "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2");
	free(s);
	unlay(&f);

	/* A column narrower than one character still moves on. */
	lay(&f, "", "\xe6\xbc\xa2\xe5\xad\x97\n", -1, 1, 0);
	ck_assert_uint_eq(f.l.rows[0].side[1].npieces, 2);
	unlay(&f);

	/* ASCII mode: only ASCII out. */
	lay(&f, "caf\xc3\xa9\n", "cafe\n", -1, 20, SBS_ASCII);
	for (const char *p = side_text(&f, 0, 0); *p; p++)
		ck_assert_int_lt((unsigned char)*p, 0x80);
	unlay(&f);
}
END_TEST

START_TEST(sbs_long_line)
{
	/* 100k characters on one line, one word changed in the middle. */
	sbuf a = SBUF_INIT, b = SBUF_INIT;
	for (int i = 0; i < 20000; i++) {
		sb_printf(&a, "%s ", i == 10000 ? "alpha" : "word");
		sb_printf(&b, "%s ", i == 10000 ? "omega" : "word");
	}
	sb_addc(&a, '\n');
	sb_addc(&b, '\n');
	fixture f;
	lay(&f, a.p, b.p, 3, 37, SBS_MARKERS);
	check_lines(&f);
	ck_assert_uint_eq(f.l.nrows, 1);
	ck_assert_uint_ge(f.l.nlines, 100000 / 37);
	char *s = joined(&f, 0, 0);
	ck_assert_uint_eq(strlen(s), a.len - 1 + strlen("[--]"));
	ck_assert_ptr_nonnull(strstr(s, "[-alpha-]"));
	free(s);
	s = joined(&f, 0, 1);
	ck_assert_ptr_nonnull(strstr(s, "{+omega+}"));
	free(s);
	unlay(&f);
	sb_free(&a);
	sb_free(&b);
}
END_TEST

Suite *suite_sidebyside(void)
{
	Suite *s = suite_create("sidebyside");
	TCase *t = tcase_create("layout");
	tcase_add_test(t, sbs_wraps_without_cutting);
	tcase_add_test(t, sbs_word_marks);
	tcase_add_test(t, sbs_context_and_hunks);
	tcase_add_test(t, sbs_untrusted_and_wide);
	tcase_add_test(t, sbs_long_line);
	suite_add_tcase(s, t);
	return s;
}
