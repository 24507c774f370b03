/* The latency pane: the distribution of the window's latencies with its
 * percentiles, time to first token, and p95 over the window; for all models
 * or one (m cycles, as do the cursor keys when the pane has the focus).
 * Enter opens the calls slower than the p95 it shows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tui/tui.h"
#include "pane.h"

typedef struct latency {
	char model[128]; /* "" for all */
} latency;

static const series_group *latency_group(pane_t *p)
{
	const latency *l = p->priv;
	if (!l->model[0])
		return NULL;
	for (size_t i = 0; i < p->d->s.ngroups; i++)
		if (!strcmp(p->d->s.groups[i].key, l->model))
			return &p->d->s.groups[i];
	return NULL;
}

static void draw_histogram(const hist_t *h, int y, int x, int hh, int w, double *marks, int nmarks, int *mcols)
{
	double lo = h->min > 0.5 ? h->min : 0.5, hi = h->max > lo * 1.01 ? h->max : lo * 2;
	double llo = log(lo), lhi = log(hi);
	double *cols = xcalloc((size_t)w, sizeof *cols), max = 0;
	for (uint32_t i = 0; i < h->n; i++) {
		double v = hist_bucket_mid(h->idx[i]);
		if (v < lo)
			v = lo;
		int c = (int)floor((log(v) - llo) / (lhi - llo) * (w - 1) + 0.5);
		if (c < 0)
			c = 0;
		if (c >= w)
			c = w - 1;
		cols[c] += (double)h->cnt[i];
	}
	for (int c = 0; c < w; c++)
		if (cols[c] > max)
			max = cols[c];
	for (int c = 0; c < w && max > 0; c++) {
		int eighths = (int)ceil(cols[c] / max * hh * 8);
		if (cols[c] > 0 && eighths == 0)
			eighths = 1;
		for (int r = 0; r < hh && eighths > 0; r++, eighths -= 8) {
			int lvl = eighths >= 8 ? 7 : eighths - 1;
			draw_glyph(y + hh - 1 - r, x + c, (enum glyph)(G_SPARK0 + lvl), EL_BAR);
		}
	}
	for (int i = 0; i < nmarks; i++) {
		double v = marks[i] < lo ? lo : marks[i] > hi ? hi : marks[i];
		mcols[i] = (int)floor((log(v) - llo) / (lhi - llo) * (w - 1) + 0.5);
	}
	free(cols);
}

/* Time x latency, as lnav's spectrogram: a column per time slice, a row per
 * band of latency (log scale, slowest on top), darker where more calls fell. */
static void heat_strip(const dash_data *d, const rstats *cols, const hist_t *all, int y, int x, int h, int w)
{
	if (w <= 0 || h <= 0 || !d->s.ncols || !all->total)
		return;
	double lo = all->min > 0.5 ? all->min : 0.5, hi = all->max > lo * 1.01 ? all->max : lo * 2;
	double llo = log(lo), lhi = log(hi);
	int n = w < d->s.ncols ? w : d->s.ncols;
	double *cell = xcalloc((size_t)(n * h), sizeof *cell), max = 0;
	for (int c = 0; c < d->s.ncols; c++) {
		int oc = c * n / d->s.ncols;
		const hist_t *hc = &cols[c].lat;
		for (uint32_t i = 0; i < hc->n; i++) {
			double v = hist_bucket_mid(hc->idx[i]);
			int band = (int)floor((log(v < lo ? lo : v) - llo) / (lhi - llo) * h);
			band = band < 0 ? 0 : band >= h ? h - 1 : band;
			cell[band * n + oc] += (double)hc->cnt[i];
		}
	}
	for (int i = 0; i < n * h; i++)
		max = fmax(max, cell[i]);
	for (int b = 0; b < h; b++)
		for (int c = 0; c < n; c++) {
			double f = cell[b * n + c] / max;
			if (f <= 0)
				continue;
			/* sqrt: a lone slow call still shows beside a thousand fast ones */
			int lvl = (int)ceil(sqrt(f) * 4);
			draw_glyph(y + h - 1 - b, x + c, (enum glyph)(G_SHADE1 + (lvl > 4 ? 3 : lvl - 1)), lvl >= 3 ? EL_MARK : EL_BAR);
		}
	free(cell);
}

