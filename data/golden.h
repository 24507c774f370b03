/* The golden dataset: labels that annotators give production calls, kept as
 * an append-only log of events (label, note, expected answer, undo), each with
 * its annotator and time, plus the current state of every item derived from
 * it in the same transaction. It lives in the store by default or in a file
 * of its own (`set golden = PATH`) that several people label at once: every
 * write is one BEGIN IMMEDIATE transaction with synchronous=FULL, a busy
 * timeout and retries, so a label shown as saved survives kill -9, and none
 * is lost to a busy database. Items carry a copy of their call (messages in,
 * output, model, prompt), so a golden file is complete without the store. */
#ifndef LLMOPS_GOLDEN_H
#define LLMOPS_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct golden golden_t;

/* Creates the tables when missing (they can share a file with the store). */
int golden_open(const char *path, golden_t **out, char *err, size_t errlen);
void golden_close(golden_t *g);
const char *golden_path(const golden_t *g);
/* The label whose items' own output counts as a right answer in the exports
 * that need one ("good" until set; the console passes the label on key 1).
 * NULL: only written expected answers count. */
void golden_set_good_label(golden_t *g, const char *label);

/* What an item keeps of its call. call_id is the span id in hex (the
 * a CALL_ID as the commands take it); input is the JSON array of messages, output the text
 * the model answered. Strings may be NULL except call_id. */
typedef struct golden_call {
	const char *call_id;
	const char *trace_id;
	const char *model, *provider;
	const char *prompt_name, *prompt_version;
	const char *input, *output;
	const char *variables; /* JSON object, or NULL */
	int64_t ts_ns;         /* when the call ran */
} golden_call;

/* Each of these appends one event and updates the item, in one committed
 * transaction; 0 on success, -1 with err set. */
int golden_label(golden_t *g, const golden_call *c, const char *label, const char *annotator, int64_t now_ns,
		 char *err, size_t errlen);
/* A note or an expected answer for a call (the item is created unlabelled
 * when the call has none yet, from c). */
int golden_note(golden_t *g, const golden_call *c, const char *note, const char *annotator, int64_t now_ns,
		char *err, size_t errlen);
int golden_expected(golden_t *g, const golden_call *c, const char *expected, const char *annotator, int64_t now_ns,
		    char *err, size_t errlen);
/* Undoes this annotator's latest label that is not undone yet (again and
 * again, across items): the item goes back to the label it had before (or to
 * none). call_id receives the call whose label was undone; 1 when there was
 * nothing to undo, 0 on success, -1 on error. */
int golden_undo(golden_t *g, const char *annotator, int64_t now_ns, char *call_id, size_t call_id_len, char *err,
		size_t errlen);

/* The current state of one item. */
typedef struct golden_item {
	char *call_id, *trace_id, *model, *provider, *prompt_name, *prompt_version;
	char *input, *output, *variables;
	char *label;     /* NULL: not labelled (or every label undone) */
	char *note, *expected;
	char *annotator; /* who set the current label */
	int64_t created_ns, updated_ns, call_ts_ns;
} golden_item;

/* 0 and *it filled, 1 when the call has no item, -1 on error. */
int golden_get(golden_t *g, const char *call_id, golden_item *it);
void golden_item_free(golden_item *it);
/* 1 when the call currently has a label. */
int golden_is_labelled(golden_t *g, const char *call_id);
/* The call ids that currently have a label, sorted as strcmp sorts them,
 * in one query (a queue of 100k calls asks once, not 100k times). 0, or -1
 * on error; free with golden_ids_free. */
int golden_labelled_ids(golden_t *g, char ***ids, size_t *n);
void golden_ids_free(char **ids, size_t n);
/* Labelled items, and how many of them this annotator labelled since
 * since_ns (for the pace shown while labelling). */
int64_t golden_count(golden_t *g, const char *label /* NULL: any */);
int64_t golden_count_by(golden_t *g, const char *annotator, int64_t since_ns);
/* Every event in the log, undos included (it only ever grows). */
int64_t golden_event_count(golden_t *g);

/* Claims: an item shown to one annotator is held for ttl_ns so that another
 * annotator working on the same file is shown another call. 1 when the claim
 * is ours (new, renewed, or the other one expired), 0 when someone else holds
 * it, 2 when the call is labelled already (nothing claimed: checked in the
 * same transaction, so a call labelled meanwhile is never handed out again),
 * -1 on error. Release drops our claim (leaving the item or quitting). */
int golden_claim(golden_t *g, const char *call_id, const char *annotator, int64_t now_ns, int64_t ttl_ns);
void golden_release(golden_t *g, const char *call_id, const char *annotator);

/* Export of the labelled items (label filter NULL: all), oldest label
 * first, to path (written to a temporary file beside it, fsynced and
 * renamed) or to stdout when path is NULL or "-". *n receives the count
 * of items written.
 *
 * An item's reference answer is its expected answer when one was written,
 * else its output when it carries the good label, else none (a "bad" output
 * is not an ideal). jsonl writes every item as it is; evals ({"input",
 * "ideal"}) and chat ({"messages"} ending with the reference as the
 * assistant turn) leave out items without a reference or without messages;
 * promptfoo asserts "equals" the reference, or "not-equals" the output when
 * there is none; langfuse's expectedOutput is the reference or null. */
enum golden_format { GF_JSONL, GF_EVALS, GF_CHAT, GF_PROMPTFOO, GF_LANGFUSE };
int golden_format_parse(const char *name); /* -1 when unknown */
const char *golden_format_name(int format);
int golden_export(golden_t *g, int format, const char *label, const char *path, size_t *n, char *err, size_t errlen);
typedef struct golden_export_stats {
	size_t written; /* lines written */
	size_t skipped; /* labelled items the format had no use for */
} golden_export_stats;
int golden_export_ex(golden_t *g, int format, const char *label, const char *path, golden_export_stats *st,
		     char *err, size_t errlen);

#endif
