/* Alerts in the console: the rc's rules (and the built-in thresholds)
 * evaluated on the refresh tick, in a thread of their own with its own
 * connection to the store, so that a rule whose filter must read the calls
 * never holds up a key. What fires shows as a banner under the title, worst
 * first; a rule that starts to fire rings the terminal's bell once and goes
 * to the notifier (alert_cmd, alert_webhook); the alerts view lists every
 * rule with its state, and Enter there opens the calls behind one. The
 * state (firing since when) is the one `llmops check` keeps, so that the
 * console and a cron job notify a transition once between them. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../data/alerts.h"
#include "../tui/columns.h"
#include "../tui/listpos.h"
#include "../tui/tui.h"
#include "view.h"

/* One evaluation's answer, owned by whoever holds it. */
typedef struct alerts_round {
	alert_rules rules; /* every rule, the disabled ones too */
	alert_result *res; /* one per enabled rule, in the rules' order */
	size_t n;
	int64_t at_ns;
	int ok;
	char err[256];   /* why it could not be evaluated */
	char warn[256];  /* evaluated, but the state could not be saved */
	char stale[256]; /* on screen while a later round failed: why */
} alerts_round;

struct console_alerts {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pipe[2];
	/* under mu */
	int stop, want, busy;
	int64_t want_now;
	alert_rules want_rules;
	alert_env want_env;
	alerts_round *done; /* an answer not taken yet */
	char note[512];     /* the notifier's last complaint, not shown yet */
	/* the thread's own */
	char *store_path;
	store_t *st;
	char *state_path;
	alert_state state;
	int state_loaded;
	/* the loop's own */
	alerts_round *shown;
	alert_notifier *nf;
	char *nf_cmd, *nf_hook; /* what nf was made with */
	int rounds;             /* answers taken */
	char sig[200];          /* what the banner said at the last round */
};

static void round_free(alerts_round *r)
{
	if (!r)
		return;
	alert_rules_free(&r->rules);
	free(r->res);
	free(r);
}

static void wake(console_alerts *ca)
{
	char c = 1;
	ssize_t w = write(ca->pipe[1], &c, 1);
	(void)w; /* a full pipe already says "ready" */
}

/* The notifier's failures come from its thread: kept for the loop. */
static void on_notifier_log(void *ud, const char *line)
{
	console_alerts *ca = ud;
	pthread_mutex_lock(&ca->mu);
	snprintf(ca->note, sizeof ca->note, "%s", line);
	pthread_mutex_unlock(&ca->mu);
	wake(ca);
}

/* One round. The state is the state directory's, read and written under
 * its lock every round, so that a cron run of check or a collector
 * evaluating beside the console sees the same history, and a transition
 * is notified once whoever sees it first; what fired before the console
 * opened is not a new firing. Without a state directory it is kept here. */
static void evaluate(console_alerts *ca, alerts_round *r, const alert_env *env, int64_t now)
{
	if (!ca->st && store_open(ca->store_path, STORE_READONLY, &ca->st, r->err, sizeof r->err)) {
		ca->st = NULL;
		return;
	}
	if (!ca->state_loaded) {
		ca->state_path = alert_state_path(store_path(ca->st));
		ca->state_loaded = 1;
	}
	const char *path = ca->state_path;
	int lock = path ? alert_state_lock(path) : -1;
	if (path && lock < 0)
		snprintf(r->warn, sizeof r->warn, "%s.lock: %s", path, strerror(errno));
	if (path) {
		char err[256];
		alert_state_free(&ca->state);
		if (alert_state_load(path, &ca->state, err, sizeof err)) /* a damaged file starts afresh */
			snprintf(r->warn, sizeof r->warn, "%s", err);
	}
	alert_state next = {0};
	if (alerts_eval(ca->st, &r->rules, env, &ca->state, now, &next, &r->res, &r->n, r->err, sizeof r->err)) {
		alert_state_unlock(lock);
		alert_state_free(&next);
		return;
	}
	r->ok = 1;
	/* Written when a rule changed state (pending, firing, resolving), not
	 * every round. */
	int changed = next.n != ca->state.n;
	for (size_t i = 0; i < next.n && !changed; i++) {
		const alert_mem *was = alert_state_find(&ca->state, next.v[i].name);
		changed = !was || was->state != next.v[i].state || was->clear_ns != next.v[i].clear_ns;
	}
	char err[256];
	if (changed && path && alert_state_save(path, &next, err, sizeof err))
		snprintf(r->warn, sizeof r->warn, "%s", err);
	alert_state_unlock(lock);
	alert_state_free(&ca->state);
	ca->state = next;
}

