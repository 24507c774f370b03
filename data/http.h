/* HTTP through libcurl's multi interface, driven by the caller's poll():
 * the console adds http_pollfds() to its own descriptors and calls
 * http_process() after each poll, so that a server that accepts and never
 * answers costs a keypress nothing. Headless commands use http_run().
 * Requests may be delayed (a retry after 429 or a 5xx waits in here, not in
 * a sleep). Bodies, headers and URLs are never logged: they carry keys.
 *
 * Every request is bounded: a connect timeout, an idle timeout (no byte for
 * so long), an overall deadline when the caller gives one, and a cap on the
 * body's size (decoded, so a small gzip cannot become gigabytes), checked
 * against the Content-Length before reading and against the bytes as they
 * come. Whatever a server sends, a request holds at most its cap. */
#ifndef LLMOPS_HTTP_H
#define LLMOPS_HTTP_H

#include <poll.h>
#include <stddef.h>

#include "../core/str.h"

typedef struct http_t http_t;
typedef struct http_req http_req;

#define HTTP_MIB ((size_t)1 << 20)
/* The body cap when the spec gives none. */
#define HTTP_MAX_BYTES_DEFAULT (8 * HTTP_MIB)

/* Why a request failed, for messages that tell the cases apart. */
enum {
	HTTP_OK,
	HTTP_E_CONNECT,   /* no connection: refused, unresolved, or the connect timeout */
	HTTP_E_IDLE,      /* connected, and then nothing for idle_timeout_s */
	HTTP_E_DEADLINE,  /* the whole request took longer than timeout_ms */
	HTTP_E_TOO_LARGE, /* the body is larger than max_bytes (announced or received) */
	HTTP_E_BROKEN,    /* anything else: reset, cut short, bad encoding */
};

typedef struct http_resp {
	long status;          /* HTTP status; 0 when none arrived */
	int failed;           /* transport failure (connect, timeout, broken stream, too large) */
	int timed_out;        /* of those, a timeout (connect, idle or deadline) */
	int why;              /* HTTP_E_*; HTTP_OK when not failed */
	int connected;        /* the connection was made (whatever came of it) */
	int aborted;          /* on_data asked to stop */
	char err[256];        /* transport error text: "no connection (...)", "connected, no
			       * answer for 30s", "larger than 8 MiB", ...; never the URL */
	size_t bytes;         /* body bytes received, decoded */
	size_t max_bytes;     /* the cap that was in force */
	long long content_length; /* as announced; -1 when not */
	sbuf body;            /* the body, when the spec has no on_data */
	double retry_after_s; /* retry-after-ms or Retry-After (seconds or a date); -1 when absent */
	double ttfb_s;        /* request start to the first body byte; -1 when none */
	double total_s;       /* request start to the end */
	char content_type[128];
} http_resp;

typedef struct http_spec {
	const char *method; /* "GET" (default) or "POST" */
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *body;
	size_t body_len;
	long timeout_ms;         /* whole request (the overall deadline); 0: none */
	long connect_timeout_ms; /* 0: 10 s */
	long idle_timeout_s;     /* abort when no byte arrives for this long; 0: 60 s */
	size_t max_bytes;        /* the body's cap, decoded; 0: HTTP_MAX_BYTES_DEFAULT */
	long delay_ms;           /* start no sooner than this */
	/* Streaming: body bytes as they arrive, after the status is known
	 * (http_status() tells it). Return 0 to go on, -1 to abort. */
	int (*on_data)(void *ud, const char *p, size_t n);
	/* Once, when the request ends (unless it was cancelled). The request is
	 * gone after it returns; on_done may start new requests. */
	void (*on_done)(void *ud, http_resp *r);
	void *ud;
} http_spec;

http_t *http_new(void);
void http_free(http_t *h); /* cancels what is under way, without on_done */

/* Queues a request; the spec's strings are copied. NULL with err. */
http_req *http_start(http_t *h, const http_spec *s, char *err, size_t errlen);
/* Stops a request; its on_done is not called. */
void http_cancel(http_t *h, http_req *r);
/* The status of a request under way (0 until the headers are in). */
long http_status(const http_req *r);
/* 1 once the connection of a request under way is made. */
int http_connected(const http_req *r);
/* Its Content-Length as announced; -1 when none (chunked, or not yet in). */
long long http_content_length(const http_req *r);

/* "8 MiB", "64 KiB", "100 bytes": a cap as messages say it. */
void http_fmt_size(char *out, size_t n, size_t bytes);

/* Requests under way or waiting for their delay. */
int http_active(const http_t *h);
/* Descriptors to poll; at most max written, the count returned. */
int http_pollfds(http_t *h, struct pollfd *fds, int max);
/* Milliseconds until http_process must run even with no descriptor ready;
 * -1 when nothing waits on time. */
long http_wait_ms(http_t *h);
/* After poll: fds is what http_pollfds wrote, with revents (may be NULL). */
void http_process(http_t *h, const struct pollfd *fds, int n);
/* Headless: runs until nothing is under way, or stop_flag becomes non-zero.
 * 0; -1 when poll failed. */
int http_run(http_t *h, volatile int *stop_flag);

/* Delay before retry `attempt` (1, 2, ...): the server's retry-after when
 * given, else exponential from 1 s with full jitter, capped at cap_s; never
 * below 0.1 s. */
double http_backoff_s(int attempt, double retry_after_s, double cap_s);

#endif
