/* Writes N calls of the demo traffic as JSONL call records, for the benchmark and
 * the tests: gen_jsonl N NOW [SEED] > file.jsonl */
#include <stdio.h>
#include <stdlib.h>

#include "../../core/clock.h"
#include "../../core/demo.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: gen_jsonl N NOW [SEED]\n");
		return 2;
	}
	uint64_t n = strtoull(argv[1], NULL, 10);
	int64_t now;
	if (clock_parse_time(argv[2], &now)) {
		fprintf(stderr, "gen_jsonl: bad NOW\n");
		return 2;
	}
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
	demo_t d;
	demo_init(&d, n, now, seed);
	batch_t b = {0};
	sbuf line = SBUF_INIT;
	static char obuf[1 << 20];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	while (demo_next(&d, &b, 4096)) {
		for (size_t i = 0; i < b.n; i++) {
			sb_reset(&line);
			call_to_jsonl(&b.calls[i], &line);
			sb_addc(&line, '\n');
			fwrite(line.p, 1, line.len, stdout);
		}
		batch_reset(&b);
	}
	sb_free(&line);
	batch_free(&b);
	demo_free(&d);
	return fflush(stdout) ? 1 : 0;
}
