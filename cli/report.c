/* llmops report: cost, errors and latency from the store. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../data/report_out.h"
#include "cli.h"

static int64_t parse_time_or_die(const char *opt, const char *v)
{
	int64_t t;
	if (clock_parse_time(v, &t))
		cli_die_usage("%s: expected RFC 3339 or Unix seconds, got '%s'", opt, v);
	return t;
}

int cmd_report(ctx_t *x)
{
	if (x->a.npos)
		cli_die_usage("report: unexpected argument '%s'", x->a.pos[0]);
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
	if (cli_open_store(x, STORE_VIEWER, &st))
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
	return EXIT_OK;
}
