/* simonw/llm's logs.db, opened read-only: the 0.31 `responses` table and the
 * 0.32 content-addressed `threads`/`turns`/`messages`/`parts` tables (a 0.32
 * database holds both: old history in responses, new calls in turns). */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "import.h"

/* A ULID (26 Crockford base32 characters) is 128 bits: a trace id. */
static int ulid_bytes(const char *s, uint8_t out[16])
{
	static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	if (!s || strlen(s) != 26)
		return -1;
	uint8_t bits[17] = {0}; /* 130 bits, big-endian, two leading zero bits */
	for (int i = 0; i < 26; i++) {
		char ch = s[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 32);
		const char *p = strchr(alpha, ch);
		if (!p || !ch)
			return -1;
		unsigned v = (unsigned)(p - alpha);
		/* Shift the 136-bit buffer left by 5 and add v. */
		unsigned carry = v;
		for (int k = 16; k >= 0; k--) {
			unsigned x = ((unsigned)bits[k] << 5) | carry;
			bits[k] = (uint8_t)(x & 0xff);
			carry = x >> 8;
		}
	}
	memcpy(out, bits + 1, 16);
	return 0;
}

static void set_ids(call_t *c, const char *trace_ulid, const char *span_ulid)
{
	uint8_t b[16];
	if (ulid_bytes(trace_ulid, b) == 0) {
		memcpy(c->trace_id, b, 16);
	} else {
		uint64_t h = hash64(trace_ulid, strlen(trace_ulid), 11), g = hash64(trace_ulid, strlen(trace_ulid), 13);
		memcpy(c->trace_id, &h, 8);
		memcpy(c->trace_id + 8, &g, 8);
	}
	c->trace_len = 16;
	if (ulid_bytes(span_ulid, b) == 0) {
		memcpy(c->span_id, b + 8, 8); /* the random low half */
	} else {
		uint64_t h = hash64(span_ulid, strlen(span_ulid), 17);
		memcpy(c->span_id, &h, 8);
	}
	c->span_len = 8;
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static void set_model(call_t *c, arena_t *a, const char *model, const char *resolved)
{
	const char *m = resolved && *resolved ? resolved : model ? model : "(unknown)";
	const char *slash = strchr(m, '/');
	const char *prov = call_guess_provider(m);
	if (slash && prov) /* "anthropic/claude-3-haiku-20240307" */
		m = slash + 1;
	c->model = arena_strdup(a, m);
	if (model && resolved && *resolved && strcmp(model, resolved))
		c->request_model = arena_strdup(a, model);
	c->provider = prov ? prov : call_guess_provider(c->model);
}

/* A token count: a whole number from 0 to the import limit, or -1 with the
 * reason (a column may hold a real or text whatever the schema says). */
static int token_value(double v, const char *name, int64_t *out, char *err, size_t errlen)
{
	if (!(v >= 0 && v <= (double)IMPORT_MAX_TOKENS) || v != (double)(int64_t)v) {
		snprintf(err, errlen, "%s: %.15g is out of range (a whole number from 0 to 1,000,000,000)", name, v);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

static int token_col(sqlite3_stmt *s, int i, const char *name, int64_t *out, char *err, size_t errlen)
{
	int t = sqlite3_column_type(s, i);
	if (t == SQLITE_NULL)
		return 0;
	if (t == SQLITE_INTEGER) {
		int64_t v = sqlite3_column_int64(s, i);
		if (v >= 0 && v <= IMPORT_MAX_TOKENS) {
			*out = v;
			return 0;
		}
		snprintf(err, errlen, "%s: %lld is out of range (0 to 1,000,000,000)", name, (long long)v);
		return -1;
	}
	if (t != SQLITE_FLOAT) {
		snprintf(err, errlen, "%s: not a number", name);
		return -1;
	}
	return token_value(sqlite3_column_double(s, i), name, out, err, errlen);
}

/* Tokens: OpenAI's input includes cached tokens (prompt_tokens_details);
 * Anthropic's excludes cache reads and writes, which llmops counts as input. */
static int set_tokens(call_t *c, sqlite3_stmt *s, int in_col, int out_col, int details_col, char *err, size_t errlen)
{
	if (token_col(s, in_col, "input_tokens", &c->input_tokens, err, errlen) ||
	    token_col(s, out_col, "output_tokens", &c->output_tokens, err, errlen))
		return -1;
	cJSON *d = col(s, details_col) ? cJSON_Parse(col(s, details_col)) : NULL;
	const cJSON *ptd = cJSON_GetObjectItemCaseSensitive(d, "prompt_tokens_details");
	const cJSON *cached = cJSON_GetObjectItemCaseSensitive(ptd, "cached_tokens");
	const cJSON *cr = cJSON_GetObjectItemCaseSensitive(d, "cache_read_input_tokens");
	const cJSON *cw = cJSON_GetObjectItemCaseSensitive(d, "cache_creation_input_tokens");
	int rc = 0;
	if (cJSON_IsNumber(cached)) {
		rc = token_value(cached->valuedouble, "token_details cached_tokens", &c->cached_tokens, err, errlen);
	} else if (cJSON_IsNumber(cr) || cJSON_IsNumber(cw)) {
		int64_t r = 0, w = 0;
		if ((cJSON_IsNumber(cr) && token_value(cr->valuedouble, "token_details cache_read_input_tokens", &r, err, errlen)) ||
		    (cJSON_IsNumber(cw) &&
		     token_value(cw->valuedouble, "token_details cache_creation_input_tokens", &w, err, errlen))) {
			rc = -1;
		} else {
			/* each at most the limit, so the sum cannot overflow; the
			 * call's check holds it to the limit */
			c->cached_tokens = r;
			if (c->input_tokens >= 0)
				c->input_tokens += r + w;
		}
	}
	cJSON_Delete(d);
	return rc;
}

/* The time, tokens and duration of a row, checked as every importer checks
 * them; on failure the row is rejected by name and the call taken back. */
static int row_numbers(call_t *c, sqlite3_stmt *s, int ts_col, int dur_col, int in_col, int out_col, int details_col,
		       char *err, size_t errlen)
{
	const char *ts = col(s, ts_col);
	if (!ts) {
		snprintf(err, errlen, "datetime_utc is missing");
		return -1;
	}
	if (clock_parse_rfc3339(ts, strlen(ts), &c->ts_ns)) {
		char q[64];
		sanitize_clip(ts, 40, q, sizeof q);
		snprintf(err, errlen, "datetime_utc: '%s' is not a time", q);
		return -1;
	}
	if (sqlite3_column_type(s, dur_col) != SQLITE_NULL) {
		double ms = sqlite3_column_double(s, dur_col);
		if (!(ms >= 0)) {
			snprintf(err, errlen, "duration_ms: %.15g is negative", ms);
			return -1;
		}
		c->latency_ms = ms;
	}
	if (set_tokens(c, s, in_col, out_col, details_col, err, errlen))
		return -1;
	return import_check_call(c, "datetime_utc", err, errlen);
}

static void reject_row(llmdb_reject_fn reject, void *ud, batch_t *b, const char *table, uint64_t row, const char *id,
		       const char *reason)
{
	b->n--;
	if (!reject)
		return;
	char where[160], q[64];
	sanitize_clip(id, 40, q, sizeof q);
	snprintf(where, sizeof where, "%s row %llu (id %s)", table, (unsigned long long)row, q);
	reject(ud, where, reason);
}

static void add_msg(cJSON *arr, const char *role, const char *text)
{
	if (!text || !*text)
		return;
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", text);
	cJSON_AddItemToArray(arr, m);
}

#define LLMDB_STALL_S 30.0
#define LLMDB_MAX_FRAGMENTS 10000 /* of one prompt or system prompt */

static __thread double llmdb_last_row;
static __thread int llmdb_stalled;
/* No table of a file can hold more rows than its bytes allow (a row takes
 * 4 bytes at least): a damaged file whose pages loop would yield rows for
 * ever. */
static __thread uint64_t llmdb_max_rows, llmdb_rows;
static __thread int llmdb_looped;

/* Counts a row of a main table; -1 once there are more than the file holds. */
static int row_seen(void)
{
	llmdb_last_row = clock_mono();
	if (++llmdb_rows <= llmdb_max_rows)
		return 0;
	llmdb_looped = 1;
	return -1;
}

static int stall_check(void *ud)
{
	(void)ud;
	if (clock_mono() - llmdb_last_row <= LLMDB_STALL_S)
		return 0;
	llmdb_stalled = 1;
	return 1; /* interrupts the statement */
}

static char *fragments_text(sqlite3 *db, const char *table, const char *id_col, const char *id, const char *kind)
{
	char sql[256];
	if (kind)
		snprintf(sql, sizeof sql,
			 "SELECT f.content FROM %s x JOIN fragments f ON f.id = x.fragment_id WHERE x.%s = ? AND x.kind = ?"
			 " ORDER BY x.\"order\"",
			 table, id_col);
	else
		snprintf(sql, sizeof sql,
			 "SELECT f.content FROM %s x JOIN fragments f ON f.id = x.fragment_id WHERE x.%s = ? ORDER BY x.\"order\"",
			 table, id_col);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (kind)
		sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sbuf b = SBUF_INIT;
	int n = 0;
	while (n++ < LLMDB_MAX_FRAGMENTS && sqlite3_step(s) == SQLITE_ROW) {
		llmdb_last_row = clock_mono();
		if (b.len)
			sb_addc(&b, '\n');
		sb_adds(&b, col(s, 0) ? col(s, 0) : "");
	}
	sqlite3_finalize(s);
	return b.len ? sb_steal(&b) : (sb_free(&b), NULL);
}

static char *join2(char *a, const char *b)
{
	if (!a)
		return b ? strdup(b) : NULL;
	if (!b || !*b)
		return a;
	sbuf s = SBUF_INIT;
	sb_printf(&s, "%s\n%s", a, b);
	free(a);
	return sb_steal(&s);
}

static int table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *s;
	int yes = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_finalize(s);
	}
	return yes;
}

static int flush(batch_t **b, llmdb_emit_fn emit, void *ud, int force)
{
	if ((*b)->n >= 2048 || (force && ((*b)->n || (*b)->records))) {
		*b = emit(*b, ud);
		if (!*b)
			return -1;
	}
	return 0;
}

static int read_responses(sqlite3 *db, llmdb_emit_fn emit, llmdb_reject_fn reject, void *ud, batch_t **bp)
{
	batch_t *b = *bp;
	int has_frag = table_exists(db, "prompt_fragments") && table_exists(db, "fragments");
	int has_tools = table_exists(db, "tool_calls");
	sqlite3_stmt *s, *tc = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, model, resolved_model, prompt, system, response, conversation_id, duration_ms,"
			       " datetime_utc, input_tokens, output_tokens, token_details, options_json, rowid FROM responses ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK) {
		/* Older schemas lack resolved_model or token_details. */
		if (sqlite3_prepare_v2(db,
				       "SELECT id, model, NULL, prompt, system, response, conversation_id, duration_ms,"
				       " datetime_utc, input_tokens, output_tokens, NULL, options_json, rowid FROM responses ORDER BY id",
				       -1, &s, NULL) != SQLITE_OK)
			return -1;
	}
	if (has_tools)
		sqlite3_prepare_v2(db, "SELECT name, arguments FROM tool_calls WHERE response_id = ? ORDER BY id", -1, &tc, NULL);
	int rc = 0;
	uint64_t row = 0;
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		if (row_seen()) {
			rc = -1;
			break;
		}
		const char *id = col(s, 0);
		b->records++;
		row = (uint64_t)sqlite3_column_int64(s, 13);
		if (!id) {
			if (reject) {
				char where[64];
				snprintf(where, sizeof where, "responses row %llu", (unsigned long long)row);
				reject(ud, where, "id is missing");
			}
			continue;
		}
		call_t *c = batch_add_call(b);
		arena_t *a = &b->arena;
		set_ids(c, col(s, 6) ? col(s, 6) : id, id);
		char why[256];
		if (row_numbers(c, s, 8, 7, 9, 10, 11, why, sizeof why)) {
			reject_row(reject, ud, b, "responses", row, id, why);
			continue;
		}
		set_model(c, a, col(s, 1), col(s, 2));
		c->operation = "chat";
		char *sys = has_frag ? fragments_text(db, "system_fragments", "response_id", id, NULL) : NULL;
		char *prompt = has_frag ? fragments_text(db, "prompt_fragments", "response_id", id, NULL) : NULL;
		sys = join2(sys, col(s, 4));
		prompt = join2(prompt, col(s, 3));
		cJSON *msgs = cJSON_CreateArray();
		add_msg(msgs, "system", sys);
		add_msg(msgs, "user", prompt);
		free(sys);
		free(prompt);
		if (cJSON_GetArraySize(msgs)) {
			char *j = cJSON_PrintUnformatted(msgs);
			c->input = arena_strdup(a, j);
			free(j);
		}
		cJSON_Delete(msgs);
		sbuf out = SBUF_INIT;
		if (col(s, 5))
			sb_adds(&out, col(s, 5));
		if (tc) {
			sqlite3_reset(tc);
			sqlite3_bind_text(tc, 1, id, -1, SQLITE_STATIC);
			int k = 0;
			while (k++ < LLMDB_MAX_FRAGMENTS && sqlite3_step(tc) == SQLITE_ROW)
				sb_printf(&out, "%s[tool call] %s(%s)", out.len ? "\n" : "", col(tc, 0) ? col(tc, 0) : "?",
					  col(tc, 1) ? col(tc, 1) : "");
		}
		if (out.len)
			c->output = arena_strdup(a, out.p);
		sb_free(&out);
		if (col(s, 12) && strcmp(col(s, 12), "{}")) {
			sbuf at = SBUF_INIT;
			sb_printf(&at, "{\"llm.options\":%s}", col(s, 12));
			cJSON *chk = cJSON_Parse(at.p);
			if (chk)
				c->attrs = arena_strdup(a, at.p);
			cJSON_Delete(chk);
			sb_free(&at);
		}
		rc = flush(&b, emit, ud, 0);
	}
	/* A read that ends in an error (a damaged page, a stall) is not the end
	 * of the table: say so rather than import half of it quietly. */
	if (!rc && step != SQLITE_DONE)
		rc = -1;
	*bp = b;
	sqlite3_finalize(tc);
	sqlite3_finalize(s);
	return rc;
}

