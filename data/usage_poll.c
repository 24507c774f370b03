/* Polling the providers' usage and cost APIs: three streams a provider
 * (tokens per minute, tokens per hour, daily cost reports), each a small
 * state machine driven by the caller's loop. Nothing here waits: a retry
 * is a request started with a delay, a poll a due time the loop folds into
 * its own wait. */
#include "usage.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"

enum { S_MIN, S_HOUR, S_COST, S_N };

static const struct sdef {
	int kind, width;
	int64_t settle;   /* a bucket fetched this long after its end is final */
	int min_interval; /* seconds between two fetches, at least */
	const char *name;
} sdefs[S_N] = {
    /* The providers say data appears within minutes; a quarter of an hour
     * leaves room for late reports. */
    {UK_USAGE, 60, 15 * 60, 0, "tokens per minute"},
    {UK_USAGE, 3600, 3600, 5 * 60, "tokens per hour"},
    /* A day's cost report may still change the day after. */
    {UK_COST, 86400, 86400, 15 * 60, "cost reports"},
};

/* Every request is bounded: connecting, silence, the whole exchange, and
 * the page's size. A page of a real organisation is well under a megabyte
 * (a week of hours for dozens of models); the cap leaves room for far more
 * and keeps a server that never stops sending from filling memory. */
#define CONNECT_TIMEOUT_MS 10000
#define IDLE_TIMEOUT_S 20
#define DEADLINE_MS 30000
#define MAX_PAGE_BYTES (8 * HTTP_MIB)
#define BACKOFF_CAP_S 300.0
/* Never sooner than this after a failure, whatever the server said: a
 * "Retry-After: 0" must not become a request per loop turn. */
#define MIN_RETRY_S 1.0
#define MAX_PAGES 1000
/* A first fetch that failed this often no longer keeps the screen tests
 * waiting; the console goes on retrying. */
#define SETTLE_ATTEMPTS 3
/* Nor does one told to wait this long: nothing happens in the meantime. */
#define SETTLE_WAIT_S 10.0
/* The store is written on the caller's thread (the console's): while
 * another process holds the write lock (an import, an annotator), a page
 * waits this long for it, then stays in memory and is tried again 1, 2,
 * then every 4 s; never fetched again for it. Said after STORE_WARN_S;
 * usage sync gives the page up after STORE_GIVEUP_S. */
#define STORE_WAIT_MS 80
#define STORE_RETRY_CAP_S 4.0
#define STORE_WARN_S 30.0
#define STORE_GIVEUP_S 300.0

enum { O_NONE, O_OK, O_RETRYING, O_FAILED };

typedef struct uprov uprov;

typedef struct ustream {
	uprov *p;
	int i;            /* index in sdefs */
	http_req *req;
	double due;       /* clock_mono of the next fetch; < 0: no more */
	double retry_at;  /* a delayed retry starts then; 0 when none */
	double not_before; /* clock_mono before which the server asked not to be
			    * asked (its retry-after); the refresh key too waits */
	long nb_status;   /* the HTTP status that asked it */
	int attempt;      /* failures in a row of the request under way (a
			   * refresh that restarts the fetch keeps counting) */
	char *page;       /* the cursor of the request under way */
	int pages_run;
	int64_t from, to; /* this fetch's range, Unix seconds */
	int outcome;
	int settled;      /* the first fetch came to an end */
	/* The failure being retried, without its delay ("openai: GET
	 * /v1/organization/costs: HTTP 503"), and the message that announced
	 * it: a retry of the same failure is not news. */
	char kind[600];
	char shown[256];
	/* A page fetched that the store, locked by another writer, has not
	 * taken yet; tried again at store_at. */
	int holding;
	usage_page held;
	int64_t held_fetched; /* Unix seconds: when it was fetched */
	double held_since, store_at;
	int store_tries;
	/* what was fetched (usage sync prints it) */
	int pages, buckets;
	int64_t first_s, last_s;
} ustream;

struct uprov {
	usage_poller_t *u;
	prov_t *prov;
	const char *key; /* owned by the provider table */
	int nokey;       /* US_NO_KEY, US_KEY_ERROR, or 0 when polled */
	int stopped;     /* the key was rejected */
	char msg[256];
	int64_t last_ok_ns;
	ustream s[S_N];
};

