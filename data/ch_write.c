/* The write path to ClickHouse: calls, spans, events and prompt templates of
 * a batch as JSONEachRow, gzip-compressed, sent in inserts of at most
 * CH_BATCH_ROWS rows (or CH_BATCH_BYTES bytes) a table.
 *
 * Idempotent on span id by deduplicating before the insert, not by a
 * ReplacingMergeTree: the rollups are materialized views that add up every
 * row inserted into calls, so a duplicate that a ReplacingMergeTree would
 * only remove at some later merge would count twice in the rollups for
 * ever (and every read of calls would need FINAL). Before rows are buffered,
 * one query asks which of the batch's span ids the calls table already holds
 * (within the batch's time range: a span sent again starts at the same
 * time, and calls are ordered by time, so the question reads a range, not
 * the table); ids already buffered and repeats inside the batch are caught
 * here. Two processes writing the same spans into one database at the same
 * moment can both find them new: run one writer per database (the import or
 * the receiver), as with the SQLite store.
 *
 * Spans, events and prompt templates are ReplacingMergeTree tables keyed on
 * their identity: nothing sums them, so a repeat is harmless and disappears
 * when the parts merge (readers use FINAL on a trace's few rows).
 *
 * The layers of one provider request are merged as the SQLite store merges
 * them, within a batch: LLM spans that nest (a child directly under its
 * parent, a parent taking at most one) are one call, with the ids of the
 * outermost span, the tokens, response model, latency and time to first
 * token of the span closest to the wire, the best-founded error, the
 * richest messages; what a call does not say itself (prompt, feature, user,
 * session, variables) comes from the nearest step above it that says it, the
 * feature last from the service's name. Every layer's span row names the
 * call it is part of (call_span_id).
 *
 * What the SQLite store does and this does not: it also merges layers that
 * arrive in different batches (another file, a later export), joins a
 * provider SDK's span that sits alone at the root of a trace of its own to
 * the call another layer recorded, and fills a call's content from GenAI
 * events that arrive apart from it; here such spans stay calls of their own
 * and the events are stored (span_events) for the reader to join. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/demo.h"
#include "../core/hist.h"
#include "../core/map.h"
#include "ch_internal.h"

/* An insert's body grows until this many bytes, then is sent. */
#define CH_BATCH_BYTES (64u << 20)
/* A question of which span ids exist stays well under the server's
 * max_query_size (256 KiB). */
#define CH_IN_LIST_BYTES (160u << 10)

enum { W_CALLS, W_SPANS, W_EVENTS, W_PROMPTS, W_COUNT };
static const char *const w_table[W_COUNT] = {"calls", "spans", "span_events", "prompt_versions"};

struct ch_wbuf {
	sbuf rows[W_COUNT];
	size_t n[W_COUNT];
	strmap pending; /* span ids buffered in calls, not yet sent */
};

static ch_wbuf *wbuf(ch_conn *c)
{
	if (!c->w) {
		c->w = xcalloc(1, sizeof *c->w);
		strmap_init(&c->w->pending);
	}
	return c->w;
}

void ch_write_free(ch_conn *c)
{
	if (!c->w)
		return;
	for (int i = 0; i < W_COUNT; i++)
		sb_free(&c->w->rows[i]);
	strmap_free(&c->w->pending, NULL);
	free(c->w);
	c->w = NULL;
}

static void hex_id(const uint8_t *b, uint8_t len, char *out)
{
	hex_encode(b, len, out);
}

static void put_s(sbuf *o, const char *k, const char *v, int first)
{
	sb_printf(o, "%s\"%s\":", first ? "" : ",", k);
	json_escape(o, v ? v : "");
}

static void put_i(sbuf *o, const char *k, long long v)
{
	sb_printf(o, ",\"%s\":%lld", k, v);
}

static void put_u(sbuf *o, const char *k, unsigned long long v)
{
	sb_printf(o, ",\"%s\":%llu", k, v);
}

static void put_f(sbuf *o, const char *k, double v)
{
	sb_printf(o, ",\"%s\":%.17g", k, v);
}

