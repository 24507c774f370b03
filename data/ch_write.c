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
 * them: LLM spans that nest (a child directly under its parent, a parent
 * taking at most one) are one call, with the ids of the outermost span, the
 * tokens, response model, latency and time to first token of the span
 * closest to the wire, the best-founded error, the richest messages; what a
 * call does not say itself (prompt, feature, user, session, variables)
 * comes from the nearest step above it that says it, the feature last from
 * the service's name; a provider SDK's span alone at the root of a trace of
 * its own (Langfuse) joins the call of another layer with the same provider,
 * model and tokens whose time holds it. Every layer's span row names the
 * call it is part of (call_span_id).
 *
 * Layers arrive in different batches (another scope, a later export), and a
 * call row, once written, is summed by the rollups for ever. So the LLM
 * spans of a trace are held back (copies, with the steps of their traces
 * for the context they pass down; a step's own row is written at once)
 * until ch_settle: at the end of an import of a file, and in the receiver
 * once no span of the trace came for CH_HOLD_S seconds (or beyond
 * CH_HOLD_SPANS / CH_HOLD_BYTES held, the traces the latest batch did not
 * bring). Then the spans the server already holds of those traces are read
 * back: a request some layer of which is stored with its call keeps that
 * call (the new layers' rows name it; no call row), and a group of new
 * layers alone that matches a stored call as the SDK's root span above
 * does joins it the same way. What cannot be done without updating a call:
 * such a call keeps the ids, tokens, model, latency, error and context of
 * the layers it was first written from, where the SQLite store would merge
 * the late layer in. A stored layer whose call is not in the calls table
 * (an import that failed between the two inserts) does not count: sent
 * again it is new, else it is a step. A new call that carries no content
 * of its own takes it from its span's GenAI events on the server (sent
 * before it, or while it was held: the buffer is sent before settling);
 * events that come after it was written stay in span_events, and a read of
 * the call joins them (ch_read.c). */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/demo.h"
#include "../core/genai.h"
#include "../core/hist.h"
#include "../core/map.h"
#include "ch_internal.h"
#include "trace.h"

/* An insert's body grows until this many bytes, then is sent. */
#define CH_BATCH_BYTES (64u << 20)
/* A question of which span ids exist stays well under the server's
 * max_query_size (256 KiB). */
#define CH_IN_LIST_BYTES (160u << 10)

enum { W_CALLS, W_SPANS, W_EVENTS, W_PROMPTS, W_COUNT };
static const char *const w_table[W_COUNT] = {"calls", "spans", "span_events", "prompt_versions"};

/* A trace whose spans are held back. */
typedef struct held_trace {
	double last;  /* clock_mono() when a span of it last arrived */
	unsigned gen; /* the ch_ingest that brought it last */
} held_trace;

struct ch_wbuf {
	sbuf rows[W_COUNT];
	size_t n[W_COUNT];
	strmap pending; /* span ids buffered in calls, not yet sent */
	/* Copies of the spans of traces whose LLM spans wait for their other
	 * layers (a step's row is written at once; its copy is kept for the
	 * context it passes down), and of those LLM spans' calls. */
	batch_t held;
	strmap traces; /* a held trace's id (hex) -> 1 + its index in tr */
	held_trace *tr;
	size_t ntr, trcap;
	unsigned gen;
	double idle_at; /* clock_mono() of the last look for idle traces */
	int has_events; /* span_events holds rows: -1 not asked yet */
	pricing_t *prices; /* the last ch_ingest's */
};

static ch_wbuf *wbuf(ch_conn *c)
{
	if (!c->w) {
		c->w = xcalloc(1, sizeof *c->w);
		c->w->has_events = -1;
		strmap_init(&c->w->pending);
		strmap_init(&c->w->traces);
	}
	return c->w;
}

void ch_write_free(ch_conn *c)
{
	if (!c->w)
		return;
	/* What still waits for other layers is written as it is. */
	if (c->w->held.nspans)
		ch_settle(c, 1, NULL, NULL, NULL, 0);
	for (int i = 0; i < W_COUNT; i++)
		sb_free(&c->w->rows[i]);
	strmap_free(&c->w->pending, NULL);
	strmap_free(&c->w->traces, NULL);
	batch_free(&c->w->held);
	free(c->w->tr);
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

/* What the server already holds of a span being settled. */
enum { S_NEW, S_STORED, S_AGAIN }; /* not there; read back from there; there, and sent again */

typedef struct settle_t {
	batch_t *b;
	uint8_t *st;                       /* per span: S_* */
	char (*call)[2 * CALL_ID_MAX + 1]; /* per span: the stored call it is part of ("" none) */
	size_t cap;
} settle_t;

typedef struct layers {
	long *up;        /* a span's parent, -1 none */
	long *inner;     /* the nested LLM span it took, -1 none */
	uint8_t *outer;  /* it was taken by its parent */
	long *head;      /* for each span: the outermost span of its call, -1 */
	long *llm;       /* the LLM spans, by start */
	size_t nllm;
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

static void layers_free(layers *l)
{
	free(l->up);
	free(l->inner);
	free(l->outer);
	free(l->head);
	free(l->llm);
	memset(l, 0, sizeof *l);
}

static int is_llm(const batch_t *b, long i)
{
	return b->spans[i].call >= 0 && (size_t)b->spans[i].call < b->n;
}

/* Which LLM spans are layers of one request: LLM spans that nest (a child
 * directly under its parent, a parent taking at most one). A child that is
 * part of its parent's call on the server stays so; a child and a parent
 * that are parts of two different stored calls are not joined. */
static void layers_build(const settle_t *x, layers *l)
{
	const batch_t *b = x->b;
	size_t ns = b->nspans, one = ns ? ns : 1;
	l->up = xmalloc(one * sizeof *l->up);
	l->inner = xmalloc(one * sizeof *l->inner);
	l->outer = xcalloc(one, 1);
	l->head = xmalloc(one * sizeof *l->head);
	l->llm = xmalloc(one * sizeof *l->llm);
	l->nllm = 0;
	strmap ids;
	strmap_init(&ids);
	char key[4 * CALL_ID_MAX + 2];
	for (size_t i = 0; i < ns; i++) {
		span_key(&b->spans[i], b->spans[i].span_id, b->spans[i].span_len, key);
		if (!strmap_get(&ids, key))
			strmap_put(&ids, key, (void *)(intptr_t)(i + 1));
		l->inner[i] = l->head[i] = -1;
	}
	for (size_t i = 0; i < ns; i++) {
		const span_rec *s = &b->spans[i];
		l->up[i] = -1;
		if (s->parent_len) {
			span_key(s, s->parent_id, s->parent_len, key);
			intptr_t p = (intptr_t)strmap_get(&ids, key);
			if (p && (size_t)(p - 1) != i)
				l->up[i] = (long)(p - 1);
		}
		if (is_llm(b, (long)i))
			l->llm[l->nllm++] = (long)i;
	}
	strmap_free(&ids, NULL);
	/* In time order, so that of several nested LLM spans the first is the
	 * one its parent takes, whatever order the file gave them in. */
	qsort_r(l->llm, l->nllm, sizeof *l->llm, cmp_start, b->spans);
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < l->nllm; k++) {
			long i = l->llm[k], p = l->up[i];
			if (l->outer[i] || p < 0 || !is_llm(b, p) || l->inner[p] >= 0)
				continue;
			int both = x->call[i][0] && x->call[p][0], same = both && !strcmp(x->call[i], x->call[p]);
			if (pass == 0 ? !same : both && !same)
				continue;
			l->inner[p] = i;
			l->outer[i] = 1;
		}
	for (size_t k = 0; k < l->nllm; k++) {
		long i = l->llm[k];
		if (l->outer[i])
			continue;
		size_t n = 0;
		for (long j = i; j >= 0 && n < l->nllm; j = l->inner[j], n++)
			l->head[j] = i;
	}
	/* A loop of parents has no outermost span: each is a call of its own. */
	for (size_t k = 0; k < l->nllm; k++) {
		long i = l->llm[k];
		if (l->head[i] < 0) {
			l->head[i] = i;
			l->inner[i] = -1;
			l->outer[i] = 0;
		}
	}
}

/* ---- what the server holds of the traces being settled ------------------- */

typedef struct found_ud {
	strmap *found;
} found_ud;

static int found_row(void *ud, char **cols, int ncols)
{
	found_ud *u = ud;
	if (ncols > 0 && cols[0])
		strmap_put(u->found, cols[0], (void *)1);
	return 0;
}

/* SELECT head IN ('id', ...) over ids in as many queries as keep each under
 * the server's max_query_size; the rows to fn. */
static int select_in(ch_conn *c, const char *head, char (*ids)[2 * CALL_ID_MAX + 1], size_t n, ch_row_fn fn,
		     void *ud, char *err, size_t errlen)
{
	sbuf q = SBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		sb_reset(&q);
		sb_adds(&q, head);
		size_t first = i;
		for (; i < n && q.len < CH_IN_LIST_BYTES; i++) {
			if (i > first)
				sb_addc(&q, ',');
			ch_quote(&q, ids[i]);
		}
		sb_addc(&q, ')');
		rc = ch_select(c, q.p, fn, ud, err, errlen);
	}
	sb_free(&q);
	return rc;
}

/* Which of ids the calls table holds (their calls start within lo..hi),
 * into found. */
static int existing(ch_conn *c, int64_t lo, int64_t hi, char (*ids)[2 * CALL_ID_MAX + 1], size_t n, strmap *found,
		    char *err, size_t errlen)
{
	found_ud u = {found};
	char head[128];
	snprintf(head, sizeof head, "SELECT span_id FROM calls WHERE ts >= %lld AND ts <= %lld AND span_id IN (",
		 (long long)lo, (long long)hi);
	return select_in(c, head, ids, n, found_row, &u, err, errlen);
}

static void settle_grow(settle_t *x)
{
	if (x->b->nspans <= x->cap)
		return;
	size_t cap = x->b->nspans * 2;
	x->st = xrealloc(x->st, cap);
	x->call = xrealloc(x->call, cap * sizeof *x->call);
	memset(x->st + x->cap, S_NEW, cap - x->cap);
	memset(x->call + x->cap, 0, (cap - x->cap) * sizeof *x->call);
	x->cap = cap;
}

typedef struct stored_ud {
	settle_t *x;
	strmap *at;  /* trace:span -> 1 + index in the batch */
	size_t n0;   /* the spans that came to be settled */
} stored_ud;

static const char *nonempty(arena_t *a, const char *s)
{
	return s && *s ? arena_strdup(a, s) : NULL;
}

/* A span row of a trace being settled: trace_id, span_id, parent_id,
 * is_llm, call_span_id, scope, service, ctx, start_ns, end_ns. */
static int stored_row(void *ud, char **cols, int ncols)
{
	stored_ud *u = ud;
	settle_t *x = u->x;
	batch_t *b = x->b;
	if (ncols < 10 || !cols[0] || !cols[1] || !cols[4])
		return 0;
	int llm = cols[3] && !strcmp(cols[3], "1") && cols[4][0] && strlen(cols[4]) <= 2 * CALL_ID_MAX;
	char key[4 * CALL_ID_MAX + 2];
	snprintf(key, sizeof key, "%s:%s", cols[0], cols[1]);
	intptr_t at = (intptr_t)strmap_get(u->at, key);
	if (at) {
		size_t i = (size_t)at - 1;
		/* Sent again: its call is on the server already. */
		if (i < u->n0 && llm && is_llm(b, (long)i) && x->st[i] == S_NEW) {
			x->st[i] = S_AGAIN;
			snprintf(x->call[i], sizeof x->call[i], "%s", cols[4]);
		}
		return 0;
	}
	span_rec *s = batch_add_span(b);
	if (call_set_id(s->trace_id, &s->trace_len, cols[0]) || call_set_id(s->span_id, &s->span_len, cols[1]) ||
	    (cols[2] && cols[2][0] && call_set_id(s->parent_id, &s->parent_len, cols[2]))) {
		b->nspans--;
		return 0;
	}
	s->scope = nonempty(&b->arena, cols[5]);
	s->service = nonempty(&b->arena, cols[6]);
	s->ctx = nonempty(&b->arena, cols[7]);
	s->start_ns = cols[8] ? strtoll(cols[8], NULL, 10) : 0;
	s->end_ns = cols[9] ? strtoll(cols[9], NULL, 10) : -1;
	size_t i = b->nspans - 1;
	settle_grow(x);
	x->st[i] = S_STORED;
	if (llm) {
		/* A stand-in: a stored layer's call is never written again. */
		call_t *c = batch_add_call(b);
		call_init(c);
		memcpy(c->trace_id, s->trace_id, s->trace_len);
		c->trace_len = s->trace_len;
		memcpy(c->span_id, s->span_id, s->span_len);
		c->span_len = s->span_len;
		c->ts_ns = s->start_ns;
		c->span = (long)i;
		s->call = (long)b->n - 1;
		snprintf(x->call[i], sizeof x->call[i], "%s", cols[4]);
	}
	strmap_put(u->at, key, (void *)(intptr_t)(i + 1));
	return 0;
}

/* The spans the server holds of the batch's traces that have an LLM span,
 * appended to the batch (S_STORED); spans sent again marked S_AGAIN. A
 * stored layer whose call is not in the calls table (an import that failed
 * between the two inserts) does not count: sent again, it is new; else it
 * is only a step. A span held twice (sent again while held) is kept once. */
static int load_stored(ch_conn *c, settle_t *x, ingest_stats *stats, char *err, size_t errlen)
{
	batch_t *b = x->b;
	size_t n0 = b->nspans;
	strmap at, traces;
	strmap_init(&at);
	strmap_init(&traces);
	char key[4 * CALL_ID_MAX + 2], tr[2 * CALL_ID_MAX + 1];
	char (*tids)[2 * CALL_ID_MAX + 1] = xmalloc((n0 ? n0 : 1) * sizeof *tids);
	size_t nt = 0;
	for (size_t i = 0; i < n0; i++) {
		const span_rec *s = &b->spans[i];
		span_key(s, s->span_id, s->span_len, key);
		if (strmap_get(&at, key)) {
			/* The same span twice (an exporter's retry): once. */
			if (is_llm(b, (long)i))
				stats->duplicates++;
			b->spans[i].call = -1;
			x->st[i] = S_STORED;
			continue;
		}
		strmap_put(&at, key, (void *)(intptr_t)(i + 1));
		hex_id(s->trace_id, s->trace_len, tr);
		if (is_llm(b, (long)i) && !strmap_get(&traces, tr)) {
			strmap_put(&traces, tr, (void *)1);
			memcpy(tids[nt++], tr, sizeof tr);
		}
	}
	stored_ud u = {x, &at, n0};
	int rc = select_in(c,
			   "SELECT trace_id, span_id, parent_id, is_llm, call_span_id, scope, service, ctx, start_ns, end_ns"
			   " FROM spans WHERE trace_id IN (",
			   tids, nt, stored_row, &u, err, errlen);
	free(tids);
	strmap_free(&at, NULL);
	strmap_free(&traces, NULL);
	/* Are the stored layers' calls there? */
	size_t ns = b->nspans, nid = 0;
	char (*ids)[2 * CALL_ID_MAX + 1] = xmalloc((ns ? ns : 1) * sizeof *ids);
	strmap want, found;
	strmap_init(&want);
	strmap_init(&found);
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < ns; i++) {
		if (!x->call[i][0])
			continue;
		if (b->spans[i].start_ns < lo)
			lo = b->spans[i].start_ns;
		if (b->spans[i].start_ns > hi)
			hi = b->spans[i].start_ns;
		if (!strmap_get(&want, x->call[i])) {
			strmap_put(&want, x->call[i], (void *)1);
			memcpy(ids[nid++], x->call[i], sizeof ids[0]);
		}
	}
	/* A call starts when its layer closest to the wire does: near its
	 * layers' starts. */
	if (!rc && nid)
		rc = existing(c, lo - 3600 * NS_PER_S, hi + 3600 * NS_PER_S, ids, nid, &found, err, errlen);
	for (size_t i = 0; i < ns && !rc; i++) {
		if (!x->call[i][0] || strmap_get(&found, x->call[i]))
			continue;
		x->call[i][0] = 0;
		if (x->st[i] == S_AGAIN)
			x->st[i] = S_NEW;
		else
			b->spans[i].call = -1;
	}
	strmap_free(&want, NULL);
	strmap_free(&found, NULL);
	free(ids);
	return rc;
}

