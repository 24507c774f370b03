/* The trace list: the calls matching the filter, newest (or slowest, or
 * dearest) first. Rows come a page at a time from the query thread, keyed
 * on the last row shown (keyset paging), in both directions, so scrolling
 * through a million calls never waits on more than one page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../tui/columns.h"
#include "../tui/listpos.h"
#include "../tui/tui.h"
#include "view.h"

#define PAGE 200
#define FIRST_MIN 50 /* the rows of a first page, at least; twice the screen's height if more */
#define KEEP 20000 /* rows held; beyond, the far end is dropped */

typedef struct traces {
	call_row *rows;
	size_t n, cap;
	listpos lp;
	int more_before, more_after;
	uint64_t want;     /* tag of the page awaited, 0 when none */
	int want_dir;      /* 0 fresh, 1 older (append), -1 newer (prepend), 2 from the end */
	int want_short;    /* the page awaited is a first one of a screenful or two */
	int seek_error;    /* a next-error waiting for rows: +1 / -1 */
	int loaded;        /* the first page arrived */
	char err[256];
	int64_t fts_pending;
	/* What the rows answer, and after a refresh of the same question (new
	 * calls came in) the call the cursor was on and where: once the rows
	 * come, the cursor is on that call again, not on the same index. */
	char filter[sizeof ((app_t *)0)->filter_src];
	int sort;
	int64_t stay_id; /* 0 when none */
	int stay_sel, stay_top;
	int fresh; /* calls that came in above the screen since the user was at the top */
	/* `/`: the next call in the list's order whose text matches, asked of
	 * the query thread (one row after the cursor's, or from the list's end
	 * once wrapped). queued while a page is awaited: one request at a time. */
	char search_text[256];
	int search_dir;
	uint64_t search_tag; /* the answer awaited, 0 when none */
	int search_queued, search_wrapped;
	int jumped; /* rows restarted at a match far away: fill in around it */
} traces;

static void clear_rows(traces *t)
{
	for (size_t i = 0; i < t->n; i++)
		call_row_free(&t->rows[i]);
	t->n = 0;
}

/* A page in direction dir, of limit rows (0: the page, or a screenful or
 * two where the list starts afresh). */
