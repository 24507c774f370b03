#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUB 128
#define EMIN (-9)
#define EMAX 50
#define FORMAT_VERSION 1
_Static_assert(HIST_NBUCKETS == 1 + (EMAX - EMIN + 1) * SUB, "bucket count");
_Static_assert(SUB % 2 == 0, "hist_coarse_index pairs the buckets of a power of two");

uint32_t hist_bucket_index(double v)
{
	if (!(v >= 0x1p-10))
		return 0; /* zero, negatives and NaN share the zero bucket */
	int e;
	double m = frexp(v, &e);
	if (e > EMAX) {
		e = EMAX;
		m = 0.999999;
	}
	int sub = (int)((m - 0.5) * 2 * SUB);
	if (sub >= SUB)
		sub = SUB - 1;
	return 1 + (uint32_t)(e - EMIN) * SUB + (uint32_t)sub;
}

double hist_bucket_mid(uint32_t idx)
{
	if (idx == 0)
		return 0;
	idx--;
	int e = (int)(idx / SUB) + EMIN;
	int sub = (int)(idx % SUB);
	double lo = ldexp(0.5 + sub / (2.0 * SUB), e);
	double hi = ldexp(0.5 + (sub + 1) / (2.0 * SUB), e);
	return (lo + hi) / 2;
}

void hist_init(hist_t *h)
{
	memset(h, 0, sizeof *h);
}

void hist_free(hist_t *h)
{
	free(h->idx);
	free(h->cnt);
	hist_init(h);
}

void hist_reset(hist_t *h)
{
	h->n = 0;
	h->total = 0;
	h->min = h->max = h->sum = 0;
}

static void reserve(hist_t *h, uint32_t need)
{
	if (need <= h->cap)
		return;
	uint32_t cap = h->cap ? h->cap : 16;
	while (cap < need)
		cap *= 2;
	h->idx = xrealloc(h->idx, cap * sizeof *h->idx);
	h->cnt = xrealloc(h->cnt, cap * sizeof *h->cnt);
	h->cap = cap;
}

static void add_bucket(hist_t *h, uint32_t idx, uint64_t n)
{
	/* Appending in order is the common case (merging sorted lists). */
	uint32_t lo = 0, hi = h->n;
	if (h->n && h->idx[h->n - 1] < idx) {
		lo = h->n;
	} else {
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (h->idx[mid] < idx)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < h->n && h->idx[lo] == idx) {
			h->cnt[lo] += n;
			return;
		}
	}
	reserve(h, h->n + 1);
	memmove(h->idx + lo + 1, h->idx + lo, (h->n - lo) * sizeof *h->idx);
	memmove(h->cnt + lo + 1, h->cnt + lo, (h->n - lo) * sizeof *h->cnt);
	h->idx[lo] = idx;
	h->cnt[lo] = n;
	h->n++;
}

/* Adds m sorted buckets in one linear pass (merging from the back, in
 * place), instead of a search and a memmove for each: the dashboard merges
 * thousands of rollup histograms per frame. */
static void merge_sorted(hist_t *h, const uint32_t *idx, const uint64_t *cnt, uint32_t m)
{
	if (!m)
		return;
	/* How many are new. */
	uint32_t i = 0, j = 0, fresh = 0;
	while (j < m) {
		if (i < h->n && h->idx[i] < idx[j])
			i++;
		else if (i < h->n && h->idx[i] == idx[j])
			i++, j++;
		else
			fresh++, j++;
	}
	reserve(h, h->n + fresh);
	int64_t a = (int64_t)h->n - 1, b = (int64_t)m - 1, w = (int64_t)(h->n + fresh) - 1;
	while (b >= 0) {
		if (a >= 0 && h->idx[a] > idx[b]) {
			h->idx[w] = h->idx[a];
			h->cnt[w--] = h->cnt[a--];
		} else if (a >= 0 && h->idx[a] == idx[b]) {
			h->idx[w] = h->idx[a];
			h->cnt[w--] = h->cnt[a--] + cnt[b--];
		} else {
			h->idx[w] = idx[b];
			h->cnt[w--] = cnt[b--];
		}
	}
	h->n += fresh;
}

static void note_range(hist_t *h, double lo, double hi, uint64_t n, double sum)
{
	if (h->total == 0) {
		h->min = lo;
		h->max = hi;
	} else {
		if (lo < h->min)
			h->min = lo;
		if (hi > h->max)
			h->max = hi;
	}
	h->total += n;
	h->sum += sum;
}

void hist_add_n(hist_t *h, double v, uint64_t n)
{
	if (n == 0 || isnan(v))
		return;
	if (v < 0)
		v = 0;
	add_bucket(h, hist_bucket_index(v), n);
	note_range(h, v, v, n, v * (double)n);
}

void hist_add(hist_t *h, double v)
{
	hist_add_n(h, v, 1);
}

