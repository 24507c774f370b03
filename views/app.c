/* The console: one thread, one poll() over the terminal, the query thread's
 * pipe, followed files and a signal self-pipe, with timers. Handlers change
 * state and mark the screen dirty; one paint a turn; an idle console paints
 * nothing. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../data/bgimport.h"
#include "../data/file.h"
#include "../data/follow.h"
#include "../data/receiver.h"
#include "../tui/tui.h"
#include "view.h"

#define MIN_ROWS 10
#define MIN_COLS 40

/* ---- views ------------------------------------------------------------- */

view_t *app_top(app_t *a)
{
	return a->depth ? a->stack[a->depth - 1] : NULL;
}

void app_push(app_t *a, const view_ops *ops, const void *arg)
{
	if ((ops->flags & VIEW_SINGLETON) && a->depth && app_top(a)->ops == ops)
		return;
	if (a->depth == (int)(sizeof a->stack / sizeof *a->stack))
		app_pop(a);
	view_t *v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->parent = app_top(a);
	v->priv = ops->private_size ? xcalloc(1, ops->private_size) : NULL;
	a->stack[a->depth++] = v;
	if (ops->open)
		ops->open(v, a, arg);
	a->dirty = 1;
}

void app_pop(app_t *a)
{
	if (!a->depth)
		return;
	view_t *v = a->stack[--a->depth];
	if (v->ops->close)
		v->ops->close(v, a);
	free(v->priv);
	free(v);
	a->dirty = 1;
}

void app_redraw(app_t *a)
{
	a->dirty = 1;
}

void app_message(app_t *a, int el, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_el = el;
	a->dirty = 1;
}

/* Every view reloads: the data, the window or the filter changed. */
static void reload_all(app_t *a)
{
	for (int i = 0; i < a->depth; i++)
		if (a->stack[i]->ops->reload)
			a->stack[i]->ops->reload(a->stack[i], a);
	a->dirty = 1;
}

void app_set_window(app_t *a, const char *dur)
{
	int64_t ns;
	if (clock_parse_dur(dur, &ns)) {
		app_message(a, EL_ERROR, "window: expected a duration like 15m, 1h or 7d, not '%s'", dur);
		return;
	}
	a->window_ns = ns;
	clock_fmt_dur(ns, a->window_name, sizeof a->window_name);
	a->window_picked = 1;
	reload_all(a);
}

/* The console's now: the wall clock, except on files being looked at
 * (llmops FILE...) whose newest call is not of the last minutes (an export
 * from last week, or dated ahead of this clock): then the minute after that
 * call, so that the window shows their calls rather than the hour since. */
static int64_t app_clock(app_t *a)
{
	a->wall_ns = clock_now_ns();
	int64_t last = a->last_call_ts, age = a->wall_ns - last;
	if (!a->import || last <= 0 || (age < 2 * NS_PER_MIN && age > -2 * NS_PER_MIN))
		return a->wall_ns;
	return floor_to(last, NS_PER_MIN) + NS_PER_MIN;
}

/* On files being looked at, until a window is chosen: the smallest of the
 * keys' windows that holds all their calls (never less than the rc's). */
static void follow_data_window(app_t *a)
{
	int64_t first, last, want = config_dur(a->cfg, CFG_window);
	if (!a->import || a->window_picked || store_time_range(a->st, &first, &last))
		return;
	int64_t to = a->now_ns, span = to - first;
	for (size_t i = 0; i < sizeof action_windows / sizeof *action_windows && want < span; i++) {
		int64_t ns;
		if (clock_parse_dur(action_windows[i], &ns) == 0 && ns > want)
			want = ns;
	}
	if (want == a->window_ns)
		return;
	a->window_ns = want;
	clock_fmt_dur(want, a->window_name, sizeof a->window_name);
}

int app_set_filter(app_t *a, const char *src)
{
	filter_t f;
	filter_init(&f);
	char err[256];
	if (filter_parse(&f, src, err, sizeof err)) {
		filter_free(&f);
		/* Too wide for the status line: the details in parentheses give
		 * way, never the term at fault or the reason. */
		int rows, cols;
		tui_size(&rows, &cols);
		char *par = strrchr(err, '(');
		if (text_width(err) + 9 > cols && par && par > err + 1 && par[-1] == ' ') {
			int unknown = !strncmp(err, "unknown field", 13);
			snprintf(par - 1, sizeof err - (size_t)(par - 1 - err), "%s", unknown ? " (Tab lists them)" : "");
		}
		app_message(a, EL_ERROR, "filter: %s", err);
		return -1;
	}
	filter_free(&a->filter);
	a->filter = f;
	snprintf(a->filter_src, sizeof a->filter_src, "%s", src);
	reload_all(a);
	return 0;
}

void app_query(app_t *a, page_req *req)
{
	if (!a->q)
		return;
	req->now_ns = a->now_ns;
	querier_submit(a->q, req, ++a->q_tag);
}

void app_show_traces(app_t *a, const char *filter, int sort)
{
	/* A new list replaces the one the screen is in (with the calls opened
	 * from it), so that lists do not pile up; from any other view (the
	 * prompt versions, help) it opens over that view, and q returns there,
	 * whichever view the console started on. */
	int keep = a->depth;
	for (int i = a->depth - 1; i > 0; i--) {
		if (a->stack[i]->ops->flags & VIEW_FILTERED) {
			keep = i;
			break;
		}
		if (a->stack[i]->ops->flags & VIEW_SINGLETON)
			break;
	}
	while (a->depth > keep)
		app_pop(a);
	a->sort = sort;
	filter_t f;
	filter_init(&f);
	char err[256];
	if (filter_parse(&f, filter, err, sizeof err) == 0) {
		filter_free(&a->filter);
		a->filter = f;
		snprintf(a->filter_src, sizeof a->filter_src, "%s", filter);
	} else {
		filter_free(&f);
	}
	app_push(a, &traces_ops, NULL);
}

/* A trace or span id pasted as the whole filter (32 or 16 hex digits, or
 * the first 8 or more of a call's span id, as the tables show it) opens its
 * trace: 1 when it did or said why not; 0 to filter on it as a word. */
static int open_pasted_id(app_t *a, const char *src)
{
	while (*src == ' ')
		src++;
	size_t n = strspn(src, "0123456789abcdefABCDEF");
	if (n < STORE_SPAN_PREFIX_MIN || n > 32 || src[n + strspn(src + n, " ")])
		return 0;
	char ref[33], err[400];
	snprintf(ref, sizeof ref, "%.*s", (int)n, src);
	int rc = trace_show_ref(a, ref, err, sizeof err);
	if (rc == -1 && n != 16 && n != 32)
		return 0; /* not an id the store knows: a word of text */
	if (rc == -1) /* the store's path says nothing here: the console has one store */
		app_message(a, EL_ERROR, "no trace, span or call %s in the store", ref);
	else if (rc)
		app_message(a, EL_ERROR, "%s", err);
	return 1;
}

/* A filter typed at `:filter` or `f`: shown in the list, opened if need be. */
static void filter_and_show(app_t *a, const char *src)
{
	if (open_pasted_id(a, src))
		return;
	if (app_set_filter(a, src) == 0 && !(app_top(a)->ops->flags & VIEW_FILTERED))
		app_show_traces(a, src, a->sort);
}

/* What `:view NAME` and the view's key do. */
static void show_view(app_t *a, const view_entry *e)
{
	if (e->show)
		e->show(a);
	else
		app_push(a, e->ops, NULL);
}

