#include "follow.h"

#define FOLLOW_PRUNE_TRACES 50000

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/batch.h"
#include "../core/sanitize.h"
#include "otlp_pb.h"

#define SLICE (4u << 20) /* bytes a poll reads at most: the loop stays responsive */

struct follower {
	char *path, *dir, *base;
	int format;
	int fd;
	dev_t dev;
	ino_t ino;
	off_t offset;
	sbuf carry;        /* a line not finished yet */
	uint64_t lineno;
	int ifd;           /* inotify */
	int vanished;      /* reported once */
	int seen;          /* it existed once: gone now is "vanished", not "not yet" */
	int waiting;       /* "waiting for it" said */
	int pending;
	int mode;          /* M_*: decided from the first bytes */
	int framing;       /* PB_VARINT or PB_BE32 in M_PB */
	int broken;        /* a protobuf stream that cannot be read on: stopped */
	char note[512];    /* news that is not an error, for follower_note */
	batch_t batch;
};

enum { M_UNKNOWN, M_LINES, M_PB };

follower_t *follower_new(const char *path, int format)
{
	follower_t *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->format = format;
	f->fd = -1;
	const char *slash = strrchr(path, '/');
	f->dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
	f->base = xstrdup(slash ? slash + 1 : path);
	f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->ifd >= 0 &&
	    inotify_add_watch(f->ifd, f->dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE) < 0) {
		close(f->ifd);
		f->ifd = -1;
	}
	f->pending = 1; /* catch up with what is there */
	return f;
}

void follower_free(follower_t *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->ifd >= 0)
		close(f->ifd);
	sb_free(&f->carry);
	batch_free(&f->batch);
	free(f->path);
	free(f->dir);
	free(f->base);
	free(f);
}

int follower_fd(follower_t *f)
{
	return f->ifd;
}

int follower_pending(follower_t *f)
{
	return f->pending;
}

static void drain_inotify(follower_t *f)
{
	char buf[4096];
	while (f->ifd >= 0 && read(f->ifd, buf, sizeof buf) > 0)
		;
}

static void open_current(follower_t *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat sb;
	if (fstat(fd, &sb)) {
		close(fd);
		return;
	}
	f->fd = fd;
	f->seen = 1;
	f->dev = sb.st_dev;
	f->ino = sb.st_ino;
	f->offset = 0;
	f->lineno = 0;
	sb_reset(&f->carry);
}

/* Parses the complete lines of buf into the batch. */
static void take_lines(follower_t *f, const char *buf, size_t n, char *err, size_t errlen, int *bad)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		f->lineno++;
		size_t len = i - start;
		const char *line = buf + start;
		if (len && line[len - 1] == '\r')
			len--;
		if (len) {
			char e[256];
			int rc = f->format == FMT_OTLP ? otlp_parse_doc(line, len, &f->batch, e, sizeof e)
						       : jsonl_parse_line(line, len, &f->batch, e, sizeof e);
			if (rc && !*bad) {
				char *p = sanitize_str(f->path, 0);
				snprintf(err, errlen, "%s:%llu: %s", p, (unsigned long long)f->lineno, e);
				free(p);
				(*bad)++;
			}
		}
		start = i + 1;
	}
	sb_reset(&f->carry);
	if (start < n)
		sb_add(&f->carry, buf + start, n - start);
}

/* Lines (JSONL or OTLP/JSON) or length-delimited OTLP protobuf, from the
 * file's first bytes. 0 when decided, -1 when there are too few bytes yet. */
