#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../core/label.h"
#include "../core/sanitize.h"
#include "tui_internal.h"

static const char *const utf8_glyphs[G_COUNT] = {
    [G_HLINE] = "\xe2\x94\x80", [G_VLINE] = "\xe2\x94\x82", [G_TL] = "\xe2\x94\x8c", [G_TR] = "\xe2\x94\x90",
    [G_BL] = "\xe2\x94\x94",    [G_BR] = "\xe2\x94\x98",    [G_LTEE] = "\xe2\x94\x9c", [G_RTEE] = "\xe2\x94\xa4",
    [G_SPARK0] = "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
    "\xe2\x96\x87", "\xe2\x96\x88",
    [G_FULL] = "\xe2\x96\x88",
    [G_EIGHTH1] = "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a",
    "\xe2\x96\x89",
    [G_MARK] = "\xe2\x96\xb2", [G_ELLIPSIS] = "\xe2\x80\xa6", [G_UP] = "\xe2\x86\x91", [G_DOWN] = "\xe2\x86\x93",
    [G_DOT] = "\xc2\xb7",      [G_ARROW] = "\xe2\x86\x92", [G_CURSOR] = "\xe2\x96\xb6",
    [G_SHADE1] = "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88",
};

static const char *const ascii_glyphs[G_COUNT] = {
    [G_HLINE] = "-", [G_VLINE] = "|", [G_TL] = "+", [G_TR] = "+", [G_BL] = "+", [G_BR] = "+", [G_LTEE] = "+",
    [G_RTEE] = "+",  [G_SPARK0] = "_", ".", ",", "-", "=", "+", "*", "#", [G_FULL] = "#",
    [G_EIGHTH1] = " ", " ", " ", " ", "-", "-", "-",
    [G_MARK] = "^",  [G_ELLIPSIS] = "~", [G_UP] = "^", [G_DOWN] = "v", [G_DOT] = ".", [G_ARROW] = ">", [G_CURSOR] = ">", [G_SHADE1] = ".", ":", "*", "#",
};

const char *glyph(enum glyph g)
{
	return (tui.ascii ? ascii_glyphs : utf8_glyphs)[g];
}

/* Sanitised text as wide characters with their widths, up to w columns. */
static int layout(const char *s, int w, wchar_t *out, int cap, int *nout, int *cut)
{
	sbuf b = SBUF_INIT;
	sanitize(s ? s : "", s ? strlen(s) : 0, tui.ascii ? SAN_ASCII : 0, &b);
	int cols = 0, n = 0;
	*cut = 0;
	const unsigned char *p = (const unsigned char *)b.p, *end = p + b.len;
	while (p < end && n < cap - 1) {
		uint32_t cp;
		size_t len = utf8_decode(p, (size_t)(end - p), &cp);
		p += len;
		int cw = wcwidth((wchar_t)cp);
		if (cw < 0) {
			cp = tui.ascii ? '?' : 0xfffd; /* unprintable in this locale */
			cw = 1;
		}
		if (cols + cw > w) {
			*cut = 1;
			break;
		}
		out[n++] = (wchar_t)cp;
		cols += cw;
	}
	if (p < end)
		*cut = 1;
	out[n] = 0;
	*nout = n;
	sb_free(&b);
	return cols;
}

int draw_text_cut(int y, int x, int w, const char *s, int el, int ellipsis)
{
	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	wchar_t buf[1024];
	int n, cut;
	int cols = layout(s, w, buf, (int)(sizeof buf / sizeof *buf), &n, &cut);
	if (cut && ellipsis && w > 0) {
		/* Make room for the ellipsis mark. */
		while (n && cols > w - 1) {
			cols -= wcwidth(buf[n - 1]) > 0 ? wcwidth(buf[n - 1]) : 1;
			buf[--n] = 0;
		}
	}
	attrset(tui.attr[el]);
	if (n)
		mvaddnwstr(y, x, buf, n);
	if (cut && ellipsis && w > 0) {
		mvaddstr(y, x + cols, glyph(G_ELLIPSIS));
		cols++;
	}
	attrset(A_NORMAL);
	return cols;
}

