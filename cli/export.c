/* llmops export: the labelled golden dataset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/sanitize.h"
#include "../data/golden.h"
#include "cli.h"

/* The label whose output counts as a right answer: the one on the first
 * label key (1 good by default). */
static const char *good_label(const config_t *c)
{
	for (int k = 1; k <= 9; k++)
		if (c->labels[k])
			return c->labels[k];
	return NULL;
}

int cmd_export(ctx_t *x)
{
	if (x->a.npos)
		cli_die_usage("export: unexpected argument '%s'", x->a.pos[0]);
	/* jsonl is the dataset as labelled; the others are for a tool. */
	const char *fname = x->a.val[O_FORMAT] ? x->a.val[O_FORMAT] : "jsonl";
	int fmt = golden_format_parse(fname);
	if (fmt < 0)
		cli_die_usage("--format: expected jsonl, evals, chat, promptfoo or langfuse, got '%s'", fname);
	const char *path = x->a.val[O_GOLDEN] ? x->a.val[O_GOLDEN] : config_str(&x->cfg, CFG_golden);
	char *local = NULL; /* the store's own state file */
	if (!path) {
		/* The dataset kept in the store. */
		if (cli_need_store(x))
			return EXIT_FAIL;
		char err[512];
		local = store_local_path(x->store_path, err, sizeof err);
		if (!local) {
			fprintf(stderr, "llmops: %s\n", err);
			return EXIT_FAIL;
		}
		path = local;
	}
	const char *out = x->a.val[O_OUTPUT];
	if (out && !*out)
		cli_die_usage("-o: give a file name (or - for standard output)");
	char *label = sanitize_str(path, 0);
	/* Opening creates the tables; a mistyped path must not become an empty
	 * dataset. */
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "llmops: no golden dataset at %s\n", label);
		free(label);
		free(local);
		return EXIT_FAIL;
	}
	golden_t *g;
	char err[512];
	int rc = golden_open(path, &g, err, sizeof err);
	if (rc == 0) {
		golden_set_good_label(g, good_label(&x->cfg));
		golden_export_stats st;
		rc = golden_export_ex(g, fmt, x->a.val[O_LABEL], out, &st, err, sizeof err);
		golden_close(g);
		if (rc == 0 && out && strcmp(out, "-")) {
			char *o = sanitize_str(out, 0);
			printf("%s: %zu %s exported [%s]", o, st.written, st.written == 1 ? "item" : "items",
			       golden_format_name(fmt));
			free(o);
			if (st.skipped)
				printf(", %zu labelled %s left out (no reference answer)", st.skipped,
				       st.skipped == 1 ? "item" : "items");
			printf("\n");
		} else if (rc == 0 && st.skipped) {
			fprintf(stderr, "llmops: %zu labelled %s left out (no reference answer)\n", st.skipped,
				st.skipped == 1 ? "item" : "items");
		}
	}
	free(label);
	free(local);
	if (rc) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: %s\n", e);
		free(e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
