/* OTLP protobuf into the OTLP/JSON tree that import_otlp.c maps.
 *
 * A message is first walked against a table of the OTLP fields and their wire
 * types: that walk tells a protobuf file from JSON or other binary data,
 * tells traces from logs (a Span's field 1 is bytes, a LogRecord's is
 * fixed64), bounds the nesting, and gives a reason with a byte offset when
 * something is wrong (protobuf-c only says that it failed). protobuf-c then
 * unpacks it. */
#include "otlp_pb.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/str.h"
#include "import.h"
#include "otlp.pb-c.h"

const char *otlp_pb_framing_name(int framing)
{
	switch (framing) {
	case PB_SINGLE:
		return "one message";
	case PB_VARINT:
		return "varint-delimited";
	case PB_BE32:
		return "4-byte length-prefixed";
	}
	return "?";
}

int otlp_pb_varint(const uint8_t *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < 10; i++) {
		if (i >= n)
			return 0;
		if (i == 9 && p[i] > 1)
			return -1;
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return (int)i + 1;
		}
	}
	return -1;
}

/* ---- the wire walk ----------------------------------------------------- */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

enum {
	M_TREQ, M_LREQ, M_RSPANS, M_RLOGS, M_RES, M_SSPANS, M_SLOGS, M_SCOPE,
	M_SPAN, M_EVENT, M_LINK, M_STATUS, M_LOG, M_KV, M_ANY, M_ARR, M_KVL, M_COUNT
};

typedef struct fdef {
	uint8_t num, wt;
	int8_t sub; /* the message a LEN field holds, S for a string, or -1 */
} fdef;

#define S (-2)

static const fdef F_TREQ[] = {{1, WT_LEN, M_RSPANS}, {0, 0, 0}};
static const fdef F_LREQ[] = {{1, WT_LEN, M_RLOGS}, {0, 0, 0}};
static const fdef F_RSPANS[] = {{1, WT_LEN, M_RES}, {2, WT_LEN, M_SSPANS}, {3, WT_LEN, S}, {0, 0, 0}};
static const fdef F_RLOGS[] = {{1, WT_LEN, M_RES}, {2, WT_LEN, M_SLOGS}, {3, WT_LEN, S}, {0, 0, 0}};
static const fdef F_RES[] = {{1, WT_LEN, M_KV}, {2, WT_VARINT, -1}, {0, 0, 0}};
static const fdef F_SSPANS[] = {{1, WT_LEN, M_SCOPE}, {2, WT_LEN, M_SPAN}, {3, WT_LEN, S}, {0, 0, 0}};
static const fdef F_SLOGS[] = {{1, WT_LEN, M_SCOPE}, {2, WT_LEN, M_LOG}, {3, WT_LEN, S}, {0, 0, 0}};
static const fdef F_SCOPE[] = {{1, WT_LEN, S}, {2, WT_LEN, S}, {3, WT_LEN, M_KV}, {4, WT_VARINT, -1}, {0, 0, 0}};
static const fdef F_SPAN[] = {{1, WT_LEN, -1},    {2, WT_LEN, -1},     {3, WT_LEN, S},     {4, WT_LEN, -1},
			      {5, WT_LEN, S},    {6, WT_VARINT, -1},  {7, WT_I64, -1},    {8, WT_I64, -1},
			      {9, WT_LEN, M_KV},  {10, WT_VARINT, -1}, {11, WT_LEN, M_EVENT}, {12, WT_VARINT, -1},
			      {13, WT_LEN, M_LINK}, {14, WT_VARINT, -1}, {15, WT_LEN, M_STATUS}, {16, WT_I32, -1},
			      {0, 0, 0}};
static const fdef F_EVENT[] = {{1, WT_I64, -1}, {2, WT_LEN, S}, {3, WT_LEN, M_KV}, {4, WT_VARINT, -1}, {0, 0, 0}};
static const fdef F_LINK[] = {{1, WT_LEN, -1},     {2, WT_LEN, -1}, {3, WT_LEN, S}, {4, WT_LEN, M_KV},
			      {5, WT_VARINT, -1}, {6, WT_I32, -1}, {0, 0, 0}};