static int decide_mode(follower_t *f, char *err, size_t errlen)
{
	char head[4096];
	ssize_t n = pread(f->fd, head, sizeof head, 0);
	if (n <= 0)
		return -1;
	if (f->format != FMT_JSONL && head[0] != '{' && head[0] != ' ' && head[0] != '\n' && head[0] != '\r' &&
	    head[0] != '\t' && head[0] != '[' && (unsigned char)head[0] != 0xef) {
		if (n < 8)
			return -1;
		int framing = otlp_pb_sniff((const uint8_t *)head, (size_t)n);
		if (framing == PB_VARINT || framing == PB_BE32) {
			f->mode = M_PB;
			f->framing = framing;
			f->format = FMT_OTLP;
			return 0;
		}
		if (framing == PB_SINGLE) {
			char *p = sanitize_str(f->path, 0);
			snprintf(err, errlen,
				 "%s is one protobuf message, not a stream of length-delimited ones: import it with `llmops "
				 "import` instead",
				 p);
			free(p);
			f->broken = 1;
			return -1;
		}
	}
	f->mode = M_LINES;
	if (f->format == FMT_AUTO)
		f->format = import_detect_format(head, (size_t)n) == FMT_OTLP ? FMT_OTLP : FMT_JSONL;
	return 0;
}

/* The complete messages at the start of the carry, into the batch; a
 * message longer than the limit, or a length that cannot be read, stops the
 * following (the stream cannot be found again after it). */
static void take_frames(follower_t *f, char *err, size_t errlen, int *bad)
{
	const uint8_t *p = (const uint8_t *)f->carry.p;
	size_t len = f->carry.len, off = 0;
	while (off < len) {
		uint64_t m;
		int k;
		if (f->framing == PB_VARINT) {
			k = otlp_pb_varint(p + off, len - off, &m);
			if (k == 0)
				break;
		} else {
			if (len - off < 4)
				break;
			m = (uint64_t)p[off] << 24 | (uint64_t)p[off + 1] << 16 | (uint64_t)p[off + 2] << 8 | p[off + 3];
			k = 4;
		}
		if (k < 0 || m > OTLP_PB_MAX_MSG) {
			char *path = sanitize_str(f->path, 0);
			snprintf(err, errlen, "%s: message %llu: %s; stopped following it", path,
				 (unsigned long long)f->lineno + 1,
				 k < 0 ? "its length is not a valid varint" : "longer than the 256 MiB limit");
			free(path);
			f->broken = 1;
			(*bad)++;
			off = len;
			break;
		}
		if (len - off - (size_t)k < m)
			break;
		f->lineno++;
		char e[256];
		if (otlp_pb_parse(p + off + k, (size_t)m, &f->batch, e, sizeof e) && !*bad) {
			char *path = sanitize_str(f->path, 0);
			snprintf(err, errlen, "%s: message %llu: %s", path, (unsigned long long)f->lineno, e);
			free(path);
			(*bad)++;
		}
		off += (size_t)k + (size_t)m;
	}
	if (off) {
		memmove(f->carry.p, f->carry.p + off, len - off);
		f->carry.len = len - off;
	}
}

/* Appends what the file gained to the carry and takes its whole messages;
 * 1 at the end of the file. */
static int read_frames(follower_t *f, size_t budget, char *err, size_t errlen, int *bad)
{
	while (budget > 0 && !f->broken) {
		sb_grow(&f->carry, 65536);
		ssize_t n = pread(f->fd, f->carry.p + f->carry.len, 65536, f->offset);
		if (n <= 0)
			return 1;
		f->carry.len += (size_t)n;
		f->offset += n;
		budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
		take_frames(f, err, errlen, bad);
	}
	return f->broken;
}

int follower_note(follower_t *f, char *out, size_t n)
{
	if (!f->note[0])
		return 0;
	snprintf(out, n, "%s", f->note);
	f->note[0] = 0;
	return 1;
}

