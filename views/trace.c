/* A whole trace as a waterfall: every span the store keeps for it (agent
 * steps, tools, retrieval, the LLM calls) as an indented tree, each with a
 * bar placed and sized on the trace's own time scale, so that the slow step
 * and the failed one show at a glance. Enter opens a span: an LLM call's
 * view, or the span's attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../core/str.h"
#include "../data/trace.h"
#include "../tui/columns.h"
#include "../tui/tui.h"
#include "textview.h"
#include "view.h"

typedef struct tracev {
	trace_view t;
	int64_t call_id; /* the call it was opened from */
	int loaded;
	size_t failed; /* spans, of any kind */
	char err[256];
	listpos lp;
	char want[65]; /* the span to select first (hex), "" for the call's own */
} tracev;

static int span_failed(const trace_span *s)
{
	return s->status == 2 || (s->call_first && s->is_error);
}

static void load(tracev *tv, app_t *a)
{
	char keep[65] = "";
	if (tv->loaded && tv->lp.sel < (int)tv->t.n)
		snprintf(keep, sizeof keep, "%s", tv->t.v[tv->lp.sel].span);
	else if (tv->want[0])
		snprintf(keep, sizeof keep, "%s", tv->want);
	trace_view_free(&tv->t);
	tv->loaded = store_trace_of_call(a->st, tv->call_id, &tv->t) == 0 && tv->t.n;
	if (!tv->loaded) {
		trace_view_free(&tv->t);
		snprintf(tv->err, sizeof tv->err, "this call is not in the store any more");
	}
	tv->lp.n = (int)tv->t.n;
	tv->failed = 0;
	for (size_t i = 0; i < tv->t.n; i++)
		tv->failed += span_failed(&tv->t.v[i]) != 0;
	/* The same span as before a reload; at first, the call's own. */
	for (size_t i = 0; i < tv->t.n; i++) {
		const trace_span *s = &tv->t.v[i];
		if (keep[0] ? !strcmp(s->span, keep) : s->call_id == tv->call_id && s->call_first) {
			tv->lp.sel = (int)i;
			break;
		}
	}
	if (tv->lp.page) /* a reload: the selection stays on screen */
		listpos_follow(&tv->lp, 0);
}

typedef struct trace_at {
	int64_t call_id;
	const char *span; /* NULL: the call's own */
} trace_at;

void trace_show(app_t *a, int64_t call_id)
{
	trace_at at = {call_id, NULL};
	app_push(a, &trace_ops, &at);
}

/* Whether ref (hex, any case) is s or begins it. */
static int hex_begins(const char *s, const char *ref)
{
	size_t n = strlen(ref);
	return n <= strlen(s) && !strncasecmp(s, ref, n);
}

int trace_show_ref(app_t *a, const char *ref, char *err, size_t errlen)
{
	trace_view t;
	int64_t cid;
	if (strlen(ref) != 32 && store_find_call_ref(a->st, ref, &cid, err, errlen) == -2)
		return -2;
	if (store_trace_get(a->st, ref, &t, err, errlen))
		return -1;
	/* The span named, or the call it is a layer of; else the first call. */
	const trace_span *hit = NULL;
	int64_t call = 0;
	for (size_t i = 0; i < t.n && !hit; i++)
		if (hex_begins(t.v[i].span, ref) || (t.v[i].call_first && hex_begins(t.v[i].call_span, ref)))
			hit = &t.v[i];
	for (size_t i = 0; i < t.n && !call; i++)
		if (t.v[i].call_id && (!hit || !hit->call_id || t.v[i].call_id == hit->call_id))
			call = t.v[i].call_id;
	if (hit && hit->call_id)
		call = hit->call_id;
	if (!call) {
		char *e = sanitize_str(ref, 0);
		snprintf(err, errlen, "trace %s holds no call", e);
		free(e);
		trace_view_free(&t);
		return -1;
	}
	char span[65] = "";
	if (hit)
		snprintf(span, sizeof span, "%s", hit->span);
	trace_view_free(&t);
	trace_at at = {call, span[0] ? span : NULL};
	app_push(a, &trace_ops, &at);
	return 0;
}

/* arg: a trace_at, the store id of a call of the trace and the span to show first. */
static void tr_open(view_t *v, app_t *a, const void *arg)
{
	tracev *tv = v->priv;
	const trace_at *at = arg;
	tv->call_id = at->call_id;
	if (at->span)
		snprintf(tv->want, sizeof tv->want, "%s", at->span);
	load(tv, a);
}

