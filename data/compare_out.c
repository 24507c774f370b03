/* `llmops compare` output: the JSON the README documents, or a table whose
 * least useful columns (p50 and p99 first) give way to fit the terminal. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "compare.h"

static double round1(double v)
{
	return round(v * 10) / 10;
}

static void add_ms(cJSON *o, const char *k, double ms)
{
	if (ms > 0)
		cJSON_AddNumberToObject(o, k, round1(ms));
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *side_json(const cmp_side *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "calls", (double)s->calls);
	cJSON_AddNumberToObject(o, "errors", (double)s->errors);
	cJSON_AddNumberToObject(o, "error_rate", s->calls ? round((double)s->errors / (double)s->calls * 1e6) / 1e6 : 0);
	cJSON *l = cJSON_AddObjectToObject(o, "latency_ms");
	add_ms(l, "p50", s->p50_ms);
	add_ms(l, "p95", s->p95_ms);
	add_ms(l, "p99", s->p99_ms);
	cJSON *t = cJSON_AddObjectToObject(o, "ttft_ms");
	add_ms(t, "p95", s->ttft_p95_ms);
	if (s->usd_per_call >= 0)
		cJSON_AddNumberToObject(o, "usd_per_call", s->usd_per_call);
	else
		cJSON_AddNullToObject(o, "usd_per_call");
	return o;
}

/* z to 4 decimals; p as it is (a p of 1e-9 is the point). */
static cJSON *test_json(int tested, const stats_test *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "tested", tested);
	if (tested) {
		cJSON_AddNumberToObject(o, "z", round(t->z * 1e4) / 1e4);
		cJSON_AddNumberToObject(o, "p", t->p);
	} else {
		cJSON_AddNullToObject(o, "z");
		cJSON_AddNullToObject(o, "p");
	}
	cJSON_AddBoolToObject(o, "significant", tested && t->significant);
	return o;
}

static cJSON *row_json(const cmp_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", r->is_model ? "model" : "prompt");
	cJSON_AddStringToObject(o, "key", r->key);
	if (r->against)
		cJSON_AddStringToObject(o, "against", r->against);
	else
		cJSON_AddNullToObject(o, "against");
	cJSON_AddStringToObject(o, "verdict", compare_verdict_name(r->verdict));
	cJSON_AddBoolToObject(o, "significant", r->verdict == CMP_WORSE || r->verdict == CMP_BETTER);
	cJSON_AddItemToObject(o, "before", side_json(&r->was));
	cJSON_AddItemToObject(o, "after", side_json(&r->now));
	cJSON_AddItemToObject(o, "errors", test_json(r->err_tested, &r->err));
	cJSON *l = test_json(r->lat_tested, &r->lat.t);
	if (r->lat_tested) {
		cJSON_AddNumberToObject(l, "u", r->lat.u);
		cJSON_AddNumberToObject(l, "p_slower", round(r->lat.p_higher * 1e4) / 1e4);
	}
	cJSON_AddItemToObject(o, "latency", l);
	return o;
}

static cJSON *window_json(int64_t from, int64_t to)
{
	char a[40], b[40];
	clock_fmt_rfc3339(from, a, sizeof a);
	clock_fmt_rfc3339(to, b, sizeof b);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "from", a);
	cJSON_AddStringToObject(o, "to", b);
	return o;
}

void compare_write_json(const compare_t *c, FILE *out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "before", window_json(c->span.from_ns, c->span.split_ns));
	cJSON_AddItemToObject(root, "after", window_json(c->span.split_ns, c->span.to_ns));
	if (c->span.since[0])
		cJSON_AddStringToObject(root, "since", c->span.since);
	else
		cJSON_AddNullToObject(root, "since");
	cJSON *t = cJSON_AddObjectToObject(root, "tests");
	cJSON_AddStringToObject(t, "errors", "two-proportion z-test, pooled");
	cJSON_AddStringToObject(t, "latency", "Mann-Whitney U over the latency histograms' buckets, ties corrected");
	cJSON_AddNumberToObject(t, "alpha", STATS_ALPHA);
	cJSON_AddNumberToObject(t, "min_calls", COMPARE_MIN_CALLS);
	cJSON *counts = cJSON_AddObjectToObject(root, "counts");
	for (int v = 0; v <= CMP_FEW; v++)
		cJSON_AddNumberToObject(counts, compare_verdict_name(v), (double)c->counts[v]);
	cJSON *rows = cJSON_AddArrayToObject(root, "rows");
	for (size_t i = 0; i < c->n; i++)
		cJSON_AddItemToArray(rows, row_json(&c->v[i]));
	char *s = cJSON_Print(root);
	sbuf safe = SBUF_INIT;
	sanitize_json(s, strlen(s), &safe);
	fputs(sb_str(&safe), out);
	fputc('\n', out);
	sb_free(&safe);
	free(s);
	cJSON_Delete(root);
}

/* ---- text -------------------------------------------------------------- */

