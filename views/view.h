/* Views: one file each plus a const ops table, listed once in views[]
 * (registry.c). The generic code (app.c) never asks which view it is: what
 * differs is in the ops (the flags, which call is selected) and in the
 * registry (what `:view NAME` does, which view can start the console). The
 * app owns the loop, the store, the keymap, the time window and the trace
 * filter. */
#ifndef LLMOPS_VIEW_H
#define LLMOPS_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/filter.h"
#include "../core/keymap.h"
#include "../core/pricing.h"
#include "../data/http.h"
#include "../data/provider.h"
#include "../data/query.h"
#include "../data/store.h"
#include "../data/usage.h"
#include "../tui/prompt.h"

typedef struct app app_t;
typedef struct view view_t;

enum {
	VIEW_SINGLETON = 1 << 0, /* never pushed on top of itself */
	VIEW_FILTERED = 1 << 1,  /* lists the trace filter's calls: a new filter shows there */
	VIEW_WINDOWED = 1 << 2,  /* shows the time window: A queues the window's calls */
};

typedef struct view_ops {
	const char *name;
	int scope;             /* keymap scope (core/keymap.h) */
	int flags;             /* VIEW_* */
	size_t private_size;
	/* arg: what the caller of app_push handed (each view says what it takes). */
	void (*open)(view_t *v, app_t *a, const void *arg);
	void (*close)(view_t *v, app_t *a);
	/* Draws into rows y..y+h-1, columns x..x+w-1. */
	void (*draw)(view_t *v, app_t *a, int y, int x, int h, int w);
	/* 1 when the view handled the action. */
	int (*action)(view_t *v, app_t *a, int action);
	/* The data, the window or the filter changed. */
	void (*reload)(view_t *v, app_t *a);
	/* The usage poller stored the providers' reports: what shows the
	 * bill reloads it, and nothing else moves. */
	void (*billed)(view_t *v, app_t *a);
	/* `/` search: 1 when something matched (dir 1 forward, -1 back), 0
	 * when nothing did, -1 when the view says it (an answer to come). */
	int (*search)(view_t *v, app_t *a, const char *text, int dir);
	/* A page of calls from the query thread. */
	void (*page)(view_t *v, app_t *a, call_page *page, uint64_t tag, const char *err);
	/* Still waiting for data (screen tests wait for this). */
	int (*busy)(view_t *v, app_t *a);
	/* Seconds until what it shows changes by itself (a running timer), or
	 * < 0 when nothing does: the loop wakes then to repaint it. */
	double (*tick)(view_t *v, app_t *a);
	/* What the title bar says about this view. */
	void (*title)(view_t *v, app_t *a, char *buf, size_t n);
	/* The line app_ask asked for: typed so far (ASK_TYPING, at every key),
	 * abandoned (ASK_CANCEL) or entered (ASK_DONE). */
	void (*answer)(view_t *v, app_t *a, const char *text, int how);
	/* The call selected, for R and for a view above it (next-error from
	 * a call); 0 when none. */
	int (*selected_call)(view_t *v, app_t *a, int64_t *id);
	/* :write FILE: the view's whole content as text lines (sanitised);
	 * without it, the screen as shown is written. */
	void (*text)(view_t *v, app_t *a, sbuf *out);
} view_ops;

enum { ASK_TYPING, ASK_CANCEL, ASK_DONE };

struct view {
	const view_ops *ops;
	view_t *parent; /* the view below it on the stack, or NULL */
	void *priv;
	int h, w; /* size at the last draw */
};

extern const view_ops dashboard_ops, traces_ops, call_ops, help_ops, annotate_ops, prompts_ops, replay_ops, diff_ops,
    trace_ops, span_ops, compare_ops, alerts_ops;

/* ---- the application (app.c) ------------------------------------------- */

typedef struct follower follower_t;

