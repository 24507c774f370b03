/* What changed in a window. Each prompt version and each model is an
 * entity made of the dimension ids that carry it. Its first and last minute
 * come from the hourly rollups, refined with the minute rollups of just that
 * hour; its figures from the rollups of the window and of the window before
 * (for a deploy, the window before its first minute), compared model by
 * model, the worst model named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/map.h"
#include "../core/rollup.h"
#include "../core/str.h"
#include "changes.h"
#include "store_internal.h"

/* A version that last served this long before the window's end has stopped. */
#define STOP_QUIET_NS (5 * NS_PER_MIN)

typedef struct entity {
	int is_model;
	const char *prompt, *version; /* owned by the dims */
	int64_t *dims;
	size_t ndims;
	int64_t first_ns, last_ns; /* 0: never served */
	const char *feature; /* a model's: that of the dim it served first (ent_feature_pick) */
} entity;

typedef struct ents {
	entity *v;
	size_t n;
	strmap idx; /* key -> index + 1 */
} ents;

static entity *ent_get(ents *e, int is_model, const char *prompt, const char *version)
{
	char key[512];
	snprintf(key, sizeof key, "%d\x1f%s\x1f%s", is_model, prompt ? prompt : "", version);
	intptr_t i = (intptr_t)strmap_get(&e->idx, key);
	if (!i) {
		e->v = xrealloc(e->v, (e->n + 1) * sizeof *e->v);
		e->v[e->n] = (entity){.is_model = is_model, .prompt = prompt, .version = version};
		i = (intptr_t)++e->n;
		strmap_put(&e->idx, key, (void *)i);
	}
	return &e->v[i - 1];
}

static void ent_add_dim(entity *en, int64_t dim)
{
	en->dims = xrealloc(en->dims, (en->ndims + 1) * sizeof *en->dims);
	en->dims[en->ndims++] = dim;
}

/* The first (or last) minute of an hour in which one of the entity's dims served. */
static int edge_minute(store_t *st, const entity *en, int64_t hour_s, int last, int64_t *out_s)
{
	int found = 0;
	for (size_t i = 0; i < en->ndims; i++) {
		int64_t t;
		int rc = store_dim_minute(st, en->dims[i], hour_s, last, &t);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			if (!found || (last ? t > *out_s : t < *out_s))
				*out_s = t;
			found = 1;
		}
	}
	if (!found)
		*out_s = hour_s + (last ? 3540 : 0);
	return 0;
}

static void side_add(change_side *sd, const rstats *s, hist_t *lat, uint64_t *priced, int64_t *cost)
{
	sd->calls += s->calls;
	sd->errors += s->errors;
	hist_merge(lat, &s->lat);
	*priced += s->calls - (s->unpriced < s->calls ? s->unpriced : s->calls);
	*cost += s->cost_nusd;
}

/* The figures of the dims that match: prompt (when not NULL), version (or
 * any other version when `other`), model (when not NULL), feature (when
 * not NULL). */
typedef struct match {
	const char *prompt, *version, *model, *feature;
	int other;
	int models; /* version is a model */
} match;

static int dim_matches(const dim_row *r, const match *m)
{
	if (m->prompt && strcmp(r->prompt_name, m->prompt))
		return 0;
	if (m->feature && strcmp(r->feature, m->feature))
		return 0;
	if (m->version) {
		int same = !strcmp(m->models ? r->model : r->prompt_version, m->version);
		if (same == m->other)
			return 0;
		if (m->other && !m->models && !*r->prompt_version)
			return 0;
	}
	if (m->model && strcmp(r->model, m->model))
		return 0;
	return 1;
}