struct usage_poller {
	http_t *h;
	store_t *st;
	usage_opts o;
	long timeout_ms, idle_s;
	uprov *v;
	size_t n;
	void (*cb)(void *ud, int event, const char *msg);
	void *ud;
	unsigned gen; /* pages stored so far */
};

static void setmsg(uprov *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void setmsg(uprov *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof p->msg, fmt, ap);
	va_end(ap);
}

static void emit(usage_poller_t *u, int ev, const char *msg)
{
	if (u->cb)
		u->cb(u->ud, ev, msg ? msg : "");
}

/* ---- requests ---------------------------------------------------------- */

static int max_limit(const provider_ops *ops, int kind, int width)
{
	if (kind == UK_COST)
		return ops->cost_max_limit;
	return width == 60 ? 1440 : width == 3600 ? 168 : 31;
}

static const char *path_of(const ustream *s)
{
	const provider_ops *ops = s->p->prov->ops;
	return sdefs[s->i].kind == UK_COST ? ops->cost_path : ops->usage_path;
}

/* "GET /v1/organization/costs": what messages name (never the query, never
 * the host's credentials if the URL had any). */
static void endpoint(const ustream *s, char *out, size_t n)
{
	const char *b = s->p->prov->base_url, *sep = strstr(b, "://");
	const char *path = sep ? strchr(sep + 3, '/') : NULL;
	snprintf(out, n, "GET %s%s", path ? path : "", path_of(s));
}

static void url_escape(sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			sb_addc(b, (char)*p);
		} else {
			sb_addc(b, '%');
			sb_addc(b, hex[*p >> 4]);
			sb_addc(b, hex[*p & 15]);
		}
	}
}

static void build_url(const ustream *s, sbuf *u)
{
	const prov_t *p = s->p->prov;
	const struct sdef *d = &sdefs[s->i];
	const char *w = d->width == 60 ? "1m" : d->width == 3600 ? "1h" : "1d";
	int64_t n = (s->to - s->from + d->width - 1) / d->width;
	int lim = max_limit(p->ops, d->kind, d->width);
	if (n < lim)
		lim = n < 1 ? 1 : (int)n;
	sb_printf(u, "%s%s?", p->base_url, path_of(s));
	if (!p->ops->rfc3339) {
		sb_printf(u, "%s=%lld&%s=%lld", p->ops->time_from, (long long)s->from, p->ops->time_to, (long long)s->to);
	} else {
		char a[40], b[40];
		clock_fmt_rfc3339(s->from * NS_PER_S, a, sizeof a);
		clock_fmt_rfc3339(s->to * NS_PER_S, b, sizeof b);
		sb_printf(u, "%s=", p->ops->time_from);
		url_escape(u, a);
		sb_printf(u, "&%s=", p->ops->time_to);
		url_escape(u, b);
	}
	sb_printf(u, "&bucket_width=%s", w);
	if (d->kind == UK_USAGE)
		sb_adds(u, "&group_by%5B%5D=model"); /* group_by[]=model, the form both SDKs send */
	sb_printf(u, "&limit=%d", lim);
	if (s->page) {
		sb_adds(u, "&page=");
		url_escape(u, s->page);
	}
}

