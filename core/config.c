#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

const cfg_option config_options[CFG_COUNT] = {
#define X(name, type, def, desc) {#name, CFG_##type, def, desc},
    CONFIG_OPTIONS(X)
#undef X
};

#define VEC_PUSH(vec) \
	((vec).n == (vec).cap ? ((vec).cap = (vec).cap ? (vec).cap * 2 : 4, \
				 (vec).v = xrealloc((vec).v, (vec).cap * sizeof *(vec).v)) : 0, \
	 memset(&(vec).v[(vec).n], 0, sizeof *(vec).v), &(vec).v[(vec).n++])

static void error_at(config_t *c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void error_at(config_t *c, const char *file, int line, const char *fmt, ...)
{
	/* A file of nothing but bad lines must not turn into megabytes of
	 * messages: the first ones say what is wrong, the rest are counted. The
	 * one that stops the load is always told. */
	if (c->nerrors++ >= CONFIG_MAX_ERRORS && !c->stopped)
		return;
	if (line > 0)
		sb_printf(&c->errors, "%s:%d: ", file, line);
	else
		sb_printf(&c->errors, "%s: ", file);
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&c->errors, fmt, ap);
	va_end(ap);
	sb_addc(&c->errors, '\n');
}

int config_find_option(const char *name)
{
	for (int i = 0; i < CFG_COUNT; i++)
		if (strcmp(config_options[i].name, name) == 0)
			return i;
	return -1;
}

