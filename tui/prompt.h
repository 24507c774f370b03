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
/* Writes the history now (temp file, fsync, rename, mode 0600). */
int prompt_save(prompt_t *p);

#endif
