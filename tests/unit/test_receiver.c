/* The OTLP/HTTP receiver, spoken to as exporters speak to it: the captured
 * bodies of real instrumentation libraries POSTed over HTTP (protobuf, JSON,
 * gzip), and the requests an exporter should never send. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "../../core/pricing.h"
#include "../../data/follow.h"
#include "../../data/import.h"
#include "../../data/otlp_pb.h"
#include "../../data/receiver.h"
#include "../../data/store.h"
#include "t.h"

typedef struct resp {
	long status;
	sbuf body;
	char ctype[128];
	char retry[32];
} resp_t;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	sb_add(&((resp_t *)ud)->body, p, sz * n);
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	resp_t *r = ud;
	size_t len = sz * n;
	char line[256];
	snprintf(line, sizeof line, "%.*s", (int)(len < 255 ? len : 255), p);
	line[strcspn(line, "\r\n")] = 0;
	if (!strncasecmp(line, "Content-Type: ", 14))
		snprintf(r->ctype, sizeof r->ctype, "%.100s", line + 14);
	if (!strncasecmp(line, "Retry-After: ", 13))
		snprintf(r->retry, sizeof r->retry, "%.20s", line + 13);
	return len;
}

/* POSTs body to addr+path with the given headers (NULL-terminated). */
static void post(const char *addr, const char *path, const char *method, const void *body, size_t len,
		 const char **headers, resp_t *r)
{
	memset(r, 0, sizeof *r);
	CURL *c = curl_easy_init();
	char url[256];
	snprintf(url, sizeof url, "http://%s%s", addr, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	struct curl_slist *h = NULL;
	for (; headers && *headers; headers++)
		h = curl_slist_append(h, *headers);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	CURLcode rc = curl_easy_perform(c);
	ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
}

static const char *PB[] = {"Content-Type: application/x-protobuf", NULL};
static const char *JS[] = {"Content-Type: application/json", NULL};
static const char *PBGZ[] = {"Content-Type: application/x-protobuf", "Content-Encoding: gzip", NULL};

static void gzip(const void *in, size_t n, sbuf *out)
{
	z_stream zs = {0};
	ck_assert(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	sb_grow(out, deflateBound(&zs, n) + 16);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = (Bytef *)out->p + out->len;
	zs.avail_out = (uInt)(out->cap - out->len);
	ck_assert(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	out->len += zs.total_out;
	deflateEnd(&zs);
}

static receiver_t *start(const char *store, const char *token)
{
	receiver_opts o = {0};
	o.listen = "127.0.0.1:0";
	o.store_path = store;
	o.token = token;
	char err[256];
	receiver_t *r = receiver_start(&o, err, sizeof err);
	ck_assert_msg(r, "%s", err);
	return r;
}

static int64_t calls_in(const char *path, int64_t *tokens)
{
	sqlite3 *db;
	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	sqlite3_stmt *s;
	int64_t n = -1;
	*tokens = -1;
	if (sqlite3_prepare_v2(db, "SELECT COUNT(*), COALESCE(SUM(input_tokens),0)+COALESCE(SUM(output_tokens),0) FROM calls",
			       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		*tokens = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Every body of a varint-delimited capture, POSTed as an exporter does. */
static int post_pb_file(const char *addr, const char *file, int gz)
{
	size_t len;
	char *data = t_read(file, &len);
	ck_assert_msg(data, "%s", file);
	const uint8_t *p = (const uint8_t *)data;
	size_t off = 0;
	int n = 0;
	while (off < len) {
		uint64_t m;
		int k = otlp_pb_varint(p + off, len - off, &m);
		ck_assert(k > 0 && off + (size_t)k + m <= len);
		off += (size_t)k;
		resp_t r;
		if (gz) {
			sbuf z = SBUF_INIT;
			gzip(p + off, m, &z);
			post(addr, "/v1/traces", "POST", z.p, z.len, PBGZ, &r);
			sb_free(&z);
		} else {
			post(addr, "/v1/traces", "POST", p + off, m, PB, &r);
		}
		ck_assert_msg(r.status == 200, "%s body %d: %ld %.*s", file, n, r.status, (int)r.body.len, r.body.p);
		ck_assert_str_eq(r.ctype, "application/x-protobuf");
		/* Everything kept: an empty ExportTraceServiceResponse. */
		ck_assert_int_eq((int)r.body.len, 0);
		sb_free(&r.body);
		off += m;
		n++;
	}
	free(data);
	return n;
}

static int post_json_file(const char *addr, const char *file)
{
	char *data = t_read(file, NULL);
	ck_assert_msg(data, "%s", file);
	int n = 0;
	for (char *line = data, *nl; *line; line = nl) {
		nl = strchr(line, '\n');
		nl = nl ? nl + 1 : line + strlen(line);
		size_t len = (size_t)(nl - line);
		if (len <= 1)
			continue;
		resp_t r;
		post(addr, "/v1/traces", "POST", line, len, JS, &r);
		ck_assert_msg(r.status == 200, "%s line %d: %ld %.*s", file, n + 1, r.status, (int)r.body.len, r.body.p);
		ck_assert_str_eq(r.ctype, "application/json");
		ck_assert_str_eq(sb_str(&r.body), "{}");
		sb_free(&r.body);
		n++;
	}
	free(data);
	return n;
}

/* The captures of three libraries sent over HTTP, as protobuf, again as JSON
 * and again gzipped (an exporter retrying): the store holds what importing
 * the file gives, each call once. */
START_TEST(recv_captured_counted_once)
{
	static const char *libs[] = {"traceloop", "langfuse", "vercel-ai-otel"};
	for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
		char name[64], pbf[256], jsf[256];
		snprintf(name, sizeof name, "live-%zu.db", i);
		char *live = t_path(name);
		snprintf(name, sizeof name, "file-%zu.db", i);
		char *file = t_path(name);
		snprintf(pbf, sizeof pbf, CORPUS "captured/%s/traces.pb", libs[i]);
		snprintf(jsf, sizeof jsf, CORPUS "captured/%s/traces.jsonl", libs[i]);

		receiver_t *r = start(live, NULL);
		const char *addr = receiver_address(r);
		ck_assert(strncmp(addr, "127.0.0.1:", 10) == 0 && strcmp(addr, "127.0.0.1:0"));
		int n = post_pb_file(addr, pbf, 0);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(post_json_file(addr, jsf), n);
		post_pb_file(addr, pbf, 1);
		receiver_stats s;
		receiver_get_stats(r, &s);
		ck_assert_int_eq((int)s.batches, 3 * n);
		ck_assert_int_eq((int)s.rejected, 0);
		receiver_stop(r, NULL);

		store_t *st;
		char err[256];
		ck_assert(store_open(file, STORE_CREATE, &st, err, sizeof err) == 0);
		import_opts io = {0};
		io.format = FMT_OTLP;
		io.errs = stderr;
		import_result res;
		ck_assert_int_eq(import_path(st, jsf, &io, &res), 0);
		store_close(st);

		int64_t tok_live, tok_file;
		int64_t c_live = calls_in(live, &tok_live), c_file = calls_in(file, &tok_file);
		ck_assert_int_gt(c_file, 0);
		ck_assert_msg(c_live == c_file, "%s: %lld calls received, %lld imported", libs[i], (long long)c_live,
			      (long long)c_file);
		ck_assert_int_eq(tok_live, tok_file);
		ck_assert_int_eq((int)s.calls, (int)c_live);
		free(live);
		free(file);
	}
}
END_TEST

/* A raw request on a socket: for what curl will not send. Returns the
 * status, or 0 when the connection closed without an answer. */
static int raw(const char *addr, const char *req, size_t len, int half_close)
{
	const char *colon = strrchr(addr, ':');
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	ck_assert(write(fd, req, len) == (ssize_t)len);
	if (half_close)
		shutdown(fd, SHUT_WR);
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	int status = 0;
	sscanf(buf, "HTTP/1.%*d %d", &status);
	return status;
}

START_TEST(recv_refuses_what_it_should)
{
	char *path = t_path("s.db");
	receiver_t *r = start(path, NULL);
	const char *addr = receiver_address(r);
	resp_t x;
	post(addr, "/", "GET", NULL, 0, NULL, &x);
	ck_assert_int_eq(x.status, 404);
	sb_free(&x.body);
	post(addr, "/v1/metrics", "POST", "{}", 2, JS, &x);
	ck_assert_int_eq(x.status, 404);
	sb_free(&x.body);
	post(addr, "/v1/traces", "GET", NULL, 0, NULL, &x);
	ck_assert_int_eq(x.status, 405);
	sb_free(&x.body);
	post(addr, "/v1/traces", "POST", "hello", 5, (const char *[]){"Content-Type: text/plain", NULL}, &x);
	ck_assert_int_eq(x.status, 415);
	sb_free(&x.body);
	post(addr, "/v1/traces", "POST", "{}", 2,
	     (const char *[]){"Content-Type: application/json", "Content-Encoding: br", NULL}, &x);
	ck_assert_int_eq(x.status, 415);
	sb_free(&x.body);

	/* Not decodable: 400 with a google.rpc.Status that says why. */
	post(addr, "/v1/traces", "POST", "{\"resourceSpans\": [", 19, JS, &x);
	ck_assert_int_eq(x.status, 400);
	ck_assert_msg(strstr(sb_str(&x.body), "\"code\":3") && strstr(sb_str(&x.body), "OTLP/JSON body: "), "%s",
		      sb_str(&x.body));
	sb_free(&x.body);
	post(addr, "/v1/traces", "POST", "\xff\xff\xff\xff", 4, PB, &x);
	ck_assert_int_eq(x.status, 400);
	ck_assert_str_eq(x.ctype, "application/x-protobuf");
	ck_assert(x.body.len > 2 && x.body.p[0] == 0x08 && x.body.p[1] == 3);
	sb_free(&x.body);
	/* A gzip body cut short. */
	sbuf z = SBUF_INIT;
	gzip("{\"resourceSpans\":[]}", 20, &z);
	post(addr, "/v1/traces", "POST", z.p, z.len / 2,
	     (const char *[]){"Content-Type: application/json", "Content-Encoding: gzip", NULL}, &x);
	ck_assert_int_eq(x.status, 400);
	ck_assert_msg(strstr(sb_str(&x.body), "gzip"), "%s", sb_str(&x.body));
	sb_free(&x.body);
	sb_free(&z);

	/* A gzip bomb: 64 MiB of zeros in about 64 KB. */
	size_t big = 64u << 20;
	char *zeros = calloc(1, big);
	gzip(zeros, big, &z);
	free(zeros);
	ck_assert(z.len < (1u << 20));
	post(addr, "/v1/traces", "POST", z.p, z.len, PBGZ, &x);
	ck_assert_int_eq(x.status, 413);
	sb_free(&x.body);
	sb_free(&z);

	/* Announcing 1 GiB: refused before a byte of it is read. */
	const char *huge = "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
			   "Content-Length: 1073741824\r\n\r\n";
	ck_assert_int_eq(raw(addr, huge, strlen(huge), 0), 413);
	/* A client that goes away mid-body. */
	const char *cut = "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			  "Content-Length: 1000\r\n\r\n{\"resourceSpans\":";
	ck_assert_int_eq(raw(addr, cut, strlen(cut), 1), 0);

	/* It keeps serving. */
	post(addr, "/v1/traces", "POST", "{\"resourceSpans\":[]}", 20, JS, &x);
	ck_assert_int_eq(x.status, 200);
	sb_free(&x.body);
	receiver_stats s;
	receiver_get_stats(r, &s);
	ck_assert_int_ge((int)s.rejected, 5);
	ck_assert(s.last_error[0]);
	receiver_stop(r, NULL);
	free(path);
}
END_TEST

/* One span the store cannot take (a start time in 1990) among good ones:
 * the rest is kept, and the answer says how many were left out and why. */
START_TEST(recv_partial_success)
{
	char *path = t_path("s.db");
	receiver_t *r = start(path, NULL);
	const char *addr = receiver_address(r);
	char *line = t_read(CORPUS "captured/traceloop/traces.jsonl", NULL);
	ck_assert(line);
	line[strcspn(line, "\n")] = 0;
	/* The first span's start moved to 1990. */
	char *st = strstr(line, "\"startTimeUnixNano\":\"");
	ck_assert(st);
	st += strlen("\"startTimeUnixNano\":\"");
	memcpy(st, "6", 1); /* 1.7e18 -> 6.7e17 ns: 1991 */
	resp_t x;
	post(addr, "/v1/traces", "POST", line, strlen(line), JS, &x);
	ck_assert_int_eq(x.status, 200);
	ck_assert_msg(strstr(sb_str(&x.body), "\"rejectedSpans\":\"1\"") && strstr(sb_str(&x.body), "span 1"), "%s",
		      sb_str(&x.body));
	sb_free(&x.body);
	receiver_stats s;
	receiver_get_stats(r, &s);
	ck_assert_int_eq((int)s.rejected, 1);
	ck_assert_int_gt((int)s.spans, 0);
	receiver_stop(r, NULL);
	free(line);
	free(path);
}
END_TEST

START_TEST(recv_token)
{
	char *path = t_path("s.db");
	receiver_t *r = start(path, "s3cret-token");
	const char *addr = receiver_address(r);
	size_t len;
	char *body = t_read(CORPUS "captured/openlit/traces.jsonl", &len);
	len = strcspn(body, "\n");
	resp_t x;
	post(addr, "/v1/traces", "POST", body, len, JS, &x);
	ck_assert_int_eq(x.status, 401);
	sb_free(&x.body);
	post(addr, "/v1/traces", "POST", body, len,
	     (const char *[]){"Content-Type: application/json", "Authorization: Bearer s3cret-tokeN", NULL}, &x);
	ck_assert_int_eq(x.status, 401);
	sb_free(&x.body);
	post(addr, "/v1/traces", "POST", body, len,
	     (const char *[]){"Content-Type: application/json", "Authorization: Bearer s3cret-token-and-more", NULL}, &x);
	ck_assert_int_eq(x.status, 401);
	sb_free(&x.body);
	receiver_stats s;
	receiver_get_stats(r, &s);
	ck_assert_int_eq((int)s.batches, 0);
	post(addr, "/v1/traces", "POST", body, len,
	     (const char *[]){"Content-Type: application/json", "Authorization: Bearer s3cret-token", NULL}, &x);
	ck_assert_int_eq(x.status, 200);
	sb_free(&x.body);
	receiver_get_stats(r, &s);
	ck_assert_int_eq((int)s.batches, 1);
	receiver_stop(r, NULL);
	free(body);

	/* Listening beyond the machine without a token: refused at start. */
	receiver_opts o = {0};
	o.listen = "0.0.0.0:0";
	o.store_path = path;
	char err[256];
	ck_assert(!receiver_start(&o, err, sizeof err));
	ck_assert_msg(strstr(err, "token"), "%s", err);
	o.listen = "127.0.0.1";
	ck_assert(!receiver_start(&o, err, sizeof err));
	ck_assert_msg(strstr(err, "ADDR:PORT"), "%s", err);
	ck_assert(receiver_is_loopback("127.0.0.1:4318"));
	ck_assert(receiver_is_loopback("[::1]:4318"));
	ck_assert(receiver_is_loopback("localhost:4318"));
	ck_assert(!receiver_is_loopback("0.0.0.0:4318"));
	ck_assert(!receiver_is_loopback("[::]:4318"));
	ck_assert(!receiver_is_loopback("10.1.2.3:4318"));
	free(path);
}
END_TEST

static int64_t poll_all(follower_t *f, store_t *st, char *err, size_t errlen)
{
	int64_t n = 0;
	do {
		int r = follower_poll(f, st, NULL, err, errlen);
		ck_assert_msg(r >= 0, "%s", err);
		n += r;
	} while (follower_pending(f));
	return n;
}

static void append(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "ab");
	ck_assert(fp && fwrite(p, 1, n, fp) == n);
	fclose(fp);
}

/* A growing file of length-delimited protobuf, as a process that appends
 * each export writes it: found out from its bytes, a message cut in two by
 * the writer read when its second half comes, each call stored once. The
 * file does not exist at first: that is waited for, not called vanished. */
START_TEST(follow_protobuf_stream)
{
	char *live = t_path("live.pb"), *db = t_path("s.db"), *ref = t_path("ref.db");
	size_t len;
	char *data = t_read(CORPUS "captured/langfuse/traces.pb", &len);
	ck_assert(data && len > 100);
	store_t *st;
	char err[512] = "";
	ck_assert(store_open(db, STORE_CREATE, &st, err, sizeof err) == 0);
	follower_t *f = follower_new(live, FMT_AUTO);
	ck_assert_int_eq(poll_all(f, st, err, sizeof err), 0);
	ck_assert_str_eq(err, "");
	char note[512] = "";
	ck_assert(follower_note(f, note, sizeof note));
	ck_assert_msg(strstr(note, "waiting for") && strstr(note, "live.pb"), "%s", note);
	ck_assert(!follower_note(f, note, sizeof note));
	/* The first third (a message cut in the middle), then the rest. */
	size_t cut = len / 3;
	append(live, data, cut);
	int64_t n1 = poll_all(f, st, err, sizeof err);
	ck_assert_str_eq(err, "");
	ck_assert(follower_note(f, note, sizeof note));
	ck_assert_msg(strstr(note, "appeared"), "%s", note);
	append(live, data + cut, len - cut);
	int64_t n2 = poll_all(f, st, err, sizeof err);
	ck_assert_str_eq(err, "");
	ck_assert_int_gt(n2, 0);
	follower_free(f);
	int64_t tok_live, tok_ref;
	store_close(st);
	int64_t c_live = calls_in(db, &tok_live);

	ck_assert(store_open(ref, STORE_CREATE, &st, err, sizeof err) == 0);
	import_opts io = {0};
	io.errs = stderr;
	import_result res;
	ck_assert_int_eq(import_path(st, CORPUS "captured/langfuse/traces.pb", &io, &res), 0);
	store_close(st);
	int64_t c_ref = calls_in(ref, &tok_ref);
	ck_assert_int_gt(c_ref, 0);
	ck_assert_int_eq(c_live, c_ref);
	ck_assert_int_eq(tok_live, tok_ref);
	ck_assert_int_le(n1 + n2, c_ref + 64); /* merged layers count as stored */
	free(data);
	free(live);
	free(db);
	free(ref);
}
END_TEST

/* A length that cannot be a message stops the following with the file and
 * message named; what came before it stays stored. */
START_TEST(follow_protobuf_broken)
{
	char *live = t_path("live.pb"), *db = t_path("s.db");
	size_t len;
	char *data = t_read(CORPUS "captured/traceloop/traces.pb", &len);
	store_t *st;
	char err[512] = "";
	ck_assert(store_open(db, STORE_CREATE, &st, err, sizeof err) == 0);
	append(live, data, len);
	append(live, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11);
	follower_t *f = follower_new(live, FMT_OTLP);
	int r;
	do
		r = follower_poll(f, st, NULL, err, sizeof err);
	while (follower_pending(f) && !err[0]);
	ck_assert_msg(strstr(err, "live.pb: message") && strstr(err, "stopped following"), "%s", err);
	ck_assert_int_gt(r, 0);
	follower_free(f);
	store_close(st);
	free(data);
	free(live);
	free(db);
}
END_TEST

typedef struct big_post {
	pthread_t th;
	const char *addr;
	char *body;
	size_t len;
	resp_t r;
} big_post;

static void *post_thread(void *arg)
{
	big_post *b = arg;
	post(b->addr, "/v1/traces", "POST", b->body, b->len, JS, &b->r);
	return NULL;
}

/* A call whose prompt is n bytes, as an OTLP/JSON request. */
static char *big_body(int k, size_t n, size_t *len)
{
	sbuf b = SBUF_INIT;
	sb_printf(&b,
		  "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"%032x\",\"spanId\":\"%016x\",\"name\":\"chat\","
		  "\"startTimeUnixNano\":\"1796600000000000000\",\"endTimeUnixNano\":\"1796600001000000000\",\"attributes\":["
		  "{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"
		  "{\"key\":\"gen_ai.provider.name\",\"value\":{\"stringValue\":\"openai\"}},"
		  "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"gpt-4o\"}},"
		  "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"12\"}},"
		  "{\"key\":\"gen_ai.prompt.0.content\",\"value\":{\"stringValue\":\"",
		  k + 1, k + 1);
	sb_grow(&b, n + 64);
	memset(b.p + b.len, 'x', n);
	b.len += n;
	sb_adds(&b, "\"}}]}]}]}]}");
	*len = b.len;
	return sb_steal(&b);
}

/* The writer cannot store (another process holds the write lock): requests
 * past what the receiver may hold get 503 with Retry-After at once rather
 * than pile up, and once the lock is gone their retries are stored. */
START_TEST(recv_backpressure)
{
	char *path = t_path("s.db");
	receiver_t *r = start(path, NULL);
	const char *addr = receiver_address(r);
	sqlite3 *db;
	ck_assert(sqlite3_open(path, &db) == SQLITE_OK);
	ck_assert(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
	enum { N = 8 };
	big_post p[N];
	for (int i = 0; i < N; i++) {
		p[i].addr = addr;
		p[i].body = big_body(i, 4u << 20, &p[i].len);
		pthread_create(&p[i].th, NULL, post_thread, &p[i]);
	}
	for (int i = 0; i < N; i++)
		pthread_join(p[i].th, NULL);
	/* Those past 24 MiB at once (Retry-After: 1), the others once the
	 * writer gave up waiting for the lock (Retry-After: 5). */
	int at_once = 0, waited = 0;
	for (int i = 0; i < N; i++) {
		ck_assert_msg(p[i].r.status == 503, "request %d: %ld %s", i, p[i].r.status, sb_str(&p[i].r.body));
		at_once += atoi(p[i].r.retry) == 1 && strstr(sb_str(&p[i].r.body), "behind");
		waited += atoi(p[i].r.retry) == 5 && strstr(sb_str(&p[i].r.body), "could not be written");
		sb_free(&p[i].r.body);
	}
	ck_assert_int_ge(at_once, 1);
	ck_assert_int_ge(waited, 1);
	ck_assert_int_eq(at_once + waited, N);
	receiver_stats s;
	receiver_get_stats(r, &s);
	ck_assert_int_eq((int)s.refused, N);
	ck_assert_int_eq((int)s.batches, 0);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	/* The exporters retry. */
	for (int i = 0; i < N; i++) {
		post(addr, "/v1/traces", "POST", p[i].body, p[i].len, JS, &p[i].r);
		ck_assert_int_eq(p[i].r.status, 200);
		sb_free(&p[i].r.body);
		free(p[i].body);
	}
	receiver_stop(r, &s);
	ck_assert_int_eq((int)s.calls, N);
	int64_t tok;
	ck_assert_int_eq(calls_in(path, &tok), N);
	free(path);
}
END_TEST

Suite *suite_receiver(void)
{
	Suite *s = suite_create("receiver");
	TCase *tc = tcase_create("http");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, recv_captured_counted_once);
	tcase_add_test(tc, recv_refuses_what_it_should);
	tcase_add_test(tc, recv_partial_success);
	tcase_add_test(tc, recv_token);
	tcase_add_test(tc, recv_backpressure);
	tcase_add_test(tc, follow_protobuf_stream);
	tcase_add_test(tc, follow_protobuf_broken);
	suite_add_tcase(s, tc);
	return s;
}