int follower_poll(follower_t *f, store_t *st, pricing_t *prices, char *err, size_t errlen)
{
	drain_inotify(f);
	struct stat sb;
	int exists = stat(f->path, &sb) == 0;
	if (!exists) {
		if (!f->seen && !f->waiting) {
			/* Not there yet: a service that has not started writing. */
			char *p = sanitize_str(f->path, 0);
			snprintf(f->note, sizeof f->note, "waiting for %s to appear", p);
			free(p);
			f->waiting = 1;
		} else if (f->seen && !f->vanished) {
			char *p = sanitize_str(f->path, 0);
			snprintf(err, errlen, "watched file %s vanished (%s)", p, strerror(errno));
			free(p);
			f->vanished = 1;
		}
	} else {
		if (f->waiting && !f->seen) {
			char *p = sanitize_str(f->path, 0);
			snprintf(f->note, sizeof f->note, "%s appeared; following it", p);
			free(p);
		}
		f->vanished = 0;
	}
	if (f->broken) {
		f->pending = 0;
		return 0;
	}
	if (f->fd < 0) {
		if (!exists) {
			f->pending = 0;
			return 0;
		}
		open_current(f);
		if (f->fd < 0) {
			f->pending = 0;
			return 0;
		}
	}
	int rotated = exists && (sb.st_ino != f->ino || sb.st_dev != f->dev);
	struct stat cur;
	if (fstat(f->fd, &cur) == 0 && cur.st_size < f->offset) {
		/* Truncated in place: start again from the top. */
		f->offset = 0;
		f->lineno = 0;
		sb_reset(&f->carry);
	}
	batch_reset(&f->batch);
	size_t budget = SLICE;
	int bad = 0, eof = 0;
	if (f->mode == M_UNKNOWN && decide_mode(f, err, errlen)) {
		f->pending = 0;
		return 0; /* too few bytes to tell yet */
	}
	if (f->mode == M_PB) {
		eof = read_frames(f, budget, err, errlen, &bad);
		goto read;
	}
	char *buf = xmalloc(65536 + f->carry.len);
	while (budget > 0) {
		size_t pre = f->carry.len;
		memcpy(buf, f->carry.p ? f->carry.p : "", pre);
		ssize_t n = pread(f->fd, buf + pre, 65536, f->offset);
		if (n <= 0) {
			eof = 1;
			break;
		}
		f->offset += n;
		budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
		take_lines(f, buf, pre + (size_t)n, err, errlen, &bad);
		buf = xrealloc(buf, 65536 + f->carry.len);
	}
	free(buf);
read:
	f->pending = !eof;
	if (eof && rotated && f->mode == M_PB) {
		if (f->carry.len && !bad) {
			char *p = sanitize_str(f->path, 0);
			snprintf(err, errlen, "%s: message %llu is cut short at the end of the file", p,
				 (unsigned long long)f->lineno + 1);
			free(p);
		}
		sb_reset(&f->carry);
		close(f->fd);
		f->fd = -1;
		f->mode = M_UNKNOWN;
		open_current(f);
		f->pending = f->fd >= 0;
	} else if (eof && rotated) {
		/* The old file is finished: the last line even without its newline. */
		if (f->carry.len) {
			sbuf tail = f->carry;
			memset(&f->carry, 0, sizeof f->carry);
			sb_addc(&tail, '\n');
			take_lines(f, tail.p, tail.len, err, errlen, &bad);
			sb_free(&tail);
		}
		close(f->fd);
		f->fd = -1;
		f->mode = M_UNKNOWN;
		open_current(f);
		f->pending = f->fd >= 0;
	}
	int stored = 0;
	if (f->batch.n || f->batch.nev || f->batch.nspans) {
		ingest_stats s = {0};
		char e[512];
		if (store_ingest(st, &f->batch, prices, &s, e, sizeof e)) {
			snprintf(err, errlen, "%s", e);
			batch_reset(&f->batch);
			return -1;
		}
		stored = (int)(s.inserted + s.filled + s.merged);
		/* A file followed for hours: now and then drop the steps of traces
		 * that never got a call (by now they are long finished). */
		uint64_t pruned;
		if (store_span_traces_pending(st) > FOLLOW_PRUNE_TRACES)
			store_prune_spans(st, &pruned);
	}
	batch_reset(&f->batch);
	/* What the store held back for other layers of the same requests goes
	 * out once their traces have been quiet a moment (ClickHouse). */
	ingest_stats s = {0};
	char e[512];
	if (store_settle(st, 0, prices, &s, e, sizeof e)) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	return stored + (int)(s.inserted + s.filled + s.merged);
}
