/* llmops: argv and dispatch. The subcommands are in cli/, one file each;
 * this file knows them only through the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "data/secrets.h"
#include "views/view.h"

#ifndef LLMOPS_VERSION
#define LLMOPS_VERSION "0.1.0"
#endif

static int cmd_help(ctx_t *x);

/* In --help's order. Adding a subcommand: its file in cli/, its handler in
 * cli/cli.h, its entry here (the options it takes, its help lines). */
static const cli_cmd commands[] = {
    {"traces", cmd_traces, CLI_CONSOLE | CLI_STORE | CLI_WRITES, OPT(O_LISTEN),
     "  traces [FILTER...]                               the console on the trace list\n"},
    {"annotate", cmd_annotate, CLI_CONSOLE | CLI_STORE | CLI_WRITES, OPT(O_LISTEN),
     "  annotate [FILTER...]                             label those calls into the golden dataset\n"},
    {"prompts", cmd_prompts, CLI_CONSOLE | CLI_STORE | CLI_WRITES, OPT(O_LISTEN),
     "  prompts                                          the console on the prompt versions\n"},
    {"import", cmd_import, CLI_STORE | CLI_WRITES | CLI_CREATES, OPT(O_FORMAT),
     "  import [--format auto|otlp|jsonl|llm] FILE...   import traces (\"-\" reads stdin)\n"},
    {"report", cmd_report, CLI_STORE,
     OPT(O_SINCE) | OPT(O_FROM) | OPT(O_TO) | OPT(O_BY) | OPT(O_JSON) | OPT(O_CHANGES) | OPT(O_FORMAT),
     "  report [--since DUR | --from TIME --to TIME] [--by model|prompt|provider|feature] [--json]\n"
     "                                                 cost, errors and latency from the store\n"
     "  report [OPTIONS] [--format auto|otlp|jsonl|llm] FILE...\n"
     "                                                 the same report straight from trace files, without\n"
     "                                                 a store: read once, counted in memory\n"
     "  report --changes [--since DUR | --from TIME --to TIME]\n"
     "                                                 prompt versions and models that appeared, stopped\n"
     "                                                 or regressed in the window, worst first\n"},
    {"compare", cmd_compare, CLI_STORE, OPT(O_JSON),
     "  compare [DUR] [since NAME@VERSION|TIME] [--json]\n"
     "                                                 each model and prompt version, the last DUR against the\n"
     "                                                 DUR before (or since a deploy against as long before it),\n"
     "                                                 and whether errors and latency moved beyond noise\n"},
    {"demo", cmd_demo, CLI_CONSOLE | CLI_STORE | CLI_WRITES | CLI_CREATES, OPT(O_CALLS) | OPT(O_NOTUI),
     "  demo [--calls N] [--no-tui]                      write a deterministic demo store\n"},
    {"prompt", cmd_prompt, CLI_STORE | CLI_WRITES | CLI_CREATES, OPT(O_PVERSION),
     "  prompt add NAME FILE [--version V]               add a prompt version (default: the next number)\n"
     "  prompt list [NAME]                               prompt versions, newest first seen first, how each\n"
     "                                                 did in production and whether it regressed\n"
     "  prompt diff NAME V1 V2                           what changed between two versions: side by side on\n"
     "                                                 a terminal, a unified diff through a pipe\n"},
    {"replay", cmd_replay, CLI_STORE | CLI_WRITES, OPT(O_PROMPTREF) | OPT(O_MODEL) | OPT(O_JSON),
     "  replay CALL_ID --prompt NAME@VERSION [--model M] [--json]\n"
     "                                                 send the call again with that prompt version (CALL_ID:\n"
     "                                                 its span id, or 8 or more of its first hex digits); the\n"
     "                                                 rc's replay_timeout (60s) bounds it, retries included\n"},
    {"export", cmd_export, 0, OPT(O_FORMAT) | OPT(O_GOLDEN) | OPT(O_OUTPUT) | OPT(O_LABEL),
     "  export [--golden PATH] [--format jsonl|evals|chat|promptfoo|langfuse] [-o FILE] [--label LABEL]\n"
     "                                                 the labelled golden dataset, one JSON object a line\n"
     "                                                 (jsonl unless --format says otherwise)\n"},
    {"usage", cmd_usage, CLI_STORE | CLI_WRITES | CLI_CREATES, OPT(O_PROVIDER) | OPT(O_SINCE) | OPT(O_JSON),
     "  usage sync [--provider NAME] [--since DUR]       fetch what the providers bill (admin keys) into the store\n"
     "  usage [--provider NAME] [--since DUR] [--json]   the stored provider usage and cost reports (default 7d)\n"},
    {"collect", cmd_collect, CLI_STORE | CLI_WRITES | CLI_CREATES, OPT(O_LISTEN),
     "  collect [--listen ADDR:PORT]                     receive OTLP/HTTP (/v1/traces, /v1/logs) into the store\n"
     "                                                 (default 127.0.0.1:4318) until SIGTERM\n"},
    {"watch", cmd_watch, CLI_CONSOLE | CLI_STORE | CLI_WRITES, OPT(O_LISTEN),
     "  watch FILE...                                    the console, following growing files (JSONL, OTLP\n"
     "                                                 JSON lines, length-delimited OTLP protobuf)\n"},
    {"trace", cmd_trace, CLI_STORE, OPT(O_JSON),
     "  trace ID [--json]                                a trace's spans as a tree, with its calls (ID: a trace\n"
     "                                                 id, or the span id of a call or of any span in it,\n"
     "                                                 or 8 or more of a call's span id's first hex digits)\n"},
    {"check", cmd_check, CLI_STORE, OPT(O_JSON) | OPT(O_NAGIOS),
     "  check [--json | --nagios]                        evaluate the alert rules once: what fires, with its\n"
     "                                                 numbers and FILTER; exit 0 none, 4 warning, 5 critical\n"
     "                                                 (--nagios: one plugin line, exit 0/1/2/3); notifies\n"
     "                                                 alert_cmd and alert_webhook of each change once\n"},
    {"help", cmd_help, CLI_BARE, 0, NULL},
};

