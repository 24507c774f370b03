/* The providers llmops talks to: those of the rc's `provider` lines, and
 * `openai` and `anthropic` from the environment when no line names a
 * provider of that type. Keys come from the environment (read once, then
 * removed from it, so that no child process inherits them), a file only its
 * owner can read, or a command; they stay in memory only, never in argv, the
 * store, a log or the screen. */
#ifndef LLMOPS_PROVIDER_H
#define LLMOPS_PROVIDER_H

#include <stddef.h>

#include "../core/config.h"

enum { PROV_OPENAI = 1, PROV_ANTHROPIC = 2 };
enum { KEY_API = 0, KEY_ADMIN = 1 };

typedef struct prov_t {
	char *name;
	int type;
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
const char *prov_type_name(int type);

/* The key, resolved on first use (a command runs once, with a 10 s
 * timeout). NULL when there is none: err says why, or how to add one. */
const char *prov_key(prov_t *p, int kind, char *err, size_t errlen);
/* Resolves every configured key now (the console does this before the
 * screen starts, so that no key command runs on its loop). */
void provs_resolve_all(provs_t *p);

#endif
