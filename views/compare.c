/* The compare view: the window against the one before it (or the time since
 * a deploy against as long before it), a row for every model and every
 * prompt version, each figure as before -> after, and whether errors and
 * latency moved beyond noise (data/compare.h). What moved comes first, the
 * worst first; rows where nothing did are dimmed and say "same". Enter lists
 * the row's calls in the window after; D diffs a prompt version against the
 * one it is set against. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../data/compare.h"
#include "../tui/columns.h"
#include "../tui/listpos.h"
#include "../tui/tui.h"
#include "view.h"

/* What the view was asked for: the words after `:compare`, evaluated again
 * at every reload, so that the windows move with the clock; none follows
 * the console's window. */
typedef struct compare_args {
	char *const *w;
	int n;
} compare_args;

typedef struct comparev {
	char **w;
	int n;
	compare_t c;
	int ok;
	listpos lp;
	char err[512];
} comparev;

static void load(comparev *cv, app_t *a)
{
	char key[512] = "";
	if (cv->ok && cv->lp.sel < (int)cv->c.n)
		snprintf(key, sizeof key, "%d%s", cv->c.v[cv->lp.sel].is_model, cv->c.v[cv->lp.sel].key);
	if (cv->ok)
		compare_free(&cv->c);
	cv->ok = 0;
	cv->err[0] = 0;
	compare_span span;
	if (compare_span_parse(a->st, cv->w, cv->n, a->now_ns, a->window_ns, &span, cv->err, sizeof cv->err) ||
	    compare_compute(a->st, &span, &cv->c, cv->err, sizeof cv->err))
		return;
	cv->ok = 1;
	cv->lp.n = (int)cv->c.n;
	/* The cursor stays on its row as rows re-sort. */
	for (size_t i = 0; key[0] && i < cv->c.n; i++) {
		char k[512];
		snprintf(k, sizeof k, "%d%s", cv->c.v[i].is_model, cv->c.v[i].key);
		if (!strcmp(k, key))
			cv->lp.sel = (int)i;
	}
	listpos_follow(&cv->lp, 0);
}

static void cmp_open(view_t *v, app_t *a, const void *arg)
{
	comparev *cv = v->priv;
	const compare_args *ca = arg;
	if (ca && ca->n > 0) {
		cv->w = xcalloc((size_t)ca->n, sizeof *cv->w);
		for (int i = 0; i < ca->n; i++)
			cv->w[i] = xstrdup(ca->w[i]);
		cv->n = ca->n;
	}
	load(cv, a);
}

static void cmp_close(view_t *v, app_t *a)
{
	(void)a;
	comparev *cv = v->priv;
	if (cv->ok)
		compare_free(&cv->c);
	for (int i = 0; i < cv->n; i++)
		free(cv->w[i]);
	free(cv->w);
}

void compare_command(app_t *a, const char *arg, char **w, int n)
{
	(void)arg;
	compare_span span;
	char err[512];
	/* Said at once, in the status line, rather than in a view of its own. */
	if (compare_span_parse(a->st, w + 1, n - 1, a->now_ns, a->window_ns, &span, err, sizeof err)) {
		app_message(a, EL_ERROR, "%s", err);
		return;
	}
	if (app_top(a)->ops == &compare_ops)
		app_pop(a);
	compare_args ca = {w + 1, n - 1};
	app_push(a, &compare_ops, &ca);
}

enum { C_NAME, C_CALLS, C_ERR, C_ERRP, C_P50, C_P95, C_P99, C_LATP, C_TTFT, C_COST, C_VERDICT, C_N };

/* At 80 columns: calls, errors, p95 and TTFT p95 beside the name; $/call
 * from 100, p50 from 120, p99 from 140, the p-values from 160. */
