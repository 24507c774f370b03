/* The OTLP/HTTP receiver (see receiver.h). A request goes through three
 * states: its body is read (capped), then decoded into a batch on the
 * libmicrohttpd thread and handed to the writer with the connection
 * suspended, then answered once the writer's transaction has committed (or
 * failed). */
#include "receiver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../core/batch.h"
#include "../core/clock.h"
#include "../core/demo.h"
#include "../core/sanitize.h"
#include "../core/str.h"
#include "import.h"
#include "otlp.pb-c.h"
#include "otlp_pb.h"
#include "store.h"

/* A followed stream, like a followed file: now and then drop the steps of
 * traces that never got a call (by then they are long finished). */
#define RECV_PRUNE_TRACES 50000
/* Requests to a transaction at most, and how long the writer lets a batch
 * wait for company: exporters send every few seconds, so a short wait adds
 * little latency and saves commits. */
#define RECV_TXN_REQUESTS 64
#define RECV_RETRY_AFTER 1 /* seconds, when the writer is behind */
#define RECV_STORE_RETRY 5 /* seconds, when the store could not be written */
#define RECV_BUSY_MS 2000  /* waiting for another connection's write lock */

enum { R_READING, R_WAITING, R_DONE };
enum { K_TRACES, K_LOGS };

typedef struct req {
	struct req *next;
	struct MHD_Connection *conn;
	int kind, json, gzip;
	int state;
	int too_large;
	sbuf body;
	batch_t batch;
	size_t held;       /* bytes counted against RECV_MAX_QUEUED */
	uint64_t kept;     /* spans (or log records) kept */
	uint64_t rejected; /* spans left out */
	char why[256];     /* the first span's reason */
	/* the answer */
	int status;
	int retry_after;
	char msg[256];
	uint64_t calls;    /* new to the store */
} req_t;

struct receiver {
	struct MHD_Daemon *d;
	char addr[128];
	char *token;
	pricing_t *prices;
	store_t *st; /* the writer's connection */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	req_t *head, *tail; /* waiting for the writer */
	size_t held;        /* bytes of bodies being read and batches waiting */
	int stopping, writer_done;
	int waiting;        /* suspended requests not yet resumed */
	uint64_t answered, finished;
	pthread_t writer;
	int notify[2];
	receiver_stats stats;
	/* calls stored per second over the last minute */
	int64_t sec_at[60];
	uint64_t sec_calls[60];
	/* the writer's scratch */
	sbuf packed, z;
};

/* "ADDR:PORT" into a socket address; ":PORT" and "localhost:PORT" are the
 * IPv4 loopback. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "listen address '%s': expected ADDR:PORT (such as %s)", listen, RECV_DEFAULT_LISTEN);
		return -1;
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535) {
		snprintf(err, errlen, "listen address '%s': the port must be a number from 0 to 65535", listen);
		return -1;
	}
	char host[128];
	size_t hl = (size_t)(colon - listen);
	if (hl >= sizeof host) {
		snprintf(err, errlen, "listen address '%s': the address is too long", listen);
		return -1;
	}
	memcpy(host, listen, hl);
	host[hl] = 0;
	char *h = host;
	if (*h == '[' && hl >= 2 && h[hl - 1] == ']') {
		h[hl - 1] = 0;
		h++;
	}
	if (!*h || !strcasecmp(h, "localhost"))
		h = "127.0.0.1";
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof *s4;
		return 0;
	}
	if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof *s6;
		return 0;
	}
	/* A host name: its first address. */
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	int rc = getaddrinfo(h, NULL, &hints, &res);
	if (rc || !res) {
		snprintf(err, errlen, "listen address '%s': %s", listen, rc ? gai_strerror(rc) : "no address");
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	if (ss->ss_family == AF_INET)
		s4->sin_port = htons((uint16_t)port);
	else
		s6->sin6_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return 0;
}

static int addr_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
}