static int parse_bool(const char *v, double *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false", "off", "0"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int set_value(cfg_value *val, const cfg_option *o, const char *v, char *err, size_t errlen)
{
	char *end;
	switch (o->type) {
	case CFG_STR:
		free(val->s);
		val->s = xstrdup(v);
		break;
	case CFG_INT: {
		long n = strtol(v, &end, 10);
		if (end == v || *end || n < 0) {
			snprintf(err, errlen, "%s: expected a whole number, got '%s'", o->name, v);
			return -1;
		}
		val->num = (double)n;
		break;
	}
	case CFG_NUM: {
		double n = strtod(v, &end);
		if (end == v || *end || n < 0) {
			snprintf(err, errlen, "%s: expected a number, got '%s'", o->name, v);
			return -1;
		}
		val->num = n;
		break;
	}
	case CFG_DUR:
		if (clock_parse_dur(v, &val->dur)) {
			snprintf(err, errlen, "%s: expected a duration like 15m, 1h or 7d, got '%s'", o->name, v);
			return -1;
		}
		break;
	case CFG_BOOL:
		if (parse_bool(v, &val->num)) {
			snprintf(err, errlen, "%s: expected yes or no, got '%s'", o->name, v);
			return -1;
		}
		break;
	}
	return 0;
}

int config_set(config_t *c, const char *name, const char *value, char *err, size_t errlen)
{
	int i = config_find_option(name);
	if (i < 0) {
		snprintf(err, errlen, "unknown option '%s'", name);
		return -1;
	}
	const cfg_option *o = &config_options[i];
	if (i == CFG_keymap && strcmp(value, "vim") && strcmp(value, "emacs")) {
		snprintf(err, errlen, "keymap: expected vim or emacs, got '%s'", value);
		return -1;
	}
	if (i == CFG_refresh && atoi(value) < 1) {
		snprintf(err, errlen, "refresh: expected at least 1 second, got '%s'", value);
		return -1;
	}
	cfg_value tmp = c->opt[i];
	tmp.s = NULL;
	if (set_value(&tmp, o, value, err, errlen))
		return -1;
	if (o->type == CFG_STR) {
		free(c->opt[i].s);
	}
	c->opt[i] = tmp;
	c->opt[i].set = 1;
	return 0;
}

void config_init(config_t *c)
{
	memset(c, 0, sizeof *c);
	char err[128];
	for (int i = 0; i < CFG_COUNT; i++)
		if (config_options[i].def)
			set_value(&c->opt[i], &config_options[i], config_options[i].def, err, sizeof err);
	c->labels[1] = xstrdup("good");
	c->labels[2] = xstrdup("bad");
}

static void free_where(cfg_where *w)
{
	free(w->file);
}

static void provider_free(cfg_provider *p)
{
	free(p->name);
	free(p->type);
	free(p->base_url);
	free(p->api_key_env);
	free(p->api_key_file);
	free(p->api_key_cmd);
	free(p->admin_key_env);
	free(p->admin_key_file);
	free(p->admin_key_cmd);
	free_where(&p->at);
}

void config_free(config_t *c)
{
	alert_rules_free(&c->alerts);
	for (size_t i = 0; i < c->unalerts.n; i++)
		free(c->unalerts.v[i]);
	free(c->unalerts.v);
	for (int i = 0; i < CFG_COUNT; i++)
		free(c->opt[i].s);
	for (int i = 0; i < 10; i++)
		free(c->labels[i]);
	for (size_t i = 0; i < c->watches.n; i++) {
		free(c->watches.v[i].kind);
		free(c->watches.v[i].path);
		free_where(&c->watches.v[i].at);
	}
	for (size_t i = 0; i < c->attaches.n; i++) {
		free(c->attaches.v[i].kind);
		free(c->attaches.v[i].path);
		free_where(&c->attaches.v[i].at);
	}
	for (size_t i = 0; i < c->prompt_dirs.n; i++) {
		free(c->prompt_dirs.v[i].path);
		free_where(&c->prompt_dirs.v[i].at);
	}
	for (size_t i = 0; i < c->providers.n; i++) {
		provider_free(&c->providers.v[i]);
	}
	for (size_t i = 0; i < c->binds.n; i++) {
		free(c->binds.v[i].keymap);
		free(c->binds.v[i].key);
		free(c->binds.v[i].action);
		free_where(&c->binds.v[i].at);
	}
	for (size_t i = 0; i < c->colors.n; i++) {
		free(c->colors.v[i].element);
		free(c->colors.v[i].fg);
		free(c->colors.v[i].bg);
		free(c->colors.v[i].attrs);
		free_where(&c->colors.v[i].at);
	}
	free(c->watches.v);
	free(c->attaches.v);
	free(c->prompt_dirs.v);
	free(c->providers.v);
	free(c->binds.v);
	free(c->colors.v);
	sb_free(&c->errors);
	memset(c, 0, sizeof *c);
}

const char *config_str(const config_t *c, int opt)
{
	return c->opt[opt].s;
}

double config_num(const config_t *c, int opt)
{
	return c->opt[opt].num;
}

int64_t config_dur(const config_t *c, int opt)
{
	return c->opt[opt].dur;
}

static int load_file(config_t *c, const char *path, int must_exist, config_read_fn rd, void *ud, const char *from,
		     int from_line);

/* Splits a line into words. Double quotes group (and may sit inside a word,
 * as in api_key_cmd="pass show x"), backslash escapes inside quotes, '#'
 * at the start of a word begins a comment. Returns the count, -1 on an
 * unterminated quote, -2 on more than max words. */
int config_split(const char *line, char **words, int max)
{
	int n = 0;
	const char *p = line;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max) {
			config_words_free(words, n);
			return -2;
		}
		sbuf w = SBUF_INIT;
		int quoted = 0;
		while (*p && (quoted || !isspace((unsigned char)*p))) {
			if (*p == '"') {
				quoted = !quoted;
				p++;
				continue;
			}
			if (quoted && *p == '\\' && p[1]) {
				p++;
			}
			sb_addc(&w, *p++);
		}
		if (quoted) {
			sb_free(&w);
			config_words_free(words, n);
			return -1;
		}
		words[n++] = sb_steal(&w);
	}
	return n;
}

void config_words_free(char **words, int n)
{
	for (int i = 0; i < n; i++)
		free(words[i]);
}

