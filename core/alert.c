#include "alert.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "filter.h"
#include "str.h"

static const char *const metric_names[AM_COUNT] = {
    "error_rate", "errors", "calls", "p50", "p95", "p99", "ttft_p95",
    "cost", "burn", "budget_daily", "budget_monthly", "untraced", "no_data",
};

static const char *const op_names[] = {">", ">=", "<", "<=", "==", "!="};

const char *alert_metric_name(int m)
{
	return m >= 0 && m < AM_COUNT ? metric_names[m] : "?";
}

int alert_metric_parse(const char *s)
{
	for (int i = 0; i < AM_COUNT; i++)
		if (!strcmp(s, metric_names[i]))
			return i;
	return -1;
}

const char *alert_op_name(int op)
{
	return op >= 0 && op <= AO_NE ? op_names[op] : "?";
}

static int op_parse(const char *s)
{
	for (int i = 0; i <= AO_NE; i++)
		if (!strcmp(s, op_names[i]))
			return i;
	if (!strcmp(s, "="))
		return AO_EQ;
	return -1;
}

const char *alert_severity_name(int sev)
{
	return sev == ALERT_CRIT ? "crit" : "warn";
}

enum unit { U_PCT, U_COUNT, U_MS, U_USD, U_DUR };

static int metric_unit(int m)
{
	switch (m) {
	case AM_ERROR_RATE:
	case AM_BUDGET_DAILY:
	case AM_BUDGET_MONTHLY:
		return U_PCT;
	case AM_ERRORS:
	case AM_CALLS:
		return U_COUNT;
	case AM_P50:
	case AM_P95:
	case AM_P99:
	case AM_TTFT_P95:
		return U_MS;
	case AM_NO_DATA:
		return U_DUR;
	default:
		return U_USD;
	}
}

static int number(const char *s, const char *suffix, double *v)
{
	char *end;
	double d = strtod(s, &end);
	if (end == s || !isfinite(d))
		return -1;
	if (*end && (!suffix || strcmp(end, suffix)))
		return -1;
	*v = d;
	return 0;
}

/* A threshold in the metric's unit; 0 or -1 with what was expected. */
static int value_parse(int metric, const char *s, double *v, char *err, size_t errlen)
{
	int u = metric_unit(metric);
	int ok = -1;
	switch (u) {
	case U_PCT:
		ok = number(s, "%", v);
		break;
	case U_COUNT:
		ok = number(s, NULL, v);
		break;
	case U_MS:
		if (!number(s, "ms", v) || !number(s, NULL, v))
			ok = 0;
		else if (!number(s, "s", v)) {
			*v *= 1000;
			ok = 0;
		}
		break;
	case U_USD:
		ok = number(*s == '$' ? s + 1 : s, NULL, v);
		break;
	case U_DUR: {
		int64_t ns;
		if (!clock_parse_dur(s, &ns) && ns > 0) {
			*v = (double)ns / NS_PER_S;
			ok = 0;
		}
		break;
	}
	}
	if (!ok && *v < 0)
		ok = -1;
	if (ok) {
		static const char *const want[] = {"a percentage (5 or 5%)", "a count", "milliseconds (2000, 2000ms or 2s)",
						   "US dollars (5 or $5)", "a duration (15m)"};
		snprintf(err, errlen, "%s takes %s, not '%s'", metric_names[metric], want[u], s);
	}
	return ok;
}

void alert_rule_free(alert_rule *r)
{
	free(r->name);
	free(r->where);
	free(r->file);
	memset(r, 0, sizeof *r);
}

void alert_rule_copy(alert_rule *dst, const alert_rule *src)
{
	*dst = *src;
	dst->name = src->name ? xstrdup(src->name) : NULL;
	dst->where = src->where ? xstrdup(src->where) : NULL;
	dst->file = src->file ? xstrdup(src->file) : NULL;
}

static int name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
			return 0;
	return 1;
}