void view_names(char *buf, size_t n)
{
	size_t count = 0, len = 0, i = 0;
	for (const view_entry *e = views; e->ops; e++)
		count += e->by_name != 0;
	buf[0] = 0;
	for (const view_entry *e = views; e->ops; e++) {
		if (!e->by_name)
			continue;
		const char *sep = !i ? "" : i + 1 == count ? " or " : ", ";
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", sep, e->ops->name);
		i++;
	}
}

/* ---- commands ---------------------------------------------------------- */

static void paint(app_t *a);

static int save_display(app_t *a, const char *path)
{
	paint(a); /* what the screen shows now, not at the last turn */
	FILE *f = fopen(path, "w");
	if (!f) {
		app_message(a, EL_ERROR, "save-display: %s: %s", path, strerror(errno));
		return -1;
	}
	tui_dump(f);
	fclose(f);
	return 0;
}

/* :write FILE: what the view holds as text (the whole call, the rows of a
 * list), else the screen; written whole or not at all. */
static void cmd_write(app_t *a, const char *arg, char **w, int n)
{
	(void)w;
	(void)n;
	if (!*arg) {
		app_message(a, EL_ERROR, "write: which file? (:write FILE)");
		return;
	}
	char path[1024];
	if (!strncmp(arg, "~/", 2) && getenv("HOME"))
		snprintf(path, sizeof path, "%s/%s", getenv("HOME"), arg + 2);
	else
		snprintf(path, sizeof path, "%s", arg);
	view_t *v = app_top(a);
	sbuf out = SBUF_INIT;
	if (v->ops->text) {
		v->ops->text(v, a, &out);
	} else {
		paint(a);
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		if (m) {
			tui_dump(m);
			fclose(m);
			sb_add(&out, buf, len);
			free(buf);
		}
	}
	size_t lines = 0;
	for (size_t i = 0; i < out.len; i++)
		lines += out.p[i] == '\n';
	char shown[120];
	sanitize_clip(path, 80, shown, sizeof shown);
	if (file_write_atomic(path, out.p ? out.p : "", out.len, 0644))
		app_message(a, EL_ERROR, "write: %s: %s", shown, strerror(errno));
	else
		app_message(a, EL_MESSAGE, "wrote %zu lines to %s", lines, shown);
	sb_free(&out);
}

static void apply_option(app_t *a, const char *name)
{
	int i = config_find_option(name);
	if (i == CFG_window) {
		char d[16];
		clock_fmt_dur(config_dur(a->cfg, CFG_window), d, sizeof d);
		app_set_window(a, d);
	} else if (i == CFG_keymap) {
		app_message(a, EL_MESSAGE, "keymap %s takes effect on the next start", config_str(a->cfg, CFG_keymap));
	} else {
		reload_all(a);
	}
}

/* :replay [[NAME@]VERSION|prev] [N]: the first N calls (20) of the trace
 * list's filter, each against that version of its prompt. */
static void cmd_replay(app_t *a, const char *arg, char **words, int nwords)
{
	(void)arg;
	char **w = words + 1;
	int n = nwords - 1 > 2 ? 2 : nwords - 1;
	char *end = NULL;
	long max = 20;
	if (n == 2) {
		max = strtol(w[1], &end, 10);
		if (*end || max < 1 || max > 1000) {
			app_message(a, EL_ERROR, "replay: expected ':replay VERSION N' with N from 1 to 1000, not '%s'", w[1]);
			return;
		}
	}
	const char *ref = n && strcmp(w[0], "prev") ? w[0] : NULL;
	call_ref *refs = NULL;
	size_t nr = 0;
	int more = 0;
	char err[256];
	if (store_call_refs(a->st, &a->filter, a->now_ns, (size_t)max, &refs, &nr, &more, err, sizeof err)) {
		app_message(a, EL_ERROR, "replay: %s", err);
		return;
	}
	if (!nr) {
		free(refs);
		app_message(a, EL_ERROR, "replay: the filter '%s' has no calls", a->filter_src);
		return;
	}
	int64_t *ids = xmalloc(nr * sizeof *ids);
	for (size_t i = 0; i < nr; i++)
		ids[i] = refs[i].id;
	free(refs);
	replay_show_batch(a, ids, nr, ref);
}

static void cmd_quit(app_t *a, const char *arg, char **w, int n)
{
	(void)arg, (void)w, (void)n;
	a->quit = 1;
}

static void cmd_window(app_t *a, const char *arg, char **w, int n)
{
	(void)w, (void)n;
	app_set_window(a, arg);
}

static void cmd_filter(app_t *a, const char *arg, char **w, int n)
{
	(void)w, (void)n;
	filter_and_show(a, arg);
}

static void cmd_view(app_t *a, const char *arg, char **w, int n)
{
	(void)w, (void)n;
	for (const view_entry *e = views; e->ops; e++) {
		if (e->by_name && !strcmp(e->ops->name, arg)) {
			show_view(a, e);
			return;
		}
	}
	char names[256];
	view_names(names, sizeof names);
	app_message(a, EL_ERROR, "view: %s, not '%s'", names, arg);
}

static void cmd_help(app_t *a, const char *arg, char **w, int n)
{
	(void)arg;
	cmd_view(a, "help", w, n);
}

static void cmd_sort(app_t *a, const char *arg, char **w, int n)
{
	(void)w, (void)n;
	int s = !strcmp(arg, "time") ? SORT_TIME : !strcmp(arg, "latency") ? SORT_LATENCY : !strcmp(arg, "cost") ? SORT_COST : -1;
	if (s < 0) {
		app_message(a, EL_ERROR, "sort: time, latency or cost, not '%s'", arg);
	} else {
		a->sort = s;
		reload_all(a);
	}
}

/* One of the rc file's statements, given at the console: its complaint
 * named by the statement where the rc file puts its file and line. */
static int statement(app_t *a, char **w, int n)
{
	const cfg_statement *st = config_find_statement(w[0], CFG_IN_CONSOLE);
	cfg_stmt s = {.w = w, .n = n};
	if (!st) {
		app_message(a, EL_ERROR, "%s: only in llmopsrc", w[0]);
		return -1;
	}
	if (st->run(a->cfg, &s) == 0)
		return 0;
	size_t len = strlen(w[0]);
	if (!strncmp(s.err, w[0], len) && s.err[len] == ':')
		app_message(a, EL_ERROR, "%s", s.err);
	else
		app_message(a, EL_ERROR, "%s: %s", w[0], s.err);
	return -1;
}

/* :set NAME VALUE as in llmopsrc, and then in force; :set NAME says what
 * the option is. */
static void cmd_set(app_t *a, const char *arg, char **w, int n)
{
	(void)arg;
	char name[64];
	const char *value;
	if (config_set_args(w, n, name, sizeof name, &value) == 0 && (value ? !*value : n == 2)) {
		int i = config_find_option(name);
		if (i < 0)
			app_message(a, EL_ERROR, "set: unknown option '%s'", name);
		else
			app_message(a, EL_MESSAGE, "%s: %s", name, config_options[i].desc);
		return;
	}
	if (statement(a, w, n) == 0) {
		apply_option(a, name);
		alerts_console_tick(a); /* a threshold, a budget or the window may move a rule */
	}
}

/* :bind KEYMAP KEY ACTION as in llmopsrc, and then in force. */
static void cmd_bind(app_t *a, const char *arg, char **w, int n)
{
	(void)arg;
	if (statement(a, w, n))
		return;
	cfg_bind *b = &a->cfg->binds.v[a->cfg->binds.n - 1];
	char err[256] = "";
	if (keymap_bind_words(&a->keys, a->keymap_name, b->keymap, b->key, b->action, err, sizeof err) == 0) {
		app_message(a, EL_MESSAGE, "%s bound to %s", b->key, b->action);
		return;
	}
	app_message(a, EL_ERROR, "%s", err);
	/* Not kept: it never took. */
	free(b->keymap);
	free(b->key);
	free(b->action);
	free(b->at.file);
	a->cfg->binds.n--;
}

