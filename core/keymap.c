#include "keymap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sanitize.h"

static const struct {
	const char *name;
	int key;
} named[] = {
    {"Enter", K_ENTER},         {"Return", K_ENTER}, {"Esc", K_ESC},         {"Escape", K_ESC},
    {"Tab", K_TAB},             {"BackTab", K_BTAB}, {"Space", ' '},          {"Up", K_UP},
    {"Down", K_DOWN},           {"Left", K_LEFT},    {"Right", K_RIGHT},      {"Home", K_HOME},
    {"End", K_END},             {"PgUp", K_PGUP},    {"PageUp", K_PGUP},      {"PgDn", K_PGDN},
    {"PageDown", K_PGDN},       {"Backspace", K_BACKSPACE},                   {"Del", K_DEL},
    {"Delete", K_DEL},          {"Ins", K_INS},      {"Insert", K_INS},       {"Hash", '#'},
    {"LessThan", '<'},          {"Resize", K_RESIZE},
};

int keycode_parse(const char *s, int *key)
{
	size_t n = strlen(s);
	if (n == 0)
		return -1;
	if (n > 5 && !strncasecmp(s, "<C-x>", 5)) {
		int k;
		if (keycode_parse(s + 5, &k) < 0 || (k & (K_CX_BIT | K_META_BIT)))
			return -1;
		*key = K_CX(k);
		return 0;
	}
	if (n > 4 && !strncasecmp(s, "<M-", 3) && s[n - 1] == '>') {
		/* <M-v>, <M-<>, <M->>, <M-Up> */
		char rest[40];
		int k;
		if (n - 4 + 3 > sizeof rest)
			return -1;
		snprintf(rest, sizeof rest, "%.*s", (int)(n - 4), s + 3);
		if (keycode_parse(rest, &k) < 0) {
			snprintf(rest, sizeof rest, "<%.*s>", (int)(n - 4), s + 3);
			if (keycode_parse(rest, &k) < 0)
				return -1;
		}
		if (k & (K_CX_BIT | K_META_BIT))
			return -1;
		*key = K_META(k);
		return 0;
	}
	if (s[0] != '<' || n == 1) {
		uint32_t cp;
		size_t len = utf8_decode((const unsigned char *)s, n, &cp);
		if (len != n || cp == 0xfffd || cp < 0x20)
			return -1;
		*key = (int)cp;
		return 0;
	}
	if (s[n - 1] != '>')
		return -1;
	char inner[32];
	if (n - 2 >= sizeof inner)
		return -1;
	memcpy(inner, s + 1, n - 2);
	inner[n - 2] = 0;
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (!strcasecmp(inner, named[i].name)) {
			*key = named[i].key;
			return 0;
		}
	if ((inner[0] == 'F' || inner[0] == 'f') && isdigit((unsigned char)inner[1])) {
		int f = atoi(inner + 1);
		if (f >= 1 && f <= 12) {
			*key = K_F1 + f - 1;
			return 0;
		}
	}
	const char *c = NULL;
	if (!strncasecmp(inner, "C-", 2))
		c = inner + 2;
	else if (!strncasecmp(inner, "Ctrl-", 5))
		c = inner + 5;
	if (c && c[0] && !c[1] && isalpha((unsigned char)c[0])) {
		*key = K_CTRL(toupper((unsigned char)c[0]));
		return 0;
	}
	return -1;
}

void keycode_name(int key, char *out, size_t n)
{
	if (key > 0 && (key & (K_CX_BIT | K_META_BIT))) {
		char inner[32];
		keycode_name(key & ~(K_CX_BIT | K_META_BIT), inner, sizeof inner);
		if (key & K_CX_BIT)
			snprintf(out, n, "<C-x>%s", inner);
		else if (inner[0] == '<' && inner[1])
			snprintf(out, n, "<M-%s", inner + 1);
		else
			snprintf(out, n, "<M-%s>", inner);
		return;
	}
	/* The first (preferred) name of a named key. */
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (named[i].key == key && key != '#' && key != '<') {
			snprintf(out, n, "<%s>", named[i].name);
			return;
		}
	if (key >= K_F1 && key <= K_F12)
		snprintf(out, n, "<F%d>", key - K_F1 + 1);
	else if (key > 0 && key < 0x20)
		snprintf(out, n, "<C-%c>", (char)(key + 'a' - 1));
	else if (key == 127)
		snprintf(out, n, "<Backspace>");
	else if (key == '#')
		snprintf(out, n, "<Hash>");
	else if (key == '<')
		snprintf(out, n, "<LessThan>");
	else if (key > 0 && key < KEY_SPECIAL) {
		char b[5] = {0};
		utf8_encode((uint32_t)key, b);
		snprintf(out, n, "%s", b);
	} else
		snprintf(out, n, "<%d>", key);
}