static void on_done(void *ud, http_resp *r);
static void fail(ustream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void store_held(ustream *s);

static void issue(ustream *s, long delay_ms)
{
	usage_poller_t *u = s->p->u;
	sbuf url = SBUF_INIT, auth = SBUF_INIT;
	build_url(s, &url);
	const provider_ops *ops = s->p->prov->ops;
	const char *hdrs[PROVIDER_MAX_HEADERS + 3] = {0};
	int nh = 0;
	/* The key goes into a header, and the header into curl's copy; ours is
	 * wiped at once. */
	sb_printf(&auth, "%s%s", ops->auth_prefix, s->p->key);
	hdrs[nh++] = auth.p;
	for (int i = 0; ops->headers && ops->headers[i] && i < PROVIDER_MAX_HEADERS; i++)
		hdrs[nh++] = ops->headers[i];
	hdrs[nh++] = "Accept: application/json";
	http_spec sp = {.url = url.p,
			.headers = hdrs,
			.timeout_ms = u->timeout_ms,
			.connect_timeout_ms = CONNECT_TIMEOUT_MS,
			.idle_timeout_s = u->idle_s,
			.max_bytes = MAX_PAGE_BYTES,
			.delay_ms = delay_ms,
			.on_done = on_done,
			.ud = s};
	char err[256];
	double now = clock_mono();
	if (s->not_before > now && (s->not_before - now) * 1000 > (double)delay_ms) {
		delay_ms = (long)ceil((s->not_before - now) * 1000);
		sp.delay_ms = delay_ms;
	}
	s->req = http_start(u->h, &sp, err, sizeof err);
	s->retry_at = delay_ms > 0 ? now + (double)delay_ms / 1000.0 : 0;
	explicit_bzero(auth.p, auth.len);
	sb_free(&auth);
	sb_free(&url);
	if (!s->req)
		fail(s, "%s: %s", s->p->prov->name, err);
}

/* ---- outcomes ---------------------------------------------------------- */

static double interval_of(const ustream *s)
{
	int poll = s->p->prov->poll > 0 ? s->p->prov->poll : 60;
	return poll > sdefs[s->i].min_interval ? poll : sdefs[s->i].min_interval;
}

/* A failure announced with UE_RETRY went away (a page came, or the fetch
 * ended): what shows it can stop showing it. */
static void recovered(ustream *s)
{
	if (s->shown[0])
		emit(s->p->u, UE_CLEARED, s->shown);
	s->shown[0] = 0;
	s->kind[0] = 0;
}

static void end_run(ustream *s, int outcome)
{
	s->outcome = outcome;
	s->settled = 1;
	s->attempt = 0;
	free(s->page);
	s->page = NULL;
	s->due = s->p->u->o.once ? -1 : clock_mono() + interval_of(s);
}

static void fail(ustream *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->p->msg, sizeof s->p->msg, fmt, ap);
	va_end(ap);
	end_run(s, O_FAILED);
	s->shown[0] = s->kind[0] = 0; /* the error takes the retry's place */
	emit(s->p->u, UE_ERROR, s->p->msg);
}

static void done(ustream *s)
{
	recovered(s);
	end_run(s, O_OK);
	s->p->last_ok_ns = clock_now_ns();
	int clean = 1;
	for (int i = 0; i < S_N; i++)
		if (s->p->s[i].outcome == O_FAILED || s->p->s[i].outcome == O_RETRYING)
			clean = 0;
	if (clean)
		s->p->msg[0] = 0;
	emit(s->p->u, UE_STATE, NULL);
}

/* A rejected key stops the provider until the user refreshes: retrying
 * would only repeat the rejection (and may lock the key). */
static void reject(uprov *p)
{
	p->stopped = 1;
	for (int i = 0; i < S_N; i++) {
		ustream *s = &p->s[i];
		if (s->req)
			http_cancel(p->u->h, s->req);
		s->req = NULL;
		end_run(s, O_FAILED);
		s->shown[0] = s->kind[0] = 0;
	}
	setmsg(p, "admin key rejected by %s", p->prov->name);
	emit(p->u, UE_ERROR, p->msg);
}

/* The provider's error message, if the body has one: untrusted text, and
 * it may echo part of the key, so it is cut short, stripped of anything
 * that looks like a key, and sanitised. */
static void error_text(const uprov *p, const sbuf *body, char *out, size_t n)
{
	out[0] = 0;
	if (body->len > 65536)
		return; /* an error message is a few lines: a tree of a big body is not worth its memory */
	cJSON *doc = cJSON_ParseWithLength(body->p ? body->p : "", body->len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	const cJSON *m = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "message") : NULL;
	if (cJSON_IsString(m) && m->valuestring) {
		sbuf b = SBUF_INIT;
		const char *t = m->valuestring;
		size_t klen = p->key ? strlen(p->key) : 0;
		while (*t && b.len < 160) {
			if (klen && !strncmp(t, p->key, klen)) {
				sb_adds(&b, "[key]");
				t += klen;
			} else if (!strncmp(t, "sk-", 3)) {
				sb_adds(&b, "[key]");
				t += 3;
				while (*t && *t != ' ' && *t != '\'' && *t != '"' && *t != ',' && *t != '.')
					t++;
			} else {
				sb_addc(&b, *t++);
			}
		}
		char *clean = sanitize_str(sb_str(&b), 0);
		snprintf(out, n, ": %s", clean);
		free(clean);
		sb_free(&b);
	}
	cJSON_Delete(doc);
}

