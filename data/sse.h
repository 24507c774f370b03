/* Server-sent events (the WHATWG event-stream format): bytes in, whole
 * events out. Lines end in "\n", "\r\n" or "\r"; "data:" lines of one event
 * are joined with "\n"; ":" lines are comments; an empty line dispatches. */
#ifndef LLMOPS_SSE_H
#define LLMOPS_SSE_H

#include <stddef.h>

#include "../core/str.h"

typedef struct sse_t {
	sbuf line, event, data;
	int has_data;
	int last_cr; /* the previous chunk ended in '\r': a following '\n' is part of it */
	/* Called per event; event is "" when the stream named none ("message").
	 * Return non-zero to stop feeding (sse_feed returns it). */
	int (*on_event)(void *ud, const char *event, const char *data, size_t len);
	void *ud;
} sse_t;

void sse_init(sse_t *s, int (*on_event)(void *, const char *, const char *, size_t), void *ud);
void sse_free(sse_t *s);
/* 0, or what on_event returned to stop. */
int sse_feed(sse_t *s, const char *p, size_t n);
/* The end of the stream: an event without its closing empty line is not
 * dispatched (as browsers do); 1 when such a fragment was pending. */
int sse_end(sse_t *s);

#endif
