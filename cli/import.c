/* llmops import: trace files into the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/sanitize.h"
#include "../data/import.h"
#include "cli.h"

int cmd_import(ctx_t *x)
{
	if (!x->a.npos)
		cli_die_usage("import: give the files to import (\"-\" reads stdin)");
	int fmt = FMT_AUTO;
	if (x->a.val[O_FORMAT] && (fmt = import_format_parse(x->a.val[O_FORMAT])) < 0)
		cli_die_usage("--format: expected auto, otlp, jsonl or llm, got '%s'", x->a.val[O_FORMAT]);
	store_t *st;
	if (cli_open_store(x, STORE_CREATE | STORE_BULK, &st))
		return EXIT_FAIL;
	import_opts o = {.format = fmt,
			 .progress = isatty(2),
			 .max_errors_shown = 10,
			 .prices = x->prices,
			 .errs = stderr};
	int worst = EXIT_OK;
	for (int i = 0; i < x->a.npos; i++) {
		import_result r;
		import_status rc = import_path(st, x->a.pos[i], &o, &r);
		if (rc == IMPORT_FAILED)
			worst = EXIT_FAIL;
		else if (rc == IMPORT_PARTIAL && worst == EXIT_OK)
			worst = EXIT_PARTIAL;
		if (rc == IMPORT_FAILED && !r.calls && !r.records)
			continue;
		char *label = sanitize_str(strcmp(x->a.pos[i], "-") ? x->a.pos[i] : "<stdin>", 0);
		char ins[32], dup[32];
		fmt_thousands(ins, sizeof ins, r.inserted);
		fmt_thousands(dup, sizeof dup, r.duplicates);
		printf("%s: %s calls imported", label, ins);
		if (r.store_failed)
			printf(" before the store failed");
		if (r.duplicates)
			printf(", %s already in the store", dup);
		if (r.merged)
			printf(", %llu spans of the same requests merged", (unsigned long long)r.merged);
		if (r.spans)
			printf(", %llu other spans of their traces kept", (unsigned long long)r.spans);
		if (r.rejected)
			printf(", %llu records rejected", (unsigned long long)r.rejected);
		if (r.skipped)
			printf(", %llu %s skipped (not LLM calls)", (unsigned long long)r.skipped,
			       r.format == FMT_OTLP ? "spans" : "records");
		if (r.events)
			printf(", %llu content events (%llu calls filled)", (unsigned long long)r.events,
			       (unsigned long long)r.filled);
		printf(" [%s, %.1fs, %.0f MB/s]\n", import_format_name(r.format), r.seconds,
		       r.seconds > 0 ? (double)r.bytes / 1e6 / r.seconds : 0);
		free(label);
	}
	store_close(st);
	return worst;
}