int receiver_is_loopback(const char *listen)
{
	if (!listen || !*listen)
		return 1;
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256];
	return parse_listen(listen, &ss, &sl, err, sizeof err) == 0 && addr_is_loopback(&ss);
}

int receiver_check_listen(const char *listen, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	return parse_listen(listen, &ss, &sl, err, errlen);
}

/* ---- answers ------------------------------------------------------------ */

/* google.rpc.Status (code 1, message 2), the body of an OTLP error. */
static void status_pb(sbuf *out, int code, const char *msg)
{
	size_t n = strlen(msg);
	sb_addc(out, 0x08);
	sb_addc(out, (char)code);
	sb_addc(out, 0x12);
	for (size_t v = n; ; v >>= 7) {
		if (v < 0x80) {
			sb_addc(out, (char)v);
			break;
		}
		sb_addc(out, (char)(0x80 | (v & 0x7f)));
	}
	sb_add(out, msg, n);
}

/* A JSON string of s, with what a terminal or another program should not
 * take at face value escaped. */
static void json_str(sbuf *out, const char *s)
{
	sbuf q = SBUF_INIT;
	json_escape(&q, s);
	sanitize_json(q.p, q.len, out);
	sb_free(&q);
}

/* gRPC codes, as the Status body names them. */
static int rpc_code(int http)
{
	switch (http) {
	case 400: return 3;  /* INVALID_ARGUMENT */
	case 401: return 16; /* UNAUTHENTICATED */
	case 404: return 5;  /* NOT_FOUND */
	case 405:
	case 415: return 12; /* UNIMPLEMENTED */
	case 413: return 8;  /* RESOURCE_EXHAUSTED */
	default: return 14;  /* UNAVAILABLE */
	}
}

static enum MHD_Result answer(struct MHD_Connection *conn, int status, int json, int retry_after, const char *ctype,
			      sbuf *body)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(body->len, body->len ? body->p : (void *)"", MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				ctype ? ctype : json ? "application/json" : "application/x-protobuf");
	if (retry_after) {
		char s[16];
		snprintf(s, sizeof s, "%d", retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, s);
	}
	if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	enum MHD_Result r = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	sb_free(body);
	return r;
}

/* An error with its Status body in the request's encoding (-1: not known,
 * plain text). */
static enum MHD_Result answer_error(receiver_t *r, struct MHD_Connection *conn, int status, int json, int retry_after,
				    const char *msg)
{
	sbuf b = {0};
	const char *ctype = NULL;
	if (json < 0) {
		sb_printf(&b, "%s\n", msg);
		ctype = "text/plain; charset=utf-8";
	} else if (json) {
		sb_printf(&b, "{\"code\":%d,\"message\":", rpc_code(status));
		json_str(&b, msg);
		sb_adds(&b, "}");
	} else {
		status_pb(&b, rpc_code(status), msg);
	}
	pthread_mutex_lock(&r->mu);
	r->stats.requests++;
	if (status == 503)
		r->stats.refused++;
	else if (status != 404 && status != 405)
		r->stats.rejected++;
	snprintf(r->stats.last_error, sizeof r->stats.last_error, "%d %s", status, msg);
	pthread_mutex_unlock(&r->mu);
	return answer(conn, status, json > 0, retry_after, ctype, &b);
}

