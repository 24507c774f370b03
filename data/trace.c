/* Whole traces, and one call per provider request.
 *
 * Instrumentation comes in layers: a library's LLM span with the provider
 * SDK's own span below it for the same HTTP request, or an agent framework's
 * steps above the call. Each layer's LLM span is stored with its own record
 * (spans.rec); the call is put together from all of them, and from the
 * context (feature, user, session, prompt) that the steps above it carry:
 *
 * - LLM spans that nest (a child directly under a parent) are one request;
 *   a parent takes at most one such child, so a span that wraps several
 *   requests never swallows them.
 * - A provider SDK's own span that sits alone at the root of a trace of its
 *   own (as it does under Langfuse) joins the call of another layer with the
 *   same provider and model, the same token counts, whose time holds its own,
 *   and that has no span of that SDK yet.
 * - Fields merge from the outermost layer in: the innermost value wins (the
 *   tokens, the response model, the latency and time to first token of the
 *   span closest to the wire), the error type that is best founded (the HTTP
 *   status over the provider's error text over the exception class), the
 *   richest messages, and the ids of the outermost span.
 * - What a call does not say itself (feature, user, session, prompt name and
 *   version, variables) comes from the nearest span above it that says it,
 *   and the feature last from the service's name.
 *
 * Whatever the order the layers and steps arrive in, in one file or several,
 * the call comes out the same, and importing a span twice changes nothing. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/demo.h"
#include "store_internal.h"

/* ---- a span's own record ------------------------------------------------ */

/* The record is written by hand rather than through a cJSON tree: it is
 * made for every LLM span stored, and read back with cJSON. */
static void put_str(sbuf *o, const char *k, const char *v)
{
	if (!v)
		return;
	sb_printf(o, ",\"%s\":", k);
	json_escape(o, v);
}

static void put_num(sbuf *o, const char *k, double v)
{
	if (v >= 0)
		sb_printf(o, ",\"%s\":%.17g", k, v);
}

static void put_int(sbuf *o, const char *k, int64_t v)
{
	if (v >= 0)
		sb_printf(o, ",\"%s\":%lld", k, (long long)v);
}

static char *rec_encode(const call_t *c)
{
	sbuf o = SBUF_INIT;
	/* a string: a double would round it */
	sb_printf(&o, "{\"ts\":\"%lld\"", (long long)c->ts_ns);
	put_num(&o, "lat", c->latency_ms);
	put_num(&o, "ttft", c->ttft_ms);
	put_str(&o, "prov", c->provider);
	put_str(&o, "model", c->model);
	if (c->model_from_response)
		sb_adds(&o, ",\"rmodel\":1");
	put_str(&o, "reqm", c->request_model);
	put_str(&o, "op", c->operation);
	put_int(&o, "in", c->input_tokens);
	put_int(&o, "cached", c->cached_tokens);
	put_int(&o, "out", c->output_tokens);
	if (c->is_error) {
		sb_adds(&o, ",\"err\":1");
		put_str(&o, "etype", c->error_type);
		sb_printf(&o, ",\"erank\":%d", c->error_rank);
		put_str(&o, "emsg", c->error_message);
	}
	if (c->has_cost)
		sb_printf(&o, ",\"cost\":%lld", (long long)c->cost_nusd);
	put_str(&o, "pn", c->prompt_name);
	put_str(&o, "pv", c->prompt_version);
	put_str(&o, "feat", c->feature);
	put_str(&o, "user", c->user_id);
	put_str(&o, "sess", c->session_id);
	put_str(&o, "vars", c->variables);
	sb_printf(&o, ",\"inlen\":%zu,\"outlen\":%zu}", c->input ? strlen(c->input) : 0,
		  c->output ? strlen(c->output) : 0);
	return sb_steal(&o);
}

static const char *get_s(const cJSON *o, const char *k, arena_t *ar)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? arena_strdup(ar, v->valuestring) : NULL;
}

static double get_n(const cJSON *o, const char *k, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* inlen/outlen: how much content the span carried. */
static int rec_decode(const char *json, call_t *c, arena_t *ar, size_t *inlen, size_t *outlen)
{
	call_init(c);
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return -1;
	}
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "ts");
	c->ts_ns = cJSON_IsString(ts) ? strtoll(ts->valuestring, NULL, 10) : (int64_t)get_n(o, "ts", 0);
	c->latency_ms = get_n(o, "lat", -1);
	c->ttft_ms = get_n(o, "ttft", -1);
	c->provider = get_s(o, "prov", ar);
	c->model = get_s(o, "model", ar);
	c->model_from_response = get_n(o, "rmodel", 0) > 0;
	c->request_model = get_s(o, "reqm", ar);
	c->operation = get_s(o, "op", ar);
	c->input_tokens = (int64_t)get_n(o, "in", -1);
	c->cached_tokens = (int64_t)get_n(o, "cached", -1);
	c->output_tokens = (int64_t)get_n(o, "out", -1);
	c->is_error = get_n(o, "err", 0) > 0;
	c->error_type = get_s(o, "etype", ar);
	c->error_rank = (int)get_n(o, "erank", 0);
	c->error_message = get_s(o, "emsg", ar);
	double cost = get_n(o, "cost", -1);
	if (cost >= 0) {
		c->has_cost = 1;
		c->cost_nusd = (int64_t)cost;
	}
	c->prompt_name = get_s(o, "pn", ar);
	c->prompt_version = get_s(o, "pv", ar);
	c->feature = get_s(o, "feat", ar);
	c->user_id = get_s(o, "user", ar);
	c->session_id = get_s(o, "sess", ar);
	c->variables = get_s(o, "vars", ar);
	*inlen = (size_t)get_n(o, "inlen", 0);
	*outlen = (size_t)get_n(o, "outlen", 0);
	cJSON_Delete(o);
	return 0;
}

/* What rec_decode(rec_encode(src)) gives, without the round trip: a layer
 * that arrived in this batch is read from its call. */
static void rec_from_call(const call_t *src, call_t *c, size_t *inlen, size_t *outlen)
{
	call_init(c);
	c->ts_ns = src->ts_ns;
	c->latency_ms = src->latency_ms >= 0 ? src->latency_ms : -1;
	c->ttft_ms = src->ttft_ms >= 0 ? src->ttft_ms : -1;
	c->provider = src->provider;
	c->model = src->model;
	c->model_from_response = src->model_from_response != 0;
	c->request_model = src->request_model;
	c->operation = src->operation;
	c->input_tokens = src->input_tokens >= 0 ? src->input_tokens : -1;
	c->cached_tokens = src->cached_tokens >= 0 ? src->cached_tokens : -1;
	c->output_tokens = src->output_tokens >= 0 ? src->output_tokens : -1;
	if (src->is_error) {
		c->is_error = 1;
		c->error_type = src->error_type;
		c->error_rank = src->error_rank;
		c->error_message = src->error_message;
	}
	if (src->has_cost) {
		c->has_cost = 1;
		c->cost_nusd = src->cost_nusd;
	}
	c->prompt_name = src->prompt_name;
	c->prompt_version = src->prompt_version;
	c->feature = src->feature;
	c->user_id = src->user_id;
	c->session_id = src->session_id;
	c->variables = src->variables;
	*inlen = src->input ? strlen(src->input) : 0;
	*outlen = src->output ? strlen(src->output) : 0;
}

/* ---- a trace in memory -------------------------------------------------- */

typedef struct node {
	uint8_t span[CALL_ID_MAX], parent[CALL_ID_MAX];
	uint8_t span_len, parent_len;
	char *scope, *service, *rec, *ctx;
	int64_t start, end;
	int64_t call_id;  /* stored call, 0 none */
	long bcall;       /* its call in the batch (a new span), -1 none */
	long up;          /* parent node, -1 none in the trace */
	int depth;
	int child_taken;  /* a nested LLM span already joined it */
	long uf;          /* union-find over LLM nodes */
} node;

typedef struct trace_mem {
	uint8_t id[CALL_ID_MAX];
	uint8_t len;
	node *v;
	size_t n;
	int new_ctx;      /* a step with context arrived in this batch */
} trace_mem;

