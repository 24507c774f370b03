/* The import driver: opens the input, decides its format, splits it into
 * records, parses them on this thread and hands batches to a writer thread,
 * so that JSON parsing and SQLite work overlap on two cores. */
#include "import.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "otlp_pb.h"

static const char *const format_names[] = {"auto", "jsonl", "otlp", "llm"};

const char *import_format_name(int f)
{
	return f >= 0 && f < 4 ? format_names[f] : "?";
}

int import_format_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, format_names[i]))
			return i;
	return -1;
}

#define BATCH_CALLS 4096
#define BATCH_BYTES (24u << 20)
#define READ_CHUNK (1u << 20)

/* ---- reading ----------------------------------------------------------- */

typedef struct reader {
	int fd;
	const char *label;   /* file name as the user wrote it, for messages */
	char *buf;
	size_t cap, start, end;
	int eof;
	uint64_t consumed;   /* bytes handed out as records */
	uint64_t size;       /* 0 when unknown (pipes) */
} reader;

static int reader_fill(reader *r, char *err, size_t errlen)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		/* Callers give up on a record past the largest one allowed, so the
		 * buffer never needs to be much larger than that. */
		size_t cap = r->cap * 2;
		if (cap > IMPORT_MAX_DOC + READ_CHUNK)
			cap = IMPORT_MAX_DOC + READ_CHUNK;
		r->buf = xrealloc(r->buf, cap + 1);
		r->cap = cap;
	}
	for (;;) {
		ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", r->label, strerror(errno));
			return -1;
		}
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
		return 0;
	}
}

/* At least want bytes from start, fewer only at the end of the input. */
static int reader_need(reader *r, size_t want, char *err, size_t errlen)
{
	if (r->cap < want) {
		r->buf = xrealloc(r->buf, want + 1);
		r->cap = want;
	}
	while (r->end - r->start < want && !r->eof)
		if (reader_fill(r, err, errlen))
			return -1;
	return 0;
}

/* ---- the import -------------------------------------------------------- */

typedef struct run {
	const import_opts *o;
	import_result *res;
	ingester_t *ing;
	reader rd;
	double t0, last_draw;
	int drew;
	sbuf line_err; /* scratch */
} run;

static void clear_progress(run *r)
{
	if (r->drew) {
		fputs("\r\033[K", stderr);
		r->drew = 0;
	}
}

