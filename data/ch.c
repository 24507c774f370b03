/* ClickHouse over HTTP: one libcurl easy handle a connection (kept alive
 * between queries), the query in the POST body, the settings in the URL's
 * parameters, the password as HTTP basic authentication (never in a URL or
 * a message). */
#include "ch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ch_internal.h"
#include "secrets.h"

/* What a server error may say before we cut it: ClickHouse repeats the
 * query in a syntax error, and a query may hold a whole batch. */
#define CH_ERR_MAX 600
/* How long password_cmd may run. */
#define CH_PASSWORD_CMD_MS 10000
/* Connecting to a server that does not answer. */
#define CH_CONNECT_TIMEOUT_S 10

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ch_seterr(char *err, size_t n, const char *fmt, ...)
{
	if (!err || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static int ident_ok(const char *s, size_t n)
{
	if (!n || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
			return 0;
	}
	return 1;
}

static int host_ok(const char *s, size_t n)
{
	if (!n || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '-' || ch == ':' || ch == '[' || ch == ']' || ch == '_'))
			return 0;
	}
	return 1;
}

/* clickhouse://[USER@]HOST[:PORT]/DATABASE[?secure=1&cluster=NAME] */
static int parse_url(ch_conn *c, const char *url, char *err, size_t errlen)
{
	static const char scheme[] = "clickhouse://";
	if (strncmp(url, scheme, sizeof scheme - 1)) {
		ch_seterr(err, errlen, "not a ClickHouse URL (clickhouse://[USER@]HOST[:PORT]/DATABASE)");
		return -1;
	}
	const char *p = url + sizeof scheme - 1;
	const char *slash = strchr(p, '/');
	if (!slash) {
		ch_seterr(err, errlen, "ClickHouse URL without a database (clickhouse://HOST[:PORT]/DATABASE)");
		return -1;
	}
	const char *at = memchr(p, '@', (size_t)(slash - p));
	if (at) {
		if (memchr(p, ':', (size_t)(at - p))) {
			/* Said without echoing the URL: it holds the password. */
			ch_seterr(err, errlen,
				  "a password in the ClickHouse URL is refused (it would show in process lists and "
				  "histories); give it in " CH_PASSWORD_ENV " or with set clickhouse_password_cmd");
			return -1;
		}
		if (!ident_ok(p, (size_t)(at - p))) {
			ch_seterr(err, errlen, "ClickHouse URL: the user name must be letters, digits and _");
			return -1;
		}
		c->user = xstrndup(p, (size_t)(at - p));
		p = at + 1;
	} else {
		c->user = xstrdup("default");
	}
	const char *hend = slash;
	const char *colon = NULL;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(slash - p));
		if (!rb) {
			ch_seterr(err, errlen, "ClickHouse URL: unclosed [ in the host");
			return -1;
		}
		if (rb + 1 < slash && rb[1] == ':')
			colon = rb + 1;
	} else {
		colon = memchr(p, ':', (size_t)(slash - p));
	}
	if (colon)
		hend = colon;
	if (!host_ok(p, (size_t)(hend - p))) {
		ch_seterr(err, errlen, "ClickHouse URL: bad host");
		return -1;
	}
	c->host = xstrndup(p, (size_t)(hend - p));
	c->port = 0;
	if (colon) {
		char *e;
		long port = strtol(colon + 1, &e, 10);
		if (e != slash || port <= 0 || port > 65535) {
			ch_seterr(err, errlen, "ClickHouse URL: bad port");
			return -1;
		}
		c->port = (int)port;
	}
	const char *db = slash + 1;
	const char *q = strchr(db, '?');
	size_t dbn = q ? (size_t)(q - db) : strlen(db);
	if (!ident_ok(db, dbn)) {
		ch_seterr(err, errlen, "ClickHouse URL: the database name must be letters, digits and _");
		return -1;
	}
	c->db = xstrndup(db, dbn);
	while (q && *q) {
		q++;
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		if (n == 8 && !strncmp(q, "secure=1", 8)) {
			c->secure = 1;
		} else if (n == 8 && !strncmp(q, "secure=0", 8)) {
			c->secure = 0;
		} else if (n > 8 && !strncmp(q, "cluster=", 8) && ident_ok(q + 8, n - 8)) {
			free(c->cluster);
			c->cluster = xstrndup(q + 8, n - 8);
		} else {
			ch_seterr(err, errlen, "ClickHouse URL: unknown or bad parameter (secure=1, cluster=NAME)");
			return -1;
		}
		q = amp;
	}
	if (!c->port)
		c->port = c->secure ? 8443 : 8123;
	snprintf(c->display, sizeof c->display, "clickhouse://%s@%s:%d/%s%s%s%s", c->user, c->host, c->port, c->db,
		 c->secure ? "?secure=1" : "", c->cluster ? (c->secure ? "&cluster=" : "?cluster=") : "",
		 c->cluster ? c->cluster : "");
	snprintf(c->where, sizeof c->where, "%s@%s:%d", c->user, c->host, c->port);
	return 0;
}

