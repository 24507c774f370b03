/* The golden dataset: the event log and the items derived from it, undo,
 * claims, every export format read back as its consumer would, the atomic
 * write, and two processes labelling one file at once. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../core/clock.h"
#include "../../data/golden.h"
#include "t.h"

#define T0 (1795000000LL * NS_PER_S)

static golden_t *open_golden(const char *name)
{
	char *path = t_path(name);
	golden_t *g;
	char err[256];
	ck_assert_msg(golden_open(path, &g, err, sizeof err) == 0, "%s", err);
	free(path);
	return g;
}

static golden_call call_n(char *id, size_t idlen, int n)
{
	snprintf(id, idlen, "%016x", 0xa000 + n);
	golden_call c = {.call_id = id,
			 .trace_id = "0af7651916cd43dd8448eb211c80319c",
			 .model = "gpt-4o-mini",
			 .provider = "openai",
			 .prompt_name = "support-answer",
			 .prompt_version = "7",
			 .input = "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
				  "{\"role\":\"user\",\"content\":\"where is my parcel\"}]",
			 .output = "It is on its way.",
			 .ts_ns = T0 - NS_PER_HOUR};
	return c;
}

static void label(golden_t *g, const golden_call *c, const char *l, const char *who, int64_t now)
{
	char err[256];
	ck_assert_msg(golden_label(g, c, l, who, now, err, sizeof err) == 0, "%s", err);
}

/* The labelled ids, one string, comma-separated in their sorted order. */
static void labelled_are(golden_t *g, const char *want)
{
	char **ids, got[256] = "";
	size_t n;
	ck_assert_int_eq(golden_labelled_ids(g, &ids, &n), 0);
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "", ids[i]);
	golden_ids_free(ids, n);
	ck_assert_str_eq(got, want);
}

static char *label_of(golden_t *g, const char *call_id)
{
	golden_item it;
	ck_assert_int_eq(golden_get(g, call_id, &it), 0);
	char *l = it.label ? xstrdup(it.label) : NULL;
	golden_item_free(&it);
	return l;
}

START_TEST(golden_label_note_expected)
{
	golden_t *g = open_golden("g.db");
	char id[32], err[256];
	golden_call c = call_n(id, sizeof id, 1);
	golden_item it;
	ck_assert_int_eq(golden_get(g, id, &it), 1);
	ck_assert_int_eq(golden_is_labelled(g, id), 0);
	/* A note first: the item exists, unlabelled, with its call. */
	ck_assert_int_eq(golden_note(g, &c, "asks twice", "ann", T0, err, sizeof err), 0);
	ck_assert_int_eq(golden_get(g, id, &it), 0);
	ck_assert_ptr_null(it.label);
	ck_assert_str_eq(it.note, "asks twice");
	ck_assert_str_eq(it.output, "It is on its way.");
	ck_assert_str_eq(it.prompt_version, "7");
	ck_assert(it.call_ts_ns == T0 - NS_PER_HOUR);
	ck_assert(it.created_ns == T0);
	golden_item_free(&it);
	ck_assert_int_eq(golden_is_labelled(g, id), 0);
	ck_assert_int_eq(golden_count(g, NULL), 0);

	label(g, &c, "bad", "ann", T0 + NS_PER_S);
	ck_assert_int_eq(golden_expected(g, &c, "Parcel 42 arrives Tuesday.", "bob", T0 + 2 * NS_PER_S, err,
					 sizeof err), 0);
	ck_assert_int_eq(golden_get(g, id, &it), 0);
	ck_assert_str_eq(it.label, "bad");
	ck_assert_str_eq(it.annotator, "ann"); /* who set the label, not the expected answer */
	ck_assert_str_eq(it.expected, "Parcel 42 arrives Tuesday.");
	ck_assert_str_eq(it.note, "asks twice");
	ck_assert(it.created_ns == T0 && it.updated_ns == T0 + 2 * NS_PER_S);
	golden_item_free(&it);
	ck_assert_int_eq(golden_is_labelled(g, id), 1);
	ck_assert_int_eq(golden_count(g, NULL), 1);
	ck_assert_int_eq(golden_count(g, "bad"), 1);
	ck_assert_int_eq(golden_count(g, "good"), 0);
	ck_assert_int_eq(golden_count_by(g, "ann", T0), 1);
	ck_assert_int_eq(golden_count_by(g, "ann", T0 + 5 * NS_PER_S), 0);
	ck_assert_int_eq(golden_count_by(g, "bob", 0), 0);
	/* An empty note clears it. */
	ck_assert_int_eq(golden_note(g, &c, "", "ann", T0 + 3 * NS_PER_S, err, sizeof err), 0);
	ck_assert_int_eq(golden_get(g, id, &it), 0);
	ck_assert_ptr_null(it.note);
	golden_item_free(&it);
	/* Refused, and nothing written. */
	ck_assert_int_eq(golden_label(g, &c, "", "ann", T0, err, sizeof err), -1);
	ck_assert_int_eq(golden_label(g, &c, "good", "", T0, err, sizeof err), -1);
	ck_assert_int_eq(golden_event_count(g), 4);
	golden_close(g);
}
END_TEST

