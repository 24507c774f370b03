/* llmops FILE...: the console at once, on a store the files are imported
 * into behind it. The store is a temporary one under the cache folder,
 * removed on the way out, unless --store names one to keep. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/sanitize.h"
#include "../data/bgimport.h"
#include "../data/file.h"
#include "../data/import.h"
#include "../views/view.h"
#include "cli.h"

static void remove_store(const char *path)
{
	static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		sbuf p = SBUF_INIT;
		sb_printf(&p, "%s%s", path, ext[i]);
		unlink(sb_str(&p));
		sb_free(&p);
	}
}

/* Temporary stores left by a console that was killed: their process is gone. */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		long pid;
		char tail[8];
		if (sscanf(e->d_name, "open-%ld.d%7s", &pid, tail) != 2 || strcmp(tail, "b") || pid <= 0 ||
		    pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		sbuf p = SBUF_INIT;
		sb_printf(&p, "%s/%s", dir, e->d_name);
		remove_store(sb_str(&p));
		sb_free(&p);
	}
	closedir(d);
}

/* $XDG_CACHE_HOME/llmops/open-PID.db, made empty; NULL with the reason on stderr. */
static char *temp_store(void)
{
	char leaf[64], err[256];
	snprintf(leaf, sizeof leaf, "open-%ld.db", (long)getpid());
	char *path = file_xdg_path(XDG_CACHE, leaf, err, sizeof err);
	if (!path) {
		fprintf(stderr, "llmops: no place for a temporary store (%s): give one with --store PATH\n", err);
		return NULL;
	}
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = 0;
	remove_stale(dir);
	free(dir);
	remove_store(path); /* a pid reused after a crash */
	return path;
}

int cmd_open(ctx_t *x)
{
	int fmt = FMT_AUTO;
	if (x->a.val[O_FORMAT] && (fmt = import_format_parse(x->a.val[O_FORMAT])) < 0)
		cli_die_usage("--format: expected auto, otlp, jsonl or llm, got '%s'", x->a.val[O_FORMAT]);
	int keep = x->a.set[O_STORE];
	char *tmp = NULL;
	const char *path;
	if (keep) {
		if (!(path = cli_store_path(x)))
			return EXIT_FAIL;
	} else {
		if (!(path = tmp = temp_store()))
			return EXIT_FAIL;
	}
	/* Made (or migrated) now, so that the console opens on a store with
	 * its tables while the import has not written anything yet. */
	store_t *st;
	char err[512];
	if (store_open(path, STORE_CREATE, &st, err, sizeof err)) {
		fprintf(stderr, "llmops: %s\n", err);
		if (tmp)
			remove_store(tmp);
		free(tmp);
		return EXIT_FAIL;
	}
	store_close(st);
	bgimport_t *bg = bgimport_start(path, (const char *const *)x->a.pos, x->a.npos, fmt, x->prices, err, sizeof err);
	if (!bg) {
		fprintf(stderr, "llmops: %s\n", err);
		if (tmp)
			remove_store(tmp);
		free(tmp);
		return EXIT_FAIL;
	}
	char note[600];
	if (keep) {
		/* Its name: the status line has no room for folders. */
		const char *slash = strrchr(path, '/');
		char *p = sanitize_str(slash && slash[1] ? slash + 1 : path, 0);
		snprintf(note, sizeof note, "store %s", p);
		free(p);
	} else {
		snprintf(note, sizeof note, "temporary store");
	}
	provs_resolve_all(&x->provs);
	app_opts o = {.cfg = &x->cfg,
		      .prices = x->prices,
		      .provs = &x->provs,
		      .store_path = path,
		      .view = "dashboard",
		      .filter = "",
		      .ascii = x->ascii,
		      .color = !x->a.set[O_NOCOLOR] && config_num(&x->cfg, CFG_color) != 0,
		      .import = bg,
		      .import_store = note};
	int rc = app_main(&o);
	/* q while importing: what was read is committed (and kept, in a named store). */
	bgimport_stop(bg);
	/* Once the screen is gone, what was wrong in the files, every line of it. */
	char m[1024];
	int error;
	for (size_t i = 0; bgimport_message(bg, i, m, sizeof m, &error); i++)
		if (error)
			fprintf(stderr, "llmops: %s\n", m);
	bgimport_progress p;
	bgimport_get(bg, &p);
	bgimport_free(bg);
	if (tmp)
		remove_store(tmp);
	free(tmp);
	if (rc == EXIT_OK && !p.stopped)
		rc = p.worst == 2 ? EXIT_FAIL : p.worst == 1 ? EXIT_PARTIAL : EXIT_OK;
	return rc;
}
