/* The full-text index over call inputs and outputs.
 *
 * It is contentless (the text lives once, in the calls table) and built behind a
 * watermark, in slices, after the calls have landed: an import never waits
 * for it, and a search knows how much of the store it covers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/genai.h"
#include "store_internal.h"

int64_t fts_indexed_upto(store_t *st)
{
	sqlite3_stmt *s = store_stmt(st, ST_FTS_META, "SELECT value FROM meta WHERE key='fts_upto'");
	int64_t v = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

static int set_upto(store_t *st, int64_t v)
{
	sqlite3_stmt *s = store_stmt(st, ST_FTS_SET, "INSERT OR REPLACE INTO meta(key, value) VALUES('fts_upto', ?)");
	sqlite3_bind_int64(s, 1, v);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(s);
	return rc;
}

static void body_texts(const char *input, const char *output, sbuf *in, sbuf *out)
{
	sb_reset(in);
	sb_reset(out);
	genai_messages_text(input, in);
	if (output)
		sb_adds(out, output);
}

/* cmd is NULL to add the row, "delete" to remove what was added for it. */
static int fts_write(store_t *st, int64_t id, const char *input, const char *output, const char *cmd)
{
	sbuf in = SBUF_INIT, out = SBUF_INIT;
	body_texts(input, output, &in, &out);
	sqlite3_stmt *s;
	int rc = -1;
	const char *sql = cmd ? "INSERT INTO call_fts(call_fts, rowid, input, output) VALUES('delete', ?, ?, ?)"
			      : "INSERT INTO call_fts(rowid, input, output) VALUES(?, ?, ?)";
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, sb_str(&in), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, sb_str(&out), -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(s);
	}
	sb_free(&in);
	sb_free(&out);
	return rc;
}

int fts_remove(store_t *st, int64_t id)
{
	char *input = NULL, *output = NULL;
	if (store_call_body(st, id, &input, &output, NULL, NULL))
		return 0; /* nothing was indexed */
	int rc = fts_write(st, id, input, output, "delete");
	free(input);
	free(output);
	return rc;
}

int fts_add(store_t *st, int64_t id)
{
	char *input = NULL, *output = NULL;
	if (store_call_body(st, id, &input, &output, NULL, NULL))
		return 0;
	int rc = fts_write(st, id, input, output, NULL);
	free(input);
	free(output);
	return rc;
}

static int64_t max_call_id(store_t *st)
{
	sqlite3_stmt *s = store_stmt(st, ST_MAX_ID, "SELECT max(id) FROM calls");
	int64_t v = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

int store_fts_step(store_t *st, int max_rows, int64_t *pending)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	int64_t upto = fts_indexed_upto(st), last = upto;
	sqlite3_stmt *s = store_stmt(st, ST_FTS_ROWS,
				     "SELECT id, zdict, body, input, output, variables, attrs FROM calls WHERE id > ?"
				     " ORDER BY id LIMIT ?");
	sqlite3_bind_int64(s, 1, upto);
	sqlite3_bind_int(s, 2, max_rows);
	int rc = 0, rows = 0;
	sbuf in = SBUF_INIT, out = SBUF_INIT;
	sqlite3_stmt *ins = store_stmt(st, ST_FTS_INSERT, "INSERT INTO call_fts(rowid, input, output) VALUES(?, ?, ?)");
	while (!rc && sqlite3_step(s) == SQLITE_ROW) {
		last = sqlite3_column_int64(s, 0);
		char *input = NULL, *output = NULL;
		if (store_body_decode(st, s, 1, &input, &output, NULL, NULL) == 0) {
			body_texts(input, output, &in, &out);
			sqlite3_bind_int64(ins, 1, last);
			sqlite3_bind_text(ins, 2, sb_str(&in), -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, sb_str(&out), -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = -1;
			sqlite3_reset(ins);
		}
		free(input);
		free(output);
		rows++;
	}
	sqlite3_reset(s);
	sb_free(&in);
	sb_free(&out);
	int64_t maxid = max_call_id(st);
	if (!rc && rows < max_rows)
		last = maxid > last ? maxid : last;
	if (!rc)
		rc = set_upto(st, last);
	if (rc || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (pending)
		*pending = maxid > last ? maxid - last : 0;
	return 0;
}

int store_fts_search(store_t *st, const char *query, int64_t *ids, int max, int *n, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT rowid FROM call_fts WHERE call_fts MATCH ? ORDER BY rowid DESC LIMIT ?", -1,
			       &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		snprintf(err, errlen, "search: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int64_t store_fts_pending(store_t *st)
{
	int64_t maxid = max_call_id(st), upto = fts_indexed_upto(st);
	return maxid > upto ? maxid - upto : 0;
}
