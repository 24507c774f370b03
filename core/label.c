#include "label.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "sanitize.h"

/* Bytes of s (len long) that fit in cols columns; *used the columns they take. */
static size_t fit(const char *s, size_t len, int cols, int *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int c = 0;
	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);
		int cw = wcwidth((wchar_t)cp);
		if (cw < 0)
			cw = 1; /* drawn as one replacement cell */
		if (c + cw > cols)
			break;
		c += cw;
		i += k;
	}
	*used = c;
	return i;
}

static int width_of(const char *s, size_t len)
{
	int w;
	fit(s, len, 1 << 30, &w);
	return w;
}

/* Appends s cut to cols columns, the ellipsis after it when cut; the columns taken. */
static int put_cut(sbuf *b, const char *s, size_t len, int cols, const char *ell, int ew)
{
	int used;
	size_t k = fit(s, len, cols, &used);
	if (k == len) {
		sb_add(b, s, len);
		return used;
	}
	k = fit(s, len, cols - ew, &used);
	sb_add(b, s, k);
	sb_adds(b, ell);
	return used + ew;
}

int label_fit_prompt(const char *label, int cols, const char *ellipsis, int flags, char *out, size_t n)
{
	if (!n)
		return 0;
	out[0] = 0;
	if (cols <= 0)
		return 0;
	char *s = sanitize_str(label ? label : "", flags & SAN_ASCII);
	size_t len = strlen(s);
	int ew = width_of(ellipsis, strlen(ellipsis));
	sbuf b = SBUF_INIT;
	sb_adds(&b, "");
	int w = width_of(s, len);
	const char *at = strrchr(s, '@');
	if (w <= cols) {
		sb_add(&b, s, len);
	} else if (!at || at == s || cols < 2 * ew + 3) {
		w = put_cut(&b, s, len, cols, ellipsis, ew);
	} else {
		size_t nlen = (size_t)(at - s), vlen = len - nlen; /* the version with its '@' */
		int vw = width_of(at, vlen);
		if (ew + 1 + vw <= cols) {
			/* The name gives what the version needs. */
			w = put_cut(&b, s, nlen, cols - vw, ellipsis, ew);
			sb_add(&b, at, vlen);
			w += vw;
		} else {
			/* Even the version is too long: one character of the name,
			 * then as much of the version as fits. */
			w = put_cut(&b, s, nlen, 1 + ew, ellipsis, ew);
			sb_addc(&b, '@');
			w += 1 + put_cut(&b, at + 1, vlen - 1, cols - w - 1, ellipsis, ew);
		}
	}
	/* Cut at a character boundary when out is short of bytes. */
	size_t k = b.len < n ? b.len : n - 1;
	while (k > 0 && k < b.len && ((unsigned char)b.p[k] & 0xc0) == 0x80)
		k--;
	memcpy(out, b.p, k);
	out[k] = 0;
	sb_free(&b);
	free(s);
	return w;
}
