#include "carbon/http_client.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <memory>

#include "carbon/api_parsing.h"
#include "greenroute/core/clock.h"

namespace greenroute::carbon::detail {
namespace {

constexpr std::size_t kBodySnippetChars = 160;

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

core::StatusCode code_for_status(int status) {
  if (status == 400 || status == 401 || status == 403) return core::StatusCode::kInvalidArgument;
  if (status == 404) return core::StatusCode::kNotFound;
  if (status == 429) return core::StatusCode::kResourceExhausted;
  return core::StatusCode::kUnavailable;
}

// The first characters of a body, on one line, for a message.
std::string snippet(std::string_view body) {
  std::string out(body.substr(0, kBodySnippetChars));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (body.size() > kBodySnippetChars) out += "...";
  return out;
}

// The API's own explanation, if the error body is JSON that carries one:
// {"message": "..."}, {"error": "..."} or {"error": {"message": "..."}}.
std::string api_message(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return {};
  for (const char* key : {"message", "error"}) {
    const auto it = j.find(key);
    if (it == j.end()) continue;
    if (it->is_string()) return snippet(it->get<std::string>());
    if (it->is_object()) {
      const auto inner = it->find("message");
      if (inner != it->end() && inner->is_string()) return snippet(inner->get<std::string>());
    }
  }
  return {};
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    out += out.empty() ? '?' : '&';
    out += url_encode(key);
    out += '=';
    out += url_encode(value);
  }
  return out;
}

// What httplib sends for Basic auth, so an echo of it can be blanked too.
std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i]) << 16 |
                                              static_cast<unsigned char>(in[i + 1]) << 8 |
                                              static_cast<unsigned char>(in[i + 2]));
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size())
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void split_ms(std::int64_t ms, time_t* sec, time_t* usec) {
  const std::int64_t clamped = std::max<std::int64_t>(ms, 1);
  *sec = static_cast<time_t>(clamped / 1000);
  *usec = static_cast<time_t>((clamped % 1000) * 1000);
}

}  // namespace

core::Result<BaseUrl> parse_base_url(std::string_view url) {
  const std::string shown(url);
  BaseUrl out;
  std::string_view rest = url;
  if (rest.substr(0, 8) == "https://") {
    out.https = true;
    rest.remove_prefix(8);
  } else if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else {
    return core::invalid_argument("base URL '" + shown + "' must start with http:// or https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return core::invalid_argument("base URL '" + shown + "' must not have a query or fragment");
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    // Credentials belong in the source's key/user options, never in a URL
    // that ends up in messages.
    return core::invalid_argument("base URL must not contain user info ('user@host')");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return core::invalid_argument("base URL '" + shown + "' has an unterminated '[' host");
    }
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return core::invalid_argument("base URL '" + shown + "' is malformed");
      port_text = after.substr(1);
      if (port_text.empty())
        return core::invalid_argument("base URL '" + shown + "' has an empty port");
    }
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty())
        return core::invalid_argument("base URL '" + shown + "' has an empty port");
    }
  }
  if (out.host.empty()) return core::invalid_argument("base URL '" + shown + "' has no host");
  out.port = out.https ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return core::invalid_argument("base URL '" + shown + "' has a bad port '" +
                                    std::string(port_text) + "' (1..65535)");
    }
    out.port = port;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.path_prefix = std::string(path);
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

core::Status HttpClient::error(const HttpRequest& request, core::StatusCode code,
                               std::string_view detail) const {
  std::string msg = source_ + " GET " + base_.path_prefix + request.path;
  if (!request.zone.empty()) msg += " (zone " + request.zone + ")";
  msg += ": ";
  msg += detail;
  return core::Status(code, redact(request, std::move(msg)));
}