static void request_rows(view_t *v, app_t *a, int dir, int limit)
{
	traces *t = v->priv;
	if (t->search_tag) { /* this replaces it on the query thread: ask again after */
		t->search_tag = 0;
		t->search_queued = 1;
	}
	page_req r = {0};
	r.filter = &a->filter;
	r.sort = a->sort;
	r.limit = PAGE;
	/* From a server, a list that starts afresh (not a refresh that keeps
	 * its cursor on its call) reads a screenful or two first and the rest
	 * of the page straight after it: sorted by latency or cost, every row
	 * is read on its own (a granule each on ClickHouse), and the first
	 * frame waits only for the rows it shows. A file's sorted page costs
	 * its scan whatever its length: read at once. */
	if (limit > 0) {
		r.limit = limit;
	} else if ((dir == 0 || dir == 2) && !t->stay_id && store_remote(a->st)) {
		int rows, cols;
		tui_size(&rows, &cols);
		r.limit = rows * 2 > FIRST_MIN ? rows * 2 : FIRST_MIN;
		if (r.limit > PAGE)
			r.limit = PAGE;
	}
	t->want_short = r.limit < PAGE && (dir == 0 || dir == 2);
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

static void request(view_t *v, app_t *a, int dir)
{
	request_rows(v, a, dir, 0);
}

/* The search's filter is the list's with the searched words added, as if
 * typed in the filter: "/crushed" finds the calls the filter word finds. */
static void search_submit(view_t *v, app_t *a)
{
	traces *t = v->priv;
	if (!a->q) {
		app_message(a, EL_ERROR, "search: the store cannot be read");
		return;
	}
	char src[sizeof a->filter_src + sizeof t->search_text + 2], err[256];
	snprintf(src, sizeof src, "%s %s", a->filter_src, t->search_text);
	filter_t f;
	filter_init(&f);
	if (filter_parse(&f, src, err, sizeof err)) {
		filter_free(&f);
		app_message(a, EL_ERROR, "search: %s", err);
		return;
	}
	page_req r = {0};
	r.filter = &f;
	r.sort = a->sort;
	r.limit = 1;
	r.older = t->search_dir > 0;
	if (!t->search_wrapped && t->n) {
		const call_row *k = &t->rows[t->lp.sel];
		r.has_key = 1;
		r.key_ts = k->ts;
		r.key_id = k->id;
		r.key_val = a->sort == SORT_LATENCY ? k->latency_ms : (double)k->cost_nusd;
	}
	app_query(a, &r);
	filter_free(&f);
	t->search_tag = a->q_tag;
	t->search_queued = 0;
}

/* From the first page, the cursor on the first row. */
static void start(view_t *v, app_t *a)
{
	traces *t = v->priv;
	t->jumped = 0;
	clear_rows(t);
	t->lp.sel = t->lp.top = 0;
	t->more_before = t->more_after = 0;
	t->loaded = 0;
	t->err[0] = 0;
	snprintf(t->filter, sizeof t->filter, "%s", a->filter_src);
	t->sort = a->sort;
	request(v, a, 0);
}

static void restart(view_t *v, app_t *a)
{
	((traces *)v->priv)->stay_id = 0;
	((traces *)v->priv)->fresh = 0;
	start(v, a);
}

static void traces_reload(view_t *v, app_t *a)
{
	traces *t = v->priv;
	if (a->sort != t->sort || strcmp(a->filter_src, t->filter)) {
		t->stay_id = 0;
		t->fresh = 0;
	} else if (t->n) { /* else a refresh is still loading: its call stays the one */
		t->stay_id = t->rows[t->lp.sel].id;
		t->stay_sel = t->lp.sel;
		t->stay_top = t->lp.top;
	}
	start(v, a);
}

static void traces_open(view_t *v, app_t *a, const void *arg)
{
	(void)arg;
	restart(v, a);
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

/* The refreshed rows are in. With the cursor on the first row the list
 * follows the head, as `less +F` does: the cursor on the newest call.
 * Otherwise the cursor stays on its call and the screen on the same calls,
 * the new ones above it counted in the title until the user goes to the
 * top. A call no longer in the first page leaves the cursor on the first
 * row, as before the refresh. */
static void stay(traces *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->rows[i].id != t->stay_id)
			continue;
		t->lp.n = (int)t->n;
		if (t->stay_sel == 0) {
			t->lp.sel = t->lp.top = 0;
			t->fresh = 0;
		} else {
			int added = (int)i - t->stay_sel;
			t->lp.sel = t->stay_sel;
			t->lp.top = t->stay_top;
			listpos_follow(&t->lp, added);
			if (added > 0)
				t->fresh += added;
		}
		t->stay_id = 0;
		return;
	}
	t->stay_id = 0;
	t->fresh = 0;
}

static void prefetch(view_t *v, app_t *a);

/* The next match is in: the cursor goes to it, in the rows held or, when it
 * is further than they reach, in rows restarted at it. */
static void search_found(view_t *v, app_t *a, call_page *p, const char *err)
{
	traces *t = v->priv;
	t->search_tag = 0;
	char *shown = sanitize_str(t->search_text, tui_ascii() ? SAN_ASCII : 0);
	if (!p) {
		app_message(a, EL_ERROR, "search: %s", err ? err : "query failed");
	} else if (!p->n && !t->search_wrapped && t->n) {
		t->search_wrapped = 1; /* on from the other end, as vi does */
		search_submit(v, a);
	} else if (!p->n) {
		int64_t since = a->q ? querier_fts_since(a->q) : 0;
		if (since > 0) {
			char ts[32];
			clock_fmt_short(floor_to(since, NS_PER_MIN) + NS_PER_MIN, ts, sizeof ts);
			app_message(a, EL_ERROR, "not found: %s (text search covers calls since %s so far)", shown, ts + 5);
		} else if (p->fts_pending > 0) {
			app_message(a, EL_ERROR, "not found: %s (the text index is still being built)", shown);
		} else {
			app_message(a, EL_ERROR, "not found: %s", shown);
		}
	} else {
		size_t i = 0;
		while (i < t->n && t->rows[i].id != p->rows[0].id)
			i++;
		if (i < t->n) {
			t->lp.sel = (int)i;
		} else {
			clear_rows(t);
			reserve(t, 1);
			t->rows[0] = p->rows[0];
			free(p->rows);
			p->rows = NULL;
			p->n = 0;
			t->n = 1;
			t->lp.sel = t->lp.top = 0;
			t->more_before = t->more_after = 1;
			t->jumped = 1;
			request(v, a, 1);
		}
		t->lp.n = (int)t->n;
		listpos_follow(&t->lp, 0);
		if (t->search_wrapped)
			app_message(a, EL_MESSAGE, "search went on from the %s: %s", t->search_dir > 0 ? "top" : "bottom", shown);
		else
			a->msg[0] = 0;
	}
	free(shown);
}

