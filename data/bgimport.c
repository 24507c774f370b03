#include "bgimport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../core/str.h"
#include "import.h"
#include "store.h"

#define PIPE_BYTES (1 << 20)   /* the importer reads in chunks of this size */
#define SLICE (256u << 10)     /* bytes moved between two looks at the stop flag */
#define TICK 0.25              /* seconds between two progress notes */
#define MAX_MESSAGES 200       /* kept for the console; the importer says "N more" after its first ten */

typedef struct msg {
	char *text;
	int error;
} msg;

struct bgimport {
	char *store_path;
	char **files;
	int nfiles, format;
	pricing_t *prices;
	pthread_t thread;
	int started;
	atomic_int stop;
	int notify[2];
	int halt[2];   /* written by bgimport_stop: wakes a feeder waiting on a FIFO */

	pthread_mutex_t mu; /* guards what follows */
	bgimport_progress prog;
	msg *msgs;
	size_t nmsgs;
	uint64_t calls_before; /* from the files already done */

	/* the importer's thread only */
	char fd_label[32];     /* "/dev/fd/N": the name the importer knows the pipe by */
	char *file_label;      /* what the user typed, sanitised */
	sbuf errline;
	double t_all;
	double t_file; /* under mu */

	/* the feeding thread */
	int src, sink;
	store_t *count_st; /* a connection of its own, read-only */
	int64_t count_base;
	atomic_int waiting;     /* blocked on the source (a FIFO with nothing more yet) */
};

static void poke(bgimport_t *b)
{
	char c = 1;
	if (write(b->notify[1], &c, 1) < 0) {
		/* full: the console will wake up anyway */
	}
}

static void push_msg(bgimport_t *b, const char *text, int error)
{
	pthread_mutex_lock(&b->mu);
	if (b->nmsgs < MAX_MESSAGES) {
		b->msgs = xrealloc(b->msgs, (b->nmsgs + 1) * sizeof *b->msgs);
		b->msgs[b->nmsgs++] = (msg){xstrdup(text), error};
	}
	pthread_mutex_unlock(&b->mu);
	poke(b);
}

/* The importer's messages ("llmops: LABEL:LINE: reason"), one line at a
 * time, with the pipe's name put back to the file's. What it says about a
 * record cut short by a stop is not news. */
static void take_line(bgimport_t *b, const char *line)
{
	if (atomic_load(&b->stop))
		return;
	if (!strncmp(line, "llmops: ", 8))
		line += 8;
	sbuf m = SBUF_INIT;
	size_t fl = strlen(b->fd_label);
	if (fl && !strncmp(line, b->fd_label, fl) && (line[fl] == ':' || !line[fl])) {
		sb_adds(&m, b->file_label);
		line += fl;
	}
	sb_adds(&m, line);
	push_msg(b, sb_str(&m), 1);
	sb_free(&m);
}

static ssize_t errs_write(void *cookie, const char *buf, size_t n)
{
	bgimport_t *b = cookie;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			take_line(b, sb_str(&b->errline));
			sb_reset(&b->errline);
		} else {
			sb_addc(&b->errline, buf[i]);
		}
	}
	return (ssize_t)n;
}

static void count_calls(bgimport_t *b)
{
	if (!b->count_st)
		return;
	int64_t n = store_call_mark(b->count_st) - b->count_base;
	pthread_mutex_lock(&b->mu);
	b->prog.calls = n > 0 ? (uint64_t)n : 0;
	pthread_mutex_unlock(&b->mu);
}