/* 200: everything stored, or stored but for the spans it names. */
static enum MHD_Result answer_ok(struct MHD_Connection *conn, const req_t *q)
{
	sbuf b = {0};
	if (q->json) {
		if (!q->rejected) {
			sb_adds(&b, "{}");
		} else {
			sb_printf(&b, "{\"partialSuccess\":{\"%s\":\"%llu\",\"errorMessage\":",
				  q->kind == K_LOGS ? "rejectedLogRecords" : "rejectedSpans", (unsigned long long)q->rejected);
			json_str(&b, q->why);
			sb_adds(&b, "}}");
		}
	} else if (q->kind == K_LOGS) {
		Otlp__ExportLogsServiceResponse m = OTLP__EXPORT_LOGS_SERVICE_RESPONSE__INIT;
		Otlp__ExportLogsPartialSuccess ps = OTLP__EXPORT_LOGS_PARTIAL_SUCCESS__INIT;
		if (q->rejected) {
			ps.rejected_log_records = (int64_t)q->rejected;
			ps.error_message = (char *)q->why;
			m.partial_success = &ps;
		}
		size_t n = otlp__export_logs_service_response__get_packed_size(&m);
		sb_grow(&b, n + 1);
		b.len = otlp__export_logs_service_response__pack(&m, (uint8_t *)b.p);
	} else {
		Otlp__ExportTraceServiceResponse m = OTLP__EXPORT_TRACE_SERVICE_RESPONSE__INIT;
		Otlp__ExportTracePartialSuccess ps = OTLP__EXPORT_TRACE_PARTIAL_SUCCESS__INIT;
		if (q->rejected) {
			ps.rejected_spans = (int64_t)q->rejected;
			ps.error_message = (char *)q->why;
			m.partial_success = &ps;
		}
		size_t n = otlp__export_trace_service_response__get_packed_size(&m);
		sb_grow(&b, n + 1);
		b.len = otlp__export_trace_service_response__pack(&m, (uint8_t *)b.p);
	}
	return answer(conn, 200, q->json, 0, NULL, &b);
}

/* ---- the writer ---------------------------------------------------------- */

static void count_calls(receiver_t *r, uint64_t calls)
{
	int64_t now = (int64_t)time(NULL);
	int i = (int)(now % 60);
	if (r->sec_at[i] != now) {
		r->sec_at[i] = now;
		r->sec_calls[i] = 0;
	}
	r->sec_calls[i] += calls;
}

/* The store writes what it held back for other layers of the same requests
 * (all, or what waited long enough); called without the lock. */
static void writer_settle(receiver_t *r, int all)
{
	char err[512] = "";
	ingest_stats s = {0};
	int rc = store_settle(r->st, all, r->prices, &s, err, sizeof err);
	pthread_mutex_lock(&r->mu);
	if (rc)
		snprintf(r->stats.last_error, sizeof r->stats.last_error, "store: %.200s", err);
	r->stats.calls += s.inserted;
	count_calls(r, s.inserted);
	pthread_mutex_unlock(&r->mu);
	char c = 1;
	if (s.inserted && write(r->notify[1], &c, 1) < 0) {
		/* full: the loop has a wake-up pending already */
	}
}

