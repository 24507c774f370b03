/* The views. Adding one: its file with a view_ops, and a line here (the
 * Makefile builds every C file of views/). The order is the one `:view` and help
 * name them in; the first is the start view when none is asked for. */
#include <stdio.h>
#include <string.h>

#include "../tui/tui.h"
#include "view.h"

static void show_dashboard(app_t *a)
{
	while (a->depth > 1)
		app_pop(a);
}

/* The list of the filter as it stands, over the dashboard, unless it is
 * already what the screen shows. */
static void show_traces(app_t *a)
{
	if (!(app_top(a)->ops->flags & VIEW_FILTERED))
		app_show_traces(a, a->filter_src, a->sort);
}

static int start_dashboard(app_t *a, const app_opts *o)
{
	(void)o;
	app_push(a, &dashboard_ops, NULL);
	return 0;
}

/* The others open over the dashboard, so that q goes back to it. */
static int start_traces(app_t *a, const app_opts *o)
{
	const char *f = o->filter ? o->filter : "";
	start_dashboard(a, o);
	app_set_filter(a, f);
	app_show_traces(a, f, SORT_TIME);
	return 0;
}

static int start_prompts(app_t *a, const app_opts *o)
{
	start_dashboard(a, o);
	app_push(a, &prompts_ops, NULL);
	return 0;
}

static int start_annotate(app_t *a, const app_opts *o)
{
	start_dashboard(a, o);
	annotate_show(a, o->filter ? o->filter : "");
	return 0;
}

/* llmops prompt diff on a terminal: the diff alone, as a pager; q quits. */
static int start_diff(app_t *a, const app_opts *o)
{
	return diff_show(a, o->diff[0], o->diff[1], o->diff[2]);
}

/* What each view is for, in the keys that do it. A window or label key
 * stands for the nine (1-9). */
static const view_hint dashboard_hints[] = {
    {A_VIEW_PROMPTS, "prompts"}, {A_NEXT_ERROR, "errors"}, {A_WINDOW_1, "window"}, {A_NEXT_PANE, "pane"},
    {A_ENTER, "calls"},          {A_VIEW_TRACES, "list"},  {A_CYCLE_MODEL, "model"}, {A_DIFF, "worst diff"},
    {A_VIEW_COMPARE, "compare"}, {A_NONE, NULL},
};
static const view_hint traces_hints[] = {
    {A_ENTER, "open"},   {A_FILTER, "filter"},     {A_NEXT_ERROR, "next error"}, {A_SORT, "sort"},
    {A_REPLAY, "replay"}, {A_VIEW_TRACE, "trace"}, {A_ANNOTATE, "annotate"}, {A_NONE, NULL},
};
static const view_hint call_hints[] = {
    {A_VIEW_TRACE, "trace"}, {A_NEXT_ERROR, "next error"}, {A_REPLAY, "replay"}, {A_DIFF, "prompt diff"},
    {A_TOGGLE_WRAP, "wrap"}, {A_NONE, NULL},
};
static const view_hint trace_hints[] = {
    {A_ENTER, "open span"}, {A_NEXT_ERROR, "next failed"}, {A_PREV_ERROR, "previous failed"}, {A_NONE, NULL},
};
static const view_hint span_hints[] = {
    {A_NEXT_ERROR, "next failed"}, {A_PREV_ERROR, "previous failed"}, {A_NONE, NULL},
};
static const view_hint prompts_hints[] = {
    {A_ENTER, "calls"}, {A_SORT, "sort"}, {A_DIFF, "diff"}, {A_WINDOW_1, "window"}, {A_MARK, "mark"}, {A_NONE, NULL},
};
static const view_hint diff_hints[] = {
    {A_NEXT_HUNK, "next hunk"}, {A_TOGGLE_CONTEXT, "context"}, {A_DIFF_LEFT, "left"}, {A_DIFF_RIGHT, "right"},
    {A_NONE, NULL},
};
static const view_hint annotate_hints[] = {
    {A_LABEL_1, "label"}, {A_SKIP, "skip"}, {A_UNDO, "undo"}, {A_NOTE, "note"}, {A_EDIT_EXPECTED, "expected"},
    {A_NONE, NULL},
};
static const view_hint compare_hints[] = {
    {A_ENTER, "calls"}, {A_DIFF, "diff"}, {A_NONE, NULL},
};
static const view_hint alerts_hints[] = {
    {A_ENTER, "calls"}, {A_REFRESH, "evaluate"}, {A_NONE, NULL},
};
static const view_hint replay_hints[] = {
    {A_CANCEL, "cancel"}, {A_ENTER, "open"}, {A_NONE, NULL},
};

