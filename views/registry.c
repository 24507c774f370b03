/* The views. Adding one: its file with a view_ops, and a line here (the
 * Makefile builds every C file of views/). The order is the one `:view` and help
 * name them in; the first is the start view when none is asked for. */
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

const view_entry views[] = {
    {&dashboard_ops, A_VIEW_DASHBOARD, 1, show_dashboard, start_dashboard},
    {&traces_ops, A_VIEW_TRACES, 1, show_traces, start_traces},
    {&prompts_ops, A_VIEW_PROMPTS, 1, NULL, start_prompts},
    {&help_ops, A_HELP, 1, NULL, NULL},
    {&annotate_ops, A_NONE, 0, NULL, start_annotate},
    {&diff_ops, A_NONE, 0, NULL, start_diff},
    {&call_ops, A_NONE, 0, NULL, NULL},
    {&replay_ops, A_NONE, 0, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};
