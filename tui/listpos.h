/* Where a list or a pager is: how many rows, which one is selected, which
 * one is on top and how many show. Every scrolling view keeps one, so that
 * the moving keys mean the same thing everywhere. No curses here: it is
 * arithmetic, tested on its own. */
#ifndef LLMOPS_LISTPOS_H
#define LLMOPS_LISTPOS_H

typedef struct listpos {
	int n;    /* rows in the list */
	int sel;  /* the selected row, 0..n-1 (0 when the list is empty) */
	int top;  /* the first row on screen */
	int page; /* rows on screen, as the last draw had them */
	int keep; /* rows a page key keeps in view (a page moves page - keep rows, at least 1) */
} listpos;

/* A list: the moving actions (core/action.h: move-up/down, page-up/down,
 * move-first/last) move the selection, which stays in the list. 1 when the
 * action was one of them. */
int listpos_action(listpos *lp, int action);
/* A list, after a change: moved rows were added above the selection
 * (negative: taken away), so the selection and the top move with them and
 * the cursor stays on the same row at the same place on screen; then the
 * selection is kept in the list and on screen (top moving as little as it
 * can). 0 when only the count or the page changed. */
void listpos_follow(listpos *lp, int moved);
/* A pager (no selection): the moving actions move the top, which stays
 * where a page of rows can show; 1 when the action was one of them. */
int listpos_scroll(listpos *lp, int action);
/* A pager, after the rows or the page changed: the top back in range. */
void listpos_clamp(listpos *lp);
/* The rows a page key moves. */
int listpos_step(const listpos *lp);

#endif
