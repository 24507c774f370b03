/* A provider's event stream through the SSE parser and the chat event
 * handlers, as replay reads it. The stream is read twice, in one piece and
 * cut into chunks at places drawn from the input (network reads end
 * anywhere: inside "\r\n", inside a UTF-8 sequence), and both readings must
 * give the same events and the same answer. The first byte picks the
 * provider (even: OpenAI, odd: Anthropic), the second seeds the cuts. */
#include "../../data/provider.h"
#include "../../data/sse.h"
#include "chat_check.h"

typedef struct reading {
	int anthropic;
	chat_result res;
	sbuf events; /* every event, with the lengths of its parts */
} reading;

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
	reading *rd = ud;
	FUZZ_CHECK(event && data && data[len] == 0, "event parts not terminated");
	sb_printf(&rd->events, "%zu:%s|%zu:", strlen(event), event, len);
	sb_add(&rd->events, data, len);
	sb_addc(&rd->events, '\n');
	(rd->anthropic ? &provider_anthropic : &provider_openai)->chat_event(&rd->res, event, data, len);
	return 0;
}

/* Feeds p[0..n) in one piece (seed 0) or in chunks; the fragment pending at
 * the end, as sse_end says. */
static int read_stream(reading *rd, const char *p, size_t n, uint64_t seed)
{
	sse_t s;
	sse_init(&s, on_event, rd);
	if (!seed) {
		sse_feed(&s, p, n);
	} else {
		uint64_t r = seed;
		size_t at = 0;
		while (at < n) {
			uint64_t x = fuzz_next(&r);
			size_t k = x % 8 == 0 ? 0 : 1 + (size_t)(fuzz_next(&r) % 48);
			if (k > n - at)
				k = n - at;
			/* A chunk of its own, so that a read past it is seen. */
			char *chunk = xmalloc(k ? k : 1);
			memcpy(chunk, p + at, k);
			sse_feed(&s, chunk, k);
			free(chunk);
			at += k;
		}
	}
	int pending = sse_end(&s);
	sse_free(&s);
	return pending;
}

static int same_str(const sbuf *a, const sbuf *b)
{
	return a->len == b->len && !memcmp(sb_str(a), sb_str(b), a->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int anthropic = data[0] % 2;
	uint64_t seed = data[1] | 0x100u;
	const char *p = (const char *)data + 2;
	size_t n = size - 2;
	reading a = {anthropic}, b = {anthropic};
	chat_result_init(&a.res);
	chat_result_init(&b.res);
	int pa = read_stream(&a, p, n, 0);
	int pb = read_stream(&b, p, n, seed);
	FUZZ_CHECK(same_str(&a.events, &b.events), "chunks change the events:\n%s\n---\n%s", sb_str(&a.events),
		   sb_str(&b.events));
	FUZZ_CHECK(pa == pb, "chunks change what is pending at the end");
	fuzz_check_result(&a.res);
	FUZZ_CHECK(same_str(&a.res.text, &b.res.text) && same_str(&a.res.thinking, &b.res.thinking) &&
		       a.res.input_tokens == b.res.input_tokens && a.res.output_tokens == b.res.output_tokens &&
		       a.res.cached_tokens == b.res.cached_tokens && a.res.finished == b.res.finished &&
		       a.res.error == b.res.error && !strcmp(a.res.model, b.res.model),
		   "chunks change the answer");
	chat_result_free(&a.res);
	chat_result_free(&b.res);
	sb_free(&a.events);
	sb_free(&b.events);
	return 0;
}