/* ---- a provider SDK's own span, alone at the root of a trace -------------- */


/* Is sdk's span (ss) the same request as another layer's (o, os)? */
static int same_request(const call_t *o, const span_rec *os, const call_t *sdk, const span_rec *ss)
{
	return trace_same_request(o, os->start_ns, os->end_ns, sdk, ss->start_ns, ss->end_ns);
}

/* ---- settling: the calls of held spans ------------------------------------ */

typedef struct group {
	long head;         /* its outermost span */
	size_t first, n;   /* its members in mem[], outermost first */
	long joined;       /* an SDK's root alone: the group it joined, -1 */
	int sdk;           /* has a provider SDK's span */
	char link[2 * CALL_ID_MAX + 1]; /* the stored call it joined ("" none) */
} group;

/* The call of the members (outermost first), with an SDK's span joined
 * last (-1 none). */
static void group_call(batch_t *b, const layers *l, const long *mem, size_t n, long sdk, pricing_t *prices,
		       call_t *out)
{
	call_t **m = xmalloc((n + 1) * sizeof *m);
	size_t k = 0;
	for (; k < n; k++)
		m[k] = &b->calls[b->spans[mem[k]].call];
	if (sdk >= 0)
		m[k++] = &b->calls[b->spans[sdk].call];
	if (k > 1)
		merge(m, k, out);
	else
		*out = *m[0];
	free(m);
	const span_rec *h = &b->spans[mem[0]];
	memcpy(out->span_id, h->span_id, h->span_len);
	out->span_len = h->span_len;
	memcpy(out->trace_id, h->trace_id, h->trace_len);
	out->trace_len = h->trace_len;
	inherit(out, b, l->up, l->up[mem[0]], &b->arena);
	call_price(out, prices);
}