static void call_row(sbuf *o, const call_t *c)
{
	char tr[2 * CALL_ID_MAX + 1], sp[2 * CALL_ID_MAX + 1];
	hex_id(c->trace_id, c->trace_len, tr);
	hex_id(c->span_id, c->span_len, sp);
	sb_addc(o, '{');
	put_s(o, "trace_id", tr, 1);
	put_s(o, "span_id", sp, 0);
	put_i(o, "ts", (long long)c->ts_ns);
	put_s(o, "provider", c->provider, 0);
	put_s(o, "model", c->model, 0);
	put_s(o, "request_model", c->request_model, 0);
	put_s(o, "operation", c->operation, 0);
	put_s(o, "prompt_name", c->prompt_name, 0);
	put_s(o, "prompt_version", c->prompt_version, 0);
	put_s(o, "feature", c->feature, 0);
	put_s(o, "user_id", c->user_id, 0);
	put_s(o, "session_id", c->session_id, 0);
	put_i(o, "input_tokens", (long long)(c->input_tokens < 0 ? -1 : c->input_tokens));
	put_i(o, "cached_tokens", (long long)(c->cached_tokens < 0 ? -1 : c->cached_tokens));
	put_i(o, "output_tokens", (long long)(c->output_tokens < 0 ? -1 : c->output_tokens));
	double lat = c->latency_ms >= 0 ? c->latency_ms : -1, ttft = c->ttft_ms >= 0 ? c->ttft_ms : -1;
	put_f(o, "latency_ms", lat);
	put_f(o, "ttft_ms", ttft);
	put_u(o, "lat_bucket", lat >= 0 ? hist_bucket_index(lat) : 0);
	put_u(o, "ttft_bucket", ttft >= 0 ? hist_bucket_index(ttft) : 0);
	put_i(o, "status", c->is_error ? 1 : 0);
	put_s(o, "error_type", c->is_error ? c->error_type : NULL, 0);
	put_s(o, "error_message", c->error_message, 0);
	put_i(o, "cost_nusd", (long long)(c->cost < 0 ? -1 : c->cost));
	put_u(o, "dim", (unsigned long long)c->dim_hash);
	put_s(o, "input", c->input, 0);
	put_s(o, "output", c->output, 0);
	put_s(o, "variables", c->variables, 0);
	put_s(o, "attrs", c->attrs, 0);
	put_s(o, "thinking", c->thinking, 0);
	sb_adds(o, "}\n");
}

static void span_row(sbuf *o, const span_rec *s, const char *call_span)
{
	char tr[2 * CALL_ID_MAX + 1], sp[2 * CALL_ID_MAX + 1], pa[2 * CALL_ID_MAX + 1];
	hex_id(s->trace_id, s->trace_len, tr);
	hex_id(s->span_id, s->span_len, sp);
	hex_id(s->parent_id, s->parent_len, pa);
	sb_addc(o, '{');
	put_s(o, "trace_id", tr, 1);
	put_s(o, "span_id", sp, 0);
	put_s(o, "parent_id", pa, 0);
	put_s(o, "name", s->name, 0);
	put_i(o, "kind", s->kind);
	put_s(o, "scope", s->scope, 0);
	put_s(o, "service", s->service, 0);
	put_i(o, "start_ns", (long long)s->start_ns);
	put_i(o, "end_ns", (long long)(s->end_ns < 0 ? -1 : s->end_ns));
	put_i(o, "status", s->status);
	put_s(o, "status_message", s->status_message, 0);
	put_i(o, "is_llm", s->call >= 0);
	put_s(o, "call_span_id", call_span, 0);
	put_s(o, "ctx", s->ctx, 0);
	put_s(o, "attrs", s->attrs, 0);
	sb_adds(o, "}\n");
}