START_TEST(golden_undo_walks_back)
{
	golden_t *g = open_golden("g.db");
	char a[32], b[32], got[64], err[256];
	golden_call ca = call_n(a, sizeof a, 1), cb = call_n(b, sizeof b, 2);
	ck_assert_int_eq(golden_undo(g, "ann", T0, got, sizeof got, err, sizeof err), 1);
	ck_assert_str_eq(got, "");
	label(g, &ca, "good", "ann", T0 + 1);
	label(g, &ca, "bad", "ann", T0 + 2);
	label(g, &cb, "good", "ann", T0 + 3);
	/* Someone else's label is not ours to undo. */
	char c3[32];
	golden_call cc = call_n(c3, sizeof c3, 3);
	label(g, &cc, "bad", "bob", T0 + 4);
	labelled_are(g, "000000000000a001,000000000000a002,000000000000a003");

	ck_assert_int_eq(golden_undo(g, "ann", T0 + 5, got, sizeof got, err, sizeof err), 0);
	labelled_are(g, "000000000000a001,000000000000a003");
	ck_assert_str_eq(got, b);
	ck_assert_ptr_null(label_of(g, b));
	ck_assert_int_eq(golden_is_labelled(g, b), 0);
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 6, got, sizeof got, err, sizeof err), 0);
	ck_assert_str_eq(got, a);
	char *l = label_of(g, a);
	ck_assert_str_eq(l, "good"); /* back to the label before */
	free(l);
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 7, got, sizeof got, err, sizeof err), 0);
	ck_assert_str_eq(got, a);
	ck_assert_ptr_null(label_of(g, a));
	labelled_are(g, "000000000000a003");
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 8, got, sizeof got, err, sizeof err), 1);
	l = label_of(g, c3);
	ck_assert_str_eq(l, "bad");
	free(l);
	ck_assert_int_eq(golden_count(g, NULL), 1);

	/* A label after the undos stands, and is the next one undone. */
	label(g, &ca, "good", "ann", T0 + 9);
	l = label_of(g, a);
	ck_assert_str_eq(l, "good");
	free(l);
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 10, got, sizeof got, err, sizeof err), 0);
	ck_assert_str_eq(got, a);
	ck_assert_ptr_null(label_of(g, a));
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 11, got, sizeof got, err, sizeof err), 1);

	/* Undoing my label under a colleague's later one leaves theirs. */
	label(g, &cb, "good", "ann", T0 + 12);
	label(g, &cb, "bad", "bob", T0 + 13);
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 14, got, sizeof got, err, sizeof err), 0);
	golden_item it;
	ck_assert_int_eq(golden_get(g, b, &it), 0);
	ck_assert_str_eq(it.label, "bad");
	ck_assert_str_eq(it.annotator, "bob");
	golden_item_free(&it);
	/* ...and undoing theirs then finds nothing of mine standing below. */
	ck_assert_int_eq(golden_undo(g, "bob", T0 + 15, got, sizeof got, err, sizeof err), 0);
	ck_assert_str_eq(got, b);
	ck_assert_ptr_null(label_of(g, b));
	golden_close(g);
}
END_TEST