static const fdef F_STATUS[] = {{2, WT_LEN, S}, {3, WT_VARINT, -1}, {0, 0, 0}};
static const fdef F_LOG[] = {{1, WT_I64, -1},    {2, WT_VARINT, -1}, {3, WT_LEN, S},  {5, WT_LEN, M_ANY},
			     {6, WT_LEN, M_KV},  {7, WT_VARINT, -1}, {8, WT_I32, -1},  {9, WT_LEN, -1},
			     {10, WT_LEN, -1},   {11, WT_I64, -1},   {12, WT_LEN, S}, {0, 0, 0}};
static const fdef F_KV[] = {{1, WT_LEN, S}, {2, WT_LEN, M_ANY}, {0, 0, 0}};
static const fdef F_ANY[] = {{1, WT_LEN, S}, {2, WT_VARINT, -1}, {3, WT_VARINT, -1}, {4, WT_I64, -1},
			     {5, WT_LEN, M_ARR}, {6, WT_LEN, M_KVL}, {7, WT_LEN, -1}, {0, 0, 0}};
static const fdef F_ARR[] = {{1, WT_LEN, M_ANY}, {0, 0, 0}};
static const fdef F_KVL[] = {{1, WT_LEN, M_KV}, {0, 0, 0}};

static const struct mdef {
	const char *name;
	const fdef *f;
	uint8_t outer; /* only its own fields, when sniffing */
} MSG[M_COUNT] = {
	[M_TREQ] = {"ExportTraceServiceRequest", F_TREQ, 1},
	[M_LREQ] = {"ExportLogsServiceRequest", F_LREQ, 1},
	[M_RSPANS] = {"ResourceSpans", F_RSPANS, 1},
	[M_RLOGS] = {"ResourceLogs", F_RLOGS, 1},
	[M_RES] = {"Resource", F_RES, 0},
	[M_SSPANS] = {"ScopeSpans", F_SSPANS, 1},
	[M_SLOGS] = {"ScopeLogs", F_SLOGS, 1},
	[M_SCOPE] = {"InstrumentationScope", F_SCOPE, 0},
	[M_SPAN] = {"Span", F_SPAN, 0},
	[M_EVENT] = {"Span.Event", F_EVENT, 0},
	[M_LINK] = {"Span.Link", F_LINK, 0},
	[M_STATUS] = {"Status", F_STATUS, 0},
	[M_LOG] = {"LogRecord", F_LOG, 0},
	[M_KV] = {"KeyValue", F_KV, 0},
	[M_ANY] = {"AnyValue", F_ANY, 0},
	[M_ARR] = {"ArrayValue", F_ARR, 0},
	[M_KVL] = {"KeyValueList", F_KVL, 0},
};

typedef struct walk {
	const uint8_t *base; /* the message's first byte, for offsets */
	int sniff;           /* outer levels strict */
	int leaf_f1;         /* wire type of field 1 in the first span or log record, -1 */
	size_t err_at;
	char err[200];
} walk;