static void event_row(sbuf *o, const span_event_t *e)
{
	char tr[2 * CALL_ID_MAX + 1], sp[2 * CALL_ID_MAX + 1];
	hex_id(e->trace_id, e->trace_len, tr);
	hex_id(e->span_id, e->span_len, sp);
	const char *body = e->body ? e->body : "";
	sb_addc(o, '{');
	put_s(o, "trace_id", tr, 1);
	put_s(o, "span_id", sp, 0);
	put_i(o, "ts", (long long)e->ts_ns);
	put_s(o, "name", e->name, 0);
	put_s(o, "body", body, 0);
	/* The SQLite store's event key, so that both stores see the same events
	 * as repeats. */
	put_u(o, "hash", (unsigned long long)(hash64(body, strlen(body), 3) >> 1));
	sb_adds(o, "}\n");
}

static void prompt_row(sbuf *o, const call_t *c)
{
	sb_addc(o, '{');
	put_s(o, "name", c->prompt_name, 1);
	put_s(o, "version", c->prompt_version, 0);
	put_s(o, "template", c->prompt_template, 0);
	put_s(o, "source", "trace", 0);
	put_i(o, "created_at", (long long)c->ts_ns);
	sb_adds(o, "}\n");
}


/* ---- layers of one request ---------------------------------------------- */

typedef struct layers {
	long *up;        /* a span's parent in the batch, -1 none */
	long *inner;     /* the nested LLM span it took, -1 none */
	uint8_t *outer;  /* it was taken by its parent */
	call_t *calls;   /* what is written: one a request */
	long *head;      /* for each span: the outermost span of its call, -1 */
	size_t n;
} layers;

static void span_key(const span_rec *s, const uint8_t *span, uint8_t len, char *out)
{
	hex_id(s->trace_id, s->trace_len, out);
	size_t k = strlen(out);
	out[k++] = ':';
	hex_id(span, len, out + k);
}

static int cmp_start(const void *a, const void *b, void *ud)
{
	const span_rec *v = ud;
	const span_rec *x = &v[*(const long *)a], *y = &v[*(const long *)b];
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	int n = x->span_len < y->span_len ? x->span_len : y->span_len;
	int d = memcmp(x->span_id, y->span_id, (size_t)n);
	return d ? d : (int)x->span_len - (int)y->span_len;
}

static const char *longest(const char *a, const char *b)
{
	return (b ? strlen(b) : 0) > (a ? strlen(a) : 0) ? b : a;
}

/* m: the members' calls, outermost first. */
static void merge(call_t *const *m, size_t n, call_t *out)
{
	*out = *m[0];
	out->latency_ms = m[0]->latency_ms;
	for (size_t i = n; i-- > 0;)
		if (m[i]->latency_ms >= 0) { /* the span closest to the wire */
			out->ts_ns = m[i]->ts_ns;
			out->latency_ms = m[i]->latency_ms;
			break;
		}
	out->ttft_ms = -1;
	for (size_t i = n; i-- > 0 && out->ttft_ms < 0;)
		out->ttft_ms = m[i]->ttft_ms;
#define PICK(f)                                                \
	do {                                                   \
		out->f = NULL;                                 \
		for (size_t i = n; i-- > 0 && !out->f;)        \
			if (m[i]->f && *m[i]->f)               \
				out->f = m[i]->f;              \
	} while (0)
	PICK(provider);
	PICK(request_model);
	PICK(operation);
	PICK(feature);
	PICK(user_id);
	PICK(session_id);
	PICK(variables);
	PICK(thinking);
	PICK(prompt_template);
#undef PICK
	out->model = NULL;
	for (size_t i = n; i-- > 0 && !out->model;)
		if (m[i]->model_from_response && m[i]->model)
			out->model = m[i]->model;
	for (size_t i = n; i-- > 0 && !out->model;)
		if (m[i]->model && strcmp(m[i]->model, "(unknown)"))
			out->model = m[i]->model;
	if (!out->model)
		out->model = "(unknown)";
	out->input_tokens = out->cached_tokens = out->output_tokens = -1;
	out->has_cost = 0;
	for (size_t i = n; i-- > 0;) {
		if (out->input_tokens < 0 && m[i]->input_tokens >= 0)
			out->input_tokens = m[i]->input_tokens;
		if (out->cached_tokens < 0 && m[i]->cached_tokens >= 0)
			out->cached_tokens = m[i]->cached_tokens;
		if (out->output_tokens < 0 && m[i]->output_tokens >= 0)
			out->output_tokens = m[i]->output_tokens;
		if (!out->has_cost && m[i]->has_cost) {
			out->has_cost = 1;
			out->cost_nusd = m[i]->cost_nusd;
		}
	}
	long best = -1;
	out->is_error = 0;
	for (size_t i = n; i-- > 0;) {
		if (!m[i]->is_error)
			continue;
		out->is_error = 1;
		if (best < 0 || m[i]->error_rank > m[best]->error_rank)
			best = (long)i;
	}
	out->error_type = out->error_message = NULL;
	if (best >= 0) {
		out->error_type = m[best]->error_type;
		out->error_rank = m[best]->error_rank;
		out->error_message = m[best]->error_message;
		for (size_t i = n; i-- > 0 && !out->error_message;)
			out->error_message = m[i]->error_message;
	}
	/* A prompt's name and version belong together. */
	out->prompt_name = out->prompt_version = NULL;
	for (size_t i = n; i-- > 0;)
		if (m[i]->prompt_name) {
			out->prompt_name = m[i]->prompt_name;
			out->prompt_version = m[i]->prompt_version;
			break;
		}
	for (size_t i = n; i-- > 0 && !out->prompt_name && !out->prompt_version;)
		if (m[i]->prompt_version && *m[i]->prompt_version)
			out->prompt_version = m[i]->prompt_version;
	out->input = out->output = out->attrs = NULL;
	for (size_t i = 0; i < n; i++) {
		out->input = longest(out->input, m[i]->input);
		out->output = longest(out->output, m[i]->output);
		out->attrs = longest(out->attrs, m[i]->attrs);
	}
}

