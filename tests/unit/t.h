/* Shared by the unit tests (check framework). They run from the repository
 * root, where tests/corpus holds real files that real software produced (its PROVENANCE.md). */
#ifndef LLMOPS_T_H
#define LLMOPS_T_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/str.h"

#define CORPUS "tests/corpus/"

Suite *suite_hist(void);
Suite *suite_clock(void);
Suite *suite_pricing(void);
Suite *suite_config(void);
Suite *suite_sanitize(void);
Suite *suite_filter(void);
Suite *suite_keymap(void);
Suite *suite_jsonscan(void);
Suite *suite_genai(void);
Suite *suite_jsonl(void);
Suite *suite_otlp(void);
Suite *suite_otlp_pb(void);
Suite *suite_llmdb(void);
Suite *suite_store(void);
Suite *suite_report(void);
Suite *suite_demo(void);
Suite *suite_body(void);
Suite *suite_golden(void);
Suite *suite_textdiff(void);
Suite *suite_sidebyside(void);
Suite *suite_prompts(void);
Suite *suite_http(void);
Suite *suite_usage(void);
Suite *suite_console(void);
Suite *suite_chat(void);
Suite *suite_file(void);
Suite *suite_bgimport(void);
Suite *suite_trace(void);
Suite *suite_listpos(void);
Suite *suite_reconcile(void);
Suite *suite_changes(void);
Suite *suite_stats(void);
Suite *suite_compare(void);
Suite *suite_receiver(void);
Suite *suite_label(void);
Suite *suite_alerts(void);
Suite *suite_ch(void);
Suite *suite_ch_read(void);

/* Whole file, NUL-terminated (malloc'ed), or NULL. */
char *t_read(const char *path, size_t *len);
/* A fresh temporary directory for this test, and a path inside it. */
const char *t_tmpdir(void);
char *t_path(const char *name);

#endif
