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
 * What the SQLite store does and this does not (yet): it merges the layers
 * of one provider request (an LLM span with an SDK's span under it) into one
 * call and fills a call's missing context from the spans above it and its
 * content from events that arrive later; here each LLM span is a call as the
 * importer gave it, and events are stored for the reader to join. */
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

static void span_row(sbuf *o, const span_rec *s)
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
static int existing(ch_conn *c, batch_t *b, char (*ids)[2 * CALL_ID_MAX + 1], strmap *found, char *err,
		    size_t errlen)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < b->n; i++) {
		if (b->calls[i].ts_ns < lo)
			lo = b->calls[i].ts_ns;
		if (b->calls[i].ts_ns > hi)
			hi = b->calls[i].ts_ns;
	}
	sbuf q = SBUF_INIT;
	exist_ud u = {found};
	int rc = 0;
	size_t i = 0;
	while (i < b->n && !rc) {
		sb_reset(&q);
		sb_printf(&q, "SELECT span_id FROM calls WHERE ts >= %lld AND ts <= %lld AND span_id IN (", (long long)lo,
			  (long long)hi);
		size_t first = i;
		for (; i < b->n && q.len < CH_IN_LIST_BYTES; i++) {
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
	char (*ids)[2 * CALL_ID_MAX + 1] = xmalloc((b->n ? b->n : 1) * sizeof *ids);
	for (size_t i = 0; i < b->n; i++)
		hex_id(b->calls[i].span_id, b->calls[i].span_len, ids[i]);
	strmap found;
	strmap_init(&found);
	int rc = b->n ? existing(c, b, ids, &found, err, errlen) : 0;
	for (size_t i = 0; i < b->n && !rc; i++) {
		const call_t *call = &b->calls[i];
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
		span_row(&w->rows[W_SPANS], &b->spans[i]);
		w->n[W_SPANS]++;
		if (b->spans[i].call < 0)
			stats->spans++;
	}
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