struct app {
	config_t *cfg;
	store_t *st;
	pricing_t *prices;
	provs_t *provs;
	http_t *http; /* every HTTP request of the console, polled by its loop */
	usage_poller_t *usage; /* the providers' usage and cost reports, on http */
	char *store_path;
	keymap_t keys;
	const char *keymap_name;
	view_t *stack[16];
	int depth;
	int64_t now_ns;
	int64_t window_ns;
	char window_name[16];
	/* the trace list's filter, as typed and parsed */
	char filter_src[512];
	filter_t filter;
	int sort;
	querier_t *q;
	uint64_t q_tag;
	prompt_t *cmd, *find, *ask;
	int prompt_kind; /* 0, ':', '/', 'f', or 'a' (a view's question) */
	int cx_pending;  /* C-x was typed: the next key is read as C-x KEY */
	char last_search[256];
	char msg[512];
	int msg_el;
	int dirty;
	int quit;
	int status; /* exit status */
	int start_failed; /* the start view could not open: said on stderr at the end */
	char *notice;     /* the rc's errors, sanitised: a box over the view until a key */
	int damage_told;
	int sig[2];
	double next_refresh;
	int64_t shown_minute;
	int64_t last_call_ts;
	int indexing_shown;
	follower_t **followers;
	size_t nfollowers;
	struct receiver *recv; /* the OTLP/HTTP receiver (--listen), or NULL */
	struct bgimport *import; /* files being imported (llmops FILE...), or NULL */
	const char *import_store;
	size_t import_msgs;      /* its messages shown so far */
	int import_done;         /* its end seen */
	double import_reload;    /* when the views last reloaded for it */
	int window_picked;       /* a window was chosen (keys, :window): the data no longer picks it */
	int64_t wall_ns;         /* the wall clock, when now_ns follows a file's data */
	uint64_t recv_shown;   /* its calls of the last minute, as the status line last said */
	struct console_alerts *alerts; /* the rules evaluated on the refresh tick (alerts.c), or NULL */
	/* screen tests */
	char **script;
	size_t nscript, script_pos;
	/* figures for make bench (LLMOPS_BENCH=FILE) */
	FILE *bench;
	double t_start, t_key;
	double t_key_rows; /* the key whose answer from the query thread is awaited */
	int page_in;       /* an answer came in since the last frame */
	int first_frame_done;
};

typedef struct app_opts {
	config_t *cfg;
	pricing_t *prices;
	provs_t *provs;
	const char *store_path;
	const char *view;      /* a start view of views[]: dashboard, traces, prompts, annotate or diff */
	const char *filter;    /* initial trace filter */
	const char *diff[3];   /* view "diff": NAME, the old and the new version */
	int ascii, color;
	const struct receiver_opts *recv; /* receive OTLP/HTTP (NULL: not) */
	const char *const *watch;         /* files to follow, besides the rc's watch lines */
	int nwatch;
	/* Files being imported behind the console (llmops FILE...): its
	 * progress in the status line, its time and window from their data. */
	struct bgimport *import;
	const char *import_store; /* "store PATH" or "temporary store", after the progress */
} app_opts;

/* Runs the console; returns the exit status. */
int app_main(const app_opts *o);
/* When the process started (clock_mono), for LLMOPS_BENCH's first frame. */
extern double app_t0;

/* A key a view hints in the status line, by its action (the key is the
 * keymap's) and a word or two for it. */
typedef struct view_hint {
	int action;
	const char *label;
} view_hint;

/* The views, in the order `:view` and help name them; ends with a NULL ops. */
typedef struct view_entry {
	const view_ops *ops;
	int action;  /* the key that opens it (A_VIEW_*, A_HELP), or A_NONE */
	int by_name; /* `:view NAME` opens it */
	/* What `:view NAME` and the key do; NULL: push it. */
	void (*show)(app_t *a);
	/* Opens it as the first view; 0, or -1 with the reason in the status
	 * line. NULL: it cannot be the start view. */
	int (*start)(app_t *a, const app_opts *o);
	/* The view's own keys, most useful first, ending with A_NONE (NULL:
	 * none): the status line hints them, help lists them first. */
	const view_hint *hints;
} view_entry;
extern const view_entry views[];
/* The entry of a view's ops (NULL when it has none). */
const view_entry *view_entry_of(const view_ops *ops);
/* The status line's hints for the view on top, in at most room columns:
 * its own keys, then help, command, search and back, the least useful
 * left out whole (never cut in a word) until the rest fits. */
void view_hint_line(app_t *a, int room, char *out, size_t n);
/* The views `:view` opens, as "a, b or c". */
void view_names(char *buf, size_t n);

/* The console's `:` commands, in the order help lists them; ends with a
 * NULL name. Besides these, `:set` and `:bind` are the rc file's
 * statements (config_statements), applied at once. */
typedef struct app_command {
	const char *name;
	/* arg: the line after the name, trimmed; w/n: the whole line split as
	 * the rc file splits it (w[0] is the name), when words is set. */
	void (*run)(app_t *a, const char *arg, char **w, int n);
	int words;
	const char *usage; /* for help: "window DUR"; NULL: not listed */
	const char *help;  /* what it does; NULL: the names of the views */
	int alias;         /* another name of the entry before: listed nowhere */
} app_command;
extern const app_command app_commands[];
/* Tab in the f and : prompts (complete.c), a prompt_complete_fn. */
void app_complete(void *ctx, const char *lead, const char *before, size_t *from, char ***cands, size_t *n);
/* Runs a line typed at `:` (without the colon); what it says goes to the
 * status line. */
