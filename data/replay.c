#include "replay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/template.h"
#include "prompts.h"
#include "query.h"
#include "store_internal.h"

#define MAX_ATTEMPTS 3
#define RAW_CAP (4u << 20)

int replay_prev_version(store_t *st, const char *name, const char *version, char *out, size_t n, char *err,
			size_t errlen)
{
	prompt_list l;
	if (prompts_list(st, name, &l, err, errlen))
		return -1;
	int rc = -1;
	if (!l.n) {
		snprintf(err, errlen, "prompt %s has no versions in the registry", name);
	} else {
		const prompt_info *p = &l.v[0];
		size_t i = 0;
		while (i < p->n && strcmp(p->v[i].version, version))
			i++;
		for (size_t k = i + 1; k < p->n; k++)
			if (p->v[k].has_text) {
				snprintf(out, n, "%s", p->v[k].version);
				rc = 0;
				break;
			}
		if (rc)
			snprintf(err, errlen, "%s@%s has no older version with its text in the registry", name, version);
	}
	prompt_list_free(&l);
	return rc;
}

static void changed(replay_t *r)
{
	if (r->on_change)
		r->on_change(r->ud, r);
}

int replay_connected(const replay_t *r, double *since_s)
{
	double now = clock_mono();
	*since_s = now > r->t_attempt ? now - r->t_attempt : 0;
	return r->state == RP_RUNNING && r->hr && http_connected(r->hr);
}

int replay_is_embedding(const call_full *c)
{
	return c->operation && !strncmp(c->operation, "embedding", 9);
}

int replay_no_prompt(store_t *st, int64_t call_id, char *why, size_t n)
{
	call_full c;
	if (store_call_get(st, call_id, &c)) {
		snprintf(why, n, "no call %lld in the store", (long long)call_id);
		return 1;
	}
	int none = 1;
	if (replay_is_embedding(&c))
		snprintf(why, n, "call %s is an embedding: it has no prompt to replace", c.row.span);
	else if (!c.row.prompt || !*c.row.prompt)
		snprintf(why, n, "call %s has no prompt to replace: it records no prompt name", c.row.span);
	else
		none = 0;
	call_full_free(&c);
	return none;
}