static void progress(run *r, int final)
{
	if (!r->o->progress)
		return;
	double now = clock_mono();
	if (!final && now - r->last_draw < 0.2)
		return;
	r->last_draw = now;
	double secs = now - r->t0;
	double mb = (double)r->rd.consumed / 1e6;
	double rate = secs > 0 ? mb / secs : 0;
	char recs[32];
	fmt_thousands(recs, sizeof recs, r->res->records);
	char line[200];
	int n = snprintf(line, sizeof line, "\r\033[K  %s records  %.1f MB  %.0f MB/s", recs, mb, rate);
	if (r->rd.size && rate > 0) {
		double frac = (double)r->rd.consumed / (double)r->rd.size;
		if (frac > 1)
			frac = 1;
		double eta = ((double)r->rd.size / 1e6 - mb) / rate;
		char bar[24];
		int fill = (int)(frac * 20);
		for (int i = 0; i < 20; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[20] = 0;
		snprintf(line + n, sizeof line - (size_t)n, "  [%s] %3.0f%%  ETA %.0fs", bar, frac * 100, eta < 0 ? 0 : eta);
	}
	fputs(line, stderr);
	fflush(stderr);
	r->drew = 1;
}

static void reject(run *r, uint64_t lineno, const char *reason)
{
	r->res->rejected++;
	if (r->res->rejected > (uint64_t)r->o->max_errors_shown)
		return;
	clear_progress(r);
	/* Reasons quote the input: nothing in it may reach the terminal raw. */
	char *label = sanitize_str(r->rd.label, 0), *why = sanitize_str(reason, 0);
	fprintf(r->o->errs, "llmops: %s:%llu: %s\n", label, (unsigned long long)lineno, why);
	free(why);
	free(label);
}

/* A logs.db row: named by its table, row number and id rather than a line. */
static void reject_row(void *ud, const char *where, const char *reason)
{
	run *r = ud;
	r->res->rejected++;
	if (r->res->rejected > (uint64_t)r->o->max_errors_shown)
		return;
	clear_progress(r);
	char *label = sanitize_str(r->rd.label, 0), *at = sanitize_str(where, 0), *why = sanitize_str(reason, 0);
	fprintf(r->o->errs, "llmops: %s: %s: %s\n", label, at, why);
	free(why);
	free(at);
	free(label);
}

/* A protobuf message has no line: its number and where it starts. */
static void reject_msg(run *r, uint64_t msgno, uint64_t offset, const char *reason)
{
	r->res->rejected++;
	if (r->res->rejected > (uint64_t)r->o->max_errors_shown)
		return;
	clear_progress(r);
	char *label = sanitize_str(r->rd.label, 0);
	fprintf(r->o->errs, "llmops: %s: message %llu (byte %llu): %s\n", label, (unsigned long long)msgno,
		(unsigned long long)offset, reason);
	free(label);
}

/* A full batch goes to the writer. */
static int hand_over(run *r)
{
	batch_t *b = ingester_batch(r->ing);
	if (b->n < BATCH_CALLS && b->arena.used_total < BATCH_BYTES && b->nev < BATCH_CALLS && b->nspans < 4 * BATCH_CALLS)
		return 0;
	r->res->skipped += b->skipped;
	return ingester_flush(r->ing);
}

static int parse_record(run *r, int fmt, const char *p, size_t n, uint64_t lineno)
{
	char err[256];
	batch_t *b = ingester_batch(r->ing);
	size_t before = b->n;
	int rc = fmt == FMT_OTLP ? otlp_parse_doc(p, n, b, err, sizeof err) : jsonl_parse_line(p, n, b, err, sizeof err);
	r->res->records++;
	b->records++;
	b->bytes += n;
	if (rc)
		reject(r, lineno, err);
	else
		r->res->calls += b->n - before;
	return hand_over(r);
}

static int parse_pb(run *r, const char *p, size_t n, uint64_t msgno, uint64_t offset)
{
	char err[256];
	batch_t *b = ingester_batch(r->ing);
	size_t before = b->n;
	int rc = otlp_pb_parse((const uint8_t *)p, n, b, err, sizeof err);
	r->res->records++;
	b->records++;
	b->bytes += n;
	if (rc)
		reject_msg(r, msgno, offset, err);
	else
		r->res->calls += b->n - before;
	return hand_over(r);
}

static int blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* One record a line (JSONL; OTLP as the Collector's file exporter writes it,
 * where one line is a whole batch of spans and may be as large as a
 * document). */
static int run_lines(run *r, int fmt, char *err, size_t errlen)
{
	reader *rd = &r->rd;
	uint64_t lineno = 0;
	int skipping = 0; /* inside an over-long line */
	size_t max_line = fmt == FMT_OTLP ? IMPORT_MAX_DOC : IMPORT_MAX_LINE;
	const char *too_long = fmt == FMT_OTLP ? "line longer than 256 MiB" : "line longer than 16 MiB";
	for (;;) {
		char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		if (nl) {
			size_t len = (size_t)(nl - (rd->buf + rd->start));
			lineno++;
			if (!skipping && len > max_line) {
				r->res->records++;
				reject(r, lineno, too_long);
			} else if (!skipping && !blank(rd->buf + rd->start, len)) {
				size_t l = len;
				if (l && rd->buf[rd->start + l - 1] == '\r')
					l--;
				if (parse_record(r, fmt, rd->buf + rd->start, l, lineno))
					return -1;
			}
			skipping = 0;
			rd->start += len + 1;
			rd->consumed += len + 1;
			progress(r, 0);
			continue;
		}
		if (rd->eof) {
			size_t len = rd->end - rd->start;
			if (len && !skipping && len > max_line) {
				r->res->records++;
				reject(r, lineno + 1, too_long);
			} else if (len && !skipping && !blank(rd->buf + rd->start, len)) {
				lineno++;
				if (parse_record(r, fmt, rd->buf + rd->start, len, lineno))
					return -1;
			}
			rd->consumed += len;
			rd->start = rd->end;
			return 0;
		}
		if (rd->end - rd->start > max_line && !skipping) {
			/* Rejected without holding it: drop what is read until its end. */
			r->res->records++;
			reject(r, lineno + 1, too_long);
			skipping = 1;
		}
		if (skipping) {
			rd->consumed += rd->end - rd->start;
			rd->start = rd->end;
		}
		if (reader_fill(rd, err, errlen))
			return -1;
	}
}

/* Whole JSON values, however they are laid out over lines (an OTLP request
 * pretty-printed, possibly several one after another). */
static int run_docs(run *r, char *err, size_t errlen)
{
	reader *rd = &r->rd;
	while (!rd->eof) {
		if (rd->end - rd->start > IMPORT_MAX_DOC) {
			snprintf(err, errlen, "%s: a JSON document larger than 256 MiB is not supported", rd->label);
			return -1;
		}
		if (reader_fill(rd, err, errlen))
			return -1;
	}
	const char *p = rd->buf + rd->start, *end = rd->buf + rd->end;
	uint64_t line = 1;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
			line += *p == '\n';
			p++;
		}
		if (p >= end)
			break;
		const char *s = p;
		uint64_t start_line = line;
		int depth = 0, in_str = 0, esc = 0;
		for (; p < end; p++) {
			char c = *p;
			if (c == '\n')
				line++;
			if (in_str) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					in_str = 0;
				continue;
			}
			if (c == '"')
				in_str = 1;
			else if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0) {
				p++;
				break;
			} else if (depth == 0 && (c == '\n')) {
				break; /* a bare scalar: let the parser say what is wrong */
			}
		}
		rd->consumed = (uint64_t)(p - rd->buf);
		if (parse_record(r, FMT_OTLP, s, (size_t)(p - s), start_line))
			return -1;
		progress(r, 0);
	}
	return 0;
}

