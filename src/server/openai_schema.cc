#include "greenroute/server/openai_schema.h"

#include <array>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace greenroute::server {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 8> kPolicies = {
    "round-robin", "random",        "greedy-fastest", "greedy-least-loaded",
    "latency-aware", "carbon-aware", "hybrid",        "slo-carbon"};

// The JSON type of a value, as a message says it.
std::string_view type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

ApiError wrong_type(const std::string& param, std::string_view want, const json& got) {
  return invalid_request(param, "'" + param + "' must be " + std::string(want) + ", not " +
                                    std::string(type_name(got)),
                         "invalid_type");
}

ApiError bad_value(const std::string& param, const std::string& why) {
  return invalid_request(param, "'" + param + "' " + why, "invalid_value");
}

std::string number_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Deepest nesting of arrays/objects, scanning the raw text (strings
// skipped). nlohmann's parser copes with deep input, but a depth cap keeps
// every later recursive walk (dump, destruction) bounded too.
bool within_depth(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

// Fields read off one object, each error naming "<prefix><key>".
class Fields {
 public:
  Fields(const json& obj, std::string prefix) : obj_(obj), prefix_(std::move(prefix)) {}

  const json* find(std::string_view key) const {
    const auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return nullptr;  // null means "not given", as OpenAI
    return &*it;
  }
  std::string path(std::string_view key) const { return prefix_ + std::string(key); }

  // Each leaves *out untouched when the field is absent or null, and returns
  // the field's error if it has one.
  std::optional<ApiError> string(std::string_view key, std::optional<std::string>* out) const {
    const json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) return wrong_type(path(key), "a string", *v);
    *out = v->get<std::string>();
    return std::nullopt;
  }
  std::optional<ApiError> boolean(std::string_view key, bool* out) const {
    const json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) return wrong_type(path(key), "a boolean", *v);
    *out = v->get<bool>();
    return std::nullopt;
  }
  std::optional<ApiError> number(std::string_view key, double lo, double hi, bool lo_open,
                                 std::optional<double>* out) const {
    const json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) return wrong_type(path(key), "a number", *v);
    const double d = v->get<double>();
    if (!std::isfinite(d) || d > hi || (lo_open ? d <= lo : d < lo)) {
      return bad_value(path(key), "must be in " + std::string(lo_open ? "(" : "[") + number_text(lo) + ", " +
                                      number_text(hi) + "] (is " + number_text(d) + ")");
    }
    *out = d;
    return std::nullopt;
  }
  // Integers; a float with an integral value (10.0) is accepted.
  std::optional<ApiError> integer(std::string_view key, std::int64_t lo, std::int64_t hi,
                                  std::optional<std::int64_t>* out) const {
    const json* v = find(key);
    if (!v) return std::nullopt;
    std::int64_t n = 0;
    if (v->is_number_unsigned()) {
      const auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(hi)) {
        return bad_value(path(key), "must be at most " + std::to_string(hi) + " (is " + std::to_string(u) + ")");
      }
      n = static_cast<std::int64_t>(u);
    } else if (v->is_number_integer()) {
      n = v->get<std::int64_t>();
    } else if (v->is_number_float()) {
      const double d = v->get<double>();
      if (!std::isfinite(d) || d != std::floor(d)) return wrong_type(path(key), "an integer", *v);
      if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
        return bad_value(path(key), "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] (is " +
                                        number_text(d) + ")");
      }
      n = static_cast<std::int64_t>(d);
    } else {
      return wrong_type(path(key), "an integer", *v);
    }
    if (n < lo || n > hi) {
      return bad_value(path(key), "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] (is " +
                                      std::to_string(n) + ")");
    }
    *out = n;
    return std::nullopt;
  }

 private:
  const json& obj_;
  std::string prefix_;
};

#define GR_API_TRY(expr)                      \
  do {                                        \
    if (auto gr_err_ = (expr)) return *gr_err_; \
  } while (0)

std::optional<ApiError> parse_prompts(const Fields& f, const ParseOptions& o, OpenAiRequest& r) {
  const json* p = f.find("prompt");
  if (!p) return invalid_request("prompt", "'prompt' is required", "missing_required_parameter");
  if (p->is_string()) {
    r.prompts.push_back(p->get<std::string>());
    return std::nullopt;
  }
  if (!p->is_array()) return wrong_type("prompt", "a string or an array of strings", *p);
  if (p->empty()) return bad_value("prompt", "must not be an empty array");
  if (p->size() > o.max_prompts) {
    return bad_value("prompt", "may hold at most " + std::to_string(o.max_prompts) + " prompts (has " +
                                   std::to_string(p->size()) + ")");
  }
  for (std::size_t i = 0; i < p->size(); ++i) {
    const json& e = (*p)[i];
    const std::string path = "prompt[" + std::to_string(i) + "]";
    if (e.is_number_integer() || e.is_array()) {
      return invalid_request(path, "'" + path + "': token-id prompts are not supported; send text", "unsupported");
    }
    if (!e.is_string()) return wrong_type(path, "a string", e);
    r.prompts.push_back(e.get<std::string>());
  }
  return std::nullopt;
}