/* :diff [NAME [V1 [V2]]]: V1 on the left; the defaults are D's. */
static void cmd_diff(app_t *a, const char *arg, char **words, int nwords)
{
	(void)arg;
	char **w = words + 1;
	int n = nwords - 1;
	if (n > 3)
		app_message(a, EL_ERROR, "diff: expected ':diff [NAME [V1 [V2]]]'");
	else if (n == 2)
		diff_show(a, w[0], NULL, w[1]);
	else
		diff_show(a, n > 0 ? w[0] : NULL, n > 1 ? w[1] : NULL, n > 2 ? w[2] : NULL);
}

static void cmd_save_display(app_t *a, const char *arg, char **w, int n)
{
	(void)w, (void)n;
	save_display(a, arg);
}

const app_command app_commands[] = {
    {"window", cmd_window, 0, "window DUR", "time window (15m, 1h, 7d, ...)"},
    {"filter", cmd_filter, 0, "filter EXPR",
     "trace filter: model= provider= status= error= prompt=NAME[@V] feature= user= session= trace= since= sample=N% "
     "latency>MS words; FIELD!=V leaves out, a,b is either; Tab completes"},
    {"view", cmd_view, 0, "view NAME", NULL},
    {"sort", cmd_sort, 0, "sort BY", "time, latency or cost"},
    {"diff", cmd_diff, 1, "diff NAME V1 V2",
     "two versions of a prompt side by side, V1 on the left (:diff NAME V: V against the one before; :diff NAME: the "
     "one in traffic)"},
    {"set", cmd_set, 1, "set NAME VALUE", "an option of llmopsrc"},
    {"bind", cmd_bind, 1, "bind KEYMAP KEY ACTION", ""},
    {"replay", cmd_replay, 1, "replay [V|prev] [N]",
     "replay the first N (20) calls of the trace list's filter against version V of their prompt (prev: the one "
     "before each call's), four at a time"},
    {"compare", compare_command, 1, "compare [DUR] [since NAME@V|TIME]",
     "each model and prompt version, the last DUR (the window) against the DUR before, or since a deploy against as "
     "long before it; * marks what moved beyond noise"},
    {"save-display", cmd_save_display, 0, "save-display FILE", "the screen as text"},
    {"write", cmd_write, 0, "write FILE", "save the call, or the list's rows, as text (elsewhere: the screen)"},
    {"help", cmd_help, 0, NULL, NULL},
    {"q", cmd_quit, 0, "q", "quit"},
    {"quit", cmd_quit, 0, NULL, NULL, 1},
    {NULL, NULL, 0, NULL, NULL},
};

void app_run_command(app_t *a, const char *line)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", line);
	char *name = str_trim(buf);
	char *arg = name + strcspn(name, " \t");
	if (*arg)
		*arg++ = 0;
	arg = str_trim(arg);
	if (!*name)
		return;
	const app_command *c = app_commands;
	while (c->name && strcmp(c->name, name))
		c++;
	if (!c->name) {
		sbuf names = SBUF_INIT;
		for (c = app_commands; c->name; c++)
			if (!c->alias)
				sb_printf(&names, "%s%s", names.len ? ", " : "", c->name);
		app_message(a, EL_ERROR, "unknown command '%s' (%s)", name, sb_str(&names));
		sb_free(&names);
		return;
	}
	char *w[CONFIG_MAX_WORDS];
	int n = 0;
	if (c->words) {
		/* The same words as in llmopsrc: "a b" is one. */
		n = config_split(line, w, CONFIG_MAX_WORDS);
		if (n < 0) {
			app_message(a, EL_ERROR, "%s: %s", c->name, n == -1 ? "unterminated quote" : "too many words");
			return;
		}
	}
	c->run(a, arg, w, n);
	config_words_free(w, n);
}

/* ---- keys -------------------------------------------------------------- */

static prompt_t *active_prompt(app_t *a)
{
	return a->prompt_kind == '/' ? a->find : a->prompt_kind == 'a' ? a->ask : a->cmd;
}

void app_ask(app_t *a, const char *lead, const char *initial)
{
	prompt_begin(a->ask, lead, initial);
	a->prompt_kind = 'a';
	a->dirty = 1;
}

static void search(app_t *a, const char *text, int dir)
{
	view_t *v = app_top(a);
	if (!*text)
		return;
	if (!v->ops->search) {
		app_message(a, EL_ERROR, "this view has nothing to search");
		return;
	}
	if (!v->ops->search(v, a, text, dir)) {
		char *t = sanitize_str(text, tui_ascii() ? SAN_ASCII : 0);
		app_message(a, EL_ERROR, "not found: %s", t);
		free(t);
	}
	a->dirty = 1;
}

static void generic_action(app_t *a, int act)
{
	switch (act) {
	case A_ANNOTATE:
		if (app_top(a)->ops->flags & VIEW_WINDOWED) {
			/* The window the dashboard shows, with the trace filter if one is set. */
			char f[600];
			snprintf(f, sizeof f, "since=%s%s%s", a->window_name, a->filter_src[0] ? " " : "", a->filter_src);
			annotate_show(a, f);
		} else {
			annotate_show(a, a->filter_src);
		}
		break;
	case A_REPLAY: {
		view_t *top = app_top(a);
		int64_t id;
		if (top->ops->selected_call && top->ops->selected_call(top, a, &id))
			replay_show(a, id);
		else
			app_message(a, EL_ERROR, "R replays a call: select one in the trace list (:replay V N replays a batch)");
		break;
	}
	case A_QUIT: a->quit = 1; break;
	case A_REDRAW: tui_redraw(); break;
	case A_SUSPEND: tui_stop(); break;
	case A_BACK:
		if (a->depth <= 1)
			a->quit = 1;
		else
			app_pop(a);
		break;
	case A_PROMPT:
		prompt_begin(a->cmd, ":", "");
		a->prompt_kind = ':';
		break;
	case A_SEARCH:
		prompt_begin(a->find, "/", "");
		a->prompt_kind = '/';
		break;
	case A_FILTER:
		prompt_begin(a->cmd, "filter: ", a->filter_src);
		a->prompt_kind = 'f';
		break;
	case A_SEARCH_NEXT:
	case A_SEARCH_PREV:
		if (!a->last_search[0])
			app_message(a, EL_ERROR, "no search yet: / to search");
		else
			search(a, a->last_search, act == A_SEARCH_NEXT ? 1 : -1);
		break;
	case A_REFRESH:
		reload_all(a);
		if (!a->msg[0]) /* the poller's word on what it could not fetch yet outranks this */
			app_message(a, EL_MESSAGE, "reloaded");
		break;
	case A_DIFF:
		/* Views with a version or a call at hand diff that; elsewhere the
		 * version in traffic against the one before. */
		diff_show(a, NULL, NULL, NULL);
		break;
	case A_NONE: break;
	default: {
		const view_entry *e = views;
		while (e->ops && e->action != act)
			e++;
		if (e->ops)
			show_view(a, e); /* ?, and the keys that open a view */
		else
			app_message(a, EL_MESSAGE, "%s does nothing in this view", action_table[act].name);
	}
	}
	a->dirty = 1;
}