static const char *ctx_s(const cJSON *o, const char *k, arena_t *ar)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && v->valuestring[0] ? arena_strdup(ar, v->valuestring) : NULL;
}

/* What the steps above pass down: the nearest first, a field at a time. */
static void inherit(call_t *c, const batch_t *b, const long *up, long from, arena_t *ar)
{
	const char *service = NULL;
	for (long p = from, hops = 0; p >= 0 && hops <= (long)b->nspans; p = up[p], hops++) {
		const span_rec *s = &b->spans[p];
		if (!service && s->service && *s->service)
			service = s->service;
		if (!s->ctx)
			continue;
		cJSON *o = cJSON_Parse(s->ctx);
		if (!c->prompt_name) {
			const char *pn = ctx_s(o, "prompt_name", ar);
			if (pn) {
				c->prompt_name = pn;
				c->prompt_version = ctx_s(o, "prompt_version", ar);
			}
		}
		if (!c->feature)
			c->feature = ctx_s(o, "feature", ar);
		if (!c->user_id)
			c->user_id = ctx_s(o, "user_id", ar);
		if (!c->session_id)
			c->session_id = ctx_s(o, "session_id", ar);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "variables");
		if (!c->variables && cJSON_IsObject(v)) {
			char *t = cJSON_PrintUnformatted(v);
			c->variables = arena_strdup(ar, t);
			free(t);
		}
		cJSON_Delete(o);
	}
	if (!c->feature && service)
		c->feature = arena_strdup(ar, service);
}

static void layers_free(layers *l)
{
	free(l->up);
	free(l->inner);
	free(l->outer);
	free(l->calls);
	free(l->head);
	memset(l, 0, sizeof *l);
}

