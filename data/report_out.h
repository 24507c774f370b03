/* Rendering of a report for the command line. */
#ifndef LLMOPS_REPORT_OUT_H
#define LLMOPS_REPORT_OUT_H

#include <stdio.h>

#include "store.h"

#include "changes.h"

/* ch: the window's changes, written as a "changes" array (NULL: none). */
void report_write_json(const report_t *r, const changes_t *ch, FILE *out);
/* The changes, one a line, worst regression first; now_ns dates them. */
void changes_write_text(const changes_t *ch, int64_t now_ns, FILE *out);
/* width: columns available (the terminal's, or a wide default on a pipe). */
void report_write_text(const report_t *r, FILE *out, int width, int ascii);

#endif