static void key(app_t *a, int k)
{
	if (a->bench)
		a->t_key = a->t_key_rows = clock_mono();
	if (k == K_RESIZE) {
		a->dirty = 1;
		return;
	}
	if (a->notice) {
		/* The key that closes the box does nothing else: it was pressed
		 * to read on, not to act. */
		free(a->notice);
		a->notice = NULL;
		a->dirty = 1;
		return;
	}
	if (a->prompt_kind) {
		prompt_t *p = active_prompt(a);
		int r = prompt_key(p, k);
		a->dirty = 1;
		int kind = a->prompt_kind;
		if (kind == 'a') {
			view_t *v = app_top(a);
			if (r != PROMPT_MORE)
				a->prompt_kind = 0;
			if (v->ops->answer)
				v->ops->answer(v, a, r == PROMPT_MORE ? prompt_peek(p) : prompt_line(p),
					       r == PROMPT_MORE ? ASK_TYPING : r == PROMPT_CANCEL ? ASK_CANCEL : ASK_DONE);
			return;
		}
		if (r == PROMPT_MORE)
			return;
		a->prompt_kind = 0;
		if (r == PROMPT_CANCEL)
			return;
		a->msg[0] = 0;
		const char *line = prompt_line(p);
		if (kind == ':') {
			app_run_command(a, line);
		} else if (kind == '/') {
			snprintf(a->last_search, sizeof a->last_search, "%s", line);
			search(a, line, 1);
		} else if (kind == 'f') {
			filter_and_show(a, line);
		}
		return;
	}
	view_t *v = app_top(a);
	if (a->cx_pending) {
		a->cx_pending = 0;
		a->msg[0] = 0;
		a->dirty = 1;
		if (k == K_CTRL('G') || k == K_ESC)
			return; /* as emacs: C-g drops the prefix */
		k = K_CX(k);
	} else if (k == K_CTRL('X') && keymap_cx_prefix(&a->keys, v->ops->scope)) {
		a->cx_pending = 1;
		app_message(a, EL_MESSAGE, "C-x-");
		return;
	}
	int act = keymap_lookup(&a->keys, v->ops->scope, k);
	if (act == A_NONE && k == K_CTRL('C'))
		act = A_QUIT; /* raw mode: Ctrl-C is a key, and it should still get you out */
	if (act == A_NONE) {
		char name[32];
		keycode_name(k, name, sizeof name);
		app_message(a, EL_MESSAGE, "%s is not bound; ? lists the keys", name);
		return;
	}
	a->msg[0] = 0;
	if (act == A_REFRESH) { /* in every view: providers stopped by a rejected key too */
		usage_poller_refresh(a->usage);
		alerts_console_tick(a);
	}
	if (act >= A_WINDOW_1 && act <= A_WINDOW_9 && !(v->ops->action && v->ops->action(v, a, act))) {
		app_set_window(a, action_windows[act - A_WINDOW_1]);
		return;
	}
	if (v->ops->action && v->ops->action(v, a, act)) {
		a->dirty = 1;
		return;
	}
	generic_action(a, act);
}

/* ---- painting ---------------------------------------------------------- */

static void paint_title(app_t *a, int cols)
{
	draw_fill(0, 0, cols, EL_TITLE);
	view_t *v = app_top(a);
	char t[512] = "";
	if (v->ops->title)
		v->ops->title(v, a, t, sizeof t);
	char full[600];
	snprintf(full, sizeof full, " llmops %s %s", glyph(G_DOT), t);
	/* A cut title (a long filter) says so: it must not read as a shorter filter. */
	int x = draw_text_cut(0, 0, cols, full, EL_TITLE, 1);
	char right[128], now[32];
	clock_fmt_short(a->now_ns, now, sizeof now);
	/* A file's data seen from its own time says which day that is. */
	int64_t wall = a->import && a->wall_ns ? a->wall_ns : a->now_ns;
	const char *at = now + 11;
	char when[40];
	if (wall != a->now_ns) {
		snprintf(when, sizeof when, "to %s", now + 5);
		at = when;
	}
	/* Freshness in coarse steps, so that an idle screen stays still. */
	char fresh[48] = "no data";
	if (a->last_call_ts > 0 && a->last_call_ts > wall + 2 * NS_PER_MIN) {
		snprintf(fresh, sizeof fresh, "data ahead of the clock");
	} else if (a->last_call_ts > 0) {
		int64_t age = wall - a->last_call_ts;
		if (age < 2 * NS_PER_MIN)
			snprintf(fresh, sizeof fresh, "data live");
		else {
			char d[24];
			clock_fmt_dur(floor_to(age, age < NS_PER_HOUR ? NS_PER_MIN : age < NS_PER_DAY ? NS_PER_HOUR : NS_PER_DAY), d,
				      sizeof d);
			snprintf(fresh, sizeof fresh, "data %s old", d);
		}
	}
	snprintf(right, sizeof right, "window %s %s %s UTC %s %s ", a->window_name, glyph(G_DOT), at, glyph(G_DOT),
		 fresh);
	int rw = text_width(right);
	if (x + rw + 2 <= cols) /* never glued to the title */
		draw_text(0, cols - rw, rw, right, EL_TITLE);
}

static void paint_status(app_t *a, int y, int cols)
{
	if (a->prompt_kind) {
		prompt_draw(active_prompt(a), y, 0, cols);
		return;
	}
	draw_fill(y, 0, cols, EL_STATUS);
	if (a->msg[0]) {
		draw_text_cut(y, 1, cols - 2, a->msg,
			      a->msg_el == EL_ERROR ? EL_CRIT : a->msg_el == EL_WARN ? EL_WARN : EL_STATUS, 1);
		return;
	}
	char s[1024];
	int64_t pending = a->q ? querier_fts_pending(a->q) : 0;
	char idx[96] = "";
	int64_t since = pending > 0 ? querier_fts_since(a->q) : 0;
	if (since > 0) {
		/* Everything after the newest call not indexed yet: from the next minute. */
		char t[32], today[32];
		clock_fmt_short(floor_to(since, NS_PER_MIN) + NS_PER_MIN, t, sizeof t);
		clock_fmt_short(a->now_ns, today, sizeof today);
		snprintf(idx, sizeof idx, " %s text search covers calls since %s", glyph(G_DOT),
			 strncmp(t, today, 10) ? t + 5 : t + 11);
	} else if (pending > 0) {
		snprintf(idx, sizeof idx, " %s indexing text for search", glyph(G_DOT));
	}
	char live[640] = "";
	if (a->recv) {
		receiver_stats rs;
		receiver_get_stats(a->recv, &rs);
		char bad[48] = "";
		if (rs.rejected + rs.refused)
			snprintf(bad, sizeof bad, ", %llu refused", (unsigned long long)(rs.rejected + rs.refused));
		snprintf(live, sizeof live, "receiving on %s, %llu call%s in the last minute%s ", receiver_address(a->recv),
			 (unsigned long long)rs.calls_minute, rs.calls_minute == 1 ? "" : "s", bad);
		a->recv_shown = rs.calls_minute;
	}
	if (a->import) {
		bgimport_progress p;
		bgimport_get(a->import, &p);
		char line[400];
		bgimport_line(&p, line, sizeof line);
		snprintf(live + strlen(live), sizeof live - strlen(live), "%s %s %s", line, glyph(G_DOT),
			 a->import_store ? a->import_store : "");
	}
	char hints[256];
	snprintf(s, sizeof s, "[%s] %s", app_top(a)->ops->name, live);
	int sep = a->import ? 3 : 0; /* " · " between the import and the keys, when any fit */
	view_hint_line(a, cols - 2 - text_width(s) - text_width(idx) - sep, hints, sizeof hints);
	if (sep && hints[0])
		snprintf(s + strlen(s), sizeof s - strlen(s), " %s ", glyph(G_DOT));
	snprintf(s + strlen(s), sizeof s - strlen(s), "%s%s", hints, idx);
	draw_text_cut(y, 1, cols - 2, s, EL_STATUS, 1);
}

