/* llmops: argv, subcommands and wiring. The only file that sees every layer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include <cJSON.h>

#include "core/config.h"
#include "core/demo.h"
#include "core/pricing.h"
#include "core/sanitize.h"
#include "core/textdiff.h"
#include "data/golden.h"
#include "data/import.h"
#include "data/prompts.h"
#include "data/report_out.h"
#include "data/provider.h"
#include "data/replay.h"
#include "data/trace.h"
#include "data/secrets.h"
#include "data/store.h"
#include "data/usage.h"
#include "views/view.h"

#ifndef LLMOPS_VERSION
#define LLMOPS_VERSION "0.1.0"
#endif

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3 };

enum cmd { CMD_NONE, CMD_IMPORT, CMD_REPORT, CMD_DEMO, CMD_HELP, CMD_TRACES, CMD_EXPORT, CMD_ANNOTATE, CMD_PROMPT, CMD_PROMPTS, CMD_REPLAY, CMD_USAGE, CMD_TRACE };
#define C(x) (1u << (x))
#define ALL (~0u)

static const struct cmddef {
	const char *name;
	enum cmd cmd;
} commands[] = {
    {"import", CMD_IMPORT},
    {"report", CMD_REPORT},
    {"demo", CMD_DEMO},
    {"help", CMD_HELP},
    {"traces", CMD_TRACES},
    {"export", CMD_EXPORT},
    {"annotate", CMD_ANNOTATE},
    {"prompt", CMD_PROMPT},
    {"prompts", CMD_PROMPTS},
    {"replay", CMD_REPLAY},
    {"usage", CMD_USAGE},
    {"trace", CMD_TRACE},
};

enum optid { O_CONFIG, O_STORE, O_ASCII, O_NOCOLOR, O_HELP, O_VERSION, O_FORMAT, O_SINCE, O_FROM, O_TO,
	     O_BY, O_JSON, O_CALLS, O_NOTUI, O_GOLDEN, O_OUTPUT, O_LABEL, O_PVERSION, O_PROMPTREF, O_MODEL, O_PROVIDER, O_COUNT };

static const struct optdef {
	const char *name;
	char shortc;
	int arg;
	unsigned cmds;
} optdefs[O_COUNT] = {
    [O_CONFIG] = {"config", 'c', 1, ALL},
    [O_STORE] = {"store", 0, 1, ALL},
    [O_ASCII] = {"ascii", 0, 0, ALL},
    [O_NOCOLOR] = {"no-color", 0, 0, ALL},
    [O_HELP] = {"help", 'h', 0, ALL},
    [O_VERSION] = {"version", 'V', 0, ALL},
    [O_FORMAT] = {"format", 0, 1, C(CMD_IMPORT) | C(CMD_EXPORT)},
    [O_SINCE] = {"since", 0, 1, C(CMD_REPORT) | C(CMD_USAGE)},
    [O_FROM] = {"from", 0, 1, C(CMD_REPORT)},
    [O_TO] = {"to", 0, 1, C(CMD_REPORT)},
    [O_BY] = {"by", 0, 1, C(CMD_REPORT)},
    [O_JSON] = {"json", 0, 0, C(CMD_REPORT) | C(CMD_REPLAY) | C(CMD_USAGE) | C(CMD_TRACE)},
    [O_CALLS] = {"calls", 0, 1, C(CMD_DEMO)},
    [O_NOTUI] = {"no-tui", 0, 0, C(CMD_DEMO)},
    [O_GOLDEN] = {"golden", 0, 1, C(CMD_EXPORT)},
    [O_OUTPUT] = {"output", 'o', 1, C(CMD_EXPORT)},
    [O_LABEL] = {"label", 0, 1, C(CMD_EXPORT)},
    /* After the prompt command, --version names a prompt version. */
    [O_PVERSION] = {"version", 0, 1, C(CMD_PROMPT)},
    [O_PROMPTREF] = {"prompt", 0, 1, C(CMD_REPLAY)},
    [O_MODEL] = {"model", 0, 1, C(CMD_REPLAY)},
    [O_PROVIDER] = {"provider", 0, 1, C(CMD_USAGE)},
};

typedef struct args {
	const char *val[O_COUNT];
	int set[O_COUNT];
	enum cmd cmd;
	const char *cmd_name;
	char **pos;
	int npos;
} args_t;

