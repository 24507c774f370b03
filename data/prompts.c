/* The prompt registry. Stats come from the daily rollups (all time costs
 * days x dimensions rows, never a scan of the calls); the first and last
 * minute a version served are then read from the minute rollups of just
 * those two days. */
#include "prompts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/map.h"
#include "file.h"
#include "store_internal.h"

extern char **environ;

/* ---- listing -------------------------------------------------------------- */

typedef struct vacc {
	rstats s;
	int64_t day_lo, day_hi; /* Unix seconds of the first and last day with calls; -1 none */
} vacc;

typedef struct pbuild {
	prompt_list l;
	size_t cap;
	strmap names;       /* name -> index + 1 */
	size_t *vcap;       /* per prompt */
	vacc **acc;         /* per prompt, per version */
} pbuild;

static size_t find_prompt(pbuild *b, const char *name)
{
	intptr_t i = (intptr_t)strmap_get(&b->names, name);
	if (i)
		return (size_t)i - 1;
	if (b->l.n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->l.v = xrealloc(b->l.v, b->cap * sizeof *b->l.v);
		b->vcap = xrealloc(b->vcap, b->cap * sizeof *b->vcap);
		b->acc = xrealloc(b->acc, b->cap * sizeof *b->acc);
	}
	size_t k = b->l.n++;
	b->l.v[k] = (prompt_info){xstrdup(name), NULL, 0};
	b->vcap[k] = 0;
	b->acc[k] = NULL;
	strmap_put(&b->names, name, (void *)(intptr_t)(k + 1));
	return k;
}

/* The version's index in prompt p, created when new. */
static size_t find_version(pbuild *b, size_t p, const char *version)
{
	prompt_info *pi = &b->l.v[p];
	for (size_t i = 0; i < pi->n; i++)
		if (!strcmp(pi->v[i].version, version))
			return i;
	if (pi->n == b->vcap[p]) {
		b->vcap[p] = b->vcap[p] ? b->vcap[p] * 2 : 4;
		pi->v = xrealloc(pi->v, b->vcap[p] * sizeof *pi->v);
		b->acc[p] = xrealloc(b->acc[p], b->vcap[p] * sizeof *b->acc[p]);
	}
	size_t k = pi->n++;
	memset(&pi->v[k], 0, sizeof pi->v[k]);
	pi->v[k].version = xstrdup(version);
	rstats_init(&b->acc[p][k].s);
	b->acc[p][k].day_lo = b->acc[p][k].day_hi = -1;
	return k;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int64_t vtime(const prompt_ver *v)
{
	return v->created_ns ? v->created_ns : v->s.first_ns;
}

/* Newest first: by time; versions 9 and 10 of the same moment by number. */
static int cmp_ver(const void *x, const void *y)
{
	const prompt_ver *a = x, *b = y;
	int64_t ta = vtime(a), tb = vtime(b);
	if (ta != tb)
		return ta > tb ? -1 : 1;
	if (all_digits(a->version) && all_digits(b->version)) {
		size_t la = strlen(a->version), lb = strlen(b->version);
		if (la != lb)
			return la > lb ? -1 : 1;
	}
	return -strcmp(a->version, b->version);
}

static int cmp_prompt(const void *x, const void *y)
{
	return strcmp(((const prompt_info *)x)->name, ((const prompt_info *)y)->name);
}

/* SQLite's side of the listing. */

static int sq_versions(store_t *st, const char *name, prompt_version_fn fn, void *ud, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       name ? "SELECT name, version, source, created_at FROM prompt_versions WHERE name = ?"
				    : "SELECT name, version, source, created_at FROM prompt_versions",
			       -1, &q, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (name)
		sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW)
		fn(ud, (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
		   (const char *)sqlite3_column_text(q, 2), sqlite3_column_int64(q, 3));
	sqlite3_finalize(q);
	return 0;
}

static int sq_days(store_t *st, prompt_day_fn fn, void *ud, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT t, dim, calls, errors, cost_nusd, unpriced, latency FROM rollup_1d", -1, &q,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	int rc = 0;
	rstats s;
	rstats_init(&s);
	while (sqlite3_step(q) == SQLITE_ROW) {
		rstats_reset(&s);
		s.calls = (uint64_t)sqlite3_column_int64(q, 2);
		s.errors = (uint64_t)sqlite3_column_int64(q, 3);
		s.cost_nusd = sqlite3_column_int64(q, 4);
		s.unpriced = (uint64_t)sqlite3_column_int64(q, 5);
		if (hist_merge_blob(&s.lat, sqlite3_column_blob(q, 6), (size_t)sqlite3_column_bytes(q, 6))) {
			snprintf(err, errlen, "%s: corrupt rollup row", st->path);
			rc = -1;
			break;
		}
		fn(ud, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), &s);
	}
	rstats_free(&s);
	sqlite3_finalize(q);
	return rc;
}

