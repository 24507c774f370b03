/* OTLP/JSON to protobuf for the tests: the JSON's fields put into the
 * protobuf-c structures generated from data/otlp.proto, then packed. Every
 * allocation goes on one list freed at the end. */
#include "otlp_encode.h"

#include <stdlib.h>
#include <string.h>

#include "../../core/str.h"
#include "otlp.pb-c.h"

typedef struct pool {
	void **p;
	size_t n, cap;
} pool;

static void *palloc(pool *pl, size_t n)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 64;
		pl->p = xrealloc(pl->p, pl->cap * sizeof *pl->p);
	}
	void *m = xcalloc(1, n ? n : 1);
	pl->p[pl->n++] = m;
	return m;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static char *str(pool *pl, const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	if (!cJSON_IsString(v))
		return (char *)protobuf_c_empty_string;
	char *s = palloc(pl, strlen(v->valuestring) + 1);
	strcpy(s, v->valuestring);
	return s;
}

/* 64-bit integers: decimal strings (the spec) or numbers (JS exporters). */
static uint64_t u64(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	if (cJSON_IsString(v))
		return strtoull(v->valuestring, NULL, 10);
	if (cJSON_IsNumber(v))
		return (uint64_t)v->valuedouble;
	return 0;
}

static ProtobufCBinaryData hex(pool *pl, const cJSON *o, const char *k)
{
	ProtobufCBinaryData d = {0, NULL};
	const cJSON *v = get(o, k);
	if (!cJSON_IsString(v) || !*v->valuestring)
		return d;
	size_t n = strlen(v->valuestring) / 2;
	d.data = palloc(pl, n);
	int got = hex_decode(v->valuestring, strlen(v->valuestring), d.data, n);
	d.len = got > 0 ? (size_t)got : 0;
	return d;
}

static ProtobufCBinaryData unbase64(pool *pl, const char *s)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	ProtobufCBinaryData d = {0, palloc(pl, strlen(s))};
	uint32_t acc = 0;
	int bits = 0;
	for (; *s && *s != '='; s++) {
		const char *c = strchr(tab, *s);
		if (!c)
			continue;
		acc = acc << 6 | (uint32_t)(c - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d.data[d.len++] = (uint8_t)(acc >> bits);
		}
	}
	return d;
}

static Otlp__KeyValue **kvs(pool *pl, const cJSON *arr, size_t *n);

static Otlp__AnyValue *any(pool *pl, const cJSON *v)
{
	Otlp__AnyValue *a = palloc(pl, sizeof *a);
	otlp__any_value__init(a);
	const cJSON *x;
	if ((x = get(v, "stringValue"))) {
		a->value_case = OTLP__ANY_VALUE__VALUE_STRING_VALUE;
		a->string_value = str(pl, v, "stringValue");
	} else if ((x = get(v, "boolValue"))) {
		a->value_case = OTLP__ANY_VALUE__VALUE_BOOL_VALUE;
		a->bool_value = cJSON_IsTrue(x);
	} else if ((x = get(v, "intValue"))) {
		a->value_case = OTLP__ANY_VALUE__VALUE_INT_VALUE;
		a->int_value = cJSON_IsString(x) ? strtoll(x->valuestring, NULL, 10) : (int64_t)x->valuedouble;
	} else if ((x = get(v, "doubleValue"))) {
		a->value_case = OTLP__ANY_VALUE__VALUE_DOUBLE_VALUE;
		a->double_value = cJSON_IsString(x) ? strtod(x->valuestring, NULL) : x->valuedouble;
	} else if ((x = get(v, "arrayValue"))) {
		a->value_case = OTLP__ANY_VALUE__VALUE_ARRAY_VALUE;
		Otlp__ArrayValue *av = palloc(pl, sizeof *av);
		otlp__array_value__init(av);
		const cJSON *vals = get(x, "values");
		av->n_values = (size_t)cJSON_GetArraySize(vals);
		av->values = palloc(pl, av->n_values * sizeof *av->values);
		size_t i = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, vals) av->values[i++] = any(pl, e);
		a->array_value = av;
	} else if ((x = get(v, "kvlistValue"))) {
		a->value_case = OTLP__ANY_VALUE__VALUE_KVLIST_VALUE;
		Otlp__KeyValueList *kl = palloc(pl, sizeof *kl);
		otlp__key_value_list__init(kl);
		kl->values = kvs(pl, get(x, "values"), &kl->n_values);
		a->kvlist_value = kl;
	} else if ((x = get(v, "bytesValue")) && cJSON_IsString(x)) {
		a->value_case = OTLP__ANY_VALUE__VALUE_BYTES_VALUE;
		a->bytes_value = unbase64(pl, x->valuestring);
	}
	return a;
}

