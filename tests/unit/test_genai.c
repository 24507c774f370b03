/* The GenAI mapping: each instrumentation convention's span attributes to a
 * call's fields (provider, model, tokens, time to first token, prompt, who
 * and what for), and their messages to one shape (core/genai). A token count
 * read from the wrong attribute is a wrong bill on the dashboard. */
#include <cjson/cJSON.h>

#include "../../core/batch.h"
#include "../../core/clock.h"
#include "../../core/genai.h"
#include "../../data/import.h"
#include "t.h"

/* One OTLP/JSON span of 2 s with these attributes (a JSON list of
 * {"key", "value"} objects, without the brackets); its call in *b. */
static call_t *span_call(batch_t *b, const char *attrs)
{
	sbuf d = SBUF_INIT;
	sb_printf(&d,
		  "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":"
		  "\"shop\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"test\"},\"spans\":[{\"traceId\":"
		  "\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\",\"name\":\"chat\",\"kind\":3,"
		  "\"startTimeUnixNano\":\"1795424400000000000\",\"endTimeUnixNano\":\"1795424402000000000\","
		  "\"attributes\":[%s]}]}]}]}",
		  attrs);
	char err[256] = "";
	ck_assert_msg(otlp_parse_doc(d.p, d.len, b, err, sizeof err) == 0, "%s", err);
	sb_free(&d);
	ck_assert_uint_eq(b->n, 1);
	return &b->calls[0];
}

#define S(k, v) "{\"key\":\"" k "\",\"value\":{\"stringValue\":\"" v "\"}}"
#define I(k, v) "{\"key\":\"" k "\",\"value\":{\"intValue\":\"" #v "\"}}"
#define D(k, v) "{\"key\":\"" k "\",\"value\":{\"doubleValue\":" #v "}}"

/* OpenTelemetry's GenAI semantic conventions, as they stand. */
START_TEST(otel_semconv)
{
	batch_t b = {0};
	call_t *c = span_call(&b, S("gen_ai.operation.name", "chat") "," S("gen_ai.provider.name", "openai") ","
				  S("gen_ai.request.model", "gpt-4o") "," S("gen_ai.response.model", "gpt-4o-2024-08-06") ","
				  I("gen_ai.usage.input_tokens", 1200) "," I("gen_ai.usage.output_tokens", 250) ","
				  I("gen_ai.usage.cache_read.input_tokens", 300) "," I("gen_ai.usage.total_tokens", 1450) ","
				  D("gen_ai.response.time_to_first_chunk", 0.25) "," S("gen_ai.conversation.id", "conv-9") ","
				  S("user.id", "u-1"));
	ck_assert_str_eq(c->provider, "openai");
	ck_assert_str_eq(c->operation, "chat");
	/* The response's model: that is what was billed. */
	ck_assert_str_eq(c->model, "gpt-4o-2024-08-06");
	ck_assert(c->model_from_response);
	ck_assert_str_eq(c->request_model, "gpt-4o");
	/* OpenAI's input already counts its cache reads. */
	ck_assert_int_eq(c->input_tokens, 1200);
	ck_assert_int_eq(c->cached_tokens, 300);
	ck_assert_int_eq(c->output_tokens, 250);
	ck_assert_double_eq(c->latency_ms, 2000);
	ck_assert_double_eq_tol(c->ttft_ms, 250, 1e-6);
	ck_assert_str_eq(c->session_id, "conv-9");
	ck_assert_str_eq(c->user_id, "u-1");
	/* What was mapped is not kept again among the attributes; the total is derived. */
	ck_assert_ptr_null(strstr(c->attrs ? c->attrs : "", "gen_ai.usage"));
	batch_free(&b);
}
END_TEST

/* The conventions before: gen_ai.system, prompt and completion tokens. And
 * Anthropic's input_tokens, which leave the cache out: input is the whole. */
START_TEST(otel_semconv_older_anthropic)
{
	batch_t b = {0};
	call_t *c = span_call(&b, S("gen_ai.system", "Anthropic") "," S("gen_ai.request.model", "claude-3-5-sonnet-20240620") ","
				  I("gen_ai.usage.prompt_tokens", 4) "," I("gen_ai.usage.completion_tokens", 221) ","
				  I("gen_ai.usage.cache_read_input_tokens", 1165) ","
				  I("gen_ai.usage.cache_creation_input_tokens", 100));
	ck_assert_str_eq(c->provider, "anthropic");
	ck_assert_str_eq(c->model, "claude-3-5-sonnet-20240620");
	ck_assert(!c->model_from_response);
	ck_assert_str_eq(c->operation, "chat");
	ck_assert_int_eq(c->input_tokens, 4 + 1165 + 100);
	ck_assert_int_eq(c->cached_tokens, 1165);
	ck_assert_int_eq(c->output_tokens, 221);
	ck_assert_double_eq(c->ttft_ms, -1);
	batch_free(&b);
}
END_TEST

