/* otlp_json2pb FRAMING IN OUT: the OTLP/JSON requests of IN (one a line, or
 * documents one after another) written to OUT as OTLP protobuf, FRAMING
 * being "single" (the messages back to back, which protobuf reads as one
 * request holding all of their resources), "varint" (each after its length
 * as a varint) or "be32" (each after a 4-byte big-endian length). Makes the
 * protobuf twins of tests/corpus and the framings the CLI tests import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/otlp_encode.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, k;
	char *buf = malloc(cap + 1);
	while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "single") && strcmp(argv[1], "varint") && strcmp(argv[1], "be32"))) {
		fprintf(stderr, "usage: otlp_json2pb single|varint|be32 IN OUT\n");
		return 2;
	}
	size_t len;
	char *text = slurp(argv[2], &len);
	if (!text) {
		perror(argv[2]);
		return 1;
	}
	FILE *out = fopen(argv[3], "wb");
	if (!out) {
		perror(argv[3]);
		return 1;
	}
	const char *p = text, *end = text + len;
	int n = 0;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p >= end)
			break;
		const char *next = NULL;
		cJSON *req = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &next, 0);
		size_t mlen = 0;
		uint8_t *msg = req ? otlp_encode_json(req, &mlen) : NULL;
		cJSON_Delete(req);
		if (!msg) {
			fprintf(stderr, "%s: request %d is not OTLP/JSON\n", argv[2], n + 1);
			return 1;
		}
		if (!strcmp(argv[1], "varint")) {
			size_t v = mlen;
			do {
				fputc((int)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)), out);
				v >>= 7;
			} while (v);
		} else if (!strcmp(argv[1], "be32")) {
			uint8_t h[4] = {(uint8_t)(mlen >> 24), (uint8_t)(mlen >> 16), (uint8_t)(mlen >> 8), (uint8_t)mlen};
			fwrite(h, 1, 4, out);
		}
		fwrite(msg, 1, mlen, out);
		free(msg);
		n++;
		p = next;
	}
	free(text);
	return fclose(out) ? 1 : 0;
}