static const char usage_text[] =
    "usage: llmops [-c RC] [--store PATH] [--ascii] [--no-color] [COMMAND [ARGS]]\n"
    "\n"
    "Without a command, llmops opens the console on the dashboard.\n"
    "\n"
    "commands:\n"
    "  traces [FILTER...]                               the console on the trace list\n"
    "  annotate [FILTER...]                             label those calls into the golden dataset\n"
    "  prompts                                          the console on the prompt versions\n"
    "  import [--format auto|otlp|jsonl|llm] FILE...   import traces (\"-\" reads stdin)\n"
    "  report [--since DUR | --from TIME --to TIME] [--by model|prompt|provider|feature] [--json]\n"
    "                                                 cost, errors and latency from the store\n"
    "  demo [--calls N] [--no-tui]                      write a deterministic demo store\n"
    "  prompt add NAME FILE [--version V]               add a prompt version (default: the next number)\n"
    "  prompt list [NAME]                               prompt versions and how each did in production\n"
    "  prompt diff NAME V1 V2                           what changed between two versions: side by side on\n"
    "                                                 a terminal, a unified diff through a pipe\n"
    "  replay CALL_ID --prompt NAME@VERSION [--model M] [--json]\n"
    "                                                 send the call again with that prompt version; the\n"
    "                                                 rc's replay_timeout (60s) bounds it, retries included\n"
    "  export [--golden PATH] --format jsonl|evals|chat|promptfoo|langfuse [-o FILE] [--label LABEL]\n"
    "                                                 the labelled golden dataset, one JSON object a line\n"
    "  usage sync [--provider NAME] [--since DUR]       fetch what the providers bill (admin keys) into the store\n"
    "  usage [--provider NAME] [--since DUR] [--json]   the stored provider usage and cost reports (default 7d)\n"
    "  trace ID [--json]                                a trace's spans as a tree, with its calls (ID: a trace\n"
    "                                                 id, or the span id of a call or of any span in it)\n"
    "\n"
    "options (anywhere on the line):\n"
    "  -c, --config RC     rc file (default $LLMOPSRC, $XDG_CONFIG_HOME/llmops/llmopsrc, ~/.llmopsrc)\n"
    "      --store PATH    store (default $LLMOPS_STORE, 'set store' in the rc,\n"
    "                      $XDG_DATA_HOME/llmops/llmops.db)\n"
    "      --ascii         draw with ASCII only\n"
    "      --no-color      no colours (also NO_COLOR)\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n"
    "\n"
    "DUR is 30s, 15m, 1h, 7d; TIME is RFC 3339 or Unix seconds.\n"
    "FILTER: model=M provider=P status=ok|error error=TYPE prompt=NAME[@V] feature=F\n"
    "        since=DUR sample=N% latency>MS and words to search for, all of which must hold.\n"
    "exit status: 0 ok, 1 failure, 2 bad usage, 3 partial (some records rejected, some providers failed).\n"
    "See llmops(1) for the rc file and the record format.\n";

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "llmops: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n(see llmops --help)\n");
	va_end(ap);
	exit(EXIT_USAGE);
}

static void parse_args(int argc, char **argv, args_t *a)
{
	memset(a, 0, sizeof *a);
	a->pos = calloc((size_t)argc, sizeof *a->pos);
	int only_pos = 0;
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];
		if (only_pos || arg[0] != '-' || !strcmp(arg, "-")) {
			if (!a->cmd_name) {
				a->cmd_name = arg;
				for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
					if (!strcmp(arg, commands[k].name))
						a->cmd = commands[k].cmd;
				if (a->cmd == CMD_NONE)
					die_usage("unknown command '%s'", arg);
			} else {
				a->pos[a->npos++] = arg;
			}
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = 1;
			continue;
		}
		int id = -1;
		const char *val = NULL;
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			for (int k = 0; k < O_COUNT; k++)
				if (strlen(optdefs[k].name) == len && !strncmp(optdefs[k].name, name, len))
					id = k;
			if (id == O_PVERSION && a->cmd != CMD_PROMPT)
				id = O_VERSION;
			if (id < 0) /* without its value: it might be a secret */
				die_usage("unknown option '--%.*s'", (int)len, name);
			if (eq) {
				if (!optdefs[id].arg)
					die_usage("option '%s' takes no value", arg);
				val = eq + 1;
			}
		} else {
			for (int k = 0; k < O_COUNT; k++)
				if (optdefs[k].shortc && optdefs[k].shortc == arg[1] && !arg[2])
					id = k;
			if (id < 0)
				die_usage("unknown option '%s'", arg);
		}
		if (optdefs[id].arg && !val) {
			if (i + 1 >= argc)
				die_usage("option '%s' needs a value", arg);
			val = argv[++i];
		}
		a->set[id] = 1;
		a->val[id] = val;
	}
	for (int k = 0; k < O_COUNT; k++)
		if (a->set[k] && !(optdefs[k].cmds & C(a->cmd)))
		{
			if (a->cmd_name)
				die_usage("option --%s does not apply to '%s'", optdefs[k].name, a->cmd_name);
			die_usage("option --%s needs a command", optdefs[k].name);
		}
}

/* ---- configuration ----------------------------------------------------- */

/* The rc files and the price table: regular files only, and at most max
 * bytes. Opened without blocking, so that a FIFO is refused rather than
 * waited on, and checked before anything is read, so that /dev/zero or a
 * huge file is never read into memory. */
static char *read_regular(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	*err = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		errno = e;
		return NULL;
	}
	struct stat sb;
	const char *why = NULL;
	int e = 0;
	if (fstat(fd, &sb)) {
		e = errno;
		why = strerror(e);
	} else if (S_ISDIR(sb.st_mode)) {
		e = EISDIR;
		why = "is a directory";
	} else if (!S_ISREG(sb.st_mode)) {
		e = EINVAL;
		why = "not a regular file";
	} else if ((uint64_t)sb.st_size > max) {
		e = EFBIG;
		why = "too large";
	}
	sbuf b = SBUF_INIT;
	while (!why) {
		sb_grow(&b, 65536);
		size_t room = max + 1 - b.len < 65536 ? max + 1 - b.len : 65536;
		ssize_t n = read(fd, b.p + b.len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			why = strerror(e);
		} else if (n == 0) {
			break;
		} else {
			b.len += (size_t)n;
			b.p[b.len] = 0;
			if (b.len > max) { /* it grew while being read */
				e = EFBIG;
				why = "too large";
			}
		}
	}
	close(fd);
	if (why) {
		if (e == EFBIG)
			snprintf(err, errlen, "larger than %zu %s", max >= (1u << 20) ? max >> 20 : max >> 10,
				 max >= (1u << 20) ? "MiB" : "KiB");
		else
			snprintf(err, errlen, "%s", why);
		sb_free(&b);
		errno = e;
		return NULL;
	}
	*len = b.len;
	return b.p ? sb_steal(&b) : xstrdup("");
}