static change_side side_of(const dims_t *dims, const rstats *per_dim, const match *m)
{
	change_side sd = {0};
	hist_t lat;
	hist_init(&lat);
	uint64_t priced = 0;
	int64_t cost = 0;
	for (int64_t d = 1; d < dims->n; d++) {
		const dim_row *r = store_dim(dims, d);
		if (r && per_dim[d].calls && dim_matches(r, m))
			side_add(&sd, &per_dim[d], &lat, &priced, &cost);
	}
	sd.p95_ms = hist_quantile(&lat, 95);
	sd.nusd_per_call = priced ? (double)cost / (double)priced : 0;
	hist_free(&lat);
	return sd;
}

static double rate(const change_side *s)
{
	return s->calls ? (double)s->errors / (double)s->calls : 0;
}

/* How much worse now is than was, in calls hurt: the errors beyond the
 * former rate, and a tenth of the calls for each doubling of p95 or $/call
 * (a failed call hurts more than a slow one). 0: no worse. And whether
 * beyond the thresholds. */
static double side_score(const change_side *now, const change_side *was, int *regressed)
{
	*regressed = 0;
	if (!now->calls || !was->calls)
		return 0;
	int enough = now->calls >= CHANGES_MIN_CALLS && was->calls >= CHANGES_MIN_CALLS;
	double score = fmax(0, (double)now->errors - (double)now->calls * rate(was));
	if (enough && rate(now) >= CHANGES_ERR_RATIO * rate(was) && rate(now) - rate(was) >= CHANGES_ERR_POINTS &&
	    now->errors >= CHANGES_MIN_ERRORS)
		*regressed = 1;
	double slow[2] = {was->p95_ms > 0 && now->p95_ms > 0 ? now->p95_ms / was->p95_ms : 1,
			  was->nusd_per_call > 0 && now->nusd_per_call > 0 ? now->nusd_per_call / was->nusd_per_call : 1};
	for (int i = 0; i < 2; i++) {
		if (slow[i] > 1)
			score += (double)now->calls * log2(slow[i]) / 10;
		if (enough && slow[i] >= CHANGES_SLOW_RATIO)
			*regressed = 1;
	}
	return score;
}

double change_score(const change_side *now, const change_side *was, int *regressed)
{
	return side_score(now, was, regressed);
}

int change_regressed(const change_side *now, const change_side *was)
{
	int reg;
	side_score(now, was, &reg);
	return reg;
}

/* The feature of the dimension an entity served first (by first hour; of
 * the same hour, the first by name): the same on every store, whatever
 * order its dimensions have. NULL when none has one. */
static const char *ent_feature_pick(const dims_t *dims, const entity *en, const int64_t *first_h)
{
	const char *best = NULL;
	int64_t at = 0;
	for (size_t i = 0; i < en->ndims; i++) {
		const dim_row *r = store_dim(dims, en->dims[i]);
		if (!r || !*r->feature)
			continue;
		int64_t h = first_h[en->dims[i]] ? first_h[en->dims[i]] : INT64_MAX; /* 0: never served */
		if (!best || h < at || (h == at && strcmp(r->feature, best) < 0)) {
			best = r->feature;
			at = h;
		}
	}
	return best;
}

/* The version (or model) with the most calls among those `m` selects. */
static const char *busiest(const dims_t *dims, const rstats *per_dim, const match *m)
{
	const char *best = NULL;
	uint64_t most = 0;
	for (int64_t d = 1; d < dims->n; d++) {
		const dim_row *r = store_dim(dims, d);
		if (!r || !per_dim[d].calls || !dim_matches(r, m))
			continue;
		const char *k = m->models ? r->model : r->prompt_version;
		uint64_t n = 0;
		for (int64_t e = 1; e < dims->n; e++) {
			const dim_row *o = store_dim(dims, e);
			if (o && per_dim[e].calls && dim_matches(o, m) && !strcmp(m->models ? o->model : o->prompt_version, k))
				n += per_dim[e].calls;
		}
		if (n > most || (n == most && best && strcmp(k, best) < 0)) { /* of as many, the first by name */
			most = n;
			best = k;
		}
	}
	return best;
}

