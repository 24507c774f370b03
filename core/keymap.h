/* Keys and key bindings, without curses: the terminal layer turns what the
 * terminal sends into these key codes, and a keymap turns them into actions.
 *
 * Key codes: Unicode code points for characters, 1..31 and 127 for control
 * characters, and KEY_SPECIAL + n for the named keys. */
#ifndef LLMOPS_KEYMAP_H
#define LLMOPS_KEYMAP_H

#include <stddef.h>

#include "action.h"
#include "str.h"

#define KEY_SPECIAL 0x200000
enum special_key {
	K_UP = KEY_SPECIAL + 1, K_DOWN, K_LEFT, K_RIGHT, K_HOME, K_END, K_PGUP, K_PGDN, K_BTAB, K_BACKSPACE,
	K_DEL, K_INS, K_F1, K_F12 = K_F1 + 11, K_RESIZE
};
#define K_ENTER 13
#define K_ESC 27
#define K_TAB 9
#define K_CTRL(c) ((c) & 0x1f)
/* Alt (Meta) with a key: the terminal sends Esc and the key at once. */
#define K_META_BIT 0x1000000
#define K_META(c) (K_META_BIT | (c))
/* A key after the C-x prefix (emacs: C-x C-c); C-x is a prefix in a view
 * where a key of that form is bound. */
#define K_CX_BIT 0x2000000
#define K_CX(c) (K_CX_BIT | (c))

/* "<Enter>", "<C-f>", "<PgDn>", "<F5>", "<Hash>", "j", "?", "é", "<M-v>" (Alt),
 * "<C-x><C-c>" (after the C-x prefix) ... (the names in <> in any case). Returns 0 on success, -1 for a key it does not know. */
int keycode_parse(const char *name, int *key);
/* The name of a key, in the form keycode_parse reads. */
void keycode_name(int key, char *out, size_t n);

/* Where a binding applies: everywhere, or in one view. */
#define SCOPES(X)                                                                                    \
	X(GENERIC, "generic")                                                                        \
	X(DASHBOARD, "dashboard")                                                                    \
	X(TRACES, "traces")                                                                          \
	X(CALL, "call")                                                                              \
	X(TRACE, "trace")                                                                            \
	X(HELP, "help")                                                                              \
	X(ANNOTATE, "annotate")                                                                      \
	X(PROMPTS, "prompts")                                                                        \
	X(REPLAY, "replay") \
	X(DIFF, "diff") \
	X(COMPARE, "compare") \
	X(ALERTS, "alerts")

enum scope {
#define X(id, name) SC_##id,
	SCOPES(X)
#undef X
	SC_COUNT
};
int scope_parse(const char *name); /* -1 when unknown */
const char *scope_name(int scope);

typedef struct binding {
	int scope, key, action;
} binding;

typedef struct keymap {
	binding *v;
	size_t n, cap;
} keymap_t;

void keymap_free(keymap_t *k);
/* Binds (or, with A_NONE, unbinds) a key in a scope; a later binding of the
 * same key in the same scope replaces the earlier. */
void keymap_bind(keymap_t *k, int scope, int key, int action);
/* The view's binding, else the generic one; A_NONE when unbound. */
int keymap_lookup(const keymap_t *k, int scope, int key);
/* 1 when C-x starts a two-key sequence in that view (a C-x key is bound). */
int keymap_cx_prefix(const keymap_t *k, int scope);

/* One `bind` statement (the words after "bind"): SCOPE KEY ACTION, where SCOPE
 * may also be a keymap name (vim, emacs), "KEYMAP.SCOPE", or a scope; a
 * binding for another keymap than `active` is ignored. 0 or -1 with err. */
int keymap_bind_words(keymap_t *k, const char *active, const char *scope, const char *key, const char *action,
		      char *err, size_t errlen);
/* A .keys file: `bind SCOPE KEY ACTION` lines and comments. Errors are
 * appended to errors as "file:line: message". Returns the error count. */
int keymap_load(keymap_t *k, const char *active, const char *text, const char *file, sbuf *errors);

/* The built-in keymaps, compiled in from keymaps/<name>.keys. */
const char *keymap_builtin(const char *name);

#endif
