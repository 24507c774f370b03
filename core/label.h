/* A prompt version's label, NAME@VERSION, fitted to a column. When it must
 * be cut, the name gives way and the version stays: "support_answe…@8",
 * never "support_answer@…", because on an incident the version is what
 * tells two rows apart. Every PROMPT column (the trace list, the changes
 * strip, the prompts view, the trace view, report's text) cuts this way. */
#ifndef LLMOPS_LABEL_H
#define LLMOPS_LABEL_H

#include <stddef.h>

/* Writes into out (n bytes) the label (split at its last '@'; without one it
 * is cut at its end) sanitised (SAN_ASCII in flags for ASCII) and cut to at
 * most cols columns, with ellipsis marking each cut. A version too long for
 * the column keeps its beginning, after one character of the name: "s…@2024-1…".
 * Widths are wcwidth's in the current locale, as the terminal measures them.
 * Returns the columns the result takes. */
int label_fit_prompt(const char *label, int cols, const char *ellipsis, int flags, char *out, size_t n);

#endif
