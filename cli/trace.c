/* llmops trace: one trace's spans as a tree, with its calls. */
#include <stdio.h>

#include "../data/trace.h"
#include "cli.h"

int cmd_trace(ctx_t *x)
{
	if (x->a.npos != 1)
		cli_die_usage("trace: give one ID (a trace id, or the span id of a call)");
	store_t *st;
	if (cli_open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	trace_view t;
	char err[600];
	int rc = EXIT_OK;
	if (store_trace_get(st, x->a.pos[0], &t, err, sizeof err)) {
		fprintf(stderr, "llmops: trace: %s\n", err);
		rc = EXIT_FAIL;
	} else {
		if (x->a.set[O_JSON])
			trace_write_json(&t, stdout);
		else
			trace_write_text(&t, stdout, x->ascii);
		trace_view_free(&t);
	}
	store_close(st);
	return rc;
}
