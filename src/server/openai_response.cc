#include "greenroute/server/openai_response.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace greenroute::server {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

json bytes_json(std::string_view text) {
  json out = json::array();
  for (const char c : text) out.push_back(static_cast<unsigned char>(c));
  return out;
}

std::string_view object_name(Endpoint endpoint, bool chunk) {
  if (endpoint == Endpoint::kCompletions) return "text_completion";
  return chunk ? "chat.completion.chunk" : "chat.completion";
}

json finish_json(const std::string& reason) { return reason.empty() ? json(nullptr) : json(reason); }

json header(const ResponseMeta& meta, bool chunk) {
  return {{"id", meta.id}, {"object", object_name(meta.endpoint, chunk)}, {"created", meta.created},
          {"model", meta.model}};
}

// Plain decimals (no exponent) for headers: the shortest fixed form that
// round-trips.
std::string format_number(double v) {
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

}  // namespace

std::string make_response_id(Endpoint endpoint, std::uint64_t unique) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(unique));
  return std::string(endpoint == Endpoint::kCompletions ? "cmpl-" : "chatcmpl-") + hex;
}

void add_cost(json& usage, const CostInfo& cost) {
  usage["energy_joules"] = optional_number(cost.energy_joules);
  usage["carbon_grams"] = optional_number(cost.carbon_grams);
  usage["node"] = cost.node;
  usage["zone"] = cost.zone;
  usage["intensity_g_per_kwh"] = optional_number(cost.intensity_g_per_kwh);
  usage["energy_source"] = cost.energy_source;
}

json usage_json(const Usage& usage) {
  json u = {{"prompt_tokens", usage.prompt_tokens},
            {"completion_tokens", usage.completion_tokens},
            {"total_tokens", usage.prompt_tokens + usage.completion_tokens}};
  if (usage.cost) add_cost(u, *usage.cost);
  return u;
}

json logprobs_json(Endpoint endpoint, std::span<const TokenLogprob> tokens, std::size_t text_offset0) {
  if (endpoint == Endpoint::kChatCompletions) {
    json content = json::array();
    for (const TokenLogprob& t : tokens) {
      json top = json::array();
      for (const TopLogprob& a : t.top) {
        top.push_back({{"token", a.token}, {"logprob", a.logprob}, {"bytes", bytes_json(a.token)}});
      }
      content.push_back(
          {{"token", t.token}, {"logprob", t.logprob}, {"bytes", bytes_json(t.token)}, {"top_logprobs", top}});
    }
    return {{"content", content}};
  }
  json toks = json::array();
  json lps = json::array();
  json tops = json::array();
  json offsets = json::array();
  std::size_t offset = text_offset0;
  for (const TokenLogprob& t : tokens) {
    toks.push_back(t.token);
    lps.push_back(t.logprob);
    json top = json::object();
    // Two ids can share a text; a map keeps the likelier (listed first).
    for (const TopLogprob& a : t.top) {
      if (!top.contains(a.token)) top[a.token] = a.logprob;
    }
    tops.push_back(std::move(top));
    offsets.push_back(offset);
    offset += t.token.size();
  }
  return {{"tokens", toks}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offsets}};
}

json response_json(const ResponseMeta& meta, std::span<const Choice> choices, const Usage& usage) {
  json out = header(meta, /*chunk=*/false);
  json arr = json::array();
  for (const Choice& c : choices) {
    json choice = {{"index", c.index}};
    if (meta.endpoint == Endpoint::kCompletions) {
      choice["text"] = c.text;
    } else {
      choice["message"] = {{"role", "assistant"}, {"content", c.text}};
    }
    choice["logprobs"] = c.logprobs ? logprobs_json(meta.endpoint, *c.logprobs) : json(nullptr);
    choice["finish_reason"] = finish_json(c.finish_reason);
    arr.push_back(std::move(choice));
  }
  out["choices"] = std::move(arr);
  out["usage"] = usage_json(usage);
  return out;
}

json chunk_json(const ResponseMeta& meta, const ChunkDelta& d) {
  json out = header(meta, /*chunk=*/true);
  json choice = {{"index", d.index}};
  if (meta.endpoint == Endpoint::kCompletions) {
    choice["text"] = d.text;
  } else {
    json delta = json::object();
    if (d.first) delta["role"] = "assistant";
    if (!d.text.empty() || d.first) delta["content"] = d.text;
    choice["delta"] = std::move(delta);
  }
  choice["logprobs"] = d.logprobs ? logprobs_json(meta.endpoint, *d.logprobs) : json(nullptr);
  choice["finish_reason"] = finish_json(d.finish_reason);
  out["choices"] = json::array({std::move(choice)});
  if (d.usage) out["usage"] = usage_json(*d.usage);
  return out;
}

json usage_chunk_json(const ResponseMeta& meta, const Usage& usage) {
  json out = header(meta, /*chunk=*/true);
  out["choices"] = json::array();
  out["usage"] = usage_json(usage);
  return out;
}

std::vector<std::pair<std::string, std::string>> cost_headers(const CostInfo& cost, bool measured) {
  std::vector<std::pair<std::string, std::string>> h;
  // Header values must be visible ASCII; node and zone names come from flags.
  auto clean = [](std::string s) {
    for (char& c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    return s;
  };
  h.emplace_back(kHeaderNode, clean(cost.node));
  h.emplace_back(kHeaderZone, clean(cost.zone));
  if (cost.intensity_g_per_kwh && std::isfinite(*cost.intensity_g_per_kwh)) h.emplace_back(kHeaderIntensity, format_number(*cost.intensity_g_per_kwh));
  h.emplace_back(kHeaderEnergySource, clean(cost.energy_source));
  if (measured) {
    if (cost.energy_joules && std::isfinite(*cost.energy_joules)) h.emplace_back(kHeaderEnergyJoules, format_number(*cost.energy_joules));
    if (cost.carbon_grams && std::isfinite(*cost.carbon_grams)) h.emplace_back(kHeaderCarbonGrams, format_number(*cost.carbon_grams));
  }
  return h;
}

}  // namespace greenroute::server
