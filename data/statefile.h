/* Small private files under the state directory (a note's draft): written
 * whole to a temporary file and renamed, mode 0600, folders made as needed. */
#ifndef LLMOPS_STATEFILE_H
#define LLMOPS_STATEFILE_H

/* text NULL or "": removes the file. 0 or -1 (errno set). */
int statefile_write(const char *path, const char *text);
/* The whole file (malloc'ed), or NULL (errno set; at most 64 MiB). */
char *statefile_read(const char *path);

#endif
