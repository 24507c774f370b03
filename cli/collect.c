/* llmops collect: the OTLP/HTTP receiver without the console, for a server
 * or a systemd unit; and the receiver's settings, which the console takes
 * too. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/sanitize.h"
#include "../core/clock.h"
#include "../data/alerts.h"
#include "../data/file.h"
#include "../data/secrets.h"
#include "cli.h"

#define TOKEN_CMD_MS 10000
#define TLS_FILE_MAX (1u << 20)

void cli_receiver_free(cli_receiver *r)
{
	if (r->token) {
		explicit_bzero(r->token, strlen(r->token));
		free(r->token);
	}
	if (r->tls_key) {
		explicit_bzero(r->tls_key, strlen(r->tls_key));
		free(r->tls_key);
	}
	free(r->tls_cert);
	memset(r, 0, sizeof *r);
}

const char *cli_listen_address(ctx_t *x)
{
	if (x->a.set[O_LISTEN] && *x->a.val[O_LISTEN])
		return x->a.val[O_LISTEN];
	const char *rc = config_str(&x->cfg, CFG_listen);
	return rc ? rc : RECV_DEFAULT_LISTEN;
}

/* A PEM file the rc names, whole; NULL with the option and path in err. */
static char *read_pem(const char *option, const char *path, char *err, size_t errlen)
{
	char e[256];
	size_t n;
	char *text = file_read(path, TLS_FILE_MAX, FILE_REGULAR, &n, e, sizeof e);
	if (!text) {
		char *p = sanitize_str(path, 0);
		snprintf(err, errlen, "%s %s: %s", option, p, e);
		free(p);
	}
	return text;
}

int cli_receiver_setup(ctx_t *x, const char *listen, cli_receiver *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->listen = listen;
	/* The token: the environment (taken out of it at once), else the
	 * rc's command; never the command line. */
	const char *env = getenv("LLMOPS_COLLECT_TOKEN");
	if (env && *env) {
		r->token = xstrdup(env);
		unsetenv("LLMOPS_COLLECT_TOKEN");
	} else if (config_str(&x->cfg, CFG_collect_token_cmd)) {
		char e[256];
		r->token = secret_run_cmd(config_str(&x->cfg, CFG_collect_token_cmd), TOKEN_CMD_MS, e, sizeof e);
		if (!r->token || !*r->token) {
			snprintf(err, errlen, "collect_token_cmd: %s", r->token ? "printed nothing" : e);
			cli_receiver_free(r);
			return -1;
		}
	}
	const char *cert = config_str(&x->cfg, CFG_collect_tls_cert), *key = config_str(&x->cfg, CFG_collect_tls_key);
	if (!cert != !key) {
		snprintf(err, errlen, "TLS needs both collect_tls_cert and collect_tls_key");
		cli_receiver_free(r);
		return -1;
	}
	if (cert && (!(r->tls_cert = read_pem("collect_tls_cert", cert, err, errlen)) ||
		     !(r->tls_key = read_pem("collect_tls_key", key, err, errlen)))) {
		cli_receiver_free(r);
		return -1;
	}
	r->opts.listen = listen;
	r->opts.token = r->token;
	r->opts.tls_cert = r->tls_cert;
	r->opts.tls_key = r->tls_key;
	r->opts.store_path = x->store_path;
	r->opts.prices = x->prices;
	return 0;
}

static volatile sig_atomic_t stop_signal;

static void alert_log(void *ud, const char *line)
{
	(void)ud;
	char *s = sanitize_str(line, 0);
	fprintf(stderr, "llmops: %s\n", s);
	fflush(stderr);
	free(s);
}

/* The alert rules once, on a connection of their own: what changed state is
 * said on stderr and handed to the notifier (which sends it on its own
 * thread, so that the loop goes on). */