/* The calls to write: one a request, its layers merged. */
static void layers_build(batch_t *b, pricing_t *prices, layers *l, ingest_stats *stats)
{
	size_t ns = b->nspans;
	l->up = xmalloc((ns ? ns : 1) * sizeof *l->up);
	l->inner = xmalloc((ns ? ns : 1) * sizeof *l->inner);
	l->outer = xcalloc(ns ? ns : 1, 1);
	l->head = xmalloc((ns ? ns : 1) * sizeof *l->head);
	l->calls = xmalloc((b->n ? b->n : 1) * sizeof *l->calls);
	l->n = 0;
	strmap ids;
	strmap_init(&ids);
	char key[4 * CALL_ID_MAX + 2];
	for (size_t i = 0; i < ns; i++) {
		span_key(&b->spans[i], b->spans[i].span_id, b->spans[i].span_len, key);
		strmap_put(&ids, key, (void *)(intptr_t)(i + 1));
		l->inner[i] = l->head[i] = -1;
	}
	long *llm = xmalloc((ns ? ns : 1) * sizeof *llm);
	size_t nllm = 0;
	for (size_t i = 0; i < ns; i++) {
		const span_rec *s = &b->spans[i];
		l->up[i] = -1;
		if (s->parent_len) {
			span_key(s, s->parent_id, s->parent_len, key);
			intptr_t p = (intptr_t)strmap_get(&ids, key);
			if (p && (size_t)(p - 1) != i)
				l->up[i] = (long)(p - 1);
		}
		if (s->call >= 0 && (size_t)s->call < b->n)
			llm[nllm++] = (long)i;
	}
	strmap_free(&ids, NULL);
	/* In time order, so that of several nested LLM spans the first is the
	 * one its parent takes, whatever order the file gave them in. */
	qsort_r(llm, nllm, sizeof *llm, cmp_start, b->spans);
	for (size_t k = 0; k < nllm; k++) {
		long i = llm[k], p = l->up[i];
		if (p >= 0 && b->spans[p].call >= 0 && (size_t)b->spans[p].call < b->n && l->inner[p] < 0) {
			l->inner[p] = i;
			l->outer[i] = 1;
		}
	}
	call_t **m = xmalloc((nllm ? nllm : 1) * sizeof *m);
	uint8_t *done = xcalloc(b->n ? b->n : 1, 1);
	for (size_t k = 0; k < nllm; k++) {
		long i = llm[k];
		if (l->outer[i])
			continue;
		size_t n = 0;
		for (long j = i; j >= 0 && n < nllm; j = l->inner[j]) {
			m[n++] = &b->calls[b->spans[j].call];
			done[b->spans[j].call] = 1;
			l->head[j] = i;
		}
		call_t *c = &l->calls[l->n++];
		if (n > 1) {
			merge(m, n, c);
			stats->merged += n - 1;
		} else {
			*c = *m[0];
		}
		/* The ids of the outermost span. */
		memcpy(c->span_id, b->spans[i].span_id, b->spans[i].span_len);
		c->span_len = b->spans[i].span_len;
		memcpy(c->trace_id, b->spans[i].trace_id, b->spans[i].trace_len);
		c->trace_len = b->spans[i].trace_len;
		inherit(c, b, l->up, l->up[i], &b->arena);
		call_price(c, prices);
	}
	/* Calls that no span carries (JSONL, llm's logs.db) as they are. */
	for (size_t i = 0; i < b->n; i++)
		if (!done[i])
			l->calls[l->n++] = b->calls[i];
	free(done);
	free(m);
	free(llm);
}

static int flush_table(ch_conn *c, int t, char *err, size_t errlen)
{
	ch_wbuf *w = wbuf(c);
	if (!w->n[t])
		return 0;
	char sql[128];
	snprintf(sql, sizeof sql, "INSERT INTO %s FORMAT JSONEachRow", w_table[t]);
	int rc = ch_insert(c, sql, w->rows[t].p, w->rows[t].len, err, errlen);
	/* Sent or refused, the rows leave the buffer: a failed import is run
	 * again whole, and what did land is then found and skipped. */
	sb_reset(&w->rows[t]);
	w->n[t] = 0;
	if (t == W_CALLS) {
		strmap_free(&w->pending, NULL);
		strmap_init(&w->pending);
	}
	return rc;
}

int ch_flush(ch_conn *c, char *err, size_t errlen)
{
	/* Spans, events and templates first: once a call is readable, its
	 * trace and content are there too. */
	int rc = 0;
	for (int t = W_SPANS; t < W_COUNT; t++)
		if (flush_table(c, t, rc ? NULL : err, rc ? 0 : errlen))
			rc = -1;
	if (flush_table(c, W_CALLS, rc ? NULL : err, rc ? 0 : errlen))
		rc = -1;
	return rc;
}

