/* The prompts view: every prompt version, newest first within its prompt,
 * with what it did in production (from the rollups): when it last served
 * traffic, calls, error rate against the thresholds, p95 latency and cost
 * per call, so that "v8 doubled the error rate" shows at a glance. Enter
 * lists the calls of the selected version; D diffs it against the version
 * before, or against the version marked with m. */
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
	const prompt_ver *prev; /* the version before, for the change in error rate */
} prow;

typedef struct promptsv {
	prompt_list l;
	prow *rows;
	size_t n;
	listpos lp;
	char err[256];
	char *mark_name, *mark_ver; /* the marked version, kept across reloads */
} promptsv;

static void load(promptsv *pv, app_t *a)
{
	prompt_list_free(&pv->l);
	free(pv->rows);
	pv->rows = NULL;
	pv->n = 0;
	pv->err[0] = 0;
	if (prompts_list(a->st, NULL, &pv->l, pv->err, sizeof pv->err))
		return;
	for (size_t i = 0; i < pv->l.n; i++)
		pv->n += pv->l.v[i].n;
	pv->rows = xcalloc(pv->n ? pv->n : 1, sizeof *pv->rows);
	size_t k = 0;
	for (size_t i = 0; i < pv->l.n; i++)
		for (size_t j = 0; j < pv->l.v[i].n; j++)
			pv->rows[k++] = (prow){&pv->l.v[i], &pv->l.v[i].v[j], j + 1 < pv->l.v[i].n ? &pv->l.v[i].v[j + 1] : NULL};
	pv->lp.n = (int)pv->n;
	listpos_follow(&pv->lp, 0);
}

static void pr_open(view_t *v, app_t *a)
{
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
	diff_show(a, p->p->name, NULL, p->v->version);
}

static double err_rate(const prompt_stats *s)
{
	return s->calls ? (double)s->errors / (double)s->calls : 0;
}

enum { C_NAME, C_SOURCE, C_SEEN, C_CALLS, C_ERR, C_P95, C_COST, C_TREND, C_N };

/* The name takes what is left at 80 columns; from 100 it widens and the
 * error rate is compared with the version before's. */
static const column columns_of[C_N] = {
    [C_NAME] = {"PROMPT@VERSION", 24, 1, COL_LEFT, EL_DEFAULT, .cut = 1, .wider = {{100, 30}}},
    [C_SOURCE] = {"SOURCE", 6, 1, COL_LEFT, EL_DEFAULT},
    [C_SEEN] = {"LAST SEEN", 11, 1, COL_LEFT, EL_DEFAULT},
    [C_CALLS] = {"CALLS", 8, 1, COL_RIGHT, EL_DEFAULT},
    [C_ERR] = {"ERR%", 6, 1, COL_RIGHT, EL_DEFAULT},
    [C_P95] = {"P95", 8, 1, COL_RIGHT, EL_DEFAULT},
    [C_COST] = {"$/CALL", 9, 1, COL_RIGHT, EL_DEFAULT},
    [C_TREND] = {"ERRORS VS THE VERSION BEFORE", 0, 2, COL_LEFT, EL_DIM, .fill = 1, .from = 100},
};

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
		const prompt_stats *s = &p->v->s;
		int yy = y + 1 + r;
		char name[160], src[16], seen[40] = "-", calls[24], rate[16] = "-", p95[16] = "-", cost[24] = "-";
		snprintf(name, sizeof name, "%s@%s", p->p->name, p->v->version);
		prompt_source_kind(p->v, src, sizeof src);
		if (s->last_ns) {
			char d[24];
			int64_t age = a->now_ns - s->last_ns;
			if (age < 2 * NS_PER_MIN)
				snprintf(seen, sizeof seen, "now");
			else {
				clock_fmt_dur(floor_to(age, age < NS_PER_HOUR ? NS_PER_MIN : age < NS_PER_DAY ? NS_PER_HOUR : NS_PER_DAY), d,
					      sizeof d);
				snprintf(seen, sizeof seen, "%s ago", d);
			}
		}
		fmt_thousands(calls, sizeof calls, s->calls);
		if (s->calls)
			snprintf(rate, sizeof rate, "%.1f", err_rate(s) * 100);
		if (s->p95_ms > 0)
			fmt_ms(p95, sizeof p95, s->p95_ms);
		if (s->calls > s->unpriced)
			snprintf(cost, sizeof cost, "$%.5f", (double)s->cost_nusd / 1e9 / (double)(s->calls - s->unpriced));
		/* The mark shows without colour: a star where the cursor is not. */
		draw_text(yy, x, 1, pv->lp.top + r == pv->lp.sel ? glyph(G_CURSOR) : marked(pv, p) ? "*" : " ", EL_DEFAULT);
		double pct = err_rate(s) * 100;
		int el = !s->calls ? EL_DIM : pct >= config_num(a->cfg, CFG_error_crit) ? EL_CRIT
					    : pct >= config_num(a->cfg, CFG_error_warn) ? EL_WARN
											: EL_OK;
		const char *cells[C_N] = {name, src, seen, calls, rate, p95, cost, NULL};
		const int els[C_N] = {-1, -1, -1, -1, el, -1, -1, -1};
		columns_row(&l, yy, x, cells, els);
		if (p->prev && p->prev->s.calls && s->calls) {
			double before = err_rate(&p->prev->s) * 100;
			char d[64];
			if (before > 0)
				snprintf(d, sizeof d, "%.1f%% -> %.1f%% (x%.1f)", before, pct, pct / before);
			else
				snprintf(d, sizeof d, "%.1f%% -> %.1f%%", before, pct);
			columns_cell(&l, C_TREND, yy, x, d, pct > before * 1.5 && pct >= config_num(a->cfg, CFG_error_warn) ? EL_CRIT : EL_DIM);
		}
		if (pv->lp.top + r == pv->lp.sel)
			draw_chgat(yy, x, w, EL_SELECTED);
	}
}

static int pr_action(view_t *v, app_t *a, int act)
{
	promptsv *pv = v->priv;
	int n = (int)pv->n;
	if (listpos_action(&pv->lp, act))
		return 1;
	switch (act) {
	case A_ENTER:
		if (n) {
			char f[300];
			snprintf(f, sizeof f, "prompt=%s@%s", pv->rows[pv->lp.sel].p->name, pv->rows[pv->lp.sel].v->version);
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
	(void)a;
	promptsv *pv = v->priv;
	int len = snprintf(buf, n, "prompts %s %zu prompts, %zu versions (all time)", glyph(G_DOT), pv->l.n, pv->n);
	if (pv->mark_name && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, " %s marked %s@%s", glyph(G_DOT), pv->mark_name, pv->mark_ver);
}

const view_ops prompts_ops = {
    .name = "prompts",
    .scope = SC_PROMPTS,
    .private_size = sizeof(promptsv),
    .open = pr_open,
    .close = pr_close,
    .draw = pr_draw,
    .action = pr_action,
    .reload = pr_reload,
    .search = pr_search,
    .title = pr_title,
};