static int64_t q_int(const char *path, const char *q)
{
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

START_TEST(golden_events_append_only)
{
	char *path = t_path("g.db");
	golden_t *g;
	char err[256], id[32], got[64];
	ck_assert_int_eq(golden_open(path, &g, err, sizeof err), 0);
	golden_call c = call_n(id, sizeof id, 1);
	int64_t prev = golden_event_count(g);
	ck_assert_int_eq(prev, 0);
	label(g, &c, "good", "ann", T0 + 1);
	label(g, &c, "bad", "ann", T0 + 2);
	ck_assert_int_eq(golden_note(g, &c, "n", "ann", T0 + 3, err, sizeof err), 0);
	ck_assert_int_eq(golden_expected(g, &c, "x", "ann", T0 + 4, err, sizeof err), 0);
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 5, got, sizeof got, err, sizeof err), 0);
	ck_assert_int_eq(golden_undo(g, "ann", T0 + 6, got, sizeof got, err, sizeof err), 0);
	ck_assert_int_eq(golden_event_count(g), 6);
	golden_close(g);
	/* Every event kept as it was written; the undos point at the labels. */
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM golden_events"), 6);
	ck_assert_int_eq(q_int(path, "SELECT max(id) - min(id) + 1 FROM golden_events"), 6);
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM golden_events WHERE kind = 'label'"), 2);
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM golden_events WHERE kind = 'label' AND value = 'bad'"), 1);
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM golden_events u JOIN golden_events l ON l.id = u.undoes"
				     " WHERE u.kind = 'undo' AND l.kind = 'label'"), 2);
	ck_assert_int_eq(q_int(path, "SELECT label IS NULL FROM golden_items"), 1);
	/* Reopening keeps everything; the file is durable and for its owner. */
	ck_assert_int_eq(golden_open(path, &g, err, sizeof err), 0);
	ck_assert_int_eq(golden_event_count(g), 6);
	golden_close(g);
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	free(path);
}
END_TEST

