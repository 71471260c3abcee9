#include "greenroute/server/sse.h"

#include <utility>

namespace greenroute::server {

std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string sse_data(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 8);
  out += "data: ";
  out += payload;
  out += "\n\n";
  return out;
}

std::string sse_event(const nlohmann::json& value) { return sse_data(json_text(value)); }

std::string sse_done() { return "data: [DONE]\n\n"; }

std::string sse_error(const ApiError& error) { return sse_event(api_error_json(error)); }

std::string sse_comment(std::string_view text) {
  std::string out = ": ";
  for (const char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += "\n\n";
  return out;
}

bool SseParser::feed(std::string_view bytes) {
  if (failed_) return false;
  for (const char c : bytes) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') continue;  // the second half of "\r\n"
    }
    if (c == '\r' || c == '\n') {
      pending_cr_ = c == '\r';
      line(buffer_);
      buffer_.clear();
      if (failed_) return false;
      continue;
    }
    buffer_ += c;
    if (buffer_.size() + current_.data.size() > max_event_bytes_) {
      failed_ = true;
      return false;
    }
  }
  return true;
}

void SseParser::line(std::string_view text) {
  if (text.empty()) {  // dispatch
    if (has_data_) {
      if (!current_.data.empty() && current_.data.back() == '\n') current_.data.pop_back();
      ready_.push_back(std::move(current_));
    }
    current_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (text.front() == ':') return;  // comment
  const std::size_t colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    current_.data += value;
    current_.data += '\n';
    has_data_ = true;
    if (current_.data.size() > max_event_bytes_) failed_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  }
  // id and retry do not matter to a one-shot completion stream.
}

std::optional<SseEvent> SseParser::next() {
  if (ready_.empty()) return std::nullopt;
  SseEvent e = std::move(ready_.front());
  ready_.pop_front();
  return e;
}

}  // namespace greenroute::server
