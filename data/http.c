#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/clock.h"

struct http_req {
	http_t *h;
	CURL *e;
	struct curl_slist *hdrs;
	char *url, *body;
	http_spec s;
	http_resp resp;
	double t_start, start_at;
	size_t max;      /* the body cap */
	int got_header;  /* the server answered something: connected */
	int too_large;
	int idle_out;    /* ended here: nothing came for idle_timeout_s */
	double last_rx;  /* clock_mono of the last byte received (or of the start) */
	double idle_s;
	int added;
	http_req *next;
};

typedef struct sockent {
	curl_socket_t fd;
	int what;
} sockent;

struct http_t {
	CURLM *m;
	http_req *reqs;
	sockent *socks;
	int nsocks, capsocks;
	double deadline; /* curl's timer; < 0 none */
	int running;
};

static int curl_ready;

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)e;
	(void)socketp;
	http_t *h = userp;
	for (int i = 0; i < h->nsocks; i++) {
		if (h->socks[i].fd != s)
			continue;
		if (what == CURL_POLL_REMOVE)
			h->socks[i] = h->socks[--h->nsocks];
		else
			h->socks[i].what = what;
		return 0;
	}
	if (what == CURL_POLL_REMOVE)
		return 0;
	if (h->nsocks == h->capsocks) {
		h->capsocks = h->capsocks ? h->capsocks * 2 : 8;
		h->socks = xrealloc(h->socks, (size_t)h->capsocks * sizeof *h->socks);
	}
	h->socks[h->nsocks++] = (sockent){s, what};
	return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	(void)m;
	http_t *h = userp;
	h->deadline = timeout_ms < 0 ? -1 : clock_mono() + (double)timeout_ms / 1000.0;
	return 0;
}

http_t *http_new(void)
{
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	http_t *h = xcalloc(1, sizeof *h);
	h->m = curl_multi_init();
	h->deadline = -1;
	curl_multi_setopt(h->m, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(h->m, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->m, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->m, CURLMOPT_TIMERDATA, h);
	return h;
}

static void req_free(http_req *r)
{
	if (r->added)
		curl_multi_remove_handle(r->h->m, r->e);
	curl_easy_cleanup(r->e);
	for (struct curl_slist *h = r->hdrs; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data)); /* an Authorization or x-api-key header */
	curl_slist_free_all(r->hdrs);
	/* The body may hold a key-free prompt, the headers a key: wipe both. */
	if (r->body) {
		memset(r->body, 0, r->s.body_len);
		free(r->body);
	}
	free(r->url);
	free((char *)r->s.method);
	sb_free(&r->resp.body);
	free(r);
}

static void unlink_req(http_t *h, http_req *r)
{
	for (http_req **pp = &h->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			return;
		}
}

void http_free(http_t *h)
{
	if (!h)
		return;
	while (h->reqs) {
		http_req *r = h->reqs;
		h->reqs = r->next;
		req_free(r);
	}
	curl_multi_cleanup(h->m);
	free(h->socks);
	free(h);
}

static size_t write_cb(char *p, size_t size, size_t n, void *ud)
{
	http_req *r = ud;
	size_t len = size * n;
	r->last_rx = clock_mono();
	if (r->resp.ttfb_s < 0)
		r->resp.ttfb_s = r->last_rx - r->t_start;
	/* Counted decoded: the cap is what memory holds, whatever the wire
	 * carried. Stopping here ends the transfer (a write error). */
	if (len > r->max - r->resp.bytes) {
		r->too_large = 1;
		return 0;
	}
	r->resp.bytes += len;
	if (r->s.on_data) {
		if (r->s.on_data(r->s.ud, p, len)) {
			r->resp.aborted = 1;
			return 0;
		}
		return len;
	}
	sb_add(&r->resp.body, p, len);
	return len;
}