static void *writer_main(void *arg)
{
	receiver_t *r = arg;
	pthread_setname_np(pthread_self(), "llmops-recv");
	body_codec *codec = store_body_codec(r->st);
	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->head && !r->stopping) {
			/* Woken each second while idle: what waits for other
			 * layers is not held for ever. */
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			if (pthread_cond_timedwait(&r->cv, &r->mu, &until) == ETIMEDOUT && !r->head && !r->stopping) {
				pthread_mutex_unlock(&r->mu);
				writer_settle(r, 0);
				pthread_mutex_lock(&r->mu);
			}
		}
		if (!r->head) {
			pthread_mutex_unlock(&r->mu);
			writer_settle(r, 1);
			pthread_mutex_lock(&r->mu);
			r->writer_done = 1;
			pthread_cond_broadcast(&r->cv);
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		req_t *list = r->head, *last = list;
		int n = 1;
		while (last->next && n < RECV_TXN_REQUESTS) {
			last = last->next;
			n++;
		}
		r->head = last->next;
		if (!r->head)
			r->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&r->mu);

		char err[512] = "";
		int rc = store_begin(r->st, err, sizeof err);
		for (req_t *q = list; q && !rc; q = q->next) {
			ingest_stats s = {0};
			if (codec)
				ingest_compress(&q->batch, codec, &r->packed, &r->z);
			rc = store_ingest(r->st, &q->batch, r->prices, &s, err, sizeof err);
			q->calls = s.inserted;
		}
		if (!rc)
			rc = store_commit(r->st, err, sizeof err);
		else
			store_rollback(r->st);
		if (!rc && store_span_traces_pending(r->st) > RECV_PRUNE_TRACES) {
			uint64_t pruned;
			store_prune_spans(r->st, &pruned);
		}

		pthread_mutex_lock(&r->mu);
		if (!rc)
			r->stats.commits++;
		else
			snprintf(r->stats.last_error, sizeof r->stats.last_error, "store: %.200s", err);
		for (req_t *q = list, *next; q; q = next) {
			next = q->next;
			q->next = NULL;
			if (!rc) {
				q->status = 200;
				r->stats.batches++;
				r->stats.spans += q->kept;
				r->stats.rejected += q->rejected;
				r->stats.calls += q->calls;
				count_calls(r, q->calls);
			} else {
				q->status = 503;
				q->retry_after = RECV_STORE_RETRY;
				snprintf(q->msg, sizeof q->msg, "the store could not be written: %.200s", err);
			}
			batch_free(&q->batch);
			r->held -= q->held;
			q->held = 0;
			r->stats.queued--;
			q->state = R_DONE;
			r->waiting--;
			MHD_resume_connection(q->conn);
		}
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (!rc) {
			char c = 1;
			if (write(r->notify[1], &c, 1) < 0) {
				/* full: the loop has a wake-up pending already */
			}
			writer_settle(r, 0);
		}
	}
}

/* ---- reading a request --------------------------------------------------- */

/* The body, gunzipped when it came compressed; at most RECV_MAX_BODY bytes.
 * 0, 413 (too large decompressed), or 400 (not gzip). */
static int gunzip(const sbuf *in, sbuf *out, char *err, size_t errlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 15 + 32) != Z_OK) {
		snprintf(err, errlen, "gzip: cannot start inflating");
		return 400;
	}
	zs.next_in = (Bytef *)in->p;
	zs.avail_in = (uInt)in->len;
	int rc;
	do {
		if (out->len >= RECV_MAX_BODY) {
			inflateEnd(&zs);
			snprintf(err, errlen, "the body is larger than %u MiB decompressed", RECV_MAX_BODY >> 20);
			return 413;
		}
		size_t room = 65536;
		if (room > RECV_MAX_BODY - out->len)
			room = RECV_MAX_BODY - out->len;
		sb_grow(out, room);
		zs.next_out = (Bytef *)out->p + out->len;
		zs.avail_out = (uInt)room;
		rc = inflate(&zs, Z_NO_FLUSH);
		out->len += room - zs.avail_out;
		if (rc == Z_STREAM_END && zs.avail_in) {
			/* another gzip member follows */
			rc = inflateReset(&zs) == Z_OK ? Z_OK : Z_DATA_ERROR;
		}
	} while (rc == Z_OK);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		snprintf(err, errlen, "the gzip body is %s", rc == Z_BUF_ERROR ? "cut short" : "corrupt");
		return 400;
	}
	return 0;
}

static int has_token(const receiver_t *r, struct MHD_Connection *conn)
{
	if (!r->token)
		return 1;
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncasecmp(h, "Bearer ", 7))
		return 0;
	h += 7;
	while (*h == ' ')
		h++;
	size_t n = strlen(h), m = strlen(r->token);
	/* Time independent of where they differ. */
	unsigned diff = (unsigned)(n ^ m);
	for (size_t i = 0; i < m; i++)
		diff |= (unsigned char)r->token[i] ^ (unsigned char)(i < n ? h[i] : 0);
	return diff == 0;
}

/* application/x-protobuf or application/json, parameters aside: 0 or 1, -1
 * for anything else. */