static void trace_free(trace_mem *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].scope);
		free(t->v[i].service);
		free(t->v[i].rec);
		free(t->v[i].ctx);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int same_id(const uint8_t *a, int al, const uint8_t *b, int bl)
{
	return al == bl && al > 0 && !memcmp(a, b, (size_t)al);
}

static uint64_t span_hash(const uint8_t *trace, int tl, const uint8_t *span, int sl)
{
	return hash64(span, (size_t)sl, hash64(trace, (size_t)tl, 0x7370)) | 1;
}

/* Every stored span of the trace; bcalls maps new LLM spans to the batch. */
static int trace_load(store_t *st, const uint8_t *id, int len, const u64map *bcalls, trace_mem *t)
{
	memcpy(t->id, id, (size_t)len);
	t->len = (uint8_t)len;
	sqlite3_stmt *s = store_stmt(st, ST_TRACE_SPANS,
				     "SELECT span_id, parent_id, scope, service, call_id, rec, ctx, start_ns, end_ns"
				     " FROM spans WHERE trace_id=?");
	sqlite3_bind_blob(s, 1, id, len, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (t->n == cap) {
			cap = cap ? cap * 2 : 16;
			t->v = xrealloc(t->v, cap * sizeof *t->v);
		}
		node *nd = &t->v[t->n++];
		memset(nd, 0, sizeof *nd);
		int sl = sqlite3_column_bytes(s, 0), pl = sqlite3_column_bytes(s, 1);
		nd->span_len = (uint8_t)(sl <= CALL_ID_MAX ? sl : 0);
		memcpy(nd->span, sqlite3_column_blob(s, 0), nd->span_len);
		nd->parent_len = (uint8_t)(pl <= CALL_ID_MAX ? pl : 0);
		if (nd->parent_len)
			memcpy(nd->parent, sqlite3_column_blob(s, 1), nd->parent_len);
		nd->scope = col_dup(s, 2);
		nd->service = col_dup(s, 3);
		nd->call_id = sqlite3_column_int64(s, 4);
		nd->rec = col_dup(s, 5);
		nd->ctx = col_dup(s, 6);
		nd->start = sqlite3_column_int64(s, 7);
		nd->end = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 8);
		int64_t bi = bcalls ? u64map_get(bcalls, span_hash(id, len, nd->span, nd->span_len)) : 0;
		nd->bcall = bi > 0 && !nd->call_id ? (long)bi - 1 : -1;
		nd->up = -1;
		nd->uf = -1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	/* Parents, and depths (a parent chain that loops is cut). */
	u64map at = {0};
	for (size_t i = 0; i < t->n; i++)
		u64map_put(&at, span_hash(id, len, t->v[i].span, t->v[i].span_len), (int64_t)i + 1);
	for (size_t i = 0; i < t->n; i++) {
		node *nd = &t->v[i];
		if (nd->parent_len) {
			int64_t p = u64map_get(&at, span_hash(id, len, nd->parent, nd->parent_len));
			if (p > 0 && (size_t)(p - 1) != i)
				nd->up = (long)p - 1;
		}
	}
	/* Depths, each node's once (a chain of steps is walked once, not once
	 * per step); a loop of parents is cut where it closes. */
	for (size_t i = 0; i < t->n; i++)
		t->v[i].depth = -1;
	long *path = xmalloc((t->n ? t->n : 1) * sizeof *path);
	for (size_t i = 0; i < t->n; i++) {
		size_t plen = 0;
		long p = (long)i;
		while (p >= 0 && t->v[p].depth == -1) {
			t->v[p].depth = -2; /* on the path */
			path[plen++] = p;
			p = t->v[p].up;
		}
		int d = p >= 0 && t->v[p].depth >= 0 ? t->v[p].depth + 1 : 0;
		if (p >= 0 && t->v[p].depth == -2)
			t->v[path[plen - 1]].up = -1, d = 0; /* the loop closes here */
		while (plen-- > 0) {
			t->v[path[plen]].depth = d;
			d++;
		}
	}
	free(path);
	free(at.keys);
	free(at.vals);
	return 0;
}

static long uf_find(node *v, long i)
{
	while (v[i].uf != i) {
		v[i].uf = v[v[i].uf].uf;
		i = v[i].uf;
	}
	return i;
}

/* ---- merging -------------------------------------------------------------- */

typedef struct member {
	call_t c;       /* its own record */
	size_t inlen, outlen;
	int64_t call_id;
	long bcall;
	int depth;      /* larger: closer to the wire */
	const node *nd;
	uint8_t trace[CALL_ID_MAX];
	uint8_t trace_len;
} member;

static int cmp_member(const void *a, const void *b)
{
	const member *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->c.ts_ns != y->c.ts_ns)
		return x->c.ts_ns < y->c.ts_ns ? -1 : 1;
	int n = x->nd->span_len < y->nd->span_len ? x->nd->span_len : y->nd->span_len;
	return memcmp(x->nd->span, y->nd->span, (size_t)n);
}

static const char *pick_s(const member *m, size_t n, size_t off)
{
	for (size_t i = n; i-- > 0;) {
		const char *v = *(const char *const *)((const char *)&m[i].c + off);
		if (v && *v)
			return v;
	}
	return NULL;
}

#define PICK(field) pick_s(m, n, offsetof(call_t, field))

/* The call of members ordered outermost first. */
static void merge_members(const member *m, size_t n, call_t *out)
{
	call_init(out);
	const call_t *outer = &m[0].c;
	memcpy(out->trace_id, m[0].trace, m[0].trace_len);
	out->trace_len = m[0].trace_len;
	memcpy(out->span_id, m[0].nd->span, m[0].nd->span_len);
	out->span_len = m[0].nd->span_len;
	out->ts_ns = outer->ts_ns;
	out->latency_ms = outer->latency_ms;
	for (size_t i = n; i-- > 0;)
		if (m[i].c.latency_ms >= 0) { /* the span closest to the wire */
			out->ts_ns = m[i].c.ts_ns;
			out->latency_ms = m[i].c.latency_ms;
			break;
		}
	for (size_t i = n; i-- > 0;)
		if (m[i].c.ttft_ms >= 0 && out->ttft_ms < 0)
			out->ttft_ms = m[i].c.ttft_ms;
	out->provider = PICK(provider);
	for (size_t i = n; i-- > 0 && !out->model;)
		if (m[i].c.model_from_response && m[i].c.model)
			out->model = m[i].c.model;
	for (size_t i = n; i-- > 0 && !out->model;)
		if (m[i].c.model && strcmp(m[i].c.model, "(unknown)"))
			out->model = m[i].c.model;
	if (!out->model)
		out->model = "(unknown)";
	out->request_model = PICK(request_model);
	out->operation = PICK(operation);
	for (size_t i = n; i-- > 0;) {
		if (out->input_tokens < 0 && m[i].c.input_tokens >= 0)
			out->input_tokens = m[i].c.input_tokens;
		if (out->cached_tokens < 0 && m[i].c.cached_tokens >= 0)
			out->cached_tokens = m[i].c.cached_tokens;
		if (out->output_tokens < 0 && m[i].c.output_tokens >= 0)
			out->output_tokens = m[i].c.output_tokens;
		if (!out->has_cost && m[i].c.has_cost) {
			out->has_cost = 1;
			out->cost_nusd = m[i].c.cost_nusd;
		}
	}
	int best = -1;
	for (size_t i = n; i-- > 0;) {
		if (!m[i].c.is_error)
			continue;
		out->is_error = 1;
		if (best < 0 || m[i].c.error_rank > m[best].c.error_rank)
			best = (int)i;
	}
	if (best >= 0) {
		out->error_type = m[best].c.error_type;
		out->error_rank = m[best].c.error_rank;
		out->error_message = m[best].c.error_message;
		for (size_t i = n; i-- > 0 && !out->error_message;)
			out->error_message = m[i].c.error_message;
	}
	/* A prompt's name and version belong together; a version alone (as
	 * OpenInference may give it) is still a version. */
	for (size_t i = n; i-- > 0;)
		if (m[i].c.prompt_name) {
			out->prompt_name = m[i].c.prompt_name;
			out->prompt_version = m[i].c.prompt_version;
			break;
		}
	if (!out->prompt_name)
		out->prompt_version = PICK(prompt_version);
	out->feature = PICK(feature);
	out->user_id = PICK(user_id);
	out->session_id = PICK(session_id);
	out->variables = PICK(variables);
}