/* First (or last) minute of day `day` in which any of the dimensions
 * `dims` (ndims ids) served; -1 when the minute rollups do not have it. */
static int64_t sq_edge_minute(store_t *st, const int64_t *dims, size_t ndims, int64_t day, int last)
{
	sqlite3_stmt *q;
	const char *sql = last ? "SELECT t, dim FROM rollup_1m WHERE t >= ? AND t < ? ORDER BY t DESC"
			       : "SELECT t, dim FROM rollup_1m WHERE t >= ? AND t < ? ORDER BY t";
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, day);
	sqlite3_bind_int64(q, 2, day + 86400);
	int64_t t = -1;
	while (t < 0 && sqlite3_step(q) == SQLITE_ROW) {
		int64_t dim = sqlite3_column_int64(q, 1);
		for (size_t i = 0; i < ndims; i++)
			if (dims[i] == dim) {
				t = sqlite3_column_int64(q, 0);
				break;
			}
	}
	sqlite3_finalize(q);
	return t;
}

const prompt_src sq_prompt_src = {sq_versions, sq_days, sq_edge_minute};

typedef struct days_ud {
	pbuild *b;
	const int64_t *dim_pv;
	int64_t ndims;
} days_ud;

static void version_row(void *ud, const char *name, const char *version, const char *source, int64_t created_ns)
{
	pbuild *b = ud;
	size_t p = find_prompt(b, name);
	size_t v = find_version(b, p, version);
	prompt_ver *pv = &b->l.v[p].v[v];
	pv->has_text = 1;
	free(pv->source);
	pv->source = source ? xstrdup(source) : NULL;
	pv->created_ns = created_ns;
}

static void day_row(void *ud, int64_t t, int64_t d, const rstats *s)
{
	days_ud *u = ud;
	if (d <= 0 || d >= u->ndims || !u->dim_pv[d])
		return;
	uint64_t k = (uint64_t)(u->dim_pv[d] - 1);
	vacc *a = &u->b->acc[k >> 32][k & 0xffffffff];
	rstats_merge(&a->s, s);
	if (s->calls > 0) {
		if (a->day_lo < 0 || t < a->day_lo)
			a->day_lo = t;
		if (t > a->day_hi)
			a->day_hi = t;
	}
}

int sq_prompts_list(store_t *st, const char *name, prompt_list *out, char *err, size_t errlen)
{
	return prompts_build(st, name, &sq_prompt_src, out, err, errlen);
}