/* Fills c's figures: on each model the entity served, now against was
 * (`base` selecting what served before), keeping the worst model. */
static void compare(change *c, const entity *en, const dims_t *dims, const rstats *now, const rstats *was,
		    match base)
{
	c->score = 0;
	int first = 1;
	for (size_t i = 0; i < en->ndims; i++) {
		const dim_row *r = store_dim(dims, en->dims[i]);
		if (!r)
			continue;
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++) {
			const dim_row *o = store_dim(dims, en->dims[j]);
			dup = o && !strcmp(o->model, r->model);
		}
		if (dup)
			continue;
		match mn = {.prompt = en->is_model ? NULL : en->prompt, .version = en->version, .models = en->is_model};
		if (!en->is_model)
			mn.model = r->model;
		match mw = base;
		if (!en->is_model)
			mw.model = r->model;
		change_side sn = side_of(dims, now, &mn), sw = side_of(dims, was, &mw);
		if (!sn.calls)
			continue;
		int reg;
		double sc = side_score(&sn, &sw, &reg);
		/* The worst model; of as bad, the first by name (the same on every
		 * store, whatever order its dimensions have). */
		if (first || reg > c->regressed || (reg == c->regressed && sc > c->score) ||
		    (reg == c->regressed && sc == c->score && c->model && strcmp(r->model, c->model) < 0)) {
			c->now = sn;
			c->was = sw;
			c->score = sc;
			c->regressed = reg;
			free(c->model);
			c->model = en->is_model ? NULL : xstrdup(r->model);
			first = 0;
		}
		if (en->is_model)
			break;
	}
}