static char *rc_read_cb(const char *path, size_t max, size_t *len, char *err, size_t errlen, void *ud)
{
	(void)ud;
	return read_regular(path, max, len, err, errlen);
}

/* LiteLLM's table is about 1.5 MB; sixty-four leaves it room to grow. */
#define PRICING_FILE_MAX (64u << 20)

static char *read_file_cb(const char *path, size_t *len, void *ud)
{
	(void)ud;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	sbuf b = SBUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		sb_add(&b, tmp, n);
	int err = ferror(f);
	fclose(f);
	if (err) {
		sb_free(&b);
		errno = EIO;
		return NULL;
	}
	*len = b.len;
	return sb_steal(&b);
}

static char *xdg_path(const char *env, const char *fallback, const char *leaf)
{
	const char *base = getenv(env);
	sbuf b = SBUF_INIT;
	if (base && *base) {
		sb_printf(&b, "%s/llmops/%s", base, leaf);
	} else {
		const char *home = getenv("HOME");
		sb_printf(&b, "%s/%s/llmops/%s", home && *home ? home : ".", fallback, leaf);
	}
	return sb_steal(&b);
}

typedef struct ctx {
	args_t a;
	config_t cfg;
	char *rc_path;
	char *store_path;
	pricing_t *prices;
	provs_t provs; /* providers and their keys (captured from the environment) */
	int ascii;
} ctx_t;

static void print_config_errors(const config_t *c)
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

static void load_config(ctx_t *x)
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
		x->rc_path = xdg_path("XDG_CONFIG_HOME", ".config", "llmopsrc");
		if (access(x->rc_path, F_OK) != 0) {
			const char *home = getenv("HOME");
			sbuf b = SBUF_INIT;
			sb_printf(&b, "%s/.llmopsrc", home ? home : ".");
			if (access(b.p, F_OK) == 0) {
				free(x->rc_path);
				x->rc_path = sb_steal(&b);
			} else {
				sb_free(&b);
			}
		}
	}
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
		x->store_path = xdg_path("XDG_DATA_HOME", ".local/share", "llmops.db");

	x->prices = pricing_new();
	const char *pf = config_str(&x->cfg, CFG_pricing_file);
	if (pf) {
		size_t len;
		char err[256];
		char *text = read_regular(pf, PRICING_FILE_MAX, &len, err, sizeof err);
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

static void free_ctx(ctx_t *x)
{
	provs_free(&x->provs);
	config_free(&x->cfg);
	free(x->rc_path);
	free(x->store_path);
	pricing_free(x->prices);
	free(x->a.pos);
}

static int open_store(ctx_t *x, int flags, store_t **st)
{
	char err[512];
	if (store_open(x->store_path, flags, st, err, sizeof err)) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: %s\n", e);
		free(e);
		return -1;
	}
	return 0;
}

/* ---- import ------------------------------------------------------------ */

