/* The prompts view: every prompt version with what it did in the window
 * (the dashboard's, 1-9 change it), worst regression first: when it first
 * served (the deploy), calls, error rate, p95 and cost per call, and the same
 * figures against what served the prompt before it, by the rule of report
 * --changes, so that "v8 tripled the errors" is the first row without a key.
 * s cycles the order; Enter lists the selected version's calls in the window;
 * D diffs it against the version it is set against, or the one marked with m. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../data/prompts.h"
#include "../tui/columns.h"
#include "../tui/listpos.h"
#include "../tui/tui.h"
#include "view.h"

typedef struct prow {
	const prompt_info *p;
	const prompt_ver *v;
	int order; /* within its prompt, newest first: the name order's tie-break */
} prow;

/* The orders s cycles through, the first the default. */
enum { PS_REGRESSION, PS_FIRST_SEEN, PS_NAME, PS_CALLS, PS_ERRORS, PS_COST, PS_N };
static const char *const sort_names[PS_N] = {"regression", "first seen", "name", "calls", "errors", "cost"};

typedef struct promptsv {
	prompt_list l;
	prow *rows;
	size_t n;
	listpos lp;
	int sort;
	int loaded; /* once: later loads keep the cursor on its version */
	char err[256];
	char *mark_name, *mark_ver; /* the marked version, kept across reloads */
} promptsv;

static double err_rate(const prompt_stats *s)
{
	return s->calls ? (double)s->errors / (double)s->calls : 0;
}

static double per_call(const prompt_stats *s)
{
	return s->calls > s->unpriced ? (double)s->cost_nusd / (double)(s->calls - s->unpriced) : -1;
}

static int cmp_num(double x, double y)
{
	return x > y ? -1 : x < y;
}

static int cmp_row(const void *x, const void *y, void *order)
{
	const prow *a = x, *b = y;
	int sort_by = *(const int *)order;
	const prompt_ver *va = a->v, *vb = b->v;
	int c = 0;
	switch (sort_by) {
	case PS_REGRESSION:
		c = vb->vs.regressed - va->vs.regressed;
		if (!c)
			c = cmp_num(va->vs.score, vb->vs.score);
		if (!c)
			c = (vb->w.calls > 0) - (va->w.calls > 0);
		break;
	case PS_CALLS: c = cmp_num((double)va->w.calls, (double)vb->w.calls); break;
	case PS_ERRORS:
		c = cmp_num(va->w.calls ? err_rate(&va->w) : -1, vb->w.calls ? err_rate(&vb->w) : -1);
		if (!c)
			c = cmp_num((double)va->w.errors, (double)vb->w.errors);
		break;
	case PS_COST: c = cmp_num(per_call(&va->w), per_call(&vb->w)); break;
	case PS_NAME: break;
	default: break;
	}
	if (!c && sort_by != PS_NAME) { /* then the last deploys first */
		int64_t ta = va->s.calls ? va->s.first_ns : va->created_ns, tb = vb->s.calls ? vb->s.first_ns : vb->created_ns;
		c = cmp_num((double)ta, (double)tb);
	}
	if (!c)
		c = strcmp(a->p->name, b->p->name);
	return c ? c : a->order - b->order;
}

static void sort_rows(promptsv *pv)
{
	if (pv->n)
		qsort_r(pv->rows, pv->n, sizeof *pv->rows, cmp_row, &pv->sort);
}

/* The selected version's row after a reload or a new order; -1 when gone. */
static int row_of(const promptsv *pv, const char *name, const char *version)
{
	for (size_t i = 0; i < pv->n; i++)
		if (!strcmp(pv->rows[i].p->name, name) && !strcmp(pv->rows[i].v->version, version))
			return (int)i;
	return -1;
}

