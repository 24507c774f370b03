#include <unistd.h>

#include "t.h"

char *t_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	sbuf b = SBUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		sb_add(&b, tmp, n);
	fclose(f);
	if (len)
		*len = b.len;
	if (!b.p)
		return xstrdup("");
	return sb_steal(&b);
}

static char tmpdir[256];

const char *t_tmpdir(void)
{
	/* One directory a test: each test runs in its own forked process. */
	snprintf(tmpdir, sizeof tmpdir, "/tmp/llmops-unit-%d", (int)getpid());
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", tmpdir, tmpdir);
	if (system(cmd) != 0)
		ck_abort_msg("cannot create %s", tmpdir);
	return tmpdir;
}

char *t_path(const char *name)
{
	if (!tmpdir[0])
		t_tmpdir();
	sbuf b = SBUF_INIT;
	sb_printf(&b, "%s/%s", tmpdir, name);
	return sb_steal(&b);
}

int main(void)
{
	SRunner *sr = srunner_create(suite_hist());
	srunner_add_suite(sr, suite_clock());
	srunner_add_suite(sr, suite_pricing());
	srunner_add_suite(sr, suite_config());
	srunner_add_suite(sr, suite_sanitize());
	srunner_add_suite(sr, suite_filter());
	srunner_add_suite(sr, suite_keymap());
	srunner_add_suite(sr, suite_jsonscan());
	srunner_add_suite(sr, suite_genai());
	srunner_add_suite(sr, suite_body());
	srunner_add_suite(sr, suite_textdiff());
	srunner_add_suite(sr, suite_sidebyside());
	srunner_add_suite(sr, suite_prompts());
	srunner_add_suite(sr, suite_http());
	srunner_add_suite(sr, suite_usage());
	srunner_add_suite(sr, suite_console());
	srunner_add_suite(sr, suite_chat());
	srunner_add_suite(sr, suite_file());
	srunner_add_suite(sr, suite_trace());
	srunner_add_suite(sr, suite_listpos());
	srunner_add_suite(sr, suite_reconcile());
	srunner_add_suite(sr, suite_changes());
	srunner_add_suite(sr, suite_stats());
	srunner_add_suite(sr, suite_compare());
	srunner_add_suite(sr, suite_jsonl());
	srunner_add_suite(sr, suite_otlp());
	srunner_add_suite(sr, suite_otlp_pb());
	srunner_add_suite(sr, suite_llmdb());
	srunner_add_suite(sr, suite_store());
	srunner_add_suite(sr, suite_report());
	srunner_add_suite(sr, suite_demo());
	srunner_add_suite(sr, suite_golden());
	srunner_add_suite(sr, suite_receiver());
	srunner_add_suite(sr, suite_label());
	srunner_add_suite(sr, suite_bgimport());
	srunner_add_suite(sr, suite_alerts());
	srunner_add_suite(sr, suite_ch());
	srunner_add_suite(sr, suite_ch_read());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