static int walk_fail(walk *w, const uint8_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int walk_fail(walk *w, const uint8_t *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
	w->err_at = (size_t)(at - w->base);
	return -1;
}

static const char *wt_name(unsigned wt)
{
	static const char *const names[] = {"varint", "fixed64", "length-delimited", "group start",
					    "group end", "fixed32", "6", "7"};
	return names[wt & 7];
}

/* cut_ok: the n bytes are only the start of the message (a peek), so a
 * field may run past them; never inside a message that ended earlier. */
static int walk_msg(walk *w, int m, const uint8_t *p, size_t n, int depth, int cut_ok)
{
	if (depth > OTLP_PB_MAX_DEPTH)
		return walk_fail(w, p, "values nested deeper than %d levels", OTLP_PB_MAX_DEPTH);
	const uint8_t *end = p + n;
	int leaf = (m == M_SPAN || m == M_LOG) && w->leaf_f1 == -2;
	if (leaf)
		w->leaf_f1 = -1;
	while (p < end) {
		const uint8_t *at = p;
		uint64_t tag, v;
		int k = otlp_pb_varint(p, (size_t)(end - p), &tag);
		if (k == 0 && cut_ok)
			return 0;
		if (k <= 0)
			return walk_fail(w, at, "%s: malformed field tag", MSG[m].name);
		p += k;
		uint64_t num = tag >> 3;
		unsigned wt = (unsigned)(tag & 7);
		if (num == 0 || num > 536870911u)
			return walk_fail(w, at, "%s: field number %llu is not valid", MSG[m].name, (unsigned long long)num);
		if (wt != WT_VARINT && wt != WT_I64 && wt != WT_LEN && wt != WT_I32)
			return walk_fail(w, at, "%s: field %llu has wire type %s, which OTLP never uses", MSG[m].name,
					 (unsigned long long)num, wt_name(wt));
		const fdef *f = MSG[m].f;
		while (f->num && f->num != num)
			f++;
		if (f->num && f->wt != wt)
			return walk_fail(w, at, "%s: field %llu is %s, expected %s", MSG[m].name, (unsigned long long)num,
					 wt_name(wt), wt_name(f->wt));
		if (!f->num && w->sniff && MSG[m].outer)
			return walk_fail(w, at, "%s: unknown field %llu", MSG[m].name, (unsigned long long)num);
		if (leaf && num == 1 && w->leaf_f1 == -1)
			w->leaf_f1 = (int)wt;
		size_t left = (size_t)(end - p);
		switch (wt) {
		case WT_VARINT:
			k = otlp_pb_varint(p, left, &v);
			if (k == 0 && cut_ok)
				return 0;
			if (k <= 0)
				return walk_fail(w, at, "%s: field %llu: malformed varint", MSG[m].name, (unsigned long long)num);
			p += k;
			break;
		case WT_I64:
		case WT_I32: {
			size_t sz = wt == WT_I64 ? 8 : 4;
			if (left < sz) {
				if (cut_ok)
					return 0;
				return walk_fail(w, at, "truncated: %s field %llu needs %zu bytes, %zu remain", MSG[m].name,
						 (unsigned long long)num, sz, left);
			}
			p += sz;
			break;
		}
		case WT_LEN:
			k = otlp_pb_varint(p, left, &v);
			if (k == 0 && cut_ok)
				return 0;
			if (k <= 0)
				return walk_fail(w, at, "%s: field %llu: malformed length", MSG[m].name, (unsigned long long)num);
			p += k;
			left -= (size_t)k;
			if (v > left) {
				if (!cut_ok)
					return walk_fail(w, at, "truncated: %s field %llu claims %llu bytes, %zu remain",
							 MSG[m].name, (unsigned long long)num, (unsigned long long)v, left);
				/* The part that is here must still make sense. */
				if (f->num && f->sub >= 0)
					return walk_msg(w, f->sub, p, left, depth + 1, 1);
				return 0;
			}
			if (f->num && f->sub >= 0 && walk_msg(w, f->sub, p, (size_t)v, depth + 1, 0))
				return -1;
			/* As from JSON, a string is never kept cut short at a NUL. */
			const uint8_t *nul = f->num && f->sub == S ? memchr(p, 0, (size_t)v) : NULL;
			if (nul)
				return walk_fail(w, nul, "%s field %llu: a string holding a NUL byte", MSG[m].name,
						 (unsigned long long)num);
			p += v;
			break;
		}
	}
	return 0;
}

/* Which request a message is: M_TREQ or M_LREQ, or -1 with the reason. */
static int classify(const uint8_t *p, size_t n, int sniff, int cut_ok, walk *out)
{
	walk t = {.base = p, .sniff = sniff, .leaf_f1 = -2}, l = t;
	int tok = walk_msg(&t, M_TREQ, p, n, 0, cut_ok) == 0;
	int lok = walk_msg(&l, M_LREQ, p, n, 0, cut_ok) == 0;
	if (tok && lok) {
		/* Nothing told them apart: a span always carries its trace id
		 * (field 1), a log record need not carry its time. */
		*out = t;
		return t.leaf_f1 == -1 ? M_LREQ : M_TREQ;
	}
	if (tok || lok) {
		*out = tok ? t : l;
		return tok ? M_TREQ : M_LREQ;
	}
	/* The reading that went further says more about what is wrong. */
	*out = l.err_at > t.err_at ? l : t;
	return -1;
}

/* ---- detection --------------------------------------------------------- */

/* Enough of the start validated that it cannot be chance. */
#define SNIFF_MIN 8

static int sniff_msg(const uint8_t *p, size_t n, int cut_ok)
{
	if (n == 0 || p[0] != 0x0a)
		return -1; /* every exporter writes resource_spans/resource_logs first */
	walk w;
	if (classify(p, n, 1, cut_ok, &w) < 0)
		return -1;
	return 0;
}

/* A length-prefixed stream: its first message decides (possibly cut short
 * where the part that was read ends). What comes after it may be bad: the
 * reading loop rejects a bad message and goes on with the next. */
static int sniff_stream(const uint8_t *p, size_t n, int be32)
{
	size_t pos = 0, seen = 0;
	while (pos < n) {
		uint64_t len;
		size_t hdr;
		if (be32) {
			if (n - pos < 4)
				break;
			len = (uint64_t)p[pos] << 24 | (uint64_t)p[pos + 1] << 16 | (uint64_t)p[pos + 2] << 8 | p[pos + 3];
			hdr = 4;
		} else {
			int k = otlp_pb_varint(p + pos, n - pos, &len);
			if (k <= 0)
				break;
			hdr = (size_t)k;
		}
		size_t have = n - pos - hdr;
		if (len == 0 || len > OTLP_PB_MAX_MSG || sniff_msg(p + pos + hdr, len < have ? (size_t)len : have, len > have)) {
			if (pos == 0)
				return -1;
			break;
		}
		seen += hdr + (len < have ? (size_t)len : have);
		if (len >= have)
			break;
		pos += hdr + (size_t)len;
	}
	return seen >= SNIFF_MIN ? 0 : -1;
}

int otlp_pb_sniff(const uint8_t *p, size_t n)
{
	if (n < 2)
		return -1;
	/* A single message starts with field 1 (0x0a); a 4-byte length with a
	 * zero byte under 16 MiB; a varint with anything. Each reading is tried
	 * where it is plausible, the likeliest first. */
	static const int order0a[] = {PB_SINGLE, PB_VARINT, PB_BE32};
	static const int order00[] = {PB_BE32, PB_VARINT, PB_SINGLE};
	static const int orderx[] = {PB_VARINT, PB_BE32, PB_SINGLE};
	const int *order = p[0] == 0x0a ? order0a : p[0] == 0 ? order00 : orderx;
	for (int i = 0; i < 3; i++) {
		int ok;
		if (order[i] == PB_SINGLE)
			ok = n >= SNIFF_MIN && sniff_msg(p, n, 1) == 0;
		else
			ok = sniff_stream(p, n, order[i] == PB_BE32) == 0;
		if (ok)
			return order[i];
	}
	return -1;
}

/* ---- to JSON ----------------------------------------------------------- */

/* Protobuf strings should be UTF-8 but nothing enforces it: bad bytes
 * become U+FFFD so that the store and --json output stay valid text. */
static cJSON *jstr(const char *s)
{
	size_t n = strlen(s);
	size_t i = 0;
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	if (i == n)
		return cJSON_CreateString(s);
	sbuf b = SBUF_INIT;
	sb_add(&b, s, i);
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp == 0xfffd && !(k == 3 && !memcmp(s + i, "\xef\xbf\xbd", 3)))
			sb_adds(&b, "\xef\xbf\xbd");
		else
			sb_add(&b, s + i, k);
		i += k;
	}
	cJSON *j = cJSON_CreateString(sb_str(&b));
	sb_free(&b);
	return j;
}