/* The columns after the name, and how soon each gives way (higher first). */
static const struct {
	const char *title;
	int fig; /* CMPF_*, or -1 for the verdict */
	int width;
	int drop;
} tcols[] = {
    {"CALLS", CMPF_CALLS, 11, 2}, {"ERR%", CMPF_ERR, 12, 0},      {"P50", CMPF_P50, 13, 6},      {"P95", CMPF_P95, 13, 0},
    {"P99", CMPF_P99, 13, 5},     {"TTFT P95", CMPF_TTFT, 12, 3}, {"$/CALL", CMPF_COST, 17, 4}, {"", -1, 6, 0},
};
#define NT (sizeof tcols / sizeof *tcols)

/* Display width of sanitised UTF-8, a column a code point. */
static size_t ulen(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The name, sanitised, cut at a code point with a mark, padded to width. */
static void put_name(FILE *out, const char *name, size_t width, int ascii)
{
	char *k = sanitize_str(name, ascii ? SAN_ASCII : 0);
	size_t len = ulen(k);
	if (len > width) {
		size_t i = 0, cps = 0;
		while (k[i] && cps < width - 1) {
			i++;
			while (((unsigned char)k[i] & 0xc0) == 0x80)
				i++;
			cps++;
		}
		k[i] = 0;
		fprintf(out, "%s%s", k, ascii ? "~" : "\xe2\x80\xa6");
	} else {
		fprintf(out, "%s%*s", k, (int)(width - len), "");
	}
	free(k);
}

static void row_name(const cmp_row *r, char *buf, size_t n)
{
	const char *at = r->against ? strrchr(r->against, '@') : NULL;
	snprintf(buf, n, "%s%s%s", r->key, at ? " vs " : "", at ? at : "");
}

void compare_write_text(const compare_t *c, int64_t now_ns, FILE *out, int width, int ascii)
{
	char what[400];
	compare_describe(&c->span, now_ns, what, sizeof what);
	fprintf(out, "%s UTC\n", what);
	fprintf(out, "%zu worse, %zu better, %zu same, %zu too few calls (under %d a side), %zu new, %zu gone\n",
		c->counts[CMP_WORSE], c->counts[CMP_BETTER], c->counts[CMP_SAME], c->counts[CMP_FEW], COMPARE_MIN_CALLS,
		c->counts[CMP_NEW], c->counts[CMP_GONE]);
	fputs("* beyond noise (p < 0.01): errors by a two-proportion z-test, latency by a Mann-Whitney U test\n\n", out);
	if (!c->n) {
		fputs("no calls in either window\n", out);
		return;
	}
	size_t nw = 4;
	char name[400];
	for (size_t i = 0; i < c->n; i++) {
		row_name(&c->v[i], name, sizeof name);
		char *s = sanitize_str(name, ascii ? SAN_ASCII : 0);
		if (ulen(s) > nw)
			nw = ulen(s);
		free(s);
	}
	if (nw > 40)
		nw = 40;
	/* Columns give way, most droppable first, until the line fits; before
	 * calls and TTFT go, the name shrinks to 16 (the verdict, last, may
	 * run over for "too few calls"). */
	int show[NT], total = 2 + (int)nw;
	for (size_t k = 0; k < NT; k++) {
		show[k] = 1;
		total += 1 + tcols[k].width;
	}
	for (int level = 6; level >= 0 && total > width; level--) {
		/* "support-answer@8 vs @7" whole before calls and TTFT go; then down to 16. */
		size_t least = level > 0 ? 22 : 16;
		if (level <= 3 && nw > least) {
			size_t cut = (size_t)(total - width) < nw - least ? (size_t)(total - width) : nw - least;
			nw -= cut;
			total -= (int)cut;
		}
		for (size_t k = 0; k < NT && level > 0; k++)
			if (show[k] && tcols[k].drop == level && total > width) {
				show[k] = 0;
				total -= 1 + tcols[k].width;
			}
	}
	const char *arrow = ascii ? "->" : "\xe2\x86\x92";
	fputs("  ", out);
	put_name(out, "NAME", nw, ascii);
	for (size_t k = 0; k < NT; k++)
		if (show[k] && tcols[k].fig >= 0)
			fprintf(out, " %*s", tcols[k].width, tcols[k].title);
	fputc('\n', out);
	for (size_t i = 0; i < c->n; i++) {
		const cmp_row *r = &c->v[i];
		fputs(r->verdict == CMP_WORSE ? "! " : "  ", out);
		row_name(r, name, sizeof name);
		put_name(out, name, nw, ascii);
		for (size_t k = 0; k < NT; k++) {
			if (!show[k])
				continue;
			char cell[96];
			if (tcols[k].fig < 0) {
				fprintf(out, " %s", compare_verdict_name(r->verdict));
				continue;
			}
			compare_fmt(r, tcols[k].fig, arrow, cell, sizeof cell);
			/* The arrow is one column wide in three bytes. */
			int pad = tcols[k].width - (int)ulen(cell);
			fprintf(out, " %*s%s", pad > 0 ? pad : 0, "", cell);
		}
		fputc('\n', out);
	}
}
