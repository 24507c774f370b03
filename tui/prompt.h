/* The command line: `:` commands and `/` searches. Our own small editor,
 * drawn in curses and fed from the event loop; libedit's readline emulation
 * cannot draw into a curses window, so only its history API is used. */
#ifndef LLMOPS_PROMPT_H
#define LLMOPS_PROMPT_H

#include <stddef.h>

typedef struct prompt prompt_t;

/* history_path: where the history lives (NULL: in memory only). */
prompt_t *prompt_new(const char *history_path);
/* Saves the history (atomically) and frees. */
void prompt_free(prompt_t *p);
void prompt_begin(prompt_t *p, const char *lead, const char *initial);
int prompt_active(const prompt_t *p);

enum { PROMPT_MORE, PROMPT_DONE, PROMPT_CANCEL };
/* One key (core/keymap.h codes). On PROMPT_DONE the line is in prompt_line()
 * and entered into the history. */
int prompt_key(prompt_t *p, int key);
const char *prompt_line(prompt_t *p);
/* The text as it stands while typing (and after a cancel). */
const char *prompt_peek(prompt_t *p);
void prompt_draw(prompt_t *p, int y, int x, int w);
/* Tab completion. fn gets the text before the cursor and answers the
 * candidates for its end: each replaces before[*from..] (malloc'ed strings
 * in a malloc'ed array, the prompt frees them). One candidate is taken
 * (with a space after it unless it ends in '=', ',', '>' or '<'); several
 * extend the text to what they share and are listed above the line. */
typedef void (*prompt_complete_fn)(void *ctx, const char *lead, const char *before, size_t *from, char ***cands,
				   size_t *n);
void prompt_set_complete(prompt_t *p, prompt_complete_fn fn, void *ctx);
/* Lines the history must not keep (one that may carry a secret): keep
 * answers 0 for them. NULL: every line but those that start with a space. */
void prompt_set_keep(prompt_t *p, int (*keep)(const char *line));

/* Writes the history now (temp file, fsync, rename, mode 0600). */
int prompt_save(prompt_t *p);

#endif
