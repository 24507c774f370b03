/* Annotation: the calls of a filter, one at a time, each labelled with one
 * key into the golden dataset (data/golden). A label is committed before the
 * next call is drawn, so what the screen showed as saved survives an SSH drop
 * or kill -9. The queue is the filter's calls, newest first, less those
 * already labelled and those another annotator has on screen (claims). */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../data/golden.h"
#include "../data/statefile.h"
#include "../tui/tui.h"
#include "textview.h"
#include "view.h"

#define QUEUE_MAX 100000
#define CLAIM_TTL (5 * NS_PER_MIN)

enum { Q_PENDING, Q_LABELLED, Q_SKIPPED, Q_HELD };

typedef struct annv {
	golden_t *g;
	char annotator[64];
	char filter_src[512];
	filter_t f;
	call_ref *refs;
	size_t n;
	int more;            /* the filter matched more than QUEUE_MAX */
	unsigned char *state;
	size_t done;         /* labelled, of the queue */
	long cur;            /* the call shown; -1 when none is left */
	size_t *back;        /* calls shown before, for prev-item */
	size_t nback, backcap;
	call_full c;
	int loaded;
	golden_item item;
	int has_item;
	textview tv;
	int64_t started;     /* for the pace */
	int labelled_here;   /* labels given in this session */
	char *draft_path;    /* a note being typed, kept on disk */
} annv;

/* ---- the note draft ------------------------------------------------------ */

/* "CALL_ID\tTEXT", written at every key while a note is typed, so that an SSH
 * drop in the middle of a sentence loses nothing (rename: never half a file). */
static void draft_save(annv *an, const char *call, const char *text)
{
	if (!an->draft_path)
		return;
	sbuf b = SBUF_INIT;
	if (text && *text)
		sb_printf(&b, "%s\t%s", call, text);
	statefile_write(an->draft_path, b.p);
	sb_free(&b);
}

/* The draft for this call, or NULL. */
static char *draft_load(annv *an, const char *call)
{
	char *s = an->draft_path ? statefile_read(an->draft_path) : NULL;
	char *tab = s ? strchr(s, '\t') : NULL;
	if (!tab || (size_t)(tab - s) != strlen(call) || strncmp(s, call, strlen(call))) {
		free(s);
		return NULL;
	}
	char *d = xstrdup(tab + 1);
	free(s);
	return d;
}

/* ---- the queue ----------------------------------------------------------- */

/* A call as the golden dataset takes it; the prompt's name and version are
 * split into strings of its own, whole whatever their length (gcall_free). */
typedef struct gcall {
	golden_call gc;
	char *name, *version;
} gcall;

static void gcall_free(gcall *g)
{
	free(g->name);
	free(g->version);
}

static void golden_call_of(const call_full *c, gcall *g)
{
	golden_call *gc = &g->gc;
	memset(g, 0, sizeof *g);
	gc->call_id = c->row.span;
	gc->trace_id = c->trace;
	gc->model = c->row.model;
	gc->provider = c->provider;
	gc->input = c->input;
	gc->output = c->output;
	gc->variables = c->variables;
	gc->ts_ns = c->row.ts;
	/* NAME@VERSION as the call row carries it */
	if (c->row.prompt) {
		const char *at = strrchr(c->row.prompt, '@');
		g->name = xstrndup(c->row.prompt, at ? (size_t)(at - c->row.prompt) : strlen(c->row.prompt));
		g->version = xstrdup(at && strcmp(at + 1, "?") ? at + 1 : "");
		gc->prompt_name = g->name;
		gc->prompt_version = *g->version ? g->version : NULL;
	}
}