/* What the steps above pass down: the nearest first, a field at a time. */
static void inherit(call_t *c, const trace_mem *t, long from, arena_t *ar)
{
	const char *service = NULL;
	for (long p = from, hops = 0; p >= 0 && hops <= (long)t->n; p = t->v[p].up, hops++) {
		if (!service && t->v[p].service)
			service = t->v[p].service;
		if (!t->v[p].ctx)
			continue;
		cJSON *o = cJSON_Parse(t->v[p].ctx);
		if (!c->prompt_name) {
			const char *pn = get_s(o, "prompt_name", ar);
			if (pn) {
				c->prompt_name = pn;
				c->prompt_version = get_s(o, "prompt_version", ar);
			}
		}
		if (!c->feature)
			c->feature = get_s(o, "feature", ar);
		if (!c->user_id)
			c->user_id = get_s(o, "user_id", ar);
		if (!c->session_id)
			c->session_id = get_s(o, "session_id", ar);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "variables");
		if (!c->variables && cJSON_IsObject(v)) {
			char *s = cJSON_PrintUnformatted(v);
			c->variables = arena_strdup(ar, s);
			free(s);
		}
		cJSON_Delete(o);
	}
	if (!c->feature && service)
		c->feature = arena_strdup(ar, service);
}

/* ---- bodies ------------------------------------------------------------- */

typedef struct body4 {
	char *input, *output, *variables, *attrs;
} body4;

static void body_free4(body4 *b)
{
	free(b->input);
	free(b->output);
	free(b->variables);
	free(b->attrs);
	memset(b, 0, sizeof *b);
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Adds one layer's content: the richest messages and answer win, the
 * attributes are the union (the inner layer's value on a clash). */
static void body_take(body4 *into, const char *in, const char *out, const char *vars, const char *attrs)
{
	if (slen(in) > slen(into->input)) {
		free(into->input);
		into->input = xstrdup(in);
	}
	if (slen(out) > slen(into->output)) {
		free(into->output);
		into->output = xstrdup(out);
	}
	if (!into->variables && vars)
		into->variables = xstrdup(vars);
	if (attrs) {
		cJSON *a = into->attrs ? cJSON_Parse(into->attrs) : NULL, *b = cJSON_Parse(attrs);
		if (!cJSON_IsObject(a)) {
			cJSON_Delete(a);
			a = cJSON_CreateObject();
		}
		if (cJSON_IsObject(b)) {
			cJSON *e;
			while ((e = b->child)) {
				cJSON_DetachItemViaPointer(b, e);
				cJSON_DeleteItemFromObjectCaseSensitive(a, e->string);
				cJSON_AddItemToObject(a, e->string, e);
			}
		}
		char *s = cJSON_PrintUnformatted(a);
		free(into->attrs);
		into->attrs = s;
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
}

/* ---- writing a call ----------------------------------------------------- */

typedef struct ctx_t {
	store_t *st;
	batch_t *b;
	pricing_t *prices;
	ingest_stats *stats;
	rebuild_set *rebuild;
	u64map bcalls;    /* (trace, span) hash -> batch call index + 1 */
	uint8_t *settled; /* batch calls whose spans have a call now */
	int64_t *created; /* calls this batch inserted (some may be merged away) */
	size_t ncreated;
	uint64_t fresh_llm; /* new LLM spans */
	uint64_t removed;   /* calls stored before this batch, merged into another */
} ctx_t;

static void add_rollup(batch_t *b, const call_t *c)
{
	int64_t t = floor_to(c->ts_ns, NS_PER_MIN) / NS_PER_S;
	rstats_add_call(racc_get(&b->acc[RES_1M], RES_1M, t, (int64_t)c->dim_hash), c, c->cost);
}

static int set_member_calls(store_t *st, const member *m, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i].call_id == id)
			continue;
		sqlite3_stmt *s = store_stmt(st, ST_SPAN_SET_CALL, "UPDATE spans SET call_id=? WHERE trace_id=? AND span_id=?");
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_blob(s, 2, m[i].trace, m[i].trace_len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, m[i].nd->span, m[i].nd->span_len, SQLITE_STATIC);
		int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(s);
		if (rc)
			return -1;
	}
	return 0;
}

typedef struct row_scalars {
	int64_t ts, dim;
	double latency, ttft;
	int64_t in, cached, out, cost;
	int status;
	char *etype, *user, *session;
	uint8_t span[CALL_ID_MAX];
	int span_len;
} row_scalars;

static int read_row(store_t *st, int64_t id, row_scalars *r)
{
	sqlite3_stmt *s = store_stmt(st, ST_CALL_SCALARS,
				     "SELECT ts, dim, latency_ms, ttft_ms, input_tokens, cached_tokens, output_tokens,"
				     " cost_nusd, status, error_type, user_id, session_id, span_id FROM calls WHERE id=?");
	sqlite3_bind_int64(s, 1, id);
	int rc = -1;
	memset(r, 0, sizeof *r);
	if (sqlite3_step(s) == SQLITE_ROW) {
		r->ts = sqlite3_column_int64(s, 0);
		r->dim = sqlite3_column_int64(s, 1);
		r->latency = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 2);
		r->ttft = sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 3);
		r->in = sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 4);
		r->cached = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 5);
		r->out = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 6);
		r->cost = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
		r->status = sqlite3_column_int(s, 8);
		r->etype = col_dup(s, 9);
		r->user = col_dup(s, 10);
		r->session = col_dup(s, 11);
		r->span_len = sqlite3_column_bytes(s, 12);
		if (r->span_len > CALL_ID_MAX)
			r->span_len = CALL_ID_MAX;
		memcpy(r->span, sqlite3_column_blob(s, 12), (size_t)r->span_len);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

static void row_free(row_scalars *r)
{
	free(r->etype);
	free(r->user);
	free(r->session);
}

static int same_row(const row_scalars *r, const call_t *c, int64_t dim)
{
	return r->ts == c->ts_ns && r->dim == dim && r->latency == c->latency_ms && r->ttft == c->ttft_ms &&
	       r->in == c->input_tokens && r->cached == c->cached_tokens && r->out == c->output_tokens &&
	       r->cost == c->cost && r->status == (c->is_error ? 1 : 0) &&
	       str_eq(r->etype, c->is_error ? c->error_type : NULL) && str_eq(r->user, c->user_id) &&
	       str_eq(r->session, c->session_id) && same_id(r->span, r->span_len, c->span_id, c->span_len);
}

