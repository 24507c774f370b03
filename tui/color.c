#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui_internal.h"

static const struct {
	const char *name, *fg, *bg, *attrs, *mono;
} defaults[EL_COUNT] = {
#define X(id, name, fg, bg, attr, mono) [EL_##id] = {name, fg, bg, attr, mono},
    ELEMENTS(X)
#undef X
};

/* What the rc asked for, applied when the screen starts. */
static struct {
	int set;
	short fg, bg;
	attr_t attrs;
} custom[EL_COUNT];

static int color_number(const char *s, short *out)
{
	static const char *const names[] = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};
	if (!strcasecmp(s, "default")) {
		*out = -1;
		return 0;
	}
	for (short i = 0; i < 8; i++)
		if (!strcasecmp(s, names[i])) {
			*out = i;
			return 0;
		}
	char *end;
	long n = strtol(s, &end, 10);
	if (*end || end == s || n < 0 || n > 255)
		return -1;
	*out = (short)n;
	return 0;
}

static int parse_attrs(const char *s, attr_t *out, char *err, size_t errlen)
{
	*out = 0;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", s ? s : "");
	for (char *w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
		if (!strcmp(w, "bold"))
			*out |= A_BOLD;
		else if (!strcmp(w, "dim"))
			*out |= A_DIM;
		else if (!strcmp(w, "reverse"))
			*out |= A_REVERSE;
		else if (!strcmp(w, "underline"))
			*out |= A_UNDERLINE;
		else if (!strcmp(w, "standout"))
			*out |= A_STANDOUT;
		else if (!strcmp(w, "blink"))
			*out |= A_BLINK;
		else if (strcmp(w, "normal")) {
			if (err)
				snprintf(err, errlen, "color: unknown attribute '%s'", w);
			return -1;
		}
	}
	return 0;
}

int tui_color_set(const char *element, const char *fg, const char *bg, const char *attrs, char *err, size_t errlen)
{
	int el = -1;
	for (int i = 0; i < EL_COUNT; i++)
		if (!strcmp(defaults[i].name, element))
			el = i;
	if (el < 0) {
		/* Listed from the table, so that a new element is named too. */
		size_t used = (size_t)snprintf(err, errlen, "color: unknown element '%s' (", element);
		for (int i = 0; i < EL_COUNT && used < errlen; i++)
			used += (size_t)snprintf(err + used, errlen - used, "%s%s", i ? ", " : "", defaults[i].name);
		if (used < errlen)
			snprintf(err + used, errlen - used, ")");
		return -1;
	}
	short f, b;
	if (color_number(fg, &f) || color_number(bg, &b)) {
		snprintf(err, errlen, "color: unknown colour '%s' (black, red, ..., white, default, or 0-255)",
			 color_number(fg, &f) ? fg : bg);
		return -1;
	}
	attr_t a;
	if (parse_attrs(attrs, &a, err, errlen))
		return -1;
	custom[el].set = 1;
	custom[el].fg = f;
	custom[el].bg = b;
	custom[el].attrs = a;
	return 0;
}

int tui_colors_on(void)
{
	return tui.colors;
}

void colors_init(int want_color)
{
	const char *nc = getenv("NO_COLOR");
	tui.colors = want_color && !(nc && *nc) && has_colors();
	if (tui.colors) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < EL_COUNT; i++) {
		attr_t a;
		if (!tui.colors) {
			/* Monochrome: attributes alone still tell the elements apart. */
			parse_attrs(defaults[i].mono, &a, NULL, 0);
			tui.attr[i] = a;
			continue;
		}
		short fg, bg;
		if (custom[i].set) {
			fg = custom[i].fg;
			bg = custom[i].bg;
			a = custom[i].attrs;
		} else {
			color_number(defaults[i].fg, &fg);
			color_number(defaults[i].bg, &bg);
			parse_attrs(defaults[i].attrs, &a, NULL, 0);
		}
		if (fg >= COLORS)
			fg = -1;
		if (bg >= COLORS)
			bg = -1;
		if (fg < 0 && bg < 0) {
			tui.attr[i] = a;
			continue;
		}
		init_pair((short)(i + 1), fg, bg);
		tui.attr[i] = a | COLOR_PAIR(i + 1);
	}
}
