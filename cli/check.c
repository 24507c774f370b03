/* llmops check: every alert rule once against the store, for cron, CI and
 * monitoring systems. What fires is printed with its numbers and the
 * FILTER that lists its calls; the exit status says the worst of it (0
 * nothing, 4 a warning, 5 a critical one), or as a monitoring plugin does
 * with --nagios. Transitions are notified (alert_cmd, alert_webhook) and
 * the state kept, so that a run from cron notifies each change once. */
#include <cjson/cJSON.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../data/alerts.h"
#include "cli.h"

enum { EXIT_ALERT_WARN = 4, EXIT_ALERT_CRIT = 5 };
/* The monitoring plugins' statuses. */
enum { NAGIOS_OK, NAGIOS_WARNING, NAGIOS_CRITICAL, NAGIOS_UNKNOWN };

static void to_stderr(void *ud, const char *line)
{
	(void)ud;
	char *s = sanitize_str(line, 0);
	fprintf(stderr, "llmops: %s\n", s);
	free(s);
}

static void print_text(const alert_result *r, size_t n, int64_t window_ns)
{
	size_t firing = 0, crit = 0, enabled = n;
	for (size_t i = 0; i < n; i++) {
		if (r[i].state == ALERT_OK)
			continue;
		firing += r[i].state == ALERT_FIRING;
		crit += r[i].state == ALERT_FIRING && r[i].rule->severity == ALERT_CRIT;
		char *f = sanitize_str(r[i].filter, 0), *d = sanitize_str(r[i].detail, 0);
		char over[40] = "";
		if (r[i].rule->metric != AM_NO_DATA && r[i].rule->metric != AM_BUDGET_DAILY &&
		    r[i].rule->metric != AM_BUDGET_MONTHLY) {
			char dur[32];
			clock_fmt_dur(r[i].rule->over_ns ? r[i].rule->over_ns : window_ns, dur, sizeof dur);
			snprintf(over, sizeof over, " over %s", dur);
		}
		printf("%s: %s (%s%s)\n", r[i].summary, d, alert_metric_name(r[i].rule->metric), over);
		printf("    filter: %s\n", *f ? f : "(every call)");
		free(f);
		free(d);
	}
	if (!firing)
		printf("OK: %zu rule%s, none firing\n", enabled, enabled == 1 ? "" : "s");
	else
		printf("%zu of %zu rule%s firing (%zu critical)\n", firing, enabled, enabled == 1 ? "" : "s", crit);
}

static void print_json(const alert_result *r, size_t n, const char *store, int64_t now)
{
	cJSON *j = cJSON_CreateObject();
	char t[40];
	clock_fmt_rfc3339(now, t, sizeof t);
	cJSON_AddStringToObject(j, "now", t);
	cJSON_AddStringToObject(j, "store", store);
	int worst = alerts_worst(r, n);
	if (worst)
		cJSON_AddStringToObject(j, "worst", alert_severity_name(worst));
	else
		cJSON_AddNullToObject(j, "worst");
	size_t firing = 0;
	cJSON *rules = cJSON_AddArrayToObject(j, "rules");
	for (size_t i = 0; i < n; i++) {
		firing += r[i].state == ALERT_FIRING;
		char *s = alert_result_json(&r[i], NULL);
		cJSON_AddItemToArray(rules, cJSON_Parse(s));
		free(s);
	}
	cJSON_AddNumberToObject(j, "firing", (double)firing);
	char *s = cJSON_Print(j);
	puts(s);
	free(s);
	cJSON_Delete(j);
}

/* A perfdata label: quoted, without the quote and '=' the format reserves. */
static void perf_label(sbuf *b, const char *name)
{
	sb_addc(b, '\'');
	for (const char *p = name; *p; p++)
		sb_addc(b, *p == '\'' || *p == '=' ? '_' : *p);
	sb_addc(b, '\'');
}

static const char *perf_uom(int metric)
{
	switch (metric) {
	case AM_ERROR_RATE:
	case AM_BUDGET_DAILY:
	case AM_BUDGET_MONTHLY:
		return "%";
	case AM_P50:
	case AM_P95:
	case AM_P99:
	case AM_TTFT_P95:
		return "ms";
	case AM_NO_DATA:
		return "s";
	default:
		return "";
	}
}

/* One plugin line: STATUS - what fires | 'rule'=value[UOM];warn;crit;min;max ...
 * A threshold is the plugins' range: "N" alerts above N, "N:" below it. */