/* ---- requests ----------------------------------------------------------- */

typedef struct resp {
	ch_conn *c;
	long status;
	int started;   /* the status is known */
	sbuf line;     /* a row not yet complete */
	sbuf errbody;  /* a failure's body */
	ch_row_fn fn;
	void *ud;
	unsigned long seq; /* the query's number on this connection */
	int stop;      /* what fn returned */
	char **cols;
	int ncols, colcap;
} resp;

/* TabSeparated's escapes, in place; returns the new length. */
static size_t tsv_unescape(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			s[o++] = s[i];
			continue;
		}
		char e = s[++i];
		switch (e) {
		case 'n': s[o++] = '\n'; break;
		case 't': s[o++] = '\t'; break;
		case 'r': s[o++] = '\r'; break;
		case 'b': s[o++] = '\b'; break;
		case 'f': s[o++] = '\f'; break;
		case '0': s[o++] = '\0'; break;
		case 'a': s[o++] = '\a'; break;
		case 'v': s[o++] = '\v'; break;
		default: s[o++] = e; break; /* \\ \' and anything else: the character */
		}
	}
	return o;
}

static int deliver_row(resp *r, char *line, size_t n)
{
	r->ncols = 0;
	char *p = line, *end = line + n;
	for (;;) {
		char *tab = memchr(p, '\t', (size_t)(end - p));
		char *fe = tab ? tab : end;
		if (r->ncols == r->colcap) {
			r->colcap = r->colcap ? r->colcap * 2 : 16;
			r->cols = xrealloc(r->cols, (size_t)r->colcap * sizeof *r->cols);
		}
		*fe = '\0';
		if (fe - p == 2 && p[0] == '\\' && p[1] == 'N') {
			r->cols[r->ncols++] = NULL;
		} else {
			size_t k = tsv_unescape(p, (size_t)(fe - p));
			p[k] = '\0';
			r->cols[r->ncols++] = p;
		}
		if (!tab)
			break;
		p = tab + 1;
	}
	return r->fn ? r->fn(r->ud, r->cols, r->ncols) : 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	resp *r = ud;
	size_t n = size * nmemb;
	if (!r->started) {
		curl_easy_getinfo(r->c->curl, CURLINFO_RESPONSE_CODE, &r->status);
		r->started = 1;
	}
	if (r->status != 200) {
		if (r->errbody.len < 64 * 1024)
			sb_add(&r->errbody, data, n);
		return n;
	}
	if (r->stop)
		return n;
	/* Rows are cut at newlines (a newline inside a value is escaped). */
	size_t i = 0;
	while (i < n && !r->stop) {
		char *nl = memchr(data + i, '\n', n - i);
		if (!nl) {
			sb_add(&r->line, data + i, n - i);
			break;
		}
		size_t k = (size_t)(nl - (data + i));
		/* The row is copied (with what an earlier chunk held of it) so
		 * that it can be cut and unescaped in place. */
		sb_add(&r->line, data + i, k);
		sb_addc(&r->line, '\0');
		r->stop = deliver_row(r, r->line.p, r->line.len - 1);
		sb_reset(&r->line);
		i += k + 1;
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	(void)dlt, (void)dln, (void)ult, (void)uln;
	const resp *r = ud;
	return atomic_load(&r->c->cancel_seq) == r->seq ? 1 : 0;
}

/* "Code: 193, e.displayText() = DB::Exception: Wrong password for user x,
 * e.what() = DB::Exception" (18.x) or "Code: 193. DB::Exception: ...
 * (WRONG_PASSWORD) (version ...)" (newer): the code and the message, on one
 * line, printable, cut. */
static void server_error(const ch_conn *c, const sbuf *body, long status, char *err, size_t errlen)
{
	const char *s = sb_str(body);
	char msg[CH_ERR_MAX + 1];
	size_t o = 0;
	const char *m = strstr(s, "DB::Exception: ");
	int code = 0;
	const char *cp = strstr(s, "Code: ");
	if (cp)
		code = atoi(cp + 6);
	if (m)
		s = m + strlen("DB::Exception: ");
	const char *tail = strstr(s, ", e.what() = ");
	size_t lim = tail ? (size_t)(tail - s) : strlen(s);
	for (size_t i = 0; i < lim && o < CH_ERR_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n' || ch == '\r' || ch == '\t')
			ch = ' ';
		if (ch < 0x20 || ch == 0x7f)
			ch = '?';
		msg[o++] = (char)ch;
	}
	while (o && msg[o - 1] == ' ')
		o--;
	msg[o] = '\0';
	if (code)
		ch_seterr(err, errlen, "ClickHouse %s: error %d: %s", c->where, code, msg);
	else
		ch_seterr(err, errlen, "ClickHouse %s: HTTP %ld: %s", c->where, status, o ? msg : "no message");
}

static unsigned long new_query_id(ch_conn *c, char *out, size_t n)
{
	unsigned long seq = (unsigned long)atomic_fetch_add(&c->seq, 1) + 1;
	snprintf(out, n, "llmops-%ld-%lx-%lu", (long)getpid(), c->nonce, seq);
	return seq;
}

/* The certificate authorities a secure=1 server is checked against, when
 * not the system's (`set clickhouse_ca`). */
static char *ca_file;

void ch_set_ca_file(const char *path)
{
	free(ca_file);
	ca_file = path && *path ? xstrdup(path) : NULL;
}

static void set_auth(CURL *e, const ch_conn *c)
{
	curl_easy_setopt(e, CURLOPT_USERNAME, c->user);
	curl_easy_setopt(e, CURLOPT_PASSWORD, c->password ? c->password : "");
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)CH_CONNECT_TIMEOUT_S);
	/* Only the scheme given: no redirects to elsewhere with the password. */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, c->secure ? "https" : "http");
	if (c->secure && ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
}

