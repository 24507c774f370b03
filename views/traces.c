/* The trace list: the calls matching the filter, newest (or slowest, or
 * dearest) first. Rows come a page at a time from the query thread, keyed
 * on the last row shown (keyset paging), in both directions, so scrolling
 * through a million calls never waits on more than one page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/clock.h"
#include "../tui/tui.h"
#include "view.h"

#define PAGE 200
#define KEEP 20000 /* rows held; beyond, the far end is dropped */

typedef struct traces {
	call_row *rows;
	size_t n, cap;
	int sel, top;
	int more_before, more_after;
	uint64_t want;     /* tag of the page awaited, 0 when none */
	int want_dir;      /* 0 fresh, 1 older (append), -1 newer (prepend), 2 from the end */
	int seek_error;    /* a next-error waiting for rows: +1 / -1 */
	int loaded;        /* the first page arrived */
	char err[256];
	int64_t fts_pending;
} traces;

static void clear_rows(traces *t)
{
	for (size_t i = 0; i < t->n; i++)
		call_row_free(&t->rows[i]);
	t->n = 0;
}

static void request(view_t *v, app_t *a, int dir)
{
	traces *t = v->priv;
	page_req r = {0};
	r.filter = &a->filter;
	r.sort = a->sort;
	r.limit = PAGE;
	r.older = dir != -1 && dir != 2;
	if (dir == 1 || dir == -1) {
		const call_row *k = dir == 1 ? &t->rows[t->n - 1] : &t->rows[0];
		r.has_key = 1;
		r.key_ts = k->ts;
		r.key_id = k->id;
		r.key_val = a->sort == SORT_LATENCY ? k->latency_ms : (double)k->cost_nusd;
	}
	app_query(a, &r);
	t->want = a->q_tag;
	t->want_dir = dir;
}

static void traces_reload(view_t *v, app_t *a)
{
	traces *t = v->priv;
	clear_rows(t);
	t->sel = t->top = 0;
	t->more_before = t->more_after = 0;
	t->loaded = 0;
	t->err[0] = 0;
	request(v, a, 0);
}

static void traces_open(view_t *v, app_t *a, const void *arg)
{
	(void)arg;
	traces_reload(v, a);
}

static void traces_close(view_t *v, app_t *a)
{
	(void)a;
	traces *t = v->priv;
	clear_rows(t);
	free(t->rows);
}

static void reserve(traces *t, size_t n)
{
	if (n <= t->cap)
		return;
	while (t->cap < n)
		t->cap = t->cap ? t->cap * 2 : 256;
	t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
}

static int find_error(traces *t, int from, int dir)
{
	for (int i = from; i >= 0 && i < (int)t->n; i += dir)
		if (t->rows[i].is_error)
			return i;
	return -1;
}