static void *worker(void *arg)
{
	console_alerts *ca = arg;
	pthread_setname_np(pthread_self(), "llmops-alerts");
	pthread_mutex_lock(&ca->mu);
	for (;;) {
		while (!ca->stop && !ca->want)
			pthread_cond_wait(&ca->cv, &ca->mu);
		if (ca->stop)
			break;
		alerts_round *r = xcalloc(1, sizeof *r);
		r->rules = ca->want_rules;
		memset(&ca->want_rules, 0, sizeof ca->want_rules);
		alert_env env = ca->want_env;
		int64_t now = ca->want_now;
		ca->want = 0;
		ca->busy = 1;
		pthread_mutex_unlock(&ca->mu);
		r->at_ns = now;
		evaluate(ca, r, &env, now);
		pthread_mutex_lock(&ca->mu);
		round_free(ca->done); /* never taken: this one says more */
		ca->done = r;
		ca->busy = 0;
		wake(ca);
	}
	pthread_mutex_unlock(&ca->mu);
	return NULL;
}

void alerts_console_start(app_t *a)
{
	console_alerts *ca = xcalloc(1, sizeof *ca);
	if (pipe2(ca->pipe, O_NONBLOCK | O_CLOEXEC)) {
		app_message(a, EL_ERROR, "alerts: pipe: %s", strerror(errno));
		free(ca);
		return;
	}
	pthread_mutex_init(&ca->mu, NULL);
	pthread_cond_init(&ca->cv, NULL);
	ca->store_path = xstrdup(a->store_path);
	if (pthread_create(&ca->thread, NULL, worker, ca)) {
		app_message(a, EL_ERROR, "alerts: cannot start their thread: %s", strerror(errno));
		close(ca->pipe[0]);
		close(ca->pipe[1]);
		pthread_mutex_destroy(&ca->mu);
		pthread_cond_destroy(&ca->cv);
		free(ca->store_path);
		free(ca);
		return;
	}
	a->alerts = ca;
	alerts_console_tick(a);
}

void alerts_console_stop(app_t *a)
{
	console_alerts *ca = a->alerts;
	if (!ca)
		return;
	pthread_mutex_lock(&ca->mu);
	ca->stop = 1;
	pthread_cond_signal(&ca->cv);
	pthread_mutex_unlock(&ca->mu);
	pthread_join(ca->thread, NULL);
	/* Quitting never waits for a webhook that is down: what is still
	 * queued is dropped (the user saw it fire). */
	if (ca->nf)
		alert_notifier_cancel(ca->nf);
	round_free(ca->done);
	round_free(ca->shown);
	alert_rules_free(&ca->want_rules);
	alert_state_free(&ca->state);
	store_close(ca->st);
	close(ca->pipe[0]);
	close(ca->pipe[1]);
	pthread_mutex_destroy(&ca->mu);
	pthread_cond_destroy(&ca->cv);
	free(ca->state_path);
	free(ca->store_path);
	free(ca->nf_cmd);
	free(ca->nf_hook);
	free(ca);
	a->alerts = NULL;
}