/* '~/x' -> $HOME/x; a relative path -> relative to the rc file's folder. */
static char *resolve_path(const char *path, const char *file)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == 0)) {
		const char *home = getenv("HOME");
		sbuf b = SBUF_INIT;
		sb_printf(&b, "%s%s", home ? home : "", path + 1);
		return sb_steal(&b);
	}
	if (path[0] == '/' || !file || !strchr(file, '/'))
		return xstrdup(path);
	const char *slash = strrchr(file, '/');
	sbuf b = SBUF_INIT;
	sb_add(&b, file, (size_t)(slash - file) + 1);
	sb_adds(&b, path);
	return sb_steal(&b);
}

static cfg_where where(const char *file, int line)
{
	cfg_where w = {xstrdup(file ? file : ""), line};
	return w;
}

static int fail(cfg_stmt *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(cfg_stmt *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return -1;
}

int config_set_args(char **w, int n, char *name, size_t namelen, const char **value)
{
	/* set NAME = VALUE, set NAME VALUE, set NAME=VALUE */
	*value = NULL;
	if (n < 2)
		return -1;
	const char *eq = strchr(w[1], '=');
	snprintf(name, namelen, "%.*s", (int)(eq ? eq - w[1] : (long)strlen(w[1])), w[1]);
	if (eq)
		*value = eq + 1;
	else if (n == 4 && !strcmp(w[2], "="))
		*value = w[3];
	else if (n == 3)
		*value = w[2][0] == '=' ? w[2] + 1 : w[2];
	return *name ? 0 : -1;
}

static int st_set(config_t *c, cfg_stmt *s)
{
	char name[64];
	const char *value;
	if (config_set_args(s->w, s->n, name, sizeof name, &value) || !value)
		return fail(s, "set: expected 'set NAME = VALUE'");
	if (config_set(c, name, value, s->err, sizeof s->err))
		return -1;
	int i = config_find_option(name);
	/* A database server's URL is no path to resolve. */
	if ((i == CFG_store || i == CFG_golden || i == CFG_pricing_file) && c->opt[i].s &&
	    strncmp(c->opt[i].s, "clickhouse://", 13)) {
		char *abs = resolve_path(c->opt[i].s, s->file);
		free(c->opt[i].s);
		c->opt[i].s = abs;
	}
	return 0;
}

static int st_label(config_t *c, cfg_stmt *s)
{
	char **w = s->w;
	if (s->n != 3 || strlen(w[1]) != 1 || w[1][0] < '1' || w[1][0] > '9')
		return fail(s, "label: expected 'label KEY NAME' with KEY 1 to 9");
	int k = w[1][0] - '0';
	free(c->labels[k]);
	c->labels[k] = xstrdup(w[2]);
	return 0;
}

/* watch otlp|jsonl PATH, attach llm PATH */
static int st_watch(config_t *c, cfg_stmt *s)
{
	char **w = s->w;
	const char *cmd = w[0];
	int watch = cmd[0] == 'w';
	const char *kinds = watch ? "otlp|jsonl" : "llm";
	if (s->n != 3 || (watch ? strcmp(w[1], "otlp") && strcmp(w[1], "jsonl") : strcmp(w[1], "llm")))
		return fail(s, "%s: expected '%s %s PATH'", cmd, cmd, kinds);
	cfg_path *p = watch ? VEC_PUSH(c->watches) : VEC_PUSH(c->attaches);
	p->kind = xstrdup(w[1]);
	p->path = resolve_path(w[2], s->file);
	p->at = where(s->file, s->line);
	return 0;
}

/* alert NAME METRIC OP VALUE ...: a later line of the same name replaces
 * the earlier one (an rc sourced after another can retune its rules). */
static int st_alert(config_t *c, cfg_stmt *s)
{
	alert_rule r;
	if (alert_rule_parse((const char *const *)s->w, s->n, &r, s->err, sizeof s->err))
		return -1;
	r.file = s->file ? xstrdup(s->file) : NULL;
	r.line = s->line;
	alert_rule *old = alert_rules_find(&c->alerts, r.name);
	if (old) {
		alert_rule_free(old);
		*old = r;
	} else {
		alert_rules_add(&c->alerts, &r);
	}
	return 0;
}

/* unalert NAME...: turns rules off, the built-in thresholds included
 * (`unalert builtin` turns all of those off). */
static int st_unalert(config_t *c, cfg_stmt *s)
{
	if (s->n < 2)
		return fail(s, "unalert: expected 'unalert NAME...' (or 'unalert builtin')");
	for (int i = 1; i < s->n; i++)
		*VEC_PUSH(c->unalerts) = xstrdup(s->w[i]);
	return 0;
}

static int st_prompts(config_t *c, cfg_stmt *s)
{
	if (s->n != 2)
		return fail(s, "prompts: expected 'prompts PATH'");
	cfg_path *p = VEC_PUSH(c->prompt_dirs);
	p->path = resolve_path(s->w[1], s->file);
	p->at = where(s->file, s->line);
	return 0;
}

/* The provider types the caller speaks, joined: "openai|anthropic" with
 * sep "|", "openai or anthropic" with last " or ". */
static void type_list(const config_t *c, sbuf *b, const char *sep, const char *last)
{
	const char *const *t = c->provider_types;
	if (!t || !t[0]) {
		sb_adds(b, "TYPE");
		return;
	}
	for (size_t i = 0; t[i]; i++)
		sb_printf(b, "%s%s", i == 0 ? "" : t[i + 1] ? sep : last, t[i]);
}

static int known_type(const config_t *c, const char *v)
{
	if (!c->provider_types)
		return 1;
	for (size_t i = 0; c->provider_types[i]; i++)
		if (!strcmp(c->provider_types[i], v))
			return 1;
	return 0;
}

static int st_provider(config_t *c, cfg_stmt *s)
{
	char **w = s->w;
	int n = s->n;
	if (n < 2) {
		sbuf types = SBUF_INIT;
		type_list(c, &types, "|", "|");
		fail(s, "provider: expected 'provider NAME type=%s ...'", sb_str(&types));
		sb_free(&types);
		return -1;
	}
	cfg_provider p = {0};
	p.poll = 60;
	p.name = xstrdup(w[1]);
	int bad = 0;
	for (int i = 2; i < n && !bad; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq) {
			bad = fail(s, "provider %s: expected key=value, got '%s'", p.name, w[i]);
			break;
		}
		*eq = 0;
		const char *k = w[i], *v = eq + 1;
		char **slot = NULL;
		if (!strcmp(k, "type")) {
			if (!known_type(c, v)) {
				sbuf or = SBUF_INIT;
				type_list(c, &or, ", ", " or ");
				bad = fail(s, "provider %s: type must be %s, got '%s'", p.name, sb_str(&or), v);
				sb_free(&or);
			}
			slot = &p.type;
		} else if (!strcmp(k, "base_url"))
			slot = &p.base_url;
		else if (!strcmp(k, "api_key_env"))
			slot = &p.api_key_env;
		else if (!strcmp(k, "api_key_file"))
			slot = &p.api_key_file;
		else if (!strcmp(k, "api_key_cmd"))
			slot = &p.api_key_cmd;
		else if (!strcmp(k, "admin_key_env"))
			slot = &p.admin_key_env;
		else if (!strcmp(k, "admin_key_file"))
			slot = &p.admin_key_file;
		else if (!strcmp(k, "admin_key_cmd"))
			slot = &p.admin_key_cmd;
		else if (!strcmp(k, "poll")) {
			char *end;
			long sec = strtol(v, &end, 10);
			if (end == v || *end || sec < 10)
				bad = fail(s, "provider %s: poll must be a number of seconds >= 10, got '%s'", p.name, v);
			p.poll = (int)sec;
		} else if (!strcmp(k, "api_key") || !strcmp(k, "admin_key") || !strcmp(k, "key")) {
			bad = fail(s, "provider %s: keys are never written in the rc file; use %s_env, %s_file or %s_cmd",
				   p.name, k, k, k);
		} else {
			bad = fail(s, "provider %s: unknown setting '%s'", p.name, k);
		}
		if (slot && !bad) {
			free(*slot);
			*slot = (slot == &p.api_key_file || slot == &p.admin_key_file) ? resolve_path(v, s->file) : xstrdup(v);
		}
	}
	if (!bad && !p.type) {
		/* A provider named as a type is of that type. */
		const char *guess = c->provider_types && known_type(c, p.name) ? p.name : NULL;
		if (!guess) {
			sbuf types = SBUF_INIT;
			type_list(c, &types, "|", "|");
			bad = fail(s, "provider %s: missing type=%s", p.name, sb_str(&types));
			sb_free(&types);
		} else {
			p.type = xstrdup(guess);
		}
	}
	if (bad) {
		provider_free(&p);
		return -1;
	}
	p.at = where(s->file, s->line);
	/* A later line for the same provider replaces the earlier one. */
	for (size_t i = 0; i < c->providers.n; i++) {
		if (strcmp(c->providers.v[i].name, p.name) == 0) {
			provider_free(&c->providers.v[i]);
			c->providers.v[i] = p;
			return 0;
		}
	}
	*VEC_PUSH(c->providers) = p;
	return 0;
}

