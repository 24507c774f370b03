#include "secrets.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int secret_file_check(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(path, &sb)) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "key file %s: not a regular file", path);
		return -1;
	}
	/* Files owned by someone else (root-owned mounted secrets) are the
	 * owner's business, as ssh decides too. */
	if (sb.st_uid == geteuid() && (sb.st_mode & 077)) {
		snprintf(err, errlen, "key file %s is readable by group or others (mode %04o); refused, run: chmod 600 %s", path,
			 (unsigned)(sb.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

void secrets_harden_process(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl);
}
