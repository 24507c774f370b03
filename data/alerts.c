#include "alerts.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/filter.h"
#include "file.h"
#include "http.h"
#include "query.h"
#include "reconcile.h"
#include "statefile.h"

/* ---- the rules of the rc ------------------------------------------------ */

static int turned_off(const config_t *c, const alert_rule *r)
{
	for (size_t i = 0; i < c->unalerts.n; i++)
		if (!strcmp(c->unalerts.v[i], r->name) || (r->builtin && !strcmp(c->unalerts.v[i], "builtin")))
			return 1;
	return 0;
}

void alerts_from_config(const config_t *c, alert_rules *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < c->alerts.n; i++) {
		alert_rule r;
		alert_rule_copy(&r, &c->alerts.v[i]);
		alert_rules_add(out, &r);
	}
	alert_rules_builtin(out, config_num(c, CFG_error_warn), config_num(c, CFG_error_crit),
			    config_num(c, CFG_budget_daily), config_num(c, CFG_budget_monthly));
	for (size_t i = 0; i < out->n; i++)
		if (turned_off(c, &out->v[i]))
			out->v[i].enabled = 0;
}

void alert_env_from_config(alert_env *e, const config_t *c)
{
	memset(e, 0, sizeof *e);
	e->window_ns = config_dur(c, CFG_window);
	if (e->window_ns <= 0)
		e->window_ns = NS_PER_HOUR;
	e->budget_daily = config_num(c, CFG_budget_daily);
	e->budget_monthly = config_num(c, CFG_budget_monthly);
}

/* ---- state -------------------------------------------------------------- */

void alert_state_free(alert_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof *s);
}

const alert_mem *alert_state_find(const alert_state *s, const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

static alert_mem *state_push(alert_state *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	alert_mem *m = &s->v[s->n++];
	memset(m, 0, sizeof *m);
	m->value = NAN;
	return m;
}

static const char *const state_names[] = {"ok", "pending", "firing"};

char *alert_state_path(const char *store_path)
{
	/* the same store named another way (relative, through a link) shares it */
	char *real = realpath(store_path, NULL);
	const char *p = real ? real : store_path;
	char leaf[64];
	snprintf(leaf, sizeof leaf, "alerts/%016llx.json", (unsigned long long)hash64(p, strlen(p), 0x616c657274));
	free(real);
	return file_xdg_path(XDG_STATE, leaf, NULL, 0);
}

int alert_state_load(const char *path, alert_state *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	char *text = statefile_read(path);
	if (!text) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	cJSON *j = cJSON_Parse(text);
	free(text);
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(j, "rules");
	if (!cJSON_IsObject(rules)) {
		cJSON_Delete(j);
		snprintf(err, errlen, "%s: not an alert state file (starting afresh)", path);
		return -1;
	}
	const cJSON *r;
	cJSON_ArrayForEach(r, rules)
	{
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "state");
		if (!cJSON_IsString(st) || !r->string)
			continue;
		alert_mem *m = state_push(s);
		m->name = xstrdup(r->string);
		for (int k = 0; k < 3; k++)
			if (!strcmp(st->valuestring, state_names[k]))
				m->state = k;
		const cJSON *v;
		if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(r, "pending_ns")))
			m->pending_ns = (int64_t)v->valuedouble;
		if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(r, "since_ns")))
			m->since_ns = (int64_t)v->valuedouble;
		if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(r, "clear_ns")))
			m->clear_ns = (int64_t)v->valuedouble;
		if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(r, "value")))
			m->value = v->valuedouble;
	}
	cJSON_Delete(j);
	return 0;
}