const view_entry views[] = {
    {&dashboard_ops, A_VIEW_DASHBOARD, 1, show_dashboard, start_dashboard, dashboard_hints},
    {&traces_ops, A_VIEW_TRACES, 1, show_traces, start_traces, traces_hints},
    {&prompts_ops, A_VIEW_PROMPTS, 1, NULL, start_prompts, prompts_hints},
    {&compare_ops, A_VIEW_COMPARE, 1, NULL, NULL, compare_hints},
    {&alerts_ops, A_VIEW_ALERTS, 1, NULL, NULL, alerts_hints},
    {&help_ops, A_HELP, 1, NULL, NULL, NULL},
    {&annotate_ops, A_NONE, 0, NULL, start_annotate, annotate_hints},
    {&diff_ops, A_NONE, 0, NULL, start_diff, diff_hints},
    {&call_ops, A_NONE, 0, NULL, NULL, call_hints},
    {&trace_ops, A_NONE, 0, NULL, NULL, trace_hints},
    {&span_ops, A_NONE, 0, NULL, NULL, span_hints},
    {&replay_ops, A_NONE, 0, NULL, NULL, replay_hints},
    {NULL, 0, 0, NULL, NULL, NULL},
};

const view_entry *view_entry_of(const view_ops *ops)
{
	for (const view_entry *e = views; e->ops; e++)
		if (e->ops == ops)
			return e;
	return NULL;
}

/* The first key of an action in the view, as the status line shows it:
 * "Tab" rather than "<Tab>"; "" when unbound. */
static void first_key(app_t *a, int scope, int act, char *out, size_t n)
{
	char all[128];
	help_keys_of(a, scope, act, all, sizeof all);
	size_t len = strcspn(all, " ");
	all[len] = 0;
	if (len > 2 && all[0] == '<' && all[len - 1] == '>' && !strchr(all + 1, '<')) {
		all[len - 1] = 0;
		snprintf(out, n, "%s", all + 1);
	} else {
		snprintf(out, n, "%s", all);
	}
	/* "<" is written <LessThan> in key files; a hint shows the key. */
	char *lt = strstr(out, "LessThan");
	if (lt)
		memmove(lt + 1, lt + 8, strlen(lt + 8) + 1), *lt = '<';
}

void view_hint_line(app_t *a, int room, char *out, size_t n)
{
	view_t *v = app_top(a);
	int scope = v->ops->scope;
	const view_entry *e = view_entry_of(v->ops);
	enum { MAXH = 16 };
	char items[MAXH][300];
	int rank[MAXH], ni = 0, nh = 0;
	/* The view's own first, in order; then the four every view has. */
	for (const view_hint *h = e && e->hints ? e->hints : NULL; h && h->action != A_NONE && ni < MAXH - 4; h++) {
		char k[128], k9[128];
		first_key(a, scope, h->action, k, sizeof k);
		if (!k[0])
			continue;
		if (h->action == A_WINDOW_1 || h->action == A_LABEL_1) {
			first_key(a, scope, h->action + 8, k9, sizeof k9);
			if (k9[0] && (h->action == A_WINDOW_1 || a->cfg->labels[1]))
				snprintf(items[ni], sizeof items[ni], "%s-%s %s", k, k9, h->label);
			else
				continue;
		} else {
			snprintf(items[ni], sizeof items[ni], "%s %s", k, h->label);
		}
		rank[ni] = 2 + nh++;
		ni++;
	}
	static const struct {
		int action, rank;
		const char *label;
	} common[] = {{A_HELP, 0, "help"}, {A_PROMPT, 100, "command"}, {A_SEARCH, 101, "search"}, {A_BACK, 1, NULL}};
	for (size_t i = 0; i < sizeof common / sizeof *common; i++) {
		char k[128];
		first_key(a, scope, common[i].action, k, sizeof k);
		if (!k[0])
			continue;
		snprintf(items[ni], sizeof items[ni], "%s %s", k,
			 common[i].label ? common[i].label : a->depth > 1 ? "back" : "quit");
		rank[ni++] = common[i].rank;
	}
	/* Leave out the least useful until the rest fits. */
	int keep[MAXH];
	for (int i = 0; i < ni; i++)
		keep[i] = 1;
	for (;;) {
		int width = 0, worst = -1;
		for (int i = 0; i < ni; i++)
			if (keep[i]) {
				width += (width ? 2 : 0) + text_width(items[i]);
				if (worst < 0 || rank[i] > rank[worst])
					worst = i;
			}
		if (width <= room || worst < 0)
			break;
		keep[worst] = 0;
	}
	size_t len = 0;
	out[0] = 0;
	for (int i = 0; i < ni; i++)
		if (keep[i] && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "  " : "", items[i]);
}
