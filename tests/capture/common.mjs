// Shared by the capture scripts: where to send telemetry and requests, the two exporters, the
// call manifest, and the provider scenarios every library runs.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export const LIB = process.env.CAPTURE_LIB;
export const OUT = process.env.CAPTURE_OUT;
const REPLAY = process.env.CAPTURE_REPLAY_URL;
const OTLP = process.env.CAPTURE_OTLP_URL;
if (!LIB || !OUT || !REPLAY || !OTLP) {
	console.error('capture: run through tests/capture/run.sh (CAPTURE_LIB, CAPTURE_OUT, CAPTURE_REPLAY_URL, CAPTURE_OTLP_URL)');
	process.exit(2);
}

export const anthropicBase = `${REPLAY}/${LIB}`;
export const openaiBase = `${REPLAY}/${LIB}/v1`;
// CAPTURE_OTLP_FLAT=1: straight to an OTLP/HTTP endpoint (llmops collect), not to the capture
// receiver's folder per library.
const OTLP_BASE = process.env.CAPTURE_OTLP_FLAT ? OTLP : `${OTLP}/${LIB}`;
export const tracesUrl = `${OTLP_BASE}/v1/traces`;
export const logsUrl = `${OTLP_BASE}/v1/logs`;

// Both OTLP encodings get every span, so that traces.jsonl and traces.pb are twins.
export async function traceExporters() {
	const { OTLPTraceExporter: Json } = await import('@opentelemetry/exporter-trace-otlp-http');
	const { OTLPTraceExporter: Proto } = await import('@opentelemetry/exporter-trace-otlp-proto');
	return [new Json({ url: tracesUrl }), new Proto({ url: tracesUrl })];
}

export async function logExporters() {
	const { OTLPLogExporter: Json } = await import('@opentelemetry/exporter-logs-otlp-http');
	const { OTLPLogExporter: Proto } = await import('@opentelemetry/exporter-logs-otlp-proto');
	return [new Json({ url: logsUrl }), new Proto({ url: logsUrl })];
}

// A plain SDK tracer provider, registered globally, exporting in both encodings.
export async function registerProvider(extraProcessors = [], { plainExport = true } = {}) {
	const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
	const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
	const { resourceFromAttributes } = await import('@opentelemetry/resources');
	const processors = [...extraProcessors,
		...(plainExport ? (await traceExporters()).map((e) => new BatchSpanProcessor(e)) : [])];
	const provider = new NodeTracerProvider({
		resource: resourceFromAttributes({ 'service.name': `capture-${LIB}` }),
		spanProcessors: processors,
	});
	provider.register();
	return provider;
}

// Every provider request the script makes is announced here first; its marker routes the
// replay server and lets expected.mjs join the served body with what the script meant.
// Each call's start and end are kept on the clock OpenTelemetry stamps spans with (not
// Date.now(), which drifts away from it by milliseconds), so that its spans can be found.
const calls = [];
const otelNow = () => performance.timeOrigin + performance.now();
export function cap(key, meta) {
	const n = calls.length + 1;
	const marker = `[cap:${key}:${n}]`;
	calls.push({ call: n, key, ...meta, t_start_ms: otelNow() });
	return marker;
}

export async function attempt(fn) {
	try {
		return await fn();
	} catch (e) {
		calls[calls.length - 1].client_error = `${e?.constructor?.name}: ${String(e?.message).slice(0, 200)}`;
		return null;
	} finally {
		calls[calls.length - 1].t_end_ms = otelNow();
	}
}

export function writeManifest(extra = {}) {
	const dir = path.join(OUT, LIB);
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'calls.json'), JSON.stringify({ lib: LIB, ...extra, calls }, null, 1) + '\n');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const LONG_SYSTEM = 'You summarise engineering articles for an on-call team. '.repeat(8);

