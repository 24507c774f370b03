#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/wait.h>
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

static char *first_line(const char *p, size_t n)
{
	size_t a = 0;
	while (a < n && (p[a] == ' ' || p[a] == '\t' || p[a] == '\r' || p[a] == '\n'))
		a++;
	size_t b = a;
	while (b < n && p[b] != '\n' && p[b] != '\r')
		b++;
	while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
		b--;
	if (b == a)
		return NULL;
	char *k = malloc(b - a + 1);
	if (!k)
		return NULL;
	memcpy(k, p + a, b - a);
	k[b - a] = 0;
	return k;
}

char *secret_read_file(const char *path, char *err, size_t errlen)
{
	if (secret_file_check(path, err, errlen))
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return NULL;
	}
	char buf[8192];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	char *k = first_line(buf, n);
	explicit_bzero(buf, sizeof buf);
	if (!k)
		snprintf(err, errlen, "key file %s is empty", path);
	return k;
}

char *secret_run_cmd(const char *cmd, long timeout_ms, char *err, size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "key command: %s", strerror(errno));
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		snprintf(err, errlen, "key command: %s", strerror(errno));
		return NULL;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(nul, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[8192];
	size_t n = 0;
	double left = (double)timeout_ms;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int timed_out = 0;
	for (;;) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		int r = poll(&pf, 1, (int)(left > 0 ? left : 0));
		if (r == 0) {
			timed_out = 1;
			break;
		}
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			ssize_t got = read(p[0], buf + n, sizeof buf - n);
			if (got <= 0 && !(got < 0 && errno == EINTR))
				break;
			if (got > 0)
				n += (size_t)got;
			if (n == sizeof buf)
				break;
		}
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = (double)timeout_ms - ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
		if (left <= 0) {
			timed_out = 1;
			break;
		}
	}
	close(p[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	char *k = NULL;
	if (timed_out)
		snprintf(err, errlen, "key command did not finish within %ld s", timeout_ms / 1000);
	else if (!WIFEXITED(st) || WEXITSTATUS(st))
		snprintf(err, errlen, "key command failed (exit status %d)", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	else if (!(k = first_line(buf, n)))
		snprintf(err, errlen, "key command printed nothing");
	explicit_bzero(buf, sizeof buf);
	return k;
}

void secret_free(char *key)
{
	if (!key)
		return;
	explicit_bzero(key, strlen(key));
	free(key);
}