static int st_bind(config_t *c, cfg_stmt *s)
{
	if (s->n != 4)
		return fail(s, "bind: expected 'bind KEYMAP KEY ACTION'");
	cfg_bind *b = VEC_PUSH(c->binds);
	b->keymap = xstrdup(s->w[1]);
	b->key = xstrdup(s->w[2]);
	b->action = xstrdup(s->w[3]);
	b->at = where(s->file, s->line);
	return 0;
}

static int st_color(config_t *c, cfg_stmt *s)
{
	char **w = s->w;
	if (s->n < 4)
		return fail(s, "color: expected 'color ELEMENT FG BG [ATTR...]'");
	cfg_color *col = VEC_PUSH(c->colors);
	col->element = xstrdup(w[1]);
	col->fg = xstrdup(w[2]);
	col->bg = xstrdup(w[3]);
	sbuf a = SBUF_INIT;
	for (int i = 4; i < s->n; i++) {
		if (i > 4)
			sb_addc(&a, ' ');
		sb_adds(&a, w[i]);
	}
	col->attrs = sb_steal(&a);
	col->at = where(s->file, s->line);
	return 0;
}

/* What the files it reads get wrong, load_file says itself, at this line. */
static int st_source(config_t *c, cfg_stmt *s)
{
	if (s->n != 2)
		return fail(s, "source: expected 'source PATH'");
	if (c->depth >= CONFIG_MAX_DEPTH)
		return fail(s, "source: nested more than %d deep", CONFIG_MAX_DEPTH);
	if (!s->rd)
		return fail(s, "source: nothing to read files with here");
	char *p = resolve_path(s->w[1], s->file);
	int rc = load_file(c, p, 1, s->rd, s->ud, s->file, s->line);
	free(p);
	return rc;
}