void app_run_command(app_t *a, const char *line);

/* For views. arg is handed to the view's open. A VIEW_SINGLETON view
 * already on top is not pushed again. */
void app_push(app_t *a, const view_ops *ops, const void *arg);
void app_pop(app_t *a);
view_t *app_top(app_t *a);
/* Shows a message in the status line (el: EL_MESSAGE or EL_ERROR). */
void app_message(app_t *a, int el, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sets the trace filter from text; 0, or -1 with the error shown. */
int app_set_filter(app_t *a, const char *src);
/* Submits a page request; the answer comes to the top view's page op. */
void app_query(app_t *a, page_req *req);
void app_set_window(app_t *a, const char *dur);
/* Opens the trace list with a filter (a dashboard drill-down). */
void app_show_traces(app_t *a, const char *filter, int sort);
void app_redraw(app_t *a);
/* Asks for a line in the status line; the answer goes to the top view's
 * answer op. */
void app_ask(app_t *a, const char *lead, const char *initial);
/* A file under $XDG_STATE_HOME/llmops (malloc'ed), or NULL when neither that
 * nor $HOME is set. */
char *app_state_path(const char *leaf);
/* The keys bound to an action in a scope, space-separated (help.c). */
void help_keys_of(app_t *a, int scope, int act, char *out, size_t n);
/* Opens the annotation queue of a filter (annotate.c). */
void annotate_show(app_t *a, const char *filter);
/* Replays a call (asking for the version), or a batch of calls against
 * ref (NULL: the version before each call's), ids taken over (replay.c). */
void replay_show(app_t *a, int64_t id);
void replay_show_batch(app_t *a, int64_t *ids, size_t n, const char *ref);
/* Opens the diff of two versions of a prompt (diff.c): old_v on the left,
 * new_v on the right. new_v NULL: the version in traffic (the one that
 * served last); old_v NULL: the version before new_v; name NULL: the prompt
 * whose version in traffic served last. 0, or -1 with the reason in the
 * status line (no such version, no text stored for it, no version before). */
int diff_show(app_t *a, const char *name, const char *old_v, const char *new_v);
/* The same for "NAME@VERSION" (a call's prompt) against the version before. */
int diff_show_spec(app_t *a, const char *spec);
/* :compare [DUR] [since NAME@VERSION|TIME]: the compare view on those
 * windows, or what is wrong with the words in the status line (compare.c). */
void compare_command(app_t *a, const char *arg, char **w, int n);
/* Opens a call's detail view (call.c). */
void call_show(app_t *a, int64_t id);
/* A call as text lines: metadata, input messages and output (or the output
 * first: what an annotator judges), variables and attributes (call.c). */
struct textview;
void call_text(struct textview *tv, const call_full *c, int output_first);
/* y and Y: a call's span id, or the call as JSON (the fields of a JSONL
 * import), to the clipboard through the terminal, and said in the status
 * line (call.c). */
void call_copy(app_t *a, int64_t id, int as_json);
/* A JSON object's members as "  key: value" lines; anything else as it is (call.c). */
void text_json_pairs(struct textview *tv, const char *json);
/* Opens the trace of a call (by store id) as a waterfall (trace.c). */
void trace_show(app_t *a, int64_t call_id);
/* The trace of ref (a trace id, a span id or the first 8 or more hex digits
 * of a call's), its span selected: 0; -1 when there is none, -2 when the
 * prefix names several calls (err says which). */
int trace_show_ref(app_t *a, const char *ref, char *err, size_t errlen);
/* Alerts in the console (alerts.c): the rules evaluated in a thread of
 * their own on the refresh tick (start evaluates once; tick asks again;
 * take, when fd is readable, puts the answer on screen, rings the bell on a
 * new firing and notifies the transitions). */
typedef struct console_alerts console_alerts;
void alerts_console_start(app_t *a);
void alerts_console_tick(app_t *a);
int alerts_console_fd(app_t *a);
void alerts_console_take(app_t *a);
int alerts_console_busy(app_t *a);
void alerts_console_stop(app_t *a);
/* The banner under the title while a rule fires: the rows it takes (0 or
 * 1), and its drawing. */
int alerts_banner_rows(app_t *a);
void alerts_banner_draw(app_t *a, int y, int cols);
/* A model's name without its date (claude-sonnet-4-5-20250929 -> claude-sonnet-4-5), for narrow columns. */
const char *model_short(const char *model, char *buf, size_t n);

#endif