export const anthropicTools = [
	{ name: 'get_weather', description: 'Current weather in a city',
		input_schema: { type: 'object', properties: { location: { type: 'string' },
			unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location'] } },
	{ name: 'get_time', description: 'Current time in a timezone',
		input_schema: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] } },
];

export const openaiTools = [
	{ type: 'function', function: { name: 'get_current_weather', description: 'Current weather in a city',
		parameters: { type: 'object', properties: { location: { type: 'string' },
			unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location'] } } },
];

async function drain(stream) {
	for await (const _ of stream) { /* the instrumentation sees every event */ }
}

// The Anthropic requests every library is run through (prefix tells the libraries' calls apart).
export async function anthropicScenarios(client, prefix, only, meta = {}) {
	const want = (s) => !only || only.includes(s);
	const user = (key, scenario, text) =>
		`${cap(key, { scenario, provider: 'anthropic', user_text: `${prefix} ${text}`, ...meta })} ${prefix} ${text}`;
	if (want('chat'))
		await attempt(() => client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024,
			system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }],
			messages: [{ role: 'user', content: user('anthropic_cache_read', 'chat_cached', 'summarise the three articles (non-streaming, cache read)') }] }));
	if (want('stream'))
		await attempt(async () => drain(await client.messages.create({ model: 'claude-3-haiku-20240307', max_tokens: 1024, stream: true,
			messages: [{ role: 'user', content: user('anthropic_stream', 'stream', 'tell me a joke about OpenTelemetry (streaming)') }] })));
	if (want('cache_write'))
		await attempt(async () => drain(await client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024, stream: true,
			system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }],
			messages: [{ role: 'user', content: user('anthropic_cache_write', 'stream_cache_write', 'summarise the three articles (streaming, cache write)') }] })));
	if (want('cache_read'))
		await attempt(async () => drain(await client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024, stream: true,
			system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }],
			messages: [{ role: 'user', content: user('anthropic_cache_read', 'stream_cache_read', 'summarise the three articles (streaming, cache read)') }] })));
	if (want('tools'))
		await attempt(() => client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024, tools: anthropicTools,
			messages: [{ role: 'user', content: user('anthropic_tools', 'tools', 'what is the weather and the time in New York? (tools, non-streaming)') }] }));
	if (want('tools_stream'))
		await attempt(async () => drain(await client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024, stream: true, tools: anthropicTools,
			messages: [{ role: 'user', content: user('anthropic_tools', 'tools_stream', 'what is the weather and the time in San Francisco? (tools, streaming)') }] })));
	if (want('thinking'))
		await attempt(async () => drain(await client.messages.create({ model: 'claude-3-7-sonnet-20250219', max_tokens: 2048, stream: true,
			thinking: { type: 'enabled', budget_tokens: 1024 },
			messages: [{ role: 'user', content: user('anthropic_thinking', 'thinking', 'how many r are in strawberry? (thinking, streaming)') }] })));
	if (want('errors')) {
		await attempt(() => client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024,
			messages: [{ role: 'user', content: user('anthropic_429', 'rate_limit', 'error case: rate limited') }] }));
		await attempt(() => client.messages.create({ model: 'claude-does-not-exist', max_tokens: 1024,
			messages: [{ role: 'user', content: user('anthropic_404', 'not_found', 'error case: unknown model') }] }));
		await attempt(() => client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024,
			messages: [{ role: 'user', content: user('anthropic_400ctx', 'context_length', 'error case: prompt too long') }] }));
		await attempt(() => client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024,
			messages: [{ role: 'user', content: user('anthropic_529', 'overloaded', 'error case: overloaded') }] }));
		await attempt(async () => drain(await client.messages.create({ model: 'claude-3-5-sonnet-20240620', max_tokens: 1024, stream: true,
			messages: [{ role: 'user', content: user('anthropic_529', 'overloaded_stream', 'error case: overloaded (streaming request)') }] })));
	}
}

// The OpenAI requests every library is run through.
export async function openaiScenarios(client, prefix, only, meta = {}) {
	const want = (s) => !only || only.includes(s);
	const user = (key, scenario, text) =>
		`${cap(key, { scenario, provider: 'openai', user_text: `${prefix} ${text}`, ...meta })} ${prefix} ${text}`;
	if (want('chat'))
		await attempt(() => client.chat.completions.create({ model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: user('openai_chat', 'chat', 'say this is a test (non-streaming)') }] }));
	if (want('stream'))
		await attempt(async () => drain(await client.chat.completions.create({ model: 'gpt-4', stream: true,
			stream_options: { include_usage: true },
			messages: [{ role: 'user', content: user('openai_stream', 'stream', 'say this is a test (streaming with usage)') }] })));
	if (want('tools_stream'))
		await attempt(async () => drain(await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true,
			stream_options: { include_usage: true }, tools: openaiTools,
			messages: [{ role: 'user', content: user('openai_tools', 'tools_stream', "what's the weather in San Francisco and Boston? (tools, streaming)") }] })));
	if (want('errors')) {
		await attempt(() => client.chat.completions.create({ model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: user('openai_429', 'rate_limit', 'error case: rate limited') }] }));
		await attempt(() => client.chat.completions.create({ model: 'this-model-does-not-exist',
			messages: [{ role: 'user', content: user('openai_404', 'not_found', 'error case: unknown model') }] }));
		await attempt(() => client.chat.completions.create({ model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: user('openai_400ctx', 'context_length', 'error case: context too long') }] }));
	}
}

// The clients are loaded through require, after the instrumentation is set up, as a CommonJS
// application would: most instrumentations patch through require hooks, not ESM imports.
const require = createRequire(import.meta.url);

export async function anthropicClient(opts = {}) {
	const Anthropic = require('@anthropic-ai/sdk');
	return new Anthropic({ baseURL: anthropicBase, maxRetries: 0, ...opts });
}

export async function openaiClient(opts = {}) {
	const OpenAI = require('openai');
	return new OpenAI({ baseURL: openaiBase, maxRetries: 0, ...opts });
}
