/* A batch: what an importer hands the store. Calls and events with their
 * strings in the batch's arena, and, once prepared, each call's cost and
 * dimension and the batch's rollups, so that this work happens on the
 * importing thread and the writer thread only talks to SQLite. */
#ifndef LLMOPS_BATCH_H
#define LLMOPS_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "call.h"
#include "pricing.h"
#include "rollup.h"
#include "str.h"

/* A GenAI content event that arrived apart from its span (an OTLP log record
 * such as gen_ai.user.message or gen_ai.choice). */
typedef struct span_event {
	uint8_t trace_id[CALL_ID_MAX], span_id[CALL_ID_MAX];
	uint8_t trace_len, span_len;
	int64_t ts_ns;
	const char *name;
	const char *body; /* JSON object */
} span_event_t;

/* A span as OTLP gave it: an LLM call's (call >= 0) or one of the other
 * steps of its trace (agent, tool, retrieval, HTTP), kept so that a trace
 * can be drawn whole and its context passed down to the calls below. */
typedef struct span_rec {
	uint8_t trace_id[CALL_ID_MAX], span_id[CALL_ID_MAX], parent_id[CALL_ID_MAX];
	uint8_t trace_len, span_len, parent_len; /* parent_len 0: a root */
	int64_t start_ns, end_ns;                /* end -1: unknown */
	const char *name, *scope;
	const char *service;                     /* the resource's service.name */
	int kind;                                /* OTLP SpanKind */
	int status;                              /* 0 unset, 1 ok, 2 error */
	const char *status_message;
	const char *attrs;                       /* JSON object: attributes (not for calls) */
	const char *ctx;                         /* JSON object: what it passes to the calls below */
	long call;                               /* its call in the batch, -1: not an LLM span */
} span_rec;

typedef struct batch {
	call_t *calls;
	size_t n, cap;
	span_event_t *events;
	size_t nev, evcap;
	span_rec *spans;
	size_t nspans, spcap;
	arena_t arena;
	uint64_t bytes;    /* source bytes covered, for progress */
	uint64_t records;  /* source records (lines, documents, rows) */
	uint64_t skipped;  /* spans or records that were not LLM calls */

	int prepared;
	racc acc[RES_COUNT];      /* rollups keyed by (bucket, dim_hash) */
	body_codec *codec;        /* what the zbodies were compressed with */
	body_codec *new_codec;    /* a codec the store has not recorded yet */
} batch_t;

call_t *batch_add_call(batch_t *b);
span_event_t *batch_add_event(batch_t *b);
span_rec *batch_add_span(batch_t *b);
void batch_reset(batch_t *b);
void batch_free(batch_t *b);


/* Costs (given, or from the price table), dimension hashes and rollups. */
void batch_prepare(batch_t *b, pricing_t *prices);
/* Rollups again, over the calls whose keep[i] is set (after duplicates). */
void batch_rollup(batch_t *b, const uint8_t *keep);
/* The hour and day rollups again from the minute ones. */
void batch_rollup_up(batch_t *b);
uint64_t call_dim_hash(const call_t *c);
/* A call's dimension hash and cost (given, or from the price table; -1
 * unpriced). */
void call_price(call_t *c, pricing_t *prices);

#endif
