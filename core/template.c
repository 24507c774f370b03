#include "template.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

/* The names the call has, for the error message. */
static void list_names(const cJSON *vars, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, vars)
	{
		if (!v->string)
			continue;
		int w = snprintf(buf + len, n - len, "%s%s", len ? ", " : "", v->string);
		if (w < 0 || (size_t)w >= n - len) {
			if (n > 4)
				strcpy(buf + n - 4, "...");
			return;
		}
		len += (size_t)w;
	}
}

int tpl_render(const char *tpl, const char *vars_json, sbuf *out, char *err, size_t errlen)
{
	sb_reset(out);
	cJSON *vars = vars_json && *vars_json ? cJSON_Parse(vars_json) : NULL;
	if (vars && !cJSON_IsObject(vars)) {
		cJSON_Delete(vars);
		vars = NULL;
	}
	int rc = 0;
	const char *p = tpl;
	for (;;) {
		const char *open = strstr(p, "{{");
		const char *close = open ? strstr(open + 2, "}}") : NULL;
		if (!open || !close) {
			sb_adds(out, p);
			break;
		}
		const char *a = open + 2, *b = close;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		size_t nl = (size_t)(b - a);
		/* Only a plain name is a variable: "{{" in prose or code stays. */
		int name = nl > 0 && nl < 128;
		for (const char *q = a; name && q < b; q++)
			if (!(*q == '_' || *q == '-' || *q == '.' || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
			      (*q >= 'A' && *q <= 'Z')))
				name = 0;
		if (!name) {
			sb_add(out, p, (size_t)(open + 2 - p));
			p = open + 2;
			continue;
		}
		char key[128];
		memcpy(key, a, nl);
		key[nl] = 0;
		sb_add(out, p, (size_t)(open - p));
		const cJSON *v = vars ? cJSON_GetObjectItemCaseSensitive(vars, key) : NULL;
		if (!v) {
			char names[200];
			if (vars && cJSON_GetArraySize(vars) > 0) {
				list_names(vars, names, sizeof names);
				snprintf(err, errlen, "the call has no variable '%s' (it has: %s)", key, names);
			} else {
				snprintf(err, errlen, "the call has no variable '%s' (it recorded no variables)", key);
			}
			rc = -1;
			break;
		}
		if (cJSON_IsString(v)) {
			sb_adds(out, v->valuestring);
		} else {
			char *j = cJSON_PrintUnformatted(v);
			sb_adds(out, j ? j : "");
			cJSON_free(j);
		}
		p = close + 2;
	}
	cJSON_Delete(vars);
	return rc;
}
