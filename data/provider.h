/* The providers llmops talks to: those of the rc's `provider` lines, and
 * one of each type in provider_registry (`openai`, `anthropic`) from the
 * environment when no line names a provider of that type. Keys come from the environment (read once, then
 * removed from it, so that no child process inherits them), a file only its
 * owner can read, or a command; they stay in memory only, never in argv, the
 * store, a log or the screen. */
#ifndef LLMOPS_PROVIDER_H
#define LLMOPS_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "chat.h"

enum { KEY_API = 0, KEY_ADMIN = 1 };

#define PROVIDER_MAX_HEADERS 4

struct cJSON;
struct usage_row;
struct usage_pctx;

/* What one kind of provider (a `type=` of the rc) does differently: its
 * wire formats and defaults. Generic code (replay, the usage poller, the
 * key table) reads these and never asks which provider it talks to. One
 * file a provider defines one of these; provider_registry lists them. */
typedef struct provider_ops {
	const char *name;          /* the type= value, and the default provider's name */
	const char *api;           /* its chat protocol as messages name it */
	const char *key_env[2];    /* default variables of the keys, by KEY_API, KEY_ADMIN */
	const char *base_env;      /* a variable overriding default_base */
	const char *default_base;
	/* Requests: the line the key follows ("Authorization: Bearer "), and
	 * headers every request carries after Content-Type (NULL-terminated). */
	const char *auth_prefix;
	const char *const *headers; /* at most PROVIDER_MAX_HEADERS */

	/* Chat (replay), at base URL + chat_path. The request body from a
	 * recorded call (see chat.h), then one SSE event of a streamed answer
	 * (event: its name, "" when none), or a whole body with its status. */
	const char *chat_path;
	int (*chat_build)(const char *input, const char *system, const char *model, const char *attrs, sbuf *body,
			  char *err, size_t errlen);
	void (*chat_event)(chat_result *r, const char *event, const char *data, size_t len);
	void (*chat_body)(chat_result *r, const char *body, size_t len, long status);

	/* Usage and cost reports, at base URL + the path (usage_path NULL: the
	 * provider has none, and is not polled). A page's buckets carry their
	 * range in time_from and time_to, the names the query gives it in too:
	 * Unix seconds, or RFC 3339 text when rfc3339. */
	const char *usage_path, *cost_path;
	const char *time_from, *time_to;
	int rfc3339;
	int cost_max_limit; /* days a cost report page may ask for */
	/* One result of a bucket: 0, or -1 with the complaint in c (usage_bad). */
	int (*usage_row)(struct usage_pctx *c, const struct cJSON *r, struct usage_row *o, const char *where);
	int (*cost_row)(struct usage_pctx *c, const struct cJSON *r, int64_t *nusd, const char *where);
} provider_ops;

/* One file each (provider_openai.c, provider_anthropic.c). */
extern const provider_ops provider_openai;
extern const provider_ops provider_anthropic;

/* Every kind of provider llmops speaks, NULL-terminated, in the order the
 * environment defaults are added. */
extern const provider_ops *const provider_registry[];
/* By type name; NULL when none has it. */
const provider_ops *provider_find_ops(const char *name);
/* The type names, NULL-terminated: what the rc's parser takes for type=. */
const char *const *provider_types(void);

typedef struct prov_t {
	char *name;
	const provider_ops *ops;
	char *base_url; /* no trailing '/' */
	int poll;       /* usage polling, seconds */
	const cfg_provider *cfg; /* NULL for an environment default */
	/* Per kind (KEY_API, KEY_ADMIN): */
	char *key[2];
	char *env_key[2];   /* captured from the environment */
	char *env_name[2];
	int key_state[2];   /* 0 not resolved; 1 have it; 2 none configured; -1 error */
	char key_err[2][256];
} prov_t;

typedef struct provs_t {
	prov_t *v;
	size_t n;
} provs_t;

/* Builds the table and captures (then unsets) the key variables. */
void provs_init(provs_t *p, const config_t *cfg);
void provs_free(provs_t *p);
/* By name, else the first of that type name ("openai", "anthropic"). */
prov_t *provs_find(provs_t *p, const char *name);

/* The key, resolved on first use (a command runs once, with a 10 s
 * timeout). NULL when there is none: err says why, or how to add one. */
const char *prov_key(prov_t *p, int kind, char *err, size_t errlen);
/* Resolves every configured key now (the console does this before the
 * screen starts, so that no key command runs on its loop). */
void provs_resolve_all(provs_t *p);

#endif
