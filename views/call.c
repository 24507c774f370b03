/* One call in full: what it was, what went in and what came out, its
 * variables and the attributes nobody mapped. Everything is wrapped to the
 * width (or scrolled sideways with w) and searchable with /. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../tui/tui.h"
#include "textview.h"
#include "view.h"

typedef struct callv {
	textview tv;
	int64_t id;
	call_full c;
	int loaded;
} callv;

static void section(textview *tv, const char *title)
{
	tv_add(tv, EL_DEFAULT, 0, "");
	char line[128];
	snprintf(line, sizeof line, "%s %s %s%s%s%s%s%s", glyph(G_HLINE), title, glyph(G_HLINE), glyph(G_HLINE),
		 glyph(G_HLINE), glyph(G_HLINE), glyph(G_HLINE), glyph(G_HLINE));
	tv_add(tv, EL_PANE, 0, line);
}

void text_json_pairs(textview *tv, const char *json)
{
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	if (!cJSON_IsObject(o)) {
		if (json)
			tv_add_block(tv, EL_DEFAULT, 2, json);
		cJSON_Delete(o);
		return;
	}
	for (cJSON *e = o->child; e; e = e->next) {
		char *val = cJSON_IsString(e) ? NULL : cJSON_PrintUnformatted(e);
		const char *v = cJSON_IsString(e) ? e->valuestring : val ? val : "";
		if (strchr(v, '\n')) {
			tv_addf(tv, EL_ACCENT, 4, "  %s:", e->string);
			tv_add_block(tv, EL_DEFAULT, 4, v);
		} else {
			char line[4096];
			snprintf(line, sizeof line, "  %s: %s", e->string, v);
			tv_add(tv, EL_DEFAULT, 4, line);
		}
		free(val);
	}
	cJSON_Delete(o);
}

static void messages(textview *tv, const char *json)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	if (!cJSON_IsArray(arr)) {
		tv_add_block(tv, EL_DEFAULT, 2, json ? json : "(none recorded)");
		cJSON_Delete(arr);
		return;
	}
	const cJSON *m;
	cJSON_ArrayForEach(m, arr)
	{
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		tv_addf(tv, EL_HEADER, 0, "[%s]", cJSON_IsString(role) ? role->valuestring : "?");
		if (cJSON_IsString(content)) {
			tv_add_block(tv, EL_DEFAULT, 2, content->valuestring);
		} else if (content && !cJSON_IsNull(content)) {
			char *s = cJSON_PrintUnformatted(content);
			tv_add_block(tv, EL_DEFAULT, 2, s);
			free(s);
		}
		const cJSON *tc;
		cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(m, "tool_calls"))
		{
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(tc, "name");
			const cJSON *args = cJSON_GetObjectItemCaseSensitive(tc, "arguments");
			tv_addf(tv, EL_ACCENT, 4, "  [tool call] %s(%s)", cJSON_IsString(name) ? name->valuestring : "?",
				cJSON_IsString(args) ? args->valuestring : "");
		}
	}
	cJSON_Delete(arr);
}

void call_text(textview *tv, const call_full *c, int output_first)
{
	const call_row *r = &c->row;
	char ts[40];
	clock_fmt_rfc3339(r->ts, ts, sizeof ts);
	tv_addf(tv, EL_HEADER, 0, "call %s  trace %s", r->span, c->trace);
	tv_addf(tv, EL_DEFAULT, 12, "time      %s", ts);
	tv_addf(tv, EL_DEFAULT, 12, "model     %s%s%s%s %s %s %s %s", r->model, c->request_model ? " (asked for " : "",
		c->request_model ? c->request_model : "", c->request_model ? ")" : "", glyph(G_DOT),
		c->provider && *c->provider ? c->provider : "?", glyph(G_DOT), c->operation ? c->operation : "chat");
	tv_addf(tv, EL_DEFAULT, 12, "prompt    %s %s feature %s %s user %s%s%s", r->prompt ? r->prompt : "-", glyph(G_DOT),
		r->feature ? r->feature : "-", glyph(G_DOT), c->user_id ? c->user_id : "-",
		c->session_id ? " session " : "", c->session_id ? c->session_id : "");
	if (c->trace_path)
		tv_addf(tv, EL_DEFAULT, 12, "in trace  %s %s %zu spans (llmops trace %s)", c->trace_path, glyph(G_DOT),
			c->trace_spans, r->span);
	if (r->is_error)
		tv_addf(tv, EL_CRIT, 12, "status    ERROR %s%s%s", r->error_type ? r->error_type : "error",
			c->error_message ? ": " : "", c->error_message ? c->error_message : "");
	else
		tv_add(tv, EL_OK, 12, "status    ok");
	char lat[16], ttft[16], in[32], cached[32], out[32], cost[32];
	fmt_ms(lat, sizeof lat, r->latency_ms);
	fmt_ms(ttft, sizeof ttft, r->ttft_ms);
	if (r->input_tokens >= 0)
		fmt_thousands(in, sizeof in, (uint64_t)r->input_tokens);
	else
		snprintf(in, sizeof in, "-");
	if (r->cached_tokens >= 0)
		fmt_thousands(cached, sizeof cached, (uint64_t)r->cached_tokens);
	else
		snprintf(cached, sizeof cached, "-");
	if (r->output_tokens >= 0)
		fmt_thousands(out, sizeof out, (uint64_t)r->output_tokens);
	else
		snprintf(out, sizeof out, "-");
	if (r->cost_nusd >= 0)
		snprintf(cost, sizeof cost, "$%.6f", (double)r->cost_nusd / 1e9);
	else
		snprintf(cost, sizeof cost, "unpriced");
	tv_addf(tv, EL_DEFAULT, 12, "latency   %s %s TTFT %s %s tokens in %s (cached %s) out %s %s cost %s", lat,
		glyph(G_DOT), ttft, glyph(G_DOT), in, cached, out, glyph(G_DOT), cost);
	for (int part = 0; part < 2; part++) {
		if (part == output_first) {
			section(tv, "input");
			messages(tv, c->input);
		} else {
			section(tv, "output");
			if (c->output)
				tv_add_block(tv, EL_DEFAULT, 2, c->output);
			else
				tv_add(tv, EL_DIM, 2, r->is_error ? "  (none: the call failed)" : "  (none recorded)");
		}
	}
	if (c->thinking) {
		section(tv, "thinking");
		tv_add_block(tv, EL_DIM, 2, c->thinking);
	}
	if (c->variables) {
		section(tv, "variables");
		text_json_pairs(tv, c->variables);
	}
	if (c->attrs) {
		section(tv, "attributes");
		text_json_pairs(tv, c->attrs);
	}
}

static void load(view_t *v, app_t *a)
{
	callv *cv = v->priv;
	call_full_free(&cv->c);
	cv->loaded = store_call_get(a->st, cv->id, &cv->c) == 0;
	tv_clear(&cv->tv);
	if (cv->loaded)
		call_text(&cv->tv, &cv->c, 0);
	else
		tv_add(&cv->tv, EL_CRIT, 0, "this call is not in the store any more");
}

static int call_selected(view_t *v, app_t *a, int64_t *id)
{
	(void)a;
	callv *cv = v->priv;
	if (!cv->loaded)
		return 0;
	*id = cv->id;
	return 1;
}

void call_show(app_t *a, int64_t id)
{
	app_push(a, &call_ops, &id);
}

/* The call as one JSON object with the keys a JSONL import reads, so that
 * what is pasted into a ticket or a test can be imported again. */
