// Langfuse generations around Anthropic calls, with the Anthropic SDK's own spans (on by default).
import { runLangfuse } from './langfuse-run.mjs';
await runLangfuse({ withOpenai: false, anthropicSdkSpans: true });
