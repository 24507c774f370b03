/* A strict, allocation-free JSON scanner for the hot import path.
 *
 * cJSON builds a tree of some thirty nodes for a 2 KB call record and prints
 * the input messages back out; at a million records that is most of an
 * import. This scanner walks a record once: strings are decoded into an
 * arena, numbers read in place, and nested values (messages, variables) are
 * validated and kept as their original text. It accepts exactly RFC 8259
 * JSON; anything else makes the caller fall back to cJSON, which also
 * words the error. */
#ifndef LLMOPS_JSONSCAN_H
#define LLMOPS_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

typedef struct jscan {
	const char *p, *end;
} jscan;

enum js_type { JS_ERR, JS_OBJ, JS_ARR, JS_STR, JS_NUM, JS_TRUE, JS_FALSE, JS_NULL };

void js_ws(jscan *s);
/* Type of the value at the cursor (after whitespace), without moving. */
enum js_type js_peek(jscan *s);
/* Skips one whole value, validating it. 0 or -1. */
int js_skip(jscan *s);
/* Decodes a string into the arena (NUL-terminated). 0 or -1. */
int js_string(jscan *s, arena_t *a, char **out, size_t *len);
/* A number: its value as a double, and whether it is an integer that fits
 * an int64 exactly (then *iv holds it). */
int js_number(jscan *s, double *v, int *is_int, int64_t *iv);
/* Expects a character (after whitespace) and moves past it. */
int js_expect(jscan *s, char c);

#endif