/* OpenInference (Arize Phoenix): llm.* attributes, a template and its
 * variables, metadata as one JSON object. */
START_TEST(openinference)
{
	batch_t b = {0};
	call_t *c = span_call(
	    &b, S("openinference.span.kind", "LLM") "," S("llm.provider", "openai") "," S("llm.system", "openai") ","
		S("llm.model_name", "gpt-4o-mini-2024-07-18") "," I("llm.token_count.prompt", 900) ","
		I("llm.token_count.completion", 80) "," I("llm.token_count.prompt_details.cache_read", 512) ","
		I("llm.token_count.total", 980) "," S("llm.prompt_template.template", "Hello {name}") ","
		S("llm.prompt_template.variables", "{\\\"name\\\":\\\"Ann\\\"}") ","
		S("llm.prompt_template.version", "v3") "," S("metadata", "{\\\"feature\\\":\\\"checkout\\\",\\\"prompt_name\\\":\\\"greet\\\"}") ","
		S("session.id", "s-5"));
	ck_assert_str_eq(c->provider, "openai");
	ck_assert_str_eq(c->model, "gpt-4o-mini-2024-07-18");
	ck_assert_int_eq(c->input_tokens, 900);
	ck_assert_int_eq(c->cached_tokens, 512);
	ck_assert_int_eq(c->output_tokens, 80);
	ck_assert_str_eq(c->variables, "{\"name\":\"Ann\"}");
	ck_assert_str_eq(c->prompt_name, "greet");
	ck_assert_str_eq(c->prompt_version, "v3");
	ck_assert_str_eq(c->prompt_template, "Hello {name}");
	ck_assert_str_eq(c->feature, "checkout");
	ck_assert_str_eq(c->session_id, "s-5");
	batch_free(&b);
}
END_TEST

/* Traceloop (OpenLLMetry): llm.request.type, llm.usage.*, its association
 * properties and prompt keys, template variables one attribute each. */
START_TEST(traceloop)
{
	batch_t b = {0};
	call_t *c = span_call(&b, S("llm.request.type", "chat") "," S("gen_ai.system", "OpenAI") ","
				  S("gen_ai.request.model", "gpt-4o") "," S("llm.response.model", "gpt-4o-2024-05-13") ","
				  I("llm.usage.prompt_tokens", 42) "," I("llm.usage.completion_tokens", 7) ","
				  I("llm.usage.total_tokens", 49) "," S("traceloop.prompt.key", "support-answer") ","
				  I("traceloop.prompt.version", 8) ","
				  S("traceloop.prompt.template_variables.customer", "Bob") ","
				  S("traceloop.association.properties.user_id", "u-7") ","
				  S("traceloop.association.properties.feature", "refunds"));
	ck_assert_str_eq(c->provider, "openai");
	ck_assert_str_eq(c->model, "gpt-4o-2024-05-13");
	ck_assert_str_eq(c->request_model, "gpt-4o");
	ck_assert_int_eq(c->input_tokens, 42);
	ck_assert_int_eq(c->output_tokens, 7);
	ck_assert_int_eq(c->cached_tokens, -1); /* not said: unknown, not zero */
	ck_assert_str_eq(c->prompt_name, "support-answer");
	ck_assert_str_eq(c->prompt_version, "8");
	ck_assert_str_eq(c->variables, "{\"customer\":\"Bob\"}");
	ck_assert_str_eq(c->user_id, "u-7");
	ck_assert_str_eq(c->feature, "refunds");
	batch_free(&b);
}
END_TEST

/* The Vercel AI SDK: ai.* attributes, its provider ids, first chunk in ms,
 * free-form telemetry metadata. */
