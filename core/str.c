#include "str.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "llmops: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom(n * m);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void sb_grow(sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void sb_add(sbuf *b, const void *s, size_t n)
{
	sb_grow(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void sb_adds(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_addc(sbuf *b, char c)
{
	sb_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof tmp, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		sb_add(b, tmp, (size_t)n);
		return;
	}
	sb_grow(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

void sb_reset(sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

void sb_free(sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *sb_steal(sbuf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *sb_str(const sbuf *b)
{
	return b->p ? b->p : "";
}

struct arena_chunk {
	arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define CHUNK 65536

void *arena_alloc(arena_t *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	arena_chunk *c = a->head;
	if (!c || c->used + n > c->cap) {
		if (n <= CHUNK && a->spare) {
			/* Reuse a chunk kept by arena_reset: no fresh pages to fault in. */
			c = a->spare;
			a->spare = c->next;
			a->nspare--;
		} else {
			size_t cap = n > CHUNK ? n : CHUNK;
			c = xmalloc(sizeof *c + cap);
			c->cap = cap;
		}
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	a->used_total += n;
	return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* Keeps standard chunks (up to 32 MB) for the next round; frees the rest. */
void arena_reset(arena_t *a)
{
	arena_chunk *c = a->head;
	while (c) {
		arena_chunk *n = c->next;
		if (c->cap == CHUNK && a->nspare < 512) {
			c->next = a->spare;
			a->spare = c;
			a->nspare++;
		} else {
			free(c);
		}
		c = n;
	}
	a->head = NULL;
	a->used_total = 0;
}

void arena_free(arena_t *a)
{
	arena_reset(a);
	arena_chunk *c = a->spare;
	while (c) {
		arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	memset(a, 0, sizeof *a);
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t hash64(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *s = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		h = (h ^ mix64(rd64(s))) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t |= (uint64_t)s[i] << (8 * i);
	h = (h ^ mix64(t + n)) * 0x9e3779b97f4a7c15ULL;
	return mix64(h);
}

int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int str_has_prefix(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_empty(const char *s)
{
	return !s || !*s;
}

void str_lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

char *str_trim(char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static signed char hexval_tab[256];

static void hex_init(void)
{
	memset(hexval_tab, -1, sizeof hexval_tab);
	for (int i = 0; i < 10; i++)
		hexval_tab['0' + i] = (signed char)i;
	for (int i = 0; i < 6; i++) {
		hexval_tab['a' + i] = (signed char)(10 + i);
		hexval_tab['A' + i] = (signed char)(10 + i);
	}
}

int hex_decode(const char *hex, size_t n, uint8_t *out, size_t cap)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, hex_init);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval_tab[(unsigned char)hex[i]], lo = hexval_tab[(unsigned char)hex[i + 1]];
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

void hex_encode(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = 0;
}

void fmt_count(char *out, size_t n, double v)
{
	const char *unit = "";
	double a = fabs(v);
	if (a >= 1e9) {
		v /= 1e9;
		unit = "G";
	} else if (a >= 1e6) {
		v /= 1e6;
		unit = "M";
	} else if (a >= 1e4) {
		v /= 1e3;
		unit = "k";
	}
	if (*unit && fabs(v) < 100)
		snprintf(out, n, "%.1f%s", v, unit);
	else
		snprintf(out, n, "%.0f%s", v, unit);
}

void fmt_ms(char *out, size_t n, double ms)
{
	if (ms < 0 || isnan(ms))
		snprintf(out, n, "-");
	else if (ms < 10)
		snprintf(out, n, "%.1fms", ms);
	else if (ms < 1000)
		snprintf(out, n, "%.0fms", ms);
	else if (ms < 60000)
		snprintf(out, n, "%.*fs", ms < 10000 ? 2 : 1, ms / 1000);
	else if (ms < 3600000)
		snprintf(out, n, "%.1fm", ms / 60000);
	else
		snprintf(out, n, "%.1fh", ms / 3600000);
}

void fmt_usd(char *out, size_t n, double usd)
{
	double a = fabs(usd);
	if (a == 0)
		snprintf(out, n, "$0");
	else if (a < 0.01)
		snprintf(out, n, "$%.4f", usd);
	else if (a < 1000)
		snprintf(out, n, "$%.2f", usd);
	else if (a < 1e6)
		snprintf(out, n, "$%.1fk", usd / 1e3);
	else
		snprintf(out, n, "$%.2fM", usd / 1e6);
}

void fmt_thousands(char *out, size_t n, uint64_t v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	size_t o = 0;
	for (int i = 0; i < len && o + 1 < n; i++) {
		if (i && (len - i) % 3 == 0 && o + 2 < n)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o < n ? o : n - 1] = 0;
}
