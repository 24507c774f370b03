// Arize OpenInference instrumentations for openai and @anthropic-ai/sdk on a plain tracer
// provider, with OpenInference's context attributes (session, user, metadata, prompt template)
// around some calls. Shared by openinference.mjs and openinference_anthropic-sdk.mjs.
import { createRequire } from 'node:module';
import {
	registerProvider, anthropicClient, openaiClient, anthropicScenarios, openaiScenarios,
	cap, attempt, writeManifest,
} from './common.mjs';

const require = createRequire(import.meta.url);

export async function runOpenInference({ withOpenai, anthropicSdkSpans }) {
	const provider = await registerProvider();
	const { OpenAIInstrumentation } = await import('@arizeai/openinference-instrumentation-openai');
	const { AnthropicInstrumentation } = await import('@arizeai/openinference-instrumentation-anthropic');
	const oi = await import('@arizeai/openinference-core');
	const { context } = await import('@opentelemetry/api');
	// The documented way for applications whose modules the require hook may miss.
	new AnthropicInstrumentation().manuallyInstrument(require('@anthropic-ai/sdk'));
	new OpenAIInstrumentation().manuallyInstrument(require('openai'));

	const prefix = anthropicSdkSpans ? 'openinference+sdk' : 'openinference';
	const sdk = await anthropicClient(anthropicSdkSpans ? {} : { openTelemetry: false });
	await anthropicScenarios(sdk, prefix);

	// Session, user, metadata and a prompt template (no name: OpenInference has none) from context.
	const variables = { product: 'llmops', customer: 'Dana', question: 'why did my bill double?' };
	const ctx = oi.setPromptTemplate(oi.setMetadata(oi.setUser(oi.setSession(context.active(),
		{ sessionId: 'sess-7' }), { userId: 'user-42' }), { feature: 'support-bot' }),
	{ template: '{customer} asks: {question}', variables, version: 'v6' });
	await context.with(ctx, async () => {
		const text = `${prefix} Dana asks: why did my bill double? (context attributes, prompt template)`;
		const marker = cap('anthropic_cache_read', { scenario: 'managed_prompt', provider: 'anthropic', user_text: text,
			prompt_version: 'v6', variables, user: 'user-42', session: 'sess-7', feature: 'support-bot' });
		await attempt(() => sdk.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024,
			messages: [{ role: 'user', content: `${marker} ${text}` }] }));
		if (withOpenai) {
			const oa = await openaiClient();
			const t2 = `${prefix} Dana asks: why did my bill double? (context attributes, prompt template)`;
			const m2 = cap('openai_chat', { scenario: 'managed_prompt', provider: 'openai', user_text: t2,
				prompt_version: 'v6', variables, user: 'user-42', session: 'sess-7', feature: 'support-bot' });
			await attempt(() => oa.chat.completions.create({ model: 'gpt-4o-mini',
				messages: [{ role: 'user', content: `${m2} ${t2}` }] }));
		}
	});

	if (withOpenai)
		await openaiScenarios(await openaiClient(), prefix);
	await provider.shutdown();
	writeManifest({ anthropic_sdk_spans: anthropicSdkSpans });
}