static void add_str(cJSON *o, const char *k, const char *s)
{
	if (s && *s)
		cJSON_AddItemToObject(o, k, jstr(s));
}

static void add_hex(cJSON *o, const char *k, ProtobufCBinaryData d)
{
	if (!d.len)
		return;
	char *hex = xmalloc(d.len * 2 + 1);
	hex_encode(d.data, d.len, hex);
	cJSON_AddStringToObject(o, k, hex);
	free(hex);
}

static void add_u64(cJSON *o, const char *k, uint64_t v)
{
	if (!v)
		return;
	char buf[24];
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	cJSON_AddStringToObject(o, k, buf);
}

static void add_num(cJSON *o, const char *k, double v)
{
	if (v != 0)
		cJSON_AddNumberToObject(o, k, v);
}

static char *base64(const uint8_t *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = 0;
	return out;
}

static cJSON *kvs_json(Otlp__KeyValue **kv, size_t n);

static cJSON *any_json(const Otlp__AnyValue *v)
{
	cJSON *o = cJSON_CreateObject();
	if (!v)
		return o;
	char buf[32];
	switch (v->value_case) {
	case OTLP__ANY_VALUE__VALUE_STRING_VALUE:
		cJSON_AddItemToObject(o, "stringValue", jstr(v->string_value ? v->string_value : ""));
		break;
	case OTLP__ANY_VALUE__VALUE_BOOL_VALUE:
		cJSON_AddBoolToObject(o, "boolValue", v->bool_value);
		break;
	case OTLP__ANY_VALUE__VALUE_INT_VALUE:
		snprintf(buf, sizeof buf, "%lld", (long long)v->int_value);
		cJSON_AddStringToObject(o, "intValue", buf);
		break;
	case OTLP__ANY_VALUE__VALUE_DOUBLE_VALUE:
		if (isfinite(v->double_value))
			cJSON_AddNumberToObject(o, "doubleValue", v->double_value);
		else
			cJSON_AddStringToObject(o, "doubleValue",
						isnan(v->double_value) ? "NaN" : v->double_value > 0 ? "Infinity" : "-Infinity");
		break;
	case OTLP__ANY_VALUE__VALUE_ARRAY_VALUE: {
		cJSON *vals = cJSON_CreateArray();
		const Otlp__ArrayValue *a = v->array_value;
		for (size_t i = 0; a && i < a->n_values; i++)
			cJSON_AddItemToArray(vals, any_json(a->values[i]));
		cJSON *arr = cJSON_AddObjectToObject(o, "arrayValue");
		cJSON_AddItemToObject(arr, "values", vals);
		break;
	}
	case OTLP__ANY_VALUE__VALUE_KVLIST_VALUE: {
		const Otlp__KeyValueList *l = v->kvlist_value;
		cJSON *kl = cJSON_AddObjectToObject(o, "kvlistValue");
		cJSON_AddItemToObject(kl, "values", kvs_json(l ? l->values : NULL, l ? l->n_values : 0));
		break;
	}
	case OTLP__ANY_VALUE__VALUE_BYTES_VALUE: {
		char *s = base64(v->bytes_value.data, v->bytes_value.len);
		cJSON_AddStringToObject(o, "bytesValue", s);
		free(s);
		break;
	}
	default:
		break; /* an empty AnyValue is legal */
	}
	return o;
}