static void evaluate_alerts(ctx_t *x, const alert_rules *rules, alert_notifier *nf)
{
	if (!rules->n)
		return;
	store_t *st;
	char err[512];
	if (store_open(x->store_path, STORE_VIEWER, &st, err, sizeof err)) {
		alert_log(NULL, err);
		return;
	}
	alert_env env;
	alert_env_from_config(&env, &x->cfg);
	env.prices = x->prices;
	env.provs = &x->provs;
	alert_result *res;
	size_t n;
	if (alerts_run(st, rules, &env, clock_now_ns(), nf, alert_log, NULL, &res, &n, err, sizeof err)) {
		char line[600];
		snprintf(line, sizeof line, "alerts: %s", err);
		alert_log(NULL, line);
	} else {
		for (size_t i = 0; i < n; i++)
			if (res[i].transition != ALERT_T_NONE)
				alert_log(NULL, res[i].summary);
		free(res);
	}
	store_close(st);
}

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void print_stats(const char *lead, const receiver_stats *s)
{
	char *e = s->last_error[0] ? sanitize_str(s->last_error, 0) : NULL;
	fprintf(stderr,
		"llmops: %s: %llu batches, %llu spans, %llu calls (%llu in the last minute), %llu rejected, %llu refused, "
		"queue %llu%s%s\n",
		lead, (unsigned long long)s->batches, (unsigned long long)s->spans, (unsigned long long)s->calls,
		(unsigned long long)s->calls_minute, (unsigned long long)s->rejected, (unsigned long long)s->refused,
		(unsigned long long)s->queued, e ? "; last refused: " : "", e ? e : "");
	free(e);
	fflush(stderr);
}

int cmd_collect(ctx_t *x)
{
	if (x->a.npos)
		cli_die_usage("collect: unexpected argument '%s'", x->a.pos[0]);
	const char *listen = cli_listen_address(x);
	char err[512];
	if (receiver_check_listen(listen, err, sizeof err))
		cli_die_usage("collect: %s", err);
	/* The store is made and migrated here, before anything is received. */
	store_t *st;
	if (cli_open_store(x, STORE_CREATE, &st))
		return EXIT_FAIL;
	store_close(st);
	cli_receiver rs;
	if (cli_receiver_setup(x, listen, &rs, err, sizeof err)) {
		fprintf(stderr, "llmops: collect: %s\n", err);
		return EXIT_FAIL;
	}
	receiver_t *r = receiver_start(&rs.opts, err, sizeof err);
	if (!r) {
		fprintf(stderr, "llmops: collect: %s\n", err);
		cli_receiver_free(&rs);
		return EXIT_FAIL;
	}
	char *sp = sanitize_str(x->store_path, 0);
	fprintf(stderr, "llmops: receiving OTLP/HTTP on %s (POST /v1/traces, /v1/logs%s) into %s\n",
		receiver_address(r), rs.tls_cert ? ", HTTPS" : "", sp);
	fflush(stderr);
	free(sp);

	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* The collector is the alerter too: the rules at start, then every minute. */
	alert_rules rules;
	alerts_from_config(&x->cfg, &rules);
	alert_notifier *nf = alert_notifier_new(config_str(&x->cfg, CFG_alert_cmd), config_str(&x->cfg, CFG_alert_webhook),
						alert_log, NULL);
	evaluate_alerts(x, &rules, nf);
	time_t next = time(NULL) + 60;
	while (!stop_signal) {
		struct timespec ts = {0, 200000000};
		nanosleep(&ts, NULL);
		if (time(NULL) >= next) {
			receiver_stats s;
			receiver_get_stats(r, &s);
			char when[16];
			time_t now = time(NULL);
			struct tm tm;
			gmtime_r(&now, &tm);
			strftime(when, sizeof when, "%H:%M UTC", &tm);
			print_stats(when, &s);
			evaluate_alerts(x, &rules, nf);
			next += 60;
		}
	}
	fprintf(stderr, "llmops: stopping: storing and answering what was received\n");
	fflush(stderr);
	receiver_stats s;
	receiver_stop(r, &s);
	print_stats("stopped", &s);
	alert_notifier_free(nf);
	alert_rules_free(&rules);
	cli_receiver_free(&rs);
	return EXIT_OK;
}
