/* Text diff: minimal edits, hunks, side-by-side rows, word marks, and a
 * unified diff that patch(1) applies. */
#include <unistd.h>

#include "../../core/textdiff.h"
#include "t.h"

/* Applies the ops to the old text and checks every claim they make: equal
 * runs really are equal, and the result is the new text. */
static void check_ops(const char *a, const char *b)
{
	td_diff d;
	textdiff_lines(a, strlen(a), b, strlen(b), &d);
	sbuf r = SBUF_INIT;
	size_t pa = 0, pb = 0;
	for (size_t i = 0; i < d.nops; i++) {
		const td_op *op = &d.ops[i];
		ck_assert_uint_gt(op->n, 0);
		ck_assert_uint_eq(op->a, pa);
		ck_assert_uint_eq(op->b, pb);
		for (size_t k = 0; k < op->n; k++) {
			size_t la, lb;
			int na, nb;
			if (op->kind == TD_EQUAL) {
				const char *x = textdiff_line(&d, 0, op->a + k, &la, &na);
				const char *y = textdiff_line(&d, 1, op->b + k, &lb, &nb);
				ck_assert(la == lb && na == nb && !memcmp(x, y, la));
				sb_add(&r, x, la);
				if (na)
					sb_addc(&r, '\n');
			} else if (op->kind == TD_INSERT) {
				const char *y = textdiff_line(&d, 1, op->b + k, &lb, &nb);
				sb_add(&r, y, lb);
				if (nb)
					sb_addc(&r, '\n');
			}
		}
		if (op->kind != TD_INSERT)
			pa += op->n;
		if (op->kind != TD_DELETE)
			pb += op->n;
	}
	ck_assert_uint_eq(pa, d.a.n);
	ck_assert_uint_eq(pb, d.b.n);
	ck_assert_str_eq(sb_str(&r), b);
	sb_free(&r);
	textdiff_free(&d);
}

static size_t edits(const char *a, const char *b)
{
	td_diff d;
	textdiff_lines(a, strlen(a), b, strlen(b), &d);
	size_t n = d.ndel + d.nins;
	textdiff_free(&d);
	return n;
}

START_TEST(textdiff_identical_and_empty)
{
	const char *t = "one\ntwo\nthree\n";
	ck_assert_uint_eq(edits(t, t), 0);
	td_diff d;
	textdiff_lines(t, strlen(t), t, strlen(t), &d);
	ck_assert_uint_eq(d.nops, 1);
	ck_assert_int_eq(d.ops[0].kind, TD_EQUAL);
	ck_assert_uint_eq(d.ops[0].n, 3);
	sbuf u = SBUF_INIT;
	textdiff_unified(&d, "a", "b", 3, &u);
	ck_assert_uint_eq(u.len, 0); /* nothing to say */
	td_hunk *h;
	ck_assert_uint_eq(textdiff_hunks(&d, 3, &h), 0);
	free(h);
	textdiff_free(&d);

	ck_assert_uint_eq(edits("", ""), 0);
	ck_assert_uint_eq(edits("", t), 3);
	ck_assert_uint_eq(edits(t, ""), 3);
	check_ops("", t);
	check_ops(t, "");
	check_ops("", "");
}
END_TEST

START_TEST(textdiff_ends)
{
	check_ops("b\nc\n", "a\nb\nc\n");
	check_ops("a\nb\nc\n", "b\nc\n");
	check_ops("a\nb\n", "a\nb\nc\n");
	check_ops("a\nb\nc\n", "a\nb\n");
	ck_assert_uint_eq(edits("b\nc\n", "a\nb\nc\n"), 1);
	ck_assert_uint_eq(edits("a\nb\nc\n", "a\nb\n"), 1);
	td_diff d;
	textdiff_lines("b\nc\n", 4, "a\nb\nc\n", 6, &d);
	ck_assert_uint_eq(d.nops, 2);
	ck_assert_int_eq(d.ops[0].kind, TD_INSERT);
	ck_assert_uint_eq(d.ops[0].b, 0);
	textdiff_free(&d);
}
END_TEST

/* Myers' paper: ABCABBA -> CBABAC takes 5 edits (and no fewer). */
START_TEST(textdiff_myers_example)
{
	const char *a = "A\nB\nC\nA\nB\nB\nA\n", *b = "C\nB\nA\nB\nA\nC\n";
	ck_assert_uint_eq(edits(a, b), 5);
	check_ops(a, b);
	check_ops(b, a);
	ck_assert_uint_eq(edits("a\nb\nc\nd\n", "x\ny\n"), 6);
	ck_assert_uint_eq(edits("a\nx\nb\ny\nc\n", "a\nb\nc\n"), 2);
}
END_TEST

