/* The console: llmops alone, traces, annotate and prompts. */
#include <stdio.h>
#include <string.h>

#include "../core/filter.h"
#include "../views/view.h"
#include "cli.h"

static int console(ctx_t *x, const char *view, const char *const *files, int nfiles)
{
	sbuf filter = SBUF_INIT;
	for (int i = 0; i < x->a.npos && !files; i++) {
		if (i)
			sb_addc(&filter, ' ');
		/* A word with spaces came quoted: keep it one phrase. */
		if (strchr(x->a.pos[i], ' ') && !strchr(x->a.pos[i], '='))
			sb_printf(&filter, "\"%s\"", x->a.pos[i]);
		else
			sb_adds(&filter, x->a.pos[i]);
	}
	filter_t f;
	filter_init(&f);
	char err[256];
	if (filter_parse(&f, sb_str(&filter), err, sizeof err)) {
		filter_free(&f);
		sb_free(&filter);
		cli_die_usage("filter: %s", err);
	}
	filter_free(&f);
	if (cli_need_store(x)) {
		sb_free(&filter);
		return EXIT_FAIL;
	}
	/* Receiving: --listen, or the rc's listen. */
	cli_receiver rs = {0};
	int receive = (x->a.set[O_LISTEN] || config_str(&x->cfg, CFG_listen));
	if (receive) {
		const char *listen = cli_listen_address(x);
		char why[512];
		if (receiver_check_listen(listen, why, sizeof why)) {
			sb_free(&filter);
			cli_die_usage("listen: %s", why);
		}
		if (cli_receiver_setup(x, listen, &rs, why, sizeof why)) {
			fprintf(stderr, "llmops: listen: %s\n", why);
			sb_free(&filter);
			return EXIT_FAIL;
		}
	}
	/* Key commands run now, not on the console's loop. */
	provs_resolve_all(&x->provs);
	app_opts o = {.cfg = &x->cfg,
		      .prices = x->prices,
		      .provs = &x->provs,
		      .store_path = x->store_path,
		      .view = view,
		      .filter = sb_str(&filter),
		      .ascii = x->ascii,
		      .color = !x->a.set[O_NOCOLOR] && config_num(&x->cfg, CFG_color) != 0,
		      .recv = receive ? &rs.opts : NULL,
		      .watch = files,
		      .nwatch = nfiles};
	int rc = app_main(&o);
	sb_free(&filter);
	cli_receiver_free(&rs);
	return rc;
}

int cli_console(ctx_t *x, const char *view)
{
	return console(x, view, NULL, 0);
}

int cli_console_files(ctx_t *x, const char *view, const char *const *files, int nfiles)
{
	return console(x, view, files, nfiles);
}

int cmd_dashboard(ctx_t *x)
{
	if (x->a.npos)
		cli_die_usage("unexpected argument '%s'", x->a.pos[0]);
	return cli_console(x, "dashboard");
}

int cmd_traces(ctx_t *x)
{
	return cli_console(x, "traces");
}

int cmd_annotate(ctx_t *x)
{
	return cli_console(x, "annotate");
}

int cmd_prompts(ctx_t *x)
{
	return cli_console(x, "prompts");
}
