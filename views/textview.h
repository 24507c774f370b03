/* A scrollable list of text lines, wrapped to the width or scrolled sideways:
 * what the call detail and the help screen are made of. */
#ifndef LLMOPS_TEXTVIEW_H
#define LLMOPS_TEXTVIEW_H

#include <stddef.h>

#include "../tui/listpos.h"

typedef struct tline {
	char *text;   /* untrusted text is fine: drawing sanitises */
	int el;       /* tui element */
	int indent;   /* columns of indent for the wrapped continuation */
} tline;

typedef struct textview {
	tline *v;
	size_t n, cap;
	int left;     /* sideways scroll when not wrapping */
	int wrap;
	int hit;      /* display row of the last search match, -1 */
	listpos pos;  /* over the display rows: top is the first on screen */
	int width;    /* the width of the last layout */
	/* display rows: (line, byte offset) */
	size_t *row_line, *row_off, nrows, rcap;
} textview;

void tv_init(textview *t);
void tv_free(textview *t);
void tv_clear(textview *t);
void tv_add(textview *t, int el, int indent, const char *text);
void tv_addf(textview *t, int el, int indent, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Several lines (split on newlines), each indented. */
void tv_add_block(textview *t, int el, int indent, const char *text);
/* Where the view is: "all", "top", "end" or a percentage, for the title. */
const char *tv_position(const textview *t, char *buf, size_t n);
void tv_draw(textview *t, int y, int x, int h, int w);
/* Moving and searching: 1 when the action is one of the text view's. */
int tv_action(textview *t, int action);
int tv_search(textview *t, const char *text, int dir);

#endif
