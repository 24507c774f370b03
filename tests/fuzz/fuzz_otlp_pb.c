/* One OTLP protobuf message (an exporter's request body) through the
 * detection of its framing and the reader that maps it as OTLP/JSON is
 * mapped, then what the importer does with the calls. */
#include "../../core/batch.h"
#include "../../data/import.h"
#include "../../data/otlp_pb.h"
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
	int framing = otlp_pb_sniff(data, size);
	FUZZ_CHECK(framing >= -1 && framing <= PB_BE32, "odd framing %d", framing);
	batch_t b = {0};
	char err[256] = "";
	int rc = otlp_pb_parse(data, size, &b, err, sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1, "odd return %d", rc);
	if (rc == 0) {
		for (size_t i = 0; i < b.n; i++)
			fuzz_touch_call(&b.calls[i]);
		for (size_t i = 0; i < b.nspans; i++) {
			const span_rec *s = &b.spans[i];
			FUZZ_CHECK(s->trace_len <= CALL_ID_MAX && s->span_len <= CALL_ID_MAX && s->parent_len <= CALL_ID_MAX,
				   "span id too long");
			fuzz_touch(s->name);
			fuzz_touch(s->scope);
			fuzz_touch(s->attrs);
			fuzz_touch(s->ctx);
		}
		batch_prepare(&b, prices);
	} else {
		FUZZ_CHECK(b.n == 0 && b.nev == 0 && b.nspans == 0, "a rejected message left %zu calls", b.n);
		fuzz_check_err(err, sizeof err);
	}
	batch_free(&b);
	return 0;
}
