/* What every fuzz target shares: reading each string a parser returned, so
 * that the sanitizers see a pointer into freed or foreign memory or a
 * string without its NUL, and failing loudly on a broken invariant, so that
 * libFuzzer keeps the input that broke it. */
#ifndef LLMOPS_FUZZ_H
#define LLMOPS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/call.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static volatile size_t fuzz_sink;

static inline void fuzz_touch(const char *s)
{
	if (s)
		fuzz_sink += strlen(s);
}

#define FUZZ_CHECK(cond, ...)                                                             \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* An error message must be a string that fits its buffer and says something. */
static inline void fuzz_check_err(const char *err, size_t cap)
{
	size_t n = strnlen(err, cap);
	FUZZ_CHECK(n < cap, "error message not terminated");
	FUZZ_CHECK(n > 0, "rejected without a reason");
}

static inline void fuzz_touch_call(const call_t *c)
{
	FUZZ_CHECK(c->trace_len <= CALL_ID_MAX && c->span_len <= CALL_ID_MAX, "id longer than its array");
	const char *s[] = {c->provider, c->model, c->request_model, c->operation, c->prompt_name,
			   c->prompt_version, c->prompt_template, c->feature, c->user_id, c->error_type,
			   c->error_message, c->input, c->output, c->variables, c->attrs};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		fuzz_touch(s[i]);
	fuzz_sink += (size_t)c->input_tokens + (size_t)c->output_tokens + (size_t)c->cached_tokens;
}

/* A little deterministic generator, seeded from the input, for choices that
 * must not be random between two runs of the same input. */
static inline uint64_t fuzz_next(uint64_t *r)
{
	*r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
	return *r >> 33;
}

#endif
