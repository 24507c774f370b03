#include "map.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"

void strmap_init(strmap *m)
{
	memset(m, 0, sizeof *m);
}

void strmap_free(strmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		free(m->keys[i]);
		if (free_val)
			free_val(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	strmap_init(m);
}

static size_t slot(const strmap *m, const char *key)
{
	size_t mask = m->cap - 1;
	size_t i = hash64(key, strlen(key), 0) & mask;
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & mask;
	return i;
}

void *strmap_get(const strmap *m, const char *key)
{
	if (!m->cap || !key)
		return NULL;
	size_t i = slot(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

static void grow(strmap *m)
{
	strmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 16;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->vals = xcalloc(m->cap, sizeof *m->vals);
	m->len = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		size_t j = slot(m, old.keys[i]);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
		m->len++;
	}
	free(old.keys);
	free(old.vals);
}

void *strmap_put(strmap *m, const char *key, void *val)
{
	if ((m->len + 1) * 4 >= m->cap * 3)
		grow(m);
	size_t i = slot(m, key);
	if (m->keys[i]) {
		void *prev = m->vals[i];
		m->vals[i] = val;
		return prev;
	}
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->len++;
	return NULL;
}
