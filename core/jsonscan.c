#include "jsonscan.h"

#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

#define MAX_DEPTH 128

void js_ws(jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

enum js_type js_peek(jscan *s)
{
	js_ws(s);
	if (s->p >= s->end)
		return JS_ERR;
	switch (*s->p) {
	case '{': return JS_OBJ;
	case '[': return JS_ARR;
	case '"': return JS_STR;
	case 't': return JS_TRUE;
	case 'f': return JS_FALSE;
	case 'n': return JS_NULL;
	default: return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) ? JS_NUM : JS_ERR;
	}
}

int js_expect(jscan *s, char c)
{
	js_ws(s);
	if (s->p >= s->end || *s->p != c)
		return -1;
	s->p++;
	return 0;
}

static int hex4(const char *p, unsigned *v)
{
	unsigned r = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		r <<= 4;
		if (c >= '0' && c <= '9')
			r |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			r |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			r |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = r;
	return 0;
}

/* Validates a string, returning the end (after the quote) and whether it has
 * escapes; -1 on a control character, bad escape or missing quote. */
static int scan_string(jscan *s, const char **start, const char **stop, int *escapes)
{
	if (s->p >= s->end || *s->p != '"')
		return -1;
	const char *p = s->p + 1, *end = s->end;
	*start = p;
	*escapes = 0;
	for (;;) {
		/* Eight bytes at a time while none is a quote, a backslash or a
		 * control character (the test can only err towards looking). */
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			uint64_t q = w ^ 0x2222222222222222ULL, b = w ^ 0x5c5c5c5c5c5c5c5cULL;
			uint64_t special = ((q - 0x0101010101010101ULL) & ~q) | ((b - 0x0101010101010101ULL) & ~b) |
					   ((w - 0x2020202020202020ULL) & ~w);
			if (special & 0x8080808080808080ULL)
				break;
			p += 8;
		}
		while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p >= end)
			return -1;
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20)
			return -1;
		/* backslash */
		if (p + 1 >= end)
			return -1;
		*escapes = 1;
		char e = p[1];
		if (e == 'u') {
			unsigned v, lo;
			if (p + 6 > end || hex4(p + 2, &v))
				return -1;
			p += 6;
			/* UTF-16 surrogates come in pairs, as cJSON insists too. */
			if (v >= 0xdc00 && v <= 0xdfff)
				return -1;
			if (v >= 0xd800 && v <= 0xdbff) {
				if (p + 6 > end || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				p += 6;
			}
		} else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
			p += 2;
		} else {
			return -1;
		}
	}
	*stop = p;
	s->p = p + 1;
	return 0;
}

int js_string(jscan *s, arena_t *a, char **out, size_t *len)
{
	js_ws(s);
	const char *start, *stop;
	int esc;
	if (scan_string(s, &start, &stop, &esc))
		return -1;
	size_t n = (size_t)(stop - start);
	if (!esc) {
		*out = arena_strndup(a, start, n);
		*len = n;
		return 0;
	}
	char *d = arena_alloc(a, n + 1), *o = d;
	for (const char *p = start; p < stop;) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		char e = p[1];
		p += 2;
		switch (e) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned v, lo;
			hex4(p, &v);
			p += 4;
			if (v >= 0xd800 && v <= 0xdbff && p + 6 <= stop && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (v >= 0xd800 && v <= 0xdfff) {
				return -1; /* a lone surrogate: cJSON rejects it, and so do we */
			}
			if (v == 0)
				return -1; /* an embedded NUL cannot live in a C string */
			char buf[4];
			size_t k = utf8_encode(v, buf);
			memcpy(o, buf, k);
			o += k;
			break;
		}
		default: *o++ = e; /* " \ / */
		}
	}
	*o = 0;
	*out = d;
	*len = (size_t)(o - d);
	return 0;
}

int js_number(jscan *s, double *v, int *is_int, int64_t *iv)
{
	js_ws(s);
	const char *p = s->p, *end = s->end, *start = p;
	int neg = 0;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	uint64_t acc = 0;
	int digits = 0, overflow = 0;
	if (*p == '0') {
		p++;
		digits = 1;
	} else {
		while (p < end && *p >= '0' && *p <= '9') {
			if (acc > (UINT64_MAX - 9) / 10)
				overflow = 1;
			acc = acc * 10 + (uint64_t)(*p - '0');
			p++;
			digits++;
		}
	}
	int frac = 0;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		frac = 1;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		frac = 1;
	}
	s->p = p;
	if (!frac && !overflow && digits <= 18) {
		int64_t n = neg ? -(int64_t)acc : (int64_t)acc;
		*iv = n;
		*is_int = 1;
		*v = (double)n;
		return 0;
	}
	*is_int = 0;
	/* strtod honours the C locale's decimal point, which is '.' here: the
	 * program never sets LC_NUMERIC. */
	char buf[64];
	size_t n = (size_t)(p - start);
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, start, n);
	buf[n] = 0;
	*v = strtod(buf, NULL);
	return 0;
}

static int skip_depth(jscan *s, int depth)
{
	if (depth > MAX_DEPTH)
		return -1;
	switch (js_peek(s)) {
	case JS_STR: {
		const char *a, *b;
		int e;
		return scan_string(s, &a, &b, &e);
	}
	case JS_NUM: {
		double v;
		int ii;
		int64_t iv;
		return js_number(s, &v, &ii, &iv);
	}
	case JS_TRUE:
		if (s->end - s->p < 4 || memcmp(s->p, "true", 4))
			return -1;
		s->p += 4;
		return 0;
	case JS_FALSE:
		if (s->end - s->p < 5 || memcmp(s->p, "false", 5))
			return -1;
		s->p += 5;
		return 0;
	case JS_NULL:
		if (s->end - s->p < 4 || memcmp(s->p, "null", 4))
			return -1;
		s->p += 4;
		return 0;
	case JS_ARR:
		s->p++;
		js_ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		for (;;) {
			if (skip_depth(s, depth + 1))
				return -1;
			js_ws(s);
			if (s->p >= s->end)
				return -1;
			if (*s->p == ',') {
				s->p++;
				continue;
			}
			if (*s->p == ']') {
				s->p++;
				return 0;
			}
			return -1;
		}
	case JS_OBJ:
		s->p++;
		js_ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		for (;;) {
			const char *a, *b;
			int e;
			js_ws(s);
			if (scan_string(s, &a, &b, &e) || js_expect(s, ':') || skip_depth(s, depth + 1))
				return -1;
			js_ws(s);
			if (s->p >= s->end)
				return -1;
			if (*s->p == ',') {
				s->p++;
				continue;
			}
			if (*s->p == '}') {
				s->p++;
				return 0;
			}
			return -1;
		}
	default: return -1;
	}
}

int js_skip(jscan *s)
{
	return skip_depth(s, 0);
}