/* Text of a 0.32 message: its parts in order; fragments resolved. */
static char *message_text(sqlite3 *db, const char *hash)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT type, tool_name, text, payload FROM parts WHERE message_hash = ? ORDER BY position", -1,
			       &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sbuf b = SBUF_INIT;
	int n = 0;
	while (n++ < LLMDB_MAX_FRAGMENTS && sqlite3_step(s) == SQLITE_ROW) {
		const char *type = col(s, 0) ? col(s, 0) : "text";
		const char *text = col(s, 2);
		cJSON *payload = col(s, 3) ? cJSON_Parse(col(s, 3)) : NULL;
		sbuf t = SBUF_INIT;
		if (text) {
			sb_adds(&t, text);
		} else {
			const cJSON *ref;
			cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(payload, "text_ref"))
			{
				const cJSON *lit = cJSON_GetObjectItemCaseSensitive(ref, "literal");
				const cJSON *frag = cJSON_GetObjectItemCaseSensitive(ref, "fragment");
				if (cJSON_IsString(lit)) {
					sb_adds(&t, lit->valuestring);
				} else if (cJSON_IsNumber(frag)) {
					sqlite3_stmt *f;
					if (sqlite3_prepare_v2(db, "SELECT content FROM fragments WHERE id = ?", -1, &f, NULL) ==
					    SQLITE_OK) {
						sqlite3_bind_int64(f, 1, (sqlite3_int64)frag->valuedouble);
						if (sqlite3_step(f) == SQLITE_ROW && col(f, 0))
							sb_adds(&t, col(f, 0));
						sqlite3_finalize(f);
					}
				}
			}
		}
		if (!strcmp(type, "tool_call")) {
			const cJSON *args = cJSON_GetObjectItemCaseSensitive(payload, "arguments");
			char *as = args ? cJSON_PrintUnformatted(args) : NULL;
			sb_printf(&b, "%s[tool call] %s(%s)", b.len ? "\n" : "", col(s, 1) ? col(s, 1) : "?", as ? as : "");
			free(as);
		} else if (t.len && strcmp(type, "reasoning")) {
			sb_printf(&b, "%s%s", b.len ? "\n" : "", t.p);
		}
		sb_free(&t);
		cJSON_Delete(payload);
	}
	sqlite3_finalize(s);
	return b.len ? sb_steal(&b) : (sb_free(&b), NULL);
}

