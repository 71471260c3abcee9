// Response, chunk and usage builders, and SSE framing and parsing.
#include <gtest/gtest.h>

#include <string>

#include "greenroute/server/openai_response.h"
#include "greenroute/server/sse.h"

namespace greenroute::server {
namespace {

using nlohmann::json;

ResponseMeta meta(Endpoint e) { return {e, make_response_id(e, 0xabc), 1700000000, "tiny"}; }

CostInfo cost() {
  CostInfo c;
  c.energy_joules = 1.5;
  c.carbon_grams = 0.0002;
  c.intensity_g_per_kwh = 480;
  c.node = "edge-1";
  c.zone = "DE";
  c.energy_source = "estimated:cpu-estimate";
  return c;
}

TEST(OpenAiResponse, Ids) {
  EXPECT_EQ(make_response_id(Endpoint::kCompletions, 255), "cmpl-00000000000000ff");
  EXPECT_EQ(make_response_id(Endpoint::kChatCompletions, 1).rfind("chatcmpl-", 0), 0u);
}

TEST(OpenAiResponse, CompletionBodyWithCost) {
  Choice c;
  c.index = 0;
  c.text = "hello";
  c.finish_reason = "length";
  Usage u{3, 5, cost()};
  const json j = response_json(meta(Endpoint::kCompletions), std::span<const Choice>(&c, 1), u);
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["id"], "cmpl-0000000000000abc");
  EXPECT_EQ(j["created"], 1700000000);
  EXPECT_EQ(j["model"], "tiny");
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_EQ(j["choices"][0]["text"], "hello");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_TRUE(j["choices"][0]["logprobs"].is_null());
  const json& usage = j["usage"];
  EXPECT_EQ(usage["prompt_tokens"], 3);
  EXPECT_EQ(usage["completion_tokens"], 5);
  EXPECT_EQ(usage["total_tokens"], 8);
  EXPECT_EQ(usage["energy_joules"], 1.5);
  EXPECT_EQ(usage["carbon_grams"], 0.0002);
  EXPECT_EQ(usage["intensity_g_per_kwh"], 480);
  EXPECT_EQ(usage["node"], "edge-1");
  EXPECT_EQ(usage["zone"], "DE");
  EXPECT_EQ(usage["energy_source"], "estimated:cpu-estimate");
}

TEST(OpenAiResponse, UnknownFiguresAreNullAndPlainUsageHasNoExtras) {
  CostInfo c = cost();
  c.carbon_grams.reset();
  c.intensity_g_per_kwh.reset();
  json u = usage_json(Usage{1, 2, c});
  EXPECT_TRUE(u["carbon_grams"].is_null());
  EXPECT_TRUE(u["intensity_g_per_kwh"].is_null());
  json plain = usage_json(Usage{1, 2, std::nullopt});
  EXPECT_FALSE(plain.contains("energy_joules"));
  EXPECT_EQ(plain["total_tokens"], 3);
}

TEST(OpenAiResponse, ChatBodyAndLogprobs) {
  Choice c;
  c.text = "hi";
  c.finish_reason = "stop";
  c.logprobs = std::vector<TokenLogprob>{{"h", -0.5, {{"h", -0.5}, {"x", -2.0}}}, {"i", -0.25, {}}};
  const json j = response_json(meta(Endpoint::kChatCompletions), std::span<const Choice>(&c, 1), Usage{});
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "hi");
  const json& lp = j["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(lp.size(), 2u);
  EXPECT_EQ(lp[0]["token"], "h");
  EXPECT_EQ(lp[0]["bytes"], json::array({104}));
  EXPECT_EQ(lp[0]["top_logprobs"].size(), 2u);
  EXPECT_EQ(lp[0]["top_logprobs"][1]["token"], "x");
}

TEST(OpenAiResponse, CompletionLogprobsLegacyShape) {
  std::vector<TokenLogprob> t = {{"ab", -1.0, {{"ab", -1.0}, {"ab", -3.0}, {"c", -4.0}}}, {"d", -0.5, {}}};
  const json lp = logprobs_json(Endpoint::kCompletions, t, 10);
  EXPECT_EQ(lp["tokens"], json::array({"ab", "d"}));
  EXPECT_EQ(lp["token_logprobs"], json::array({-1.0, -0.5}));
  EXPECT_EQ(lp["text_offset"], json::array({10, 12}));
  EXPECT_EQ(lp["top_logprobs"][0].size(), 2u);  // duplicate text keeps the likelier
  EXPECT_EQ(lp["top_logprobs"][0]["ab"], -1.0);
}

TEST(OpenAiResponse, StreamChunks) {
  ChunkDelta first;
  first.first = true;
  json c = chunk_json(meta(Endpoint::kChatCompletions), first);
  EXPECT_EQ(c["object"], "chat.completion.chunk");
  EXPECT_EQ(c["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(c["choices"][0]["delta"]["content"], "");
  EXPECT_TRUE(c["choices"][0]["finish_reason"].is_null());

  ChunkDelta text;
  text.text = "abc";
  c = chunk_json(meta(Endpoint::kChatCompletions), text);
  EXPECT_FALSE(c["choices"][0]["delta"].contains("role"));
  EXPECT_EQ(c["choices"][0]["delta"]["content"], "abc");

  ChunkDelta fin;
  fin.index = 1;
  fin.finish_reason = "stop";
  fin.usage = Usage{2, 3, cost()};
  c = chunk_json(meta(Endpoint::kCompletions), fin);
  EXPECT_EQ(c["object"], "text_completion");
  EXPECT_EQ(c["choices"][0]["index"], 1);
  EXPECT_EQ(c["choices"][0]["text"], "");
  EXPECT_EQ(c["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(c["usage"]["energy_joules"], 1.5);

  c = usage_chunk_json(meta(Endpoint::kChatCompletions), Usage{2, 3, cost()});
  EXPECT_TRUE(c["choices"].empty());
  EXPECT_EQ(c["usage"]["total_tokens"], 5);
}

TEST(OpenAiResponse, CostHeaders) {
  CostInfo c = cost();
  c.zone = "D\nE";
  auto h = cost_headers(c, /*measured=*/false);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].first, "X-Greenroute-Node");
  EXPECT_EQ(h[1].second, "D?E");  // no header injection
  EXPECT_EQ(h[2].second, "480");
  h = cost_headers(c, /*measured=*/true);
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h[4].first, "X-Greenroute-Energy-Joules");
  EXPECT_EQ(h[4].second, "1.5");
  EXPECT_EQ(h[5].second, "0.0002");
}

TEST(Sse, Framing) {
  EXPECT_EQ(sse_event(json{{"a", 1}}), "data: {\"a\":1}\n\n");
  EXPECT_EQ(sse_done(), "data: [DONE]\n\n");
  EXPECT_EQ(sse_comment("keep\nalive"), ": keep alive\n\n");
  const std::string err = sse_error(server_error(503, "node shutting down", "shutting_down"));
  ASSERT_EQ(err.rfind("data: ", 0), 0u);
  const json j = json::parse(err.substr(6));
  EXPECT_EQ(j["error"]["code"], "shutting_down");
  // Invalid UTF-8 in generated text never throws.
  EXPECT_NO_THROW(sse_event(json{{"text", std::string("\xe2\x82")}}));
}

TEST(Sse, ParserHandlesSplitsLineEndingsCommentsAndMultilineData) {
  SseParser p;
  const std::string stream =
      ": hello\r\n\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line1\ndata:line2\n\ndata: [DONE]\r\r";
  // Feed one byte at a time: every split point must work.
  for (char c : stream) ASSERT_TRUE(p.feed(std::string_view(&c, 1)));
  auto e1 = p.next();
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->data, "{\"a\":1}");
  auto e2 = p.next();
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->event, "x");
  EXPECT_EQ(e2->data, "line1\nline2");
  auto e3 = p.next();
  ASSERT_TRUE(e3);
  EXPECT_TRUE(e3->is_done());
  EXPECT_FALSE(p.next());
}

TEST(Sse, ParserRoundTripsOurFraming) {
  SseParser p;
  ASSERT_TRUE(p.feed(sse_event(json{{"k", "v"}}) + sse_done()));
  EXPECT_EQ(json::parse(p.next()->data)["k"], "v");
  EXPECT_TRUE(p.next()->is_done());
}

TEST(Sse, ParserRefusesUnboundedEvents) {
  SseParser p(64);
  EXPECT_TRUE(p.feed("data: short\n\n"));
  EXPECT_FALSE(p.feed("data: " + std::string(100, 'x')));
  EXPECT_TRUE(p.failed());
  EXPECT_FALSE(p.feed("\n\n"));
}

}  // namespace
}  // namespace greenroute::server