void alerts_console_tick(app_t *a)
{
	console_alerts *ca = a->alerts;
	if (!ca)
		return;
	pthread_mutex_lock(&ca->mu);
	/* The rules as the rc (and :set) says them now: a threshold changed
	 * at the console counts from the next round. */
	alert_rules_free(&ca->want_rules);
	alerts_from_config(a->cfg, &ca->want_rules);
	alert_env_from_config(&ca->want_env, a->cfg);
	ca->want_env.prices = a->prices;
	ca->want_env.provs = a->provs;
	ca->want_now = a->now_ns;
	ca->want = 1;
	pthread_cond_signal(&ca->cv);
	pthread_mutex_unlock(&ca->mu);
}

int alerts_console_fd(app_t *a)
{
	return a->alerts ? a->alerts->pipe[0] : -1;
}

int alerts_console_busy(app_t *a)
{
	console_alerts *ca = a->alerts;
	if (!ca)
		return 0;
	pthread_mutex_lock(&ca->mu);
	int b = ca->want || ca->busy || ca->done || ca->note[0];
	pthread_mutex_unlock(&ca->mu);
	return b;
}

static void banner_sig(const alerts_round *r, char *out, size_t n);

static int same(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

/* The notifier as the options say now (:set alert_webhook takes effect at
 * the next transition); NULL when neither is set. */
static alert_notifier *notifier(app_t *a, console_alerts *ca)
{
	const char *cmd = config_str(a->cfg, CFG_alert_cmd), *hook = config_str(a->cfg, CFG_alert_webhook);
	if (cmd && !*cmd)
		cmd = NULL;
	if (hook && !*hook)
		hook = NULL;
	if (ca->nf && same(cmd, ca->nf_cmd) && same(hook, ca->nf_hook))
		return ca->nf;
	/* Never a wait in the loop for the old one's webhook. */
	alert_notifier_cancel(ca->nf);
	free(ca->nf_cmd);
	free(ca->nf_hook);
	ca->nf_cmd = cmd ? xstrdup(cmd) : NULL;
	ca->nf_hook = hook ? xstrdup(hook) : NULL;
	ca->nf = cmd || hook ? alert_notifier_new(cmd, hook, on_notifier_log, ca) : NULL;
	return ca->nf;
}

void alerts_console_take(app_t *a)
{
	console_alerts *ca = a->alerts;
	if (!ca)
		return;
	char c[64];
	while (read(ca->pipe[0], c, sizeof c) > 0)
		;
	pthread_mutex_lock(&ca->mu);
	alerts_round *r = ca->done;
	ca->done = NULL;
	char note[sizeof ca->note];
	snprintf(note, sizeof note, "%s", ca->note);
	ca->note[0] = 0;
	pthread_mutex_unlock(&ca->mu);
	if (note[0])
		app_message(a, EL_ERROR, "%s", note);
	if (!r)
		return;
	int fired = 0;
	for (size_t i = 0; r->ok && i < r->n; i++)
		fired |= r->res[i].transition == ALERT_T_FIRED;
	if (r->ok && r->n) {
		alert_notifier *nf = notifier(a, ca);
		if (nf)
			alert_notify(nf, r->res, r->n, a->store_path);
	}
	/* Once for the round, however many rules began to fire in it; a rule
	 * that goes on firing never rings again. */
	if (fired && config_num(a->cfg, CFG_bell))
		tui_bell();
	/* Said when it starts failing, not every round, and never over another
	 * message (a damaged store says more about why). */
	if (!r->ok && !(ca->shown && (ca->shown->err[0] || ca->shown->stale[0])) && !a->msg[0])
		app_message(a, EL_ERROR, "alerts: %s", r->err);
	if (!r->ok && ca->shown && ca->shown->ok) {
		/* Keep what was last known on screen, marked stale by the view. */
		snprintf(ca->shown->stale, sizeof ca->shown->stale, "%s", r->err);
		round_free(r);
	} else {
		round_free(ca->shown);
		ca->shown = r;
	}
	ca->rounds++;
	/* An idle screen paints nothing: only a banner that changed, or the
	 * alerts view, is painted again. */
	char sig[sizeof ca->sig];
	banner_sig(ca->shown, sig, sizeof sig);
	if (strcmp(sig, ca->sig) || (app_top(a) && app_top(a)->ops == &alerts_ops)) {
		snprintf(ca->sig, sizeof ca->sig, "%s", sig);
		a->dirty = 1;
	}
}

/* ---- the banner -------------------------------------------------------- */

/* The worst of the firing results, critical before warning and then the
 * one that fired first (NULL when none fires), and how many fire. */
static const alert_result *worst(const alerts_round *r, size_t *count)
{
	const alert_result *w = NULL;
	*count = 0;
	for (size_t i = 0; r && r->ok && i < r->n; i++) {
		const alert_result *x = &r->res[i];
		if (x->state != ALERT_FIRING)
			continue;
		(*count)++;
		if (!w || x->rule->severity > w->rule->severity ||
		    (x->rule->severity == w->rule->severity && x->since_ns < w->since_ns))
			w = x;
	}
	return w;
}

/* What the banner shows, to tell whether it changed. */
static void banner_sig(const alerts_round *r, char *out, size_t n)
{
	size_t k;
	const alert_result *w = worst(r, &k);
	snprintf(out, n, "%zu %s", k, w ? w->summary : "");
}

int alerts_banner_rows(app_t *a)
{
	size_t k;
	return a->alerts && worst(a->alerts->shown, &k) ? 1 : 0;
}

void alerts_banner_draw(app_t *a, int y, int cols)
{
	size_t total;
	const alert_result *w = a->alerts ? worst(a->alerts->shown, &total) : NULL;
	if (!w)
		return;
	int el = w->rule->severity == ALERT_CRIT ? EL_CRIT : EL_WARN;
	draw_fill(y, 0, cols, el);
	char more[48] = "";
	if (total > 1)
		snprintf(more, sizeof more, " +%zu more", total - 1);
	int mw = text_width(more);
	/* The worst one whole if it can be; the count of the others always. */
	int used = draw_text_cut(y, 1, cols - 2 - mw, w->summary, el, 1);
	if (mw)
		draw_text(y, 1 + used, mw, more, el);
	/* Where the rest are, at the right end when there is room (not in
	 * the view that lists them). */
	view_t *top = app_top(a);
	if (top && top->ops == &alerts_ops)
		return;
	char keys[128], hint[160];
	help_keys_of(a, top ? top->ops->scope : SC_GENERIC, A_VIEW_ALERTS, keys, sizeof keys);
	keys[strcspn(keys, " ")] = 0;
	if (!keys[0])
		return;
	snprintf(hint, sizeof hint, "%s %s", keys, total > 1 ? "lists them" : "lists the rules");
	int hw = text_width(hint);
	if (1 + used + mw + 3 + hw + 1 <= cols)
		draw_text(y, cols - 1 - hw, hw, hint, el);
}

/* ---- the view ---------------------------------------------------------- */

/* A row: a rule, with its result when it is enabled. */
typedef struct arow {
	const alert_rule *rule;
	const alert_result *res; /* NULL: switched off */
} arow;

typedef struct alertsv {
	arow *rows;
	size_t n;
	listpos lp;
	int round; /* the answer the rows were made from */
} alertsv;

static const char *state_word(const arow *r)
{
	if (!r->res)
		return "off";
	return r->res->state == ALERT_FIRING ? "firing" : r->res->state == ALERT_PENDING ? "pending" : "ok";
}

static void rows_build(alertsv *av, app_t *a)
{
	const alerts_round *r = a->alerts ? a->alerts->shown : NULL;
	free(av->rows);
	av->rows = NULL;
	av->n = 0;
	av->round = a->alerts ? a->alerts->rounds : 0;
	if (!r)
		return;
	av->rows = xcalloc(r->rules.n ? r->rules.n : 1, sizeof *av->rows);
	size_t k = 0;
	for (size_t i = 0; i < r->rules.n; i++) {
		arow *row = &av->rows[av->n++];
		row->rule = &r->rules.v[i];
		if (r->ok && k < r->n && r->res[k].rule == row->rule)
			row->res = &r->res[k++];
	}
	av->lp.n = (int)av->n;
	listpos_follow(&av->lp, 0);
}

/* The rows point into the shown answer: made again when a new one came. */
static void rows_fresh(alertsv *av, app_t *a)
{
	if (!av->rows || av->round != (a->alerts ? a->alerts->rounds : 0))
		rows_build(av, a);
}

static void av_open(view_t *v, app_t *a, const void *arg)
{
	(void)arg;
	rows_build(v->priv, a);
}

static void av_close(view_t *v, app_t *a)
{
	(void)a;
	free(((alertsv *)v->priv)->rows);
}

enum { C_NAME, C_SEV, C_STATE, C_VALUE, C_THRESHOLD, C_OVER, C_FOR, C_SINCE, C_WHERE, C_N };

/* At 80 columns the rule's name has what the figures leave; narrower, the
 * for time, the window, since when, the severity and the threshold give way
 * before the name shrinks; from 100 the filter shows in what is left. */
static const column columns_of[C_N] = {
    [C_NAME] = {"RULE", 20, 1, COL_LEFT, EL_DEFAULT, .cut = 1, .give = 6, .min = 10, .wider = {{100, 26}}},
    [C_SEV] = {"SEV", 4, 1, COL_LEFT, EL_DEFAULT, .give = 4},
    [C_STATE] = {"STATE", 7, 1, COL_LEFT, EL_DEFAULT},
    [C_VALUE] = {"VALUE", 8, 1, COL_RIGHT, EL_DEFAULT},
    [C_THRESHOLD] = {"THRESHOLD", 10, 2, COL_LEFT, EL_DEFAULT, .cut = 1, .give = 5},
    [C_OVER] = {"OVER", 5, 1, COL_RIGHT, EL_DEFAULT, .give = 2},
    [C_FOR] = {"FOR", 4, 1, COL_RIGHT, EL_DEFAULT, .give = 1},
    [C_SINCE] = {"SINCE", 11, 2, COL_LEFT, EL_DEFAULT, .give = 3},
    [C_WHERE] = {"WHERE", 0, 1, COL_LEFT, EL_DIM, .cut = 1, .fill = 1},
};

/* The value now: "-" when the metric has none, "never" for no_data on a
 * filter that never had a call. */
static void fmt_value(const alert_result *re, char *out, size_t n)
{
	snprintf(out, n, "-");
	if (re && isinf(re->value))
		snprintf(out, n, "never");
	else if (re && !isnan(re->value))
		alert_fmt_value(re->rule->metric, re->value, out, n);
}

/* "22:31 (47m)": a time today, else the date too. */
static void fmt_since(app_t *a, int64_t ns, char *out, size_t n)
{
	char t[32], today[32], d[24];
	clock_fmt_short(ns, t, sizeof t);
	clock_fmt_short(a->now_ns, today, sizeof today);
	int64_t age = a->now_ns - ns;
	clock_fmt_dur(floor_to(age > 0 ? age : 0, age < NS_PER_HOUR ? NS_PER_MIN : age < NS_PER_DAY ? NS_PER_HOUR : NS_PER_DAY), d,
		      sizeof d);
	snprintf(out, n, "%s (%s)", strncmp(t, today, 10) ? t + 5 : t + 11, age < NS_PER_MIN ? "now" : d);
}

static void av_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	alertsv *av = v->priv;
	rows_fresh(av, a);
	const alerts_round *r = a->alerts ? a->alerts->shown : NULL;
	if (!r) {
		draw_text(y + 1, x + 2, w - 4, a->alerts ? "evaluating the rules..." : "alerts are not evaluated here", EL_DIM);
		return;
	}
	int line = y;
	/* What the figures are, and when; a failure keeps the last answer on
	 * screen, said stale. */
	char at[32];
	clock_fmt_short(r->at_ns, at, sizeof at);
	if (!r->ok)
		draw_textf(line++, x + 1, w - 2, EL_CRIT, "cannot evaluate the rules: %s", r->err);
	else if (r->stale[0])
		draw_textf(line++, x + 1, w - 2, EL_CRIT, "evaluated at %s UTC; since then: %s", at + 11, r->stale);
	else if (r->warn[0])
		draw_textf(line++, x + 1, w - 2, EL_WARN, "evaluated at %s UTC; the state was not saved: %s", at + 11, r->warn);
	else
		draw_textf(line++, x + 1, w - 2, EL_DIM, "evaluated at %s UTC, every %gs %s Enter lists the calls behind a rule",
			   at + 11, config_num(a->cfg, CFG_refresh), glyph(G_DOT));
	if (!av->n) {
		draw_text(line + 1, x + 2, w - 4, "no rules: add alert NAME METRIC OP VALUE ... lines to llmopsrc", EL_DIM);
		return;
	}
	columns l;
	columns_layout(&l, columns_of, C_N, w);
	columns_header(&l, line++, x);
	/* The selected rule's rc line and numbers take the last two rows. */
	int rows = y + h - line - 2;
	if (rows < 1)
		rows = y + h - line;
	av->lp.page = rows;
	av->lp.keep = 1;
	listpos_follow(&av->lp, 0);
	for (int i = 0; i < rows && av->lp.top + i < (int)av->n; i++) {
		const arow *row = &av->rows[av->lp.top + i];
		const alert_rule *ru = row->rule;
		const alert_result *re = row->res;
		int yy = line + i;
		char value[32] = "-", thr[48], over[16] = "", forr[16] = "", since[80] = "-";
		fmt_value(re, value, sizeof value);
		char tv[32];
		alert_fmt_value(ru->metric, ru->value, tv, sizeof tv);
		snprintf(thr, sizeof thr, "%s %s", alert_op_name(ru->op), tv);
		/* The window the rule reads: its own, else the rc's. */
		clock_fmt_dur(ru->over_ns ? ru->over_ns : config_dur(a->cfg, CFG_window), over, sizeof over);
		if (ru->for_ns)
			clock_fmt_dur(ru->for_ns, forr, sizeof forr);
		if (re && re->state != ALERT_OK && re->since_ns > 0)
			fmt_since(a, re->since_ns, since, sizeof since);
		int sel = av->lp.top + i == av->lp.sel;
		draw_text(yy, x, 1, sel ? glyph(G_CURSOR) : " ", EL_DEFAULT);
		int sev_el = ru->severity == ALERT_CRIT ? EL_CRIT : EL_WARN;
		int st_el = !re ? EL_DIM : re->state == ALERT_FIRING ? sev_el : re->state == ALERT_PENDING ? EL_WARN : EL_OK;
		const char *cells[C_N] = {ru->name, alert_severity_name(ru->severity), state_word(row), value, thr,
					  over, forr[0] ? forr : "-", since, ru->where ? ru->where : ""};
		const int els[C_N] = {-1, -1, st_el, re && re->holds ? sev_el : -1, -1, -1, -1, -1, -1};
		columns_row(&l, yy, x, cells, els);
		if (sel)
			draw_chgat(yy, x, w, EL_SELECTED);
	}
	/* The selected rule as the rc says it, then the numbers behind its
	 * value and where it was read. */
	if (rows == y + h - line - 2 && av->lp.sel < (int)av->n) {
		const arow *row = &av->rows[av->lp.sel];
		char rule[400], from[300];
		alert_fmt_rule(row->rule, rule, sizeof rule);
		if (row->rule->file)
			snprintf(from, sizeof from, "%s:%d", row->rule->file, row->rule->line);
		else
			snprintf(from, sizeof from, "built in");
		draw_textf(y + h - 2, x + 1, w - 2, EL_DEFAULT, "alert %s %s", row->rule->name, rule);
		const char *what = row->res ? row->res->detail : "switched off (unalert)";
		char line2[800];
		snprintf(line2, sizeof line2, "%s%s%s%s%s", what, *what ? " " : "", *what ? glyph(G_DOT) : "", *what ? " " : "",
			 from);
		draw_text_cut(y + h - 1, x + 1, w - 2, line2, EL_DIM, 1);
	}
}