static int cmp_ts(const void *a, const void *b, void *ud)
{
	const call_t *v = ud;
	int64_t x = v[*(const long *)a].ts_ns, y = v[*(const long *)b].ts_ns;
	return x < y ? -1 : x > y;
}

/* An SDK's root span alone joins the call of another layer recorded in
 * another trace (as Langfuse records them): the nearest in time that
 * matches and has no SDK span yet. */
static void join_sdk_roots(batch_t *b, const layers *l, group *g, size_t ng, const long *mem, call_t *calls,
			   pricing_t *prices, ingest_stats *stats)
{
	long *cand = xmalloc((ng ? ng : 1) * sizeof *cand);
	size_t nc = 0, nroots = 0;
	for (size_t k = 0; k < ng; k++) {
		if (!g[k].sdk)
			cand[nc++] = (long)k;
		else
			nroots += g[k].n == 1 && !b->spans[g[k].head].parent_len;
	}
	if (!nc || !nroots) {
		free(cand);
		return;
	}
	qsort_r(cand, nc, sizeof *cand, cmp_ts, calls);
	for (size_t k = 0; k < ng; k++) {
		const span_rec *ss = &b->spans[g[k].head];
		if (g[k].n != 1 || !trace_sdk_scope(ss->scope) || ss->parent_len)
			continue;
		const call_t *sc = &b->calls[ss->call];
		int64_t lo = ss->start_ns - 600 * NS_PER_S, hi = ss->start_ns + TRACE_JOIN_SLACK_NS;
		size_t a = 0, z = nc;
		while (a < z) {
			size_t mid = (a + z) / 2;
			if (calls[cand[mid]].ts_ns < lo)
				a = mid + 1;
			else
				z = mid;
		}
		long best = -1;
		int64_t bestd = 0;
		for (size_t q = a; q < nc && calls[cand[q]].ts_ns <= hi; q++) {
			long h = cand[q];
			if (g[h].sdk)
				continue;
			const span_rec *os = &b->spans[g[h].head];
			if (!same_request(&b->calls[os->call], os, sc, ss))
				continue;
			int64_t d = calls[h].ts_ns - ss->start_ns;
			d = d < 0 ? -d : d;
			if (best < 0 || d < bestd)
				best = h, bestd = d;
		}
		if (best < 0)
			continue;
		group_call(b, l, mem + g[best].first, g[best].n, g[k].head, prices, &calls[best]);
		g[best].sdk = 1;
		g[k].joined = best;
		stats->merged++;
	}
	free(cand);
}