std::optional<ApiError> parse_content(const json& c, const std::string& path, const std::string& role,
                                      std::string* out) {
  if (c.is_null()) {
    if (role == "assistant" || role == "tool") return std::nullopt;
    return invalid_request(path, "'" + path + "' is required for role '" + role + "'",
                           "missing_required_parameter");
  }
  if (c.is_string()) {
    *out = c.get<std::string>();
    return std::nullopt;
  }
  if (!c.is_array()) return wrong_type(path, "a string or an array of content parts", c);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const json& part = c[i];
    const std::string pp = path + "[" + std::to_string(i) + "]";
    if (!part.is_object()) return wrong_type(pp, "an object", part);
    const auto type = part.find("type");
    if (type == part.end() || !type->is_string()) {
      return invalid_request(pp + ".type", "'" + pp + ".type' must be a string", "invalid_type");
    }
    if (type->get<std::string>() != "text") {
      return invalid_request(pp + ".type",
                             "'" + pp + ".type' '" + type->get<std::string>() +
                                 "' is not supported (only \"text\" parts)",
                             "unsupported");
    }
    const auto text = part.find("text");
    if (text == part.end() || !text->is_string()) {
      return invalid_request(pp + ".text", "'" + pp + ".text' must be a string", "invalid_type");
    }
    *out += text->get<std::string>();
  }
  return std::nullopt;
}

std::optional<ApiError> parse_messages(const Fields& f, const ParseOptions& o, OpenAiRequest& r) {
  const json* m = f.find("messages");
  if (!m) return invalid_request("messages", "'messages' is required", "missing_required_parameter");
  if (!m->is_array()) return wrong_type("messages", "an array", *m);
  if (m->empty()) return bad_value("messages", "must hold at least one message");
  if (m->size() > o.max_messages) {
    return bad_value("messages", "may hold at most " + std::to_string(o.max_messages) + " messages");
  }
  for (std::size_t i = 0; i < m->size(); ++i) {
    const json& e = (*m)[i];
    const std::string path = "messages[" + std::to_string(i) + "]";
    if (!e.is_object()) return wrong_type(path, "an object", e);
    const auto role = e.find("role");
    if (role == e.end() || !role->is_string()) {
      return invalid_request(path + ".role", "'" + path + ".role' must be a string", "invalid_type");
    }
    ChatMessage msg;
    msg.role = role->get<std::string>();
    if (msg.role == "developer") msg.role = "system";
    if (msg.role != "system" && msg.role != "user" && msg.role != "assistant" && msg.role != "tool") {
      return bad_value(path + ".role", "must be one of system, developer, user, assistant, tool (is '" +
                                           msg.role + "')");
    }
    const auto content = e.find("content");
    GR_API_TRY(parse_content(content == e.end() ? json() : *content, path + ".content", msg.role, &msg.content));
    r.messages.push_back(std::move(msg));
  }
  return std::nullopt;
}

std::optional<ApiError> parse_stop(const Fields& f, const ParseOptions& o, OpenAiRequest& r) {
  const json* s = f.find("stop");
  if (!s) return std::nullopt;
  auto add = [&](const json& v, const std::string& path) -> std::optional<ApiError> {
    if (!v.is_string()) return wrong_type(path, "a string", v);
    std::string text = v.get<std::string>();
    if (text.size() > o.max_stop_bytes) {
      return bad_value(path, "may be at most " + std::to_string(o.max_stop_bytes) + " bytes long");
    }
    if (!text.empty()) r.stop.push_back(std::move(text));
    return std::nullopt;
  };
  if (s->is_string()) return add(*s, "stop");
  if (!s->is_array()) return wrong_type("stop", "a string or an array of strings", *s);
  if (s->size() > o.max_stop) {
    return bad_value("stop", "may hold at most " + std::to_string(o.max_stop) + " strings (has " +
                                 std::to_string(s->size()) + ")");
  }
  for (std::size_t i = 0; i < s->size(); ++i) GR_API_TRY(add((*s)[i], "stop[" + std::to_string(i) + "]"));
  return std::nullopt;
}

