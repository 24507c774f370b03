/* Every action a key can trigger, in one table: it gives the enum, the names
 * `bind` takes, the help screen and the man page's key list. Views never see
 * a key, only these. */
#ifndef LLMOPS_ACTION_H
#define LLMOPS_ACTION_H

#define ACTIONS(X, G)                                                                               \
	G("Moving")                                                                                 \
	X(MOVE_DOWN, "move-down", "next line")                                                      \
	X(MOVE_UP, "move-up", "previous line")                                                      \
	X(PAGE_DOWN, "page-down", "next page")                                                      \
	X(PAGE_UP, "page-up", "previous page")                                                      \
	X(MOVE_FIRST, "move-first", "first line")                                                   \
	X(MOVE_LAST, "move-last", "last line")                                                      \
	X(SCROLL_LEFT, "scroll-left", "scroll left")                                                \
	X(SCROLL_RIGHT, "scroll-right", "scroll right")                                             \
	X(NEXT_PANE, "next-pane", "next pane")                                                      \
	X(PREV_PANE, "prev-pane", "previous pane")                                                  \
	G("Views")                                                                                  \
	X(ENTER, "enter", "open the selection")                                                     \
	X(BACK, "back", "back to the previous view (quit on the last)")                             \
	X(QUIT, "quit", "quit")                                                                     \
	X(HELP, "help", "the keys in force")                                                        \
	X(VIEW_DASHBOARD, "view-dashboard", "the dashboard")                                        \
	X(VIEW_TRACES, "view-traces", "the trace list")                                             \
	X(REFRESH, "refresh", "reload now")                                                         \
	G("Searching")                                                                              \
	X(PROMPT, "prompt", "command line (:window, :filter, :view, :set, :bind, :q)")              \
	X(SEARCH, "search", "search this view")                                                     \
	X(SEARCH_NEXT, "search-next", "next match")                                                 \
	X(SEARCH_PREV, "search-prev", "previous match")                                             \
	X(NEXT_ERROR, "next-error", "next error (dashboard: the errors of the window)")             \
	X(PREV_ERROR, "prev-error", "previous error")                                               \
	X(FILTER, "filter", "edit the filter")                                                      \
	X(SORT, "sort", "sort by time, latency or cost")                                            \
	G("Panes")                                                                                  \
	X(WINDOW_1, "window-1", "time window 15m")                                                  \
	X(WINDOW_2, "window-2", "time window 1h")                                                   \
	X(WINDOW_3, "window-3", "time window 6h")                                                   \
	X(WINDOW_4, "window-4", "time window 24h")                                                  \
	X(WINDOW_5, "window-5", "time window 7d")                                                   \
	X(WINDOW_6, "window-6", "time window 14d")                                                  \
	X(WINDOW_7, "window-7", "time window 30d")                                                  \
	X(WINDOW_8, "window-8", "time window 90d")                                                  \
	X(WINDOW_9, "window-9", "time window 365d")                                                   \
	X(CYCLE_MODEL, "cycle-model", "latency pane: all calls or one model")                       \
	X(TOGGLE_WRAP, "toggle-wrap", "wrap or scroll long lines")

enum action {
	A_NONE = 0,
#define X(id, name, help) A_##id,
#define G(title)
	ACTIONS(X, G)
#undef X
#undef G
	A_COUNT
};

typedef struct action_info {
	const char *name;
	const char *help;
} action_info;

extern const action_info action_table[A_COUNT];
/* The action of a name; A_NONE for "none"; -1 when unknown. */
int action_parse(const char *name);
/* The heading an action is listed under on the help screen. */
const char *action_group(enum action a);

/* The windows of window-1 .. window-9. */
extern const char *const action_windows[9];

#endif
