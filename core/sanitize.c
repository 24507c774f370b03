#include "sanitize.h"

#include <stdio.h>
#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		*cp = 0xfffd; /* stray continuation, 0xc0/0xc1 overlong leads, 0xf5.. */
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if (i >= n || (s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return i; /* resynchronise at the offending byte */
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = 0xfffd;
		return len;
	}
	*cp = v;
	return len;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int san_is_format_char(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0x061c || (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 ||
	       cp == 0xfeff || cp == 0x2028 || cp == 0x2029 || (cp >= 0xe0000 && cp <= 0xe007f) ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x00ad || cp == 0x180e || (cp >= 0x2061 && cp <= 0x2064);
}

static void put_cp(sbuf *out, uint32_t cp, int ascii)
{
	if (ascii && cp >= 0x80) {
		sb_addc(out, '?');
		return;
	}
	char b[4];
	sb_add(out, b, utf8_encode(cp, b));
}

static void mark_escape(sbuf *out, int ascii)
{
	if (ascii)
		sb_adds(out, "^[");
	else
		sb_adds(out, SAN_ESC_MARK);
}

static void mark_control(sbuf *out, uint32_t c, int ascii)
{
	if (ascii) {
		if (c < 0x20)
			sb_printf(out, "^%c", (char)(c + 0x40));
		else if (c == 0x7f)
			sb_adds(out, "^?");
		else
			sb_printf(out, "<U+%04X>", (unsigned)c);
		return;
	}
	if (c < 0x20)
		put_cp(out, 0x2400 + c, 0); /* control pictures: \r -> U+240D */
	else if (c == 0x7f)
		put_cp(out, 0x2421, 0);
	else
		sb_printf(out, "<U+%04X>", (unsigned)c);
}

/* String-type sequences run to BEL, ESC \ or U+009C. Returns the index just
 * past the terminator, or n when unterminated (the rest is swallowed). */
static size_t skip_string(const unsigned char *s, size_t i, size_t n)
{
	while (i < n) {
		if (s[i] == 0x07)
			return i + 1;
		if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\')
			return i + 2;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] == 0x9c)
			return i + 2;
		i++;
	}
	return n;
}

static size_t skip_csi(const unsigned char *s, size_t i, size_t n)
{
	while (i < n && s[i] >= 0x30 && s[i] <= 0x3f)
		i++;
	while (i < n && s[i] >= 0x20 && s[i] <= 0x2f)
		i++;
	if (i < n && s[i] >= 0x40 && s[i] <= 0x7e)
		i++;
	return i;
}

void sanitize(const char *in, size_t n, int flags, sbuf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	int ascii = flags & SAN_ASCII;
	sb_grow(out, n);
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		/* Fast path for plain printable ASCII runs. */
		if (c >= 0x20 && c < 0x7f) {
			size_t j = i + 1;
			while (j < n && s[j] >= 0x20 && s[j] < 0x7f)
				j++;
			sb_add(out, s + i, j - i);
			i = j;
			continue;
		}
		if (c == 0x1b) {
			i++;
			if (i < n && s[i] == '[')
				i = skip_csi(s, i + 1, n);
			else if (i < n && (s[i] == ']' || s[i] == 'P' || s[i] == 'X' || s[i] == '^' || s[i] == '_'))
				i = skip_string(s, i + 1, n);
			else {
				while (i < n && s[i] >= 0x20 && s[i] <= 0x2f)
					i++;
				if (i < n && s[i] >= 0x30 && s[i] <= 0x7e)
					i++;
			}
			mark_escape(out, ascii);
			continue;
		}
		if (c == '\n' && (flags & SAN_KEEP_NL)) {
			sb_addc(out, '\n');
			i++;
			continue;
		}
		if (c == '\t' && (flags & SAN_TABS)) {
			sb_addc(out, '\t');
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			mark_control(out, c, ascii);
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		i += len;
		if (cp == 0x9b) {
			i = skip_csi(s, i, n);
			mark_escape(out, ascii);
		} else if (cp == 0x9d || cp == 0x90 || cp == 0x98 || cp == 0x9e || cp == 0x9f) {
			i = skip_string(s, i, n);
			mark_escape(out, ascii);
		} else if (cp >= 0x80 && cp <= 0x9f) {
			mark_control(out, cp, ascii);
		} else if (san_is_format_char(cp)) {
			sb_printf(out, "<U+%04X>", (unsigned)cp);
		} else {
			put_cp(out, cp, ascii);
		}
	}
	out->p[out->len] = 0;
}

char *sanitize_str(const char *in, int flags)
{
	sbuf b = SBUF_INIT;
	if (in)
		sanitize(in, strlen(in), flags, &b);
	return sb_steal(&b);
}

void sanitize_clip(const char *in, size_t max_bytes, char *out, size_t outlen)
{
	if (!outlen)
		return;
	sbuf b = SBUF_INIT;
	sanitize(in ? in : "", in ? strlen(in) : 0, 0, &b);
	size_t n = b.len;
	int clipped = 0;
	if (max_bytes > outlen - 1)
		max_bytes = outlen - 1;
	if (n > max_bytes) {
		/* Room for the ellipsis, then back to the start of a character. */
		n = max_bytes >= 3 ? max_bytes - 3 : 0;
		while (n > 0 && ((unsigned char)b.p[n] & 0xc0) == 0x80)
			n--;
		clipped = 1;
	}
	memcpy(out, b.len ? b.p : "", n);
	if (clipped && n + 3 < outlen) {
		memcpy(out + n, "\xe2\x80\xa6", 3);
		n += 3;
	}
	out[n] = 0;
	sb_free(&b);
}

void sanitize_json(const char *in, size_t n, sbuf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;
	while (i < n) {
		if (s[i] < 0x80) {
			size_t j = i;
			while (j < n && s[j] < 0x80)
				j++;
			sb_add(out, in + i, j - i);
			i = j;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		/* Bytes at or above 0x80 only occur inside JSON strings, where an
		 * escape means the same character. */
		if ((cp >= 0x80 && cp <= 0x9f) || san_is_format_char(cp) || cp == 0xfffd) {
			if (cp >= 0x10000) {
				uint32_t v = cp - 0x10000;
				sb_printf(out, "\\u%04x\\u%04x", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
			} else {
				sb_printf(out, "\\u%04x", cp);
			}
		} else {
			sb_add(out, in + i, k);
		}
		i += k;
	}
}
