// Traceloop alone: OpenAI and Anthropic, the Anthropic SDK's own spans switched off.
import { runTraceloop } from './traceloop-run.mjs';
await runTraceloop({ withOpenai: true, anthropicSdkSpans: false });