/* OTLP protobuf: one message (the whole input), or messages each after its
 * length. A bad message is rejected and the next one read; a length that
 * claims more than the input holds ends the file. */
static int run_pb(run *r, int framing, char *err, size_t errlen)
{
	reader *rd = &r->rd;
	if (framing == PB_SINGLE) {
		while (!rd->eof && rd->end - rd->start <= OTLP_PB_MAX_MSG && rd->size <= OTLP_PB_MAX_MSG)
			if (reader_fill(rd, err, errlen))
				return -1;
		size_t n = rd->end - rd->start;
		if (n > OTLP_PB_MAX_MSG || rd->size > OTLP_PB_MAX_MSG) {
			r->res->records++;
			reject_msg(r, 1, 0, "a message larger than 256 MiB is not supported");
			return 0;
		}
		if (n && parse_pb(r, rd->buf + rd->start, n, 1, 0))
			return -1;
		rd->start = rd->end;
		rd->consumed += n;
		return 0;
	}
	char why[160];
	for (uint64_t msgno = 1;; msgno++) {
		if (reader_need(rd, framing == PB_BE32 ? 4 : 10, err, errlen))
			return -1;
		size_t avail = rd->end - rd->start;
		if (avail == 0)
			return 0;
		const uint8_t *p = (const uint8_t *)rd->buf + rd->start;
		uint64_t offset = rd->consumed, len;
		size_t hdr;
		if (framing == PB_BE32) {
			hdr = 4;
			if (avail < 4) {
				len = 0;
				hdr = 0;
			} else {
				len = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
			}
		} else {
			int k = otlp_pb_varint(p, avail, &len);
			if (k < 0) {
				r->res->records++;
				reject_msg(r, msgno, offset, "malformed length prefix; the rest of the file is not read");
				rd->consumed += avail;
				rd->start = rd->end;
				return 0;
			}
			hdr = (size_t)k;
		}
		if (hdr == 0) {
			r->res->records++;
			snprintf(why, sizeof why, "truncated: the length prefix is cut short (%zu bytes)", avail);
			reject_msg(r, msgno, offset, why);
			rd->consumed += avail;
			rd->start = rd->end;
			return 0;
		}
		if (len > OTLP_PB_MAX_MSG) {
			/* Passed over without holding it, to the next message. */
			r->res->records++;
			snprintf(why, sizeof why, "a message of %llu bytes is larger than 256 MiB", (unsigned long long)len);
			reject_msg(r, msgno, offset, why);
			uint64_t skip = hdr + len;
			while (skip) {
				size_t take = rd->end - rd->start < skip ? rd->end - rd->start : (size_t)skip;
				rd->start += take;
				rd->consumed += take;
				skip -= take;
				if (skip && rd->eof)
					return 0;
				if (skip && reader_fill(rd, err, errlen))
					return -1;
			}
			continue;
		}
		if (reader_need(rd, hdr + (size_t)len, err, errlen))
			return -1;
		avail = rd->end - rd->start;
		if (avail < hdr + len) {
			r->res->records++;
			snprintf(why, sizeof why, "truncated: the length prefix claims %llu bytes, %zu remain",
				 (unsigned long long)len, avail - hdr);
			reject_msg(r, msgno, offset, why);
			rd->consumed += avail;
			rd->start = rd->end;
			return 0;
		}
		if (parse_pb(r, rd->buf + rd->start + hdr, (size_t)len, msgno, offset))
			return -1;
		rd->start += hdr + (size_t)len;
		rd->consumed += hdr + len;
		progress(r, 0);
	}
}

