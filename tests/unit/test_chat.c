/* The chat layer replay speaks, reached only through each provider's ops
 * (as replay reaches it): the request bodies built from a recorded call,
 * the recorded answers of both APIs (streamed through the SSE parser, and
 * whole) turned into text and usage, and error bodies. Each check holds for
 * one provider's wire format only, so ops wired to the other provider's
 * functions fail here. Then the registry the generic code walks: the rc's
 * provider types and the providers built from them. */
#include <cjson/cJSON.h>

#include "../../core/config.h"
#include "../../data/chat.h"
#include "../../data/provider.h"
#include "../../data/sse.h"
#include "t.h"

#define OA CORPUS "openai/"
#define AN CORPUS "anthropic/"

static const char *const MSGS = "[{\"role\":\"system\",\"content\":\"old prompt\"},{\"role\":\"user\",\"content\":\"hi\"}]";
static const char *const ATTRS = "{\"gen_ai.request.max_tokens\":100,\"gen_ai.request.temperature\":0.5}";

static char *build(const provider_ops *ops, const char *input, const char *attrs, char *err, size_t errlen)
{
	sbuf b = SBUF_INIT;
	err[0] = 0;
	if (ops->chat_build(input, "NEW PROMPT", "m-1", attrs, &b, err, errlen)) {
		sb_free(&b);
		return NULL;
	}
	return sb_steal(&b);
}

