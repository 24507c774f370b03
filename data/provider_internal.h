/* What a provider file builds its provider_ops from: the parts of the chat
 * and usage readers that every protocol shares (chat.c, usage.c). Only
 * provider files include this. */
#ifndef LLMOPS_PROVIDER_INTERNAL_H
#define LLMOPS_PROVIDER_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "chat.h"
#include "provider.h"
#include "usage.h"

/* ---- chat (chat.c) ----------------------------------------------------- */

/* A system or developer message. */
int chat_is_system(const cJSON *m);
/* The recorded messages as a JSON array, or NULL with err. */
cJSON *chat_messages(const char *input, char *err, size_t errlen);
/* max_tokens and temperature as recorded (the GenAI convention's names),
 * -1 when not recorded. */
void chat_recorded(const char *attrs, double *max_tokens, double *temperature);
/* Prints root into body and deletes it. */
void chat_finish_body(cJSON *root, sbuf *body);
/* A token count; -1 when absent or not one. */
int64_t chat_count(const cJSON *o, const char *k);
/* Copies a JSON string into dst; anything else leaves dst as it was. */
void chat_set_str(char *dst, size_t n, const cJSON *v);
/* {"error": {...}} read into r: 1, or 0 when root has none. */
int chat_error_object(chat_result *r, const cJSON *root, long status);
/* A whole body parsed, its model read: the JSON to read the answer from,
 * or NULL when it is an error (set in r). */
cJSON *chat_whole_body(chat_result *r, const char *body, size_t len, long status);
/* "\n[tool call NAME] " (no newline first in an empty answer). */
void chat_tool_call(chat_result *r, const char *name);

/* ---- usage and cost reports (usage.c) ---------------------------------- */

typedef struct usage_pctx {
	const char *endpoint;
	char *err;
	size_t errlen;
} usage_pctx;

/* "ENDPOINT: not the documented shape: WHAT" into c's err; -1. */
int usage_bad(usage_pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A token count: a non-negative integral JSON number. Absent: def, or an
 * error when required (def < 0). */
int usage_tokens(usage_pctx *c, const cJSON *o, const char *name, int64_t def, int64_t *out, const char *where);
/* The result's model, "" when it names none (malloc'ed). */
char *usage_row_model(const cJSON *r);
/* A currency that is USD, or none given. */
int usage_is_usd(const cJSON *cur);
/* An amount as a JSON number or a numeric string, times 10^scale. */
int usage_amount(usage_pctx *c, const cJSON *v, int scale, int64_t *out, const char *where);

#endif
