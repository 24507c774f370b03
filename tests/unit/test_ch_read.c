/* The store on ClickHouse read back through the same calls as the SQLite
 * store: the same demo traffic written into both, then the console's
 * questions (pages of calls under filters and sorts, paging both ways, one
 * call in full, the annotation queue, Tab completion, a call by its span id
 * prefix) must get the same answers. Against a private clickhouse-server
 * (tests/lib/clickhouse.sh) on free ports of 127.0.0.1. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../core/demo.h"
#include "../../core/filter.h"
#include "../../core/pricing.h"
#include "../../data/ch.h"
#include "../../data/changes.h"
#include "../../data/prompts.h"
#include "../../data/query.h"
#include "../../data/store.h"
#include "../../data/store_internal.h"
#include "t.h"

#define NOW_NS (1795435200LL * NS_PER_S) /* 2026-11-23T12:00:00Z */

static char dir[256];
static int missing;
static store_t *sq, *ch;
static char ch_url[256], sq_path[300];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/llmops-chread-%d", (int)getpid());
	char cmd[600], out[128] = "";
	snprintf(cmd, sizeof cmd, "rm -rf %s && sh tests/lib/clickhouse.sh start %s/srv", dir, dir);
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(out, sizeof out, p))
		out[0] = 0;
	int st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		missing = 1;
		return;
	}
	int http = 0, tcp = 0;
	if (sscanf(out, "%d %d", &http, &tcp) != 2)
		return;
	/* The ClickHouse store keeps the console's own state in a local file. */
	snprintf(cmd, sizeof cmd, "%s/state", dir);
	setenv("XDG_STATE_HOME", cmd, 1);
	char err[512], url[256], path[300];
	snprintf(url, sizeof url, "clickhouse://127.0.0.1:%d/chread", http);
	snprintf(path, sizeof path, "%s/s.db", dir);
	snprintf(ch_url, sizeof ch_url, "%s", url);
	snprintf(sq_path, sizeof sq_path, "%s", path);
	if (store_open(path, STORE_CREATE, &sq, err, sizeof err) || store_open(url, STORE_CREATE, &ch, err, sizeof err)) {
		fprintf(stderr, "clickhouse read tests: %s\n", err);
		return;
	}
	/* The same demo week into both. */
	demo_t d;
	demo_init(&d, 3000, NOW_NS, 7);
	batch_t b;
	memset(&b, 0, sizeof b);
	ingest_stats s1, s2;
	pricing_t *prices = pricing_new();
	while (demo_next(&d, &b, 500)) {
		memset(&s1, 0, sizeof s1);
		memset(&s2, 0, sizeof s2);
		if (store_ingest(sq, &b, prices, &s1, err, sizeof err) || store_ingest(ch, &b, prices, &s2, err, sizeof err))
			fprintf(stderr, "clickhouse read tests: ingest: %s\n", err);
		batch_reset(&b);
	}
	batch_free(&b);
	demo_free(&d);
	pricing_free(prices);
	if (store_commit(ch, err, sizeof err))
		fprintf(stderr, "clickhouse read tests: %s\n", err);
	int64_t pending = 1;
	while (pending > 0 && store_fts_step(sq, 10000, &pending) == 0)
		;
}