START_TEST(vercel_ai)
{
	batch_t b = {0};
	call_t *c = span_call(&b, S("ai.model.provider", "anthropic.messages") "," S("ai.model.id", "claude-haiku-4-5") ","
				  S("gen_ai.system", "anthropic.messages") "," S("gen_ai.request.model", "claude-haiku-4-5") ","
				  S("ai.response.model", "claude-haiku-4-5-20251001") "," I("ai.usage.promptTokens", 30) ","
				  I("ai.usage.completionTokens", 12) "," I("ai.usage.cachedInputTokens", 0) ","
				  D("ai.response.msToFirstChunk", 180.5) "," S("ai.telemetry.metadata.userId", "u-3") ","
				  S("ai.telemetry.metadata.feature", "chat-widget"));
	ck_assert_str_eq(c->provider, "anthropic");
	ck_assert_str_eq(c->model, "claude-haiku-4-5-20251001");
	ck_assert_int_eq(c->input_tokens, 30);
	ck_assert_int_eq(c->output_tokens, 12);
	ck_assert_int_eq(c->cached_tokens, 0);
	ck_assert_double_eq_tol(c->ttft_ms, 180.5, 1e-9);
	ck_assert_str_eq(c->user_id, "u-3");
	ck_assert_str_eq(c->feature, "chat-widget");
	batch_free(&b);
}
END_TEST

/* Langfuse: a generation, its model and prompt, usage as one JSON object
 * whose input leaves the cache out, and the time the completion started. */
START_TEST(langfuse)
{
	batch_t b = {0};
	call_t *c = span_call(
	    &b, S("langfuse.observation.type", "generation") "," S("langfuse.observation.model.name", "gpt-4o-mini") ","
		S("langfuse.observation.usage_details", "{\\\"input\\\":100,\\\"output\\\":20,\\\"input_cached_tokens\\\":60}") ","
		S("langfuse.observation.prompt.name", "triage") "," I("langfuse.observation.prompt.version", 2) ","
		S("langfuse.observation.completion_start_time", "\\\"2026-11-23T09:00:00.400Z\\\"") ","
		S("langfuse.user.id", "u-9") "," S("langfuse.session.id", "s-1"));
	ck_assert_str_eq(c->provider, "openai"); /* from the model */
	ck_assert_str_eq(c->model, "gpt-4o-mini");
	ck_assert_int_eq(c->input_tokens, 160);
	ck_assert_int_eq(c->cached_tokens, 60);
	ck_assert_int_eq(c->output_tokens, 20);
	ck_assert_str_eq(c->prompt_name, "triage");
	ck_assert_str_eq(c->prompt_version, "2");
	ck_assert_double_eq_tol(c->ttft_ms, 400, 1e-6);
	ck_assert_str_eq(c->user_id, "u-9");
	ck_assert_str_eq(c->session_id, "s-1");
	batch_free(&b);
}
END_TEST

/* When a span says it twice, the convention's own attribute wins; a known
 * provider's other spellings are one provider, an unknown one keeps its name. */
START_TEST(precedence)
{
	batch_t b = {0};
	call_t *c = span_call(&b, S("gen_ai.operation.name", "chat") "," S("gen_ai.provider.name", "aws.bedrock") ","
				  S("gen_ai.system", "openai") "," S("gen_ai.request.model", "m1") ","
				  I("gen_ai.usage.input_tokens", 10) "," I("gen_ai.usage.prompt_tokens", 99) ","
				  I("gen_ai.usage.output_tokens", 3) "," I("llm.usage.completion_tokens", 77));
	ck_assert_str_eq(c->provider, "bedrock");
	ck_assert_int_eq(c->input_tokens, 10);
	ck_assert_int_eq(c->output_tokens, 3);
	batch_free(&b);
	memset(&b, 0, sizeof b);
	c = span_call(&b, S("gen_ai.operation.name", "embeddings") "," S("gen_ai.provider.name", "Some.Vendor") ","
			  S("gen_ai.request.model", "embed-1"));
	ck_assert_str_eq(c->operation, "embeddings");
	ck_assert_str_eq(c->provider, "some.vendor");
	ck_assert_int_eq(c->input_tokens, -1);
	ck_assert_int_eq(c->output_tokens, -1);
	batch_free(&b);
}
END_TEST