static cJSON *kvs_json(Otlp__KeyValue **kv, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "key", jstr(kv[i]->key ? kv[i]->key : ""));
		cJSON_AddItemToObject(o, "value", any_json(kv[i]->value));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void add_attrs(cJSON *o, Otlp__KeyValue **kv, size_t n, uint32_t dropped)
{
	if (n)
		cJSON_AddItemToObject(o, "attributes", kvs_json(kv, n));
	add_num(o, "droppedAttributesCount", dropped);
}

static void add_resource(cJSON *o, const Otlp__Resource *r, const char *schema)
{
	cJSON *res = cJSON_AddObjectToObject(o, "resource");
	if (r)
		add_attrs(res, r->attributes, r->n_attributes, r->dropped_attributes_count);
	add_str(o, "schemaUrl", schema);
}

static void add_scope(cJSON *o, const Otlp__InstrumentationScope *s, const char *schema)
{
	if (s) {
		cJSON *sc = cJSON_AddObjectToObject(o, "scope");
		add_str(sc, "name", s->name);
		add_str(sc, "version", s->version);
		add_attrs(sc, s->attributes, s->n_attributes, s->dropped_attributes_count);
	}
	add_str(o, "schemaUrl", schema);
}

static cJSON *span_json(const Otlp__Span *s)
{
	cJSON *o = cJSON_CreateObject();
	add_hex(o, "traceId", s->trace_id);
	add_hex(o, "spanId", s->span_id);
	add_str(o, "traceState", s->trace_state);
	add_hex(o, "parentSpanId", s->parent_span_id);
	add_num(o, "flags", s->flags);
	add_str(o, "name", s->name);
	add_num(o, "kind", s->kind);
	add_u64(o, "startTimeUnixNano", s->start_time_unix_nano);
	add_u64(o, "endTimeUnixNano", s->end_time_unix_nano);
	add_attrs(o, s->attributes, s->n_attributes, s->dropped_attributes_count);
	if (s->n_events) {
		cJSON *ev = cJSON_AddArrayToObject(o, "events");
		for (size_t i = 0; i < s->n_events; i++) {
			const Otlp__Span__Event *e = s->events[i];
			cJSON *j = cJSON_CreateObject();
			add_u64(j, "timeUnixNano", e->time_unix_nano);
			add_str(j, "name", e->name);
			add_attrs(j, e->attributes, e->n_attributes, e->dropped_attributes_count);
			cJSON_AddItemToArray(ev, j);
		}
	}
	add_num(o, "droppedEventsCount", s->dropped_events_count);
	if (s->n_links) {
		cJSON *ln = cJSON_AddArrayToObject(o, "links");
		for (size_t i = 0; i < s->n_links; i++) {
			const Otlp__Span__Link *l = s->links[i];
			cJSON *j = cJSON_CreateObject();
			add_hex(j, "traceId", l->trace_id);
			add_hex(j, "spanId", l->span_id);
			add_str(j, "traceState", l->trace_state);
			add_attrs(j, l->attributes, l->n_attributes, l->dropped_attributes_count);
			add_num(j, "flags", l->flags);
			cJSON_AddItemToArray(ln, j);
		}
	}
	add_num(o, "droppedLinksCount", s->dropped_links_count);
	/* Always there, possibly empty, as the Collector writes it. */
	cJSON *st = cJSON_AddObjectToObject(o, "status");
	if (s->status) {
		add_str(st, "message", s->status->message);
		add_num(st, "code", s->status->code);
	}
	return o;
}

