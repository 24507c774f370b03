/* The prompt registry: prompt versions with their template text, from
 * `llmops prompt add`, from `prompts PATH` folders (in a git repository each
 * commit of a file is a version) and from traces that carry the template;
 * and, per version, what it did in production, read from the rollups. */
#ifndef LLMOPS_PROMPTS_H
#define LLMOPS_PROMPTS_H

#include <stddef.h>
#include <stdint.h>

#include "changes.h"
#include "store.h"

typedef struct prompt_stats {
	int64_t first_ns, last_ns; /* minutes that served traffic; 0 when none */
	uint64_t calls, errors, unpriced;
	int64_t cost_nusd;
	double p95_ms;             /* 0 when no latency was recorded */
} prompt_stats;

/* A version set against what served before it (prompts_list_window). */
typedef struct prompt_vs {
	char *before;            /* the version it is set against; NULL: none */
	char *model;             /* the model the figures are on; NULL: all of them */
	int window;              /* against its own figures in the window before, not a version */
	change_side now, was;    /* was.calls 0: nothing to set it against */
	int regressed;           /* by the rule of report --changes */
	double score;            /* how much worse, in calls hurt; 0: no worse */
} prompt_vs;

typedef struct prompt_ver {
	char *version;
	char *source;       /* "add:PATH", "git:PATH", "file:PATH", "trace", "demo"; NULL: seen in traffic only */
	int64_t created_ns; /* when added, committed or first seen; 0 unknown */
	int has_text;
	prompt_stats s;     /* all time (first_ns: the version's first call ever) */
	prompt_stats w;     /* in the window, with prompts_list_window */
	prompt_vs vs;
} prompt_ver;

typedef struct prompt_info {
	char *name;
	prompt_ver *v; /* newest first */
	size_t n;
} prompt_info;

typedef struct prompt_list {
	prompt_info *v; /* by name */
	size_t n;
} prompt_list;

/* Every prompt (or only `name`) with its versions and their all-time stats.
 * A version that served traffic but whose text was never seen is listed
 * too. 0, or -1 with err. */
int prompts_list(store_t *st, const char *name, prompt_list *out, char *err, size_t errlen);
void prompt_list_free(prompt_list *l);
/* The same, with each version's figures over [from_ns, to_ns) in w and, for
 * those that served in it, vs: against what served the prompt before, as
 * report --changes sets a deploy (the window's changes, model by model,
 * where they name the version); otherwise its window against the version
 * before it over a window as long before its first call, on all models.
 * 0, or -1 with err. */
int prompts_list_window(store_t *st, int64_t from_ns, int64_t to_ns, prompt_list *out, char *err, size_t errlen);
/* The short source kind of a version ("add", "git", "file", "trace", "demo", "-"). */
const char *prompt_source_kind(const prompt_ver *v, char *buf, size_t n);

/* The text of NAME@VERSION (malloc'ed). 0; 1 when there is no such prompt
 * or version (err names it); -1 on a store error. */
int prompts_get_text(store_t *st, const char *name, const char *version, char **text, char *err, size_t errlen);

/* Adds text as a version of name. version NULL: the next integer after the
 * highest numeric version ("1" when none), and nothing is added when the
 * text is the latest version's (*same set, its version in out_version).
 * Adding an existing version with other text is an error; with the same
 * text it is a no-op. 0 or -1 with err. */
int prompts_add(store_t *st, const char *name, const char *version, const char *text, const char *source,
		int64_t now_ns, char *out_version, size_t vlen, int *same, char *err, size_t errlen);

/* Reads a `prompts PATH` folder into the store: each plain file is a prompt
 * named by its file name without extension. In a git work tree each commit
 * that changed a file is a version named by the first 7 digits of its hash,
 * dated by the commit; otherwise (or for a file git does not track) the
 * file's content is one version named "h" + 8 hex digits of its hash, dated
 * by its mtime, so that syncing again adds nothing and a changed file adds
 * one version. git runs without a shell. *added counts new versions.
 * 0, or -1 with err (the versions read so far are kept). */
int prompts_sync_dir(store_t *st, const char *dir, int *added, char *err, size_t errlen);

#endif
