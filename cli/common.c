/* What the subcommands share: the usage error, the rc and the store. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../core/sanitize.h"
#include "../data/file.h"
#include "../data/secrets.h"
#include "cli.h"

void cli_die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "llmops: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n(see llmops --help)\n");
	va_end(ap);
	exit(EXIT_USAGE);
}

/* The rc files and the price table: regular files only, and capped. */
static char *rc_read_cb(const char *path, size_t max, size_t *len, char *err, size_t errlen, void *ud)
{
	(void)ud;
	return file_read(path, max, FILE_REGULAR, len, err, errlen);
}

/* LiteLLM's table is about 1.5 MB; sixty-four leaves it room to grow. */
#define PRICING_FILE_MAX (64u << 20)

void cli_print_config_errors(const config_t *c)
{
	if (!c->nerrors)
		return;
	char *s = sanitize_str(sb_str(&c->errors), SAN_KEEP_NL);
	const char *p = s;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(stderr, "llmops: %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	free(s);
}

void cli_load_config(ctx_t *x)
{
	config_init(&x->cfg);
	x->cfg.provider_types = provider_types();
	const char *rc = x->a.val[O_CONFIG];
	int must = rc != NULL;
	if (!rc && getenv("LLMOPSRC") && *getenv("LLMOPSRC")) {
		rc = getenv("LLMOPSRC");
		must = 1;
	}
	if (rc) {
		x->rc_path = xstrdup(rc);
	} else {
		/* Without $XDG_CONFIG_HOME and $HOME there is no rc to look
		 * for, which is no error: an rc is optional. */
		x->rc_path = file_xdg_path(XDG_CONFIG, "llmopsrc", NULL, 0);
		if (!x->rc_path || access(x->rc_path, F_OK) != 0) {
			char *home = file_home_path(".llmopsrc");
			if (home && access(home, F_OK) == 0) {
				free(x->rc_path);
				x->rc_path = home;
			} else {
				free(home);
			}
		}
	}
	if (x->rc_path)
		config_load(&x->cfg, x->rc_path, must, rc_read_cb, NULL);
	/* Key files are checked now, so that a readable one is reported at once. */
	for (size_t i = 0; i < x->cfg.providers.n; i++) {
		const cfg_provider *p = &x->cfg.providers.v[i];
		const char *files[2] = {p->api_key_file, p->admin_key_file};
		for (int k = 0; k < 2; k++) {
			char err[512];
			if (files[k] && secret_file_check(files[k], err, sizeof err)) {
				sb_printf(&x->cfg.errors, "%s:%d: %s\n", p->at.file, p->at.line, err);
				x->cfg.nerrors++;
			}
		}
	}
	/* Key variables leave the environment now, before any child process
	 * (git, $EDITOR, a key command) could inherit them. */
	provs_init(&x->provs, &x->cfg);
	x->ascii = x->a.set[O_ASCII] || config_num(&x->cfg, CFG_ascii) != 0;

	if (x->a.val[O_STORE])
		x->store_path = xstrdup(x->a.val[O_STORE]);
	else if (getenv("LLMOPS_STORE") && *getenv("LLMOPS_STORE"))
		x->store_path = xstrdup(getenv("LLMOPS_STORE"));
	else if (config_str(&x->cfg, CFG_store))
		x->store_path = xstrdup(config_str(&x->cfg, CFG_store));
	else
		x->store_path = file_xdg_path(XDG_DATA, "llmops.db", x->store_err, sizeof x->store_err);
	store_set_password_cmd(config_str(&x->cfg, CFG_clickhouse_password_cmd));
	store_set_ca_file(config_str(&x->cfg, CFG_clickhouse_ca));
	store_set_retention(config_dur(&x->cfg, CFG_retention));

	x->prices = pricing_new();
	const char *pf = config_str(&x->cfg, CFG_pricing_file);
	if (pf) {
		size_t len;
		char err[256];
		char *text = file_read(pf, PRICING_FILE_MAX, FILE_REGULAR, &len, err, sizeof err);
		if (!text) {
			sb_printf(&x->cfg.errors, "%s: cannot read the pricing file: %s\n", pf, err);
			x->cfg.nerrors++;
		} else if (pricing_load_litellm(x->prices, text, len, err, sizeof err) < 0) {
			sb_printf(&x->cfg.errors, "%s: %s (built-in prices used)\n", pf, err);
			x->cfg.nerrors++;
		} else {
			x->prices->source = pf;
		}
		free(text);
	}
}

void cli_free_ctx(ctx_t *x)
{
	provs_free(&x->provs);
	config_free(&x->cfg);
	free(x->rc_path);
	free(x->store_path);
	pricing_free(x->prices);
	free(x->a.pos);
}

const char *cli_store_path(ctx_t *x)
{
	if (!x->store_path)
		fprintf(stderr, "llmops: no store: %s; give --store PATH (or set LLMOPS_STORE)\n", x->store_err);
	return x->store_path;
}

int cli_need_store(ctx_t *x)
{
	if (!cli_store_path(x))
		return -1;
	struct stat sb;
	if (store_is_url(x->store_path) || stat(x->store_path, &sb) == 0)
		return 0;
	char *p = sanitize_str(x->store_path, 0);
	fprintf(stderr, "llmops: " STORE_MISSING_FMT "\n", p);
	free(p);
	return -1;
}

int cli_open_store(ctx_t *x, int flags, store_t **st)
{
	/* The command table says which commands write the store. */
	assert(!(flags & STORE_CREATE) || (x->a.cmd->flags & CLI_CREATES));
	assert(x->a.cmd->flags & CLI_STORE);
	if (!cli_store_path(x))
		return -1;
	char err[512];
	if (store_open(x->store_path, flags, st, err, sizeof err)) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: %s\n", e);
		free(e);
		return -1;
	}
	return 0;
}
