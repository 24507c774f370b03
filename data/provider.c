#include "provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets.h"

const provider_ops *const provider_registry[] = {&provider_openai, &provider_anthropic, NULL};

#define NTYPES (sizeof provider_registry / sizeof provider_registry[0])

const provider_ops *provider_find_ops(const char *name)
{
	for (size_t i = 0; name && provider_registry[i]; i++)
		if (!strcmp(provider_registry[i]->name, name))
			return provider_registry[i];
	return NULL;
}

const char *const *provider_types(void)
{
	static const char *names[NTYPES];
	for (size_t i = 0; i < NTYPES; i++)
		names[i] = provider_registry[i] ? provider_registry[i]->name : NULL;
	return names;
}

static char *base_of(const char *url)
{
	char *b = xstrdup(url);
	size_t n = strlen(b);
	while (n && b[n - 1] == '/')
		b[--n] = 0;
	return b;
}

static char *default_base(const provider_ops *ops)
{
	const char *env = getenv(ops->base_env);
	if (env && *env)
		return base_of(env);
	return base_of(ops->default_base);
}

static void add(provs_t *p, const char *name, const provider_ops *ops, const cfg_provider *c)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	prov_t *v = &p->v[p->n++];
	memset(v, 0, sizeof *v);
	v->name = xstrdup(name);
	v->ops = ops;
	v->cfg = c;
	v->base_url = c && c->base_url ? base_of(c->base_url) : default_base(ops);
	v->poll = c && c->poll > 0 ? c->poll : 60;
	v->env_name[KEY_API] = xstrdup(c && c->api_key_env ? c->api_key_env : ops->key_env[KEY_API]);
	v->env_name[KEY_ADMIN] = xstrdup(c && c->admin_key_env ? c->admin_key_env : ops->key_env[KEY_ADMIN]);
}

void provs_init(provs_t *p, const config_t *cfg)
{
	memset(p, 0, sizeof *p);
	int have[NTYPES] = {0};
	for (size_t i = 0; i < cfg->providers.n; i++) {
		const cfg_provider *c = &cfg->providers.v[i];
		/* The rc's parser took only known types; the first is the default. */
		size_t t = 0;
		for (size_t k = 0; provider_registry[k]; k++)
			if (c->type && !strcmp(c->type, provider_registry[k]->name))
				t = k;
		have[t] = 1;
		add(p, c->name, provider_registry[t], c);
	}
	for (size_t t = 0; provider_registry[t]; t++)
		if (!have[t])
			add(p, provider_registry[t]->name, provider_registry[t], NULL);
	/* Capture every variable first (two providers may share one), then
	 * drop them all from the environment. */
	for (size_t i = 0; i < p->n; i++)
		for (int k = 0; k < 2; k++) {
			const char *v = getenv(p->v[i].env_name[k]);
			if (v && *v)
				p->v[i].env_key[k] = xstrdup(v);
		}
	for (size_t i = 0; i < p->n; i++)
		for (int k = 0; k < 2; k++) {
			char *v = getenv(p->v[i].env_name[k]);
			if (v) {
				explicit_bzero(v, strlen(v));
				unsetenv(p->v[i].env_name[k]);
			}
		}
}

void provs_free(provs_t *p)
{
	for (size_t i = 0; i < p->n; i++) {
		prov_t *v = &p->v[i];
		for (int k = 0; k < 2; k++) {
			secret_free(v->key[k]);
			secret_free(v->env_key[k]);
			free(v->env_name[k]);
		}
		free(v->name);
		free(v->base_url);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

prov_t *provs_find(provs_t *p, const char *name)
{
	if (!name || !*name)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return &p->v[i];
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].ops->name, name))
			return &p->v[i];
	return NULL;
}

static void resolve(prov_t *p, int kind)
{
	const cfg_provider *c = p->cfg;
	const char *file = c ? (kind ? c->admin_key_file : c->api_key_file) : NULL;
	const char *cmd = c ? (kind ? c->admin_key_cmd : c->api_key_cmd) : NULL;
	/* Shorter than key_err, so that the provider and the kind fit before it. */
	char err[200] = "";
	char *k = NULL;
	if (file)
		k = secret_read_file(file, err, sizeof err);
	else if (cmd)
		k = secret_run_cmd(cmd, 10000, err, sizeof err);
	else if (p->env_key[kind])
		k = xstrdup(p->env_key[kind]);
	if (k) {
		p->key[kind] = k;
		p->key_state[kind] = 1;
		return;
	}
	if (file || cmd) {
		p->key_state[kind] = -1;
		snprintf(p->key_err[kind], sizeof p->key_err[kind], "%.40s %s key: %.200s", p->name, kind ? "admin" : "API", err);
		return;
	}
	p->key_state[kind] = 2;
	if (kind == KEY_ADMIN)
		snprintf(p->key_err[kind], sizeof p->key_err[kind],
			 "no admin key for %s: set %s, or admin_key_file= / admin_key_cmd= on its provider line", p->name,
			 p->env_name[kind]);
	else
		snprintf(p->key_err[kind], sizeof p->key_err[kind],
			 "no API key for %s: set %s, or api_key_file= / api_key_cmd= on its provider line", p->name,
			 p->env_name[kind]);
}

const char *prov_key(prov_t *p, int kind, char *err, size_t errlen)
{
	if (!p->key_state[kind])
		resolve(p, kind);
	if (p->key_state[kind] == 1)
		return p->key[kind];
	snprintf(err, errlen, "%s", p->key_err[kind]);
	return NULL;
}

void provs_resolve_all(provs_t *p)
{
	for (size_t i = 0; i < p->n; i++)
		for (int k = 0; k < 2; k++)
			if (!p->v[i].key_state[k])
				resolve(&p->v[i], k);
}
