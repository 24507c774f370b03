/* The OTLP/HTTP receiver: POST /v1/traces and /v1/logs, protobuf or JSON,
 * gzip or not, as OpenTelemetry exporters and the Collector send them.
 *
 * libmicrohttpd's threads read and decode the requests; one writer thread
 * stores them on its own connection to the store, several requests to a
 * transaction. A request is answered 200 only once its transaction has
 * committed (the connection waits, suspended, meanwhile), so a kill after a
 * 200 loses nothing; an exporter's retry of a request that got no answer is
 * harmless, because storing a span twice keeps it once. When the writer is
 * behind, requests get 503 with Retry-After and the exporter retries: the
 * receiver never buffers without bound. */
#ifndef LLMOPS_RECEIVER_H
#define LLMOPS_RECEIVER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/pricing.h"

#define RECV_DEFAULT_LISTEN "127.0.0.1:4318"
#define RECV_MAX_BODY (32u << 20)   /* a request body, decompressed */
#define RECV_MAX_QUEUED (24u << 20) /* bodies being read, and decoded ones waiting for the writer */
#define RECV_MAX_CONNECTIONS 1000
#define RECV_IDLE_TIMEOUT 30 /* seconds a connection may send nothing */

typedef struct receiver receiver_t;

typedef struct receiver_opts {
	const char *listen;     /* "ADDR:PORT", "[ADDR]:PORT" or ":PORT" (NULL: the default) */
	const char *token;      /* the bearer token a request must carry; NULL: none */
	const char *tls_cert;   /* PEM text (not a path); both or neither */
	const char *tls_key;
	const char *store_path; /* the writer opens its own connection */
	pricing_t *prices;      /* read-only while the receiver runs */
	int threads;            /* decoding threads (0: 2) */
} receiver_opts;

typedef struct receiver_stats {
	uint64_t requests;      /* answered */
	uint64_t batches;       /* requests committed */
	uint64_t spans;         /* spans and log records received in committed requests */
	uint64_t calls;         /* LLM calls new to the store */
	uint64_t rejected;      /* spans left out (partial success), and requests refused as bad */
	uint64_t refused;       /* 503s while the writer was behind */
	uint64_t queued;        /* requests waiting for the writer now */
	uint64_t calls_minute;  /* calls stored in the last 60 s */
	uint64_t commits;       /* transactions committed: the console reloads when it moves */
	char last_error[256];   /* the last request refused, or the store's error */
} receiver_stats;

/* Starts listening. A non-loopback address needs a token. NULL with the
 * reason in err (the address is taken, a bad address, no token, the TLS
 * files, the store). */
receiver_t *receiver_start(const receiver_opts *o, char *err, size_t errlen);
/* The address it listens on, as "ADDR:PORT" (the port chosen when 0 was
 * asked for). */
const char *receiver_address(const receiver_t *r);
void receiver_get_stats(receiver_t *r, receiver_stats *s);
/* A descriptor that becomes readable after each commit (the console's
 * loop polls it); read it with receiver_drain_fd. */
int receiver_fd(const receiver_t *r);
void receiver_drain_fd(receiver_t *r);
/* Stops accepting, answers and commits what was received, stops; last
 * (NULL: not wanted) gets the figures at the end. */
void receiver_stop(receiver_t *r, receiver_stats *last);
/* 0 when listen is a valid ADDR:PORT, else -1 with the reason. */
int receiver_check_listen(const char *listen, char *err, size_t errlen);

/* 1 when ADDR:PORT names a loopback address (127.0.0.0/8, ::1,
 * localhost). */
int receiver_is_loopback(const char *listen);

#endif
