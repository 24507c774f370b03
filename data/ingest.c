/* Ingest on two threads: the caller fills batches, a writer thread stores
 * them, so that parsing (or generating) and SQLite overlap on two cores. At
 * most NBATCH batches are in flight, which bounds memory. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "../core/clock.h"
#include "import.h"

#define NBATCH 3

struct ingester {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch_t batches[NBATCH];
	batch_t *free_q[NBATCH], *full_q[NBATCH];
	int n_free, full_head, n_full;
	int closing;
	int failed;
	char err[512];
	store_t *st;
	pricing_t *prices;
	ingest_stats stats;   /* what committed transactions stored */
	ingest_stats pending; /* what the writer's open transaction holds */
	batch_t *cur;
	body_codec *codec;   /* compresses bodies on the caller's thread */
	sbuf packed, z;
	/* A batch handed over while the writer had nothing queued carries its
	 * bodies uncompressed, and the writer compresses them with a codec of
	 * its own (a compression context serves one thread): whichever thread
	 * has time does that work, so neither core waits for the other. */
	int deferred[NBATCH];
	body_codec *wcodec;
	sbuf wpacked, wz;
	unsigned n_batches, n_deferred;
	pthread_t thread;
	int threaded;
	int scratch;         /* a scratch store: no bodies for calls outside traces */
	/* where the time goes (LLMOPS_DEBUG_INGEST=1 prints it) */
	double caller_wait, writer_wait, writer_cpu, writer_work;
	size_t txn_calls;    /* in the writer's open transaction */
	double txn_start;
};

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add_stats(ingest_stats *d, const ingest_stats *s)
{
	d->inserted += s->inserted;
	d->duplicates += s->duplicates;
	d->events += s->events;
	d->filled += s->filled;
	d->merged += s->merged;
	d->spans += s->spans;
}

/* A transaction spans batches until it holds TXN_CALLS calls or is
 * TXN_SECONDS old, and ends when the queue runs dry for that long. */
#define TXN_CALLS 65536
#define TXN_SECONDS 0.5

/* Only a commit makes calls count as imported: a transaction that fails
 * (a full disk) takes its calls with it, and the count must not claim them. */
static void writer_commit(ingester_t *p)
{
	char err[512];
	int rc = store_commit(p->st, err, sizeof err);
	pthread_mutex_lock(&p->mu);
	if (rc && !p->failed) {
		p->failed = 1;
		snprintf(p->err, sizeof p->err, "%s", err);
	}
	if (!rc)
		add_stats(&p->stats, &p->pending);
	memset(&p->pending, 0, sizeof p->pending);
	pthread_mutex_unlock(&p->mu);
	p->txn_calls = 0;
}

static void writer_compress(ingester_t *p, batch_t *b)
{
	body_codec *codec = b->codec;
	if (!p->wcodec) {
		size_t len;
		const void *dict = body_codec_dict(codec, &len);
		p->wcodec = body_codec_new(dict, len, 0);
	}
	/* Without a codec the bodies are stored as they are, as ever. */
	if (p->wcodec) {
		ingest_compress(b, p->wcodec, &p->wpacked, &p->wz);
		b->codec = codec; /* the rows name the store's dictionary: the same bytes */
	}
}