static void base_url(const ch_conn *c, sbuf *u, const char *qid, int with_db)
{
	sb_printf(u, "%s://%s:%d/?", c->secure ? "https" : "http", c->host, c->port);
	if (with_db)
		sb_printf(u, "database=%s&", c->db);
	sb_printf(u, "query_id=%s", qid);
}

/* Did a secure=1 request get through its TLS handshake (1 when not
 * secure, when it did not even connect, or on a connection kept from
 * before)? */
static int tls_done(CURL *e, const ch_conn *c)
{
	long connects = 0;
	double handshaken = 0;
	if (!c->secure)
		return 1;
	curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
	curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME, &handshaken);
	return connects == 0 || handshaken > 0;
}

/* One request: body is the query (sql only) or the data of an INSERT
 * (sql in the URL). */
static int request(ch_conn *c, const char *sql, const char *data, size_t len, int gz, ch_row_fn fn, void *ud,
		   char *err, size_t errlen)
{
	if (!c->curl) {
		c->curl = curl_easy_init();
		if (!c->curl) {
			ch_seterr(err, errlen, "ClickHouse %s: cannot start libcurl", c->where);
			return -1;
		}
	}
	CURL *e = c->curl;
	curl_easy_reset(e);
	set_auth(e, c);
	char qid[96];
	unsigned long seq = new_query_id(c, qid, sizeof qid);
	sbuf u = SBUF_INIT;
	base_url(c, &u, qid, c->use_db);
	if (c->timeout_s > 0)
		sb_printf(&u, "&max_execution_time=%d", c->timeout_s);
	/* The whole answer is computed before the status is sent: an error
	 * after the first rows is a 500, never rows that stop short. */
	sb_adds(&u, "&wait_end_of_query=1");
	sbuf z = SBUF_INIT;
	struct curl_slist *hdr = NULL;
	if (data) {
		char *esc = curl_easy_escape(e, sql, 0);
		sb_printf(&u, "&query=%s", esc);
		curl_free(esc);
		/* Through a Distributed table the insert returns once the shards
		 * have the rows: the next question of which span ids exist must
		 * see them. */
		if (c->cluster)
			sb_adds(&u, "&insert_distributed_sync=1");
		if (gz) {
			if (ch_gzip(data, len, &z)) {
				sb_free(&u);
				sb_free(&z);
				ch_seterr(err, errlen, "ClickHouse %s: cannot compress the insert", c->where);
				return -1;
			}
			data = z.p;
			len = z.len;
			hdr = curl_slist_append(hdr, "Content-Encoding: gzip");
			/* The server decompresses request bodies only when asked. */
			sb_adds(&u, "&enable_http_compression=1");
		}
	} else {
		data = sql;
		len = strlen(sql);
		/* Answers come gzip-compressed when the server is not this
		 * machine: a page of calls with their text is mostly words. */
		if (strcmp(c->host, "127.0.0.1") && strcmp(c->host, "localhost") && strcmp(c->host, "[::1]")) {
			sb_adds(&u, "&enable_http_compression=1");
			curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
		}
	}
	hdr = curl_slist_append(hdr, "Content-Type: text/plain; charset=utf-8");
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, u.p);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, data);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	resp r = {.c = c, .fn = fn, .ud = ud, .seq = seq};
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, &r);

	pthread_mutex_lock(&c->mu);
	snprintf(c->running, sizeof c->running, "%s", qid);
	c->running_seq = seq;
	pthread_mutex_unlock(&c->mu);
	CURLcode cc = curl_easy_perform(e);
	pthread_mutex_lock(&c->mu);
	c->running[0] = '\0';
	c->running_seq = 0;
	pthread_mutex_unlock(&c->mu);
	/* A cancel names its query: one that came as the query ended leaves the
	 * next alone. */
	int cancelled = atomic_load(&c->cancel_seq) == seq;

	int rc = 0;
	if (cc == CURLE_WRITE_ERROR || cc == CURLE_ABORTED_BY_CALLBACK || cancelled) {
		ch_seterr(err, errlen, "ClickHouse %s: query cancelled", c->where);
		rc = -1;
	} else if (cc != CURLE_OK) {
		if (cc == CURLE_COULDNT_CONNECT)
			ch_seterr(err, errlen, "cannot connect to ClickHouse at %s:%d: connection refused or unreachable",
				  c->host, c->port);
		else if (cc == CURLE_COULDNT_RESOLVE_HOST)
			ch_seterr(err, errlen, "cannot connect to ClickHouse at %s:%d: unknown host", c->host, c->port);
		else if (cc == CURLE_OPERATION_TIMEDOUT && !tls_done(e, c))
			/* a plain-HTTP port may wait for the end of a request line
			 * that a TLS hello never sends */
			ch_seterr(err, errlen,
				  "ClickHouse %s: the TLS handshake failed (secure=1 needs the server's HTTPS port)",
				  c->where);
		else if (cc == CURLE_OPERATION_TIMEDOUT)
			ch_seterr(err, errlen, "ClickHouse %s: no answer in time", c->where);
		else if (cc == CURLE_PEER_FAILED_VERIFICATION)
			ch_seterr(err, errlen,
				  "ClickHouse %s: the server's certificate is not trusted (%s; a private authority is "
				  "named with set clickhouse_ca = FILE)",
				  c->where, curl_easy_strerror(cc));
		else if (cc == CURLE_SSL_CACERT_BADFILE)
			ch_seterr(err, errlen, "ClickHouse %s: clickhouse_ca %s cannot be read as PEM certificates",
				  c->where, ca_file ? ca_file : "");
		else if (cc == CURLE_SSL_CONNECT_ERROR)
			ch_seterr(err, errlen,
				  "ClickHouse %s: the TLS handshake failed (secure=1 needs the server's HTTPS port)",
				  c->where);
		else
			ch_seterr(err, errlen, "ClickHouse %s: %s", c->where, curl_easy_strerror(cc));
		rc = -1;
	} else {
		if (!r.started)
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
		if (r.status != 200) {
			if (r.status == 401 || r.status == 403 || strstr(sb_str(&r.errbody), "Code: 193,") ||
			    strstr(sb_str(&r.errbody), "Code: 516.") || strstr(sb_str(&r.errbody), "Code: 192,"))
				ch_seterr(err, errlen,
					  "ClickHouse %s: authentication failed (wrong user or password; the password "
					  "comes from " CH_PASSWORD_ENV " or clickhouse_password_cmd)",
					  c->where);
			else
				server_error(c, &r.errbody, r.status, err, errlen);
			rc = -1;
		} else if (r.line.len && !r.stop) {
			/* A last row without its newline: TabSeparated ends each row
			 * with one, so the answer was cut. */
			ch_seterr(err, errlen, "ClickHouse %s: the answer ended in the middle of a row", c->where);
			rc = -1;
		} else if (r.stop) {
			rc = r.stop;
		}
	}
	curl_slist_free_all(hdr);
	sb_free(&u);
	sb_free(&z);
	sb_free(&r.line);
	sb_free(&r.errbody);
	free(r.cols);
	return rc;
}