int alert_rule_parse(const char *const *w, int n, alert_rule *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (n < 3) {
		snprintf(err, errlen, "usage: alert NAME METRIC OP VALUE [over DUR] [where FILTER] [severity warn|crit] [for DUR]");
		return -1;
	}
	if (!name_ok(w[1])) {
		snprintf(err, errlen, "alert name '%.64s': letters, digits and - _ . : only, at most 64", w[1]);
		return -1;
	}
	int m = alert_metric_parse(w[2]);
	if (m < 0) {
		sbuf b = SBUF_INIT;
		for (int i = 0; i < AM_COUNT; i++)
			sb_printf(&b, "%s%s", i ? ", " : "", metric_names[i]);
		snprintf(err, errlen, "unknown metric '%.64s' (one of %s)", w[2], b.p);
		sb_free(&b);
		return -1;
	}
	int i = 3, op = AO_GT;
	if (i < n && op_parse(w[i]) >= 0)
		op = op_parse(w[i++]);
	else if (m != AM_NO_DATA) {
		snprintf(err, errlen, "%s: expected an operator (> >= < <= == !=), not '%.64s'", w[1], i < n ? w[i] : "nothing");
		return -1;
	}
	if (i >= n) {
		snprintf(err, errlen, "%s: %s %s needs a value", w[1], w[2], op_names[op]);
		return -1;
	}
	double v;
	if (value_parse(m, w[i++], &v, err, errlen))
		return -1;
	alert_rule r = {.metric = m, .op = op, .value = v, .severity = ALERT_WARN, .enabled = 1};
	for (; i < n; i++) {
		const char *k = w[i];
		if (i + 1 >= n) {
			snprintf(err, errlen, "%s: '%.32s' needs a value", w[1], k);
			goto bad;
		}
		const char *val = w[++i];
		if (!strcmp(k, "over") || !strcmp(k, "for")) {
			int64_t ns;
			if (clock_parse_dur(val, &ns) || ns <= 0) {
				snprintf(err, errlen, "%s: %s takes a duration (30s, 15m, 1h), not '%.32s'", w[1], k, val);
				goto bad;
			}
			if (*k == 'o')
				r.over_ns = ns;
			else
				r.for_ns = ns;
		} else if (!strcmp(k, "severity")) {
			if (!strcmp(val, "warn") || !strcmp(val, "warning"))
				r.severity = ALERT_WARN;
			else if (!strcmp(val, "crit") || !strcmp(val, "critical"))
				r.severity = ALERT_CRIT;
			else {
				snprintf(err, errlen, "%s: severity is warn or crit, not '%.32s'", w[1], val);
				goto bad;
			}
		} else if (!strcmp(k, "where")) {
			filter_t f;
			filter_init(&f);
			char ferr[256];
			int bad_filter = filter_parse(&f, val, ferr, sizeof ferr);
			filter_free(&f);
			if (bad_filter) {
				snprintf(err, errlen, "%s: where: %s", w[1], ferr);
				goto bad;
			}
			free(r.where);
			r.where = xstrdup(val);
		} else {
			snprintf(err, errlen, "%s: unknown word '%.32s' (over, where, severity, for)", w[1], k);
			goto bad;
		}
	}
	/* The budgets are of the whole spend, projected over their own period;
	 * the bills say nothing of prompts or features. */
	if (r.where && (m == AM_BUDGET_DAILY || m == AM_BUDGET_MONTHLY || m == AM_UNTRACED)) {
		snprintf(err, errlen, "%s: where does not apply to %s (it is the whole spend)", w[1], metric_names[m]);
		goto bad;
	}
	if (r.over_ns && (m == AM_BUDGET_DAILY || m == AM_BUDGET_MONTHLY || m == AM_NO_DATA)) {
		snprintf(err, errlen, "%s: over does not apply to %s", w[1], metric_names[m]);
		goto bad;
	}
	if (m == AM_NO_DATA && (op != AO_GT && op != AO_GE)) {
		snprintf(err, errlen, "%s: no_data takes > DUR (no calls for that long)", w[1]);
		goto bad;
	}
	r.name = xstrdup(w[1]);
	*out = r;
	return 0;
bad:
	free(r.where);
	return -1;
}

void alert_rules_add(alert_rules *rs, alert_rule *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
	}
	rs->v[rs->n++] = *r;
	memset(r, 0, sizeof *r);
}

void alert_rules_free(alert_rules *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		alert_rule_free(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

alert_rule *alert_rules_find(alert_rules *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].name, name))
			return &rs->v[i];
	return NULL;
}