/* The lines of s, broken at spaces (or anywhere, for a long word) to fit in
 * w columns; each line's start and length into *at. Returns the count. */
static int wrap_lines(const char *s, int w, const char **at, int *len, int max)
{
	int n = 0;
	while (*s && n < max) {
		size_t line = strcspn(s, "\n");
		const char *p = s, *end = s + line;
		do {
			int used;
			size_t fit = text_cut(p, w, &used);
			if (p + fit >= end) {
				fit = (size_t)(end - p);
			} else {
				const char *sp = p + fit;
				while (sp > p && *sp != ' ')
					sp--;
				if (sp > p)
					fit = (size_t)(sp - p);
			}
			if (!fit)
				fit = 1;
			at[n] = p;
			len[n++] = (int)fit;
			p += fit;
			while (*p == ' ' && p < end)
				p++;
		} while (p < end && n < max);
		s = *end ? end + 1 : end;
	}
	return n;
}

/* The rc's errors, every one, over the view: they are what explains why a
 * key or a colour is not what the rc asked for. */
static void paint_notice(app_t *a, int rows, int cols)
{
	enum { MAXL = 256 };
	const char *at[MAXL];
	int len[MAXL];
	int w = cols - 4 > 100 ? 100 : cols - 4;
	int n = wrap_lines(a->notice, w - 4, at, len, MAXL);
	int room = rows - 6; /* the title and status lines, the box, the footer */
	int shown = n <= room ? n : room > 1 ? room - 1 : 0;
	int h = (shown < n ? shown + 1 : shown) + 4;
	int y = (rows - h) / 2, x = (cols - w) / 2;
	for (int j = 0; j < h; j++)
		draw_fill(y + j, x, w, EL_DEFAULT);
	int nerr = 0; /* one a line, each line ended */
	for (const char *p = a->notice; (p = strchr(p, '\n')); p++)
		nerr++;
	char title[64];
	snprintf(title, sizeof title, "%d error%s in the rc", nerr, nerr == 1 ? "" : "s");
	draw_box(y, x, h, w, title, 1);
	for (int i = 0; i < shown; i++) {
		char line[1024];
		snprintf(line, sizeof line, "%.*s", len[i], at[i]);
		draw_text(y + 1 + i, x + 2, w - 4, line, EL_ERROR);
	}
	if (shown < n)
		draw_textf(y + 1 + shown, x + 2, w - 4, EL_DIM, "%s %d more lines, printed when you quit", glyph(G_ELLIPSIS),
			   n - shown);
	draw_text_cut(y + h - 2, x + 2, w - 4, "any key closes this; all are printed again when you quit", EL_DIM, 1);
}

static void paint(app_t *a)
{
	int rows, cols;
	tui_size(&rows, &cols);
	tui_frame_begin();
	if (rows < MIN_ROWS || cols < MIN_COLS) {
		char m[128];
		snprintf(m, sizeof m, "terminal too small: %dx%d", cols, rows);
		int y = rows / 2 - 1;
		draw_text(y < 0 ? 0 : y, 0, cols, m, EL_CRIT);
		snprintf(m, sizeof m, "llmops needs %dx%d; q quits", MIN_COLS, MIN_ROWS);
		draw_text(y + 1 < rows ? y + 1 : 0, 0, cols, m, EL_DEFAULT);
	} else {
		view_t *v = app_top(a);
		/* A firing alert takes the line under the title from the view
		 * and gives it back once nothing fires. */
		int top = 1 + alerts_banner_rows(a);
		v->h = rows - 1 - top;
		v->w = cols;
		v->ops->draw(v, a, top, 0, v->h, cols);
		if (top > 1)
			alerts_banner_draw(a, 1, cols);
		paint_title(a, cols); /* after the view: the title says where it is */
		paint_status(a, rows - 1, cols);
		if (a->notice)
			paint_notice(a, rows, cols);
	}
	tui_frame_end();
	a->dirty = 0;
	int first = !a->first_frame_done;
	/* The text index waits for an import behind the console (it would
	 * compete with its writer for the store) and fills in once it is done. */
	if (first && (!a->import || bgimport_idle(a->import)))
		querier_index_now(a->q);
	if (a->bench) {
		double now = clock_mono();
		if (first)
			fprintf(a->bench, "first-frame %.6f\n", now - a->t_start);
		if (a->t_key > 0) {
			fprintf(a->bench, "key-to-frame %.6f\n", now - a->t_key);
			a->t_key = 0;
		}
		/* A list's rows come from the query thread: the first frame
		 * with an answer after the key is the one the user waits for. */
		if (a->t_key_rows > 0 && a->page_in) {
			fprintf(a->bench, "key-to-rows %.6f\n", now - a->t_key_rows);
			a->t_key_rows = 0;
		}
		a->page_in = 0;
		fflush(a->bench);
	}
	a->first_frame_done = 1;
	if (first) /* the frame is out: now there is time to read ahead */
		store_warm(a->st, a->now_ns);
}

/* ---- signals ----------------------------------------------------------- */

double app_t0;

static int sig_fd = -1;

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char c = (unsigned char)signo;
	if (sig_fd >= 0 && write(sig_fd, &c, 1) < 0) {
		/* the pipe is full: the loop will wake up anyway */
	}
	errno = saved;
}

static void restore_on_crash(int signo)
{
	tui_end();
	signal(signo, SIG_DFL);
	raise(signo);
}

static void install_signals(app_t *a)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	int sigs[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCONT, SIGTSTP};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		signal(fatal[i], restore_on_crash);
	sig_fd = a->sig[1];
}

static void handle_signals(app_t *a)
{
	unsigned char c[64];
	ssize_t n;
	while ((n = read(a->sig[0], c, sizeof c)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (c[i] == SIGWINCH || c[i] == SIGCONT) {
				tui_resize();
				a->dirty = 1;
			} else if (c[i] == SIGTSTP) {
				/* kill -TSTP, or a terminal that still sends it: as Ctrl-Z. */
				tui_stop();
				a->dirty = 1;
			} else {
				/* TERM, INT, HUP, QUIT: leave through the one exit path. */
				a->quit = 1;
				if (c[i] == SIGHUP)
					a->status = 129;
			}
		}
	}
}

/* ---- script (screen tests) --------------------------------------------- */

static void load_script(app_t *a, const char *path)
{
	size_t len;
	FILE *f = fopen(path, "r");
	if (!f) {
		app_message(a, EL_ERROR, "LLMOPS_SCRIPT %s: %s", path, strerror(errno));
		return;
	}
	char line[1024];
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		len = strcspn(line, "\r\n");
		line[len] = 0;
		if (!len || line[0] == '#')
			continue;
		if (a->nscript == cap) {
			cap = cap ? cap * 2 : 32;
			a->script = xrealloc(a->script, cap * sizeof *a->script);
		}
		a->script[a->nscript++] = xstrdup(line);
	}
	fclose(f);
}

