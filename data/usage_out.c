/* `llmops usage`: the stored numbers for the command line, as the README's
 * JSON or as a table. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "usage.h"

void usage_write_json(const usage_sum *s, FILE *out)
{
	char from[40], to[40];
	clock_fmt_rfc3339(s->from_ns, from, sizeof from);
	clock_fmt_rfc3339(s->to_ns, to, sizeof to);
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "from", from);
	cJSON_AddStringToObject(root, "to", to);
	cJSON *u = cJSON_AddArrayToObject(root, "usage");
	for (size_t i = 0; i < s->nmodels; i++) {
		const usage_model *m = &s->models[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "provider", m->provider);
		if (*m->model)
			cJSON_AddStringToObject(o, "model", m->model);
		else
			cJSON_AddNullToObject(o, "model");
		if (m->requests < 0)
			cJSON_AddNullToObject(o, "requests");
		else
			cJSON_AddNumberToObject(o, "requests", (double)m->requests);
		cJSON_AddNumberToObject(o, "input_tokens", (double)m->input_tokens);
		cJSON_AddNumberToObject(o, "cached_tokens", (double)m->cached_tokens);
		cJSON_AddNumberToObject(o, "output_tokens", (double)m->output_tokens);
		cJSON_AddItemToArray(u, o);
	}
	cJSON *b = cJSON_AddArrayToObject(root, "billed");
	for (size_t i = 0; i < s->nprovs; i++) {
		const usage_prov *p = &s->provs[i];
		if (!p->has_cost)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "provider", p->provider);
		cJSON_AddNumberToObject(o, "cost_usd", (double)p->cost_report_nusd / 1e9);
		cJSON_AddItemToArray(b, o);
	}
	char *txt = cJSON_Print(root);
	sbuf safe = SBUF_INIT;
	sanitize_json(txt, strlen(txt), &safe); /* model names come from the providers */
	fputs(sb_str(&safe), out);
	fputc('\n', out);
	sb_free(&safe);
	free(txt);
	cJSON_Delete(root);
}

static void fmt_tokens(char *out, size_t n, int64_t v)
{
	fmt_thousands(out, n, (uint64_t)(v < 0 ? 0 : v));
}

void usage_write_text(const usage_sum *s, FILE *out)
{
	char from[40], to[40];
	clock_fmt_short(s->from_ns, from, sizeof from);
	clock_fmt_short(s->to_ns, to, sizeof to);
	fprintf(out, "provider usage %s to %s UTC\n", from, to);
	if (!s->nmodels && !s->nprovs) {
		fprintf(out, "nothing stored for this window (llmops usage sync fetches it)\n");
		return;
	}
	/* Cells first, so that each column is as wide as its widest cell. */
	enum { NC = 7 };
	static const char *const head[NC] = {"PROVIDER", "MODEL", "REQUESTS", "INPUT", "CACHED", "OUTPUT", "PRICED"};
	size_t nr = s->nmodels;
	char *(*cell)[NC] = xcalloc(nr ? nr : 1, sizeof *cell);
	int w[NC];
	for (int c = 0; c < NC; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t r = 0; r < nr; r++) {
		const usage_model *m = &s->models[r];
		char b[64];
		cell[r][0] = sanitize_str(m->provider, SAN_ASCII);
		cell[r][1] = sanitize_str(*m->model ? m->model : "(no model)", SAN_ASCII);
		if (m->requests >= 0)
			fmt_tokens(b, sizeof b, m->requests);
		cell[r][2] = xstrdup(m->requests >= 0 ? b : "-");
		fmt_tokens(b, sizeof b, m->input_tokens);
		cell[r][3] = xstrdup(b);
		fmt_tokens(b, sizeof b, m->cached_tokens);
		cell[r][4] = xstrdup(b);
		fmt_tokens(b, sizeof b, m->output_tokens);
		cell[r][5] = xstrdup(b);
		fmt_usd(b, sizeof b, (double)m->est_nusd / 1e9);
		cell[r][6] = xstrdup(m->unpriced ? "?" : b);
		for (int c = 0; c < NC; c++)
			if ((int)strlen(cell[r][c]) > w[c])
				w[c] = (int)strlen(cell[r][c]);
	}
	for (size_t r = 0; r <= nr && nr; r++) {
		for (int c = 0; c < NC; c++) {
			const char *t = r ? cell[r - 1][c] : head[c];
			fprintf(out, c < 2 ? "%-*s" : "%*s", w[c], t);
			fputs(c == NC - 1 ? "\n" : "  ", out);
		}
	}
	for (size_t r = 0; r < nr; r++)
		for (int c = 0; c < NC; c++)
			free(cell[r][c]);
	free(cell);
	/* PRICED is the tokens at the price table's rates; what the provider
	 * billed is its cost report. */
	int any = 0;
	for (size_t i = 0; i < s->nprovs; i++) {
		const usage_prov *p = &s->provs[i];
		if (!p->has_cost)
			continue;
		char b[32];
		char *name = sanitize_str(p->provider, SAN_ASCII);
		fmt_usd(b, sizeof b, (double)p->cost_report_nusd / 1e9);
		fprintf(out, "%s%s %s", any ? ", " : "billed (cost reports): ", name, b);
		free(name);
		any = 1;
	}
	fputs(any ? "\n" : "billed: no cost reports in this window\n", out);
}