static void teardown(void)
{
	store_close(sq);
	store_close(ch);
	sq = ch = NULL;
	if (!dir[0])
		return;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "sh tests/lib/clickhouse.sh stop %s/srv; rm -rf %s", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static int skip(void)
{
	if (missing)
		fprintf(stderr, "ClickHouse read tests skipped: clickhouse-server is not installed\n");
	else
		ck_assert_msg(sq && ch, "the stores did not open (see above)");
	return missing;
}

/* A page's rows as one line each: what the trace list shows of a call. */
static void page_text(const call_page *p, sbuf *out, int with_span)
{
	for (size_t i = 0; i < p->n; i++) {
		const call_row *r = &p->rows[i];
		if (with_span)
			sb_printf(out, "%s %lld ", r->span, (long long)r->ts);
		/* one line a row, whatever the preview holds */
		char *pv = xstrdup(r->preview ? r->preview : "");
		for (char *c = pv; *c; c++)
			if (*c == '\n')
				*c = ' ';
		sb_printf(out, "%s %s %s %d %s %.3f %.3f %lld %lld %lld %lld [%s]\n", r->model, r->prompt ? r->prompt : "-",
			  r->feature ? r->feature : "-", r->is_error, r->error_type ? r->error_type : "-", r->latency_ms,
			  r->ttft_ms, (long long)r->input_tokens, (long long)r->output_tokens, (long long)r->cached_tokens,
			  (long long)r->cost_nusd, pv);
		free(pv);
	}
}

/* Every page of a filter, older and older, then back newer from the middle:
 * the rows as text, and how many pages. */
static int walk(store_t *st, const char *expr, int sort, sbuf *out)
{
	filter_t f;
	filter_init(&f);
	char err[256];
	ck_assert_msg(filter_parse(&f, expr, err, sizeof err) == 0, "%s: %s", expr, err);
	page_req req = {.filter = &f, .now_ns = NOW_NS, .sort = sort, .older = 1, .limit = 37};
	int pages = 0;
	int64_t mid_ts = 0, mid_id = 0;
	double mid_val = 0;
	for (;;) {
		call_page p;
		ck_assert_msg(store_calls_page(st, &req, &p, err, sizeof err) == 0, "%s: %s", expr, err);
		page_text(&p, out, sort == SORT_TIME);
		pages++;
		if (p.n) {
			call_row *last = &p.rows[p.n - 1];
			req.has_key = 1;
			req.key_ts = last->ts;
			req.key_id = last->id;
			req.key_val = sort == SORT_LATENCY ? last->latency_ms : (double)last->cost_nusd;
			if (pages == 2) {
				mid_ts = req.key_ts;
				mid_id = req.key_id;
				mid_val = req.key_val;
			}
		}
		int done = p.complete;
		call_page_free(&p);
		if (done)
			break;
	}
	if (mid_ts && sort == SORT_TIME) {
		/* Back up, newer than the second page's last row. */
		sb_adds(out, "-- newer\n");
		page_req up = {.filter = &f, .now_ns = NOW_NS, .sort = sort, .older = 0, .limit = 20, .has_key = 1,
			       .key_ts = mid_ts, .key_id = mid_id, .key_val = mid_val};
		call_page p;
		ck_assert_msg(store_calls_page(st, &up, &p, err, sizeof err) == 0, "%s", err);
		page_text(&p, out, 1);
		call_page_free(&p);
	}
	filter_free(&f);
	return pages;
}

static const char *const filters[] = {
	"",
	"since=1h",
	"status=error",
	"model=gpt-4o",
	"prompt=support-answer",
	"prompt=support-answer@8 model!=claude-sonnet-4-5",
	"provider=anthropic latency>2000",
	"error=timeout,rate_limit",
	"feature=checkout since=2d since!=1d",
	"latency<300 status=ok",
};

START_TEST(pages_same_as_sqlite)
{
	if (skip())
		return;
	int nonempty = 0;
	for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
		sbuf a = SBUF_INIT, b = SBUF_INIT;
		int pa = walk(sq, filters[i], SORT_TIME, &a);
		int pb = walk(ch, filters[i], SORT_TIME, &b);
		if (getenv("CHREAD_DEBUG"))
			fprintf(stderr, "'%s': %zu bytes %d pages vs %zu bytes %d pages\n", filters[i], a.len, pa, b.len, pb);
		ck_assert_msg(pa == pb && !strcmp(sb_str(&a), sb_str(&b)), "'%s' differs:\nsqlite %d pages:\n%.2000s\nclickhouse %d pages:\n%.2000s",
			      filters[i], pa, sb_str(&a), pb, sb_str(&b));
		nonempty += a.len > 0;
		sb_free(&a);
		sb_free(&b);
	}
	ck_assert_int_ge(nonempty, 8);
}
END_TEST