int prompts_build(store_t *st, const char *name, const prompt_src *src, prompt_list *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	pbuild b = {0};
	strmap_init(&b.names);
	int rc = 0;

	/* Versions whose text is known. */
	if (src->versions(st, name, version_row, &b, err, errlen)) {
		rc = -1;
		goto out;
	}

	/* Versions that served traffic: each dimension with a prompt maps to
	 * (prompt, version), packed as p << 32 | v (+1; 0 is none). */
	dims_t dims;
	if (store_dims_load(st, &dims)) {
		snprintf(err, errlen, "%s: cannot read the dimensions", st->path);
		rc = -1;
		goto out;
	}
	int64_t *dim_pv = xcalloc((size_t)(dims.n ? dims.n : 1), sizeof *dim_pv);
	for (int64_t d = 1; d < dims.n; d++) {
		const dim_row *r = store_dim(&dims, d);
		if (!r || !*r->prompt_name || (name && strcmp(r->prompt_name, name)))
			continue;
		size_t p = find_prompt(&b, r->prompt_name);
		size_t v = find_version(&b, p, *r->prompt_version ? r->prompt_version : "?");
		dim_pv[d] = (int64_t)((uint64_t)p << 32 | v) + 1;
	}
	days_ud du = {&b, dim_pv, dims.n};
	rc = src->days(st, day_row, &du, err, errlen);
	int64_t *ids = xcalloc((size_t)(dims.n ? dims.n : 1), sizeof *ids);
	for (size_t p = 0; p < b.l.n && !rc; p++) {
		for (size_t v = 0; v < b.l.v[p].n; v++) {
			vacc *a = &b.acc[p][v];
			prompt_stats *s = &b.l.v[p].v[v].s;
			s->calls = a->s.calls;
			s->errors = a->s.errors;
			s->unpriced = a->s.unpriced;
			s->cost_nusd = a->s.cost_nusd;
			s->p95_ms = hist_quantile(&a->s.lat, 95);
			if (a->day_lo >= 0) {
				int64_t want = (int64_t)((uint64_t)p << 32 | v) + 1;
				size_t nid = 0;
				for (int64_t d = 1; d < dims.n; d++)
					if (dim_pv[d] == want)
						ids[nid++] = d;
				int64_t lo = src->edge_minute(st, ids, nid, a->day_lo, 0);
				int64_t hi = src->edge_minute(st, ids, nid, a->day_hi, 1);
				s->first_ns = (lo >= 0 ? lo : a->day_lo) * NS_PER_S;
				s->last_ns = (hi >= 0 ? hi : a->day_hi + 86400 - 60) * NS_PER_S;
			}
		}
	}
	free(ids);
	free(dim_pv);
	store_dims_free(&dims);
out:
	/* The sums go before the sort: they are indexed as the list was built. */
	for (size_t p = 0; p < b.l.n; p++) {
		for (size_t v = 0; v < b.l.v[p].n; v++)
			rstats_free(&b.acc[p][v].s);
		free(b.acc[p]);
	}
	free(b.acc);
	free(b.vcap);
	strmap_free(&b.names, NULL);
	if (!rc) {
		for (size_t p = 0; p < b.l.n; p++)
			qsort(b.l.v[p].v, b.l.v[p].n, sizeof *b.l.v[p].v, cmp_ver);
		if (b.l.n)
			qsort(b.l.v, b.l.n, sizeof *b.l.v, cmp_prompt);
	}
	if (rc)
		prompt_list_free(&b.l);
	else
		*out = b.l;
	return rc ? -1 : 0;
}

/* ---- over a window -------------------------------------------------------- */

static change_side side_of_stats(const prompt_stats *s)
{
	uint64_t priced = s->calls > s->unpriced ? s->calls - s->unpriced : 0;
	return (change_side){.calls = s->calls, .errors = s->errors, .p95_ms = s->p95_ms,
			     .nusd_per_call = priced ? (double)s->cost_nusd / (double)priced : 0};
}

/* The figures of one version: per_dim summed over the dims that carry it. */
static prompt_stats version_stats(const dims_t *dims, const rstats *per_dim, const char *name, const char *version)
{
	rstats acc;
	rstats_init(&acc);
	for (int64_t d = 1; d < dims->n; d++) {
		const dim_row *r = store_dim(dims, d);
		if (r && per_dim[d].calls && !strcmp(r->prompt_name, name) &&
		    !strcmp(*r->prompt_version ? r->prompt_version : "?", version))
			rstats_merge(&acc, &per_dim[d]);
	}
	prompt_stats s = {.calls = acc.calls, .errors = acc.errors, .unpriced = acc.unpriced, .cost_nusd = acc.cost_nusd,
			  .p95_ms = acc.lat.total ? hist_quantile(&acc.lat, 95) : 0};
	rstats_free(&acc);
	return s;
}

