/* What the providers bill, beside what the traces saw: the usage and cost
 * APIs of OpenAI (organization admin endpoints) and Anthropic (Admin API).
 *
 * Three streams per provider: token usage per model in 1-minute buckets for
 * the last hour or two, in 1-hour buckets further back, and the daily cost
 * reports. Each is fetched incrementally (from the oldest bucket that is not
 * final yet) through libcurl's multi interface, in the caller's loop, and
 * stored with the time it was fetched; a bucket fetched again replaces the
 * stored one. The minute buckets priced with the price table estimate what
 * the bill will say; once a day's cost report is in, it is what counts for
 * that day.
 *
 * Admin keys travel in request headers only: never in a URL, an error
 * message, the store or the screen. */
#ifndef LLMOPS_USAGE_H
#define LLMOPS_USAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/pricing.h"
#include "http.h"
#include "provider.h"
#include "store.h"

/* ---- parsing (pure) ---------------------------------------------------- */

enum usage_kind { UK_USAGE, UK_COST };

typedef struct usage_row {
	char *model;           /* "" when the provider did not say */
	int64_t requests;      /* -1 where not reported (Anthropic) */
	int64_t input_tokens;  /* all billed input: uncached + cache writes + cache reads */
	int64_t cached_tokens; /* cache reads */
	int64_t cache_write_tokens;
	int64_t output_tokens;
} usage_row;

typedef struct usage_bucket {
	int64_t start, end;    /* Unix seconds, [start, end) */
	usage_row *rows;       /* UK_USAGE; none when nothing was used */
	size_t nrows;
	int64_t cost_nusd;     /* UK_COST: the bucket's amounts, summed, in nano-dollars */
} usage_bucket;

typedef struct usage_page {
	int kind;
	usage_bucket *v;
	size_t n;
	int has_more;
	char *next_page;       /* the cursor for the next request, or NULL */
} usage_page;

/* One response body of a provider's reports of a kind: a page of buckets,
 * each result read by the provider's ops. 0, or -1 with err naming the
 * endpoint and what was wrong; on error nothing is returned (a body that is
 * not the documented shape must not reach the store). */
int usage_parse(const provider_ops *ops, int kind, const char *endpoint, const char *body, size_t len, usage_page *out,
		char *err, size_t errlen);
void usage_page_free(usage_page *p);

/* A decimal amount ("12.50", "-0.3", "734.5", "1e-3") times 10^scale, as an
 * integer rounded half away from zero. 0, or -1 when s is not a number. */
int usage_decimal(const char *s, int scale, int64_t *out);

/* ---- the store --------------------------------------------------------- */

/* One page of buckets of a stream, in one transaction: each bucket replaces
 * what the store held for (provider, width, start). A usage bucket with no
 * rows is stored as an empty marker row, so that the store knows the time
 * was fetched. */
int usage_store_page(store_t *st, const char *provider, int width_s, const usage_page *pg, int64_t fetched_s,
		     char *err, size_t errlen);
/* Where a stream's next fetch starts: the first bucket start in
 * [from_s, to_s) that is missing or was fetched less than settle_s after it
 * ended; to_s when everything in the range is final. */
int64_t usage_fetch_start(store_t *st, const char *provider, int kind, int width_s, int64_t from_s, int64_t to_s,
			  int64_t settle_s);

/* Per provider and model, over the buckets that start in [from, to). Token
 * sums take each hour once: from its minute buckets when all 60 are stored
 * (or there is no hour bucket), else from the hour bucket. */
typedef struct usage_model {
	char *provider, *model;
	int64_t requests;          /* -1: not reported */
	int64_t input_tokens, cached_tokens, output_tokens;
	int64_t est_nusd;          /* the tokens priced with the price table */
	int unpriced;              /* tokens of a model the price table lacks */
} usage_model;

/* A day's cost report fetched this long after the day ended is final;
 * before that the day counts the larger of the report and its priced
 * tokens (a report fetched just after midnight may lack late usage). */
#define USAGE_COST_FINAL_S (6 * 3600)

typedef struct usage_prov {
	char *provider;
	int64_t reported_nusd;     /* the cost reports of the days wholly inside the window
				    * (a report not yet final only where it is the larger) */
	int64_t estimated_nusd;    /* the priced tokens of the rest of the window */
	int64_t cost_report_nusd;  /* all cost reports that start inside the window (usage --json) */
	int has_cost, has_usage;   /* buckets of either kind in the window */
	int unpriced;              /* some of the estimate's tokens have no price */
	int64_t first_s;           /* the oldest stored bucket of this provider, any window */
	int64_t first_usage_s;     /* and the oldest of its token counts (the models' figures) */
} usage_prov;