static int delete_call(store_t *st, int64_t id)
{
	if (fts_indexed(st, id) && fts_remove(st, id))
		return -1;
	char sql[64];
	snprintf(sql, sizeof sql, "DELETE FROM calls WHERE id=%lld", (long long)id);
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int update_call(store_t *st, int64_t id, const call_t *c, const body4 *body, int body_changed)
{
	int64_t dim = dim_id(st, c);
	if (dim < 0)
		return -1;
	int indexed = body_changed && fts_indexed(st, id);
	if (indexed && fts_remove(st, id))
		return -1;
	sqlite3_stmt *s;
	const char *sql =
	    body_changed
		? "UPDATE calls SET key=?, trace_id=?, span_id=?, ts=?, dim=?, request_model=?, operation=?, user_id=?,"
		  " input_tokens=?, cached_tokens=?, output_tokens=?, latency_ms=?, ttft_ms=?, status=?, error_type=?,"
		  " error_message=?, cost_nusd=?, session_id=?, zdict=0, body=NULL, input=?, output=?, variables=?, attrs=?"
		  " WHERE id=?"
		: "UPDATE calls SET key=?, trace_id=?, span_id=?, ts=?, dim=?, request_model=?, operation=?, user_id=?,"
		  " input_tokens=?, cached_tokens=?, output_tokens=?, latency_ms=?, ttft_ms=?, status=?, error_type=?,"
		  " error_message=?, cost_nusd=?, session_id=? WHERE id=?";
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	/* The key follows the span id, unless another call holds it. */
	int64_t key = call_key(c->span_id, c->span_len);
	sqlite3_stmt *k;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM calls WHERE key=?", -1, &k, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(k, 1, key);
		while (sqlite3_step(k) == SQLITE_ROW && sqlite3_column_int64(k, 0) != id) {
			key = (key + 1) & INT64_MAX;
			sqlite3_reset(k);
			sqlite3_bind_int64(k, 1, key);
		}
		sqlite3_finalize(k);
	}
	int i = 1;
	sqlite3_bind_int64(s, i++, key);
	sqlite3_bind_blob(s, i++, c->trace_id, c->trace_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, i++, c->span_id, c->span_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, i++, c->ts_ns);
	sqlite3_bind_int64(s, i++, dim);
	bind_text_or_null(s, i++, str_eq(c->request_model, c->model) ? NULL : c->request_model);
	bind_text_or_null(s, i++, c->operation);
	bind_text_or_null(s, i++, c->user_id);
	bind_int_or_null(s, i++, c->input_tokens);
	bind_int_or_null(s, i++, c->cached_tokens);
	bind_int_or_null(s, i++, c->output_tokens);
	bind_real_or_null(s, i++, c->latency_ms);
	bind_real_or_null(s, i++, c->ttft_ms);
	sqlite3_bind_int(s, i++, c->is_error ? 1 : 0);
	bind_text_or_null(s, i++, c->is_error ? c->error_type : NULL);
	bind_text_or_null(s, i++, c->error_message);
	bind_int_or_null(s, i++, c->cost);
	bind_text_or_null(s, i++, c->session_id);
	if (body_changed) {
		bind_text_or_null(s, i++, body->input);
		bind_text_or_null(s, i++, body->output);
		bind_text_or_null(s, i++, body->variables);
		bind_text_or_null(s, i++, body->attrs);
	}
	sqlite3_bind_int64(s, i++, id);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	if (!rc && indexed && fts_add(st, id))
		rc = -1;
	return rc;
}

/* Puts together the call of members (outermost first) under the context of
 * the trace of the outermost, and writes it: a new call, or the stored one
 * brought up to date (others of the group merged into it and removed). */
static int settle_group(ctx_t *x, member *m, size_t n, const trace_mem *outer_trace)
{
	store_t *st = x->st;
	batch_t *b = x->b;
	arena_t ar = {0};
	call_t c;
	merge_members(m, n, &c);
	/* inherit from above the outermost span */
	inherit(&c, outer_trace, m[0].nd->up, &ar);
	if (!c.feature && m[0].nd->service)
		c.feature = m[0].nd->service;
	call_price(&c, x->prices);
	const char *tpl = NULL;
	int fresh = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].bcall >= 0) {
			fresh++;
			if (!tpl && b->calls[m[i].bcall].prompt_template)
				tpl = b->calls[m[i].bcall].prompt_template;
		}
	}
	/* The stored calls of the group (one that is gone is not one). */
	int64_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
	size_t nid = 0;
	for (size_t i = 0; i < n; i++) {
		if (!m[i].call_id)
			continue;
		size_t j = 0;
		while (j < nid && ids[j] != m[i].call_id)
			j++;
		if (j < nid)
			continue;
		row_scalars probe;
		if (read_row(st, m[i].call_id, &probe) == 0) {
			ids[nid++] = m[i].call_id;
			row_free(&probe);
		} else {
			m[i].call_id = 0;
		}
	}
	int rc = 0;
	if (!nid) {
		int64_t id = 0;
		int r;
		for (size_t i = 0; i < n; i++)
			if (m[i].bcall < 0) {
				arena_free(&ar);
				return 0; /* a step stored without its call: nothing to put together */
			}
		const call_t *only = n == 1 ? &b->calls[m[0].bcall] : NULL;
		if (only) {
			/* One layer: its own body, compressed on the reading thread. */
			call_t one = c;
			one.input = only->input;
			one.output = only->output;
			one.variables = c.variables;
			one.attrs = only->attrs;
			one.zbody = str_eq(c.variables, only->variables) ? only->zbody : NULL;
			one.zlen = only->zlen;
			r = store_insert_call(st, &one, one.zbody ? b->codec : NULL, call_key(c.span_id, c.span_len), &id);
		} else {
			body4 bd = {0};
			for (size_t i = 0; i < n; i++) {
				const call_t *bc = &b->calls[m[i].bcall];
				body_take(&bd, bc->input, bc->output, bc->variables, bc->attrs);
			}
			call_t many = c;
			many.input = bd.input;
			many.output = bd.output;
			many.variables = c.variables ? c.variables : bd.variables;
			many.attrs = bd.attrs;
			r = store_insert_call(st, &many, NULL, call_key(c.span_id, c.span_len), &id);
			body_free4(&bd);
		}
		if (r < 0) {
			rc = -1;
		} else if (r == 1) {
			x->stats->duplicates++; /* stored before spans were kept */
			rc = id > 0 ? set_member_calls(st, m, n, id) : 0;
		} else {
			x->created = xrealloc(x->created, (x->ncreated + 1) * sizeof *x->created);
			x->created[x->ncreated++] = id;
			add_rollup(b, &c);
			rc = set_member_calls(st, m, n, id);
			/* content that came as log records before the span */
			int empty = 1;
			for (size_t i = 0; i < n; i++)
				if (b->calls[m[i].bcall].input || b->calls[m[i].bcall].output)
					empty = 0;
			if (!rc && empty && (b->nev || store_has_events(st)))
				rc = fill_from_events(st, c.span_id, c.span_len, c.trace_id, c.trace_len, x->stats);
		}
	} else {
		/* The stored call that keeps its row: the outermost span's, else the oldest. */
		int64_t keep_id = ids[0];
		for (size_t j = 1; j < nid; j++)
			if (ids[j] < keep_id)
				keep_id = ids[j];
		if (m[0].call_id)
			keep_id = m[0].call_id;
		else if (m[0].bcall < 0)
			keep_id = ids[0];
		row_scalars old;
		if (read_row(st, keep_id, &old)) {
			free(ids);
			arena_free(&ar);
			return -1;
		}
		int64_t dim = dim_id(st, &c);
		int changed = !same_row(&old, &c, dim) || nid > 1;
		int body_changed = 0;
		body4 bd = {0};
		if (fresh || nid > 1) {
			for (size_t j = 0; j < nid; j++) {
				body4 have = {0};
				store_call_body(st, ids[j], &have.input, &have.output, &have.variables, &have.attrs);
				body_take(&bd, have.input, have.output, have.variables, have.attrs);
				body_free4(&have);
			}
			size_t before_in = slen(bd.input), before_out = slen(bd.output);
			for (size_t i = 0; i < n; i++) {
				if (m[i].bcall < 0)
					continue;
				const call_t *bc = &b->calls[m[i].bcall];
				if (slen(bc->input) > before_in || slen(bc->output) > before_out || bc->attrs || nid > 1)
					body_changed = 1;
				body_take(&bd, bc->input, bc->output, bc->variables, bc->attrs);
			}
			if (c.variables && !str_eq(c.variables, bd.variables)) {
				free(bd.variables);
				bd.variables = xstrdup(c.variables);
				body_changed = 1;
			}
		}
		if (changed || body_changed) {
			rebuild_add(x->rebuild, old.ts, old.dim);
			for (size_t j = 0; j < nid && !rc; j++) {
				if (ids[j] == keep_id)
					continue;
				row_scalars o2;
				if (read_row(st, ids[j], &o2) == 0) {
					rebuild_add(x->rebuild, o2.ts, o2.dim);
					row_free(&o2);
				}
				size_t k = 0;
				while (k < x->ncreated && x->created[k] != ids[j])
					k++;
				x->removed += k == x->ncreated;
				rc = delete_call(st, ids[j]);
			}
			if (!rc)
				rc = update_call(st, keep_id, &c, &bd, body_changed);
			if (!rc && dim > 0)
				rebuild_add(x->rebuild, c.ts_ns, dim);
		}
		if (!rc)
			rc = set_member_calls(st, m, n, keep_id);
		row_free(&old);
		body_free4(&bd);
	}
	if (!rc && tpl && c.prompt_name && c.prompt_version &&
	    store_seen_prompt(st, c.prompt_name, c.prompt_version, tpl, c.ts_ns))
		rc = -1;
	for (size_t i = 0; i < n; i++)
		if (m[i].bcall >= 0)
			x->settled[m[i].bcall] = 1;
	free(ids);
	arena_free(&ar);
	return rc;
}