/* Enter: the calls behind the rule, in the order that shows its measure
 * first: the slowest for a latency, the dearest for a spend. */
static void open_calls(alertsv *av, app_t *a)
{
	const arow *row = &av->rows[av->lp.sel];
	const alert_rule *ru = row->rule;
	int m = ru->metric;
	int sort = m == AM_P50 || m == AM_P95 || m == AM_P99 || m == AM_TTFT_P95 ? SORT_LATENCY
		   : m == AM_COST || m == AM_BURN || m == AM_BUDGET_DAILY || m == AM_BUDGET_MONTHLY ? SORT_COST
											       : SORT_TIME;
	char f[600];
	if (row->res && row->res->filter[0]) {
		snprintf(f, sizeof f, "%s", row->res->filter);
	} else {
		char d[16];
		clock_fmt_dur(ru->over_ns ? ru->over_ns : config_dur(a->cfg, CFG_window), d, sizeof d);
		snprintf(f, sizeof f, "since=%s%s%s", d, ru->where ? " " : "", ru->where ? ru->where : "");
	}
	app_show_traces(a, f, sort);
}

static int av_action(view_t *v, app_t *a, int act)
{
	alertsv *av = v->priv;
	rows_fresh(av, a);
	if (listpos_action(&av->lp, act))
		return 1;
	if (act == A_ENTER) {
		if (av->n)
			open_calls(av, a);
		return 1;
	}
	return 0; /* r: the console evaluates at once, in every view */
}