static int full(const ch_wbuf *w, int t)
{
	return w->n[t] >= CH_BATCH_ROWS || w->rows[t].len >= CH_BATCH_BYTES;
}

typedef struct exist_ud {
	strmap *found;
} exist_ud;

static int exist_row(void *ud, char **cols, int ncols)
{
	exist_ud *u = ud;
	if (ncols > 0 && cols[0])
		strmap_put(u->found, cols[0], (void *)1);
	return 0;
}

/* Which of the batch's span ids the calls table holds, into found. */
static int existing(ch_conn *c, const call_t *calls, size_t n, char (*ids)[2 * CALL_ID_MAX + 1], strmap *found,
		    char *err, size_t errlen)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		if (calls[i].ts_ns < lo)
			lo = calls[i].ts_ns;
		if (calls[i].ts_ns > hi)
			hi = calls[i].ts_ns;
	}
	sbuf q = SBUF_INIT;
	exist_ud u = {found};
	int rc = 0;
	size_t i = 0;
	while (i < n && !rc) {
		sb_reset(&q);
		sb_printf(&q, "SELECT span_id FROM calls WHERE ts >= %lld AND ts <= %lld AND span_id IN (", (long long)lo,
			  (long long)hi);
		size_t first = i;
		for (; i < n && q.len < CH_IN_LIST_BYTES; i++) {
			if (i > first)
				sb_addc(&q, ',');
			ch_quote(&q, ids[i]);
		}
		sb_addc(&q, ')');
		rc = ch_select(c, q.p, exist_row, &u, err, errlen);
	}
	sb_free(&q);
	return rc;
}

int ch_ingest(ch_conn *c, batch_t *b, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen)
{
	ingest_stats local = {0};
	if (!stats)
		stats = &local;
	if (!b->prepared)
		batch_prepare(b, prices);
	ch_wbuf *w = wbuf(c);
	layers l;
	layers_build(b, prices, &l, stats);
	char (*ids)[2 * CALL_ID_MAX + 1] = xmalloc((l.n ? l.n : 1) * sizeof *ids);
	for (size_t i = 0; i < l.n; i++)
		hex_id(l.calls[i].span_id, l.calls[i].span_len, ids[i]);
	strmap found;
	strmap_init(&found);
	int rc = l.n ? existing(c, l.calls, l.n, ids, &found, err, errlen) : 0;
	for (size_t i = 0; i < l.n && !rc; i++) {
		const call_t *call = &l.calls[i];
		if (strmap_get(&found, ids[i]) || strmap_get(&w->pending, ids[i])) {
			stats->duplicates++;
			continue;
		}
		strmap_put(&w->pending, ids[i], (void *)1);
		call_row(&w->rows[W_CALLS], call);
		w->n[W_CALLS]++;
		stats->inserted++;
		if (call->prompt_template && call->prompt_name && call->prompt_version) {
			prompt_row(&w->rows[W_PROMPTS], call);
			w->n[W_PROMPTS]++;
		}
	}
	strmap_free(&found, NULL);
	free(ids);
	for (size_t i = 0; i < b->nspans && !rc; i++) {
		char call_span[2 * CALL_ID_MAX + 1] = "";
		if (l.head[i] >= 0)
			hex_id(b->spans[l.head[i]].span_id, b->spans[l.head[i]].span_len, call_span);
		span_row(&w->rows[W_SPANS], &b->spans[i], call_span);
		w->n[W_SPANS]++;
		if (b->spans[i].call < 0)
			stats->spans++;
	}
	layers_free(&l);
	for (size_t i = 0; i < b->nev && !rc; i++) {
		event_row(&w->rows[W_EVENTS], &b->events[i]);
		w->n[W_EVENTS]++;
		stats->events++;
	}
	if (rc)
		return -1;
	for (int t = 0; t < W_COUNT; t++)
		if (full(w, t) && (t == W_CALLS ? ch_flush(c, err, errlen) : flush_table(c, t, err, errlen)))
			return -1;
	return 0;
}
