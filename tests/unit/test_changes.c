/* What changed in a window: a deploy that raised the error rate comes
 * first, named with its first minute and the version it replaced, and the
 * replaced version is listed as stopped; a prompt that did not change is
 * not listed. */
#include <stdint.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../data/changes.h"
#include "../../data/prompts.h"
#include "t.h"

#define T0 1795392000LL /* 2026-11-23T00:00:00Z, the end of the window */

static store_t *fresh(const char *name)
{
	store_t *st;
	char err[256];
	char *path = t_path(name);
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	free(path);
	return st;
}

/* One call a minute of prompt@version on model from `from` to `to` (Unix
 * s), every err_every-th failing (0: none), each taking ms. */
static void serve(store_t *st, const char *prompt, const char *version, const char *model, int64_t from, int64_t to,
		  int err_every, double ms)
{
	static int seq;
	batch_t b = {0};
	int i = 0;
	for (int64_t t = from; t < to; t += 60, i++) {
		call_t *c = batch_add_call(&b);
		char span[17];
		snprintf(span, sizeof span, "%016x", 0x7000 + seq++);
		call_set_id(c->span_id, &c->span_len, span);
		call_set_id(c->trace_id, &c->trace_len, "0af7651916cd43dd8448eb211c80319c");
		c->ts_ns = t * NS_PER_S;
		c->provider = "openai";
		c->model = arena_strdup(&b.arena, model);
		c->prompt_name = arena_strdup(&b.arena, prompt);
		c->prompt_version = arena_strdup(&b.arena, version);
		c->input_tokens = 100;
		c->output_tokens = 10;
		c->latency_ms = ms;
		c->is_error = err_every && i % err_every == 0;
		if (c->is_error)
			c->error_type = "server_error";
	}
	ingest_stats s = {0};
	char err[256];
	pricing_t *pr = pricing_new();
	ck_assert_msg(store_ingest(st, &b, pr, &s, err, sizeof err) == 0, "%s", err);
	pricing_free(pr);
	batch_free(&b);
}

