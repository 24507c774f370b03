/* What replay reads from a provider's chat answer, streamed (SSE events)
 * or whole (a JSON body, or an error body). Each protocol builds its
 * request and reads its answer in its provider file, through the
 * provider_ops (provider.h); what they share is here. Pure: no I/O. */
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

#endif