static int cmp_change(const void *a, const void *b)
{
	const change *x = a, *y = b;
	if (x->regressed != y->regressed)
		return y->regressed - x->regressed;
	/* A version is a cause, a model where it shows: a deploy's
	 * regression also worsens its model, and the deploy is the answer. */
	if (x->regressed && !x->prompt != !y->prompt)
		return x->prompt ? -1 : 1;
	if (x->regressed && x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	int64_t tx = x->kind == CHANGE_STOPPED ? x->last_ns : x->first_ns;
	int64_t ty = y->kind == CHANGE_STOPPED ? y->last_ns : y->first_ns;
	if (tx != ty)
		return tx > ty ? -1 : 1;
	int r = strcmp(x->prompt ? x->prompt : "", y->prompt ? y->prompt : "");
	return r ? r : strcmp(x->version, y->version);
}

static change *push(changes_t *out, int kind, const entity *en)
{
	out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
	change *c = &out->v[out->n++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->prompt = en->is_model ? NULL : xstrdup(en->prompt);
	c->version = xstrdup(en->version);
	c->first_ns = en->first_ns;
	c->last_ns = en->last_ns;
	return c;
}

/* Whether another entity of the same prompt (or feature) began after en and
 * served after en's last minute: en was replaced. */
static int replaced(const ents *e, const entity *en)
{
	const char *feat = en->is_model ? en->feature : NULL;
	if (en->is_model && !feat)
		return 0;
	for (size_t i = 0; i < e->n; i++) {
		const entity *o = &e->v[i];
		if (o == en || o->is_model != en->is_model || o->first_ns <= en->first_ns || o->last_ns <= en->last_ns)
			continue;
		if (en->is_model ? (feat && o->feature && !strcmp(o->feature, feat))
				 : !strcmp(o->prompt, en->prompt))
			return 1;
	}
	return 0;
}

int sq_changes_compute(store_t *st, int64_t from_ns, int64_t to_ns, changes_t *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->from_ns = floor_to(from_ns, NS_PER_MIN);
	out->to_ns = floor_to(to_ns, NS_PER_MIN) == to_ns ? to_ns : floor_to(to_ns, NS_PER_MIN) + NS_PER_MIN;
	int64_t span = out->to_ns - out->from_ns;
	if (span <= 0)
		return 0;
	dims_t dims;
	if (store_dims_load(st, &dims)) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	ents e = {0};
	strmap_init(&e.idx);
	for (int64_t d = 1; d < dims.n; d++) {
		const dim_row *r = store_dim(&dims, d);
		if (!r)
			continue;
		ent_add_dim(ent_get(&e, 1, NULL, r->model), d);
		if (*r->prompt_name && *r->prompt_version)
			ent_add_dim(ent_get(&e, 0, r->prompt_name, r->prompt_version), d);
	}
	/* First and last hours per dim, then per entity. */
	int64_t *fh = xcalloc((size_t)(dims.n ? dims.n : 1), sizeof *fh), *lh = xcalloc((size_t)(dims.n ? dims.n : 1), sizeof *lh);
	int rc = store_dim_hours(st, &dims, fh, lh);
	int64_t near_s = (out->from_ns - span) / NS_PER_S - 3600;
	int64_t *ef = xcalloc(e.n ? e.n : 1, sizeof *ef), *el = xcalloc(e.n ? e.n : 1, sizeof *el);
	int64_t *ahead = xcalloc(2 * e.n + 1, sizeof *ahead);
	size_t nahead = 0;
	for (size_t i = 0; i < e.n && !rc; i++) {
		entity *en = &e.v[i];
		int any = 0;
		for (size_t j = 0; j < en->ndims; j++) {
			int64_t d = en->dims[j];
			if (!lh[d] && !fh[d])
				continue;
			if (!any || fh[d] < ef[i])
				ef[i] = fh[d];
			if (!any || lh[d] > el[i])
				el[i] = lh[d];
			any = 1;
		}
		if (!any)
			ef[i] = el[i] = INT64_MIN;
		/* Minutes only where they can matter: near or in the window. */
		if (any && ef[i] >= near_s)
			ahead[nahead++] = ef[i];
		if (any && el[i] >= near_s)
			ahead[nahead++] = el[i];
	}
	if (!rc && nahead)
		rc = store_dim_minutes_ahead(st, ahead, nahead);
	free(ahead);
	for (size_t i = 0; i < e.n && !rc; i++) {
		entity *en = &e.v[i];
		int64_t f = ef[i], l = el[i];
		if (f == INT64_MIN)
			continue;
		if (f >= near_s && edge_minute(st, en, f, 0, &f))
			rc = -1;
		if (l >= near_s && edge_minute(st, en, l, 1, &l))
			rc = -1;
		en->first_ns = f * NS_PER_S;
		en->last_ns = l * NS_PER_S;
	}
	free(ef);
	free(el);
	for (size_t i = 0; i < e.n; i++)
		if (e.v[i].is_model)
			e.v[i].feature = ent_feature_pick(&dims, &e.v[i], fh);
	free(fh);
	free(lh);

	/* Every window read, asked at once: the window, the one before, and
	 * the span before each deploy in the window (one a first minute). Lean:
	 * nothing here compares the TTFT or the errors by type. */
	size_t nw = 2, nd = (size_t)(dims.n ? dims.n : 1);
	twin *w = xcalloc(2 + e.n, sizeof *w);
	w[0] = (twin){out->from_ns, out->to_ns};
	w[1] = (twin){out->from_ns - span, out->from_ns};
	for (size_t i = 0; i < e.n; i++) {
		const entity *en = &e.v[i];
		if ((!en->last_ns && !en->first_ns) || en->first_ns < out->from_ns || en->first_ns >= out->to_ns)
			continue;
		size_t k = 2;
		while (k < nw && w[k].to_ns != en->first_ns)
			k++;
		if (k == nw)
			w[nw++] = (twin){en->first_ns - span, en->first_ns};
	}
	rstats **per = xcalloc(nw, sizeof *per);
	for (size_t k = 0; k < nw; k++)
		per[k] = xcalloc(nd, sizeof **per);
	if (!rc)
		rc = store_windows_per_dim(st, w, nw, &dims, 1, per);
	rstats *now = per[0], *was = per[1];
	for (size_t i = 0; i < e.n && !rc; i++) {
		entity *en = &e.v[i];
		if (!en->last_ns && !en->first_ns)
			continue;
		const char *feat = en->is_model ? en->feature : NULL;
		if (en->first_ns >= out->from_ns && en->first_ns < out->to_ns) {
			/* A deploy: against what served the same prompt (feature) before it. */
			size_t k = 2;
			while (w[k].to_ns != en->first_ns)
				k++;
			rstats *tmp = per[k];
			change *c = push(out, CHANGE_NEW, en);
			match base = {.prompt = en->is_model ? NULL : en->prompt, .version = en->version, .other = 1,
				      .models = en->is_model, .feature = feat};
			if (!en->is_model || feat) {
				const char *b = busiest(&dims, tmp, &base);
				c->before = b ? xstrdup(b) : NULL;
			}
			if (c->before)
				base = (match){.prompt = base.prompt, .version = c->before, .models = en->is_model,
					       .feature = feat};
			compare(c, en, &dims, now, tmp, base);
			if (!c->before)
				c->regressed = 0;
		} else if (en->last_ns >= out->from_ns && en->last_ns < out->to_ns - STOP_QUIET_NS &&
			   replaced(&e, en)) {
			change *c = push(out, CHANGE_STOPPED, en);
			match m = {.prompt = en->is_model ? NULL : en->prompt, .version = en->version, .models = en->is_model};
			c->now = side_of(&dims, now, &m);
			c->was = side_of(&dims, was, &m);
		} else if (en->first_ns < out->from_ns && en->last_ns >= out->from_ns) {
			change probe = {0};
			match base = {.prompt = en->is_model ? NULL : en->prompt, .version = en->version,
				      .models = en->is_model};
			compare(&probe, en, &dims, now, was, base);
			if (probe.regressed) {
				change *c = push(out, CHANGE_REGRESSED, en);
				c->now = probe.now;
				c->was = probe.was;
				c->score = probe.score;
				c->regressed = 1;
				c->model = probe.model;
			} else {
				free(probe.model);
			}
		}
	}
	for (size_t i = 0; i < out->n; i++) {
		change *c = &out->v[i];
		match m = {.prompt = c->prompt, .version = c->version, .models = !c->prompt};
		c->calls = side_of(&dims, now, &m).calls;
	}
	for (size_t k = 0; k < nw; k++) {
		for (int64_t d = 0; d < dims.n; d++)
			rstats_free(&per[k][d]);
		free(per[k]);
	}
	free(per);
	free(w);
	for (size_t i = 0; i < e.n; i++)
		free(e.v[i].dims);
	free(e.v);
	strmap_free(&e.idx, NULL);
	store_dims_free(&dims);
	if (rc) {
		snprintf(err, errlen, "%s: %s", st->path, rc == -2 ? "corrupt rollup row" : sqlite3_errmsg(st->db));
		changes_free(out);
		return -1;
	}
	/* Too few calls of a new version may not show a regression that its
	 * model, with all its calls, does: a deploy that did worse than the
	 * version before on a model that regressed is taken as the cause. */
	for (size_t i = 0; i < out->n; i++) {
		change *m = &out->v[i];
		if (m->prompt || !m->regressed)
			continue;
		for (size_t j = 0; j < out->n; j++) {
			change *c = &out->v[j];
			if (c->kind == CHANGE_NEW && c->prompt && !c->regressed && c->model && c->before && c->score > 0 &&
			    !strcmp(c->model, m->version)) {
				c->regressed = 1;
				c->score = fmax(c->score, m->score);
			}
		}
	}
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_change);
	return 0;
}

void changes_free(changes_t *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].prompt);
		free(c->v[i].version);
		free(c->v[i].before);
		free(c->v[i].model);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

