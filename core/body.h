/* Call bodies (input messages, output, variables, attributes) packed into one
 * zstd frame compressed with a dictionary trained on the store's own traffic.
 *
 * LLM traffic is highly repetitive (system prompts, templates, JSON keys), so
 * a dictionary of about 100 KB makes a 2 KB body a few hundred bytes, at
 * about a microsecond to compress and a fifth of that to decompress: the
 * store is several times smaller and an import writes several times less. */
#ifndef LLMOPS_BODY_H
#define LLMOPS_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

typedef struct body_codec body_codec;

/* Trains a dictionary on sample bodies (as packed by body_pack). Returns the
 * dictionary bytes (malloc'ed) or NULL when there are too few samples. */
void *body_train(const sbuf *samples, size_t n, size_t *dict_len);

/* A codec for a dictionary; id is what rows record (0 = not yet stored).
 * Compression contexts are per thread: use body_compress from one thread at
 * a time per codec, body_decompress from any number (it locks). */
body_codec *body_codec_new(const void *dict, size_t len, int64_t id);
void body_codec_free(body_codec *c);
int64_t body_codec_id(const body_codec *c);
void body_codec_set_id(body_codec *c, int64_t id);
const void *body_codec_dict(const body_codec *c, size_t *len);

/* The four fields, NULL allowed, in one buffer. */
void body_pack(sbuf *out, const char *input, const char *output, const char *variables, const char *attrs);
int body_unpack(const char *buf, size_t len, char **input, char **output, char **variables, char **attrs);

int body_compress(body_codec *c, const void *src, size_t n, sbuf *out);
int body_decompress(body_codec *c, const void *src, size_t n, sbuf *out);

#endif
