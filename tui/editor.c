/* The $EDITOR hand-off, as NeoMutt does it: write the text to a private
 * temporary file, leave curses, run $VISUAL (else $EDITOR, else vi) on the
 * file through the shell (so "code --wait" or "vim -u NONE" work), wait, come
 * back with a full redraw, and read the file. A non-zero exit or an unchanged
 * file changes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../data/statefile.h"
#include "tui.h"

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int tui_edit(const char *initial, const char *suffix, char **result, char *err, size_t errlen)
{
	*result = NULL;
	const char *dir = getenv("TMPDIR");
	sbuf path = SBUF_INIT;
	sb_printf(&path, "%s/llmops-XXXXXX%s", dir && *dir ? dir : "/tmp", suffix ? suffix : "");
	char *p = sb_steal(&path);
	int fd = mkstemps(p, suffix ? (int)strlen(suffix) : 0); /* mode 0600 */
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	const char *text = initial ? initial : "";
	if (write_all(fd, text, strlen(text)) || fsync(fd) || close(fd)) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		unlink(p);
		free(p);
		return -1;
	}
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	sbuf cmd = SBUF_INIT;
	sb_printf(&cmd, "%s \"$1\"", ed);

	/* As system() does: the editor gets the keyboard's signals, not us. */
	struct sigaction ign = {0}, old_int, old_quit;
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	tui_suspend();
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL); /* exec keeps ignored signals ignored */
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd.p, "sh", p, (char *)NULL);
		_exit(127);
	}
	int status = 0, rc = 0;
	if (pid < 0) {
		snprintf(err, errlen, "cannot run the editor: %s", strerror(errno));
		rc = -1;
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	tui_resume();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		if (WIFEXITED(status))
			snprintf(err, errlen, "%s exited with status %d: nothing changed", ed, WEXITSTATUS(status));
		else
			snprintf(err, errlen, "%s was killed: nothing changed", ed);
		rc = -1;
	}
	if (rc == 0) {
		char *got = statefile_read(p);
		if (!got) {
			snprintf(err, errlen, "%s: %s", p, strerror(errno));
			rc = -1;
		} else if (!strcmp(got, text)) {
			free(got);
			rc = 0; /* unchanged */
		} else {
			*result = got;
			rc = 1;
		}
	}
	unlink(p);
	free(p);
	sb_free(&cmd);
	return rc;
}