static const char *const scope_names[SC_COUNT] = {
#define X(id, name) name,
    SCOPES(X)
#undef X
};

int scope_parse(const char *name)
{
	for (int i = 0; i < SC_COUNT; i++)
		if (!strcmp(scope_names[i], name))
			return i;
	return -1;
}

const char *scope_name(int scope)
{
	return scope >= 0 && scope < SC_COUNT ? scope_names[scope] : "?";
}

void keymap_free(keymap_t *k)
{
	free(k->v);
	memset(k, 0, sizeof *k);
}

void keymap_bind(keymap_t *k, int scope, int key, int action)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].scope == scope && k->v[i].key == key) {
			k->v[i].action = action;
			return;
		}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->v = xrealloc(k->v, k->cap * sizeof *k->v);
	}
	k->v[k->n].scope = scope;
	k->v[k->n].key = key;
	k->v[k->n].action = action;
	k->n++;
}

int keymap_lookup(const keymap_t *k, int scope, int key)
{
	int generic = -1;
	for (size_t i = 0; i < k->n; i++) {
		if (k->v[i].key != key)
			continue;
		if (k->v[i].scope == scope)
			return k->v[i].action;
		if (k->v[i].scope == SC_GENERIC)
			generic = k->v[i].action;
	}
	return generic < 0 ? A_NONE : generic;
}

int keymap_cx_prefix(const keymap_t *k, int scope)
{
	for (size_t i = 0; i < k->n; i++)
		if ((k->v[i].key & K_CX_BIT) && k->v[i].action != A_NONE &&
		    (k->v[i].scope == scope || k->v[i].scope == SC_GENERIC))
			return 1;
	return 0;
}

int keymap_bind_words(keymap_t *k, const char *active, const char *where, const char *key, const char *action,
		      char *err, size_t errlen)
{
	char map[32] = "", sc[32] = "";
	const char *dot = strchr(where, '.');
	if (dot) {
		snprintf(map, sizeof map, "%.*s", (int)(dot - where), where);
		snprintf(sc, sizeof sc, "%s", dot + 1);
	} else if (!strcmp(where, "vim") || !strcmp(where, "emacs")) {
		snprintf(map, sizeof map, "%s", where);
		snprintf(sc, sizeof sc, "generic");
	} else {
		snprintf(sc, sizeof sc, "%s", where);
	}
	if (*map && strcmp(map, "vim") && strcmp(map, "emacs")) {
		snprintf(err, errlen, "bind: unknown keymap '%s' (vim or emacs)", map);
		return -1;
	}
	int scope = scope_parse(sc);
	if (scope < 0) {
		/* Listed from the table, so that a new view's scope is named too. */
		char names[256] = "";
		size_t used = 0;
		for (int i = 0; i < SC_COUNT && used < sizeof names; i++)
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", scope_names[i]);
		snprintf(err, errlen, "bind: unknown scope '%s' (%s)", sc, names);
		return -1;
	}
	int kc;
	if (keycode_parse(key, &kc)) {
		snprintf(err, errlen, "bind: unknown key '%s'", key);
		return -1;
	}
	int a = action_parse(action);
	if (a < 0) {
		snprintf(err, errlen, "bind: unknown action '%s' (the actions are listed by ? and in llmops(1))", action);
		return -1;
	}
	if (*map && active && strcmp(map, active))
		return 0; /* for the other keymap */
	keymap_bind(k, scope, kc, a);
	return 0;
}

int keymap_load(keymap_t *k, const char *active, const char *text, const char *file, sbuf *errors)
{
	int nerr = 0, lineno = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[256];
		lineno++;
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
		p += n + (nl ? 1 : 0);
		char *w[5] = {0};
		int nw = 0;
		for (char *tok = strtok(line, " \t\r"); tok && nw < 5; tok = strtok(NULL, " \t\r")) {
			if (tok[0] == '#' && nw == 0)
				break;
			w[nw++] = tok;
		}
		if (nw == 0)
			continue;
		char err[256] = "";
		if (nw != 4 || strcmp(w[0], "bind"))
			snprintf(err, sizeof err, "expected 'bind SCOPE KEY ACTION'");
		else
			keymap_bind_words(k, active, w[1], w[2], w[3], err, sizeof err);
		if (*err) {
			sb_printf(errors, "%s:%d: %s\n", file, lineno, err);
			nerr++;
		}
	}
	return nerr;
}
