/* `llmops report` output: the JSON the README documents, or an aligned table with human
 * units that drops its least useful columns to fit the terminal. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/label.h"
#include "../core/sanitize.h"
#include "report_out.h"

static double round1(double v)
{
	return round(v * 10) / 10;
}

static cJSON *pcts(const hist_t *h, int with_max)
{
	cJSON *o = cJSON_CreateObject();
	static const struct {
		const char *k;
		double p;
	} ps[] = {{"p50", 50}, {"p95", 95}, {"p99", 99}};
	for (size_t i = 0; i < 3; i++) {
		if (h->total)
			cJSON_AddNumberToObject(o, ps[i].k, round1(hist_quantile(h, ps[i].p)));
		else
			cJSON_AddNullToObject(o, ps[i].k);
	}
	if (with_max) {
		if (h->total)
			cJSON_AddNumberToObject(o, "max", round1(h->max));
		else
			cJSON_AddNullToObject(o, "max");
	}
	return o;
}

static cJSON *group_json(const char *key, const rstats *s)
{
	cJSON *g = cJSON_CreateObject();
	cJSON_AddStringToObject(g, "key", key);
	cJSON_AddNumberToObject(g, "calls", (double)s->calls);
	cJSON_AddNumberToObject(g, "errors", (double)s->errors);
	cJSON_AddNumberToObject(g, "error_rate", round(rstats_error_rate(s) * 1e6) / 1e6);
	cJSON *e = cJSON_AddObjectToObject(g, "errors_by_type");
	for (size_t i = 0; i < s->errs.n; i++)
		cJSON_AddNumberToObject(e, s->errs.v[i].name, (double)s->errs.v[i].n);
	cJSON_AddNumberToObject(g, "input_tokens", (double)s->input_tokens);
	cJSON_AddNumberToObject(g, "cached_tokens", (double)s->cached_tokens);
	cJSON_AddNumberToObject(g, "output_tokens", (double)s->output_tokens);
	cJSON_AddNumberToObject(g, "cost_usd", (double)s->cost_nusd / 1e9);
	cJSON_AddNumberToObject(g, "unpriced_calls", (double)s->unpriced);
	cJSON_AddItemToObject(g, "latency_ms", pcts(&s->lat, 1));
	cJSON_AddItemToObject(g, "ttft_ms", pcts(&s->ttft, 0));
	return g;
}

static cJSON *side_json(const change_side *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "calls", (double)s->calls);
	cJSON_AddNumberToObject(o, "errors", (double)s->errors);
	cJSON_AddNumberToObject(o, "error_rate", s->calls ? (double)s->errors / (double)s->calls : 0);
	cJSON_AddNumberToObject(o, "p95_ms", s->p95_ms);
	cJSON_AddNumberToObject(o, "usd_per_call", s->nusd_per_call / 1e9);
	return o;
}

static cJSON *change_json(const change *c)
{
	char t[40];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", change_kind_name(c->kind));
	cJSON_AddBoolToObject(o, "regressed", c->regressed);
	if (c->prompt) {
		cJSON_AddStringToObject(o, "prompt", c->prompt);
		cJSON_AddStringToObject(o, "version", c->version);
	} else {
		cJSON_AddStringToObject(o, "model", c->version);
	}
	clock_fmt_rfc3339(c->first_ns, t, sizeof t);
	cJSON_AddStringToObject(o, "first_seen", t);
	clock_fmt_rfc3339(c->last_ns, t, sizeof t);
	cJSON_AddStringToObject(o, "last_seen", t);
	cJSON_AddNumberToObject(o, "calls", (double)c->calls);
	if (c->before)
		cJSON_AddStringToObject(o, "before", c->before);
	if (c->model)
		cJSON_AddStringToObject(o, "on_model", c->model);
	cJSON_AddItemToObject(o, "now", side_json(&c->now));
	cJSON_AddItemToObject(o, "was", side_json(&c->was));
	return o;
}

void changes_write_text(const changes_t *ch, int64_t now_ns, FILE *out)
{
	if (!ch->n) {
		fputs("no changes in the window\n", out);
		return;
	}
	size_t w = 0;
	char label[300], line[512];
	for (size_t i = 0; i < ch->n; i++) {
		size_t l = strlen(change_label(&ch->v[i], label, sizeof label));
		if (l > w)
			w = l;
	}
	for (size_t i = 0; i < ch->n; i++) {
		const change *c = &ch->v[i];
		change_summary(c, now_ns, NULL, line, sizeof line);
		change_label(c, label, sizeof label);
		/* Names come from traces: sanitised, with the padding done on the clean text. */
		char *l = sanitize_str(label, 0), *t = sanitize_str(line, 0);
		fprintf(out, "%s%s%*s  %s\n", c->regressed ? "! " : "  ", l, (int)(w - strlen(label)), "", t);
		free(l);
		free(t);
	}
}

