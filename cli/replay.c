/* llmops replay: a call sent again with another prompt version. */
#include <cJSON.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/sanitize.h"
#include "../data/http.h"
#include "../data/replay.h"
#include "cli.h"

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

static void summary_figures(char f[5][32], int64_t in, int64_t out, double latency_ms, double ttft_ms, int64_t cost_nusd)
{
	snprintf(f[0], 32, in >= 0 ? "%lld" : "-", (long long)in);
	snprintf(f[1], 32, out >= 0 ? "%lld" : "-", (long long)out);
	fmt_ms(f[2], 32, latency_ms);
	fmt_ms(f[3], 32, ttft_ms);
	if (cost_nusd >= 0)
		snprintf(f[4], 32, "$%.6f", (double)cost_nusd / 1e9);
	else
		snprintf(f[4], 32, "-");
}

static void json_num_or_null(cJSON *o, const char *k, double v, int have)
{
	if (have)
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

int cmd_replay(ctx_t *x)
{
	if (x->a.npos != 1)
		cli_die_usage("replay: give one CALL_ID (the span id the console shows, or 8 or more of its first hex digits)");
	if (!x->a.val[O_PROMPTREF])
		cli_die_usage("replay: give --prompt NAME@VERSION (or VERSION of the call's own prompt)");
	store_t *st;
	if (cli_open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	int64_t id;
	char err[640];
	int found = store_find_call_ref(st, x->a.pos[0], &id, err, sizeof err);
	if (found) {
		char *e = sanitize_str(found == -2 ? err : x->a.pos[0], 0);
		if (found == -2)
			fprintf(stderr, "llmops: replay: %s\n", e);
		else
			fprintf(stderr, "llmops: replay: no call '%s' in %s\n", e, x->store_path);
		free(e);
		store_close(st);
		return EXIT_FAIL;
	}
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
		/* The one deadline, said before the wait it bounds. */
		fprintf(stderr, "llmops: replaying call %s with %s@%s on %s %s; gives up after the replay_timeout of %.0fs\n", r->span, pn,
			pv, r->provider, m, r->timeout_s);
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
		/* One buffer per figure: the columns read as the console's. */
		char f[5][32];
		fprintf(stderr, "           %10s %10s %10s %10s %10s\n", "in tok", "out tok", "latency", "ttft", "cost");
		summary_figures(f, r->orig_in, r->orig_out, r->orig_latency_ms, r->orig_ttft_ms, r->orig_cost_nusd);
		fprintf(stderr, "original   %10s %10s %10s %10s %10s\n", f[0], f[1], f[2], f[3], f[4]);
		summary_figures(f, r->res.input_tokens, r->res.output_tokens, r->latency_ms, r->ttft_ms, r->cost_nusd);
		fprintf(stderr, "replay     %10s %10s %10s %10s %10s\n", f[0], f[1], f[2], f[3], f[4]);
		if (r->replay_id)
			fprintf(stderr, "saved as replay %lld in %s\n", (long long)r->replay_id, x->store_path);
	}
	replay_free(r);
	http_free(h);
	store_close(st);
	return rc;
}
