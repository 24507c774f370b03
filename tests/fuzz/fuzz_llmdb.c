/* A simonw/llm logs.db through llmdb_read: the input is written to a file
 * of a private temporary folder and opened as the importer opens it, read
 * only. A corrupt database must give an error, never a crash. */
#include <stdlib.h>
#include <unistd.h>

#include "../../core/batch.h"
#include "../../data/import.h"
#include "fuzz.h"

static char dir[64], db[96], wal[100], shm[100], journal[110];
static pricing_t *prices;

static void cleanup(void)
{
	unlink(db);
	unlink(wal);
	unlink(shm);
	unlink(journal);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/llmops-fuzz-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz_llmdb: mkdtemp");
		exit(1);
	}
	snprintf(db, sizeof db, "%s/logs.db", dir);
	snprintf(wal, sizeof wal, "%s-wal", db);
	snprintf(shm, sizeof shm, "%s-shm", db);
	snprintf(journal, sizeof journal, "%s-journal", db);
	atexit(cleanup);
	prices = pricing_new();
	return 0;
}

typedef struct sink {
	unsigned batches;
	uint64_t calls;
} sink;

/* What the importer does with a full batch, without a store: prepare it,
 * then take it back empty. */
static batch_t *emit(batch_t *b, void *ud)
{
	sink *s = ud;
	s->batches++;
	s->calls += b->n;
	for (size_t i = 0; i < b->n; i++)
		fuzz_touch_call(&b->calls[i]);
	batch_prepare(b, prices);
	batch_reset(b);
	return b;
}

/* A rejected row names where it is and why, in text a terminal may show. */
static void reject(void *ud, const char *where, const char *reason)
{
	(void)ud;
	FUZZ_CHECK(where && *where && reason && *reason, "a row rejected without saying where or why");
	fuzz_touch(where);
	fuzz_touch(reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(db, "wb");
	FUZZ_CHECK(f, "cannot write %s", db);
	FUZZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", db);
	batch_t b = {0};
	sink s = {0};
	char err[512] = "";
	int rc = llmdb_read(db, emit, reject, &s, &b, err, sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1, "odd return %d", rc);
	if (rc)
		fuzz_check_err(err, sizeof err);
	batch_free(&b);
	unlink(wal);
	unlink(shm);
	unlink(journal);
	return 0;
}