static void traces_page(view_t *v, app_t *a, call_page *p, uint64_t tag, const char *err)
{
	traces *t = v->priv;
	if (tag != t->want)
		return; /* an answer to a question no longer asked */
	t->want = 0;
	t->loaded = 1;
	if (!p) {
		snprintf(t->err, sizeof t->err, "%s", err ? err : "query failed");
		app_message(a, EL_ERROR, "traces: %s", t->err);
		return;
	}
	t->fts_pending = p->fts_pending;
	int dir = t->want_dir;
	if (dir == 0 || dir == 2) {
		clear_rows(t);
		reserve(t, p->n);
		if (p->n)
			memcpy(t->rows, p->rows, p->n * sizeof *p->rows);
		t->n = p->n;
		t->more_before = dir == 2 && !p->complete;
		t->more_after = dir == 0 && !p->complete;
		t->sel = dir == 2 && t->n ? (int)t->n - 1 : 0;
		t->top = 0;
	} else if (dir == 1) {
		reserve(t, t->n + p->n);
		if (p->n)
			memcpy(t->rows + t->n, p->rows, p->n * sizeof *p->rows);
		t->n += p->n;
		t->more_after = !p->complete;
		if (t->n > KEEP) {
			size_t drop = t->n - KEEP;
			for (size_t i = 0; i < drop; i++)
				call_row_free(&t->rows[i]);
			memmove(t->rows, t->rows + drop, (t->n - drop) * sizeof *t->rows);
			t->n -= drop;
			t->sel -= (int)drop;
			t->top -= (int)drop;
			t->more_before = 1;
		}
	} else {
		reserve(t, t->n + p->n);
		if (p->n) {
			memmove(t->rows + p->n, t->rows, t->n * sizeof *t->rows);
			memcpy(t->rows, p->rows, p->n * sizeof *p->rows);
		}
		t->n += p->n;
		t->sel += (int)p->n;
		t->top += (int)p->n;
		t->more_before = !p->complete;
		if (t->n > KEEP) {
			for (size_t i = KEEP; i < t->n; i++)
				call_row_free(&t->rows[i]);
			t->n = KEEP;
			t->more_after = 1;
		}
	}
	/* The rows now belong to the list. */
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
	if (t->seek_error) {
		int d = t->seek_error, at = find_error(t, t->sel + d, d);
		t->seek_error = 0;
		if (at >= 0)
			t->sel = at;
		else
			app_message(a, EL_MESSAGE, "no %s error", d > 0 ? "later" : "earlier");
	}
	if (t->sel >= (int)t->n)
		t->sel = t->n ? (int)t->n - 1 : 0;
	if (t->sel < 0)
		t->sel = 0;
}

static int traces_busy(view_t *v, app_t *a)
{
	(void)a;
	return ((traces *)v->priv)->want != 0;
}

/* Keep rows coming as the selection nears either end. */
static void prefetch(view_t *v, app_t *a)
{
	traces *t = v->priv;
	if (t->want)
		return;
	if (t->more_after && t->sel >= (int)t->n - 40)
		request(v, a, 1);
	else if (t->more_before && t->sel < 40 && t->n)
		request(v, a, -1);
}

static int traces_action(view_t *v, app_t *a, int act)
{
	traces *t = v->priv;
	int page = v->h > 4 ? v->h - 3 : 1;
	switch (act) {
	case A_MOVE_DOWN: t->sel++; break;
	case A_MOVE_UP: t->sel--; break;
	case A_PAGE_DOWN: t->sel += page; break;
	case A_PAGE_UP: t->sel -= page; break;
	case A_MOVE_FIRST:
		if (t->more_before) {
			traces_reload(v, a);
			return 1;
		}
		t->sel = 0;
		break;
	case A_MOVE_LAST:
		if (t->more_after) {
			request(v, a, 2); /* the oldest page, straight away */
			return 1;
		}
		t->sel = (int)t->n - 1;
		break;
	case A_ENTER:
		if (t->n) {
			call_show(a, t->rows[t->sel].id);
			return 1;
		}
		return 1;
	case A_DIFF: /* the selected call's prompt version against the one before */
		if (t->n)
			diff_show_spec(a, t->rows[t->sel].prompt);
		return 1;
	case A_NEXT_ERROR:
	case A_PREV_ERROR: {
		int d = act == A_NEXT_ERROR ? 1 : -1, at = find_error(t, t->sel + d, d);
		if (at >= 0) {
			t->sel = at;
		} else if ((d > 0 && t->more_after) || (d < 0 && t->more_before)) {
			t->seek_error = d;
			if (!t->want)
				request(v, a, d);
		} else {
			app_message(a, EL_MESSAGE, "no %s error", d > 0 ? "later" : "earlier");
		}
		break;
	}
	case A_SORT:
		a->sort = (a->sort + 1) % 3;
		traces_reload(v, a);
		app_message(a, EL_MESSAGE, "sorted by %s", a->sort == SORT_TIME ? "time" : a->sort == SORT_LATENCY ? "latency" : "cost");
		return 1;
	case A_REFRESH:
		traces_reload(v, a);
		return 1;
	default: return 0;
	}
	if (t->sel >= (int)t->n)
		t->sel = t->n ? (int)t->n - 1 : 0;
	if (t->sel < 0)
		t->sel = 0;
	prefetch(v, a);
	return 1;
}