/* A stored call that an SDK's root span alone may be the same request as. */
typedef struct cand {
	char span[2 * CALL_ID_MAX + 1], trace[2 * CALL_ID_MAX + 1];
	call_t c;
	span_rec s;     /* its own span: start, end, scope, parent */
	int seen;       /* its own span was found */
	int layers;     /* spans of its trace that name it */
	int sdk;        /* one of them is a provider SDK's */
} cand;

typedef struct cand_ud {
	cand *v;
	size_t n, cap;
	strmap at; /* span id -> 1 + index */
	arena_t ar;
} cand_ud;

/* span_id, trace_id, ts, provider, model, request_model, input_tokens,
 * output_tokens */
static int cand_row(void *ud, char **cols, int ncols)
{
	cand_ud *u = ud;
	if (ncols < 8 || !cols[0] || !cols[1] || strlen(cols[0]) > 2 * CALL_ID_MAX || strlen(cols[1]) > 2 * CALL_ID_MAX ||
	    strmap_get(&u->at, cols[0]))
		return 0;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		u->v = xrealloc(u->v, u->cap * sizeof *u->v);
	}
	cand *k = &u->v[u->n];
	memset(k, 0, sizeof *k);
	snprintf(k->span, sizeof k->span, "%s", cols[0]);
	snprintf(k->trace, sizeof k->trace, "%s", cols[1]);
	call_init(&k->c);
	k->c.ts_ns = cols[2] ? strtoll(cols[2], NULL, 10) : 0;
	k->c.provider = nonempty(&u->ar, cols[3]);
	k->c.model = nonempty(&u->ar, cols[4]);
	k->c.request_model = nonempty(&u->ar, cols[5]);
	k->c.input_tokens = cols[6] ? strtoll(cols[6], NULL, 10) : -1;
	k->c.output_tokens = cols[7] ? strtoll(cols[7], NULL, 10) : -1;
	strmap_put(&u->at, cols[0], (void *)(intptr_t)(++u->n));
	return 0;
}

/* span_id, parent_id, scope, call_span_id, start_ns, end_ns */
static int cand_span_row(void *ud, char **cols, int ncols)
{
	cand_ud *u = ud;
	if (ncols < 6 || !cols[0] || !cols[3])
		return 0;
	intptr_t at = (intptr_t)strmap_get(&u->at, cols[3]);
	if (!at)
		return 0;
	cand *k = &u->v[at - 1];
	k->layers++;
	if (trace_sdk_scope(cols[2]))
		k->sdk = 1;
	if (strcmp(cols[0], cols[3]))
		return 0;
	k->seen = 1;
	k->s.parent_len = cols[1] && cols[1][0] ? 1 : 0;
	k->s.scope = nonempty(&u->ar, cols[2]);
	k->s.start_ns = cols[4] ? strtoll(cols[4], NULL, 10) : 0;
	k->s.end_ns = cols[5] ? strtoll(cols[5], NULL, 10) : -1;
	return 0;
}