/* Spans that are not LLM calls are steps of the trace, not calls. */
START_TEST(not_llm_spans)
{
	const char *attrs[] = {
	    S("gen_ai.operation.name", "execute_tool") "," S("gen_ai.provider.name", "openai") "," S("gen_ai.request.model", "x"),
	    S("openinference.span.kind", "TOOL") "," S("llm.model_name", "x"),
	    S("http.method", "GET"),
	    S("gen_ai.request.model", "gpt-4o"),
	    NULL,
	};
	for (int i = 0; attrs[i]; i++) {
		batch_t b = {0};
		sbuf d = SBUF_INIT;
		sb_printf(&d,
			  "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\","
			  "\"spanId\":\"b7ad6b7169203331\",\"name\":\"step\",\"startTimeUnixNano\":\"1795424400000000000\","
			  "\"endTimeUnixNano\":\"1795424402000000000\",\"attributes\":[%s]}]}]}]}",
			  attrs[i]);
		char err[256] = "";
		ck_assert_msg(otlp_parse_doc(d.p, d.len, &b, err, sizeof err) == 0, "%s", err);
		ck_assert_msg(b.n == 0, "span %d taken for a call", i);
		ck_assert_uint_eq(b.nspans, 1);
		sb_free(&d);
		batch_free(&b);
	}
}
END_TEST

/* Messages: every convention's shape becomes {"role", "content"} with text content. */
START_TEST(messages_one_shape)
{
	cJSON *in = cJSON_Parse("[{\"role\":\"system\",\"content\":\"Be brief.\"},"
				"{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Where is\"},"
				"{\"type\":\"text\",\"content\":\"order 42?\"}]},"
				"{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Thanks\"}]}]");
	cJSON *out = genai_norm_messages(in);
	ck_assert_ptr_nonnull(out);
	char *s = cJSON_PrintUnformatted(out);
	ck_assert_str_eq(s, "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
			    "{\"role\":\"user\",\"content\":\"Where is\\norder 42?\"},"
			    "{\"role\":\"user\",\"content\":\"Thanks\"}]");
	free(s);
	cJSON_Delete(out);
	cJSON_Delete(in);
	/* A JSON string holding the array, as attributes carry it. */
	cJSON *str = cJSON_CreateString("[{\"role\":\"user\",\"content\":\"hi\"}]");
	out = genai_norm_messages(str);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(cJSON_GetArraySize(out), 1);
	cJSON_Delete(out);
	cJSON_Delete(str);
	/* Nothing usable: NULL, not an empty conversation. */
	cJSON *junk = cJSON_Parse("[1, \"x\", {\"nothing\":true}]");
	ck_assert_ptr_null(genai_norm_messages(junk));
	cJSON_Delete(junk);
	/* The answer as text, tool calls named, thinking kept apart. */
	cJSON *resp = cJSON_Parse("{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hmm\"},"
				  "{\"type\":\"text\",\"text\":\"It shipped.\"}]}");
	char *text = genai_output_text(resp), *think = genai_output_thinking(resp);
	ck_assert_str_eq(text, "It shipped.");
	ck_assert_ptr_nonnull(think);
	ck_assert_ptr_nonnull(strstr(think, "hmm"));
	free(text);
	free(think);
	cJSON_Delete(resp);
}
END_TEST

/* Content events (OTLP log records) give a call its messages and answer. */
START_TEST(messages_from_events)
{
	cJSON *sys = cJSON_Parse("{\"content\":\"Be brief.\"}");
	cJSON *user = cJSON_Parse("{\"content\":\"Where is order 42?\"}");
	cJSON *choice = cJSON_Parse("{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"content\":\"It shipped.\"}}");
	genai_event ev[] = {{"gen_ai.system.message", sys}, {"gen_ai.user.message", user}, {"gen_ai.choice", choice}};
	char *input = NULL, *output = NULL;
	genai_from_events(ev, 3, &input, &output);
	ck_assert_ptr_nonnull(input);
	ck_assert_ptr_nonnull(strstr(input, "\"role\":\"system\",\"content\":\"Be brief.\""));
	ck_assert_ptr_nonnull(strstr(input, "\"role\":\"user\",\"content\":\"Where is order 42?\""));
	ck_assert(strstr(input, "system") < strstr(input, "Where is"));
	ck_assert_str_eq(output, "It shipped.");
	free(input);
	free(output);
	cJSON_Delete(sys);
	cJSON_Delete(user);
	cJSON_Delete(choice);
}
END_TEST

Suite *suite_genai(void)
{
	Suite *s = suite_create("genai");
	TCase *t = tcase_create("genai");
	tcase_add_test(t, otel_semconv);
	tcase_add_test(t, otel_semconv_older_anthropic);
	tcase_add_test(t, openinference);
	tcase_add_test(t, traceloop);
	tcase_add_test(t, vercel_ai);
	tcase_add_test(t, langfuse);
	tcase_add_test(t, precedence);
	tcase_add_test(t, not_llm_spans);
	tcase_add_test(t, messages_one_shape);
	tcase_add_test(t, messages_from_events);
	suite_add_tcase(s, t);
	return s;
}
