/* Prompt templates: `{{variable}}` (blanks inside the braces allowed),
 * rendered with a call's recorded variables. A variable the call lacks is
 * an error that names it, never a silent blank. */
#ifndef LLMOPS_TEMPLATE_H
#define LLMOPS_TEMPLATE_H

#include <stddef.h>

#include "str.h"

/* vars_json: the call's variables, a JSON object (NULL or "" when none).
 * String values go in as they are, others as their JSON text. 0, or -1 with
 * err ("the call has no variable 'x' (it has: a, b)"); out is reset first. */
int tpl_render(const char *tpl, const char *vars_json, sbuf *out, char *err, size_t errlen);

#endif