START_TEST(deploy_that_raised_errors_comes_first)
{
	store_t *st = fresh("changes.db");
	/* answer@1 for three hours, 2% errors; answer@2 from 30 minutes before
	 * the end, 20% errors and slower, on the same model. */
	serve(st, "answer", "1", "gpt-4o", T0 - 3 * 3600, T0 - 1800, 50, 400);
	serve(st, "answer", "2", "gpt-4o", T0 - 1800, T0, 5, 900);
	/* A prompt that did not change. */
	serve(st, "lookup", "3", "gpt-4o-mini", T0 - 3 * 3600, T0, 0, 200);
	changes_t ch;
	char err[256];
	ck_assert_msg(changes_compute(st, (T0 - 3600) * NS_PER_S, T0 * NS_PER_S, &ch, err, sizeof err) == 0, "%s", err);
	/* The deploy, its model (worse for it), the version it replaced. */
	ck_assert_uint_eq(ch.n, 3);
	const change *c = &ch.v[0];
	ck_assert_str_eq(c->prompt, "answer");
	ck_assert_str_eq(c->version, "2");
	ck_assert_int_eq(c->kind, CHANGE_NEW);
	ck_assert(c->regressed);
	ck_assert_int_eq(c->first_ns, (T0 - 1800) * NS_PER_S);
	ck_assert_str_eq(c->before, "1");
	ck_assert_str_eq(c->model, "gpt-4o");
	ck_assert_uint_eq(c->calls, 30);
	ck_assert_uint_eq(c->now.errors, 6);
	ck_assert_uint_eq(c->was.calls, 60); /* the window's length before the deploy */
	ck_assert_uint_eq(c->was.errors, 1);
	ck_assert(c->now.p95_ms > 2 * c->was.p95_ms);
	char line[256];
	change_summary(c, T0 * NS_PER_S, NULL, line, sizeof line);
	ck_assert_msg(strstr(line, "since 23:30 (30m)  err 1.7% -> 20.0% (x12.0) on gpt-4o  p95 "), "%s", line);
	change_summary(c, T0 * NS_PER_S, ">", line, sizeof line);
	ck_assert_msg(strstr(line, "since 23:30 (30m) err 1.7%>20.0% on gpt-4o p95 "), "%s", line);
	/* The shortest: every figure where there is room, each unit once;
	 * then the age, the model, $/call and p95 give way, never the time
	 * and the error rate. */
	change_summary_fit(c, T0 * NS_PER_S, ">", "4o", 200, line, sizeof line);
	ck_assert_msg(!strncmp(line, "23:30 (30m) err 1.7>20.0% vs @1 p95 ", 36) && strstr(line, " $/call 0.") &&
			  strstr(line, " on 4o") && !strstr(line, "$0."),
		      "%s", line);
	char p95[64];
	snprintf(p95, sizeof p95, "%s", strstr(line, "p95 "));
	*strstr(p95, " $/call") = 0;
	ck_assert_msg(strchr(p95, '>') && (strstr(p95, "s>") == NULL || strstr(p95, "ms>")), "one unit: %s", p95);
	int full = (int)strlen(line);
	change_summary_fit(c, T0 * NS_PER_S, ">", "4o", full - 1, line, sizeof line);
	ck_assert_msg(!strstr(line, "(30m)") && strstr(line, " vs @1") && strstr(line, " on 4o"), "%s", line);
	change_summary_fit(c, T0 * NS_PER_S, ">", "4o", full - 7, line, sizeof line);
	ck_assert_msg(!strstr(line, " on 4o") && strstr(line, " vs @1"), "%s", line);
	change_summary_fit(c, T0 * NS_PER_S, ">", NULL, 40, line, sizeof line);
	/* $/call went, and the version before, which went before it, fits again. */
	ck_assert_msg(!strncmp(line, "23:30 err 1.7>20.0% vs @1 p95 ", 30) && !strstr(line, "$/call") &&
			  (int)strlen(line) <= 40,
		      "%s", line);
	change_summary_fit(c, T0 * NS_PER_S, ">", NULL, 12, line, sizeof line);
	ck_assert_str_eq(line, "23:30 err 1.7>20.0%");
	ck_assert_ptr_null(ch.v[1].prompt);
	ck_assert_str_eq(ch.v[1].version, "gpt-4o");
	ck_assert_int_eq(ch.v[1].kind, CHANGE_REGRESSED);
	ck_assert_str_eq(ch.v[2].prompt, "answer");
	ck_assert_str_eq(ch.v[2].version, "1");
	ck_assert_int_eq(ch.v[2].kind, CHANGE_STOPPED);
	ck_assert_int_eq(ch.v[2].last_ns, (T0 - 1860) * NS_PER_S);
	changes_free(&ch);

	/* The window before the deploy: nothing changed. */
	ck_assert_msg(changes_compute(st, (T0 - 7200) * NS_PER_S, (T0 - 3600) * NS_PER_S, &ch, err, sizeof err) == 0, "%s",
		      err);
	ck_assert_uint_eq(ch.n, 0);
	changes_free(&ch);
	store_close(st);
}
END_TEST

