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

/* What is indexed: ranges of call ids, kept in meta as "lo-hi,lo-hi" from the
 * newest down (a bare number N, as older stores hold, is 1-N). The index grows
 * from the newest call down, so that the calls an engineer looks at first are
 * searchable first; calls that arrive later open a range of their own above,
 * filled in the same way, and ranges that meet are merged. */
#define MAX_RANGES 64

typedef struct id_range {
	int64_t lo, hi;
} id_range;

static int load_ranges(store_t *st, id_range *r)
{
	sqlite3_stmt *s = store_stmt(st, ST_FTS_META, "SELECT value FROM meta WHERE key='fts_upto'");
	int n = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(s, 0);
		while (p && *p && n < MAX_RANGES) {
			char *end;
			long long a = strtoll(p, &end, 10), b = a;
			if (end == p)
				break;
			if (*end == '-') {
				p = end + 1;
				b = strtoll(p, &end, 10);
				if (end == p)
					break;
			} else {
				a = 1;
			}
			if (a <= b && b > 0)
				r[n++] = (id_range){a, b};
			p = *end == ',' ? end + 1 : "";
		}
	}
	if (s)
		sqlite3_reset(s);
	return n;
}

static int cmp_range(const void *x, const void *y)
{
	const id_range *a = x, *b = y;
	return a->hi < b->hi ? 1 : a->hi > b->hi ? -1 : 0;
}

/* Newest first, ranges that touch or overlap made one. */
static int merge_ranges(id_range *r, int n)
{
	qsort(r, (size_t)n, sizeof *r, cmp_range);
	int m = 0;
	for (int i = 0; i < n; i++) {
		if (m && r[i].hi + 1 >= r[m - 1].lo) {
			if (r[i].lo < r[m - 1].lo)
				r[m - 1].lo = r[i].lo;
		} else {
			r[m++] = r[i];
		}
	}
	return m;
}

static int save_ranges(store_t *st, const id_range *r, int n)
{
	char buf[MAX_RANGES * 42] = "";
	size_t len = 0;
	for (int i = 0; i < n && len < sizeof buf; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld-%lld", i ? "," : "", (long long)r[i].lo,
					(long long)r[i].hi);
	sqlite3_stmt *s = store_stmt(st, ST_FTS_SET, "INSERT OR REPLACE INTO meta(key, value) VALUES('fts_upto', ?)");
	sqlite3_bind_text(s, 1, buf, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(s);
	return rc;
}

int fts_indexed(store_t *st, int64_t id)
{
	id_range r[MAX_RANGES];
	int n = load_ranges(st, r);
	for (int i = 0; i < n; i++)
		if (id >= r[i].lo && id <= r[i].hi)
			return 1;
	return 0;
}

static int64_t unindexed(const id_range *r, int n, int64_t maxid)
{
	int64_t done = 0;
	for (int i = 0; i < n; i++) {
		int64_t hi = r[i].hi < maxid ? r[i].hi : maxid;
		if (hi >= r[i].lo)
			done += hi - r[i].lo + 1;
	}
	return maxid > done ? maxid - done : 0;
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

/* The highest run of ids not indexed yet: (*bottom, *top]. 0 when none. */
static int top_gap(const id_range *r, int n, int64_t maxid, int64_t *top, int64_t *bottom)
{
	int64_t above = maxid;
	for (int i = 0; i <= n; i++) {
		int64_t below = i < n ? r[i].hi : 0;
		if (above > below) {
			*top = above;
			*bottom = below;
			return 1;
		}
		if (i < n)
			above = r[i].lo - 1;
	}
	return 0;
}

int sq_fts_step(store_t *st, int max_rows, int64_t *pending)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	id_range r[MAX_RANGES + 1];
	int n = load_ranges(st, r);
	int64_t maxid = max_call_id(st), top, bottom;
	int rc = 0;
	if (top_gap(r, n, maxid, &top, &bottom)) {
		/* The slice is the newest max_rows calls of the gap, written in
		 * the order of ids all the same: FTS5 flushes its buffer at every
		 * rowid lower than the one before. */
		int64_t low = bottom + 1;
		sqlite3_stmt *s = store_stmt(st, ST_FTS_LOW,
					     "SELECT id FROM calls WHERE id <= ? AND id > ? ORDER BY id DESC LIMIT 1 OFFSET ?");
		sqlite3_bind_int64(s, 1, top);
		sqlite3_bind_int64(s, 2, bottom);
		sqlite3_bind_int(s, 3, max_rows - 1);
		if (sqlite3_step(s) == SQLITE_ROW)
			low = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		s = store_stmt(st, ST_FTS_ROWS,
			       "SELECT id, zdict, body, input, output, variables, attrs FROM calls"
			       " WHERE id >= ? AND id <= ? ORDER BY id");
		sqlite3_bind_int64(s, 1, low);
		sqlite3_bind_int64(s, 2, top);
		sbuf in = SBUF_INIT, out = SBUF_INIT;
		sqlite3_stmt *ins = store_stmt(st, ST_FTS_INSERT, "INSERT INTO call_fts(rowid, input, output) VALUES(?, ?, ?)");
		while (!rc && sqlite3_step(s) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(s, 0);
			char *input = NULL, *output = NULL;
			if (store_body_decode(st, s, 1, &input, &output, NULL, NULL) == 0) {
				body_texts(input, output, &in, &out);
				sqlite3_bind_int64(ins, 1, id);
				sqlite3_bind_text(ins, 2, sb_str(&in), -1, SQLITE_STATIC);
				sqlite3_bind_text(ins, 3, sb_str(&out), -1, SQLITE_STATIC);
				if (sqlite3_step(ins) != SQLITE_DONE)
					rc = -1;
				sqlite3_reset(ins);
			}
			free(input);
			free(output);
		}
		sqlite3_reset(s);
		sb_free(&in);
		sb_free(&out);
		r[n++] = (id_range){low, top};
		n = merge_ranges(r, n);
		if (n > MAX_RANGES)
			n = MAX_RANGES; /* never in practice: one range per burst of arrivals */
		if (!rc)
			rc = save_ranges(st, r, n);
	}
	if (rc || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (pending)
		*pending = unindexed(r, n, maxid);
	return 0;
}

int sq_fts_search(store_t *st, const char *query, int64_t *ids, int max, int *n, char *err, size_t errlen)
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

int64_t sq_fts_pending(store_t *st)
{
	id_range r[MAX_RANGES];
	int n = load_ranges(st, r);
	return unindexed(r, n, max_call_id(st));
}

/* Ids follow the order of arrival, not of time (a batch goes in in key
 * order), so "since" is read off the time index: the newest call outside the
 * newest range, found by walking the index down from the newest call, or from
 * the last answer, which can only have moved down since. */
int64_t sq_fts_since(store_t *st, int64_t hint)
{
	id_range r[MAX_RANGES];
	int n = load_ranges(st, r);
	int64_t maxid = max_call_id(st);
	if (!n || r[0].hi < maxid || !unindexed(r, n, maxid))
		return 0;
	sqlite3_stmt *s;
	int64_t ts = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT ts FROM calls INDEXED BY calls_ts WHERE ts <= ?2 AND id < ?1 ORDER BY ts DESC LIMIT 1",
			       -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, r[0].lo);
	sqlite3_bind_int64(s, 2, hint > 0 ? hint : INT64_MAX);
	if (sqlite3_step(s) == SQLITE_ROW)
		ts = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return ts;
}
