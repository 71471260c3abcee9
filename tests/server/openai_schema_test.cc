// The OpenAI request parser: every accepted shape, and every violation named
// by its field with an OpenAI-style error.
#include "greenroute/server/openai_schema.h"

#include <gtest/gtest.h>

#include <string>

namespace greenroute::server {
namespace {

ApiResult<OpenAiRequest> completions(const std::string& body, const ParseOptions& o = {}) {
  return parse_openai_request(Endpoint::kCompletions, body, o);
}
ApiResult<OpenAiRequest> chat(const std::string& body, const ParseOptions& o = {}) {
  return parse_openai_request(Endpoint::kChatCompletions, body, o);
}

// Expects an error with `status` and `param`; returns it for more checks.
ApiError expect_error(const ApiResult<OpenAiRequest>& r, int status, const std::string& param) {
  EXPECT_FALSE(r.is_ok());
  if (r.is_ok()) return {};
  EXPECT_EQ(r.error().http_status, status) << r.error().message;
  EXPECT_EQ(r.error().param, param) << r.error().message;
  if (!param.empty()) {
    EXPECT_NE(r.error().message.find(param), std::string::npos) << r.error().message;
  }
  return r.error();
}

TEST(OpenAiSchema, MinimalCompletionGetsDefaults) {
  auto r = completions(R"({"model": "tiny", "prompt": "Hello"})");
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  EXPECT_EQ(r->endpoint, Endpoint::kCompletions);
  EXPECT_EQ(r->model, "tiny");
  ASSERT_EQ(r->prompts.size(), 1u);
  EXPECT_EQ(r->prompts[0], "Hello");
  EXPECT_FALSE(r->max_tokens.has_value());
  EXPECT_EQ(r->temperature, 1.0);
  EXPECT_EQ(r->top_p, 1.0);
  EXPECT_FALSE(r->stream);
  EXPECT_FALSE(r->seed.has_value());
  EXPECT_FALSE(r->logprobs);
  EXPECT_EQ(r->choice_count(), 1u);
}

TEST(OpenAiSchema, FullCompletionRequest) {
  auto r = completions(R"({"model": "m", "prompt": ["a", "b"], "max_tokens": 12, "temperature": 0,
      "top_p": 0.5, "n": 1, "stop": ["x", "", "yy"], "stream": true,
      "stream_options": {"include_usage": true}, "seed": 42, "logprobs": 3, "user": "u1",
      "greenroute": {"policy": "carbon-aware", "slo_ms": 1500, "alpha": 0.25},
      "frequency_penalty": 0, "presence_penalty": 0.0, "echo": false, "best_of": 1, "logit_bias": {},
      "some_future_field": [1, 2]})");
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  EXPECT_EQ(r->prompts, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->choice_count(), 2u);
  EXPECT_EQ(r->max_tokens, 12);
  EXPECT_EQ(r->temperature, 0.0);
  EXPECT_EQ(r->top_p, 0.5);
  EXPECT_EQ(r->stop, (std::vector<std::string>{"x", "yy"}));  // empty strings dropped
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_EQ(r->seed, 42u);
  EXPECT_TRUE(r->logprobs);
  EXPECT_EQ(r->top_logprobs, 3);
  EXPECT_EQ(r->user, "u1");
  EXPECT_EQ(r->greenroute.policy, "carbon-aware");
  EXPECT_EQ(r->greenroute.slo_ms, 1500.0);
  EXPECT_EQ(r->greenroute.alpha, 0.25);
}

TEST(OpenAiSchema, ChatMessagesWithStringsPartsAndNull) {
  auto r = chat(R"({"model": "m", "messages": [
      {"role": "developer", "content": "Be brief."},
      {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
      {"role": "assistant", "content": null},
      {"role": "user", "content": "again", "name": "bob"}],
      "max_completion_tokens": 7, "max_tokens": 99, "logprobs": true, "top_logprobs": 2, "stop": "END"})");
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 4u);
  EXPECT_EQ(r->messages[0].role, "system");
  EXPECT_EQ(r->messages[1].content, "Hi there");
  EXPECT_EQ(r->messages[2].content, "");
  EXPECT_EQ(r->max_tokens, 7);  // max_completion_tokens wins
  EXPECT_TRUE(r->logprobs);
  EXPECT_EQ(r->top_logprobs, 2);
  EXPECT_EQ(r->stop, std::vector<std::string>{"END"});
  EXPECT_EQ(r->choice_count(), 1u);
}

