// Builders for OpenAI response bodies: completions and chat completions,
// their streaming chunks, and `usage` with greenroute's cost fields.
//
// Shapes follow OpenAI's API:
//   completion:      {id, object: "text_completion", created, model,
//                     choices: [{index, text, logprobs, finish_reason}], usage}
//   chat completion: {id, object: "chat.completion", created, model,
//                     choices: [{index, message: {role: "assistant", content},
//                                logprobs, finish_reason}], usage}
//   stream chunks:   object "text_completion" / "chat.completion.chunk", one
//                    choice each, `text` / `delta: {role?, content?}`; a
//                    finish chunk carries finish_reason; the usage chunk (for
//                    stream_options.include_usage) has `choices: []`.
// usage = {prompt_tokens, completion_tokens, total_tokens} plus, when a cost
// is known, greenroute's extras: energy_joules, carbon_grams, node, zone,
// intensity_g_per_kwh, energy_source (a figure that could not be measured is
// null, never a made-up 0).
//
// The same cost travels in HTTP headers (cost_headers): X-Greenroute-Node,
// -Zone, -Intensity-G-Per-Kwh and -Energy-Source are known before the body
// and are sent with every response, streaming included; the measured
// X-Greenroute-Energy-Joules and X-Greenroute-Carbon-Grams exist only once
// the request is done, so they are headers of non-streaming responses only
// and a stream reports them in its final usage (see docs/server.md).
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenroute/server/openai_schema.h"

namespace greenroute::server {

struct ResponseMeta {
  Endpoint endpoint = Endpoint::kCompletions;
  std::string id;            // make_response_id()
  std::int64_t created = 0;  // unix seconds
  std::string model;
};

// "cmpl-<16 hex>" or "chatcmpl-<16 hex>" from a caller-chosen unique number.
std::string make_response_id(Endpoint endpoint, std::uint64_t unique);

// What a request cost, and where it ran.
struct CostInfo {
  std::optional<double> energy_joules;
  std::optional<double> carbon_grams;
  std::optional<double> intensity_g_per_kwh;
  std::string node;
  std::string zone;
  std::string energy_source;  // "measured:rapl", "estimated:cpu-estimate", ...
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::optional<CostInfo> cost;  // unset: plain OpenAI usage
};

nlohmann::json usage_json(const Usage& usage);
// Adds the cost fields to an existing usage object (proxy mode: the
// upstream's usage plus this node's measurement).
void add_cost(nlohmann::json& usage, const CostInfo& cost);

struct TopLogprob {
  std::string token;  // the token's text (bytes; may be partial UTF-8)
  double logprob = 0.0;
};

struct TokenLogprob {
  std::string token;
  double logprob = 0.0;
  std::vector<TopLogprob> top;  // most likely first
};

struct Choice {
  int index = 0;
  std::string text;
  std::string finish_reason;  // "stop", "length"; "" renders null
  std::optional<std::vector<TokenLogprob>> logprobs;  // unset renders null
};

// A whole (non-streaming) response for meta.endpoint.
nlohmann::json response_json(const ResponseMeta& meta, std::span<const Choice> choices, const Usage& usage);

// One streaming chunk for one choice. `text` is the new text (may be empty);
// `first` adds the chat delta's role; an empty finish_reason renders null.
struct ChunkDelta {
  int index = 0;
  bool first = false;
  std::string text;
  std::string finish_reason;
  std::optional<std::vector<TokenLogprob>> logprobs;  // this chunk's tokens
  std::optional<Usage> usage;  // attached to a finish chunk when include_usage is off
};
nlohmann::json chunk_json(const ResponseMeta& meta, const ChunkDelta& delta);
// The final usage-only chunk (choices: []).
nlohmann::json usage_chunk_json(const ResponseMeta& meta, const Usage& usage);

// Logprobs in the endpoint's format: completions' {tokens, token_logprobs,
// top_logprobs, text_offset} (offsets from `text_offset0`), chat's
// {content: [{token, logprob, bytes, top_logprobs}]}.
nlohmann::json logprobs_json(Endpoint endpoint, std::span<const TokenLogprob> tokens, std::size_t text_offset0 = 0);

// Header names, and the (name, value) pairs for a cost. `measured` adds the
// energy and carbon figures (non-streaming responses only).
inline constexpr const char* kHeaderNode = "X-Greenroute-Node";
inline constexpr const char* kHeaderZone = "X-Greenroute-Zone";
inline constexpr const char* kHeaderIntensity = "X-Greenroute-Intensity-G-Per-Kwh";
inline constexpr const char* kHeaderEnergySource = "X-Greenroute-Energy-Source";
inline constexpr const char* kHeaderEnergyJoules = "X-Greenroute-Energy-Joules";
inline constexpr const char* kHeaderCarbonGrams = "X-Greenroute-Carbon-Grams";
std::vector<std::pair<std::string, std::string>> cost_headers(const CostInfo& cost, bool measured);

}  // namespace greenroute::server