/* llmops with no command. */
static const cli_cmd dashboard = {NULL, cmd_dashboard, CLI_CONSOLE | CLI_STORE | CLI_WRITES, OPT(O_LISTEN), NULL};
/* llmops FILE...: a file where a command is expected (a command's name wins). */
static const cli_cmd open_files = {NULL, cmd_open, CLI_CONSOLE | CLI_STORE | CLI_WRITES | CLI_CREATES, OPT(O_FORMAT),
				   NULL};

static const struct optdef {
	const char *name;
	char shortc;
	int arg;
} optdefs[O_COUNT] = {
    [O_CONFIG] = {"config", 'c', 1},
    [O_STORE] = {"store", 0, 1},
    [O_ASCII] = {"ascii", 0, 0},
    [O_NOCOLOR] = {"no-color", 0, 0},
    [O_HELP] = {"help", 'h', 0},
    [O_VERSION] = {"version", 'V', 0},
    [O_FORMAT] = {"format", 0, 1},
    [O_SINCE] = {"since", 0, 1},
    [O_FROM] = {"from", 0, 1},
    [O_TO] = {"to", 0, 1},
    [O_BY] = {"by", 0, 1},
    [O_JSON] = {"json", 0, 0},
    [O_CALLS] = {"calls", 0, 1},
    [O_NOTUI] = {"no-tui", 0, 0},
    [O_GOLDEN] = {"golden", 0, 1},
    [O_OUTPUT] = {"output", 'o', 1},
    [O_LABEL] = {"label", 0, 1},
    /* After a command that takes it (prompt), --version names a prompt version. */
    [O_PVERSION] = {"version", 0, 1},
    [O_PROMPTREF] = {"prompt", 0, 1},
    [O_MODEL] = {"model", 0, 1},
    [O_PROVIDER] = {"provider", 0, 1},
    /* 2: the value is optional (--listen=V, or a next word with a colon). */
    [O_LISTEN] = {"listen", 0, 2},
    [O_CHANGES] = {"changes", 0, 0},
    [O_NAGIOS] = {"nagios", 0, 0},
};

static const char help_head[] =
    "usage: llmops [-c RC] [--store PATH] [--ascii] [--no-color] [COMMAND [ARGS]]\n"
    "       llmops [--store PATH] [--format auto|otlp|jsonl|llm] FILE...\n"
    "\n"
    "Without a command, llmops opens the console on the dashboard. Given files instead (a path that\n"
    "is not a command's name: ./import for a file called import), it opens the console on them at\n"
    "once while they are imported, into a temporary store removed on quit unless --store names one;\n"
    "the window follows their data. q stops the import; a growing file is read to its end (watch\n"
    "follows one).\n"
    "\n"
    "commands:\n";

