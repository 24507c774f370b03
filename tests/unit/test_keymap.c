/* Keys and bindings: the names a user writes in a `bind` line, which view a
 * binding reaches, the keymap a line is meant for, and the errors of a key
 * file with their line. */
#include "../../core/action.h"
#include "../../core/keymap.h"
#include "t.h"

static int key_of(const char *name)
{
	int k = -12345;
	ck_assert_msg(keycode_parse(name, &k) == 0, "'%s' not read as a key", name);
	return k;
}

START_TEST(keycode_names)
{
	ck_assert_int_eq(key_of("j"), 'j');
	ck_assert_int_eq(key_of("?"), '?');
	ck_assert_int_eq(key_of("<"), '<');
	ck_assert_int_eq(key_of("é"), 0xe9);
	ck_assert_int_eq(key_of("<Enter>"), K_ENTER);
	ck_assert_int_eq(key_of("<enter>"), K_ENTER); /* names in any case */
	ck_assert_int_eq(key_of("<Esc>"), K_ESC);
	ck_assert_int_eq(key_of("<Tab>"), K_TAB);
	ck_assert_int_eq(key_of("<PgDn>"), K_PGDN);
	ck_assert_int_eq(key_of("<BackTab>"), K_BTAB);
	ck_assert_int_eq(key_of("<Space>"), ' ');
	ck_assert_int_eq(key_of("<Hash>"), '#');
	ck_assert_int_eq(key_of("<LessThan>"), '<');
	ck_assert_int_eq(key_of("<F1>"), K_F1);
	ck_assert_int_eq(key_of("<F12>"), K_F12);
	/* Control keys: either spelling, either case, the same key as the terminal sends. */
	ck_assert_int_eq(key_of("<C-f>"), 6);
	ck_assert_int_eq(key_of("<c-F>"), 6);
	ck_assert_int_eq(key_of("<Ctrl-b>"), 2);
	/* Alt keys (Esc and the key at once) and the keys after emacs's C-x prefix. */
	ck_assert_int_eq(key_of("<M-v>"), K_META('v'));
	ck_assert_int_eq(key_of("<M-<>"), K_META('<'));
	ck_assert_int_eq(key_of("<M->>"), K_META('>'));
	ck_assert_int_eq(key_of("<M-Up>"), K_META(K_UP));
	ck_assert_int_eq(key_of("<C-x><C-c>"), K_CX(K_CTRL('C')));
	ck_assert_int_eq(key_of("<C-x>k"), K_CX('k'));
	ck_assert_int_ne(key_of("<M-v>"), 'v');
	/* What is no key at all. */
	const char *bad[] = {"<M->", "<C-x><C-x><C-c>", "<M-<M-v>>", "", "jj", "<F13>", "<F0>", "<Nope>", "<C-1>", "<C-ab>", "<Enter", "\x01", "\t",
			     "<verylongnamethatisnotakeyatallreally>", NULL};
	for (int i = 0; bad[i]; i++) {
		int k = -12345;
		ck_assert_msg(keycode_parse(bad[i], &k) == -1, "'%s' read as key %d", bad[i], k);
	}
}
END_TEST

/* The name a key is shown by (help, :bind) reads back as the same key. */
START_TEST(keycode_name_round_trip)
{
	const int keys[] = {'j', 'G', '?', '#', '<', ' ', 0xe9, K_ENTER, K_ESC, K_TAB, K_UP, K_PGDN, K_BTAB,
			    K_F1 + 4, K_CTRL('F'), K_CTRL('W'), K_BACKSPACE, K_META('v'), K_META('<'), K_META('>'),
			    K_META(K_UP), K_CX(K_CTRL('C')), K_CX('<')};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		char name[32];
		keycode_name(keys[i], name, sizeof name);
		int back = -1;
		ck_assert_msg(keycode_parse(name, &back) == 0, "key %d shown as '%s', which does not read back", keys[i],
			      name);
		ck_assert_msg(back == keys[i], "key %d shown as '%s', read back as %d", keys[i], name, back);
	}
	char name[32];
	keycode_name(K_CTRL('F'), name, sizeof name);
	ck_assert_str_eq(name, "<C-f>");
	keycode_name(K_ENTER, name, sizeof name);
	ck_assert_str_eq(name, "<Enter>");
}
END_TEST