static void load(promptsv *pv, app_t *a)
{
	char keep_name[256] = "", keep_ver[256] = "";
	if (pv->loaded && pv->lp.sel < (int)pv->n) {
		snprintf(keep_name, sizeof keep_name, "%s", pv->rows[pv->lp.sel].p->name);
		snprintf(keep_ver, sizeof keep_ver, "%s", pv->rows[pv->lp.sel].v->version);
	}
	prompt_list_free(&pv->l);
	free(pv->rows);
	pv->rows = NULL;
	pv->n = 0;
	pv->err[0] = 0;
	pv->loaded = 1;
	if (prompts_list_window(a->st, a->now_ns - a->window_ns, a->now_ns, &pv->l, pv->err, sizeof pv->err))
		return;
	for (size_t i = 0; i < pv->l.n; i++)
		pv->n += pv->l.v[i].n;
	pv->rows = xcalloc(pv->n ? pv->n : 1, sizeof *pv->rows);
	size_t k = 0;
	for (size_t i = 0; i < pv->l.n; i++)
		for (size_t j = 0; j < pv->l.v[i].n; j++)
			pv->rows[k++] = (prow){&pv->l.v[i], &pv->l.v[i].v[j], (int)j};
	sort_rows(pv);
	pv->lp.n = (int)pv->n;
	/* At first the worst regression; later the version the cursor was on. */
	int at = keep_name[0] ? row_of(pv, keep_name, keep_ver) : 0;
	if (at >= 0)
		pv->lp.sel = at;
	listpos_follow(&pv->lp, 0);
}

static void pr_open(view_t *v, app_t *a, const void *arg)
{
	(void)arg;
	load(v->priv, a);
}

static void pr_close(view_t *v, app_t *a)
{
	(void)a;
	promptsv *pv = v->priv;
	prompt_list_free(&pv->l);
	free(pv->rows);
	free(pv->mark_name);
	free(pv->mark_ver);
}

static int marked(const promptsv *pv, const prow *p)
{
	return pv->mark_name && !strcmp(pv->mark_name, p->p->name) && !strcmp(pv->mark_ver, p->v->version);
}

static void mark(promptsv *pv, app_t *a)
{
	const prow *p = &pv->rows[pv->lp.sel];
	int was = marked(pv, p);
	free(pv->mark_name);
	free(pv->mark_ver);
	pv->mark_name = pv->mark_ver = NULL;
	if (was) {
		app_message(a, EL_MESSAGE, "%s@%s unmarked", p->p->name, p->v->version);
		return;
	}
	pv->mark_name = xstrdup(p->p->name);
	pv->mark_ver = xstrdup(p->v->version);
	char keys[64];
	help_keys_of(a, SC_PROMPTS, A_DIFF, keys, sizeof keys);
	keys[strcspn(keys, " ")] = 0; /* the first key bound, whatever the keymap */
	app_message(a, EL_MESSAGE, "%s@%s marked: %s on another version of %s diffs the two", p->p->name, p->v->version,
		    keys[0] ? keys : "diff", p->p->name);
}

/* D: the selected version against the marked one of the same prompt (the
 * older on the left), else against the version before it. */
static void diff(promptsv *pv, app_t *a)
{
	const prow *p = &pv->rows[pv->lp.sel];
	if (pv->mark_name && !strcmp(pv->mark_name, p->p->name) && !marked(pv, p)) {
		for (int i = 0; i < (int)pv->n; i++) {
			if (!marked(pv, &pv->rows[i]))
				continue;
			/* Newest first: the row further down is the older version. */
			const prow *older = i > pv->lp.sel ? &pv->rows[i] : p, *newer = i > pv->lp.sel ? p : &pv->rows[i];
			diff_show(a, p->p->name, older->v->version, newer->v->version);
			return;
		}
	}
	/* Against what it is set against: the version that served before it. */
	diff_show(a, p->p->name, p->v->vs.window ? NULL : p->v->vs.before, p->v->version);
}

enum { C_NAME, C_FIRST, C_SOURCE, C_LAST, C_CALLS, C_ERR, C_P95, C_COST, C_VS, C_N };

/* At 80 columns the first seen time and the figures against the version
 * before in their short form; the source and the last call from 120 and
 * 140, the name widening as the terminal does. Narrower, $/call, p95, calls,
 * the error rate and part of the name give way (the name keeps its version)
 * before the comparison would. */
