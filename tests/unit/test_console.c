/* The console's `:` line: the rc file's words and statements, the commands'
 * messages, and a console that cannot start leaving nothing behind. */
#include <fcntl.h>
#include <unistd.h>

#include "../../views/view.h"
#include "t.h"

/* An app with what `:` commands touch: the config, the keys, the filter. */
typedef struct console {
	app_t a;
	config_t cfg;
} console;

static void console_init(console *c)
{
	memset(c, 0, sizeof *c);
	config_init(&c->cfg);
	c->a.cfg = &c->cfg;
	c->a.keymap_name = "vim";
	sbuf errs = SBUF_INIT;
	keymap_load(&c->a.keys, "vim", keymap_builtin("vim"), "vim", &errs);
	ck_assert_uint_eq(errs.len, 0);
	sb_free(&errs);
	filter_init(&c->a.filter);
	snprintf(c->a.window_name, sizeof c->a.window_name, "1h");
}

static void console_free(console *c)
{
	keymap_free(&c->a.keys);
	filter_free(&c->a.filter);
	config_free(&c->cfg);
}

static char *no_files(const char *path, size_t max, size_t *len, char *err, size_t errlen, void *ud)
{
	(void)path, (void)max, (void)len, (void)ud;
	snprintf(err, errlen, "no files here");
	return NULL;
}

START_TEST(console_set_quotes_as_the_rc_file)
{
	/* The same line, in the rc file and at `:`, sets the same value. */
	static const char *const lines[] = {
	    "set annotator \"Jane Doe\"",
	    "set annotator = \"Jane Doe\"",
	    "set annotator=\"Jane Doe\"",
	    "set annotator \"Jane \\\"JD\\\" Doe\"",
	};
	static const char *const want[] = {"Jane Doe", "Jane Doe", "Jane Doe", "Jane \"JD\" Doe"};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		config_t rc;
		config_init(&rc);
		config_parse(&rc, "rc", lines[i], strlen(lines[i]), no_files, NULL);
		ck_assert_int_eq(rc.nerrors, 0);
		ck_assert_str_eq(config_str(&rc, CFG_annotator), want[i]);
		config_free(&rc);

		console c;
		console_init(&c);
		app_run_command(&c.a, lines[i]);
		ck_assert_msg(config_str(&c.cfg, CFG_annotator) != NULL, "%s: not set (%s)", lines[i], c.a.msg);
		ck_assert_str_eq(config_str(&c.cfg, CFG_annotator), want[i]);
		console_free(&c);
	}
}
END_TEST

START_TEST(console_set_messages)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
	    {"set window = 15m", ""},
	    {"set refresh", "refresh: seconds between live refreshes"},
	    {"set refresh=", "refresh: seconds between live refreshes"},
	    {"set nonsense", "set: unknown option 'nonsense'"},
	    {"set nonsense 1", "set: unknown option 'nonsense'"},
	    {"set window soon", "set: window: expected a duration like 15m, 1h or 7d, got 'soon'"},
	    {"set", "set: expected 'set NAME = VALUE'"},
	    {"set annotator \"Jane", "set: unterminated quote"},
	    {"bind vim", "bind: expected 'bind KEYMAP KEY ACTION'"},
	    {"frobnicate now",
	     "unknown command 'frobnicate' (window, filter, view, sort, diff, set, bind, replay, compare, save-display, write, help, q)"},
	    {"label 1 good", "unknown command 'label' (window, filter, view, sort, diff, set, bind, replay, compare, save-display, write, help, q)"},
	    {"view nowhere", "view: dashboard, traces, prompts, compare, alerts or help, not 'nowhere'"},
	    {"compare yesterday", "compare: expected DUR or since NAME@VERSION|TIME, got 'yesterday'"},
	    {"compare 1h 2h", "compare: expected DUR or since NAME@VERSION|TIME, got '2h'"},
	    {"compare since", "compare: since what? (since NAME@VERSION or since TIME)"},
	    {"sort size", "sort: time, latency or cost, not 'size'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		console c;
		console_init(&c);
		app_run_command(&c.a, cases[i].line);
		ck_assert_msg(!strcmp(c.a.msg, cases[i].msg), ":%s said '%s', not '%s'", cases[i].line, c.a.msg,
			      cases[i].msg);
		console_free(&c);
	}
	console c;
	console_init(&c);
	app_run_command(&c.a, "set window = 15m");
	ck_assert_str_eq(c.a.window_name, "15m");
	app_run_command(&c.a, "  set window=2h ");
	ck_assert_str_eq(c.a.window_name, "2h");
	console_free(&c);
}
END_TEST

START_TEST(console_bind_takes_effect)
{
	console c;
	console_init(&c);
	ck_assert_int_ne(keymap_lookup(&c.a.keys, SC_TRACES, 'Z'), A_QUIT);
	app_run_command(&c.a, "bind vim \"Z\" quit");
	ck_assert_str_eq(c.a.msg, "Z bound to quit");
	ck_assert_int_eq(keymap_lookup(&c.a.keys, SC_TRACES, 'Z'), A_QUIT);
	size_t kept = c.cfg.binds.n;
	/* A binding the keymap refuses is said, and not kept. */
	app_run_command(&c.a, "bind vim Z no-such-action");
	ck_assert_ptr_nonnull(strstr(c.a.msg, "no-such-action"));
	ck_assert_uint_eq(c.cfg.binds.n, kept);
	ck_assert_int_eq(keymap_lookup(&c.a.keys, SC_TRACES, 'Z'), A_QUIT);
	console_free(&c);
}
END_TEST

START_TEST(console_statements_where_allowed)
{
	ck_assert_ptr_nonnull(config_find_statement("set", CFG_IN_CONSOLE));
	ck_assert_ptr_nonnull(config_find_statement("bind", CFG_IN_CONSOLE));
	ck_assert_ptr_null(config_find_statement("source", CFG_IN_CONSOLE));
	ck_assert_ptr_nonnull(config_find_statement("source", CFG_IN_RC));
	/* Every console command but the aliases is named in help or is help. */
	for (const app_command *c = app_commands; c->name; c++)
		ck_assert_msg(c->usage || c->alias || !strcmp(c->name, "help"), "%s", c->name);
}
END_TEST

START_TEST(console_bad_store_frees_everything)
{
	/* Not a database: app_main returns 1 before the screen is up, and
	 * under the sanitizers the store, querier and poller are not leaked. */
	char *path = t_path("bad.db");
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 8192; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	config_t cfg;
	config_init(&cfg);
	app_opts o = {.cfg = &cfg, .store_path = path, .view = "traces"};
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 2); /* its "not a database" is not this test's output */
	int rc = app_main(&o);
	dup2(saved, 2);
	close(saved);
	close(null);
	ck_assert_int_eq(rc, 1);
	config_free(&cfg);
	free(path);
}
END_TEST

Suite *suite_console(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("commands");
	tcase_add_test(tc, console_set_quotes_as_the_rc_file);
	tcase_add_test(tc, console_set_messages);
	tcase_add_test(tc, console_bind_takes_effect);
	tcase_add_test(tc, console_statements_where_allowed);
	tcase_add_test(tc, console_bad_store_frees_everything);
	suite_add_tcase(s, tc);
	return s;
}