/* b: the batch being stored, whose calls the new nodes are (NULL: decode
 * every record). */
static int member_from(member *mb, const node *nd, const trace_mem *t, const batch_t *b, arena_t *ar)
{
	memset(mb, 0, sizeof *mb);
	if (b && nd->bcall >= 0 && (size_t)nd->bcall < b->n)
		rec_from_call(&b->calls[nd->bcall], &mb->c, &mb->inlen, &mb->outlen);
	else if (rec_decode(nd->rec, &mb->c, ar, &mb->inlen, &mb->outlen))
		return -1;
	mb->call_id = nd->call_id;
	mb->bcall = nd->bcall;
	mb->depth = nd->depth;
	mb->nd = nd;
	memcpy(mb->trace, t->id, t->len);
	mb->trace_len = t->len;
	return 0;
}

static int cmp_start(const void *a, const void *b, void *ud)
{
	const node *v = ud;
	const node *x = &v[*(const long *)a], *y = &v[*(const long *)b];
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return memcmp(x->span, y->span, CALL_ID_MAX);
}

static int cmp_root(const void *a, const void *b, void *ud)
{
	const long *root = ud;
	long x = root[*(const long *)a], y = root[*(const long *)b];
	return x < y ? -1 : x > y;
}

/* The members of stored call id that live in other traces (an SDK's root
 * span joined to a layer of this trace), appended to m; their traces are
 * kept in extra for as long as the members point into them. */
static int other_trace_members(store_t *st, int64_t id, const trace_mem *t, member **m, size_t *n, size_t *cap,
			       trace_mem **extra, size_t *nextra, arena_t *ar)
{
	sqlite3_stmt *q = store_stmt(st, ST_SPANS_OF_CALL, "SELECT trace_id, span_id FROM spans WHERE call_id=?");
	sqlite3_bind_int64(q, 1, id);
	uint8_t tr[8][CALL_ID_MAX], sp[8][CALL_ID_MAX];
	int tl[8], sl[8], k = 0, rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int a = sqlite3_column_bytes(q, 0), b = sqlite3_column_bytes(q, 1);
		if (a <= 0 || a > CALL_ID_MAX || b <= 0 || b > CALL_ID_MAX || same_id(sqlite3_column_blob(q, 0), a, t->id, t->len))
			continue;
		if (k == 8)
			break; /* a call is a handful of layers */
		memcpy(tr[k], sqlite3_column_blob(q, 0), (size_t)a);
		memcpy(sp[k], sqlite3_column_blob(q, 1), (size_t)b);
		tl[k] = a;
		sl[k] = b;
		k++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	for (int i = 0; i < k; i++) {
		*extra = xrealloc(*extra, (*nextra + 1) * sizeof **extra);
		trace_mem *o = &(*extra)[*nextra];
		memset(o, 0, sizeof *o);
		if (trace_load(st, tr[i], tl[i], NULL, o)) {
			trace_free(o);
			return -1;
		}
		(*nextra)++;
		for (size_t j = 0; j < o->n; j++) {
			if (!same_id(o->v[j].span, o->v[j].span_len, sp[i], sl[i]) || !o->v[j].rec)
				continue;
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 8;
				*m = xrealloc(*m, *cap * sizeof **m);
			}
			if (member_from(&(*m)[*n], &o->v[j], o, NULL, ar) == 0) {
				(*m)[*n].depth = 1 << 20; /* joined from its own trace: an SDK's, closest to the wire */
				(*n)++;
			}
		}
	}
	return 0;
}

/* Every group of LLM spans of the trace that has something new. */
static int settle_trace(ctx_t *x, trace_mem *t)
{
	node *v = t->v;
	long *order = xmalloc((t->n ? t->n : 1) * sizeof *order);
	size_t nl = 0;
	for (size_t i = 0; i < t->n; i++) {
		v[i].uf = (long)i;
		if (v[i].rec)
			order[nl++] = (long)i;
	}
	/* Deterministic: by start, then span id. */
	qsort_r(order, nl, sizeof *order, cmp_start, v);
	/* A child that already shares its parent's call keeps it, whatever
	 * arrives later; then the first child by start takes a free parent. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < nl; k++) {
			node *nd = &v[order[k]];
			if (nd->up < 0 || !v[nd->up].rec || v[nd->up].child_taken)
				continue;
			int sticky = nd->call_id && nd->call_id == v[nd->up].call_id;
			if (pass == 0 && !sticky)
				continue;
			/* a child of another call is not taken from it */
			if (pass == 1 && nd->call_id && v[nd->up].call_id && nd->call_id != v[nd->up].call_id)
				continue;
			v[nd->up].child_taken = 1;
			long a = uf_find(v, order[k]), bb = uf_find(v, nd->up);
			if (a != bb)
				v[a].uf = bb;
		}
	/* The groups, each once: the LLM nodes ordered by their root. */
	long *root = xmalloc((t->n ? t->n : 1) * sizeof *root);
	for (size_t k = 0; k < nl; k++)
		root[order[k]] = uf_find(v, order[k]);
	qsort_r(order, nl, sizeof *order, cmp_root, root);
	int rc = 0;
	arena_t ar = {0};
	size_t cap = nl + 8;
	member *m = xmalloc(cap * sizeof *m);
	for (size_t k = 0; k < nl && !rc;) {
		size_t end = k;
		while (end < nl && root[order[end]] == root[order[k]])
			end++;
		size_t n = 0;
		int fresh = 0;
		for (size_t q = k; q < end; q++)
			if (member_from(&m[n], &v[order[q]], t, x->b, &ar) == 0) {
				fresh |= m[n].bcall >= 0;
				n++;
			}
		k = end;
		if (!n || (!fresh && !t->new_ctx))
			continue;
		/* Layers of the same calls recorded in other traces stay members. */
		trace_mem *extra = NULL;
		size_t nextra = 0, nlocal = n;
		for (size_t i = 0; i < nlocal && !rc; i++) {
			int seen = 0;
			for (size_t j = 0; j < i; j++)
				seen |= m[j].call_id == m[i].call_id;
			if (m[i].call_id && !seen)
				rc = other_trace_members(x->st, m[i].call_id, t, &m, &n, &cap, &extra, &nextra, &ar);
		}
		if (!rc) {
			qsort(m, n, sizeof *m, cmp_member);
			/* inherit from above the outermost, in its own trace */
			const trace_mem *outer = t;
			for (size_t e = 0; e < nextra; e++)
				for (size_t j = 0; j < extra[e].n; j++)
					if (&extra[e].v[j] == m[0].nd)
						outer = &extra[e];
			rc = settle_group(x, m, n, outer);
		}
		for (size_t e = 0; e < nextra; e++)
			trace_free(&extra[e]);
		free(extra);
	}
	free(root);
	free(m);
	free(order);
	arena_free(&ar);
	return rc;
}

/* ---- a provider SDK's own span, alone at the root of a trace ------------- */


int trace_sdk_scope(const char *scope)
{
	return scope && !strncmp(scope, "com.anthropic.sdk", 17);
}

int trace_same_request(const call_t *o, int64_t o_start, int64_t o_end, const call_t *sdk, int64_t sdk_start,
		       int64_t sdk_end)
{
	if (!str_eq(o->provider, sdk->provider) ||
	    !(str_eq(o->model, sdk->model) || str_eq(o->request_model, sdk->request_model) ||
	      str_eq(o->request_model, sdk->model) || str_eq(o->model, sdk->request_model)))
		return 0;
	if (o_start > sdk_start + TRACE_JOIN_SLACK_NS || (o_end >= 0 && sdk_end >= 0 && o_end + TRACE_JOIN_SLACK_NS < sdk_end))
		return 0;
	if (o->input_tokens >= 0 && sdk->input_tokens >= 0 && o->input_tokens != sdk->input_tokens)
		return 0;
	if (o->output_tokens >= 0 && sdk->output_tokens >= 0 && o->output_tokens != sdk->output_tokens)
		return 0;
	return 1;
}


