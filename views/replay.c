/* The replay pane: the original answer and the replay side by side while
 * the replay streams in, then the word diff between them, and tokens, cost,
 * latency and time to first token of both. A batch replays the calls of the
 * trace list's filter with bounded concurrency: a progress bar, one line a
 * call, and a summary of old against new. Esc cancels; q goes back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../core/textdiff.h"
#include "../data/replay.h"
#include "../tui/columns.h"
#include "../tui/listpos.h"
#include "../tui/tui.h"
#include "view.h"

typedef struct seg {
	size_t off, len; /* a screen line: bytes of the sanitised text */
} seg;

typedef struct rview {
	int64_t call_id;
	replay_t *r;        /* the single replay shown */
	int owns_r;         /* 0: it belongs to the batch underneath */
	rbatch_t *b;        /* a batch */
	int asked;          /* waiting for the version */
	char def_ver[128];  /* what Enter on an empty answer takes */
	char err[640];      /* could not start */
	listpos pos;        /* over the lines of the texts, or the batch list's rows (with a selection) */
	/* the word diff, once the replay is over */
	char *san[2];
	td_words words;
	int have_words;
} rview;

/* What the view is opened with: a replay of the batch underneath to show
 * (borrowed), a batch (ids, taken over, against ref), or one call. */
typedef struct replay_arg {
	int64_t id;
	int64_t *ids;
	size_t n;
	const char *ref;
	replay_t *borrowed;
} replay_arg;

static void changed_cb(void *ud, replay_t *r)
{
	(void)r;
	app_redraw(ud);
}

static void batch_cb(void *ud, rbatch_t *b)
{
	(void)b;
	app_redraw(ud);
}

static void start_single(view_t *v, app_t *a, const char *ref)
{
	rview *rv = v->priv;
	char err[640];
	rv->r = replay_new(a->st, a->provs, a->prices, rv->call_id, ref, NULL, err, sizeof err);
	if (!rv->r) {
		snprintf(rv->err, sizeof rv->err, "%s", err);
		app_message(a, EL_ERROR, "replay: %s", err);
		return;
	}
	rv->owns_r = 1;
	rv->r->timeout_s = (double)config_dur(a->cfg, CFG_replay_timeout) / 1e9;
	rv->r->on_change = changed_cb;
	rv->r->ud = a;
	replay_start(rv->r, a->http);
}

static void replay_open(view_t *v, app_t *a, const void *varg)
{
	rview *rv = v->priv;
	const replay_arg *arg = varg;
	if (arg->borrowed) {
		rv->r = arg->borrowed;
		return;
	}
	if (arg->ids) {
		rv->b = rbatch_new(a->st, a->provs, a->prices, arg->ids, arg->n, arg->ref, 4);
		free(arg->ids);
		rv->b->timeout_s = (double)config_dur(a->cfg, CFG_replay_timeout) / 1e9;
		rv->b->on_change = batch_cb;
		rv->b->ud = a;
		if (!rv->b->n) {
			snprintf(rv->err, sizeof rv->err, "nothing to replay: %s", rv->b->err[0] ? rv->b->err : "no calls");
			return;
		}
		if (rv->b->skipped)
			app_message(a, EL_ERROR, "%zu calls cannot be replayed, e.g. %s", rv->b->skipped, rv->b->err);
		rbatch_start(rv->b, a->http);
		return;
	}
	rv->call_id = arg->id;
	/* The version before the call's is what one usually wants: ask, with it
	 * as the answer Enter gives. */
	call_full c;
	char lead[400] = "replay against version: ";
	if (store_call_get(a->st, rv->call_id, &c) == 0) {
		if (c.row.prompt) {
			const char *at = strrchr(c.row.prompt, '@');
			char name[256], err[256];
			snprintf(name, sizeof name, "%.*s", (int)(at ? at - c.row.prompt : (long)strlen(c.row.prompt)), c.row.prompt);
			if (at && replay_prev_version(a->st, name, at + 1, rv->def_ver, sizeof rv->def_ver, err, sizeof err) == 0)
				snprintf(lead, sizeof lead, "replay %.200s against version (Enter: %.60s): ", c.row.prompt, rv->def_ver);
			else
				snprintf(lead, sizeof lead, "replay %.200s against version: ", c.row.prompt);
		}
		call_full_free(&c);
	}
	rv->asked = 1;
	app_ask(a, lead, "");
}

