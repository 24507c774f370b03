/* The list position every scrolling view keeps, and the column drawer of
 * the tabular views. */
#include "../../core/action.h"
#include "../../tui/columns.h"
#include "../../tui/listpos.h"
#include "../../tui/tui.h"
#include "t.h"

/* ---- listpos ----------------------------------------------------------- */

START_TEST(paging_stops_at_the_ends)
{
	listpos lp = {.n = 50, .page = 10, .keep = 1};
	ck_assert(listpos_action(&lp, A_MOVE_UP));
	ck_assert_int_eq(lp.sel, 0);
	listpos_action(&lp, A_PAGE_DOWN);
	ck_assert_int_eq(lp.sel, 9); /* a page less the row kept */
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.top, 0); /* row 9 is the last on screen */
	listpos_action(&lp, A_MOVE_DOWN);
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.sel, 10);
	ck_assert_int_eq(lp.top, 1);
	for (int i = 0; i < 10; i++)
		listpos_action(&lp, A_PAGE_DOWN);
	ck_assert_int_eq(lp.sel, 49);
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.top, 40);
	listpos_action(&lp, A_PAGE_UP);
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.sel, 40);
	ck_assert_int_eq(lp.top, 40); /* still on screen: the top stays */
	listpos_action(&lp, A_MOVE_FIRST);
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.sel, 0);
	ck_assert_int_eq(lp.top, 0);
	listpos_action(&lp, A_MOVE_LAST);
	ck_assert_int_eq(lp.sel, 49);
	ck_assert(!listpos_action(&lp, A_ENTER));
	ck_assert_int_eq(lp.sel, 49);
}
END_TEST

START_TEST(page_step_keeps_rows)
{
	listpos lp = {.n = 100, .page = 20, .keep = 2};
	listpos_action(&lp, A_PAGE_DOWN);
	ck_assert_int_eq(lp.sel, 18);
	lp.page = 0; /* not drawn yet: a page key still moves */
	ck_assert_int_eq(listpos_step(&lp), 1);
}
END_TEST

START_TEST(empty_list)
{
	listpos lp = {.page = 10, .keep = 1};
	int acts[] = {A_MOVE_DOWN, A_MOVE_UP, A_PAGE_DOWN, A_PAGE_UP, A_MOVE_FIRST, A_MOVE_LAST};
	for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
		ck_assert(listpos_action(&lp, acts[i]));
		listpos_follow(&lp, 0);
		ck_assert_int_eq(lp.sel, 0);
		ck_assert_int_eq(lp.top, 0);
	}
	ck_assert(listpos_scroll(&lp, A_MOVE_LAST));
	ck_assert_int_eq(lp.top, 0);
}
END_TEST

/* A live refresh brought 3 newer rows above: the cursor stays on the row it
 * was on, at the same place on screen. */
START_TEST(follow_rows_prepended)
{
	listpos lp = {.n = 30, .page = 10, .keep = 1, .sel = 12, .top = 8};
	lp.n += 3;
	listpos_follow(&lp, 3);
	ck_assert_int_eq(lp.sel, 15);
	ck_assert_int_eq(lp.top, 11);
	/* Rows dropped from the front: the same, the other way. */
	lp.n -= 5;
	listpos_follow(&lp, -5);
	ck_assert_int_eq(lp.sel, 10);
	ck_assert_int_eq(lp.top, 6);
	/* The selected row itself went: the selection stays in the list. */
	listpos_follow(&lp, -20);
	ck_assert_int_eq(lp.sel, 0);
	ck_assert_int_eq(lp.top, 0);
}
END_TEST

START_TEST(follow_after_resize)
{
	listpos lp = {.n = 100, .page = 20, .keep = 1, .sel = 19, .top = 0};
	lp.page = 10; /* the terminal got shorter */
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.top, 10);
	ck_assert_int_eq(lp.sel, 19);
	lp.page = 40; /* taller again: no need to move */
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.top, 10);
	lp.n = 5; /* the list shrank under the selection */
	listpos_follow(&lp, 0);
	ck_assert_int_eq(lp.sel, 4);
	ck_assert_int_eq(lp.top, 4);
}
END_TEST

