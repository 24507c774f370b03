#include "body.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>
#include <zstd.h>

#define LEVEL 3
#define DICT_CAP (112 * 1024)

struct body_codec {
	void *dict;
	size_t len;
	int64_t id;
	ZSTD_CDict *cdict;
	ZSTD_DDict *ddict;
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	pthread_mutex_t dmu;
};

void *body_train(const sbuf *samples, size_t n, size_t *dict_len)
{
	if (n < 64)
		return NULL;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += samples[i].len;
	if (total < 8 * DICT_CAP)
		return NULL; /* too little text for a dictionary to pay off */
	char *buf = xmalloc(total);
	size_t *lens = xmalloc(n * sizeof *lens), off = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + off, samples[i].p, samples[i].len);
		lens[i] = samples[i].len;
		off += samples[i].len;
	}
	void *dict = xmalloc(DICT_CAP);
	size_t r = ZDICT_trainFromBuffer(dict, DICT_CAP, buf, lens, (unsigned)n);
	free(buf);
	free(lens);
	if (ZDICT_isError(r)) {
		free(dict);
		return NULL;
	}
	*dict_len = r;
	return dict;
}

body_codec *body_codec_new(const void *dict, size_t len, int64_t id)
{
	body_codec *c = xcalloc(1, sizeof *c);
	c->dict = xmalloc(len);
	memcpy(c->dict, dict, len);
	c->len = len;
	c->id = id;
	c->cdict = ZSTD_createCDict(c->dict, len, LEVEL);
	c->ddict = ZSTD_createDDict(c->dict, len);
	c->cctx = ZSTD_createCCtx();
	c->dctx = ZSTD_createDCtx();
	pthread_mutex_init(&c->dmu, NULL);
	if (!c->cdict || !c->ddict || !c->cctx || !c->dctx) {
		body_codec_free(c);
		return NULL;
	}
	return c;
}

void body_codec_free(body_codec *c)
{
	if (!c)
		return;
	ZSTD_freeCDict(c->cdict);
	ZSTD_freeDDict(c->ddict);
	ZSTD_freeCCtx(c->cctx);
	ZSTD_freeDCtx(c->dctx);
	pthread_mutex_destroy(&c->dmu);
	free(c->dict);
	free(c);
}

int64_t body_codec_id(const body_codec *c)
{
	return c ? c->id : 0;
}

void body_codec_set_id(body_codec *c, int64_t id)
{
	c->id = id;
}

const void *body_codec_dict(const body_codec *c, size_t *len)
{
	*len = c->len;
	return c->dict;
}

/* Each field: a presence byte, a 4-byte length, the bytes. */
static void put_field(sbuf *out, const char *s)
{
	uint8_t hdr[5] = {0};
	if (s) {
		uint32_t n = (uint32_t)strlen(s);
		hdr[0] = 1;
		memcpy(hdr + 1, &n, 4);
		sb_add(out, hdr, 5);
		sb_add(out, s, n);
	} else {
		sb_add(out, hdr, 5);
	}
}

void body_pack(sbuf *out, const char *input, const char *output, const char *variables, const char *attrs)
{
	put_field(out, input);
	put_field(out, output);
	put_field(out, variables);
	put_field(out, attrs);
}

int body_unpack(const char *buf, size_t len, char **input, char **output, char **variables, char **attrs)
{
	char **dst[4] = {input, output, variables, attrs};
	size_t off = 0;
	for (int i = 0; i < 4; i++) {
		if (dst[i])
			*dst[i] = NULL;
	}
	for (int i = 0; i < 4; i++) {
		if (off + 5 > len)
			return -1;
		uint32_t n;
		memcpy(&n, buf + off + 1, 4);
		int present = buf[off];
		off += 5;
		if (!present)
			continue;
		if (off + n > len)
			return -1;
		if (dst[i])
			*dst[i] = xstrndup(buf + off, n);
		off += n;
	}
	return off == len ? 0 : -1;
}

int body_compress(body_codec *c, const void *src, size_t n, sbuf *out)
{
	size_t bound = ZSTD_compressBound(n);
	sb_grow(out, bound);
	size_t r = ZSTD_compress_usingCDict(c->cctx, out->p + out->len, bound, src, n, c->cdict);
	if (ZSTD_isError(r))
		return -1;
	out->len += r;
	out->p[out->len] = 0;
	return 0;
}

int body_decompress(body_codec *c, const void *src, size_t n, sbuf *out)
{
	unsigned long long size = ZSTD_getFrameContentSize(src, n);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ULL << 31))
		return -1;
	sb_grow(out, (size_t)size);
	pthread_mutex_lock(&c->dmu);
	size_t r = ZSTD_decompress_usingDDict(c->dctx, out->p + out->len, (size_t)size, src, n, c->ddict);
	pthread_mutex_unlock(&c->dmu);
	if (ZSTD_isError(r) || r != size)
		return -1;
	out->len += r;
	out->p[out->len] = 0;
	return 0;
}