static int hdr_is(const char *p, size_t len, const char *name)
{
	size_t n = strlen(name);
	return len > n && p[n] == ':' && strncasecmp(p, name, n) == 0;
}

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
	http_req *r = ud;
	size_t len = size * n;
	char v[128];
	r->got_header = 1;
	r->last_rx = clock_mono();
	if (len >= 5 && !strncmp(p, "HTTP/", 5))
		r->resp.content_length = -1; /* a new response (after a 100 Continue) */
	const char *colon = memchr(p, ':', len);
	if (!colon)
		return len;
	size_t off = (size_t)(colon - p) + 1;
	while (off < len && (p[off] == ' ' || p[off] == '\t'))
		off++;
	size_t vl = len - off;
	while (vl && (p[off + vl - 1] == '\r' || p[off + vl - 1] == '\n' || p[off + vl - 1] == ' '))
		vl--;
	if (vl >= sizeof v)
		vl = sizeof v - 1;
	memcpy(v, p + off, vl);
	v[vl] = 0;
	if (hdr_is(p, len, "retry-after-ms")) {
		char *end;
		double ms = strtod(v, &end);
		if (end != v && ms >= 0)
			r->resp.retry_after_s = ms / 1000.0; /* the precise one wins */
	} else if (hdr_is(p, len, "retry-after") && r->resp.retry_after_s < 0) {
		char *end;
		double s = strtod(v, &end);
		if (end != v && *end == 0 && s >= 0) {
			r->resp.retry_after_s = s;
		} else {
			time_t t = curl_getdate(v, NULL);
			if (t > 0) {
				double d = (double)t - (double)clock_now_ns() / 1e9;
				r->resp.retry_after_s = d > 0 ? d : 0;
			}
		}
	} else if (hdr_is(p, len, "content-type")) {
		snprintf(r->resp.content_type, sizeof r->resp.content_type, "%s", v);
	} else if (hdr_is(p, len, "content-length")) {
		char *end;
		errno = 0;
		unsigned long long cl = strtoull(v, &end, 10);
		if (end != v && !*end && v[0] != '-') {
			r->resp.content_length = errno == ERANGE || cl > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)cl;
			/* Refused before a byte of the body is read. */
			if ((unsigned long long)r->resp.content_length > r->max) {
				r->too_large = 1;
				return 0;
			}
		}
	}
	return len;
}

http_req *http_start(http_t *h, const http_spec *s, char *err, size_t errlen)
{
	http_req *r = xcalloc(1, sizeof *r);
	r->h = h;
	r->s = *s;
	r->s.method = xstrdup(s->method ? s->method : "GET");
	r->url = xstrdup(s->url);
	r->resp.retry_after_s = -1;
	r->resp.ttfb_s = -1;
	r->resp.content_length = -1;
	r->max = s->max_bytes > 0 ? s->max_bytes : HTTP_MAX_BYTES_DEFAULT;
	r->resp.max_bytes = r->max;
	r->e = curl_easy_init();
	if (!r->e) {
		snprintf(err, errlen, "cannot start an HTTP request");
		free((char *)r->s.method);
		free(r->url);
		free(r);
		return NULL;
	}
	for (const char *const *p = s->headers; p && *p; p++)
		r->hdrs = curl_slist_append(r->hdrs, *p);
	CURL *e = r->e;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect must not carry the key elsewhere */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "llmops/" LLMOPS_VERSION);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms > 0 ? s->connect_timeout_ms : 10000L);
	if (s->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s->timeout_ms);
	/* The idle timeout is kept here, not with curl's low-speed limit: that
	 * one averages over seconds and counts the request body sent, so a
	 * silent server would get several seconds more than it is given. */
	r->idle_s = s->idle_timeout_s > 0 ? (double)s->idle_timeout_s : 60.0;
	if (!strcmp(r->s.method, "POST")) {
		r->body = xmalloc(s->body_len + 1);
		memcpy(r->body, s->body ? s->body : "", s->body_len);
		r->body[s->body_len] = 0;
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body_len);
	} else if (strcmp(r->s.method, "GET")) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->s.method);
	}
	r->start_at = clock_mono() + (s->delay_ms > 0 ? (double)s->delay_ms / 1000.0 : 0);
	r->next = h->reqs;
	h->reqs = r;
	return r;
}

void http_cancel(http_t *h, http_req *r)
{
	if (!r)
		return;
	unlink_req(h, r);
	req_free(r);
}

long long http_content_length(const http_req *r)
{
	return r ? r->resp.content_length : -1;
}