int alert_state_save(const char *path, const alert_state *s, char *err, size_t errlen)
{
	cJSON *j = cJSON_CreateObject(), *rules = cJSON_AddObjectToObject(j, "rules");
	for (size_t i = 0; i < s->n; i++) {
		const alert_mem *m = &s->v[i];
		cJSON *r = cJSON_AddObjectToObject(rules, m->name);
		cJSON_AddStringToObject(r, "state", state_names[m->state]);
		/* nanoseconds fit a double exactly enough (to a quarter of a µs) */
		if (m->pending_ns)
			cJSON_AddNumberToObject(r, "pending_ns", (double)m->pending_ns);
		if (m->since_ns)
			cJSON_AddNumberToObject(r, "since_ns", (double)m->since_ns);
		if (m->clear_ns)
			cJSON_AddNumberToObject(r, "clear_ns", (double)m->clear_ns);
		if (isfinite(m->value))
			cJSON_AddNumberToObject(r, "value", m->value);
	}
	char *text = cJSON_Print(j);
	cJSON_Delete(j);
	int rc = statefile_write(path, text);
	if (rc)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	free(text);
	return rc;
}

int alert_state_lock(const char *path)
{
	sbuf b = SBUF_INIT;
	sb_printf(&b, "%s.lock", path);
	if (file_mkdir_parents(b.p)) {
		sb_free(&b);
		return -1;
	}
	int fd = open(b.p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	sb_free(&b);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

void alert_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- evaluation --------------------------------------------------------- */

static int is_latency(int m)
{
	return m == AM_P50 || m == AM_P95 || m == AM_P99 || m == AM_TTFT_P95;
}

/* The metric's value now (NaN when it has none) and the numbers behind it. */
static int metric_value(store_t *st, const alert_rule *r, const filter_t *f, const alert_env *env, int64_t now,
			double *value, char *detail, size_t dlen, char *err, size_t errlen)
{
	int64_t over = r->over_ns ? r->over_ns : env->window_ns;
	*value = NAN;
	*detail = 0;
	switch (r->metric) {
	case AM_NO_DATA: {
		int64_t last;
		if (store_filter_last_ts(st, f, now, &last, err, errlen))
			return -1;
		if (!last) {
			*value = INFINITY;
			snprintf(detail, dlen, "no calls at all");
		} else {
			*value = (double)(now - last) / NS_PER_S;
			char t[32];
			clock_fmt_rfc3339(last, t, sizeof t);
			snprintf(detail, dlen, "newest call %s", t);
		}
		return 0;
	}
	case AM_BUDGET_DAILY:
	case AM_BUDGET_MONTHLY: {
		double budget = r->metric == AM_BUDGET_DAILY ? env->budget_daily : env->budget_monthly;
		if (budget <= 0) {
			snprintf(detail, dlen, "no %s set", alert_metric_name(r->metric));
			return 0;
		}
		/* Projected as the cost pane projects: the day from the last 15
		 * minutes' burn, the month from the last 24 hours'. */
		recon_traced t;
		reconcile_traced(st, now, &t);
		reconcile_t rc;
		memset(&rc, 0, sizeof rc);
		rc.from = now - over;
		rc.to = now;
		if (env->prices) {
			reconcile_span(st, env->prices, env->provs, t.today_start, now, NULL, &rc.today);
			reconcile_span(st, env->prices, env->provs, t.month_start, now, NULL, &rc.month);
			reconcile_span(st, env->prices, env->provs, now - NS_PER_DAY, now, NULL, &rc.last24);
		}
		recon_budget day, mon;
		reconcile_budgets(&rc, &t, &day, &mon);
		const recon_budget *b = r->metric == AM_BUDGET_DAILY ? &day : &mon;
		double projected = (double)b->so_far / 1e9 + b->rate_per_h * b->hours_left;
		*value = 100.0 * projected / budget;
		snprintf(detail, dlen, "projected $%.2f of $%.2f ($%.2f so far, $%.2f/h)", projected, budget,
			 (double)b->so_far / 1e9, b->rate_per_h);
		return 0;
	}
	case AM_UNTRACED: {
		if (!env->prices) {
			snprintf(detail, dlen, "no prices");
			return 0;
		}
		recon_span sp;
		reconcile_span(st, env->prices, env->provs, now - over, now, NULL, &sp);
		if (!sp.have) {
			snprintf(detail, dlen, "no provider bill in the window (llmops usage sync)");
			return 0;
		}
		*value = (double)reconcile_untraced(&sp) / 1e9;
		snprintf(detail, dlen, "billed $%.2f, traced $%.2f", (double)sp.billed / 1e9, (double)sp.traced / 1e9);
		return 0;
	}
	default:
		break;
	}
	rstats s;
	if (store_filter_stats(st, f, now - over, now, now, &s, err, errlen))
		return -1;
	char cs[32];
	fmt_thousands(cs, sizeof cs, s.calls);
	switch (r->metric) {
	case AM_ERROR_RATE:
	case AM_ERRORS: {
		char es[32];
		fmt_thousands(es, sizeof es, s.errors);
		if (r->metric == AM_ERRORS)
			*value = (double)s.errors;
		else if (s.calls)
			*value = 100.0 * rstats_error_rate(&s);
		snprintf(detail, dlen, "%s errors of %s calls", es, cs);
		break;
	}
	case AM_CALLS:
		*value = (double)s.calls;
		snprintf(detail, dlen, "%s calls", cs);
		break;
	case AM_COST:
	case AM_BURN: {
		double usd = (double)s.cost_nusd / 1e9;
		*value = r->metric == AM_COST ? usd : usd / ((double)over / NS_PER_HOUR);
		snprintf(detail, dlen, "$%.2f over %s calls%s", usd, cs, s.unpriced ? " (some unpriced)" : "");
		break;
	}
	default: {
		const hist_t *h = r->metric == AM_TTFT_P95 ? &s.ttft : &s.lat;
		double p = r->metric == AM_P50 ? 50 : r->metric == AM_P99 ? 99 : 95;
		if (h->total)
			*value = hist_quantile(h, p);
		char ns[32];
		fmt_thousands(ns, sizeof ns, h->total);
		snprintf(detail, dlen, "%s of %s calls", alert_metric_name(r->metric), ns);
		break;
	}
	}
	rstats_free(&s);
	return 0;
}

/* A FILTER listing the calls behind the value. */
static void result_filter(const alert_rule *r, int64_t over, char *out, size_t n)
{
	sbuf b = SBUF_INIT;
	if (r->where)
		sb_adds(&b, r->where);
	if (r->metric == AM_ERROR_RATE || r->metric == AM_ERRORS)
		sb_printf(&b, "%sstatus=error", b.len ? " " : "");
	if (is_latency(r->metric) && r->metric != AM_TTFT_P95 && (r->op == AO_GT || r->op == AO_GE))
		sb_printf(&b, "%slatency>%g", b.len ? " " : "", r->value);
	if (r->metric != AM_NO_DATA && r->metric != AM_BUDGET_DAILY && r->metric != AM_BUDGET_MONTHLY) {
		char d[32];
		clock_fmt_dur(over, d, sizeof d);
		sb_printf(&b, "%ssince=%s", b.len ? " " : "", d);
	}
	snprintf(out, n, "%s", sb_str(&b));
	sb_free(&b);
}

static void fmt_hhmm(int64_t ns, char *out, size_t n)
{
	char s[32];
	clock_fmt_short(ns, s, sizeof s); /* "2026-11-23 10:31" */
	const char *sp = strchr(s, ' ');
	snprintf(out, n, "%.5s", sp ? sp + 1 : s);
}

static void result_summary(alert_result *res)
{
	const alert_rule *r = res->rule;
	char v[32], th[32], t[16];
	alert_fmt_value(r->metric, res->value, v, sizeof v);
	alert_fmt_value(r->metric, r->value, th, sizeof th);
	if (r->metric == AM_ERROR_RATE || r->metric == AM_BUDGET_DAILY || r->metric == AM_BUDGET_MONTHLY)
		snprintf(th, sizeof th, "%g%%", r->value);
	const char *level = res->state == ALERT_FIRING ? (r->severity == ALERT_CRIT ? "CRIT" : "WARN")
			    : res->state == ALERT_PENDING ? "PENDING"
							  : "OK";
	if (res->transition == ALERT_T_RESOLVED) {
		fmt_hhmm(res->since_ns, t, sizeof t);
		snprintf(res->summary, sizeof res->summary, "RESOLVED %s %s (%s %s), firing since %s", r->name, v,
			 alert_op_name(r->op), th, t);
	} else if (res->state != ALERT_OK) {
		fmt_hhmm(res->since_ns, t, sizeof t);
		snprintf(res->summary, sizeof res->summary, "%s %s %s %s %s since %s", level, r->name, v,
			 alert_op_name(r->op), th, t);
	} else {
		snprintf(res->summary, sizeof res->summary, "%s %s %s (%s %s)", level, r->name, v, alert_op_name(r->op), th);
	}
}

/* The rule's state after this evaluation, from the one before. */
static void advance(const alert_rule *r, const alert_mem *prev, int holds, int64_t now, alert_mem *m, int *transition)
{
	alert_mem p = prev ? *prev : (alert_mem){.state = ALERT_OK};
	*transition = ALERT_T_NONE;
	m->state = p.state;
	m->pending_ns = p.pending_ns;
	m->since_ns = p.since_ns;
	m->clear_ns = 0;
	switch (p.state) {
	case ALERT_OK:
	case ALERT_PENDING:
		if (!holds) {
			m->state = ALERT_OK;
			m->pending_ns = m->since_ns = 0;
			break;
		}
		if (p.state == ALERT_OK)
			m->pending_ns = now;
		if (now - m->pending_ns >= r->for_ns) {
			m->state = ALERT_FIRING;
			m->since_ns = now;
			*transition = ALERT_T_FIRED;
		} else {
			m->state = ALERT_PENDING;
		}
		break;
	default: /* firing: resolves once false for the same time */
		if (holds)
			break;
		m->clear_ns = p.clear_ns ? p.clear_ns : now;
		if (now - m->clear_ns >= r->for_ns) {
			m->state = ALERT_OK;
			m->pending_ns = m->clear_ns = 0;
			*transition = ALERT_T_RESOLVED;
		}
		break;
	}
}

int alerts_eval(store_t *st, const alert_rules *rules, const alert_env *env, const alert_state *prev,
		int64_t now_ns, alert_state *next, alert_result **out, size_t *n, char *err, size_t errlen)
{
	*out = xcalloc(rules->n ? rules->n : 1, sizeof **out);
	*n = 0;
	if (next)
		memset(next, 0, sizeof *next);
	for (size_t i = 0; i < rules->n; i++) {
		const alert_rule *r = &rules->v[i];
		if (!r->enabled)
			continue;
		alert_result *res = &(*out)[(*n)++];
		memset(res, 0, sizeof *res);
		res->rule = r;
		filter_t f;
		filter_init(&f);
		char ferr[256];
		if (r->where && filter_parse(&f, r->where, ferr, sizeof ferr)) {
			/* the rc's parser checked it: only a change of the filter syntax gets here */
			snprintf(err, errlen, "alert %s: where: %s", r->name, ferr);
			filter_free(&f);
			goto fail;
		}
		int rc = metric_value(st, r, r->where ? &f : NULL, env, now_ns, &res->value, res->detail,
				      sizeof res->detail, err, errlen);
		filter_free(&f);
		if (rc)
			goto fail;
		res->holds = alert_holds(r, res->value);
		alert_mem m = {.value = res->value};
		advance(r, alert_state_find(prev, r->name), res->holds, now_ns, &m, &res->transition);
		res->state = m.state;
		res->since_ns = m.state == ALERT_FIRING ? m.since_ns : m.pending_ns;
		if (res->transition == ALERT_T_RESOLVED) {
			const alert_mem *pm = alert_state_find(prev, r->name);
			res->since_ns = pm ? pm->since_ns : 0;
		}
		if (next) {
			alert_mem *nm = state_push(next);
			*nm = m;
			nm->name = xstrdup(r->name);
		}
		result_filter(r, r->over_ns ? r->over_ns : env->window_ns, res->filter, sizeof res->filter);
		result_summary(res);
	}
	return 0;
fail:
	free(*out);
	*out = NULL;
	*n = 0;
	if (next)
		alert_state_free(next);
	return -1;
}

int alerts_worst(const alert_result *r, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].state == ALERT_FIRING && r[i].rule->severity > w)
			w = r[i].rule->severity;
	return w;
}

