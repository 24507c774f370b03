#include "textdiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A subproblem of n + m elements may search up to max(TD_MIN_D,
 * TD_WORK / (n + m)) edits: the search costs about (n + m) * d steps, so
 * this bounds one bisection to some 10^8 steps however different the texts
 * are. A 2,000-line prompt can be searched to any depth within it. */
#define TD_WORK 100000000L
#define TD_MIN_D 256L

/* ---- interning: equal lines (or words) get equal small integers -------- */

typedef struct islot {
	uint64_t h;
	const char *p;
	size_t len;
	int id; /* 0: empty */
} islot;

typedef struct intern {
	islot *s;
	size_t cap;
	int next;
} intern;

static void intern_init(intern *t, size_t items)
{
	t->cap = 16;
	while (t->cap < items * 2 + 2)
		t->cap *= 2;
	t->s = xcalloc(t->cap, sizeof *t->s);
	t->next = 1;
}

static int intern_id(intern *t, const char *p, size_t len)
{
	uint64_t h = hash64(p, len, 0x7d1f);
	size_t i = (size_t)h & (t->cap - 1);
	while (t->s[i].id) {
		if (t->s[i].h == h && t->s[i].len == len && !memcmp(t->s[i].p, p, len))
			return t->s[i].id;
		i = (i + 1) & (t->cap - 1);
	}
	t->s[i] = (islot){h, p, len, t->next};
	return t->next++;
}

/* ---- Myers over integer sequences ---------------------------------------- */

typedef struct seqdiff {
	const int *a, *b;
	long *v1, *v2; /* room for the largest subproblem */
	td_op *ops;
	size_t nops, cap;
	int coarse;
} seqdiff;

static void emit(seqdiff *s, int kind, size_t a, size_t b, size_t n)
{
	if (!n)
		return;
	if (s->nops) {
		td_op *p = &s->ops[s->nops - 1];
		if (p->kind == kind) {
			p->n += n;
			return;
		}
	}
	if (s->nops == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->ops = xrealloc(s->ops, s->cap * sizeof *s->ops);
	}
	s->ops[s->nops++] = (td_op){kind, a, b, n};
}

/* Finds a point (x, y) on an optimal edit path of a[0..n) -> b[0..m) from
 * both ends at once (Myers' middle snake, in the form of Neil Fraser's
 * diff-match-patch bisect). 0 and the point; 1 when the edit bound ran
 * out first. */
static int bisect(seqdiff *s, const int *a, long n, const int *b, long m, long *sx, long *sy)
{
	long max_d = (n + m + 1) / 2, off = max_d, vlen = 2 * max_d + 2;
	long limit = TD_WORK / (n + m);
	if (limit < TD_MIN_D)
		limit = TD_MIN_D;
	long *v1 = s->v1, *v2 = s->v2;
	for (long i = 0; i < vlen; i++)
		v1[i] = v2[i] = -1;
	v1[off + 1] = 0;
	v2[off + 1] = 0;
	long delta = n - m;
	int front = (delta & 1) != 0;
	long k1start = 0, k1end = 0, k2start = 0, k2end = 0;
	for (long d = 0; d < max_d; d++) {
		if (d > limit)
			return 1;
		for (long k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
			long k1o = off + k1, x1;
			if (k1 == -d || (k1 != d && v1[k1o - 1] < v1[k1o + 1]))
				x1 = v1[k1o + 1];
			else
				x1 = v1[k1o - 1] + 1;
			long y1 = x1 - k1;
			while (x1 < n && y1 < m && a[x1] == b[y1]) {
				x1++;
				y1++;
			}
			v1[k1o] = x1;
			if (x1 > n) {
				k1end += 2;
			} else if (y1 > m) {
				k1start += 2;
			} else if (front) {
				long k2o = off + delta - k1;
				if (k2o >= 0 && k2o < vlen && v2[k2o] != -1 && x1 >= n - v2[k2o]) {
					*sx = x1;
					*sy = y1;
					return 0;
				}
			}
		}
		for (long k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
			long k2o = off + k2, x2;
			if (k2 == -d || (k2 != d && v2[k2o - 1] < v2[k2o + 1]))
				x2 = v2[k2o + 1];
			else
				x2 = v2[k2o - 1] + 1;
			long y2 = x2 - k2;
			while (x2 < n && y2 < m && a[n - x2 - 1] == b[m - y2 - 1]) {
				x2++;
				y2++;
			}
			v2[k2o] = x2;
			if (x2 > n) {
				k2end += 2;
			} else if (y2 > m) {
				k2start += 2;
			} else if (!front) {
				long k1o = off + delta - k2;
				if (k1o >= 0 && k1o < vlen && v1[k1o] != -1) {
					long x1 = v1[k1o], y1 = off + x1 - k1o;
					if (x1 >= n - x2) {
						*sx = x1;
						*sy = y1;
						return 0;
					}
				}
			}
		}
	}
	/* Not reached for well-formed input (the paths always meet by max_d);
	 * replacing the whole range is still a correct answer. */
	*sx = *sy = -1;
	return 0;
}