const char *change_label(const change *c, char *buf, size_t n)
{
	if (c->prompt)
		snprintf(buf, n, "%s@%s", c->prompt, c->version);
	else
		snprintf(buf, n, "%s", c->version);
	return buf;
}

const char *change_kind_name(int kind)
{
	return kind == CHANGE_NEW ? "new" : kind == CHANGE_STOPPED ? "stopped" : "regressed";
}

void change_summary(const change *c, int64_t now_ns, const char *arrow, char *buf, size_t n)
{
	/* The compact form: single spaces, the arrow given, no ratio. */
	const char *sep = arrow ? " " : "  ", *to = arrow ? arrow : " -> ";
	int64_t t = c->kind == CHANGE_STOPPED ? c->last_ns : c->first_ns;
	char hm[40], ago[32];
	clock_fmt_short(t, hm, sizeof hm);
	const char *hhmm = strlen(hm) >= 16 ? hm + 11 : hm;
	int64_t d = now_ns - t;
	snprintf(ago, sizeof ago, "<1m");
	if (d >= NS_PER_MIN)
		clock_fmt_dur(floor_to(d, d < NS_PER_HOUR ? NS_PER_MIN : d < NS_PER_DAY ? NS_PER_HOUR : NS_PER_DAY), ago,
			      sizeof ago);
	size_t len = (size_t)snprintf(buf, n, "%s %s (%s)",
				      c->kind == CHANGE_NEW ? "since" : c->kind == CHANGE_STOPPED ? "stopped" : "regressed",
				      hhmm, ago);
	if (c->kind == CHANGE_REGRESSED)
		len = (size_t)snprintf(buf, n, "regressed");
	if (len >= n || c->kind == CHANGE_STOPPED || !c->was.calls)
		return;
	double rn = rate(&c->now), rw = rate(&c->was);
	char ratio[24] = "";
	if (!arrow && rw > 0 && rn > rw)
		snprintf(ratio, sizeof ratio, " (x%.1f)", rn / rw);
	len += (size_t)snprintf(buf + len, n - len, "%serr %.1f%%%s%.1f%%%s", sep, rw * 100, to, rn * 100, ratio);
	if (len < n && c->model)
		len += (size_t)snprintf(buf + len, n - len, " on %s", c->model);
	if (len < n && c->was.p95_ms > 0 && c->now.p95_ms > 0) {
		char a[16], b[16];
		fmt_ms(a, sizeof a, c->was.p95_ms);
		fmt_ms(b, sizeof b, c->now.p95_ms);
		len += (size_t)snprintf(buf + len, n - len, "%sp95 %s%s%s", sep, a, to, b);
	}
	if (len < n && c->was.nusd_per_call > 0 && c->now.nusd_per_call > 0) {
		char a[16], b[16];
		fmt_usd(a, sizeof a, c->was.nusd_per_call / 1e9);
		fmt_usd(b, sizeof b, c->now.nusd_per_call / 1e9);
		snprintf(buf + len, n - len, "%s$/call %s%s%s", sep, a, to, b);
	}
}

