/* Two windows side by side. Each window is read with store_report, once by
 * model and once by prompt version, so that the figures are the report's
 * own (the same sums, the same percentiles) and the module needs no SQL of
 * its own: a store behind another backend answers it unchanged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/map.h"
#include "compare.h"
#include "prompts.h"

static int64_t ceil_minute(int64_t t)
{
	int64_t f = floor_to(t, NS_PER_MIN);
	return f == t ? t : f + NS_PER_MIN;
}

/* The first minute NAME@VERSION served. 0, 1 when it never did (err says
 * so), -1 on a store error. */
static int first_served(store_t *st, const char *ref, int64_t *out, char *err, size_t errlen)
{
	const char *at = strrchr(ref, '@');
	char *name = xstrndup(ref, (size_t)(at - ref));
	prompt_list l;
	int rc = prompts_list(st, name, &l, err, errlen);
	if (rc) {
		free(name);
		return -1;
	}
	rc = 1;
	for (size_t i = 0; i < l.n && rc; i++)
		for (size_t j = 0; j < l.v[i].n && rc; j++)
			if (!strcmp(l.v[i].v[j].version, at + 1) && l.v[i].v[j].s.first_ns) {
				*out = l.v[i].v[j].s.first_ns;
				rc = 0;
			}
	if (rc)
		snprintf(err, errlen, "compare: %s never served a call", ref);
	prompt_list_free(&l);
	free(name);
	return rc;
}

/* "HH:MM": that minute of today (UTC), or of yesterday when it is still to come. */
static int parse_hhmm(const char *s, int64_t now_ns, int64_t *out)
{
	int h, m, len = 0;
	if (sscanf(s, "%2d:%2d%n", &h, &m, &len) != 2 || s[len] || len != 5 || h > 23 || m > 59 || h < 0 || m < 0)
		return -1;
	int64_t t = floor_to(now_ns, NS_PER_DAY) + h * NS_PER_HOUR + m * NS_PER_MIN;
	*out = t > now_ns ? t - NS_PER_DAY : t;
	return 0;
}

int compare_span_parse(store_t *st, char *const *w, int n, int64_t now_ns, int64_t default_ns, compare_span *out,
		       char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int64_t dur = 0, split = 0;
	for (int i = 0; i < n; i++) {
		int64_t d;
		if (!strcmp(w[i], "since")) {
			if (i + 1 >= n) {
				snprintf(err, errlen, "compare: since what? (since NAME@VERSION or since TIME)");
				return -1;
			}
			const char *ref = w[++i];
			if (out->since[0]) {
				snprintf(err, errlen, "compare: since given twice");
				return -1;
			}
			if (strchr(ref, '@') && strrchr(ref, '@') != ref && strrchr(ref, '@')[1]) {
				int rc = first_served(st, ref, &split, err, errlen);
				if (rc)
					return -1;
			} else if (parse_hhmm(ref, now_ns, &split) && clock_parse_time(ref, &split)) {
				snprintf(err, errlen,
					 "compare: since: expected NAME@VERSION or a time (HH:MM, RFC 3339 or Unix seconds), got '%.80s'",
					 ref);
				return -1;
			}
			snprintf(out->since, sizeof out->since, "%s", ref);
		} else if (!clock_parse_dur(w[i], &d) && !dur) {
			dur = d;
			if (dur < NS_PER_MIN) {
				snprintf(err, errlen, "compare: the windows are of whole minutes: %s is less than one", w[i]);
				return -1;
			}
			dur = floor_to(dur, NS_PER_MIN);
		} else {
			snprintf(err, errlen, "compare: expected DUR or since NAME@VERSION|TIME, got '%.80s'", w[i]);
			return -1;
		}
	}
	int64_t end = ceil_minute(now_ns);
	if (!out->since[0]) {
		int64_t len = dur ? dur : floor_to(default_ns, NS_PER_MIN);
		if (len < NS_PER_MIN)
			len = NS_PER_MIN;
		out->to_ns = end;
		out->split_ns = end - len;
		out->from_ns = out->split_ns - len;
		return 0;
	}
	split = floor_to(split, NS_PER_MIN);
	if (split >= end) {
		char t[40];
		clock_fmt_rfc3339(split, t, sizeof t);
		snprintf(err, errlen, "compare: since %s: %s is not in the past", out->since, t);
		return -1;
	}
	int64_t len = end - split;
	if (dur && dur < len)
		len = dur;
	out->split_ns = split;
	out->to_ns = split + len;
	out->from_ns = split - len;
	return 0;
}

