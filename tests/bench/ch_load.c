/* Loads N calls of the demo traffic (the calls gen_jsonl writes, made in
 * memory rather than parsed back) into a ClickHouse store through the
 * write path, and says how long it took:
 *
 *   ch_load clickhouse://HOST:PORT/DB N NOW [SEED]
 *
 * The password, if any, from LLMOPS_CLICKHOUSE_PASSWORD. */
#include <stdio.h>
#include <stdlib.h>

#include "../../core/clock.h"
#include "../../core/demo.h"
#include "../../data/ch.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: ch_load URL N NOW [SEED]\n");
		return 2;
	}
	uint64_t n = strtoull(argv[2], NULL, 10);
	int64_t now;
	if (clock_parse_time(argv[3], &now)) {
		fprintf(stderr, "ch_load: bad NOW\n");
		return 2;
	}
	uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
	char err[1024];
	ch_conn *c;
	if (ch_connect(argv[1], NULL, 0, &c, err, sizeof err)) {
		fprintf(stderr, "ch_load: %s\n", err);
		return 1;
	}
	ch_set_timeout(c, 0);
	demo_t d;
	demo_init(&d, n, now, seed);
	batch_t b = {0};
	ingest_stats st = {0};
	double t0 = clock_mono(), gen = 0, last = t0;
	int rc = 0;
	for (;;) {
		double g0 = clock_mono();
		size_t got = demo_next(&d, &b, 4096);
		gen += clock_mono() - g0;
		if (!got)
			break;
		if (ch_ingest(c, &b, NULL, &st, err, sizeof err)) {
			fprintf(stderr, "ch_load: %s\n", err);
			rc = 1;
			break;
		}
		batch_reset(&b);
		if (clock_mono() - last > 10) {
			last = clock_mono();
			fprintf(stderr, "ch_load: %llu calls, %.0f s\n", (unsigned long long)st.inserted, last - t0);
		}
	}
	if (!rc && ch_flush(c, err, sizeof err)) {
		fprintf(stderr, "ch_load: %s\n", err);
		rc = 1;
	}
	double secs = clock_mono() - t0;
	printf("calls %llu duplicates %llu seconds %.1f generating %.1f calls_per_s %.0f server %d %s\n",
	       (unsigned long long)st.inserted, (unsigned long long)st.duplicates, secs, gen,
	       secs > 0 ? (double)st.inserted / secs : 0, ch_server_major(c), ch_modern(c) ? "modern" : "portable");
	batch_free(&b);
	demo_free(&d);
	ch_disconnect(c);
	return rc;
}
