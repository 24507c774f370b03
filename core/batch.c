#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"

call_t *batch_add_call(batch_t *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->calls = xrealloc(b->calls, b->cap * sizeof *b->calls);
	}
	call_t *c = &b->calls[b->n++];
	call_init(c);
	return c;
}

span_event_t *batch_add_event(batch_t *b)
{
	if (b->nev == b->evcap) {
		b->evcap = b->evcap ? b->evcap * 2 : 64;
		b->events = xrealloc(b->events, b->evcap * sizeof *b->events);
	}
	span_event_t *e = &b->events[b->nev++];
	memset(e, 0, sizeof *e);
	return e;
}

span_rec *batch_add_span(batch_t *b)
{
	if (b->nspans == b->spcap) {
		b->spcap = b->spcap ? b->spcap * 2 : 64;
		b->spans = xrealloc(b->spans, b->spcap * sizeof *b->spans);
	}
	span_rec *s = &b->spans[b->nspans++];
	memset(s, 0, sizeof *s);
	s->end_ns = -1;
	s->call = -1;
	return s;
}

void batch_reset(batch_t *b)
{
	b->n = b->nev = b->nspans = 0;
	b->bytes = b->records = b->skipped = 0;
	b->prepared = 0;
	b->codec = b->new_codec = NULL;
	for (int r = 0; r < RES_COUNT; r++)
		racc_reset(&b->acc[r]);
	arena_reset(&b->arena);
}

void batch_free(batch_t *b)
{
	free(b->calls);
	free(b->events);
	free(b->spans);
	arena_free(&b->arena);
	for (int r = 0; r < RES_COUNT; r++)
		racc_free(&b->acc[r]);
	memset(b, 0, sizeof *b);
}

uint64_t call_dim_hash(const call_t *c)
{
	const char *f[5] = {c->provider, c->model, c->prompt_name, c->prompt_version, c->feature};
	uint64_t h = 0x646d;
	for (int i = 0; i < 5; i++)
		h = hash64(f[i] ? f[i] : "", f[i] ? strlen(f[i]) : 0, h + (uint64_t)i);
	return h;
}

void batch_rollup(batch_t *b, const uint8_t *keep)
{
	for (int r = 0; r < RES_COUNT; r++)
		racc_reset(&b->acc[r]);
	for (size_t i = 0; i < b->n; i++) {
		const call_t *c = &b->calls[i];
		if (keep && !keep[i])
			continue;
		int64_t t = floor_to(c->ts_ns, NS_PER_MIN) / NS_PER_S;
		rstats_add_call(racc_get(&b->acc[RES_1M], RES_1M, t, (int64_t)c->dim_hash), c, c->cost);
	}
	batch_rollup_up(b);
}

void batch_rollup_up(batch_t *b)
{
	for (int r = RES_1H; r < RES_COUNT; r++)
		racc_reset(&b->acc[r]);
	/* Hours and days from the minutes: a merge of a few sorted lists per
	 * bucket instead of three histogram updates per call. */
	racc *m = &b->acc[RES_1M];
	for (size_t i = 0; i < m->cap; i++) {
		racc_entry *e = &m->v[i];
		if (!e->used)
			continue;
		for (int r = RES_1H; r < RES_COUNT; r++) {
			int64_t t = floor_to(e->t * NS_PER_S, rollup_step_ns[r]) / NS_PER_S;
			rstats_merge(racc_get(&b->acc[r], r, t, e->dim), &e->s);
		}
	}
}

void call_price(call_t *c, pricing_t *prices)
{
	c->dim_hash = call_dim_hash(c);
	if (c->has_cost) {
		c->cost = c->cost_nusd;
	} else {
		const price_t *pr = prices ? pricing_lookup(prices, c->model) : NULL;
		c->cost = pr ? price_cost_nusd(pr, c->input_tokens, c->cached_tokens, c->output_tokens) : -1;
	}
}

void batch_prepare(batch_t *b, pricing_t *prices)
{
	for (size_t i = 0; i < b->n; i++)
		call_price(&b->calls[i], prices);
	batch_rollup(b, NULL);
	b->prepared = 1;
}