static void side_of(const rstats *s, cmp_side *sd)
{
	memset(sd, 0, sizeof *sd);
	sd->usd_per_call = -1;
	if (!s)
		return;
	sd->calls = s->calls;
	sd->errors = s->errors;
	if (s->lat.total) {
		sd->p50_ms = hist_quantile(&s->lat, 50);
		sd->p95_ms = hist_quantile(&s->lat, 95);
		sd->p99_ms = hist_quantile(&s->lat, 99);
	}
	if (s->ttft.total)
		sd->ttft_p95_ms = hist_quantile(&s->ttft, 95);
	uint64_t priced = s->calls - (s->unpriced < s->calls ? s->unpriced : s->calls);
	if (priced)
		sd->usd_per_call = (double)s->cost_nusd / 1e9 / (double)priced;
}

static double rate(const cmp_side *s)
{
	return s->calls ? (double)s->errors / (double)s->calls : 0;
}

/* The part of the moves that the tests found, in calls: errors beyond (or
 * short of) the former rate, and a tenth of the calls for each doubling (or
 * halving) of p50 or p95, whichever moved more. Positive: worse. */
static double score(const cmp_row *r)
{
	double s = 0;
	if (r->err_tested && r->err.significant)
		s += (double)r->now.errors - (double)r->now.calls * rate(&r->was);
	if (r->lat_tested && r->lat.t.significant && r->was.p50_ms > 0 && r->was.p95_ms > 0 && r->now.p50_ms > 0 &&
	    r->now.p95_ms > 0) {
		double a = log2(r->now.p50_ms / r->was.p50_ms), b = log2(r->now.p95_ms / r->was.p95_ms);
		double m = r->lat.t.z > 0 ? fmax(a, b) : fmin(a, b);
		s += (double)r->now.calls * m / 10;
	}
	return s;
}

static void judge(cmp_row *r, const rstats *was, const rstats *now)
{
	r->err = (stats_test){0, 1, 0};
	r->lat = (stats_mw){{0, 1, 0}, 0, 0.5};
	if (!r->now.calls) {
		r->verdict = CMP_GONE;
		return;
	}
	if (!r->was.calls) {
		r->verdict = CMP_NEW;
		return;
	}
	r->err_tested = r->was.calls >= COMPARE_MIN_CALLS && r->now.calls >= COMPARE_MIN_CALLS;
	if (r->err_tested)
		r->err = stats_two_proportions(r->was.errors, r->was.calls, r->now.errors, r->now.calls);
	r->lat_tested = was->lat.total >= COMPARE_MIN_CALLS && now->lat.total >= COMPARE_MIN_CALLS;
	if (r->lat_tested)
		r->lat = stats_mann_whitney_hist(&was->lat, &now->lat);
	int worse = (r->err.significant && r->err.z > 0) || (r->lat.t.significant && r->lat.t.z > 0);
	int better = (r->err.significant && r->err.z < 0) || (r->lat.t.significant && r->lat.t.z < 0);
	r->verdict = !r->err_tested && !r->lat_tested ? CMP_FEW : worse ? CMP_WORSE : better ? CMP_BETTER : CMP_SAME;
	r->score = score(r);
}

static int cmp_rows(const void *pa, const void *pb)
{
	const cmp_row *a = pa, *b = pb;
	if (a->verdict != b->verdict)
		return a->verdict - b->verdict;
	double sa = a->verdict == CMP_BETTER ? -a->score : a->score, sb = b->verdict == CMP_BETTER ? -b->score : b->score;
	if ((a->verdict == CMP_WORSE || a->verdict == CMP_BETTER) && sa != sb)
		return sa > sb ? -1 : 1;
	uint64_t ca = a->now.calls > a->was.calls ? a->now.calls : a->was.calls;
	uint64_t cb = b->now.calls > b->was.calls ? b->now.calls : b->was.calls;
	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (a->is_model != b->is_model)
		return b->is_model - a->is_model;
	return strcmp(a->key, b->key);
}

