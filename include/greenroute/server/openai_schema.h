// The OpenAI request schema for POST /v1/completions and
// /v1/chat/completions: parsed once, at the edge, into a validated
// OpenAiRequest, so nothing below the HTTP handlers sees raw JSON.
//
// Accepted fields (anything else is ignored, as llama.cpp's and vLLM's servers
// do, so newer clients keep working; see docs/server.md):
//   model                      string, required, non-empty
//   prompt (completions)       string, or array of 1..max_prompts strings
//                              (one choice per prompt, in order)
//   messages (chat)            array of {role, content}; role one of system,
//                              developer (treated as system), user, assistant,
//                              tool; content a string, null (assistant/tool
//                              only) or an array of {"type":"text","text":...}
//   max_tokens, max_completion_tokens   integer in [1, max_tokens_limit];
//                              max_completion_tokens wins when both are given
//   temperature                number in [0, 2] (default 1)
//   top_p                      number in (0, 1] (default 1)
//   n                          1 only (one completion per prompt)
//   stop                       string or array of up to max_stop strings
//                              (empty strings are dropped)
//   stream                     bool; stream_options.include_usage bool
//                              (stream_options only with stream: true)
//   seed                       integer >= 0
//   logprobs                   completions: integer 0..5 (top alternatives);
//                              chat: bool, with top_logprobs 0..20
//   user                       string (kept for logs)
//   greenroute                 greenroute's extras (the gateway routes on them,
//                              a node ignores them):
//       policy   one of known_policy_names()
//       slo_ms   number > 0: the latency the caller wants, in ms
//       alpha    number in [0, 1]: the hybrid policy's latency/carbon weight
// Known OpenAI fields greenroute does not implement are refused when set to
// anything but their neutral value (echo, suffix, best_of, logit_bias,
// frequency_penalty, presence_penalty, tools, response_format ...), so a
// caller never silently gets something else than asked.
//
// Every violation is an ApiError (HTTP 400, type invalid_request_error) whose
// `param` is the field's path ("messages[2].content[0].text") and whose
// message names it too. A body over max_body_bytes is 413; malformed JSON or
// nesting deeper than max_depth is 400 with code "invalid_json".
//
// Thread contract: pure functions over their arguments; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/server/api_error.h"

namespace greenroute::server {

enum class Endpoint { kCompletions, kChatCompletions };

// "/v1/completions", "/v1/chat/completions".
std::string_view endpoint_path(Endpoint endpoint);
// "completions", "chat_completions": a metric label value.
std::string_view endpoint_label(Endpoint endpoint);

struct ChatMessage {
  std::string role;  // "system", "user", "assistant", "tool" ("developer" becomes "system")
  std::string content;
};

struct GreenrouteExtras {
  std::optional<std::string> policy;  // one of known_policy_names()
  std::optional<double> slo_ms;       // > 0
  std::optional<double> alpha;        // [0, 1]
};

struct OpenAiRequest {
  Endpoint endpoint = Endpoint::kCompletions;
  std::string model;
  std::vector<std::string> prompts;    // completions: one per choice
  std::vector<ChatMessage> messages;   // chat
  std::optional<int> max_tokens;       // unset: the server's default
  double temperature = 1.0;
  double top_p = 1.0;
  int n = 1;
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;          // stream_options.include_usage
  std::optional<std::uint64_t> seed;
  bool logprobs = false;               // report the chosen tokens' log-probabilities
  int top_logprobs = 0;                // and this many alternatives per token
  std::string user;
  GreenrouteExtras greenroute;

  // How many choices the response carries (prompts for completions, 1 for chat).
  std::size_t choice_count() const { return endpoint == Endpoint::kCompletions ? prompts.size() : 1; }
};

struct ParseOptions {
  std::size_t max_body_bytes = 4u << 20;  // 4 MiB
  int max_tokens_limit = 131072;          // "absurd" above this: no model here has such a context
  std::size_t max_prompts = 64;
  std::size_t max_messages = 1024;
  std::size_t max_stop = 4;
  std::size_t max_stop_bytes = 256;
  int max_depth = 32;                     // JSON nesting, checked before parsing
};

// The policy names of ARCHITECTURE.md, as requests and configs spell them.
std::span<const std::string_view> known_policy_names();

// Parses and validates a request body for `endpoint`.
ApiResult<OpenAiRequest> parse_openai_request(Endpoint endpoint, std::string_view body,
                                              const ParseOptions& options = {});

// The gateway's per-call headers, X-Greenroute-Policy and X-Greenroute-Slo-Ms
// (pass "" for an absent header): validated as the body fields are, and
// overriding them. Errors name the header as `param`.
ApiResult<GreenrouteExtras> apply_greenroute_headers(GreenrouteExtras extras, std::string_view policy_header,
                                                     std::string_view slo_ms_header);

}  // namespace greenroute::server
