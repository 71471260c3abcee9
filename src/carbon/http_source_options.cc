#include "greenroute/carbon/http_source_options.h"

#include <chrono>

namespace greenroute::carbon {

std::int64_t UnixSystemClock::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace greenroute::carbon