void hist_coarsen(hist_t *h)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < h->n; i++) {
		uint32_t c = hist_coarse_index(h->idx[i]);
		if (w && h->idx[w - 1] == c) { /* sorted: a pair is adjacent */
			h->cnt[w - 1] += h->cnt[i];
		} else {
			h->idx[w] = c;
			h->cnt[w++] = h->cnt[i];
		}
	}
	h->n = w;
}

void hist_merge(hist_t *dst, const hist_t *src)
{
	if (!src->total)
		return;
	merge_sorted(dst, src->idx, src->cnt, src->n);
	note_range(dst, src->min, src->max, src->total, src->sum);
}

void hist_add_buckets(hist_t *h, hist_bucket *b, size_t m, double min, double max, double sum)
{
	size_t k = 0;
	int sorted = 1;
	for (size_t i = 0; i < m; i++)
		if (b[i].n && b[i].idx < HIST_NBUCKETS) {
			if (k && b[i].idx <= b[k - 1].idx)
				sorted = 0;
			b[k++] = b[i];
		}
	if (!k)
		return;
	uint32_t *idx = xmalloc(k * sizeof *idx);
	uint64_t *cnt = xmalloc(k * sizeof *cnt);
	uint32_t u = 0;
	uint64_t total = 0;
	if (sorted) {
		for (size_t i = 0; i < k; i++) {
			total += b[i].n;
			idx[u] = b[i].idx;
			cnt[u++] = b[i].n;
		}
	} else {
		/* Counting by index: a bucket index is below HIST_NBUCKETS. */
		uint32_t lo = UINT32_MAX, hi = 0;
		for (size_t i = 0; i < k; i++) {
			lo = b[i].idx < lo ? b[i].idx : lo;
			hi = b[i].idx > hi ? b[i].idx : hi;
		}
		uint64_t *dense = xcalloc((size_t)(hi - lo) + 1, sizeof *dense);
		for (size_t i = 0; i < k; i++) {
			dense[b[i].idx - lo] += b[i].n;
			total += b[i].n;
		}
		for (uint32_t j = 0; j <= hi - lo; j++)
			if (dense[j]) {
				idx[u] = lo + j;
				cnt[u++] = dense[j];
			}
		free(dense);
	}
	merge_sorted(h, idx, cnt, u);
	note_range(h, min, max, total, sum);
	free(idx);
	free(cnt);
}

void hist_merge_many(hist_t *dst, const hist_t *const *src, size_t k)
{
	hacc a;
	hacc_init(&a);
	for (size_t i = 0; i < k; i++)
		hacc_add(&a, src[i]);
	hacc_flush(&a, dst);
	hacc_free(&a);
}

double hist_quantile(const hist_t *h, double p)
{
	if (!h->total)
		return 0;
	if (p <= 0)
		return h->min;
	double r = ceil(p * (double)h->total / 100.0 - 1e-9);
	uint64_t rank = r < 1 ? 1 : (uint64_t)r;
	if (rank >= h->total)
		return h->max;
	uint64_t acc = 0;
	for (uint32_t i = 0; i < h->n; i++) {
		acc += h->cnt[i];
		if (acc >= rank) {
			double v = hist_bucket_mid(h->idx[i]);
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			return v;
		}
	}
	return h->max;
}

static void put_varint(sbuf *b, uint64_t v)
{
	uint8_t tmp[10];
	int n = 0;
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		tmp[n++] = c | (v ? 0x80 : 0);
	} while (v);
	sb_add(b, tmp, (size_t)n);
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t c = *(*p)++;
		r |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

static void put_double(sbuf *b, double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	uint8_t t[8];
	for (int i = 0; i < 8; i++)
		t[i] = (uint8_t)(u >> (8 * i));
	sb_add(b, t, 8);
}

static int get_double(const uint8_t **p, const uint8_t *end, double *d)
{
	if (end - *p < 8)
		return -1;
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)(*p)[i] << (8 * i);
	*p += 8;
	memcpy(d, &u, 8);
	return 0;
}

void hist_encode(const hist_t *h, sbuf *out)
{
	sb_addc(out, FORMAT_VERSION);
	put_varint(out, h->total);
	if (!h->total)
		return;
	put_double(out, h->min);
	put_double(out, h->max);
	put_double(out, h->sum);
	put_varint(out, h->n);
	uint32_t prev = 0;
	for (uint32_t i = 0; i < h->n; i++) {
		put_varint(out, h->idx[i] - prev);
		prev = h->idx[i];
		put_varint(out, h->cnt[i]);
	}
}

/* A parsed blob; buckets point into the scratch arrays or heap ones. */
typedef struct blob_view {
	uint64_t total, n;
	double min, max, sum;
	uint32_t sidx[512], *bi;
	uint64_t scnt[512], *bc;
} blob_view;

static void blob_view_free(blob_view *v)
{
	if (v->bi != v->sidx)
		free(v->bi);
	if (v->bc != v->scnt)
		free(v->bc);
}

