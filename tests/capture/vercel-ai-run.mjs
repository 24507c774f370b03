// The Vercel AI SDK (ai 7) with @ai-sdk/openai and @ai-sdk/anthropic, its telemetry through
// @ai-sdk/otel: the OpenTelemetry integration (gen_ai spans: invoke_agent / step / chat /
// execute_tool) or LegacyOpenTelemetry (ai.* spans: ai.generateText / .doGenerate / ai.toolCall).
// Shared by vercel-ai-otel.mjs and vercel-ai-legacy.mjs.
import { z } from 'zod';
import { registerProvider, cap, attempt, writeManifest, anthropicBase, openaiBase } from './common.mjs';

export async function runVercel({ legacy }) {
	const provider = await registerProvider();
	const ai = await import('ai');
	const otel = await import('@ai-sdk/otel');
	const { createOpenAI } = await import('@ai-sdk/openai');
	const { createAnthropic } = await import('@ai-sdk/anthropic');
	// runtimeContext is recorded (ai.settings.context.*) only when asked for.
	ai.registerTelemetry(legacy ? new otel.LegacyOpenTelemetry() : new otel.OpenTelemetry({ runtimeContext: true }));
	const openai = createOpenAI({ baseURL: openaiBase, apiKey: process.env.OPENAI_API_KEY });
	const anthropic = createAnthropic({ baseURL: `${anthropicBase}/v1`, apiKey: process.env.ANTHROPIC_API_KEY });
	const prefix = legacy ? 'vercel-legacy' : 'vercel-otel';

	// Context of the outer call: feature, user, session and prompt, for every call below.
	const context = { feature: 'support-bot', userId: 'user-42', sessionId: 'sess-7', prompt: 'support-reply', promptVersion: '5' };
	const ctxMeta = { feature: 'support-bot', user: 'user-42', session: 'sess-7', prompt_name: 'support-reply', prompt_version: '5' };
	const common = (functionId) => ({
		maxRetries: 0,
		runtimeContext: context,
		telemetry: { functionId, includeRuntimeContext: Object.fromEntries(Object.keys(context).map((k) => [k, true])) },
	});
	const say = (key, scenario, providerName, text) =>
		`${cap(key, { scenario, provider: providerName, user_text: `${prefix} ${text}`, ...ctxMeta })} ${prefix} ${text}`;
	const drain = async (r) => {
		let err = null;
		for await (const part of r.fullStream)
			if (part.type === 'error')
				err = part.error;
		if (err)
			throw err;
		return r;
	};
	const weather = ai.tool({ description: 'Current weather in a city',
		inputSchema: z.object({ location: z.string(), unit: z.enum(['celsius', 'fahrenheit']).optional() }),
		execute: async ({ location }) => ({ location, temperature: 18, unit: 'celsius' }) });
	const time = ai.tool({ description: 'Current time in a timezone',
		inputSchema: z.object({ timezone: z.string() }),
		execute: async ({ timezone }) => ({ timezone, time: '09:40' }) });

	// OpenAI (chat completions API)
	await attempt(() => ai.generateText({ model: openai.chat('gpt-4o-mini'), ...common('openai-chat'),
		prompt: say('openai_chat', 'chat', 'openai', 'say this is a test (generateText)') }));
	await attempt(() => drain(ai.streamText({ model: openai.chat('gpt-4'), ...common('openai-stream'),
		prompt: say('openai_stream', 'stream', 'openai', 'say this is a test (streamText)') })));
	await attempt(() => drain(ai.streamText({ model: openai.chat('gpt-4o-mini'), ...common('openai-tools'),
		tools: { get_current_weather: weather }, stopWhen: ai.stepCountIs(2),
		prompt: say('openai_tools', 'tools_stream', 'openai', "what's the weather in San Francisco and Boston? (streamText, tools, 2 steps)") })));
	for (const [key, scenario, model] of [['openai_429', 'rate_limit', 'gpt-4o-mini'],
		['openai_404', 'not_found', 'this-model-does-not-exist'], ['openai_400ctx', 'context_length', 'gpt-4o-mini']])
		await attempt(() => ai.generateText({ model: openai.chat(model), ...common('openai-errors'),
			prompt: say(key, scenario, 'openai', `error case: ${scenario} (generateText)`) }));

	// Anthropic
	await attempt(() => ai.generateText({ model: anthropic('claude-3-5-sonnet-20240620'), ...common('anthropic-chat'),
		system: 'You summarise engineering articles for an on-call team.',
		prompt: say('anthropic_cache_read', 'chat_cached', 'anthropic', 'summarise the three articles (generateText, cache read)') }));
	await attempt(() => drain(ai.streamText({ model: anthropic('claude-3-haiku-20240307'), ...common('anthropic-stream'),
		prompt: say('anthropic_stream', 'stream', 'anthropic', 'tell me a joke about OpenTelemetry (streamText)') })));
	await attempt(() => drain(ai.streamText({ model: anthropic('claude-3-5-sonnet-20240620'), ...common('anthropic-cache-write'),
		prompt: say('anthropic_cache_write', 'stream_cache_write', 'anthropic', 'summarise the three articles (streamText, cache write)') })));
	await attempt(() => drain(ai.streamText({ model: anthropic('claude-3-7-sonnet-20250219'), ...common('anthropic-thinking'),
		providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } },
		prompt: say('anthropic_thinking', 'thinking', 'anthropic', 'how many r are in strawberry? (streamText, thinking)') })));
	await attempt(() => ai.generateText({ model: anthropic('claude-3-5-sonnet-20240620'), ...common('anthropic-tools'),
		tools: { get_weather: weather, get_time: time }, stopWhen: ai.stepCountIs(2),
		prompt: say('anthropic_tools', 'tools', 'anthropic', 'what is the weather and the time in New York? (generateText, tools, 2 steps)') }));
	for (const [key, scenario, model, stream] of [['anthropic_429', 'rate_limit', 'claude-3-5-sonnet-20240620', false],
		['anthropic_404', 'not_found', 'claude-does-not-exist', false],
		['anthropic_400ctx', 'context_length', 'claude-3-5-sonnet-20240620', false],
		['anthropic_529', 'overloaded', 'claude-3-5-sonnet-20240620', false],
		['anthropic_529', 'overloaded_stream', 'claude-3-5-sonnet-20240620', true]]) {
		const args = { model: anthropic(model), ...common('anthropic-errors'),
			prompt: say(key, scenario, 'anthropic', `error case: ${scenario} (${stream ? 'streamText' : 'generateText'})`) };
		await attempt(() => stream ? drain(ai.streamText(args)) : ai.generateText(args));
	}

	await provider.shutdown();
	writeManifest({ format: legacy ? 'LegacyOpenTelemetry (ai.* spans)' : 'OpenTelemetry (gen_ai spans), runtimeContext: true',
		runtime_context: context });
}
