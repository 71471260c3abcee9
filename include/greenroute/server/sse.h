// Server-sent events as OpenAI streams them: framing for the server side and
// an incremental parser for the client side (the proxy mode and the gateway
// read an upstream's stream with it; tests read ours).
//
// Framing: every event is one `data: <json>\n\n`; the stream ends with
// `data: [DONE]\n\n`. A stream that fails after its 200 status was sent can
// no longer change the status, so it ends with an error event carrying the
// usual error object, `data: {"error": {...}}\n\n`, and then `data: [DONE]`
// (the shape OpenAI's and llama.cpp's clients surface as an error).
//
// Parsing follows the WHATWG EventSource rules: lines end in \n, \r\n or \r;
// `data:` lines of one event are joined with \n; `event:` names it; lines
// starting with ':' are comments; a blank line dispatches. An event larger
// than the parser's limit is a protocol error (a broken or hostile upstream
// must not make us buffer without bound).
//
// Thread contract: the framing functions are pure (thread-safe); an
// SseParser is single-owner.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "greenroute/server/api_error.h"

namespace greenroute::server {

// Compact JSON text; invalid UTF-8 (a byte token cut mid-character) becomes
// U+FFFD instead of throwing.
std::string json_text(const nlohmann::json& value);

// "data: <payload>\n\n". Precondition: payload holds no line break (JSON
// text from json_text never does).
std::string sse_data(std::string_view payload);
std::string sse_event(const nlohmann::json& value);  // sse_data(json_text(value))
std::string sse_done();                               // "data: [DONE]\n\n"
std::string sse_error(const ApiError& error);         // sse_event(api_error_json(error))
std::string sse_comment(std::string_view text);       // ": text\n\n" (keep-alive; clients ignore it)

inline constexpr std::string_view kSseContentType = "text/event-stream";

struct SseEvent {
  std::string event;  // "" when no event: field was given
  std::string data;   // data lines joined with '\n'
  bool is_done() const { return data == "[DONE]"; }
};

class SseParser {
 public:
  explicit SseParser(std::size_t max_event_bytes = 8u << 20) : max_event_bytes_(max_event_bytes) {}

  // Appends bytes; complete events become available from next(). Returns
  // false (and stays failed) once an event outgrows max_event_bytes.
  bool feed(std::string_view bytes);
  std::optional<SseEvent> next();
  bool failed() const { return failed_; }

 private:
  void line(std::string_view text);

  std::size_t max_event_bytes_;
  std::string buffer_;       // bytes after the last complete line
  bool pending_cr_ = false;  // the last byte fed was '\r' (its '\n' may follow)
  SseEvent current_;
  bool has_data_ = false;
  std::deque<SseEvent> ready_;
  bool failed_ = false;
};

}  // namespace greenroute::server
