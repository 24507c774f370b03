/* Files llmops keeps or reads whole: a capped read, folders made as needed,
 * a write that replaces a file in one step, and the XDG directories. */
#ifndef LLMOPS_FILE_H
#define LLMOPS_FILE_H

#include <stddef.h>
#include <stdio.h>

enum {
	/* Refuse what is not a regular file (a FIFO is not waited on, a device
	 * such as /dev/zero is never read). Without it, a FIFO or
	 * /dev/stdin is read to its end, still within the cap. */
	FILE_REGULAR = 1,
};

/* The whole file, NUL-terminated (malloc'ed; *len without the NUL), or
 * NULL with errno set and the reason in err: strerror's words, "is a
 * directory", "not a regular file" or "larger than 64 MiB". */
char *file_read(const char *path, size_t max, int flags, size_t *len, char *err, size_t errlen);

/* The folders above path (not path itself), mode 0700; those that exist
 * are left as they are. 0, or -1 with errno set. */
int file_mkdir_parents(const char *path);

/* A file written beside its target and renamed over it, so that a reader
 * (or a crash) sees the old file or the whole new one, never half. */
typedef struct file_tmp {
	FILE *f;   /* write here */
	char *tmp; /* the temporary file's name */
	char *path;
} file_tmp;

/* Creates the temporary file (mode, less the umask); its folders are made
 * when mkdirs is set. 0, or -1 with errno set. */
int file_tmp_open(file_tmp *t, const char *path, int mode, int mkdirs);
/* Flushes, syncs and renames it over the target, then syncs the folder.
 * 0, or -1 with errno set and the temporary file removed. */
int file_tmp_commit(file_tmp *t);
/* Drops the temporary file; the target is untouched. */
void file_tmp_abort(file_tmp *t);

/* len bytes as the whole new content of path (folders made as needed). */
int file_write_atomic(const char *path, const void *data, size_t len, int mode);

/* The base directories of the XDG specification. */
typedef enum { XDG_CONFIG, XDG_STATE, XDG_DATA, XDG_CACHE } file_xdg;

/* $XDG_CONFIG_HOME/llmops/leaf, or $HOME/.config/llmops/leaf (and
 * .local/state, .local/share, .cache for the others) (malloc'ed). NULL when
 * neither variable is set to anything: err then names both, so that no
 * path under / is ever made up. */
char *file_xdg_path(file_xdg kind, const char *leaf, char *err, size_t errlen);
/* $HOME/leaf (malloc'ed), or NULL when $HOME is unset or empty. */
char *file_home_path(const char *leaf);

#endif