static void tr_close(view_t *v, app_t *a)
{
	(void)a;
	trace_view_free(&((tracev *)v->priv)->t);
}

enum { C_SPAN, C_STATUS, C_DUR, C_TOKENS, C_COST, C_BAR, C_N };

/* The tree takes what is left; the bar widens with the terminal, and the
 * tokens, the cost and then part of the bar give way before the tree gets
 * too narrow to read. */
/* The bar's title is drawn with its scale (tr_draw). */
static const column columns_of[C_N] = {
    [C_SPAN] = {"SPAN", 18, 1, COL_LEFT, EL_DEFAULT, .cut = 1, .fill = 1},
    [C_STATUS] = {"STATUS", 6, 1, COL_LEFT, EL_DEFAULT},
    [C_DUR] = {"TIME", 7, 1, COL_RIGHT, EL_DEFAULT},
    [C_TOKENS] = {"IN/OUT", 11, 1, COL_RIGHT, EL_DEFAULT, .give = 1},
    [C_COST] = {"COST", 9, 1, COL_RIGHT, EL_DEFAULT, .give = 2},
    [C_BAR] = {NULL, 16, 2, COL_LEFT, EL_BAR, .give = 3, .min = 6, .wider = {{120, 40}, {160, 70}}},
};

static void tr_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	(void)a;
	tracev *tv = v->priv;
	if (!tv->loaded) {
		draw_text(y + 1, x + 2, w - 4, tv->err, EL_CRIT);
		return;
	}
	const trace_view *t = &tv->t;
	char dur[16], when[40], cost[32];
	fmt_ms(dur, sizeof dur, (double)(t->end - t->start) / 1e6);
	clock_fmt_rfc3339(t->start, when, sizeof when);
	snprintf(cost, sizeof cost, "$%.4f", (double)t->cost_nusd / 1e9);
	char fails[32] = "";
	if (tv->failed) /* a tool or a step can fail where no call did */
		snprintf(fails, sizeof fails, ", %zu failed", tv->failed);
	/* "2026-12-07 00:20:41.773" (the ms tell apart the traces of a burst),
	 * or the time of day alone when that does not fit: never a cut time. */
	char *tz = strchr(when, 'Z'), *tee = strchr(when, 'T');
	if (tz)
		*tz = 0;
	if (tee)
		*tee = ' ';
	char line[512];
	for (int pass = 0; pass < 2; pass++) {
		if (pass && tee) {
			tee[9] = 0;
			memmove(when, tee + 1, strlen(tee + 1) + 1);
		}
		snprintf(line, sizeof line, "%zu span%s%s %s %zu call%s, %zu failed %s %s %s %s %s %s UTC", t->n,
			 t->n == 1 ? "" : "s", fails, glyph(G_DOT), t->calls, t->calls == 1 ? "" : "s", t->errors, glyph(G_DOT), dur,
			 glyph(G_DOT), cost, glyph(G_DOT), when);
		if (text_width(line) <= w - 2 || !tee || strlen(tee) < 9)
			break;
	}
	draw_text_cut(y, x + 1, w - 2, line, tv->failed ? EL_WARN : EL_DIM, 1);
	columns l;
	columns_layout(&l, columns_of, C_N, w);
	columns_header(&l, y + 1, x);
	if (l.w[C_BAR] > 0) { /* its title, and the scale's end at the bar's right when both fit */
		if (l.w[C_BAR] >= text_width("WATERFALL") + 1 + text_width(dur))
			draw_text(y + 1, x + l.x[C_BAR], l.w[C_BAR], "WATERFALL", EL_HEADER);
		draw_text_right(y + 1, x + l.x[C_BAR], l.w[C_BAR], dur, EL_HEADER);
	}
	int rows = h - 2;
	tv->lp.page = rows;
	tv->lp.keep = 1;
	listpos_follow(&tv->lp, 0);
	for (int r = 0; r < rows && tv->lp.top + r < (int)t->n; r++) {
		int i = tv->lp.top + r;
		const trace_span *s = &t->v[i];
		int yy = y + 2 + r;
		int failed = span_failed(s);
		char name[512], d[16] = "?", in_out[48] = "", c[32] = "", status[16];
		int depth = s->depth < 20 ? s->depth : 20;
		int len = snprintf(name, sizeof name, "%*s%s", 2 * depth, "", s->name && *s->name ? s->name : "(unnamed)");
		/* Why it failed, after the name: the room of a wide terminal shows it. */
		const char *why = s->call_first && s->is_error && s->error_type ? s->error_type : NULL;
		if (failed && len > 0 && (size_t)len < sizeof name && (why || s->status_message))
			snprintf(name + len, sizeof name - (size_t)len, "  %s%s%s", why ? why : "",
				 why && s->status_message ? ": " : "", s->status_message ? s->status_message : "");
		if (s->end >= 0)
			fmt_ms(d, sizeof d, (double)(s->end - s->start) / 1e6);
		if (s->call_first) {
			char in[24] = "-", out[24] = "-";
			if (s->input_tokens >= 0)
				fmt_thousands(in, sizeof in, (uint64_t)s->input_tokens);
			if (s->output_tokens >= 0)
				fmt_thousands(out, sizeof out, (uint64_t)s->output_tokens);
			snprintf(in_out, sizeof in_out, "%s/%s", in, out);
			if (s->cost_nusd >= 0)
				snprintf(c, sizeof c, "$%.6f", (double)s->cost_nusd / 1e9);
			else
				snprintf(c, sizeof c, "unpriced");
		}
		/* Words, not only a colour: a monochrome terminal tells them apart. */
		snprintf(status, sizeof status, "%s", failed ? "ERROR" : s->status == 1 || s->call_first ? "ok" : "");
		draw_text(yy, x, 1, i == tv->lp.sel ? glyph(G_CURSOR) : " ", EL_DEFAULT);
		const char *cells[C_N] = {name, status, d, in_out, c, NULL};
		const int els[C_N] = {failed ? EL_ERROR : s->call_first ? EL_ACCENT : -1, failed ? EL_CRIT : EL_OK, -1, -1, -1, -1};
		columns_row(&l, yy, x, cells, els);
		if (l.w[C_BAR] > 0) {
			int c0, c1;
			trace_span_cells(t, s, l.w[C_BAR], &c0, &c1);
			for (int k = c0; k < c1; k++)
				draw_glyph(yy, x + l.x[C_BAR] + k, G_FULL, failed ? EL_ERROR : EL_BAR);
		}
		if (i == tv->lp.sel)
			draw_chgat(yy, x, w, EL_SELECTED);
	}
}