static void traces_page(view_t *v, app_t *a, call_page *p, uint64_t tag, const char *err)
{
	traces *t = v->priv;
	if (tag && tag == t->search_tag) {
		search_found(v, a, p, err);
		return;
	}
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
	int dir = t->want_dir, short_first = t->want_short;
	if (dir == 0 || dir == 2) {
		clear_rows(t);
		reserve(t, p->n);
		if (p->n)
			memcpy(t->rows, p->rows, p->n * sizeof *p->rows);
		t->n = p->n;
		t->more_before = dir == 2 && !p->complete;
		t->more_after = dir == 0 && !p->complete;
		t->lp.sel = dir == 2 && t->n ? (int)t->n - 1 : 0;
		t->lp.top = 0;
		if (dir == 0 && t->stay_id)
			stay(t);
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
			t->lp.n = (int)t->n;
			listpos_follow(&t->lp, -(int)drop);
			t->more_before = 1;
		}
	} else {
		reserve(t, t->n + p->n);
		if (p->n) {
			memmove(t->rows + p->n, t->rows, t->n * sizeof *t->rows);
			memcpy(t->rows, p->rows, p->n * sizeof *p->rows);
		}
		t->n += p->n;
		t->lp.n = (int)t->n;
		listpos_follow(&t->lp, (int)p->n);
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
		int d = t->seek_error, at = find_error(t, t->lp.sel + d, d);
		t->seek_error = 0;
		if (at >= 0)
			t->lp.sel = at;
		else
			app_message(a, EL_MESSAGE, "no %s error", d > 0 ? "later" : "earlier");
	}
	t->lp.n = (int)t->n;
	listpos_follow(&t->lp, 0);
	/* The rest of a first page before anything else, so that the page is
	 * whole as if read at once: a search asked meanwhile stays queued and
	 * goes once it is in. */
	if (short_first && t->n && ((dir == 0 && t->more_after) || (dir == 2 && t->more_before))) {
		request_rows(v, a, dir == 0 ? 1 : -1, PAGE - (int)t->n);
	} else if (t->search_queued) {
		search_submit(v, a);
	} else if (t->jumped) {
		prefetch(v, a); /* the calls above the match, once below it are in */
	}
}

static int traces_busy(view_t *v, app_t *a)
{
	(void)a;
	traces *t = v->priv;
	return t->want != 0 || t->search_tag != 0 || t->search_queued;
}

/* Keep rows coming as the selection nears either end. */
static void prefetch(view_t *v, app_t *a)
{
	traces *t = v->priv;
	if (t->want || t->search_tag || t->search_queued)
		return;
	if (t->more_before && t->lp.sel < 40 && t->n)
		t->jumped = 0;
	if (t->more_after && t->lp.sel >= (int)t->n - 40)
		request(v, a, 1);
	else if (t->more_before && t->lp.sel < 40 && t->n)
		request(v, a, -1);
}

