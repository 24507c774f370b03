/* The background import behind `llmops FILE...`: its progress line, its
 * messages naming the file (not the pipe it is fed through), and a stop that
 * does not wait for a FIFO's writer. */
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../data/bgimport.h"
#include "../../data/store.h"
#include "t.h"

START_TEST(bgimport_progress_line)
{
	char out[256];
	bgimport_progress p = {.nfiles = 1, .bytes = 312000000, .size = 2000000000, .calls = 150000, .seconds = 2.2};
	snprintf(p.file, sizeof p.file, "exports/calls.jsonl");
	bgimport_line(&p, out, sizeof out);
	ck_assert_str_eq(out, "importing calls.jsonl: 312 MB of 2.0 GB (16%), 150,000 calls, 12 s left");
	/* Under a second of reading says nothing yet of the time left. */
	p.seconds = 0.5;
	bgimport_line(&p, out, sizeof out);
	ck_assert_str_eq(out, "importing calls.jsonl: 312 MB of 2.0 GB (16%), 150,000 calls");
	p.seconds = 60;
	bgimport_line(&p, out, sizeof out);
	ck_assert_str_eq(out, "importing calls.jsonl: 312 MB of 2.0 GB (16%), 150,000 calls, 5 min left");
	/* A FIFO: no size. */
	p.size = 0;
	p.bytes = 2200;
	p.calls = 1;
	bgimport_line(&p, out, sizeof out);
	ck_assert_str_eq(out, "importing calls.jsonl: 2.2 KB, 1 call");
	p.nfiles = 3;
	p.index = 1;
	bgimport_line(&p, out, sizeof out);
	ck_assert_str_eq(out, "importing calls.jsonl (2 of 3): 2.2 KB, 1 call");
	p.done = 1;
	p.calls = 1200;
	p.seconds = 4.25;
	bgimport_line(&p, out, sizeof out);
	ck_assert_str_eq(out, "imported 1,200 calls from 3 files in 4.2 s");
	p.nfiles = 1;
	p.stopped = 1;
	bgimport_line(&p, out, sizeof out);
	ck_assert_str_eq(out, "stopped: imported 1,200 calls from calls.jsonl in 4.2 s");
	bgimport_fmt_bytes(999, out, sizeof out);
	ck_assert_str_eq(out, "999 B");
	bgimport_fmt_bytes(9500000, out, sizeof out);
	ck_assert_str_eq(out, "9.5 MB");
}
END_TEST

static char *empty_store(void)
{
	char *path = t_path("open.db"), err[256];
	store_t *st;
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	store_close(st);
	return path;
}

static void wait_done(bgimport_t *b, bgimport_progress *p)
{
	for (;;) {
		bgimport_get(b, p);
		if (p->done)
			return;
		struct pollfd pf = {.fd = bgimport_fd(b), .events = POLLIN};
		poll(&pf, 1, -1);
		bgimport_drain(b);
	}
}

START_TEST(bgimport_file_messages_name_the_file)
{
	char *store = empty_store(), *file = t_path("calls.jsonl");
	FILE *f = fopen(file, "w");
	fputs("{\"ts\":\"2026-11-16T09:00:00Z\",\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":2}\n"
	      "{\"ts\":\"2026-11-16T09:01:00Z\",\"model\":\"gpt-4o\",\"input_tokens\":\"many\"}\n"
	      "{\"ts\":\"2026-11-16T09:02:00Z\",\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":2}\n",
	      f);
	fclose(f);
	const char *files[] = {file};
	char err[256];
	bgimport_t *b = bgimport_start(store, files, 1, 0, NULL, err, sizeof err);
	ck_assert_msg(b != NULL, "%s", err);
	bgimport_progress p;
	wait_done(b, &p);
	ck_assert_uint_eq(p.calls, 2);
	ck_assert_int_eq(p.worst, 1);
	ck_assert_int_eq(p.stopped, 0);
	ck_assert_uint_eq(p.bytes, p.size);
	char m[512], want[600];
	int error;
	ck_assert_int_eq(bgimport_message(b, 0, m, sizeof m, &error), 1);
	snprintf(want, sizeof want, "%s:2: ", file);
	ck_assert_msg(!strncmp(m, want, strlen(want)) && error, "got '%s'", m);
	ck_assert_int_eq(bgimport_message(b, 1, m, sizeof m, &error), 1);
	ck_assert_msg(strstr(m, "imported 2 calls from ") && strstr(m, "1 records rejected") && !error, "got '%s'", m);
	ck_assert_int_eq(bgimport_message(b, 2, m, sizeof m, &error), 0);
	bgimport_free(b);
	free(store);
	free(file);
}
END_TEST

START_TEST(bgimport_stop_does_not_wait_for_a_fifo)
{
	char *store = empty_store(), *fifo = t_path("in.jsonl");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	const char *files[] = {fifo};
	char err[256];
	bgimport_t *b = bgimport_start(store, files, 1, 0, NULL, err, sizeof err);
	ck_assert_msg(b != NULL, "%s", err);
	/* A writer that gives a line and then holds on. */
	int w = open(fifo, O_WRONLY);
	ck_assert_int_ge(w, 0);
	const char *line = "{\"ts\":\"2026-11-16T09:00:00Z\",\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":2}\n";
	ck_assert_int_eq(write(w, line, strlen(line)), (ssize_t)strlen(line));
	while (!bgimport_idle(b))
		usleep(10000);
	bgimport_progress p;
	bgimport_get(b, &p);
	ck_assert_uint_eq(p.bytes, strlen(line));
	ck_assert_int_eq(p.done, 0);
	bgimport_stop(b); /* returns although the writer is still there */
	bgimport_get(b, &p);
	ck_assert_int_eq(p.done, 1);
	ck_assert_int_eq(p.stopped, 1);
	/* What was read was committed. */
	ck_assert_uint_eq(p.calls, 1);
	close(w);
	bgimport_free(b);
	free(store);
	free(fifo);
}
END_TEST

Suite *suite_bgimport(void)
{
	Suite *s = suite_create("bgimport");
	TCase *tc = tcase_create("bgimport");
	tcase_add_test(tc, bgimport_progress_line);
	tcase_add_test(tc, bgimport_file_messages_name_the_file);
	tcase_add_test(tc, bgimport_stop_does_not_wait_for_a_fifo);
	suite_add_tcase(s, tc);
	return s;
}
