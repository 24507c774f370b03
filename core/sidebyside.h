/* The layout of a side-by-side diff on a grid of terminal cells. Every row
 * of textdiff_rows gets its two sides as display text (sanitised, tabs
 * expanded, the words that changed in a changed pair marked), cut into
 * pieces of at most `cols` columns; a row is as tall as its taller side, so
 * that one display-line index scrolls both sides together. Built once per
 * width and mode (linear in the text, plus the word diffs of changed
 * pairs); drawing then reads only the display lines on screen, so a 100k
 * character prompt costs nothing per keypress. Widths are wcwidth's in the
 * current locale, as the terminal layer measures them. */
#ifndef LLMOPS_SIDEBYSIDE_H
#define LLMOPS_SIDEBYSIDE_H

#include <stddef.h>

#include "str.h"
#include "textdiff.h"

enum {
	SBS_ASCII = 1,   /* sanitise to ASCII */
	SBS_MARKERS = 2, /* changed words also in the text, as [-old-] and {+new+}: for no colour */
	SBS_NOWRAP = 4,  /* one piece a side, however long: the caller scrolls sideways */
};

/* The text markers of SBS_MARKERS, as git diff --word-diff=plain writes them. */
#define SBS_DEL_OPEN "[-"
#define SBS_DEL_CLOSE "-]"
#define SBS_ADD_OPEN "{+"
#define SBS_ADD_CLOSE "+}"
/* Shown after a changed line that lacks the newline the other side has. */
#define SBS_NO_NEWLINE " (no newline at end)"

typedef struct sbs_range {
	size_t off, len;
} sbs_range;

typedef struct sbs_side {
	long line;      /* 0-based line number; -1 when this side has no line here */
	char mark;      /* ' ' same, '-' deleted, '+' inserted, '~' changed with its words marked */
	size_t off;     /* the display text: text.p[off, off + len), NUL-terminated */
	size_t len;
	size_t piece0;  /* pieces: brk[piece0 + k] .. brk[piece0 + k + 1], offsets in the text */
	size_t npieces; /* 0 when line is -1, else at least 1 */
	size_t span0;   /* spans[span0 ..]: the marked (changed) ranges, offsets in the text */
	size_t nspans;
} sbs_side;

typedef struct sbs_row {
	int kind;      /* enum td_row_kind */
	size_t skip;   /* TD_GAP: how many equal lines it stands for */
	size_t first;  /* its first display line */
	size_t height; /* display lines: max(pieces), at least 1 */
	sbs_side side[2];
} sbs_row;

typedef struct sbs_layout {
	sbs_row *rows;
	size_t nrows;
	size_t *line_row; /* display line -> the row it belongs to */
	size_t nlines;
	size_t *hunks;    /* the first display line of each run of changed rows */
	size_t nhunks;
	sbuf text;
	size_t *brk;
	size_t nbrk, brkcap;
	sbs_range *spans;
	size_t nspans, spancap;
	int cols, flags, context;
} sbs_layout;

/* The word diffs of a diff's changed pairs, which depend neither on the
 * width nor on the context: kept across the layouts of one diff, so that a
 * resize or a toggle does not diff two long lines word by word again. */
typedef struct sbs_pair sbs_pair;
typedef struct sbs_cache {
	sbs_pair *v; /* by old line number */
	size_t n;
} sbs_cache;
void sidebyside_cache_free(sbs_cache *c);

/* Lays out d with `context` equal lines around the changes (negative: the
 * whole text) and sides of `cols` text columns; cache, when given, must
 * belong to this d (free it when d changes). The display text is a copy:
 * d may go before l does. l is overwritten; free it with sidebyside_free. */
void sidebyside_build(sbs_layout *l, const td_diff *d, sbs_cache *cache, int context, int cols, int flags);
void sidebyside_free(sbs_layout *l);

/* The piece of a side on display line `line`: 1 with its text offset and
 * length, 0 when the side has nothing there (a shorter side, or no line). */
int sidebyside_piece(const sbs_layout *l, size_t line, int side, size_t *off, size_t *len);
/* The row on display line `line` and which of its display lines it is. */
const sbs_row *sidebyside_row(const sbs_layout *l, size_t line, size_t *k);

/* How many bytes of s[0, len) fit in cols columns (never half a character);
 * *used, when given, gets their columns. */
size_t sidebyside_fit(const char *s, size_t len, int cols, int *used);

#endif