void report_write_json(const report_t *r, const changes_t *ch, FILE *out)
{
	char from[40], to[40];
	clock_fmt_rfc3339(r->from_ns, from, sizeof from);
	clock_fmt_rfc3339(r->to_ns, to, sizeof to);
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "from", from);
	cJSON_AddStringToObject(root, "to", to);
	cJSON_AddStringToObject(root, "by", report_by_name(r->by));
	cJSON *groups = cJSON_AddArrayToObject(root, "groups");
	for (size_t i = 0; i < r->n; i++)
		cJSON_AddItemToArray(groups, group_json(r->groups[i].key, &r->groups[i].s));
	cJSON_AddItemToObject(root, "total", group_json("all", &r->total));
	if (ch) {
		cJSON *ca = cJSON_AddArrayToObject(root, "changes");
		for (size_t i = 0; i < ch->n; i++)
			cJSON_AddItemToArray(ca, change_json(&ch->v[i]));
	}
	cJSON *um = cJSON_AddArrayToObject(root, "unpriced_models");
	for (size_t i = 0; i < r->n_unpriced_models; i++)
		cJSON_AddItemToArray(um, cJSON_CreateString(r->unpriced_models[i]));
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

enum col { C_CALLS, C_ERR, C_COST, C_PER, C_IN, C_CACHED, C_OUT, C_P50, C_P95, C_P99, C_MAX, C_TTFT, C_N };
static const struct {
	const char *title;
	int width;
	int priority; /* lower stays longer */
} cols[C_N] = {
    [C_CALLS] = {"CALLS", 7, 0},   [C_ERR] = {"ERR%", 6, 1},      [C_COST] = {"COST", 9, 2},
    [C_PER] = {"$/CALL", 8, 5},    [C_IN] = {"IN TOK", 7, 8},     [C_CACHED] = {"CACHED", 7, 10},
    [C_OUT] = {"OUT TOK", 7, 9},   [C_P50] = {"P50", 7, 4},       [C_P95] = {"P95", 7, 3},
    [C_P99] = {"P99", 7, 6},       [C_MAX] = {"MAX", 7, 11},      [C_TTFT] = {"TTFT50", 7, 7},
};

static void cell(enum col c, const rstats *s, char *out, size_t n)
{
	switch (c) {
	case C_CALLS: fmt_count(out, n, (double)s->calls); break;
	case C_ERR: snprintf(out, n, "%.1f%%", rstats_error_rate(s) * 100); break;
	case C_COST: fmt_usd(out, n, (double)s->cost_nusd / 1e9); break;
	case C_PER: fmt_usd(out, n, s->calls ? (double)s->cost_nusd / 1e9 / (double)s->calls : 0); break;
	case C_IN: fmt_count(out, n, (double)s->input_tokens); break;
	case C_CACHED: fmt_count(out, n, (double)s->cached_tokens); break;
	case C_OUT: fmt_count(out, n, (double)s->output_tokens); break;
	case C_P50: fmt_ms(out, n, s->lat.total ? hist_quantile(&s->lat, 50) : -1); break;
	case C_P95: fmt_ms(out, n, s->lat.total ? hist_quantile(&s->lat, 95) : -1); break;
	case C_P99: fmt_ms(out, n, s->lat.total ? hist_quantile(&s->lat, 99) : -1); break;
	case C_MAX: fmt_ms(out, n, s->lat.total ? s->lat.max : -1); break;
	case C_TTFT: fmt_ms(out, n, s->ttft.total ? hist_quantile(&s->ttft, 50) : -1); break;
	default: out[0] = 0;
	}
}

/* Display width of sanitised UTF-8 (one column a code point is close enough
 * for model and feature names). */
