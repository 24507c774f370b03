/* Load for the OTLP/HTTP receiver: N exporters, each a thread POSTing
 * protobuf batches of LLM-call spans one after another (an exporter waits
 * for each answer), honouring 503 + Retry-After as exporters do.
 *
 * usage: otlp_load URL EXPORTERS BATCHES SPANS [TOKEN]
 * Prints: spans sent and answered 200, wall time, spans/s, request latency
 * p50/p99/max, retries. Exit 1 when a request failed for good. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "otlp.pb-c.h"

static const char *url, *token;
static pthread_barrier_t start_line;
static int nbatches, nspans;
static uint64_t t_base;

typedef struct worker {
	pthread_t th;
	int id;
	uint8_t **bodies; /* built before the clock starts: the exporters' own work is not the receiver's */
	size_t *lens;
	double *lat;
	int nlat;
	long ok_spans, retries, failed;
} worker;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static Otlp__KeyValue *kv_str(const char *k, const char *v)
{
	Otlp__KeyValue *kv = malloc(sizeof *kv);
	Otlp__AnyValue *av = malloc(sizeof *av);
	otlp__key_value__init(kv);
	otlp__any_value__init(av);
	av->value_case = OTLP__ANY_VALUE__VALUE_STRING_VALUE;
	av->string_value = strdup(v);
	kv->key = (char *)k;
	kv->value = av;
	return kv;
}

static Otlp__KeyValue *kv_int(const char *k, int64_t v)
{
	Otlp__KeyValue *kv = malloc(sizeof *kv);
	Otlp__AnyValue *av = malloc(sizeof *av);
	otlp__key_value__init(kv);
	otlp__any_value__init(av);
	av->value_case = OTLP__ANY_VALUE__VALUE_INT_VALUE;
	av->int_value = v;
	kv->key = (char *)k;
	kv->value = av;
	return kv;
}

static void free_kv(Otlp__KeyValue *kv)
{
	if (kv->value->value_case == OTLP__ANY_VALUE__VALUE_STRING_VALUE)
		free(kv->value->string_value);
	free(kv->value);
	free(kv);
}

static const char *models[] = {"gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5", "claude-haiku-4-5"};

/* One batch: nspans LLM-call spans with their usage, ids unique to
 * (exporter, batch, span). */
static uint8_t *build(int w, int b, size_t *len)
{
	Otlp__Span **spans = calloc((size_t)nspans, sizeof *spans);
	uint8_t(*ids)[24] = calloc((size_t)nspans, 24);
	for (int i = 0; i < nspans; i++) {
		Otlp__Span *s = malloc(sizeof *s);
		otlp__span__init(s);
		uint64_t n = ((uint64_t)w << 40) | ((uint64_t)b << 16) | (uint64_t)i;
		memset(ids[i], 0, 24);
		for (int k = 0; k < 8; k++) {
			ids[i][8 + k] = (uint8_t)(n >> (56 - 8 * k));
			ids[i][16 + k] = (uint8_t)(n >> (56 - 8 * k));
		}
		ids[i][0] = 0x4c; /* never all zero */
		ids[i][16] |= 0x80;
		s->trace_id.data = ids[i];
		s->trace_id.len = 16;
		s->span_id.data = ids[i] + 16;
		s->span_id.len = 8;
		const char *model = models[(w + i) % 4];
		char name[64];
		snprintf(name, sizeof name, "chat %s", model);
		s->name = strdup(name);
		s->kind = 3;
		uint64_t t0 = t_base + ((uint64_t)b * (uint64_t)nspans + (uint64_t)i) * 1000000ull + (uint64_t)w * 7919ull;
		s->start_time_unix_nano = t0;
		s->end_time_unix_nano = t0 + 400000000ull + (uint64_t)(i % 50) * 10000000ull;
		int anthropic = strncmp(model, "claude", 6) == 0;
		s->n_attributes = 7;
		s->attributes = malloc(7 * sizeof *s->attributes);
		s->attributes[0] = kv_str("gen_ai.operation.name", "chat");
		s->attributes[1] = kv_str("gen_ai.provider.name", anthropic ? "anthropic" : "openai");
		s->attributes[2] = kv_str("gen_ai.request.model", model);
		s->attributes[3] = kv_str("gen_ai.response.model", model);
		s->attributes[4] = kv_int("gen_ai.usage.input_tokens", 200 + (i * 37) % 3000);
		s->attributes[5] = kv_int("gen_ai.usage.output_tokens", 20 + (i * 13) % 600);
		s->attributes[6] = kv_str("llmops.feature", w % 2 ? "support" : "search");
		spans[i] = s;
	}
	Otlp__InstrumentationScope scope = OTLP__INSTRUMENTATION_SCOPE__INIT;
	scope.name = "gen_ai";
	Otlp__ScopeSpans ss = OTLP__SCOPE_SPANS__INIT;
	ss.scope = &scope;
	ss.n_spans = (size_t)nspans;
	ss.spans = spans;
	Otlp__ScopeSpans *ssp = &ss;
	Otlp__Resource res = OTLP__RESOURCE__INIT;
	Otlp__KeyValue *svc = kv_str("service.name", "load");
	res.n_attributes = 1;
	res.attributes = &svc;
	Otlp__ResourceSpans rs = OTLP__RESOURCE_SPANS__INIT;
	rs.resource = &res;
	rs.n_scope_spans = 1;
	rs.scope_spans = &ssp;
	Otlp__ResourceSpans *rsp = &rs;
	Otlp__ExportTraceServiceRequest req = OTLP__EXPORT_TRACE_SERVICE_REQUEST__INIT;
	req.n_resource_spans = 1;
	req.resource_spans = &rsp;
	*len = otlp__export_trace_service_request__get_packed_size(&req);
	uint8_t *out = malloc(*len);
	otlp__export_trace_service_request__pack(&req, out);
	for (int i = 0; i < nspans; i++) {
		for (size_t k = 0; k < spans[i]->n_attributes; k++)
			free_kv(spans[i]->attributes[k]);
		free(spans[i]->attributes);
		free(spans[i]->name);
		free(spans[i]);
	}
	free_kv(svc);
	free(spans);
	free(ids);
	return out;
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	if (!strncasecmp(p, "Retry-After:", 12))
		*(int *)ud = atoi(p + 12);
	return sz * n;
}