/* "3.1s" and "9.8s" as "3.1ARROW9.8s"; mixed units stay whole. */
void change_pair(char *out, size_t n, const char *a, const char *b, const char *arrow)
{
	size_t la = strlen(a), lb = strlen(b), k = 0;
	while (k < la && k < lb && !(a[la - 1 - k] >= '0' && a[la - 1 - k] <= '9') && a[la - 1 - k] == b[lb - 1 - k])
		k++;
	/* only a whole unit: both end in it, right after a digit */
	if (k && la > k && lb > k && a[la - 1 - k] >= '0' && a[la - 1 - k] <= '9' && b[lb - 1 - k] >= '0' &&
	    b[lb - 1 - k] <= '9')
		snprintf(out, n, "%.*s%s%s", (int)(la - k), a, arrow, b);
	else
		snprintf(out, n, "%s%s%s", a, arrow, b);
}

static int ucols(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* The columns the parts take, a space between each two. */
static int fit_width(char (*part)[160], int np)
{
	int w = -1;
	for (int i = 0; i < np; i++)
		if (part[i][0])
			w += 1 + ucols(part[i]);
	return w;
}

void change_summary_fit(const change *c, int64_t now_ns, const char *arrow, const char *model, int cols, char *buf,
			size_t n)
{
	enum { P_TIME, P_AGE, P_ERR, P_BEFORE, P_P95, P_COST, P_MODEL, P_N };
	char part[P_N][160];
	memset(part, 0, sizeof part);
	int64_t t = c->kind == CHANGE_STOPPED ? c->last_ns : c->first_ns;
	char hm[40];
	clock_fmt_short(t, hm, sizeof hm);
	if (c->kind == CHANGE_REGRESSED)
		snprintf(part[P_TIME], sizeof part[P_TIME], "regressed");
	else
		snprintf(part[P_TIME], sizeof part[P_TIME], "%s%s", c->kind == CHANGE_STOPPED ? "stopped " : "",
			 strlen(hm) >= 16 ? hm + 11 : hm);
	int64_t d = now_ns - t;
	if (c->kind != CHANGE_REGRESSED) {
		char ago[32] = "<1m";
		if (d >= NS_PER_MIN)
			clock_fmt_dur(floor_to(d, d < NS_PER_HOUR ? NS_PER_MIN : d < NS_PER_DAY ? NS_PER_HOUR : NS_PER_DAY), ago,
				      sizeof ago);
		snprintf(part[P_AGE], sizeof part[P_AGE], "(%s)", ago);
	}
	if (c->kind != CHANGE_STOPPED && c->was.calls) {
		char a[16], b[16], p[48];
		snprintf(a, sizeof a, "%.1f%%", rate(&c->was) * 100);
		snprintf(b, sizeof b, "%.1f%%", rate(&c->now) * 100);
		change_pair(p, sizeof p, a, b, arrow);
		snprintf(part[P_ERR], sizeof part[P_ERR], "err %s", p);
		if (c->before && c->prompt)
			snprintf(part[P_BEFORE], sizeof part[P_BEFORE], "vs @%s", c->before);
		if (c->was.p95_ms > 0 && c->now.p95_ms > 0) {
			fmt_ms(a, sizeof a, c->was.p95_ms);
			fmt_ms(b, sizeof b, c->now.p95_ms);
			change_pair(p, sizeof p, a, b, arrow);
			snprintf(part[P_P95], sizeof part[P_P95], "p95 %s", p);
		}
		if (c->was.nusd_per_call > 0 && c->now.nusd_per_call > 0) {
			fmt_usd(a, sizeof a, c->was.nusd_per_call / 1e9);
			fmt_usd(b, sizeof b, c->now.nusd_per_call / 1e9);
			snprintf(part[P_COST], sizeof part[P_COST], "$/call %s%s%s", a + (a[0] == '$'), arrow, b + (b[0] == '$'));
		}
		if (model || c->model)
			snprintf(part[P_MODEL], sizeof part[P_MODEL], "on %s", model ? model : c->model);
	}
	/* The time and the error rate, then each other part in the order it
	 * matters, where it still fits. */
	static const int rank[] = {P_P95, P_COST, P_BEFORE, P_MODEL, P_AGE};
	char all[P_N][160];
	memcpy(all, part, sizeof all);
	for (size_t r = 0; r < sizeof rank / sizeof *rank; r++)
		part[rank[r]][0] = 0;
	for (size_t r = 0; r < sizeof rank / sizeof *rank; r++) {
		memcpy(part[rank[r]], all[rank[r]], sizeof part[rank[r]]);
		if (fit_width(part, P_N) > cols)
			part[rank[r]][0] = 0;
	}
	size_t len = 0;
	buf[0] = 0;
	for (int i = 0; i < P_N && len < n; i++)
		if (part[i][0])
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? " " : "", part[i]);
}
