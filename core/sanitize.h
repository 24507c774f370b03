/* Untrusted text (model output, trace attributes, file names, provider
 * errors) to text that is safe to show on a terminal.
 *
 * Strict UTF-8 decoding (overlongs, surrogates, > U+10FFFF, truncated and
 * stray continuation bytes become U+FFFD). Terminal escape sequences (CSI,
 * OSC, DCS, SOS, PM, APC, in 7-bit and C1 form, and two-byte ESC x) are
 * removed whole and replaced by one visible marker; C0 controls, DEL and C1
 * become control pictures; bidi overrides and isolates, zero-width and other
 * invisible format characters become a visible <U+XXXX>. Nothing the input
 * contains can move the cursor, change a mode or reorder the display. */
#ifndef LLMOPS_SANITIZE_H
#define LLMOPS_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

enum {
	SAN_ASCII = 1,   /* non-ASCII becomes '?', markers are ASCII */
	SAN_KEEP_NL = 2, /* keep '\n' (the caller splits lines) */
	SAN_TABS = 4,    /* keep '\t' (the caller expands it) */
};

#define SAN_ESC_MARK "\xe2\x90\x9b" /* U+241B SYMBOL FOR ESCAPE */

void sanitize(const char *in, size_t n, int flags, sbuf *out);
/* Convenience: sanitised copy of a NUL-terminated string (malloc'ed). */
char *sanitize_str(const char *in, int flags);
/* A sanitised quotation of untrusted text for a message: at most max_bytes
 * (and outlen - 1), cut at a character boundary and marked with an ellipsis. */
void sanitize_clip(const char *in, size_t max_bytes, char *out, size_t outlen);
/* JSON text for a file or a pipe: C1 controls, bidi, zero-width and other
 * invisible characters become \uXXXX escapes and invalid UTF-8 becomes
 * \ufffd, so that what another program or a terminal shows is what the
 * value holds. The input must be valid JSON text. */
void sanitize_json(const char *in, size_t n, sbuf *out);

/* Decodes one code point strictly; returns the bytes consumed (>= 1) and
 * sets *cp (U+FFFD on error). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
size_t utf8_encode(uint32_t cp, char out[4]);
/* Invisible or reordering characters that must be shown, not obeyed. */
int san_is_format_char(uint32_t cp);

#endif
