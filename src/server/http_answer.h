// How the node agent's and the gateway's handlers answer: JSON bodies with
// the right content type, OpenAI-style errors (with Retry-After on 503 and
// 429), and guarded(), the wrapper every handler body runs in so that no
// exception reaches httplib (STYLE.md: HTTP handlers never throw).
//
// Thread contract: stateless functions; each touches only the response given.
#pragma once

#include <httplib.h>

#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenroute/core/log.h"
#include "greenroute/server/api_error.h"
#include "greenroute/server/sse.h"

namespace greenroute::server {

inline void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(json_text(body), "application/json");
}

// retry_after_s > 0 sets Retry-After; a 503 without one says 1 s.
inline void send_error(httplib::Response& res, const ApiError& error, int retry_after_s = 0) {
  res.status = error.http_status;
  if (retry_after_s > 0) {
    res.set_header("Retry-After", std::to_string(retry_after_s));
  } else if (error.http_status == 503) {
    res.set_header("Retry-After", "1");
  }
  res.set_content(api_error_body(error), "application/json");
}

inline void add_headers(httplib::Response& res,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) res.set_header(name, value);
}

// Runs a handler body; an exception becomes a 500 internal_error answer,
// logged with `who` ("node", "gateway").
template <typename F>
void guarded(std::string_view who, httplib::Response& res, F&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    spdlog::error("{}: handler failed: {}", who, e.what());
    send_error(res,
               server_error(500, std::string("internal error: ") + e.what(), "internal_error"));
  } catch (...) {
    send_error(res, server_error(500, "internal error", "internal_error"));
  }
}

}  // namespace greenroute::server