static void cond_tokens(sbuf *q, const call_t *c)
{
	if (c->input_tokens >= 0)
		sb_printf(q, " AND input_tokens IN (%lld, -1)", (long long)c->input_tokens);
	if (c->output_tokens >= 0)
		sb_printf(q, " AND output_tokens IN (%lld, -1)", (long long)c->output_tokens);
}

/* The stored calls that may be the other layer of a request some group
 * records alone: for an SDK's root span, a call of another layer whose time
 * holds it; for another layer's call, an SDK's root span within its time. */
static int stored_cands(ch_conn *c, const batch_t *b, const group *g, size_t ng, const call_t *calls, cand_ud *u,
			char *err, size_t errlen)
{
	sbuf q = SBUF_INIT;
	int rc = 0;
	size_t k = 0;
	while (k < ng && !rc) {
		sb_reset(&q);
		size_t n = 0;
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		sbuf cond = SBUF_INIT;
		for (; k < ng && cond.len < CH_IN_LIST_BYTES; k++) {
			const span_rec *s = &b->spans[g[k].head];
			const call_t *m = &calls[k];
			int root = g[k].n == 1 && trace_sdk_scope(s->scope) && !s->parent_len;
			if (g[k].joined >= 0 || g[k].link[0] || (!root && g[k].sdk) || !m->provider || !*m->provider)
				continue;
			/* Only Anthropic's SDK is known to record its spans apart. */
			if (!root && strcmp(m->provider, "anthropic"))
				continue;
			int64_t a = root ? s->start_ns - 600 * NS_PER_S : s->start_ns - TRACE_JOIN_SLACK_NS;
			int64_t z = (root ? s->start_ns : s->end_ns >= 0 ? s->end_ns : s->start_ns) + TRACE_JOIN_SLACK_NS;
			lo = a < lo ? a : lo;
			hi = z > hi ? z : hi;
			sb_adds(&cond, n++ ? " OR (" : "(");
			sb_printf(&cond, "ts >= %lld AND ts <= %lld AND provider = ", (long long)a, (long long)z);
			ch_quote(&cond, m->provider);
			cond_tokens(&cond, &b->calls[s->call]);
			sb_addc(&cond, ')');
		}
		if (n) {
			sb_printf(&q,
				  "SELECT span_id, trace_id, ts, provider, model, request_model, input_tokens, output_tokens"
				  " FROM calls WHERE ts >= %lld AND ts <= %lld AND (%s)",
				  (long long)lo, (long long)hi, cond.p);
			rc = ch_select(c, q.p, cand_row, u, err, errlen);
		}
		sb_free(&cond);
	}
	/* Their spans, in their own traces. */
	for (size_t i = 0; i < u->n && !rc;) {
		sb_reset(&q);
		sb_adds(&q, "SELECT span_id, parent_id, scope, call_span_id, start_ns, end_ns FROM spans WHERE trace_id IN (");
		size_t first = i;
		for (; i < u->n && q.len < CH_IN_LIST_BYTES; i++) {
			if (i > first)
				sb_addc(&q, ',');
			ch_quote(&q, u->v[i].trace);
		}
		sb_adds(&q, ") AND call_span_id IN (");
		for (size_t j = first; j < i; j++) {
			if (j > first)
				sb_addc(&q, ',');
			ch_quote(&q, u->v[j].span);
		}
		sb_addc(&q, ')');
		rc = ch_select(c, q.p, cand_span_row, u, err, errlen);
	}
	sb_free(&q);
	return rc;
}

/* A request whose other layer an earlier import stored, as a call of its
 * own, under an SDK's root span (Langfuse): the group joins that call, which
 * stays as it was written; no second call. */
static int join_stored(ch_conn *c, const batch_t *b, group *g, size_t ng, const call_t *calls, ingest_stats *stats,
		       char *err, size_t errlen)
{
	cand_ud u = {0};
	strmap_init(&u.at);
	int rc = stored_cands(c, b, g, ng, calls, &u, err, errlen);
	for (size_t k = 0; k < ng && !rc && u.n; k++) {
		const span_rec *s = &b->spans[g[k].head];
		int root = g[k].n == 1 && trace_sdk_scope(s->scope) && !s->parent_len;
		if (g[k].joined >= 0 || g[k].link[0] || (!root && g[k].sdk))
			continue;
		const call_t *mine = &b->calls[s->call];
		long best = -1;
		int64_t bestd = 0;
		for (size_t i = 0; i < u.n; i++) {
			cand *o = &u.v[i];
			if (!o->seen || o->sdk != !root)
				continue;
			int ok = root ? same_request(&o->c, &o->s, mine, s)
				      : o->layers == 1 && !o->s.parent_len && trace_sdk_scope(o->s.scope) &&
						same_request(mine, s, &o->c, &o->s);
			if (!ok)
				continue;
			int64_t d = o->c.ts_ns - s->start_ns;
			d = d < 0 ? -d : d;
			if (best < 0 || d < bestd)
				best = (long)i, bestd = d;
		}
		if (best < 0)
			continue;
		cand *o = &u.v[best];
		memcpy(g[k].link, o->span, sizeof o->span);
		/* one SDK's span a call */
		if (root)
			o->sdk = 1;
		else
			o->seen = 0;
		stats->merged += g[k].n;
	}
	strmap_free(&u.at, NULL);
	arena_free(&u.ar);
	free(u.v);
	return rc;
}

/* ---- content from GenAI events ----------------------------------------------- */

typedef struct ev_ud {
	strmap at;     /* trace:span -> 1 + index of its first row */
	char **name, **body;
	size_t *next;  /* the key's next row, 0 none (1 + index) */
	size_t *last;  /* of a first row: its key's last row (1 + index) */
	size_t n, cap;
} ev_ud;

