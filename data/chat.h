/* The two chat protocols replay speaks: OpenAI Chat Completions and
 * Anthropic Messages. Building a request from a recorded call with its
 * system prompt replaced, and reading the answer, streamed (SSE events) or
 * whole (a JSON body, and the error bodies of both). Pure: no I/O. */
#ifndef LLMOPS_CHAT_H
#define LLMOPS_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/str.h"

typedef struct chat_result {
	sbuf text;      /* the answer; tool calls appear as "[tool call NAME] ARGS" */
	sbuf thinking;  /* Anthropic's thinking blocks, apart */
	int64_t input_tokens;  /* all billed input, cached and cache writes included; -1 unknown */
	int64_t cached_tokens; /* cache reads; -1 unknown */
	int64_t output_tokens; /* -1 unknown */
	char model[128];       /* as the provider answered (a dated snapshot) */
	char stop_reason[32];
	int started;           /* some answer arrived */
	int finished;          /* the stream's end was seen ([DONE], message_stop) or a whole body was read */
	int error;             /* an error body or an error event */
	char error_type[32];   /* normalised: rate_limit, context_length, auth, overloaded, ...;
				* bad_response: a success that is not an answer */
	char error_msg[256];   /* the provider's message */
	int tool_open;         /* OpenAI: index of the tool call being streamed, -1 none */
} chat_result;

void chat_result_init(chat_result *r);
void chat_result_free(chat_result *r);

/* The request body. input: the recorded messages (JSON array of {role,
 * content, ...}); system: the rendered prompt that replaces the system (or
 * developer) message; attrs: the call's kept attributes (JSON object or
 * NULL), whence max_tokens and temperature when recorded. OpenAI: the first
 * system/developer message gets the new text (one is put first when there
 * was none), every other message stays as it was; streaming with usage.
 * Anthropic: system/developer messages leave the list for the top-level
 * `system`; max_tokens is the recorded one or 4096. 0, or -1 with err. */
int chat_build_openai(const char *input, const char *system, const char *model, const char *attrs, sbuf *body,
		      char *err, size_t errlen);
int chat_build_anthropic(const char *input, const char *system, const char *model, const char *attrs, sbuf *body,
			 char *err, size_t errlen);

/* One SSE event of a stream. */
void chat_openai_event(chat_result *r, const char *data, size_t len);
void chat_anthropic_event(chat_result *r, const char *event, const char *data, size_t len);
/* A whole body: a non-streamed answer, or an error body with its status. */
void chat_openai_body(chat_result *r, const char *body, size_t len, long status);
void chat_anthropic_body(chat_result *r, const char *body, size_t len, long status);

#endif
