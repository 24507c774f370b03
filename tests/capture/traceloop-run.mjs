// Traceloop (OpenLLMetry JS) set up as its README says, with our two exporters. Shared by
// traceloop.mjs and traceloop_anthropic-sdk.mjs.
import { createRequire } from 'node:module';
import {
	LIB, traceExporters, anthropicClient, openaiClient, anthropicScenarios, openaiScenarios,
	cap, attempt, writeManifest, anthropicBase,
} from './common.mjs';

const require = createRequire(import.meta.url);

export async function runTraceloop({ withOpenai, anthropicSdkSpans }) {
	const traceloop = await import('@traceloop/node-server-sdk');
	// @traceloop/instrumentation-anthropic patches Anthropic.Completions.prototype.create, which
	// @anthropic-ai/sdk 1.x no longer has: through the require hook that throws and ends the
	// application. The workaround here: hand the module over by instrumentModules, with an
	// empty Completions class so that the patch of Messages goes through.
	const anthropicSdk = require('@anthropic-ai/sdk');
	if (!anthropicSdk.Anthropic.Completions)
		anthropicSdk.Anthropic.Completions = class Completions { create() { throw new Error('removed in 1.x'); } };
	const [json, proto] = await traceExporters();
	// The proto twin goes through Traceloop's own processor too, so both get the same spans.
	const protoProcessor = traceloop.createSpanProcessor({ exporter: proto,
		allowedInstrumentationLibraries: traceloop.ALL_INSTRUMENTATION_LIBRARIES });
	traceloop.initialize({
		appName: `capture-${LIB}`,
		apiKey: 'tl-capture-placeholder',
		// The prompt registry is fetched from BASE/v1/traceloop/prompts (the replay server).
		baseUrl: anthropicBase,
		exporter: json,
		processor: protoProcessor,
		instrumentModules: { anthropic: anthropicSdk, openAI: require('openai').OpenAI },
		silenceInitializationMessage: true,
	});
	await traceloop.waitForInitialization();

	const sdkOpt = anthropicSdkSpans ? {} : { openTelemetry: false };
	const anthropic = await anthropicClient(sdkOpt);
	const prefix = anthropicSdkSpans ? 'traceloop+sdk' : 'traceloop';
	await anthropicScenarios(anthropic, prefix);

	// Feature, user and session as association properties on a workflow around one call.
	await traceloop.withWorkflow({ name: 'support_workflow' }, () =>
		traceloop.withAssociationProperties({ feature: 'support-bot', user_id: 'user-42', session_id: 'sess-7' }, async () => {
			const text = `${prefix} workflow with association properties (non-streaming)`;
			const marker = cap('anthropic_tools', { scenario: 'workflow_context', provider: 'anthropic', user_text: text,
				feature: 'support-bot', user: 'user-42', session: 'sess-7', workflow: 'support_workflow' });
			await attempt(() => anthropic.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024,
				messages: [{ role: 'user', content: `${marker} ${text}` }] }));
		}));

	// A managed prompt from the registry, with variables.
	const variables = { product: 'llmops', customer: 'Dana', question: 'why did my bill double?' };
	const text = `${prefix} managed prompt support_reply v3`;
	const marker = cap('anthropic_cache_read', { scenario: 'managed_prompt', provider: 'anthropic', user_text: text,
		prompt_name: 'support_reply', prompt_version: 3, variables });
	const prompt = traceloop.getPrompt('support_reply', { ...variables, marker: `${marker} ${text}` });
	const { messages, extraAttributes, model, max_tokens, temperature } = prompt;
	await attempt(() => anthropic.messages.create({ model, max_tokens, temperature, extraAttributes,
		system: messages[0].content, messages: messages.slice(1) }));

	if (withOpenai)
		await openaiScenarios(await openaiClient(), prefix);

	await traceloop.forceFlush();
	await protoProcessor.forceFlush();
	writeManifest({ anthropic_sdk_spans: anthropicSdkSpans });
}
