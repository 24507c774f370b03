/* Server-sent events (the WHATWG event-stream format): bytes in, whole
 * events out. Lines end in "\n", "\r\n" or "\r"; "data:" lines of one event
 * are joined with "\n"; ":" lines are comments; an empty line dispatches. */
#ifndef LLMOPS_SSE_H
#define LLMOPS_SSE_H

#include <stddef.h>

#include "../core/str.h"

/* The longest line, and the most data one event may gather, unless the
 * caller says otherwise: a real event is a few kilobytes; a stream that
 * never sends a newline must not grow a buffer without end. */
#define SSE_MAX_EVENT ((size_t)1 << 20)

typedef struct sse_t {
	sbuf line, event, data;
	int has_data;
	size_t max;   /* cap of a line and of an event's data; 0: SSE_MAX_EVENT */
	int too_long; /* a line or an event went past max: the stream is refused */
	int last_cr; /* the previous chunk ended in '\r': a following '\n' is part of it */
	/* Called per event; event is "" when the stream named none ("message").
	 * Return non-zero to stop feeding (sse_feed returns it). */
	int (*on_event)(void *ud, const char *event, const char *data, size_t len);
	void *ud;
} sse_t;

void sse_init(sse_t *s, int (*on_event)(void *, const char *, const char *, size_t), void *ud);
void sse_free(sse_t *s);
/* 0, or what on_event returned to stop, or -1 when a line or an event is
 * longer than the cap (too_long set; feeding more does nothing). */
int sse_feed(sse_t *s, const char *p, size_t n);
/* The end of the stream: an event without its closing empty line is not
 * dispatched (as browsers do); 1 when such a fragment was pending. */
int sse_end(sse_t *s);

#endif