static char *call_json(const call_full *c)
{
	cJSON *o = cJSON_CreateObject();
	char ts[40];
	clock_fmt_rfc3339(c->row.ts, ts, sizeof ts);
	cJSON_AddStringToObject(o, "ts", ts);
#define S(k, v)                                                                                      \
	if (v && *(v))                                                                               \
		cJSON_AddStringToObject(o, k, v);
#define J(k, v)                                                                                      \
	if (v) {                                                                                     \
		cJSON *j_ = cJSON_Parse(v);                                                          \
		if (j_)                                                                              \
			cJSON_AddItemToObject(o, k, j_);                                             \
	}
#define N(k, v)                                                                                      \
	if ((v) >= 0)                                                                                \
		cJSON_AddNumberToObject(o, k, (double)(v));
	S("trace_id", c->trace);
	S("span_id", c->row.span);
	S("provider", c->provider);
	S("model", c->row.model);
	S("request_model", c->request_model);
	S("operation", c->operation);
	if (c->row.prompt) {
		const char *at = strrchr(c->row.prompt, '@');
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(at ? at - c->row.prompt : (long)strlen(c->row.prompt)), c->row.prompt);
		cJSON_AddStringToObject(o, "prompt_name", name);
		if (at && strcmp(at + 1, "?"))
			S("prompt_version", at + 1);
	}
	S("feature", c->row.feature);
	S("user_id", c->user_id);
	S("session_id", c->session_id);
	cJSON_AddStringToObject(o, "status", c->row.is_error ? "error" : "ok");
	S("error_type", c->row.error_type);
	S("error_message", c->error_message);
	N("latency_ms", c->row.latency_ms);
	N("ttft_ms", c->row.ttft_ms);
	N("input_tokens", c->row.input_tokens);
	N("cached_tokens", c->row.cached_tokens);
	N("output_tokens", c->row.output_tokens);
	if (c->row.cost_nusd >= 0)
		cJSON_AddNumberToObject(o, "cost_usd", (double)c->row.cost_nusd / 1e9);
	J("variables", c->variables);
	J("input", c->input);
	S("output", c->output);
	S("thinking", c->thinking);
	J("attrs", c->attrs);