const cfg_statement config_statements[] = {
    {"set", CFG_IN_RC | CFG_IN_CONSOLE, st_set},
    {"label", CFG_IN_RC, st_label},
    {"watch", CFG_IN_RC, st_watch},
    {"attach", CFG_IN_RC, st_watch},
    {"prompts", CFG_IN_RC, st_prompts},
    {"provider", CFG_IN_RC, st_provider},
    {"bind", CFG_IN_RC | CFG_IN_CONSOLE, st_bind},
    {"color", CFG_IN_RC, st_color},
    {"source", CFG_IN_RC, st_source},
    {"alert", CFG_IN_RC, st_alert},
    {"unalert", CFG_IN_RC, st_unalert},
    {NULL, 0, NULL},
};

const cfg_statement *config_find_statement(const char *name, int where_allowed)
{
	for (const cfg_statement *st = config_statements; st->name; st++)
		if (!strcmp(st->name, name) && (st->where & where_allowed))
			return st;
	return NULL;
}

int config_statement(config_t *c, const char *text, const char *file, int line, config_read_fn rd, void *ud)
{
	char *w[CONFIG_MAX_WORDS];
	int n = config_split(text, w, CONFIG_MAX_WORDS);
	if (n == -1) {
		error_at(c, file, line, "unterminated quote");
		return -1;
	}
	if (n == -2) {
		error_at(c, file, line, "too many words");
		return -1;
	}
	if (n == 0)
		return 0;
	int rc = -1;
	const cfg_statement *st = config_find_statement(w[0], CFG_IN_RC);
	cfg_stmt s = {.w = w, .n = n, .file = file, .line = line, .rd = rd, .ud = ud};
	if (!st)
		error_at(c, file, line, "unknown statement '%s'", w[0]);
	else if ((rc = st->run(c, &s)) && s.err[0])
		error_at(c, file, line, "%s", s.err);
	config_words_free(w, n);
	return rc;
}