static void latency_draw(pane_t *p, app_t *a, int y, int x, int h, int w)
{
	const dash_data *d = p->d;
	const series_group *g = latency_group(p);
	char title[160];
	snprintf(title, sizeof title, "Latency %s %s (m)", glyph(G_DOT), g ? g->key : "all models");
	draw_box(y, x, h, w, title, p->focused);
	int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
	if (ih < 3 || iw < 10)
		return;
	const rstats *s = g ? &g->total : &d->s.total;
	const rstats *cols = g ? g->cols : d->s.cols;
	if (!s->lat.total) {
		draw_text(iy, ix, iw, "no latencies in this window", EL_DIM);
		return;
	}
	double q[3] = {hist_quantile(&s->lat, 50), hist_quantile(&s->lat, 95), hist_quantile(&s->lat, 99)};
	char b[3][16], mx[16], n[16];
	for (int i = 0; i < 3; i++)
		fmt_ms(b[i], sizeof b[i], q[i]);
	fmt_ms(mx, sizeof mx, s->lat.max);
	fmt_count(n, sizeof n, (double)s->lat.total);
	pane_line ln = {iy, ix, ix + iw};
	static const char *const names[3] = {"p50", "p95", "p99"};
	for (int i = 0; i < 3; i++) {
		pane_put(&ln, EL_DEFAULT, "%s ", names[i]);
		pane_put(&ln, EL_MARK, "%s  ", b[i]);
	}
	/* Only what fits whole: a cut "max" with no number reads as a bug. */
	char mtail[48];
	snprintf(mtail, sizeof mtail, "max %s n %s", mx, n);
	if ((int)strlen(mtail) > pane_room(&ln))
		snprintf(mtail, sizeof mtail, "n %s", n);
	if ((int)strlen(mtail) <= pane_room(&ln))
		pane_put(&ln, EL_DIM, "%s", mtail);
	/* The distribution, on a log scale, with the percentiles marked. */
	int hh = ih - 5;
	/* With room to spare, the histogram stays readable and a heat strip of
	 * latency over time takes the rest. */
	int heat = 0;
	if (hh > 20) {
		int hist_rows = (hh - 3) / 2 > 16 ? 16 : (hh - 3) / 2;
		heat = hh - hist_rows - 3;
		if (heat > 20)
			heat = 20;
		hh = hist_rows;
	}
	if (heat) {
		char lo[16], hi[16];
		fmt_ms(lo, sizeof lo, s->lat.min);
		fmt_ms(hi, sizeof hi, s->lat.max);
		draw_textf(iy + hh + 4, ix, iw, EL_DIM, "over time: %s (top) to %s, darker = more calls", hi, lo);
		heat_strip(d, cols, &s->lat, iy + hh + 5, ix, heat, iw);
		pane_time_axis(d, a, iy + hh + 5 + heat, ix, iw);
	}
	if (hh >= 1) {
		int mcols[3];
		draw_histogram(&s->lat, iy + 1, ix, hh, iw, q, 3, mcols);
		for (int i = 0; i < 3; i++)
			draw_glyph(iy + 1 + hh, ix + mcols[i], G_MARK, EL_MARK);
		char lo[16], hi[16];
		fmt_ms(lo, sizeof lo, s->lat.min);
		fmt_ms(hi, sizeof hi, s->lat.max);
		/* Percentile labels sit beside their marks where there is room. */
		int last = -1;
		for (int i = 0; i < 3; i++) {
			char lab[8];
			snprintf(lab, sizeof lab, "%s", names[i] + 1);
			int lx = ix + mcols[i] + 1;
			if (lx > last && lx + 2 < ix + iw) {
				draw_text(iy + 1 + hh, lx, 2, lab, EL_DIM);
				last = lx + 2;
			}
		}
		draw_text(iy + 2 + hh, ix, iw, lo, EL_DIM);
		draw_text_right(iy + 2 + hh, ix, iw, hi, EL_DIM);
	}
	/* Time to first token, and p95 over the window. */
	if (s->ttft.total) {
		char t[3][16];
		double tq[3] = {hist_quantile(&s->ttft, 50), hist_quantile(&s->ttft, 95), hist_quantile(&s->ttft, 99)};
		for (int i = 0; i < 3; i++)
			fmt_ms(t[i], sizeof t[i], tq[i]);
		draw_textf(iy + ih - 2, ix, iw, EL_DEFAULT, "TTFT p50 %s  p95 %s  p99 %s", t[0], t[1], t[2]);
	} else {
		draw_text(iy + ih - 2, ix, iw, "TTFT not reported (no streaming)", EL_DIM);
	}
	int lw = draw_text(iy + ih - 1, ix, iw, "p95 ", EL_DEFAULT);
	double maxp95 = 0;
	for (int c = 0; c < d->s.ncols; c++)
		if (cols[c].lat.total)
			maxp95 = fmax(maxp95, hist_quantile(&cols[c].lat, 95));
	char mp[16];
	fmt_ms(mp, sizeof mp, maxp95);
	int tail = text_width(mp) + 5;
	pane_spark(d, cols, PM_P95, iy + ih - 1, ix + lw, iw - lw - tail, EL_MARK);
	pane_spark_marks(d, g ? g->key : NULL, iy + ih - 1, ix + lw, iw - lw - tail);
	draw_textf(iy + ih - 1, ix + iw - tail + 1, tail - 1, EL_DIM, "max %s", mp);
}

static int latency_action(pane_t *p, app_t *a, int act)
{
	(void)a;
	latency *l = p->priv;
	const series_t *s = &p->d->s;
	/* The cursor keys, when the pane has the focus, move over its models. */
	if (act != A_CYCLE_MODEL && !(pane_is_move(act) && p->focused))
		return 0;
	/* all, then each model by spend, then all again */
	int at = -1, n = (int)s->ngroups;
	for (int i = 0; i < n; i++)
		if (!strcmp(s->groups[i].key, l->model))
			at = i;
	if (at + 1 >= n)
		l->model[0] = 0;
	else
		snprintf(l->model, sizeof l->model, "%s", s->groups[at + 1].key);
	return 1;
}

/* The slow calls: beyond the p95 of what the pane shows. */
static int latency_enter(pane_t *p, app_t *a)
{
	if (!p->d->s.ngroups)
		return 0;
	const series_group *g = latency_group(p);
	const rstats *s = g ? &g->total : &p->d->s.total;
	double p95 = s->lat.total ? hist_quantile(&s->lat, 95) : 0;
	char extra[300];
	snprintf(extra, sizeof extra, "latency>%.0f%s%s", floor(p95), g ? " model=" : "", g ? g->key : "");
	pane_open_traces(a, extra, SORT_LATENCY);
	return 1;
}

const pane_ops pane_latency = {
    .name = "latency",
    .private_size = sizeof(latency),
    .draw = latency_draw,
    .enter = latency_enter,
    .action = latency_action,
};
