// OpenInference's Anthropic instrumentation together with the Anthropic SDK's own spans.
import { runOpenInference } from './openinference-run.mjs';
await runOpenInference({ withOpenai: false, anthropicSdkSpans: true });