static int app_busy(app_t *a)
{
	if (a->q && (querier_busy(a->q) || querier_fts_pending(a->q) != 0))
		return 1;
	if (usage_poller_busy(a->usage) || alerts_console_busy(a))
		return 1;
	for (int i = 0; i < a->depth; i++)
		if (a->stack[i]->ops->busy && a->stack[i]->ops->busy(a->stack[i], a))
			return 1;
	for (size_t i = 0; i < a->nfollowers; i++)
		if (follower_pending(a->followers[i]))
			return 1;
	if (a->import && !a->import_done) {
		/* Finished, but its end not yet taken in (the window moved to the
		 * file's time): a script line played now would see the screen of
		 * before. */
		bgimport_progress p;
		bgimport_get(a->import, &p);
		if (p.done || !bgimport_idle(a->import))
			return 1;
	}
	return 0;
}

/* Plays one script line, when the console is idle: ":cmd" and "/text" are
 * typed and entered; other lines are keys ("jj<Enter>", "<C-f>"), and so is
 * what follows "keys " (":<Up>" with the prompt left open). */
static void play_script_line(app_t *a)
{
	const char *line = a->script[a->script_pos++];
	if (!strncmp(line, ":save-display ", 14)) {
		/* Not typed: a snapshot must not disturb what it records (the
		 * message line, the command history). */
		save_display(a, line + 14);
		return;
	}
	if (!strncmp(line, "keys ", 5)) {
		line += 5; /* keys only, even a leading ':' or '/' */
	} else if (line[0] == ':' || line[0] == '/') {
		key(a, line[0]);
		for (const char *p = line + 1; *p;) {
			uint32_t cp;
			p += utf8_decode((const unsigned char *)p, strlen(p), &cp);
			key(a, (int)cp);
		}
		key(a, K_ENTER);
		return;
	}
	for (const char *p = line; *p;) {
		int k;
		if (*p == '<' && strchr(p, '>')) {
			const char *e = strchr(p, '>');
			if (e - p == 3 && e[1] == '>' && !strncmp(p, "<M-", 3))
				e++; /* <M->> */
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(e - p + 1), p);
			if (keycode_parse(name, &k) == 0) {
				key(a, k);
				p = e + 1;
				continue;
			}
		}
		uint32_t cp;
		p += utf8_decode((const unsigned char *)p, strlen(p), &cp);
		key(a, (int)cp);
	}
}

/* ---- live data --------------------------------------------------------- */

static void refresh_tick(app_t *a)
{
	int changed = 0;
	for (size_t i = 0; i < a->nfollowers; i++) {
		char err[512] = "";
		int r = follower_poll(a->followers[i], a->st, a->prices, err, sizeof err);
		if (r > 0)
			changed = 1;
		char note[512];
		int noted = follower_note(a->followers[i], note, sizeof note);
		if (*err)
			app_message(a, EL_ERROR, "%s", err);
		else if (noted)
			app_message(a, EL_MESSAGE, "%s", note);
	}
	if (a->recv) {
		/* The status line's count of the last minute falls as calls age. */
		receiver_stats rs;
		receiver_get_stats(a->recv, &rs);
		if (rs.calls_minute != a->recv_shown)
			a->dirty = 1;
	}
	if (store_changed(a->st))
		changed = 1;
	if (changed) {
		a->last_call_ts = store_last_ts(a->st);
		a->now_ns = app_clock(a);
		follow_data_window(a);
		reload_all(a);
	}
}

/* The import's news: a rejected record to the status line (the first one
 * stays until a key; all are printed when the console closes), its progress
 * repainted, what it committed shown at most once a second, and at the end. */
static void import_tick(app_t *a)
{
	bgimport_drain(a->import);
	char m[1024];
	int error;
	while (bgimport_message(a->import, a->import_msgs, m, sizeof m, &error)) {
		a->import_msgs++;
		if (error && (!a->msg[0] || a->msg_el != EL_ERROR))
			app_message(a, EL_ERROR, "%s", m);
	}
	a->dirty = 1;
	bgimport_progress p;
	bgimport_get(a->import, &p);
	double now = clock_mono();
	if (a->first_frame_done && bgimport_idle(a->import))
		querier_index_now(a->q);
	if (p.done && !a->import_done) {
		/* Whatever the store said it changed since: a commit may fall between
		 * the console's first look at the newest call and its baseline. */
		a->import_done = 1;
		a->last_call_ts = store_last_ts(a->st);
		a->now_ns = app_clock(a);
		follow_data_window(a);
		reload_all(a);
		alerts_console_tick(a); /* the rules, at the file's time, before the next key */
	} else if (now - a->import_reload >= 1.0) {
		a->import_reload = now;
		refresh_tick(a);
	}
}

/* The usage poller's news: a rejected key or a body that is not the
 * documented shape goes to the status line, and so does a failure being
 * retried (a 429, a 5xx, a timeout) when it is new: its first time, or
 * another kind than before; the same one again is left to the pane's
 * "retrying", and once it is over it leaves the status line. What was
 * stored goes to the views' billed op (a reload would move every view's
 * selection). The text came from a server, in part. */
static void on_usage_event(void *ud, int ev, const char *msg)
{
	app_t *a = ud;
	char *m = sanitize_str(msg, 0);
	if (ev == UE_STORED) {
		for (int i = 0; i < a->depth; i++)
			if (a->stack[i]->ops->billed)
				a->stack[i]->ops->billed(a->stack[i], a);
	} else if (ev == UE_ERROR) {
		app_message(a, EL_ERROR, "%s", m);
	} else if (ev == UE_RETRY) {
		app_message(a, EL_WARN, "%s", m);
	} else if (ev == UE_NOTE) {
		app_message(a, EL_MESSAGE, "%s", m);
	} else if (ev == UE_CLEARED) {
		char was[sizeof a->msg];
		snprintf(was, sizeof was, "%s", m); /* as app_message would have cut it */
		if (a->msg_el == EL_WARN && !strcmp(a->msg, was))
			a->msg[0] = 0;
	}
	free(m);
	a->dirty = 1;
}

/* ---- setup and the loop ------------------------------------------------ */

char *app_state_path(const char *leaf)
{
	/* Neither $XDG_STATE_HOME nor $HOME: nothing is kept, rather than a
	 * history under / or wherever the console was started. */
	return file_xdg_path(XDG_STATE, leaf, NULL, 0);
}

static void load_keys(app_t *a)
{
	a->keymap_name = config_str(a->cfg, CFG_keymap) ? config_str(a->cfg, CFG_keymap) : "vim";
	sbuf errs = SBUF_INIT;
	const char *text = keymap_builtin(a->keymap_name);
	if (!text)
		text = keymap_builtin("vim");
	keymap_load(&a->keys, a->keymap_name, text, a->keymap_name, &errs);
	for (size_t i = 0; i < a->cfg->binds.n; i++) {
		const cfg_bind *b = &a->cfg->binds.v[i];
		char err[256] = "";
		if (keymap_bind_words(&a->keys, a->keymap_name, b->keymap, b->key, b->action, err, sizeof err))
			sb_printf(&errs, "%s:%d: %s\n", b->at.file, b->at.line, err);
	}
	for (size_t i = 0; i < a->cfg->colors.n; i++) {
		const cfg_color *c = &a->cfg->colors.v[i];
		char err[1024] = "";
		if (tui_color_set(c->element, c->fg, c->bg, c->attrs, err, sizeof err))
			sb_printf(&errs, "%s:%d: %s\n", c->at.file, c->at.line, err);
	}
	if (errs.len) {
		sb_adds(&a->cfg->errors, errs.p);
		a->cfg->nerrors++;
	}
	sb_free(&errs);
}

/* Everything app_teardown frees, set up; the start view opened. 0, or -1
 * with the reason printed (the screen is not up then). */
/* A webhook's URL often carries its token: a :set of it stays out of the
 * command history file. */
