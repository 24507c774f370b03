// @opentelemetry/instrumentation-openai (OpenTelemetry JS contrib) on the 3.x SDK, which it
// requires; it supports openai < 7, so the client here is openai 6. Message content on.
import { createRequire } from 'node:module';
import { LIB, tracesUrl, logsUrl, openaiBase, openaiScenarios, writeManifest } from '../common.mjs';

const require = createRequire(import.meta.url);
const { TracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { OTLPTraceExporter: Json } = require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPTraceExporter: Proto } = require('@opentelemetry/exporter-trace-otlp-proto');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter: JsonLogs } = require('@opentelemetry/exporter-logs-otlp-http');
const { OTLPLogExporter: ProtoLogs } = require('@opentelemetry/exporter-logs-otlp-proto');
const api = require('@opentelemetry/api');

const provider = new TracerProvider({
	resource: resourceFromAttributes({ 'service.name': `capture-${LIB}` }),
	spanProcessors: [new BatchSpanProcessor({ exporter: new Json({ url: tracesUrl }) }),
		new BatchSpanProcessor({ exporter: new Proto({ url: tracesUrl }) })],
});
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
api.trace.setGlobalTracerProvider(provider);
// Message content is emitted as log records (gen_ai events), not span attributes.
const loggerProvider = new LoggerProvider({
	resource: resourceFromAttributes({ 'service.name': `capture-${LIB}` }),
	processors: [new BatchLogRecordProcessor({ exporter: new JsonLogs({ url: logsUrl }) }),
		new BatchLogRecordProcessor({ exporter: new ProtoLogs({ url: logsUrl }) })],
});
api.logs.setGlobalLoggerProvider(loggerProvider);
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: true })] });

const OpenAI = require('openai');
await openaiScenarios(new OpenAI({ baseURL: openaiBase, maxRetries: 0 }), 'otel-openai');
await provider.shutdown();
await loggerProvider.shutdown();
writeManifest({ openai_version: OpenAI.VERSION ?? require('openai/version').VERSION });
