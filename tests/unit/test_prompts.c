/* The prompt registry: versions added by hand, read from a folder, seen in
 * traces; per-version stats against the report computed independently. */
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../core/demo.h"
#include "../../data/import.h"
#include "../../data/prompts.h"
#include "../../data/store.h"
#include "t.h"

static store_t *fresh(void)
{
	char *path = t_path("p.db");
	store_t *st;
	char err[256];
	ck_assert_msg(store_open(path, STORE_CREATE, &st, err, sizeof err) == 0, "%s", err);
	free(path);
	return st;
}

START_TEST(prompts_add_versions)
{
	t_tmpdir();
	store_t *st = fresh();
	char v[32], err[256];
	int same;
	ck_assert_int_eq(prompts_add(st, "greet", NULL, "Hello {{name}}\n", "add:x", 10, v, sizeof v, &same, err, sizeof err), 0);
	ck_assert_str_eq(v, "1");
	ck_assert_int_eq(same, 0);
	ck_assert_int_eq(prompts_add(st, "greet", NULL, "Hi {{name}}\n", "add:x", 20, v, sizeof v, &same, err, sizeof err), 0);
	ck_assert_str_eq(v, "2");
	/* The latest text again: nothing added. */
	ck_assert_int_eq(prompts_add(st, "greet", NULL, "Hi {{name}}\n", "add:x", 30, v, sizeof v, &same, err, sizeof err), 0);
	ck_assert_int_eq(same, 1);
	ck_assert_str_eq(v, "2");
	/* Explicit versions; the next default follows the highest number. */
	ck_assert_int_eq(prompts_add(st, "greet", "10", "Hey\n", "add:x", 40, v, sizeof v, &same, err, sizeof err), 0);
	ck_assert_int_eq(prompts_add(st, "greet", "beta", "Yo\n", "add:x", 50, v, sizeof v, &same, err, sizeof err), 0);
	ck_assert_int_eq(prompts_add(st, "greet", NULL, "Howdy\n", "add:x", 60, v, sizeof v, &same, err, sizeof err), 0);
	ck_assert_str_eq(v, "11");
	ck_assert_int_eq(prompts_add(st, "greet", "10", "Other\n", "add:x", 70, v, sizeof v, &same, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "greet@10 exists"));

	char *text;
	ck_assert_int_eq(prompts_get_text(st, "greet", "2", &text, err, sizeof err), 0);
	ck_assert_str_eq(text, "Hi {{name}}\n");
	free(text);
	ck_assert_int_eq(prompts_get_text(st, "greet", "7", &text, err, sizeof err), 1);
	ck_assert_str_eq(err, "prompt 'greet' has no version '7'");
	ck_assert_int_eq(prompts_get_text(st, "nope", "1", &text, err, sizeof err), 1);
	ck_assert_str_eq(err, "no prompt named 'nope'");

	prompt_list l;
	ck_assert_int_eq(prompts_list(st, NULL, &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].n, 5);
	const char *order[] = {"11", "beta", "10", "2", "1"}; /* newest first */
	for (int i = 0; i < 5; i++)
		ck_assert_str_eq(l.v[0].v[i].version, order[i]);
	char kb[16];
	ck_assert_str_eq(prompt_source_kind(&l.v[0].v[0], kb, sizeof kb), "add");
	ck_assert_uint_eq(l.v[0].v[0].s.calls, 0);
	prompt_list_free(&l);
	store_close(st);
}
END_TEST

