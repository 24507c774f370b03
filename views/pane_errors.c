/* The errors pane: the window's error rate against the warn and crit
 * thresholds, over time, per model (most errors first) and by type. Enter
 * opens the selected model's errors; e, those of the model selected here
 * when the pane has the focus, else all of them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tui/columns.h"
#include "../tui/tui.h"
#include "pane.h"

typedef struct errors {
	size_t *order; /* the series' groups by errors, most first */
} errors;

/* The model table: the model takes the room left; the most frequent error
 * type shows from 60 columns on. */
enum { EC_MODEL, EC_ERRORS, EC_RATE, EC_GAP, EC_MOST, EC_COUNT };

static const column error_cols[EC_COUNT] = {
    [EC_MODEL] = {.title = "MODEL", .width = 1, .el = EL_DEFAULT, .cut = 1, .fill = 1},
    [EC_ERRORS] = {.title = "ERRORS", .width = 8, .pad = 1, .align = COL_RIGHT, .el = EL_DEFAULT},
    [EC_RATE] = {.title = "RATE", .width = 7, .align = COL_RIGHT, .el = EL_DEFAULT},
    [EC_GAP] = {.width = 1},
    [EC_MOST] = {.title = "MOST", .width = 17, .el = EL_DIM, .cut = 1, .from = 60},
};