/* The next failed span after the selection (dir 1) or before it (-1),
 * going round; 0 when none failed. */
static int next_failed(tracev *tv, int dir)
{
	int n = (int)tv->t.n;
	for (int k = 1; k <= n; k++) {
		int i = ((tv->lp.sel + dir * k) % n + n) % n;
		if (span_failed(&tv->t.v[i])) {
			tv->lp.sel = i;
			listpos_follow(&tv->lp, 0);
			return 1;
		}
	}
	return 0;
}

static void span_open(app_t *a, const trace_span *s);

static int tr_action(view_t *v, app_t *a, int act)
{
	tracev *tv = v->priv;
	if (!tv->loaded)
		return 0;
	if (listpos_action(&tv->lp, act))
		return 1;
	switch (act) {
	case A_ENTER: {
		const trace_span *s = &tv->t.v[tv->lp.sel];
		if (s->call_id)
			call_show(a, s->call_id);
		else
			span_open(a, s);
		return 1;
	}
	case A_NEXT_ERROR:
	case A_PREV_ERROR:
		if (!next_failed(tv, act == A_NEXT_ERROR ? 1 : -1))
			app_message(a, EL_MESSAGE, "no span of this trace failed");
		return 1;
	default: return 0;
	}
}

static int tr_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	tracev *tv = v->priv;
	int n = (int)tv->t.n;
	for (int k = 1; k <= n; k++) {
		int i = ((tv->lp.sel + dir * k) % n + n) % n;
		const trace_span *s = &tv->t.v[i];
		if ((s->name && strstr(s->name, text)) || (s->model && strstr(s->model, text)) || strstr(s->span, text)) {
			tv->lp.sel = i;
			listpos_follow(&tv->lp, 0);
			return 1;
		}
	}
	return 0;
}

static void tr_reload(view_t *v, app_t *a)
{
	load(v->priv, a);
}

static void tr_title(view_t *v, app_t *a, char *buf, size_t n)
{
	(void)a;
	tracev *tv = v->priv;
	snprintf(buf, n, "trace %s%s", tv->loaded ? tv->t.trace : "?", tv->loaded && tv->t.errors ? " (errors)" : "");
}

static int tr_selected(view_t *v, app_t *a, int64_t *id)
{
	(void)a;
	tracev *tv = v->priv;
	if (!tv->loaded || !tv->t.v[tv->lp.sel].call_id)
		return 0;
	*id = tv->t.v[tv->lp.sel].call_id;
	return 1;
}