std::optional<ApiError> parse_logprobs(const Fields& f, OpenAiRequest& r) {
  if (r.endpoint == Endpoint::kCompletions) {
    std::optional<std::int64_t> k;
    GR_API_TRY(f.integer("logprobs", 0, 5, &k));
    if (k) {
      r.logprobs = true;
      r.top_logprobs = static_cast<int>(*k);
    }
    return std::nullopt;
  }
  GR_API_TRY(f.boolean("logprobs", &r.logprobs));
  std::optional<std::int64_t> k;
  GR_API_TRY(f.integer("top_logprobs", 0, 20, &k));
  if (k && *k > 0 && !r.logprobs) {
    return bad_value("top_logprobs", "requires 'logprobs' to be true");
  }
  if (k) r.top_logprobs = static_cast<int>(*k);
  return std::nullopt;
}

std::optional<ApiError> check_policy(const std::string& policy, const std::string& param) {
  for (std::string_view known : kPolicies) {
    if (policy == known) return std::nullopt;
  }
  std::string names;
  for (std::string_view known : kPolicies) names += (names.empty() ? "" : ", ") + std::string(known);
  return invalid_request(param, "'" + param + "' '" + policy + "' is not a known policy (" + names + ")",
                         "unknown_policy");
}

std::optional<ApiError> parse_extras(const Fields& f, OpenAiRequest& r) {
  const json* g = f.find("greenroute");
  if (!g) return std::nullopt;
  if (!g->is_object()) return wrong_type("greenroute", "an object", *g);
  for (const auto& [key, value] : g->items()) {
    if (key != "policy" && key != "slo_ms" && key != "alpha") {
      // greenroute's own extension is strict: a typo must not silently route
      // by the default policy.
      return invalid_request("greenroute." + key,
                             "'greenroute." + key + "' is not a greenroute field (policy, slo_ms, alpha)",
                             "unknown_parameter");
    }
  }
  const Fields gf(*g, "greenroute.");
  GR_API_TRY(gf.string("policy", &r.greenroute.policy));
  if (r.greenroute.policy) GR_API_TRY(check_policy(*r.greenroute.policy, "greenroute.policy"));
  GR_API_TRY(gf.number("slo_ms", 0.0, 86'400'000.0, /*lo_open=*/true, &r.greenroute.slo_ms));
  GR_API_TRY(gf.number("alpha", 0.0, 1.0, /*lo_open=*/false, &r.greenroute.alpha));
  return std::nullopt;
}

// OpenAI fields greenroute does not implement: fine at their neutral value.
std::optional<ApiError> check_unsupported(const Fields& f, Endpoint endpoint) {
  auto refuse = [](const std::string& key, const std::string& why) {
    return invalid_request(key, "'" + key + "' " + why + " is not supported by greenroute", "unsupported");
  };
  for (const char* key : {"frequency_penalty", "presence_penalty"}) {
    if (const json* v = f.find(key)) {
      if (!v->is_number()) return wrong_type(key, "a number", *v);
      if (v->get<double>() != 0.0) return refuse(key, "other than 0");
    }
  }
  if (const json* v = f.find("logit_bias")) {
    if (!v->is_object()) return wrong_type("logit_bias", "an object", *v);
    if (!v->empty()) return refuse("logit_bias", "with entries");
  }
  if (endpoint == Endpoint::kCompletions) {
    if (const json* v = f.find("echo"); v && (!v->is_boolean() || v->get<bool>())) return refuse("echo", "true");
    if (const json* v = f.find("suffix"); v && (!v->is_string() || !v->get<std::string>().empty())) {
      return refuse("suffix", "(insertion)");
    }
    if (const json* v = f.find("best_of"); v && !(v->is_number() && v->get<double>() == 1.0)) {
      return refuse("best_of", "other than 1");
    }
  } else {
    for (const char* key : {"tools", "functions"}) {
      if (const json* v = f.find(key); v && !(v->is_array() && v->empty())) return refuse(key, "(tool calling)");
    }
    if (const json* v = f.find("response_format")) {
      const bool plain = v->is_object() && v->contains("type") && (*v)["type"] == "text";
      if (!plain) return refuse("response_format", "other than {\"type\": \"text\"}");
    }
  }
  return std::nullopt;
}

