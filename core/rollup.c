#include "rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

const int64_t rollup_step_ns[RES_COUNT] = {NS_PER_MIN, NS_PER_HOUR, NS_PER_DAY};
const char *const rollup_table[RES_COUNT] = {"rollup_1m", "rollup_1h", "rollup_1d"};

void ecounts_add(ecounts *e, const char *name, uint64_t n)
{
	size_t lo = 0, hi = e->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(e->v[mid].name, name);
		if (c == 0) {
			e->v[mid].n = sat_add_u64(e->v[mid].n, n);
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 4;
		e->v = xrealloc(e->v, e->cap * sizeof *e->v);
	}
	memmove(e->v + lo + 1, e->v + lo, (e->n - lo) * sizeof *e->v);
	e->v[lo].name = xstrdup(name);
	e->v[lo].n = n;
	e->n++;
}

void ecounts_merge(ecounts *dst, const ecounts *src)
{
	for (size_t i = 0; i < src->n; i++)
		ecounts_add(dst, src->v[i].name, src->v[i].n);
}

int ecounts_parse_add(ecounts *e, const char *text)
{
	if (!text)
		return 0;
	const char *p = text;
	while (*p) {
		const char *eq = strchr(p, '=');
		if (!eq)
			return -1;
		size_t n = (size_t)(eq - p);
		if (n == 0)
			return -1;
		char *end;
		unsigned long long v = strtoull(eq + 1, &end, 10);
		if (end == eq + 1 || (*end && *end != ';'))
			return -1;
		char *name = xstrndup(p, n);
		ecounts_add(e, name, v);
		free(name);
		p = *end ? end + 1 : end;
	}
	return 0;
}

void ecounts_format(const ecounts *e, sbuf *out)
{
	for (size_t i = 0; i < e->n; i++)
		sb_printf(out, "%s%s=%llu", i ? ";" : "", e->v[i].name, (unsigned long long)e->v[i].n);
}

void ecounts_reset(ecounts *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].name);
	e->n = 0;
}

void ecounts_free(ecounts *e)
{
	ecounts_reset(e);
	free(e->v);
	memset(e, 0, sizeof *e);
}

void rstats_init(rstats *s)
{
	memset(s, 0, sizeof *s);
}

void rstats_reset(rstats *s)
{
	s->calls = s->errors = s->input_tokens = s->cached_tokens = s->output_tokens = s->unpriced = 0;
	s->cost_nusd = 0;
	hist_reset(&s->lat);
	hist_reset(&s->ttft);
	ecounts_reset(&s->errs);
}

void rstats_free(rstats *s)
{
	hist_free(&s->lat);
	hist_free(&s->ttft);
	ecounts_free(&s->errs);
	memset(s, 0, sizeof *s);
}

void rstats_add_call(rstats *s, const call_t *c, int64_t cost_nusd)
{
	s->calls++;
	if (c->is_error) {
		s->errors++;
		ecounts_add(&s->errs, c->error_type ? c->error_type : "error", 1);
	}
	if (c->input_tokens > 0)
		s->input_tokens = sat_add_u64(s->input_tokens, (uint64_t)c->input_tokens);
	if (c->cached_tokens > 0)
		s->cached_tokens = sat_add_u64(s->cached_tokens, (uint64_t)c->cached_tokens);
	if (c->output_tokens > 0)
		s->output_tokens = sat_add_u64(s->output_tokens, (uint64_t)c->output_tokens);
	if (cost_nusd < 0)
		s->unpriced++;
	else
		s->cost_nusd = sat_add_i64(s->cost_nusd, cost_nusd);
	if (c->latency_ms >= 0)
		hist_add(&s->lat, c->latency_ms);
	if (c->ttft_ms >= 0)
		hist_add(&s->ttft, c->ttft_ms);
}

void rstats_merge(rstats *d, const rstats *s)
{
	d->calls = sat_add_u64(d->calls, s->calls);
	d->errors = sat_add_u64(d->errors, s->errors);
	d->input_tokens = sat_add_u64(d->input_tokens, s->input_tokens);
	d->cached_tokens = sat_add_u64(d->cached_tokens, s->cached_tokens);
	d->output_tokens = sat_add_u64(d->output_tokens, s->output_tokens);
	d->unpriced = sat_add_u64(d->unpriced, s->unpriced);
	d->cost_nusd = sat_add_i64(d->cost_nusd, s->cost_nusd);
	hist_merge(&d->lat, &s->lat);
	hist_merge(&d->ttft, &s->ttft);
	ecounts_merge(&d->errs, &s->errs);
}

