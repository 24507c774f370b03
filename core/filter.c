#include "filter.h"

#include <ctype.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "pricing.h"
#include "str.h"

void filter_init(filter_t *f)
{
	memset(f, 0, sizeof *f);
	f->status = -1;
	f->lat_min = f->lat_max = -1;
}

static void free_values(fvalues *v)
{
	for (int i = 0; i < v->n; i++)
		free(v->v[i]);
	v->n = 0;
}

void filter_free(filter_t *f)
{
	free_values(&f->model);
	free_values(&f->provider);
	free_values(&f->error);
	free_values(&f->prompt);
	free_values(&f->feature);
	free_values(&f->user);
	free_values(&f->session);
	free_values(&f->trace);
	free(f->text);
	filter_init(f);
}

int filter_empty(const filter_t *f)
{
	return !f->model.n && !f->provider.n && !f->error.n && !f->prompt.n && !f->feature.n && !f->user.n &&
	       !f->session.n && !f->trace.n && f->status < 0 &&
	       !f->since_ns && !f->before_ns && f->lat_min < 0 && f->lat_max < 0 && !f->text && !f->sample_bp;
}

unsigned filter_sample_bucket(const void *span_id, size_t len)
{
	/* SipHash-2-4 under the all-zero key: ClickHouse's sipHash64, so that
	 * a ClickHouse store samples the same calls (data/ch_read.c). */
	static const unsigned char key[crypto_shorthash_KEYBYTES];
	unsigned char out[crypto_shorthash_BYTES];
	crypto_shorthash(out, span_id, len, key);
	uint64_t h = 0;
	for (int i = crypto_shorthash_BYTES - 1; i >= 0; i--)
		h = h << 8 | out[i];
	return (unsigned)(h % 10000);
}

int filter_model_matches(const char *value, const char *model)
{
	if (!strcmp(value, model))
		return 1;
	char fam[256];
	return pricing_strip_date(model, fam, sizeof fam) && !strcmp(fam, value);
}

const char *const filter_fields[] = {"model", "provider", "status", "error", "prompt", "feature", "user",
				      "session", "trace", "since", "sample", "latency", NULL};

int filter_values_pos(const fvalues *v)
{
	int n = 0;
	for (int i = 0; i < v->n; i++)
		n += !v->neg[i];
	return n;
}

int filter_values_pass(const fvalues *v, const char *s, int (*eq)(const char *value, const char *s))
{
	int pos = 0, hit = 0;
	for (int i = 0; i < v->n; i++) {
		int m = s && eq(v->v[i], s);
		if (v->neg[i] && m)
			return 0;
		if (!v->neg[i]) {
			pos = 1;
			hit |= m;
		}
	}
	return !pos || hit;
}

/* Words become an FTS5 query: each word quoted (so that FTS5 syntax in them is
 * taken literally), phrases kept as phrases, all of them required. */
static void add_text(filter_t *f, const char *word)
{
	sbuf b = SBUF_INIT;
	if (f->text) {
		sb_adds(&b, f->text);
		sb_addc(&b, ' ');
		free(f->text);
	}
	sb_addc(&b, '"');
	for (const char *p = word; *p; p++) {
		if (*p == '"')
			sb_addc(&b, '"'); /* FTS5 doubles quotes inside a string */
		sb_addc(&b, *p);
	}
	sb_addc(&b, '"');
	f->text = sb_steal(&b);
}

/* One value, or several separated by commas (model=a,b: either). */
static int add_value(fvalues *v, const char *val, int neg, const char *field, char *err, size_t errlen)
{
	const char *p = val;
	do {
		size_t n = strcspn(p, ",");
		if (!n) {
			snprintf(err, errlen, "%s%s needs a value", field, neg ? "!=" : "=");
			return -1;
		}
		if (v->n == FILTER_MAX_VALUES) {
			snprintf(err, errlen, "%s= given too many times", field);
			return -1;
		}
		v->neg[v->n] = (unsigned char)neg;
		v->v[v->n++] = xstrndup(p, n);
		p += n;
	} while (*p++ == ',');
	return 0;
}

