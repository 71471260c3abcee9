#include "greenroute/carbon/static_source.h"

#include <cmath>
#include <string>

namespace greenroute::carbon {

std::string_view signal_kind_name(SignalKind kind) {
  return kind == SignalKind::kMarginal ? "marginal" : "average";
}

std::string_view lifecycle_name(Lifecycle basis) {
  return basis == Lifecycle::kDirect ? "direct" : "lifecycle";
}

core::Result<Intensity> StaticSource::intensity(std::string_view zone, std::int64_t at_unix_s) {
  if (!std::isfinite(g_co2_per_kwh_) || g_co2_per_kwh_ < 0.0) {
    return core::invalid_argument("static carbon intensity must be a finite value >= 0, got " +
                                  std::to_string(g_co2_per_kwh_));
  }
  Intensity out;
  out.g_co2_per_kwh = g_co2_per_kwh_;
  out.zone = std::string(zone);
  out.at_unix_s = at_unix_s;
  out.source = "static";
  out.kind = kind_;
  out.basis = basis_;
  return out;
}

}  // namespace greenroute::carbon