/* Per-version calls, errors, cost and p95 agree with report --by prompt. */
START_TEST(prompts_stats_match_report)
{
	t_tmpdir();
	store_t *st = fresh();
	int64_t now = 1795424000LL * NS_PER_S;
	demo_t d;
	demo_init(&d, 20000, now, 42);
	size_t np;
	const demo_prompt *ps = demo_prompts(&d, &np);
	for (size_t i = 0; i < np; i++)
		store_put_prompt(st, ps[i].name, ps[i].version, ps[i].template, "demo", ps[i].deployed_ns);
	batch_t b = {0};
	char err[256];
	int64_t first = 0, last = 0;
	while (demo_next(&d, &b, 2000)) {
		for (size_t i = 0; i < b.n; i++) {
			const call_t *c = &b.calls[i];
			if (c->prompt_name && !strcmp(c->prompt_name, "support-answer") && !strcmp(c->prompt_version, "8")) {
				if (!first || c->ts_ns < first)
					first = c->ts_ns;
				if (c->ts_ns > last)
					last = c->ts_ns;
			}
		}
		ck_assert_msg(store_ingest(st, &b, NULL, NULL, err, sizeof err) == 0, "%s", err);
		batch_reset(&b);
	}
	batch_free(&b);
	demo_free(&d);

	report_t r;
	ck_assert(store_report(st, now - 30 * NS_PER_DAY, now + NS_PER_MIN, BY_PROMPT, &r, err, sizeof err) == 0);
	prompt_list l;
	ck_assert_int_eq(prompts_list(st, NULL, &l, err, sizeof err), 0);
	size_t matched = 0;
	for (size_t p = 0; p < l.n; p++) {
		for (size_t v = 0; v < l.v[p].n; v++) {
			const prompt_ver *pv = &l.v[p].v[v];
			char key[256];
			snprintf(key, sizeof key, "%s@%s", l.v[p].name, pv->version);
			for (size_t g = 0; g < r.n; g++) {
				if (strcmp(r.groups[g].key, key))
					continue;
				matched++;
				ck_assert_uint_eq(pv->s.calls, r.groups[g].s.calls);
				ck_assert_uint_eq(pv->s.errors, r.groups[g].s.errors);
				ck_assert_int_eq(pv->s.cost_nusd, r.groups[g].s.cost_nusd);
				ck_assert_double_eq(pv->s.p95_ms, hist_quantile(&r.groups[g].s.lat, 95));
				ck_assert(pv->has_text);
			}
			if (!strcmp(key, "support-answer@8")) {
				ck_assert_int_eq(pv->s.first_ns, floor_to(first, NS_PER_MIN));
				ck_assert_int_eq(pv->s.last_ns, floor_to(last, NS_PER_MIN));
				ck_assert_uint_gt(pv->s.calls, 0);
			}
		}
	}
	size_t groups = 0;
	for (size_t g = 0; g < r.n; g++)
		groups += strcmp(r.groups[g].key, "(none)") != 0;
	ck_assert_uint_gt(groups, 3);
	ck_assert_uint_eq(matched, groups);
	prompt_list_free(&l);
	report_free(&r);
	store_close(st);
}
END_TEST

/* A template the trace carried lands in the registry, under the name and
 * version the span gives; a later trace does not replace it. */