static int cmd_import(ctx_t *x)
{
	if (!x->a.npos)
		die_usage("import: give the files to import (\"-\" reads stdin)");
	int fmt = FMT_AUTO;
	if (x->a.val[O_FORMAT] && (fmt = import_format_parse(x->a.val[O_FORMAT])) < 0)
		die_usage("--format: expected auto, otlp, jsonl or llm, got '%s'", x->a.val[O_FORMAT]);
	store_t *st;
	if (open_store(x, STORE_CREATE | STORE_BULK, &st))
		return EXIT_FAIL;
	import_opts o = {.format = fmt,
			 .progress = isatty(2),
			 .max_errors_shown = 10,
			 .prices = x->prices,
			 .errs = stderr};
	int worst = EXIT_OK;
	for (int i = 0; i < x->a.npos; i++) {
		import_result r;
		int rc = import_path(st, x->a.pos[i], &o, &r);
		if (rc == EXIT_FAIL || (rc == EXIT_PARTIAL && worst == EXIT_OK))
			worst = rc;
		if (rc == EXIT_FAIL && !r.calls && !r.records)
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

/* ---- report ------------------------------------------------------------ */

static int64_t parse_time_or_die(const char *opt, const char *v)
{
	int64_t t;
	if (clock_parse_time(v, &t))
		die_usage("%s: expected RFC 3339 or Unix seconds, got '%s'", opt, v);
	return t;
}

static int cmd_report(ctx_t *x)
{
	if (x->a.npos)
		die_usage("report: unexpected argument '%s'", x->a.pos[0]);
	int64_t now = clock_now_ns(), from, to = now, dur = config_dur(&x->cfg, CFG_window);
	if (x->a.val[O_SINCE] && (x->a.val[O_FROM] || x->a.val[O_TO]))
		die_usage("report: --since and --from/--to exclude each other");
	if (x->a.val[O_SINCE] && clock_parse_dur(x->a.val[O_SINCE], &dur))
		die_usage("--since: expected a duration like 15m, 1h or 7d, got '%s'", x->a.val[O_SINCE]);
	if (x->a.val[O_TO])
		to = parse_time_or_die("--to", x->a.val[O_TO]);
	from = x->a.val[O_FROM] ? parse_time_or_die("--from", x->a.val[O_FROM])
				 : to - dur;
	if (from >= to)
		die_usage("report: the window is empty (--from must be before --to)");
	int by = BY_MODEL;
	if (x->a.val[O_BY] && (by = report_by_parse(x->a.val[O_BY])) < 0)
		die_usage("--by: expected model, prompt, provider or feature, got '%s'", x->a.val[O_BY]);
	store_t *st;
	if (open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	report_t r;
	char err[512];
	int rc = store_report(st, from, to, by, &r, err, sizeof err);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: %s\n", err);
		return EXIT_FAIL;
	}
	if (x->a.set[O_JSON]) {
		report_write_json(&r, stdout);
	} else {
		int width = 200;
		struct winsize ws;
		if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			width = ws.ws_col;
		report_write_text(&r, stdout, width, x->ascii);
	}
	report_free(&r);
	return EXIT_OK;
}

static int cmd_console(ctx_t *x, const char *view);

/* ---- demo -------------------------------------------------------------- */

static int cmd_demo(ctx_t *x)
{
	if (x->a.npos)
		die_usage("demo: unexpected argument '%s'", x->a.pos[0]);
	long calls = DEMO_DEFAULT_CALLS;
	if (x->a.val[O_CALLS]) {
		char *end;
		calls = strtol(x->a.val[O_CALLS], &end, 10);
		if (*end || calls < 1 || calls > 100000000)
			die_usage("--calls: expected a number from 1 to 100000000, got '%s'", x->a.val[O_CALLS]);
	}
	/* The demo never lands in a real store by accident: without --store it
	 * has a file of its own, and it replaces only an earlier demo. */
	char *path = x->a.val[O_STORE] ? xstrdup(x->a.val[O_STORE]) : xdg_path("XDG_DATA_HOME", ".local/share", "demo.db");
	char *label = sanitize_str(path, 0);
	struct stat sb;
	if (stat(path, &sb) == 0) {
		store_t *old;
		char err[512];
		int is_demo = 0;
		if (store_open(path, STORE_VIEWER, &old, err, sizeof err) == 0) {
			int64_t n = store_call_count(old);
			is_demo = n == 0 || store_meta_get_int(old, "demo", 0) == 1;
			store_close(old);
		}
		if (!is_demo) {
			fprintf(stderr, "llmops: %s holds data that is not a demo; give another --store\n", label);
			free(label);
			free(path);
			return EXIT_FAIL;
		}
	}
	sbuf tmp = SBUF_INIT;
	sb_printf(&tmp, "%s.tmp-%d", path, (int)getpid());
	store_t *st;
	char err[512];
	if (store_open(tmp.p, STORE_CREATE | STORE_BULK, &st, err, sizeof err)) {
		fprintf(stderr, "llmops: %s\n", err);
		sb_free(&tmp);
		free(label);
		free(path);
		return EXIT_FAIL;
	}
	demo_t d;
	int64_t now = clock_now_ns();
	demo_init(&d, (uint64_t)calls, now, 42);
	size_t np;
	const demo_prompt *ps = demo_prompts(&d, &np);
	for (size_t i = 0; i < np; i++)
		store_put_prompt(st, ps[i].name, ps[i].version, ps[i].template, "demo", ps[i].deployed_ns);
	store_meta_set_int(st, "demo", 1);
	double t0 = clock_mono();
	ingester_t *in = ingester_start(st, x->prices, 1);
	int rc = 0;
	while (!rc && demo_next(&d, ingester_batch(in), 4096))
		rc = ingester_flush(in);
	ingest_stats stats;
	rc = ingester_finish(in, &stats, err, sizeof err) || rc;
	demo_free(&d);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: demo: %s\n", err);
		unlink(tmp.p);
	} else {
		const char *sfx[] = {"-wal", "-shm"};
		for (int i = 0; i < 2; i++) {
			sbuf s = SBUF_INIT;
			sb_printf(&s, "%s%s", path, sfx[i]);
			unlink(s.p);
			sb_free(&s);
		}
		if (rename(tmp.p, path)) {
			fprintf(stderr, "llmops: %s: %s\n", label, strerror(errno));
			rc = 1;
		}
	}
	sb_free(&tmp);
	if (!rc) {
		char n[32];
		fmt_thousands(n, sizeof n, stats.inserted);
		printf("demo store %s: %s calls over the last %d days (%.1fs)\n", label, n, DEMO_DAYS, clock_mono() - t0);
	}
	free(label);
	if (rc) {
		free(path);
		return EXIT_FAIL;
	}
	if (!x->a.set[O_NOTUI]) {
		free(x->store_path);
		x->store_path = path;
		if (isatty(STDOUT_FILENO))
			return cmd_console(x, "dashboard");
		/* No terminal to draw on (a pipe, CI): show what the store says. */
		x->a.val[O_SINCE] = NULL;
		printf("\n");
		return cmd_report(x);
	}
	free(path);
	return EXIT_OK;
}

/* ---- export ------------------------------------------------------------ */

/* The label whose output counts as a right answer: the one on the first
 * label key (1 good by default). */
static const char *good_label(const config_t *c)
{
	for (int k = 1; k <= 9; k++)
		if (c->labels[k])
			return c->labels[k];
	return NULL;
}

static int cmd_export(ctx_t *x)
{
	if (x->a.npos)
		die_usage("export: unexpected argument '%s'", x->a.pos[0]);
	if (!x->a.val[O_FORMAT])
		die_usage("export: give --format jsonl, evals, chat, promptfoo or langfuse");
	int fmt = golden_format_parse(x->a.val[O_FORMAT]);
	if (fmt < 0)
		die_usage("--format: expected jsonl, evals, chat, promptfoo or langfuse, got '%s'", x->a.val[O_FORMAT]);
	const char *path = x->a.val[O_GOLDEN] ? x->a.val[O_GOLDEN]
			   : config_str(&x->cfg, CFG_golden) ? config_str(&x->cfg, CFG_golden)
							     : x->store_path;
	const char *out = x->a.val[O_OUTPUT];
	if (out && !*out)
		die_usage("-o: give a file name (or - for standard output)");
	char *label = sanitize_str(path, 0);
	/* Opening creates the tables; a mistyped path must not become an empty
	 * dataset. */
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "llmops: no golden dataset at %s\n", label);
		free(label);
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
			printf("%s: %zu items exported [%s]", o, st.written, golden_format_name(fmt));
			free(o);
			if (st.skipped)
				printf(", %zu labelled items left out (no reference answer)", st.skipped);
			printf("\n");
		} else if (rc == 0 && st.skipped) {
			fprintf(stderr, "llmops: %zu labelled items left out (no reference answer)\n", st.skipped);
		}
	}
	free(label);
	if (rc) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: %s\n", e);
		free(e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ---- prompt ------------------------------------------------------------ */

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

static int cmd_prompt_add(ctx_t *x)
{
	if (x->a.npos != 3)
		die_usage("prompt add: expected NAME FILE [--version V]");
	const char *name = x->a.pos[1], *file = x->a.pos[2], *ver = x->a.val[O_PVERSION];
	if (!*name)
		die_usage("prompt add: the name is empty");
	if (ver && !*ver)
		die_usage("--version: the version is empty");
	char *label = sanitize_str(file, 0);
	size_t len;
	char *text = read_file_cb(file, &len, NULL);
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
	if (open_store(x, STORE_CREATE, &st)) {
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

static int cmd_prompt_list(ctx_t *x)
{
	if (x->a.npos > 2)
		die_usage("prompt list: unexpected argument '%s'", x->a.pos[2]);
	const char *name = x->a.npos == 2 ? x->a.pos[1] : NULL;
	store_t *st;
	if (open_store(x, STORE_CREATE | STORE_VIEWER, &st))
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
	enum { NCOL = 9 };
	static const char *const head[NCOL] = {"PROMPT", "VERSION", "SOURCE", "FIRST SEEN", "LAST SEEN",
					       "CALLS", "ERR%", "P95", "$/CALL"};
	size_t nrows = 0;
	for (size_t p = 0; p < l.n; p++)
		nrows += l.v[p].n;
	char *(*cell)[NCOL] = xcalloc(nrows, sizeof *cell);
	int w[NCOL];
	for (int c = 0; c < NCOL; c++)
		w[c] = (int)strlen(head[c]);
	size_t r = 0;
	for (size_t p = 0; p < l.n; p++) {
		for (size_t i = 0; i < l.v[p].n; i++, r++) {
			const prompt_ver *v = &l.v[p].v[i];
			char buf[64], kb[32];
			cell[r][0] = sanitize_str(l.v[p].name, SAN_ASCII);
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
			for (int c = 0; c < NCOL; c++)
				if ((int)strlen(cell[r][c]) > w[c])
					w[c] = (int)strlen(cell[r][c]);
		}
	}
	for (size_t k = 0; k <= nrows; k++) {
		for (int c = 0; c < NCOL; c++) {
			const char *s = k ? cell[k - 1][c] : head[c];
			/* Names left, numbers right. */
			if (c < 5)
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
	prompt_list_free(&l);
	return EXIT_OK;
}

static int cmd_prompt_diff(ctx_t *x)
{
	if (x->a.npos != 4)
		die_usage("prompt diff: expected NAME V1 V2");
	const char *name = x->a.pos[1], *v1 = x->a.pos[2], *v2 = x->a.pos[3];
	store_t *st;
	if (open_store(x, STORE_CREATE | STORE_VIEWER, &st))
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

static int cmd_prompt(ctx_t *x)
{
	const char *sub = x->a.npos ? x->a.pos[0] : NULL;
	if (!sub)
		die_usage("prompt: expected add, list or diff");
	if (x->a.set[O_PVERSION] && strcmp(sub, "add"))
		die_usage("option --version applies to 'prompt add' only");
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

/* ---- usage ------------------------------------------------------------- */

#define USAGE_DEFAULT_SINCE "7d"

static int64_t usage_since(ctx_t *x)
{
	int64_t dur;
	const char *v = x->a.val[O_SINCE] ? x->a.val[O_SINCE] : USAGE_DEFAULT_SINCE;
	if (clock_parse_dur(v, &dur) || dur <= 0)
		die_usage("--since: expected a duration like 15m, 1h or 7d, got '%s'", v);
	return dur;
}

static void usage_print(const char *msg)
{
	char *m = sanitize_str(msg, 0);
	fprintf(stderr, "llmops: %s\n", m);
	free(m);
}

static void sync_event(void *ud, int ev, const char *msg)
{
	(void)ud;
	if (ev == UE_ERROR || ev == UE_RETRY || ev == UE_RETRY_AGAIN)
		usage_print(msg);
}

static void fmt_span(int64_t a_s, int64_t b_s, char *out, size_t n)
{
	char a[32], b[32];
	clock_fmt_short(a_s * NS_PER_S, a, sizeof a);
	clock_fmt_short(b_s * NS_PER_S, b, sizeof b);
	/* The day once when both ends are on it. */
	snprintf(out, n, "%s to %s UTC", a, strncmp(a, b, 11) ? b : b + 11);
}

/* One fetch of every stream of the providers with an admin key, in this
 * process's own HTTP loop; then what was fetched, and the numbers. */
static int cmd_usage_sync(ctx_t *x)
{
	if (x->a.npos > 1)
		die_usage("usage sync: unexpected argument '%s'", x->a.pos[1]);
	if (x->a.set[O_JSON])
		die_usage("option --json applies to 'usage', not 'usage sync'");
	int64_t since = usage_since(x);
	const char *only = x->a.val[O_PROVIDER];
	if (only && !provs_find(&x->provs, only)) {
		char *o = sanitize_str(only, 0);
		die_usage("--provider: no provider named '%s' (openai, anthropic, or a provider line's name)", o);
	}
	store_t *st;
	if (open_store(x, STORE_CREATE, &st))
		return EXIT_FAIL;
	http_t *h = http_new();
	usage_opts o = {.backfill_usage_s = since / NS_PER_S,
			.backfill_cost_s = since / NS_PER_S,
			.max_attempts = 3,
			.once = 1,
			.only = only};
	usage_poller_t *u = usage_poller_new(h, st, &x->provs, &o);
	usage_poller_on_event(u, sync_event, NULL);
	size_t n = usage_poller_count(u);
	if (!usage_poller_active(u)) {
		for (size_t i = 0; i < n; i++) {
			usage_status s;
			usage_poller_status(u, i, &s);
			usage_print(s.msg);
		}
		usage_poller_free(u);
		http_free(h);
		store_close(st);
		return EXIT_FAIL;
	}
	/* Until no request is under way and no page fetched waits for the
	 * store (locked by another writer: the poller tries it again). */
	usage_poller_tick(u);
	for (;;) {
		long uw = usage_poller_wait_ms(u), hw = http_wait_ms(h), wait = 1000;
		if (!http_active(h) && uw < 0)
			break;
		if (hw >= 0 && hw < wait)
			wait = hw;
		if (uw >= 0 && uw < wait)
			wait = uw;
		struct pollfd fds[64];
		int nfd = http_pollfds(h, fds, 64);
		if (poll(fds, (nfds_t)nfd, (int)wait) < 0 && errno != EINTR)
			break;
		http_process(h, fds, nfd);
		usage_poller_tick(u);
	}
	int ok = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		usage_status s;
		usage_poller_status(u, i, &s);
		char *name = sanitize_str(s.provider, 0);
		if (s.state == US_NO_KEY || s.state == US_KEY_ERROR) {
			/* Not asked for by name: simply not polled. */
			if (only)
				failed++;
			usage_print(s.msg);
			free(name);
			continue;
		}
		for (int k = 0; k < s.nstreams; k++) {
			const usage_stream_status *ss = &s.streams[k];
			char span[96];
			printf("%s: %s: ", name, ss->name);
			if (!ss->ok) {
				printf("failed\n");
				failed++;
				continue;
			}
			ok++;
			if (!ss->pages) {
				printf("up to date\n");
				continue;
			}
			if (!ss->buckets) {
				printf("nothing reported in %d page%s\n", ss->pages, ss->pages == 1 ? "" : "s");
				continue;
			}
			fmt_span(ss->first_s, ss->last_s, span, sizeof span);
			printf("%d bucket%s in %d page%s, %s\n", ss->buckets, ss->buckets == 1 ? "" : "s", ss->pages,
			       ss->pages == 1 ? "" : "s", span);
		}
		free(name);
	}
	usage_poller_free(u);
	http_free(h);
	int64_t now = clock_now_ns();
	usage_sum sum;
	char err[512];
	if (ok && usage_summarize(st, x->prices, now - since, now, &sum, err, sizeof err) == 0) {
		printf("\n");
		usage_write_text(&sum, stdout);
		usage_sum_free(&sum);
	}
	store_close(st);
	return failed ? (ok ? EXIT_PARTIAL : EXIT_FAIL) : EXIT_OK;
}

static int cmd_usage_show(ctx_t *x)
{
	if (x->a.npos)
		die_usage("usage: unexpected argument '%s' (sync, or nothing)", x->a.pos[0]);
	int64_t since = usage_since(x);
	struct stat sb;
	if (stat(x->store_path, &sb) != 0) {
		char *p = sanitize_str(x->store_path, 0);
		fprintf(stderr, "llmops: no store at %s; llmops usage sync fetches what the providers report\n", p);
		free(p);
		return EXIT_FAIL;
	}
	store_t *st;
	if (open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	int64_t now = clock_now_ns();
	usage_sum sum;
	char err[512];
	int rc = usage_summarize(st, x->prices, now - since, now, &sum, err, sizeof err);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: %s\n", err);
		return EXIT_FAIL;
	}
	const char *only = x->a.val[O_PROVIDER];
	if (only) {
		/* By name, or every provider of that type. */
		prov_t *p = provs_find(&x->provs, only);
		size_t k = 0;
		for (size_t i = 0; i < sum.nmodels; i++) {
			prov_t *q = provs_find(&x->provs, sum.models[i].provider);
			if (!strcmp(sum.models[i].provider, only) || (q && p && !strcmp(only, p->ops->name) && q->ops == p->ops))
				sum.models[k++] = sum.models[i];
			else {
				free(sum.models[i].provider);
				free(sum.models[i].model);
			}
		}
		sum.nmodels = k;
		k = 0;
		for (size_t i = 0; i < sum.nprovs; i++) {
			prov_t *q = provs_find(&x->provs, sum.provs[i].provider);
			if (!strcmp(sum.provs[i].provider, only) || (q && p && !strcmp(only, p->ops->name) && q->ops == p->ops))
				sum.provs[k++] = sum.provs[i];
			else
				free(sum.provs[i].provider);
		}
		sum.nprovs = k;
	}
	if (x->a.set[O_JSON])
		usage_write_json(&sum, stdout);
	else
		usage_write_text(&sum, stdout);
	usage_sum_free(&sum);
	return EXIT_OK;
}

static int cmd_usage(ctx_t *x)
{
	if (x->a.npos && !strcmp(x->a.pos[0], "sync"))
		return cmd_usage_sync(x);
	if (x->a.set[O_PROVIDER] && !x->a.val[O_PROVIDER][0])
		die_usage("--provider: give a provider name");
	return cmd_usage_show(x);
}

/* ---- the console ------------------------------------------------------- */

static int cmd_console(ctx_t *x, const char *view)
{
	sbuf filter = SBUF_INIT;
	for (int i = 0; i < x->a.npos; i++) {
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
		die_usage("filter: %s", err);
	}
	filter_free(&f);
	/* Key commands run now, not on the console's loop. */
	provs_resolve_all(&x->provs);
	app_opts o = {.cfg = &x->cfg,
		      .prices = x->prices,
		      .provs = &x->provs,
		      .store_path = x->store_path,
		      .view = view,
		      .filter = sb_str(&filter),
		      .ascii = x->ascii,
		      .color = !x->a.set[O_NOCOLOR] && config_num(&x->cfg, CFG_color) != 0};
	int rc = app_main(&o);
	sb_free(&filter);
	return rc;
}

/* ---- replay ------------------------------------------------------------ */

static volatile sig_atomic_t replay_stop;
static void on_replay_sigint(int sig)
{
	(void)sig;
	replay_stop = 1;
}

typedef struct replay_cli {
	size_t shown; /* characters of the answer printed so far */
	int tty, json;
} replay_cli;

/* The answer streams to stdout as it arrives (sanitised on a terminal). */
static void replay_cli_change(void *ud, replay_t *r)
{
	replay_cli *c = ud;
	if (r->note[0] && !c->json) {
		char *n = sanitize_str(r->note, 0);
		fprintf(stderr, "llmops: %s\n", n);
		free(n);
		r->note[0] = 0;
	}
	if (c->json || r->res.text.len <= c->shown)
		return;
	const char *p = r->res.text.p + c->shown;
	size_t n = r->res.text.len - c->shown;
	if (c->tty) {
		char *t = xstrndup(p, n);
		char *sn = sanitize_str(t, SAN_KEEP_NL | SAN_TABS);
		fputs(sn, stdout);
		free(sn);
		free(t);
	} else {
		fwrite(p, 1, n, stdout);
	}
	fflush(stdout);
	c->shown = r->res.text.len;
}

static void json_num_or_null(cJSON *o, const char *k, double v, int have)
{
	if (have)
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static int cmd_trace(ctx_t *x)
{
	if (x->a.npos != 1)
		die_usage("trace: give one ID (a trace id, or the span id of a call)");
	store_t *st;
	if (open_store(x, STORE_VIEWER, &st))
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

static int cmd_replay(ctx_t *x)
{
	if (x->a.npos != 1)
		die_usage("replay: give one CALL_ID (the span id, or the store id shown in the console)");
	if (!x->a.val[O_PROMPTREF])
		die_usage("replay: give --prompt NAME@VERSION (or VERSION of the call's own prompt)");
	store_t *st;
	if (open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	int64_t id;
	if (store_find_call(st, x->a.pos[0], &id)) {
		char *e = sanitize_str(x->a.pos[0], 0);
		fprintf(stderr, "llmops: replay: no call '%s' in %s\n", e, x->store_path);
		free(e);
		store_close(st);
		return EXIT_FAIL;
	}
	char err[640];
	replay_t *r = replay_new(st, &x->provs, x->prices, id, x->a.val[O_PROMPTREF], x->a.val[O_MODEL], err, sizeof err);
	if (!r) {
		char *e = sanitize_str(err, 0);
		fprintf(stderr, "llmops: replay: %s\n", e);
		free(e);
		store_close(st);
		return EXIT_FAIL;
	}
	replay_cli c = {.tty = isatty(1), .json = x->a.set[O_JSON]};
	r->timeout_s = (double)config_dur(&x->cfg, CFG_replay_timeout) / 1e9;
	r->on_change = replay_cli_change;
	r->ud = &c;
	if (!c.json) {
		char *m = sanitize_str(r->model, 0), *pn = sanitize_str(r->prompt_name, 0), *pv = sanitize_str(r->prompt_version, 0);
		fprintf(stderr, "llmops: replaying call %s with %s@%s on %s %s\n", r->span, pn, pv, r->provider, m);
		free(m);
		free(pn);
		free(pv);
	}
	struct sigaction sa = {.sa_handler = on_replay_sigint}, old;
	sigaction(SIGINT, &sa, &old);
	http_t *h = http_new();
	replay_start(r, h);
	http_run(h, (volatile int *)&replay_stop);
	if (!replay_finished(r))
		replay_cancel(r);
	sigaction(SIGINT, &old, NULL);
	int rc = r->state == RP_DONE ? EXIT_OK : EXIT_FAIL;
	if (c.json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "call_id", r->span);
		char pref[400];
		snprintf(pref, sizeof pref, "%s@%s", r->prompt_name, r->prompt_version);
		cJSON_AddStringToObject(o, "prompt", pref);
		cJSON_AddStringToObject(o, "model", *r->res.model ? r->res.model : r->model);
		cJSON_AddStringToObject(o, "output", sb_str(&r->res.text));
		if (r->orig_output)
			cJSON_AddStringToObject(o, "original_output", r->orig_output);
		else
			cJSON_AddNullToObject(o, "original_output");
		json_num_or_null(o, "input_tokens", (double)r->res.input_tokens, r->res.input_tokens >= 0);
		json_num_or_null(o, "output_tokens", (double)r->res.output_tokens, r->res.output_tokens >= 0);
		json_num_or_null(o, "latency_ms", round(r->latency_ms), r->latency_ms >= 0);
		json_num_or_null(o, "ttft_ms", round(r->ttft_ms), r->ttft_ms >= 0);
		json_num_or_null(o, "cost_usd", (double)r->cost_nusd / 1e9, r->cost_nusd >= 0);
		json_num_or_null(o, "replay_id", (double)r->replay_id, r->replay_id > 0);
		cJSON_AddStringToObject(o, "status", r->state == RP_CANCELLED ? "cancelled" : r->partial ? "partial" : r->state == RP_DONE ? "ok" : "error");
		if (*r->err)
			cJSON_AddStringToObject(o, "error", r->err);
		if (*r->res.error_type)
			cJSON_AddStringToObject(o, "error_type", r->res.error_type);
		char *js = cJSON_PrintUnformatted(o);
		sbuf safe = SBUF_INIT;
		sanitize_json(js, strlen(js), &safe); /* a model's answer may hold anything */
		puts(sb_str(&safe));
		sb_free(&safe);
		cJSON_free(js);
		cJSON_Delete(o);
	} else {
		if (c.shown && r->res.text.p[r->res.text.len - 1] != '\n')
			putchar('\n');
		if (*r->err) {
			char *e = sanitize_str(r->err, 0);
			fprintf(stderr, "llmops: replay: %s\n", e);
			free(e);
		}
		char a[32], b[32];
		fprintf(stderr, "           %10s %10s %10s %10s %10s\n", "in tok", "out tok", "latency", "ttft", "cost");
		#define MS(v, buf) ((v) >= 0 ? (snprintf(buf, sizeof buf, "%.0fms", (v)), buf) : "-")
		#define TOK(v, buf) ((v) >= 0 ? (snprintf(buf, sizeof buf, "%lld", (long long)(v)), buf) : "-")
		fprintf(stderr, "original   %10s %10s", TOK(r->orig_in, a), TOK(r->orig_out, b));
		fprintf(stderr, " %10s %10s %10s\n", MS(r->orig_latency_ms, a), MS(r->orig_ttft_ms, b),
			r->orig_cost_nusd >= 0 ? (snprintf(a, sizeof a, "$%.6f", (double)r->orig_cost_nusd / 1e9), a) : "-");
		fprintf(stderr, "replay     %10s %10s", TOK(r->res.input_tokens, a), TOK(r->res.output_tokens, b));
		fprintf(stderr, " %10s %10s %10s\n", MS(r->latency_ms, a), MS(r->ttft_ms, b),
			r->cost_nusd >= 0 ? (snprintf(a, sizeof a, "$%.6f", (double)r->cost_nusd / 1e9), a) : "-");
		#undef TOK
		#undef MS
		if (r->replay_id)
			fprintf(stderr, "saved as replay %lld in %s\n", (long long)r->replay_id, x->store_path);
	}
	replay_free(r);
	http_free(h);
	store_close(st);
	return rc;
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	app_t0 = clock_mono(); /* the console's first frame is timed from here */
	ctx_t x = {0};
	parse_args(argc, argv, &x.a);
	if (x.a.set[O_HELP] || x.a.cmd == CMD_HELP) {
		fputs(usage_text, stdout);
		free(x.a.pos);
		return EXIT_OK;
	}
	if (x.a.set[O_VERSION]) {
		printf("llmops %s\n", LLMOPS_VERSION);
		free(x.a.pos);
		return EXIT_OK;
	}
	const char *bad;
	if (clock_check_env(&bad)) {
		fprintf(stderr, "llmops: LLMOPS_NOW: '%s' is not RFC 3339 or Unix seconds\n", bad);
		free(x.a.pos);
		return EXIT_USAGE;
	}
	secrets_harden_process();
	load_config(&x);
	/* The console shows them in its status line, and prints them once the
	 * screen is gone; nothing is written to stderr while it is up. */
	int console = x.a.cmd == CMD_TRACES || x.a.cmd == CMD_ANNOTATE || x.a.cmd == CMD_PROMPTS || x.a.cmd == CMD_NONE || (x.a.cmd == CMD_DEMO && !x.a.set[O_NOTUI]);
	if (!console)
		print_config_errors(&x.cfg);
	int rc;
	switch (x.a.cmd) {
	case CMD_IMPORT: rc = cmd_import(&x); break;
	case CMD_REPORT: rc = cmd_report(&x); break;
	case CMD_DEMO: rc = cmd_demo(&x); break;
	case CMD_PROMPT: rc = cmd_prompt(&x); break;
	case CMD_REPLAY: rc = cmd_replay(&x); break;
	case CMD_EXPORT: rc = cmd_export(&x); break;
	case CMD_USAGE: rc = cmd_usage(&x); break;
	case CMD_TRACE: rc = cmd_trace(&x); break;
	case CMD_TRACES: rc = cmd_console(&x, "traces"); break;
	case CMD_ANNOTATE: rc = cmd_console(&x, "annotate"); break;
	case CMD_PROMPTS: rc = cmd_console(&x, "prompts"); break;
	default:
		if (x.a.npos)
			die_usage("unexpected argument '%s'", x.a.pos[0]);
		rc = cmd_console(&x, "dashboard");
	}
	if (console)
		print_config_errors(&x.cfg);
	free_ctx(&x);
	return rc;
}