int ch_gzip(const char *data, size_t len, sbuf *out)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	/* 16 + MAX_WBITS: a gzip header, as Content-Encoding: gzip wants. */
	if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	sb_reset(out);
	sb_grow(out, deflateBound(&zs, (uLong)len) + 16);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->p;
	zs.avail_out = (uInt)(out->cap - 1);
	int zr = deflate(&zs, Z_FINISH);
	out->len = zs.total_out;
	deflateEnd(&zs);
	return zr == Z_STREAM_END ? 0 : -1;
}

int ch_select(ch_conn *c, const char *sql, ch_row_fn fn, void *ud, char *err, size_t errlen)
{
	sbuf q = SBUF_INIT;
	sb_printf(&q, "%s FORMAT TabSeparated", sql);
	int rc = request(c, q.p, NULL, 0, 0, fn, ud, err, errlen);
	sb_free(&q);
	return rc;
}

int ch_exec(ch_conn *c, const char *sql, char *err, size_t errlen)
{
	return request(c, sql, NULL, 0, 0, NULL, NULL, err, errlen);
}

int ch_insert(ch_conn *c, const char *sql, const char *data, size_t len, char *err, size_t errlen)
{
	return request(c, sql, data, len, 1, NULL, NULL, err, errlen);
}

typedef struct int_ud {
	int64_t v;
	int got;
} int_ud;

