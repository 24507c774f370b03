// OpenInference alone: OpenAI and Anthropic, the Anthropic SDK's own spans switched off.
import { runOpenInference } from './openinference-run.mjs';
await runOpenInference({ withOpenai: true, anthropicSdkSpans: false });