static Otlp__KeyValue **kvs(pool *pl, const cJSON *arr, size_t *n)
{
	*n = (size_t)cJSON_GetArraySize(arr);
	Otlp__KeyValue **out = palloc(pl, *n * sizeof *out);
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		Otlp__KeyValue *kv = palloc(pl, sizeof *kv);
		otlp__key_value__init(kv);
		kv->key = str(pl, e, "key");
		kv->value = any(pl, get(e, "value"));
		out[i++] = kv;
	}
	return out;
}

static Otlp__Resource *resource(pool *pl, const cJSON *r)
{
	if (!r)
		return NULL;
	Otlp__Resource *res = palloc(pl, sizeof *res);
	otlp__resource__init(res);
	res->attributes = kvs(pl, get(r, "attributes"), &res->n_attributes);
	res->dropped_attributes_count = (uint32_t)u64(r, "droppedAttributesCount");
	return res;
}

static Otlp__InstrumentationScope *scope(pool *pl, const cJSON *s)
{
	if (!s)
		return NULL;
	Otlp__InstrumentationScope *sc = palloc(pl, sizeof *sc);
	otlp__instrumentation_scope__init(sc);
	sc->name = str(pl, s, "name");
	sc->version = str(pl, s, "version");
	sc->attributes = kvs(pl, get(s, "attributes"), &sc->n_attributes);
	sc->dropped_attributes_count = (uint32_t)u64(s, "droppedAttributesCount");
	return sc;
}

static Otlp__Span *span(pool *pl, const cJSON *j)
{
	Otlp__Span *s = palloc(pl, sizeof *s);
	otlp__span__init(s);
	s->trace_id = hex(pl, j, "traceId");
	s->span_id = hex(pl, j, "spanId");
	s->trace_state = str(pl, j, "traceState");
	s->parent_span_id = hex(pl, j, "parentSpanId");
	s->flags = (uint32_t)u64(j, "flags");
	s->name = str(pl, j, "name");
	s->kind = (int32_t)u64(j, "kind");
	s->start_time_unix_nano = u64(j, "startTimeUnixNano");
	s->end_time_unix_nano = u64(j, "endTimeUnixNano");
	s->attributes = kvs(pl, get(j, "attributes"), &s->n_attributes);
	s->dropped_attributes_count = (uint32_t)u64(j, "droppedAttributesCount");
	const cJSON *evs = get(j, "events"), *e;
	s->n_events = (size_t)cJSON_GetArraySize(evs);
	s->events = palloc(pl, s->n_events * sizeof *s->events);
	size_t i = 0;
	cJSON_ArrayForEach(e, evs)
	{
		Otlp__Span__Event *ev = palloc(pl, sizeof *ev);
		otlp__span__event__init(ev);
		ev->time_unix_nano = u64(e, "timeUnixNano");
		ev->name = str(pl, e, "name");
		ev->attributes = kvs(pl, get(e, "attributes"), &ev->n_attributes);
		ev->dropped_attributes_count = (uint32_t)u64(e, "droppedAttributesCount");
		s->events[i++] = ev;
	}
	s->dropped_events_count = (uint32_t)u64(j, "droppedEventsCount");
	const cJSON *lns = get(j, "links");
	s->n_links = (size_t)cJSON_GetArraySize(lns);
	s->links = palloc(pl, s->n_links * sizeof *s->links);
	i = 0;
	cJSON_ArrayForEach(e, lns)
	{
		Otlp__Span__Link *l = palloc(pl, sizeof *l);
		otlp__span__link__init(l);
		l->trace_id = hex(pl, e, "traceId");
		l->span_id = hex(pl, e, "spanId");
		l->trace_state = str(pl, e, "traceState");
		l->attributes = kvs(pl, get(e, "attributes"), &l->n_attributes);
		l->dropped_attributes_count = (uint32_t)u64(e, "droppedAttributesCount");
		l->flags = (uint32_t)u64(e, "flags");
		s->links[i++] = l;
	}
	s->dropped_links_count = (uint32_t)u64(j, "droppedLinksCount");
	const cJSON *st = get(j, "status");
	if (st) {
		s->status = palloc(pl, sizeof *s->status);
		otlp__status__init(s->status);
		s->status->message = str(pl, st, "message");
		s->status->code = (int32_t)u64(st, "code");
	}
	return s;
}