static void replay_answer(view_t *v, app_t *a, const char *text, int how)
{
	rview *rv = v->priv;
	if (!rv->asked || how == ASK_TYPING)
		return;
	rv->asked = 0;
	if (how == ASK_CANCEL) {
		app_pop(a);
		return;
	}
	char buf[256];
	snprintf(buf, sizeof buf, "%s", text);
	char *t = str_trim(buf);
	start_single(v, a, *t ? t : rv->def_ver[0] ? rv->def_ver : NULL);
}

static void free_words(rview *rv)
{
	if (rv->have_words)
		textdiff_words_free(&rv->words);
	rv->have_words = 0;
	free(rv->san[0]);
	free(rv->san[1]);
	rv->san[0] = rv->san[1] = NULL;
}

static void replay_close(view_t *v, app_t *a)
{
	(void)a;
	rview *rv = v->priv;
	free_words(rv);
	if (rv->owns_r) {
		replay_cancel(rv->r); /* saved as cancelled, partial output kept */
		replay_free(rv->r);
	}
	if (rv->b) {
		rbatch_cancel(rv->b);
		rbatch_free(rv->b);
	}
}

/* ---- drawing ----------------------------------------------------------- */

/* Screen lines of sanitised text s at w columns: at '\n', else at the last
 * blank that fits, else wherever the width ends. */
static size_t wrap(const char *s, int w, seg **out)
{
	size_t n = 0, cap = 16;
	seg *v = xmalloc(cap * sizeof *v);
	size_t pos = 0, len = strlen(s);
	if (w < 1)
		w = 1;
	while (pos <= len) {
		size_t eol = pos + strcspn(s + pos, "\n");
		int used;
		size_t fit = text_cut(s + pos, w, &used);
		size_t take = eol - pos;
		size_t next;
		if (take <= fit) {
			next = eol + 1;
		} else {
			take = fit;
			for (size_t k = fit; k > fit / 2; k--)
				if (s[pos + k - 1] == ' ') {
					take = k;
					break;
				}
			if (!take)
				take = 1;
			next = pos + take;
		}
		if (n == cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[n++] = (seg){pos, take};
		if (eol >= len && next > len)
			break;
		pos = next;
	}
	*out = v;
	return n;
}

static int in_ranges(const td_range *r, size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++)
		if (off >= r[i].off && off < r[i].off + r[i].len)
			return 1;
	return 0;
}

/* One screen line; changed words (after the replay ended) stand out. */
static void draw_seg(int y, int x, int w, const char *s, seg g, const td_range *r, size_t nr, int el_changed)
{
	size_t i = g.off, end = g.off + g.len;
	int col = 0;
	while (i < end && col < w) {
		int ch = r ? in_ranges(r, nr, i) : 0;
		size_t j = i + 1;
		while (j < end && (r ? in_ranges(r, nr, j) : 0) == ch)
			j++;
		char *part = xstrndup(s + i, j - i);
		col += draw_text(y, x + col, w - col, part, ch ? el_changed : EL_DEFAULT);
		free(part);
		i = j;
	}
}

static const char *state_text(const replay_t *r, char *buf, size_t n)
{
	switch (r->state) {
	case RP_READY: return "waiting to start";
	case RP_RUNNING:
		/* Against the replay_timeout, which ends it, retries included. */
		snprintf(buf, n, "%s %.1fs of %.0fs", r->res.text.len ? "streaming" : "waiting for the first token",
			 clock_mono() - r->t0, r->timeout_s);
		return buf;
	case RP_WAITING: return r->note;
	case RP_DONE: return r->partial ? "partial" : "done";
	case RP_CANCELLED: return "cancelled";
	default: return r->partial ? "partial" : "failed";
	}
}

static void fmt_cost(int64_t v, char *b, size_t n)
{
	if (v < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "$%.6f", (double)v / 1e9);
}

