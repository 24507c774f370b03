/* llmopsrc: one statement a line (set, label, watch, attach, prompts,
 * provider, bind, color, source), '#' comments. A bad line is reported as
 * "path:line: message" and loading goes on. The parser does no I/O itself:
 * `source` reads through the callback the caller hands in. What one load
 * reads is bounded in files, bytes and statements, so that a file that
 * sources itself ends quickly with an error instead of running on. */
#ifndef LLMOPS_CONFIG_H
#define LLMOPS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "str.h"

/* Options that `set` knows: name, type, default, description. The same
 * table feeds `set` (in the rc file and at the console's `:` line) and
 * `:set NAME`'s description. */
#define CONFIG_OPTIONS(X)                                                                           \
	X(store, STR, NULL, "path of the SQLite store, or clickhouse://[USER@]HOST[:PORT]/DATABASE") \
	X(golden, STR, NULL, "golden dataset file (default: the store)")                            \
	X(pricing_file, STR, NULL, "LiteLLM model_prices_and_context_window.json overriding prices") \
	X(refresh, INT, "5", "seconds between live refreshes")                                      \
	X(window, DUR, "1h", "default time window of the panes")                                    \
	X(budget_daily, NUM, "0", "daily budget in USD (0: none)")                                  \
	X(budget_monthly, NUM, "0", "monthly budget in USD (0: none)")                              \
	X(error_warn, NUM, "2", "error rate (%) shown as a warning")                                \
	X(error_crit, NUM, "5", "error rate (%) shown as critical")                                 \
	X(keymap, STR, "vim", "key bindings: vim or emacs")                                         \
	X(annotator, STR, NULL, "name recorded with labels (default: $USER)")                       \
	X(bell, BOOL, "yes", "ring the terminal bell once when an alert starts to fire")            \
	X(color, BOOL, "yes", "use colours when the terminal has them")                             \
	X(ascii, BOOL, "no", "draw with ASCII only")                                                \
	X(replay_timeout, DUR, "60s", "overall deadline of one replay, retries included")              \
	X(listen, STR, NULL, "OTLP/HTTP receiver address, ADDR:PORT (the console receives when set)")  \
	X(collect_token_cmd, STR, NULL, "command printing the receiver's bearer token")               \
	X(collect_tls_cert, STR, NULL, "PEM certificate file: the receiver speaks HTTPS")             \
	X(collect_tls_key, STR, NULL, "PEM private key file of collect_tls_cert")                     \
	X(alert_cmd, STR, NULL, "command run with an alert's JSON on stdin when a rule fires or resolves") \
	X(alert_webhook, STR, NULL, "URL POSTed {\"text\": ...} when a rule fires or resolves")         \
	X(clickhouse_password_cmd, STR, NULL, "command printing the ClickHouse store's password")       \
	X(clickhouse_ca, STR, NULL, "PEM file of the authorities a secure=1 ClickHouse store is checked against") \
	X(retention, DUR, NULL, "how long a ClickHouse store keeps calls, e.g. 90d (default: for ever)")

enum cfg_type { CFG_STR, CFG_INT, CFG_NUM, CFG_DUR, CFG_BOOL };

typedef struct cfg_value {
	char *s;      /* STR (NULL when unset) */
	double num;   /* INT, NUM, BOOL (0/1) */
	int64_t dur;  /* DUR, nanoseconds */
	int set;      /* given in the rc (not the default) */
} cfg_value;

enum {
#define X(name, type, def, desc) CFG_##name,
	CONFIG_OPTIONS(X)
#undef X
	CFG_COUNT
};

typedef struct cfg_option {
	const char *name;
	enum cfg_type type;
	const char *def;
	const char *desc;
} cfg_option;
extern const cfg_option config_options[CFG_COUNT];

typedef struct cfg_where {
	char *file;
	int line;
} cfg_where;

typedef struct cfg_provider {
	char *name, *type, *base_url;
	char *api_key_env, *api_key_file, *api_key_cmd;
	char *admin_key_env, *admin_key_file, *admin_key_cmd;
	int poll; /* seconds */
	cfg_where at;
} cfg_provider;

typedef struct cfg_path {
	char *kind; /* watch: otlp|jsonl; attach: llm; prompts: NULL */
	char *path;
	cfg_where at;
} cfg_path;

typedef struct cfg_bind {
	char *keymap, *key, *action;
	cfg_where at;
} cfg_bind;

typedef struct cfg_color {
	char *element, *fg, *bg;
	char *attrs; /* space-separated */
	cfg_where at;
} cfg_color;

#define CONFIG_MAX_DEPTH 8             /* source within source */