static int content_json(const char *ct)
{
	if (!ct)
		return -1;
	size_t n = strcspn(ct, "; \t");
	if (n == 22 && !strncasecmp(ct, "application/x-protobuf", n))
		return 0;
	if (n == 16 && !strncasecmp(ct, "application/json", n))
		return 1;
	return -1;
}

static enum MHD_Result begin(receiver_t *r, struct MHD_Connection *conn, const char *url, const char *method,
			     void **con_cls)
{
	int kind = !strcmp(url, "/v1/traces") ? K_TRACES : !strcmp(url, "/v1/logs") ? K_LOGS : -1;
	if (kind < 0)
		return answer_error(r, conn, 404, -1, 0, "not found: OTLP/HTTP takes POST /v1/traces and /v1/logs");
	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return answer_error(r, conn, 405, -1, 0, "method not allowed: POST");
	int json = content_json(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
	if (!has_token(r, conn))
		return answer_error(r, conn, 401, json, 0, "missing or wrong bearer token");
	if (json < 0)
		return answer_error(r, conn, 415, -1, 0,
				    "unsupported content type: application/x-protobuf or application/json");
	const char *enc = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
	int gz = 0;
	if (enc && !strcasecmp(enc, "gzip"))
		gz = 1;
	else if (enc && *enc && strcasecmp(enc, "identity"))
		return answer_error(r, conn, 415, json, 0, "unsupported content encoding: gzip or none");
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(cl, &end, 10);
		if (errno || *end || v > RECV_MAX_BODY) {
			char m[96];
			snprintf(m, sizeof m, "the body is larger than %u MiB", RECV_MAX_BODY >> 20);
			return answer_error(r, conn, 413, json, 0, m);
		}
	}
	req_t *q = xcalloc(1, sizeof *q);
	q->conn = conn;
	q->kind = kind;
	q->json = json;
	q->gzip = gz;
	*con_cls = q;
	return MHD_YES;
}

/* The body is in: decode it, then hand it to the writer (the connection
 * waits) or answer at once. */