const view_ops trace_ops = {
    .name = "trace",
    .scope = SC_TRACE,
    .private_size = sizeof(tracev),
    .open = tr_open,
    .close = tr_close,
    .draw = tr_draw,
    .action = tr_action,
    .reload = tr_reload,
    .search = tr_search,
    .title = tr_title,
    .selected_call = tr_selected,
};

/* ---- a span that is not a call: what it was and its attributes ---------- */

typedef struct spanv {
	textview tv;
	char span[65];
	int failed;
} spanv;

/* What a span was, from its copy in the trace (the text keeps its own). */
static void span_text(spanv *sv, const trace_span *s)
{
	textview *tv = &sv->tv;
	tv_clear(tv);
	tv->pos.top = 0;
	snprintf(sv->span, sizeof sv->span, "%s", s->span);
	sv->failed = span_failed(s);
	char when[40], d[16] = "?";
	clock_fmt_rfc3339(s->start, when, sizeof when);
	if (s->end >= 0)
		fmt_ms(d, sizeof d, (double)(s->end - s->start) / 1e6);
	static const char *const kinds[] = {"unspecified", "internal", "server", "client", "producer", "consumer"};
	tv_addf(tv, EL_HEADER, 0, "span %s  %s", s->span, s->name ? s->name : "(unnamed)");
	tv_addf(tv, EL_DEFAULT, 12, "parent    %s", s->parent[0] ? s->parent : "(none: the root)");
	tv_addf(tv, EL_DEFAULT, 12, "time      %s %s %s", when, glyph(G_DOT), d);
	tv_addf(tv, EL_DEFAULT, 12, "kind      %s", s->kind >= 0 && s->kind <= 5 ? kinds[s->kind] : "?");
	if (s->scope || s->service)
		tv_addf(tv, EL_DEFAULT, 12, "from      %s%s%s", s->scope ? s->scope : "",
			s->scope && s->service ? " in " : "", s->service ? s->service : "");
	if (s->status == 2)
		tv_addf(tv, EL_CRIT, 12, "status    ERROR%s%s", s->status_message ? ": " : "",
			s->status_message ? s->status_message : "");
	else
		tv_addf(tv, EL_OK, 12, "status    %s", s->status == 1 ? "ok" : "unset");
	tv_add(tv, EL_DEFAULT, 0, "");
	tv_add(tv, EL_PANE, 0, "attributes");
	if (s->attrs)
		text_json_pairs(tv, s->attrs);
	else
		tv_add(tv, EL_DIM, 2, "  (none recorded)");
}

static void sp_open(view_t *v, app_t *a, const void *arg)
{
	(void)a;
	spanv *sv = v->priv;
	tv_init(&sv->tv);
	span_text(sv, arg);
}

static void span_open(app_t *a, const trace_span *s)
{
	app_push(a, &span_ops, s);
}

static void sp_close(view_t *v, app_t *a)
{
	(void)a;
	tv_free(&((spanv *)v->priv)->tv);
}

static void sp_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	(void)a;
	tv_draw(&((spanv *)v->priv)->tv, y, x + 1, h, w - 2);
}

static int sp_action(view_t *v, app_t *a, int act)
{
	spanv *sv = v->priv;
	if ((act == A_NEXT_ERROR || act == A_PREV_ERROR) && v->parent && v->parent->ops == &trace_ops) {
		/* The next failed span of the trace underneath, shown in place. */
		tracev *tr = v->parent->priv;
		if (tr->loaded && next_failed(tr, act == A_NEXT_ERROR ? 1 : -1))
			span_text(sv, &tr->t.v[tr->lp.sel]);
		else
			app_message(a, EL_MESSAGE, "no span of this trace failed");
		return 1;
	}
	return tv_action(&sv->tv, act);
}

static int sp_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	return tv_search(&((spanv *)v->priv)->tv, text, dir);
}

static void sp_title(view_t *v, app_t *a, char *buf, size_t n)
{
	(void)a;
	spanv *sv = v->priv;
	char pos[16];
	snprintf(buf, n, "span %s%s %s %s", sv->span, sv->failed ? " (error)" : "", glyph(G_DOT),
		 tv_position(&sv->tv, pos, sizeof pos));
}

const view_ops span_ops = {
    .name = "span",
    .scope = SC_TRACE,
    .private_size = sizeof(spanv),
    .open = sp_open,
    .close = sp_close,
    .draw = sp_draw,
    .action = sp_action,
    .search = sp_search,
    .title = sp_title,
};