static const column columns_of[C_N] = {
    [C_NAME] = {"PROMPT@VERSION", 18, 1, COL_LEFT, EL_DEFAULT, .give = 4, .min = 9, .wider = {{100, 24}, {140, 30}}},
    [C_FIRST] = {"FIRST SEEN", 11, 1, COL_LEFT, EL_DEFAULT},
    [C_SOURCE] = {"SOURCE", 6, 1, COL_LEFT, EL_DEFAULT, .from = 140},
    [C_LAST] = {"LAST SEEN", 9, 1, COL_LEFT, EL_DEFAULT, .from = 120},
    [C_CALLS] = {"CALLS", 6, 1, COL_RIGHT, EL_DEFAULT, .give = 3},
    [C_ERR] = {"ERR%", 5, 1, COL_RIGHT, EL_DEFAULT, .give = 5},
    [C_P95] = {"P95", 6, 1, COL_RIGHT, EL_DEFAULT, .give = 2},
    [C_COST] = {"$/CALL", 8, 1, COL_RIGHT, EL_DEFAULT, .give = 1},
    [C_VS] = {"VS BEFORE", 16, 2, COL_LEFT, EL_DIM, .fill = 1},
};

/* "11:14 (46m)" within a day, else "11-17 09:00": eleven columns either way. */
static void fmt_first(char *out, size_t n, int64_t t, int64_t now)
{
	char s[40];
	clock_fmt_short(t, s, sizeof s);
	int64_t d = now - t;
	if (d < 0 || d >= NS_PER_DAY || strlen(s) < 16) {
		snprintf(out, n, "%.11s", strlen(s) >= 16 ? s + 5 : s);
		return;
	}
	char ago[32] = "<1m";
	if (d >= NS_PER_MIN)
		clock_fmt_dur(floor_to(d, d < NS_PER_HOUR ? NS_PER_MIN : NS_PER_HOUR), ago, sizeof ago);
	snprintf(out, n, "%.5s (%s)", s + 11, ago);
}

/* The figures against what served before, as many as fit in cols: the
 * error rate always, then p95, $/call, what it is set against and on which
 * model. "!" leads a regression, for a terminal without colour. */
static void fmt_vs(char *out, size_t n, const prompt_vs *vs, app_t *a, int cols)
{
	const char *arrow = glyph(G_ARROW);
	char part[6][160] = {{0}}, x[16], y[16], p[48];
	snprintf(x, sizeof x, "%.1f%%", vs->was.calls ? 100.0 * (double)vs->was.errors / (double)vs->was.calls : 0);
	snprintf(y, sizeof y, "%.1f%%", vs->now.calls ? 100.0 * (double)vs->now.errors / (double)vs->now.calls : 0);
	change_pair(p, sizeof p, x, y, arrow);
	snprintf(part[0], sizeof part[0], "%serr %s", vs->regressed ? "! " : "", p);
	if (vs->was.p95_ms > 0 && vs->now.p95_ms > 0) {
		fmt_ms(x, sizeof x, vs->was.p95_ms);
		fmt_ms(y, sizeof y, vs->now.p95_ms);
		change_pair(p, sizeof p, x, y, arrow);
		snprintf(part[1], sizeof part[1], "p95 %s", p);
	}
	if (vs->was.nusd_per_call > 0 && vs->now.nusd_per_call > 0) {
		fmt_usd(x, sizeof x, vs->was.nusd_per_call / 1e9);
		fmt_usd(y, sizeof y, vs->now.nusd_per_call / 1e9);
		snprintf(part[2], sizeof part[2], "$/call %s%s%s", x + (x[0] == '$'), arrow, y + (y[0] == '$'));
	}
	if (vs->window)
		snprintf(part[3], sizeof part[3], "vs the %s before", a->window_name);
	else if (vs->before)
		snprintf(part[3], sizeof part[3], "vs @%s", vs->before);
	if (vs->model) {
		char m[128];
		snprintf(part[4], sizeof part[4], "on %s", model_short(vs->model, m, sizeof m));
	}
	size_t len = 0;
	out[0] = 0;
	for (int i = 0; i < 6 && len < n; i++) {
		if (!part[i][0])
			continue;
		if (i && text_width(out) + 1 + text_width(part[i]) > cols)
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", part[i]);
	}
}