static int history_keeps(const char *line)
{
	const char *p = line + strspn(line, " ");
	if (strncmp(p, "set", 3) || (p[3] != ' ' && p[3] != '\t'))
		return 1;
	p += 3;
	p += strspn(p, " \t");
	size_t n = strcspn(p, " \t=");
	return !(n == strlen("alert_webhook") && !strncmp(p, "alert_webhook", n));
}

static int app_init(app_t *a, const app_opts *o)
{
	memset(a, 0, sizeof *a);
	a->sig[0] = a->sig[1] = -1;
	a->t_start = app_t0 > 0 ? app_t0 : clock_mono();
	a->cfg = o->cfg;
	a->prices = o->prices;
	a->provs = o->provs;
	a->http = http_new();
	a->store_path = xstrdup(o->store_path);
	a->status = 0;
	a->import = o->import;
	a->import_store = o->import_store;
	filter_init(&a->filter);
	const char *bench = getenv("LLMOPS_BENCH");
	if (bench && *bench)
		a->bench = fopen(bench, "a");
	char err[512];
	/* A store that cannot be written (a read-only folder, a file someone
	 * else owns) is still worth looking at: opened read-only, the console
	 * shows it and says so where a write is refused. */
	if (store_open(a->store_path, STORE_VIEWER, &a->st, err, sizeof err)) {
		fprintf(stderr, "llmops: %s\n", err);
		return -1;
	}
	int ro = store_readonly(a->st);
	a->q = querier_start(a->store_path, 1, err, sizeof err);
	/* Billed spend: the providers with an admin key, from a week back (a
	 * month of cost reports, for the monthly budget). Fetched pages are
	 * kept in the store: a read-only one gets none. */
	usage_opts uo = {.backfill_usage_s = 7 * 86400, .backfill_cost_s = 31 * 86400};
	static provs_t none;
	a->usage = usage_poller_new(a->http, a->st, a->provs && !ro ? a->provs : &none, &uo);
	usage_poller_on_event(a->usage, on_usage_event, a);
	load_keys(a);
	char *hist = app_state_path("history"), *shist = app_state_path("search_history");
	a->cmd = prompt_new(hist);
	if (a->cmd) {
		prompt_set_complete(a->cmd, app_complete, a);
		prompt_set_keep(a->cmd, history_keeps);
	}
	a->find = prompt_new(shist);
	a->ask = prompt_new(NULL); /* notes stay out of any history file */
	free(hist);
	free(shist);
	/* Files opened with llmops FILE have a store of their own: the rc's
	 * watched files are not mixed into it. */
	for (size_t i = 0; i < a->cfg->watches.n && !ro && !o->import; i++) {
		const cfg_path *w = &a->cfg->watches.v[i];
		a->followers = xrealloc(a->followers, (a->nfollowers + 1) * sizeof *a->followers);
		a->followers[a->nfollowers++] = follower_new(w->path, !strcmp(w->kind, "otlp") ? FMT_OTLP : FMT_JSONL);
	}
	for (int i = 0; i < o->nwatch && !ro; i++) {
		a->followers = xrealloc(a->followers, (a->nfollowers + 1) * sizeof *a->followers);
		a->followers[a->nfollowers++] = follower_new(o->watch[i], FMT_AUTO);
	}
	char recv_err[512] = "";
	if (o->recv && !ro)
		a->recv = receiver_start(o->recv, recv_err, sizeof recv_err);
	if (pipe2(a->sig, O_NONBLOCK | O_CLOEXEC)) {
		fprintf(stderr, "llmops: pipe: %s\n", strerror(errno));
		a->sig[0] = a->sig[1] = -1;
		return -1;
	}
	install_signals(a);
	tui_opts to = {.ascii = o->ascii, .color = o->color, .no_display = getenv("LLMOPS_NO_DISPLAY") != NULL};
	if (tui_init(&to, err, sizeof err)) {
		fprintf(stderr, "llmops: %s\n", err);
		return -1;
	}
	atexit(tui_end);
	a->last_call_ts = store_last_ts(a->st);
	a->now_ns = app_clock(a);
	char d[16];
	clock_fmt_dur(config_dur(a->cfg, CFG_window), d, sizeof d);
	a->window_ns = config_dur(a->cfg, CFG_window);
	snprintf(a->window_name, sizeof a->window_name, "%s", d);
	follow_data_window(a);
	a->last_call_ts = store_last_ts(a->st);
	store_changed(a->st); /* the baseline */
	if (ro)
		app_message(a, EL_ERROR, "%s%s", STORE_READONLY_MSG,
			    a->cfg->watches.n || o->nwatch ? " (watched files are not imported)"
			    : o->recv		     ? " (nothing is received)"
						     : "");
	else if (o->recv && !a->recv)
		app_message(a, EL_ERROR, "listen: %s", recv_err);
	if (a->cfg->nerrors) {
		/* Never printed while the screen is up (it would be painted over):
		 * all of them in a box until a key, and the first in the status
		 * line after that. */
		const char *e = sb_str(&a->cfg->errors);
		size_t n = strcspn(e, "\n");
		a->notice = sanitize_str(e, SAN_KEEP_NL);
		app_message(a, EL_ERROR, "%.*s%s", (int)n, e, a->cfg->nerrors > 1 ? " (all are printed when you quit)" : "");
	}
	const char *script = getenv("LLMOPS_SCRIPT");
	if (script && *script)
		load_script(a, script);
	a->sort = SORT_TIME;
	const view_entry *start = views;
	while (start->ops && !(start->start && o->view && !strcmp(start->ops->name, o->view)))
		start++;
	if (!start->ops)
		start = views; /* the dashboard */
	if (start->start(a, o)) {
		/* Nothing to show: what went wrong is said when the screen is down. */
		a->start_failed = 1;
		a->status = 1;
	}
	a->next_refresh = clock_mono() + config_num(a->cfg, CFG_refresh);
	a->shown_minute = a->now_ns / NS_PER_MIN;
	/* Followed files start catching up at once. */
	refresh_tick(a);
	if (!a->start_failed)
		alerts_console_start(a);
	return 0;
}

/* One turn of the loop: paint if need be, then play a script line or wait
 * for the terminal, the query thread, followed files, HTTP and the timers.
 * 0 to go on, -1 to leave. */