/* A failure retried, p->msg saying it: news (UE_RETRY) when it is the
 * fetch's first or another kind than the last, else UE_RETRY_AGAIN. */
static void announce(ustream *s, const char *kind)
{
	uprov *p = s->p;
	if (strcmp(kind, s->kind)) {
		snprintf(s->kind, sizeof s->kind, "%s", kind);
		snprintf(s->shown, sizeof s->shown, "%s", p->msg);
		emit(p->u, UE_RETRY, p->msg);
	} else {
		emit(p->u, UE_RETRY_AGAIN, p->msg);
	}
}

static void track(ustream *s, const usage_page *pg)
{
	s->pages++;
	for (size_t i = 0; i < pg->n; i++) {
		s->buckets++;
		if (!s->first_s || pg->v[i].start < s->first_s)
			s->first_s = pg->v[i].start;
		if (pg->v[i].end > s->last_s)
			s->last_s = pg->v[i].end;
	}
}

static void on_done(void *ud, http_resp *r)
{
	ustream *s = ud;
	uprov *p = s->p;
	usage_poller_t *u = p->u;
	s->req = NULL;
	s->retry_at = 0;
	char ep[256];
	endpoint(s, ep, sizeof ep);
	if (!r->failed && (r->status == 401 || r->status == 403)) {
		reject(p);
		return;
	}
	if (r->why == HTTP_E_TOO_LARGE) {
		/* Not retried: the same server would send the same again. The
		 * next poll asks anew. */
		char cap[32];
		http_fmt_size(cap, sizeof cap, r->max_bytes);
		fail(s, "%s: response from %s larger than %s", p->prov->name, ep, cap);
		return;
	}
	if (r->failed || r->status == 429 || r->status == 408 || r->status >= 500) {
		s->attempt++;
		char why[300];
		if (r->failed)
			snprintf(why, sizeof why, "%s", r->err);
		else
			snprintf(why, sizeof why, "HTTP %ld%s", r->status, r->status == 429 ? " (rate limited)" : "");
		if (u->o.max_attempts && s->attempt >= u->o.max_attempts) {
			fail(s, "%s: %s: %s; gave up after %d attempts", p->prov->name, ep, why, s->attempt);
			return;
		}
		/* The server's retry-after when it gave one; else exponential,
		 * with jitter, capped at five minutes. */
		double d = http_backoff_s(s->attempt, r->failed ? -1 : r->retry_after_s, BACKOFF_CAP_S);
		if (d < MIN_RETRY_S)
			d = MIN_RETRY_S;
		if (!r->failed && r->retry_after_s >= 0) {
			/* The server's word holds for every request of the stream,
			 * the refresh key's included. */
			s->not_before = clock_mono() + d;
			s->nb_status = r->status;
		}
		char kind[sizeof s->kind];
		snprintf(kind, sizeof kind, "%s: %s: %s", p->prov->name, ep, why);
		setmsg(p, "%s; retrying in %.*fs", kind, d < 10 ? 1 : 0, d); /* "1.0s", "100s" */
		s->outcome = O_RETRYING;
		if (s->attempt >= SETTLE_ATTEMPTS || d >= SETTLE_WAIT_S)
			s->settled = 1;
		announce(s, kind);
		issue(s, (long)ceil(d * 1000));
		return;
	}
	if (r->status != 200) {
		char txt[200];
		error_text(p, &r->body, txt, sizeof txt);
		fail(s, "%s: %s: HTTP %ld%s", p->prov->name, ep, r->status, txt);
		return;
	}
	usage_page pg;
	char err[400];
	if (usage_parse(p->prov->ops, sdefs[s->i].kind, ep, r->body.p ? r->body.p : "", r->body.len, &pg, err,
			sizeof err)) {
		fail(s, "%s: %s", p->prov->name, err);
		return;
	}
	s->holding = 1;
	s->held = pg;
	s->held_fetched = clock_now_ns() / NS_PER_S;
	s->held_since = clock_mono();
	s->store_tries = 0;
	store_held(s);
}