static void pr_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	promptsv *pv = v->priv;
	if (pv->err[0]) {
		draw_text(y + 1, x + 2, w - 4, pv->err, EL_CRIT);
		return;
	}
	if (!pv->n) {
		draw_text(y + 1, x + 2, w - 4, "no prompt versions yet: llmops prompt add NAME FILE, a prompts folder in the rc,",
			  EL_DIM);
		draw_text(y + 2, x + 2, w - 4, "or calls that carry a prompt name and version", EL_DIM);
		return;
	}
	columns l;
	columns_layout(&l, columns_of, C_N, w);
	columns_header(&l, y, x);
	int rows = h - 1;
	pv->lp.page = rows;
	pv->lp.keep = 1;
	listpos_follow(&pv->lp, 0);
	for (int r = 0; r < rows && pv->lp.top + r < (int)pv->n; r++) {
		const prow *p = &pv->rows[pv->lp.top + r];
		const prompt_stats *s = &p->v->w;
		int yy = y + 1 + r;
		char label[300], name[300], src[16], first[40] = "-", seen[40] = "-", calls[24], rate[16] = "-", p95[16] = "-",
									 cost[24] = "-", vs[400] = "";
		snprintf(label, sizeof label, "%s@%s", p->p->name, p->v->version);
		prompt_label(label, l.w[C_NAME], name, sizeof name);
		const char *kind = prompt_source_kind(p->v, src, sizeof src);
		int64_t began = p->v->s.calls ? p->v->s.first_ns : p->v->created_ns;
		if (began)
			fmt_first(first, sizeof first, began, a->now_ns);
		if (p->v->s.last_ns) {
			char d[24];
			int64_t age = a->now_ns - p->v->s.last_ns;
			if (age < 2 * NS_PER_MIN)
				snprintf(seen, sizeof seen, "now");
			else {
				clock_fmt_dur(floor_to(age, age < NS_PER_HOUR ? NS_PER_MIN : age < NS_PER_DAY ? NS_PER_HOUR : NS_PER_DAY), d,
					      sizeof d);
				snprintf(seen, sizeof seen, "%s ago", d);
			}
		}
		fmt_thousands(calls, sizeof calls, s->calls);
		if (strlen(calls) > 6)
			fmt_count(calls, sizeof calls, (double)s->calls);
		if (s->calls)
			snprintf(rate, sizeof rate, "%.1f", err_rate(s) * 100);
		if (s->p95_ms > 0)
			fmt_ms(p95, sizeof p95, s->p95_ms);
		if (per_call(s) >= 0 && s->calls)
			snprintf(cost, sizeof cost, "$%.5f", per_call(s) / 1e9);
		if (p->v->vs.was.calls && s->calls)
			fmt_vs(vs, sizeof vs, &p->v->vs, a, l.w[C_VS]);
		else if (s->calls)
			snprintf(vs, sizeof vs, "-");
		/* The mark shows without colour: a star where the cursor is not. */
		draw_text(yy, x, 1, pv->lp.top + r == pv->lp.sel ? glyph(G_CURSOR) : marked(pv, p) ? "*" : " ", EL_DEFAULT);
		double pct = err_rate(s) * 100;
		int el = !s->calls ? EL_DIM : pct >= config_num(a->cfg, CFG_error_crit) ? EL_CRIT
					    : pct >= config_num(a->cfg, CFG_error_warn) ? EL_WARN
											: EL_OK;
		/* A version that did not serve in the window is there to diff, dimmed. */
		int quiet = s->calls ? -1 : EL_DIM;
		const char *cells[C_N] = {name, first, kind, seen, calls, rate, p95, cost, vs};
		const int els[C_N] = {quiet, quiet, quiet, quiet, quiet, el, quiet, quiet, p->v->vs.regressed ? EL_CRIT : EL_DIM};
		columns_row(&l, yy, x, cells, els);
		if (pv->lp.top + r == pv->lp.sel)
			draw_chgat(yy, x, w, EL_SELECTED);
	}
}

