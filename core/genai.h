/* The many shapes of LLM messages (OpenAI chat, GenAI semantic-convention
 * parts, flattened attributes, log events) into one: a JSON array of
 * {"role", "content"[, "tool_calls", "tool_call_id", "name"]} with content a
 * string, plus the response as plain text. */
#ifndef LLMOPS_GENAI_H
#define LLMOPS_GENAI_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "str.h"

/* Text of a content value: a string as is; an array of parts
 * ({"type":"text","text"|"content"}) joined with newlines; NULL otherwise.
 * The result is malloc'ed. */
char *genai_content_text(const cJSON *content);

/* One normalised message from any object that has a role and a content-ish
 * field (content, parts, text, message), or NULL. role_hint is used when the
 * object has no role. Returns a new cJSON object. */
cJSON *genai_norm_message(const cJSON *m, const char *role_hint);

/* Normalises an array (or a JSON string holding one) of messages; returns a
 * new array, or NULL when nothing usable was found. */
cJSON *genai_norm_messages(const cJSON *v);

/* Text of a response: an output message (or an array of them: the first),
 * with tool calls rendered as "[tool call] name(arguments)". malloc'ed. */
char *genai_output_text(const cJSON *v);
/* The model's thinking in a response (parts of type thinking, reasoning or
 * redacted_thinking), which genai_output_text leaves out; NULL when none. */
char *genai_output_thinking(const cJSON *v);
int genai_is_thinking_part(const cJSON *part);

/* Builds a call's input messages and output from GenAI events: each event is
 * a name (gen_ai.system.message, gen_ai.user.message,
 * gen_ai.assistant.message, gen_ai.tool.message, gen_ai.choice,
 * gen_ai.content.prompt, gen_ai.content.completion,
 * gen_ai.client.inference.operation.details) and a JSON body or attribute
 * object. *input and *output are malloc'ed (NULL when none). */
typedef struct genai_event {
	const char *name;
	const cJSON *body;
} genai_event;
void genai_from_events(const genai_event *ev, size_t n, char **input, char **output);

/* Plain text of a messages JSON array, for full-text indexing. */
void genai_messages_text(const char *json, sbuf *out);

#endif
