/* API keys: read from the environment, a file only its owner can read, or a
 * command's standard output; never from argv, never written anywhere. */
#ifndef LLMOPS_SECRETS_H
#define LLMOPS_SECRETS_H

#include <stddef.h>

/* ssh's rule: a key file we own that group or others may read is refused.
 * 0 when acceptable, -1 with the reason in err. */
int secret_file_check(const char *path, char *err, size_t errlen);

/* Makes the process non-dumpable and core-less, so that keys in memory or in
 * /proc/self/environ cannot be read by other processes of the same user. */
void secrets_harden_process(void);

/* The key in a file (after secret_file_check): its first line, trimmed.
 * malloc'ed, or NULL with err (which never holds the key). */
char *secret_read_file(const char *path, char *err, size_t errlen);
/* The key a command prints: run with /bin/sh -c, no input, its standard
 * error discarded, killed after timeout_ms; the first line of its output,
 * trimmed. malloc'ed, or NULL with err. */
char *secret_run_cmd(const char *cmd, long timeout_ms, char *err, size_t errlen);
/* Overwrites and frees a key. */
void secret_free(char *key);

#endif
