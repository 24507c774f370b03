/* Importing files in the background (`llmops FILE...`): a thread runs the
 * ordinary import on its own store connection while the console shows what
 * has been committed. Each file is fed to the importer through a pipe by a
 * second thread, which counts the bytes (the progress line) and can stop
 * at any moment (q): the importer then sees the end of its input and
 * commits what it read, as at the end of a shorter file. */
#ifndef LLMOPS_BGIMPORT_H
#define LLMOPS_BGIMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/pricing.h"

typedef struct bgimport bgimport_t;

typedef struct bgimport_progress {
	char file[256];     /* the file being read (or the last one), sanitised */
	int index, nfiles;  /* which of them, from 0 */
	uint64_t bytes;     /* read of it so far */
	uint64_t size;      /* its size; 0 when unknown (a pipe, a logs.db) */
	uint64_t calls;     /* committed to the store so far, every file */
	double seconds;     /* since the file was started (when done: all of them) */
	int done;           /* every file read, or stopped */
	int stopped;        /* stopped before the end (bgimport_stop) */
	int worst;          /* when done: 0 all landed, 1 some records rejected, 2 a file failed */
} bgimport_progress;

/* Starts importing the files into the store at store_path (which exists).
 * NULL with the reason in err. */
bgimport_t *bgimport_start(const char *store_path, const char *const *files, int nfiles, int format,
			   pricing_t *prices, char *err, size_t errlen);
/* Readable when there is news: progress, a message, the end. */
int bgimport_fd(bgimport_t *b);
/* Empties the descriptor's news. */
void bgimport_drain(bgimport_t *b);
void bgimport_get(bgimport_t *b, bgimport_progress *p);
/* 1 when done, or when a FIFO gave some bytes, the importer has them all
 * and the FIFO has no more yet: nothing changes until it is written to (the
 * screen tests' pause). */
int bgimport_idle(bgimport_t *b);
/* Message i, oldest first: a rejected record ("FILE:LINE: reason", *error
 * set) or a file finished ("imported N calls from FILE in T s"). 1 with it
 * in out, 0 when there is none (yet). The first 200 are kept. */
int bgimport_message(bgimport_t *b, size_t i, char *out, size_t n, int *error);
/* Stops reading: what was read is committed; returns once the threads are
 * done. Harmless once the import has ended. */
void bgimport_stop(bgimport_t *b);
void bgimport_free(bgimport_t *b);

/* "importing FILE: 312 MB of 2.0 GB (15%), 150,000 calls, 12 s left". */
void bgimport_line(const bgimport_progress *p, char *out, size_t n);
/* "2.0 GB", "312 MB", "4.1 KB": sizes as the progress line gives them. */
void bgimport_fmt_bytes(uint64_t v, char *out, size_t n);

#endif