static int int_row(void *ud, char **cols, int ncols)
{
	int_ud *u = ud;
	if (!u->got && ncols > 0 && cols[0]) {
		u->v = strtoll(cols[0], NULL, 10);
		u->got = 1;
	}
	return 0;
}

int ch_select_int(ch_conn *c, const char *sql, int64_t def, int64_t *out, char *err, size_t errlen)
{
	int_ud u = {def, 0};
	int rc = ch_select(c, sql, int_row, &u, err, errlen);
	*out = u.got ? u.v : def;
	return rc;
}

/* ---- cancel ------------------------------------------------------------- */

void ch_running_query(ch_conn *c, char *out, size_t n)
{
	pthread_mutex_lock(&c->mu);
	snprintf(out, n, "%s", c->running);
	pthread_mutex_unlock(&c->mu);
}

static size_t discard(char *d, size_t s, size_t n, void *ud)
{
	(void)d, (void)ud;
	return s * n;
}

void ch_cancel(ch_conn *c)
{
	char qid[96];
	pthread_mutex_lock(&c->mu);
	snprintf(qid, sizeof qid, "%s", c->running);
	unsigned long seq = c->running_seq;
	pthread_mutex_unlock(&c->mu);
	if (!qid[0])
		return;
	/* The server goes on with a query whose client went away: it is
	 * killed by its id over a connection of its own, then the transfer
	 * is abandoned. */
	CURL *e = curl_easy_init();
	if (e) {
		set_auth(e, c);
		char kid[96];
		new_query_id(c, kid, sizeof kid);
		sbuf u = SBUF_INIT;
		base_url(c, &u, kid, 0);
		char body[200];
		snprintf(body, sizeof body, "KILL QUERY WHERE query_id = '%s' ASYNC", qid);
		curl_easy_setopt(e, CURLOPT_URL, u.p);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, 5L);
		curl_easy_perform(e);
		curl_easy_cleanup(e);
		sb_free(&u);
	}
	atomic_store(&c->cancel_seq, seq);
}

/* ---- quoting ------------------------------------------------------------ */

