/* One OTLP/JSON document (a Collector file-exporter line or a pretty-printed
 * export) through the importer's parser, then what the importer does with
 * the calls: costs, dimensions and rollups. */
#include "../../core/batch.h"
#include "../../data/import.h"
#include "fuzz.h"

static pricing_t *prices;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	prices = pricing_new();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	batch_t b = {0};
	char err[256] = "";
	int rc = otlp_parse_doc((const char *)data, size, &b, err, sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1, "odd return %d", rc);
	if (rc == 0) {
		for (size_t i = 0; i < b.n; i++)
			fuzz_touch_call(&b.calls[i]);
		for (size_t i = 0; i < b.nev; i++) {
			const span_event_t *e = &b.events[i];
			FUZZ_CHECK(e->trace_len <= CALL_ID_MAX && e->span_len <= CALL_ID_MAX, "event id too long");
			fuzz_touch(e->name);
			fuzz_touch(e->body);
		}
		batch_prepare(&b, prices);
	} else {
		FUZZ_CHECK(b.n == 0 && b.nev == 0, "a rejected document left %zu calls, %zu events", b.n, b.nev);
		fuzz_check_err(err, sizeof err);
	}
	batch_free(&b);
	return 0;
}