int prompts_list_window(store_t *st, int64_t from_ns, int64_t to_ns, prompt_list *out, char *err, size_t errlen)
{
	if (prompts_list(st, NULL, out, err, errlen))
		return -1;
	changes_t ch = {0};
	dims_t dims;
	if (changes_compute(st, from_ns, to_ns, &ch, err, errlen))
		goto fail;
	if (store_dims_load(st, &dims)) {
		snprintf(err, errlen, "%s: cannot read the dimensions", st->path);
		changes_free(&ch);
		goto fail;
	}
	int64_t span = ch.to_ns - ch.from_ns;
	size_t nd = (size_t)(dims.n ? dims.n : 1);
	rstats *per = xcalloc(nd, sizeof *per);
	int rc = store_window_per_dim(st, ch.from_ns, ch.to_ns, &dims, per);
	for (size_t p = 0; p < out->n && !rc; p++)
		for (size_t v = 0; v < out->v[p].n; v++) {
			prompt_ver *pv = &out->v[p].v[v];
			int64_t first = pv->s.first_ns, last = pv->s.last_ns;
			pv->w = version_stats(&dims, per, out->v[p].name, pv->version);
			pv->w.first_ns = first;
			pv->w.last_ns = last;
		}
	for (size_t p = 0; p < out->n && !rc; p++) {
		prompt_info *pi = &out->v[p];
		for (size_t v = 0; v < pi->n && !rc; v++) {
			prompt_ver *pv = &pi->v[v];
			if (!pv->w.calls)
				continue;
			const change *c = NULL;
			for (size_t i = 0; i < ch.n && !c; i++)
				if (ch.v[i].prompt && ch.v[i].kind != CHANGE_STOPPED && !strcmp(ch.v[i].prompt, pi->name) &&
				    !strcmp(ch.v[i].version, pv->version))
					c = &ch.v[i];
			if (c) { /* as the changes have it: model by model, the worst named */
				pv->vs = (prompt_vs){.before = c->before ? xstrdup(c->before) : NULL,
						     .model = c->model ? xstrdup(c->model) : NULL,
						     .window = c->kind == CHANGE_REGRESSED, .now = c->now, .was = c->was,
						     .regressed = c->regressed, .score = c->score};
				continue;
			}
			/* The version that served before it (versions are newest first),
			 * over a window as long before its first call. */
			const prompt_ver *before = NULL;
			for (size_t j = v + 1; j < pi->n && !before; j++)
				if (pi->v[j].s.calls && pi->v[j].s.first_ns < pv->s.first_ns)
					before = &pi->v[j];
			pv->vs.now = side_of_stats(&pv->w);
			if (!before)
				continue;
			pv->vs.before = xstrdup(before->version);
			for (size_t d = 0; d < nd; d++)
				rstats_reset(&per[d]);
			rc = store_window_per_dim(st, pv->s.first_ns - span, pv->s.first_ns, &dims, per);
			if (rc)
				break;
			prompt_stats was = version_stats(&dims, per, pi->name, before->version);
			pv->vs.was = side_of_stats(&was);
			pv->vs.score = change_score(&pv->vs.now, &pv->vs.was, &pv->vs.regressed);
		}
	}
	for (size_t d = 0; d < nd; d++)
		rstats_free(&per[d]);
	free(per);
	store_dims_free(&dims);
	changes_free(&ch);
	if (rc) {
		snprintf(err, errlen, "%s: %s", st->path,
			 rc == -2			  ? "corrupt rollup row"
			 : st->ops == &store_sqlite_ops ? sqlite3_errmsg(st->db)
							: "cannot read the rollups");
		goto fail;
	}
	return 0;
fail:
	prompt_list_free(out);
	return -1;
}

void prompt_list_free(prompt_list *l)
{
	for (size_t p = 0; p < l->n; p++) {
		for (size_t v = 0; v < l->v[p].n; v++) {
			free(l->v[p].v[v].version);
			free(l->v[p].v[v].source);
			free(l->v[p].v[v].vs.before);
			free(l->v[p].v[v].vs.model);
		}
		free(l->v[p].v);
		free(l->v[p].name);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

const char *prompt_source_kind(const prompt_ver *v, char *buf, size_t n)
{
	if (!v->source)
		return "-";
	size_t k = strcspn(v->source, ":");
	snprintf(buf, n, "%.*s", (int)k, v->source);
	return buf;
}

int sq_prompts_get_text(store_t *st, const char *name, const char *version, char **text, char *err, size_t errlen)
{
	*text = NULL;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT template FROM prompt_versions WHERE name = ? AND version = ?", -1, &q,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, version, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		*text = xstrndup(t ? t : "", (size_t)sqlite3_column_bytes(q, 0));
	}
	sqlite3_finalize(q);
	if (*text)
		return 0;
	/* Say which part is unknown: the prompt, or only that version. */
	prompt_list l;
	int known = 0, in_traffic = 0;
	if (prompts_list(st, name, &l, err, errlen) == 0) {
		known = l.n > 0;
		for (size_t i = 0; known && i < l.v[0].n; i++)
			if (!strcmp(l.v[0].v[i].version, version))
				in_traffic = 1;
		prompt_list_free(&l);
	}
	if (!known)
		snprintf(err, errlen, "no prompt named '%s'", name);
	else if (in_traffic)
		snprintf(err, errlen, "%s@%s served traffic but its text was never seen (add it with: llmops prompt add)",
			 name, version);
	else
		snprintf(err, errlen, "prompt '%s' has no version '%s'", name, version);
	return 1;
}

/* 1 added, 0 the version exists already, -1 error. */
static int put_new(store_t *st, const char *name, const char *version, const char *text, size_t len,
		   const char *source, int64_t created_ns)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO prompt_versions(name, version, template, source, created_at) VALUES(?,?,?,?,?)"
			       " ON CONFLICT(name, version) DO NOTHING",
			       -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, version, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, text, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, created_ns);
	int rc = sqlite3_step(q) == SQLITE_DONE ? sqlite3_changes(st->db) > 0 : -1;
	sqlite3_finalize(q);
	return rc;
}