static int traces_action(view_t *v, app_t *a, int act)
{
	traces *t = v->priv;
	t->lp.n = (int)t->n;
	switch (act) {
	case A_MOVE_FIRST:
		if (t->more_before) {
			restart(v, a);
			return 1;
		}
		listpos_action(&t->lp, act);
		break;
	case A_MOVE_LAST:
		if (t->more_after) {
			t->jumped = 0; /* the end, not the rows around a match */
			request(v, a, 2); /* the oldest page, straight away */
			return 1;
		}
		listpos_action(&t->lp, act);
		break;
	case A_ENTER:
		if (t->n) {
			call_show(a, t->rows[t->lp.sel].id);
			return 1;
		}
		return 1;
	case A_VIEW_TRACE: /* every span of the selected call's trace */
		if (t->n)
			trace_show(a, t->rows[t->lp.sel].id);
		return 1;
	case A_DIFF: /* the selected call's prompt version against the one before */
		if (t->n)
			diff_show_spec(a, t->rows[t->lp.sel].prompt);
		return 1;
	case A_COPY_ID:
	case A_COPY_JSON:
		if (t->n)
			call_copy(a, t->rows[t->lp.sel].id, act == A_COPY_JSON);
		return 1;
	case A_NEXT_ERROR:
	case A_PREV_ERROR: {
		int d = act == A_NEXT_ERROR ? 1 : -1, at = find_error(t, t->lp.sel + d, d);
		if (at >= 0) {
			t->lp.sel = at;
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
		restart(v, a);
		app_message(a, EL_MESSAGE, "sorted by %s", a->sort == SORT_TIME ? "time" : a->sort == SORT_LATENCY ? "latency" : "cost");
		return 1;
	case A_REFRESH:
		restart(v, a);
		return 1;
	default:
		if (!listpos_action(&t->lp, act))
			return 0;
	}
	if ((t->lp.top == 0 || t->lp.sel == 0) && !t->more_before)
		t->fresh = 0; /* the new calls are on screen */
	prefetch(v, a);
	return 1;
}

/* Through the text index, over every call of the list's filter, not only
 * the rows held: the answer comes from the query thread (-1: said then). */
static int traces_search(view_t *v, app_t *a, const char *text, int dir)
{
	traces *t = v->priv;
	snprintf(t->search_text, sizeof t->search_text, "%s", text);
	t->search_dir = dir;
	t->search_wrapped = 0;
	t->search_tag = 0;
	if (t->want || !t->loaded)
		t->search_queued = 1; /* asked once the page awaited is in */
	else
		search_submit(v, a);
	return -1;
}

/* ---- drawing ----------------------------------------------------------- */

enum { C_TIME, C_ST, C_MODEL, C_PROMPT, C_LAT, C_TOK, C_COST, C_OUT, C_N };

/* Laid out after the cursor's column. Model and prompt widen at 100 and
 * 140 columns, the tokens show from 100; the output takes what is left. */
static const column columns_of[C_N] = {
    [C_TIME] = {"TIME", 8, 0, COL_LEFT, EL_DIM},
    [C_ST] = {"ST", 3, 1, COL_LEFT, EL_OK},
    [C_MODEL] = {"MODEL", 17, 1, COL_LEFT, EL_DEFAULT, .cut = 1, .give = 2, .min = 10, .wider = {{100, 22}, {140, 26}}},
    [C_PROMPT] = {"PROMPT", 16, 1, COL_LEFT, EL_ACCENT, .cut = 1, .give = 3, .min = 8, .wider = {{100, 20}, {140, 24}}},
    [C_LAT] = {"LAT", 6, 1, COL_RIGHT, EL_DEFAULT},
    [C_TOK] = {"IN/OUT", 11, 1, COL_RIGHT, EL_DEFAULT, .give = 1, .from = 100},
    [C_COST] = {"COST", 7, 1, COL_RIGHT, EL_DEFAULT},
    [C_OUT] = {"OUTPUT", 10, 1, COL_LEFT, EL_DIM, .cut = 1, .fill = 1},
};

static void traces_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	traces *t = v->priv;
	/* Calls older than a day carry their date. */
	int long_window = 1;
	if (t->n && t->rows[0].ts - t->rows[t->n - 1].ts < NS_PER_DAY && a->now_ns - t->rows[t->n - 1].ts < NS_PER_DAY)
		long_window = 0;
	column cols[C_N];
	memcpy(cols, columns_of, sizeof cols);
	if (long_window)
		cols[C_TIME].width = 11;
	columns l;
	columns_layout(&l, cols, C_N, w - 1);
	columns_header(&l, y, x + 1);
	int rows = h - 1;
	if (!t->n) {
		const char *m = !t->loaded ? "loading..." : t->err[0] ? t->err : "no calls match the filter";
		draw_text(y + 2, x + 2, w - 4, m, t->err[0] ? EL_CRIT : EL_DIM);
		if (t->loaded && !t->err[0] && a->filter_src[0])
			draw_textf(y + 3, x + 2, w - 4, EL_DIM, "filter: %s  (f to change it)", a->filter_src);
		return;
	}
	t->lp.n = (int)t->n;
	t->lp.page = rows;
	t->lp.keep = 2;
	listpos_follow(&t->lp, 0);
	for (int r = 0; r < rows && t->lp.top + r < (int)t->n; r++) {
		const call_row *row = &t->rows[t->lp.top + r];
		int ry = y + 1 + r;
		char buf[64], ts[32];
		clock_fmt_short(row->ts, ts, sizeof ts);
		if (long_window)
			snprintf(buf, sizeof buf, "%.5s %.5s", ts + 5, ts + 11);
		else {
			clock_fmt_rfc3339(floor_to(row->ts, NS_PER_S), ts, sizeof ts);
			snprintf(buf, sizeof buf, "%.8s", ts + 11);
		}
		columns_cell(&l, C_TIME, ry, x + 1, buf, -1);
		columns_cell(&l, C_ST, ry, x + 1, row->is_error ? "ERR" : "ok", row->is_error ? EL_CRIT : EL_OK);
		char mshort[128];
		columns_cell(&l, C_MODEL, ry, x + 1, model_short(row->model, mshort, sizeof mshort), -1);
		char plabel[256];
		columns_cell(&l, C_PROMPT, ry, x + 1, row->prompt ? prompt_label(row->prompt, l.w[C_PROMPT], plabel, sizeof plabel) : "-", -1);
		fmt_ms(buf, sizeof buf, row->latency_ms);
		columns_cell(&l, C_LAT, ry, x + 1, buf, -1);
		if (l.w[C_TOK] > 0) {
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
			columns_cell(&l, C_TOK, ry, x + 1, buf, -1);
		}
		if (row->cost_nusd >= 0)
			fmt_usd(buf, sizeof buf, (double)row->cost_nusd / 1e9);
		else
			snprintf(buf, sizeof buf, "?");
		columns_cell(&l, C_COST, ry, x + 1, buf, -1);
		if (row->preview) {
			/* One line of the output: newlines shown as spaces. */
			char pv[256];
			snprintf(pv, sizeof pv, "%s", row->preview);
			for (char *p = pv; *p; p++)
				if (*p == '\n' || *p == '\t')
					*p = ' ';
			columns_cell(&l, C_OUT, ry, x + 1, pv, row->is_error ? EL_ERROR : EL_DIM);
		}
		if (t->lp.top + r == t->lp.sel) {
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
	char idx[64] = "", fresh[48] = "";
	if (t->fresh > 0)
		snprintf(fresh, sizeof fresh, " %s %d new %s", glyph(G_DOT), t->fresh, glyph(G_UP));
	if (a->filter.text && t->fts_pending > 0)
		snprintf(idx, sizeof idx, " (text index %lld behind)", (long long)t->fts_pending);
	/* The count and the order first: a long filter is what gets cut. */
	snprintf(buf, n, "traces %s %s%s%s %s %s%s %s %s", glyph(G_DOT), count, t->more_after || t->more_before ? "+" : "", fresh,
		 glyph(G_DOT), sort, idx, glyph(G_DOT), a->filter_src[0] ? a->filter_src : "all calls");
}

/* The rows loaded, one a line, tab-separated for cut and awk. */
static void traces_text(view_t *v, app_t *a, sbuf *out)
{
	(void)a;
	traces *t = v->priv;
	sb_adds(out, "time\tstatus\tmodel\tprompt\tlatency_ms\tcost_usd\tspan_id\toutput\n");
	for (size_t i = 0; i < t->n; i++) {
		const call_row *r = &t->rows[i];
		char ts[40];
		clock_fmt_rfc3339(r->ts, ts, sizeof ts);
		sb_printf(out, "%s\t%s\t", ts, r->is_error ? "error" : "ok");
		sanitize(r->model, strlen(r->model), 0, out);
		sb_addc(out, '\t');
		if (r->prompt)
			sanitize(r->prompt, strlen(r->prompt), 0, out);
		sb_addc(out, '\t');
		if (r->latency_ms >= 0)
			sb_printf(out, "%.0f", r->latency_ms);
		sb_addc(out, '\t');
		if (r->cost_nusd >= 0)
			sb_printf(out, "%.6f", (double)r->cost_nusd / 1e9);
		sb_printf(out, "\t%s\t", r->span);
		if (r->preview)
			sanitize(r->preview, strlen(r->preview), 0, out); /* newlines and tabs become pictures */
		sb_addc(out, '\n');
	}
}

static int traces_selected(view_t *v, app_t *a, int64_t *id)
{
	(void)a;
	traces *t = v->priv;
	if (!t->n)
		return 0;
	*id = t->rows[t->lp.sel].id;
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
    .text = traces_text,
};
