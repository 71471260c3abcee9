// libFuzzer target: the OpenAI request parser (server/openai_schema.h) on
// arbitrary bytes, for both endpoints.
//
// Beyond "does not crash": an accepted request must satisfy every documented
// bound, and render through the response builders and SSE framing; a refused
// one must be a 4xx whose error body is valid JSON. The same bytes also go
// through the SSE parser (which reads untrusted upstream streams) and the
// greenroute header overrides.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "greenroute/server/openai_response.h"
#include "greenroute/server/openai_schema.h"
#include "greenroute/server/sse.h"

namespace server = greenroute::server;

namespace {

void check_accepted(const server::OpenAiRequest& r, const server::ParseOptions& o) {
  if (r.model.empty()) std::abort();
  if (r.endpoint == server::Endpoint::kCompletions) {
    if (r.prompts.empty() || r.prompts.size() > o.max_prompts) std::abort();
  } else if (r.messages.empty() || r.messages.size() > o.max_messages) {
    std::abort();
  }
  if (r.max_tokens && (*r.max_tokens < 1 || *r.max_tokens > o.max_tokens_limit)) std::abort();
  if (!(r.temperature >= 0.0 && r.temperature <= 2.0)) std::abort();
  if (!(r.top_p > 0.0 && r.top_p <= 1.0)) std::abort();
  if (r.n != 1 || r.stop.size() > o.max_stop) std::abort();
  for (const std::string& s : r.stop) {
    if (s.empty() || s.size() > o.max_stop_bytes) std::abort();
  }
  if (r.include_usage && !r.stream) std::abort();
  if (r.top_logprobs < 0 || r.top_logprobs > 20 || (r.top_logprobs > 0 && !r.logprobs)) std::abort();
  if (r.greenroute.slo_ms && !(*r.greenroute.slo_ms > 0)) std::abort();

  // What a node would answer must render.
  server::ResponseMeta meta{r.endpoint, server::make_response_id(r.endpoint, 1), 0, r.model};
  std::vector<server::Choice> choices(r.choice_count());
  for (std::size_t i = 0; i < choices.size(); ++i) {
    choices[i].index = static_cast<int>(i);
    choices[i].text = r.endpoint == server::Endpoint::kCompletions ? r.prompts[i] : r.messages.back().content;
  }
  server::CostInfo cost;
  cost.node = r.user;
  cost.zone = r.model;
  const std::string body = server::json_text(server::response_json(meta, choices, server::Usage{1, 2, cost}));
  if (nlohmann::json::parse(body, nullptr, false).is_discarded()) std::abort();
  server::ChunkDelta d;
  d.text = choices[0].text;
  // One event: "data: " + one line of JSON + a blank line.
  const std::string ev = server::sse_event(server::chunk_json(meta, d));
  if (ev.rfind("data: ", 0) != 0 || ev.find('\n') != ev.size() - 2) std::abort();
  (void)server::cost_headers(cost, true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  server::ParseOptions o;
  o.max_body_bytes = 1 << 16;
  for (const server::Endpoint ep : {server::Endpoint::kCompletions, server::Endpoint::kChatCompletions}) {
    server::ApiResult<server::OpenAiRequest> r = server::parse_openai_request(ep, bytes, o);
    if (r.is_ok()) {
      check_accepted(r.value(), o);
    } else {
      const server::ApiError& e = r.error();
      if (e.http_status < 400 || e.http_status > 499) std::abort();
      if (e.message.empty() || e.code.empty()) std::abort();
      if (!nlohmann::json::parse(server::api_error_body(e), nullptr, false).is_object()) std::abort();
    }
  }
  server::SseParser parser(4096);
  parser.feed(bytes);
  while (auto e = parser.next()) {
    if (e->data.size() > 4096) std::abort();
  }
  const std::size_t half = size / 2;
  (void)server::apply_greenroute_headers({}, bytes.substr(0, half), bytes.substr(half));
  return 0;
}
