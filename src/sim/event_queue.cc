#include "greenroute/sim/event_queue.h"

#include <cmath>

#include "greenroute/core/check.h"

namespace greenroute::sim {

SimTimeUs ms_to_us(double ms) {
  if (!(ms > 0)) return 0;  // also NaN
  return static_cast<SimTimeUs>(std::llround(ms * static_cast<double>(kUsPerMs)));
}

std::uint64_t EventQueue::push(SimTimeUs time_us, int kind, std::uint64_t a, std::uint64_t b) {
  GR_CHECK(time_us >= now_us_);
  const std::uint64_t seq = next_seq_++;
  heap_.push(Event{.time_us = time_us, .seq = seq, .kind = kind, .a = a, .b = b});
  return seq;
}

std::optional<SimTimeUs> EventQueue::next_time_us() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.top().time_us;
}

Event EventQueue::pop() {
  GR_CHECK(!heap_.empty());
  Event e = heap_.top();
  heap_.pop();
  now_us_ = e.time_us;
  return e;
}

std::uint64_t EventQueue::run_until(SimTimeUs until_us,
                                    const std::function<void(const Event&)>& handle) {
  std::uint64_t n = 0;
  while (!heap_.empty() && heap_.top().time_us <= until_us) {
    const Event e = pop();
    handle(e);
    ++n;
    ++handled_;
  }
  if (until_us > now_us_) now_us_ = until_us;
  return n;
}

std::uint64_t EventQueue::run_all(const std::function<void(const Event&)>& handle) {
  std::uint64_t n = 0;
  while (!heap_.empty()) {
    const Event e = pop();
    handle(e);
    ++n;
    ++handled_;
  }
  return n;
}

}  // namespace greenroute::sim