static const column columns_of[C_N] = {
    [C_NAME] = {"MODEL / PROMPT@VERSION", 16, 1, COL_LEFT, EL_DEFAULT, .cut = 1, .fill = 1},
    [C_CALLS] = {"CALLS", 9, 1, COL_RIGHT, EL_DEFAULT, .wider = {{120, 11}}},
    [C_ERR] = {"ERR%", 11, 1, COL_RIGHT, EL_DEFAULT, .wider = {{120, 13}}},
    [C_ERRP] = {"ERR p", 7, 1, COL_RIGHT, EL_DIM, .from = 160},
    [C_P50] = {"P50", 13, 1, COL_RIGHT, EL_DEFAULT, .from = 120},
    [C_P95] = {"P95", 12, 1, COL_RIGHT, EL_DEFAULT, .wider = {{120, 13}}},
    [C_P99] = {"P99", 13, 1, COL_RIGHT, EL_DEFAULT, .from = 140},
    [C_LATP] = {"LAT p", 7, 1, COL_RIGHT, EL_DIM, .from = 160},
    [C_TTFT] = {"TTFT P95", 11, 1, COL_RIGHT, EL_DEFAULT, .wider = {{120, 12}}},
    [C_COST] = {"$/CALL", 16, 1, COL_RIGHT, EL_DEFAULT, .from = 100},
    [C_VERDICT] = {"", 6, 2, COL_LEFT, EL_DEFAULT},
};

static const int figs[C_N] = {
    [C_NAME] = -1, [C_CALLS] = CMPF_CALLS, [C_ERR] = CMPF_ERR, [C_ERRP] = -1,      [C_P50] = CMPF_P50,  [C_P95] = CMPF_P95,
    [C_P99] = CMPF_P99, [C_LATP] = -1,     [C_TTFT] = CMPF_TTFT, [C_COST] = CMPF_COST, [C_VERDICT] = -1,
};

static void fmt_p(int tested, const stats_test *t, char *buf, size_t n)
{
	if (!tested)
		snprintf(buf, n, "-");
	else if (t->p < 0.0001)
		snprintf(buf, n, "<.0001");
	else
		snprintf(buf, n, "%.4f", t->p);
}

static int row_el(const cmp_row *r)
{
	switch (r->verdict) {
	case CMP_WORSE: return EL_CRIT;
	case CMP_BETTER: return EL_OK;
	case CMP_NEW: return EL_MARK;
	default: return EL_DIM;
	}
}

/* A prompt version's name gives way before its version and the one it is
 * set against, as in every PROMPT column. */
static void row_name(const cmp_row *r, int room, int cols, char *buf, size_t n)
{
	char m[256], fit[512], vs[96] = "";
	const char *at = r->against ? strrchr(r->against, '@') : NULL;
	if (at)
		snprintf(vs, sizeof vs, " vs %s", at);
	const char *key;
	if (r->is_model) {
		key = room < 120 ? model_short(r->key, m, sizeof m) : r->key;
	} else {
		int w = cols - text_width(vs);
		key = prompt_label(r->key, w > 4 ? w : 4, fit, sizeof fit);
	}
	snprintf(buf, n, "%s%s", key, vs);
}

static void draw_row(const columns *l, const cmp_row *r, int y, int x, int w)
{
	int quiet = r->verdict == CMP_SAME || r->verdict == CMP_FEW || r->verdict == CMP_GONE;
	char name[600];
	row_name(r, w, l->w[C_NAME], name, sizeof name);
	char *sn = sanitize_str(name, tui_ascii() ? SAN_ASCII : 0);
	columns_cell(l, C_NAME, y, x, sn, r->verdict == CMP_WORSE || r->verdict == CMP_BETTER ? row_el(r) : quiet ? EL_DIM : EL_DEFAULT);
	free(sn);
	for (int i = C_CALLS; i < C_N; i++) {
		char cell[96];
		int el = quiet ? EL_DIM : -1;
		if (figs[i] >= 0) {
			int sig = compare_fmt(r, figs[i], glyph(G_ARROW), cell, sizeof cell);
			if (sig)
				el = sig > 0 ? EL_CRIT : EL_OK;
		} else if (i == C_ERRP) {
			fmt_p(r->err_tested, &r->err, cell, sizeof cell);
		} else if (i == C_LATP) {
			fmt_p(r->lat_tested, &r->lat.t, cell, sizeof cell);
		} else {
			snprintf(cell, sizeof cell, "%s", r->verdict == CMP_FEW ? "few" : compare_verdict_name(r->verdict));
			el = row_el(r);
		}
		columns_cell(l, i, y, x, cell, el);
	}
}