/* A trace id is hex; any prefix of it will do, in either case. */
static int add_trace(fvalues *v, const char *val, int neg, char *err, size_t errlen)
{
	for (const char *p = val; *p; p++)
		if (*p != ',' && !isxdigit((unsigned char)*p)) {
			snprintf(err, errlen, "trace%s takes the hex digits of a trace id, not '%.40s'", neg ? "!=" : "=", val);
			return -1;
		}
	int from = v->n;
	if (add_value(v, val, neg, "trace", err, errlen))
		return -1;
	for (int i = from; i < v->n; i++)
		for (char *p = v->v[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return 0;
}

int filter_parse(filter_t *f, const char *expr, char *err, size_t errlen)
{
	const char *p = expr ? expr : "";
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		sbuf term = SBUF_INIT;
		int quoted = 0;
		if (*p == '"') {
			quoted = 1;
			p++;
			while (*p && *p != '"')
				sb_addc(&term, *p++);
			if (*p != '"') {
				snprintf(err, errlen, "unterminated quote");
				sb_free(&term);
				return -1;
			}
			p++;
		} else {
			while (*p && !isspace((unsigned char)*p))
				sb_addc(&term, *p++);
		}
		const char *t = sb_str(&term);
		const char *eq = quoted ? NULL : strchr(t, '=');
		const char *gt = quoted ? NULL : strchr(t, '>');
		const char *lt = quoted ? NULL : strchr(t, '<');
		int rc = 0;
		if (eq && (!gt || eq < gt) && (!lt || eq < lt)) {
			int neg = eq > t && eq[-1] == '!';
			size_t kl = (size_t)(eq - t) - (size_t)neg;
			const char *val = eq + 1, *op = neg ? "!=" : "=";
			if (kl == 5 && !strncmp(t, "model", 5))
				rc = add_value(&f->model, val, neg, "model", err, errlen);
			else if (kl == 8 && !strncmp(t, "provider", 8))
				rc = add_value(&f->provider, val, neg, "provider", err, errlen);
			else if (kl == 5 && !strncmp(t, "error", 5))
				rc = add_value(&f->error, val, neg, "error", err, errlen);
			else if (kl == 6 && !strncmp(t, "prompt", 6))
				rc = add_value(&f->prompt, val, neg, "prompt", err, errlen);
			else if (kl == 7 && !strncmp(t, "feature", 7))
				rc = add_value(&f->feature, val, neg, "feature", err, errlen);
			else if (kl == 4 && !strncmp(t, "user", 4))
				rc = add_value(&f->user, val, neg, "user", err, errlen);
			else if (kl == 7 && !strncmp(t, "session", 7))
				rc = add_value(&f->session, val, neg, "session", err, errlen);
			else if (kl == 5 && !strncmp(t, "trace", 5))
				rc = add_trace(&f->trace, val, neg, err, errlen);
			else if (kl == 6 && !strncmp(t, "status", 6)) {
				if (!strcmp(val, "error"))
					f->status = !neg;
				else if (!strcmp(val, "ok"))
					f->status = neg;
				else {
					snprintf(err, errlen, "status%s is ok or error, not '%.40s'", op, val);
					rc = -1;
				}
			} else if (kl == 5 && !strncmp(t, "since", 5)) {
				if (clock_parse_dur(val, neg ? &f->before_ns : &f->since_ns)) {
					snprintf(err, errlen, "since%s takes a duration like 15m, 1h, 7d, not '%.40s'", op, val);
					rc = -1;
				}
			} else if (kl == 6 && !strncmp(t, "sample", 6)) {
				char *end;
				double pct = strtod(val, &end);
				if (end == val || (*end && strcmp(end, "%")) || !(pct > 0 && pct <= 100)) {
					snprintf(err, errlen, "sample%s takes a percentage, not '%.40s' (above 0 and up to 100, as in sample=10%%)", op, val);
					rc = -1;
				} else {
					f->sample_bp = (int)(pct * 100 + 0.5);
					if (f->sample_bp < 1)
						f->sample_bp = 1;
					f->sample_neg = neg;
				}
			} else if (kl == 7 && !strncmp(t, "latency", 7)) {
				snprintf(err, errlen, "latency takes > or <, as in latency>2000");
				rc = -1;
			} else {
				snprintf(err, errlen, "unknown field '%.*s' (model, provider, status, error, prompt, feature, user, session, trace, since, sample, latency)",
					 (int)(kl > 40 ? 40 : kl), t);
				rc = -1;
			}
		} else if ((gt || lt) && !strncmp(t, "latency", 7) && (t[7] == '>' || t[7] == '<')) {
			char *end;
			double v = strtod(t + 8 + (t[8] == '='), &end);
			if (*end || end == t + 8 + (t[8] == '=') || v < 0) {
				snprintf(err, errlen, "latency> takes milliseconds, as in latency>2000");
				rc = -1;
			} else if (t[7] == '>') {
				f->lat_min = v;
			} else {
				f->lat_max = v;
			}
		} else if (*t) {
			add_text(f, t);
		}
		sb_free(&term);
		if (rc)
			return -1;
	}
	return 0;
}

static void copy_values(fvalues *d, const fvalues *s)
{
	*d = *s;
	for (int i = 0; i < s->n; i++)
		d->v[i] = xstrdup(s->v[i]);
}

void filter_copy(filter_t *d, const filter_t *s)
{
	*d = *s;
	copy_values(&d->model, &s->model);
	copy_values(&d->provider, &s->provider);
	copy_values(&d->error, &s->error);
	copy_values(&d->prompt, &s->prompt);
	copy_values(&d->feature, &s->feature);
	copy_values(&d->user, &s->user);
	copy_values(&d->session, &s->session);
	copy_values(&d->trace, &s->trace);
	d->text = s->text ? xstrdup(s->text) : NULL;
}