static void fmt_tok(int64_t v, char *b, size_t n)
{
	if (v < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%lld", (long long)v);
}

static void metrics(int y, int x, int w, const replay_t *r)
{
	char a[4][32];
	draw_textf(y, x, w, EL_HEADER, "%-10s %9s %9s %9s %9s %11s", "", "in tok", "out tok", "latency", "ttft", "cost");
	fmt_tok(r->orig_in, a[0], 32);
	fmt_tok(r->orig_out, a[1], 32);
	fmt_ms(a[2], 32, r->orig_latency_ms);
	fmt_ms(a[3], 32, r->orig_ttft_ms);
	char c[32];
	fmt_cost(r->orig_cost_nusd, c, sizeof c);
	int used = draw_textf(y + 1, x, w, EL_DEFAULT, "%-10s %9s %9s %9s %9s %11s", "original", a[0], a[1], a[2], a[3], c);
	if (r->orig_error)
		draw_textf(y + 1, x + used + 1, w - used - 1, EL_ERROR, "error: %s", r->orig_error_type ? r->orig_error_type : "?");
	fmt_tok(r->res.input_tokens, a[0], 32);
	fmt_tok(r->res.output_tokens, a[1], 32);
	fmt_ms(a[2], 32, replay_finished(r) ? r->latency_ms : -1);
	fmt_ms(a[3], 32, r->ttft_ms);
	fmt_cost(r->cost_nusd, c, sizeof c);
	used = draw_textf(y + 2, x, w, EL_DEFAULT, "%-10s %9s %9s %9s %9s %11s", "replay", a[0], a[1], a[2], a[3], c);
	if (r->state == RP_FAILED || r->state == RP_CANCELLED || r->partial)
		draw_text(y + 2, x + used + 1, w - used - 1, r->partial ? "partial" : r->res.error_type[0] ? r->res.error_type : "error",
			  EL_ERROR);
	else if (r->state == RP_DONE)
		draw_text(y + 2, x + used + 1, w - used - 1, "ok", EL_OK);
}

static void ensure_words(rview *rv)
{
	const replay_t *r = rv->r;
	if (rv->have_words || !replay_finished(r))
		return;
	rv->san[0] = sanitize_str(r->orig_output ? r->orig_output : "", SAN_KEEP_NL | (tui_ascii() ? SAN_ASCII : 0));
	rv->san[1] = sanitize_str(sb_str(&r->res.text), SAN_KEEP_NL | (tui_ascii() ? SAN_ASCII : 0));
	textdiff_words(rv->san[0], strlen(rv->san[0]), rv->san[1], strlen(rv->san[1]), &rv->words);
	rv->have_words = 1;
}

static int text_rows(int h)
{
	return h - 8; /* header, column titles, the rule, two of messages, three of figures */
}

static void draw_single(rview *rv, int y, int x, int h, int w)
{
	replay_t *r = rv->r;
	char st[200];
	char ov[160];
	snprintf(ov, sizeof ov, "%s%s", r->orig_version ? "@" : "", r->orig_version ? r->orig_version : "");
	/* The state at the right, always seen; what is replayed before it. */
	const char *stt = state_text(r, st, sizeof st);
	int sw = text_width(stt);
	if (sw > w / 2)
		sw = w / 2;
	draw_text_right(y, x + w - sw, sw, stt,
			r->state == RP_FAILED ? EL_ERROR : r->state == RP_DONE && !r->partial ? EL_OK : EL_MESSAGE);
	char ms[128];
	draw_textf(y, x, w - sw - 1, EL_HEADER, "%s%s -> @%s  call %.8s  %s %s", r->prompt_name, ov, r->prompt_version,
		   r->span, r->provider, model_short(r->model, ms, sizeof ms));
	int half = (w - 1) / 2, rw = w - half - 1;
	char t0[200], t1[200];
	snprintf(t0, sizeof t0, "%s original%s%s ", glyph(G_HLINE), r->orig_version ? " @" : "", r->orig_version ? r->orig_version : "");
	snprintf(t1, sizeof t1, "%s replay @%s ", glyph(G_HLINE), r->prompt_version);
	for (int i = 0; i < w; i++)
		draw_glyph(y + 1, x + i, G_HLINE, EL_BORDER);
	draw_text(y + 1, x, half, t0, EL_PANE);
	draw_text(y + 1, x + half + 1, rw, t1, EL_PANE);
	ensure_words(rv);
	char *live[2] = {NULL, NULL};
	const char *txt[2];
	if (rv->have_words) {
		txt[0] = rv->san[0];
		txt[1] = rv->san[1];
	} else {
		live[0] = sanitize_str(r->orig_output ? r->orig_output : "", SAN_KEEP_NL | (tui_ascii() ? SAN_ASCII : 0));
		live[1] = sanitize_str(sb_str(&r->res.text), SAN_KEEP_NL | (tui_ascii() ? SAN_ASCII : 0));
		txt[0] = live[0];
		txt[1] = live[1];
	}
	seg *g[2];
	size_t n[2];
	n[0] = wrap(txt[0], half, &g[0]);
	n[1] = wrap(txt[1], rw, &g[1]);
	int rows = text_rows(h);
	size_t most = n[0] > n[1] ? n[0] : n[1];
	rv->pos.n = (int)most;
	rv->pos.page = rows;
	rv->pos.keep = 0;
	listpos_clamp(&rv->pos);
	for (int i = 0; i < rows; i++) {
		size_t k = (size_t)(rv->pos.top + i);
		draw_glyph(y + 2 + i, x + half, G_VLINE, EL_BORDER);
		if (k < n[0])
			draw_seg(y + 2 + i, x, half, txt[0], g[0][k], rv->have_words ? rv->words.a : NULL, rv->words.na, EL_CRIT);
		if (k < n[1])
			draw_seg(y + 2 + i, x + half + 1, rw, txt[1], g[1][k], rv->have_words ? rv->words.b : NULL, rv->words.nb,
				 EL_SEARCH);
	}
	if (!r->res.text.len && r->state == RP_RUNNING)
		draw_text(y + 2, x + half + 2, rw - 1, "(waiting for the first token)", EL_DIM);
	int ry = y + 2 + rows;
	for (int i = 0; i < w; i++)
		draw_glyph(ry, x + i, G_HLINE, EL_BORDER);
	if (most > (size_t)rows) {
		char more[64];
		snprintf(more, sizeof more, " %d-%d of %zu ", rv->pos.top + 1, rv->pos.top + rows < (int)most ? rv->pos.top + rows : (int)most,
			 most);
		draw_text(ry, x + w - text_width(more) - 1, text_width(more), more, EL_DIM);
	}
	/* What went wrong (or what is happening) in full, on two lines. */
	const char *msg = r->err[0] ? r->err : r->note[0] ? r->note : NULL;
	if (msg) {
		char *m = sanitize_str(msg, tui_ascii() ? SAN_ASCII : 0);
		seg *ls;
		size_t nm = wrap(m, w, &ls);
		for (size_t i = 0; i < nm && i < 2; i++) {
			char *part = xstrndup(m + ls[i].off, i == 1 ? strlen(m + ls[i].off) : ls[i].len);
			draw_text_cut(ry + 1 + (int)i, x, w, part, r->err[0] ? EL_ERROR : EL_MESSAGE, 1);
			free(part);
		}
		free(ls);
		free(m);
	} else if (!replay_finished(r)) {
		if (r->state == RP_RUNNING && !r->res.text.len) {
			/* Whether the provider took the connection tells a silent
			 * provider from an unreachable one. */
			double since;
			int conn = replay_connected(r, &since);
			draw_textf(ry + 1, x, w, EL_MESSAGE, "%s %.0fs; gives up after the replay_timeout of %.0fs",
				   conn ? "connected, no answer for" : "no connection yet after", floor(since), r->timeout_s);
			draw_text(ry + 2, x, w, "Esc cancels (the partial output is kept)", EL_DIM);
		} else {
			draw_text(ry + 1, x, w, "Esc cancels (the partial output is kept)", EL_DIM);
		}
	} else if (rv->have_words) {
		draw_textf(ry + 1, x, w, EL_DIM, "word diff: %zu changed runs in the original, %zu in the replay (highlighted)",
			   rv->words.na, rv->words.nb);
	}
	metrics(ry + 3, x, w, r);
	free(g[0]);
	free(g[1]);
	free(live[0]);
	free(live[1]);
}

enum { B_CALL, B_ORIGINAL, B_REPLAY, B_TOKENS, B_LATENCY, B_COST, B_ANSWER, B_N };

static const column batch_columns[B_N] = {
    [B_CALL] = {"call", 8, 0, COL_LEFT, EL_DEFAULT},
    [B_ORIGINAL] = {"original", 9, 1, COL_LEFT, EL_OK},
    [B_REPLAY] = {"replay", 9, 1, COL_LEFT, EL_DIM},
    [B_TOKENS] = {"out tok", 8, 1, COL_RIGHT, EL_DEFAULT},
    [B_LATENCY] = {"latency", 8, 1, COL_RIGHT, EL_DEFAULT},
    [B_COST] = {"cost", 10, 1, COL_RIGHT, EL_DEFAULT},
    [B_ANSWER] = {"answer", 0, 2, COL_LEFT, EL_DIM, .cut = 1, .fill = 1},
};

static void draw_batch(rview *rv, int y, int x, int h, int w)
{
	rbatch_t *b = rv->b;
	size_t finished = 0;
	for (size_t i = 0; i < b->n; i++)
		finished += replay_finished(b->v[i]);
	int used = draw_textf(y, x, w, EL_HEADER, "batch replay of %zu calls against %s: %zu done ", b->n,
			      b->prompt_ref ? b->prompt_ref : "the version before each", finished);
	draw_bar(y, x + used, w - used - 7 > 10 ? w - used - 7 : 10, b->n ? (double)finished / (double)b->n : 1, EL_BAR);
	draw_textf(y, x + w - 5, 5, EL_DEFAULT, "%3.0f%%", b->n ? 100.0 * (double)finished / (double)b->n : 100.0);
	columns l;
	columns_layout(&l, batch_columns, B_N, w);
	columns_header(&l, y + 1, x);
	int rows = h - 7;
	rv->pos.n = (int)b->n;
	rv->pos.page = rows;
	rv->pos.keep = 1;
	listpos_follow(&rv->pos, 0);
	for (int i = 0; i < rows && rv->pos.top + i < (int)b->n; i++) {
		const replay_t *r = b->v[rv->pos.top + i];
		char tok[32], lat[32], cost[32];
		const char *s = r->state == RP_DONE && !r->partial ? "ok" : r->state == RP_READY ? "queued"
							    : r->state == RP_RUNNING ? "running"
							    : r->state == RP_WAITING ? "retrying"
							    : r->partial ? "partial"
							    : r->state == RP_CANCELLED ? "cancelled"
							    : r->res.error_type[0] ? r->res.error_type : "error";
		fmt_tok(r->res.output_tokens, tok, sizeof tok);
		fmt_ms(lat, sizeof lat, replay_finished(r) ? r->latency_ms : -1);
		fmt_cost(r->cost_nusd, cost, sizeof cost);
		int yy = y + 2 + i;
		char *one = sanitize_str(r->res.text.len ? r->res.text.p : r->err, tui_ascii() ? SAN_ASCII : 0);
		const char *orig = r->orig_error ? (r->orig_error_type ? r->orig_error_type : "error") : "ok";
		const char *cells[B_N] = {r->span, orig, s, tok, lat, cost, one};
		const int els[B_N] = {-1, r->orig_error ? EL_ERROR : EL_OK,
				      !strcmp(s, "ok") ? EL_OK : !strcmp(s, "running") || !strcmp(s, "queued") ? EL_DIM : EL_ERROR, -1, -1, -1, -1};
		columns_row(&l, yy, x, cells, els);
		free(one);
		if (rv->pos.top + i == rv->pos.sel)
			draw_chgat(yy, x, w, EL_SELECTED);
	}
	/* The summary: old against new. */
	rbatch_sum s;
	rbatch_summary(b, &s);
	int sy = y + h - 4;
	for (int i = 0; i < w; i++)
		draw_glyph(sy, x + i, G_HLINE, EL_BORDER);
	draw_textf(sy + 1, x, w, EL_HEADER, "%-10s %12s %12s %12s %12s %12s", "", "errors", "mean chars", "cost",
		   "p50 latency", "mean latency");
	for (int k = 0; k < 2; k++) {
		char c[32], p[32], m[32], e[32];
		fmt_cost(s.cost_nusd[k], c, sizeof c);
		fmt_ms(p, sizeof p, s.latency_p50[k] > 0 ? s.latency_p50[k] : -1);
		fmt_ms(m, sizeof m, s.latency_mean[k] > 0 ? s.latency_mean[k] : -1);
		snprintf(e, sizeof e, "%zu/%zu", s.errors[k], s.n);
		draw_textf(sy + 2 + k, x, w, EL_DEFAULT, "%-10s %12s %12.0f %12s %12s %12s", k ? "replay" : "original", e,
			   s.out_len[k], c, p, m);
	}
	if (s.partial || s.cancelled)
		draw_textf(sy + 3, x + 77 < x + w ? x + 77 : x + w - 1, w - 77 > 0 ? w - 77 : 1, EL_ERROR, "%zu partial, %zu cancelled",
			   s.partial, s.cancelled);
}

static void replay_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	(void)a;
	rview *rv = v->priv;
	if (rv->b && rv->b->n) {
		draw_batch(rv, y, x, h, w);
	} else if (rv->r) {
		draw_single(rv, y, x, h, w);
	} else if (rv->err[0]) {
		draw_text_cut(y + 1, x + 1, w - 2, rv->err, EL_ERROR, 1);
		draw_text(y + 3, x + 1, w - 2, "q goes back", EL_DIM);
	} else {
		draw_text(y + 1, x + 1, w - 2, "choose the prompt version to replay this call against", EL_DIM);
	}
}

