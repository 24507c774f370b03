// Traceloop's Anthropic instrumentation together with the Anthropic SDK's own spans (on by default).
import { runTraceloop } from './traceloop-run.mjs';
await runTraceloop({ withOpenai: false, anthropicSdkSpans: true });
