/* A string-keyed hash map (open addressing). Keys are copied; values are the
 * caller's. Used for price tables, dimension caches and the like. */
#ifndef LLMOPS_MAP_H
#define LLMOPS_MAP_H

#include <stddef.h>

typedef struct strmap {
	char **keys;
	void **vals;
	size_t cap, len;
} strmap;

void strmap_init(strmap *m);
/* Frees the keys; values are freed with free_val when it is not NULL. */
void strmap_free(strmap *m, void (*free_val)(void *));
void *strmap_get(const strmap *m, const char *key);
/* Sets key to val; returns the previous value (NULL when new). */
void *strmap_put(strmap *m, const char *key, void *val);
/* Iteration: for (size_t i = 0; i < m.cap; i++) if (m.keys[i]) ... */

#endif
