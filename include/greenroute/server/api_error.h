// ApiError: an OpenAI-style HTTP error, as a value.
//
// Every failure the HTTP layer reports (a bad field, an unknown model, a full
// queue, a node shutting down) becomes one ApiError, rendered as
//   {"error": {"message": ..., "type": ..., "param": FIELD|null, "code": ...|null}}
// with its HTTP status. The node agent and the gateway share it so a client
// sees the same shape from both, and streaming uses the same object for the
// error event of a stream that fails midway (sse.h).
//
// ApiResult<T> is the schema parser's result: a value or an ApiError (a
// core::Status cannot carry the HTTP status and the offending field).
//
// Thread contract: plain values; thread-compatible.
#pragma once

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>

#include "greenroute/core/status.h"

namespace greenroute::server {

// The `type` strings OpenAI uses, plus greenroute's "server_error" kinds.
inline constexpr const char* kInvalidRequestError = "invalid_request_error";
inline constexpr const char* kServerError = "server_error";

struct ApiError {
  int http_status = 400;
  std::string message;
  std::string type = kInvalidRequestError;
  std::string param;  // the offending field as a path ("messages[1].content"); "" renders null
  std::string code;   // a stable machine word ("invalid_type"); "" renders null
};

// Common constructors. `param` names the field; messages name it too.
ApiError invalid_request(std::string param, std::string message, std::string code = "invalid_value");
ApiError server_error(int http_status, std::string message, std::string code);

// {"error": {...}} (param/code null when empty).
nlohmann::json api_error_json(const ApiError& error);
// api_error_json(...).dump(), invalid UTF-8 replaced (messages may quote input).
std::string api_error_body(const ApiError& error);

// Maps a Status from a lower layer: kInvalidArgument -> 400, kNotFound ->
// 404, kResourceExhausted -> 503 (retry later or elsewhere), kUnavailable ->
// 503, kDeadlineExceeded -> 504, anything else -> 500. `code` is the status
// code as a word ("resource_exhausted", "unavailable").
ApiError api_error_from_status(const core::Status& status, std::string param = "");

template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  // Precondition: !is_ok() (aborts otherwise: a programming error).
  const ApiError& error() const {
    if (is_ok()) std::abort();
    return std::get<ApiError>(v_);
  }
  // Precondition: is_ok().
  T& value() & { check_ok(); return std::get<T>(v_); }
  const T& value() const& { check_ok(); return std::get<T>(v_); }
  T&& value() && { check_ok(); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void check_ok() const {
    if (!is_ok()) std::abort();
  }
  std::variant<T, ApiError> v_;
};

}  // namespace greenroute::server