static enum MHD_Result submit(receiver_t *r, struct MHD_Connection *conn, req_t *q)
{
	char err[512];
	if (q->too_large) {
		snprintf(err, sizeof err, "the body is larger than %u MiB", RECV_MAX_BODY >> 20);
		return answer_error(r, conn, 413, q->json, 0, err);
	}
	sbuf plain = {0};
	const sbuf *body = &q->body;
	if (q->gzip) {
		int st = gunzip(&q->body, &plain, err, sizeof err);
		if (st) {
			sb_free(&plain);
			return answer_error(r, conn, st, q->json, 0, err);
		}
		body = &plain;
	}
	uint64_t rej = 0;
	int rc;
	if (q->json)
		rc = otlp_parse_doc_partial(body->p ? body->p : "", body->len, &q->batch, &rej, q->why, sizeof q->why);
	else
		rc = otlp_pb_parse_partial((const uint8_t *)(body->p ? body->p : ""), body->len, &q->batch, &rej, q->why,
					   sizeof q->why);
	size_t raw = q->body.len;
	sb_free(&plain);
	sb_free(&q->body);
	if (rc) {
		snprintf(err, sizeof err, "%s body: %s", q->json ? "OTLP/JSON" : "OTLP protobuf", q->why);
		pthread_mutex_lock(&r->mu);
		r->held -= raw;
		pthread_mutex_unlock(&r->mu);
		return answer_error(r, conn, 400, q->json, 0, err);
	}
	q->rejected = rej;
	q->kept = q->kind == K_LOGS ? q->batch.nev : q->batch.nspans;
	batch_prepare(&q->batch, r->prices);
	size_t held = q->batch.arena.used_total > raw ? q->batch.arena.used_total : raw;
	pthread_mutex_lock(&r->mu);
	r->held -= raw;
	/* One request alone is always taken (it is within RECV_MAX_BODY). */
	if (r->stopping || (r->held && r->held + held > RECV_MAX_QUEUED)) {
		int stopping = r->stopping;
		pthread_mutex_unlock(&r->mu);
		batch_free(&q->batch);
		return answer_error(r, conn, 503, q->json, RECV_RETRY_AFTER,
				    stopping ? "the receiver is stopping" : "the store is behind; retry");
	}
	r->held += held;
	q->held = held;
	q->state = R_WAITING;
	r->waiting++;
	r->stats.queued++;
	/* Suspended before the writer can see it, so that its resume never
	 * comes first. */
	MHD_suspend_connection(conn);
	if (r->tail)
		r->tail->next = q;
	else
		r->head = q;
	r->tail = q;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	receiver_t *r = cls;
	req_t *q = *con_cls;
	if (!q)
		return begin(r, conn, url, method, con_cls);
	if (q->state == R_READING) {
		if (*upload_size) {
			size_t n = *upload_size;
			*upload_size = 0;
			if (q->too_large)
				return MHD_YES;
			if (q->body.len + n > RECV_MAX_BODY) {
				q->too_large = 1;
				pthread_mutex_lock(&r->mu);
				r->held -= q->body.len;
				pthread_mutex_unlock(&r->mu);
				sb_free(&q->body);
				return MHD_YES;
			}
			pthread_mutex_lock(&r->mu);
			int full = r->held > q->body.len && r->held + n > RECV_MAX_QUEUED;
			if (!full)
				r->held += n;
			pthread_mutex_unlock(&r->mu);
			if (full) {
				/* Too much held already: refuse now rather than read more. */
				q->too_large = 2;
				pthread_mutex_lock(&r->mu);
				r->held -= q->body.len;
				pthread_mutex_unlock(&r->mu);
				sb_free(&q->body);
				return MHD_YES;
			}
			sb_add(&q->body, upload_data, n);
			return MHD_YES;
		}
		if (q->too_large == 2)
			return answer_error(r, conn, 503, q->json, RECV_RETRY_AFTER, "the store is behind; retry");
		return submit(r, conn, q);
	}
	if (q->state == R_DONE) {
		q->state = R_DONE + 1;
		pthread_mutex_lock(&r->mu);
		r->stats.requests++;
		r->answered++;
		pthread_mutex_unlock(&r->mu);
		if (q->status == 200)
			return answer_ok(conn, q);
		return answer_error(r, conn, q->status, q->json, q->retry_after, q->msg);
	}
	return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	receiver_t *r = cls;
	req_t *q = *con_cls;
	if (!q)
		return;
	pthread_mutex_lock(&r->mu);
	if (q->state == R_READING)
		r->held -= q->body.len;
	if (q->state > R_DONE)
		r->finished++;
	pthread_mutex_unlock(&r->mu);
	sb_free(&q->body);
	batch_free(&q->batch);
	free(q);
	*con_cls = NULL;
}

/* ---- start and stop ------------------------------------------------------ */