START_TEST(build_openai)
{
	char err[256];
	char *body = build(&provider_openai, MSGS, ATTRS, err, sizeof err);
	ck_assert_msg(body != NULL, "%s", err);
	/* The system message keeps its place with the new text; the recorded
	 * max_tokens under Chat Completions' name; streamed with usage. */
	ck_assert_str_eq(body, "{\"model\":\"m-1\",\"messages\":[{\"role\":\"system\",\"content\":\"NEW PROMPT\"},"
			       "{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":100,"
			       "\"temperature\":0.5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
	free(body);
	/* No system message recorded: one is put first. No settings recorded:
	 * none sent. */
	body = build(&provider_openai, "[{\"role\":\"user\",\"content\":\"hi\"}]", NULL, err, sizeof err);
	ck_assert_msg(body != NULL, "%s", err);
	ck_assert_str_eq(body, "{\"model\":\"m-1\",\"messages\":[{\"role\":\"system\",\"content\":\"NEW PROMPT\"},"
			       "{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
	free(body);
	/* A developer message is the system prompt too. */
	body = build(&provider_openai, "[{\"role\":\"developer\",\"content\":\"x\"},{\"role\":\"user\",\"content\":\"hi\"}]", NULL,
		     err, sizeof err);
	ck_assert_ptr_nonnull(strstr(body, "[{\"role\":\"developer\",\"content\":\"NEW PROMPT\"},{\"role\":\"user\""));
	free(body);
}
END_TEST

START_TEST(build_anthropic)
{
	char err[256];
	char *body = build(&provider_anthropic, MSGS, ATTRS, err, sizeof err);
	ck_assert_msg(body != NULL, "%s", err);
	/* The system prompt leaves the messages for the top-level field;
	 * max_tokens is required, under its own name. */
	ck_assert_str_eq(body, "{\"model\":\"m-1\",\"max_tokens\":100,\"system\":\"NEW PROMPT\","
			       "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5,\"stream\":true}");
	free(body);
	body = build(&provider_anthropic, MSGS, "{\"gen_ai.request.temperature\":\"0.25\"}", err, sizeof err);
	ck_assert_msg(body != NULL, "%s", err);
	ck_assert_str_eq(body, "{\"model\":\"m-1\",\"max_tokens\":4096,\"system\":\"NEW PROMPT\","
			       "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.25,\"stream\":true}");
	free(body);
	/* Nothing left to send once the system prompt is out. */
	ck_assert_ptr_null(build(&provider_anthropic, "[{\"role\":\"system\",\"content\":\"s\"}]", NULL, err, sizeof err));
	ck_assert_str_eq(err, "the call recorded only a system prompt: no user message to replay");
}
END_TEST

START_TEST(build_without_messages)
{
	char err[256];
	for (size_t i = 0; provider_registry[i]; i++) {
		ck_assert_ptr_null(build(provider_registry[i], NULL, NULL, err, sizeof err));
		ck_assert_str_eq(err, "the call recorded no request messages to replay");
		ck_assert_ptr_null(build(provider_registry[i], "{\"role\":\"user\"}", NULL, err, sizeof err));
		ck_assert_str_eq(err, "the call recorded no request messages to replay");
	}
}
END_TEST

/* ---- answers ----------------------------------------------------------- */

typedef struct feed {
	const provider_ops *ops;
	chat_result *r;
	int events;
} feed;

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
	feed *f = ud;
	f->events++;
	f->ops->chat_event(f->r, event, data, len);
	return 0;
}

/* A recorded stream through the SSE parser and the provider's events, in
 * chunks of 7 bytes (network reads end anywhere). */
static void stream(const provider_ops *ops, const char *path, chat_result *r)
{
	size_t len;
	char *body = t_read(path, &len);
	ck_assert_msg(body != NULL, "cannot read %s", path);
	chat_result_init(r);
	feed f = {ops, r, 0};
	sse_t s;
	sse_init(&s, on_event, &f);
	for (size_t at = 0; at < len; at += 7)
		ck_assert_int_eq(sse_feed(&s, body + at, len - at < 7 ? len - at : 7), 0);
	sse_end(&s);
	sse_free(&s);
	ck_assert_int_gt(f.events, 0);
	free(body);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && !strcmp(s + n - k, tail);
}

static void whole(const provider_ops *ops, const char *path, long status, chat_result *r)
{
	size_t len;
	char *body = t_read(path, &len);
	ck_assert_msg(body != NULL, "cannot read %s", path);
	chat_result_init(r);
	ops->chat_body(r, body, len, status);
	free(body);
}

START_TEST(openai_stream)
{
	chat_result r;
	stream(&provider_openai, OA "otelcontrib_chat_completion_streaming_include_usage.response_body.txt", &r);
	ck_assert_str_eq(sb_str(&r.text), "\"This is a test.\"");
	ck_assert_str_eq(r.model, "gpt-4-0613");
	ck_assert_str_eq(r.stop_reason, "stop");
	/* The usage of the last chunk, asked for with include_usage. */
	ck_assert_int_eq(r.input_tokens, 12);
	ck_assert_int_eq(r.output_tokens, 5);
	ck_assert_int_eq(r.cached_tokens, 0);
	ck_assert(r.started && r.finished && !r.error); /* [DONE] */
	chat_result_free(&r);
	/* Read as Anthropic's events it is nothing: no event of that API. */
	stream(&provider_anthropic, OA "otelcontrib_chat_completion_streaming_include_usage.response_body.txt", &r);
	ck_assert_uint_eq(r.text.len, 0);
	ck_assert(!r.finished);
	chat_result_free(&r);
}
END_TEST

START_TEST(openai_stream_tools)
{
	chat_result r;
	stream(&provider_openai, OA "otelcontrib_chat_completion_tools_streaming.response_body.txt", &r);
	/* Two calls, each named once, its arguments joined from their pieces. */
	ck_assert_str_eq(sb_str(&r.text), "[tool call get_current_weather] {\"location\": \"Seattle, WA\"}\n"
					  "[tool call get_current_weather] {\"location\": \"San Francisco, CA\"}");
	ck_assert_str_eq(r.stop_reason, "tool_calls");
	ck_assert_int_eq(r.input_tokens, 75);
	ck_assert_int_eq(r.output_tokens, 51);
	chat_result_free(&r);
}
END_TEST

START_TEST(anthropic_stream)
{
	chat_result r;
	stream(&provider_anthropic, AN "openllmetry_anthropic_message_streaming.response_body.txt", &r);
	ck_assert_msg(!strncmp(sb_str(&r.text), "Here's an OpenTelemetry-themed joke for you:\n\nWhy did the developer", 67),
		      "%s", sb_str(&r.text));
	ck_assert_msg(ends_with(sb_str(&r.text), "hear any other tech-themed jokes!"), "%s", sb_str(&r.text));
	ck_assert_str_eq(r.model, "claude-3-haiku-20240307");
	ck_assert_str_eq(r.stop_reason, "end_turn");
	/* Input from message_start; output from message_delta's final count
	 * (171), not message_start's 3. */
	ck_assert_int_eq(r.input_tokens, 17);
	ck_assert_int_eq(r.output_tokens, 171);
	ck_assert_int_eq(r.cached_tokens, 0);
	ck_assert(r.started && r.finished && !r.error); /* message_stop */
	chat_result_free(&r);
	/* Read as OpenAI's chunks it has no text and no end. */
	stream(&provider_openai, AN "openllmetry_anthropic_message_streaming.response_body.txt", &r);
	ck_assert_uint_eq(r.text.len, 0);
	ck_assert(!r.finished);
	chat_result_free(&r);
}
END_TEST

START_TEST(anthropic_stream_cache_and_thinking)
{
	chat_result r;
	/* Input is everything billed as input: 4 uncached + 1165 read. */
	stream(&provider_anthropic, AN "openllmetry_anthropic_prompt_caching_stream_read.response_body.txt", &r);
	ck_assert_int_eq(r.input_tokens, 4 + 1165);
	ck_assert_int_eq(r.cached_tokens, 1165);
	ck_assert_int_eq(r.output_tokens, 221);
	chat_result_free(&r);
	/* 1165 written to the cache are input, and not cached. */
	stream(&provider_anthropic, AN "openllmetry_anthropic_prompt_caching_stream_write.response_body.txt", &r);
	ck_assert_int_eq(r.input_tokens, 4 + 1165);
	ck_assert_int_eq(r.cached_tokens, 0);
	ck_assert_int_eq(r.output_tokens, 201);
	chat_result_free(&r);
	/* Thinking apart from the answer. */
	stream(&provider_anthropic, AN "openllmetry_anthropic_thinking_streaming.response_body.txt", &r);
	ck_assert_uint_gt(r.thinking.len, 0);
	ck_assert_uint_gt(r.text.len, 0);
	ck_assert_ptr_null(strstr(sb_str(&r.text), sb_str(&r.thinking)));
	chat_result_free(&r);
	/* A tool call streamed as partial JSON. */
	stream(&provider_anthropic, AN "openllmetry_anthropic_tools_streaming.response_body.txt", &r);
	ck_assert_ptr_nonnull(strstr(sb_str(&r.text), "\n[tool call get_weather] {\""));
	ck_assert_ptr_nonnull(strstr(sb_str(&r.text), "\n[tool call get_time] {\""));
	ck_assert_str_eq(r.stop_reason, "tool_use");
	chat_result_free(&r);
}
END_TEST

START_TEST(openai_whole)
{
	chat_result r;
	whole(&provider_openai, OA "otelcontrib_chat_completion_nonstreaming.response_body.txt", 200, &r);
	ck_assert(!r.error && r.finished);
	ck_assert_str_eq(sb_str(&r.text), "This is a test.");
	ck_assert_str_eq(r.model, "gpt-4o-mini-2024-07-18");
	ck_assert_str_eq(r.stop_reason, "stop");
	ck_assert_int_eq(r.input_tokens, 12);
	ck_assert_int_eq(r.output_tokens, 5);
	chat_result_free(&r);
	/* Anthropic's reader finds no content blocks in it. */
	whole(&provider_anthropic, OA "otelcontrib_chat_completion_nonstreaming.response_body.txt", 200, &r);
	ck_assert_uint_eq(r.text.len, 0);
	ck_assert_int_eq(r.input_tokens, -1);
	chat_result_free(&r);
}
END_TEST

START_TEST(anthropic_whole)
{
	chat_result r;
	whole(&provider_anthropic, AN "openllmetry_anthropic_tools_nonstreaming.response_body.txt", 200, &r);
	ck_assert(!r.error && r.finished);
	ck_assert_str_eq(sb_str(&r.text), "Certainly! I'd be happy to help you with both the current weather in New York and "
					  "the current time there. Let's use the available tools to get this information for you.\n"
					  "[tool call get_weather] {\"location\":\"New York, NY\",\"unit\":\"fahrenheit\"}\n"
					  "[tool call get_time] {\"timezone\":\"America/New_York\"}");
	ck_assert_str_eq(r.model, "claude-3-5-sonnet-20240620");
	ck_assert_str_eq(r.stop_reason, "tool_use");
	ck_assert_int_eq(r.input_tokens, 514);
	ck_assert_int_eq(r.output_tokens, 152);
	chat_result_free(&r);
	whole(&provider_openai, AN "openllmetry_anthropic_tools_nonstreaming.response_body.txt", 200, &r);
	ck_assert_uint_eq(r.text.len, 0);
	chat_result_free(&r);
}
END_TEST

START_TEST(error_bodies)
{
	chat_result r;
	/* OpenAI's recorded 404: its code says what it is. */
	whole(&provider_openai, OA "otelcontrib_chat_completion_404_error.response_body.txt", 404, &r);
	ck_assert(r.error && !r.finished);
	ck_assert_str_eq(r.error_type, "not_found");
	ck_assert_str_eq(r.error_msg,
			 "The model `this-model-does-not-exist` does not exist or you do not have access to it.");
	ck_assert_uint_eq(r.text.len, 0);
	chat_result_free(&r);
	/* Anthropic's error body, whole and as an event in a stream. */
	static const char overloaded[] = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
	chat_result_init(&r);
	provider_anthropic.chat_body(&r, overloaded, strlen(overloaded), 529);
	ck_assert(r.error);
	ck_assert_str_eq(r.error_type, "overloaded");
	ck_assert_str_eq(r.error_msg, "Overloaded");
	chat_result_free(&r);
	chat_result_init(&r);
	provider_anthropic.chat_event(&r, "error", overloaded, strlen(overloaded));
	ck_assert(r.error);
	ck_assert_str_eq(r.error_type, "overloaded");
	chat_result_free(&r);
	/* A body that is not JSON: the status says what failed. */
	chat_result_init(&r);
	provider_openai.chat_body(&r, "<html>502 Bad Gateway</html>", 28, 502);
	ck_assert(r.error);
	ck_assert_str_eq(r.error_type, "server_error");
	ck_assert_str_eq(r.error_msg, "HTTP 502: <html>502 Bad Gateway</html>");
	chat_result_free(&r);
	/* A 200 that is not JSON is no answer, and none of it is quoted. */
	chat_result_init(&r);
	provider_anthropic.chat_body(&r, "hello", 5, 200);
	ck_assert(r.error);
	ck_assert_str_eq(r.error_type, "bad_response");
	ck_assert_str_eq(r.error_msg, "the body is not JSON");
	chat_result_free(&r);
}
END_TEST

/* ---- the registry ------------------------------------------------------ */

START_TEST(registry)
{
	ck_assert_ptr_eq(provider_find_ops("openai"), &provider_openai);
	ck_assert_ptr_eq(provider_find_ops("anthropic"), &provider_anthropic);
	ck_assert_ptr_null(provider_find_ops("gemini"));
	ck_assert_ptr_null(provider_find_ops(NULL));
	const char *const *t = provider_types();
	ck_assert_str_eq(t[0], "openai");
	ck_assert_str_eq(t[1], "anthropic");
	ck_assert_ptr_null(t[2]);
	/* Where each sends its answers and its key. */
	ck_assert_str_eq(provider_openai.chat_path, "/chat/completions");
	ck_assert_str_eq(provider_anthropic.chat_path, "/v1/messages");
	ck_assert_str_eq(provider_openai.auth_prefix, "Authorization: Bearer ");
	ck_assert_str_eq(provider_anthropic.auth_prefix, "x-api-key: ");
}
END_TEST

static char *rc_errors(const char *text)
{
	config_t c;
	config_init(&c);
	c.provider_types = provider_types();
	config_parse(&c, "rc", text, strlen(text), NULL, NULL);
	char *e = xstrdup(sb_str(&c.errors));
	config_free(&c);
	return e;
}

START_TEST(rc_types)
{
	/* The rc takes the registry's types, and says which they are. */
	char *e = rc_errors("provider g type=gemini\nprovider gw base_url=http://127.0.0.1:1\nprovider\n");
	ck_assert_str_eq(e, "rc:1: provider g: type must be openai or anthropic, got 'gemini'\n"
			    "rc:2: provider gw: missing type=openai|anthropic\n"
			    "rc:3: provider: expected 'provider NAME type=openai|anthropic ...'\n");
	free(e);
	e = rc_errors("provider anthropic\nprovider gw type=openai base_url=http://127.0.0.1:1\n");
	ck_assert_str_eq(e, "");
	free(e);
}
END_TEST

START_TEST(provs_from_rc)
{
	config_t c;
	config_init(&c);
	c.provider_types = provider_types();
	const char *rc = "provider claude type=anthropic base_url=http://127.0.0.1:9/\nprovider gw type=openai\n";
	config_parse(&c, "rc", rc, strlen(rc), NULL, NULL);
	ck_assert_str_eq(sb_str(&c.errors), "");
	unsetenv("OPENAI_BASE_URL");
	provs_t p;
	provs_init(&p, &c);
	/* The rc's two, and no default: each type has a provider. */
	ck_assert_uint_eq(p.n, 2);
	prov_t *a = provs_find(&p, "anthropic");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->name, "claude");
	ck_assert_ptr_eq(a->ops, &provider_anthropic);
	ck_assert_str_eq(a->base_url, "http://127.0.0.1:9");
	ck_assert_str_eq(a->env_name[KEY_ADMIN], "ANTHROPIC_ADMIN_KEY");
	prov_t *o = provs_find(&p, "openai");
	ck_assert_str_eq(o->name, "gw");
	ck_assert_ptr_eq(o->ops, &provider_openai);
	ck_assert_str_eq(o->base_url, "https://api.openai.com/v1");
	ck_assert_str_eq(o->env_name[KEY_API], "OPENAI_API_KEY");
	provs_free(&p);
	config_free(&c);
	/* No rc: one of each type, named as the type, in the registry's order. */
	config_init(&c);
	provs_init(&p, &c);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.v[0].name, "openai");
	ck_assert_ptr_eq(p.v[0].ops, &provider_openai);
	ck_assert_str_eq(p.v[1].name, "anthropic");
	ck_assert_ptr_eq(p.v[1].ops, &provider_anthropic);
	ck_assert_str_eq(p.v[1].base_url, "https://api.anthropic.com");
	provs_free(&p);
	config_free(&c);
}
END_TEST

Suite *suite_chat(void)
{
	Suite *s = suite_create("chat");
	TCase *tc = tcase_create("requests");
	tcase_add_test(tc, build_openai);
	tcase_add_test(tc, build_anthropic);
	tcase_add_test(tc, build_without_messages);
	suite_add_tcase(s, tc);
	tc = tcase_create("answers");
	tcase_add_test(tc, openai_stream);
	tcase_add_test(tc, openai_stream_tools);
	tcase_add_test(tc, anthropic_stream);
	tcase_add_test(tc, anthropic_stream_cache_and_thinking);
	tcase_add_test(tc, openai_whole);
	tcase_add_test(tc, anthropic_whole);
	tcase_add_test(tc, error_bodies);
	suite_add_tcase(s, tc);
	tc = tcase_create("registry");
	tcase_add_test(tc, registry);
	tcase_add_test(tc, rc_types);
	tcase_add_test(tc, provs_from_rc);
	suite_add_tcase(s, tc);
	return s;
}