static cJSON *log_json(const Otlp__LogRecord *r)
{
	cJSON *o = cJSON_CreateObject();
	add_u64(o, "timeUnixNano", r->time_unix_nano);
	add_u64(o, "observedTimeUnixNano", r->observed_time_unix_nano);
	add_num(o, "severityNumber", r->severity_number);
	add_str(o, "severityText", r->severity_text);
	if (r->body)
		cJSON_AddItemToObject(o, "body", any_json(r->body));
	add_attrs(o, r->attributes, r->n_attributes, r->dropped_attributes_count);
	add_num(o, "flags", r->flags);
	add_hex(o, "traceId", r->trace_id);
	add_hex(o, "spanId", r->span_id);
	add_str(o, "eventName", r->event_name);
	return o;
}

static cJSON *traces_json(const Otlp__ExportTraceServiceRequest *req)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *rss = cJSON_AddArrayToObject(root, "resourceSpans");
	for (size_t i = 0; i < req->n_resource_spans; i++) {
		const Otlp__ResourceSpans *rs = req->resource_spans[i];
		cJSON *jr = cJSON_CreateObject();
		add_resource(jr, rs->resource, rs->schema_url);
		cJSON *sss = cJSON_AddArrayToObject(jr, "scopeSpans");
		for (size_t j = 0; j < rs->n_scope_spans; j++) {
			const Otlp__ScopeSpans *ss = rs->scope_spans[j];
			cJSON *js = cJSON_CreateObject();
			add_scope(js, ss->scope, ss->schema_url);
			cJSON *spans = cJSON_AddArrayToObject(js, "spans");
			for (size_t k = 0; k < ss->n_spans; k++)
				cJSON_AddItemToArray(spans, span_json(ss->spans[k]));
			cJSON_AddItemToArray(sss, js);
		}
		cJSON_AddItemToArray(rss, jr);
	}
	return root;
}