void config_parse(config_t *c, const char *path, const char *text, size_t len, config_read_fn rd, void *ud)
{
	const char *p = text, *end = text + len;
	/* Editors on Windows start UTF-8 files with a byte order mark. */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	int line = 0;
	while (p < end && !c->stopped) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line++;
		size_t k = 0;
		while (k < n && isspace((unsigned char)p[k]))
			k++;
		if (k < n && p[k] != '#' && ++c->statements > CONFIG_MAX_STATEMENTS) {
			c->stopped = 1;
			error_at(c, path, line, "more than %d statements in all; the rest is not read", CONFIG_MAX_STATEMENTS);
		} else if (memchr(p, 0, n)) {
			error_at(c, path, line, "binary data");
		} else if (k < n) {
			char *l = xstrndup(p, n);
			config_statement(c, l, path, line, rd, ud);
			free(l);
		}
		p += n + 1;
	}
}

/* Reads and parses one file; from/from_line name the `source` statement
 * that asked for it (NULL for the rc itself), so that an error says where
 * the file was named. */
static int load_file(config_t *c, const char *path, int must_exist, config_read_fn rd, void *ud, const char *from,
		     int from_line)
{
	const char *what = from ? "source " : "";
	for (int i = 0; i < c->depth; i++)
		if (!strcmp(c->reading[i], path)) {
			error_at(c, from, from_line, "source %s: already being read (it sources itself)", path);
			return -1;
		}
	if (c->files >= CONFIG_MAX_FILES) {
		/* Files that fan out into more files: whatever follows would be
		 * refused the same way. */
		c->stopped = 1;
		error_at(c, from ? from : path, from_line, "%s%s: not read: more than %d files in all; the rest is not read",
			 what, path, CONFIG_MAX_FILES);
		return -1;
	}
	size_t len = 0;
	char err[256] = "";
	errno = 0;
	char *text = rd(path, CONFIG_MAX_FILE_BYTES, &len, err, sizeof err, ud);
	if (!text) {
		if (errno == ENOENT && !must_exist)
			return 0;
		error_at(c, from ? from : path, from_line, "%s%s: cannot read: %s", what, path,
			 *err ? err : strerror(errno ? errno : EIO));
		return -1;
	}
	c->files++;
	if (len > CONFIG_MAX_BYTES - c->bytes) {
		c->stopped = 1;
		error_at(c, from ? from : path, from_line, "%s%s: not read: the rc files would exceed %u MiB in all; the rest is not read", what,
			 path, CONFIG_MAX_BYTES >> 20);
		free(text);
		return -1;
	}
	c->bytes += len;
	c->reading[c->depth++] = path;
	config_parse(c, path, text, len, rd, ud);
	c->depth--;
	free(text);
	return 0;
}

int config_load(config_t *c, const char *path, int must_exist, config_read_fn rd, void *ud)
{
	int before = c->nerrors;
	int rc = load_file(c, path, must_exist, rd, ud, NULL, 0);
	if (c->nerrors > CONFIG_MAX_ERRORS && before < CONFIG_MAX_ERRORS)
		sb_printf(&c->errors, "%s: %d more errors not shown\n", path, c->nerrors - CONFIG_MAX_ERRORS);
	return rc;
}