ApiResult<OpenAiRequest> parse_object(Endpoint endpoint, const json& doc, const ParseOptions& o) {
  if (!doc.is_object()) {
    return invalid_request("", "the request body must be a JSON object, not " + std::string(type_name(doc)),
                           "invalid_type");
  }
  const Fields f(doc, "");
  OpenAiRequest r;
  r.endpoint = endpoint;

  std::optional<std::string> model;
  GR_API_TRY(f.string("model", &model));
  if (!model || model->empty()) {
    return invalid_request("model", "'model' is required (a non-empty string)", "missing_required_parameter");
  }
  r.model = std::move(*model);

  if (endpoint == Endpoint::kCompletions) {
    GR_API_TRY(parse_prompts(f, o, r));
  } else {
    GR_API_TRY(parse_messages(f, o, r));
  }

  std::optional<std::int64_t> max_tokens;
  std::optional<std::int64_t> max_completion_tokens;
  GR_API_TRY(f.integer("max_tokens", 1, o.max_tokens_limit, &max_tokens));
  GR_API_TRY(f.integer("max_completion_tokens", 1, o.max_tokens_limit, &max_completion_tokens));
  if (max_completion_tokens) r.max_tokens = static_cast<int>(*max_completion_tokens);
  else if (max_tokens) r.max_tokens = static_cast<int>(*max_tokens);

  std::optional<double> d;
  GR_API_TRY(f.number("temperature", 0.0, 2.0, /*lo_open=*/false, &d));
  if (d) r.temperature = *d;
  d.reset();
  GR_API_TRY(f.number("top_p", 0.0, 1.0, /*lo_open=*/true, &d));
  if (d) r.top_p = *d;

  std::optional<std::int64_t> n;
  GR_API_TRY(f.integer("n", 1, 128, &n));
  if (n && *n != 1) {
    return invalid_request("n", "'n' must be 1: greenroute returns one completion per prompt (is " +
                                    std::to_string(*n) + ")",
                           "unsupported");
  }

  GR_API_TRY(parse_stop(f, o, r));
  GR_API_TRY(f.boolean("stream", &r.stream));
  if (const json* so = f.find("stream_options")) {
    if (!so->is_object()) return wrong_type("stream_options", "an object", *so);
    if (!r.stream) return bad_value("stream_options", "is only allowed when 'stream' is true");
    GR_API_TRY(Fields(*so, "stream_options.").boolean("include_usage", &r.include_usage));
  }
  std::optional<std::int64_t> seed;
  GR_API_TRY(f.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), &seed));
  if (seed) r.seed = static_cast<std::uint64_t>(*seed);
  GR_API_TRY(parse_logprobs(f, r));
  std::optional<std::string> user;
  GR_API_TRY(f.string("user", &user));
  if (user) r.user = std::move(*user);
  GR_API_TRY(parse_extras(f, r));
  GR_API_TRY(check_unsupported(f, endpoint));
  return r;
}

}  // namespace

std::string_view endpoint_path(Endpoint endpoint) {
  return endpoint == Endpoint::kCompletions ? "/v1/completions" : "/v1/chat/completions";
}

std::string_view endpoint_label(Endpoint endpoint) {
  return endpoint == Endpoint::kCompletions ? "completions" : "chat_completions";
}

std::span<const std::string_view> known_policy_names() { return kPolicies; }

ApiResult<OpenAiRequest> parse_openai_request(Endpoint endpoint, std::string_view body, const ParseOptions& options) {
  // The parser allocates and nlohmann may throw (bad_alloc, or a type error
  // we failed to guard); nothing may leave a handler as an exception.
  try {
    if (body.size() > options.max_body_bytes) {
      ApiError e = invalid_request("", "the request body is " + std::to_string(body.size()) +
                                           " bytes; the limit is " + std::to_string(options.max_body_bytes),
                                   "request_too_large");
      e.http_status = 413;
      return e;
    }
    if (!within_depth(body, options.max_depth)) {
      return invalid_request("", "the request body nests deeper than " + std::to_string(options.max_depth) +
                                     " levels",
                             "invalid_json");
    }
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      return invalid_request("", "the request body is not valid JSON", "invalid_json");
    }
    return parse_object(endpoint, doc, options);
  } catch (const std::exception& e) {
    return server_error(500, std::string("could not parse the request: ") + e.what(), "internal_error");
  }
}

ApiResult<GreenrouteExtras> apply_greenroute_headers(GreenrouteExtras extras, std::string_view policy_header,
                                                     std::string_view slo_ms_header) {
  if (!policy_header.empty()) {
    const std::string policy(policy_header);
    if (auto err = check_policy(policy, "X-Greenroute-Policy")) return *err;
    extras.policy = policy;
  }
  if (!slo_ms_header.empty()) {
    double v = 0.0;
    const auto [end, ec] = std::from_chars(slo_ms_header.data(), slo_ms_header.data() + slo_ms_header.size(), v);
    if (ec != std::errc() || end != slo_ms_header.data() + slo_ms_header.size() || !std::isfinite(v) || v <= 0 ||
        v > 86'400'000.0) {
      return invalid_request("X-Greenroute-Slo-Ms",
                             "header 'X-Greenroute-Slo-Ms' must be a number of milliseconds in (0, 86400000] (is '" +
                                 std::string(slo_ms_header) + "')",
                             "invalid_value");
    }
    extras.slo_ms = v;
  }
  return extras;
}

}  // namespace greenroute::server