START_TEST(textdiff_trailing_newline)
{
	/* The last line differs by its newline only: one line out, one in. */
	ck_assert_uint_eq(edits("a\nb\n", "a\nb"), 2);
	check_ops("a\nb\n", "a\nb");
	check_ops("a\nb", "a\nb\n");
	td_diff d;
	textdiff_lines("a\nb\n", 4, "a\nb", 3, &d);
	sbuf u = SBUF_INIT;
	textdiff_unified(&d, "old", "new", 3, &u);
	ck_assert_str_eq(sb_str(&u), "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
	sb_free(&u);
	size_t len;
	int nl;
	const char *l = textdiff_line(&d, 1, 1, &len, &nl);
	ck_assert(len == 1 && *l == 'b' && !nl);
	textdiff_free(&d);
}
END_TEST

START_TEST(textdiff_hunks_and_rows)
{
	/* 20 lines; line 3 changed, line 16 deleted, a line added at the end. */
	sbuf a = SBUF_INIT, b = SBUF_INIT;
	for (int i = 1; i <= 20; i++) {
		sb_printf(&a, "line %d\n", i);
		if (i == 3)
			sb_printf(&b, "LINE three\n");
		else if (i != 16)
			sb_printf(&b, "line %d\n", i);
	}
	sb_adds(&b, "tail\n");
	td_diff d;
	textdiff_lines(a.p, a.len, b.p, b.len, &d);
	td_hunk *h;
	size_t nh = textdiff_hunks(&d, 2, &h);
	ck_assert_uint_eq(nh, 2);
	ck_assert_uint_eq(h[0].a, 0); /* lines 1..5: context clipped at the top */
	ck_assert_uint_eq(h[0].an, 5);
	ck_assert_uint_eq(h[0].bn, 5);
	ck_assert_uint_eq(h[1].a, 13); /* lines 14..20 */
	ck_assert_uint_eq(h[1].an, 7);
	ck_assert_uint_eq(h[1].b, 13);
	ck_assert_uint_eq(h[1].bn, 7);
	free(h);
	ck_assert_uint_eq(textdiff_hunks(&d, 10, &h), 1);
	free(h);

	td_row *r;
	size_t nr = textdiff_rows(&d, 1, &r);
	/* gap 1 | same, changed, same | gap 10 | same, deleted, same ... */
	ck_assert_int_eq(r[0].kind, TD_GAP);
	ck_assert_uint_eq(r[0].skip, 1);
	ck_assert_int_eq(r[1].kind, TD_SAME);
	ck_assert_int_eq(r[2].kind, TD_CHANGED);
	ck_assert_int_eq(r[2].a, 2);
	ck_assert_int_eq(r[2].b, 2);
	ck_assert_int_eq(r[3].kind, TD_SAME);
	ck_assert_int_eq(r[4].kind, TD_GAP);
	ck_assert_uint_eq(r[4].skip, 10);
	ck_assert_int_eq(r[5].kind, TD_SAME);
	ck_assert_int_eq(r[6].kind, TD_DELETED);
	ck_assert_int_eq(r[6].a, 15);
	ck_assert_int_eq(r[6].b, -1);
	ck_assert_int_eq(r[nr - 1].kind, TD_INSERTED);
	ck_assert_int_eq(r[nr - 1].b, 19);
	free(r);
	nr = textdiff_rows(&d, -1, &r); /* everything */
	ck_assert_uint_eq(nr, 21);
	free(r);
	textdiff_free(&d);
	sb_free(&a);
	sb_free(&b);
}
END_TEST

static char *marked(const char *s, const td_range *r, size_t n)
{
	sbuf b = SBUF_INIT;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		sb_add(&b, s + at, r[i].off - at);
		sb_addc(&b, '[');
		sb_add(&b, s + r[i].off, r[i].len);
		sb_addc(&b, ']');
		at = r[i].off + r[i].len;
	}
	sb_adds(&b, s + at);
	return sb_steal(&b);
}

START_TEST(textdiff_word_marks)
{
	const char *a = "You are a helpful support agent. Answer briefly.";
	const char *b = "You are a friendly support agent! Answer briefly.";
	td_words w;
	textdiff_words(a, strlen(a), b, strlen(b), &w);
	char *ma = marked(a, w.a, w.na), *mb = marked(b, w.b, w.nb);
	ck_assert_str_eq(ma, "You are a [helpful] support agent[.] Answer briefly.");
	ck_assert_str_eq(mb, "You are a [friendly] support agent[!] Answer briefly.");
	free(ma);
	free(mb);
	textdiff_words_free(&w);

	/* Adjacent changed tokens make one range; an insertion marks only the new side. */
	a = "max_tokens = 100";
	b = "max_tokens = 2000, temperature";
	textdiff_words(a, strlen(a), b, strlen(b), &w);
	ma = marked(a, w.a, w.na);
	mb = marked(b, w.b, w.nb);
	ck_assert_str_eq(ma, "max_tokens = [100]");
	ck_assert_str_eq(mb, "max_tokens = [2000, temperature]");
	free(ma);
	free(mb);
	textdiff_words_free(&w);

	textdiff_words("same words", 10, "same words", 10, &w);
	ck_assert_uint_eq(w.na + w.nb, 0);
	textdiff_words_free(&w);
	textdiff_words("", 0, "new", 3, &w);
	ck_assert_uint_eq(w.na, 0);
	ck_assert_uint_eq(w.nb, 1);
	ck_assert_uint_eq(w.b[0].len, 3);
	textdiff_words_free(&w);
}
END_TEST

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

