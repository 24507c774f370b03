#include "listpos.h"

#include "../core/action.h"

int listpos_step(const listpos *lp)
{
	int step = lp->page - lp->keep;
	return step > 1 ? step : 1;
}

static void clamp_sel(listpos *lp)
{
	if (lp->sel >= lp->n)
		lp->sel = lp->n - 1;
	if (lp->sel < 0)
		lp->sel = 0;
}

int listpos_action(listpos *lp, int action)
{
	switch (action) {
	case A_MOVE_DOWN: lp->sel++; break;
	case A_MOVE_UP: lp->sel--; break;
	case A_PAGE_DOWN: lp->sel += listpos_step(lp); break;
	case A_PAGE_UP: lp->sel -= listpos_step(lp); break;
	case A_MOVE_FIRST: lp->sel = 0; break;
	case A_MOVE_LAST: lp->sel = lp->n - 1; break;
	default: return 0;
	}
	clamp_sel(lp);
	return 1;
}

void listpos_follow(listpos *lp, int moved)
{
	lp->sel += moved;
	lp->top += moved;
	clamp_sel(lp);
	/* A page of nothing (not drawn yet) still shows the selected row. */
	int page = lp->page > 0 ? lp->page : 1;
	if (lp->sel < lp->top)
		lp->top = lp->sel;
	if (lp->sel >= lp->top + page)
		lp->top = lp->sel - page + 1;
	if (lp->top < 0)
		lp->top = 0;
}

void listpos_clamp(listpos *lp)
{
	if (lp->top > lp->n - lp->page)
		lp->top = lp->n - lp->page;
	if (lp->top < 0)
		lp->top = 0;
}

int listpos_scroll(listpos *lp, int action)
{
	switch (action) {
	case A_MOVE_DOWN: lp->top++; break;
	case A_MOVE_UP: lp->top--; break;
	case A_PAGE_DOWN: lp->top += listpos_step(lp); break;
	case A_PAGE_UP: lp->top -= listpos_step(lp); break;
	case A_MOVE_FIRST: lp->top = 0; break;
	case A_MOVE_LAST: lp->top = lp->n; break;
	default: return 0;
	}
	listpos_clamp(lp);
	return 1;
}