static int sq_put(store_t *st, const char *name, const char *version, const char *text, const char *source,
		  int64_t created_ns, char *err, size_t errlen)
{
	if (put_new(st, name, version, text, strlen(text), source, created_ns) < 0) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int sq_prompts_add(store_t *st, const char *name, const char *version, const char *text, const char *source,
		int64_t now_ns, char *out_version, size_t vlen, int *same, char *err, size_t errlen)
{
	return prompts_add_with(st, name, version, text, source, now_ns, out_version, vlen, same, sq_put, err, errlen);
}

int prompts_add_with(store_t *st, const char *name, const char *version, const char *text, const char *source,
		     int64_t now_ns, char *out_version, size_t vlen, int *same, prompt_put_fn put, char *err,
		     size_t errlen)
{
	*same = 0;
	if (!*name || (version && !*version)) {
		snprintf(err, errlen, "a prompt name and version cannot be empty");
		return -1;
	}
	prompt_list l;
	if (prompts_list(st, name, &l, err, errlen))
		return -1;
	char next[32] = "1";
	const char *latest = NULL;
	if (l.n) {
		unsigned long long hi = 0;
		for (size_t i = 0; i < l.v[0].n; i++) {
			const char *v = l.v[0].v[i].version;
			if (all_digits(v) && strlen(v) < 19 && strtoull(v, NULL, 10) > hi)
				hi = strtoull(v, NULL, 10);
			if (!latest && l.v[0].v[i].has_text)
				latest = v;
		}
		snprintf(next, sizeof next, "%llu", hi + 1);
	}
	int rc = 0;
	/* Re-adding what is already the latest text changes nothing. */
	const char *check = version ? version : latest;
	if (check) {
		char *old = NULL;
		char e2[256];
		int g = prompts_get_text(st, name, check, &old, e2, sizeof e2);
		if (g < 0) {
			snprintf(err, errlen, "%s", e2);
			rc = -1;
		} else if (g == 0 && !strcmp(old, text)) {
			*same = 1;
			snprintf(out_version, vlen, "%s", check);
		} else if (g == 0 && version) {
			snprintf(err, errlen, "%s@%s exists with other text; give another --version", name, version);
			rc = -1;
		}
		free(old);
	}
	if (!rc && !*same) {
		const char *v = version ? version : next;
		if (put(st, name, v, text, source, now_ns, err, errlen) < 0) {
			rc = -1;
		} else {
			snprintf(out_version, vlen, "%s", v);
		}
	}
	prompt_list_free(&l);
	return rc;
}

/* ---- prompts folders ---------------------------------------------------------- */

/* Runs argv (no shell) with stdout into out and stderr discarded; the exit
 * status, or -1 when it could not run. */
static int run_capture(char *const argv[], sbuf *out)
{
	int fd[2];
	if (pipe(fd))
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	pid_t pid;
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (e) {
		close(fd[0]);
		return -1;
	}
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd[0], buf, sizeof buf);
		if (n > 0)
			sb_add(out, buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			break;
	}
	close(fd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int in_git_tree(const char *dir)
{
	char *argv[] = {"git", "-C", (char *)dir, "rev-parse", "--is-inside-work-tree", NULL};
	sbuf out = SBUF_INIT;
	int rc = run_capture(argv, &out);
	int yes = rc == 0 && str_has_prefix(sb_str(&out), "true");
	sb_free(&out);
	return yes;
}

/* Each commit that changed dir/file: 1 when git knew the file, 0 when it
 * did not (the caller falls back to the file's content), -1 on error. */
static int sync_git(store_t *st, const char *dir, const char *file, const char *name, int *added)
{
	char *log[] = {"git", "--literal-pathspecs", "-C", (char *)dir, "log", "--format=%H %ct", "--", (char *)file,
		       NULL};
	sbuf out = SBUF_INIT;
	if (run_capture(log, &out) != 0) {
		sb_free(&out);
		return 0;
	}
	int known = 0, rc = 0;
	/* Commits of one second keep git's order: the newer, the more
	 * nanoseconds added. */
	int64_t left = 0;
	for (size_t i = 0; i < out.len; i++)
		left += out.p[i] == '\n';
	sbuf path = SBUF_INIT, src = SBUF_INIT;
	sb_printf(&src, "git:%s/%s", dir, file);
	for (char *line = out.p; line && *line && !rc;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		char hash[41];
		long long ct;
		if (sscanf(line, "%40[0-9a-f] %lld", hash, &ct) == 2 && strlen(hash) == 40) {
			sb_reset(&path);
			sb_printf(&path, "%s:./%s", hash, file);
			char *show[] = {"git", "-C", (char *)dir, "cat-file", "blob", path.p, NULL};
			sbuf text = SBUF_INIT;
			/* A commit that deleted the file has no blob: not a version. */
			if (run_capture(show, &text) == 0) {
				known = 1;
				hash[7] = 0;
				int r = put_new(st, name, hash, sb_str(&text), text.len, src.p, (int64_t)ct * NS_PER_S + left);
				if (r < 0)
					rc = -1;
				else
					*added += r;
			}
			sb_free(&text);
		}
		left--;
		line = nl ? nl + 1 : NULL;
	}
	sb_free(&out);
	sb_free(&path);
	sb_free(&src);
	return rc ? -1 : known;
}

/* A prompt is text a person wrote: well under this. */
#define PROMPT_FILE_MAX (64u << 20)

static int sync_plain(store_t *st, const char *path, const char *name, int64_t mtime_ns, int *added)
{
	size_t len;
	char *text = file_read(path, PROMPT_FILE_MAX, FILE_REGULAR, &len, NULL, 0);
	if (!text)
		return -1;
	char version[16];
	snprintf(version, sizeof version, "h%08llx",
		 (unsigned long long)(hash64(text, len, 0x9e37) & 0xffffffffULL));
	sbuf src = SBUF_INIT;
	sb_printf(&src, "file:%s", path);
	int r = put_new(st, name, version, text, len, src.p, mtime_ns);
	if (r > 0)
		*added += r;
	sb_free(&src);
	free(text);
	return r < 0 ? -1 : 0;
}

int prompts_sync_dir(store_t *st, const char *dir, int *added, char *err, size_t errlen)
{
	*added = 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	int git = in_git_tree(dir), rc = 0;
	struct dirent *e;
	sbuf path = SBUF_INIT;
	while ((e = readdir(d)) && !rc) {
		if (e->d_name[0] == '.')
			continue;
		sb_reset(&path);
		sb_printf(&path, "%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat(path.p, &sb) || !S_ISREG(sb.st_mode))
			continue;
		/* "support-answer.txt" is the prompt "support-answer". */
		char *name = xstrdup(e->d_name);
		char *dot = strrchr(name, '.');
		if (dot && dot != name)
			*dot = 0;
		errno = 0;
		int r = git ? sync_git(st, dir, e->d_name, name, added) : 0;
		if (r == 0)
			r = sync_plain(st, path.p, name, (int64_t)sb.st_mtim.tv_sec * NS_PER_S + sb.st_mtim.tv_nsec, added);
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot read it into the store: %s", path.p,
				 errno ? strerror(errno) : sqlite3_errmsg(st->db));
			rc = -1;
		}
		free(name);
	}
	closedir(d);
	sb_free(&path);
	return rc;
}
