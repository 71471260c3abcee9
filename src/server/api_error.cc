#include "greenroute/server/api_error.h"

#include <utility>

namespace greenroute::server {
namespace {

// A machine word for a status code ("resource_exhausted"), for `code`.
std::string code_word(core::StatusCode code) {
  switch (code) {
    case core::StatusCode::kOk: return "ok";
    case core::StatusCode::kInvalidArgument: return "invalid_argument";
    case core::StatusCode::kNotFound: return "not_found";
    case core::StatusCode::kIoError: return "io_error";
    case core::StatusCode::kCorrupt: return "corrupt";
    case core::StatusCode::kUnsupported: return "unsupported";
    case core::StatusCode::kResourceExhausted: return "resource_exhausted";
    case core::StatusCode::kUnavailable: return "unavailable";
    case core::StatusCode::kDeadlineExceeded: return "deadline_exceeded";
    case core::StatusCode::kInternal: return "internal_error";
  }
  return "unknown";
}

}  // namespace

ApiError invalid_request(std::string param, std::string message, std::string code) {
  ApiError e;
  e.http_status = 400;
  e.message = std::move(message);
  e.type = kInvalidRequestError;
  e.param = std::move(param);
  e.code = std::move(code);
  return e;
}

ApiError server_error(int http_status, std::string message, std::string code) {
  ApiError e;
  e.http_status = http_status;
  e.message = std::move(message);
  e.type = kServerError;
  e.code = std::move(code);
  return e;
}

nlohmann::json api_error_json(const ApiError& error) {
  auto or_null = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  return {{"error",
           {{"message", error.message},
            {"type", error.type},
            {"param", or_null(error.param)},
            {"code", or_null(error.code)}}}};
}

std::string api_error_body(const ApiError& error) {
  // Messages may quote the caller's bytes; never let them make dump() throw.
  return api_error_json(error).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiError api_error_from_status(const core::Status& status, std::string param) {
  ApiError e;
  e.message = status.message();
  e.param = std::move(param);
  e.code = code_word(status.code());
  switch (status.code()) {
    case core::StatusCode::kInvalidArgument:
      e.http_status = 400;
      break;
    case core::StatusCode::kNotFound:
      e.http_status = 404;
      break;
    case core::StatusCode::kResourceExhausted:
    case core::StatusCode::kUnavailable:
      e.http_status = 503;
      e.type = kServerError;
      break;
    case core::StatusCode::kDeadlineExceeded:
      e.http_status = 504;
      e.type = kServerError;
      break;
    default:
      e.http_status = 500;
      e.type = kServerError;
      break;
  }
  return e;
}

}  // namespace greenroute::server
