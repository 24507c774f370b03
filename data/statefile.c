#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/str.h"

static void make_parents(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		for (char *s = dir + 1; *s; s++)
			if (*s == '/') {
				*s = 0;
				mkdir(dir, 0700);
				*s = '/';
			}
		mkdir(dir, 0700);
	}
	free(dir);
}

int statefile_write(const char *path, const char *text)
{
	if (!text || !*text)
		return unlink(path) && errno != ENOENT ? -1 : 0;
	make_parents(path);
	sbuf tmp = SBUF_INIT;
	sb_printf(&tmp, "%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		sb_free(&tmp);
		return -1;
	}
	size_t n = strlen(text);
	const char *p = text;
	int rc = 0;
	while (n && !rc) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = -1;
		else
			p += w, n -= (size_t)w;
	}
	if (close(fd))
		rc = -1;
	if (!rc)
		rc = rename(tmp.p, path);
	if (rc)
		unlink(tmp.p);
	sb_free(&tmp);
	return rc;
}

char *statefile_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	sbuf b = SBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&b, buf, n);
	fclose(f);
	return b.p ? sb_steal(&b) : xstrdup("");
}