char *alert_result_json(const alert_result *r, const char *store_path)
{
	static const char *const tnames[] = {NULL, "fired", "resolved"};
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "rule", r->rule->name);
	cJSON_AddStringToObject(j, "metric", alert_metric_name(r->rule->metric));
	cJSON_AddStringToObject(j, "op", alert_op_name(r->rule->op));
	cJSON_AddNumberToObject(j, "threshold", r->rule->value);
	if (isfinite(r->value))
		cJSON_AddNumberToObject(j, "value", r->value);
	else
		cJSON_AddNullToObject(j, "value");
	cJSON_AddStringToObject(j, "severity", alert_severity_name(r->rule->severity));
	cJSON_AddStringToObject(j, "state", state_names[r->state]);
	if (r->since_ns) {
		char t[40];
		clock_fmt_rfc3339(r->since_ns, t, sizeof t);
		cJSON_AddStringToObject(j, "since", t);
	} else {
		cJSON_AddNullToObject(j, "since");
	}
	if (tnames[r->transition])
		cJSON_AddStringToObject(j, "transition", tnames[r->transition]);
	else
		cJSON_AddNullToObject(j, "transition");
	cJSON_AddBoolToObject(j, "builtin", r->rule->builtin);
	cJSON_AddStringToObject(j, "filter", r->filter);
	cJSON_AddStringToObject(j, "detail", r->detail);
	cJSON_AddStringToObject(j, "summary", r->summary);
	if (store_path)
		cJSON_AddStringToObject(j, "store", store_path);
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void say(void (*warn)(void *, const char *), void *ud, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(void (*warn)(void *, const char *), void *ud, const char *fmt, ...)
{
	if (!warn)
		return;
	char line[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	warn(ud, line);
}

int alerts_run(store_t *st, const alert_rules *rules, const alert_env *env, int64_t now_ns, alert_notifier *nf,
	       void (*warn)(void *ud, const char *line), void *ud, alert_result **out, size_t *n, char *err,
	       size_t errlen)
{
	char *path = alert_state_path(store_path(st));
	if (!path)
		say(warn, ud, "alerts: no state directory ($XDG_STATE_HOME or $HOME): every run starts afresh");
	int lock = path ? alert_state_lock(path) : -1;
	if (path && lock < 0)
		say(warn, ud, "alerts: %s.lock: %s", path, strerror(errno));
	alert_state prev = {0}, next = {0};
	char e[600];
	if (path && alert_state_load(path, &prev, e, sizeof e))
		say(warn, ud, "alerts: %s", e);
	int rc = alerts_eval(st, rules, env, &prev, now_ns, &next, out, n, err, errlen);
	if (!rc && path && alert_state_save(path, &next, e, sizeof e))
		say(warn, ud, "alerts: %s", e);
	alert_state_unlock(lock);
	if (!rc)
		alert_notify(nf, *out, *n, store_path(st));
	alert_state_free(&prev);
	alert_state_free(&next);
	free(path);
	return rc;
}

/* ---- notifications ------------------------------------------------------ */

void alert_mask_url(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://");
	const char *host = p ? p + 3 : url;
	size_t hl = strcspn(host, "/?#");
	/* user:password@ before the host is a secret too */
	const char *at = memchr(host, '@', hl);
	if (at) {
		hl -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	int more = host[hl] != 0;
	snprintf(out, n, "%.*s%.*s%s", p ? (int)(p + 3 - url) : 0, url, (int)hl, host, more ? "/…" : "");
}

typedef struct nf_job {
	char *json, *text;
	struct nf_job *next;
} nf_job;

struct alert_notifier {
	char *cmd, *webhook;
	void (*log)(void *ud, const char *line);
	void *ud;
	http_t *http; /* the thread's; made here, so that libcurl starts on the caller's thread */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	nf_job *head, *tail;
	int stopping;
	volatile int abandon; /* alert_notifier_cancel: drop what is queued, stop what is under way */
};

static void nf_log(alert_notifier *nf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void nf_log(alert_notifier *nf, const char *fmt, ...)
{
	if (!nf->log)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	nf->log(nf->ud, line);
}

/* The command through /bin/sh -c, the JSON on its standard input, its
 * output discarded; killed after ALERT_CMD_TIMEOUT_MS. */
static void run_cmd(alert_notifier *nf, const char *json)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		nf_log(nf, "alert_cmd: %s", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		nf_log(nf, "alert_cmd: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(p[0], 0);
		dup2(nul, 1);
		dup2(nul, 2);
		/* this thread blocks every signal; the command must not inherit that */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", nf->cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	/* A command that does not read its input must not hold us: the JSON is
	 * small (well under a pipe's buffer), written and closed at once; one
	 * that exits first gives EPIPE, not SIGPIPE (blocked in this thread). */
	size_t len = strlen(json), off = 0;
	while (off < len) {
		ssize_t w = write(p[1], json + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (write(p[1], "\n", 1) < 0) {
		/* the command closed its input: nothing more to give it */
	}
	close(p[1]);
	int status = 0;
	double t0 = clock_mono();
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = 0;
			break;
		}
		if ((clock_mono() - t0) * 1000 > ALERT_CMD_TIMEOUT_MS || nf->abandon) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			nf_log(nf, "alert_cmd: killed after %ds", ALERT_CMD_TIMEOUT_MS / 1000);
			return;
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status))
		nf_log(nf, "alert_cmd: exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		nf_log(nf, "alert_cmd: killed by signal %d", WTERMSIG(status));
}

typedef struct post_done {
	int finished;
	long status;
	int failed;
	double retry_after;
	char err[256];
} post_done;

static void on_post_done(void *ud, http_resp *r)
{
	post_done *d = ud;
	d->finished = 1;
	d->status = r->status;
	d->failed = r->failed;
	d->retry_after = r->retry_after_s;
	snprintf(d->err, sizeof d->err, "%s", r->err);
}

static void post_webhook(alert_notifier *nf, const char *text)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "text", text);
	char *body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	char masked[256];
	alert_mask_url(nf->webhook, masked, sizeof masked);
	static const char *const headers[] = {"Content-Type: application/json", NULL};
	http_t *h = nf->http;
	for (int attempt = 1; attempt <= ALERT_WEBHOOK_TRIES; attempt++) {
		post_done d = {0};
		http_spec s = {.method = "POST", .url = nf->webhook, .headers = headers, .body = body,
			       .body_len = strlen(body), .timeout_ms = ALERT_WEBHOOK_TIMEOUT_MS,
			       .connect_timeout_ms = ALERT_WEBHOOK_TIMEOUT_MS, .max_bytes = 64 * 1024,
			       .on_done = on_post_done, .ud = &d};
		char err[256];
		if (!http_start(h, &s, err, sizeof err)) {
			nf_log(nf, "alert_webhook %s: %s", masked, err);
			break;
		}
		http_run(h, &nf->abandon);
		if (nf->abandon)
			break;
		if (d.finished && !d.failed && d.status >= 200 && d.status < 300)
			break;
		/* a 4xx other than 429 will say the same again */
		int again = d.failed || d.status == 429 || d.status >= 500;
		if (d.failed)
			nf_log(nf, "alert_webhook %s: %s%s", masked, d.err, again && attempt < ALERT_WEBHOOK_TRIES ? ", retrying" : "");
		else
			nf_log(nf, "alert_webhook %s: HTTP %ld%s", masked, d.status,
			       again && attempt < ALERT_WEBHOOK_TRIES ? ", retrying" : "");
		if (!again || attempt == ALERT_WEBHOOK_TRIES)
			break;
		/* the wait in slices, so that a cancel is not held up by it */
		double until = clock_mono() + http_backoff_s(attempt, d.retry_after, 10);
		while (!nf->abandon && clock_mono() < until) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (nf->abandon)
			break;
	}
	free(body);
}

static void *nf_main(void *arg)
{
	alert_notifier *nf = arg;
	pthread_mutex_lock(&nf->mu);
	for (;;) {
		while (!nf->head && !nf->stopping)
			pthread_cond_wait(&nf->cv, &nf->mu);
		nf_job *j = nf->head;
		if (!j)
			break; /* stopping, and nothing left */
		nf->head = j->next;
		if (!nf->head)
			nf->tail = NULL;
		pthread_mutex_unlock(&nf->mu);
		if (nf->cmd)
			run_cmd(nf, j->json);
		if (nf->webhook)
			post_webhook(nf, j->text);
		free(j->json);
		free(j->text);
		free(j);
		pthread_mutex_lock(&nf->mu);
	}
	pthread_mutex_unlock(&nf->mu);
	return NULL;
}

alert_notifier *alert_notifier_new(const char *cmd, const char *webhook, void (*log)(void *ud, const char *line),
				   void *ud)
{
	if (str_empty(cmd) && str_empty(webhook))
		return NULL;
	alert_notifier *nf = xcalloc(1, sizeof *nf);
	nf->cmd = str_empty(cmd) ? NULL : xstrdup(cmd);
	nf->webhook = str_empty(webhook) ? NULL : xstrdup(webhook);
	nf->log = log;
	nf->ud = ud;
	if (nf->webhook)
		nf->http = http_new();
	pthread_mutex_init(&nf->mu, NULL);
	pthread_cond_init(&nf->cv, NULL);
	/* The thread must not take the console's signals (SIGWINCH, SIGINT). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&nf->th, NULL, nf_main, nf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		if (nf->http)
			http_free(nf->http);
		free(nf->cmd);
		free(nf->webhook);
		free(nf);
		return NULL;
	}
	return nf;
}

void alert_notify(alert_notifier *nf, const alert_result *r, size_t n, const char *store_path)
{
	if (!nf)
		return;
	for (size_t i = 0; i < n; i++) {
		if (r[i].transition == ALERT_T_NONE)
			continue;
		nf_job *j = xcalloc(1, sizeof *j);
		j->json = alert_result_json(&r[i], store_path);
		sbuf t = SBUF_INIT;
		sb_printf(&t, "%s: %s (%s)", r[i].summary, r[i].detail, r[i].filter);
		j->text = sb_steal(&t);
		pthread_mutex_lock(&nf->mu);
		if (nf->tail)
			nf->tail->next = j;
		else
			nf->head = j;
		nf->tail = j;
		pthread_cond_signal(&nf->cv);
		pthread_mutex_unlock(&nf->mu);
	}
}

void alert_notifier_cancel(alert_notifier *nf)
{
	if (!nf)
		return;
	pthread_mutex_lock(&nf->mu);
	nf->abandon = 1;
	while (nf->head) {
		nf_job *j = nf->head;
		nf->head = j->next;
		free(j->json);
		free(j->text);
		free(j);
	}
	nf->tail = NULL;
	pthread_mutex_unlock(&nf->mu);
	alert_notifier_free(nf);
}

void alert_notifier_free(alert_notifier *nf)
{
	if (!nf)
		return;
	pthread_mutex_lock(&nf->mu);
	nf->stopping = 1;
	pthread_cond_signal(&nf->cv);
	pthread_mutex_unlock(&nf->mu);
	pthread_join(nf->th, NULL);
	pthread_mutex_destroy(&nf->mu);
	pthread_cond_destroy(&nf->cv);
	if (nf->http)
		http_free(nf->http);
	free(nf->cmd);
	free(nf->webhook);
	free(nf);
}
