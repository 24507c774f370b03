// OpenLIT's instrumentations for openai and @anthropic-ai/sdk, set up as its README says:
// OpenLIT builds its own tracer provider and exports OTLP/HTTP JSON (spans and events) to
// otlpEndpoint; it has no protobuf exporter, so there is no traces.pb twin here. Handing it our
// provider instead (the `tracer` option) skips its configuration: every span then ends in ERROR
// "OpenlitConfig.applicationName is not set". The Anthropic SDK's own spans are left on, as
// they are by default.
import { createRequire } from 'node:module';
import { LIB, anthropicClient, openaiClient, anthropicScenarios, openaiScenarios, writeManifest } from './common.mjs';

const require = createRequire(import.meta.url);
const Openlit = require('openlit').default;
Openlit.init({
	applicationName: `capture-${LIB}`,
	environment: 'capture',
	otlpEndpoint: process.env.CAPTURE_OTLP_URL + '/' + LIB,
	disableMetrics: true,
	captureMessageContent: true,
	// A local (empty) price list: the default is fetched from the network.
	pricingJson: { chat: {}, embeddings: {}, images: {}, audio: {} },
	instrumentations: { openai: require('openai'), anthropic: require('@anthropic-ai/sdk') },
});

await openaiScenarios(await openaiClient(), 'openlit');
await anthropicScenarios(await anthropicClient(), 'openlit');
// OpenLIT keeps its providers to itself; the global ones flush what it recorded.
const api = require('@opentelemetry/api');
await api.trace.getTracerProvider().getDelegate?.().forceFlush?.();
const logs = require('@opentelemetry/api-logs').logs.getLoggerProvider();
await logs.forceFlush?.();
writeManifest();
