// Vercel AI SDK 7 with @ai-sdk/otel's LegacyOpenTelemetry integration (ai.* spans).
import { runVercel } from './vercel-ai-run.mjs';
await runVercel({ legacy: true });