receiver_t *receiver_start(const receiver_opts *o, char *err, size_t errlen)
{
	const char *listen = o->listen && *o->listen ? o->listen : RECV_DEFAULT_LISTEN;
	struct sockaddr_storage ss;
	socklen_t sl;
	if (parse_listen(listen, &ss, &sl, err, errlen))
		return NULL;
	if (!addr_is_loopback(&ss) && (!o->token || !*o->token)) {
		snprintf(err, errlen,
			 "listen address '%s' is not loopback: set a bearer token (LLMOPS_COLLECT_TOKEN or collect_token_cmd) "
			 "before receiving from the network",
			 listen);
		return NULL;
	}
	if (!o->tls_cert != !o->tls_key) {
		snprintf(err, errlen, "TLS needs both collect_tls_cert and collect_tls_key");
		return NULL;
	}
	if (o->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd was built without TLS");
		return NULL;
	}
	receiver_t *r = xcalloc(1, sizeof *r);
	r->prices = o->prices;
	r->token = o->token && *o->token ? xstrdup(o->token) : NULL;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->notify[0] = r->notify[1] = -1;
	if (store_open(o->store_path, STORE_CREATE | STORE_BULK, &r->st, err, errlen))
		goto fail;
	/* STORE_BULK, as a long import: the larger cache holds the key indexes
	 * the ingest probes (half the writer's time without it), and the WAL
	 * is checkpointed by a thread of its own. Exporters give up on a
	 * request after about 10 s: a lock held longer
	 * than this is answered 503, to be retried, well before. */
	store_busy_timeout(r->st, RECV_BUSY_MS);
	if (pipe2(r->notify, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* poll(2), not epoll: with a thread pool, libmicrohttpd 0.9.75 takes the
	 * listening socket out of each worker's epoll set both in
	 * MHD_quiesce_daemon and in the worker itself (at its connection limit),
	 * and aborts the process when the second finds it gone. A thousand
	 * connections at most are well within poll's reach. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (o->tls_cert)
		flags |= MHD_USE_TLS;
	unsigned threads = o->threads > 0 ? (unsigned)o->threads : 2;
	if (pthread_create(&r->writer, NULL, writer_main, r)) {
		snprintf(err, errlen, "cannot start the writer thread");
		goto fail;
	}
	struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};
	if (o->tls_cert) {
		tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert};
		tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key};
	}
	r->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, r, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)RECV_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)RECV_IDLE_TIMEOUT, MHD_OPTION_NOTIFY_COMPLETED, on_completed, r,
				MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!r->d) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen,
			 errno ? strerror(errno) : "the address is taken or the TLS files are not valid PEM");
		pthread_mutex_lock(&r->mu);
		r->stopping = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->writer, NULL);
		goto fail;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = di ? di->port : 0;
	char host[INET6_ADDRSTRLEN] = "";
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
		snprintf(r->addr, sizeof r->addr, "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
		snprintf(r->addr, sizeof r->addr, "%s:%u", host, port);
	}
	return r;
fail:
	if (r->st)
		store_close(r->st);
	if (r->notify[0] >= 0) {
		close(r->notify[0]);
		close(r->notify[1]);
	}
	free(r->token);
	free(r);
	return NULL;
}

const char *receiver_address(const receiver_t *r)
{
	return r->addr;
}

void receiver_get_stats(receiver_t *r, receiver_stats *s)
{
	int64_t now = (int64_t)time(NULL);
	pthread_mutex_lock(&r->mu);
	*s = r->stats;
	s->calls_minute = 0;
	for (int i = 0; i < 60; i++)
		if (now - r->sec_at[i] < 60)
			s->calls_minute += r->sec_calls[i];
	pthread_mutex_unlock(&r->mu);
}

int receiver_fd(const receiver_t *r)
{
	return r->notify[0];
}

void receiver_drain_fd(receiver_t *r)
{
	char buf[256];
	while (read(r->notify[0], buf, sizeof buf) > 0) {
	}
}

void receiver_stop(receiver_t *r, receiver_stats *last)
{
	if (!r)
		return;
	/* No new connections; requests already in are read, stored and
	 * answered. */
	MHD_socket ls = MHD_quiesce_daemon(r->d);
	pthread_mutex_lock(&r->mu);
	r->stopping = 1;
	pthread_cond_broadcast(&r->cv);
	while (!r->writer_done)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->writer, NULL);
	/* Let the answers of resumed requests go out (two seconds at most). */
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&r->mu);
		int done = r->finished >= r->answered && !r->waiting;
		pthread_mutex_unlock(&r->mu);
		if (done)
			break;
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(r->d);
	/* Closed only now: the daemon's threads may still look at the
	 * listening socket until they have stopped. */
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	if (last)
		receiver_get_stats(r, last);
	store_close(r->st);
	close(r->notify[0]);
	close(r->notify[1]);
	sb_free(&r->packed);
	sb_free(&r->z);
	free(r->token);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}