START_TEST(pager_scrolls_within_range)
{
	listpos lp = {.n = 25, .page = 10, .keep = 1};
	ck_assert(listpos_scroll(&lp, A_PAGE_DOWN));
	ck_assert_int_eq(lp.top, 9);
	listpos_scroll(&lp, A_PAGE_DOWN);
	ck_assert_int_eq(lp.top, 15); /* the last page, not past it */
	listpos_scroll(&lp, A_MOVE_DOWN);
	ck_assert_int_eq(lp.top, 15);
	listpos_scroll(&lp, A_MOVE_FIRST);
	listpos_scroll(&lp, A_MOVE_UP);
	ck_assert_int_eq(lp.top, 0);
	listpos_scroll(&lp, A_MOVE_LAST);
	ck_assert_int_eq(lp.top, 15);
	lp.page = 30; /* everything fits */
	listpos_clamp(&lp);
	ck_assert_int_eq(lp.top, 0);
	ck_assert(!listpos_scroll(&lp, A_SORT));
}
END_TEST

/* ---- columns ----------------------------------------------------------- */

enum { C_TIME, C_ST, C_MODEL, C_PROMPT, C_LAT, C_TOK, C_COST, C_OUT, C_N };

static const column calls[C_N] = {
    [C_TIME] = {"TIME", 8, 0, COL_LEFT, EL_DIM},
    [C_ST] = {"ST", 3, 1, COL_LEFT, EL_OK},
    [C_MODEL] = {"MODEL", 17, 1, COL_LEFT, EL_DEFAULT, 1, 0, 2, 8, 0, {{100, 22}, {140, 26}}},
    [C_PROMPT] = {"PROMPT", 16, 1, COL_LEFT, EL_ACCENT, 1, 0, 3, 8, 0, {{100, 20}, {140, 24}}},
    [C_LAT] = {"LAT", 6, 1, COL_RIGHT, EL_DEFAULT},
    [C_TOK] = {"IN/OUT", 11, 1, COL_RIGHT, EL_DEFAULT, 0, 0, 1, 0, 100},
    [C_COST] = {"COST", 7, 1, COL_RIGHT, EL_DEFAULT},
    [C_OUT] = {"OUTPUT", 10, 1, COL_LEFT, EL_DIM, 1, 1},
};

static void want(const columns *l, const int *x, const int *w)
{
	for (int i = 0; i < l->n; i++) {
		ck_assert_msg(l->w[i] == w[i] && (w[i] <= 0 || l->x[i] == x[i]), "column %d: at %d width %d, wanted at %d width %d",
			      i, l->x[i], l->w[i], x[i], w[i]);
	}
}

START_TEST(widths_at_80_and_200)
{
	columns l;
	columns_layout(&l, calls, C_N, 79);
	want(&l, (int[]){0, 9, 13, 31, 48, 0, 55, 63}, (int[]){8, 3, 17, 16, 6, 0, 7, 16});
	columns_layout(&l, calls, C_N, 199);
	want(&l, (int[]){0, 9, 13, 40, 65, 72, 84, 92}, (int[]){8, 3, 26, 24, 6, 11, 7, 107});
	/* 100 takes the first step up, and the token column shows. */
	columns_layout(&l, calls, C_N, 100);
	want(&l, (int[]){0, 9, 13, 36, 57, 64, 76, 84}, (int[]){8, 3, 22, 20, 6, 11, 7, 16});
}
END_TEST

/* Narrower than the columns: the model gives way first, down to its
 * least, then the prompt; the rest keep their width. */
START_TEST(which_column_gives_way)
{
	columns l;
	columns_layout(&l, calls, C_N, 70);
	want(&l, (int[]){0, 9, 13, 28, 45, 0, 52, 60}, (int[]){8, 3, 14, 16, 6, 0, 7, 10});
	columns_layout(&l, calls, C_N, 60);
	want(&l, (int[]){0, 9, 13, 22, 35, 0, 42, 50}, (int[]){8, 3, 8, 12, 6, 0, 7, 10});
}
END_TEST

