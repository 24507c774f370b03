/* A response body of the providers' usage and cost reports through
 * usage_parse. The first byte picks the endpoint, '0' to '3': OpenAI
 * usage, Anthropic usage, OpenAI costs, Anthropic cost report. */
#include "../../data/provider.h"
#include "../../data/usage.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const provider_ops *prov;
		int kind;
		const char *endpoint;
	} ep[4] = {
	    {&provider_openai, UK_USAGE, "/v1/organization/usage/completions"},
	    {&provider_anthropic, UK_USAGE, "/v1/organizations/usage_report/messages"},
	    {&provider_openai, UK_COST, "/v1/organization/costs"},
	    {&provider_anthropic, UK_COST, "/v1/organizations/cost_report"},
	};
	if (size < 1)
		return 0;
	int e = data[0] % 4;
	usage_page pg;
	char err[256] = "";
	int rc = usage_parse(ep[e].prov, ep[e].kind, ep[e].endpoint, (const char *)data + 1, size - 1, &pg, err,
			     sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1, "odd return %d", rc);
	if (rc == 0) {
		for (size_t i = 0; i < pg.n; i++) {
			const usage_bucket *b = &pg.v[i];
			FUZZ_CHECK(b->start >= 0 && b->end > b->start, "bucket %zu: [%lld, %lld)", i, (long long)b->start,
				   (long long)b->end);
			for (size_t k = 0; k < b->nrows; k++) {
				const usage_row *r = &b->rows[k];
				fuzz_touch(r->model);
				FUZZ_CHECK(r->input_tokens >= 0 && r->output_tokens >= 0 && r->cached_tokens >= 0 &&
					       r->cache_write_tokens >= 0,
					   "a negative token count");
				FUZZ_CHECK(r->cached_tokens <= r->input_tokens, "more cached than input tokens");
			}
		}
		fuzz_touch(pg.next_page);
		FUZZ_CHECK(!pg.has_more || pg.next_page, "more pages and no cursor");
		usage_page_free(&pg);
	} else {
		fuzz_check_err(err, sizeof err);
		FUZZ_CHECK(!pg.v && !pg.next_page, "a rejected page kept its buckets");
	}
	return 0;
}
