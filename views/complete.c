/* Tab in the filter (f) and command (:) prompts: field names, then the
 * values the store holds for that field, and the names of the commands. */
#include <stdlib.h>
#include <string.h>

#include "../core/filter.h"
#include "view.h"

#define MAX_CANDS 200

static void add(char ***v, size_t *n, const char *s)
{
	if (*n % 16 == 0)
		*v = xrealloc(*v, (*n + 16) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

static const char *const fixed_status[] = {"ok", "error", NULL};
static const char *const fixed_since[] = {"15m", "1h", "6h", "24h", "7d", "30d", NULL};
static const char *const fixed_sample[] = {"1%", "10%", "50%", NULL};

/* The last term of a filter line: a field name, or the value being typed
 * after FIELD= or FIELD!= (after the last comma of a list). */
static void complete_filter(app_t *a, const char *line, size_t base, size_t *from, char ***c, size_t *n)
{
	const char *word = line + strlen(line);
	while (word > line && word[-1] != ' ')
		word--;
	const char *eq = strchr(word, '=');
	if (!eq) {
		*from = base + (size_t)(word - line);
		size_t wl = strlen(word);
		for (int i = 0; filter_fields[i]; i++) {
			if (strncmp(filter_fields[i], word, wl))
				continue;
			char t[32];
			snprintf(t, sizeof t, "%s%s", filter_fields[i], strcmp(filter_fields[i], "latency") ? "=" : ">");
			add(c, n, t);
		}
		return;
	}
	char field[32];
	size_t fl = (size_t)(eq - word) - (eq > word && eq[-1] == '!');
	if (fl >= sizeof field)
		return;
	memcpy(field, word, fl);
	field[fl] = 0;
	const char *val = strrchr(eq, ',');
	val = val ? val + 1 : eq + 1;
	*from = base + (size_t)(val - line);
	size_t vl = strlen(val);
	const char *const *fixed = !strcmp(field, "status") ? fixed_status
				   : !strcmp(field, "since")  ? fixed_since
				   : !strcmp(field, "sample") ? fixed_sample
							      : NULL;
	if (fixed) {
		for (int i = 0; fixed[i]; i++)
			if (!strncmp(fixed[i], val, vl))
				add(c, n, fixed[i]);
		return;
	}
	char **v;
	size_t nv;
	if (store_filter_values(a->st, field, MAX_CANDS, &v, &nv))
		return;
	for (size_t i = 0; i < nv; i++) {
		if (!strncmp(v[i], val, vl))
			add(c, n, v[i]);
		free(v[i]);
	}
	free(v);
}

void app_complete(void *ctx, const char *lead, const char *before, size_t *from, char ***c, size_t *n)
{
	app_t *a = ctx;
	*c = NULL;
	*n = 0;
	if (!strcmp(lead, "filter: ")) {
		complete_filter(a, before, 0, from, c, n);
		return;
	}
	if (strcmp(lead, ":"))
		return;
	const char *sp = strchr(before, ' ');
	if (!sp) {
		*from = 0;
		for (const app_command *k = app_commands; k->name; k++)
			if (!k->alias && !strncmp(k->name, before, strlen(before)))
				add(c, n, k->name);
		return;
	}
	if ((size_t)(sp - before) == 6 && !strncmp(before, "filter", 6))
		complete_filter(a, sp + 1, (size_t)(sp + 1 - before), from, c, n);
}