/* 0 and v filled (n = 0 for an empty blob), or -1 for a malformed one. */
static int blob_parse(blob_view *v, const void *blob, size_t len)
{
	const uint8_t *p = blob, *end = p + len;
	v->total = v->n = 0;
	v->bi = v->sidx;
	v->bc = v->scnt;
	if (!blob || len == 0)
		return 0;
	if (*p++ != FORMAT_VERSION)
		return -1;
	if (get_varint(&p, end, &v->total))
		return -1;
	if (!v->total)
		return 0;
	uint64_t n;
	if (get_double(&p, end, &v->min) || get_double(&p, end, &v->max) || get_double(&p, end, &v->sum) ||
	    get_varint(&p, end, &n))
		return -1;
	/* Each bucket takes at least two bytes: a bound on n before allocating. */
	if (n > (uint64_t)(end - p) / 2)
		return -1;
	if (n > 512) {
		v->bi = xmalloc(n * sizeof *v->bi);
		v->bc = xmalloc(n * sizeof *v->bc);
	}
	uint64_t idx = 0, seen = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t d, c;
		if (get_varint(&p, end, &d) || get_varint(&p, end, &c) || (i && d == 0))
			goto bad;
		idx += d;
		if (idx >= HIST_NBUCKETS)
			goto bad;
		v->bi[i] = (uint32_t)idx;
		v->bc[i] = c;
		seen += c;
	}
	if (seen != v->total)
		goto bad;
	v->n = n;
	return 0;
bad:
	blob_view_free(v);
	return -1;
}

int hist_merge_blob(hist_t *h, const void *blob, size_t len)
{
	blob_view v;
	if (blob_parse(&v, blob, len))
		return -1;
	/* Only a well-formed blob changes h. */
	if (v.total) {
		merge_sorted(h, v.bi, v.bc, (uint32_t)v.n);
		note_range(h, v.min, v.max, v.total, v.sum);
	}
	blob_view_free(&v);
	return 0;
}

/* ---- dense accumulation ------------------------------------------------- */

void hacc_init(hacc *a)
{
	memset(a, 0, sizeof *a);
}

void hacc_free(hacc *a)
{
	free(a->cnt);
	hacc_init(a);
}

static void hacc_range(hacc *a, double mn, double mx, uint64_t n, double sum)
{
	if (!a->total) {
		a->min = mn;
		a->max = mx;
	} else {
		if (mn < a->min)
			a->min = mn;
		if (mx > a->max)
			a->max = mx;
	}
	a->total += n;
	a->sum += sum;
}

static void hacc_buckets(hacc *a, const uint32_t *idx, const uint64_t *cnt, uint32_t n)
{
	if (!n)
		return;
	if (!a->cnt) {
		a->cnt = xcalloc(HIST_NBUCKETS, sizeof *a->cnt);
		a->lo = UINT32_MAX;
		a->hi = 0;
	}
	if (!a->used) {
		a->lo = idx[0];
		a->hi = idx[n - 1];
		a->used = 1;
	}
	if (idx[0] < a->lo)
		a->lo = idx[0];
	if (idx[n - 1] > a->hi)
		a->hi = idx[n - 1];
	for (uint32_t i = 0; i < n; i++)
		a->cnt[idx[i]] += cnt[i];
}

void hacc_add(hacc *a, const hist_t *h)
{
	if (!h->total)
		return;
	hacc_buckets(a, h->idx, h->cnt, h->n);
	hacc_range(a, h->min, h->max, h->total, h->sum);
}

int hacc_add_blob(hacc *a, const void *blob, size_t len)
{
	blob_view v;
	if (blob_parse(&v, blob, len))
		return -1;
	if (v.total) {
		hacc_buckets(a, v.bi, v.bc, (uint32_t)v.n);
		hacc_range(a, v.min, v.max, v.total, v.sum);
	}
	blob_view_free(&v);
	return 0;
}

void hacc_flush(hacc *a, hist_t *dst)
{
	if (!a->total)
		return;
	if (dst->total)
		hacc_add(a, dst);
	uint32_t n = 0;
	if (a->used)
		for (uint32_t j = a->lo; j <= a->hi; j++)
			n += a->cnt[j] != 0;
	reserve(dst, n);
	dst->n = 0;
	if (a->used)
		for (uint32_t j = a->lo; j <= a->hi; j++)
			if (a->cnt[j]) {
				dst->idx[dst->n] = j;
				dst->cnt[dst->n++] = a->cnt[j];
				a->cnt[j] = 0;
			}
	dst->total = a->total;
	dst->min = a->min;
	dst->max = a->max;
	dst->sum = a->sum;
	a->used = 0;
	a->total = 0;
	a->min = a->max = a->sum = 0;
}

int hist_decode(hist_t *h, const void *blob, size_t len)
{
	hist_reset(h);
	return hist_merge_blob(h, blob, len);
}
