/* The terminal: the only layer that includes curses. Everything drawn goes
 * through here, and every string drawn is sanitised first. */
#ifndef LLMOPS_TUI_H
#define LLMOPS_TUI_H

#include <stddef.h>
#include <stdio.h>

#include "../core/str.h"

/* ---- screen ------------------------------------------------------------ */

typedef struct tui_opts {
	int ascii;      /* ASCII glyphs and text (also forced by a non-UTF-8 locale) */
	int color;      /* colours when the terminal has them */
	int no_display; /* draw into memory only (tests): LLMOPS_NO_DISPLAY */
} tui_opts;

/* 0, or -1 with a message (no terminal, TERM=dumb, no cursor addressing). */
int tui_init(const tui_opts *o, char *err, size_t errlen);
/* Restores the terminal; safe to call more than once, and at exit. */
void tui_end(void);
int tui_active(void);
int tui_input_fd(void); /* -1 without a display */
void tui_size(int *rows, int *cols);
/* After SIGWINCH: reads the size from the terminal; 1 when it changed. */
int tui_resize(void);
int tui_ascii(void);
/* One frame: tui_frame_begin erases (never clears), tui_frame_end sends
 * the differences. */
void tui_frame_begin(void);
void tui_frame_end(void);
/* Leave curses for a child program ($EDITOR) and come back with a full
 * redraw. */
void tui_suspend(void);
void tui_resume(void);
/* Ctrl-Z: gives the terminal back to the shell, stops, and on fg takes it
 * again (the next frame is drawn whole). Nothing without a display. */
void tui_stop(void);
/* Ctrl-L: the next frame repaints every cell, whatever the terminal shows. */
void tui_redraw(void);
/* Rings the terminal's bell (BEL): tmux and terminals mark the window. */
void tui_bell(void);
/* Edits text in $VISUAL/$EDITOR (tui/editor.c): 1 and *result (malloc'ed)
 * when the editor exited 0 with a changed file, 0 when the file came back
 * unchanged, -1 with err (a non-zero exit changes nothing either). suffix
 * (".md") lets the editor pick a mode. */
int tui_edit(const char *initial, const char *suffix, char **result, char *err, size_t errlen);

/* ---- colours ----------------------------------------------------------- */

#define ELEMENTS(X)                                                                                 \
	X(DEFAULT, "default", "default", "default", "", "")                                         \
	X(TITLE, "title", "white", "blue", "bold", "reverse bold")                                   \
	X(STATUS, "status", "white", "blue", "", "reverse")                                         \
	X(MESSAGE, "message", "yellow", "default", "bold", "bold")                                   \
	X(HEADER, "header", "default", "default", "bold", "bold underline")                          \
	X(SELECTED, "selected", "black", "cyan", "", "reverse")                                     \
	X(BORDER, "border", "blue", "default", "", "")                                              \
	X(PANE, "pane-title", "cyan", "default", "bold", "bold")                                     \
	X(FOCUS, "focus", "yellow", "default", "bold", "bold reverse")                               \
	X(DIM, "dim", "default", "default", "dim", "dim")                                            \
	X(OK, "ok", "green", "default", "", "")                                                     \
	X(WARN, "warn", "yellow", "default", "bold", "bold")                                        \
	X(CRIT, "crit", "red", "default", "bold", "bold reverse")                                    \
	X(ACCENT, "accent", "cyan", "default", "", "")                                              \
	X(MARK, "mark", "magenta", "default", "bold", "bold")                                        \
	X(BAR, "bar", "green", "default", "", "")                                                   \
	X(ERROR, "error", "red", "default", "", "bold")                                             \
	X(SEARCH, "search", "black", "yellow", "", "reverse bold")                                   \
	X(DIFF_DEL, "diff-del", "red", "default", "", "")                                            \
	X(DIFF_ADD, "diff-add", "green", "default", "", "")                                          \
	X(DIFF_DEL_WORD, "diff-del-word", "red", "default", "reverse", "reverse")                    \
	X(DIFF_ADD_WORD, "diff-add-word", "green", "default", "reverse", "reverse")

enum element {
#define X(id, name, fg, bg, attr, mono) EL_##id,
	ELEMENTS(X)
#undef X
	EL_COUNT
};

/* `color ELEMENT FG BG [ATTR...]` from the rc; 0 or -1 with err. */
int tui_color_set(const char *element, const char *fg, const char *bg, const char *attrs, char *err, size_t errlen);
int tui_colors_on(void);

/* ---- glyphs ------------------------------------------------------------ */

enum glyph {
	G_HLINE, G_VLINE, G_TL, G_TR, G_BL, G_BR, G_LTEE, G_RTEE,
	G_SPARK0, G_SPARK7 = G_SPARK0 + 7,
	G_FULL, G_EIGHTH1, G_EIGHTH7 = G_EIGHTH1 + 6,
	G_MARK, G_ELLIPSIS, G_UP, G_DOWN, G_DOT, G_ARROW, G_CURSOR, G_SHADE1, G_SHADE4 = G_SHADE1 + 3, G_COUNT
};
const char *glyph(enum glyph g);

/* ---- drawing (on the whole screen) ------------------------------------- */

/* Untrusted or not, text is sanitised, measured in columns and cut at w
 * columns (marked with an ellipsis when cut and ellipsis is set). Returns
 * the columns used. */
int draw_text(int y, int x, int w, const char *s, int el);
int draw_text_cut(int y, int x, int w, const char *s, int el, int ellipsis);
int draw_textf(int y, int x, int w, int el, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Right-aligned in w columns. */
int draw_text_right(int y, int x, int w, const char *s, int el);
/* Display width of a string once sanitised. */
int text_width(const char *s);
/* For text already sanitised: how many bytes of s fit in cols columns;
 * *used gets the columns they take. */
size_t text_cut(const char *s, int cols, int *used);
/* A prompt's NAME@VERSION fitted to cols columns for a PROMPT column: the
 * name gives way, the version stays (core/label.h); sanitised, in the
 * terminal's glyphs. Returns out. */
const char *prompt_label(const char *label, int cols, char *out, size_t n);
void draw_fill(int y, int x, int w, int el);
void draw_glyph(int y, int x, enum glyph g, int el);
void draw_box(int y, int x, int h, int w, const char *title, int focused);
/* Values as a sparkline of n columns (negative values draw blank). */
void draw_spark(int y, int x, const double *v, int n, double max, int el);
/* A bar of frac (0..1) of w columns, in eighths when the glyphs allow. */
void draw_bar(int y, int x, int w, double frac, int el);
/* Applies an element to the cells already drawn (selection highlight). */
void draw_chgat(int y, int x, int w, int el);

/* ---- input ------------------------------------------------------------- */

/* 1 and *key when a key was waiting, 0 when none. Keys are core/keymap.h
 * codes. */
int tui_key(int *key);
/* Called when poll said the terminal was readable and no key came: 1 when it
 * hung up (read returns 0 or EIO), as an SSH drop leaves it. */
int tui_hung_up(void);

/* Puts text on the clipboard through the terminal (OSC 52): 0, or -1 without
 * a terminal or over TUI_CLIPBOARD_MAX bytes. Whether it arrives is the
 * terminal's choice (tmux: set -g set-clipboard on). */
#define TUI_CLIPBOARD_MAX (64 * 1024)
int tui_clipboard(const char *text, size_t len);

/* ---- screen dump (tests) ----------------------------------------------- */

/* The screen as text, one line a row, trailing blanks trimmed. */
int tui_dump(FILE *f);

#endif