/* ---- keys -------------------------------------------------------------- */

static int replay_action(view_t *v, app_t *a, int act)
{
	rview *rv = v->priv;
	int batch = rv->b && rv->b->n;
	switch (act) {
	case A_CANCEL:
		if (batch && !rbatch_finished(rv->b)) {
			rbatch_cancel(rv->b);
			app_message(a, EL_MESSAGE, "batch cancelled; what finished is saved");
		} else if (rv->r && rv->owns_r && !replay_finished(rv->r)) {
			replay_cancel(rv->r);
			app_message(a, EL_MESSAGE, "replay cancelled; partial output kept");
		} else {
			app_pop(a);
		}
		return 1;
	case A_MOVE_DOWN:
	case A_MOVE_UP:
	case A_PAGE_DOWN:
	case A_PAGE_UP:
	case A_MOVE_FIRST:
	case A_MOVE_LAST:
		if (batch) {
			rv->pos.n = (int)rv->b->n;
			listpos_action(&rv->pos, act);
		} else {
			listpos_scroll(&rv->pos, act);
		}
		return 1;
	case A_ENTER:
		if (batch && rv->pos.sel >= 0 && rv->pos.sel < (int)rv->b->n) {
			replay_arg arg = {.borrowed = rv->b->v[rv->pos.sel]};
			app_push(a, &replay_ops, &arg);
		}
		return 1;
	}
	return 0;
}

