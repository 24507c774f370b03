/* Shared by tui/ only. */
#ifndef LLMOPS_TUI_INTERNAL_H
#define LLMOPS_TUI_INTERNAL_H

#include <curses.h>
#include <stdio.h>

#include "tui.h"

typedef struct tui_state {
	SCREEN *screen;
	FILE *in, *out, *tty;
	int active, no_display, ascii;
	int colors;              /* colour pairs in use */
	attr_t attr[EL_COUNT];   /* attributes (with the colour pair) of each element */
	short pair[EL_COUNT];
} tui_state;

extern tui_state tui;

void colors_init(int want_color);

#endif
