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
	X(VIEW_PROMPTS, "view-prompts", "prompt versions and how each did in production")           \
	X(VIEW_TRACE, "view-trace", "the whole trace of this call, as a waterfall of its spans")   \
	X(VIEW_COMPARE, "view-compare", "the window against the one before: what moved beyond noise (:compare DUR)") \
	X(VIEW_ALERTS, "view-alerts", "the alert rules: what fires, its value against the threshold, since when") \
	X(REFRESH, "refresh", "reload now, and poll the providers' bills again (a rejected key too)") \
	X(REDRAW, "redraw", "draw the whole screen again")                                         \
	X(SUSPEND, "suspend", "suspend llmops to the shell (fg brings it back)")                   \
	G("Searching")                                                                              \
	X(PROMPT, "prompt", "command line (:window, :filter, :view, :diff, :set, :bind, :q)")       \
	X(SEARCH, "search", "search this view")                                                     \
	X(SEARCH_NEXT, "search-next", "next match")                                                 \
	X(SEARCH_PREV, "search-prev", "previous match")                                             \
	X(NEXT_ERROR, "next-error", "next error (dashboard: the errors of the window)")             \
	X(PREV_ERROR, "prev-error", "previous error")                                               \
	X(FILTER, "filter", "edit the filter")                                                      \
	X(SORT, "sort", "the next order: time, latency, cost (calls); regression, first seen, name, calls, errors, cost (prompts)") \
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
	X(TOGGLE_WRAP, "toggle-wrap", "wrap or scroll long lines")                                  \
	G("Prompt diffs")                                                                           \
	X(DIFF, "diff", "two prompt versions side by side: this one and the one before (or the marked one)") \
	X(MARK, "mark", "mark this version (again: unmark); D on another diffs the two")            \
	X(NEXT_HUNK, "next-hunk", "next hunk (a run of changed lines)")                             \
	X(PREV_HUNK, "prev-hunk", "previous hunk")                                                  \
	X(TOGGLE_CONTEXT, "toggle-context", "the whole text, or only the hunks with 3 lines around") \
	X(DIFF_LEFT, "diff-left", "another version on the left (the old side)")                     \
	X(DIFF_RIGHT, "diff-right", "another version on the right (the new side)")                  \
	G("Annotating")                                                                             \
	X(ANNOTATE, "annotate", "label the calls of the filter (or this call's list), one key each") \
	X(LABEL_1, "label-1", "apply the label on key 1 and move on")                               \
	X(LABEL_2, "label-2", "apply the label on key 2 and move on")                               \
	X(LABEL_3, "label-3", "apply the label on key 3 and move on")                               \
	X(LABEL_4, "label-4", "apply the label on key 4 and move on")                               \
	X(LABEL_5, "label-5", "apply the label on key 5 and move on")                               \
	X(LABEL_6, "label-6", "apply the label on key 6 and move on")                               \
	X(LABEL_7, "label-7", "apply the label on key 7 and move on")                               \
	X(LABEL_8, "label-8", "apply the label on key 8 and move on")                               \
	X(LABEL_9, "label-9", "apply the label on key 9 and move on")                               \
	X(NOTE, "note", "write a note on this call")                                                \
	X(EDIT_EXPECTED, "edit-expected", "write the expected answer in $VISUAL or $EDITOR")        \
	X(UNDO, "undo", "undo the last label (again: the one before)")                              \
	X(SKIP, "skip", "skip this call")                                                           \
	X(PREV_ITEM, "prev-item", "back to the previous call")                                    \
	G("Replaying")                                                                              \
	X(REPLAY, "replay", "replay this call against another prompt version (:replay V N: a batch)") \
	X(CANCEL, "cancel", "stop the replay under way (its partial output is kept)")                 \
	G("Copying")                                                                                \
	X(COPY_ID, "copy-id", "copy the call's span id to the clipboard (OSC 52)")                  \
	X(COPY_JSON, "copy-json", "copy the call as JSON to the clipboard (OSC 52)")

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
