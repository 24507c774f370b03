/* Text diff: Myers' O(ND) algorithm over lines, then over words inside a
 * changed line pair. Linear space (divide and conquer on the middle snake);
 * the edit distance a subproblem may search is bounded so that a huge,
 * wholly different pair of texts costs bounded time: past the bound that
 * subproblem becomes "delete these lines, insert those" (still a correct
 * diff, no longer a minimal one; td_diff.coarse says so). */
#ifndef LLMOPS_TEXTDIFF_H
#define LLMOPS_TEXTDIFF_H

#include <stddef.h>

#include "str.h"

/* A text cut into lines; a line keeps its '\n', so a missing newline at the
 * end is a difference of the last line, as diff(1) sees it. */
typedef struct td_lines {
	const char *text; /* not owned */
	size_t n;         /* lines */
	size_t *off;      /* n + 1 offsets: line i is [off[i], off[i + 1]) */
} td_lines;

enum td_kind { TD_EQUAL, TD_DELETE, TD_INSERT };

/* A run of n lines starting at old line a and new line b (0-based). An
 * EQUAL run advances both, DELETE only a, INSERT only b. Between two EQUAL
 * runs there is at most one DELETE followed by at most one INSERT. */
typedef struct td_op {
	int kind;
	size_t a, b, n;
} td_op;

typedef struct td_diff {
	td_lines a, b;
	td_op *ops;
	size_t nops;
	size_t ndel, nins; /* lines deleted and inserted */
	int coarse;        /* the edit bound was hit somewhere: correct, not minimal */
} td_diff;

/* The texts must outlive the diff (lines point into them). */
void textdiff_lines(const char *a, size_t alen, const char *b, size_t blen, td_diff *out);
void textdiff_free(td_diff *d);
/* Line i of a side (0 old, 1 new) without its '\n'; *nl is set when it had one. */
const char *textdiff_line(const td_diff *d, int side, size_t i, size_t *len, int *nl);

/* Changes grouped with up to `context` equal lines around them: old lines
 * [a, a + an), new lines [b, b + bn). A negative context gives one hunk of
 * everything (none when both texts are empty). Returns the count. */
typedef struct td_hunk {
	size_t a, an, b, bn;
} td_hunk;
size_t textdiff_hunks(const td_diff *d, int context, td_hunk **out);

/* Rows of a side-by-side view: deleted and inserted lines of one change are
 * paired in order (CHANGED), the rest stand alone. A GAP row stands for
 * `skip` equal lines left out between hunks (or before the first, after
 * the last). Line numbers are 0-based, -1 where a side has none. */
enum td_row_kind { TD_SAME, TD_CHANGED, TD_DELETED, TD_INSERTED, TD_GAP };
typedef struct td_row {
	int kind;
	long a, b;
	size_t skip;
} td_row;
size_t textdiff_rows(const td_diff *d, int context, td_row **out);

/* Word diff of two lines: tokens are runs of word characters (letters,
 * digits, '_', any non-ASCII byte), runs of blanks, and single other
 * characters. The byte ranges of each side that are not common to both. */
typedef struct td_range {
	size_t off, len;
} td_range;
typedef struct td_words {
	td_range *a, *b;
	size_t na, nb;
} td_words;
void textdiff_words(const char *a, size_t alen, const char *b, size_t blen, td_words *out);
void textdiff_words_free(td_words *w);

/* A unified diff (`--- name_a`, `+++ name_b`, `@@ -l,n +l,n @@`) as diff -u
 * writes it and patch(1) reads it; nothing at all when the texts are equal. */
void textdiff_unified(const td_diff *d, const char *name_a, const char *name_b, int context, sbuf *out);

#endif