static cJSON *logs_json(const Otlp__ExportLogsServiceRequest *req)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *rls = cJSON_AddArrayToObject(root, "resourceLogs");
	for (size_t i = 0; i < req->n_resource_logs; i++) {
		const Otlp__ResourceLogs *rl = req->resource_logs[i];
		cJSON *jr = cJSON_CreateObject();
		add_resource(jr, rl->resource, rl->schema_url);
		cJSON *sls = cJSON_AddArrayToObject(jr, "scopeLogs");
		for (size_t j = 0; j < rl->n_scope_logs; j++) {
			const Otlp__ScopeLogs *sl = rl->scope_logs[j];
			cJSON *js = cJSON_CreateObject();
			add_scope(js, sl->scope, sl->schema_url);
			cJSON *recs = cJSON_AddArrayToObject(js, "logRecords");
			for (size_t k = 0; k < sl->n_log_records; k++)
				cJSON_AddItemToArray(recs, log_json(sl->log_records[k]));
			cJSON_AddItemToArray(sls, js);
		}
		cJSON_AddItemToArray(rls, jr);
	}
	return root;
}

cJSON *otlp_pb_to_json(const uint8_t *p, size_t n, char *err, size_t errlen)
{
	if (n > OTLP_PB_MAX_MSG) {
		snprintf(err, errlen, "a message larger than 256 MiB is not supported");
		return NULL;
	}
	walk w;
	int kind = classify(p, n, 0, 0, &w);
	if (kind < 0) {
		snprintf(err, errlen, "not an OTLP request: %s (at byte %zu of the message)", w.err, w.err_at);
		return NULL;
	}
	cJSON *root = NULL;
	if (kind == M_TREQ) {
		Otlp__ExportTraceServiceRequest *req = otlp__export_trace_service_request__unpack(NULL, n, p);
		if (req) {
			root = traces_json(req);
			otlp__export_trace_service_request__free_unpacked(req, NULL);
		}
	} else {
		Otlp__ExportLogsServiceRequest *req = otlp__export_logs_service_request__unpack(NULL, n, p);
		if (req) {
			root = logs_json(req);
			otlp__export_logs_service_request__free_unpacked(req, NULL);
		}
	}
	if (!root)
		snprintf(err, errlen, "not a valid OTLP %s request", kind == M_TREQ ? "traces" : "logs");
	return root;
}

int otlp_pb_parse(const uint8_t *p, size_t n, batch_t *b, char *err, size_t errlen)
{
	cJSON *root = otlp_pb_to_json(p, n, err, errlen);
	if (!root)
		return -1;
	int rc = otlp_map_root(root, NULL, 0, b, err, errlen);
	cJSON_Delete(root);
	return rc;
}

int otlp_pb_parse_partial(const uint8_t *p, size_t n, batch_t *b, uint64_t *rejected, char *err, size_t errlen)
{
	cJSON *root = otlp_pb_to_json(p, n, err, errlen);
	if (!root)
		return -1;
	int rc = otlp_map_root_partial(root, NULL, 0, b, rejected, err, errlen);
	cJSON_Delete(root);
	return rc;
}
