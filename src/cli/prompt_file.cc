#include "prompt_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

namespace greenroute::cli {

namespace {

using nlohmann::json;

std::string where(const std::string& source, int line) {
  return source + ":" + std::to_string(line);
}

core::Status field_error(const std::string& source, int line, const std::string& field,
                         const std::string& what) {
  return core::invalid_argument(where(source, line) + ": field '" + field + "' " + what);
}

// Reads an optional integer field within [lo, hi].
core::Status read_int(const json& obj, const char* key, long long lo, long long hi,
                      const std::string& source, int line, std::optional<long long>* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return core::Status::ok();
  if (!it->is_number_integer()) return field_error(source, line, key, "must be an integer");
  long long v = it->is_number_unsigned() && it->get<unsigned long long>() >
                                               static_cast<unsigned long long>(std::numeric_limits<long long>::max())
                    ? std::numeric_limits<long long>::max()
                    : it->get<long long>();
  if (v < lo || v > hi) {
    return field_error(source, line, key,
                       "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                           ", got " + it->dump());
  }
  *out = v;
  return core::Status::ok();
}

core::Status read_float(const json& obj, const char* key, const std::string& source, int line,
                        std::optional<float>* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return core::Status::ok();
  if (!it->is_number()) return field_error(source, line, key, "must be a number");
  *out = it->get<float>();
  return core::Status::ok();
}

core::Status parse_overrides(const json& obj, const std::string& source, int line, PromptOverrides* o) {
  std::optional<long long> v;
  GR_RETURN_IF_ERROR(read_int(obj, "max_tokens", 0, 1 << 20, source, line, &v));
  if (v) o->max_tokens = static_cast<int>(*v);
  v.reset();
  GR_RETURN_IF_ERROR(read_int(obj, "top_k", 0, 1 << 30, source, line, &v));
  if (v) o->top_k = static_cast<int>(*v);
  v.reset();
  GR_RETURN_IF_ERROR(read_int(obj, "logprobs", 0, 20, source, line, &v));
  if (v) o->logprobs = static_cast<int>(*v);
  v.reset();
  GR_RETURN_IF_ERROR(read_int(obj, "seed", 0, std::numeric_limits<long long>::max(), source, line, &v));
  if (v) o->seed = static_cast<std::uint64_t>(*v);
  GR_RETURN_IF_ERROR(read_float(obj, "temperature", source, line, &o->temperature));
  GR_RETURN_IF_ERROR(read_float(obj, "top_p", source, line, &o->top_p));
  GR_RETURN_IF_ERROR(read_float(obj, "min_p", source, line, &o->min_p));
  GR_RETURN_IF_ERROR(read_float(obj, "repeat_penalty", source, line, &o->repeat_penalty));
  if (auto it = obj.find("stop"); it != obj.end()) {
    std::vector<std::string> stops;
    if (it->is_string()) {
      stops.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& s : *it) {
        if (!s.is_string()) return field_error(source, line, "stop", "must hold only strings");
        stops.push_back(s.get<std::string>());
      }
    } else {
      return field_error(source, line, "stop", "must be a string or a list of strings");
    }
    for (const auto& s : stops) {
      if (s.empty()) return field_error(source, line, "stop", "must not contain an empty string");
    }
    o->stop = std::move(stops);
  }
  return core::Status::ok();
}

const char* const kKnownFields[] = {"prompt", "messages", "max_tokens", "temperature", "top_k", "top_p",
                                    "min_p", "repeat_penalty", "seed", "stop", "logprobs", "id",
                                    "category", "length"};

// Reads the metadata fields. "id" was accepted (and ignored) with any type
// before it was kept, so other types are still accepted and dropped.
core::Status parse_metadata(const json& obj, const std::string& source, int line, PromptSpec* spec) {
  if (auto it = obj.find("id"); it != obj.end()) {
    if (it->is_string()) spec->id = it->get<std::string>();
    else if (it->is_number()) spec->id = it->dump();
  }
  for (auto [key, out] : {std::pair{"category", &spec->category}, std::pair{"length", &spec->length}}) {
    auto it = obj.find(key);
    if (it == obj.end()) continue;
    if (!it->is_string()) return field_error(source, line, key, "must be a string");
    *out = it->get<std::string>();
  }
  return core::Status::ok();
}

}  // namespace

core::Result<std::vector<PromptSpec>> parse_prompts_jsonl(const std::string& text, const std::string& source) {
  std::vector<PromptSpec> out;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    std::size_t first = raw.find_first_not_of(" \t");
    if (first == std::string::npos || raw[first] == '#') continue;

    json obj = json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (obj.is_discarded()) {
      return core::invalid_argument(where(source, line_no) + ": not valid JSON");
    }
    if (!obj.is_object()) {
      return core::invalid_argument(where(source, line_no) + ": expected a JSON object like {\"prompt\": \"...\"}");
    }
    for (const auto& [key, value] : obj.items()) {
      bool known = false;
      for (const char* k : kKnownFields) known |= (key == k);
      if (!known) return field_error(source, line_no, key, "is not a known prompt field");
    }

    PromptSpec spec;
    spec.line = line_no;
    const bool has_prompt = obj.contains("prompt");
    const bool has_messages = obj.contains("messages");
    if (has_prompt == has_messages) {
      return core::invalid_argument(where(source, line_no) + ": give exactly one of 'prompt' or 'messages'");
    }
    if (has_prompt) {
      if (!obj["prompt"].is_string()) return field_error(source, line_no, "prompt", "must be a string");
      spec.prompt = obj["prompt"].get<std::string>();
      if (spec.prompt.empty()) return field_error(source, line_no, "prompt", "must not be empty");
    } else {
      const json& msgs = obj["messages"];
      if (!msgs.is_array() || msgs.empty()) {
        return field_error(source, line_no, "messages", "must be a non-empty list of {role, content}");
      }
      for (const auto& m : msgs) {
        if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() ||
            !m["content"].is_string()) {
          return field_error(source, line_no, "messages", "entries must be {\"role\": string, \"content\": string}");
        }
        std::string role = m["role"].get<std::string>();
        if (role != "system" && role != "user" && role != "assistant") {
          return field_error(source, line_no, "messages",
                             "role must be system, user or assistant, got '" + role + "'");
        }
        spec.messages.push_back({std::move(role), m["content"].get<std::string>()});
      }
    }
    GR_RETURN_IF_ERROR(parse_overrides(obj, source, line_no, &spec.overrides));
    GR_RETURN_IF_ERROR(parse_metadata(obj, source, line_no, &spec));
    out.push_back(std::move(spec));
  }
  if (out.empty()) return core::invalid_argument(source + ": contains no prompts");
  return out;
}

core::Result<std::vector<PromptSpec>> read_prompts_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return core::io_error("cannot read prompt file " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return core::io_error("error while reading prompt file " + path);
  return parse_prompts_jsonl(ss.str(), path);
}

}  // namespace greenroute::cli