START_TEST(sorted_pages_same_values)
{
	if (skip())
		return;
	/* Sorted by latency or cost, equal values may come in another order:
	 * the values down the list are the same. */
	for (int sort = SORT_LATENCY; sort <= SORT_COST; sort++)
		for (size_t i = 0; i < 4; i++) {
			sbuf a = SBUF_INIT, b = SBUF_INIT;
			walk(sq, filters[i], sort, &a);
			walk(ch, filters[i], sort, &b);
			/* the sort column alone, line by line */
			sbuf ka = SBUF_INIT, kb = SBUF_INIT;
			sbuf *src[2] = {&a, &b}, *dst[2] = {&ka, &kb};
			for (int k = 0; k < 2; k++)
				for (const char *l = sb_str(src[k]); *l;) {
					const char *e = strchr(l, '\n');
					char w[12][64];
					int n = sscanf(l, "%63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s", w[0], w[1], w[2],
						       w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10]);
					if (n >= 11)
						sb_printf(dst[k], "%s\n", sort == SORT_LATENCY ? w[5] : w[10]);
					l = e ? e + 1 : l + strlen(l);
				}
			if (getenv("CHREAD_DEBUG") && strcmp(sb_str(&ka), sb_str(&kb))) {
				FILE *fa = fopen("/tmp/chread-a.txt", "w"), *fb = fopen("/tmp/chread-b.txt", "w");
				fputs(sb_str(&a), fa);
				fputs(sb_str(&b), fb);
				fclose(fa);
				fclose(fb);
			}
			ck_assert_msg(!strcmp(sb_str(&ka), sb_str(&kb)), "'%s' sorted %d differs", filters[i], sort);
			ck_assert_int_gt(ka.len, 0);
			sb_free(&a);
			sb_free(&b);
			sb_free(&ka);
			sb_free(&kb);
		}
}
END_TEST

START_TEST(text_search_narrows_the_same)
{
	if (skip())
		return;
	/* The index's tokens and the server's search find the same calls: whole
	 * words (ship is also in shipping and shipped, return in returns), a
	 * word after a line break (an escape in the stored JSON), a phrase. */
	const char *words[] = {"Madrid", "\"sleeping bag\"", "zippers since=1d", "ship", "return since=2d",
			       "Rules since=1d", "\"free of charge\" since=1d"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		sbuf a = SBUF_INIT, b = SBUF_INIT;
		walk(sq, words[i], SORT_TIME, &a);
		walk(ch, words[i], SORT_TIME, &b);
		ck_assert_msg(a.len > 0, "'%s' finds nothing", words[i]);
		ck_assert_msg(!strcmp(sb_str(&a), sb_str(&b)), "'%s' differs:\n%.1500s\n--\n%.1500s", words[i], sb_str(&a),
			      sb_str(&b));
		sb_free(&a);
		sb_free(&b);
	}
}
END_TEST

