/* A trace read back from the store, and `llmops trace` output: an indented
 * tree with each span's offset from the start of the trace and its
 * duration, the calls on the LLM spans; or the same as JSON. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "store_internal.h"
#include "trace.h"

static char *dup_col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static void hex_col(sqlite3_stmt *s, int i, char *out, size_t n)
{
	const unsigned char *b = sqlite3_column_blob(s, i);
	int len = sqlite3_column_bytes(s, i);
	out[0] = 0;
	if (b && len > 0 && (size_t)len * 2 < n)
		hex_encode(b, (size_t)len, out);
}

static void span_free(trace_span *s)
{
	free(s->name);
	free(s->scope);
	free(s->service);
	free(s->status_message);
	free(s->attrs);
	free(s->provider);
	free(s->model);
	free(s->error_type);
}

void trace_view_free(trace_view *t)
{
	for (size_t i = 0; i < t->n; i++)
		span_free(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof *t);
}

static trace_span *add_span(trace_view *t, size_t *cap)
{
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->v = xrealloc(t->v, *cap * sizeof *t->v);
	}
	trace_span *s = &t->v[t->n++];
	memset(s, 0, sizeof *s);
	s->end = -1;
	return s;
}

/* The call's figures onto the span. */
static void call_onto(store_t *st, int64_t id, trace_span *s)
{
	sqlite3_stmt *q = store_stmt(st, ST_TRACE_CALL,
				     "SELECT c.span_id, d.provider, d.model, c.status, c.error_type, c.input_tokens,"
				     " c.cached_tokens, c.output_tokens, c.cost_nusd, c.latency_ms FROM calls c"
				     " JOIN dims d ON d.id = c.dim WHERE c.id=?");
	if (!q)
		return;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		hex_col(q, 0, s->call_span, sizeof s->call_span);
		s->provider = dup_col(q, 1);
		s->model = dup_col(q, 2);
		s->is_error = sqlite3_column_int(q, 3) != 0;
		s->error_type = dup_col(q, 4);
		s->input_tokens = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 5);
		s->cached_tokens = sqlite3_column_type(q, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 6);
		s->output_tokens = sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 7);
		s->cost_nusd = sqlite3_column_type(q, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 8);
		s->latency_ms = sqlite3_column_type(q, 9) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 9);
	}
	sqlite3_reset(q);
}

static int by_start(const void *a, const void *b, void *ud)
{
	const trace_view *t = ud;
	const trace_span *x = &t->v[*(const size_t *)a], *y = &t->v[*(const size_t *)b];
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->span, y->span);
}

static uint64_t hex_key(const char *hex)
{
	return hash64(hex, strlen(hex), 0x7370) | 1;
}

/* Tree order and depths, in time linear in the spans (a trace may hold tens
 * of thousands, and the call view reads its call's trace). */
