// Settings shared by the live HTTP carbon sources (ElectricityMapsSource,
// WattTimeSource, UkGridSource), and the wall clock they read "now" from.
//
// Thread-safe: plain values; UnixSystemClock has no state.
#pragma once

#include <cstdint>
#include <string>

#include "greenroute/core/clock.h"

namespace greenroute::carbon {

// core::Clock is monotonic with an arbitrary epoch; the APIs speak calendar
// time, so the live sources need a clock whose epoch is 1970-01-01 UTC. Tests
// inject a core::ManualClock set to a fixed date instead.
class UnixSystemClock final : public core::Clock {
 public:
  // Nanoseconds since 1970-01-01T00:00:00Z (std::chrono::system_clock).
  std::int64_t now_ns() const override;
};

struct HttpSourceOptions {
  // "http[s]://host[:port][/path-prefix]"; empty selects the API's public
  // base URL. A path prefix is kept in front of every request path (for a
  // proxy or a test server).
  std::string base_url;
  std::int64_t connect_timeout_ms = 5000;  // 1 ms .. 1 h
  std::int64_t read_timeout_ms = 5000;     // 1 ms .. 1 h
  // Wall clock (unix epoch) used to tell "now" from past and future requests
  // and to stamp Intensity::fetched_at_unix_s. nullptr: the system clock.
  // Not owned; must outlive the source.
  const core::Clock* unix_clock = nullptr;
};

}  // namespace greenroute::carbon