START_TEST(scope_names)
{
	ck_assert_int_eq(scope_parse("generic"), SC_GENERIC);
	ck_assert_int_eq(scope_parse("traces"), SC_TRACES);
	ck_assert_int_eq(scope_parse("diff"), SC_DIFF);
	ck_assert_int_eq(scope_parse("Traces"), -1);
	ck_assert_int_eq(scope_parse("trace"), SC_TRACE);
	ck_assert_int_eq(scope_parse("trace_"), -1);
	for (int s = 0; s < SC_COUNT; s++)
		ck_assert_int_eq(scope_parse(scope_name(s)), s);
	ck_assert_str_eq(scope_name(SC_COUNT), "?");
	ck_assert_str_eq(scope_name(-1), "?");
}
END_TEST

/* A view's binding beats the generic one in that view only; a key bound in
 * one view does nothing in another. */
START_TEST(lookup_by_scope)
{
	keymap_t k = {0};
	keymap_bind(&k, SC_GENERIC, 'j', A_MOVE_DOWN);
	keymap_bind(&k, SC_TRACES, 'j', A_MOVE_UP);
	keymap_bind(&k, SC_CALL, 'x', A_QUIT);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'j'), A_MOVE_UP);
	ck_assert_int_eq(keymap_lookup(&k, SC_DASHBOARD, 'j'), A_MOVE_DOWN);
	ck_assert_int_eq(keymap_lookup(&k, SC_GENERIC, 'j'), A_MOVE_DOWN);
	ck_assert_int_eq(keymap_lookup(&k, SC_CALL, 'x'), A_QUIT);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'x'), A_NONE);
	ck_assert_int_eq(keymap_lookup(&k, SC_GENERIC, 'x'), A_NONE);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'z'), A_NONE);
	/* A later binding of the same key in the same scope replaces the earlier one. */
	keymap_bind(&k, SC_GENERIC, 'j', A_BACK);
	ck_assert_int_eq(keymap_lookup(&k, SC_DASHBOARD, 'j'), A_BACK);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'j'), A_MOVE_UP);
	/* Unbound in one view ("none"): gone there, still generic elsewhere. */
	keymap_bind(&k, SC_HELP, 'j', A_NONE);
	ck_assert_int_eq(keymap_lookup(&k, SC_HELP, 'j'), A_NONE);
	ck_assert_int_eq(keymap_lookup(&k, SC_PROMPTS, 'j'), A_BACK);
	/* Many bindings: the table grows and keeps every one. */
	for (int c = 0x100; c < 0x100 + 500; c++)
		keymap_bind(&k, c % 2 ? SC_DIFF : SC_GENERIC, c, A_QUIT);
	ck_assert_int_eq(keymap_lookup(&k, SC_REPLAY, 0x100), A_QUIT);
	ck_assert_int_eq(keymap_lookup(&k, SC_REPLAY, 0x101), A_NONE);
	ck_assert_int_eq(keymap_lookup(&k, SC_DIFF, 0x101), A_QUIT);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'j'), A_MOVE_UP);
	keymap_free(&k);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'j'), A_NONE);
}
END_TEST

static int bind(keymap_t *k, const char *active, const char *scope, const char *key, const char *action, char *err)
{
	err[0] = 0;
	return keymap_bind_words(k, active, scope, key, action, err, 256);
}

START_TEST(bind_words)
{
	keymap_t k = {0};
	char err[256];
	ck_assert_int_eq(bind(&k, "vim", "traces", "<C-d>", "page-down", err), 0);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, K_CTRL('D')), A_PAGE_DOWN);
	ck_assert_int_eq(keymap_lookup(&k, SC_CALL, K_CTRL('D')), A_NONE);
	/* A keymap's name alone is its generic scope. */
	ck_assert_int_eq(bind(&k, "vim", "vim", "K", "move-up", err), 0);
	ck_assert_int_eq(keymap_lookup(&k, SC_DIFF, 'K'), A_MOVE_UP);
	/* KEYMAP.SCOPE: for that keymap only; another keymap's line is read, checked, and left out. */
	ck_assert_int_eq(bind(&k, "vim", "emacs.traces", "<C-v>", "page-down", err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, K_CTRL('V')), A_NONE);
	ck_assert_int_eq(bind(&k, "emacs", "emacs.traces", "<C-v>", "page-down", err), 0);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, K_CTRL('V')), A_PAGE_DOWN);
	ck_assert_int_eq(bind(&k, "emacs", "emacs", "<C-n>", "move-down", err), 0);
	ck_assert_int_eq(keymap_lookup(&k, SC_PROMPTS, K_CTRL('N')), A_MOVE_DOWN);
	ck_assert_int_eq(bind(&k, "vim", "vim.call", "x", "nonsense", err), -1); /* checked even when left out */
	keymap_free(&k);
}
END_TEST