/* Index of a report's groups by key. */
static void index_groups(const report_t *r, strmap *m)
{
	strmap_init(m);
	for (size_t i = 0; i < r->n; i++)
		strmap_put(m, r->groups[i].key, (void *)&r->groups[i]);
}

static const rstats *group_stats(const strmap *m, const char *key)
{
	const report_group *g = strmap_get(m, key);
	return g ? &g->s : NULL;
}

/* The version of the same prompt with the most calls in the window before,
 * among those that are not `key` (NULL when none served). */
static const report_group *busiest_other(const report_t *was, const char *key)
{
	const char *at = strrchr(key, '@');
	size_t plen = at ? (size_t)(at - key) : strlen(key);
	const report_group *best = NULL;
	for (size_t i = 0; i < was->n; i++) {
		const report_group *g = &was->groups[i];
		if (!strcmp(g->key, key) || strncmp(g->key, key, plen) || g->key[plen] != '@' || strchr(g->key + plen + 1, '@'))
			continue;
		if (!best || g->s.calls > best->s.calls)
			best = g;
	}
	return best;
}

/* A side without calls, for the tests. */
static const rstats no_calls;

/* One row per key of either window's report. */
static void add_rows(compare_t *out, const report_t *was, const report_t *now, int is_model)
{
	strmap mw, mn, seen;
	index_groups(was, &mw);
	index_groups(now, &mn);
	strmap_init(&seen);
	for (int side = 0; side < 2; side++) {
		const report_t *r = side ? was : now;
		for (size_t i = 0; i < r->n; i++) {
			const char *key = r->groups[i].key;
			/* Calls without a prompt show in their models' rows. */
			if (strmap_get(&seen, key) || (!is_model && !strcmp(key, "(none)")))
				continue;
			strmap_put(&seen, key, (void *)1);
			out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
			cmp_row *row = &out->v[out->n++];
			memset(row, 0, sizeof *row);
			row->is_model = is_model;
			row->key = xstrdup(key);
			const rstats *sw = group_stats(&mw, key), *sn = group_stats(&mn, key);
			if (!is_model && sn && (!sw || !sw->calls)) {
				const report_group *b = busiest_other(was, key);
				if (b && b->s.calls) {
					row->against = xstrdup(b->key);
					sw = &b->s;
				}
			}
			side_of(sw, &row->was);
			side_of(sn, &row->now);
			judge(row, sw ? sw : &no_calls, sn ? sn : &no_calls);
		}
	}
	strmap_free(&mw, NULL);
	strmap_free(&mn, NULL);
	strmap_free(&seen, NULL);
}

int compare_compute(store_t *st, const compare_span *span, compare_t *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->span = *span;
	report_t r[4]; /* was by model, now by model, was by prompt, now by prompt */
	int got = 0, rc = 0;
	for (; got < 4 && !rc; got++) {
		int after = got % 2, by = got < 2 ? BY_MODEL : BY_PROMPT;
		rc = store_report(st, after ? span->split_ns : span->from_ns, after ? span->to_ns : span->split_ns, by, &r[got],
				  err, errlen);
	}
	if (rc)
		got--;
	if (!rc) {
		add_rows(out, &r[0], &r[1], 1);
		add_rows(out, &r[2], &r[3], 0);
		if (out->n)
			qsort(out->v, out->n, sizeof *out->v, cmp_rows);
		for (size_t i = 0; i < out->n; i++)
			out->counts[out->v[i].verdict]++;
	}
	for (int i = 0; i < got; i++)
		report_free(&r[i]);
	return rc ? -1 : 0;
}

void compare_free(compare_t *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].against);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