int http_connected(const http_req *r)
{
	curl_off_t connect_us = 0;
	if (!r || !r->added)
		return 0;
	if (r->got_header)
		return 1;
	curl_easy_getinfo(r->e, CURLINFO_CONNECT_TIME_T, &connect_us);
	return connect_us > 0;
}

long http_status(const http_req *r)
{
	long code = 0;
	if (r && r->added)
		curl_easy_getinfo(r->e, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

int http_active(const http_t *h)
{
	int n = 0;
	for (const http_req *r = h->reqs; r; r = r->next)
		n++;
	return n;
}

int http_pollfds(http_t *h, struct pollfd *fds, int max)
{
	int n = 0;
	for (int i = 0; i < h->nsocks && n < max; i++) {
		short ev = 0;
		if (h->socks[i].what & CURL_POLL_IN)
			ev |= POLLIN;
		if (h->socks[i].what & CURL_POLL_OUT)
			ev |= POLLOUT;
		fds[n++] = (struct pollfd){.fd = h->socks[i].fd, .events = ev};
	}
	return n;
}

/* When a request under way has been silent too long: counted from the last
 * byte received, or from the connection once made (connecting has its own
 * timeout); -1 while it is still connecting. */
static double idle_at(http_req *r)
{
	curl_off_t connect_us = 0;
	if (!r->got_header) {
		curl_easy_getinfo(r->e, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us <= 0)
			return -1; /* the socket wakes the loop once connected */
	}
	double base = r->last_rx, conn = r->t_start + (double)connect_us / 1e6;
	return (conn > base ? conn : base) + r->idle_s;
}

long http_wait_ms(http_t *h)
{
	double now = clock_mono(), at = -1;
	if (h->deadline >= 0)
		at = h->deadline;
	for (http_req *r = h->reqs; r; r = r->next) {
		double t = r->added ? idle_at(r) : r->start_at;
		if (t >= 0 && (at < 0 || t < at))
			at = t;
	}
	if (at < 0)
		return -1;
	double ms = (at - now) * 1000.0;
	return ms <= 0 ? 0 : (long)ceil(ms);
}

/* "30s", "1.5s": a timeout as messages say it. */
static void fmt_secs(char *out, size_t n, double s)
{
	if (s == floor(s))
		snprintf(out, n, "%.0fs", s);
	else
		snprintf(out, n, "%.1fs", s);
}

void http_fmt_size(char *out, size_t n, size_t bytes)
{
	if (bytes >= HTTP_MIB && bytes % HTTP_MIB == 0)
		snprintf(out, n, "%zu MiB", bytes / HTTP_MIB);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(out, n, "%zu KiB", bytes / 1024);
	else
		snprintf(out, n, "%zu bytes", bytes);
}

/* Which of the bounds ended a request, or what else did. */
static void classify(http_req *r, CURLcode rc)
{
	http_resp *resp = &r->resp;
	char d[32];
	resp->failed = 1;
	if (r->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		resp->why = HTTP_E_TOO_LARGE;
		http_fmt_size(d, sizeof d, r->max);
		snprintf(resp->err, sizeof resp->err, "larger than %s", d);
		return;
	}
	int connected = resp->connected;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		resp->timed_out = 1;
		/* curl says "timed out" for the connect timeout and the deadline
		 * alike: the clock tells them apart. */
		if (r->idle_out) {
			resp->why = HTTP_E_IDLE;
			snprintf(resp->err, sizeof resp->err, "connected, %s for %.0fs",
				 resp->ttfb_s < 0 ? "no answer" : "nothing more received", r->idle_s);
		} else if (r->s.timeout_ms > 0 && resp->total_s * 1000.0 >= (double)r->s.timeout_ms - 50) {
			resp->why = HTTP_E_DEADLINE;
			fmt_secs(d, sizeof d, (double)r->s.timeout_ms / 1000.0);
			snprintf(resp->err, sizeof resp->err, "no complete answer within %s", d);
		} else if (!connected) {
			resp->why = HTTP_E_CONNECT;
			fmt_secs(d, sizeof d, (double)(r->s.connect_timeout_ms > 0 ? r->s.connect_timeout_ms : 10000) / 1000.0);
			snprintf(resp->err, sizeof resp->err, "no connection within %s", d);
		} else {
			/* A connect timeout counted from a connection made? Rare
			 * enough: said as what curl says. */
			resp->why = HTTP_E_BROKEN;
			snprintf(resp->err, sizeof resp->err, "%s", curl_easy_strerror(rc));
		}
		return;
	}
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
	    (!connected && rc != CURLE_WRITE_ERROR)) {
		resp->why = HTTP_E_CONNECT;
		snprintf(resp->err, sizeof resp->err, "no connection: %s", curl_easy_strerror(rc));
		return;
	}
	resp->why = HTTP_E_BROKEN;
	snprintf(resp->err, sizeof resp->err, "%s", curl_easy_strerror(rc));
}

