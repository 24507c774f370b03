/* Rendering of a report for the command line. */
#ifndef LLMOPS_REPORT_OUT_H
#define LLMOPS_REPORT_OUT_H

#include <stdio.h>

#include "store.h"

void report_write_json(const report_t *r, FILE *out);
/* width: columns available (the terminal's, or a wide default on a pipe). */
void report_write_text(const report_t *r, FILE *out, int width, int ascii);

#endif
