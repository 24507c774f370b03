#include "sidebyside.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "sanitize.h"

size_t sidebyside_fit(const char *s, size_t len, int cols, int *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int c = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);
		int cw = wcwidth((wchar_t)cp);
		if (cw < 0)
			cw = 1; /* the terminal layer draws it as one replacement cell */
		if (c + cw > cols)
			break;
		c += cw;
		i += n;
	}
	if (used)
		*used = c;
	return i;
}

static void push_brk(sbs_layout *l, size_t off)
{
	if (l->nbrk == l->brkcap) {
		l->brkcap = l->brkcap ? l->brkcap * 2 : 256;
		l->brk = xrealloc(l->brk, l->brkcap * sizeof *l->brk);
	}
	l->brk[l->nbrk++] = off;
}

static void push_span(sbs_layout *l, size_t off, size_t len)
{
	if (l->nspans == l->spancap) {
		l->spancap = l->spancap ? l->spancap * 2 : 64;
		l->spans = xrealloc(l->spans, l->spancap * sizeof *l->spans);
	}
	l->spans[l->nspans++] = (sbs_range){off, len};
}

/* Raw bytes to display text at the end of l->text: sanitised, each tab four
 * spaces (as the text views show them). */
static void add_text(sbs_layout *l, sbuf *scratch, const char *p, size_t n)
{
	if (!n)
		return;
	sb_reset(scratch);
	sanitize(p, n, SAN_TABS | (l->flags & SBS_ASCII ? SAN_ASCII : 0), scratch);
	size_t from = 0;
	for (size_t i = 0; i < scratch->len; i++) {
		if (scratch->p[i] != '\t')
			continue;
		sb_add(&l->text, scratch->p + from, i - from);
		sb_adds(&l->text, "    ");
		from = i + 1;
	}
	sb_add(&l->text, scratch->p + from, scratch->len - from);
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t nonblank(const char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += !blank(p[i]);
	return k;
}

/* Word marks help when the two lines share most of their words; two lines
 * with little in common read better as one deleted and one inserted than
 * as confetti. Blanks do not count: every sentence shares its spaces. */
static int worth_marking(const char *a, size_t alen, const char *b, size_t blen, const td_words *w)
{
	size_t total = nonblank(a, alen) + nonblank(b, blen), changed = 0;
	if (!total)
		return 1; /* only blanks changed: show where */
	for (size_t i = 0; i < w->na; i++)
		changed += nonblank(a + w->a[i].off, w->a[i].len);
	for (size_t i = 0; i < w->nb; i++)
		changed += nonblank(b + w->b[i].off, w->b[i].len);
	return changed * 2 <= total;
}

/* One side of a row: its display text with the marked ranges, cut into
 * pieces of at most l->cols columns. */
static void build_side(sbs_layout *l, sbuf *scratch, const td_diff *d, int side, long line, char mark,
		       const td_range *marks, size_t nmarks, int no_newline, sbs_side *out)
{
	memset(out, 0, sizeof *out);
	out->line = line;
	out->mark = mark;
	out->off = l->text.len;
	out->span0 = l->nspans;
	out->piece0 = l->nbrk;
	if (line < 0) {
		sb_addc(&l->text, 0);
		return;
	}
	size_t len;
	int nl;
	const char *p = textdiff_line(d, side, (size_t)line, &len, &nl);
	int markers = l->flags & SBS_MARKERS;
	size_t at = 0;
	for (size_t i = 0; i < nmarks; i++) {
		add_text(l, scratch, p + at, marks[i].off - at);
		size_t start = l->text.len;
		if (markers)
			sb_adds(&l->text, side ? SBS_ADD_OPEN : SBS_DEL_OPEN);
		add_text(l, scratch, p + marks[i].off, marks[i].len);
		if (markers)
			sb_adds(&l->text, side ? SBS_ADD_CLOSE : SBS_DEL_CLOSE);
		push_span(l, start - out->off, l->text.len - start);
		at = marks[i].off + marks[i].len;
	}
	add_text(l, scratch, p + at, len - at);
	if (no_newline) {
		size_t start = l->text.len;
		sb_adds(&l->text, SBS_NO_NEWLINE);
		push_span(l, start - out->off, l->text.len - start);
	}
	out->len = l->text.len - out->off;
	out->nspans = l->nspans - out->span0;
	sb_addc(&l->text, 0);

	/* Pieces: break after a blank in the second half of a piece when there
	 * is one, else where the columns run out; never inside a character. */
	const char *t = l->text.p + out->off;
	size_t pos = 0;
	push_brk(l, 0);
	while (!(l->flags & SBS_NOWRAP) && pos < out->len) {
		size_t fit = sidebyside_fit(t + pos, out->len - pos, l->cols, NULL);
		if (pos + fit >= out->len)
			break;
		size_t brk = fit;
		for (size_t k = fit; k > fit / 2; k--)
			if (t[pos + k - 1] == ' ') {
				brk = k;
				break;
			}
		if (brk == 0) { /* one character wider than the column: it goes alone */
			uint32_t cp;
			brk = utf8_decode((const unsigned char *)t + pos, out->len - pos, &cp);
		}
		pos += brk;
		if (pos < out->len)
			push_brk(l, pos);
	}
	push_brk(l, out->len);
	out->npieces = l->nbrk - out->piece0 - 1;
}

struct sbs_pair {
	int done, marked;
	td_words w;
};

void sidebyside_cache_free(sbs_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		textdiff_words_free(&c->v[i].w);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* The word diff of a changed pair, from the cache when it has it. An old
 * line belongs to one pair at most, whatever the context. */
static const sbs_pair *pair_words(const td_diff *d, sbs_cache *cache, const td_row *r, sbs_pair *own)
{
	sbs_pair *p = own;
	if (cache) {
		if (!cache->v) {
			cache->n = d->a.n;
			cache->v = xcalloc(cache->n ? cache->n : 1, sizeof *cache->v);
		}
		p = &cache->v[r->a];
		if (p->done)
			return p;
	}
	size_t alen, blen;
	int nl;
	const char *a = textdiff_line(d, 0, (size_t)r->a, &alen, &nl);
	const char *b = textdiff_line(d, 1, (size_t)r->b, &blen, &nl);
	textdiff_words(a, alen, b, blen, &p->w);
	p->marked = worth_marking(a, alen, b, blen, &p->w);
	p->done = 1;
	return p;
}

static void build_row(sbs_layout *l, sbuf *scratch, const td_diff *d, sbs_cache *cache, const td_row *r,
		      sbs_row *out)
{
	memset(out, 0, sizeof *out);
	out->kind = r->kind;
	out->skip = r->skip;
	static const td_words none;
	const td_words *w = &none;
	sbs_pair own = {0};
	int marked = 0, nl_a = 1, nl_b = 1;
	if (r->kind == TD_CHANGED) {
		size_t len;
		textdiff_line(d, 0, (size_t)r->a, &len, &nl_a);
		textdiff_line(d, 1, (size_t)r->b, &len, &nl_b);
		const sbs_pair *p = pair_words(d, cache, r, &own);
		w = &p->w;
		marked = p->marked;
	}
	/* A pair too different to mark word by word reads as deleted and inserted. */
	char ma = ' ', mb = ' ';
	if (r->kind == TD_CHANGED) {
		ma = marked ? '~' : '-';
		mb = marked ? '~' : '+';
	} else if (r->kind == TD_DELETED) {
		ma = '-';
	} else if (r->kind == TD_INSERTED) {
		mb = '+';
	}
	build_side(l, scratch, d, 0, r->kind == TD_GAP ? -1 : r->a, ma, marked ? w->a : NULL, marked ? w->na : 0,
		   marked && !nl_a && nl_b, &out->side[0]);
	build_side(l, scratch, d, 1, r->kind == TD_GAP ? -1 : r->b, mb, marked ? w->b : NULL, marked ? w->nb : 0,
		   marked && !nl_b && nl_a, &out->side[1]);
	textdiff_words_free(&own.w);
	size_t h = out->side[0].npieces > out->side[1].npieces ? out->side[0].npieces : out->side[1].npieces;
	out->height = h ? h : 1;
}

static int changed_kind(int kind)
{
	return kind == TD_CHANGED || kind == TD_DELETED || kind == TD_INSERTED;
}

void sidebyside_build(sbs_layout *l, const td_diff *d, sbs_cache *cache, int context, int cols, int flags)
{
	memset(l, 0, sizeof *l);
	l->cols = cols > 1 ? cols : 1;
	l->flags = flags;
	l->context = context;
	td_row *rows;
	l->nrows = textdiff_rows(d, context, &rows);
	l->rows = xcalloc(l->nrows ? l->nrows : 1, sizeof *l->rows);
	sbuf scratch = SBUF_INIT;
	size_t hcap = 0;
	for (size_t i = 0; i < l->nrows; i++) {
		sbs_row *r = &l->rows[i];
		build_row(l, &scratch, d, cache, &rows[i], r);
		r->first = l->nlines;
		l->nlines += r->height;
		if (changed_kind(r->kind) && (i == 0 || !changed_kind(l->rows[i - 1].kind))) {
			if (l->nhunks == hcap) {
				hcap = hcap ? hcap * 2 : 16;
				l->hunks = xrealloc(l->hunks, hcap * sizeof *l->hunks);
			}
			l->hunks[l->nhunks++] = r->first;
		}
	}
	sb_free(&scratch);
	free(rows);
	l->line_row = xmalloc((l->nlines ? l->nlines : 1) * sizeof *l->line_row);
	for (size_t i = 0; i < l->nrows; i++)
		for (size_t k = 0; k < l->rows[i].height; k++)
			l->line_row[l->rows[i].first + k] = i;
}

void sidebyside_free(sbs_layout *l)
{
	free(l->rows);
	free(l->line_row);
	free(l->hunks);
	sb_free(&l->text);
	free(l->brk);
	free(l->spans);
	memset(l, 0, sizeof *l);
}

const sbs_row *sidebyside_row(const sbs_layout *l, size_t line, size_t *k)
{
	if (line >= l->nlines)
		return NULL;
	const sbs_row *r = &l->rows[l->line_row[line]];
	if (k)
		*k = line - r->first;
	return r;
}

int sidebyside_piece(const sbs_layout *l, size_t line, int side, size_t *off, size_t *len)
{
	size_t k;
	const sbs_row *r = sidebyside_row(l, line, &k);
	if (!r || k >= r->side[side].npieces)
		return 0;
	const sbs_side *s = &r->side[side];
	*off = l->brk[s->piece0 + k];
	*len = l->brk[s->piece0 + k + 1] - *off;
	return 1;
}