/* bsearch over golden_labelled_ids: the key is a span, the elements char *. */
static int cmp_id(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

static const char *cur_call(annv *an)
{
	return an->cur >= 0 ? an->refs[an->cur].span : NULL;
}

static void build(annv *an, app_t *a)
{
	(void)a;
	tv_clear(&an->tv);
	if (an->cur < 0)
		return;
	if (!an->loaded) {
		tv_add(&an->tv, EL_CRIT, 0, "this call is not in the store any more: s skips it");
		return;
	}
	if (an->has_item && an->item.expected) {
		tv_add(&an->tv, EL_ACCENT, 0, "expected answer (e edits it):");
		tv_add_block(&an->tv, EL_DEFAULT, 2, an->item.expected);
		tv_add(&an->tv, EL_DEFAULT, 0, "");
	}
	call_text(&an->tv, &an->c, 1);
}

static void load_item(annv *an)
{
	if (an->has_item)
		golden_item_free(&an->item);
	an->has_item = an->cur >= 0 && golden_get(an->g, cur_call(an), &an->item) == 0;
}

/* claim: 0 when next() has just claimed the call. */
static void show(annv *an, app_t *a, long i, int remember, int claim)
{
	if (an->cur >= 0 && an->cur != i) {
		golden_release(an->g, cur_call(an), an->annotator);
		if (remember) {
			if (an->nback == an->backcap) {
				an->backcap = an->backcap ? an->backcap * 2 : 64;
				an->back = xrealloc(an->back, an->backcap * sizeof *an->back);
			}
			an->back[an->nback++] = (size_t)an->cur;
		}
	}
	an->cur = i;
	if (an->loaded)
		call_full_free(&an->c);
	an->loaded = i >= 0 && store_call_get(a->st, an->refs[i].id, &an->c) == 0;
	if (i >= 0 && claim)
		golden_claim(an->g, an->refs[i].span, an->annotator, a->now_ns, CLAIM_TTL);
	load_item(an);
	an->tv.pos.top = 0;
	build(an, a);
}

/* The next call to label at or after i: pending, and not on someone else's
 * screen. */
static void next(annv *an, app_t *a, size_t i)
{
	for (; i < an->n; i++) {
		if (an->state[i] != Q_PENDING)
			continue;
		int c = golden_claim(an->g, an->refs[i].span, an->annotator, a->now_ns, CLAIM_TTL);
		if (c == 2) { /* another annotator got there first */
			an->state[i] = Q_LABELLED;
			an->done++;
			continue;
		}
		if (c == 0) {
			an->state[i] = Q_HELD;
			continue;
		}
		if (c < 0) /* the file stayed busy: better another call than one someone may hold */
			continue;
		show(an, a, (long)i, 1, 0);
		return;
	}
	show(an, a, -1, 1, 0);
	size_t skipped = 0, held = 0;
	for (size_t k = 0; k < an->n; k++) {
		skipped += an->state[k] == Q_SKIPPED;
		held += an->state[k] == Q_HELD;
	}
	if (skipped || held)
		app_message(a, EL_MESSAGE, "end of the queue: %zu skipped, %zu with another annotator; k goes back", skipped,
			    held);
	else
		app_message(a, EL_MESSAGE, "end of the queue: every call is labelled");
}

static long find_ref(annv *an, const char *span)
{
	for (size_t i = 0; i < an->n; i++)
		if (!strcmp(an->refs[i].span, span))
			return (long)i;
	return -1;
}

void annotate_show(app_t *a, const char *filter)
{
	char src[512];
	snprintf(src, sizeof src, "%s", filter ? filter : "");
	filter_t f;
	filter_init(&f);
	char err[256];
	if (filter_parse(&f, src, err, sizeof err)) {
		app_message(a, EL_ERROR, "annotate: %s", err);
		filter_free(&f);
		return;
	}
	filter_free(&f);
	app_push(a, &annotate_ops, src);
	view_t *v = app_top(a);
	annv *an = v->priv;
	if (!an->g) /* the golden file would not open: said in the status line */
		app_pop(a);
}

/* arg: the filter of the calls to label (a string that parses). */
static void ann_open(view_t *v, app_t *a, const void *arg)
{
	annv *an = v->priv;
	tv_init(&an->tv);
	an->cur = -1;
	an->started = a->now_ns;
	snprintf(an->filter_src, sizeof an->filter_src, "%s", (const char *)arg);
	const char *who = config_str(a->cfg, CFG_annotator);
	if (!who || !*who)
		who = getenv("USER");
	if (!who || !*who) {
		/* cron, a container, sudo -i: no $USER, but a login name. */
		struct passwd *pw = getpwuid(getuid());
		who = pw ? pw->pw_name : NULL;
	}
	snprintf(an->annotator, sizeof an->annotator, "%s", who && *who ? who : "unknown");
	an->draft_path = app_state_path("note-draft");
	const char *gpath = config_str(a->cfg, CFG_golden);
	char err[512];
	/* Labels are writes: refused at once, not at the first key. */
	if (!(gpath && *gpath) && store_readonly(a->st)) {
		app_message(a, EL_ERROR, "annotate: %s (labels cannot be saved)", STORE_READONLY_MSG);
		an->g = NULL;
		return;
	}
	char why[300];
	if (gpath && *gpath && access(gpath, F_OK) == 0 && store_writable(gpath, why, sizeof why)) {
		app_message(a, EL_ERROR, "annotate: %s: the golden dataset is read-only (%s); labels cannot be saved",
			    gpath, why);
		an->g = NULL;
		return;
	}
	/* Without `set golden`, labels go beside the store's own state. */
	char *lp = gpath && *gpath ? NULL : store_local_path(a->store_path, err, sizeof err);
	if ((!(gpath && *gpath) && !lp) || golden_open(lp ? lp : gpath, &an->g, err, sizeof err)) {
		free(lp);
		app_message(a, EL_ERROR, "annotate: %s", err);
		an->g = NULL;
		return;
	}
	free(lp);
	filter_init(&an->f);
	filter_parse(&an->f, an->filter_src, err, sizeof err);
	if (store_call_refs(a->st, &an->f, a->now_ns, QUEUE_MAX, &an->refs, &an->n, &an->more, err, sizeof err)) {
		app_message(a, EL_ERROR, "annotate: %s", err);
		return;
	}
	an->state = xcalloc(an->n ? an->n : 1, 1);
	char **lab = NULL;
	size_t nlab = 0;
	if (golden_labelled_ids(an->g, &lab, &nlab))
		app_message(a, EL_ERROR, "annotate: cannot read which calls are labelled in %s", golden_path(an->g));
	for (size_t i = 0; i < an->n && nlab; i++)
		if (bsearch(an->refs[i].span, lab, nlab, sizeof *lab, cmp_id)) {
			an->state[i] = Q_LABELLED;
			an->done++;
		}
	golden_ids_free(lab, nlab);
	next(an, a, 0);
	if (!an->n)
		app_message(a, EL_MESSAGE, "no calls match '%s'", an->filter_src);
}

static void ann_close(view_t *v, app_t *a)
{
	(void)a;
	annv *an = v->priv;
	if (an->g && an->cur >= 0)
		golden_release(an->g, cur_call(an), an->annotator);
	if (an->loaded)
		call_full_free(&an->c);
	if (an->has_item)
		golden_item_free(&an->item);
	golden_close(an->g);
	filter_free(&an->f);
	free(an->refs);
	free(an->state);
	free(an->back);
	free(an->draft_path);
	tv_free(&an->tv);
}

/* ---- drawing -------------------------------------------------------------- */

/* "1 good  2 bad  n note ..." with the keys in force. */
static void legend(app_t *a, char *out, size_t n)
{
	size_t len = 0;
	out[0] = 0;
	for (int k = 1; k <= 9; k++) {
		if (!a->cfg->labels[k])
			continue;
		char keys[64];
		help_keys_of(a, SC_ANNOTATE, A_LABEL_1 + k - 1, keys, sizeof keys);
		if (*keys)
			len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s:%s ", strtok(keys, " "), a->cfg->labels[k]);
	}
	static const struct {
		int act;
		const char *what;
	} rest[] = {{A_NOTE, "note"}, {A_EDIT_EXPECTED, "expected"}, {A_UNDO, "undo"}, {A_SKIP, "skip"},
		    {A_PREV_ITEM, "back"}, {A_BACK, "leave"}};
	for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
		char keys[64];
		help_keys_of(a, SC_ANNOTATE, rest[i].act, keys, sizeof keys);
		if (*keys && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s:%s", i ? " " : " ", strtok(keys, " "), rest[i].what);
	}
}

static void ann_draw(view_t *v, app_t *a, int y, int x, int h, int w)
{
	annv *an = v->priv;
	if (!an->g)
		return;
	if (an->cur < 0) {
		draw_textf(y + 1, x + 2, w - 4, EL_HEADER, "%zu of %zu%s calls labelled %s nothing left to label here",
			   an->done, an->n, an->more ? "+" : "", glyph(G_DOT));
		draw_text(y + 3, x + 2, w - 4, "u undoes the last label, k goes back, q leaves.", EL_DIM);
		return;
	}
	/* Row 1: the item's state; then the call; the last row: the keys. */
	int row = y;
	const golden_item *it = an->has_item ? &an->item : NULL;
	int cx = x + 1;
	if (it && it->label)
		cx += draw_textf(row, cx, w - (cx - x), EL_OK, "%s label %s (%s)", glyph(G_MARK), it->label,
				 it->annotator ? it->annotator : "?");
	else
		cx += draw_text(row, cx, w - (cx - x), "not labelled", EL_DIM);
	char *draft = draft_load(an, cur_call(an));
	if (it && it->note)
		cx += draw_textf(row, cx, w - (cx - x), EL_DEFAULT, "  note: %s", it->note);
	else if (draft)
		cx += draw_textf(row, cx, w - (cx - x), EL_WARN, "  draft note: %s", draft);
	free(draft);
	if (it && it->expected)
		draw_text(row, cx, w - (cx - x), "  expected answer written", EL_ACCENT);
	row++;
	draw_fill(row, x, w, EL_DEFAULT);
	for (int i = 0; i < w; i++)
		draw_glyph(row, x + i, G_HLINE, EL_BORDER);
	row++;
	int body = h - (row - y) - 1;
	if (body > 0)
		tv_draw(&an->tv, row, x + 1, body, w - 2);
	char keys[512];
	legend(a, keys, sizeof keys);
	draw_text_cut(y + h - 1, x + 1, w - 2, keys, EL_ACCENT, 0);
}

static void ann_title(view_t *v, app_t *a, char *buf, size_t n)
{
	annv *an = v->priv;
	(void)a;
	if (!an->g) {
		snprintf(buf, n, "annotate");
		return;
	}
	double mins = (double)(a->now_ns - an->started) / (double)NS_PER_MIN;
	if (mins < 1)
		mins = 1;
	char pos[16];
	snprintf(buf, n, "annotate %zu/%zu%s labelled %s %.1f/min %s %s%s%s", an->done, an->n, an->more ? "+" : "",
		 glyph(G_DOT), an->labelled_here / mins, glyph(G_DOT), an->filter_src[0] ? an->filter_src : "all calls",
		 an->cur >= 0 ? " " : "", an->cur >= 0 ? tv_position(&an->tv, pos, sizeof pos) : "");
}

/* ---- actions -------------------------------------------------------------- */

static void apply_label(annv *an, app_t *a, int k)
{
	const char *label = a->cfg->labels[k];
	if (!label) {
		app_message(a, EL_ERROR, "no label on %d: add 'label %d NAME' to llmopsrc", k, k);
		return;
	}
	if (an->cur < 0 || !an->loaded) {
		app_message(a, EL_ERROR, "no call to label here");
		return;
	}
	gcall gc;
	golden_call_of(&an->c, &gc);
	char err[512];
	int failed = golden_label(an->g, &gc.gc, label, an->annotator, a->now_ns, err, sizeof err);
	gcall_free(&gc);
	if (failed) {
		app_message(a, EL_ERROR, "not saved: %s", err);
		return;
	}
	if (an->state[an->cur] != Q_LABELLED)
		an->done++;
	an->state[an->cur] = Q_LABELLED;
	an->labelled_here++;
	app_message(a, EL_MESSAGE, "saved: %s on %s", label, an->c.row.span);
	next(an, a, (size_t)an->cur + 1);
}

static void undo(annv *an, app_t *a)
{
	char call[64], err[512];
	int r = golden_undo(an->g, an->annotator, a->now_ns, call, sizeof call, err, sizeof err);
	if (r < 0) {
		app_message(a, EL_ERROR, "undo: %s", err);
		return;
	}
	if (r == 1) {
		app_message(a, EL_MESSAGE, "nothing to undo");
		return;
	}
	long i = find_ref(an, call);
	if (i >= 0) {
		int still = golden_is_labelled(an->g, call) == 1; /* it had a label before this one */
		if (an->state[i] == Q_LABELLED && !still)
			an->done--;
		an->state[i] = still ? Q_LABELLED : Q_PENDING;
		if (an->labelled_here > 0)
			an->labelled_here--;
		show(an, a, i, 1, 1);
	}
	golden_item it;
	int has = golden_get(an->g, call, &it) == 0;
	app_message(a, EL_MESSAGE, "undone: %s is now %s", call, has && it.label ? it.label : "unlabelled");
	if (has)
		golden_item_free(&it);
}

static void edit_expected(annv *an, app_t *a)
{
	if (an->cur < 0 || !an->loaded)
		return;
	/* Start from what is there: the expected answer, else the model's output to correct. */
	const char *start = an->has_item && an->item.expected ? an->item.expected : an->c.output ? an->c.output : "";
	char *text = NULL, err[512];
	int r = tui_edit(start, ".md", &text, err, sizeof err);
	app_redraw(a);
	if (r < 0) {
		app_message(a, EL_ERROR, "%s", err);
		return;
	}
	if (r == 0) {
		app_message(a, EL_MESSAGE, "expected answer unchanged: nothing saved");
		return;
	}
	gcall gc;
	golden_call_of(&an->c, &gc);
	int failed = golden_expected(an->g, &gc.gc, text, an->annotator, a->now_ns, err, sizeof err);
	gcall_free(&gc);
	if (failed)
		app_message(a, EL_ERROR, "not saved: %s", err);
	else
		app_message(a, EL_MESSAGE, "expected answer saved for %s", an->c.row.span);
	free(text);
	load_item(an);
	build(an, a);
}

static int ann_action(view_t *v, app_t *a, int act)
{
	annv *an = v->priv;
	if (!an->g)
		return 0;
	if (act >= A_LABEL_1 && act <= A_LABEL_9) {
		apply_label(an, a, act - A_LABEL_1 + 1);
		return 1;
	}
	switch (act) {
	case A_NOTE: {
		if (an->cur < 0 || !an->loaded)
			return 1;
		char *draft = draft_load(an, cur_call(an));
		app_ask(a, "note: ", draft ? draft : an->has_item && an->item.note ? an->item.note : "");
		free(draft);
		return 1;
	}
	case A_EDIT_EXPECTED: edit_expected(an, a); return 1;
	case A_UNDO: undo(an, a); return 1;
	case A_SKIP:
		if (an->cur >= 0) {
			if (an->state[an->cur] == Q_PENDING)
				an->state[an->cur] = Q_SKIPPED;
			next(an, a, (size_t)an->cur + 1);
		}
		return 1;
	case A_PREV_ITEM:
		if (!an->nback) {
			app_message(a, EL_MESSAGE, "this is the first call shown");
			return 1;
		}
		show(an, a, (long)an->back[--an->nback], 0, 1);
		return 1;
	case A_ANNOTATE: return 1; /* already here */
	case A_DIFF: /* this call's prompt version against the one before */
		if (an->cur >= 0 && an->loaded)
			diff_show_spec(a, an->c.row.prompt);
		return 1;
	default: return tv_action(&an->tv, act);
	}
}

static void ann_answer(view_t *v, app_t *a, const char *text, int how)
{
	annv *an = v->priv;
	if (an->cur < 0 || !an->loaded)
		return;
	if (how == ASK_TYPING || how == ASK_CANCEL) {
		draft_save(an, cur_call(an), text);
		if (how == ASK_CANCEL && text && *text)
			app_message(a, EL_MESSAGE, "note kept as a draft: n to go on");
		return;
	}
	gcall gc;
	golden_call_of(&an->c, &gc);
	char err[512];
	int failed = golden_note(an->g, &gc.gc, text, an->annotator, a->now_ns, err, sizeof err);
	gcall_free(&gc);
	if (failed) {
		app_message(a, EL_ERROR, "note not saved: %s (kept as a draft)", err);
		draft_save(an, cur_call(an), text);
		return;
	}
	draft_save(an, cur_call(an), NULL);
	app_message(a, EL_MESSAGE, "note saved for %s", an->c.row.span);
	load_item(an);
}

static int ann_search(view_t *v, app_t *a, const char *text, int dir)
{
	(void)a;
	return tv_search(&((annv *)v->priv)->tv, text, dir);
}

static void ann_reload(view_t *v, app_t *a)
{
	annv *an = v->priv;
	if (!an->g)
		return;
	/* Keep the claim on the call on screen alive while it is read. */
	if (an->cur >= 0 && golden_claim(an->g, cur_call(an), an->annotator, a->now_ns, CLAIM_TTL) == 0)
		app_message(a, EL_ERROR, "another annotator has this call now");
	/* Another annotator may have labelled the call on screen: say so. */
	load_item(an);
	build(an, a);
}

const view_ops annotate_ops = {
    .name = "annotate",
    .scope = SC_ANNOTATE,
    .private_size = sizeof(annv),
    .open = ann_open,
    .close = ann_close,
    .draw = ann_draw,
    .action = ann_action,
    .reload = ann_reload,
    .search = ann_search,
    .answer = ann_answer,
    .title = ann_title,
};