static int traces_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	traces *t = v->priv;
	for (int k = 1; k <= (int)t->n; k++) {
		int i = ((t->sel + dir * k) % (int)t->n + (int)t->n) % (int)t->n;
		const call_row *r = &t->rows[i];
		if ((r->model && strcasestr(r->model, text)) || (r->prompt && strcasestr(r->prompt, text)) ||
		    (r->preview && strcasestr(r->preview, text)) || (r->feature && strcasestr(r->feature, text)) ||
		    strcasestr(r->span, text)) {
			t->sel = i;
			return 1;
		}
	}
	return 0;
}

/* ---- drawing ----------------------------------------------------------- */

enum { C_TIME, C_ST, C_MODEL, C_PROMPT, C_LAT, C_TOK, C_COST, C_OUT, C_N };

static void widths(int w, int long_window, int *cw)
{
	/* What fits: output takes what is left. */
	cw[C_TIME] = long_window ? 11 : 8;
	cw[C_ST] = 3;
	cw[C_LAT] = 6;
	cw[C_COST] = 7;
	cw[C_MODEL] = w >= 140 ? 26 : w >= 100 ? 22 : 17;
	cw[C_PROMPT] = w >= 140 ? 24 : w >= 100 ? 20 : 16;
	cw[C_TOK] = w >= 100 ? 11 : 0;
	int used = 0;
	for (int c = 0; c < C_OUT; c++)
		used += cw[c] ? cw[c] + 1 : 0;
	cw[C_OUT] = w - used;
}

