// HttpClient: the one place the carbon sources touch the network (a thin
// wrapper over cpp-httplib's blocking client), and the one place HTTP and
// JSON failures are turned into core::Status.
//
// Every error message reads "<source> GET <path> (zone <zone>): <detail>" so a
// log line says which API, which endpoint and which zone failed. Secrets
// (header values such as an API key or a bearer token, Basic-auth
// credentials) are never put in a message: the path carries no secret, and a
// response body quoted in a message has any secret it echoes blanked out.
//
// Failure mapping: connection refused/unreachable -> kUnavailable; connect or
// read timeout -> kDeadlineExceeded; HTTP 400 -> kInvalidArgument; 401/403 ->
// kInvalidArgument (a credential problem: retrying will not help); 404 ->
// kNotFound; 429 -> kResourceExhausted; other 4xx/5xx -> kUnavailable; a 2xx
// body that is not JSON -> kCorrupt. No exception escapes.
//
// Thread-safe: immutable after construction; each get() opens its own
// connection (there is no shared socket to lock, and requests are rare
// because CachedSource sits in front).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenroute/carbon/http_source_options.h"
#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon::detail {

struct BaseUrl {
  bool https = false;
  std::string host;
  int port = 0;             // explicit or the scheme's default
  std::string path_prefix;  // "" or "/prefix" (no trailing '/')
};

// Accepts "http://host", "https://host:8443/prefix/" and "[::1]" hosts.
// Rejects other schemes, user info, a query or fragment, and bad ports.
core::Result<BaseUrl> parse_base_url(std::string_view url);

// Percent-encodes everything but RFC 3986 unreserved characters, so a zone
// name cannot inject query parameters.
std::string url_encode(std::string_view text);

struct HttpTimeouts {
  std::int64_t connect_ms = 5000;
  std::int64_t read_ms = 5000;
};

struct HttpRequest {
  std::string path;  // after the base URL's prefix, starting with '/'
  std::vector<std::pair<std::string, std::string>> query;    // unencoded
  std::vector<std::pair<std::string, std::string>> headers;  // values may be secret
  std::string basic_user;                                    // empty: no Basic auth
  std::string basic_password;
  std::string zone;  // for messages only
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  HttpClient(std::string source, BaseUrl base, HttpTimeouts timeouts)
      : source_(std::move(source)), base_(std::move(base)), timeouts_(timeouts) {}

  // Sends the GET. Transport failures are errors; any HTTP status, 2xx or
  // not, is a response for the caller to judge (WattTime reacts to 401).
  core::Result<HttpResponse> get(const HttpRequest& request) const;

  // get(), then: non-2xx -> status_error(), else the body parsed as JSON.
  core::Result<nlohmann::json> get_json(const HttpRequest& request) const;

  // The Status for a non-2xx response: code from the table above, the
  // status line, the API's own error message when the body carries one, and
  // the start of the body (secrets blanked).
  core::Status status_error(const HttpRequest& request, const HttpResponse& response) const;

  // Parses a 2xx body; kCorrupt with the start of the body if it is not JSON.
  core::Result<nlohmann::json> parse_body(const HttpRequest& request,
                                          const HttpResponse& response) const;

  // "<source> GET <path> (zone <zone>): <detail>" with `code`.
  core::Status error(const HttpRequest& request, core::StatusCode code,
                     std::string_view detail) const;

  const std::string& source() const { return source_; }
  const BaseUrl& base() const { return base_; }

 private:
  std::string redact(const HttpRequest& request, std::string text) const;

  std::string source_;
  BaseUrl base_;
  HttpTimeouts timeouts_;
};

// Validates the shared options (timeouts > 0, base URL; empty means
// `default_base_url`) and builds the client for `source`.
core::Result<std::unique_ptr<HttpClient>> make_http_client(std::string source,
                                                           const HttpSourceOptions& options,
                                                           std::string_view default_base_url);

// Whole seconds of a unix-epoch clock.
std::int64_t unix_now_s(const core::Clock& unix_clock);

}  // namespace greenroute::carbon::detail