static void finish(http_t *h, http_req *r, CURLcode rc)
{
	http_resp *resp = &r->resp;
	curl_easy_getinfo(r->e, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->total_s = clock_mono() - r->t_start;
	curl_off_t connect_us = 0;
	curl_easy_getinfo(r->e, CURLINFO_CONNECT_TIME_T, &connect_us);
	resp->connected = r->got_header || connect_us > 0;
	if (r->too_large || (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && resp->aborted)))
		classify(r, rc);
	unlink_req(h, r);
	if (r->s.on_done)
		r->s.on_done(r->s.ud, resp);
	req_free(r);
}

void http_process(http_t *h, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		int ev = 0;
		if (fds[i].revents & POLLIN)
			ev |= CURL_CSELECT_IN;
		if (fds[i].revents & POLLOUT)
			ev |= CURL_CSELECT_OUT;
		if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL))
			ev |= CURL_CSELECT_ERR;
		curl_multi_socket_action(h->m, fds[i].fd, ev, &h->running);
	}
	double now = clock_mono();
	int started = 0;
	for (http_req *r = h->reqs; r; r = r->next)
		if (!r->added && r->start_at <= now) {
			r->added = 1;
			r->t_start = r->last_rx = now;
			curl_multi_add_handle(h->m, r->e);
			started = 1;
		}
	if (started || (h->deadline >= 0 && clock_mono() >= h->deadline)) {
		h->deadline = -1;
		curl_multi_socket_action(h->m, CURL_SOCKET_TIMEOUT, 0, &h->running);
	}
	/* Silent too long: ended here, one at a time (on_done may start or
	 * cancel requests, so the list is walked again after each). */
	for (int again = 1; again;) {
		again = 0;
		double t = clock_mono();
		for (http_req *r = h->reqs; r; r = r->next) {
			double at = r->added ? idle_at(r) : -1;
			if (at < 0 || t < at)
				continue; /* not started, still connecting (the connect timeout's business), or not yet */
			r->idle_out = 1;
			finish(h, r, CURLE_OPERATION_TIMEDOUT);
			again = 1;
			break;
		}
	}
	for (;;) {
		int left;
		CURLMsg *msg = curl_multi_info_read(h->m, &left);
		if (!msg)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		http_req *r = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r)
			finish(h, r, msg->data.result);
	}
}

int http_run(http_t *h, volatile int *stop_flag)
{
	while (http_active(h) && !(stop_flag && *stop_flag)) {
		struct pollfd fds[64];
		int n = http_pollfds(h, fds, 64);
		long wait = http_wait_ms(h);
		if (wait < 0 || wait > 1000)
			wait = 1000;
		if (poll(fds, (nfds_t)n, (int)wait) < 0 && errno != EINTR)
			return -1;
		http_process(h, fds, n);
	}
	return 0;
}

double http_backoff_s(int attempt, double retry_after_s, double cap_s)
{
	/* Never zero, even when the server says 0: that would be a request
	 * per loop turn. Callers that poll for long floor it higher. */
	if (retry_after_s >= 0)
		return retry_after_s < 0.1 ? 0.1 : retry_after_s < cap_s ? retry_after_s : cap_s;
	double base = ldexp(1.0, attempt < 1 ? 0 : (attempt > 20 ? 20 : attempt - 1));
	if (base > cap_s)
		base = cap_s;
	/* Full jitter: many clients that failed together do not retry together. */
	double u = (double)(random() % 1000000) / 1e6;
	double d = base / 2 + u * base / 2;
	return d < 0.1 ? 0.1 : d;
}
