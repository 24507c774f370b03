/* A trace read back: its spans in tree order (a parent before its children,
 * siblings by start time), each with the call it is part of, for
 * `llmops trace` and the call view. */
#ifndef LLMOPS_TRACE_H
#define LLMOPS_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

typedef struct trace_span {
	char span[65], parent[65]; /* hex; parent "" for a root */
	char *name, *scope, *service, *status_message, *attrs;
	int kind, status;          /* OTLP SpanKind; 0 unset, 1 ok, 2 error */
	int64_t start, end;        /* Unix ns; end -1 unknown */
	int depth;
	int64_t call_id;           /* the call it is part of, 0 none */
	int call_first;            /* the outermost span of that call */
	/* the call, when call_first */
	char *provider, *model, *error_type;
	int is_error;
	int64_t input_tokens, cached_tokens, output_tokens, cost_nusd;
	double latency_ms;
	char call_span[65];        /* the span id the call goes by */
} trace_span;

typedef struct trace_view {
	char trace[65];
	trace_span *v;
	size_t n;
	size_t calls, errors;
	int64_t cost_nusd;
	int64_t start, end;
} trace_view;

/* ref: a trace id, the span id of a call (or of any layer of it), or a
 * store id. -1 with a message when there is no such trace. */
int store_trace_get(store_t *st, const char *ref, trace_view *out, char *err, size_t errlen);
/* The trace of a call (by store id); 0 even when only the call is known. */
int store_trace_of_call(store_t *st, int64_t call_id, trace_view *out);
void trace_view_free(trace_view *t);

/* "invoke_agent support > step 1": the spans above a call's outermost span,
 * outermost first (malloc'ed; NULL when it has none). */
char *trace_path_of(const trace_view *t, int64_t call_id);

/* Where a span's bar goes on a waterfall w columns wide that spans the
 * whole trace: columns *c0 to *c1 (exclusive), never less than one (an
 * instant, or a span whose end is unknown, still shows) and never past w. */
void trace_span_cells(const trace_view *t, const trace_span *s, int w, int *c0, int *c1);

void trace_write_text(const trace_view *t, FILE *out, int ascii);
void trace_write_json(const trace_view *t, FILE *out);

struct call;
/* A provider SDK's span and another layer's: both stores join them alike
 * (data/trace.c). Some layers keep milliseconds, and one may end its span a
 * moment before the SDK's own (on an error, say). */
#define TRACE_JOIN_SLACK_NS (50 * 1000000LL)
/* Is scope a provider SDK's own instrumentation? */
int trace_sdk_scope(const char *scope);
/* Is the SDK's call (sdk, its span's times) the same request as another
 * layer's (o)? The same provider and model, the same token counts where both
 * know them, its time within the other's. */
int trace_same_request(const struct call *o, int64_t o_start, int64_t o_end, const struct call *sdk, int64_t sdk_start,
		       int64_t sdk_end);

#endif