/* A page is in the store: on to the next page, or the fetch is done. */
static void stored(ustream *s, usage_page *pg)
{
	uprov *p = s->p;
	usage_poller_t *u = p->u;
	track(s, pg);
	u->gen++;
	recovered(s);
	emit(u, UE_STORED, NULL);
	if (p->stopped) {
		/* The key was rejected while the page waited for the store: it
		 * is in, and the provider stays stopped. */
		usage_page_free(pg);
		return;
	}
	if (pg->has_more) {
		if ((s->page && !strcmp(s->page, pg->next_page)) || ++s->pages_run >= MAX_PAGES) {
			char ep[256];
			endpoint(s, ep, sizeof ep);
			usage_page_free(pg);
			fail(s, "%s: %s: next_page does not move on; stopped paging", p->prov->name, ep);
			return;
		}
		free(s->page);
		s->page = pg->next_page;
		pg->next_page = NULL;
		usage_page_free(pg);
		s->attempt = 0;
		issue(s, 0);
		return;
	}
	usage_page_free(pg);
	done(s);
}

/* Stores the page held, waiting STORE_WAIT_MS at most for a lock another
 * process holds (not the 5 s the store waits elsewhere: this runs on the
 * console's thread, between two keys). Locked out, the page stays held. */
static void store_held(ustream *s)
{
	uprov *p = s->p;
	usage_poller_t *u = p->u;
	char err[400];
	int prev = store_busy_timeout(u->st, STORE_WAIT_MS);
	/* The transaction is begun here, so that a lock is told from any other
	 * failure; usage_store_page writes and commits inside it. */
	int busy = 0, rc = store_begin(u->st, err, sizeof err);
	if (rc)
		busy = store_busy(u->st);
	else
		rc = usage_store_page(u->st, p->prov->name, sdefs[s->i].width, &s->held, s->held_fetched, err,
				      sizeof err);
	if (rc && !busy)
		store_rollback(u->st); /* whatever failed, the transaction is not left open */
	store_busy_timeout(u->st, prev);
	if (rc && busy) {
		double now = clock_mono(), held = now - s->held_since;
		s->store_tries++;
		double wait = ldexp(1.0, s->store_tries > 3 ? 2 : s->store_tries - 1);
		s->store_at = now + (wait < STORE_RETRY_CAP_S ? wait : STORE_RETRY_CAP_S);
		if (u->o.once && held >= STORE_GIVEUP_S) {
			size_t n = s->held.n;
			s->holding = 0;
			usage_page_free(&s->held);
			fail(s, "%s: the store stayed locked by another process for %.0fs; %zu buckets fetched were not stored",
			     p->prov->name, held, n);
			return;
		}
		if (held >= STORE_WARN_S) {
			char kind[sizeof s->kind];
			snprintf(kind, sizeof kind, "%s: the store is locked by another process", p->prov->name);
			if (strcmp(kind, s->kind)) { /* said once, not at every try */
				setmsg(p, "%s; %zu buckets wait to be stored", kind, s->held.n);
				announce(s, kind);
			}
		}
		return;
	}
	usage_page pg = s->held;
	s->holding = 0;
	memset(&s->held, 0, sizeof s->held);
	if (rc) {
		usage_page_free(&pg);
		fail(s, "%s: %s", p->prov->name, err);
		return;
	}
	stored(s, &pg);
}

/* ---- runs -------------------------------------------------------------- */

static int64_t floor_s(int64_t t, int64_t step)
{
	return t - ((t % step) + step) % step;
}

static int64_t ceil_s(int64_t t, int64_t step)
{
	int64_t f = floor_s(t, step);
	return f == t ? t : f + step;
}

/* The range a fetch covers: minutes for the last hour or two, hours
 * before that (complete ones only: the current hour is the minutes'),
 * days for the cost reports. */
static void range_of(const ustream *s, int64_t now, int64_t *lo, int64_t *hi)
{
	const usage_opts *o = &s->p->u->o;
	switch (s->i) {
	case S_MIN: {
		int64_t a = now - o->backfill_usage_s, b = floor_s(now, 3600) - 3600;
		*lo = floor_s(a > b ? a : b, 60);
		*hi = ceil_s(now, 60);
		break;
	}
	case S_HOUR:
		*lo = floor_s(now - o->backfill_usage_s, 3600);
		*hi = floor_s(now, 3600);
		break;
	default:
		*lo = floor_s(now - o->backfill_cost_s, 86400);
		*hi = ceil_s(now, 86400);
	}
}