static void diff_range(seqdiff *s, long x0, long x1, long y0, long y1)
{
	long pre = 0;
	while (x0 + pre < x1 && y0 + pre < y1 && s->a[x0 + pre] == s->b[y0 + pre])
		pre++;
	emit(s, TD_EQUAL, (size_t)x0, (size_t)y0, (size_t)pre);
	x0 += pre;
	y0 += pre;
	long suf = 0;
	while (x1 - suf > x0 && y1 - suf > y0 && s->a[x1 - suf - 1] == s->b[y1 - suf - 1])
		suf++;
	x1 -= suf;
	y1 -= suf;
	if (x0 == x1) {
		emit(s, TD_INSERT, (size_t)x0, (size_t)y0, (size_t)(y1 - y0));
	} else if (y0 == y1) {
		emit(s, TD_DELETE, (size_t)x0, (size_t)y0, (size_t)(x1 - x0));
	} else {
		long sx, sy;
		int costly = bisect(s, s->a + x0, x1 - x0, s->b + y0, y1 - y0, &sx, &sy);
		if (!costly && sx >= 0) {
			diff_range(s, x0, x0 + sx, y0, y0 + sy);
			diff_range(s, x0 + sx, x1, y0 + sy, y1);
		} else {
			s->coarse |= costly;
			emit(s, TD_DELETE, (size_t)x0, (size_t)y0, (size_t)(x1 - x0));
			emit(s, TD_INSERT, (size_t)x1, (size_t)y0, (size_t)(y1 - y0));
		}
	}
	emit(s, TD_EQUAL, (size_t)x1, (size_t)y1, (size_t)suf);
}

/* Each change between two equal runs as one DELETE then one INSERT, so that
 * consumers (unified output, side-by-side pairing) see a change whole. */
static void normalise(seqdiff *s)
{
	size_t w = 0;
	for (size_t i = 0; i < s->nops;) {
		if (s->ops[i].kind == TD_EQUAL) {
			s->ops[w++] = s->ops[i++];
			continue;
		}
		size_t a = s->ops[i].a, b = s->ops[i].b, nd = 0, ni = 0;
		for (; i < s->nops && s->ops[i].kind != TD_EQUAL; i++)
			*(s->ops[i].kind == TD_DELETE ? &nd : &ni) += s->ops[i].n;
		if (nd)
			s->ops[w++] = (td_op){TD_DELETE, a, b, nd};
		if (ni)
			s->ops[w++] = (td_op){TD_INSERT, a + nd, b, ni};
	}
	s->nops = w;
}

static void seq_diff(const int *a, size_t n, const int *b, size_t m, seqdiff *s)
{
	memset(s, 0, sizeof *s);
	s->a = a;
	s->b = b;
	s->v1 = xcalloc(n + m + 4, sizeof *s->v1);
	s->v2 = xcalloc(n + m + 4, sizeof *s->v2);
	diff_range(s, 0, (long)n, 0, (long)m);
	normalise(s);
	free(s->v1);
	free(s->v2);
}

/* ---- lines --------------------------------------------------------------- */

static void split_lines(td_lines *l, const char *text, size_t len)
{
	l->text = text;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		n++;
	l->n = n;
	l->off = xmalloc((n + 1) * sizeof *l->off);
	size_t k = 0;
	l->off[k++] = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n' && k <= n)
			l->off[k++] = i + 1;
	if (k <= n)
		l->off[k] = len;
}

void textdiff_lines(const char *a, size_t alen, const char *b, size_t blen, td_diff *out)
{
	memset(out, 0, sizeof *out);
	split_lines(&out->a, a ? a : "", a ? alen : 0);
	split_lines(&out->b, b ? b : "", b ? blen : 0);
	intern t;
	intern_init(&t, out->a.n + out->b.n);
	int *ia = xmalloc((out->a.n + 1) * sizeof *ia), *ib = xmalloc((out->b.n + 1) * sizeof *ib);
	for (size_t i = 0; i < out->a.n; i++)
		ia[i] = intern_id(&t, out->a.text + out->a.off[i], out->a.off[i + 1] - out->a.off[i]);
	for (size_t i = 0; i < out->b.n; i++)
		ib[i] = intern_id(&t, out->b.text + out->b.off[i], out->b.off[i + 1] - out->b.off[i]);
	seqdiff s;
	seq_diff(ia, out->a.n, ib, out->b.n, &s);
	out->ops = s.ops;
	out->nops = s.nops;
	out->coarse = s.coarse;
	for (size_t i = 0; i < s.nops; i++) {
		if (s.ops[i].kind == TD_DELETE)
			out->ndel += s.ops[i].n;
		else if (s.ops[i].kind == TD_INSERT)
			out->nins += s.ops[i].n;
	}
	free(ia);
	free(ib);
	free(t.s);
}

