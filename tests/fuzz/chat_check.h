/* What a chat answer read from a hostile server must still be: fixed-size
 * fields terminated, an error with its type, and every string readable. */
#ifndef LLMOPS_FUZZ_CHAT_CHECK_H
#define LLMOPS_FUZZ_CHAT_CHECK_H

#include "../../data/chat.h"
#include "fuzz.h"

#define TERMINATED(f) FUZZ_CHECK(strnlen(f, sizeof f) < sizeof f, #f " not terminated")

static inline void fuzz_check_result(const chat_result *r)
{
	TERMINATED(r->model);
	TERMINATED(r->stop_reason);
	TERMINATED(r->error_type);
	TERMINATED(r->error_msg);
	FUZZ_CHECK(!r->error || r->error_type[0], "an error without a type");
	fuzz_touch(sb_str(&r->text));
	fuzz_touch(sb_str(&r->thinking));
}

#endif
