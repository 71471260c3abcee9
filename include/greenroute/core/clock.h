// Clock: the only source of time in greenroute.
//
// Components take a Clock& so the simulator and tests can drive time.
// SteadyClock is thread-safe; a fake clock's contract is its own.
#pragma once

#include <cstdint>

namespace greenroute::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time in nanoseconds since an arbitrary epoch.
  virtual std::int64_t now_ns() const = 0;
  double now_ms() const { return static_cast<double>(now_ns()) * 1e-6; }
  double now_s() const { return static_cast<double>(now_ns()) * 1e-9; }
};

class SteadyClock final : public Clock {
 public:
  std::int64_t now_ns() const override;
};

// A clock that moves only when told to. Thread-compatible.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ns = 0) : now_(start_ns) {}
  std::int64_t now_ns() const override { return now_; }
  void advance_ns(std::int64_t delta) { now_ += delta; }
  void set_ns(std::int64_t t) { now_ = t; }

 private:
  std::int64_t now_;
};

}  // namespace greenroute::core
