/* Strings, buffers, arenas and hashing: the small pieces every layer uses. */
#ifndef LLMOPS_STR_H
#define LLMOPS_STR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that never returns NULL: running out of memory ends the process
 * with a message, because no caller could do anything better. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable byte buffer, always NUL-terminated once anything was added. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

#define SBUF_INIT {NULL, 0, 0}
void sb_grow(sbuf *b, size_t extra);
void sb_add(sbuf *b, const void *s, size_t n);
void sb_adds(sbuf *b, const char *s);
void sb_addc(sbuf *b, char c);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(sbuf *b, const char *fmt, va_list ap);
void sb_reset(sbuf *b);
void sb_free(sbuf *b);
char *sb_steal(sbuf *b);
const char *sb_str(const sbuf *b); /* "" when empty */

/* Bump allocator: everything allocated from it is freed at once. */
typedef struct arena_chunk arena_chunk;
typedef struct arena {
	arena_chunk *head;  /* in use, newest first */
	arena_chunk *spare; /* kept by arena_reset for reuse */
	size_t nspare;
	size_t used_total;
} arena_t;

void *arena_alloc(arena_t *a, size_t n);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
void arena_reset(arena_t *a); /* keeps chunks for reuse */
void arena_free(arena_t *a);

/* A fast, seeded 64-bit hash of bytes (not cryptographic). */
uint64_t hash64(const void *p, size_t n, uint64_t seed);

/* Small string helpers. */
int str_eq(const char *a, const char *b);            /* NULL-safe */
int str_has_prefix(const char *s, const char *prefix);
int str_empty(const char *s);                         /* NULL or "" */
void str_lower(char *s);
char *str_trim(char *s);                              /* in place, returns start */
int hex_decode(const char *hex, size_t n, uint8_t *out, size_t cap); /* bytes or -1 */
void hex_encode(const uint8_t *b, size_t n, char *out); /* out: 2n+1 */

/* Human units for tables: 1234567 -> "1.2M", durations in ms -> "812ms" / "2.3s". */
void fmt_count(char *out, size_t n, double v);
void fmt_ms(char *out, size_t n, double ms);
void fmt_usd(char *out, size_t n, double usd);
void fmt_thousands(char *out, size_t n, uint64_t v); /* 1234567 -> "1,234,567" */

#endif