/* Text that opens as JSON does (after a byte-order mark and blanks). */
static int json_start(const char *p, size_t n)
{
	size_t i = n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3) ? 3 : 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && (p[i] == '{' || p[i] == '[');
}

int import_detect_format(const char *p, size_t n)
{
	if (n >= 16 && !memcmp(p, "SQLite format 3", 16))
		return FMT_LLM;
	static const char *const keys[] = {"\"resourceSpans\"", "\"resourceLogs\"", "\"resourceMetrics\""};
	size_t look = n < 4096 ? n : 4096;
	for (int k = 0; k < 3; k++)
		if (memmem(p, look, keys[k], strlen(keys[k])))
			return FMT_OTLP;
	return FMT_JSONL;
}

/* OTLP laid out as one pretty-printed document rather than a request a line:
 * the first line is not a whole JSON value. */
static int otlp_doc_mode(const char *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	const char *nl = memchr(p + i, '\n', n - i);
	if (!nl)
		return 0; /* one line, or a first line longer than we peeked at */
	cJSON *j = cJSON_ParseWithLength(p + i, (size_t)(nl - (p + i)));
	int doc = j == NULL;
	cJSON_Delete(j);
	return doc;
}

static batch_t *emit_llm(batch_t *b, void *ud)
{
	run *r = ud;
	r->res->records += b->records;
	r->res->calls += b->n;
	r->res->skipped += b->skipped;
	if (ingester_flush(r->ing))
		return NULL;
	progress(r, 0);
	return ingester_batch(r->ing);
}