static int replay_busy(view_t *v, app_t *a)
{
	(void)a;
	rview *rv = v->priv;
	if (rv->b)
		return !rbatch_finished(rv->b);
	return rv->r && rv->owns_r && !replay_finished(rv->r);
}

/* The time waited, on screen while a replay runs, moves by itself. */
static double replay_tick(view_t *v, app_t *a)
{
	(void)a;
	rview *rv = v->priv;
	if (rv->b && rv->b->n)
		return -1;
	return rv->r && rv->r->state == RP_RUNNING ? 0.1 : -1;
}

static void replay_title(view_t *v, app_t *a, char *buf, size_t n)
{
	(void)a;
	rview *rv = v->priv;
	if (rv->b)
		snprintf(buf, n, "Batch replay");
	else
		snprintf(buf, n, "Replay");
}

const view_ops replay_ops = {
    .name = "replay",
    .scope = SC_REPLAY,
    .private_size = sizeof(rview),
    .open = replay_open,
    .close = replay_close,
    .draw = replay_draw,
    .action = replay_action,
    .busy = replay_busy,
    .tick = replay_tick,
    .title = replay_title,
    .answer = replay_answer,
};

void replay_show(app_t *a, int64_t id)
{
	/* Said at once: no version to ask for, no empty view to leave. */
	char why[400];
	if (replay_no_prompt(a->st, id, why, sizeof why)) {
		app_message(a, EL_ERROR, "%s", why);
		return;
	}
	replay_arg arg = {.id = id};
	app_push(a, &replay_ops, &arg);
}

void replay_show_batch(app_t *a, int64_t *ids, size_t n, const char *ref)
{
	replay_arg arg = {.ids = ids, .n = n, .ref = ref && *ref ? ref : NULL};
	app_push(a, &replay_ops, &arg);
}
