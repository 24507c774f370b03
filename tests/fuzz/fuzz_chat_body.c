/* A whole answer body of a chat request (not streamed, or an error body)
 * through the readers replay uses. The first byte picks the provider (even:
 * OpenAI, odd: Anthropic) and the HTTP status; '0' is OpenAI 200, '1'
 * Anthropic 200, '2' OpenAI 404. */
#include "../../data/provider.h"
#include "chat_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[6] = {200, 404, 429, 500, 400, 529};
	if (size < 1)
		return 0;
	int anthropic = data[0] % 2;
	long st = status[(data[0] / 2) % 6];
	chat_result r;
	chat_result_init(&r);
	(anthropic ? &provider_anthropic : &provider_openai)->chat_body(&r, (const char *)data + 1, size - 1, st);
	FUZZ_CHECK(st < 400 || r.error, "HTTP %ld taken for an answer", st);
	FUZZ_CHECK(r.error || r.finished, "a body read neither as an answer nor as an error");
	fuzz_check_result(&r);
	chat_result_free(&r);
	return 0;
}
