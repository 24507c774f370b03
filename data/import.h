/* Importers: the flat JSONL record, OTLP/JSON (Collector file-exporter lines
 * or one pretty-printed document) and simonw/llm's logs.db, into the store.
 * A file is parsed on the calling thread and written by a second one, so
 * that parsing and SQLite overlap on two cores. */
#ifndef LLMOPS_IMPORT_H
#define LLMOPS_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/batch.h"
#include "../core/pricing.h"
#include "store.h"

enum import_format { FMT_AUTO, FMT_JSONL, FMT_OTLP, FMT_LLM };
const char *import_format_name(int f);
/* FMT_LLM, FMT_OTLP or FMT_JSONL from a file's first bytes (JSON text). */
int import_detect_format(const char *p, size_t n);
int import_format_parse(const char *s);

#define IMPORT_MAX_LINE (16u << 20) /* a longer JSONL line is rejected */
#define IMPORT_MAX_DOC (256u << 20)  /* an OTLP line or document: a Collector batch with content */

/* What a call's numbers may be; a record outside them is rejected, so that no
 * sum or time computed from the store can overflow or mislead. */
#define IMPORT_MIN_TS_NS 946684800000000000LL /* 2000-01-01T00:00:00Z */
#define IMPORT_MAX_AHEAD_NS 86400000000000LL  /* a day after now: clocks drift */
#define IMPORT_MAX_TOKENS 1000000000LL        /* of each kind, in one call */
#define IMPORT_MAX_COST_USD 10000.0           /* one call */
#define IMPORT_MAX_MS 86400000.0              /* latency and time to first token: a day */

typedef struct import_opts {
	int format;
	int progress;          /* progress bar on stderr */
	int max_errors_shown;  /* then a count */
	pricing_t *prices;
	FILE *errs;            /* where "llmops: FILE:LINE: reason" goes (stderr) */
} import_opts;

typedef struct import_result {
	int format;            /* as detected */
	uint64_t records;      /* lines, documents or rows read */
	uint64_t calls;        /* calls parsed */
	uint64_t inserted, duplicates; /* committed: what is in the store */
	uint64_t rejected;     /* bad records */
	uint64_t skipped;      /* spans that were not LLM calls, log records without GenAI content */
	uint64_t events, filled;
	uint64_t merged;       /* LLM spans of a request another layer recorded too */
	uint64_t spans;        /* other spans kept with their traces */
	uint64_t bytes;
	double seconds;
	int store_failed;      /* writing the store failed midway (a full disk): the rest did not land */
} import_result;

/* The two-thread ingest used by every importer and the demo: fill the
 * current batch, flush it when full, finish at the end. With threaded = 0
 * everything happens on the caller's thread. */
typedef struct ingester ingester_t;
ingester_t *ingester_start(store_t *st, pricing_t *prices, int threaded);
batch_t *ingester_batch(ingester_t *in);
int ingester_flush(ingester_t *in); /* -1 once the store failed */
int ingester_finish(ingester_t *in, ingest_stats *stats, char *err, size_t errlen);
/* Compresses the batch's bodies with codec (the store's dictionary), off the
 * writer's thread; packed and z are scratch buffers the caller keeps. */
void ingest_compress(batch_t *b, body_codec *codec, sbuf *packed, sbuf *z);

/* How one file's import went; the command line makes its exit status of it. */
typedef enum import_status {
	IMPORT_OK,      /* everything landed */
	IMPORT_PARTIAL, /* some records were rejected, the rest landed */
	IMPORT_FAILED,  /* an unreadable file, nothing usable, or a store error */
} import_status;

/* Imports one file ("-" for standard input). Messages go to opts->errs;
 * res says what landed (and whether the store failed midway). */
import_status import_path(store_t *st, const char *path, const import_opts *opts, import_result *res);

/* Parsers, exposed for the tests and for the live followers. Each appends to
 * the batch and returns 0, or -1 with a reason in err (the batch is then
 * unchanged). */
int jsonl_parse_line(const char *line, size_t len, batch_t *b, char *err, size_t errlen);
/* The reference parser (cJSON) the fast path falls back to; for tests. */
int jsonl_parse_slow(const char *line, size_t len, batch_t *b, char *err, size_t errlen);
int otlp_parse_doc(const char *doc, size_t len, batch_t *b, char *err, size_t errlen);
/* The mapping of a parsed OTLP/JSON request (the protobuf reader builds the
 * same tree). doc is the text it was parsed from, whose digits give numeric
 * nanosecond times exactly; NULL when there is none (times are strings). */
struct cJSON;
int otlp_map_root(const struct cJSON *root, const char *doc, size_t len, batch_t *b, char *err, size_t errlen);
/* The same, as an OTLP receiver answers with partial success: a span that
 * cannot be imported is left out and counted in *rejected (the first reason
 * in err) and the rest is kept. -1 only for a request that is not OTLP at
 * all. */
int otlp_parse_doc_partial(const char *doc, size_t len, batch_t *b, uint64_t *rejected, char *err, size_t errlen);
int otlp_map_root_partial(const struct cJSON *root, const char *doc, size_t len, batch_t *b, uint64_t *rejected,
			  char *err, size_t errlen);

/* Checks a parsed call against the ranges above; ts_name names the start
 * time's field in the message. 0, or -1 with the reason in err. */
int import_check_call(const call_t *c, const char *ts_name, char *err, size_t errlen);

/* Validates a record's bytes: NUL bytes and invalid UTF-8 make it binary.
 * Returns the offset of the first bad byte, or -1 when the text is clean. */
long text_check(const char *s, size_t n);
/* Offset of a \u0000 escape in JSON text (not an escaped backslash before
 * "u0000"), or -1: decoded, it would cut the value holding it. */
long json_nul_escape(const char *s, size_t n);

/* simonw/llm logs.db: calls are read into the batch given, which is handed
 * to emit() when full (and at the end); emit returns the batch to fill next,
 * or NULL to stop. 0 or -1 with a message in err. */
typedef batch_t *(*llmdb_emit_fn)(batch_t *full, void *ud);
/* A row that cannot be imported: where names it by table, rowid and id
 * ("responses row 12 (id ...)"). */
typedef void (*llmdb_reject_fn)(void *ud, const char *where, const char *reason);
int llmdb_read(const char *path, llmdb_emit_fn emit, llmdb_reject_fn reject, void *ud, batch_t *b, char *err,
	       size_t errlen);

#endif