/* trace_id, span_id, name, body, in time order */
static int ev_row(void *ud, char **cols, int ncols)
{
	ev_ud *u = ud;
	if (ncols < 4 || !cols[0] || !cols[1])
		return 0;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->name = xrealloc(u->name, u->cap * sizeof *u->name);
		u->body = xrealloc(u->body, u->cap * sizeof *u->body);
		u->next = xrealloc(u->next, u->cap * sizeof *u->next);
		u->last = xrealloc(u->last, u->cap * sizeof *u->last);
	}
	size_t i = u->n++;
	u->name[i] = xstrdup(cols[2] ? cols[2] : "");
	u->body[i] = xstrdup(cols[3] ? cols[3] : "");
	u->next[i] = 0;
	u->last[i] = i + 1;
	char key[4 * CALL_ID_MAX + 2];
	snprintf(key, sizeof key, "%s:%s", cols[0], cols[1]);
	intptr_t first = (intptr_t)strmap_get(&u->at, key);
	if (!first) {
		strmap_put(&u->at, key, (void *)(intptr_t)(i + 1));
	} else {
		u->next[u->last[first - 1] - 1] = i + 1;
		u->last[first - 1] = i + 1;
	}
	return 0;
}

static int events_exist(ch_conn *c)
{
	ch_wbuf *w = wbuf(c);
	if (w->has_events < 0) {
		int64_t n = 0;
		char err[256];
		w->has_events = ch_select_int(c, "SELECT count() FROM (SELECT 1 FROM span_events LIMIT 1)", 0, &n, err,
					      sizeof err) == 0 && n > 0;
	}
	return w->has_events;
}

/* A new call that carries no content of its own takes it from the GenAI
 * events of its span (OTLP log records sent before the span, or while it
 * was held), as the SQLite store does. Events that come after the call was
 * written stay in span_events; a read of the call joins them. */
static int fill_from_events(ch_conn *c, batch_t *b, call_t *calls, size_t n, ingest_stats *stats, char *err,
			    size_t errlen)
{
	size_t want = 0;
	for (size_t i = 0; i < n; i++)
		want += !calls[i].input && !calls[i].output;
	if (!want || !events_exist(c))
		return 0;
	ev_ud u = {0};
	strmap_init(&u.at);
	sbuf q = SBUF_INIT;
	int rc = 0;
	char tr[2 * CALL_ID_MAX + 1], sp[2 * CALL_ID_MAX + 1];
	for (size_t i = 0; i < n && !rc;) {
		sb_reset(&q);
		sb_adds(&q, "SELECT DISTINCT trace_id, span_id, name, body, ts FROM span_events WHERE (trace_id, span_id) IN (");
		size_t k = 0;
		for (; i < n && q.len < CH_IN_LIST_BYTES; i++) {
			if (calls[i].input || calls[i].output)
				continue;
			hex_id(calls[i].trace_id, calls[i].trace_len, tr);
			hex_id(calls[i].span_id, calls[i].span_len, sp);
			sb_adds(&q, k++ ? ",(" : "(");
			ch_quote(&q, tr);
			sb_addc(&q, ',');
			ch_quote(&q, sp);
			sb_addc(&q, ')');
		}
		sb_adds(&q, ") ORDER BY trace_id, span_id, ts, name, body");
		if (k)
			rc = ch_select(c, q.p, ev_row, &u, err, errlen);
	}
	sb_free(&q);
	for (size_t i = 0; i < n && !rc && u.n; i++) {
		if (calls[i].input || calls[i].output)
			continue;
		char key[4 * CALL_ID_MAX + 2];
		hex_id(calls[i].trace_id, calls[i].trace_len, tr);
		hex_id(calls[i].span_id, calls[i].span_len, sp);
		snprintf(key, sizeof key, "%s:%s", tr, sp);
		genai_event ev[64];
		size_t ne = 0;
		for (size_t r = (size_t)(intptr_t)strmap_get(&u.at, key); r && ne < 64; r = u.next[r - 1]) {
			ev[ne].name = u.name[r - 1];
			ev[ne].body = cJSON_Parse(u.body[r - 1]);
			ne++;
		}
		if (!ne)
			continue;
		char *input = NULL, *output = NULL;
		genai_from_events(ev, ne, &input, &output);
		for (size_t e = 0; e < ne; e++)
			cJSON_Delete((cJSON *)ev[e].body);
		if (input || output) {
			calls[i].input = input ? arena_strdup(&b->arena, input) : NULL;
			calls[i].output = output ? arena_strdup(&b->arena, output) : NULL;
			stats->filled++;
		}
		free(input);
		free(output);
	}
	for (size_t i = 0; i < u.n; i++) {
		free(u.name[i]);
		free(u.body[i]);
	}
	free(u.name);
	free(u.body);
	free(u.next);
	free(u.last);
	strmap_free(&u.at, NULL);
	return rc;
}

/* Settling writes many rows at once: they are sent every this many bytes,
 * not held to the end. */
#define CH_SETTLE_BYTES (16u << 20)

static int send_some(ch_conn *c, char *err, size_t errlen)
{
	ch_wbuf *w = c->w;
	if (w->rows[W_CALLS].len + w->rows[W_SPANS].len < CH_SETTLE_BYTES)
		return 0;
	return ch_flush(c, err, errlen);
}

/* Calls into the buffer, but those the calls table (or the buffer) holds
 * already. */
static int write_calls(ch_conn *c, const call_t *calls, size_t n, int settling, ingest_stats *stats, char *err,
		       size_t errlen)
{
	ch_wbuf *w = wbuf(c);
	if (!n)
		return 0;
	char (*ids)[2 * CALL_ID_MAX + 1] = xmalloc(n * sizeof *ids);
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		hex_id(calls[i].span_id, calls[i].span_len, ids[i]);
		if (calls[i].ts_ns < lo)
			lo = calls[i].ts_ns;
		if (calls[i].ts_ns > hi)
			hi = calls[i].ts_ns;
	}
	strmap found;
	strmap_init(&found);
	int rc = existing(c, lo, hi, ids, n, &found, err, errlen);
	for (size_t i = 0; i < n && !rc; i++) {
		const call_t *call = &calls[i];
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
		if (settling)
			rc = send_some(c, err, errlen);
	}
	strmap_free(&found, NULL);
	free(ids);
	return rc;
}