static size_t ulen(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void put_key(FILE *out, const char *key, size_t width, int ascii, int prompt)
{
	if (prompt) { /* NAME@VERSION: the version stays when cut */
		char fit[512];
		int w = label_fit_prompt(key, (int)width, ascii ? "~" : "\xe2\x80\xa6", ascii ? SAN_ASCII : 0, fit, sizeof fit);
		fprintf(out, "%s%*s", fit, (int)width - w, "");
		return;
	}
	char *k = sanitize_str(key, ascii ? SAN_ASCII : 0);
	size_t len = ulen(k);
	if (len > width) {
		/* cut at a code point boundary and mark the cut */
		size_t keep = width - 1, i = 0, cps = 0;
		while (k[i] && cps < keep) {
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

void report_write_text(const report_t *r, FILE *out, int width, int ascii)
{
	char from[40], to[40], dur[32];
	clock_fmt_short(r->from_ns, from, sizeof from);
	clock_fmt_short(r->to_ns, to, sizeof to);
	clock_fmt_dur(r->to_ns - r->from_ns, dur, sizeof dur);
	const rstats *t = &r->total;
	char calls[32], errs[32], cost[32], in[32], cached[32], outt[32];
	fmt_thousands(calls, sizeof calls, t->calls);
	fmt_thousands(errs, sizeof errs, t->errors);
	fmt_usd(cost, sizeof cost, (double)t->cost_nusd / 1e9);
	fmt_count(in, sizeof in, (double)t->input_tokens);
	fmt_count(cached, sizeof cached, (double)t->cached_tokens);
	fmt_count(outt, sizeof outt, (double)t->output_tokens);
	fprintf(out, "%s to %s UTC (%s), by %s\n", from, to, dur, report_by_name(r->by));
	fprintf(out, "%s calls, %s errors (%.2f%%), %s; tokens in %s (cached %s), out %s\n", calls, errs,
		rstats_error_rate(t) * 100, cost, in, cached, outt);
	if (!t->calls) {
		fprintf(out, "no calls in this window\n");
		return;
	}
	fputc('\n', out);
	/* Which columns fit: keep adding by priority while the key column keeps 16. */
	int show[C_N] = {0}, used = 0;
	for (int p = 0; p <= 11; p++)
		for (int c = 0; c < C_N; c++)
			if (cols[c].priority == p && used + cols[c].width + 1 + 16 <= width) {
				show[c] = 1;
				used += cols[c].width + 1;
			}
	size_t keyw = 0;
	for (size_t i = 0; i < r->n; i++) {
		char *k = sanitize_str(r->groups[i].key, ascii ? SAN_ASCII : 0);
		size_t l = ulen(k);
		free(k);
		if (l > keyw)
			keyw = l;
	}
	if (keyw < 8)
		keyw = 8;
	if ((int)keyw > width - used)
		keyw = (size_t)(width - used);
	char title[16];
	snprintf(title, sizeof title, "%s", report_by_name(r->by));
	for (char *p = title; *p; p++)
		*p = (char)(*p - 32 * (*p >= 'a' && *p <= 'z'));
	fprintf(out, "%-*s", (int)keyw, title);
	for (int c = 0; c < C_N; c++)
		if (show[c])
			fprintf(out, " %*s", cols[c].width, cols[c].title);
	fputc('\n', out);
	for (size_t i = 0; i <= r->n; i++) {
		const char *key = i < r->n ? r->groups[i].key : "total";
		const rstats *s = i < r->n ? &r->groups[i].s : t;
		put_key(out, key, keyw, ascii, r->by == BY_PROMPT && i < r->n);
		for (int c = 0; c < C_N; c++) {
			if (!show[c])
				continue;
			char v[32];
			cell((enum col)c, s, v, sizeof v);
			fprintf(out, " %*s", cols[c].width, v);
		}
		fputc('\n', out);
	}
	if (t->errs.n) {
		fprintf(out, "\nerrors by type:");
		for (size_t i = 0; i < t->errs.n; i++) {
			char n[32];
			fmt_thousands(n, sizeof n, t->errs.v[i].n);
			char *name = sanitize_str(t->errs.v[i].name, ascii ? SAN_ASCII : 0);
			fprintf(out, "%s %s %s", i ? "," : "", name, n);
			free(name);
		}
		fputc('\n', out);
	}
	if (t->unpriced) {
		char n[32];
		fmt_thousands(n, sizeof n, t->unpriced);
		fprintf(out, "\nunpriced: %s calls cost $0 here, their models have no price:", n);
		for (size_t i = 0; i < r->n_unpriced_models; i++) {
			char *m = sanitize_str(r->unpriced_models[i], ascii ? SAN_ASCII : 0);
			fprintf(out, "%s %s", i ? "," : "", m);
			free(m);
		}
		fprintf(out, "\n(add prices with 'set pricing_file = PATH' in llmopsrc)\n");
	}
}
