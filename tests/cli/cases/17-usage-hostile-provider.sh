# Usage sync against a hostile provider. One plan per fault, on every OpenAI
# report endpoint: the command must end by itself (the product's own
# timeouts; `timeout 120` only guards the test against a hang), say what
# happened, and stay under 256 MiB whatever came.
t usage-sync-endless-body
fake endless
hostile_sync LLMOPS_USAGE_TIMEOUT_MS=10000
ended
eq "$rc" 1
has "$T/err" "openai: response from GET /v1/organization/usage/completions larger than 8 MiB"
has "$T/err" "openai: response from GET /v1/organization/costs larger than 8 MiB"
under_256m
eq "$(reqs /v1/organization/costs)" 1 # not retried: it would only come again

t usage-sync-huge-content-length
fake huge-length
hostile_sync LLMOPS_USAGE_TIMEOUT_MS=10000
ended
eq "$rc" 1
has "$T/err" "openai: response from GET /v1/organization/costs larger than 8 MiB"
under_256m

t usage-sync-many-values
fake many-values
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: the body holds more than 1000000 values; not read"
under_256m

t usage-sync-drip
# A byte a second is never idle long enough: the overall deadline ends it.
fake drip
hostile_sync LLMOPS_USAGE_TIMEOUT_MS=1500
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: no complete answer within 1.5s; retrying in"
has "$T/err" "openai: GET /v1/organization/costs: no complete answer within 1.5s; gave up after 3 attempts"
under_256m

t usage-sync-accept-and-hang
# Connected and silent: the idle timeout, said as such, not "no connection".
fake hang-every
hostile_sync LLMOPS_HTTP_IDLE=1
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: connected, no answer for 1s; retrying in"
has "$T/err" "openai: GET /v1/organization/costs: connected, no answer for 1s; gave up after 3 attempts"
lacks "$T/err" "no connection"

t usage-sync-no-connection
# Nothing listens on the port any more: that is "no connection".
fake_stop
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: no connection: Couldn't connect to server; gave up after 3 attempts"

t usage-sync-binary-garbage
fake binary
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/costs: the body is not JSON"
under_256m

t usage-sync-truncated-gzip
fake gzip-cut
hostile_sync
ended
eq "$rc" 1
has "$T/err" "openai: GET /v1/organization/usage/completions: the body is not JSON"
eq "$(sq "$T/hostile.db" "SELECT count(*) FROM usage_buckets")" 0
fake_stop
