/* Replay: a recorded call sent again with its system prompt replaced by
 * another prompt version, rendered with the call's own variables, to the
 * call's provider in its own chat protocol (its provider_ops), streamed.
 * Runs on an http_t, so the console's loop drives it and a keypress never
 * waits for it. Every replay is saved in the store with its request and
 * response. Retries: 429, 408, 409 and 5xx, and a connection that failed
 * before any answer, up to 3 attempts, honouring retry-after (up to 60 s).
 *
 * Bounded whatever the server does: one deadline for the whole replay,
 * retries included (timeout_s, the rc's replay_timeout); an idle timeout of
 * a third of that per attempt; caps on the stream, on one event, on a whole
 * (non-streamed) body and on the answer kept. */
#ifndef LLMOPS_REPLAY_H
#define LLMOPS_REPLAY_H

#include <stdint.h>

#include "../core/pricing.h"
#include "chat.h"
#include "http.h"
#include "provider.h"
#include "query.h"
#include "sse.h"
#include "store.h"

enum { RP_READY, RP_RUNNING, RP_WAITING, RP_DONE, RP_FAILED, RP_CANCELLED };

#define REPLAY_TIMEOUT_S 60.0
#define REPLAY_MAX_STREAM (64 * HTTP_MIB) /* all the bytes of one attempt */
#define REPLAY_MAX_BODY (4 * HTTP_MIB)    /* a whole JSON body (an answer not streamed, an error) */
#define REPLAY_MAX_ANSWER (4 * HTTP_MIB)  /* the answer and its thinking, kept and shown */

typedef struct replay_t replay_t;
struct replay_t {
	/* what is replayed */
	int64_t call_id;
	char span[33];
	char *prompt_name, *prompt_version, *model, *provider;
	prov_t *prov;
	sbuf request; /* the body sent */
	/* the original call */
	char *orig_output;
	int orig_error;
	char *orig_error_type;
	int64_t orig_in, orig_out, orig_cost_nusd;
	double orig_latency_ms, orig_ttft_ms;
	char *orig_version; /* the version that produced the call */
	double timeout_s; /* the whole replay, retries included (REPLAY_TIMEOUT_S unless set before replay_start) */
	/* the replay */
	int state;
	chat_result res;
	int partial;     /* the stream broke: res.text is what came before */
	int attempts;
	double retry_at; /* clock_mono of the next attempt, when waiting */
	long status;     /* HTTP status of the last attempt */
	double latency_ms, ttft_ms;
	int64_t cost_nusd; /* -1 unpriced */
	char err[640];     /* what went wrong, for the user */
	char note[160];    /* what is happening (a retry), for the user */
	int64_t replay_id; /* the saved row */
	/* plumbing */
	store_t *st;
	pricing_t *prices;
	http_t *http;
	http_req *hr;
	sse_t sse;
	int sse_on;
	sbuf raw; /* the response as received (capped), saved with the replay */
	double t0, t_attempt, deadline;
	char over[256]; /* a cap this side hit (the stream, an event, the answer): why on_data stopped */
	int64_t batch_id;
	/* Called whenever something a viewer shows changed. */
	void (*on_change)(void *ud, replay_t *r);
	void *ud;
};

/* While an attempt runs: 1 when connected to the provider (and how long
 * since it was sent in *since_s), 0 while still connecting. */
int replay_connected(const replay_t *r, double *since_s);
/* An embedding: nothing to replay it against. */
int replay_is_embedding(const call_full *c);
/* 1, with why (naming the call by its span id), when the call has no prompt
 * of its own to replace: an embedding, or no prompt name recorded. */
int replay_no_prompt(store_t *st, int64_t call_id, char *why, size_t n);

/* Prepares a replay of call `call_id` against prompt `prompt_ref` (NAME@VERSION,
 * or VERSION for the call's own prompt; NULL: the version before the call's).
 * model NULL: the call's. Errors (no such call or version, a variable the
 * call lacks, a provider replay does not speak, no API key) come back in err,
 * and nothing is sent. */
replay_t *replay_new(store_t *st, provs_t *ps, pricing_t *prices, int64_t call_id, const char *prompt_ref,
		     const char *model, char *err, size_t errlen);
/* Sends it (state RP_RUNNING). */
void replay_start(replay_t *r, http_t *h);
/* Stops it; the partial output is kept and the replay saved as cancelled. */
void replay_cancel(replay_t *r);
int replay_finished(const replay_t *r);
void replay_free(replay_t *r);

/* The version before `version` of prompt `name` that has its text, newest
 * first order; 0 and out set, or -1 with err. */
int replay_prev_version(store_t *st, const char *name, const char *version, char *out, size_t n, char *err,
			size_t errlen);

/* ---- batch ------------------------------------------------------------- */

typedef struct rbatch_t {
	replay_t **v;
	size_t n, next, done;
	int concurrency;
	int64_t batch_id;
	char *prompt_ref;
	http_t *http;
	void (*on_change)(void *ud, struct rbatch_t *b);
	void *ud;
	char err[320]; /* the first call that could not be prepared, if any */
	size_t skipped;
	double timeout_s; /* each replay's, when > 0 */
} rbatch_t;

typedef struct rbatch_sum {
	size_t n;
	size_t errors[2];        /* original, replay */
	double out_len[2];       /* mean characters */
	int64_t cost_nusd[2];
	double latency_p50[2], latency_mean[2];
	size_t partial, cancelled;
} rbatch_sum;

/* The calls (store ids) replayed against prompt_ref with bounded concurrency
 * (4 when concurrency <= 0). */
rbatch_t *rbatch_new(store_t *st, provs_t *ps, pricing_t *prices, const int64_t *ids, size_t n,
		     const char *prompt_ref, int concurrency);
void rbatch_start(rbatch_t *b, http_t *h);
void rbatch_cancel(rbatch_t *b);
int rbatch_finished(const rbatch_t *b);
void rbatch_summary(const rbatch_t *b, rbatch_sum *s);
void rbatch_free(rbatch_t *b);

#endif