START_TEST(regression_without_deploy_and_quiet_thresholds)
{
	store_t *st = fresh("changes2.db");
	/* The same version got worse on its own in the last hour... */
	serve(st, "answer", "1", "gpt-4o", T0 - 2 * 3600, T0 - 3600, 0, 400);
	serve(st, "answer", "1", "gpt-4o", T0 - 3600, T0, 4, 400);
	/* ...while a handful of calls that doubled their errors stay quiet. */
	serve(st, "rare", "1", "gpt-4o-mini", T0 - 2 * 3600, T0 - 2 * 3600 + 360, 3, 200);
	serve(st, "rare", "1", "gpt-4o-mini", T0 - 360, T0, 2, 200);
	changes_t ch;
	char err[256];
	ck_assert_msg(changes_compute(st, (T0 - 3600) * NS_PER_S, T0 * NS_PER_S, &ch, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_ge(ch.n, 1);
	ck_assert_int_eq(ch.v[0].kind, CHANGE_REGRESSED);
	ck_assert(ch.v[0].regressed);
	for (size_t i = 0; i < ch.n; i++)
		ck_assert_msg(!ch.v[i].prompt || strcmp(ch.v[i].prompt, "rare"), "rare listed");
	changes_free(&ch);
	store_close(st);
}
END_TEST

static const prompt_ver *version_of(const prompt_list *l, const char *name, const char *version)
{
	for (size_t p = 0; p < l->n; p++)
		for (size_t v = 0; p < l->n && v < l->v[p].n; v++)
			if (!strcmp(l->v[p].name, name) && !strcmp(l->v[p].v[v].version, version))
				return &l->v[p].v[v];
	ck_abort_msg("no %s@%s", name, version);
	return NULL;
}

/* The prompts view's figures: a version's calls in the window only (not all
 * time), its first call ever, and against what served before it: a deploy
 * in the window as the changes set it (the worst model named, a regression
 * by their rule); a version that began before the window against the
 * version before it over a window as long before its first call. */
START_TEST(prompts_over_the_window)
{
	store_t *st = fresh("prompts_window.db");
	serve(st, "answer", "1", "gpt-4o", T0 - 5 * 3600, T0 - 1800, 50, 400);
	serve(st, "answer", "2", "gpt-4o", T0 - 1800, T0, 5, 900);
	/* lookup@3 began long before the window, slower than lookup@2 before it. */
	serve(st, "lookup", "2", "gpt-4o-mini", T0 - 6 * 3600, T0 - 4 * 3600, 0, 200);
	serve(st, "lookup", "3", "gpt-4o-mini", T0 - 4 * 3600, T0, 0, 700);
	prompt_list l;
	char err[256];
	ck_assert_msg(prompts_list_window(st, (T0 - 3600) * NS_PER_S, T0 * NS_PER_S, &l, err, sizeof err) == 0, "%s", err);
	const prompt_ver *a1 = version_of(&l, "answer", "1"), *a2 = version_of(&l, "answer", "2");
	ck_assert_uint_eq(a1->s.calls, 270); /* all time */
	ck_assert_uint_eq(a1->w.calls, 30);  /* the window's first half hour */
	ck_assert_uint_eq(a2->w.calls, 30);
	ck_assert_int_eq(a2->s.first_ns, (T0 - 1800) * NS_PER_S);
	ck_assert_str_eq(a2->vs.before, "1");
	ck_assert_str_eq(a2->vs.model, "gpt-4o");
	ck_assert(a2->vs.regressed);
	ck_assert_uint_eq(a2->vs.now.errors, 6);
	ck_assert_uint_eq(a2->vs.was.calls, 60); /* the hour before the deploy */
	ck_assert(a2->vs.score > 0);
	const prompt_ver *l3 = version_of(&l, "lookup", "3");
	ck_assert_uint_eq(l3->w.calls, 60);
	ck_assert_str_eq(l3->vs.before, "2");
	ck_assert_uint_eq(l3->vs.was.calls, 60); /* lookup@2's hour before lookup@3's first call */
	ck_assert(l3->vs.regressed);             /* 3.5 times slower */
	ck_assert_ptr_null(l3->vs.model);        /* on all models */
	/* lookup@2 did not serve in the window: nothing to set it against. */
	const prompt_ver *l2 = version_of(&l, "lookup", "2");
	ck_assert_uint_eq(l2->w.calls, 0);
	ck_assert_uint_eq(l2->vs.was.calls, 0);
	prompt_list_free(&l);
	store_close(st);
}
END_TEST

Suite *suite_changes(void)
{
	Suite *s = suite_create("changes");
	TCase *t = tcase_create("changes");
	tcase_add_test(t, deploy_that_raised_errors_comes_first);
	tcase_add_test(t, regression_without_deploy_and_quiet_thresholds);
	tcase_add_test(t, prompts_over_the_window);
	suite_add_tcase(s, t);
	return s;
}