static const char help_tail[] =
    "\n"
    "options (anywhere on the line):\n"
    "  -c, --config RC     rc file (default $LLMOPSRC, $XDG_CONFIG_HOME/llmops/llmopsrc, ~/.llmopsrc)\n"
    "      --store PATH    store (default $LLMOPS_STORE, 'set store' in the rc,\n"
    "                      $XDG_DATA_HOME/llmops/llmops.db); only import, collect, demo,\n"
    "                      prompt add and usage sync create it;\n"
    "                      clickhouse://[USER@]HOST[:PORT]/DATABASE[?secure=1] opens a\n"
    "                      ClickHouse database (password: $LLMOPS_CLICKHOUSE_PASSWORD)\n"
    "      --ascii         draw with ASCII only\n"
    "      --no-color      no colours (also NO_COLOR)\n"
    "      --listen [ADDR:PORT]  the console receives OTLP/HTTP there too (default 127.0.0.1:4318)\n"
    "  -h, --help          this help\n"
    "  -V, --version       the version\n"
    "\n"
    "DUR is 30s, 15m, 1h, 7d; TIME is RFC 3339 or Unix seconds.\n"
    "FILTER: model=M provider=P status=ok|error error=TYPE prompt=NAME[@V] feature=F user=ID\n"
    "        session=ID trace=HEX since=DUR sample=N% latency>MS and words to search for, all of\n"
    "        which must hold; model=a,b is either, FIELD!=V leaves those out.\n"
    "exit status: 0 ok, 1 failure, 2 bad usage, 3 partial (some records rejected, some providers failed).\n"
    "console: 40x10 or larger; ? lists the keys of the view first, Esc goes back, Ctrl-Z suspends, Ctrl-L redraws.\n"
    "See llmops(1) for the rc file and the record format.\n";

static int cmd_help(ctx_t *x)
{
	(void)x;
	fputs(help_head, stdout);
	for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
		if (commands[k].help)
			fputs(commands[k].help, stdout);
	fputs(help_tail, stdout);
	return EXIT_OK;
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
						a->cmd = &commands[k];
				struct stat sb;
				if (!a->cmd && stat(arg, &sb))
					cli_die_usage("unknown command '%s'", arg);
				if (!a->cmd) {
					a->cmd = &open_files;
					a->pos[a->npos++] = arg;
				}
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
			if (id == O_PVERSION && !(a->cmd && (a->cmd->opts & OPT(O_PVERSION))))
				id = O_VERSION;
			if (id < 0) /* without its value: it might be a secret */
				cli_die_usage("unknown option '--%.*s'", (int)len, name);
			if (eq) {
				if (!optdefs[id].arg)
					cli_die_usage("option '%s' takes no value", arg);
				val = eq + 1;
			}
		} else {
			for (int k = 0; k < O_COUNT; k++)
				if (optdefs[k].shortc && optdefs[k].shortc == arg[1] && !arg[2])
					id = k;
			if (id < 0)
				cli_die_usage("unknown option '%s'", arg);
		}
		if (optdefs[id].arg == 2 && !val) {
			if (i + 1 < argc && argv[i + 1][0] != '-' && strchr(argv[i + 1], ':'))
				val = argv[++i];
			else
				val = "";
		} else if (optdefs[id].arg && !val) {
			if (i + 1 >= argc)
				cli_die_usage("option '%s' needs a value", arg);
			val = argv[++i];
		}
		a->set[id] = 1;
		a->val[id] = val;
	}
	if (!a->cmd)
		a->cmd = &dashboard;
	for (int k = 0; k < O_COUNT; k++)
		if (a->set[k] && !((OPT_GLOBAL | a->cmd->opts) & OPT(k)))
		{
			if (a->cmd_name)
				cli_die_usage("option --%s does not apply to '%s'", optdefs[k].name, a->cmd_name);
			cli_die_usage("option --%s needs a command", optdefs[k].name);
		}
}

int main(int argc, char **argv)
{
	app_t0 = clock_mono(); /* the console's first frame is timed from here */
	ctx_t x = {0};
	parse_args(argc, argv, &x.a);
	const cli_cmd *c = x.a.cmd;
	if (x.a.set[O_HELP] || (c->flags & CLI_BARE)) {
		int rc = x.a.set[O_HELP] ? cmd_help(&x) : c->run(&x);
		free(x.a.pos);
		return rc;
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
	cli_load_config(&x);
	/* The console shows them in its status line, and prints them once the
	 * screen is gone; nothing is written to stderr while it is up. */
	int console = (c->flags & CLI_CONSOLE) && !x.a.set[O_NOTUI];
	if (!console)
		cli_print_config_errors(&x.cfg);
	int rc = c->run(&x);
	if (console)
		cli_print_config_errors(&x.cfg);
	cli_free_ctx(&x);
	return rc;
}
