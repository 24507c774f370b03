/* llmops usage [sync]: what the providers bill. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/clock.h"
#include "../core/sanitize.h"
#include "../data/http.h"
#include "../data/usage.h"
#include "cli.h"

#define USAGE_DEFAULT_SINCE "7d"

static int64_t usage_since(ctx_t *x)
{
	int64_t dur;
	const char *v = x->a.val[O_SINCE] ? x->a.val[O_SINCE] : USAGE_DEFAULT_SINCE;
	if (clock_parse_dur(v, &dur) || dur <= 0)
		cli_die_usage("--since: expected a duration like 15m, 1h or 7d, got '%s'", v);
	return dur;
}

static void usage_print(const char *msg)
{
	char *m = sanitize_str(msg, 0);
	fprintf(stderr, "llmops: %s\n", m);
	free(m);
}

static void sync_event(void *ud, int ev, const char *msg)
{
	(void)ud;
	if (ev == UE_ERROR || ev == UE_RETRY || ev == UE_RETRY_AGAIN)
		usage_print(msg);
}

static void fmt_span(int64_t a_s, int64_t b_s, char *out, size_t n)
{
	char a[32], b[32];
	clock_fmt_short(a_s * NS_PER_S, a, sizeof a);
	clock_fmt_short(b_s * NS_PER_S, b, sizeof b);
	/* The day once when both ends are on it. */
	snprintf(out, n, "%s to %s UTC", a, strncmp(a, b, 11) ? b : b + 11);
}

/* One fetch of every stream of the providers with an admin key, in this
 * process's own HTTP loop; then what was fetched, and the numbers. */
static int cmd_usage_sync(ctx_t *x)
{
	if (x->a.npos > 1)
		cli_die_usage("usage sync: unexpected argument '%s'", x->a.pos[1]);
	if (x->a.set[O_JSON])
		cli_die_usage("option --json applies to 'usage', not 'usage sync'");
	int64_t since = usage_since(x);
	const char *only = x->a.val[O_PROVIDER];
	if (only && !provs_find(&x->provs, only)) {
		char *o = sanitize_str(only, 0);
		cli_die_usage("--provider: no provider named '%s' (openai, anthropic, or a provider line's name)", o);
	}
	store_t *st;
	if (cli_open_store(x, STORE_CREATE, &st))
		return EXIT_FAIL;
	http_t *h = http_new();
	usage_opts o = {.backfill_usage_s = since / NS_PER_S,
			.backfill_cost_s = since / NS_PER_S,
			.max_attempts = 3,
			.once = 1,
			.only = only};
	usage_poller_t *u = usage_poller_new(h, st, &x->provs, &o);
	usage_poller_on_event(u, sync_event, NULL);
	size_t n = usage_poller_count(u);
	if (!usage_poller_active(u)) {
		for (size_t i = 0; i < n; i++) {
			usage_status s;
			usage_poller_status(u, i, &s);
			usage_print(s.msg);
		}
		usage_poller_free(u);
		http_free(h);
		store_close(st);
		return EXIT_FAIL;
	}
	/* Until no request is under way and no page fetched waits for the
	 * store (locked by another writer: the poller tries it again). */
	usage_poller_tick(u);
	for (;;) {
		long uw = usage_poller_wait_ms(u), hw = http_wait_ms(h), wait = 1000;
		if (!http_active(h) && uw < 0)
			break;
		if (hw >= 0 && hw < wait)
			wait = hw;
		if (uw >= 0 && uw < wait)
			wait = uw;
		struct pollfd fds[64];
		int nfd = http_pollfds(h, fds, 64);
		if (poll(fds, (nfds_t)nfd, (int)wait) < 0 && errno != EINTR)
			break;
		http_process(h, fds, nfd);
		usage_poller_tick(u);
	}
	int ok = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		usage_status s;
		usage_poller_status(u, i, &s);
		char *name = sanitize_str(s.provider, 0);
		if (s.state == US_NO_KEY || s.state == US_KEY_ERROR) {
			/* Not asked for by name: simply not polled. */
			if (only)
				failed++;
			usage_print(s.msg);
			free(name);
			continue;
		}
		for (int k = 0; k < s.nstreams; k++) {
			const usage_stream_status *ss = &s.streams[k];
			char span[96];
			printf("%s: %s: ", name, ss->name);
			if (!ss->ok) {
				printf("failed\n");
				failed++;
				continue;
			}
			ok++;
			if (!ss->pages) {
				printf("up to date\n");
				continue;
			}
			if (!ss->buckets) {
				printf("nothing reported in %d page%s\n", ss->pages, ss->pages == 1 ? "" : "s");
				continue;
			}
			fmt_span(ss->first_s, ss->last_s, span, sizeof span);
			printf("%d bucket%s in %d page%s, %s\n", ss->buckets, ss->buckets == 1 ? "" : "s", ss->pages,
			       ss->pages == 1 ? "" : "s", span);
		}
		free(name);
	}
	usage_poller_free(u);
	http_free(h);
	int64_t now = clock_now_ns();
	usage_sum sum;
	char err[512];
	if (ok && usage_summarize(st, x->prices, now - since, now, &sum, err, sizeof err) == 0) {
		printf("\n");
		usage_write_text(&sum, stdout);
		usage_sum_free(&sum);
	}
	store_close(st);
	return failed ? (ok ? EXIT_PARTIAL : EXIT_FAIL) : EXIT_OK;
}