START_TEST(golden_open_errors)
{
	golden_t *g;
	char err[256];
	ck_assert_int_eq(golden_open(t_tmpdir(), &g, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
	char *junk = t_path("junk.db");
	FILE *f = fopen(junk, "w");
	fputs("this is not sqlite, just some text long enough to have a header........................", f);
	fclose(f);
	ck_assert_int_eq(golden_open(junk, &g, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, junk));
	free(junk);
}
END_TEST

START_TEST(golden_claims)
{
	golden_t *g = open_golden("g.db");
	int64_t ttl = 60 * NS_PER_S;
	ck_assert_int_eq(golden_claim(g, "c1", "ann", T0, ttl), 1);
	ck_assert_int_eq(golden_claim(g, "c1", "bob", T0 + NS_PER_S, ttl), 0);
	ck_assert_int_eq(golden_claim(g, "c2", "bob", T0 + NS_PER_S, ttl), 1);
	/* Renewing our own claim moves it on. */
	ck_assert_int_eq(golden_claim(g, "c1", "ann", T0 + 30 * NS_PER_S, ttl), 1);
	ck_assert_int_eq(golden_claim(g, "c1", "bob", T0 + 61 * NS_PER_S, ttl), 0);
	/* Once it runs out, the other annotator takes it over. */
	ck_assert_int_eq(golden_claim(g, "c1", "bob", T0 + 90 * NS_PER_S, ttl), 1);
	ck_assert_int_eq(golden_claim(g, "c1", "ann", T0 + 91 * NS_PER_S, ttl), 0);
	/* Release drops only our own claim. */
	golden_release(g, "c1", "ann");
	ck_assert_int_eq(golden_claim(g, "c1", "ann", T0 + 92 * NS_PER_S, ttl), 0);
	golden_release(g, "c1", "bob");
	ck_assert_int_eq(golden_claim(g, "c1", "ann", T0 + 93 * NS_PER_S, ttl), 1);
	ck_assert_int_eq(golden_claim(g, "", "ann", T0, ttl), -1);
	/* A labelled call is never handed out again, not even to its claimant. */
	char id[32];
	golden_call c = call_n(id, sizeof id, 7);
	ck_assert_int_eq(golden_claim(g, id, "bob", T0, ttl), 1);
	label(g, &c, "good", "bob", T0);
	golden_release(g, id, "bob");
	ck_assert_int_eq(golden_claim(g, id, "ann", T0 + NS_PER_S, ttl), 2);
	ck_assert_int_eq(golden_claim(g, id, "bob", T0 + NS_PER_S, ttl), 2);
	golden_close(g);
}
END_TEST

/* Labels four calls: good as is, bad with a correction, bad without one,
 * and a note-only item that is not in any export. */
static golden_t *sample_set(void)
{
	golden_t *g = open_golden("g.db");
	char id[4][32], err[256];
	golden_call c[4];
	for (int i = 0; i < 4; i++)
		c[i] = call_n(id[i], sizeof id[i], i + 1);
	c[1].variables = "{\"question\":\"refund after 30 days?\",\"tier\":\"gold\"}";
	c[1].output = "No.";
	c[2].input = "just a bare prompt";
	c[2].output = "Bad answer \x1b]52;c;evil\x07 here";
	/* Labelled in this order: 2, then 0, then 1; export is oldest first. */
	label(g, &c[2], "bad", "bob", T0 + 1 * NS_PER_S);
	label(g, &c[0], "good", "ann", T0 + 2 * NS_PER_S);
	label(g, &c[1], "good", "ann", T0 + 3 * NS_PER_S);
	label(g, &c[1], "bad", "ann", T0 + 4 * NS_PER_S);
	ck_assert_int_eq(golden_expected(g, &c[1], "Yes, within 60 days.", "ann", T0 + 5 * NS_PER_S, err, sizeof err),
			 0);
	ck_assert_int_eq(golden_note(g, &c[1], "policy changed", "ann", T0 + 6 * NS_PER_S, err, sizeof err), 0);
	ck_assert_int_eq(golden_note(g, &c[3], "unsure", "ann", T0 + 7 * NS_PER_S, err, sizeof err), 0);
	return g;
}

/* The lines of an export file, each parsed (exits the test on bad JSON). */
static int read_lines(const char *path, cJSON **rows, int max)
{
	char *text = t_read(path, NULL);
	ck_assert_ptr_nonnull(text);
	int n = 0;
	size_t len = strlen(text);
	ck_assert(len == 0 || text[len - 1] == '\n');
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = 0;
		ck_assert_int_lt(n, max);
		rows[n] = cJSON_Parse(p);
		ck_assert_msg(cJSON_IsObject(rows[n]), "line %d is not a JSON object: %s", n + 1, p);
		n++;
	}
	free(text);
	return n;
}

static const char *s_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(v != NULL, "missing key %s", k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int export_to(golden_t *g, int fmt, const char *label_filter, cJSON **rows, int max)
{
	char *path = t_path("out.jsonl");
	size_t n = 99;
	char err[256];
	ck_assert_msg(golden_export(g, fmt, label_filter, path, &n, err, sizeof err) == 0, "%s", err);
	int got = read_lines(path, rows, max);
	ck_assert_int_eq((int)n, got);
	free(path);
	return got;
}

static void free_rows(cJSON **rows, int n)
{
	for (int i = 0; i < n; i++)
		cJSON_Delete(rows[i]);
}

START_TEST(golden_export_jsonl)
{
	golden_t *g = sample_set();
	cJSON *r[8];
	int n = export_to(g, GF_JSONL, NULL, r, 8);
	ck_assert_int_eq(n, 3);
	char first[32], second[32], third[32];
	call_n(first, sizeof first, 3);
	call_n(second, sizeof second, 1);
	call_n(third, sizeof third, 2);
	ck_assert_str_eq(s_of(r[0], "call_id"), first);
	ck_assert_str_eq(s_of(r[1], "call_id"), second);
	ck_assert_str_eq(s_of(r[2], "call_id"), third);
	const char *keys[] = {"id", "call_id", "label", "note", "input", "output", "expected", "model",
			      "prompt_name", "prompt_version", "annotator", "created_at"};
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
			ck_assert_msg(cJSON_HasObjectItem(r[i], keys[k]), "row %d lacks %s", i, keys[k]);
	/* The stable id, so that re-exports upsert instead of duplicating. */
	char want[64];
	snprintf(want, sizeof want, "golden-%s", third);
	ck_assert_str_eq(s_of(r[2], "id"), want);
	ck_assert_str_eq(s_of(r[2], "label"), "bad");
	ck_assert_str_eq(s_of(r[2], "expected"), "Yes, within 60 days.");
	ck_assert_str_eq(s_of(r[2], "note"), "policy changed");
	ck_assert_str_eq(s_of(r[2], "output"), "No.");
	ck_assert_str_eq(s_of(r[2], "annotator"), "ann");
	ck_assert_str_eq(s_of(r[2], "prompt_version"), "7");
	ck_assert_str_eq(s_of(r[2], "created_at"), "2026-11-18T11:06:43Z");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r[1], "expected")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r[1], "note")));
	/* input is the messages themselves, not a string holding them. */
	cJSON *in = cJSON_GetObjectItem(r[1], "input");
	ck_assert(cJSON_IsArray(in));
	ck_assert_int_eq(cJSON_GetArraySize(in), 2);
	ck_assert_str_eq(s_of(cJSON_GetArrayItem(in, 1), "content"), "where is my parcel");
	/* A bare prompt becomes one user message; the escape bytes are JSON
	 * escapes in the file and come back as they were. */
	in = cJSON_GetObjectItem(r[0], "input");
	ck_assert_int_eq(cJSON_GetArraySize(in), 1);
	ck_assert_str_eq(s_of(cJSON_GetArrayItem(in, 0), "role"), "user");
	ck_assert_str_eq(s_of(cJSON_GetArrayItem(in, 0), "content"), "just a bare prompt");
	ck_assert_str_eq(s_of(r[0], "output"), "Bad answer \x1b]52;c;evil\x07 here");
	free_rows(r, n);
	/* The label filter. */
	n = export_to(g, GF_JSONL, "bad", r, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(s_of(r[0], "label"), "bad");
	ck_assert_str_eq(s_of(r[1], "label"), "bad");
	free_rows(r, n);
	n = export_to(g, GF_JSONL, "meh", r, 8);
	ck_assert_int_eq(n, 0);
	golden_close(g);
}
END_TEST

