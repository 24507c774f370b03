/* llmops demo: a deterministic demo store, then the console on it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/demo.h"
#include "../core/sanitize.h"
#include "../data/file.h"
#include "../data/import.h"
#include "cli.h"

int cmd_demo(ctx_t *x)
{
	if (x->a.npos)
		cli_die_usage("demo: unexpected argument '%s'", x->a.pos[0]);
	long calls = DEMO_DEFAULT_CALLS;
	if (x->a.val[O_CALLS]) {
		char *end;
		calls = strtol(x->a.val[O_CALLS], &end, 10);
		if (*end || calls < 1 || calls > 100000000)
			cli_die_usage("--calls: expected a number from 1 to 100000000, got '%s'", x->a.val[O_CALLS]);
	}
	/* The demo never lands in a real store by accident: without --store it
	 * has a file of its own, and it replaces only an earlier demo. */
	char *path = x->a.val[O_STORE] ? xstrdup(x->a.val[O_STORE])
				       : file_xdg_path(XDG_DATA, "demo.db", x->store_err, sizeof x->store_err);
	if (!path) {
		fprintf(stderr, "llmops: no demo store: %s; give --store PATH\n", x->store_err);
		return EXIT_FAIL;
	}
	char *label = sanitize_str(path, 0);
	struct stat sb;
	int url = store_is_url(path);
	if (url || stat(path, &sb) == 0) {
		store_t *old;
		char err[512];
		int is_demo = 0;
		if (store_open(path, STORE_VIEWER, &old, err, sizeof err) == 0) {
			int64_t n = store_call_count(old);
			is_demo = n == 0 || store_meta_get_int(old, "demo", 0) == 1;
			store_close(old);
		}
		if (!is_demo) {
			fprintf(stderr, "llmops: %s holds data that is not a demo; give another --store\n", label);
			free(label);
			free(path);
			return EXIT_FAIL;
		}
	}
	sbuf tmp = SBUF_INIT;
	/* A file is written aside and renamed; a database server's is filled in place. */
	if (url)
		sb_adds(&tmp, path);
	else
		sb_printf(&tmp, "%s.tmp-%d", path, (int)getpid());
	store_t *st;
	char err[512];
	if (store_open(tmp.p, STORE_CREATE | STORE_BULK, &st, err, sizeof err)) {
		fprintf(stderr, "llmops: %s\n", err);
		sb_free(&tmp);
		free(label);
		free(path);
		return EXIT_FAIL;
	}
	demo_t d;
	int64_t now = clock_now_ns();
	demo_init(&d, (uint64_t)calls, now, 42);
	size_t np;
	const demo_prompt *ps = demo_prompts(&d, &np);
	for (size_t i = 0; i < np; i++)
		store_put_prompt(st, ps[i].name, ps[i].version, ps[i].template, "demo", ps[i].deployed_ns);
	store_meta_set_int(st, "demo", 1);
	double t0 = clock_mono();
	ingester_t *in = ingester_start(st, x->prices, 1);
	int rc = 0;
	while (!rc && demo_next(&d, ingester_batch(in), 4096))
		rc = ingester_flush(in);
	ingest_stats stats;
	rc = ingester_finish(in, &stats, err, sizeof err) || rc;
	demo_free(&d);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: demo: %s\n", err);
		if (!url)
			unlink(tmp.p);
	} else if (!url) {
		const char *sfx[] = {"-wal", "-shm"};
		for (int i = 0; i < 2; i++) {
			sbuf s = SBUF_INIT;
			sb_printf(&s, "%s%s", path, sfx[i]);
			unlink(s.p);
			sb_free(&s);
		}
		if (rename(tmp.p, path)) {
			fprintf(stderr, "llmops: %s: %s\n", label, strerror(errno));
			rc = 1;
		}
	}
	sb_free(&tmp);
	if (!rc) {
		char n[32];
		fmt_thousands(n, sizeof n, stats.inserted);
		printf("demo store %s: %s calls over the last %d days (%.1fs)\n", label, n, DEMO_DAYS, clock_mono() - t0);
	}
	free(label);
	if (rc) {
		free(path);
		return EXIT_FAIL;
	}
	if (!x->a.set[O_NOTUI]) {
		free(x->store_path);
		x->store_path = path;
		if (isatty(STDOUT_FILENO))
			return cli_console(x, "dashboard");
		/* No terminal to draw on (a pipe, CI): show what the store says. */
		x->a.val[O_SINCE] = NULL;
		printf("\n");
		return cmd_report(x);
	}
	free(path);
	return EXIT_OK;
}