static void *writer_main(void *arg)
{
	ingester_t *p = arg;
	pthread_setname_np(pthread_self(), "llmops-writer");
	for (;;) {
		pthread_mutex_lock(&p->mu);
		double w0 = clock_mono();
		while (!p->n_full && !p->closing) {
			if (p->txn_calls) {
				/* Do not keep rows from readers while nothing comes. */
				double left = p->txn_start + TXN_SECONDS - clock_mono();
				if (left <= 0) {
					pthread_mutex_unlock(&p->mu);
					writer_commit(p);
					pthread_mutex_lock(&p->mu);
					continue;
				}
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				long ns = until.tv_nsec + (long)(left * 1e9);
				until.tv_sec += ns / 1000000000L;
				until.tv_nsec = ns % 1000000000L;
				pthread_cond_timedwait(&p->cv, &p->mu, &until);
			} else {
				pthread_cond_wait(&p->cv, &p->mu);
			}
		}
		p->writer_wait += clock_mono() - w0;
		if (!p->n_full) {
			pthread_mutex_unlock(&p->mu);
			if (p->txn_calls)
				writer_commit(p);
			return NULL;
		}
		batch_t *b = p->full_q[p->full_head];
		p->full_head = (p->full_head + 1) % NBATCH;
		p->n_full--;
		int failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		char err[512] = "";
		ingest_stats s = {0};
		double t0 = clock_mono();
		int rc = 0;
		if (!failed && p->deferred[b - p->batches])
			writer_compress(p, b);
		if (!failed) {
			if (!p->txn_calls) {
				rc = store_begin(p->st, err, sizeof err);
				p->txn_start = t0;
			}
			if (!rc)
				rc = store_ingest(p->st, b, p->prices, &s, err, sizeof err);
			p->txn_calls += b->n + b->nev + b->nspans + 1;
			if (!rc) {
				add_stats(&p->pending, &s);
				if (p->txn_calls >= TXN_CALLS || clock_mono() - p->txn_start >= TXN_SECONDS)
					writer_commit(p);
			} else {
				/* The failure rolled the whole transaction back. */
				p->txn_calls = 0;
				memset(&p->pending, 0, sizeof p->pending);
			}
		}
		pthread_mutex_lock(&p->mu);
		p->writer_work += clock_mono() - t0;
		p->writer_cpu = thread_cpu();
		if (rc && !p->failed) {
			p->failed = 1;
			snprintf(p->err, sizeof p->err, "%s", err);
		}
		batch_reset(b);
		p->free_q[p->n_free++] = b;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

ingester_t *ingester_start(store_t *st, pricing_t *prices, int threaded)
{
	ingester_t *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->st = st;
	p->prices = prices;
	/* Read before the writer thread starts: afterwards only the writer
	 * touches the store. */
	p->codec = store_body_codec(st);
	p->scratch = store_scratch(st);
	for (int i = 0; i < NBATCH; i++)
		p->free_q[p->n_free++] = &p->batches[i];
	p->threaded = threaded && pthread_create(&p->thread, NULL, writer_main, p) == 0;
	p->cur = p->free_q[--p->n_free];
	return p;
}

batch_t *ingester_batch(ingester_t *p)
{
	return p->cur;
}

/* Trains a dictionary on the first batch that has enough text, when the
 * store has none yet. */
static void maybe_train(ingester_t *p, batch_t *b)
{
	size_t n = 0;
	sbuf *samples = xcalloc(b->n ? b->n : 1, sizeof *samples);
	for (size_t i = 0; i < b->n; i++) {
		const call_t *c = &b->calls[i];
		if (c->input || c->output || c->variables || c->attrs)
			body_pack(&samples[n++], c->input, c->output, c->variables, c->attrs);
	}
	size_t len;
	void *dict = body_train(samples, n, &len);
	for (size_t i = 0; i < n; i++)
		sb_free(&samples[i]);
	free(samples);
	if (!dict)
		return;
	p->codec = body_codec_new(dict, len, 0);
	free(dict);
	b->new_codec = p->codec; /* the writer records it with the batch */
}

void ingest_compress(batch_t *b, body_codec *codec, sbuf *packed, sbuf *z)
{
	for (size_t i = 0; i < b->n; i++) {
		call_t *c = &b->calls[i];
		if (!c->input && !c->output && !c->variables && !c->attrs)
			continue;
		sb_reset(packed);
		sb_reset(z);
		body_pack(packed, c->input, c->output, c->variables, c->attrs);
		if (body_compress(codec, packed->p, packed->len, z))
			continue;
		void *dst = arena_alloc(&b->arena, z->len);
		memcpy(dst, z->p, z->len);
		c->zbody = dst;
		c->zlen = (uint32_t)z->len;
	}
	b->codec = codec;
}

static void compress_batch(ingester_t *p, batch_t *b)
{
	if (!p->codec)
		maybe_train(p, b);
	if (p->codec)
		ingest_compress(b, p->codec, &p->packed, &p->z);
}

int ingester_flush(ingester_t *p)
{
	batch_t *b = p->cur;
	/* The per-call work happens here, on the caller's thread; but for a
	 * scratch store, whose writer has little else to do than count, the
	 * writer prices the calls and makes their rollups. */
	if (!p->threaded || !p->scratch || b->nspans || b->nev)
		batch_prepare(b, p->prices);
	if (!p->threaded) {
		if (!p->scratch || b->nspans || b->nev)
			compress_batch(p, b);
		ingest_stats s = {0};
		if (!p->failed && store_ingest(p->st, b, p->prices, &s, p->err, sizeof p->err))
			p->failed = 1;
		else if (!p->failed)
			add_stats(&p->stats, &s); /* committed with the batch */
		batch_reset(b);
		return p->failed ? -1 : 0;
	}
	pthread_mutex_lock(&p->mu);
	/* The first batch trains the dictionary, and compresses here. */
	int defer = p->codec && !b->new_codec && !p->n_full && (!p->scratch || b->nspans || b->nev);
	pthread_mutex_unlock(&p->mu);
	if (!defer && (!p->scratch || b->nspans || b->nev))
		compress_batch(p, b);
	else if (defer)
		b->codec = p->codec;
	pthread_mutex_lock(&p->mu);
	p->deferred[b - p->batches] = defer;
	p->n_batches++;
	p->n_deferred += (unsigned)defer;
	p->full_q[(p->full_head + p->n_full) % NBATCH] = b;
	p->n_full++;
	pthread_cond_broadcast(&p->cv);
	double w0 = clock_mono();
	while (!p->n_free)
		pthread_cond_wait(&p->cv, &p->mu);
	p->caller_wait += clock_mono() - w0;
	p->cur = p->free_q[--p->n_free];
	int failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	return failed ? -1 : 0;
}

int ingester_finish(ingester_t *p, ingest_stats *stats, char *err, size_t errlen)
{
	if (p->cur->n || p->cur->nev || p->cur->nspans)
		ingester_flush(p);
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		p->closing = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	/* The end of the input: what the store held back for layers still to
	 * come is written, and counted. */
	if (!p->failed) {
		ingest_stats s = {0};
		if (store_settle(p->st, 1, p->prices, &s, p->err, sizeof p->err))
			p->failed = 1;
		else
			add_stats(&p->stats, &s);
	}
	if (getenv("LLMOPS_DEBUG_INGEST"))
		fprintf(stderr, "ingest: caller cpu %.2fs, waited %.2fs; writer cpu %.2fs, in store_ingest %.2fs, idle %.2fs;"
			" %u of %u batches compressed by the writer\n",
			thread_cpu(), p->caller_wait, p->writer_cpu, p->writer_work, p->writer_wait, p->n_deferred,
			p->n_batches);
	int rc = p->failed ? -1 : 0;
	if (rc && err)
		snprintf(err, errlen, "%s", p->err);
	if (stats)
		*stats = p->stats;
	for (int i = 0; i < NBATCH; i++) {
		/* A dictionary trained for a batch that never reached the store. */
		if (p->batches[i].new_codec)
			body_codec_free(p->batches[i].new_codec);
		batch_free(&p->batches[i]);
	}
	sb_free(&p->packed);
	sb_free(&p->z);
	sb_free(&p->wpacked);
	sb_free(&p->wz);
	if (p->wcodec)
		body_codec_free(p->wcodec);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
	return rc;
}
