// Langfuse JS v5 set up as its docs say: LangfuseSpanProcessor on a NodeTracerProvider (one per
// exporter, so both encodings get what Langfuse exports), @langfuse/openai around the OpenAI
// client, and Anthropic calls recorded as manual generations (Langfuse has no Anthropic wrapper).
// Shared by langfuse.mjs and langfuse_anthropic-sdk.mjs.
import {
	traceExporters, registerProvider, anthropicClient, openaiClient, anthropicScenarios, openaiScenarios,
	cap, attempt, writeManifest, anthropicBase,
} from './common.mjs';

const LF = { publicKey: 'pk-lf-capture-placeholder', secretKey: 'sk-lf-capture-placeholder', baseUrl: anthropicBase };

async function setup() {
	const { LangfuseSpanProcessor } = await import('@langfuse/otel');
	const processors = (await traceExporters()).map((exporter) => new LangfuseSpanProcessor({ ...LF, exporter }));
	const provider = await registerProvider(processors, { plainExport: false });
	return { provider, processors };
}

function usageOf(u) {
	const d = { input: u.input_tokens, output: u.output_tokens };
	if (u.cache_read_input_tokens != null) d.cache_read_input_tokens = u.cache_read_input_tokens;
	if (u.cache_creation_input_tokens != null) d.cache_creation_input_tokens = u.cache_creation_input_tokens;
	return d;
}

// An Anthropic client whose messages.create is recorded as a Langfuse generation, the way the
// Langfuse docs show for providers without a wrapper. active=false uses startObservation (the
// generation is not the active span while the request runs), active=true startActiveObservation.
function langfuseAnthropic(client, tracing, active) {
	const create = async (gen, params) => {
		gen.update({ input: params.messages, model: params.model,
			modelParameters: { max_tokens: params.max_tokens } });
		try {
			if (!params.stream) {
				const r = await client.messages.create(params);
				gen.update({ model: r.model, output: r.content, usageDetails: usageOf(r.usage) });
				return r;
			}
			const events = [];
			let usage = {}, model = null, text = '';
			for await (const e of await client.messages.create(params)) {
				if (!events.length)
					gen.update({ completionStartTime: new Date() });
				events.push(e);
				if (e.type === 'message_start') { usage = { ...e.message.usage }; model = e.message.model; }
				if (e.type === 'message_delta') Object.assign(usage, e.usage);
				if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
			}
			gen.update({ model, output: { role: 'assistant', content: text }, usageDetails: usageOf(usage) });
			return events;
		} catch (e) {
			gen.update({ level: 'ERROR', statusMessage: String(e.message) });
			throw e;
		}
	};
	return { messages: { create: (params) => {
		if (active)
			return tracing.startActiveObservation('anthropic-messages', (gen) => create(gen, params), { asType: 'generation' });
		const gen = tracing.startObservation('anthropic-messages', {}, { asType: 'generation' });
		return create(gen, params).finally(() => gen.end());
	} } };
}

export async function runLangfuse({ withOpenai, anthropicSdkSpans }) {
	const { provider, processors } = await setup();
	const tracing = await import('@langfuse/tracing');
	const { observeOpenAI } = await import('@langfuse/openai');
	const { LangfuseClient } = await import('@langfuse/client');
	const prefix = anthropicSdkSpans ? 'langfuse+sdk' : 'langfuse';
	const sdk = await anthropicClient(anthropicSdkSpans ? {} : { openTelemetry: false });

	// Generations made active while the request runs (startActiveObservation).
	await anthropicScenarios(langfuseAnthropic(sdk, tracing, true), `${prefix} active`);
	// The non-active form (startObservation ... end()).
	await anthropicScenarios(langfuseAnthropic(sdk, tracing, false), `${prefix} non-active`, ['chat', 'stream', 'errors']);

	if (withOpenai) {
		const ctx = { user: 'user-42', session: 'sess-7', feature: 'support-bot' };
		const oa = observeOpenAI(await openaiClient(), { userId: ctx.user, sessionId: ctx.session,
			traceName: 'support-bot', generationMetadata: { feature: ctx.feature } });
		await openaiScenarios(oa, prefix, null, ctx);

		// A managed prompt with variables, linked to the generation.
		const lf = new LangfuseClient(LF);
		const prompt = await lf.prompt.get('support-reply');
		const variables = { product: 'llmops', customer: 'Dana', question: 'why did my bill double?' };
		const text = `${prefix} managed prompt support-reply v4`;
		const marker = cap('openai_chat', { scenario: 'managed_prompt', provider: 'openai', user_text: text,
			prompt_name: 'support-reply', prompt_version: 4, variables });
		const messages = prompt.compile({ ...variables, marker: `${marker} ${text}` });
		const withPrompt = observeOpenAI(await openaiClient(), { langfusePrompt: prompt, generationName: 'support-reply' });
		await attempt(() => withPrompt.chat.completions.create({ model: 'gpt-4o-mini', messages }));
	}

	// Feature, user and session propagated from an outer observation to an Anthropic generation.
	await tracing.startActiveObservation('support-request', async () => {
		await tracing.propagateAttributes({ userId: 'user-42', sessionId: 'sess-7', metadata: { feature: 'support-bot' } }, async () => {
			await anthropicScenarios(langfuseAnthropic(sdk, tracing, true), `${prefix} propagated`, ['tools'],
				{ user: 'user-42', session: 'sess-7', feature: 'support-bot' });
		});
	});

	await provider.forceFlush();
	await provider.shutdown();
	writeManifest({ anthropic_sdk_spans: anthropicSdkSpans,
		notes: 'Anthropic calls: "active" = startActiveObservation generation, "non-active" = startObservation + end()' });
}
