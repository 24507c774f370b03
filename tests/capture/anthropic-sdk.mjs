// The official @anthropic-ai/sdk alone: it emits its own span for each request as soon as a
// tracer provider is registered. Default settings (metadata only), then two requests with the
// client's content mode on, to show what it adds.
import { registerProvider, anthropicClient, anthropicScenarios, writeManifest } from './common.mjs';

const provider = await registerProvider();
const client = await anthropicClient();
await anthropicScenarios(client, 'sdk-alone');
const withContent = await anthropicClient({ openTelemetry: { traces: { contentMode: 'content' } } });
await anthropicScenarios(withContent, 'sdk-alone-content', ['chat', 'thinking']);
await provider.shutdown();
writeManifest({ notes: 'calls 1-12 default client (metadata_only); 13-14 with openTelemetry.traces.contentMode=content' });
