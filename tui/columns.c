#include "columns.h"

#include "tui.h"

static int wanted(const column *c, int room)
{
	if (room < c->from)
		return 0;
	int w = c->width;
	for (int k = 0; k < 2; k++)
		if (c->wider[k].from && room >= c->wider[k].from)
			w = c->wider[k].width;
	return w;
}

void columns_layout(columns *l, const column *c, int n, int room)
{
	if (n > COLUMNS_MAX)
		n = COLUMNS_MAX;
	l->c = c;
	l->n = n;
	int fill = -1, used = 0;
	for (int i = 0; i < n; i++) {
		l->w[i] = c[i].fill ? 0 : wanted(&c[i], room);
		if (c[i].fill && fill < 0 && room >= c[i].from)
			fill = i;
		else if (l->w[i] > 0)
			used += c[i].pad + l->w[i];
	}
	if (fill >= 0) {
		/* Short of room: the columns give way in their order, each by
		 * what is missing, until the fill column has the least it needs. */
		int need = c[fill].pad + c[fill].width, last = 0;
		for (int i = 0; i < n; i++)
			if (c[i].give > last)
				last = c[i].give;
		for (int rank = 1; rank <= last && room - used < need; rank++)
			for (int i = 0; i < n && room - used < need; i++) {
				if (i == fill || l->w[i] <= 0 || c[i].give != rank)
					continue;
				int missing = need - (room - used);
				if (c[i].min <= 0) { /* dropped whole, with its pad */
					used -= c[i].pad + l->w[i];
					l->w[i] = 0;
				} else {
					int give = l->w[i] - c[i].min < missing ? l->w[i] - c[i].min : missing;
					l->w[i] -= give;
					used -= give;
				}
			}
		l->w[fill] = room - used - c[fill].pad;
	}
	int x = 0;
	for (int i = 0; i < n; i++) {
		l->x[i] = x + c[i].pad;
		if (l->w[i] > 0)
			x = l->x[i] + l->w[i];
	}
}

static int draw_in(const columns *l, int i, int y, int x, const char *text, int el, int cut)
{
	int w = l->w[i];
	if (w <= 0 || !text)
		return 0;
	if (l->c[i].align == COL_RIGHT)
		return draw_text_right(y, x + l->x[i], w, text, el);
	return draw_text_cut(y, x + l->x[i], w, text, el, cut);
}

void columns_header(const columns *l, int y, int x)
{
	for (int i = 0; i < l->n; i++)
		draw_in(l, i, y, x, l->c[i].title, EL_HEADER, 0);
}

int columns_cell(const columns *l, int i, int y, int x, const char *text, int el)
{
	if (i < 0 || i >= l->n)
		return 0;
	return draw_in(l, i, y, x, text, el < 0 ? l->c[i].el : el, l->c[i].cut);
}

void columns_row(const columns *l, int y, int x, const char *const *text, const int *els)
{
	for (int i = 0; i < l->n; i++)
		columns_cell(l, i, y, x, text[i], els ? els[i] : -1);
}
