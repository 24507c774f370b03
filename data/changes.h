/* What changed in a window: the prompt versions and models that appeared
 * (first served in the window: a deploy), stopped, or regressed, each set
 * against what served the same prompt (or, for a model, the same feature)
 * in the window before. Read from the rollups alone. */
#ifndef LLMOPS_CHANGES_H
#define LLMOPS_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum change_kind { CHANGE_REGRESSED, CHANGE_NEW, CHANGE_STOPPED };

/* One side of a comparison, on one model. */
typedef struct change_side {
	uint64_t calls, errors;
	double p95_ms;        /* 0 when no latency was recorded */
	double nusd_per_call; /* priced calls only; 0 when none */
} change_side;

typedef struct change {
	int kind;
	int regressed;   /* worse than before, beyond the thresholds below */
	char *prompt;    /* the prompt name; NULL for a model */
	char *version;   /* the prompt version, or the model */
	char *before;    /* the version (or model) that served before; NULL when none */
	char *model;     /* the model the figures are on: the worst one; NULL: all */
	int64_t first_ns, last_ns; /* first and last minute it served */
	uint64_t calls;  /* in the window, on every model */
	change_side now, was;
	double score;    /* how much worse, in calls hurt; 0: no worse */
} change;

typedef struct changes_t {
	int64_t from_ns, to_ns;
	change *v; /* regressions first (prompt versions, then models, worst first);
		    * then new, then stopped, newest first */
	size_t n;
} changes_t;

/* A regression: the error rate at least CHANGES_ERR_RATIO times and
 * CHANGES_ERR_POINTS points higher with CHANGES_MIN_ERRORS errors, or p95
 * or $/call CHANGES_SLOW_RATIO times higher, on at least CHANGES_MIN_CALLS
 * calls on each side. */
#define CHANGES_ERR_RATIO 1.5
#define CHANGES_ERR_POINTS 0.01
#define CHANGES_MIN_ERRORS 5
#define CHANGES_SLOW_RATIO 1.5
#define CHANGES_MIN_CALLS 10
/* A new version on a model that regressed, worse than the version before on
 * it, is taken as a regression (its own calls may be too few to tell). */

/* Whether now is a regression from was, by the thresholds above. */
int change_regressed(const change_side *now, const change_side *was);
/* How much worse now is than was, in calls hurt (the rank of regressions;
 * 0: no worse), and in *regressed whether by the thresholds above. */
double change_score(const change_side *now, const change_side *was, int *regressed);

/* The changes in [from_ns, to_ns). 0, or -1 with err. */
int changes_compute(store_t *st, int64_t from_ns, int64_t to_ns, changes_t *out, char *err, size_t errlen);
void changes_free(changes_t *c);
/* "support-answer@8" or the model. */
const char *change_label(const change *c, char *buf, size_t n);
const char *change_kind_name(int kind);
/* The facts of one change on one line, for a terminal or a pane: "since
 * 11:13 (47m)  err 1.3% -> 9.4% (x7.0) on MODEL  p95 3.1s -> 9.8s
 * $/call ...", without the label; times in UTC against now_ns. arrow not
 * NULL: the compact form, "since 11:13 (47m) err 1.3%ARROW9.4% on MODEL ...". */
void change_summary(const change *c, int64_t now_ns, const char *arrow, char *buf, size_t n);
/* The shortest form, for a line of cols columns (an 80-column strip): "11:13
 * (47m) err 1.3ARROW9.4% vs @7 p95 3.1ARROW9.8s $/call 0.0015ARROW0.0016 on
 * MODEL" (model: the name to show, NULL for c->model), each figure's unit
 * once; the time and the error rate always, then p95, $/call, the version
 * before, the model and the age, each where it still fits. Columns are
 * counted a character each (the arrow one column). */
/* Two figures of one unit as "3.1ARROW9.8s" (mixed units stay whole). */
void change_pair(char *out, size_t n, const char *was, const char *now, const char *arrow);
void change_summary_fit(const change *c, int64_t now_ns, const char *arrow, const char *model, int cols, char *buf,
			size_t n);

#endif
