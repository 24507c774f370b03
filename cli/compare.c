/* llmops compare: the window against the one before it, beyond noise or not. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../data/compare.h"
#include "cli.h"

int cmd_compare(ctx_t *x)
{
	store_t *st;
	if (cli_open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	int64_t now = clock_now_ns();
	compare_span span;
	char err[512];
	if (compare_span_parse(st, x->a.pos, x->a.npos, now, config_dur(&x->cfg, CFG_window), &span, err, sizeof err)) {
		store_close(st);
		cli_die_usage("%s", err);
	}
	compare_t c;
	int rc = compare_compute(st, &span, &c, err, sizeof err);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: %s\n", err);
		return EXIT_FAIL;
	}
	if (x->a.set[O_JSON]) {
		compare_write_json(&c, stdout);
	} else {
		int width = 200;
		struct winsize ws;
		if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			width = ws.ws_col;
		compare_write_text(&c, now, stdout, width, x->ascii);
	}
	compare_free(&c);
	return EXIT_OK;
}