static int cmp_errors_desc(const void *a, const void *b, void *ctx)
{
	const series_t *s = ctx;
	const series_group *x = &s->groups[*(const size_t *)a], *y = &s->groups[*(const size_t *)b];
	if (x->total.errors != y->total.errors)
		return x->total.errors > y->total.errors ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void errors_reload(pane_t *p, app_t *a)
{
	(void)a;
	errors *e = p->priv;
	const series_t *s = &p->d->s;
	free(e->order);
	e->order = NULL;
	if (!p->d->loaded)
		return;
	e->order = xcalloc(s->ngroups ? s->ngroups : 1, sizeof *e->order);
	for (size_t i = 0; i < s->ngroups; i++)
		e->order[i] = i;
	qsort_r(e->order, s->ngroups, sizeof *e->order, cmp_errors_desc, (void *)s);
	if (p->pos.sel >= (int)s->ngroups)
		p->pos.sel = s->ngroups ? (int)s->ngroups - 1 : 0;
}

static void errors_draw(pane_t *p, app_t *a, int y, int x, int h, int w)
{
	const dash_data *d = p->d;
	const errors *es = p->priv;
	draw_box(y, x, h, w, "Errors", p->focused);
	int ix = x + 2, iw = w - 4, iy = y + 1, ih = h - 2;
	if (ih < 3 || iw < 10)
		return;
	const rstats *t = &d->s.total;
	double rate = rstats_error_rate(t);
	char e[32], c[32];
	fmt_thousands(e, sizeof e, t->errors);
	fmt_count(c, sizeof c, (double)t->calls);
	pane_line ln = {iy, ix, ix + iw};
	pane_put(&ln, pane_rate_el(a, rate), "%.1f%%", rate * 100);
	pane_put(&ln, EL_DEFAULT, " errors %s %s of %s calls", glyph(G_DOT), e, c);
	int lw = draw_text(iy + 1, ix, iw, "rate ", EL_DEFAULT);
	double maxrate = 0;
	for (int col = 0; col < d->s.ncols; col++)
		if (d->s.cols[col].calls)
			maxrate = fmax(maxrate, rstats_error_rate(&d->s.cols[col]));
	char th[64];
	snprintf(th, sizeof th, " warn %g%% crit %g%%", config_num(a->cfg, CFG_error_warn), config_num(a->cfg, CFG_error_crit));
	int tw = text_width(th);
	pane_spark(d, d->s.cols, PM_ERROR_RATE, iy + 1, ix + lw, iw - lw - tw, pane_rate_el(a, maxrate));
	pane_spark_marks(d, NULL, iy + 1, ix + lw, iw - lw - tw);
	draw_text(iy + 1, ix + iw - tw, tw, th, EL_DIM);
	columns l;
	columns_layout(&l, error_cols, EC_COUNT, iw);
	/* Short of rows, the key hint goes first (the status line has it),
	 * then the table's header with its last row. */
	int hint = ih - 5 >= 2;
	int rows = ih - 4 - hint;
	if (rows > 0)
		columns_header(&l, iy + 2, ix);
	if (rows - (int)d->s.ngroups >= 8) {
		/* Room to spare: the error rate over the window as a chart. */
		int ch = rows - (int)d->s.ngroups - 1;
		if (ch > 22)
			ch = 22;
		pane_chart(d, a, d->s.cols, PM_ERROR_RATE, "error rate", iy + 4 + (int)d->s.ngroups, ix, ch, iw, pane_rate_el(a, maxrate));
		rows = (int)d->s.ngroups;
	}
	int first = p->pos.sel >= rows ? p->pos.sel - rows + 1 : 0;
	for (int r = 0; r < rows && first + r < (int)d->s.ngroups; r++) {
		const series_group *g = &d->s.groups[es->order[first + r]];
		int ry = iy + 3 + r;
		double gr = rstats_error_rate(&g->total);
		char mshort[128];
		columns_cell(&l, EC_MODEL, ry, ix,
			     l.w[EC_MODEL] < (int)strlen(g->key) ? model_short(g->key, mshort, sizeof mshort) : g->key, -1);
		char b[32];
		fmt_count(b, sizeof b, (double)g->total.errors);
		columns_cell(&l, EC_ERRORS, ry, ix, b, g->total.errors ? EL_DEFAULT : EL_DIM);
		snprintf(b, sizeof b, "%.1f%%", gr * 100);
		columns_cell(&l, EC_RATE, ry, ix, b, pane_rate_el(a, gr));
		if (l.w[EC_MOST] > 0 && g->total.errs.n) {
			const ecount *top = &g->total.errs.v[0];
			for (size_t k = 1; k < g->total.errs.n; k++)
				if (g->total.errs.v[k].n > top->n)
					top = &g->total.errs.v[k];
			columns_cell(&l, EC_MOST, ry, ix, top->name, -1);
		}
		if (p->focused && first + r == p->pos.sel)
			pane_cursor(ry, ix, iw);
	}
	/* By type, most first. */
	sbuf types = SBUF_INIT;
	ecount *sorted = xcalloc(t->errs.n ? t->errs.n : 1, sizeof *sorted);
	if (t->errs.n)
		memcpy(sorted, t->errs.v, t->errs.n * sizeof *sorted);
	for (size_t i = 0; i < t->errs.n; i++)
		for (size_t j = i + 1; j < t->errs.n; j++)
			if (sorted[j].n > sorted[i].n) {
				ecount tmp = sorted[i];
				sorted[i] = sorted[j];
				sorted[j] = tmp;
			}
	for (size_t i = 0; i < t->errs.n; i++) {
		char n[32];
		fmt_thousands(n, sizeof n, sorted[i].n);
		sb_printf(&types, "%s%s %s", i ? " " : "", sorted[i].name, n);
	}
	free(sorted);
	draw_text_cut(iy + ih - 1 - hint, ix, iw, types.len ? types.p : "no errors", types.len ? EL_DEFAULT : EL_OK, 1);
	sb_free(&types);
	if (hint)
		draw_text(iy + ih - 1, ix, iw, "e: these errors  Enter: a model's", EL_DIM);
}

static const char *errors_model(pane_t *p)
{
	const errors *e = p->priv;
	return p->d->s.ngroups ? p->d->s.groups[e->order[p->pos.sel]].key : NULL;
}

static int errors_enter(pane_t *p, app_t *a)
{
	const char *model = errors_model(p);
	if (!model)
		return 0;
	char extra[300];
	snprintf(extra, sizeof extra, "status=error model=%s", model);
	pane_open_traces(a, extra, SORT_TIME);
	return 1;
}

static int errors_action(pane_t *p, app_t *a, int act)
{
	if (act != A_NEXT_ERROR)
		return 0;
	char extra[256] = "status=error";
	const char *model = p->focused ? errors_model(p) : NULL;
	if (model)
		snprintf(extra, sizeof extra, "status=error model=%s", model);
	pane_open_traces(a, extra, SORT_TIME);
	return 1;
}

static int errors_rows(pane_t *p)
{
	return (int)p->d->s.ngroups;
}

static void errors_close(pane_t *p)
{
	errors *e = p->priv;
	free(e->order);
}

const pane_ops pane_errors = {
    .name = "errors",
    .private_size = sizeof(errors),
    .reload = errors_reload,
    .draw = errors_draw,
    .enter = errors_enter,
    .action = errors_action,
    .rows = errors_rows,
    .close = errors_close,
};