static int print_nagios(const alert_result *r, size_t n)
{
	int worst = alerts_worst(r, n);
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	int status = worst == ALERT_CRIT ? NAGIOS_CRITICAL : worst == ALERT_WARN ? NAGIOS_WARNING : NAGIOS_OK;
	sbuf b = SBUF_INIT;
	sb_printf(&b, "LLMOPS %s - ", names[status]);
	size_t firing = 0;
	/* critical ones first: a status line is often cut short */
	for (int sev = ALERT_CRIT; sev >= ALERT_WARN; sev--)
		for (size_t i = 0; i < n; i++)
			if (r[i].state == ALERT_FIRING && r[i].rule->severity == sev) {
				/* '|' begins the performance data */
				char *s = sanitize_str(r[i].summary, 0);
				for (char *p = s; *p; p++)
					if (*p == '|')
						*p = '/';
				sb_printf(&b, "%s%s", firing++ ? ", " : "", s);
				free(s);
			}
	if (!firing)
		sb_printf(&b, "%zu rule%s, none firing", n, n == 1 ? "" : "s");
	if (n)
		sb_adds(&b, " |");
	for (size_t i = 0; i < n; i++) {
		const alert_rule *ru = r[i].rule;
		sb_addc(&b, ' ');
		perf_label(&b, ru->name);
		if (isfinite(r[i].value))
			sb_printf(&b, "=%.6g%s", r[i].value, perf_uom(ru->metric));
		else
			sb_adds(&b, "=U");
		char th[48] = "";
		if (ru->op == AO_GT || ru->op == AO_GE)
			snprintf(th, sizeof th, "%.6g", ru->value);
		else if (ru->op == AO_LT || ru->op == AO_LE)
			snprintf(th, sizeof th, "%.6g:", ru->value);
		const char *max = !strcmp(perf_uom(ru->metric), "%") && ru->metric == AM_ERROR_RATE ? "100" : "";
		sb_printf(&b, ";%s;%s;0;%s", ru->severity == ALERT_WARN ? th : "", ru->severity == ALERT_CRIT ? th : "", max);
	}
	puts(b.p);
	sb_free(&b);
	return status;
}

int cmd_check(ctx_t *x)
{
	if (x->a.npos)
		cli_die_usage("check: unexpected argument '%s'", x->a.pos[0]);
	int json = x->a.set[O_JSON], nagios = x->a.set[O_NAGIOS];
	if (json && nagios)
		cli_die_usage("check: --json and --nagios do not go together");
	store_t *st;
	if (cli_open_store(x, STORE_VIEWER, &st)) {
		if (nagios) {
			printf("LLMOPS UNKNOWN - cannot read the store\n");
			return NAGIOS_UNKNOWN;
		}
		return EXIT_FAIL;
	}
	alert_rules rules;
	alerts_from_config(&x->cfg, &rules);
	alert_env env;
	alert_env_from_config(&env, &x->cfg);
	env.prices = x->prices;
	env.provs = &x->provs;
	alert_notifier *nf = alert_notifier_new(config_str(&x->cfg, CFG_alert_cmd), config_str(&x->cfg, CFG_alert_webhook),
						to_stderr, NULL);
	int64_t now = clock_now_ns();
	alert_result *res = NULL;
	size_t n = 0;
	char err[512];
	int rc = alerts_run(st, &rules, &env, now, nf, to_stderr, NULL, &res, &n, err, sizeof err);
	/* Waits for the notifications: a cron run must not end before them. */
	alert_notifier_free(nf);
	int status;
	if (rc) {
		char *e = sanitize_str(err, 0);
		if (nagios) {
			for (char *p = e; *p; p++)
				if (*p == '|')
					*p = '/';
			printf("LLMOPS UNKNOWN - %s\n", e);
			status = NAGIOS_UNKNOWN;
		} else {
			fprintf(stderr, "llmops: check: %s\n", e);
			status = EXIT_FAIL;
		}
		free(e);
	} else if (nagios) {
		status = print_nagios(res, n);
	} else {
		if (json)
			print_json(res, n, store_path(st), now);
		else
			print_text(res, n, env.window_ns);
		int worst = alerts_worst(res, n);
		status = worst == ALERT_CRIT ? EXIT_ALERT_CRIT : worst == ALERT_WARN ? EXIT_ALERT_WARN : EXIT_OK;
	}
	free(res);
	alert_rules_free(&rules);
	store_close(st);
	return status;
}