static int av_search(view_t *v, app_t *a, const char *text, int dir)
{
	alertsv *av = v->priv;
	rows_fresh(av, a);
	int n = (int)av->n;
	for (int k = 1; k <= n; k++) {
		int i = ((av->lp.sel + dir * k) % n + n) % n;
		if (strstr(av->rows[i].rule->name, text)) {
			av->lp.sel = i;
			return 1;
		}
	}
	return 0;
}

static void av_title(view_t *v, app_t *a, char *buf, size_t n)
{
	alertsv *av = v->priv;
	rows_fresh(av, a);
	size_t fire = 0, pend = 0;
	for (size_t i = 0; i < av->n; i++) {
		const alert_result *re = av->rows[i].res;
		fire += re && re->state == ALERT_FIRING;
		pend += re && re->state == ALERT_PENDING;
	}
	int len = snprintf(buf, n, "alerts %s %zu rule%s, %zu firing", glyph(G_DOT), av->n, av->n == 1 ? "" : "s", fire);
	if (pend && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, ", %zu pending", pend);
}

/* :write: every rule, as the table shows it. */
static void av_text(view_t *v, app_t *a, sbuf *out)
{
	alertsv *av = v->priv;
	rows_fresh(av, a);
	for (size_t i = 0; i < av->n; i++) {
		const arow *row = &av->rows[i];
		char value[32] = "-", tv[32], rule[400];
		fmt_value(row->res, value, sizeof value);
		alert_fmt_value(row->rule->metric, row->rule->value, tv, sizeof tv);
		alert_fmt_rule(row->rule, rule, sizeof rule);
		/* The rc's own text, but a file may be shown to a terminal: as
		 * the screen shows it. */
		char *name = sanitize_str(row->rule->name, 0), *text = sanitize_str(rule, 0);
		sb_printf(out, "%s\t%s\t%s\t%s\t%s %s\t%s\n", name, alert_severity_name(row->rule->severity),
			  state_word(row), value, alert_op_name(row->rule->op), tv, text);
		free(name);
		free(text);
	}
}

const view_ops alerts_ops = {
    .name = "alerts",
    .scope = SC_ALERTS,
    .flags = VIEW_SINGLETON,
    .private_size = sizeof(alertsv),
    .open = av_open,
    .close = av_close,
    .draw = av_draw,
    .action = av_action,
    .search = av_search,
    .title = av_title,
    .text = av_text,
};