/* diff -u output must be what patch(1) takes: old + patch = new. */
static void patch_roundtrip(const char *a, const char *b, int context)
{
	td_diff d;
	textdiff_lines(a, strlen(a), b, strlen(b), &d);
	sbuf u = SBUF_INIT;
	textdiff_unified(&d, "a/p.txt", "b/p.txt", context, &u);
	textdiff_free(&d);
	char *old = t_path("old.txt"), *pf = t_path("d.patch"), *res = t_path("res.txt");
	write_file(old, a);
	write_file(pf, sb_str(&u));
	sbuf cmd = SBUF_INIT;
	sb_printf(&cmd, "patch -s -o '%s' '%s' < '%s'", res, old, pf);
	int rc = system(cmd.p);
	ck_assert_msg(rc == 0, "patch failed on:\n%s", sb_str(&u));
	char *got = t_read(res, NULL);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, b);
	free(got);
	unlink(res);
	free(old);
	free(pf);
	free(res);
	sb_free(&cmd);
	sb_free(&u);
}

START_TEST(textdiff_unified_applies)
{
	t_tmpdir();
	const char *a = "You are a support agent.\nBe brief.\nCite the order id.\n\nNever promise refunds.\n"
			"Sign as Sam.\nline 7\nline 8\nline 9\nline 10\nline 11\n";
	const char *b = "You are a friendly support agent.\nBe brief.\nCite the order id.\n\n"
			"Sign as Sam.\nline 7\nline 8\nline 9\nline 10\nline 11\nEscalate anything legal.\n";
	patch_roundtrip(a, b, 3);
	patch_roundtrip(a, b, 0);
	patch_roundtrip(a, b, 1);
	patch_roundtrip("", b, 3);
	patch_roundtrip(a, "only this\n", 3);
	patch_roundtrip("x\ny", "x\ny\nz\n", 3);
	patch_roundtrip("x\ny\nz\n", "x\ny", 3);
}
END_TEST

/* A 100,000-character prompt of 2,000 lines with many scattered edits: the
 * diff stays exact (every claim checked) and patch applies it. */
START_TEST(textdiff_big)
{
	t_tmpdir();
	sbuf a = SBUF_INIT, b = SBUF_INIT;
	uint64_t rng = 12345;
	size_t changed = 0;
	for (int i = 0; i < 2000; i++) {
		char line[64];
		snprintf(line, sizeof line, "%04d the quick brown fox %08llx jumps over it lazily\n", i,
			 (unsigned long long)(hash64(&i, sizeof i, 1) & 0xffffffff));
		sb_adds(&a, line);
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		int r = (int)((rng >> 33) % 10);
		if (r == 0) { /* changed */
			line[5] = 'T';
			sb_adds(&b, line);
			changed += 2;
		} else if (r == 1) { /* deleted */
			changed++;
		} else if (r == 2) { /* a line inserted after */
			sb_adds(&b, line);
			sb_printf(&b, "inserted after %d\n", i);
			changed++;
		} else {
			sb_adds(&b, line);
		}
	}
	ck_assert_uint_ge(a.len, 100000);
	check_ops(a.p, b.p);
	check_ops(b.p, a.p);
	td_diff d;
	textdiff_lines(a.p, a.len, b.p, b.len, &d);
	ck_assert_int_eq(d.coarse, 0);
	ck_assert_uint_le(d.ndel + d.nins, changed); /* minimal: no more than we made */
	textdiff_free(&d);
	patch_roundtrip(a.p, b.p, 3);

	/* Wholly different texts of the same size: still a correct diff. */
	sbuf c = SBUF_INIT;
	for (int i = 0; i < 2000; i++)
		sb_printf(&c, "%d other text entirely, nothing shared\n", i * 7);
	check_ops(a.p, c.p);

	/* Past the edit bound (40,000 lines with nothing in common): coarse but
	 * still correct. */
	sbuf x = SBUF_INIT, y = SBUF_INIT;
	for (int i = 0; i < 20000; i++) {
		sb_printf(&x, "x%d\n", i);
		sb_printf(&y, "y%d\n", i);
	}
	textdiff_lines(x.p, x.len, y.p, y.len, &d);
	ck_assert_int_eq(d.coarse, 1);
	ck_assert_uint_eq(d.ndel, 20000);
	ck_assert_uint_eq(d.nins, 20000);
	textdiff_free(&d);
	check_ops(x.p, y.p);
	sb_free(&x);
	sb_free(&y);
	sb_free(&a);
	sb_free(&b);
	sb_free(&c);
}
END_TEST

Suite *suite_textdiff(void)
{
	Suite *s = suite_create("textdiff");
	TCase *t = tcase_create("textdiff");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, textdiff_identical_and_empty);
	tcase_add_test(t, textdiff_ends);
	tcase_add_test(t, textdiff_myers_example);
	tcase_add_test(t, textdiff_trailing_newline);
	tcase_add_test(t, textdiff_hunks_and_rows);
	tcase_add_test(t, textdiff_word_marks);
	tcase_add_test(t, textdiff_unified_applies);
	tcase_add_test(t, textdiff_big);
	suite_add_tcase(s, t);
	return s;
}