static int read_turns(sqlite3 *db, llmdb_emit_fn emit, llmdb_reject_fn reject, void *ud, batch_t **bp)
{
	batch_t *b = *bp;
	sqlite3_stmt *s, *parent;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, thread_id, parent_message_hash, tip_message_hash, model, resolved_model, input_tokens,"
			       " output_tokens, token_details, duration_ms, datetime_utc, options_json, rowid FROM turns ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT parent_hash, role FROM messages WHERE hash = ?", -1, &parent, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return -1;
	}
	int rc = 0;
	uint64_t row = 0;
	int step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		if (row_seen()) {
			rc = -1;
			break;
		}
		const char *id = col(s, 0);
		b->records++;
		row = (uint64_t)sqlite3_column_int64(s, 12);
		if (!id) {
			if (reject) {
				char where[64];
				snprintf(where, sizeof where, "turns row %llu", (unsigned long long)row);
				reject(ud, where, "id is missing");
			}
			continue;
		}
		call_t *c = batch_add_call(b);
		arena_t *a = &b->arena;
		set_ids(c, col(s, 1) ? col(s, 1) : id, id);
		char why[256];
		if (row_numbers(c, s, 10, 9, 6, 7, 8, why, sizeof why)) {
			reject_row(reject, ud, b, "turns", row, id, why);
			continue;
		}
		set_model(c, a, col(s, 4), col(s, 5));
		c->operation = "chat";
		/* Walk the chain from the tip back to the root; the turn's reply is
		 * what lies after parent_message_hash. */
		char *hashes[512], *roles[512];
		int n = 0;
		const char *at = col(s, 3);
		char *cur = at ? strdup(at) : NULL;
		while (cur && n < 512) {
			sqlite3_reset(parent);
			sqlite3_bind_text(parent, 1, cur, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(parent) != SQLITE_ROW) {
				free(cur);
				break;
			}
			hashes[n] = cur;
			roles[n] = strdup(col(parent, 1) ? col(parent, 1) : "user");
			n++;
			cur = col(parent, 0) ? strdup(col(parent, 0)) : NULL;
		}
		free(n == 512 ? cur : NULL);
		const char *split = col(s, 2);
		int boundary = -1; /* index (in tip-first order) of parent_message_hash */
		for (int i = 0; i < n; i++)
			if (split && !strcmp(hashes[i], split)) {
				boundary = i;
				break;
			}
		cJSON *msgs = cJSON_CreateArray();
		sbuf out = SBUF_INIT;
		for (int i = n - 1; i >= 0; i--) {
			char *t = message_text(db, hashes[i]);
			if (boundary < 0 || i >= boundary) {
				add_msg(msgs, roles[i], t);
			} else if (t) {
				sb_printf(&out, "%s%s", out.len ? "\n" : "", t);
			}
			free(t);
		}
		for (int i = 0; i < n; i++) {
			free(hashes[i]);
			free(roles[i]);
		}
		if (cJSON_GetArraySize(msgs)) {
			char *j = cJSON_PrintUnformatted(msgs);
			c->input = arena_strdup(a, j);
			free(j);
		}
		cJSON_Delete(msgs);
		if (out.len)
			c->output = arena_strdup(a, out.p);
		sb_free(&out);
		rc = flush(&b, emit, ud, 0);
	}
	if (!rc && step != SQLITE_DONE)
		rc = -1;
	*bp = b;
	sqlite3_finalize(parent);
	sqlite3_finalize(s);
	return rc;
}