import_status import_path(store_t *st, const char *path, const import_opts *o, import_result *res)
{
	memset(res, 0, sizeof *res);
	run r = {0};
	r.o = o;
	r.res = res;
	r.t0 = clock_mono();
	char err[600] = "";
	int is_stdin = !strcmp(path, "-");
	r.rd.label = is_stdin ? "<stdin>" : path;
	char *label = sanitize_str(r.rd.label, 0);
	if (is_stdin) {
		r.rd.fd = 0;
	} else {
		r.rd.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r.rd.fd < 0) {
			fprintf(o->errs, "llmops: %s: %s\n", label, strerror(errno));
			free(label);
			return IMPORT_FAILED;
		}
	}
	struct stat sb;
	if (fstat(r.rd.fd, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			fprintf(o->errs, "llmops: %s: is a directory; give the files to import\n", label);
			close(r.rd.fd);
			free(label);
			return IMPORT_FAILED;
		}
		if (S_ISREG(sb.st_mode))
			r.rd.size = (uint64_t)sb.st_size;
	}
	r.rd.cap = READ_CHUNK * 2;
	r.rd.buf = xmalloc(r.rd.cap + 1);
	int rc = 0, doc_mode = 0, pb = -1;
	if (reader_fill(&r.rd, err, sizeof err) == 0) {
		while (!r.rd.eof && r.rd.end < 65536 && reader_fill(&r.rd, err, sizeof err) == 0)
			;
	}
	int fmt = o->format;
	if (!*err) {
		int detected = import_detect_format(r.rd.buf, r.rd.end);
		if (detected != FMT_LLM && (fmt == FMT_AUTO || fmt == FMT_OTLP)) {
			pb = otlp_pb_sniff((const uint8_t *)r.rd.buf, r.rd.end);
			/* Told it is OTLP, binary data is read as protobuf so that what
			 * is wrong with it is said in protobuf terms. */
			if (pb < 0 && fmt == FMT_OTLP && r.rd.end && !json_start(r.rd.buf, r.rd.end) &&
			    text_check(r.rd.buf, r.rd.end) >= 0)
				pb = r.rd.buf[0] == 0x0a ? PB_SINGLE : r.rd.buf[0] == 0 ? PB_BE32 : PB_VARINT;
			if (pb >= 0)
				detected = FMT_OTLP;
		}
		if (fmt == FMT_AUTO)
			fmt = detected;
		if (fmt == FMT_OTLP && pb < 0)
			doc_mode = otlp_doc_mode(r.rd.buf, r.rd.end);
		if (fmt == FMT_LLM && is_stdin)
			snprintf(err, sizeof err, "an llm logs.db cannot be read from standard input; give its path");
		else if (fmt == FMT_LLM && detected != FMT_LLM && r.rd.end)
			snprintf(err, sizeof err, "%s: not a SQLite database (an llm logs.db was expected)", label);
		else if (fmt != FMT_LLM && detected == FMT_LLM)
			snprintf(err, sizeof err, "%s: is a SQLite database; import it with --format llm (or auto)", label);
	}
	res->format = fmt;
	if (!*err && r.rd.end == 0 && r.rd.eof && fmt != FMT_LLM) {
		/* An empty file: nothing to do, and nothing wrong. */
	} else if (!*err) {
		r.ing = ingester_start(st, o->prices, 1);
		if (fmt == FMT_LLM) {
			close(r.rd.fd);
			r.rd.fd = -1;
			rc = llmdb_read(path, emit_llm, reject_row, &r, ingester_batch(r.ing), err, sizeof err);
			r.rd.consumed = r.rd.size;
		} else if (pb >= 0) {
			rc = run_pb(&r, pb, err, sizeof err);
		} else if (fmt == FMT_OTLP && doc_mode) {
			rc = run_docs(&r, err, sizeof err);
		} else {
			rc = run_lines(&r, fmt, err, sizeof err);
		}
		res->skipped += ingester_batch(r.ing)->skipped;
		ingest_stats st_stats;
		char werr[512] = "";
		if (ingester_finish(r.ing, &st_stats, werr, sizeof werr)) {
			rc = -1;
			res->store_failed = 1;
			/* The store's own error comes first: a parse that stopped
			 * because the writer failed has nothing more to say. */
			snprintf(err, sizeof err, "%s", werr);
		}
		res->inserted = st_stats.inserted;
		res->duplicates = st_stats.duplicates;
		res->merged = st_stats.merged;
		/* Steps of traces that hold no LLM call are not kept. */
		uint64_t pruned = 0;
		if (store_prune_spans(st, &pruned) && !*err)
			snprintf(err, sizeof err, "%s: could not drop the spans of traces without a call", store_path(st));
		res->skipped += pruned;
		res->spans = st_stats.spans > pruned ? st_stats.spans - pruned : 0;
		res->events = st_stats.events;
		res->filled = st_stats.filled;
	}
	progress(&r, 1);
	clear_progress(&r);
	if (r.rd.fd > 0)
		close(r.rd.fd);
	free(r.rd.buf);
	res->bytes = r.rd.consumed;
	res->seconds = clock_mono() - r.t0;
	if (res->rejected > (uint64_t)o->max_errors_shown)
		fprintf(o->errs, "llmops: %s: %llu more records rejected\n", label,
			(unsigned long long)(res->rejected - (uint64_t)o->max_errors_shown));
	import_status status = IMPORT_OK;
	if (*err || rc) {
		char *e = sanitize_str(err, 0);
		fprintf(o->errs, "llmops: %s\n", *e ? e : "import failed");
		free(e);
		if (res->store_failed)
			fprintf(o->errs,
				"llmops: %s: the import stopped there; when the store can be written again (a full disk: once "
				"space is freed), run the same import again: what landed is not imported twice\n",
				label);
		status = IMPORT_FAILED;
	} else if (res->rejected) {
		status = res->calls || res->events ? IMPORT_PARTIAL : IMPORT_FAILED;
	}
	free(label);
	return status;
}