START_TEST(prompts_from_trace)
{
	t_tmpdir();
	store_t *st = fresh();
	const char *doc =
	    "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\","
	    "\"spanId\":\"b7ad6b7169203331\",\"name\":\"llm\",\"startTimeUnixNano\":\"1795423686000000000\","
	    "\"endTimeUnixNano\":\"1795423687000000000\",\"attributes\":["
	    "{\"key\":\"openinference.span.kind\",\"value\":{\"stringValue\":\"LLM\"}},"
	    "{\"key\":\"llm.model_name\",\"value\":{\"stringValue\":\"gpt-4o\"}},"
	    "{\"key\":\"langfuse.prompt.name\",\"value\":{\"stringValue\":\"triage\"}},"
	    "{\"key\":\"llm.prompt_template.version\",\"value\":{\"stringValue\":\"v3\"}},"
	    "{\"key\":\"llm.prompt_template.template\",\"value\":{\"stringValue\":\"Classify: {{ticket}}\"}}]}]}]}]}";
	batch_t b = {0};
	char err[256] = "";
	ck_assert_msg(otlp_parse_doc(doc, strlen(doc), &b, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_str_eq(b.calls[0].prompt_template, "Classify: {{ticket}}");
	ck_assert_msg(store_ingest(st, &b, NULL, NULL, err, sizeof err) == 0, "%s", err);
	batch_free(&b);
	char *text;
	ck_assert_int_eq(prompts_get_text(st, "triage", "v3", &text, err, sizeof err), 0);
	ck_assert_str_eq(text, "Classify: {{ticket}}");
	free(text);
	prompt_list l;
	ck_assert_int_eq(prompts_list(st, "triage", &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].n, 1);
	ck_assert_str_eq(l.v[0].v[0].source, "trace");
	ck_assert_uint_eq(l.v[0].v[0].s.calls, 1);
	ck_assert_int_eq(l.v[0].v[0].s.first_ns, 1795423680LL * NS_PER_S);
	prompt_list_free(&l);

	/* Traffic for a version whose text never came: listed, and says so. */
	batch_t c = {0};
	call_t *k = batch_add_call(&c);
	call_set_id(k->span_id, &k->span_len, "b7ad6b7169203332");
	call_set_id(k->trace_id, &k->trace_len, "0af7651916cd43dd8448eb211c80319c");
	k->ts_ns = 1795423686000000000LL;
	k->model = "gpt-4o";
	k->prompt_name = "triage";
	k->prompt_version = "v4";
	k->latency_ms = 100;
	ck_assert(store_ingest(st, &c, NULL, NULL, err, sizeof err) == 0);
	batch_free(&c);
	ck_assert_int_eq(prompts_get_text(st, "triage", "v4", &text, err, sizeof err), 1);
	ck_assert_ptr_nonnull(strstr(err, "never seen"));
	ck_assert_int_eq(prompts_list(st, "triage", &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.v[0].n, 2);
	prompt_list_free(&l);
	store_close(st);
}
END_TEST

static void put_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

/* A folder outside git: one version per distinct content. */
START_TEST(prompts_plain_folder)
{
	t_tmpdir();
	store_t *st = fresh();
	char *dir = t_path("prompts");
	mkdir(dir, 0700);
	char *f1 = t_path("prompts/summarise.txt"), *f2 = t_path("prompts/.hidden"), *sub = t_path("prompts/sub");
	put_file(f1, "Summarise {{doc}}\n");
	put_file(f2, "not a prompt\n");
	mkdir(sub, 0700);
	int added;
	char err[256];
	ck_assert_msg(prompts_sync_dir(st, dir, &added, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(added, 1);
	ck_assert_msg(prompts_sync_dir(st, dir, &added, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(added, 0); /* nothing new */
	put_file(f1, "Summarise {{doc}} in one line\n");
	ck_assert(prompts_sync_dir(st, dir, &added, err, sizeof err) == 0);
	ck_assert_int_eq(added, 1);
	prompt_list l;
	ck_assert_int_eq(prompts_list(st, NULL, &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "summarise");
	ck_assert_uint_eq(l.v[0].n, 2);
	ck_assert_int_eq(l.v[0].v[0].version[0], 'h');
	char *text;
	ck_assert_int_eq(prompts_get_text(st, "summarise", l.v[0].v[0].version, &text, err, sizeof err), 0);
	ck_assert_str_eq(text, "Summarise {{doc}} in one line\n");
	free(text);
	prompt_list_free(&l);
	ck_assert_int_eq(prompts_sync_dir(st, "/nonexistent/prompts", &added, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/prompts"));
	free(dir);
	free(f1);
	free(f2);
	free(sub);
	store_close(st);
}
END_TEST

/* A folder in a git work tree: each commit of a file is a version. */
START_TEST(prompts_git_folder)
{
	const char *tmp = t_tmpdir();
	store_t *st = fresh();
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "cd %s && mkdir -p repo/prompts && cd repo && git init -q . && "
		 "for i in 1 2 3; do echo \"line $i\" >> prompts/ask.md && git add prompts/ask.md && "
		 "git -c user.name=t -c user.email=t@t commit -qm \"v$i\"; done && echo 'x' > prompts/ask.md",
		 tmp);
	ck_assert_int_eq(system(cmd), 0);
	char *dir = t_path("repo/prompts");
	int added;
	char err[256];
	ck_assert_msg(prompts_sync_dir(st, dir, &added, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(added, 3); /* commits only: the uncommitted edit is not a version */
	prompt_list l;
	ck_assert_int_eq(prompts_list(st, "ask", &l, err, sizeof err), 0);
	ck_assert_uint_eq(l.v[0].n, 3);
	char kb[16];
	ck_assert_str_eq(prompt_source_kind(&l.v[0].v[0], kb, sizeof kb), "git");
	ck_assert_uint_eq(strlen(l.v[0].v[0].version), 7);
	char *newest, *oldest;
	ck_assert_int_eq(prompts_get_text(st, "ask", l.v[0].v[0].version, &newest, err, sizeof err), 0);
	ck_assert_int_eq(prompts_get_text(st, "ask", l.v[0].v[2].version, &oldest, err, sizeof err), 0);
	ck_assert_str_eq(oldest, "line 1\n");
	ck_assert_str_eq(newest, "line 1\nline 2\nline 3\n");
	free(newest);
	free(oldest);
	prompt_list_free(&l);
	free(dir);
	store_close(st);
}
END_TEST

Suite *suite_prompts(void)
{
	Suite *s = suite_create("prompts");
	TCase *t = tcase_create("prompts");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, prompts_add_versions);
	tcase_add_test(t, prompts_stats_match_report);
	tcase_add_test(t, prompts_from_trace);
	tcase_add_test(t, prompts_plain_folder);
	tcase_add_test(t, prompts_git_folder);
	suite_add_tcase(s, t);
	return s;
}