START_TEST(bind_errors)
{
	keymap_t k = {0};
	char err[256];
	ck_assert_int_eq(bind(&k, "vim", "nano.traces", "j", "move-down", err), -1);
	ck_assert_str_eq(err, "bind: unknown keymap 'nano' (vim or emacs)");
	ck_assert_int_eq(bind(&k, "vim", "tracez", "j", "move-down", err), -1);
	ck_assert_ptr_nonnull(strstr(err, "bind: unknown scope 'tracez' ("));
	/* The error names every scope there is, the newest views' too. */
	for (int s = 0; s < SC_COUNT; s++)
		ck_assert_msg(strstr(err, scope_name(s)) != NULL, "'%s' lacks the scope %s", err, scope_name(s));
	ck_assert_int_eq(bind(&k, "vim", "traces", "<Nope>", "move-down", err), -1);
	ck_assert_str_eq(err, "bind: unknown key '<Nope>'");
	ck_assert_int_eq(bind(&k, "vim", "traces", "j", "move-sideways", err), -1);
	ck_assert_ptr_nonnull(strstr(err, "bind: unknown action 'move-sideways'"));
	/* Nothing was bound by a line in error. */
	ck_assert_uint_eq(k.n, 0);
	keymap_free(&k);
}
END_TEST

START_TEST(key_file_errors_with_their_line)
{
	keymap_t k = {0};
	sbuf errs = SBUF_INIT;
	const char *text = "# my keys\n"
			   "\n"
			   "bind generic j move-down\n"
			   "bind traces <Nope> move-up\n"
			   "   # indented comment\n"
			   "bind generic k\n"
			   "unbind generic k move-up\n"
			   "bind call x quit\r\n"
			   "bind emacs.generic n move-down\n"
			   "bind generic q frobnicate";
	ck_assert_int_eq(keymap_load(&k, "vim", text, "my.keys", &errs), 4);
	const char *e = sb_str(&errs);
	ck_assert_ptr_nonnull(strstr(e, "my.keys:4: bind: unknown key '<Nope>'\n"));
	ck_assert_ptr_nonnull(strstr(e, "my.keys:6: expected 'bind SCOPE KEY ACTION'\n"));
	ck_assert_ptr_nonnull(strstr(e, "my.keys:7: expected 'bind SCOPE KEY ACTION'\n"));
	ck_assert_ptr_nonnull(strstr(e, "my.keys:10: bind: unknown action 'frobnicate'"));
	/* The good lines around them took effect (a CRLF line too). */
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'j'), A_MOVE_DOWN);
	ck_assert_int_eq(keymap_lookup(&k, SC_CALL, 'x'), A_QUIT);
	ck_assert_int_eq(keymap_lookup(&k, SC_DASHBOARD, 'x'), A_NONE);
	ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'n'), A_NONE); /* emacs's, not vim's */
	ck_assert_int_eq(keymap_lookup(&k, SC_GENERIC, 'q'), A_NONE);
	sb_free(&errs);
	keymap_free(&k);
}
END_TEST

/* The keymaps compiled in load without an error, and give the keys the
 * manual promises. */
START_TEST(builtin_keymaps)
{
	const char *names[] = {"vim", "emacs"};
	for (int i = 0; i < 2; i++) {
		const char *text = keymap_builtin(names[i]);
		ck_assert_ptr_nonnull(text);
		keymap_t k = {0};
		sbuf errs = SBUF_INIT;
		ck_assert_msg(keymap_load(&k, names[i], text, names[i], &errs) == 0, "%s", sb_str(&errs));
		ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, '?'), A_HELP);
		ck_assert_int_eq(keymap_lookup(&k, SC_DASHBOARD, K_DOWN), A_MOVE_DOWN);
		if (i == 0) {
			ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, 'j'), A_MOVE_DOWN);
			ck_assert_int_eq(keymap_lookup(&k, SC_CALL, 'q'), A_BACK);
			ck_assert_int_eq(keymap_lookup(&k, SC_CALL, 'Q'), A_QUIT);
		} else {
			ck_assert_int_eq(keymap_lookup(&k, SC_TRACES, K_CTRL('N')), A_MOVE_DOWN);
		}
		sb_free(&errs);
		keymap_free(&k);
	}
	ck_assert_ptr_null(keymap_builtin("nano"));
}
END_TEST

Suite *suite_keymap(void)
{
	Suite *s = suite_create("keymap");
	TCase *t = tcase_create("keymap");
	tcase_add_test(t, keycode_names);
	tcase_add_test(t, keycode_name_round_trip);
	tcase_add_test(t, scope_names);
	tcase_add_test(t, lookup_by_scope);
	tcase_add_test(t, bind_words);
	tcase_add_test(t, bind_errors);
	tcase_add_test(t, key_file_errors_with_their_line);
	tcase_add_test(t, builtin_keymaps);
	suite_add_tcase(s, t);
	return s;
}