int llmdb_read(const char *path, llmdb_emit_fn emit, llmdb_reject_fn reject, void *ud, batch_t *b, char *err,
	       size_t errlen)
{
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 2000);
	/* A damaged file must not send SQLite round a loop of pages: check each
	 * page's cells as it is read, and stop a read that yields nothing for a
	 * long time (no row in LLMDB_STALL_S seconds). */
	sqlite3_exec(db, "PRAGMA cell_size_check=ON", NULL, NULL, NULL);
	llmdb_last_row = clock_mono();
	llmdb_stalled = llmdb_looped = 0;
	llmdb_rows = 0;
	llmdb_max_rows = UINT64_MAX;
	sqlite3_stmt *ps;
	if (sqlite3_prepare_v2(db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", -1, &ps,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_int64(ps, 0) > 0)
			llmdb_max_rows = (uint64_t)sqlite3_column_int64(ps, 0) / 4;
		sqlite3_finalize(ps);
	}
	sqlite3_progress_handler(db, 10000, stall_check, NULL);
	int gen1 = table_exists(db, "responses"), gen2 = table_exists(db, "turns") && table_exists(db, "messages");
	int rc = 0;
	if (!gen1 && !gen2) {
		if (sqlite3_exec(db, "SELECT 1 FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK)
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		else
			snprintf(err, errlen, "%s: not an llm logs.db (no responses or turns table)", path);
		rc = -1;
	}
	if (!rc && gen1 && read_responses(db, emit, reject, ud, &b)) {
		snprintf(err, errlen, "%s: reading responses: %s", path,
			 llmdb_looped	 ? "more rows than the file can hold: it is damaged; stopped"
			 : llmdb_stalled ? "no row for a long time (a damaged file?); stopped"
					 : sqlite3_errmsg(db));
		rc = -1;
	}
	if (!rc && gen2 && read_turns(db, emit, reject, ud, &b)) {
		snprintf(err, errlen, "%s: reading turns: %s", path,
			 llmdb_looped	 ? "more rows than the file can hold: it is damaged; stopped"
			 : llmdb_stalled ? "no row for a long time (a damaged file?); stopped"
					 : sqlite3_errmsg(db));
		rc = -1;
	}
	if (!rc && flush(&b, emit, ud, 1))
		rc = -1;
	sqlite3_close(db);
	return rc;
}
