// StaticSource: one fixed intensity for every zone and time (a fallback and a
// knob for experiments). Thread-safe: immutable after construction.
#pragma once

#include <string_view>

#include "greenroute/carbon/carbon_source.h"

namespace greenroute::carbon {

class StaticSource final : public CarbonSource {
 public:
  explicit StaticSource(double g_co2_per_kwh, SignalKind kind = SignalKind::kAverage,
                        Lifecycle basis = Lifecycle::kLifecycle)
      : g_co2_per_kwh_(g_co2_per_kwh), kind_(kind), basis_(basis) {}

  std::string_view name() const override { return "static"; }
  // Any zone; at_unix_s echoes the requested time. kInvalidArgument if the
  // configured value is negative or not finite.
  core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override;

 private:
  double g_co2_per_kwh_;
  SignalKind kind_;
  Lifecycle basis_;
};

}  // namespace greenroute::carbon