TEST(OpenAiSchema, NullMeansAbsent) {
  auto r = completions(R"({"model": "m", "prompt": "p", "max_tokens": null, "stop": null, "seed": null})");
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  EXPECT_FALSE(r->max_tokens.has_value());
  EXPECT_TRUE(r->stop.empty());
}

TEST(OpenAiSchema, IntegralFloatsAreIntegers) {
  auto r = completions(R"({"model": "m", "prompt": "p", "max_tokens": 10.0})");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->max_tokens, 10);
  expect_error(completions(R"({"model": "m", "prompt": "p", "max_tokens": 10.5})"), 400, "max_tokens");
}

TEST(OpenAiSchema, MalformedBodies) {
  auto e = expect_error(completions("{\"model\": "), 400, "");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.type, "invalid_request_error");
  expect_error(completions(""), 400, "");
  expect_error(completions("[1, 2]"), 400, "");
  expect_error(completions("\"text\""), 400, "");
  expect_error(completions(std::string(100, '[') + std::string(100, ']')), 400, "");
}

TEST(OpenAiSchema, OversizedBodyIs413) {
  ParseOptions o;
  o.max_body_bytes = 64;
  auto e = expect_error(completions(R"({"model": "m", "prompt": ")" + std::string(100, 'x') + "\"}", o), 413, "");
  EXPECT_EQ(e.code, "request_too_large");
}

TEST(OpenAiSchema, EveryFieldIsCheckedAndNamed) {
  struct Case {
    Endpoint endpoint;
    std::string body;
    std::string param;
  };
  const std::vector<Case> cases = {
      {Endpoint::kCompletions, R"({"prompt": "p"})", "model"},
      {Endpoint::kCompletions, R"({"model": "", "prompt": "p"})", "model"},
      {Endpoint::kCompletions, R"({"model": 5, "prompt": "p"})", "model"},
      {Endpoint::kCompletions, R"({"model": "m"})", "prompt"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": 3})", "prompt"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": []})", "prompt"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": ["a", 4]})", "prompt[1]"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": [1, 2, 3]})", "prompt[0]"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "max_tokens": 0})", "max_tokens"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "max_tokens": -5})", "max_tokens"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "max_tokens": 1000000000})", "max_tokens"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "max_tokens": 18446744073709551615})",
       "max_tokens"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "max_tokens": "12"})", "max_tokens"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "temperature": 2.5})", "temperature"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "temperature": "hot"})", "temperature"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "top_p": 0})", "top_p"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "n": 2})", "n"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "n": 0})", "n"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "stop": 1})", "stop"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "stop": ["a", 1]})", "stop[1]"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "stop": ["a","b","c","d","e"]})", "stop"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "stream": "yes"})", "stream"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "stream_options": {"include_usage": true}})",
       "stream_options"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "stream": true, "stream_options": 1})",
       "stream_options"},
      {Endpoint::kCompletions,
       R"({"model": "m", "prompt": "p", "stream": true, "stream_options": {"include_usage": 1}})",
       "stream_options.include_usage"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "seed": -1})", "seed"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "logprobs": 6})", "logprobs"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "logprobs": true})", "logprobs"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "user": 7})", "user"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "echo": true})", "echo"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "suffix": "x"})", "suffix"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "best_of": 3})", "best_of"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "frequency_penalty": 0.5})", "frequency_penalty"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "logit_bias": {"1": 5}})", "logit_bias"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "greenroute": 1})", "greenroute"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "greenroute": {"policy": "cheapest"}})",
       "greenroute.policy"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "greenroute": {"slo_ms": 0}})",
       "greenroute.slo_ms"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "greenroute": {"alpha": 1.5}})",
       "greenroute.alpha"},
      {Endpoint::kCompletions, R"({"model": "m", "prompt": "p", "greenroute": {"polcy": "random"}})",
       "greenroute.polcy"},
      {Endpoint::kChatCompletions, R"({"model": "m"})", "messages"},
      {Endpoint::kChatCompletions, R"({"model": "m", "messages": {}})", "messages"},
      {Endpoint::kChatCompletions, R"({"model": "m", "messages": []})", "messages"},
      {Endpoint::kChatCompletions, R"({"model": "m", "messages": ["hi"]})", "messages[0]"},
      {Endpoint::kChatCompletions, R"({"model": "m", "messages": [{"content": "hi"}]})", "messages[0].role"},
      {Endpoint::kChatCompletions, R"({"model": "m", "messages": [{"role": "robot", "content": "hi"}]})",
       "messages[0].role"},
      {Endpoint::kChatCompletions, R"({"model": "m", "messages": [{"role": "user"}]})", "messages[0].content"},
      {Endpoint::kChatCompletions, R"({"model": "m", "messages": [{"role": "user", "content": 5}]})",
       "messages[0].content"},
      {Endpoint::kChatCompletions,
       R"({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]})",
       "messages[0].content[0].type"},
      {Endpoint::kChatCompletions,
       R"({"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]})",
       "messages[0].content[0].text"},
      {Endpoint::kChatCompletions,
       R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "logprobs": 2})", "logprobs"},
      {Endpoint::kChatCompletions,
       R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "top_logprobs": 3})", "top_logprobs"},
      {Endpoint::kChatCompletions,
       R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]})",
       "tools"},
      {Endpoint::kChatCompletions,
       R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}})",
       "response_format"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = parse_openai_request(c.endpoint, c.body, {});
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.error().http_status, 400) << r.error().message;
    EXPECT_EQ(r.error().param, c.param) << r.error().message;
    EXPECT_EQ(r.error().type, "invalid_request_error");
    EXPECT_FALSE(r.error().code.empty());
    EXPECT_NE(r.error().message.find(c.param), std::string::npos) << r.error().message;
  }
}

