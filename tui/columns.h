/* A table's columns, laid out once per draw from a description: each
 * column's title, width, alignment and element, which one takes the room
 * left, and which give way first when the terminal is narrow. The view
 * describes its columns in a const table and draws cells by column; the
 * offsets are computed here, never summed by hand. */
#ifndef LLMOPS_COLUMNS_H
#define LLMOPS_COLUMNS_H

enum { COL_LEFT, COL_RIGHT };

#define COLUMNS_MAX 16

typedef struct column {
	const char *title;
	int width;  /* columns of text (the fill column: the least it needs) */
	int pad;    /* blank columns before it */
	int align;  /* COL_LEFT or COL_RIGHT */
	int el;     /* the element its cells are drawn in, unless a cell says another */
	int cut;    /* text longer than the column ends in an ellipsis */
	int fill;   /* takes the room the other columns leave */
	/* When the fill column gets less than its width: the columns give way,
	 * lowest give first (0: never); each shrinks to its min, or goes whole
	 * when min is 0. */
	int give;
	int min;
	int from; /* shown only from this much room on (0: always) */
	/* A wider terminal: from `from` columns of room on, `width` (the
	 * last that applies wins). */
	struct {
		int from, width;
	} wider[2];
} column;

typedef struct columns {
	const column *c;
	int n;
	int x[COLUMNS_MAX]; /* where each column starts, from the left of the row */
	int w[COLUMNS_MAX]; /* its width; 0 or less: not shown */
} columns;

/* Lays n columns (at most COLUMNS_MAX) out in room columns. */
void columns_layout(columns *l, const column *c, int n, int room);
/* The titles, in the header element, each aligned as its column. */
void columns_header(const columns *l, int y, int x);
/* One cell of column i: text (NULL draws nothing) aligned and cut as the
 * column says, in el, or the column's element when el is negative. The
 * columns used. */
int columns_cell(const columns *l, int i, int y, int x, const char *text, int el);
/* A row of cells: text[i] for column i (NULL: blank), els NULL or el[i] as
 * columns_cell takes it. */
void columns_row(const columns *l, int y, int x, const char *const *text, const int *els);

#endif
