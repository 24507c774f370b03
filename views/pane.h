/* The dashboard's panes, kept as htop keeps its meters: one file each with a
 * const pane_ops table, listed in dashboard.c's panes[]. The dashboard owns
 * the layout, the focus, the cursor moves and the window's series; a pane
 * derives what it shows from them in reload (never in draw: a frame reads
 * nothing from the store) and draws only that. */
#ifndef LLMOPS_PANE_H
#define LLMOPS_PANE_H

#include "../data/changes.h"
#include "../tui/listpos.h"
#include "view.h"

/* What every pane reads, loaded by the dashboard before the panes reload. */
typedef struct dash_data {
	int loaded;      /* 0: the store could not be read, nothing to show */
	series_t s;      /* the window, per column and per model */
	int64_t from, to;
	changes_t ch;    /* what changed in the window (deploys mark the time axes) */
	int ch_ok;       /* 0: ch_err says why the changes could not be read */
	char ch_err[256];
} dash_data;

typedef struct pane_ops pane_ops;

typedef struct pane {
	const pane_ops *ops;
	void *priv;         /* ops->private_size bytes, zeroed */
	const dash_data *d;
	int focused;
	listpos pos;        /* a pane with rows: which one is selected (pos.sel) */
	int moved;          /* the user has moved sel (by key or `/`) */
} pane_t;

struct pane_ops {
	const char *name;
	size_t private_size;
	/* The data, the window or the filter changed: d is new (the old
	 * series is still alive, for rows that point into it). */
	void (*reload)(pane_t *p, app_t *a);
	/* The providers' usage or cost reports in the store changed. */
	void (*billed)(pane_t *p, app_t *a);
	/* Draws the pane, its box included, into rows y..y+h-1, columns x..x+w-1. */
	void (*draw)(pane_t *p, app_t *a, int y, int x, int h, int w);
	/* Enter, the drill-down: 1 when done, 0 to open all the window's calls. */
	int (*enter)(pane_t *p, app_t *a);
	/* An action the pane takes itself, focused or not: 1 when it did. A
	 * focused pane sees the cursor moves first. */
	int (*action)(pane_t *p, app_t *a, int act);
	/* How many rows the cursor moves over; NULL: no cursor. */
	int (*rows)(pane_t *p);
	/* `/`: the next row (dir 1) or the previous (-1) from sel whose name
	 * has text; 1 with sel on it when there is one. */
	int (*search)(pane_t *p, const char *text, int dir);
	void (*close)(pane_t *p);
	/* A strip across the dashboard's whole width, over the other panes:
	 * the rows it takes (its box included) on a w x h dashboard. NULL: a
	 * pane laid out with the others. */
	int (*height)(pane_t *p, int w, int h);
};

extern const pane_ops pane_cost, pane_latency, pane_errors, pane_changes;

/* ---- shared by the panes (pane.c) -------------------------------------- */

/* The measures a pane charts over the window. */
enum pane_measure { PM_SPEND, PM_ERROR_RATE, PM_P95 };

void pane_usd(char *b, size_t n, int64_t nusd);
/* The element of an error rate against the warn and crit thresholds. */
int pane_rate_el(app_t *a, double rate);
/* A measure of cols as a sparkline w wide. */
void pane_spark(const dash_data *d, const rstats *cols, int measure, int y, int x, int w, int el);
/* The same as a titled column chart with its time axis under it, h rows
 * in all, for panes with room to spare: a spike is a tall bar. */
void pane_chart(const dash_data *d, app_t *a, const rstats *cols, int measure, const char *title, int y, int x, int h,
		int w, int el);
/* A time axis w wide under a chart or a strip of the window: "-1h" on the
 * left, "now" on the right, and a mark at each deploy (the error colour
 * when it regressed). */
void pane_time_axis(const dash_data *d, app_t *a, int y, int x, int w);
/* Where a chart has no axis (a sparkline, at 80x24): a bar through the
 * sparkline's column of each deploy on model (NULL: any) that replaced a
 * version or model, so that a step in the line shows next to the deploy
 * that made it. */
void pane_spark_marks(const dash_data *d, const char *model, int y, int x, int w);
/* A line of text put down piece after piece, each where the last ended
 * and none past end: a headline of figures in several elements. */
typedef struct pane_line {
	int y, x, end;
} pane_line;

/* Puts the text at l->x and moves l->x past it; the columns it took. */
int pane_put(pane_line *l, int el, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The columns left on the line. */
static inline int pane_room(const pane_line *l)
{
	return l->end - l->x;
}
/* The selected row's highlight, from the cursor column at x - 1. */
void pane_cursor(int y, int x, int w);
/* A key that moves a cursor (up, down, a page, first, last). */
int pane_is_move(int act);
/* Opens the trace list over the window, narrowed by extra. */
void pane_open_traces(app_t *a, const char *extra, int sort);

#endif
