/* The subcommands: one file each under cli/, one entry each in main.c's
 * command table, and what they share (the parsed line, the rc, the store). */
#ifndef LLMOPS_CLI_H
#define LLMOPS_CLI_H

#include "../core/config.h"
#include "../core/pricing.h"
#include "../data/provider.h"
#include "../data/receiver.h"
#include "../data/store.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3 };

enum optid { O_CONFIG, O_STORE, O_ASCII, O_NOCOLOR, O_HELP, O_VERSION, O_FORMAT, O_SINCE, O_FROM, O_TO,
	     O_BY, O_JSON, O_CALLS, O_NOTUI, O_GOLDEN, O_OUTPUT, O_LABEL, O_PVERSION, O_PROMPTREF, O_MODEL, O_PROVIDER,
	     O_LISTEN, O_CHANGES, O_NAGIOS, O_COUNT };
#define OPT(id) (1u << (id))
/* Taken by every command, and without one. */
#define OPT_GLOBAL (OPT(O_CONFIG) | OPT(O_STORE) | OPT(O_ASCII) | OPT(O_NOCOLOR) | OPT(O_HELP) | OPT(O_VERSION))

enum {
	CLI_BARE = 1,    /* runs before the rc is read (help) */
	CLI_CONSOLE = 2, /* takes the terminal (unless --no-tui): the rc's errors wait until it is gone */
	CLI_STORE = 4,   /* reads the store */
	CLI_WRITES = 8,  /* may write to the store */
	CLI_CREATES = 16, /* may create the store: a mistyped --store elsewhere is an error */
};

typedef struct ctx ctx_t;

typedef struct cli_cmd {
	const char *name;
	int (*run)(ctx_t *x); /* an exit status */
	unsigned flags;       /* CLI_* */
	unsigned opts;        /* OPT()s it takes besides OPT_GLOBAL */
	const char *help;     /* its lines in --help's command list, each ending in \n */
} cli_cmd;

typedef struct args {
	const char *val[O_COUNT];
	int set[O_COUNT];
	const cli_cmd *cmd; /* the dashboard's entry when none was given */
	const char *cmd_name;
	char **pos;
	int npos;
} args_t;

struct ctx {
	args_t a;
	config_t cfg;
	char *rc_path;    /* NULL: no rc given and no place for one */
	char *store_path; /* NULL: no place for the store, store_err says why */
	char store_err[128];
	pricing_t *prices;
	provs_t provs; /* providers and their keys (captured from the environment) */
	int ascii;
};

/* "llmops: ..." and the hint to --help on stderr, then exit status 2. */
void cli_die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The rc, the key files, the providers, the store's path and the prices. */
void cli_load_config(ctx_t *x);
void cli_print_config_errors(const config_t *c);
void cli_free_ctx(ctx_t *x);

/* The store's path, or NULL with the reason on stderr. */
const char *cli_store_path(ctx_t *x);
/* 0 when the store exists; -1 with "no store at PATH" and the way to make
 * one on stderr. */
int cli_need_store(ctx_t *x);
/* STORE_* flags; 0, or -1 with the reason on stderr. */
int cli_open_store(ctx_t *x, int flags, store_t **st);
/* The console on a view, the command's words as its filter. */
int cli_console(ctx_t *x, const char *view);
/* The console on a view, following the files. */
int cli_console_files(ctx_t *x, const char *view, const char *const *files, int nfiles);

/* The receiver's settings for listen: the token (from $LLMOPS_COLLECT_TOKEN,
 * taken out of the environment, or collect_token_cmd) and the TLS files'
 * contents. 0, or -1 with the reason. */
typedef struct cli_receiver {
	receiver_opts opts;
	const char *listen;
	char *token, *tls_cert, *tls_key;
} cli_receiver;
/* --listen's address, else the rc's listen, else 127.0.0.1:4318. */
const char *cli_listen_address(ctx_t *x);
int cli_receiver_setup(ctx_t *x, const char *listen, cli_receiver *r, char *err, size_t errlen);
void cli_receiver_free(cli_receiver *r);

int cmd_annotate(ctx_t *x);
int cmd_check(ctx_t *x);
int cmd_collect(ctx_t *x);
int cmd_dashboard(ctx_t *x);
int cmd_demo(ctx_t *x);
int cmd_export(ctx_t *x);
int cmd_import(ctx_t *x);
int cmd_open(ctx_t *x); /* llmops FILE... */
int cmd_prompt(ctx_t *x);
int cmd_prompts(ctx_t *x);
int cmd_replay(ctx_t *x);
int cmd_report(ctx_t *x);
int cmd_trace(ctx_t *x);
int cmd_traces(ctx_t *x);
int cmd_usage(ctx_t *x);
int cmd_watch(ctx_t *x);

#endif
