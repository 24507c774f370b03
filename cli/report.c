/* llmops report: cost, errors and latency from the store, or straight from
 * trace files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../data/import.h"
#include "../data/report_out.h"
#include "cli.h"

static int64_t parse_time_or_die(const char *opt, const char *v)
{
	int64_t t;
	if (clock_parse_time(v, &t))
		cli_die_usage("%s: expected RFC 3339 or Unix seconds, got '%s'", opt, v);
	return t;
}

/* The files read into a scratch store that no other process sees: their
 * calls counted once by their ids and only the rollups written, so that the
 * report is the one an import would give, without storing the calls. The
 * file is unlinked once open, so nothing is left behind, whatever happens. */
static int open_files(ctx_t *x, store_t **out, int *worst)
{
	int fmt = FMT_AUTO;
	if (x->a.val[O_FORMAT] && (fmt = import_format_parse(x->a.val[O_FORMAT])) < 0)
		cli_die_usage("--format: expected auto, otlp, jsonl or llm, got '%s'", x->a.val[O_FORMAT]);
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/llmops-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "llmops: cannot make a temporary folder in %s: %s\n", tmp && *tmp ? tmp : "/tmp",
			strerror(errno));
		return -1;
	}
	char path[4200], err[512];
	snprintf(path, sizeof path, "%s/report.db", dir);
	store_t *st;
	int rc = store_open(path, STORE_CREATE | STORE_SCRATCH, &st, err, sizeof err);
	unlink(path);
	rmdir(dir);
	if (rc) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: %s\n", e);
		free(e);
		return -1;
	}
	import_opts o = {.format = fmt,
			 .progress = isatty(2),
			 .max_errors_shown = 10,
			 .prices = x->prices,
			 .errs = stderr};
	*worst = EXIT_OK;
	for (int i = 0; i < x->a.npos; i++) {
		import_result r;
		import_status s = import_path(st, x->a.pos[i], &o, &r);
		if (s == IMPORT_FAILED)
			*worst = EXIT_FAIL;
		else if (s == IMPORT_PARTIAL && *worst == EXIT_OK)
			*worst = EXIT_PARTIAL;
	}
	if (*worst == EXIT_FAIL) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

int cmd_report(ctx_t *x)
{
	int64_t now = clock_now_ns(), from, to = now, dur = config_dur(&x->cfg, CFG_window);
	if (x->a.val[O_SINCE] && (x->a.val[O_FROM] || x->a.val[O_TO]))
		cli_die_usage("report: --since and --from/--to exclude each other");
	if (x->a.val[O_SINCE] && clock_parse_dur(x->a.val[O_SINCE], &dur))
		cli_die_usage("--since: expected a duration like 15m, 1h or 7d, got '%s'", x->a.val[O_SINCE]);
	if (x->a.val[O_TO])
		to = parse_time_or_die("--to", x->a.val[O_TO]);
	from = x->a.val[O_FROM] ? parse_time_or_die("--from", x->a.val[O_FROM])
				 : to - dur;
	if (from >= to)
		cli_die_usage("report: the window is empty (--from must be before --to)");
	int by = BY_MODEL;
	if (x->a.val[O_BY] && (by = report_by_parse(x->a.val[O_BY])) < 0)
		cli_die_usage("--by: expected model, prompt, provider or feature, got '%s'", x->a.val[O_BY]);
	store_t *st;
	int status = EXIT_OK;
	if (x->a.npos ? open_files(x, &st, &status) : cli_open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	report_t r;
	char err[512];
	changes_t ch;
	int rc = store_report(st, from, to, by, &r, err, sizeof err);
	if (!rc && (rc = changes_compute(st, from, to, &ch, err, sizeof err)))
		report_free(&r);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: %s\n", err);
		return EXIT_FAIL;
	}
	if (x->a.set[O_JSON]) {
		report_write_json(&r, &ch, stdout);
	} else if (x->a.set[O_CHANGES]) {
		changes_write_text(&ch, now, stdout);
	} else {
		int width = 200;
		struct winsize ws;
		if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			width = ws.ws_col;
		report_write_text(&r, stdout, width, x->ascii);
	}
	report_free(&r);
	changes_free(&ch);
	return status;
}