/* Does stored call id have no span of that scope, and a record that matches? */
static int joinable(store_t *st, int64_t id, const char *scope, const call_t *sdk, int64_t sdk_start, int64_t sdk_end,
		    trace_mem *into, long *into_node)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT trace_id, span_id, scope FROM spans WHERE call_id=?", -1, &s, NULL))
		return 0;
	sqlite3_bind_int64(s, 1, id);
	uint8_t tr[CALL_ID_MAX], sp[CALL_ID_MAX];
	int tl = 0, sl = 0, ok = 1, nrows = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		nrows++;
		const char *sc = (const char *)sqlite3_column_text(s, 2);
		if (str_eq(sc, scope))
			ok = 0;
		if (!tl) {
			tl = sqlite3_column_bytes(s, 0);
			sl = sqlite3_column_bytes(s, 1);
			if (tl > CALL_ID_MAX || sl > CALL_ID_MAX)
				ok = 0;
			else {
				memcpy(tr, sqlite3_column_blob(s, 0), (size_t)tl);
				memcpy(sp, sqlite3_column_blob(s, 1), (size_t)sl);
			}
		}
	}
	sqlite3_finalize(s);
	if (!ok || !nrows)
		return 0;
	if (trace_load(st, tr, tl, NULL, into))
		return 0;
	/* The outermost member of that call, and its record. */
	long best = -1;
	for (size_t i = 0; i < into->n; i++)
		if (into->v[i].call_id == id && into->v[i].rec && (best < 0 || into->v[i].depth < into->v[best].depth))
			best = (long)i;
	if (best < 0)
		goto no;
	arena_t ar = {0};
	call_t o;
	size_t il, ol;
	int match = rec_decode(into->v[best].rec, &o, &ar, &il, &ol) == 0 &&
		    trace_same_request(&o, into->v[best].start, into->v[best].end, sdk, sdk_start, sdk_end);
	arena_free(&ar);
	if (match) {
		*into_node = best;
		return 1;
	}
no:
	trace_free(into);
	return 0;
}

/* Has any provider SDK's root span been stored? Kept in the meta table, so
 * that the layers of a Langfuse trace are only looked for where they can be. */
static int any_sdk_roots(store_t *st)
{
	if (st->sdk_roots < 0)
		st->sdk_roots = store_meta_get_int(st, "sdk_roots", 0) > 0;
	return st->sdk_roots;
}

static int note_sdk_root(store_t *st)
{
	if (any_sdk_roots(st))
		return 0;
	st->sdk_roots = 1;
	return store_meta_set_int(st, "sdk_roots", 1);
}

/* Joins the calls of two spans: an SDK's root span and another layer's. */
static int join(ctx_t *x, trace_mem *outer_t, long outer_n, trace_mem *sdk_t, long sdk_n)
{
	arena_t ar = {0};
	size_t cap = outer_t->n + 1, n = 0;
	member *m = xmalloc(cap * sizeof *m);
	int64_t oid = outer_t->v[outer_n].call_id;
	for (size_t i = 0; i < outer_t->n; i++) {
		node *nd = &outer_t->v[i];
		if (!nd->rec || (i != (size_t)outer_n && (!oid || nd->call_id != oid)))
			continue;
		if (member_from(&m[n], nd, outer_t, x->b, &ar) == 0)
			n++;
	}
	int rc = 0;
	if (n && member_from(&m[n], &sdk_t->v[sdk_n], sdk_t, x->b, &ar) == 0) {
		qsort(m, n, sizeof *m, cmp_member);
		m[n].depth = 1 << 20; /* the SDK is closest to the wire */
		n++;
		rc = settle_group(x, m, n, outer_t);
	}
	free(m);
	arena_free(&ar);
	return rc;
}

static int sdk_pass(ctx_t *x, const uint8_t *tr, int tl, const uint8_t *sp, int sl)
{
	store_t *st = x->st;
	trace_mem t = {0};
	if (trace_load(st, tr, tl, NULL, &t))
		return -1;
	long me = -1;
	for (size_t i = 0; i < t.n; i++)
		if (same_id(t.v[i].span, t.v[i].span_len, sp, sl))
			me = (long)i;
	int rc = 0;
	if (me < 0 || !t.v[me].rec || !t.v[me].call_id)
		goto out;
	node *nd = &t.v[me];
	/* An SDK's root joins one call, once: only while its call is its span
	 * alone (another layer's call may have several). */
	if (trace_sdk_scope(nd->scope) && !nd->parent_len) {
		sqlite3_stmt *cq = store_stmt(st, ST_CALL_SPAN_COUNT, "SELECT count(*) FROM spans WHERE call_id=?");
		sqlite3_bind_int64(cq, 1, nd->call_id);
		int64_t layers = sqlite3_step(cq) == SQLITE_ROW ? sqlite3_column_int64(cq, 0) : -1;
		sqlite3_reset(cq);
		if (layers != 1)
			goto out;
	}
	arena_t ar = {0};
	call_t mine;
	size_t il, ol;
	if (rec_decode(nd->rec, &mine, &ar, &il, &ol)) {
		arena_free(&ar);
		goto out;
	}
	int is_sdk_root = trace_sdk_scope(nd->scope) && !nd->parent_len;
	sqlite3_stmt *s;
	/* An SDK root looks for the layer whose span holds it; another layer
	 * looks for SDK roots inside its own time. */
	/* The nearest in time first: of two alike requests close together,
	 * each layer joins its own. */
	const char *sql = "SELECT c.id FROM calls c JOIN dims d ON d.id = c.dim WHERE c.ts >= ? AND c.ts <= ? AND c.id <> ?"
			  " AND d.provider = ? ORDER BY abs(c.ts - ?) LIMIT 64";
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		arena_free(&ar);
		rc = -1;
		goto out;
	}
	int64_t lo = is_sdk_root ? nd->start - 600 * NS_PER_S : nd->start - TRACE_JOIN_SLACK_NS;
	int64_t hi = (is_sdk_root ? nd->start : (nd->end >= 0 ? nd->end : nd->start)) + TRACE_JOIN_SLACK_NS;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	sqlite3_bind_int64(s, 3, nd->call_id);
	sqlite3_bind_text(s, 4, mine.provider ? mine.provider : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, nd->start);
	int64_t cand[64];
	size_t nc = 0;
	while (nc < 64 && sqlite3_step(s) == SQLITE_ROW)
		cand[nc++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	for (size_t i = 0; i < nc && !rc; i++) {
		trace_mem other = {0};
		long on = -1;
		if (is_sdk_root) {
			if (joinable(st, cand[i], nd->scope, &mine, nd->start, nd->end, &other, &on)) {
				rc = join(x, &other, on, &t, me);
				trace_free(&other);
				break;
			}
			continue;
		}
		/* Is that call an SDK root alone, inside this span? */
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db, "SELECT trace_id, span_id, scope, parent_id FROM spans WHERE call_id=?", -1, &q,
				       NULL) != SQLITE_OK)
			continue;
		sqlite3_bind_int64(q, 1, cand[i]);
		int rows = 0, ok = 0;
		uint8_t otr[CALL_ID_MAX], osp[CALL_ID_MAX];
		int otl = 0, osl = 0;
		while (sqlite3_step(q) == SQLITE_ROW) {
			rows++;
			ok = trace_sdk_scope((const char *)sqlite3_column_text(q, 2)) && sqlite3_column_type(q, 3) == SQLITE_NULL &&
			     sqlite3_column_bytes(q, 0) <= CALL_ID_MAX && sqlite3_column_bytes(q, 1) <= CALL_ID_MAX;
			if (ok) {
				otl = sqlite3_column_bytes(q, 0);
				osl = sqlite3_column_bytes(q, 1);
				memcpy(otr, sqlite3_column_blob(q, 0), (size_t)otl);
				memcpy(osp, sqlite3_column_blob(q, 1), (size_t)osl);
			}
		}
		sqlite3_finalize(q);
		if (rows != 1 || !ok)
			continue;
		/* Seen from the SDK's side, the match is the same test. */
		trace_mem sdk_t = {0};
		if (trace_load(st, otr, otl, NULL, &sdk_t))
			continue;
		long sn = -1;
		for (size_t j = 0; j < sdk_t.n; j++)
			if (same_id(sdk_t.v[j].span, sdk_t.v[j].span_len, osp, osl))
				sn = (long)j;
		if (sn >= 0 && sdk_t.v[sn].rec) {
			arena_t ar2 = {0};
			call_t sc;
			size_t a1, a2;
			if (rec_decode(sdk_t.v[sn].rec, &sc, &ar2, &a1, &a2) == 0 &&
			    joinable(st, nd->call_id, sdk_t.v[sn].scope, &sc, sdk_t.v[sn].start, sdk_t.v[sn].end, &other, &on)) {
				rc = join(x, &other, on, &sdk_t, sn);
				trace_free(&other);
				arena_free(&ar2);
				trace_free(&sdk_t);
				break;
			}
			arena_free(&ar2);
		}
		trace_free(&sdk_t);
	}
	arena_free(&ar);
