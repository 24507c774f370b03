#include "statefile.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

/* A note's draft or a text back from $EDITOR: text a person typed. */
#define STATEFILE_MAX (64u << 20)

int statefile_write(const char *path, const char *text)
{
	if (!text || !*text)
		return unlink(path) && errno != ENOENT ? -1 : 0;
	return file_write_atomic(path, text, strlen(text), 0600);
}

char *statefile_read(const char *path)
{
	size_t len;
	return file_read(path, STATEFILE_MAX, 0, &len, NULL, 0);
}