START_TEST(call_in_full_and_refs)
{
	if (skip())
		return;
	filter_t f;
	filter_init(&f);
	char err[256];
	ck_assert_int_eq(filter_parse(&f, "since=1d", err, sizeof err), 0);
	call_ref *ra, *rb;
	size_t na, nb;
	int ma, mb;
	ck_assert_int_eq(store_call_refs(sq, &f, NOW_NS, 100, &ra, &na, &ma, err, sizeof err), 0);
	ck_assert_msg(store_call_refs(ch, &f, NOW_NS, 100, &rb, &nb, &mb, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(na, nb);
	ck_assert_int_eq(ma, mb);
	ck_assert_int_eq(na, 100);
	for (size_t i = 0; i < na; i++) {
		ck_assert_str_eq(ra[i].span, rb[i].span);
		ck_assert_int_eq(ra[i].ts, rb[i].ts);
		if (i % 10)
			continue;
		call_full a, b;
		ck_assert_int_eq(store_call_get(sq, ra[i].id, &a), 0);
		ck_assert_int_eq(store_call_get(ch, rb[i].id, &b), 0);
		ck_assert_str_eq(a.row.span, b.row.span);
		ck_assert_str_eq(a.trace, b.trace);
		ck_assert_str_eq(a.provider, b.provider);
		ck_assert_str_eq(a.row.model, b.row.model);
		const char *const fa[] = {a.input, a.output, a.request_model, a.operation, a.user_id, a.session_id, a.error_message, a.thinking};
		const char *const fb[] = {b.input, b.output, b.request_model, b.operation, b.user_id, b.session_id, b.error_message, b.thinking};
		for (int k = 0; k < 8; k++)
			ck_assert_msg((!fa[k] && !fb[k]) || (fa[k] && fb[k] && !strcmp(fa[k], fb[k])), "call %s field %d: '%.80s' vs '%.80s'",
				      a.row.span, k, fa[k] ? fa[k] : "(null)", fb[k] ? fb[k] : "(null)");
		/* A user names it by a prefix of its span id. */
		char prefix[9];
		memcpy(prefix, a.row.span, 8);
		prefix[8] = 0;
		int64_t id;
		ck_assert_msg(store_find_call_ref(ch, prefix, &id, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(id, rb[i].id);
		call_full_free(&a);
		call_full_free(&b);
	}
	free(ra);
	free(rb);
	filter_free(&f);
	int64_t id;
	ck_assert_int_eq(store_find_call_ref(ch, "0000000000000000", &id, err, sizeof err), -1);
}
END_TEST

START_TEST(filter_values_same)
{
	if (skip())
		return;
	const char *fields[] = {"model", "provider", "feature", "prompt", "error"};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		char **a, **b;
		size_t na, nb;
		ck_assert_int_eq(store_filter_values(sq, fields[i], 100, &a, &na), 0);
		ck_assert_int_eq(store_filter_values(ch, fields[i], 100, &b, &nb), 0);
		ck_assert_msg(na == nb, "%s: %zu values vs %zu", fields[i], na, nb);
		for (size_t k = 0; k < na; k++) {
			ck_assert_str_eq(a[k], b[k]);
			free(a[k]);
			free(b[k]);
		}
		free(a);
		free(b);
	}
}
END_TEST

START_TEST(totals_same)
{
	if (skip())
		return;
	ck_assert_int_eq(store_call_count(sq), store_call_count(ch));
	int64_t f1, l1, f2, l2;
	ck_assert_int_eq(store_time_range(sq, &f1, &l1), 0);
	ck_assert_int_eq(store_time_range(ch, &f2, &l2), 0);
	ck_assert_int_eq(f1, f2);
	ck_assert_int_eq(l1, l2);
	int64_t c1, c2;
	uint64_t n1, n2;
	ck_assert_int_eq(store_spend(sq, NOW_NS - 3 * NS_PER_DAY - 17 * NS_PER_MIN, NOW_NS, &c1, &n1), 0);
	ck_assert_int_eq(store_spend(ch, NOW_NS - 3 * NS_PER_DAY - 17 * NS_PER_MIN, NOW_NS, &c2, &n2), 0);
	ck_assert_int_eq(c1, c2);
	ck_assert_int_eq(n1, n2);
	char **ma, **mb;
	size_t na, nb;
	ck_assert_int_eq(store_models(sq, NOW_NS - NS_PER_DAY, NOW_NS, &ma, &na), 0);
	ck_assert_int_eq(store_models(ch, NOW_NS - NS_PER_DAY, NOW_NS, &mb, &nb), 0);
	ck_assert_int_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		ck_assert_str_eq(ma[i], mb[i]);
		free(ma[i]);
		free(mb[i]);
	}
	free(ma);
	free(mb);
}
END_TEST

/* The prompts view: every version with its all-time and window figures and
 * what it is set against, as on SQLite (percentiles from the same histogram
 * buckets). */
static void same_p95(double a, double b)
{
	ck_assert_msg(a == b || (a > 0 && b > 0 && (a > b ? a - b : b - a) <= 0.01 * (a > b ? a : b)), "p95 %g != %g", a,
		      b);
}

static void same_stats(const char *what, const prompt_stats *a, const prompt_stats *b)
{
	ck_assert_msg(a->calls == b->calls && a->errors == b->errors && a->unpriced == b->unpriced &&
			      a->cost_nusd == b->cost_nusd,
		      "%s: %llu/%llu calls, %llu/%llu errors", what, (unsigned long long)a->calls,
		      (unsigned long long)b->calls, (unsigned long long)a->errors, (unsigned long long)b->errors);
	ck_assert_int_eq(a->first_ns, b->first_ns);
	ck_assert_int_eq(a->last_ns, b->last_ns);
	same_p95(a->p95_ms, b->p95_ms);
}

START_TEST(prompts_window_same_as_sqlite)
{
	if (skip())
		return;
	prompt_list a, b;
	char err[512];
	ck_assert_msg(prompts_list_window(sq, NOW_NS - NS_PER_HOUR, NOW_NS, &a, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(prompts_list_window(ch, NOW_NS - NS_PER_HOUR, NOW_NS, &b, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_gt(a.n, 1);
	ck_assert_uint_eq(a.n, b.n);
	size_t served = 0;
	for (size_t p = 0; p < a.n; p++) {
		ck_assert_str_eq(a.v[p].name, b.v[p].name);
		ck_assert_uint_eq(a.v[p].n, b.v[p].n);
		for (size_t v = 0; v < a.v[p].n; v++) {
			const prompt_ver *x = &a.v[p].v[v], *y = &b.v[p].v[v];
			char what[200];
			snprintf(what, sizeof what, "%s@%s", a.v[p].name, x->version);
			ck_assert_str_eq(x->version, y->version);
			ck_assert_int_eq(x->has_text, y->has_text);
			ck_assert_int_eq(x->created_ns, y->created_ns);
			ck_assert_str_eq(x->source ? x->source : "-", y->source ? y->source : "-");
			same_stats(what, &x->s, &y->s);
			same_stats(what, &x->w, &y->w);
			ck_assert_str_eq(x->vs.before ? x->vs.before : "-", y->vs.before ? y->vs.before : "-");
			ck_assert_uint_eq(x->vs.now.calls, y->vs.now.calls);
			ck_assert_uint_eq(x->vs.was.calls, y->vs.was.calls);
			ck_assert_int_eq(x->vs.regressed, y->vs.regressed);
			served += x->s.calls > 0;
		}
	}
	ck_assert_uint_gt(served, 2);
	prompt_list_free(&a);
	prompt_list_free(&b);
}
END_TEST


/* Two sets of figures the same: counts and cost exact, the percentiles
 * from the same histogram buckets. */
static void same_rstats(const char *what, const rstats *a, const rstats *b, int ttft)
{
	ck_assert_msg(a->calls == b->calls && a->errors == b->errors && a->cost_nusd == b->cost_nusd &&
			      a->input_tokens == b->input_tokens && a->output_tokens == b->output_tokens &&
			      a->unpriced == b->unpriced,
		      "%s: %llu/%llu calls, %llu/%llu errors, %lld/%lld cost", what, (unsigned long long)a->calls,
		      (unsigned long long)b->calls, (unsigned long long)a->errors, (unsigned long long)b->errors,
		      (long long)a->cost_nusd, (long long)b->cost_nusd);
	ck_assert_msg(a->lat.total == b->lat.total, "%s: %llu/%llu latencies", what, (unsigned long long)a->lat.total,
		      (unsigned long long)b->lat.total);
	static const double ps[] = {50, 95, 99};
	for (int i = 0; i < 3; i++)
		same_p95(hist_quantile(&a->lat, ps[i]), hist_quantile(&b->lat, ps[i]));
	if (ttft) {
		ck_assert_msg(a->ttft.total == b->ttft.total, "%s: %llu/%llu TTFTs", what,
			      (unsigned long long)a->ttft.total, (unsigned long long)b->ttft.total);
		for (int i = 0; i < 3; i++)
			same_p95(hist_quantile(&a->ttft, ps[i]), hist_quantile(&b->ttft, ps[i]));
	}
}

/* The dashboard's series for windows of every resolution and two widths:
 * the same columns, the same figures in each, per model too, and the
 * window's TTFT; the changes strip; and the report's window figures by
 * model and prompt. */
START_TEST(series_same_as_sqlite)
{
	if (skip())
		return;
	static const int64_t spans[] = {NS_PER_HOUR, 6 * NS_PER_HOUR, NS_PER_DAY, 7 * NS_PER_DAY, 30 * NS_PER_DAY};
	/* the third: 60 columns again, ending an hour and some seconds
	 * earlier, so that a 7-day window's three-hour columns do not fall on
	 * the three-hour blocks of hist_3h (the first's do) and read hours, and
	 * the windows' ends are not whole minutes (the console's never are) */
	static const int widths[] = {60, 197, 60};
	char err[512], what[128];
	for (size_t i = 0; i < sizeof spans / sizeof *spans; i++)
		for (size_t w = 0; w < 3; w++) {
			int64_t to = NOW_NS - 7 * NS_PER_MIN - (w == 2 ? NS_PER_HOUR + 30500 * NS_PER_MS : 0);
			int64_t from = to - spans[i];
			series_t a, b;
			ck_assert_msg(store_series(sq, from, to, widths[w], &a, err, sizeof err) == 0, "%s", err);
			ck_assert_msg(store_series(ch, from, to, widths[w], &b, err, sizeof err) == 0, "%s", err);
			ck_assert_int_eq(a.ncols, b.ncols);
			ck_assert_int_eq(a.from_ns, b.from_ns);
			ck_assert_int_eq(a.step_ns, b.step_ns);
			snprintf(what, sizeof what, "span %zu width %d total", i, widths[w]);
			same_rstats(what, &a.total, &b.total, 1);
			ck_assert_msg(a.total.calls > 0, "%s: no calls", what);
			for (int c = 0; c < a.ncols; c++) {
				snprintf(what, sizeof what, "span %zu width %d column %d", i, widths[w], c);
				same_rstats(what, &a.cols[c], &b.cols[c], 0);
			}
			ck_assert_int_eq(a.ngroups, b.ngroups);
			for (size_t g = 0; g < a.ngroups; g++) {
				ck_assert_str_eq(a.groups[g].key, b.groups[g].key);
				ck_assert_str_eq(a.groups[g].provider, b.groups[g].provider);
				snprintf(what, sizeof what, "span %zu width %d %s", i, widths[w], a.groups[g].key);
				same_rstats(what, &a.groups[g].total, &b.groups[g].total, 1);
				for (int c = 0; c < a.ncols; c++)
					same_rstats(what, &a.groups[g].cols[c], &b.groups[g].cols[c], 0);
			}
			series_free(&a);
			series_free(&b);
			/* The changes strip: its windows are read at once on a server. */
			changes_t ca, cb;
			ck_assert_msg(changes_compute(sq, from, to, &ca, err, sizeof err) == 0, "%s", err);
			ck_assert_msg(changes_compute(ch, from, to, &cb, err, sizeof err) == 0, "%s", err);
			ck_assert_int_eq(ca.n, cb.n);
			for (size_t c = 0; c < ca.n; c++) {
				const change *x = &ca.v[c], *y = &cb.v[c];
				snprintf(what, sizeof what, "span %zu change %zu %s", i, c, x->version);
				ck_assert_msg(x->kind == y->kind && x->regressed == y->regressed && !strcmp(x->version, y->version) &&
						      !strcmp(x->prompt ? x->prompt : "", y->prompt ? y->prompt : "") &&
						      !strcmp(x->before ? x->before : "", y->before ? y->before : "") &&
						      !strcmp(x->model ? x->model : "", y->model ? y->model : "") &&
						      x->first_ns == y->first_ns && x->last_ns == y->last_ns && x->calls == y->calls &&
						      x->now.calls == y->now.calls && x->now.errors == y->now.errors &&
						      x->was.calls == y->was.calls && x->was.errors == y->was.errors,
					      "%s: before %s/%s, was %llu/%llu calls", what, x->before ? x->before : "-",
					      y->before ? y->before : "-", (unsigned long long)x->was.calls,
					      (unsigned long long)y->was.calls);
				same_p95(x->now.p95_ms, y->now.p95_ms);
				same_p95(x->was.p95_ms, y->was.p95_ms);
			}
			ck_assert_msg(i < 3 || ca.n > 0, "span %zu: no changes to compare", i);
			changes_free(&ca);
			changes_free(&cb);
			for (int by = BY_MODEL; by <= BY_PROMPT; by++) {
				report_t ra, rb;
				ck_assert_msg(store_report(sq, from, to, by, &ra, err, sizeof err) == 0, "%s", err);
				ck_assert_msg(store_report(ch, from, to, by, &rb, err, sizeof err) == 0, "%s", err);
				ck_assert_int_eq(ra.n, rb.n);
				same_rstats("report total", &ra.total, &rb.total, 1);
				for (size_t g = 0; g < ra.n; g++) {
					ck_assert_str_eq(ra.groups[g].key, rb.groups[g].key);
					same_rstats(ra.groups[g].key, &ra.groups[g].s, &rb.groups[g].s, 1);
				}
				report_free(&ra);
				report_free(&rb);
			}
		}
}
END_TEST


/* Sorted by latency, a page reads only the calls past the bucket the
 * rollups' histograms say it reaches. When the calls table holds fewer
 * than the rollups counted (retention drops calls before their rollups),
 * the pages still hold every call, slowest first. */
/* Windows read at once (as the changes strip reads them: on ClickHouse,
 * the time cut at their ends and each piece read once) give each window
 * what SQLite gives it alone: windows that meet inside a minute, one
 * inside another, one over both, one before the first call; with the
 * errors by type, and lean (as the strip reads them, without TTFT and
 * errors by type) the same counts and latencies. Summed by model, the
 * stores numbering their dimensions differently. */
static void window_by_model(const dims_t *d, const rstats *per_dim, const char *model, rstats *out)
{
	for (int64_t i = 1; i < d->n; i++)
		if (d->v[i].model && !strcmp(d->v[i].model, model))
			rstats_merge(out, &per_dim[i]);
}

/* The errors by type as text ("rate_limit=3;timeout=1", sorted by name). */
static void same_error_types(const char *what, const ecounts *a, const ecounts *b)
{
	sbuf x = SBUF_INIT, y = SBUF_INIT;
	ecounts_format(a, &x);
	ecounts_format(b, &y);
	ck_assert_msg(!strcmp(sb_str(&x), sb_str(&y)), "%s: errors by type %s, not %s", what, sb_str(&y), sb_str(&x));
	sb_free(&x);
	sb_free(&y);
}

START_TEST(windows_at_once_same)
{
	if (skip())
		return;
	int64_t c = NOW_NS - 5 * NS_PER_HOUR - 30500 * NS_PER_MS;
	twin w[] = {{c - 26 * NS_PER_HOUR, c}, {c, c + 2 * NS_PER_HOUR}, {c - 40 * NS_PER_MIN, c + 7 * NS_PER_MIN},
		    {c - 3 * NS_PER_DAY, c + 3 * NS_PER_HOUR}, {NOW_NS - 40 * NS_PER_DAY, NOW_NS - 5 * NS_PER_DAY},
		    {c, c + 2 * NS_PER_HOUR}};
	size_t n = sizeof w / sizeof *w;
	dims_t dq, dc;
	ck_assert_int_eq(store_dims_load(sq, &dq), 0);
	ck_assert_int_eq(store_dims_load(ch, &dc), 0);
	rstats *at_once[sizeof w / sizeof *w], *lean[sizeof w / sizeof *w];
	for (size_t k = 0; k < n; k++) {
		at_once[k] = xcalloc((size_t)dc.n, sizeof **at_once);
		lean[k] = xcalloc((size_t)dc.n, sizeof **lean);
	}
	/* lean first: the whole read after it is not answered from its memo */
	ck_assert_int_eq(store_windows_per_dim(ch, w, n, &dc, 1, lean), 0);
	ck_assert_int_eq(store_windows_per_dim(ch, w, n, &dc, 0, at_once), 0);
	for (size_t k = 0; k < n; k++) {
		/* SQLite reads whole minutes too: its windows are given aligned */
		rstats *alone = xcalloc((size_t)dq.n, sizeof *alone);
		ck_assert_int_eq(store_window_per_dim(sq, floor_to(w[k].from_ns, NS_PER_MIN),
						      floor_to(w[k].to_ns + NS_PER_MIN - 1, NS_PER_MIN), &dq, alone), 0);
		uint64_t calls = 0;
		for (int64_t i = 1; i < dq.n; i++) {
			if (!dq.v[i].model)
				continue;
			int seen = 0; /* each model once */
			for (int64_t j = 1; j < i; j++)
				seen |= dq.v[j].model && !strcmp(dq.v[j].model, dq.v[i].model);
			if (seen)
				continue;
			rstats a, b, l;
			rstats_init(&a);
			rstats_init(&b);
			rstats_init(&l);
			window_by_model(&dq, alone, dq.v[i].model, &a);
			window_by_model(&dc, at_once[k], dq.v[i].model, &b);
			window_by_model(&dc, lean[k], dq.v[i].model, &l);
			char what[96];
			snprintf(what, sizeof what, "window %zu %s", k, dq.v[i].model);
			same_rstats(what, &a, &b, 1);
			same_error_types(what, &a.errs, &b.errs);
			snprintf(what, sizeof what, "window %zu %s, lean", k, dq.v[i].model);
			same_rstats(what, &a, &l, 0);
			calls += a.calls;
			rstats_free(&a);
			rstats_free(&b);
			rstats_free(&l);
		}
		ck_assert_msg(calls > 0, "window %zu: no calls", k);
		for (int64_t i = 0; i < dq.n; i++)
			rstats_free(&alone[i]);
		free(alone);
		for (int64_t i = 0; i < dc.n; i++) {
			rstats_free(&at_once[k][i]);
			rstats_free(&lean[k][i]);
		}
		free(at_once[k]);
		free(lean[k]);
	}
	store_dims_free(&dq);
	store_dims_free(&dc);
}
END_TEST

START_TEST(latency_pages_whole_when_calls_went)
{
	if (skip())
		return;
	char err[512];
	ch_conn *c = NULL;
	ck_assert_msg(ch_connect(ch_url, NULL, 0, &c, err, sizeof err) == 0, "%s", err);
	int64_t before = 0, slow = 0;
	ck_assert(ch_select_int(c, "SELECT count() FROM calls WHERE latency_ms >= 0", 0, &before, err, sizeof err) == 0);
	/* The slowest tenth goes: the very calls the first pages would show. */
	ck_assert_msg(ch_exec(c, "ALTER TABLE calls DELETE WHERE latency_ms >= (SELECT quantileExact(0.9)(latency_ms) FROM calls)",
			      err, sizeof err) == 0, "%s", err);
	for (int i = 0; i < 600; i++) {
		int64_t left = 1;
		ck_assert(ch_select_int(c, "SELECT count() FROM system.mutations WHERE database = currentDatabase() AND NOT is_done",
					0, &left, err, sizeof err) == 0);
		if (!left)
			break;
		usleep(50000);
	}
	ck_assert(ch_select_int(c, "SELECT count() FROM calls WHERE latency_ms >= 0", 0, &slow, err, sizeof err) == 0);
	ck_assert_int_lt(slow, before);
	ch_disconnect(c);
	sbuf got = SBUF_INIT;
	walk(ch, "", SORT_LATENCY, &got);
	int64_t lines = 0;
	double last = 1e300;
	for (const char *l = sb_str(&got); *l; l = strchr(l, '\n') + 1) {
		char model[64], prompt[128], feature[64], etype[64];
		int iserr;
		double lat;
		ck_assert(sscanf(l, "%63s %127s %63s %d %63s %lf", model, prompt, feature, &iserr, etype, &lat) == 6);
		ck_assert_msg(lat <= last, "%g after %g", lat, last);
		last = lat;
		lines++;
	}
	ck_assert_int_eq(lines, slow);
	sb_free(&got);
}
END_TEST

/* What a background import counts as it goes: another connection's commits,
 * seen from a read-only one, one a call, whichever the store. */
START_TEST(call_mark_counts_commits)
{
	if (skip())
		return;
	store_t *ro[2] = {NULL, NULL}, *rw[2] = {sq, ch};
	const char *where[2] = {sq_path, ch_url};
	char err[512];
	int64_t before[2];
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(store_open(where[i], STORE_READONLY, &ro[i], err, sizeof err) == 0, "%s", err);
		before[i] = store_call_mark(ro[i]);
	}
	ck_assert_int_gt(before[0], 0);
	ck_assert_int_eq(before[1], store_call_count(ch));
	demo_t d;
	demo_init(&d, 120, NOW_NS, 99);
	batch_t b;
	memset(&b, 0, sizeof b);
	pricing_t *prices = pricing_new();
	uint64_t added[2] = {0, 0};
	while (demo_next(&d, &b, 50)) {
		for (int i = 0; i < 2; i++) {
			ingest_stats s;
			memset(&s, 0, sizeof s);
			ck_assert_msg(store_ingest(rw[i], &b, prices, &s, err, sizeof err) == 0, "%s", err);
			added[i] += s.inserted;
		}
		batch_reset(&b);
	}
	batch_free(&b);
	demo_free(&d);
	pricing_free(prices);
	ck_assert_int_eq(store_commit(ch, err, sizeof err), 0);
	ck_assert_uint_eq(added[0], 120);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(store_call_mark(ro[i]) - before[i], (int64_t)added[i]);
		store_close(ro[i]);
	}
}
END_TEST

Suite *suite_ch_read(void)
{
	Suite *s = suite_create("clickhouse_read");
	TCase *t = tcase_create("clickhouse_read");
	tcase_add_unchecked_fixture(t, setup, teardown);
	tcase_add_test(t, pages_same_as_sqlite);
	tcase_add_test(t, sorted_pages_same_values);
	tcase_add_test(t, text_search_narrows_the_same);
	tcase_add_test(t, call_in_full_and_refs);
	tcase_add_test(t, filter_values_same);
	tcase_add_test(t, totals_same);
	tcase_add_test(t, prompts_window_same_as_sqlite);
	tcase_add_test(t, series_same_as_sqlite);
	tcase_add_test(t, windows_at_once_same);
	tcase_add_test(t, latency_pages_whole_when_calls_went); /* these two change the calls */
	tcase_add_test(t, call_mark_counts_commits);
	suite_add_tcase(s, t);
	return s;
}