static void start_run(ustream *s)
{
	int64_t now = clock_now_ns() / NS_PER_S, lo, hi;
	range_of(s, now, &lo, &hi);
	const struct sdef *d = &sdefs[s->i];
	free(s->page);
	s->page = NULL;
	s->pages_run = 0;
	/* Incremental: from the oldest bucket that may still change. */
	s->from = lo < hi ? usage_fetch_start(s->p->u->st, s->p->prov->name, d->kind, d->width, lo, hi, d->settle) : hi;
	s->to = hi;
	if (s->from >= s->to) {
		done(s); /* everything in the range is final */
		return;
	}
	issue(s, 0);
}

/* ---- the poller -------------------------------------------------------- */

usage_poller_t *usage_poller_new(http_t *h, store_t *st, provs_t *provs, const usage_opts *o)
{
	usage_poller_t *u = xcalloc(1, sizeof *u);
	u->h = h;
	u->st = st;
	u->o = *o;
	/* LLMOPS_USAGE_TIMEOUT_MS and LLMOPS_HTTP_IDLE (seconds): for the tests
	 * of a server that accepts and never answers, or drips, which would
	 * otherwise wait the full time. */
	const char *t = getenv("LLMOPS_USAGE_TIMEOUT_MS");
	u->timeout_ms = t && atol(t) > 0 ? atol(t) : DEADLINE_MS;
	const char *idle = getenv("LLMOPS_HTTP_IDLE");
	u->idle_s = idle && atol(idle) > 0 ? atol(idle) : IDLE_TIMEOUT_S;
	u->v = xcalloc(provs->n ? provs->n : 1, sizeof *u->v);
	for (size_t i = 0; i < provs->n; i++) {
		prov_t *pv = &provs->v[i];
		if (o->only && strcmp(o->only, pv->name) && strcmp(o->only, pv->ops->name))
			continue;
		if (!pv->ops->usage_path)
			continue; /* a kind of provider with no usage reports */
		uprov *p = &u->v[u->n++];
		p->u = u;
		p->prov = pv;
		p->key = prov_key(pv, KEY_ADMIN, p->msg, sizeof p->msg);
		if (!p->key)
			p->nokey = pv->key_state[KEY_ADMIN] == 2 ? US_NO_KEY : US_KEY_ERROR;
		for (int k = 0; k < S_N; k++) {
			p->s[k].p = p;
			p->s[k].i = k;
			p->s[k].due = p->key ? 0 : -1; /* due at once */
		}
	}
	return u;
}

void usage_poller_free(usage_poller_t *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++)
		for (int k = 0; k < S_N; k++) {
			if (u->v[i].s[k].req)
				http_cancel(u->h, u->v[i].s[k].req);
			free(u->v[i].s[k].page);
			if (u->v[i].s[k].holding)
				usage_page_free(&u->v[i].s[k].held);
		}
	free(u->v);
	free(u);
}

void usage_poller_on_event(usage_poller_t *u, void (*cb)(void *ud, int event, const char *msg), void *ud)
{
	u->cb = cb;
	u->ud = ud;
}

static int polled(const uprov *p)
{
	return !p->nokey && !p->stopped;
}

void usage_poller_tick(usage_poller_t *u)
{
	double now = clock_mono();
	for (size_t i = 0; i < u->n; i++) {
		uprov *p = &u->v[i];
		for (int k = 0; k < S_N; k++) {
			ustream *s = &p->s[k];
			if (s->holding && now >= s->store_at)
				store_held(s);
			else if (polled(p) && !s->req && !s->holding && s->due >= 0 && now >= s->due)
				start_run(s);
		}
	}
}

long usage_poller_wait_ms(usage_poller_t *u)
{
	double now = clock_mono(), at = -1;
	for (size_t i = 0; i < u->n; i++) {
		const uprov *p = &u->v[i];
		for (int k = 0; k < S_N; k++) {
			const ustream *s = &p->s[k];
			double t = s->holding ? s->store_at : polled(p) && !s->req && s->due >= 0 ? s->due : -1;
			if (t >= 0 && (at < 0 || t < at))
				at = t;
		}
	}
	if (at < 0)
		return -1;
	double ms = (at - now) * 1000;
	return ms <= 0 ? 0 : (long)ceil(ms);
}