START_TEST(golden_export_evals_chat)
{
	golden_t *g = sample_set();
	cJSON *r[8];
	/* The uncorrected bad answer is no ideal: it is left out. */
	int n = export_to(g, GF_EVALS, NULL, r, 8);
	ck_assert_int_eq(n, 2);
	ck_assert(cJSON_IsArray(cJSON_GetObjectItem(r[0], "input")));
	ck_assert_str_eq(s_of(r[0], "ideal"), "It is on its way.");
	ck_assert_str_eq(s_of(r[1], "ideal"), "Yes, within 60 days.");
	ck_assert_int_eq(cJSON_GetArraySize(r[0]), 2);
	free_rows(r, n);

	n = export_to(g, GF_CHAT, NULL, r, 8);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(cJSON_GetArraySize(r[i]), 1);
		cJSON *m = cJSON_GetObjectItem(r[i], "messages");
		ck_assert(cJSON_IsArray(m));
		ck_assert_int_eq(cJSON_GetArraySize(m), 3);
		cJSON *last = cJSON_GetArrayItem(m, 2);
		ck_assert_str_eq(s_of(last, "role"), "assistant");
		ck_assert_str_eq(s_of(last, "content"), i ? "Yes, within 60 days." : "It is on its way.");
		ck_assert_str_eq(s_of(cJSON_GetArrayItem(m, 0), "role"), "system");
	}
	free_rows(r, n);

	/* With no good label configured, only written answers are ideals. */
	golden_set_good_label(g, NULL);
	n = export_to(g, GF_EVALS, NULL, r, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(s_of(r[0], "ideal"), "Yes, within 60 days.");
	free_rows(r, n);
	golden_export_stats st;
	char err[256];
	char *path = t_path("x.jsonl");
	ck_assert_int_eq(golden_export_ex(g, GF_CHAT, NULL, path, &st, err, sizeof err), 0);
	ck_assert_int_eq((int)st.written, 1);
	ck_assert_int_eq((int)st.skipped, 2);
	free(path);
	golden_close(g);
}
END_TEST