void textdiff_free(td_diff *d)
{
	free(d->a.off);
	free(d->b.off);
	free(d->ops);
	memset(d, 0, sizeof *d);
}

const char *textdiff_line(const td_diff *d, int side, size_t i, size_t *len, int *nl)
{
	const td_lines *l = side ? &d->b : &d->a;
	if (i >= l->n) {
		*len = 0;
		*nl = 0;
		return "";
	}
	const char *p = l->text + l->off[i];
	size_t n = l->off[i + 1] - l->off[i];
	*nl = n && p[n - 1] == '\n';
	*len = n - (size_t)*nl;
	return p;
}

/* ---- hunks and rows -------------------------------------------------------- */

static void push_hunk(td_hunk **v, size_t *n, size_t *cap, td_hunk h)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = h;
}

size_t textdiff_hunks(const td_diff *d, int context, td_hunk **out)
{
	*out = NULL;
	size_t n = 0, cap = 0;
	if (context < 0) {
		if (d->a.n || d->b.n)
			push_hunk(out, &n, &cap, (td_hunk){0, d->a.n, 0, d->b.n});
		return n;
	}
	size_t ctx = (size_t)context;
	td_hunk h = {0};
	int have = 0;
	for (size_t i = 0; i < d->nops; i++) {
		const td_op *op = &d->ops[i];
		if (op->kind == TD_EQUAL) {
			if (!have)
				continue;
			if (i + 1 == d->nops || op->n > 2 * ctx) {
				size_t k = op->n < ctx ? op->n : ctx;
				h.an += k;
				h.bn += k;
				push_hunk(out, &n, &cap, h);
				have = 0;
			} else {
				h.an += op->n;
				h.bn += op->n;
			}
			continue;
		}
		if (!have) {
			size_t pre = 0;
			if (i > 0 && d->ops[i - 1].kind == TD_EQUAL)
				pre = d->ops[i - 1].n < ctx ? d->ops[i - 1].n : ctx;
			h = (td_hunk){op->a - pre, pre, op->b - pre, pre};
			have = 1;
		}
		if (op->kind == TD_DELETE)
			h.an += op->n;
		else
			h.bn += op->n;
	}
	if (have)
		push_hunk(out, &n, &cap, h);
	return n;
}

typedef struct rowvec {
	td_row *v;
	size_t n, cap;
} rowvec;

static void push_row(rowvec *r, int kind, long a, long b, size_t skip)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	r->v[r->n++] = (td_row){kind, a, b, skip};
}

/* The ops of a hunk, clipped to it: equal runs may be cut by the context
 * edge; changes always lie wholly inside or outside. */
static void hunk_rows(const td_diff *d, const td_hunk *h, rowvec *r)
{
	size_t ae = h->a + h->an, be = h->b + h->bn;
	for (size_t i = 0; i < d->nops; i++) {
		const td_op *op = &d->ops[i];
		if (op->kind == TD_EQUAL) {
			size_t lo = op->a > h->a ? op->a : h->a, hi = op->a + op->n < ae ? op->a + op->n : ae;
			for (size_t x = lo; x < hi; x++)
				push_row(r, TD_SAME, (long)x, (long)(op->b + (x - op->a)), 0);
			continue;
		}
		size_t nd = 0, ni = 0, a0 = op->a, b0 = op->b;
		if (op->kind == TD_DELETE) {
			if (op->a < h->a || op->a + op->n > ae || h->an == 0)
				continue;
			nd = op->n;
			if (i + 1 < d->nops && d->ops[i + 1].kind == TD_INSERT) {
				ni = d->ops[i + 1].n;
				b0 = d->ops[i + 1].b;
				i++;
			}
		} else {
			if (op->b < h->b || op->b + op->n > be || h->bn == 0)
				continue;
			ni = op->n;
		}
		size_t pairs = nd < ni ? nd : ni;
		for (size_t k = 0; k < pairs; k++)
			push_row(r, TD_CHANGED, (long)(a0 + k), (long)(b0 + k), 0);
		for (size_t k = pairs; k < nd; k++)
			push_row(r, TD_DELETED, (long)(a0 + k), -1, 0);
		for (size_t k = pairs; k < ni; k++)
			push_row(r, TD_INSERTED, -1, (long)(b0 + k), 0);
	}
}

