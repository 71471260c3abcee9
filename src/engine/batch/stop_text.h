// StopText: turns a stream of token pieces into text deltas, honouring stop
// strings the way OpenAI does: the first stop string found ends the text and
// is not part of it. Text that could still become a stop string, and a
// trailing incomplete UTF-8 character, are held back until resolved.
//
// Thread contract: single-owner value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace greenroute::engine::batch {

class StopText {
 public:
  explicit StopText(std::vector<std::string> stops);

  // Appends a piece; returns the text released by it. After a stop string
  // matched, stopped() is true and further pieces are ignored.
  std::string push(std::string_view piece);
  // Releases everything held back (at the end of generation).
  std::string flush();

  bool stopped() const { return stopped_; }
  // The text so far, stop string excluded (including held-back bytes).
  const std::string& text() const { return text_; }

 private:
  std::vector<std::string> stops_;
  std::size_t max_stop_ = 0;
  std::string text_;
  std::size_t released_ = 0;
  bool stopped_ = false;
};

// Bytes at the end of s that form an incomplete UTF-8 character (0..3).
std::size_t incomplete_utf8_tail(std::string_view s);

}  // namespace greenroute::engine::batch