replay_t *replay_new(store_t *st, provs_t *ps, pricing_t *prices, int64_t call_id, const char *prompt_ref,
		     const char *model, char *err, size_t errlen)
{
	call_full c;
	if (store_call_get(st, call_id, &c)) {
		snprintf(err, errlen, "no call %lld in the store", (long long)call_id);
		return NULL;
	}
	replay_t *r = xcalloc(1, sizeof *r);
	r->st = st;
	r->prices = prices;
	r->call_id = call_id;
	r->cost_nusd = -1;
	r->latency_ms = r->ttft_ms = -1;
	r->timeout_s = REPLAY_TIMEOUT_S;
	chat_result_init(&r->res);
	snprintf(r->span, sizeof r->span, "%s", c.row.span);
	if (replay_is_embedding(&c)) {
		snprintf(err, errlen, "call %s is an embedding: it has no prompt to replace", c.row.span);
		goto fail;
	}
	/* The call's own prompt, NAME@VERSION. */
	char cname[256] = "", cver[128] = "";
	if (c.row.prompt) {
		const char *at = strrchr(c.row.prompt, '@');
		snprintf(cname, sizeof cname, "%.*s", (int)(at ? at - c.row.prompt : (long)strlen(c.row.prompt)), c.row.prompt);
		if (at)
			snprintf(cver, sizeof cver, "%s", at + 1);
	}
	r->orig_version = *cver ? xstrdup(cver) : NULL;
	char name[256], ver[128];
	if (prompt_ref && strchr(prompt_ref, '@')) {
		const char *at = strrchr(prompt_ref, '@');
		snprintf(name, sizeof name, "%.*s", (int)(at - prompt_ref), prompt_ref);
		snprintf(ver, sizeof ver, "%s", at + 1);
	} else if (!*cname) {
		snprintf(err, errlen, "call %s records no prompt name: give --prompt NAME@VERSION", c.row.span);
		goto fail;
	} else if (prompt_ref && *prompt_ref) {
		snprintf(name, sizeof name, "%s", cname);
		snprintf(ver, sizeof ver, "%s", prompt_ref);
	} else {
		snprintf(name, sizeof name, "%s", cname);
		if (!*cver) {
			snprintf(err, errlen, "call %s records no prompt version: choose one", c.row.span);
			goto fail;
		}
		if (replay_prev_version(st, name, cver, ver, sizeof ver, err, errlen))
			goto fail;
	}
	if (!*name || !*ver) {
		snprintf(err, errlen, "expected NAME@VERSION, got '%s'", prompt_ref ? prompt_ref : "");
		goto fail;
	}
	r->prompt_name = xstrdup(name);
	r->prompt_version = xstrdup(ver);
	char *tpl = NULL;
	if (prompts_get_text(st, name, ver, &tpl, err, errlen))
		goto fail;
	sbuf sys = SBUF_INIT;
	char terr[300];
	int trc = tpl_render(tpl, c.variables, &sys, terr, sizeof terr);
	free(tpl);
	if (trc) {
		snprintf(err, errlen, "%s@%s cannot be rendered for call %s: %s", name, ver, c.row.span, terr);
		sb_free(&sys);
		goto fail;
	}
	const char *prov = c.provider && *c.provider ? c.provider : call_guess_provider(c.row.model);
	r->prov = prov ? provs_find(ps, prov) : NULL;
	if (!r->prov) {
		/* "A, B and C": the chat protocols of every provider kind. */
		sbuf apis = SBUF_INIT;
		for (size_t i = 0; provider_registry[i]; i++)
			sb_printf(&apis, "%s%s", i == 0 ? "" : provider_registry[i + 1] ? ", " : " and ",
				  provider_registry[i]->api);
		snprintf(err, errlen,
			 "call %s is from provider '%s'; replay speaks %s "
			 "(add a provider line of that name with type=%s for a compatible gateway)",
			 c.row.span, prov ? prov : "unknown", sb_str(&apis), provider_registry[0]->name);
		sb_free(&apis);
		sb_free(&sys);
		goto fail;
	}
	r->provider = xstrdup(r->prov->name);
	r->model = xstrdup(model && *model ? model : c.request_model && *c.request_model ? c.request_model : c.row.model);
	int brc = r->prov->ops->chat_build(c.input, sb_str(&sys), r->model, c.attrs, &r->request, err, errlen);
	sb_free(&sys);
	if (brc)
		goto fail;
	r->orig_output = c.output ? xstrdup(c.output) : NULL;
	r->orig_error = c.row.is_error;
	r->orig_error_type = c.row.error_type ? xstrdup(c.row.error_type) : NULL;
	if (c.row.is_error && !r->orig_output && c.error_message)
		r->orig_output = xstrdup(c.error_message);
	r->orig_in = c.row.input_tokens;
	r->orig_out = c.row.output_tokens;
	r->orig_cost_nusd = c.row.cost_nusd;
	r->orig_latency_ms = c.row.latency_ms;
	r->orig_ttft_ms = c.row.ttft_ms;
	call_full_free(&c);
	return r;
fail:
	call_full_free(&c);
	replay_free(r);
	return NULL;
}

/* ---- saving ------------------------------------------------------------ */

static const char *state_name(const replay_t *r)
{
	if (r->state == RP_CANCELLED)
		return "cancelled";
	if (r->partial)
		return "partial";
	return r->res.error || r->state == RP_FAILED ? "error" : "ok";
}