START_TEST(golden_export_promptfoo_langfuse)
{
	golden_t *g = sample_set();
	cJSON *r[8];
	int n = export_to(g, GF_PROMPTFOO, NULL, r, 8);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < n; i++) {
		ck_assert(cJSON_IsObject(cJSON_GetObjectItem(r[i], "vars")));
		ck_assert(cJSON_IsArray(cJSON_GetObjectItem(r[i], "assert")));
		ck_assert(cJSON_IsObject(cJSON_GetObjectItem(r[i], "metadata")));
		ck_assert_ptr_nonnull(s_of(r[i], "description"));
	}
	/* The bad, uncorrected answer must not come back. */
	cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(r[0], "assert"), 0);
	ck_assert_str_eq(s_of(a, "type"), "not-equals");
	ck_assert_str_eq(s_of(a, "value"), "Bad answer \x1b]52;c;evil\x07 here");
	ck_assert_str_eq(s_of(cJSON_GetObjectItem(r[0], "vars"), "input"), "just a bare prompt");
	ck_assert_str_eq(s_of(cJSON_GetObjectItem(r[0], "metadata"), "label"), "bad");
	/* Without variables, the last user message is the input. */
	ck_assert_str_eq(s_of(cJSON_GetObjectItem(r[1], "vars"), "input"), "where is my parcel");
	a = cJSON_GetArrayItem(cJSON_GetObjectItem(r[1], "assert"), 0);
	ck_assert_str_eq(s_of(a, "type"), "equals");
	ck_assert_str_eq(s_of(a, "value"), "It is on its way.");
	/* With variables, they are the vars. */
	cJSON *v = cJSON_GetObjectItem(r[2], "vars");
	ck_assert_str_eq(s_of(v, "question"), "refund after 30 days?");
	ck_assert_str_eq(s_of(v, "tier"), "gold");
	ck_assert(!cJSON_HasObjectItem(v, "input"));
	a = cJSON_GetArrayItem(cJSON_GetObjectItem(r[2], "assert"), 0);
	ck_assert_str_eq(s_of(a, "value"), "Yes, within 60 days.");
	cJSON *m = cJSON_GetObjectItem(r[2], "metadata");
	ck_assert_str_eq(s_of(m, "prompt_name"), "support-answer");
	ck_assert_str_eq(s_of(m, "model"), "gpt-4o-mini");
	free_rows(r, n);

	n = export_to(g, GF_LANGFUSE, NULL, r, 8);
	ck_assert_int_eq(n, 3);
	char cid[32], want[64];
	call_n(cid, sizeof cid, 2);
	snprintf(want, sizeof want, "golden-%s", cid);
	ck_assert_str_eq(s_of(r[2], "id"), want);
	ck_assert_str_eq(s_of(r[2], "sourceObservationId"), cid);
	ck_assert_str_eq(s_of(r[2], "sourceTraceId"), "0af7651916cd43dd8448eb211c80319c");
	ck_assert_str_eq(s_of(r[2], "expectedOutput"), "Yes, within 60 days.");
	ck_assert(cJSON_IsArray(cJSON_GetObjectItem(r[2], "input")));
	ck_assert_str_eq(s_of(cJSON_GetObjectItem(r[2], "metadata"), "note"), "policy changed");
	ck_assert_str_eq(s_of(r[1], "expectedOutput"), "It is on its way.");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r[0], "expectedOutput")));
	free_rows(r, n);
	golden_close(g);
}
END_TEST

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

