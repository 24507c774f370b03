/* The file module: capped reads, folders, write-and-rename, XDG paths. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../data/file.h"
#include "t.h"

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(file_read_whole_and_capped)
{
	char *p = t_path("rc");
	put(p, "set window = 1h\n");
	size_t len = 0;
	char err[128];
	char *s = file_read(p, 1024, FILE_REGULAR, &len, err, sizeof err);
	ck_assert_str_eq(s, "set window = 1h\n");
	ck_assert_uint_eq(len, 16);
	free(s);
	/* One byte over the cap: refused, with the cap in the reason. */
	char *big = t_path("big");
	char text[2050];
	memset(text, 'x', 2049);
	text[2049] = 0;
	put(big, text);
	ck_assert_ptr_null(file_read(big, 2048, FILE_REGULAR, &len, err, sizeof err));
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_str_eq(err, "larger than 2 KiB");
	text[2048] = 0;
	put(big, text);
	s = file_read(big, 2048, FILE_REGULAR, &len, err, sizeof err);
	ck_assert_uint_eq(len, 2048);
	free(s);
	free(big);
	/* An empty file is an empty string, not a failure. */
	char *e = t_path("empty");
	put(e, "");
	s = file_read(e, 10, FILE_REGULAR, &len, err, sizeof err);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	free(s);
	free(e);
	free(p);
}
END_TEST

START_TEST(file_read_refuses_what_is_not_a_file)
{
	size_t len;
	char err[128];
	ck_assert_ptr_null(file_read(t_tmpdir(), 1024, 0, &len, err, sizeof err));
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_str_eq(err, "is a directory");
	/* A FIFO with no writer: refused at once rather than waited on. */
	char *fifo = t_path("fifo");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_ptr_null(file_read(fifo, 1024, FILE_REGULAR, &len, err, sizeof err));
	ck_assert_str_eq(err, "not a regular file");
	free(fifo);
	ck_assert_ptr_null(file_read("/dev/zero", 1024, FILE_REGULAR, &len, err, sizeof err));
	ck_assert_str_eq(err, "not a regular file");
	/* Allowed to read a device, the cap still ends an endless one. */
	ck_assert_ptr_null(file_read("/dev/zero", 2u << 20, 0, &len, err, sizeof err));
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_str_eq(err, "larger than 2 MiB");
	char *gone = t_path("gone");
	ck_assert_ptr_null(file_read(gone, 1024, 0, &len, err, sizeof err));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(err, strerror(ENOENT));
	free(gone);
}
END_TEST

START_TEST(file_folders_made_and_replaced_whole)
{
	char *p = t_path("a/b/c/state");
	ck_assert_int_eq(file_mkdir_parents(p), 0);
	char *dir = t_path("a/b/c");
	struct stat sb;
	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_ne(access(p, F_OK), 0); /* the folders, not the file */
	ck_assert_int_eq(file_mkdir_parents(p), 0); /* again: nothing to do */

	char *q = t_path("x/y/draft");
	ck_assert_int_eq(file_write_atomic(q, "first", 5, 0600), 0);
	ck_assert_int_eq(file_write_atomic(q, "second", 6, 0600), 0);
	size_t len;
	char *s = t_read(q, &len);
	ck_assert_str_eq(s, "second");
	free(s);
	ck_assert_int_eq(stat(q, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);

	/* Given up halfway: the old content stays, no temporary file is left. */
	file_tmp t;
	ck_assert_int_eq(file_tmp_open(&t, q, 0600, 0), 0);
	fputs("half of a th", t.f);
	file_tmp_abort(&t);
	s = t_read(q, &len);
	ck_assert_str_eq(s, "second");
	free(s);
	char *xdir = t_path("x/y");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", xdir);
	ck_assert_int_eq(system(cmd), 0);

	/* A folder that cannot be made: an error, errno set. */
	char *blocked = t_path("x/y/draft/under");
	ck_assert_int_eq(file_write_atomic(blocked, "z", 1, 0600), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	free(blocked);
	free(xdir);
	free(q);
	free(dir);
	free(p);
}
END_TEST

START_TEST(file_xdg_paths)
{
	char err[128];
	setenv("XDG_STATE_HOME", "/srv/state", 1);
	setenv("HOME", "/home/oncall", 1);
	char *p = file_xdg_path(XDG_STATE, "history", err, sizeof err);
	ck_assert_str_eq(p, "/srv/state/llmops/history");
	free(p);
	/* Set but empty counts as unset, as the specification says. */
	setenv("XDG_STATE_HOME", "", 1);
	p = file_xdg_path(XDG_STATE, "history", err, sizeof err);
	ck_assert_str_eq(p, "/home/oncall/.local/state/llmops/history");
	free(p);
	unsetenv("XDG_DATA_HOME");
	p = file_xdg_path(XDG_DATA, "llmops.db", err, sizeof err);
	ck_assert_str_eq(p, "/home/oncall/.local/share/llmops/llmops.db");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = file_xdg_path(XDG_CONFIG, "llmopsrc", err, sizeof err);
	ck_assert_str_eq(p, "/home/oncall/.config/llmops/llmopsrc");
	free(p);
	p = file_home_path(".llmopsrc");
	ck_assert_str_eq(p, "/home/oncall/.llmopsrc");
	free(p);
}
END_TEST

START_TEST(file_xdg_without_home)
{
	char err[128];
	unsetenv("XDG_DATA_HOME");
	setenv("XDG_STATE_HOME", "", 1);
	/* An empty HOME must not give /.local/share/...: an error naming both. */
	setenv("HOME", "", 1);
	ck_assert_ptr_null(file_xdg_path(XDG_DATA, "llmops.db", err, sizeof err));
	ck_assert_str_eq(err, "neither $XDG_DATA_HOME nor $HOME is set");
	ck_assert_ptr_null(file_xdg_path(XDG_STATE, "history", err, sizeof err));
	ck_assert_str_eq(err, "neither $XDG_STATE_HOME nor $HOME is set");
	ck_assert_ptr_null(file_home_path(".llmopsrc"));
	unsetenv("HOME");
	ck_assert_ptr_null(file_xdg_path(XDG_CONFIG, "llmopsrc", NULL, 0));
	ck_assert_ptr_null(file_home_path(".llmopsrc"));
	/* The XDG variable alone is enough. */
	setenv("XDG_CONFIG_HOME", "/etc/xdg-user", 1);
	char *p = file_xdg_path(XDG_CONFIG, "llmopsrc", err, sizeof err);
	ck_assert_str_eq(p, "/etc/xdg-user/llmops/llmopsrc");
	free(p);
}
END_TEST

Suite *suite_file(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("file");
	tcase_add_test(tc, file_read_whole_and_capped);
	tcase_add_test(tc, file_read_refuses_what_is_not_a_file);
	tcase_add_test(tc, file_folders_made_and_replaced_whole);
	tcase_add_test(tc, file_xdg_paths);
	tcase_add_test(tc, file_xdg_without_home);
	suite_add_tcase(s, tc);
	return s;
}
