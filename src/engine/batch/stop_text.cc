// Stop-string matching over streamed text.
#include "batch/stop_text.h"

#include <algorithm>

namespace greenroute::engine::batch {

std::size_t incomplete_utf8_tail(std::string_view s) {
  // Walk back over at most 3 continuation bytes to the lead byte.
  const std::size_t n = s.size();
  for (std::size_t back = 1; back <= std::min<std::size_t>(4, n); ++back) {
    const auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    std::size_t len = 1;
    if ((c & 0xE0) == 0xC0) len = 2;
    else if ((c & 0xF0) == 0xE0) len = 3;
    else if ((c & 0xF8) == 0xF0) len = 4;
    return len > back ? back : 0;
  }
  return 0;  // only continuation bytes: invalid, release as is
}

StopText::StopText(std::vector<std::string> stops) {
  for (std::string& s : stops) {
    if (s.empty()) continue;  // an empty stop string would match everywhere
    max_stop_ = std::max(max_stop_, s.size());
    stops_.push_back(std::move(s));
  }
}

std::string StopText::push(std::string_view piece) {
  if (stopped_) return {};
  const std::size_t old_size = text_.size();
  text_.append(piece);
  // A match must end inside the new piece; start the search early enough.
  const std::size_t from = old_size >= max_stop_ ? old_size - max_stop_ + 1 : 0;
  std::size_t match = std::string::npos;
  for (const std::string& s : stops_) {
    const std::size_t p = text_.find(s, std::min(from, text_.size()));
    if (p != std::string::npos) match = std::min(match, p);
  }
  if (match != std::string::npos) {
    text_.resize(match);
    stopped_ = true;
    std::string delta = match > released_ ? text_.substr(released_) : std::string();
    released_ = text_.size();
    return delta;
  }
  // Hold back the longest tail that is a proper prefix of a stop string.
  std::size_t hold = 0;
  for (const std::string& s : stops_) {
    for (std::size_t k = std::min(s.size() - 1, text_.size()); k > hold; --k) {
      if (std::string_view(text_).substr(text_.size() - k) == std::string_view(s).substr(0, k)) {
        hold = k;
        break;
      }
    }
  }
  hold = std::max(hold, incomplete_utf8_tail(text_));
  const std::size_t end = text_.size() - hold;
  if (end <= released_) return {};
  std::string delta = text_.substr(released_, end - released_);
  released_ = end;
  return delta;
}

std::string StopText::flush() {
  if (released_ >= text_.size()) return {};
  std::string delta = text_.substr(released_);
  released_ = text_.size();
  return delta;
}

}  // namespace greenroute::engine::batch