TEST(OpenAiSchema, ErrorJsonHasOpenAiShape) {
  auto r = completions(R"({"model": "m", "prompt": "p", "n": 3})");
  ASSERT_FALSE(r.is_ok());
  const nlohmann::json j = nlohmann::json::parse(api_error_body(r.error()));
  ASSERT_TRUE(j.contains("error"));
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_EQ(j["error"]["param"], "n");
  EXPECT_EQ(j["error"]["code"], "unsupported");
  EXPECT_TRUE(j["error"]["message"].is_string());
  // An error with no field renders param null.
  const nlohmann::json k = api_error_json(server_error(503, "busy", "overloaded"));
  EXPECT_TRUE(k["error"]["param"].is_null());
  EXPECT_EQ(k["error"]["type"], "server_error");
}

TEST(OpenAiSchema, InvalidUtf8InInputNeverThrows) {
  const std::string body = "{\"model\": \"m\", \"prompt\": 5, \"x\": \"\xff\xfe\"}";
  auto r = completions(body);
  ASSERT_FALSE(r.is_ok());
  EXPECT_FALSE(api_error_body(r.error()).empty());
}

TEST(OpenAiSchema, StatusMapping) {
  EXPECT_EQ(api_error_from_status(core::invalid_argument("x")).http_status, 400);
  EXPECT_EQ(api_error_from_status(core::not_found("x")).http_status, 404);
  EXPECT_EQ(api_error_from_status(core::resource_exhausted("x")).http_status, 503);
  EXPECT_EQ(api_error_from_status(core::resource_exhausted("x")).code, "resource_exhausted");
  EXPECT_EQ(api_error_from_status(core::deadline_exceeded("x")).http_status, 504);
  EXPECT_EQ(api_error_from_status(core::internal_error("x")).http_status, 500);
}

TEST(OpenAiSchema, GreenrouteHeadersOverrideTheBody) {
  GreenrouteExtras body;
  body.policy = "random";
  body.slo_ms = 100;
  auto r = apply_greenroute_headers(body, "latency-aware", "250.5");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->policy, "latency-aware");
  EXPECT_EQ(r->slo_ms, 250.5);
  auto kept = apply_greenroute_headers(body, "", "");
  ASSERT_TRUE(kept.is_ok());
  EXPECT_EQ(kept->policy, "random");
  auto bad = apply_greenroute_headers(body, "nope", "");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.error().param, "X-Greenroute-Policy");
  auto bad_slo = apply_greenroute_headers(body, "", "fast");
  ASSERT_FALSE(bad_slo.is_ok());
  EXPECT_EQ(bad_slo.error().param, "X-Greenroute-Slo-Ms");
  EXPECT_FALSE(apply_greenroute_headers(body, "", "-3").is_ok());
  EXPECT_EQ(known_policy_names().size(), 8u);
}

}  // namespace
}  // namespace greenroute::server
