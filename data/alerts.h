/* Alert rules (core/alert.h) evaluated against the store: each rule's value
 * now, whether it holds, and its state carried over from the last
 * evaluation (kept in the state directory, so that a cron run of `check`
 * and a collector see the same history): a rule fires once its condition
 * has held for its `for` time, and resolves once it has been false for as
 * long. The transitions (fired, resolved) are what notifications act on. */
#ifndef LLMOPS_ALERTS_H
#define LLMOPS_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/alert.h"
#include "../core/config.h"
#include "../core/pricing.h"
#include "provider.h"
#include "store.h"

typedef struct alert_notifier alert_notifier;

enum alert_state_kind { ALERT_OK, ALERT_PENDING, ALERT_FIRING };
enum alert_transition { ALERT_T_NONE, ALERT_T_FIRED, ALERT_T_RESOLVED };

/* What is remembered of one rule between evaluations. */
typedef struct alert_mem {
	char *name;
	int state;          /* typedef struct alert_notifier alert_notifier;

enum alert_state_kind */
	int64_t pending_ns; /* the condition holds since (ALERT_PENDING) */
	int64_t since_ns;   /* fired at (ALERT_FIRING) */
	int64_t clear_ns;   /* firing, and the condition false since; 0: it holds */
	double value;       /* at the last evaluation (NaN: none) */
} alert_mem;

typedef struct alert_state {
	alert_mem *v;
	size_t n, cap;
} alert_state;

void alert_state_free(alert_state *s);
const alert_mem *alert_state_find(const alert_state *s, const char *name);
/* The state file of a store: STATE_DIR/alerts/HASH.json (HASH of the
 * store's path). malloc'ed, or NULL when there is no state directory. */
char *alert_state_path(const char *store_path);
/* A missing file is an empty state; 0, or -1 with err (a damaged file is
 * an error, and an empty state too). */
int alert_state_load(const char *path, alert_state *s, char *err, size_t errlen);
int alert_state_save(const char *path, const alert_state *s, char *err, size_t errlen);

/* Holds the state file's lock (PATH.lock) until alert_state_unlock, so
 * that a collector and a cron run of check evaluating at once notify a
 * transition once. -1 (errno set) when it cannot be taken. */
int alert_state_lock(const char *path);
void alert_state_unlock(int fd);

typedef struct alert_result {
	const alert_rule *rule;
	double value;       /* the metric now; NaN when it has none (no calls, no budget, no bill) */
	int holds;          /* the condition holds now */
	int state;          /* typedef struct alert_notifier alert_notifier;

enum alert_state_kind, after this evaluation */
	int transition;     /* enum alert_transition this evaluation made */
	int64_t since_ns;   /* firing: since when; pending: holding since when */
	char filter[256];   /* a FILTER that lists the calls behind it */
	char summary[160];  /* "CRIT sonnet-errors 9.4% > 5% since 22:31" */
	char detail[160];   /* the numbers behind the value: "47 errors of 500 calls" */
} alert_result;

/* What the rules need besides the store. */
typedef struct alert_env {
	int64_t window_ns;    /* a rule without `over` uses it */
	double budget_daily, budget_monthly;
	pricing_t *prices;    /* for untraced (NULL: untraced has no value) */
	provs_t *provs;
} alert_env;

void alert_env_from_config(alert_env *e, const config_t *c);

/* Evaluates every enabled rule at now_ns; prev (NULL: none) is the state
 * before, next (NULL: not wanted) the state after. *out holds one result
 * per enabled rule, in the rules' order (free with free()). 0, or -1 with
 * err when the store could not be read. */
int alerts_eval(store_t *st, const alert_rules *rules, const alert_env *env, const alert_state *prev,
		int64_t now_ns, alert_state *next, alert_result **out, size_t *n, char *err, size_t errlen);

/* The highest severity firing (0 when none). */
int alerts_worst(const alert_result *r, size_t n);

/* One result as a JSON object (the notification's body and check --json's
 * element): rule, metric, op, threshold, value, severity, state, since,
 * filter, summary, transition. malloc'ed. */
char *alert_result_json(const alert_result *r, const char *store_path);

/* The rc's rules: its `alert` lines, then the built-in ones it did not turn
 * off with `unalert`. */
void alerts_from_config(const config_t *c, alert_rules *out);

/* One round as check and collect run it: the rules of the rc evaluated at
 * now_ns against the state in the state directory, the state saved and the
 * transitions handed to nf (NULL: none). warn, when given, receives a line
 * for a state that could not be read or written (evaluation goes on). */
int alerts_run(store_t *st, const alert_rules *rules, const alert_env *env, int64_t now_ns, alert_notifier *nf,
	       void (*warn)(void *ud, const char *line), void *ud, alert_result **out, size_t *n, char *err,
	       size_t errlen);

/* ---- notifications ------------------------------------------------------ */

/* alert_cmd runs through /bin/sh -c with the alert's JSON on its standard
 * input (nothing from the alert is on its command line); alert_webhook is
 * POSTed {"text": SUMMARY} (Slack and Mattermost incoming webhooks take it),
 * up to ALERT_WEBHOOK_TRIES times, each within ALERT_WEBHOOK_TIMEOUT_MS. */
#define ALERT_WEBHOOK_TRIES 3
#define ALERT_WEBHOOK_TIMEOUT_MS 10000
#define ALERT_CMD_TIMEOUT_MS 30000

/* Runs in a thread of its own: notifying never holds up the caller. log,
 * when given, receives one line per failure (the webhook's URL masked); it
 * is called from that thread. NULL when neither is set. */
alert_notifier *alert_notifier_new(const char *cmd, const char *webhook, void (*log)(void *ud, const char *line),
				   void *ud);
/* Queues one notification per transition in r. */
void alert_notify(alert_notifier *nf, const alert_result *r, size_t n, const char *store_path);
/* Waits until everything queued was sent (or gave up), then frees. */
void alert_notifier_free(alert_notifier *nf);
/* Frees at once: what is queued is dropped, a request or command under way
 * stopped (a console quitting need not wait for a webhook that is down). */
void alert_notifier_cancel(alert_notifier *nf);

/* "https://hooks.example.com/…": the scheme and host only, since the rest of
 * a webhook's URL is usually its secret. */
void alert_mask_url(const char *url, char *out, size_t n);

#endif