/* s: the next order, the cursor staying on its version. */
static void cycle_sort(promptsv *pv, app_t *a)
{
	const prow *cur = pv->n ? &pv->rows[pv->lp.sel] : NULL;
	const prompt_info *pi = cur ? cur->p : NULL;
	const prompt_ver *pver = cur ? cur->v : NULL;
	pv->sort = (pv->sort + 1) % PS_N;
	sort_rows(pv);
	for (size_t i = 0; pi && i < pv->n; i++)
		if (pv->rows[i].p == pi && pv->rows[i].v == pver)
			pv->lp.sel = (int)i;
	listpos_follow(&pv->lp, 0);
	app_message(a, EL_MESSAGE, "sorted by %s", sort_names[pv->sort]);
}

static int pr_action(view_t *v, app_t *a, int act)
{
	promptsv *pv = v->priv;
	int n = (int)pv->n;
	if (listpos_action(&pv->lp, act))
		return 1;
	switch (act) {
	case A_SORT:
		cycle_sort(pv, a);
		return 1;
	case A_ANNOTATE: /* label the selected version's calls in the window */
		if (!n)
			return 0;
		{
			char f[400];
			snprintf(f, sizeof f, "since=%s prompt=%s@%s", a->window_name, pv->rows[pv->lp.sel].p->name,
				 pv->rows[pv->lp.sel].v->version);
			annotate_show(a, f);
		}
		return 1;
	case A_ENTER:
		if (n) { /* its calls in the window */
			char f[400];
			snprintf(f, sizeof f, "since=%s prompt=%s@%s", a->window_name, pv->rows[pv->lp.sel].p->name,
				 pv->rows[pv->lp.sel].v->version);
			app_set_filter(a, f);
			app_show_traces(a, f, SORT_TIME);
		}
		return 1;
	case A_MARK:
		if (n)
			mark(pv, a);
		return 1;
	case A_DIFF:
		if (n)
			diff(pv, a);
		else
			app_message(a, EL_ERROR, "no prompt versions to diff");
		return 1;
	default: return 0;
	}
}

static int pr_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	promptsv *pv = v->priv;
	int n = (int)pv->n;
	for (int k = 1; k <= n; k++) {
		int i = ((pv->lp.sel + dir * k) % n + n) % n;
		char name[300];
		snprintf(name, sizeof name, "%s@%s", pv->rows[i].p->name, pv->rows[i].v->version);
		if (strstr(name, text)) {
			pv->lp.sel = i;
			return 1;
		}
	}
	return 0;
}

static void pr_reload(view_t *v, app_t *a)
{
	load(v->priv, a);
}

static void pr_title(view_t *v, app_t *a, char *buf, size_t n)
{
	promptsv *pv = v->priv;
	int len = snprintf(buf, n, "prompts %s %s %s by %s", glyph(G_DOT), a->window_name, glyph(G_DOT), sort_names[pv->sort]);
	if (len < 0 || (size_t)len >= n)
		return;
	/* The mark matters more than the counts, which give way to it. */
	if (pv->mark_name)
		snprintf(buf + len, n - (size_t)len, " %s marked %s@%s", glyph(G_DOT), pv->mark_name, pv->mark_ver);
	else
		snprintf(buf + len, n - (size_t)len, " %s %zu versions of %zu prompts", glyph(G_DOT), pv->n, pv->l.n);
}

const view_ops prompts_ops = {
    .name = "prompts",
    .scope = SC_PROMPTS,
    .flags = VIEW_SINGLETON | VIEW_WINDOWED,
    .private_size = sizeof(promptsv),
    .open = pr_open,
    .close = pr_close,
    .draw = pr_draw,
    .action = pr_action,
    .reload = pr_reload,
    .search = pr_search,
    .title = pr_title,
};