static int cmd_usage_show(ctx_t *x)
{
	if (x->a.npos)
		cli_die_usage("usage: unexpected argument '%s' (sync, or nothing)", x->a.pos[0]);
	int64_t since = usage_since(x);
	if (!cli_store_path(x))
		return EXIT_FAIL;
	struct stat sb;
	if (stat(x->store_path, &sb) != 0) {
		char *p = sanitize_str(x->store_path, 0);
		fprintf(stderr, "llmops: " STORE_MISSING_FMT "; llmops usage sync fetches what the providers bill\n", p);
		free(p);
		return EXIT_FAIL;
	}
	store_t *st;
	if (cli_open_store(x, STORE_VIEWER, &st))
		return EXIT_FAIL;
	int64_t now = clock_now_ns();
	usage_sum sum;
	char err[512];
	int rc = usage_summarize(st, x->prices, now - since, now, &sum, err, sizeof err);
	store_close(st);
	if (rc) {
		fprintf(stderr, "llmops: %s\n", err);
		return EXIT_FAIL;
	}
	const char *only = x->a.val[O_PROVIDER];
	if (only) {
		/* By name, or every provider of that type. */
		prov_t *p = provs_find(&x->provs, only);
		size_t k = 0;
		for (size_t i = 0; i < sum.nmodels; i++) {
			prov_t *q = provs_find(&x->provs, sum.models[i].provider);
			if (!strcmp(sum.models[i].provider, only) || (q && p && !strcmp(only, p->ops->name) && q->ops == p->ops))
				sum.models[k++] = sum.models[i];
			else {
				free(sum.models[i].provider);
				free(sum.models[i].model);
			}
		}
		sum.nmodels = k;
		k = 0;
		for (size_t i = 0; i < sum.nprovs; i++) {
			prov_t *q = provs_find(&x->provs, sum.provs[i].provider);
			if (!strcmp(sum.provs[i].provider, only) || (q && p && !strcmp(only, p->ops->name) && q->ops == p->ops))
				sum.provs[k++] = sum.provs[i];
			else
				free(sum.provs[i].provider);
		}
		sum.nprovs = k;
	}
	if (x->a.set[O_JSON])
		usage_write_json(&sum, stdout);
	else
		usage_write_text(&sum, stdout);
	usage_sum_free(&sum);
	return EXIT_OK;
}

int cmd_usage(ctx_t *x)
{
	if (x->a.npos && !strcmp(x->a.pos[0], "sync"))
		return cmd_usage_sync(x);
	if (x->a.set[O_PROVIDER] && !x->a.val[O_PROVIDER][0])
		cli_die_usage("--provider: give a provider name");
	return cmd_usage_show(x);
}