void ch_quote_n(sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sb_grow(b, n + 2);
	sb_addc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '\'': sb_add(b, "\\'", 2); break;
		case '\\': sb_add(b, "\\\\", 2); break;
		case '\n': sb_add(b, "\\n", 2); break;
		case '\t': sb_add(b, "\\t", 2); break;
		case '\r': sb_add(b, "\\r", 2); break;
		case '\0': sb_add(b, "\\0", 2); break;
		default:
			if (ch < 0x20 || ch == 0x7f) {
				char e[4] = {'\\', 'x', hex[ch >> 4], hex[ch & 15]};
				sb_add(b, e, 4);
			} else {
				sb_addc(b, (char)ch);
			}
		}
	}
	sb_addc(b, '\'');
}

void ch_quote(sbuf *b, const char *s)
{
	ch_quote_n(b, s ? s : "", s ? strlen(s) : 0);
}

/* ---- connection --------------------------------------------------------- */

static int version_row(void *ud, char **cols, int ncols)
{
	ch_conn *c = ud;
	if (ncols > 0 && cols[0]) {
		c->major = atoi(cols[0]);
		snprintf(c->version, sizeof c->version, "%s", cols[0]);
	}
	return 0;
}

int ch_connect(const char *url, const char *password_cmd, int flags, ch_conn **out, char *err, size_t errlen)
{
	*out = NULL;
	pthread_once(&curl_once, curl_init_once);
	ch_conn *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	c->timeout_s = 30;
	c->nonce = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^ (unsigned long)(uintptr_t)c;
	if (parse_url(c, url, err, errlen)) {
		ch_disconnect(c);
		return -1;
	}
	const char *env = getenv(CH_PASSWORD_ENV);
	if (env && *env) {
		c->password = xstrdup(env);
	} else if (password_cmd && *password_cmd) {
		char why[256];
		c->password = secret_run_cmd(password_cmd, CH_PASSWORD_CMD_MS, why, sizeof why);
		if (!c->password) {
			ch_seterr(err, errlen, "ClickHouse %s: clickhouse_password_cmd: %s", c->where, why);
			ch_disconnect(c);
			return -1;
		}
	}
	/* The server first, without the database: a database that is not
	 * there yet is created below rather than refused. */
	if (ch_select(c, "SELECT version()", version_row, c, err, errlen)) {
		ch_disconnect(c);
		return -1;
	}
	if (c->major <= 0) {
		ch_seterr(err, errlen, "ClickHouse %s: the server did not say its version", c->where);
		ch_disconnect(c);
		return -1;
	}
	c->modern = c->major >= 22;
	if (!(flags & CH_READONLY)) {
		sbuf q = SBUF_INIT;
		sb_printf(&q, "CREATE DATABASE IF NOT EXISTS %s", c->db);
		int rc = ch_exec(c, q.p, err, errlen);
		sb_free(&q);
		if (rc) {
			ch_disconnect(c);
			return -1;
		}
	}
	c->use_db = 1;
	/* A subquery that a shard runs is read in the shard's default
	 * database: the local tables are named with theirs. */
	for (int i = 0; i < CH_NTABLES && c->cluster; i++)
		snprintf(c->local_q[i], sizeof c->local_q[i], "%s.%s_local", c->db, ch_tables[i]);
	if (!(flags & CH_NO_SCHEMA)) {
		int rc = (flags & CH_READONLY) ? ch_schema_check(c, err, errlen) : ch_schema_ensure(c, err, errlen);
		if (rc) {
			ch_disconnect(c);
			return -1;
		}
	}
	*out = c;
	return 0;
}

void ch_disconnect(ch_conn *c)
{
	if (!c)
		return;
	ch_write_free(c);
	if (c->curl)
		curl_easy_cleanup(c->curl);
	secret_free(c->password);
	free(c->user);
	free(c->host);
	free(c->db);
	free(c->cluster);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

int ch_server_major(const ch_conn *c)
{
	return c->major;
}

int ch_modern(const ch_conn *c)
{
	return c->modern;
}

const char *ch_url_display(const ch_conn *c)
{
	return c->display;
}

const char *ch_database(const ch_conn *c)
{
	return c->db;
}

const char *ch_cluster(const ch_conn *c)
{
	return c->cluster;
}

const char *ch_local(const ch_conn *c, const char *table)
{
	if (!c->cluster)
		return table;
	for (int i = 0; i < CH_NTABLES; i++)
		if (!strcmp(ch_tables[i], table))
			return c->local_q[i];
	return table;
}

void ch_set_timeout(ch_conn *c, int seconds)
{
	c->timeout_s = seconds < 0 ? 0 : seconds;
}

int ch_retention_days(const ch_conn *c)
{
	return c->retention_days;
}
