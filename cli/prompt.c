/* llmops prompt add|list|diff: the prompt versions. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../core/textdiff.h"
#include "../data/changes.h"
#include "../data/file.h"
#include "../data/prompts.h"
#include "../views/view.h"
#include "cli.h"

/* The rc's `prompts PATH` folders into the store; a folder that cannot be
 * read is reported and the rest still count. */
static void sync_prompt_dirs(ctx_t *x, store_t *st)
{
	if (store_readonly(st) && x->cfg.prompt_dirs.n) {
		char *p = sanitize_str(x->store_path, 0);
		fprintf(stderr, "llmops: %s: %s; the rc's prompts folders are not read into it\n", p, STORE_READONLY_MSG);
		free(p);
		return;
	}
	for (size_t i = 0; i < x->cfg.prompt_dirs.n; i++) {
		char err[1024];
		int added;
		if (prompts_sync_dir(st, x->cfg.prompt_dirs.v[i].path, &added, err, sizeof err)) {
			char *e = sanitize_str(err, 0);
			fprintf(stderr, "llmops: %s\n", e);
			free(e);
		}
	}
}

/* A prompt is text a person wrote: well under this. */
#define PROMPT_FILE_MAX (64u << 20)

static int cmd_prompt_add(ctx_t *x)
{
	if (x->a.npos != 3)
		cli_die_usage("prompt add: expected NAME FILE [--version V]");
	const char *name = x->a.pos[1], *file = x->a.pos[2], *ver = x->a.val[O_PVERSION];
	if (!*name)
		cli_die_usage("prompt add: the name is empty");
	if (ver && !*ver)
		cli_die_usage("--version: the version is empty");
	char *label = sanitize_str(file, 0);
	size_t len;
	char *text = file_read(file, PROMPT_FILE_MAX, 0, &len, NULL, 0);
	if (!text) {
		fprintf(stderr, "llmops: %s: %s\n", label, strerror(errno));
		free(label);
		return EXIT_FAIL;
	}
	if (strlen(text) != len) {
		fprintf(stderr, "llmops: %s: holds a NUL byte; a prompt is text\n", label);
		free(text);
		free(label);
		return EXIT_FAIL;
	}
	store_t *st;
	if (cli_open_store(x, STORE_CREATE, &st)) {
		free(text);
		free(label);
		return EXIT_FAIL;
	}
	char abs[PATH_MAX], v[256], err[512];
	sbuf src = SBUF_INIT;
	sb_printf(&src, "add:%s", realpath(file, abs) ? abs : file);
	int same;
	int rc = prompts_add(st, name, ver, text, src.p, clock_now_ns(), v, sizeof v, &same, err, sizeof err);
	store_close(st);
	char *n = sanitize_str(name, 0), *sv = sanitize_str(v, 0);
	if (rc) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: %s\n", e);
		free(e);
	} else if (same) {
		printf("%s: %s is the same as version %s; nothing added\n", n, label, sv);
	} else {
		printf("added %s@%s\n", n, sv);
	}
	free(n);
	free(sv);
	sb_free(&src);
	free(text);
	free(label);
	return rc ? EXIT_FAIL : EXIT_OK;
}

typedef struct lrow {
	const prompt_info *p;
	size_t i;
} lrow;

/* When a version began: its first call, or when it was added. */
static int64_t lrow_time(const lrow *r)
{
	const prompt_ver *v = &r->p->v[r->i];
	return v->s.calls ? v->s.first_ns : v->created_ns;
}