/* The calls of the LLM spans of b (copies of held spans, whole traces),
 * and their span rows: one call a request. A request some layer of which
 * the server holds already keeps that call: the new layers' rows name it,
 * and no call is written. */
static int settle_batch(ch_conn *c, batch_t *b, ingest_stats *stats, char *err, size_t errlen)
{
	ch_wbuf *w = wbuf(c);
	/* What the buffer holds is not on the server to be found. */
	if ((w->n[W_SPANS] || w->n[W_CALLS] || w->n[W_EVENTS]) && ch_flush(c, err, errlen))
		return -1;
	size_t n0 = b->nspans;
	settle_t x = {b, NULL, NULL, 0};
	settle_grow(&x);
	int rc = load_stored(c, &x, stats, err, errlen);
	if (rc) {
		free(x.st);
		free(x.call);
		return -1;
	}
	layers l;
	layers_build(&x, &l);
	size_t ns = b->nspans, one = l.nllm ? l.nllm : 1;
	char (*cid)[2 * CALL_ID_MAX + 1] = xcalloc(ns ? ns : 1, sizeof *cid);
	call_t *calls = xmalloc(one * sizeof *calls);
	group *g = xmalloc(one * sizeof *g);
	long *mem = xmalloc(one * sizeof *mem);
	size_t ng = 0, nm = 0;
	for (size_t k = 0; k < l.nllm; k++) {
		long i = l.llm[k];
		if (l.head[i] != i)
			continue;
		size_t first = nm, fresh = 0;
		const char *link = NULL;
		int again = 0, sdk = 0;
		for (long j = i; j >= 0 && nm - first < l.nllm; j = l.inner[j]) {
			mem[nm++] = j;
			sdk |= trace_sdk_scope(b->spans[j].scope);
			if (x.st[j] == S_NEW)
				fresh++;
			else if (!link && x.call[j][0])
				link = x.call[j];
			again |= x.st[j] == S_AGAIN;
		}
		if (link) {
			for (size_t q = first; q < nm; q++)
				if (x.st[mem[q]] == S_NEW)
					snprintf(cid[mem[q]], sizeof cid[0], "%s", link);
			stats->merged += fresh;
			if (!fresh && again)
				stats->duplicates++;
			nm = first;
			continue;
		}
		group *gr = &g[ng];
		gr->head = i;
		gr->first = first;
		gr->n = nm - first;
		gr->joined = -1;
		gr->sdk = sdk;
		gr->link[0] = 0;
		group_call(b, &l, mem + first, gr->n, -1, w->prices, &calls[ng]);
		stats->merged += gr->n - 1;
		ng++;
	}
	join_sdk_roots(b, &l, g, ng, mem, calls, w->prices, stats);
	rc = join_stored(c, b, g, ng, calls, stats, err, errlen);
	size_t nw = 0;
	for (size_t k = 0; k < ng && !rc; k++) {
		if (g[k].link[0]) {
			for (size_t q = g[k].first; q < g[k].first + g[k].n; q++)
				memcpy(cid[mem[q]], g[k].link, sizeof g[k].link);
			continue;
		}
		size_t to = k;
		while (g[to].joined >= 0)
			to = (size_t)g[to].joined;
		char head[2 * CALL_ID_MAX + 1];
		hex_id(b->spans[g[to].head].span_id, b->spans[g[to].head].span_len, head);
		for (size_t q = g[k].first; q < g[k].first + g[k].n; q++)
			memcpy(cid[mem[q]], head, sizeof head);
		if (g[k].joined < 0)
			calls[nw++] = calls[k];
	}
	if (!rc)
		rc = fill_from_events(c, b, calls, nw, stats, err, errlen);
	if (!rc)
		rc = write_calls(c, calls, nw, 1, stats, err, errlen);
	for (size_t i = 0; i < n0 && !rc; i++) {
		if (!is_llm(b, (long)i) || x.st[i] != S_NEW)
			continue;
		span_row(&w->rows[W_SPANS], &b->spans[i], cid[i]);
		w->n[W_SPANS]++;
		rc = send_some(c, err, errlen);
	}
	free(cid);
	free(calls);
	free(g);
	free(mem);
	free(x.st);
	free(x.call);
	layers_free(&l);
	return rc;
}

/* ---- holding spans back ----------------------------------------------------- */

/* At most this many spans, or bytes of their text, are held: beyond, the
 * traces the latest batch did not bring are settled. */
#define CH_HOLD_SPANS 50000u
#define CH_HOLD_BYTES (64u << 20)