typedef struct usage_sum {
	int64_t from_ns, to_ns;
	usage_model *models;       /* by provider, then estimated cost, highest first */
	size_t nmodels;
	usage_prov *provs;         /* by name */
	size_t nprovs;
} usage_sum;

int usage_summarize(store_t *st, pricing_t *prices, int64_t from_ns, int64_t to_ns, usage_sum *out, char *err,
		    size_t errlen);
void usage_sum_free(usage_sum *s);
/* `llmops usage`: the JSON the README documents, or a table for people. */
void usage_write_json(const usage_sum *s, FILE *out);
void usage_write_text(const usage_sum *s, FILE *out);
/* What a provider billed in the window: cost reports where they cover whole
 * days, priced tokens for the rest. */
static inline int64_t usage_billed_nusd(const usage_prov *p)
{
	return p->reported_nusd + p->estimated_nusd;
}

/* ---- polling ----------------------------------------------------------- */

typedef struct usage_poller usage_poller_t;

typedef struct usage_opts {
	int64_t backfill_usage_s; /* how far back the first token fetch goes */
	int64_t backfill_cost_s;  /* and the first cost report fetch */
	int max_attempts;         /* per request before giving up; 0: never give up (the console) */
	int once;                 /* one fetch of each stream, no polling after (usage sync) */
	const char *only;         /* only this provider (name or type), or NULL */
} usage_opts;

enum usage_event {
	UE_STORED,    /* buckets were stored: what is shown is out of date */
	UE_ERROR,     /* something the user must see (msg) */
	UE_RETRY,     /* a failed request will be retried (msg): the first
		       * failure of a fetch, or one of another kind than the
		       * last (another status, a timeout after a 503) */
	UE_RETRY_AGAIN, /* the same failure again, retried again (msg) */
	UE_CLEARED,   /* what a UE_RETRY announced went away (msg: that
		       * announcement, word for word) */
	UE_STATE,     /* a provider's state changed */
	UE_NOTE,      /* what the refresh key could not do yet (msg) */
};

/* The providers polled are those with an admin key (resolved already, as
 * the console does before its screen starts, or resolved now). The poller
 * starts requests on h; the caller's loop drives h. */
usage_poller_t *usage_poller_new(http_t *h, store_t *st, provs_t *provs, const usage_opts *o);
void usage_poller_free(usage_poller_t *u);
void usage_poller_on_event(usage_poller_t *u, void (*cb)(void *ud, int event, const char *msg), void *ud);
/* Starts the fetches that are due. Call once a loop turn. */
void usage_poller_tick(usage_poller_t *u);
/* Milliseconds until a fetch is due, or a page fetched is to be stored
 * again (the store was locked by another writer); -1: none waits on time. */
long usage_poller_wait_ms(usage_poller_t *u);
/* The refresh key: providers stopped by a rejected key start again, and
 * every stream that is not under way is fetched now, except one the server
 * asked to wait (a 429's retry-after): that one goes when the wait is over,
 * and a UE_NOTE says when. */
void usage_poller_refresh(usage_poller_t *u);
/* A first fetch is still under way (the screen tests wait for it). */
int usage_poller_busy(usage_poller_t *u);
/* Counts the pages stored: what shows them is out of date when it moved. */
unsigned usage_poller_generation(const usage_poller_t *u);
/* Providers with an admin key, polled. */
int usage_poller_active(const usage_poller_t *u);

enum usage_state {
	US_NO_KEY = 1, /* not polled: msg says how to add one */
	US_KEY_ERROR, /* a configured key could not be read: msg */
	US_WAITING,   /* polled, nothing fetched yet */
	US_OK,
	US_RETRYING,  /* msg: the last failure */
	US_FAILED,    /* msg: the last failure; the next poll tries again */
	US_STOPPED,   /* key rejected: until refresh */
};

typedef struct usage_stream_status {
	const char *name;        /* "tokens per minute", "tokens per hour", "cost reports" */
	int kind, width_s;
	int ran, ok;             /* a fetch ended; and it succeeded */
	int pages, buckets;      /* fetched and stored */
	int64_t first_s, last_s; /* the span of the buckets stored */
	int64_t from_s, to_s;    /* the range of the last fetch */
} usage_stream_status;

typedef struct usage_status {
	const char *provider;
	int state;
	char msg[256];           /* the last failure, or how to add a key */
	int64_t last_ok_ns;      /* the last successful fetch, wall clock; 0 none */
	usage_stream_status streams[3];
	int nstreams;
} usage_status;

size_t usage_poller_count(const usage_poller_t *u);
void usage_poller_status(const usage_poller_t *u, size_t i, usage_status *out);

#endif
