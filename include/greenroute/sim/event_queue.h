// EventQueue: the discrete-event engine of the simulator.
//
// Simulated time is an integer count of microseconds since the start of the
// run (t = 0), so event order never depends on floating-point rounding. Events
// are popped in (time, sequence number) order: the sequence number is the
// order in which they were pushed, so two events at the same microsecond run
// first-pushed first, and a run is reproducible bit for bit.
//
// The queue also is the simulation's Clock (core::Clock): now_ns() is the
// time of the event being handled (or of the last one popped).
//
// Thread contract: thread-compatible; one owner (the simulation loop).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "greenroute/core/clock.h"

namespace greenroute::sim {

// Simulated time, microseconds since the start of the run.
using SimTimeUs = std::int64_t;

inline constexpr SimTimeUs kUsPerMs = 1000;
inline constexpr SimTimeUs kUsPerS = 1'000'000;

// Milliseconds (double) to whole microseconds, rounded to nearest, >= 0.
SimTimeUs ms_to_us(double ms);

struct Event {
  SimTimeUs time_us = 0;
  std::uint64_t seq = 0;  // push order: the tie-break among equal times
  int kind = 0;           // the caller's event type
  std::uint64_t a = 0;    // the caller's payload (e.g. request or node index)
  std::uint64_t b = 0;
};

class EventQueue final : public core::Clock {
 public:
  // Schedules an event; returns its sequence number. Precondition (checked):
  // time_us >= now_us() (no event in the past).
  std::uint64_t push(SimTimeUs time_us, int kind, std::uint64_t a = 0, std::uint64_t b = 0);

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  // Time of the next event, if any.
  std::optional<SimTimeUs> next_time_us() const;
  // Removes the earliest event and advances the clock to its time.
  // Precondition (checked): !empty().
  Event pop();

  // Pops and handles every event with time <= until_us, in order (events the
  // handler pushes are handled too when they fall in the window), then sets
  // the clock to until_us if it is later. Returns the number handled.
  std::uint64_t run_until(SimTimeUs until_us, const std::function<void(const Event&)>& handle);
  // Runs until no event is left.
  std::uint64_t run_all(const std::function<void(const Event&)>& handle);

  SimTimeUs now_us() const { return now_us_; }
  std::int64_t now_ns() const override { return now_us_ * 1000; }
  std::uint64_t events_handled() const { return handled_; }

 private:
  struct Later {
    bool operator()(const Event& x, const Event& y) const {
      return x.time_us != y.time_us ? x.time_us > y.time_us : x.seq > y.seq;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t handled_ = 0;
  SimTimeUs now_us_ = 0;
};

}  // namespace greenroute::sim