static void *run(void *arg)
{
	worker *w = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-protobuf");
	h = curl_slist_append(h, "Expect:");
	char auth[600];
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	int retry_after = 0;
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &retry_after);
	w->lat = malloc(sizeof(double) * (size_t)nbatches * 8);
	pthread_barrier_wait(&start_line);
	for (int b = 0; b < nbatches; b++) {
		size_t len = w->lens[b];
		uint8_t *body = w->bodies[b];
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		for (int attempt = 0;; attempt++) {
			retry_after = 0;
			double t0 = now();
			CURLcode rc = curl_easy_perform(c);
			long status = 0;
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			if (w->nlat < nbatches * 8)
				w->lat[w->nlat++] = now() - t0;
			if (rc == CURLE_OK && status == 200) {
				w->ok_spans += nspans;
				break;
			}
			if (attempt >= 20 || (rc == CURLE_OK && status != 503 && status != 429)) {
				fprintf(stderr, "exporter %d batch %d: %s, HTTP %ld\n", w->id, b, curl_easy_strerror(rc), status);
				w->failed++;
				break;
			}
			w->retries++;
			usleep((useconds_t)(retry_after > 0 ? retry_after : 1) * 1000000u);
		}
		free(body);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: otlp_load URL EXPORTERS BATCHES SPANS [TOKEN]\n");
		return 2;
	}
	url = argv[1];
	int nw = atoi(argv[2]);
	nbatches = atoi(argv[3]);
	nspans = atoi(argv[4]);
	token = argc > 5 ? argv[5] : NULL;
	t_base = (uint64_t)time(NULL) * 1000000000ull - 3600ull * 1000000000ull;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	worker *w = calloc((size_t)nw, sizeof *w);
	for (int i = 0; i < nw; i++) {
		w[i].id = i + 1;
		w[i].bodies = calloc((size_t)nbatches, sizeof *w[i].bodies);
		w[i].lens = calloc((size_t)nbatches, sizeof *w[i].lens);
		for (int b = 0; b < nbatches; b++)
			w[i].bodies[b] = build(w[i].id, b, &w[i].lens[b]);
	}
	pthread_barrier_init(&start_line, NULL, (unsigned)nw + 1);
	for (int i = 0; i < nw; i++)
		pthread_create(&w[i].th, NULL, run, &w[i]);
	pthread_barrier_wait(&start_line);
	double t0 = now();
	long ok = 0, retries = 0, failed = 0;
	int nlat = 0;
	for (int i = 0; i < nw; i++) {
		pthread_join(w[i].th, NULL);
		ok += w[i].ok_spans;
		retries += w[i].retries;
		failed += w[i].failed;
		nlat += w[i].nlat;
	}
	double wall = now() - t0;
	double *lat = malloc(sizeof(double) * (size_t)(nlat ? nlat : 1));
	int k = 0;
	for (int i = 0; i < nw; i++) {
		memcpy(lat + k, w[i].lat, sizeof(double) * (size_t)w[i].nlat);
		k += w[i].nlat;
		free(w[i].lat);
		free(w[i].bodies);
		free(w[i].lens);
	}
	qsort(lat, (size_t)nlat, sizeof *lat, cmp);
	printf("sent %ld spans answered 200 in %.2f s: %.0f spans/s; request latency p50 %.1f ms, p99 %.1f ms, max %.1f "
	       "ms; %ld retries after 503, %ld failed\n",
	       ok, wall, ok / wall, nlat ? lat[nlat / 2] * 1e3 : 0, nlat ? lat[(int)(nlat * 0.99)] * 1e3 : 0,
	       nlat ? lat[nlat - 1] * 1e3 : 0, retries, failed);
	free(lat);
	free(w);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
