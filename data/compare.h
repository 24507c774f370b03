/* Two windows of traffic side by side: for every model and every prompt
 * version, calls, errors, latency percentiles, time to first token and cost
 * per call in the window before and in the window after, and whether the
 * error rate (a two-proportion z-test) and the latency distribution (a
 * Mann-Whitney U test over the rollups' histograms) moved beyond noise
 * (core/stats.h). Read from the rollups alone, through store_report: the
 * cost is the number of rollup buckets, not the number of calls. */
#ifndef LLMOPS_COMPARE_H
#define LLMOPS_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/stats.h"
#include "store.h"

/* Fewer calls than this on either side is "too few calls": no test. */
#define COMPARE_MIN_CALLS 20

/* The windows: before is [from, split), after is [split, to), both minute
 * aligned and as long as each other. */
typedef struct compare_span {
	int64_t from_ns, split_ns, to_ns;
	char since[256]; /* the deploy or time the split was asked at ("support-answer@8"); "" when none */
} compare_span;

/* The words of `:compare` and `llmops compare`: [DUR] [since NAME@VERSION|TIME],
 * TIME being RFC 3339, Unix seconds or HH:MM (UTC, the last such minute).
 * DUR alone: the last DUR (to the end of the current minute) against the
 * DUR before it; default_ns when there is no DUR. since: the split at the
 * first minute NAME@VERSION served (or at TIME), the time since it against
 * as long before it; with DUR, at most DUR on each side. 0, or -1 with err
 * saying what is wrong (a word it does not know, a version that never
 * served, a split in the future). */
int compare_span_parse(store_t *st, char *const *w, int n, int64_t now_ns, int64_t default_ns, compare_span *out,
		       char *err, size_t errlen);

enum compare_verdict {
	CMP_WORSE,  /* a significant rise in errors or latency */
	CMP_BETTER, /* a significant fall, and no significant rise */
	CMP_NEW,    /* no calls before (and no version of the same prompt to set it against) */
	CMP_GONE,   /* no calls after */
	CMP_SAME,   /* tested, nothing beyond noise */
	CMP_FEW,    /* fewer than COMPARE_MIN_CALLS calls on a side */
};

typedef struct cmp_side {
	uint64_t calls, errors;
	/* From the histograms, within 1% of the exact values; 0 when no
	 * latency (TTFT) was recorded. */
	double p50_ms, p95_ms, p99_ms, ttft_p95_ms;
	double usd_per_call; /* over the priced calls; < 0 when none was priced */
} cmp_side;

typedef struct cmp_row {
	int is_model;
	char *key;     /* the model, or NAME@VERSION */
	char *against; /* a version with no calls before: the version of the same
			* prompt that served most before, whose figures `was` holds;
			* NULL: the row's own */
	cmp_side was, now;
	int err_tested, lat_tested; /* both sides had COMPARE_MIN_CALLS calls (latencies) */
	stats_test err;             /* z > 0: a higher error rate after */
	stats_mw lat;               /* z > 0: slower after */
	int verdict;                /* CMP_* */
	double score;               /* how much it moved, in calls: errors beyond
				     * the former rate and a tenth of the calls per
				     * doubling of p50 or p95 (the significant parts) */
} cmp_row;

typedef struct compare_t {
	compare_span span;
	cmp_row *v; /* worse (most moved first), better, new, gone, same, too few */
	size_t n;
	size_t counts[CMP_FEW + 1]; /* rows of each verdict */
} compare_t;

/* 0, or -1 with err. */
int compare_compute(store_t *st, const compare_span *span, compare_t *out, char *err, size_t errlen);
void compare_free(compare_t *c);
/* "worse", "better", "new", "gone", "same", "too few calls". */
const char *compare_verdict_name(int verdict);
/* The trace filter of a row's calls in the window after, as `since=`
 * terms against now_ns: "since=47m prompt=support-answer@8". */
void compare_row_filter(const compare_t *c, const cmp_row *r, int64_t now_ns, char *buf, size_t n);
/* "11:00-12:00 against 10:00-11:00" (UTC; with the dates when not today
 * or the split is a deploy: "since support-answer@8 11:13 (47m) against
 * 10:26-11:13"). now_ns dates it. */
void compare_describe(const compare_span *s, int64_t now_ns, char *buf, size_t n);

/* The figures of a row, each as "BEFORE->AFTER" with the arrow given
 * ("1.4->7.3%", "2.89s->10.3s"; "-" for a side without it), and a "*"
 * after a figure whose test found a change beyond noise (the error rate;
 * the latency percentiles, which share one test). */
enum { CMPF_CALLS, CMPF_ERR, CMPF_P50, CMPF_P95, CMPF_P99, CMPF_TTFT, CMPF_COST, CMPF_N };
/* 1: a significant rise (worse), -1: a significant fall, 0: neither. */
int compare_fmt(const cmp_row *r, int fig, const char *arrow, char *buf, size_t n);

/* `llmops compare` output (compare_out.c): the JSON the README documents,
 * or a table that fits width columns. */
void compare_write_json(const compare_t *c, FILE *out);
void compare_write_text(const compare_t *c, int64_t now_ns, FILE *out, int width, int ascii);

#endif