static const char *adup(arena_t *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* A copy of span s into h (with its call when it is an LLM span), its text
 * in h's arena; of a step, only what the layers read. */
static void hold_span(batch_t *h, const span_rec *s, const call_t *call)
{
	span_rec *d = batch_add_span(h);
	*d = *s;
	d->scope = adup(&h->arena, s->scope);
	d->service = adup(&h->arena, s->service);
	d->ctx = adup(&h->arena, s->ctx);
	d->call = -1;
	if (!call) {
		d->name = d->status_message = d->attrs = NULL;
		return;
	}
	d->name = adup(&h->arena, s->name);
	d->status_message = adup(&h->arena, s->status_message);
	d->attrs = adup(&h->arena, s->attrs);
	call_t *c = batch_add_call(h);
	*c = *call;
	const char **f[] = {&c->provider, &c->model,	&c->request_model, &c->operation,     &c->prompt_name,
			    &c->prompt_version, &c->prompt_template, &c->feature, &c->user_id, &c->session_id,
			    &c->error_type, &c->error_message, &c->input, &c->output, &c->variables,
			    &c->attrs, &c->thinking};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		*f[i] = adup(&h->arena, *f[i]);
	c->zbody = NULL;
	c->zlen = 0;
	c->span = (long)h->nspans - 1;
	d->call = (long)h->n - 1;
}

static size_t trace_of(ch_wbuf *w, const span_rec *s)
{
	char tr[2 * CALL_ID_MAX + 1];
	hex_id(s->trace_id, s->trace_len, tr);
	intptr_t at = (intptr_t)strmap_get(&w->traces, tr);
	if (at)
		return (size_t)at - 1;
	if (w->ntr == w->trcap) {
		w->trcap = w->trcap ? w->trcap * 2 : 64;
		w->tr = xrealloc(w->tr, w->trcap * sizeof *w->tr);
	}
	strmap_put(&w->traces, tr, (void *)(intptr_t)(w->ntr + 1));
	return w->ntr++;
}

enum { REL_ALL, REL_IDLE, REL_OLDER };

/* Settles the held traces: all, those idle for CH_HOLD_S, or those the
 * latest ch_ingest did not bring (all when that is none). */
static int release(ch_conn *c, int which, ingest_stats *stats, char *err, size_t errlen)
{
	ch_wbuf *w = wbuf(c);
	if (!w->held.nspans)
		return 0;
	double now = clock_mono();
	/* Idle traces are looked for once a second at most: each look copies
	 * what stays held. */
	if (which == REL_IDLE) {
		if (now - w->idle_at < 1.0)
			return 0;
		w->idle_at = now;
	}
	uint8_t *go = xmalloc(w->ntr ? w->ntr : 1);
	size_t ngo = 0;
	for (size_t t = 0; t < w->ntr; t++) {
		go[t] = which == REL_ALL || (which == REL_IDLE && now - w->tr[t].last >= CH_HOLD_S) ||
			(which == REL_OLDER && w->tr[t].gen != w->gen);
		ngo += go[t];
	}
	if (which == REL_OLDER && !ngo) {
		memset(go, 1, w->ntr ? w->ntr : 1);
		ngo = w->ntr;
	}
	batch_t out = {0};
	if (ngo == w->ntr) {
		out = w->held;
		memset(&w->held, 0, sizeof w->held);
		strmap_free(&w->traces, NULL);
		strmap_init(&w->traces);
		w->ntr = 0;
	} else if (ngo) {
		batch_t keep = {0};
		held_trace *old = w->tr;
		strmap oldmap = w->traces;
		char id[2 * CALL_ID_MAX + 1];
		for (size_t i = 0; i < w->held.nspans; i++) {
			const span_rec *s = &w->held.spans[i];
			hex_id(s->trace_id, s->trace_len, id);
			size_t t = (size_t)(intptr_t)strmap_get(&oldmap, id) - 1;
			hold_span(go[t] ? &out : &keep, s, s->call >= 0 ? &w->held.calls[s->call] : NULL);
		}
		/* The map again, over the traces kept. */
		strmap_init(&w->traces);
		w->tr = NULL;
		w->ntr = w->trcap = 0;
		for (size_t i = 0; i < keep.nspans; i++) {
			hex_id(keep.spans[i].trace_id, keep.spans[i].trace_len, id);
			size_t t = (size_t)(intptr_t)strmap_get(&oldmap, id) - 1;
			size_t nt = trace_of(w, &keep.spans[i]); /* may move w->tr */
			w->tr[nt] = old[t];
		}
		strmap_free(&oldmap, NULL);
		free(old);
		batch_free(&w->held);
		w->held = keep;
	}
	free(go);
	int rc = out.nspans ? settle_batch(c, &out, stats, err, errlen) : 0;
	batch_free(&out);
	return rc;
}

int ch_settle(ch_conn *c, int all, pricing_t *prices, ingest_stats *stats, char *err, size_t errlen)
{
	ingest_stats local = {0};
	if (!stats)
		stats = &local;
	ch_wbuf *w = wbuf(c);
	if (prices)
		w->prices = prices;
	int rc = release(c, all ? REL_ALL : REL_IDLE, stats, err, errlen);
	if (ch_flush(c, rc ? NULL : err, rc ? 0 : errlen))
		rc = -1;
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
	w->prices = prices;
	w->gen++;
	/* Calls that no span carries (JSONL, llm's logs.db) as they are. */
	uint8_t *carried = xcalloc(b->n ? b->n : 1, 1);
	for (size_t i = 0; i < b->nspans; i++)
		if (is_llm(b, (long)i))
			carried[b->spans[i].call] = 1;
	call_t *plain = xmalloc((b->n ? b->n : 1) * sizeof *plain);
	size_t np = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!carried[i])
			plain[np++] = b->calls[i];
	free(carried);
	int rc = write_calls(c, plain, np, 0, stats, err, errlen);
	free(plain);
	/* A step's row now; every span held for the layers still to come. */
	double now = clock_mono();
	for (size_t i = 0; i < b->nspans && !rc; i++) {
		const span_rec *s = &b->spans[i];
		int llm = is_llm(b, (long)i);
		if (!llm) {
			span_row(&w->rows[W_SPANS], s, "");
			w->n[W_SPANS]++;
			stats->spans++;
		}
		hold_span(&w->held, s, llm ? &b->calls[s->call] : NULL);
		if (!llm)
			w->held.spans[w->held.nspans - 1].call = -1;
		size_t t = trace_of(w, s);
		w->tr[t].last = now;
		w->tr[t].gen = w->gen;
	}
	for (size_t i = 0; i < b->nev && !rc; i++) {
		event_row(&w->rows[W_EVENTS], &b->events[i]);
		w->n[W_EVENTS]++;
		stats->events++;
		w->has_events = 1;
	}
	if (!rc && (w->held.nspans > CH_HOLD_SPANS || w->held.arena.used_total > CH_HOLD_BYTES))
		rc = release(c, REL_OLDER, stats, err, errlen);
	if (rc)
		return -1;
	for (int t = 0; t < W_COUNT; t++)
		if (full(w, t) && (t == W_CALLS ? ch_flush(c, err, errlen) : flush_table(c, t, err, errlen)))
			return -1;
	return 0;
}
