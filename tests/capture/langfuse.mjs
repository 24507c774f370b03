// Langfuse alone: @langfuse/openai, a managed prompt, and Anthropic manual generations with the
// Anthropic SDK's own spans switched off.
import { runLangfuse } from './langfuse-run.mjs';
await runLangfuse({ withOpenai: true, anthropicSdkSpans: false });