std::string HttpClient::redact(const HttpRequest& request, std::string text) const {
  // A server may echo what it was sent (a bad key, a token); blank any
  // secret before the text can reach a log.
  std::vector<std::string_view> secrets;
  for (const auto& [name, value] : request.headers) {
    secrets.push_back(value);
    // A server may echo a bearer token without its scheme word.
    constexpr std::string_view kBearer = "Bearer ";
    if (std::string_view(value).substr(0, kBearer.size()) == kBearer) {
      secrets.push_back(std::string_view(value).substr(kBearer.size()));
    }
  }
  const std::string basic = request.basic_user.empty()
                                ? std::string()
                                : base64(request.basic_user + ":" + request.basic_password);
  secrets.push_back(basic);
  secrets.push_back(request.basic_password);  // the user name is not a secret
  for (std::string_view secret : secrets) {
    if (secret.size() < 3) continue;  // too short to be a credential, and would mangle text
    for (std::size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

core::Result<HttpResponse> HttpClient::get(const HttpRequest& request) const {
  // httplib reports most failures through its Result, but it may throw (e.g.
  // std::bad_alloc, or std::system_error from the OS layer); nothing may
  // escape a component boundary.
  try {
    std::unique_ptr<httplib::ClientImpl> client;
    if (base_.https) {
      client = std::make_unique<httplib::SSLClient>(base_.host, base_.port);
    } else {
      client = std::make_unique<httplib::ClientImpl>(base_.host, base_.port);
    }
    time_t sec = 0;
    time_t usec = 0;
    split_ms(timeouts_.connect_ms, &sec, &usec);
    client->set_connection_timeout(sec, usec);
    split_ms(timeouts_.read_ms, &sec, &usec);
    client->set_read_timeout(sec, usec);
    client->set_write_timeout(sec, usec);
    if (!request.basic_user.empty()) {
      client->set_basic_auth(request.basic_user, request.basic_password);
    }
    httplib::Headers headers = {{"Accept", "application/json"}, {"User-Agent", "greenroute"}};
    for (const auto& [name, value] : request.headers) headers.emplace(name, value);

    const std::string target = base_.path_prefix + request.path + query_string(request.query);
    const core::SteadyClock clock;
    const std::int64_t start_ns = clock.now_ns();
    httplib::Result res = client->Get(target, headers);
    const std::int64_t elapsed_ms = (clock.now_ns() - start_ns) / 1'000'000;
    if (res) return HttpResponse{res->status, res->body};

    const std::string where = base_.host + ":" + std::to_string(base_.port);
    switch (res.error()) {
      case httplib::Error::Connection:
        return error(request, core::StatusCode::kUnavailable,
                     "cannot connect to " + where + " (refused or unreachable)");
      case httplib::Error::ConnectionTimeout:
        return error(request, core::StatusCode::kDeadlineExceeded,
                     "connecting to " + where + " timed out after " +
                         std::to_string(timeouts_.connect_ms) + " ms");
      case httplib::Error::Read:
        // httplib reports a read timeout and a dropped connection alike;
        // the time spent tells them apart.
        if (elapsed_ms * 10 >= timeouts_.read_ms * 9) {
          return error(request, core::StatusCode::kDeadlineExceeded,
                       "no response from " + where + " within the read timeout of " +
                           std::to_string(timeouts_.read_ms) + " ms");
        }
        return error(request, core::StatusCode::kUnavailable,
                     where + " closed the connection before a full response");
      case httplib::Error::SSLConnection:
        return error(request, core::StatusCode::kUnavailable,
                     "TLS handshake with " + where + " failed");
      case httplib::Error::SSLServerVerification:
        return error(request, core::StatusCode::kUnavailable,
                     "TLS certificate of " + where + " could not be verified");
      default:
        return error(request, core::StatusCode::kUnavailable,
                     "request to " + where + " failed: " + httplib::to_string(res.error()));
    }
  } catch (const std::exception& e) {
    return error(request, core::StatusCode::kInternal,
                 std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return error(request, core::StatusCode::kInternal, "unexpected non-standard exception");
  }
}

core::Status HttpClient::status_error(const HttpRequest& request,
                                      const HttpResponse& response) const {
  std::string detail = "HTTP " + std::to_string(response.status);
  const std::string_view reason = reason_phrase(response.status);
  if (!reason.empty()) detail += " " + std::string(reason);
  if (response.status == 401 || response.status == 403)
    detail += " (check the API key or credentials)";
  if (response.status == 429) detail += " (rate limited; retry later)";
  const std::string message = api_message(response.body);
  if (!message.empty()) {
    detail += ": " + message;
  } else if (!response.body.empty()) {
    detail += ": " + snippet(response.body);
  }
  return error(request, code_for_status(response.status), detail);
}

core::Result<nlohmann::json> HttpClient::parse_body(const HttpRequest& request,
                                                    const HttpResponse& response) const {
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return error(request, core::StatusCode::kCorrupt,
                 "response is not valid JSON: '" + snippet(response.body) + "'");
  }
  return j;
}

core::Result<nlohmann::json> HttpClient::get_json(const HttpRequest& request) const {
  GR_ASSIGN_OR_RETURN(const HttpResponse response, get(request));
  if (response.status < 200 || response.status > 299) return status_error(request, response);
  return parse_body(request, response);
}

core::Result<std::unique_ptr<HttpClient>> make_http_client(std::string source,
                                                           const HttpSourceOptions& options,
                                                           std::string_view default_base_url) {
  constexpr std::int64_t kHourMs = 3'600'000;
  if (options.connect_timeout_ms <= 0 || options.read_timeout_ms <= 0 ||
      options.connect_timeout_ms > kHourMs || options.read_timeout_ms > kHourMs) {
    return core::invalid_argument(source + ": timeouts must be in [1, 3600000] ms (connect " +
                                  std::to_string(options.connect_timeout_ms) + ", read " +
                                  std::to_string(options.read_timeout_ms) + ")");
  }
  const std::string_view url = options.base_url.empty() ? default_base_url : options.base_url;
  core::Result<BaseUrl> base = parse_base_url(url);
  if (!base.is_ok()) return base.status().with_context(source);
  return std::make_unique<HttpClient>(
      std::move(source), std::move(base).value(),
      HttpTimeouts{options.connect_timeout_ms, options.read_timeout_ms});
}

std::int64_t unix_now_s(const core::Clock& unix_clock) {
  return floor_div(unix_clock.now_ns(), 1'000'000'000);
}

}  // namespace greenroute::carbon::detail