out:
	trace_free(&t);
	return rc;
}

/* ---- the batch ------------------------------------------------------------ */

static void note_trace(store_t *st, const uint8_t *id, int len)
{
	uint64_t h = hash64(id, (size_t)len, 0x74) | 1;
	if (u64map_get(&st->span_trace_seen, h))
		return;
	u64map_put(&st->span_trace_seen, h, 1);
	uint8_t l = (uint8_t)len;
	sb_add(&st->span_traces, &l, 1);
	sb_add(&st->span_traces, id, (size_t)len);
}

static int cmp_span_key(const void *a, const void *b, void *ud)
{
	const batch_t *bt = ud;
	const span_rec *x = &bt->spans[*(const size_t *)a], *y = &bt->spans[*(const size_t *)b];
	int n = x->trace_len < y->trace_len ? x->trace_len : y->trace_len;
	int c = memcmp(x->trace_id, y->trace_id, (size_t)n);
	if (c || x->trace_len != y->trace_len)
		return c ? c : x->trace_len - y->trace_len;
	n = x->span_len < y->span_len ? x->span_len : y->span_len;
	c = memcmp(x->span_id, y->span_id, (size_t)n);
	return c ? c : x->span_len - y->span_len;
}

int trace_ingest(store_t *st, batch_t *b, pricing_t *prices, ingest_stats *stats, rebuild_set *rebuild)
{
	ctx_t x = {st, b, prices, stats, rebuild, {0}, NULL, NULL, 0, 0, 0};
	x.settled = xcalloc(b->n ? b->n : 1, 1);
	for (int r = 0; r < RES_COUNT; r++)
		racc_reset(&b->acc[r]);
	st->sdk_roots = -1; /* look again: another process may have added some */
	int rc = 0;
	uint8_t *fresh = xcalloc(b->nspans ? b->nspans : 1, 1);
	/* In key order, consecutive inserts land on neighbouring pages. */
	size_t *order = xmalloc((b->nspans ? b->nspans : 1) * sizeof *order);
	for (size_t i = 0; i < b->nspans; i++)
		order[i] = i;
	qsort_r(order, b->nspans, sizeof *order, cmp_span_key, b);
	/* 1. The spans themselves; one seen before is not stored twice. */
	for (size_t oi = 0; oi < b->nspans && !rc; oi++) {
		size_t i = order[oi];
		span_rec *S = &b->spans[i];
		sqlite3_stmt *s = store_stmt(st, ST_SPAN_EXISTS, "SELECT 1 FROM spans WHERE trace_id=? AND span_id=?");
		sqlite3_bind_blob(s, 1, S->trace_id, S->trace_len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, S->span_id, S->span_len, SQLITE_STATIC);
		int exists = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
		if (exists) {
			if (S->call >= 0) {
				stats->duplicates++;
				x.settled[S->call] = 1;
			}
			continue;
		}
		char *rec = S->call >= 0 ? rec_encode(&b->calls[S->call]) : NULL;
		s = store_stmt(st, ST_SPAN_INSERT,
			       "INSERT INTO spans(trace_id, span_id, parent_id, name, kind, scope, service, start_ns, end_ns,"
			       " status, status_message, call_id, rec, ctx, attrs) VALUES(?,?,?,?,?,?,?,?,?,?,?,NULL,?,?,?)");
		sqlite3_bind_blob(s, 1, S->trace_id, S->trace_len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, S->span_id, S->span_len, SQLITE_STATIC);
		if (S->parent_len)
			sqlite3_bind_blob(s, 3, S->parent_id, S->parent_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 3);
		sqlite3_bind_text(s, 4, S->name ? S->name : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, S->kind);
		bind_text_or_null(s, 6, S->scope);
		bind_text_or_null(s, 7, S->service);
		sqlite3_bind_int64(s, 8, S->start_ns);
		bind_int_or_null(s, 9, S->end_ns);
		sqlite3_bind_int(s, 10, S->status);
		bind_text_or_null(s, 11, S->status_message);
		bind_text_or_null(s, 12, rec);
		bind_text_or_null(s, 13, S->ctx);
		bind_text_or_null(s, 14, S->attrs);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(s);
		free(rec);
		if (rc)
			break;
		fresh[i] = 1;
		if (S->call >= 0) {
			x.fresh_llm++;
			u64map_put(&x.bcalls, span_hash(S->trace_id, S->trace_len, S->span_id, S->span_len), S->call + 1);
			if (trace_sdk_scope(S->scope) && !S->parent_len && note_sdk_root(st))
				rc = -1;
		} else {
			stats->spans++;
			note_trace(st, S->trace_id, S->trace_len);
		}
	}
	/* 2. Each trace with something new, once (1: seen, 2: a step with
	 * context arrived, so the calls below it may change). */
	u64map seen = {0};
	for (size_t i = 0; i < b->nspans; i++) {
		span_rec *S = &b->spans[i];
		if (!fresh[i])
			continue;
		uint64_t h = hash64(S->trace_id, S->trace_len, 0x74) | 1;
		/* a step, with context or linking to one, may change the calls below */
		int64_t f = u64map_get(&seen, h) | 1 | (S->call < 0 ? 2 : 0);
		u64map_put(&seen, h, f);
	}
	for (size_t i = 0; i < b->nspans && !rc; i++) {
		span_rec *S = &b->spans[i];
		if (!fresh[i])
			continue;
		uint64_t h = hash64(S->trace_id, S->trace_len, 0x74) | 1;
		int64_t f = u64map_get(&seen, h);
		if (f & 4)
			continue;
		u64map_put(&seen, h, f | 4);
		trace_mem t = {0};
		t.new_ctx = (f & 2) != 0;
		if (trace_load(st, S->trace_id, S->trace_len, &x.bcalls, &t))
			rc = -1;
		else
			rc = settle_trace(&x, &t);
		trace_free(&t);
	}
	/* 3. A provider SDK's span alone at the root of its own trace: only
	 * where the store has ever seen one. */
	for (size_t i = 0; i < b->nspans && !rc && any_sdk_roots(st); i++) {
		span_rec *S = &b->spans[i];
		if (fresh[i] && S->call >= 0)
			rc = sdk_pass(&x, S->trace_id, S->trace_len, S->span_id, S->span_len);
	}
	/* What this batch added: the new calls that are still there; every
	 * other new LLM span joined a call. */
	uint64_t alive = 0;
	for (size_t i = 0; i < x.ncreated && !rc; i++) {
		sqlite3_stmt *s = store_stmt(st, ST_FIND_ID, "SELECT id FROM calls WHERE id=?");
		sqlite3_bind_int64(s, 1, x.created[i]);
		alive += sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
	}
	alive = alive > x.removed ? alive - x.removed : 0;
	stats->inserted += alive;
	if (x.fresh_llm > alive)
		stats->merged += x.fresh_llm - alive;
	free(x.created);
	free(seen.keys);
	free(seen.vals);
	free(x.bcalls.keys);
	free(x.bcalls.vals);
	free(x.settled);
	free(fresh);
	free(order);
	batch_rollup_up(b);
	return rc;
}

