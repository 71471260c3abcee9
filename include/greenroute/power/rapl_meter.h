// RaplMeter: Intel/AMD RAPL energy counters through the Linux powercap
// interface, <sysfs_root>/class/powercap/intel-rapl:N[:M]/{name, energy_uj,
// max_energy_range_uj} (kernel Documentation/power/powercap/powercap.rst).
//
// Every domain becomes a rail ("package-0", "package-0/core", ...). The total
// is the sum of the top-level "package-*" domains only: subdomains (core,
// uncore, dram inside a package) are parts of their package and "psys" covers
// the package too, so adding them would double count. With no package domain
// the total is the sum of the top-level domains (e.g. psys alone); `sensor`
// says which. Counters wrap at max_energy_range_uj; each read unwraps the
// delta (at most one wrap per read can be seen, so read more often than the
// counter's wrap period: minutes at typical package power).
//
// Watts = energy delta / clock delta since the previous sample (detect()
// takes the first one); NaN when the clock has not moved.
//
// A domain whose files are unreadable or malformed at detect() is skipped and
// named in info().sensor. At read(), a failing subdomain is left out of that
// reading (warning logged); a failing domain that feeds the total fails the
// read, because a total missing a package would make energy_j jump.
//
// Thread contract: single-owner (see PowerMeter).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greenroute/power/power_meter.h"

namespace greenroute::power {

class RaplMeter final : public PowerMeter {
 public:
  // kNotFound when no readable intel-rapl domain exists under sysfs_root.
  static core::Result<std::unique_ptr<PowerMeter>> detect(const std::string& sysfs_root,
                                                          const core::Clock& clock);

  const MeterInfo& info() const override { return info_; }
  core::Result<PowerReading> read() override;

  struct Domain {
    std::string rail_name;    // "package-0" or "package-0/core"
    std::string energy_path;  // .../energy_uj
    std::int64_t max_range_uj = 0;
    bool in_total = false;
    std::int64_t last_raw_uj = 0;
    double energy_j = 0.0;  // unwrapped, since detect()
    // Last sample at an earlier clock time: watts span from here, so a read
    // at an unchanged clock, or a skipped read of this rail, loses nothing.
    std::int64_t mark_time_ns = 0;
    double energy_at_mark_j = 0.0;
  };

 private:
  RaplMeter(const core::Clock& clock, MeterInfo info, std::vector<Domain> domains);

  const core::Clock& clock_;
  MeterInfo info_;
  std::vector<Domain> domains_;
};

}  // namespace greenroute::power