static void block_signals(void)
{
	/* The console's thread takes them all (its self-pipe); a write to a
	 * pipe the importer closed early is then EPIPE, not a dead process. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
}

/* Moves the file into the pipe until its end or a stop. */
static void *feed(void *ud)
{
	bgimport_t *b = ud;
	block_signals();
	int use_splice = 1;
	char *buf = NULL;
	double last = clock_mono();
	struct stat sb;
	int fifo = fstat(b->src, &sb) == 0 && !S_ISREG(sb.st_mode);
	while (!atomic_load(&b->stop)) {
		ssize_t n;
		atomic_store(&b->waiting, fifo);
		if (fifo) {
			/* A writer that is slow, or gone quiet: q must not wait for it. */
			struct pollfd pf[2] = {{.fd = b->src, .events = POLLIN}, {.fd = b->halt[0], .events = POLLIN}};
			if (poll(pf, 2, -1) < 0 && errno != EINTR)
				break;
			if (pf[1].revents)
				break;
			if (!pf[0].revents)
				continue;
		}
		if (use_splice) {
			n = splice(b->src, NULL, b->sink, NULL, SLICE, SPLICE_F_MOVE);
			if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
				use_splice = 0;
				continue;
			}
		} else {
			if (!buf)
				buf = xmalloc(SLICE);
			n = read(b->src, buf, SLICE);
			for (ssize_t off = 0, w; n > 0 && off < n; off += w)
				if ((w = write(b->sink, buf + off, (size_t)(n - off))) < 0) {
					if (errno == EINTR) {
						w = 0;
						continue;
					}
					n = -1;
					break;
				}
		}
		atomic_store(&b->waiting, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* the end, or the importer stopped reading (a file it gave up on) */
		pthread_mutex_lock(&b->mu);
		b->prog.bytes += (uint64_t)n;
		pthread_mutex_unlock(&b->mu);
		double now = clock_mono();
		if (now - last >= TICK) {
			last = now;
			count_calls(b);
			poke(b);
		}
	}
	atomic_store(&b->waiting, 0);
	free(buf);
	pthread_mutex_lock(&b->mu);
	close(b->sink);
	b->sink = -1;
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

static int is_sqlite(int fd)
{
	char head[16];
	return pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head && !memcmp(head, "SQLite format 3", 16);
}

static void start_file(bgimport_t *b, int i, uint64_t size)
{
	pthread_mutex_lock(&b->mu);
	char *p = sanitize_str(b->files[i], 0);
	snprintf(b->prog.file, sizeof b->prog.file, "%s", p);
	free(p);
	b->prog.index = i;
	b->prog.bytes = 0;
	b->prog.size = size;
	b->prog.seconds = 0;
	b->t_file = clock_mono();
	pthread_mutex_unlock(&b->mu);
	poke(b);
}

/* One file: fed through a pipe, or (a logs.db, which SQLite must open by
 * its name) given as it is. 0 all landed, 1 some records rejected, 2 failed. */
static int import_one(bgimport_t *b, store_t *st, FILE *errs, int i)
{
	const char *path = b->files[i];
	free(b->file_label);
	b->file_label = sanitize_str(path, 0);
	b->fd_label[0] = 0;
	/* Not blocked on a FIFO that no one writes yet: the feeder waits for it, and for q. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		char m[600];
		snprintf(m, sizeof m, "%s: %s", b->file_label, strerror(errno));
		push_msg(b, m, 1);
		return 2;
	}
	struct stat sb = {0};
	uint64_t size = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
	start_file(b, i, size);
	import_opts o = {.format = b->format, .max_errors_shown = 10, .prices = b->prices, .errs = errs};
	import_result r;
	import_status rc;
	double t0 = clock_mono();
	int p[2];
	if ((S_ISREG(sb.st_mode) && is_sqlite(fd)) || S_ISDIR(sb.st_mode) || pipe2(p, O_CLOEXEC)) {
		close(fd);
		rc = import_path(st, path, &o, &r);
	} else {
		(void)fcntl(p[1], F_SETPIPE_SZ, PIPE_BYTES); /* fewer wake-ups; the default works too */
		pthread_mutex_lock(&b->mu);
		b->src = fd;
		b->sink = p[1];
		pthread_mutex_unlock(&b->mu);
		pthread_t feeder;
		if (pthread_create(&feeder, NULL, feed, b)) {
			close(p[0]);
			close(p[1]);
			close(fd);
			push_msg(b, "could not start a thread to read the file", 1);
			return 2;
		}
		snprintf(b->fd_label, sizeof b->fd_label, "/dev/fd/%d", p[0]);
		rc = import_path(st, b->fd_label, &o, &r);
		/* An importer that gave up early: the feeder's next write fails. */
		close(p[0]);
		pthread_join(feeder, NULL);
		close(fd);
	}
	fflush(errs);
	pthread_mutex_lock(&b->mu);
	if (!size || rc != IMPORT_FAILED)
		b->prog.bytes = size ? size : b->prog.bytes;
	b->calls_before += r.inserted;
	pthread_mutex_unlock(&b->mu);
	count_calls(b);
	if (rc == IMPORT_FAILED && !r.calls && !r.records)
		return 2;
	char ins[32], m[800];
	fmt_thousands(ins, sizeof ins, r.inserted);
	int len = snprintf(m, sizeof m, "%s %s call%s from %s in %.1f s", atomic_load(&b->stop) ? "stopped: imported" : "imported",
			   ins, r.inserted == 1 ? "" : "s", b->file_label, clock_mono() - t0);
	if (r.duplicates && len > 0 && (size_t)len < sizeof m)
		len += snprintf(m + len, sizeof m - (size_t)len, ", %llu already in the store",
				(unsigned long long)r.duplicates);
	if (r.rejected && len > 0 && (size_t)len < sizeof m)
		snprintf(m + len, sizeof m - (size_t)len, ", %llu records rejected", (unsigned long long)r.rejected);
	push_msg(b, m, 0);
	return rc == IMPORT_OK ? 0 : rc == IMPORT_PARTIAL ? 1 : 2;
}

static void *run(void *ud)
{
	bgimport_t *b = ud;
	block_signals();
	int worst = 0;
	store_t *st = NULL;
	char err[512];
	if (store_open(b->store_path, STORE_BULK, &st, err, sizeof err)) {
		char *e = sanitize_str(err, 0);
		push_msg(b, e, 1);
		free(e);
		worst = 2;
	} else {
		if (store_open(b->store_path, STORE_READONLY, &b->count_st, err, sizeof err))
			b->count_st = NULL; /* no count shown: the import itself is unaffected */
		b->count_base = b->count_st ? store_call_mark(b->count_st) : 0;
		cookie_io_functions_t io = {.write = errs_write};
		FILE *errs = fopencookie(b, "w", io);
		for (int i = 0; errs && i < b->nfiles && !atomic_load(&b->stop); i++) {
			int w = import_one(b, st, errs, i);
			worst = w > worst ? w : worst;
		}
		if (errs)
			fclose(errs);
		else
			push_msg(b, "could not set up the import's messages", 1), worst = 2;
		store_close(st);
		store_close(b->count_st);
		b->count_st = NULL;
	}
	pthread_mutex_lock(&b->mu);
	b->prog.done = 1;
	b->prog.stopped = atomic_load(&b->stop);
	b->prog.worst = worst;
	b->prog.calls = b->calls_before;
	b->prog.seconds = clock_mono() - b->t_all;
	pthread_mutex_unlock(&b->mu);
	poke(b);
	return NULL;
}

bgimport_t *bgimport_start(const char *store_path, const char *const *files, int nfiles, int format,
			   pricing_t *prices, char *err, size_t errlen)
{
	bgimport_t *b = xcalloc(1, sizeof *b);
	b->store_path = xstrdup(store_path);
	b->files = xcalloc((size_t)nfiles, sizeof *b->files);
	for (int i = 0; i < nfiles; i++)
		b->files[i] = xstrdup(files[i]);
	b->nfiles = nfiles;
	b->format = format;
	b->prices = prices;
	b->src = b->sink = -1;
	b->notify[0] = b->notify[1] = -1;
	b->prog.nfiles = nfiles;
	if (nfiles) {
		char *p = sanitize_str(files[0], 0);
		snprintf(b->prog.file, sizeof b->prog.file, "%s", p);
		free(p);
	}
	pthread_mutex_init(&b->mu, NULL);
	b->t_all = clock_mono();
	b->halt[0] = b->halt[1] = -1;
	if (pipe2(b->notify, O_NONBLOCK | O_CLOEXEC) || pipe2(b->halt, O_NONBLOCK | O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		bgimport_free(b);
		return NULL;
	}
	if (pthread_create(&b->thread, NULL, run, b)) {
		snprintf(err, errlen, "could not start the import's thread");
		bgimport_free(b);
		return NULL;
	}
	b->started = 1;
	return b;
}

int bgimport_fd(bgimport_t *b)
{
	return b ? b->notify[0] : -1;
}

void bgimport_drain(bgimport_t *b)
{
	char buf[256];
	while (b && read(b->notify[0], buf, sizeof buf) > 0)
		;
}

void bgimport_get(bgimport_t *b, bgimport_progress *p)
{
	pthread_mutex_lock(&b->mu);
	*p = b->prog;
	if (!p->done) {
		p->seconds = clock_mono() - (b->t_file > 0 ? b->t_file : b->t_all);
		p->calls = b->prog.calls > b->calls_before ? b->prog.calls : b->calls_before;
	}
	pthread_mutex_unlock(&b->mu);
}

int bgimport_idle(bgimport_t *b)
{
	if (!b)
		return 1;
	pthread_mutex_lock(&b->mu);
	int done = b->prog.done;
	pthread_mutex_unlock(&b->mu);
	if (done)
		return 1;
	/* A FIFO that gave something and has nothing more yet, all of it read
	 * by the importer. */
	pthread_mutex_lock(&b->mu);
	int queued = 1;
	int idle = b->prog.bytes && atomic_load(&b->waiting) && b->sink >= 0 && ioctl(b->sink, FIONREAD, &queued) == 0 &&
		   queued == 0;
	pthread_mutex_unlock(&b->mu);
	return idle;
}

int bgimport_message(bgimport_t *b, size_t i, char *out, size_t n, int *error)
{
	pthread_mutex_lock(&b->mu);
	int got = i < b->nmsgs;
	if (got) {
		snprintf(out, n, "%s", b->msgs[i].text);
		*error = b->msgs[i].error;
	}
	pthread_mutex_unlock(&b->mu);
	return got;
}

void bgimport_stop(bgimport_t *b)
{
	if (!b || !b->started)
		return;
	atomic_store(&b->stop, 1);
	char c = 1;
	if (write(b->halt[1], &c, 1) < 0) {
		/* cannot be full: one byte, once */
	}
	pthread_join(b->thread, NULL);
	b->started = 0;
}

void bgimport_free(bgimport_t *b)
{
	if (!b)
		return;
	bgimport_stop(b);
	for (size_t i = 0; i < b->nmsgs; i++)
		free(b->msgs[i].text);
	free(b->msgs);
	for (int i = 0; i < b->nfiles; i++)
		free(b->files[i]);
	free(b->files);
	free(b->store_path);
	free(b->file_label);
	sb_free(&b->errline);
	for (int i = 0; i < 2; i++) {
		if (b->notify[i] >= 0)
			close(b->notify[i]);
		if (b->halt[i] >= 0)
			close(b->halt[i]);
	}
	pthread_mutex_destroy(&b->mu);
	free(b);
}

void bgimport_fmt_bytes(uint64_t v, char *out, size_t n)
{
	double d = (double)v;
	if (v < 1000)
		snprintf(out, n, "%llu B", (unsigned long long)v);
	else if (v < 1000000)
		snprintf(out, n, "%.1f KB", d / 1e3);
	else if (v < 10000000)
		snprintf(out, n, "%.1f MB", d / 1e6);
	else if (v < 1000000000)
		snprintf(out, n, "%.0f MB", d / 1e6);
	else
		snprintf(out, n, "%.1f GB", d / 1e9);
}

void bgimport_line(const bgimport_progress *p, char *out, size_t n)
{
	/* The status line is narrow: the file by its name, without its folder. */
	const char *slash = strrchr(p->file, '/'), *file = slash && slash[1] ? slash + 1 : p->file;
	char calls[32], of[64] = "", rd[32], sz[32], left[48] = "";
	fmt_thousands(calls, sizeof calls, p->calls);
	const char *s = p->calls == 1 ? "" : "s";
	if (p->done) {
		if (p->nfiles > 1)
			snprintf(of, sizeof of, "%d files", p->nfiles);
		snprintf(out, n, "%s %s call%s from %s in %.1f s", p->stopped ? "stopped: imported" : "imported", calls, s,
			 p->nfiles > 1 ? of : file, p->seconds);
		return;
	}
	if (p->nfiles > 1)
		snprintf(of, sizeof of, " (%d of %d)", p->index + 1, p->nfiles);
	bgimport_fmt_bytes(p->bytes, rd, sizeof rd);
	if (!p->size) {
		snprintf(out, n, "importing %s%s: %s, %s call%s", file, of, rd, calls, s);
		return;
	}
	bgimport_fmt_bytes(p->size, sz, sizeof sz);
	double frac = p->bytes >= p->size ? 1 : (double)p->bytes / (double)p->size;
	/* The rate so far gives the rest; under a second of it says too little. */
	if (p->seconds >= 1 && p->bytes > 0) {
		double rest = (double)(p->size - (p->bytes < p->size ? p->bytes : p->size)) * p->seconds / (double)p->bytes;
		if (rest < 90)
			snprintf(left, sizeof left, ", %.0f s left", rest);
		else
			snprintf(left, sizeof left, ", %.0f min left", rest / 60);
	}
	snprintf(out, n, "importing %s%s: %s of %s (%.0f%%), %s call%s%s", file, of, rd, sz, frac * 100, calls, s,
		 left);
}