static void traces_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	traces *t = v->priv;
	int cw[C_N];
	/* Calls older than a day carry their date. */
	int long_window = 1;
	if (t->n && t->rows[0].ts - t->rows[t->n - 1].ts < NS_PER_DAY && a->now_ns - t->rows[t->n - 1].ts < NS_PER_DAY)
		long_window = 0;
	widths(w - 1, long_window, cw);
	static const char *const titles[C_N] = {"TIME", "ST", "MODEL", "PROMPT", "LAT", "IN/OUT", "COST", "OUTPUT"};
	int cx = x + 1;
	for (int c = 0; c < C_N; c++) {
		if (!cw[c])
			continue;
		if (c == C_LAT || c == C_COST || c == C_TOK)
			draw_text_right(y, cx, cw[c], titles[c], EL_HEADER);
		else
			draw_text(y, cx, cw[c], titles[c], EL_HEADER);
		cx += cw[c] + 1;
	}
	int rows = h - 1;
	if (!t->n) {
		const char *m = !t->loaded ? "loading..." : t->err[0] ? t->err : "no calls match the filter";
		draw_text(y + 2, x + 2, w - 4, m, t->err[0] ? EL_CRIT : EL_DIM);
		if (t->loaded && !t->err[0] && a->filter_src[0])
			draw_textf(y + 3, x + 2, w - 4, EL_DIM, "filter: %s  (f to change it)", a->filter_src);
		return;
	}
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + rows)
		t->top = t->sel - rows + 1;
	for (int r = 0; r < rows && t->top + r < (int)t->n; r++) {
		const call_row *row = &t->rows[t->top + r];
		int ry = y + 1 + r;
		char buf[64], ts[32];
		cx = x + 1;
		clock_fmt_short(row->ts, ts, sizeof ts);
		if (long_window)
			snprintf(buf, sizeof buf, "%.5s %.5s", ts + 5, ts + 11);
		else {
			clock_fmt_rfc3339(floor_to(row->ts, NS_PER_S), ts, sizeof ts);
			snprintf(buf, sizeof buf, "%.8s", ts + 11);
		}
		draw_text(ry, cx, cw[C_TIME], buf, EL_DIM);
		cx += cw[C_TIME] + 1;
		draw_text(ry, cx, cw[C_ST], row->is_error ? "ERR" : "ok", row->is_error ? EL_CRIT : EL_OK);
		cx += cw[C_ST] + 1;
		char mshort[128];
		draw_text_cut(ry, cx, cw[C_MODEL], model_short(row->model, mshort, sizeof mshort), EL_DEFAULT, 1);
		cx += cw[C_MODEL] + 1;
		draw_text_cut(ry, cx, cw[C_PROMPT], row->prompt ? row->prompt : "-", EL_ACCENT, 1);
		cx += cw[C_PROMPT] + 1;
		fmt_ms(buf, sizeof buf, row->latency_ms);
		draw_text_right(ry, cx, cw[C_LAT], buf, EL_DEFAULT);
		cx += cw[C_LAT] + 1;
		if (cw[C_TOK]) {
			char in[16], out[16];
			if (row->input_tokens >= 0)
				fmt_count(in, sizeof in, (double)row->input_tokens);
			else
				snprintf(in, sizeof in, "-");
			if (row->output_tokens >= 0)
				fmt_count(out, sizeof out, (double)row->output_tokens);
			else
				snprintf(out, sizeof out, "-");
			snprintf(buf, sizeof buf, "%s/%s", in, out);
			draw_text_right(ry, cx, cw[C_TOK], buf, EL_DEFAULT);
			cx += cw[C_TOK] + 1;
		}
		if (row->cost_nusd >= 0)
			fmt_usd(buf, sizeof buf, (double)row->cost_nusd / 1e9);
		else
			snprintf(buf, sizeof buf, "?");
		draw_text_right(ry, cx, cw[C_COST], buf, EL_DEFAULT);
		cx += cw[C_COST] + 1;
		if (cw[C_OUT] > 0 && row->preview) {
			/* One line of the output: newlines shown as spaces. */
			char pv[256];
			snprintf(pv, sizeof pv, "%s", row->preview);
			for (char *p = pv; *p; p++)
				if (*p == '\n' || *p == '\t')
					*p = ' ';
			draw_text_cut(ry, cx, cw[C_OUT], pv, row->is_error ? EL_ERROR : EL_DIM, 1);
		}
		if (t->top + r == t->sel) {
			draw_chgat(ry, x, w, EL_SELECTED);
			/* The cursor shows without colour too. */
			draw_text(ry, x, 1, glyph(G_CURSOR), EL_SELECTED);
		}
	}
}

static void traces_title(view_t *v, app_t *a, char *buf, size_t n)
{
	traces *t = v->priv;
	char count[32];
	fmt_thousands(count, sizeof count, (uint64_t)t->n);
	const char *sort = a->sort == SORT_TIME ? "newest first" : a->sort == SORT_LATENCY ? "slowest first" : "dearest first";
	char idx[64] = "";
	if (a->filter.text && t->fts_pending > 0)
		snprintf(idx, sizeof idx, " (text index %lld behind)", (long long)t->fts_pending);
	/* The count and the order first: a long filter is what gets cut. */
	snprintf(buf, n, "traces %s %s%s %s %s%s %s %s", glyph(G_DOT), count, t->more_after || t->more_before ? "+" : "", glyph(G_DOT),
		 sort, idx, glyph(G_DOT), a->filter_src[0] ? a->filter_src : "all calls");
}

static int traces_selected(view_t *v, app_t *a, int64_t *id)
{
	(void)a;
	traces *t = v->priv;
	if (!t->n)
		return 0;
	*id = t->rows[t->sel].id;
	return 1;
}

const view_ops traces_ops = {
    .name = "traces",
    .scope = SC_TRACES,
    .flags = VIEW_SINGLETON | VIEW_FILTERED,
    .private_size = sizeof(traces),
    .open = traces_open,
    .close = traces_close,
    .draw = traces_draw,
    .action = traces_action,
    .reload = traces_reload,
    .search = traces_search,
    .page = traces_page,
    .busy = traces_busy,
    .title = traces_title,
    .selected_call = traces_selected,
};