size_t textdiff_rows(const td_diff *d, int context, td_row **out)
{
	td_hunk *h;
	size_t nh = textdiff_hunks(d, context, &h);
	rowvec r = {0};
	size_t next_a = 0;
	for (size_t i = 0; i < nh; i++) {
		if (h[i].a > next_a)
			push_row(&r, TD_GAP, -1, -1, h[i].a - next_a);
		hunk_rows(d, &h[i], &r);
		next_a = h[i].a + h[i].an;
	}
	if (nh && next_a < d->a.n)
		push_row(&r, TD_GAP, -1, -1, d->a.n - next_a);
	free(h);
	*out = r.v;
	return r.n;
}

/* ---- words ------------------------------------------------------------------- */

static int is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Token start offsets, plus len at the end. */
static size_t tokenize(const char *s, size_t len, size_t **out)
{
	size_t n = 0, cap = 16;
	size_t *v = xmalloc(cap * sizeof *v);
	for (size_t i = 0; i < len;) {
		if (n + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = i;
		unsigned char c = (unsigned char)s[i];
		if (is_word(c))
			while (i < len && is_word((unsigned char)s[i]))
				i++;
		else if (is_blank(c))
			while (i < len && is_blank((unsigned char)s[i]))
				i++;
		else
			i++;
	}
	v[n] = len;
	*out = v;
	return n;
}

static void add_range(td_range **v, size_t *n, size_t off, size_t len)
{
	if (*n && (*v)[*n - 1].off + (*v)[*n - 1].len == off) {
		(*v)[*n - 1].len += len;
		return;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = (td_range){off, len};
}

void textdiff_words(const char *a, size_t alen, const char *b, size_t blen, td_words *out)
{
	memset(out, 0, sizeof *out);
	size_t *ta, *tb;
	size_t na = tokenize(a, alen, &ta), nb = tokenize(b, blen, &tb);
	intern t;
	intern_init(&t, na + nb);
	int *ia = xmalloc((na + 1) * sizeof *ia), *ib = xmalloc((nb + 1) * sizeof *ib);
	for (size_t i = 0; i < na; i++)
		ia[i] = intern_id(&t, a + ta[i], ta[i + 1] - ta[i]);
	for (size_t i = 0; i < nb; i++)
		ib[i] = intern_id(&t, b + tb[i], tb[i + 1] - tb[i]);
	seqdiff s;
	seq_diff(ia, na, ib, nb, &s);
	for (size_t i = 0; i < s.nops; i++) {
		const td_op *op = &s.ops[i];
		if (op->kind == TD_DELETE)
			add_range(&out->a, &out->na, ta[op->a], ta[op->a + op->n] - ta[op->a]);
		else if (op->kind == TD_INSERT)
			add_range(&out->b, &out->nb, tb[op->b], tb[op->b + op->n] - tb[op->b]);
	}
	free(s.ops);
	free(ia);
	free(ib);
	free(ta);
	free(tb);
	free(t.s);
}

void textdiff_words_free(td_words *w)
{
	free(w->a);
	free(w->b);
	memset(w, 0, sizeof *w);
}

/* ---- unified output ---------------------------------------------------------- */

static void unified_line(sbuf *out, char mark, const td_lines *l, size_t i)
{
	const char *p = l->text + l->off[i];
	size_t n = l->off[i + 1] - l->off[i];
	sb_addc(out, mark);
	sb_add(out, p, n);
	if (!n || p[n - 1] != '\n')
		sb_adds(out, "\n\\ No newline at end of file\n");
}

void textdiff_unified(const td_diff *d, const char *name_a, const char *name_b, int context, sbuf *out)
{
	if (!d->ndel && !d->nins)
		return;
	td_hunk *h;
	size_t nh = textdiff_hunks(d, context < 0 ? 3 : context, &h);
	sb_printf(out, "--- %s\n+++ %s\n", name_a, name_b);
	rowvec r = {0};
	for (size_t i = 0; i < nh; i++) {
		/* diff -u numbers an empty side by the line before it. */
		sb_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", h[i].an ? h[i].a + 1 : h[i].a, h[i].an,
			  h[i].bn ? h[i].b + 1 : h[i].b, h[i].bn);
		r.n = 0;
		hunk_rows(d, &h[i], &r);
		/* Rows pair a change's lines; a patch lists the old ones first. */
		for (size_t k = 0; k < r.n;) {
			if (r.v[k].kind == TD_SAME) {
				unified_line(out, ' ', &d->a, (size_t)r.v[k].a);
				k++;
				continue;
			}
			size_t e = k;
			while (e < r.n && r.v[e].kind != TD_SAME)
				e++;
			for (size_t j = k; j < e; j++)
				if (r.v[j].a >= 0)
					unified_line(out, '-', &d->a, (size_t)r.v[j].a);
			for (size_t j = k; j < e; j++)
				if (r.v[j].b >= 0)
					unified_line(out, '+', &d->b, (size_t)r.v[j].b);
			k = e;
		}
	}
	free(r.v);
	free(h);
}
