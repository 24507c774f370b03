#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/str.h"

static void set_err(char *err, size_t errlen, const char *why)
{
	if (errlen)
		snprintf(err, errlen, "%s", why);
}

/* Opened without blocking when only a regular file will do, so that a FIFO
 * is refused rather than waited on, and checked before anything is read, so
 * that /dev/zero or a huge file is never read into memory. */
char *file_read(const char *path, size_t max, int flags, size_t *len, char *err, size_t errlen)
{
	set_err(err, errlen, "");
	int regular = flags & FILE_REGULAR;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (regular ? O_NONBLOCK : 0));
	if (fd < 0) {
		int e = errno;
		set_err(err, errlen, strerror(e));
		errno = e;
		return NULL;
	}
	struct stat sb;
	const char *why = NULL;
	int e = 0;
	if (fstat(fd, &sb)) {
		e = errno;
		why = strerror(e);
	} else if (S_ISDIR(sb.st_mode)) {
		e = EISDIR;
		why = "is a directory";
	} else if (regular && !S_ISREG(sb.st_mode)) {
		e = EINVAL;
		why = "not a regular file";
	} else if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > max) {
		e = EFBIG;
		why = "too large";
	}
	sbuf b = SBUF_INIT;
	while (!why) {
		sb_grow(&b, 65536);
		size_t room = max + 1 - b.len < 65536 ? max + 1 - b.len : 65536;
		ssize_t n = read(fd, b.p + b.len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			why = strerror(e);
		} else if (n == 0) {
			break;
		} else {
			b.len += (size_t)n;
			b.p[b.len] = 0;
			if (b.len > max) { /* it grew while being read, or is not a file */
				e = EFBIG;
				why = "too large";
			}
		}
	}
	close(fd);
	if (why) {
		if (e == EFBIG && errlen)
			snprintf(err, errlen, "larger than %zu %s", max >= (1u << 20) ? max >> 20 : max >> 10,
				 max >= (1u << 20) ? "MiB" : "KiB");
		else
			set_err(err, errlen, why);
		sb_free(&b);
		errno = e;
		return NULL;
	}
	if (b.p) /* grown for a read that found the end at once */
		b.p[b.len] = 0;
	*len = b.len;
	return b.p ? sb_steal(&b) : xstrdup("");
}

int file_mkdir_parents(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = 0;
		for (char *s = dir + 1; *s && !rc; s++)
			if (*s == '/') {
				*s = 0;
				if (mkdir(dir, 0700) && errno != EEXIST)
					rc = -1;
				*s = '/';
			}
		if (!rc && mkdir(dir, 0700) && errno != EEXIST)
			rc = -1;
	}
	int e = errno;
	free(dir);
	errno = e;
	return rc;
}

int file_tmp_open(file_tmp *t, const char *path, int mode, int mkdirs)
{
	memset(t, 0, sizeof *t);
	if (mkdirs && file_mkdir_parents(path))
		return -1;
	sbuf b = SBUF_INIT;
	/* Beside the target, so that the rename stays on one file system. */
	sb_printf(&b, "%s.tmp-%d", path, (int)getpid());
	int fd = open(b.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || !(t->f = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(b.p);
		}
		sb_free(&b);
		errno = e;
		return -1;
	}
	t->tmp = sb_steal(&b);
	t->path = xstrdup(path);
	return 0;
}

/* fsync the folder, so that the rename itself survives a crash. */
static void sync_dir_of(const char *path)
{
	char *p = xstrdup(path);
	int fd = open(dirname(p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(p);
}

static void tmp_clear(file_tmp *t)
{
	free(t->tmp);
	free(t->path);
	memset(t, 0, sizeof *t);
}

int file_tmp_commit(file_tmp *t)
{
	int rc = 0, e = 0;
	if (fflush(t->f) || ferror(t->f) || fsync(fileno(t->f))) {
		e = errno ? errno : EIO;
		rc = -1;
	}
	if (fclose(t->f) && !rc) {
		e = errno;
		rc = -1;
	}
	if (!rc && rename(t->tmp, t->path)) {
		e = errno;
		rc = -1;
	}
	if (rc)
		unlink(t->tmp);
	else
		sync_dir_of(t->path);
	tmp_clear(t);
	errno = e;
	return rc;
}

void file_tmp_abort(file_tmp *t)
{
	if (t->f)
		fclose(t->f);
	if (t->tmp)
		unlink(t->tmp);
	tmp_clear(t);
}

int file_write_atomic(const char *path, const void *data, size_t len, int mode)
{
	file_tmp t;
	if (file_tmp_open(&t, path, mode, 1))
		return -1;
	if (len && fwrite(data, 1, len, t.f) != len) {
		int e = errno ? errno : EIO;
		file_tmp_abort(&t);
		errno = e;
		return -1;
	}
	return file_tmp_commit(&t);
}

char *file_xdg_path(file_xdg kind, const char *leaf, char *err, size_t errlen)
{
	static const char *const env[] = {"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"};
	static const char *const under_home[] = {".config", ".local/state", ".local/share", ".cache"};
	const char *base = getenv(env[kind]), *home = getenv("HOME");
	sbuf b = SBUF_INIT;
	if (base && *base) {
		sb_printf(&b, "%s/llmops/%s", base, leaf);
	} else if (home && *home) {
		sb_printf(&b, "%s/%s/llmops/%s", home, under_home[kind], leaf);
	} else {
		if (errlen)
			snprintf(err, errlen, "neither $%s nor $HOME is set", env[kind]);
		return NULL;
	}
	return sb_steal(&b);
}

char *file_home_path(const char *leaf)
{
	const char *home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	sbuf b = SBUF_INIT;
	sb_printf(&b, "%s/%s", home, leaf);
	return sb_steal(&b);
}