#define CFG_VEC(T) struct { T *v; size_t n, cap; }

typedef struct config {
	cfg_value opt[CFG_COUNT];
	char *labels[10]; /* labels[1..9]; NULL when unbound */
	CFG_VEC(cfg_path) watches;
	CFG_VEC(cfg_path) attaches;
	CFG_VEC(cfg_path) prompt_dirs;
	CFG_VEC(cfg_provider) providers;
	/* The type= values a provider line may give, NULL-terminated: the
	 * caller's providers (set before loading). NULL: any is taken. */
	const char *const *provider_types;
	CFG_VEC(cfg_bind) binds;
	CFG_VEC(cfg_color) colors;
	alert_rules alerts;          /* `alert` lines, in order */
	CFG_VEC(char *) unalerts;    /* `unalert NAME`: rules (built-in ones too) turned off */
	sbuf errors; /* "path:line: message\n" lines (the first CONFIG_MAX_ERRORS) */
	int nerrors;
	int depth;   /* source nesting */
	const char *reading[CONFIG_MAX_DEPTH + 1]; /* the files open, outermost first */
	/* what this load has read so far, against the limits below */
	int files;
	size_t bytes;
	long statements;
	int stopped; /* a limit was reached: the rest is not read */
} config_t;

#define CONFIG_MAX_FILES 64            /* files read, the first included */
#define CONFIG_MAX_FILE_BYTES (1u << 20) /* one file */
#define CONFIG_MAX_BYTES (4u << 20)      /* all files together */
#define CONFIG_MAX_STATEMENTS 10000
#define CONFIG_MAX_ERRORS 100          /* kept as messages; the rest counted */

/* Reads a whole regular file of at most max bytes; returns malloc'ed bytes
 * and sets *len, or NULL with errno set (ENOENT for a missing file) and the
 * reason in err. */
typedef char *(*config_read_fn)(const char *path, size_t max, size_t *len, char *err, size_t errlen, void *ud);

void config_init(config_t *c);
void config_free(config_t *c);
/* Parses text as if it were the file `path`. Relative paths in it are taken
 * relative to the file's folder; '~/' to $HOME. */
void config_parse(config_t *c, const char *path, const char *text, size_t len, config_read_fn rd, void *ud);
/* Reads and parses path; a missing file is an error only when must_exist. */
int config_load(config_t *c, const char *path, int must_exist, config_read_fn rd, void *ud);
/* Applies one line of the rc file: its words looked up in config_statements. */
int config_statement(config_t *c, const char *line, const char *file, int lineno, config_read_fn rd, void *ud);

/* The rc file's words, which the console's `:` line is split into too:
 * double quotes group (also inside a word: api_key_cmd="pass show x"),
 * backslash escapes inside them, '#' starting a word begins a comment.
 * Returns the count of malloc'ed words, -1 on an unterminated quote, -2
 * on more than max words (nothing is left allocated then). */
#define CONFIG_MAX_WORDS 32
int config_split(const char *line, char **words, int max);
void config_words_free(char **words, int n);

/* Where a statement may be given: the rc file, the console's `:` line. */
enum { CFG_IN_RC = 1, CFG_IN_CONSOLE = 2 };

/* One statement being applied: its words (w[0] is its name) and where it
 * was read (file NULL at the console; rd NULL where nothing is read). */
typedef struct cfg_stmt {
	char **w;
	int n;
	const char *file;
	int line;
	config_read_fn rd;
	void *ud;
	char err[1024]; /* why it failed; empty when it was said already */
} cfg_stmt;

typedef struct cfg_statement {
	const char *name;
	int where; /* CFG_IN_RC, CFG_IN_CONSOLE or both */
	/* 0, or -1 with the reason in s->err */
	int (*run)(config_t *c, cfg_stmt *s);
} cfg_statement;
/* set, label, watch, attach, prompts, provider, bind, color, source; ends
 * with a NULL name. */
extern const cfg_statement config_statements[];
/* The statement called name that may be given where (CFG_IN_*), or NULL. */
const cfg_statement *config_find_statement(const char *name, int where);
/* The words of set (NAME = VALUE, NAME VALUE or NAME=VALUE): the name into
 * name, *value pointing into w (NULL when the words hold none); -1 when
 * there is no name. */
int config_set_args(char **w, int n, char *name, size_t namelen, const char **value);

const char *config_str(const config_t *c, int opt);
double config_num(const config_t *c, int opt);
int64_t config_dur(const config_t *c, int opt);
int config_find_option(const char *name);
/* Sets an option from text; 0 or -1 with a message in err. */
int config_set(config_t *c, const char *name, const char *value, char *err, size_t errlen);

#endif
