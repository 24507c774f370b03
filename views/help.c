/* The help screen: the keys in force for the view it was opened from,
 * generated from the action table and the keymap (so rebinding shows). */
#include <stdio.h>
#include <string.h>

#include "../tui/tui.h"
#include "textview.h"
#include "view.h"

typedef struct help {
	textview tv;
	int scope;
} help;

void help_keys_of(app_t *a, int scope, int act, char *out, size_t n)
{
	out[0] = 0;
	size_t len = 0;
	for (int pass = 0; pass < 2; pass++) {
		int sc = pass ? SC_GENERIC : scope;
		if (pass && scope == SC_GENERIC)
			break;
		for (size_t i = 0; i < a->keys.n; i++) {
			const binding *b = &a->keys.v[i];
			if (b->scope != sc || b->action != act)
				continue;
			/* A generic binding overridden in this view does not apply. */
			if (pass && keymap_lookup(&a->keys, scope, b->key) != act)
				continue;
			char k[32];
			keycode_name(b->key, k, sizeof k);
			len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s", len ? " " : "", k);
		}
	}
}

/* The view's own keys: those its hints name and those bound in its scope
 * alone, in the hints' order. */
static void own_keys(view_t *v, app_t *a, int scope, char *own)
{
	const view_entry *e = v->parent ? view_entry_of(v->parent->ops) : NULL;
	for (const view_hint *hn = e ? e->hints : NULL; hn && hn->action != A_NONE; hn++) {
		int last = hn->action == A_WINDOW_1 || hn->action == A_LABEL_1 ? hn->action + 8 : hn->action;
		for (int act = hn->action; act <= last; act++)
			if (!own[act])
				own[act] = (char)(1 + (hn - e->hints));
	}
	for (size_t i = 0; i < a->keys.n; i++) {
		const binding *b = &a->keys.v[i];
		if (scope != SC_GENERIC && b->scope == scope && b->action > A_NONE && b->action < A_COUNT && !own[b->action])
			own[b->action] = 100;
	}
}

static void build(view_t *v, app_t *a)
{
	help *h = v->priv;
	tv_clear(&h->tv);
	tv_addf(&h->tv, EL_HEADER, 0, "Keys in the %s view (keymap %s; change them with bind in llmopsrc)",
		scope_name(h->scope), a->keymap_name);
	const char *group = NULL;
	/* The key column as wide as its longest entry, within reason. */
	int kw = 16;
	for (int act = 1; act < A_COUNT; act++) {
		char keys[128];
		help_keys_of(a, h->scope, act, keys, sizeof keys);
		if ((int)strlen(keys) > kw)
			kw = strlen(keys) > 28 ? 28 : (int)strlen(keys);
	}
	char own[A_COUNT] = {0};
	own_keys(v, a, h->scope, own);
	/* The view's own keys first (pass 0, in the order of its hints),
	 * then every other key, by group (pass 1). */
	int order[A_COUNT], no = 0;
	for (int rank = 1; rank <= 100; rank++)
		for (int act = 1; act < A_COUNT; act++)
			if (own[act] == rank)
				order[no++] = act;
	int nown = no;
	for (int act = 1; act < A_COUNT; act++)
		if (!own[act])
			order[no++] = act;
	for (int i = 0; i < no; i++) {
		int act = order[i];
		char keys[128];
		help_keys_of(a, h->scope, act, keys, sizeof keys);
		if (!keys[0])
			continue;
		const char *g = i < nown ? "In this view" : action_group((enum action)act);
		if (!group || strcmp(group, g)) {
			group = g;
			tv_add(&h->tv, EL_DEFAULT, 0, "");
			if (i < nown)
				tv_addf(&h->tv, EL_PANE, 0, "In the %s view", scope_name(h->scope));
			else
				tv_add(&h->tv, EL_PANE, 0, g);
		}
		const char *what = action_table[act].help;
		char line[512];
		if (act >= A_WINDOW_1 && act <= A_WINDOW_9)
			snprintf(line, sizeof line, "  %-*s %-16s time window %s", kw, keys, action_table[act].name,
				 action_windows[act - A_WINDOW_1]);
		else if (act >= A_LABEL_1 && act <= A_LABEL_9) {
			const char *label = a->cfg->labels[act - A_LABEL_1 + 1];
			if (!label) /* `label N NAME` in the rc binds one */
				continue;
			snprintf(line, sizeof line, "  %-*s %-16s label %s and move on", kw, keys, action_table[act].name, label);
		}
		else
			snprintf(line, sizeof line, "  %-*s %-16s %s", kw, keys, action_table[act].name, what);
		tv_add(&h->tv, EL_DEFAULT, kw + 20, line);
	}
	tv_add(&h->tv, EL_DEFAULT, 0, "");
	tv_add(&h->tv, EL_PANE, 0, "Commands (:)");
	char names[256], line[512];
	view_names(names, sizeof names);
	for (const app_command *c = app_commands; c->name; c++) {
		if (!c->usage)
			continue;
		const char *what = c->help ? c->help : names;
		if (*what)
			snprintf(line, sizeof line, "  :%-19s %s", c->usage, what);
		else
			snprintf(line, sizeof line, "  :%s", c->usage);
		tv_add(&h->tv, EL_DEFAULT, 23, line);
	}
}

static void help_open(view_t *v, app_t *a, const void *arg)
{
	(void)arg;
	help *h = v->priv;
	tv_init(&h->tv);
	h->scope = v->parent ? v->parent->ops->scope : SC_GENERIC;
	build(v, a);
}

static void help_close(view_t *v, app_t *a)
{
	(void)a;
	tv_free(&((help *)v->priv)->tv);
}

static void help_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	(void)a;
	tv_draw(&((help *)v->priv)->tv, y, x + 1, h, w - 2);
}

static int help_action(view_t *v, app_t *a, int act)
{
	(void)a;
	if (act == A_HELP || act == A_ENTER) {
		app_pop(a); /* ? again closes it */
		return 1;
	}
	return tv_action(&((help *)v->priv)->tv, act);
}

static int help_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	return tv_search(&((help *)v->priv)->tv, text, dir);
}

static void help_title(view_t *v, app_t *a, char *buf, size_t n)
{
	(void)a;
	char pos[16];
	snprintf(buf, n, "help: %s keys %s %s", scope_name(((help *)v->priv)->scope), glyph(G_DOT),
		 tv_position(&((help *)v->priv)->tv, pos, sizeof pos));
}

const view_ops help_ops = {
    .name = "help",
    .scope = SC_HELP,
    .flags = VIEW_SINGLETON,
    .private_size = sizeof(help),
    .open = help_open,
    .close = help_close,
    .draw = help_draw,
    .action = help_action,
    .search = help_search,
    .title = help_title,
};
