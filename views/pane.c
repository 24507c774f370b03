/* What the dashboard's panes share: amounts, thresholds, charts of the
 * window and the drill-down (pane.h). */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tui/tui.h"
#include "pane.h"

void pane_usd(char *b, size_t n, int64_t nusd)
{
	fmt_usd(b, n, (double)nusd / 1e9);
}

int pane_rate_el(app_t *a, double rate)
{
	double pct = rate * 100;
	if (pct >= config_num(a->cfg, CFG_error_crit))
		return EL_CRIT;
	if (pct >= config_num(a->cfg, CFG_error_warn))
		return EL_WARN;
	return EL_OK;
}

/* Resamples per-column values onto n screen columns. */
static void resample(const double *src, int ns, double *dst, int n)
{
	for (int i = 0; i < n; i++) {
		int a = i * ns / n, b = (i + 1) * ns / n;
		if (b <= a)
			b = a + 1;
		double sum = 0;
		int k = 0;
		for (int j = a; j < b && j < ns; j++)
			if (src[j] >= 0) {
				sum = fmax(sum, src[j]);
				k++;
			}
		dst[i] = k ? sum : -1;
	}
}

/* A measure over the window's columns, resampled to at most w values. */
static int series_values(const dash_data *d, const rstats *cols, int measure, int w, double *o, double *max)
{
	double *v = xcalloc((size_t)d->s.ncols, sizeof *v);
	*max = 0;
	for (int c = 0; c < d->s.ncols; c++) {
		const rstats *r = &cols[c];
		if (measure == PM_SPEND)
			v[c] = (double)r->cost_nusd / 1e9;
		else if (measure == PM_ERROR_RATE)
			v[c] = r->calls ? rstats_error_rate(r) : -1;
		else
			v[c] = r->lat.total ? hist_quantile(&r->lat, 95) : -1;
		if (v[c] > *max)
			*max = v[c];
	}
	int n = w < d->s.ncols ? w : d->s.ncols;
	resample(v, d->s.ncols, o, n);
	free(v);
	return n;
}

void pane_spark(const dash_data *d, const rstats *cols, int measure, int y, int x, int w, int el)
{
	if (w <= 0 || !d->s.ncols)
		return;
	double *o = xcalloc((size_t)w, sizeof *o), max;
	int n = series_values(d, cols, measure, w, o, &max);
	draw_spark(y, x, o, n, max, el);
	free(o);
}

static void chart_of(const dash_data *d, const rstats *cols, int measure, int y, int x, int h, int w, int el)
{
	if (w <= 0 || h <= 0 || !d->s.ncols)
		return;
	double *o = xcalloc((size_t)w, sizeof *o), max;
	int n = series_values(d, cols, measure, w, o, &max);
	for (int c = 0; c < n && max > 0; c++) {
		if (o[c] <= 0)
			continue;
		int eighths = (int)ceil(o[c] / max * h * 8);
		for (int r = 0; r < h && eighths > 0; r++, eighths -= 8)
			draw_glyph(y + h - 1 - r, x + c, (enum glyph)(G_SPARK0 + (eighths >= 8 ? 7 : eighths - 1)), el);
	}
	free(o);
}

void pane_chart(const dash_data *d, app_t *a, const rstats *cols, int measure, const char *title, int y, int x, int h,
		int w, int el)
{
	if (h < 4)
		return;
	draw_text(y, x, w, title, EL_DIM);
	chart_of(d, cols, measure, y + 1, x, h - 2, w, el);
	pane_time_axis(d, a, y + h - 1, x, w);
}

/* The screen column of the window's n of a deploy at t, or -1 outside it. */
static int deploy_col(const dash_data *d, int64_t t, int n)
{
	int64_t span = d->to - d->from;
	if (span <= 0 || n <= 0 || t < d->from || t >= d->to)
		return -1;
	int col = (int)((double)(t - d->from) / (double)span * n);
	return col >= n ? n - 1 : col;
}

/* Whether a change is a deploy on model (NULL: on any). */
static int deploy_on(const change *c, const char *model)
{
	if (c->kind != CHANGE_NEW)
		return 0;
	if (!model)
		return 1;
	return c->prompt ? c->model && !strcmp(c->model, model) : !strcmp(c->version, model);
}

void pane_time_axis(const dash_data *d, app_t *a, int y, int x, int w)
{
	int n = w < d->s.ncols ? w : d->s.ncols;
	draw_textf(y, x, w, EL_DIM, "-%s", a->window_name);
	/* Deploy markers: a mark on the axis at the minute a prompt version or
	 * model first served, over the window's label (in an incident it
	 * matters more); "now" stands left of a mark that falls on it. */
	int now_end = n;
	for (size_t i = 0; i < d->ch.n; i++) {
		const change *c = &d->ch.v[i];
		int col = deploy_on(c, NULL) ? deploy_col(d, c->first_ns, n) : -1;
		if (col < 0)
			continue;
		draw_glyph(y, x + col, G_UP, c->regressed ? EL_CRIT : EL_MARK);
		if (col >= n - 3 && col < now_end)
			now_end = col;
	}
	draw_text_right(y, x, now_end, "now", EL_DIM);
}

void pane_spark_marks(const dash_data *d, const char *model, int y, int x, int w)
{
	int n = w < d->s.ncols ? w : d->s.ncols;
	for (size_t i = 0; i < d->ch.n; i++) {
		const change *c = &d->ch.v[i];
		/* Only a deploy that replaced something: the mark takes a cell of
		 * the line, worth it for a step, not for data that merely begins. */
		int col = deploy_on(c, model) && c->before ? deploy_col(d, c->first_ns, n) : -1;
		if (col >= 0)
			draw_glyph(y, x + col, G_VLINE, c->regressed ? EL_CRIT : EL_MARK);
	}
}

int pane_put(pane_line *l, int el, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	int n = draw_text(l->y, l->x, l->end - l->x, buf, el);
	l->x += n;
	return n;
}

void pane_cursor(int y, int x, int w)
{
	draw_chgat(y, x - 1, w + 1, EL_SELECTED);
	draw_text(y, x - 1, 1, glyph(G_CURSOR), EL_SELECTED);
}

int pane_is_move(int act)
{
	return act == A_MOVE_DOWN || act == A_MOVE_UP || act == A_MOVE_FIRST || act == A_MOVE_LAST || act == A_PAGE_DOWN ||
	       act == A_PAGE_UP;
}

void pane_open_traces(app_t *a, const char *extra, int sort)
{
	char f[512];
	snprintf(f, sizeof f, "since=%s%s%s", a->window_name, *extra ? " " : "", extra);
	app_show_traces(a, f, sort);
}