void usage_poller_refresh(usage_poller_t *u)
{
	double now = clock_mono();
	for (size_t i = 0; i < u->n; i++) {
		uprov *p = &u->v[i];
		if (p->nokey)
			continue;
		if (p->stopped) {
			p->stopped = 0;
			p->msg[0] = 0;
			emit(u, UE_STATE, NULL);
		}
		double wait = 0;
		long why = 0;
		for (int k = 0; k < S_N; k++) {
			ustream *s = &p->s[k];
			if (s->holding) {
				s->store_at = now; /* the page fetched goes in now, if it can */
				continue;
			}
			if (s->not_before > now) {
				/* The server asked for a pause: the fetch waits for it,
				 * refresh or not (asking sooner only earns another 429). */
				if (s->not_before - now > wait) {
					wait = s->not_before - now;
					why = s->nb_status;
				}
				if (!s->req)
					s->due = now; /* issue() holds it until then */
				continue;
			}
			/* A retry waiting out its backoff goes now; a request on the
			 * wire is left to finish. */
			if (s->req && s->retry_at > now) {
				http_cancel(u->h, s->req);
				s->req = NULL;
			}
			if (!s->req) {
				s->due = now;
				s->settled = 0; /* a script waits for this fetch too */
				s->kind[0] = 0; /* its first failure is news again */
				/* What the last fetch came to is no longer the news:
				 * until this one ends, the pane says it is fetching
				 * (not "failing" for as long as a server takes). */
				if (s->outcome != O_OK)
					s->outcome = O_NONE;
			}
		}
		int clean = 1;
		for (int k = 0; k < S_N; k++)
			if (p->s[k].outcome == O_FAILED || p->s[k].outcome == O_RETRYING)
				clean = 0;
		if (clean && p->msg[0]) {
			p->msg[0] = 0;
			emit(u, UE_STATE, NULL);
		}
		if (wait > 0) {
			char m[160];
			if (why == 429)
				snprintf(m, sizeof m, "%s: rate limited, next try in %.0fs", p->prov->name, ceil(wait));
			else
				snprintf(m, sizeof m, "%s: asked to wait (HTTP %ld), next try in %.0fs", p->prov->name, why,
					 ceil(wait));
			emit(u, UE_NOTE, m);
		}
	}
}

int usage_poller_busy(usage_poller_t *u)
{
	for (size_t i = 0; i < u->n; i++)
		for (int k = 0; k < S_N && polled(&u->v[i]); k++)
			if (!u->v[i].s[k].settled)
				return 1;
	return 0;
}

int usage_poller_active(const usage_poller_t *u)
{
	int n = 0;
	for (size_t i = 0; i < u->n; i++)
		n += !u->v[i].nokey;
	return n;
}

size_t usage_poller_count(const usage_poller_t *u)
{
	return u->n;
}

void usage_poller_status(const usage_poller_t *u, size_t i, usage_status *out)
{
	memset(out, 0, sizeof *out);
	const uprov *p = &u->v[i];
	out->provider = p->prov->name;
	snprintf(out->msg, sizeof out->msg, "%s", p->msg);
	out->last_ok_ns = p->last_ok_ns;
	int ok = 0, retrying = 0, failed = 0;
	for (int k = 0; k < S_N; k++) {
		const ustream *s = &p->s[k];
		ok += s->outcome == O_OK;
		retrying += s->outcome == O_RETRYING;
		failed += s->outcome == O_FAILED;
		usage_stream_status *ss = &out->streams[k];
		ss->name = sdefs[k].name;
		ss->width_s = sdefs[k].width;
		ss->kind = sdefs[k].kind;
		ss->ran = s->outcome != O_NONE;
		ss->ok = s->outcome == O_OK;
		ss->pages = s->pages;
		ss->buckets = s->buckets;
		ss->first_s = s->first_s;
		ss->last_s = s->last_s;
		ss->from_s = s->from;
		ss->to_s = s->to;
	}
	out->nstreams = S_N;
	if (p->nokey)
		out->state = p->nokey;
	else if (p->stopped)
		out->state = US_STOPPED;
	else if (retrying)
		out->state = US_RETRYING;
	else if (failed)
		out->state = US_FAILED;
	else if (ok)
		out->state = US_OK;
	else
		out->state = US_WAITING;
}

unsigned usage_poller_generation(const usage_poller_t *u)
{
	return u ? u->gen : 0;
}
