/* An llmopsrc through the rc parser, `source` included. The input is a set
 * of files: the rc itself, then each file after a line "--- NAME". They
 * live in a table in memory, under the made-up folder /fuzz-rc/, and the
 * reader handed to the parser serves only them: whatever an input sources
 * (../../etc/passwd, ~/x, /dev/zero) reads nothing outside the table. */
#include <errno.h>

#include "../../core/config.h"
#include "fuzz.h"

#define DIR "/fuzz-rc/"
#define MAX_FILES 8

typedef struct vfile {
	char path[64];
	const char *text;
	size_t len;
} vfile;

typedef struct vfs {
	vfile f[MAX_FILES];
	int n;
	unsigned reads;
} vfs;

static char *vfs_read(const char *path, size_t max, size_t *len, char *err, size_t errlen, void *ud)
{
	vfs *v = ud;
	v->reads++;
	for (int i = 0; i < v->n; i++) {
		if (!strcmp(path, v->f[i].path)) {
			if (v->f[i].len > max) {
				snprintf(err, errlen, "larger than %zu bytes", max);
				errno = EFBIG;
				return NULL;
			}
			char *s = xmalloc(v->f[i].len + 1);
			memcpy(s, v->f[i].text, v->f[i].len);
			s[v->f[i].len] = 0;
			*len = v->f[i].len;
			return s;
		}
	}
	errno = ENOENT;
	return NULL;
}

static void vfs_add(vfs *v, const char *name, size_t nlen, const char *text, size_t len)
{
	if (v->n == MAX_FILES || nlen > 40)
		return;
	vfile *f = &v->f[v->n++];
	snprintf(f->path, sizeof f->path, DIR "%.*s", (int)nlen, name);
	f->text = text;
	f->len = len;
}

/* Cuts the input at its "--- NAME" lines. */
static void vfs_split(vfs *v, const char *p, size_t n)
{
	const char *name = "rc", *start = p, *end = p + n;
	size_t nlen = 2;
	for (const char *q = p; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *eol = nl ? nl : end;
		if (eol - q > 4 && !memcmp(q, "--- ", 4)) {
			vfs_add(v, name, nlen, start, (size_t)(q - start));
			name = q + 4;
			nlen = (size_t)(eol - name);
			start = nl ? nl + 1 : end;
		}
		q = nl ? nl + 1 : end;
	}
	vfs_add(v, name, nlen, start, (size_t)(end - start));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vfs v = {0};
	vfs_split(&v, (const char *)data, size);
	config_t c;
	config_init(&c);
	config_load(&c, DIR "rc", 1, vfs_read, &v);
	/* Every error names where it comes from: "path:line: message". */
	const char *e = sb_str(&c.errors);
	int lines = 0;
	for (const char *l = e; *l; lines++) {
		FUZZ_CHECK(!strncmp(l, DIR, sizeof DIR - 1), "an error that names no rc file: %.80s", l);
		const char *nl = strchr(l, '\n');
		FUZZ_CHECK(nl, "an error line without its end");
		l = nl + 1;
	}
	/* the first CONFIG_MAX_ERRORS; past them, the one that stopped the load
	 * and a line that counts the rest */
	int shown = c.nerrors > CONFIG_MAX_ERRORS ? CONFIG_MAX_ERRORS : c.nerrors;
	FUZZ_CHECK(lines >= shown && lines <= shown + 2 * (c.nerrors > CONFIG_MAX_ERRORS), "%d error lines for %d errors",
		   lines, c.nerrors);
	for (int i = 0; i < CFG_COUNT; i++)
		fuzz_touch(c.opt[i].s);
	for (size_t i = 0; i < c.providers.n; i++) {
		const cfg_provider *p = &c.providers.v[i];
		FUZZ_CHECK(p->name && p->type, "a provider without its name or type");
		fuzz_touch(p->base_url);
		fuzz_touch(p->api_key_file);
		fuzz_touch(p->at.file);
	}
	for (size_t i = 0; i < c.binds.n; i++)
		fuzz_touch(c.binds.v[i].action);
	for (size_t i = 0; i < c.colors.n; i++)
		fuzz_touch(c.colors.v[i].attrs);
	config_free(&c);
	return 0;
}