void trace_order_tree(trace_view *t)
{
	size_t n = t->n;
	if (!n)
		return;
	u64map at = {0};
	for (size_t i = 0; i < n; i++)
		u64map_put(&at, hex_key(t->v[i].span), (int64_t)i + 1);
	long *parent = xmalloc(n * sizeof *parent);
	size_t *first = xcalloc(n + 1, sizeof *first), *kids = xmalloc(n * sizeof *kids);
	for (size_t i = 0; i < n; i++) {
		int64_t p = *t->v[i].parent ? u64map_get(&at, hex_key(t->v[i].parent)) : 0;
		parent[i] = p > 0 && (size_t)(p - 1) != i ? (long)p - 1 : -1;
		if (parent[i] >= 0)
			first[parent[i] + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		first[i + 1] += first[i];
	size_t *fill = xmalloc(n * sizeof *fill);
	memcpy(fill, first, n * sizeof *fill);
	size_t *roots = xmalloc(n * sizeof *roots), nr = 0;
	for (size_t i = 0; i < n; i++) {
		if (parent[i] >= 0)
			kids[fill[parent[i]]++] = i;
		else
			roots[nr++] = i;
	}
	for (size_t i = 0; i < n; i++)
		qsort_r(kids + first[i], first[i + 1] - first[i], sizeof *kids, by_start, t);
	qsort_r(roots, nr, sizeof *roots, by_start, t);
	/* Depth first, with a stack of our own; spans in a loop of parents
	 * are not reached from a root and go at the end. */
	uint8_t *seen = xcalloc(n, 1);
	size_t *out = xmalloc(n * sizeof *out), nout = 0;
	size_t *stack = xmalloc(n * sizeof *stack);
	for (size_t r = 0; r < nr + n; r++) {
		size_t start = r < nr ? roots[r] : r - nr;
		if (seen[start])
			continue;
		size_t sp = 0;
		stack[sp++] = start;
		t->v[start].depth = 0;
		while (sp) {
			size_t i = stack[--sp];
			if (seen[i])
				continue;
			seen[i] = 1;
			out[nout++] = i;
			for (size_t k = first[i + 1]; k-- > first[i];) /* the first child on top */
				if (!seen[kids[k]]) {
					t->v[kids[k]].depth = t->v[i].depth + 1;
					stack[sp++] = kids[k];
				}
		}
	}
	trace_span *v = xmalloc(n * sizeof *v);
	for (size_t i = 0; i < nout; i++)
		v[i] = t->v[out[i]];
	free(t->v);
	t->v = v;
	t->n = nout;
	free(at.keys);
	free(at.vals);
	free(parent);
	free(first);
	free(kids);
	free(fill);
	free(roots);
	free(seen);
	free(out);
	free(stack);
}

static int load_trace(store_t *st, const uint8_t *id, int len, trace_view *t)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT span_id, parent_id, name, kind, scope, service, start_ns, end_ns, status, status_message,"
			       " call_id, attrs FROM spans WHERE trace_id=?",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(s, 1, id, len, SQLITE_STATIC);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		trace_span *sp = add_span(t, &cap);
		hex_col(s, 0, sp->span, sizeof sp->span);
		hex_col(s, 1, sp->parent, sizeof sp->parent);
		sp->name = dup_col(s, 2);
		sp->kind = sqlite3_column_int(s, 3);
		sp->scope = dup_col(s, 4);
		sp->service = dup_col(s, 5);
		sp->start = sqlite3_column_int64(s, 6);
		sp->end = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
		sp->status = sqlite3_column_int(s, 8);
		sp->status_message = dup_col(s, 9);
		sp->call_id = sqlite3_column_int64(s, 10);
		sp->attrs = dup_col(s, 11);
	}
	sqlite3_finalize(s);
	if (len * 2 < (int)sizeof t->trace)
		hex_encode(id, (size_t)len, t->trace);
	return 0;
}

/* The calls of the trace: figures on the outermost span of each, and the
 * totals. A call with no stored spans (a JSONL record) is a span itself. */
static void finish(store_t *st, trace_view *t, int64_t lone_call)
{
	if (!t->n && lone_call) {
		size_t cap = 0;
		trace_span *sp = add_span(t, &cap);
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(st->db, "SELECT span_id, ts, latency_ms, operation FROM calls WHERE id=?", -1, &s,
				       NULL) == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, lone_call);
			if (sqlite3_step(s) == SQLITE_ROW) {
				hex_col(s, 0, sp->span, sizeof sp->span);
				sp->start = sqlite3_column_int64(s, 1);
				if (sqlite3_column_type(s, 2) != SQLITE_NULL)
					sp->end = sp->start + (int64_t)(sqlite3_column_double(s, 2) * 1e6);
				sp->name = dup_col(s, 3);
			}
			sqlite3_finalize(s);
		}
		if (!sp->name)
			sp->name = xstrdup("chat");
		sp->call_id = lone_call;
	}
	trace_order_tree(t);
	u64map calls = {0};
	t->start = INT64_MAX;
	t->end = INT64_MIN;
	for (size_t i = 0; i < t->n; i++) {
		trace_span *sp = &t->v[i];
		if (sp->start < t->start)
			t->start = sp->start;
		if (sp->end > t->end)
			t->end = sp->end;
		if (!sp->call_id)
			continue;
		if (u64map_get(&calls, (uint64_t)sp->call_id))
			continue;
		u64map_put(&calls, (uint64_t)sp->call_id, 1);
		sp->call_first = 1;
		call_onto(st, sp->call_id, sp);
		t->calls++;
		t->errors += sp->is_error;
		if (sp->cost_nusd > 0)
			t->cost_nusd += sp->cost_nusd;
	}
	free(calls.keys);
	free(calls.vals);
	if (t->end < t->start)
		t->end = t->start;
}