static void save(replay_t *r)
{
	sqlite3_stmt *s;
	if (store_readonly(r->st)) {
		snprintf(r->note, sizeof r->note, "not saved: %s", STORE_READONLY_MSG);
		return;
	}
	if (sqlite3_prepare_v2(r->st->db,
			       "INSERT INTO replays(created_at, call_id, span_id, batch_id, prompt_name, prompt_version,"
			       " provider, model, status, error_type, error_message, http_status, input_tokens,"
			       " cached_tokens, output_tokens, latency_ms, ttft_ms, cost_nusd, request, response, output)"
			       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK) {
		snprintf(r->note, sizeof r->note, "not saved: %s", sqlite3_errmsg(r->st->db));
		return;
	}
	int i = 1;
	sqlite3_bind_int64(s, i++, clock_now_ns());
	sqlite3_bind_int64(s, i++, r->call_id);
	sqlite3_bind_text(s, i++, r->span, -1, SQLITE_TRANSIENT);
	if (r->batch_id)
		sqlite3_bind_int64(s, i++, r->batch_id);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_text(s, i++, r->prompt_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, i++, r->prompt_version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, i++, r->provider, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, i++, *r->res.model ? r->res.model : r->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, i++, state_name(r), -1, SQLITE_STATIC);
	if (*r->res.error_type)
		sqlite3_bind_text(s, i++, r->res.error_type, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i++);
	if (*r->err)
		sqlite3_bind_text(s, i++, r->err, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_int64(s, i++, r->status);
	int64_t nums[3] = {r->res.input_tokens, r->res.cached_tokens, r->res.output_tokens};
	for (int k = 0; k < 3; k++)
		if (nums[k] >= 0)
			sqlite3_bind_int64(s, i++, nums[k]);
		else
			sqlite3_bind_null(s, i++);
	double d[2] = {r->latency_ms, r->ttft_ms};
	for (int k = 0; k < 2; k++)
		if (d[k] >= 0)
			sqlite3_bind_double(s, i++, d[k]);
		else
			sqlite3_bind_null(s, i++);
	if (r->cost_nusd >= 0)
		sqlite3_bind_int64(s, i++, r->cost_nusd);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_text(s, i++, sb_str(&r->request), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, i++, sb_str(&r->raw), (int)r->raw.len, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, i++, sb_str(&r->res.text), (int)r->res.text.len, SQLITE_TRANSIENT);
	/* A busy store (an import) must not lose the replay: wait a little. */
	store_busy_timeout(r->st, 2000);
	if (sqlite3_step(s) == SQLITE_DONE)
		r->replay_id = sqlite3_last_insert_rowid(r->st->db);
	else
		snprintf(r->note, sizeof r->note, "not saved: %s", sqlite3_errmsg(r->st->db));
	sqlite3_finalize(s);
}

/* ---- the exchange ------------------------------------------------------ */

static void send_attempt(replay_t *r, long delay_ms);

static void price(replay_t *r)
{
	const price_t *pr = pricing_lookup(r->prices, *r->res.model ? r->res.model : r->model);
	if (!pr && *r->res.model)
		pr = pricing_lookup(r->prices, r->model);
	if (pr && r->res.input_tokens >= 0 && r->res.output_tokens >= 0)
		r->cost_nusd = price_cost_nusd(pr, r->res.input_tokens, r->res.cached_tokens > 0 ? r->res.cached_tokens : 0,
					       r->res.output_tokens);
}

static void end(replay_t *r, int state)
{
	r->state = state;
	r->hr = NULL;
	price(r);
	save(r);
	changed(r);
}

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
	replay_t *r = ud;
	size_t before = r->res.text.len + r->res.thinking.len;
	r->prov->ops->chat_event(&r->res, event, data, len);
	if (r->ttft_ms < 0 && r->res.text.len + r->res.thinking.len > before)
		r->ttft_ms = (clock_mono() - r->t_attempt) * 1000.0;
	if (r->res.text.len + r->res.thinking.len > REPLAY_MAX_ANSWER) {
		char cap[32];
		http_fmt_size(cap, sizeof cap, REPLAY_MAX_ANSWER);
		snprintf(r->over, sizeof r->over, "the answer is longer than %s", cap);
		return 1;
	}
	return 0;
}

/* "POST /v1/chat/completions" at the provider's base URL, for messages: the
 * path only, never a host's credentials or a query. */
static void endpoint(const replay_t *r, char *out, size_t n)
{
	const char *b = r->prov->base_url, *sep = strstr(b, "://");
	const char *path = sep ? strchr(sep + 3, '/') : NULL;
	size_t pl = path ? strcspn(path, "?#") : 0;
	snprintf(out, n, "POST %.*s%s", (int)pl, path ? path : "", r->prov->ops->chat_path);
}

static int too_large(replay_t *r, size_t cap)
{
	char ep[160], c[32];
	endpoint(r, ep, sizeof ep);
	http_fmt_size(c, sizeof c, cap);
	snprintf(r->over, sizeof r->over, "response from %.150s larger than %.30s", ep, c);
	return -1;
}

static int feed(replay_t *r, const char *p, size_t n)
{
	int rc = sse_feed(&r->sse, p, n);
	if (r->sse.too_long) {
		char ep[160], c[32];
		endpoint(r, ep, sizeof ep);
		http_fmt_size(c, sizeof c, SSE_MAX_EVENT);
		snprintf(r->over, sizeof r->over, "an event from %.150s is longer than %.30s", ep, c);
	}
	changed(r);
	return rc ? -1 : 0;
}

static int on_data(void *ud, const char *p, size_t n)
{
	replay_t *r = ud;
	if (r->sse_on) {
		if (r->raw.len < RAW_CAP)
			sb_add(&r->raw, p, n);
		return feed(r, p, n);
	}
	/* A whole body (an answer not streamed, an error) is parsed at its end,
	 * held until then: refused past its cap, before reading when its
	 * length says so. */
	if (!r->raw.len && http_content_length(r->hr) > (long long)REPLAY_MAX_BODY) {
		size_t i = 0;
		while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r'))
			i++;
		if (i == n || p[i] == '{' || http_status(r->hr) != 200)
			return too_large(r, REPLAY_MAX_BODY);
	}
	if (r->raw.len + n > REPLAY_MAX_BODY)
		return too_large(r, REPLAY_MAX_BODY);
	sb_add(&r->raw, p, n);
	if (http_status(r->hr) == 200) {
		/* A stream, unless the first bytes are a whole JSON body. */
		size_t i = 0;
		while (i < r->raw.len && (r->raw.p[i] == ' ' || r->raw.p[i] == '\n' || r->raw.p[i] == '\r'))
			i++;
		if (i < r->raw.len && r->raw.p[i] != '{') {
			r->sse_on = 1;
			return feed(r, r->raw.p, r->raw.len);
		}
	}
	return 0;
}

static int retryable(long status)
{
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

/* The provider's base URL as messages show it: without credentials a URL
 * may carry (user:password@) or a query. */
static void where(const replay_t *r, char *out, size_t n)
{
	const char *b = r->prov->base_url, *sep = strstr(b, "://");
	const char *host = sep ? sep + 3 : b;
	size_t hl = strcspn(host, "/?#");
	const char *at = memchr(host, '@', hl);
	if (at) {
		hl -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	const char *rest = host + hl;
	snprintf(out, n, "%.*s%.*s%.*s", (int)(sep ? sep + 3 - b : 0), b, (int)hl, host, (int)strcspn(rest, "?#"), rest);
}

/* In seconds, as the default reads ("60s", not "1m"). */
static void fmt_timeout(const replay_t *r, char *out, size_t n)
{
	snprintf(out, n, "%.0fs", r->timeout_s);
}

static void on_done(void *ud, http_resp *resp)
{
	replay_t *r = ud;
	r->hr = NULL;
	r->status = resp->status;
	r->latency_ms = (clock_mono() - r->t_attempt) * 1000.0;
	if (r->sse_on) {
		int cut = sse_end(&r->sse);
		if (!resp->failed && !r->res.finished && !r->res.error && cut && !r->over[0])
			resp->failed = 1;
	} else if (resp->status && !resp->failed && !r->over[0]) {
		r->prov->ops->chat_body(&r->res, sb_str(&r->raw), r->raw.len, resp->status);
		if (r->ttft_ms < 0 && r->res.text.len && resp->ttfb_s >= 0)
			r->ttft_ms = resp->ttfb_s * 1000.0;
	}
	int got = r->res.text.len > 0 || r->res.thinking.len > 0 || r->res.started;
	char tmo[32], url[300];
	fmt_timeout(r, tmo, sizeof tmo);
	where(r, url, sizeof url);
	if ((r->sse_on && !resp->failed && !got && !r->res.finished && !r->res.error && !r->over[0]) ||
	    (r->res.error && !strcmp(r->res.error_type, "bad_response"))) {
		/* Bytes came, but not one event of the chat protocol nor an answer
		 * in JSON: an empty answer would be a lie. */
		char ep[160];
		endpoint(r, ep, sizeof ep);
		snprintf(r->err, sizeof r->err,
			 "the answer from %s is neither an event stream of the chat protocol nor JSON (HTTP %ld, %zu bytes)", ep,
			 resp->status, resp->bytes);
		snprintf(r->res.error_type, sizeof r->res.error_type, "bad_response");
		r->note[0] = 0;
		end(r, RP_FAILED);
		return;
	}
	/* A cap, on this side (an event, the answer, a whole body) or the
	 * stream's: what came before is kept, nothing is retried (the same
	 * server would send the same). */
	if (r->over[0] || resp->why == HTTP_E_TOO_LARGE) {
		if (!r->over[0])
			too_large(r, resp->max_bytes);
		r->partial = r->res.text.len > 0;
		snprintf(r->err, sizeof r->err, "%s%s", r->over, r->partial ? "; partial output kept" : "");
		snprintf(r->res.error_type, sizeof r->res.error_type, "too_large");
		r->note[0] = 0;
		end(r, RP_FAILED);
		return;
	}
	if (resp->why == HTTP_E_DEADLINE) {
		r->partial = r->res.text.len > 0;
		if (r->partial)
			snprintf(r->err, sizeof r->err, "gave up after the replay_timeout of %s; partial output kept (%zu characters)",
				 tmo, r->res.text.len);
		else if (resp->status)
			snprintf(r->err, sizeof r->err,
				 "gave up after the replay_timeout of %s: %s answered HTTP %ld, then no answer text (attempt %d of %d)",
				 tmo, url, resp->status, r->attempts, MAX_ATTEMPTS);
		else
			snprintf(r->err, sizeof r->err, "gave up after the replay_timeout of %s: %s, %s (attempt %d of %d)", tmo, url,
				 resp->connected ? "connected, no answer yet" : "no connection yet", r->attempts, MAX_ATTEMPTS);
		snprintf(r->res.error_type, sizeof r->res.error_type, "timeout");
		r->note[0] = 0;
		end(r, RP_FAILED);
		return;
	}
	/* Retry what a retry can fix, while nothing of the answer was shown. */
	int retry = !got && r->attempts < MAX_ATTEMPTS &&
		    ((resp->failed && !resp->status) || retryable(resp->status));
	if (retry && resp->retry_after_s > 60) {
		retry = 0;
		snprintf(r->err, sizeof r->err, "%s asks to wait %.0f s before retrying (HTTP %ld): %s", r->provider,
			 resp->retry_after_s, resp->status, r->res.error_msg);
	}
	char why[300];
	if (resp->status == 429)
		snprintf(why, sizeof why, "rate limited (429)");
	else if (resp->status >= 400)
		snprintf(why, sizeof why, "server error (%ld)", resp->status);
	else if (resp->failed)
		snprintf(why, sizeof why, "%s", resp->err); /* no connection, connected and no answer, ... */
	else
		why[0] = 0;
	if (retry) {
		double d = http_backoff_s(r->attempts, resp->retry_after_s, 60);
		/* The next attempt must have a moment before the deadline. */
		if (clock_mono() + d + 0.5 >= r->deadline) {
			retry = 0;
			if (!*r->err && resp->failed)
				snprintf(r->err, sizeof r->err, "%.250s: %.250s; not retried: the replay_timeout of %.30s ends first", url, why,
					 tmo);
		}
	}
	if (retry) {
		double d = http_backoff_s(r->attempts, resp->retry_after_s, 60);
		snprintf(r->note, sizeof r->note, "%.100s; retrying in %.1f s (attempt %d of %d)", why, d, r->attempts + 1,
			 MAX_ATTEMPTS);
		chat_result_free(&r->res);
		chat_result_init(&r->res);
		sb_reset(&r->raw);
		r->state = RP_WAITING;
		r->retry_at = clock_mono() + d;
		send_attempt(r, (long)(d * 1000.0));
		changed(r);
		return;
	}
	if (!*r->err) {
		if (resp->failed && got) {
			r->partial = 1;
			snprintf(r->err, sizeof r->err, "the stream broke after %zu characters (%.200s); partial output kept",
				 r->res.text.len, *resp->err ? resp->err : "no end marker");
		} else if (resp->failed) {
			snprintf(r->err, sizeof r->err, "%s: %s (%d attempt%s)", url, resp->err, r->attempts,
				 r->attempts == 1 ? "" : "s");
		} else if (resp->status == 401 || resp->status == 403) {
			snprintf(r->err, sizeof r->err, "API key rejected by %s (HTTP %ld): %s", r->provider, resp->status,
				 r->res.error_msg);
			snprintf(r->res.error_type, sizeof r->res.error_type, "auth");
		} else if (r->res.error) {
			if (!strcmp(r->res.error_type, "context_length"))
				snprintf(r->err, sizeof r->err, "context too long for %.100s: %.250s", r->model, r->res.error_msg);
			else if (resp->status && resp->status != 200)
				snprintf(r->err, sizeof r->err, "%s (HTTP %ld): %.250s", r->res.error_type, resp->status,
					 r->res.error_msg);
			else
				snprintf(r->err, sizeof r->err, "%s in the stream: %.250s%s", r->res.error_type, r->res.error_msg,
					 r->res.text.len ? "; partial output kept" : "");
			if (r->res.text.len && (!resp->status || resp->status == 200))
				r->partial = 1;
		} else if (resp->status != 200) {
			snprintf(r->err, sizeof r->err, "HTTP %ld from %s", resp->status, url);
		}
	}
	if (resp->failed && !got && !*r->res.error_type)
		snprintf(r->res.error_type, sizeof r->res.error_type, "%s",
			 resp->timed_out && resp->why != HTTP_E_CONNECT ? "timeout" : "connection");
	r->note[0] = 0;
	end(r, *r->err ? RP_FAILED : RP_DONE);
}

static void send_attempt(replay_t *r, long delay_ms)
{
	char err[256];
	const char *key = prov_key(r->prov, KEY_API, err, sizeof err);
	if (!key) {
		snprintf(r->err, sizeof r->err, "%s", err);
		end(r, RP_FAILED);
		return;
	}
	const provider_ops *ops = r->prov->ops;
	sbuf url = SBUF_INIT, auth = SBUF_INIT;
	const char *hdrs[PROVIDER_MAX_HEADERS + 4];
	int nh = 0;
	hdrs[nh++] = "Content-Type: application/json";
	sb_printf(&url, "%s%s", r->prov->base_url, ops->chat_path);
	sb_printf(&auth, "%s%s", ops->auth_prefix, key);
	for (int i = 0; ops->headers && ops->headers[i] && i < PROVIDER_MAX_HEADERS; i++)
		hdrs[nh++] = ops->headers[i];
	hdrs[nh++] = auth.p;
	hdrs[nh++] = "Accept: text/event-stream";
	hdrs[nh] = NULL;
	sse_free(&r->sse);
	sse_init(&r->sse, on_event, r);
	r->sse.max = SSE_MAX_EVENT;
	r->sse_on = 0;
	r->over[0] = 0;
	r->attempts++;
	r->t_attempt = clock_mono() + (double)delay_ms / 1000.0;
	r->ttft_ms = -1;
	/* What is left of the replay's deadline is this attempt's; silence ends
	 * an attempt at a third of the deadline, so that each attempt has its
	 * turn within it (20 s of silence is already far past any first token).
	 * LLMOPS_HTTP_IDLE (seconds) overrides that, for tests. */
	double left = r->deadline - r->t_attempt;
	long idle = (long)(r->timeout_s / MAX_ATTEMPTS);
	const char *ie = getenv("LLMOPS_HTTP_IDLE");
	if (ie && atol(ie) > 0)
		idle = atol(ie);
	http_spec s = {.method = "POST",
		       .url = url.p,
		       .headers = hdrs,
		       .body = r->request.p,
		       .body_len = r->request.len,
		       .timeout_ms = left > 0.001 ? (long)ceil(left * 1000.0) : 1,
		       .connect_timeout_ms = 10000,
		       .idle_timeout_s = idle > 0 ? idle : 1,
		       .max_bytes = REPLAY_MAX_STREAM,
		       .delay_ms = delay_ms,
		       .on_data = on_data,
		       .on_done = on_done,
		       .ud = r};
	r->hr = http_start(r->http, &s, err, sizeof err);
	explicit_bzero(auth.p, auth.len);
	sb_free(&auth);
	sb_free(&url);
	if (!r->hr) {
		snprintf(r->err, sizeof r->err, "%s", err);
		end(r, RP_FAILED);
	}
}

void replay_start(replay_t *r, http_t *h)
{
	r->http = h;
	r->state = RP_RUNNING;
	r->t0 = clock_mono();
	if (r->timeout_s <= 0)
		r->timeout_s = REPLAY_TIMEOUT_S;
	r->deadline = r->t0 + r->timeout_s;
	send_attempt(r, 0);
	if (r->state == RP_RUNNING)
		changed(r);
}

void replay_cancel(replay_t *r)
{
	if (!r || replay_finished(r))
		return;
	if (r->hr)
		http_cancel(r->http, r->hr);
	r->hr = NULL;
	if (r->res.text.len)
		r->partial = 1;
	snprintf(r->err, sizeof r->err, "cancelled%s", r->res.text.len ? "; partial output kept" : "");
	r->latency_ms = (clock_mono() - r->t_attempt) * 1000.0;
	r->note[0] = 0;
	end(r, RP_CANCELLED);
}

int replay_finished(const replay_t *r)
{
	return r->state == RP_DONE || r->state == RP_FAILED || r->state == RP_CANCELLED;
}

void replay_free(replay_t *r)
{
	if (!r)
		return;
	if (r->hr)
		http_cancel(r->http, r->hr);
	free(r->prompt_name);
	free(r->prompt_version);
	free(r->model);
	free(r->provider);
	free(r->orig_output);
	free(r->orig_error_type);
	free(r->orig_version);
	sb_free(&r->request);
	sb_free(&r->raw);
	chat_result_free(&r->res);
	sse_free(&r->sse);
	free(r);
}

/* ---- batch ------------------------------------------------------------- */

static void batch_pump(rbatch_t *b);

static void batch_changed(void *ud, replay_t *r)
{
	rbatch_t *b = ud;
	if (replay_finished(r)) {
		b->done++;
		batch_pump(b);
	}
	if (b->on_change)
		b->on_change(b->ud, b);
}

static void batch_pump(rbatch_t *b)
{
	/* A replay that ends at once (no key) is counted by batch_changed,
	 * which pumps again: next - done is always what runs. */
	while (b->next < b->n && b->next - b->done < (size_t)b->concurrency) {
		if (b->timeout_s > 0)
			b->v[b->next]->timeout_s = b->timeout_s;
		replay_start(b->v[b->next++], b->http);
	}
}

rbatch_t *rbatch_new(store_t *st, provs_t *ps, pricing_t *prices, const int64_t *ids, size_t n,
		     const char *prompt_ref, int concurrency)
{
	rbatch_t *b = xcalloc(1, sizeof *b);
	b->concurrency = concurrency > 0 ? concurrency : 4;
	b->batch_id = clock_now_ns();
	b->prompt_ref = prompt_ref ? xstrdup(prompt_ref) : NULL;
	b->v = xcalloc(n ? n : 1, sizeof *b->v);
	for (size_t i = 0; i < n; i++) {
		char err[320];
		replay_t *r = replay_new(st, ps, prices, ids[i], prompt_ref, NULL, err, sizeof err);
		if (!r) {
			if (!b->skipped++)
				snprintf(b->err, sizeof b->err, "%s", err);
			continue;
		}
		r->batch_id = b->batch_id;
		r->on_change = batch_changed;
		r->ud = b;
		b->v[b->n++] = r;
	}
	return b;
}

void rbatch_start(rbatch_t *b, http_t *h)
{
	b->http = h;
	batch_pump(b);
	if (b->on_change)
		b->on_change(b->ud, b);
}

void rbatch_cancel(rbatch_t *b)
{
	b->next = b->n; /* start nothing more */
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i]->state != RP_READY)
			replay_cancel(b->v[i]);
}

int rbatch_finished(const rbatch_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i]->state != RP_READY && !replay_finished(b->v[i]))
			return 0;
	return b->next >= b->n;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void rbatch_summary(const rbatch_t *b, rbatch_sum *s)
{
	memset(s, 0, sizeof *s);
	double *lat[2] = {xcalloc(b->n + 1, sizeof(double)), xcalloc(b->n + 1, sizeof(double))};
	size_t nl[2] = {0, 0};
	double len[2] = {0, 0}, lsum[2] = {0, 0};
	for (size_t i = 0; i < b->n; i++) {
		const replay_t *r = b->v[i];
		if (!replay_finished(r))
			continue;
		if (r->state == RP_CANCELLED) {
			s->cancelled++;
			continue;
		}
		s->n++;
		s->partial += r->partial != 0;
		s->errors[0] += r->orig_error != 0;
		s->errors[1] += r->state == RP_FAILED;
		len[0] += r->orig_output ? (double)strlen(r->orig_output) : 0;
		len[1] += (double)r->res.text.len;
		if (r->orig_cost_nusd > 0)
			s->cost_nusd[0] += r->orig_cost_nusd;
		if (r->cost_nusd > 0)
			s->cost_nusd[1] += r->cost_nusd;
		double l[2] = {r->orig_latency_ms, r->state == RP_DONE ? r->latency_ms : -1};
		for (int k = 0; k < 2; k++)
			if (l[k] >= 0) {
				lat[k][nl[k]++] = l[k];
				lsum[k] += l[k];
			}
	}
	for (int k = 0; k < 2; k++) {
		s->out_len[k] = s->n ? len[k] / (double)s->n : 0;
		if (nl[k]) {
			qsort(lat[k], nl[k], sizeof(double), dcmp);
			s->latency_p50[k] = lat[k][(nl[k] - 1) / 2];
			s->latency_mean[k] = lsum[k] / (double)nl[k];
		}
		free(lat[k]);
	}
}

void rbatch_free(rbatch_t *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		b->v[i]->on_change = NULL;
		replay_free(b->v[i]);
	}
	free(b->v);
	free(b->prompt_ref);
	free(b);
}