static Otlp__LogRecord *logrec(pool *pl, const cJSON *j)
{
	Otlp__LogRecord *r = palloc(pl, sizeof *r);
	otlp__log_record__init(r);
	r->time_unix_nano = u64(j, "timeUnixNano");
	r->observed_time_unix_nano = u64(j, "observedTimeUnixNano");
	r->severity_number = (int32_t)u64(j, "severityNumber");
	r->severity_text = str(pl, j, "severityText");
	if (get(j, "body"))
		r->body = any(pl, get(j, "body"));
	r->attributes = kvs(pl, get(j, "attributes"), &r->n_attributes);
	r->dropped_attributes_count = (uint32_t)u64(j, "droppedAttributesCount");
	r->flags = (uint32_t)u64(j, "flags");
	r->trace_id = hex(pl, j, "traceId");
	r->span_id = hex(pl, j, "spanId");
	r->event_name = str(pl, j, "eventName");
	return r;
}

uint8_t *otlp_encode_json(const cJSON *req, size_t *len)
{
	pool pl = {0};
	uint8_t *out = NULL;
	const cJSON *rss = get(req, "resourceSpans"), *rls = get(req, "resourceLogs"), *e, *f, *g;
	if (cJSON_IsArray(rss)) {
		Otlp__ExportTraceServiceRequest m = OTLP__EXPORT_TRACE_SERVICE_REQUEST__INIT;
		m.n_resource_spans = (size_t)cJSON_GetArraySize(rss);
		m.resource_spans = palloc(&pl, m.n_resource_spans * sizeof *m.resource_spans);
		size_t i = 0;
		cJSON_ArrayForEach(e, rss)
		{
			Otlp__ResourceSpans *rs = palloc(&pl, sizeof *rs);
			otlp__resource_spans__init(rs);
			rs->resource = resource(&pl, get(e, "resource"));
			rs->schema_url = str(&pl, e, "schemaUrl");
			const cJSON *sss = get(e, "scopeSpans");
			rs->n_scope_spans = (size_t)cJSON_GetArraySize(sss);
			rs->scope_spans = palloc(&pl, rs->n_scope_spans * sizeof *rs->scope_spans);
			size_t j = 0;
			cJSON_ArrayForEach(f, sss)
			{
				Otlp__ScopeSpans *ss = palloc(&pl, sizeof *ss);
				otlp__scope_spans__init(ss);
				ss->scope = scope(&pl, get(f, "scope"));
				ss->schema_url = str(&pl, f, "schemaUrl");
				const cJSON *sp = get(f, "spans");
				ss->n_spans = (size_t)cJSON_GetArraySize(sp);
				ss->spans = palloc(&pl, ss->n_spans * sizeof *ss->spans);
				size_t k = 0;
				cJSON_ArrayForEach(g, sp) ss->spans[k++] = span(&pl, g);
				rs->scope_spans[j++] = ss;
			}
			m.resource_spans[i++] = rs;
		}
		*len = otlp__export_trace_service_request__get_packed_size(&m);
		out = xmalloc(*len ? *len : 1);
		otlp__export_trace_service_request__pack(&m, out);
	} else if (cJSON_IsArray(rls)) {
		Otlp__ExportLogsServiceRequest m = OTLP__EXPORT_LOGS_SERVICE_REQUEST__INIT;
		m.n_resource_logs = (size_t)cJSON_GetArraySize(rls);
		m.resource_logs = palloc(&pl, m.n_resource_logs * sizeof *m.resource_logs);
		size_t i = 0;
		cJSON_ArrayForEach(e, rls)
		{
			Otlp__ResourceLogs *rl = palloc(&pl, sizeof *rl);
			otlp__resource_logs__init(rl);
			rl->resource = resource(&pl, get(e, "resource"));
			rl->schema_url = str(&pl, e, "schemaUrl");
			const cJSON *sls = get(e, "scopeLogs");
			rl->n_scope_logs = (size_t)cJSON_GetArraySize(sls);
			rl->scope_logs = palloc(&pl, rl->n_scope_logs * sizeof *rl->scope_logs);
			size_t j = 0;
			cJSON_ArrayForEach(f, sls)
			{
				Otlp__ScopeLogs *sl = palloc(&pl, sizeof *sl);
				otlp__scope_logs__init(sl);
				sl->scope = scope(&pl, get(f, "scope"));
				sl->schema_url = str(&pl, f, "schemaUrl");
				const cJSON *lr = get(f, "logRecords");
				sl->n_log_records = (size_t)cJSON_GetArraySize(lr);
				sl->log_records = palloc(&pl, sl->n_log_records * sizeof *sl->log_records);
				size_t k = 0;
				cJSON_ArrayForEach(g, lr) sl->log_records[k++] = logrec(&pl, g);
				rl->scope_logs[j++] = sl;
			}
			m.resource_logs[i++] = rl;
		}
		*len = otlp__export_logs_service_request__get_packed_size(&m);
		out = xmalloc(*len ? *len : 1);
		otlp__export_logs_service_request__pack(&m, out);
	}
	for (size_t i = 0; i < pl.n; i++)
		free(pl.p[i]);
	free(pl.p);
	return out;
}