static void add_builtin(alert_rules *rs, const char *name, int metric, double value, int sev)
{
	if (alert_rules_find(rs, name))
		return; /* the user's rule of that name takes its place */
	alert_rule r = {.name = xstrdup(name), .metric = metric, .op = AO_GT, .value = value, .severity = sev,
			.builtin = 1, .enabled = 1};
	if (metric == AM_BUDGET_DAILY || metric == AM_BUDGET_MONTHLY)
		r.op = AO_GE;
	alert_rules_add(rs, &r);
}

void alert_rules_builtin(alert_rules *rs, double error_warn, double error_crit, double budget_daily,
			 double budget_monthly)
{
	add_builtin(rs, "builtin-error-warn", AM_ERROR_RATE, error_warn, ALERT_WARN);
	add_builtin(rs, "builtin-error-crit", AM_ERROR_RATE, error_crit, ALERT_CRIT);
	if (budget_daily > 0) {
		add_builtin(rs, "builtin-budget-daily-warn", AM_BUDGET_DAILY, 80, ALERT_WARN);
		add_builtin(rs, "builtin-budget-daily-crit", AM_BUDGET_DAILY, 100, ALERT_CRIT);
	}
	if (budget_monthly > 0) {
		add_builtin(rs, "builtin-budget-monthly-warn", AM_BUDGET_MONTHLY, 80, ALERT_WARN);
		add_builtin(rs, "builtin-budget-monthly-crit", AM_BUDGET_MONTHLY, 100, ALERT_CRIT);
	}
}

int alert_holds(const alert_rule *r, double v)
{
	if (isnan(v))
		return 0;
	switch (r->op) {
	case AO_GT:
		return v > r->value;
	case AO_GE:
		return v >= r->value;
	case AO_LT:
		return v < r->value;
	case AO_LE:
		return v <= r->value;
	case AO_EQ:
		return v == r->value;
	default:
		return v != r->value;
	}
}

void alert_fmt_value(int metric, double v, char *out, size_t n)
{
	if (isnan(v)) {
		snprintf(out, n, "-");
		return;
	}
	if (isinf(v)) {
		snprintf(out, n, metric == AM_NO_DATA ? "never" : "-");
		return;
	}
	switch (metric_unit(metric)) {
	case U_PCT:
		snprintf(out, n, "%.1f%%", v);
		break;
	case U_COUNT:
		snprintf(out, n, "%.0f", v);
		break;
	case U_MS:
		if (v >= 1000)
			snprintf(out, n, "%.2fs", v / 1000);
		else
			snprintf(out, n, "%.0fms", v);
		break;
	case U_DUR:
		clock_fmt_dur((int64_t)(v * NS_PER_S), out, n);
		break;
	default:
		snprintf(out, n, metric == AM_BURN ? "$%.2f/h" : "$%.2f", v);
		break;
	}
}

void alert_fmt_rule(const alert_rule *r, char *out, size_t n)
{
	char v[32];
	if (metric_unit(r->metric) == U_PCT)
		snprintf(v, sizeof v, "%g%%", r->value);
	else if (metric_unit(r->metric) == U_DUR)
		clock_fmt_dur((int64_t)(r->value * NS_PER_S), v, sizeof v);
	else if (metric_unit(r->metric) == U_USD)
		snprintf(v, sizeof v, "$%g", r->value);
	else if (metric_unit(r->metric) == U_MS)
		snprintf(v, sizeof v, "%gms", r->value);
	else
		snprintf(v, sizeof v, "%g", r->value);
	sbuf b = SBUF_INIT;
	sb_printf(&b, "%s %s %s", metric_names[r->metric], op_names[r->op], v);
	char d[32];
	if (r->over_ns) {
		clock_fmt_dur(r->over_ns, d, sizeof d);
		sb_printf(&b, " over %s", d);
	}
	if (r->where)
		sb_printf(&b, " where \"%s\"", r->where);
	sb_printf(&b, " severity %s", alert_severity_name(r->severity));
	if (r->for_ns) {
		clock_fmt_dur(r->for_ns, d, sizeof d);
		sb_printf(&b, " for %s", d);
	}
	snprintf(out, n, "%s", b.p);
	sb_free(&b);
}
