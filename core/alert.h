/* Alert rules: one rc line each,
 *   alert NAME METRIC OP VALUE [over DUR] [where FILTER] [severity warn|crit] [for DUR]
 * parsed here without I/O; data/alerts.h evaluates them against the store.
 * The thresholds the panes colour by (error rate, budgets) are rules too:
 * alert_rules_builtin lists them beside the user's. */
#ifndef LLMOPS_ALERT_H
#define LLMOPS_ALERT_H

#include <stddef.h>
#include <stdint.h>

enum alert_metric {
	AM_ERROR_RATE,     /* % of the window's calls that failed */
	AM_ERRORS,         /* failed calls in the window */
	AM_CALLS,          /* calls in the window */
	AM_P50,            /* latency, ms */
	AM_P95,
	AM_P99,
	AM_TTFT_P95,       /* time to first token, ms */
	AM_COST,           /* USD spent in the window */
	AM_BURN,           /* USD per hour over the window */
	AM_BUDGET_DAILY,   /* % of budget_daily the day is projected to spend */
	AM_BUDGET_MONTHLY, /* % of budget_monthly, likewise for the month */
	AM_UNTRACED,       /* USD billed and not traced in the window (usage synced) */
	AM_NO_DATA,        /* seconds since the newest call (over DUR: value DUR) */
	AM_COUNT
};

enum alert_op { AO_GT, AO_GE, AO_LT, AO_LE, AO_EQ, AO_NE };

enum alert_severity { ALERT_WARN = 1, ALERT_CRIT = 2 };

typedef struct alert_rule {
	char *name;
	int metric;     /* enum alert_metric */
	int op;         /* enum alert_op */
	double value;   /* in the metric's unit (%, ms, USD, seconds) */
	int64_t over_ns; /* the window; 0: the rc's window */
	char *where;    /* a FILTER (core/filter.h), or NULL */
	int severity;   /* ALERT_WARN or ALERT_CRIT */
	int64_t for_ns; /* how long the condition holds before firing, and is
			 * false before a firing rule resolves */
	int builtin;    /* one of alert_rules_builtin's */
	int enabled;
	char *file;     /* where it was read (NULL: built in) */
	int line;
} alert_rule;

typedef struct alert_rules {
	alert_rule *v;
	size_t n, cap;
} alert_rules;

/* One rc line's words, w[0] being "alert". 0, or -1 with the reason in err
 * (without the path:line, which the caller adds). */
int alert_rule_parse(const char *const *w, int n, alert_rule *out, char *err, size_t errlen);
void alert_rule_free(alert_rule *r);
void alert_rule_copy(alert_rule *dst, const alert_rule *src);

void alert_rules_add(alert_rules *rs, alert_rule *r); /* takes r's strings */
void alert_rules_free(alert_rules *rs);
alert_rule *alert_rules_find(alert_rules *rs, const char *name);

/* The built-in thresholds: error rate over the window above error_warn%
 * (warn) and error_crit% (crit); the day's and the month's projected spend
 * at 80% (warn) and 100% (crit) of their budgets, only when a budget is
 * set. Appended to rs, named builtin-error-warn, builtin-error-crit,
 * builtin-budget-daily-warn, ... */
void alert_rules_builtin(alert_rules *rs, double error_warn, double error_crit, double budget_daily,
			 double budget_monthly);

const char *alert_metric_name(int metric);
int alert_metric_parse(const char *s); /* -1 when unknown */
const char *alert_op_name(int op);
const char *alert_severity_name(int sev); /* "warn", "crit" */
/* Does value satisfy the rule's condition? */
int alert_holds(const alert_rule *r, double value);
/* A value in the metric's unit, as messages say it: "9.4%", "2.31s",
 * "$12.40", "$3.10/h", "23m". */
void alert_fmt_value(int metric, double v, char *out, size_t n);
/* The rule as the rc would say it (without `alert NAME`). */
void alert_fmt_rule(const alert_rule *r, char *out, size_t n);

#endif