static void cmp_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	(void)a;
	comparev *cv = v->priv;
	if (!cv->ok) {
		draw_text_cut(y + 1, x + 2, w - 4, cv->err, EL_CRIT, 1);
		return;
	}
	const compare_t *c = &cv->c;
	/* What the rows add up to, and how to read a star. */
	char sum[256];
	int len = snprintf(sum, sizeof sum, "%zu worse", c->counts[CMP_WORSE]);
	static const int more[] = {CMP_BETTER, CMP_NEW, CMP_GONE, CMP_SAME, CMP_FEW};
	for (size_t i = 0; i < sizeof more / sizeof *more && len > 0 && (size_t)len < sizeof sum; i++)
		if (c->counts[more[i]])
			len += snprintf(sum + len, sizeof sum - (size_t)len, " %s %zu %s", glyph(G_DOT), c->counts[more[i]],
					compare_verdict_name(more[i]));
	int used = draw_text(y, x + 1, w - 1, sum, c->counts[CMP_WORSE] ? EL_CRIT : EL_OK);
	const char *key = w >= 120 ? "   * beyond noise (p < 0.01): errors by a two-proportion z-test, latency by Mann-Whitney U"
				   : "   * beyond noise (p < 0.01)";
	draw_text_cut(y, x + 1 + used, w - 1 - used, key, EL_DIM, 1);
	if (!c->n) {
		draw_text(y + 2, x + 2, w - 4, "no calls in either window", EL_DIM);
		return;
	}
	columns l;
	columns_layout(&l, columns_of, C_N, w - 1);
	columns_header(&l, y + 1, x + 1);
	int rows = h - 2;
	cv->lp.page = rows;
	cv->lp.keep = 1;
	listpos_follow(&cv->lp, 0);
	for (int r = 0; r < rows && cv->lp.top + r < (int)c->n; r++) {
		int yy = y + 2 + r;
		const cmp_row *row = &c->v[cv->lp.top + r];
		int sel = cv->lp.top + r == cv->lp.sel;
		/* Without colour the verdict column says it, and a mark where the cursor is not. */
		draw_text(yy, x, 1, sel ? glyph(G_CURSOR) : row->verdict == CMP_WORSE ? "!" : " ", EL_DEFAULT);
		draw_row(&l, row, yy, x + 1, w - 1);
		if (sel)
			draw_chgat(yy, x, w, EL_SELECTED);
	}
}

static const cmp_row *selected(comparev *cv)
{
	return cv->ok && cv->lp.sel < (int)cv->c.n ? &cv->c.v[cv->lp.sel] : NULL;
}

static int cmp_action(view_t *v, app_t *a, int act)
{
	comparev *cv = v->priv;
	if (listpos_action(&cv->lp, act))
		return 1;
	const cmp_row *r = selected(cv);
	switch (act) {
	case A_ENTER:
		if (r) {
			char f[700];
			compare_row_filter(&cv->c, r, a->now_ns, f, sizeof f);
			app_show_traces(a, f, SORT_TIME);
		}
		return 1;
	case A_DIFF:
		if (!r || r->is_model) {
			app_message(a, EL_ERROR, "a prompt version's row diffs it against the version before (this is a model)");
			return 1;
		}
		{
			char *name = xstrdup(r->key), *at = strrchr(name, '@');
			if (at) {
				*at = 0;
				const char *old = r->against ? strrchr(r->against, '@') + 1 : NULL;
				diff_show(a, name, old, at + 1);
			}
			free(name);
		}
		return 1;
	default: return 0;
	}
}

static int cmp_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	comparev *cv = v->priv;
	int n = cv->ok ? (int)cv->c.n : 0;
	for (int k = 1; k <= n; k++) {
		int i = ((cv->lp.sel + dir * k) % n + n) % n;
		if (strstr(cv->c.v[i].key, text)) {
			cv->lp.sel = i;
			return 1;
		}
	}
	return 0;
}

static void cmp_reload(view_t *v, app_t *a)
{
	load(v->priv, a);
}

static void cmp_title(view_t *v, app_t *a, char *buf, size_t n)
{
	comparev *cv = v->priv;
	char what[400];
	if (!cv->ok) {
		snprintf(buf, n, "compare");
		return;
	}
	compare_describe(&cv->c.span, a->now_ns, what, sizeof what);
	char *s = sanitize_str(what, tui_ascii() ? SAN_ASCII : 0);
	snprintf(buf, n, "compare %s %s", glyph(G_DOT), s);
	free(s);
}

const view_ops compare_ops = {
    .name = "compare",
    .scope = SC_COMPARE,
    .flags = VIEW_SINGLETON,
    .private_size = sizeof(comparev),
    .open = cmp_open,
    .close = cmp_close,
    .draw = cmp_draw,
    .action = cmp_action,
    .reload = cmp_reload,
    .search = cmp_search,
    .title = cmp_title,
};