#undef S
#undef J
#undef N
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

void call_copy(app_t *a, int64_t id, int as_json)
{
	call_full c;
	if (store_call_get(a->st, id, &c)) {
		app_message(a, EL_ERROR, "that call is no longer in the store");
		return;
	}
	char *text = as_json ? call_json(&c) : strdup(c.row.span);
	call_full_free(&c);
	if (!text) {
		app_message(a, EL_ERROR, "out of memory");
		return;
	}
	size_t len = strlen(text);
	if (len > TUI_CLIPBOARD_MAX) {
		app_message(a, EL_ERROR, "the call is %zu KiB as JSON, over the %d KiB a terminal takes: :write FILE saves it",
			    len / 1024, TUI_CLIPBOARD_MAX / 1024);
		free(text);
		return;
	}
	/* What was copied is shown too: the clipboard may be refused silently. */
	char shown[80];
	sanitize_clip(text, 60, shown, sizeof shown);
	int sent = tui_clipboard(text, len) == 0;
	app_message(a, sent ? EL_MESSAGE : EL_ERROR, "%s %s", sent ? "copied" : "no terminal to copy to:", shown);
	free(text);
}

/* arg: the call's id (int64_t). */
static void call_open(view_t *v, app_t *a, const void *arg)
{
	callv *cv = v->priv;
	tv_init(&cv->tv);
	cv->id = *(const int64_t *)arg;
	load(v, a);
}

static void call_close(view_t *v, app_t *a)
{
	(void)a;
	callv *cv = v->priv;
	call_full_free(&cv->c);
	tv_free(&cv->tv);
}

static void call_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	(void)a;
	tv_draw(&((callv *)v->priv)->tv, y, x + 1, h, w - 2);
}

static int call_action(view_t *v, app_t *a, int act)
{
	callv *cv = v->priv;
	if (act == A_NEXT_ERROR || act == A_PREV_ERROR) {
		/* The next failed call of the list underneath, opened in place. */
		view_t *list = v->parent;
		if (list && list->ops->action && list->ops->selected_call) {
			list->ops->action(list, a, act);
			int64_t id;
			if (list->ops->selected_call(list, a, &id) && id != cv->id) {
				cv->id = id;
				cv->tv.pos.top = 0;
				load(v, a);
			}
		}
		return 1;
	}
	if (act == A_VIEW_TRACE || act == A_ENTER) {
		if (cv->loaded) /* every span of the trace it is part of */
			trace_show(a, cv->id);
		return 1;
	}
	if (act == A_COPY_ID || act == A_COPY_JSON) {
		call_copy(a, cv->id, act == A_COPY_JSON);
		return 1;
	}
	if (act == A_DIFF) {
		if (cv->loaded) /* this call's prompt version against the one before */
			diff_show_spec(a, cv->c.row.prompt);
		return 1;
	}
	return tv_action(&cv->tv, act);
}

static int call_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	return tv_search(&((callv *)v->priv)->tv, text, dir);
}

static void call_title(view_t *v, app_t *a, char *buf, size_t n)
{
	(void)a;
	callv *cv = v->priv;
	char pos[16];
	snprintf(buf, n, "call %s%s %s %s", cv->loaded ? cv->c.row.span : "?",
		 cv->loaded && cv->c.row.is_error ? " (error)" : "", glyph(G_DOT), tv_position(&cv->tv, pos, sizeof pos));
}

static void call_text_out(view_t *v, app_t *a, sbuf *out)
{
	(void)a;
	const textview *tv = &((callv *)v->priv)->tv;
	for (size_t i = 0; i < tv->n; i++) {
		sanitize(tv->v[i].text, strlen(tv->v[i].text), SAN_KEEP_NL | SAN_TABS, out);
		sb_addc(out, '\n');
	}
}

static void call_reload(view_t *v, app_t *a)
{
	load(v, a);
}

const view_ops call_ops = {
    .name = "call",
    .scope = SC_CALL,
    .private_size = sizeof(callv),
    .open = call_open,
    .close = call_close,
    .draw = call_draw,
    .action = call_action,
    .reload = call_reload,
    .search = call_search,
    .title = call_title,
    .selected_call = call_selected,
    .text = call_text_out,
};