int draw_text(int y, int x, int w, const char *s, int el)
{
	return draw_text_cut(y, x, w, s, el, 0);
}

int draw_textf(int y, int x, int w, int el, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(y, x, w, buf, el);
}

int text_width(const char *s)
{
	wchar_t buf[1024];
	int n, cut;
	return layout(s, 1 << 20, buf, (int)(sizeof buf / sizeof *buf), &n, &cut);
}

const char *prompt_label(const char *label, int cols, char *out, size_t n)
{
	label_fit_prompt(label, cols, glyph(G_ELLIPSIS), tui_ascii() ? SAN_ASCII : 0, out, n);
	return out;
}

int draw_text_right(int y, int x, int w, const char *s, int el)
{
	int tw = text_width(s);
	if (tw > w)
		tw = w;
	return draw_text(y, x + w - tw, tw, s, el);
}

void draw_fill(int y, int x, int w, int el)
{
	if (y < 0 || y >= LINES)
		return;
	attrset(tui.attr[el]);
	for (int i = 0; i < w && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
}

void draw_glyph(int y, int x, enum glyph g, int el)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	attrset(tui.attr[el]);
	mvaddstr(y, x, glyph(g));
	attrset(A_NORMAL);
}

void draw_box(int y, int x, int h, int w, const char *title, int focused)
{
	if (h < 2 || w < 2)
		return;
	int el = EL_BORDER;
	for (int i = 1; i < w - 1; i++) {
		draw_glyph(y, x + i, G_HLINE, el);
		draw_glyph(y + h - 1, x + i, G_HLINE, el);
	}
	for (int j = 1; j < h - 1; j++) {
		draw_glyph(y + j, x, G_VLINE, el);
		draw_glyph(y + j, x + w - 1, G_VLINE, el);
	}
	draw_glyph(y, x, G_TL, el);
	draw_glyph(y, x + w - 1, G_TR, el);
	draw_glyph(y + h - 1, x, G_BL, el);
	draw_glyph(y + h - 1, x + w - 1, G_BR, el);
	if (title && w > 6) {
		char t[256];
		/* The focus shows without colour too: a marker before the title. */
		snprintf(t, sizeof t, focused ? "%s %s " : " %s%s ", focused ? glyph(G_CURSOR) : "", title);
		draw_text_cut(y, x + 2, w - 4, t, focused ? EL_FOCUS : EL_PANE, 1);
	}
}

void draw_spark(int y, int x, const double *v, int n, double max, int el)
{
	for (int i = 0; i < n; i++) {
		if (v[i] < 0 || isnan(v[i]))
			continue;
		int level = max > 0 ? (int)floor(v[i] / max * 7.999) : 0;
		if (level > 7)
			level = 7;
		if (level < 0)
			level = 0;
		draw_glyph(y, x + i, (enum glyph)(G_SPARK0 + level), el);
	}
}

void draw_bar(int y, int x, int w, double frac, int el)
{
	if (frac < 0 || isnan(frac))
		return;
	if (frac > 1)
		frac = 1;
	double cells = frac * w;
	int full = (int)floor(cells);
	for (int i = 0; i < full; i++)
		draw_glyph(y, x + i, G_FULL, el);
	int eighths = (int)floor((cells - full) * 8);
	if (full < w && eighths > 0)
		draw_glyph(y, x + full, (enum glyph)(G_EIGHTH1 + eighths - 1), el);
}

void draw_chgat(int y, int x, int w, int el)
{
	if (y < 0 || y >= LINES)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attr_t a = tui.attr[el];
	mvchgat(y, x, w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
}

size_t text_cut(const char *s, int cols, int *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int c = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		int cw = wcwidth((wchar_t)cp);
		if (cw < 0)
			cw = 1;
		if (c + cw > cols)
			break;
		c += cw;
		i += len;
	}
	if (used)
		*used = c;
	return i;
}