/* ---- spans of traces that never got a call -------------------------------- */

size_t sq_span_traces_pending(const store_t *st)
{
	return st->span_trace_seen.len;
}

int sq_prune_spans(store_t *st, uint64_t *pruned)
{
	*pruned = 0;
	const uint8_t *p = (const uint8_t *)st->span_traces.p, *end = p + st->span_traces.len;
	int rc = 0;
	if (p == end)
		return 0;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	while (p < end && !rc) {
		int len = *p++;
		sqlite3_stmt *s = store_stmt(st, ST_HAS_CALL_IN_TRACE,
					     "SELECT 1 FROM spans WHERE trace_id=? AND call_id IS NOT NULL LIMIT 1");
		sqlite3_bind_blob(s, 1, p, len, SQLITE_STATIC);
		int has = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
		if (!has) {
			sqlite3_stmt *d;
			if (sqlite3_prepare_v2(st->db, "DELETE FROM spans WHERE trace_id=?", -1, &d, NULL) != SQLITE_OK) {
				rc = -1;
				break;
			}
			sqlite3_bind_blob(d, 1, p, len, SQLITE_STATIC);
			if (sqlite3_step(d) != SQLITE_DONE)
				rc = -1;
			else
				*pruned += (uint64_t)sqlite3_changes(st->db);
			sqlite3_finalize(d);
		}
		p += len;
	}
	if (sqlite3_exec(st->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = -1;
	sb_free(&st->span_traces);
	free(st->span_trace_seen.keys);
	free(st->span_trace_seen.vals);
	memset(&st->span_trace_seen, 0, sizeof st->span_trace_seen);
	return rc;
}

/* ---- rollups computed again ------------------------------------------------ */

void rebuild_add(rebuild_set *r, int64_t ts_ns, int64_t dim)
{
	int64_t t = floor_to(ts_ns, NS_PER_MIN) / NS_PER_S;
	for (size_t i = 0; i < r->n; i++)
		if (r->t[i] == t && r->dim[i] == dim)
			return;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->t = xrealloc(r->t, r->cap * sizeof *r->t);
		r->dim = xrealloc(r->dim, r->cap * sizeof *r->dim);
	}
	r->t[r->n] = t;
	r->dim[r->n] = dim;
	r->n++;
}

void rebuild_free(rebuild_set *r)
{
	free(r->t);
	free(r->dim);
	memset(r, 0, sizeof *r);
}

static int write_bucket(store_t *st, int res, int64_t t, int64_t dim, rstats *s)
{
	char sql[512];
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE t=%lld AND dim=%lld", rollup_table[res], (long long)t,
		 (long long)dim);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (!s->calls)
		return 0;
	snprintf(sql, sizeof sql,
		 "INSERT INTO %s(t, dim, calls, errors, error_types, input_tokens, cached_tokens, output_tokens,"
		 " cost_nusd, unpriced, latency, ttft) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
		 rollup_table[res]);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	sbuf lat = SBUF_INIT, ttft = SBUF_INIT, errs = SBUF_INIT;
	hist_encode(&s->lat, &lat);
	hist_encode(&s->ttft, &ttft);
	ecounts_format(&s->errs, &errs);
	sqlite3_bind_int64(q, 1, t);
	sqlite3_bind_int64(q, 2, dim);
	sqlite3_bind_int64(q, 3, (int64_t)s->calls);
	sqlite3_bind_int64(q, 4, (int64_t)s->errors);
	bind_text_or_null(q, 5, errs.len ? errs.p : NULL);
	sqlite3_bind_int64(q, 6, (int64_t)s->input_tokens);
	sqlite3_bind_int64(q, 7, (int64_t)s->cached_tokens);
	sqlite3_bind_int64(q, 8, (int64_t)s->output_tokens);
	sqlite3_bind_int64(q, 9, s->cost_nusd);
	sqlite3_bind_int64(q, 10, (int64_t)s->unpriced);
	sqlite3_bind_blob(q, 11, lat.p, (int)lat.len, SQLITE_STATIC);
	sqlite3_bind_blob(q, 12, ttft.p, (int)ttft.len, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(q);
	sb_free(&lat);
	sb_free(&ttft);
	sb_free(&errs);
	return rc;
}

/* A bucket of a coarser resolution from the finer one's rows. */
static int sum_rows(store_t *st, int res, int64_t from, int64_t to, int64_t dim, rstats *s)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT calls, errors, error_types, input_tokens, cached_tokens, output_tokens, cost_nusd, unpriced,"
		 " latency, ttft FROM %s WHERE t >= %lld AND t < %lld AND dim = %lld",
		 rollup_table[res], (long long)from, (long long)to, (long long)dim);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	int rc = 0;
	while (!rc && sqlite3_step(q) == SQLITE_ROW) {
		s->calls += (uint64_t)sqlite3_column_int64(q, 0);
		s->errors += (uint64_t)sqlite3_column_int64(q, 1);
		const char *et = (const char *)sqlite3_column_text(q, 2);
		if (et && ecounts_parse_add(&s->errs, et))
			rc = -1;
		s->input_tokens += (uint64_t)sqlite3_column_int64(q, 3);
		s->cached_tokens += (uint64_t)sqlite3_column_int64(q, 4);
		s->output_tokens += (uint64_t)sqlite3_column_int64(q, 5);
		s->cost_nusd += sqlite3_column_int64(q, 6);
		s->unpriced += (uint64_t)sqlite3_column_int64(q, 7);
		if (sqlite3_column_type(q, 8) == SQLITE_BLOB &&
		    hist_merge_blob(&s->lat, sqlite3_column_blob(q, 8), (size_t)sqlite3_column_bytes(q, 8)))
			rc = -1;
		if (sqlite3_column_type(q, 9) == SQLITE_BLOB &&
		    hist_merge_blob(&s->ttft, sqlite3_column_blob(q, 9), (size_t)sqlite3_column_bytes(q, 9)))
			rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

int rollup_rebuild(store_t *st, rebuild_set *r)
{
	int rc = 0;
	for (size_t i = 0; i < r->n && !rc; i++) {
		int64_t t = r->t[i], dim = r->dim[i];
		rstats s;
		rstats_init(&s);
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db,
				       "SELECT input_tokens, cached_tokens, output_tokens, latency_ms, ttft_ms, status, error_type,"
				       " cost_nusd FROM calls WHERE ts >= ? AND ts < ? AND dim = ?",
				       -1, &q, NULL) != SQLITE_OK) {
			rstats_free(&s);
			return -1;
		}
		sqlite3_bind_int64(q, 1, t * NS_PER_S);
		sqlite3_bind_int64(q, 2, (t + 60) * NS_PER_S);
		sqlite3_bind_int64(q, 3, dim);
		while (sqlite3_step(q) == SQLITE_ROW) {
			call_t c;
			call_init(&c);
			c.input_tokens = sqlite3_column_type(q, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 0);
			c.cached_tokens = sqlite3_column_type(q, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 1);
			c.output_tokens = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 2);
			c.latency_ms = sqlite3_column_type(q, 3) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 3);
			c.ttft_ms = sqlite3_column_type(q, 4) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 4);
			c.is_error = sqlite3_column_int(q, 5) != 0;
			c.error_type = (const char *)sqlite3_column_text(q, 6);
			int64_t cost = sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 7);
			rstats_add_call(&s, &c, cost);
		}
		sqlite3_finalize(q);
		rc = write_bucket(st, RES_1M, t, dim, &s);
		rstats_free(&s);
		/* The hour and the day it is part of, from the finer rows. */
		for (int res = RES_1H; res < RES_COUNT && !rc; res++) {
			int64_t step = rollup_step_ns[res] / NS_PER_S;
			int64_t from = floor_to(t * NS_PER_S, rollup_step_ns[res]) / NS_PER_S;
			rstats_init(&s);
			rc = sum_rows(st, res - 1, from, from + step, dim, &s);
			if (!rc)
				rc = write_bucket(st, res, from, dim, &s);
			rstats_free(&s);
		}
	}
	return rc;
}
