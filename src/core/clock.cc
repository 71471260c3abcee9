#include "greenroute/core/clock.h"

#include <chrono>

namespace greenroute::core {

std::int64_t SteadyClock::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace greenroute::core