static int cmp_lrow(const void *a, const void *b)
{
	const lrow *x = a, *y = b;
	int64_t tx = lrow_time(x), ty = lrow_time(y);
	if (tx != ty)
		return tx > ty ? -1 : 1;
	int c = strcmp(x->p->name, y->p->name);
	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static change_side side_of_stats(const prompt_stats *s)
{
	uint64_t priced = s->calls > s->unpriced ? s->calls - s->unpriced : 0;
	return (change_side){.calls = s->calls, .errors = s->errors, .p95_ms = s->p95_ms,
			     .nusd_per_call = priced ? (double)s->cost_nusd / (double)priced : 0};
}

static int cmd_prompt_list(ctx_t *x)
{
	if (x->a.npos > 2)
		cli_die_usage("prompt list: unexpected argument '%s'", x->a.pos[2]);
	const char *name = x->a.npos == 2 ? x->a.pos[1] : NULL;
	store_t *st;
	if (cli_open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	sync_prompt_dirs(x, st);
	prompt_list l;
	char err[512];
	int rc = prompts_list(st, name, &l, err, sizeof err);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: %s\n", err);
		return EXIT_FAIL;
	}
	if (name && !l.n) {
		char *n = sanitize_str(name, 0);
		fprintf(stderr, "llmops: no prompt named '%s'\n", n);
		free(n);
		prompt_list_free(&l);
		return EXIT_FAIL;
	}
	if (!l.n) {
		printf("no prompts yet (llmops prompt add NAME FILE, or 'prompts PATH' in the rc)\n");
		prompt_list_free(&l);
		return EXIT_OK;
	}
	/* Cells first, so that each column is as wide as its widest cell. */
	enum { NCOL = 10 };
	static const char *const head[NCOL] = {"PROMPT", "VERSION", "SOURCE", "FIRST SEEN", "LAST SEEN",
					       "CALLS", "ERR%", "P95", "$/CALL", "VS BEFORE"};
	size_t nrows = 0;
	for (size_t p = 0; p < l.n; p++)
		nrows += l.v[p].n;
	/* Newest first seen first, across prompts: the last deploys on top. */
	lrow *rows = xcalloc(nrows, sizeof *rows);
	size_t r = 0;
	for (size_t p = 0; p < l.n; p++)
		for (size_t i = 0; i < l.v[p].n; i++)
			rows[r++] = (lrow){&l.v[p], i};
	qsort(rows, nrows, sizeof *rows, cmp_lrow);
	char *(*cell)[NCOL] = xcalloc(nrows, sizeof *cell);
	int w[NCOL];
	for (int c = 0; c < NCOL; c++)
		w[c] = (int)strlen(head[c]);
	for (r = 0; r < nrows; r++) {
		const prompt_info *pi = rows[r].p;
		{
			const prompt_ver *v = &pi->v[rows[r].i];
			char buf[64], kb[32];
			cell[r][0] = sanitize_str(pi->name, SAN_ASCII);
			cell[r][1] = sanitize_str(v->version, SAN_ASCII);
			cell[r][2] = sanitize_str(prompt_source_kind(v, kb, sizeof kb), SAN_ASCII);
			int served = v->s.calls > 0;
			if (served)
				clock_fmt_short(v->s.first_ns, buf, sizeof buf);
			cell[r][3] = xstrdup(served ? buf : "-");
			if (served)
				clock_fmt_short(v->s.last_ns, buf, sizeof buf);
			cell[r][4] = xstrdup(served ? buf : "-");
			fmt_thousands(buf, sizeof buf, v->s.calls);
			cell[r][5] = xstrdup(buf);
			snprintf(buf, sizeof buf, "%.1f", served ? 100.0 * (double)v->s.errors / (double)v->s.calls : 0);
			cell[r][6] = xstrdup(served ? buf : "-");
			if (v->s.p95_ms > 0)
				fmt_ms(buf, sizeof buf, v->s.p95_ms);
			cell[r][7] = xstrdup(v->s.p95_ms > 0 ? buf : "-");
			uint64_t priced = v->s.calls - v->s.unpriced;
			if (priced) {
				double per = (double)v->s.cost_nusd / 1e9 / (double)priced;
				if (per > 0 && per < 0.0001)
					snprintf(buf, sizeof buf, "$%.6f", per);
				else
					fmt_usd(buf, sizeof buf, per);
			}
			cell[r][8] = xstrdup(priced ? buf : "-");
			/* Against the version that served before it (versions are newest first). */
			const prompt_ver *before = NULL;
			for (size_t j = rows[r].i + 1; served && j < pi->n && !before; j++)
				if (pi->v[j].s.calls)
					before = &pi->v[j];
			int reg = 0;
			if (before) {
				change_side now = side_of_stats(&v->s), was = side_of_stats(&before->s);
				reg = change_regressed(&now, &was);
			}
			cell[r][9] = xstrdup(!before ? "-" : reg ? "regressed" : "ok");
			for (int c = 0; c < NCOL; c++)
				if ((int)strlen(cell[r][c]) > w[c])
					w[c] = (int)strlen(cell[r][c]);
		}
	}
	for (size_t k = 0; k <= nrows; k++) {
		for (int c = 0; c < NCOL; c++) {
			const char *s = k ? cell[k - 1][c] : head[c];
			/* Names left, numbers right. */
			if (c == NCOL - 1)
				printf("%s", s);
			else if (c < 5)
				printf("%-*s", w[c], s);
			else
				printf("%*s", w[c], s);
			printf(c == NCOL - 1 ? "\n" : "  ");
		}
	}
	for (size_t k = 0; k < nrows; k++)
		for (int c = 0; c < NCOL; c++)
			free(cell[k][c]);
	free(cell);
	free(rows);
	prompt_list_free(&l);
	return EXIT_OK;
}

static int cmd_prompt_diff(ctx_t *x)
{
	if (x->a.npos != 4)
		cli_die_usage("prompt diff: expected NAME V1 V2");
	const char *name = x->a.pos[1], *v1 = x->a.pos[2], *v2 = x->a.pos[3];
	store_t *st;
	if (cli_open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	sync_prompt_dirs(x, st);
	char *ta = NULL, *tb = NULL, err[512];
	int rc = prompts_get_text(st, name, v1, &ta, err, sizeof err);
	if (!rc)
		rc = prompts_get_text(st, name, v2, &tb, err, sizeof err);
	store_close(st);
	if (rc) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: %s\n", e);
		free(e);
		free(ta);
		return EXIT_FAIL;
	}
	if (isatty(STDOUT_FILENO)) {
		/* On a terminal: the console's diff view, side by side with the
		 * changed words marked, as git diff hands a terminal to a pager. */
		free(ta);
		free(tb);
		app_opts o = {.cfg = &x->cfg,
			      .prices = x->prices,
			      .store_path = x->store_path,
			      .view = "diff",
			      .diff = {name, v1, v2},
			      .ascii = x->ascii,
			      .color = !x->a.set[O_NOCOLOR] && config_num(&x->cfg, CFG_color) != 0};
		return app_main(&o);
	}
	/* For patch(1) and scripts: the text as it is. */
	td_diff d;
	textdiff_lines(ta, strlen(ta), tb, strlen(tb), &d);
	sbuf la = SBUF_INIT, lb = SBUF_INIT, u = SBUF_INIT;
	sb_printf(&la, "%s@%s", name, v1);
	sb_printf(&lb, "%s@%s", name, v2);
	textdiff_unified(&d, la.p, lb.p, 3, &u);
	fwrite(u.p ? u.p : "", 1, u.len, stdout);
	sb_free(&u);
	sb_free(&la);
	sb_free(&lb);
	textdiff_free(&d);
	free(ta);
	free(tb);
	return EXIT_OK;
}

int cmd_prompt(ctx_t *x)
{
	const char *sub = x->a.npos ? x->a.pos[0] : NULL;
	if (!sub)
		cli_die_usage("prompt: expected add, list or diff");
	if (x->a.set[O_PVERSION] && strcmp(sub, "add"))
		cli_die_usage("option --version applies to 'prompt add' only");
	if (!strcmp(sub, "add"))
		return cmd_prompt_add(x);
	if (!strcmp(sub, "list"))
		return cmd_prompt_list(x);
	if (!strcmp(sub, "diff"))
		return cmd_prompt_diff(x);
	char *s = sanitize_str(sub, 0);
	fprintf(stderr, "llmops: prompt: unknown subcommand '%s' (add, list or diff)\n(see llmops --help)\n", s);
	free(s);
	exit(EXIT_USAGE);
}
