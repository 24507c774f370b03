// Vercel AI SDK 7 with @ai-sdk/otel's OpenTelemetry integration (gen_ai spans).
import { runVercel } from './vercel-ai-run.mjs';
await runVercel({ legacy: false });