static int app_turn(app_t *a)
{
	a->now_ns = app_clock(a);
	/* A damaged file fails some reads and not others: the panes that
	 * could read would look whole. Said once, it stays until a key. */
	if (!a->damage_told && store_damage(a->st)) {
		a->damage_told = 1;
		app_message(a, EL_ERROR, "%s", store_damage(a->st));
	}
	if (a->now_ns / NS_PER_MIN != a->shown_minute) {
		/* The clock in the title: the only change an idle screen shows. */
		a->shown_minute = a->now_ns / NS_PER_MIN;
		a->dirty = 1;
	}
	if (a->script && a->import && !a->import_done)
		import_tick(a); /* its news before the next line is played, not after */
	if (a->dirty)
		paint(a);
	if (a->script && a->script_pos < a->nscript && !app_busy(a)) {
		play_script_line(a);
		return 0;
	}
	if (a->script && a->script_pos >= a->nscript && !app_busy(a)) {
		if (a->dirty)
			paint(a);
		return -1; /* the script is done: leave, as tig's tests do */
	}
	usage_poller_tick(a->usage); /* starts the fetches that are due */
	struct pollfd fds[4 + 64 + 64];
	int nfd = 0;
	int tty = tui_input_fd();
	if (tty >= 0)
		fds[nfd++] = (struct pollfd){.fd = tty, .events = POLLIN};
	fds[nfd++] = (struct pollfd){.fd = a->sig[0], .events = POLLIN};
	int qfd = a->q ? querier_fd(a->q) : -1;
	if (qfd >= 0)
		fds[nfd++] = (struct pollfd){.fd = qfd, .events = POLLIN};
	int afd = alerts_console_fd(a);
	size_t at_alerts = (size_t)nfd;
	if (afd >= 0)
		fds[nfd++] = (struct pollfd){.fd = afd, .events = POLLIN};
	size_t first_follow = (size_t)nfd;
	for (size_t i = 0; i < a->nfollowers && nfd < 4 + 64; i++) {
		int ffd = follower_fd(a->followers[i]);
		if (ffd >= 0)
			fds[nfd++] = (struct pollfd){.fd = ffd, .events = POLLIN};
	}
	size_t end_follow = (size_t)nfd;
	int rfd = a->recv ? receiver_fd(a->recv) : -1;
	size_t at_recv = (size_t)nfd;
	if (rfd >= 0)
		fds[nfd++] = (struct pollfd){.fd = rfd, .events = POLLIN};
	int ifd = bgimport_fd(a->import);
	size_t at_import = (size_t)nfd;
	if (ifd >= 0)
		fds[nfd++] = (struct pollfd){.fd = ifd, .events = POLLIN};
	size_t first_http = (size_t)nfd;
	int nhttp = http_pollfds(a->http, fds + nfd, (int)(sizeof fds / sizeof *fds) - nfd);
	nfd += nhttp;
	double now = clock_mono();
	int64_t to_minute = (a->shown_minute + 1) * NS_PER_MIN - a->now_ns;
	double wait = a->next_refresh - now;
	if (to_minute / 1e9 < wait)
		wait = (double)to_minute / 1e9;
	for (size_t i = 0; i < a->nfollowers; i++)
		if (follower_pending(a->followers[i]))
			wait = 0; /* a big file catches up in slices */
	long hw = http_wait_ms(a->http), uw = usage_poller_wait_ms(a->usage);
	if (hw >= 0 && (double)hw / 1000.0 < wait)
		wait = (double)hw / 1000.0;
	if (uw >= 0 && (double)uw / 1000.0 < wait)
		wait = (double)uw / 1000.0;
	view_t *top = app_top(a);
	double tick = top && top->ops->tick ? top->ops->tick(top, a) : -1;
	if (tick >= 0 && tick < wait)
		wait = tick;
	if (a->script)
		wait = wait > 0.05 ? 0.05 : wait;
	int timeout = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
	int r = poll(fds, (nfds_t)nfd, timeout);
	if (r < 0 && errno != EINTR)
		return -1;
	if (fds[tty >= 0 ? 1 : 0].revents & POLLIN)
		handle_signals(a);
	if (tty >= 0 && fds[0].revents) {
		int k, got = 0;
		while (!a->quit && tui_key(&k)) {
			key(a, k);
			got = 1;
		}
		if (!got && ((fds[0].revents & (POLLHUP | POLLERR)) || tui_hung_up())) {
			a->quit = 1; /* the terminal is gone (an SSH drop): leave, do not spin */
			a->status = 129;
		}
	}
	if (qfd >= 0 && r > 0) {
		call_page page;
		uint64_t tag;
		char qerr[256];
		int got;
		while ((got = querier_take(a->q, &page, &tag, qerr, sizeof qerr)) != 0) {
			/* To every view: the one that asked knows its tag. */
			for (int i = 0; i < a->depth; i++)
				if (a->stack[i]->ops->page)
					a->stack[i]->ops->page(a->stack[i], a, got > 0 ? &page : NULL, tag,
								 got > 0 ? NULL : qerr);
			call_page_free(&page);
			a->dirty = 1;
			a->page_in = 1;
		}
		/* The status line says whether the text index is still being built,
		 * and from when it is complete. */
		int indexing = querier_fts_pending(a->q) > 0 ? 1 + (int)(querier_fts_since(a->q) / NS_PER_MIN) : 0;
		if (indexing != a->indexing_shown) {
			/* A filter with words asked before the index was complete: ask again. */
			if (!indexing && a->filter.text)
				reload_all(a);
			a->indexing_shown = indexing;
			a->dirty = 1;
		}
	}
	if (afd >= 0 && fds[at_alerts].revents)
		alerts_console_take(a);
	/* Replies, stream bytes and retries; their handlers mark what changed. */
	http_process(a->http, fds + first_http, nhttp);
	if (tick >= 0)
		a->dirty = 1; /* a timer on screen moved */
	int followed = 0;
	for (size_t i = first_follow; i < end_follow; i++)
		if (fds[i].revents)
			followed = 1;
	for (size_t i = 0; i < a->nfollowers; i++)
		if (follower_pending(a->followers[i]))
			followed = 1;
	if (ifd >= 0 && fds[at_import].revents)
		import_tick(a);
	if (rfd >= 0 && fds[at_recv].revents) {
		/* A batch was committed: the panes move now, not at the next tick. */
		receiver_drain_fd(a->recv);
		followed = 1;
	}
	if (followed || clock_mono() >= a->next_refresh) {
		refresh_tick(a);
		if (clock_mono() >= a->next_refresh) {
			a->next_refresh = clock_mono() + config_num(a->cfg, CFG_refresh);
			alerts_console_tick(a); /* on the clock, not on every batch that came */
		}
	}
	return 0;
}

/* Frees what app_init set up, as far as it got. */
static void app_teardown(app_t *a)
{
	free(a->notice);
	while (a->depth)
		app_pop(a);
	usage_poller_free(a->usage);
	http_free(a->http);
	tui_end();
	if (a->start_failed) {
		char *m = sanitize_str(a->msg, 0);
		fprintf(stderr, "llmops: %s\n", m);
		free(m);
	}
	querier_stop(a->q);
	alerts_console_stop(a);
	/* What was received is answered and committed before the store closes. */
	receiver_stop(a->recv, NULL);
	for (size_t i = 0; i < a->nfollowers; i++)
		follower_free(a->followers[i]);
	free(a->followers);
	prompt_free(a->cmd);
	prompt_free(a->find);
	prompt_free(a->ask);
	keymap_free(&a->keys);
	filter_free(&a->filter);
	store_close(a->st);
	for (size_t i = 0; i < a->nscript; i++)
		free(a->script[i]);
	free(a->script);
	free(a->store_path);
	if (a->bench)
		fclose(a->bench);
	sig_fd = -1;
	if (a->sig[0] >= 0)
		close(a->sig[0]);
	if (a->sig[1] >= 0)
		close(a->sig[1]);
}

int app_main(const app_opts *o)
{
	app_t app, *a = &app;
	int rc = app_init(a, o);
	while (!rc && !a->quit && a->depth && app_turn(a) == 0)
		;
	app_teardown(a);
	return rc ? 1 : a->status;
}

const char *model_short(const char *model, char *buf, size_t n)
{
	/* -YYYYMMDD or -YYYY-MM-DD at the end, as providers date their snapshots. */
	size_t len = strlen(model), cut = len;
	const char *m = model;
	if (len > 9 && m[len - 9] == '-' && strspn(m + len - 8, "0123456789") == 8)
		cut = len - 9;
	else if (len > 11 && m[len - 11] == '-' && strspn(m + len - 10, "0123456789-") == 10 && m[len - 6] == '-' &&
		 m[len - 3] == '-')
		cut = len - 11;
	snprintf(buf, n, "%.*s", (int)cut, model);
	return buf;
}
