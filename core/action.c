#include "action.h"

#include <string.h>

const action_info action_table[A_COUNT] = {
    [A_NONE] = {"none", "no action (unbinds a key)"},
#define G(title)
#define X(id, name, help) [A_##id] = {name, help},
    ACTIONS(X, G)
#undef X
#undef G
};

/* The table again, in order, with its headings, for action_group. */
static const struct {
	int a; /* -1 for a heading */
	const char *title;
} listing[] = {
#define G(title) {-1, title},
#define X(id, name, help) {A_##id, NULL},
    ACTIONS(X, G)
#undef X
#undef G
};

const char *action_group(enum action a)
{
	const char *group = "";
	for (size_t i = 0; i < sizeof listing / sizeof *listing; i++) {
		if (listing[i].a < 0)
			group = listing[i].title;
		else if (listing[i].a == (int)a)
			return group;
	}
	return "";
}

const char *const action_windows[9] = {"15m", "1h", "6h", "24h", "7d", "14d", "30d", "90d", "365d"};

int action_parse(const char *name)
{
	for (int i = 0; i < A_COUNT; i++)
		if (!strcmp(action_table[i].name, name))
			return i;
	return -1;
}
