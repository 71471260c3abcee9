// Status and Result<T>: errors as values.
//
// No exception crosses a component boundary in greenroute: every public call
// that can fail returns a Status or a Result<T>. Parsers may throw internally
// but must catch at their entry point and convert to a Status.
//
// Thread-compatible: a Status/Result is a plain value.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace greenroute::core {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller gave something malformed or out of range
  kNotFound,          // a file, key, tensor or node does not exist
  kIoError,           // the OS refused a read/write/mmap
  kCorrupt,           // a file's bytes contradict its own structure
  kUnsupported,       // well-formed but not handled (architecture, tensor type)
  kResourceExhausted, // does not fit in memory / context / queue
  kUnavailable,       // a peer or sensor is not reachable right now
  kDeadlineExceeded,  // a timeout elapsed
  kInternal,          // a bug: an invariant we own was broken
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string to_string() const;

  // Returns a copy whose message is "<context>: <message>".
  Status with_context(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
inline Status not_found(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
inline Status io_error(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
inline Status corrupt(std::string msg) { return {StatusCode::kCorrupt, std::move(msg)}; }
inline Status unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
inline Status resource_exhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
inline Status unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
inline Status deadline_exceeded(std::string msg) { return {StatusCode::kDeadlineExceeded, std::move(msg)}; }
inline Status internal_error(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

// Result<T>: either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).is_ok()) {
      v_ = Status(StatusCode::kInternal, "Result constructed from an ok Status without a value");
    }
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return is_ok() ? kOkStatus : std::get<Status>(v_);
  }
  // Precondition: is_ok(). Calling on an error aborts (a programming error).
  T& value() & { check_ok(); return std::get<T>(v_); }
  const T& value() const& { check_ok(); return std::get<T>(v_); }
  T&& value() && { check_ok(); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check_ok() const {
    if (!is_ok()) std::abort();
  }
  std::variant<T, Status> v_;
};

}  // namespace greenroute::core

#define GR_STATUS_CONCAT_INNER(a, b) a##b
#define GR_STATUS_CONCAT(a, b) GR_STATUS_CONCAT_INNER(a, b)

// Evaluates an expression yielding Status; returns it from the caller if not ok.
#define GR_RETURN_IF_ERROR(expr)                             \
  do {                                                       \
    ::greenroute::core::Status gr_status_ = (expr);          \
    if (!gr_status_.is_ok()) return gr_status_;              \
  } while (0)

// GR_ASSIGN_OR_RETURN(auto x, f()); assigns the value or returns the error.
#define GR_ASSIGN_OR_RETURN(lhs, expr) \
  GR_ASSIGN_OR_RETURN_IMPL(GR_STATUS_CONCAT(gr_result_, __LINE__), lhs, expr)
#define GR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.is_ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