int sq_trace_of_call(store_t *st, int64_t call_id, trace_view *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT trace_id FROM calls WHERE id=?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, call_id);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		int len = sqlite3_column_bytes(s, 0);
		uint8_t id[CALL_ID_MAX];
		if (len > 0 && len <= CALL_ID_MAX) {
			memcpy(id, sqlite3_column_blob(s, 0), (size_t)len);
			rc = load_trace(st, id, len, out);
			hex_encode(id, (size_t)len, out->trace);
		}
	}
	sqlite3_finalize(s);
	if (!rc)
		finish(st, out, call_id);
	return rc;
}

int sq_trace_get(store_t *st, const char *ref, trace_view *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	uint8_t id[CALL_ID_MAX];
	uint8_t len = 0;
	int hex = call_set_id(id, &len, ref) == 0;
	if (hex && len == 16) { /* a trace id */
		if (load_trace(st, id, len, out) == 0 && out->n) {
			finish(st, out, 0);
			return 0;
		}
		trace_view_free(out);
		/* calls that came without their spans */
		sqlite3_stmt *s;
		int64_t cid = 0;
		if (sqlite3_prepare_v2(st->db, "SELECT id FROM calls WHERE trace_id=? ORDER BY ts LIMIT 1", -1, &s, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_blob(s, 1, id, len, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW)
				cid = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
		}
		if (cid)
			return store_trace_of_call(st, cid, out);
	}
	int64_t cid;
	/* A call's span id, or its beginning, as replay takes it. */
	int frc = store_find_call_ref(st, ref, &cid, err, errlen);
	if (frc == 0)
		return store_trace_of_call(st, cid, out);
	if (frc == -2) {
		trace_view_free(out);
		return -1;
	}
	if (hex && len >= 8) { /* a layer's span, or a step */
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(st->db, "SELECT trace_id FROM spans WHERE span_id=? LIMIT 1", -1, &s, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_blob(s, 1, id, len, SQLITE_STATIC);
			int found = 0;
			uint8_t tid[CALL_ID_MAX];
			int tl = 0;
			if (sqlite3_step(s) == SQLITE_ROW && (tl = sqlite3_column_bytes(s, 0)) > 0 && tl <= CALL_ID_MAX) {
				memcpy(tid, sqlite3_column_blob(s, 0), (size_t)tl);
				found = 1;
			}
			sqlite3_finalize(s);
			if (found && load_trace(st, tid, tl, out) == 0 && out->n) {
				finish(st, out, 0);
				return 0;
			}
		}
	}
	char *e = sanitize_str(ref, 0);
	snprintf(err, errlen, "no trace or call '%s' in %s", e, store_path(st));
	free(e);
	trace_view_free(out);
	return -1;
}

char *trace_path_of(const trace_view *t, int64_t call_id)
{
	long at = -1;
	for (size_t i = 0; i < t->n && at < 0; i++)
		if (t->v[i].call_id == call_id)
			at = (long)i;
	if (at <= 0 || !t->v[at].depth)
		return NULL;
	/* Walk back up: the nearest span above with one depth less, and so on. */
	const char *names[64];
	int nn = 0, want = t->v[at].depth - 1;
	for (long i = at - 1; i >= 0 && want >= 0 && nn < 64; i--)
		if (t->v[i].depth == want) {
			names[nn++] = t->v[i].name ? t->v[i].name : "?";
			want--;
		}
	sbuf b = SBUF_INIT;
	for (int i = nn - 1; i >= 0; i--) {
		if (b.len)
			sb_adds(&b, " > ");
		sb_adds(&b, names[i]);
	}
	return sb_steal(&b);
}

/* ---- output ----------------------------------------------------------------- */

static void fmt_dur(char *buf, size_t n, double ms)
{
	if (ms < 0)
		snprintf(buf, n, "?");
	else
		fmt_ms(buf, n, ms);
}

static void tokens(char *buf, size_t n, int64_t v)
{
	if (v < 0)
		snprintf(buf, n, "-");
	else
		fmt_thousands(buf, n, (uint64_t)v);
}

void trace_span_cells(const trace_view *t, const trace_span *s, int w, int *c0, int *c1)
{
	double total = (double)(t->end - t->start);
	double from = total > 0 ? (double)(s->start - t->start) / total : 0;
	double to = s->end >= 0 && total > 0 ? (double)(s->end - t->start) / total : from;
	/* A span that reaches the trace's end fills the last column: the
	 * rounding up forgives what float division lost. */
	*c0 = (int)(from * w);
	*c1 = (int)(to * w + 0.999);
	if (*c0 >= w)
		*c0 = w - 1;
	if (*c0 < 0)
		*c0 = 0;
	if (*c1 > w)
		*c1 = w;
	if (*c1 <= *c0)
		*c1 = *c0 + 1;
}

void trace_write_text(const trace_view *t, FILE *out, int ascii)
{
	int flags = ascii ? SAN_ASCII : 0;
	char dur[16], cost[32];
	fmt_dur(dur, sizeof dur, (double)(t->end - t->start) / 1e6);
	snprintf(cost, sizeof cost, "$%.4f", (double)t->cost_nusd / 1e9);
	char when[40];
	clock_fmt_rfc3339(t->start, when, sizeof when);
	fprintf(out, "trace %s  %s  %zu span%s, %zu call%s, %zu error%s, %s, %s\n", t->trace, when, t->n,
		t->n == 1 ? "" : "s", t->calls, t->calls == 1 ? "" : "s", t->errors, t->errors == 1 ? "" : "s", dur,
		cost);
	fprintf(out, "%9s %9s  %s\n", "OFFSET", "DURATION", "SPAN");
	for (size_t i = 0; i < t->n; i++) {
		const trace_span *s = &t->v[i];
		char off[16], d[16], o2[20];
		fmt_dur(off, sizeof off, (double)(s->start - t->start) / 1e6);
		snprintf(o2, sizeof o2, "+%s", s->start == t->start ? "0ms" : off);
		fmt_dur(d, sizeof d, s->end >= 0 ? (double)(s->end - s->start) / 1e6 : -1);
		char *name = sanitize_str(s->name ? s->name : "", flags);
		fprintf(out, "%9s %9s  %*s%s", o2, d, 2 * (s->depth < 20 ? s->depth : 20), "", name);
		free(name);
		if (s->call_first) {
			char in[32], o[32], c[32];
			tokens(in, sizeof in, s->input_tokens);
			tokens(o, sizeof o, s->output_tokens);
			if (s->cost_nusd >= 0)
				snprintf(c, sizeof c, "$%.6f", (double)s->cost_nusd / 1e9);
			else
				snprintf(c, sizeof c, "unpriced");
			char *m = sanitize_str(s->model ? s->model : "?", flags);
			char *et = sanitize_str(s->error_type ? s->error_type : "error", flags);
			fprintf(out, "  [call %s %s, in %s out %s, %s, %s]", s->call_span, m, in, o, c,
				s->is_error ? et : "ok");
			free(m);
			free(et);
		} else if (s->call_id) {
			fprintf(out, "  [the same call]");
		} else if (s->status == 2) {
			char *msg = sanitize_str(s->status_message ? s->status_message : "", flags);
			fprintf(out, "  [error%s%s]", *msg ? ": " : "", msg);
			free(msg);
		}
		if (s->scope) {
			char *sc = sanitize_str(s->scope, flags);
			fprintf(out, "  (%s)", sc);
			free(sc);
		}
		fputc('\n', out);
	}
}

void trace_write_json(const trace_view *t, FILE *out)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "trace_id", t->trace);
	char ts[40];
	clock_fmt_rfc3339(t->start, ts, sizeof ts);
	cJSON_AddStringToObject(o, "start", ts);
	cJSON_AddNumberToObject(o, "duration_ms", (double)(t->end - t->start) / 1e6);
	cJSON_AddNumberToObject(o, "calls", (double)t->calls);
	cJSON_AddNumberToObject(o, "errors", (double)t->errors);
	cJSON_AddNumberToObject(o, "cost_usd", (double)t->cost_nusd / 1e9);
	cJSON *arr = cJSON_AddArrayToObject(o, "spans");
	u64map firsts = {0}; /* call id -> its outermost span + 1 */
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].call_first)
			u64map_put(&firsts, (uint64_t)t->v[i].call_id, (int64_t)i + 1);
	for (size_t i = 0; i < t->n; i++) {
		const trace_span *s = &t->v[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "span_id", s->span);
		if (*s->parent)
			cJSON_AddStringToObject(j, "parent_span_id", s->parent);
		else
			cJSON_AddNullToObject(j, "parent_span_id");
		cJSON_AddNumberToObject(j, "depth", s->depth);
		cJSON_AddStringToObject(j, "name", s->name ? s->name : "");
		cJSON_AddNumberToObject(j, "kind", s->kind);
		if (s->scope)
			cJSON_AddStringToObject(j, "scope", s->scope);
		if (s->service)
			cJSON_AddStringToObject(j, "service", s->service);
		cJSON_AddNumberToObject(j, "offset_ms", (double)(s->start - t->start) / 1e6);
		if (s->end >= 0)
			cJSON_AddNumberToObject(j, "duration_ms", (double)(s->end - s->start) / 1e6);
		else
			cJSON_AddNullToObject(j, "duration_ms");
		cJSON_AddStringToObject(j, "status", s->status == 2 ? "error" : s->status == 1 ? "ok" : "unset");
		if (s->status_message)
			cJSON_AddStringToObject(j, "status_message", s->status_message);
		if (s->call_id) {
			cJSON *c = cJSON_AddObjectToObject(j, "call");
			/* every layer names the call; the figures are on its outermost span */
			int64_t at = u64map_get(&firsts, (uint64_t)s->call_id);
			const trace_span *f = at > 0 ? &t->v[at - 1] : s;
			cJSON_AddStringToObject(c, "call_id", f->call_span);
			cJSON_AddBoolToObject(c, "outermost", s->call_first);
			if (s->call_first) {
				cJSON_AddStringToObject(c, "provider", f->provider ? f->provider : "");
				cJSON_AddStringToObject(c, "model", f->model ? f->model : "");
				cJSON_AddStringToObject(c, "status", f->is_error ? "error" : "ok");
				if (f->is_error)
					cJSON_AddStringToObject(c, "error_type", f->error_type ? f->error_type : "error");
				int64_t v[3] = {f->input_tokens, f->cached_tokens, f->output_tokens};
				const char *k3[3] = {"input_tokens", "cached_tokens", "output_tokens"};
				for (int q = 0; q < 3; q++) {
					if (v[q] >= 0)
						cJSON_AddNumberToObject(c, k3[q], (double)v[q]);
					else
						cJSON_AddNullToObject(c, k3[q]);
				}
				if (f->cost_nusd >= 0)
					cJSON_AddNumberToObject(c, "cost_usd", (double)f->cost_nusd / 1e9);
				else
					cJSON_AddNullToObject(c, "cost_usd");
				if (f->latency_ms >= 0)
					cJSON_AddNumberToObject(c, "latency_ms", f->latency_ms);
			}
		} else {
			cJSON_AddNullToObject(j, "call");
		}
		cJSON *a = s->attrs ? cJSON_Parse(s->attrs) : NULL;
		if (cJSON_IsObject(a))
			cJSON_AddItemToObject(j, "attributes", a);
		else
			cJSON_Delete(a);
		cJSON_AddItemToArray(arr, j);
	}
	free(firsts.keys);
	free(firsts.vals);
	char *txt = cJSON_PrintUnformatted(o);
	sbuf safe = SBUF_INIT;
	sanitize_json(txt, strlen(txt), &safe); /* span names and attributes are anyone's text */
	fputs(sb_str(&safe), out);
	fputc('\n', out);
	sb_free(&safe);
	free(txt);
	cJSON_Delete(o);
}