START_TEST(golden_export_atomic)
{
	golden_t *g = sample_set();
	char err[256];
	size_t n;
	char *dir = t_path("out");
	mkdir(dir, 0700);
	char *path = t_path("out/golden.jsonl");
	FILE *f = fopen(path, "w");
	fputs("old contents\n", f);
	fclose(f);
	ck_assert_int_eq(golden_export(g, GF_JSONL, NULL, path, &n, err, sizeof err), 0);
	ck_assert_int_eq((int)n, 3);
	/* Replaced whole, with no temporary file left beside it. */
	ck_assert_int_eq(count_entries(dir), 1);
	char *text = t_read(path, NULL);
	ck_assert_ptr_null(strstr(text, "old contents"));
	free(text);
	/* A target that cannot be written names itself, and leaves nothing. */
	char *missing = t_path("nowhere/golden.jsonl");
	ck_assert_int_eq(golden_export(g, GF_JSONL, NULL, missing, &n, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, missing));
	char *nowhere = t_path("nowhere");
	ck_assert_int_eq(access(nowhere, F_OK), -1);
	free(nowhere);
	/* A directory in the way: the rename fails, the temporary file goes. */
	char *isdir = t_path("out/sub");
	mkdir(isdir, 0700);
	ck_assert_int_eq(golden_export(g, GF_EVALS, NULL, isdir, &n, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, isdir));
	ck_assert_int_eq(count_entries(dir), 2);
	ck_assert_int_eq(golden_format_parse("promptfoo"), GF_PROMPTFOO);
	ck_assert_int_eq(golden_format_parse("csv"), -1);
	ck_assert_str_eq(golden_format_name(GF_LANGFUSE), "langfuse");
	free(isdir);
	free(missing);
	free(path);
	free(dir);
	golden_close(g);
}
END_TEST

/* Two processes label into one file at once: each its own 200 calls, and
 * both the same 50. Every label must be there afterwards. */
enum { PER_CHILD = 200, SHARED = 50 };

static void child_labels(const char *path, const char *who, int base)
{
	golden_t *g;
	char err[256], id[32];
	if (golden_open(path, &g, err, sizeof err))
		_exit(10);
	for (int i = 0; i < PER_CHILD + SHARED; i++) {
		int n = i < PER_CHILD ? base + i : 100000 + (i - PER_CHILD);
		golden_call c = call_n(id, sizeof id, n);
		if (golden_label(g, &c, i % 2 ? "good" : "bad", who, T0 + i, err, sizeof err)) {
			fprintf(stderr, "%s: %s\n", who, err);
			_exit(11);
		}
		if (i % 50 == 0 && golden_claim(g, id, who, T0 + i, NS_PER_S) < 0)
			_exit(12);
	}
	golden_close(g);
	_exit(0);
}