/* A column shown only on a wide terminal, the fill column too. */
START_TEST(columns_shown_from_a_width)
{
	static const column c[] = {
	    {"A", 10, 0, COL_LEFT, EL_DEFAULT},
	    {"B", 4, 1, COL_RIGHT, EL_DEFAULT, .from = 50},
	    {"C", 5, 2, COL_LEFT, EL_DEFAULT, .fill = 1, .from = 60},
	};
	columns l;
	columns_layout(&l, c, 3, 49);
	want(&l, (int[]){0, 0, 0}, (int[]){10, 0, 0});
	columns_layout(&l, c, 3, 59);
	want(&l, (int[]){0, 11, 0}, (int[]){10, 4, 0});
	columns_layout(&l, c, 3, 60);
	want(&l, (int[]){0, 11, 17}, (int[]){10, 4, 43});
}
END_TEST

START_TEST(a_column_without_min_is_dropped_whole)
{
	static const column c[] = {
	    {"A", 10, 0, COL_LEFT, EL_DEFAULT, 0, 0, 2, 4},
	    {"B", 10, 1, COL_LEFT, EL_DEFAULT, 0, 0, 1, 0},
	    {"C", 5, 1, COL_LEFT, EL_DEFAULT, 0, 1},
	};
	columns l;
	columns_layout(&l, c, 3, 40);
	want(&l, (int[]){0, 11, 22}, (int[]){10, 10, 18});
	columns_layout(&l, c, 3, 25); /* B goes, pad and all; A keeps its width */
	want(&l, (int[]){0, 0, 11}, (int[]){10, 0, 14});
	columns_layout(&l, c, 3, 12); /* then A shrinks by what C lacks */
	want(&l, (int[]){0, 0, 7}, (int[]){6, 0, 5});
	columns_layout(&l, c, 3, 8); /* A down to its least; the fill gets what is left */
	want(&l, (int[]){0, 0, 5}, (int[]){4, 0, 3});
}
END_TEST

static char *draw_and_dump(void)
{
	setenv("COLUMNS", "40", 1);
	setenv("LINES", "4", 1);
	tui_opts o = {.ascii = 1, .no_display = 1};
	char err[256];
	ck_assert_msg(tui_init(&o, err, sizeof err) == 0, "%s", err);
	static const column c[] = {
	    {"NAME", 8, 1, COL_LEFT, EL_DEFAULT, 1},
	    {"CALLS", 6, 1, COL_RIGHT, EL_DEFAULT},
	    {"NOTE", 4, 2, COL_LEFT, EL_DIM, 1, 1},
	};
	columns l;
	columns_layout(&l, c, 3, 30);
	tui_frame_begin();
	columns_header(&l, 0, 2);
	columns_row(&l, 1, 2, (const char *const[]){"a-long-name", "42", "the rest of the row, cut"}, NULL);
	columns_row(&l, 2, 2, (const char *const[]){"short", NULL, "x"}, (const int[]){EL_CRIT, -1, -1});
	char *path = t_path("dump");
	FILE *f = fopen(path, "w");
	tui_dump(f);
	fclose(f);
	tui_end();
	char *s = t_read(path, NULL);
	free(path);
	return s;
}

START_TEST(cells_aligned_and_cut)
{
	char *s = draw_and_dump();
	/* Left and right alignment, an ellipsis (~ in ASCII) where text was cut
	 * in a column that says so, the fill column to the room's end. */
	ck_assert_str_eq(s, "   NAME      CALLS  NOTE\n"
			    "   a-long-~     42  the rest of~\n"
			    "   short            x\n"
			    "\n");
	free(s);
}
END_TEST

Suite *suite_listpos(void)
{
	Suite *s = suite_create("listpos");
	TCase *tc = tcase_create("listpos");
	tcase_add_test(tc, paging_stops_at_the_ends);
	tcase_add_test(tc, page_step_keeps_rows);
	tcase_add_test(tc, empty_list);
	tcase_add_test(tc, follow_rows_prepended);
	tcase_add_test(tc, follow_after_resize);
	tcase_add_test(tc, pager_scrolls_within_range);
	suite_add_tcase(s, tc);
	tc = tcase_create("columns");
	tcase_add_test(tc, widths_at_80_and_200);
	tcase_add_test(tc, which_column_gives_way);
	tcase_add_test(tc, columns_shown_from_a_width);
	tcase_add_test(tc, a_column_without_min_is_dropped_whole);
	tcase_add_test(tc, cells_aligned_and_cut);
	suite_add_tcase(s, tc);
	return s;
}