void rstats_merge_many(rstats *d, const rstats *const *s, size_t n)
{
	const hist_t **h = xcalloc(n ? n : 1, sizeof *h);
	for (size_t i = 0; i < n; i++) {
		d->calls = sat_add_u64(d->calls, s[i]->calls);
		d->errors = sat_add_u64(d->errors, s[i]->errors);
		d->input_tokens = sat_add_u64(d->input_tokens, s[i]->input_tokens);
		d->cached_tokens = sat_add_u64(d->cached_tokens, s[i]->cached_tokens);
		d->output_tokens = sat_add_u64(d->output_tokens, s[i]->output_tokens);
		d->unpriced = sat_add_u64(d->unpriced, s[i]->unpriced);
		d->cost_nusd = sat_add_i64(d->cost_nusd, s[i]->cost_nusd);
		ecounts_merge(&d->errs, &s[i]->errs);
		h[i] = &s[i]->lat;
	}
	hist_merge_many(&d->lat, h, n);
	for (size_t i = 0; i < n; i++)
		h[i] = &s[i]->ttft;
	hist_merge_many(&d->ttft, h, n);
	free(h);
}

double rstats_error_rate(const rstats *s)
{
	return s->calls ? (double)s->errors / (double)s->calls : 0;
}

void racc_init(racc *a)
{
	memset(a, 0, sizeof *a);
}

static size_t racc_hash(int res, int64_t t, int64_t dim)
{
	uint64_t k[3] = {(uint64_t)res, (uint64_t)t, (uint64_t)dim};
	return (size_t)hash64(k, sizeof k, 7);
}

static void racc_grow(racc *a)
{
	racc old = *a;
	a->cap = old.cap ? old.cap * 2 : 256;
	a->v = xcalloc(a->cap, sizeof *a->v);
	a->len = 0;
	for (size_t i = 0; i < old.cap; i++) {
		racc_entry *e = &old.v[i];
		if (!e->used) {
			rstats_free(&e->s);
			continue;
		}
		size_t j = racc_hash(e->res, e->t, e->dim) & (a->cap - 1);
		while (a->v[j].used)
			j = (j + 1) & (a->cap - 1);
		a->v[j] = *e;
		a->len++;
	}
	free(old.v);
}

rstats *racc_get(racc *a, int res, int64_t t, int64_t dim)
{
	if ((a->len + 1) * 2 > a->cap)
		racc_grow(a);
	size_t mask = a->cap - 1, j = racc_hash(res, t, dim) & mask;
	while (a->v[j].used) {
		racc_entry *e = &a->v[j];
		if (e->res == res && e->t == t && e->dim == dim)
			return &e->s;
		j = (j + 1) & mask;
	}
	racc_entry *e = &a->v[j];
	e->used = 1;
	e->res = res;
	e->t = t;
	e->dim = dim;
	rstats_reset(&e->s); /* an unused slot may hold memory from an earlier batch */
	a->len++;
	return &e->s;
}

void racc_reset(racc *a)
{
	for (size_t i = 0; i < a->cap; i++)
		a->v[i].used = 0;
	a->len = 0;
}

void racc_free(racc *a)
{
	for (size_t i = 0; i < a->cap; i++)
		rstats_free(&a->v[i].s);
	free(a->v);
	memset(a, 0, sizeof *a);
}

int rollup_ranges(int64_t from_ns, int64_t to_ns, rrange out[5])
{
	int n = 0;
	int64_t f = floor_to(from_ns, NS_PER_MIN), t = ceil_to(to_ns, NS_PER_MIN);
	if (f >= t)
		return 0;
#define ADD(r, a, b)                                                                                 \
	do {                                                                                         \
		if ((a) < (b)) {                                                                     \
			out[n].res = (r);                                                            \
			out[n].from = (a) / NS_PER_S;                                                \
			out[n].to = (b) / NS_PER_S;                                                  \
			n++;                                                                         \
		}                                                                                    \
	} while (0)
	int64_t h0 = ceil_to(f, NS_PER_HOUR), h1 = floor_to(t, NS_PER_HOUR);
	if (h0 >= h1) {
		ADD(RES_1M, f, t);
		return n;
	}
	ADD(RES_1M, f, h0);
	int64_t d0 = ceil_to(h0, NS_PER_DAY), d1 = floor_to(h1, NS_PER_DAY);
	if (d0 >= d1) {
		ADD(RES_1H, h0, h1);
	} else {
		ADD(RES_1H, h0, d0);
		ADD(RES_1D, d0, d1);
		ADD(RES_1H, d1, h1);
	}
	ADD(RES_1M, h1, t);
#undef ADD
	return n;
}