const char *compare_verdict_name(int verdict)
{
	static const char *const names[] = {"worse", "better", "new", "gone", "same", "too few calls"};
	return verdict >= 0 && verdict <= CMP_FEW ? names[verdict] : "?";
}

/* A filter duration of at least ns (whole seconds, rounded up). */
static void filter_dur(int64_t ns, char *buf, size_t n)
{
	int64_t s = (ns + NS_PER_S - 1) / NS_PER_S;
	clock_fmt_dur(s * NS_PER_S, buf, n);
}

void compare_row_filter(const compare_t *c, const cmp_row *r, int64_t now_ns, char *buf, size_t n)
{
	char since[32], until[48] = "";
	filter_dur(now_ns - c->span.split_ns, since, sizeof since);
	/* A window that ends before now (DUR since REF): leave out what came after. */
	if (c->span.to_ns < now_ns) {
		char d[32];
		filter_dur(now_ns - c->span.to_ns, d, sizeof d);
		snprintf(until, sizeof until, " since!=%s", d);
	}
	snprintf(buf, n, "since=%s%s %s=%s", since, until, r->is_model ? "model" : "prompt", r->key);
}

/* "HH:MM", or "MM-DD HH:MM" when dated. */
static void hhmm(int64_t t, int dated, char *buf, size_t n)
{
	char s[40];
	clock_fmt_short(t, s, sizeof s);
	snprintf(buf, n, "%s", strlen(s) >= 16 ? (dated ? s + 5 : s + 11) : s);
}

void compare_describe(const compare_span *s, int64_t now_ns, char *buf, size_t n)
{
	char a[40], b[40], c[40], len[32];
	/* Times of day, unless the windows reach back before today. */
	int dated = s->from_ns < floor_to(now_ns, NS_PER_DAY);
	hhmm(s->from_ns, dated, a, sizeof a);
	hhmm(s->split_ns, dated, b, sizeof b);
	hhmm(s->to_ns, dated, c, sizeof c);
	clock_fmt_dur(s->to_ns - s->split_ns, len, sizeof len);
	if (s->since[0])
		snprintf(buf, n, "since %s %s-%s (%s) against %s-%s", s->since, b, c, len, a, b);
	else
		snprintf(buf, n, "%s-%s (%s) against %s-%s", b, c, len, a, b);
}

static void fmt_side(int fig, const cmp_side *s, char *buf, size_t n)
{
	double ms = -1;
	switch (fig) {
	case CMPF_CALLS: fmt_count(buf, n, (double)s->calls); return;
	case CMPF_ERR:
		if (s->calls)
			snprintf(buf, n, "%.1f", rate(s) * 100);
		else
			snprintf(buf, n, "-");
		return;
	case CMPF_COST:
		if (s->usd_per_call >= 0)
			fmt_usd(buf, n, s->usd_per_call);
		else
			snprintf(buf, n, "-");
		return;
	case CMPF_P50: ms = s->p50_ms; break;
	case CMPF_P95: ms = s->p95_ms; break;
	case CMPF_P99: ms = s->p99_ms; break;
	case CMPF_TTFT: ms = s->ttft_p95_ms; break;
	}
	fmt_ms(buf, n, ms > 0 ? ms : -1);
}

int compare_fmt(const cmp_row *r, int fig, const char *arrow, char *buf, size_t n)
{
	char a[32], b[32];
	fmt_side(fig, &r->was, a, sizeof a);
	fmt_side(fig, &r->now, b, sizeof b);
	int sig = 0;
	if (!strcmp(a, "-") && !strcmp(b, "-")) {
		snprintf(buf, n, "-");
		return 0;
	}
	if (fig == CMPF_ERR && r->err.significant)
		sig = r->err.z > 0 ? 1 : -1;
	else if ((fig == CMPF_P50 || fig == CMPF_P95 || fig == CMPF_P99) && r->lat.t.significant)
		sig = r->lat.t.z > 0 ? 1 : -1;
	snprintf(buf, n, "%s%s%s%s%s", a, arrow, b, fig == CMPF_ERR && r->now.calls ? "%" : "", sig ? "*" : "");
	return sig;
}