START_TEST(golden_two_processes)
{
	char *path = t_path("shared.db");
	golden_t *g;
	char err[256];
	/* The file exists before the race, as a team's shared one would. */
	ck_assert_int_eq(golden_open(path, &g, err, sizeof err), 0);
	golden_close(g);
	pid_t pids[2];
	const char *who[2] = {"ann", "bob"};
	for (int k = 0; k < 2; k++) {
		pids[k] = fork();
		ck_assert_int_ge(pids[k], 0);
		if (pids[k] == 0)
			child_labels(path, who[k], k * 10000);
	}
	for (int k = 0; k < 2; k++) {
		int status;
		ck_assert_int_eq(waitpid(pids[k], &status, 0), pids[k]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %s failed (%d)", who[k], status);
	}
	ck_assert_int_eq(golden_open(path, &g, err, sizeof err), 0);
	ck_assert_int_eq(golden_event_count(g), 2 * (PER_CHILD + SHARED));
	ck_assert_int_eq(golden_count(g, NULL), 2 * PER_CHILD + SHARED);
	ck_assert_int_eq(golden_count_by(g, "ann", 0) + golden_count_by(g, "bob", 0), 2 * PER_CHILD + SHARED);
	golden_close(g);
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM golden_events WHERE annotator = 'ann'"), PER_CHILD + SHARED);
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM golden_events WHERE annotator = 'bob'"), PER_CHILD + SHARED);
	/* Each shared item carries the label of its latest event. */
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM golden_items i WHERE i.label_event ="
				     " (SELECT max(id) FROM golden_events e WHERE e.call_id = i.call_id)"),
			 2 * PER_CHILD + SHARED);
	ck_assert_int_eq(q_int(path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	free(path);
}
END_TEST

/* Annotators who start at the same moment on a dataset that does not exist
 * yet: each opening makes it, or finds it made, and none is refused with
 * "database is locked" (switching to WAL and creating the tables take locks
 * that the busy timeout alone does not wait for). */
START_TEST(golden_opened_at_once)
{
	for (int round = 0; round < 20; round++) {
		char name[32];
		snprintf(name, sizeof name, "new-%d.db", round);
		char *path = t_path(name);
		int go[2];
		ck_assert_int_eq(pipe(go), 0);
		enum { N = 6 };
		pid_t pids[N];
		for (int k = 0; k < N; k++) {
			pids[k] = fork();
			ck_assert_int_ge(pids[k], 0);
			if (pids[k] == 0) {
				close(go[1]);
				char c;
				if (read(go[0], &c, 1) < 0)
					_exit(3);
				golden_t *g;
				char err[256];
				if (golden_open(path, &g, err, sizeof err)) {
					fprintf(stderr, "golden_open: %s\n", err);
					_exit(1);
				}
				golden_close(g);
				_exit(0);
			}
		}
		close(go[0]);
		close(go[1]); /* every child starts now */
		for (int k = 0; k < N; k++) {
			int status;
			ck_assert_int_eq(waitpid(pids[k], &status, 0), pids[k]);
			ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "round %d: opening %d failed (%d)",
				      round, k, status);
		}
		free(path);
	}
}
END_TEST

Suite *suite_golden(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("golden");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, golden_label_note_expected);
	tcase_add_test(tc, golden_undo_walks_back);
	tcase_add_test(tc, golden_events_append_only);
	tcase_add_test(tc, golden_open_errors);
	tcase_add_test(tc, golden_claims);
	tcase_add_test(tc, golden_export_jsonl);
	tcase_add_test(tc, golden_export_evals_chat);
	tcase_add_test(tc, golden_export_promptfoo_langfuse);
	tcase_add_test(tc, golden_export_atomic);
	tcase_add_test(tc, golden_two_processes);
	tcase_add_test(tc, golden_opened_at_once);
	suite_add_tcase(s, tc);
	return s;
}
