// HwmonMeter: generic Linux hwmon power/energy sensors,
// <sysfs_root>/class/hwmon/hwmonN/{name, power*_input or power*_average
// (microwatts), power*_label, energy*_input (microjoules), energy*_label}
// (kernel Documentation/hwmon/sysfs-interface.rst).
//
// One rail per (device, channel index); power<k> and energy<k> with the same
// k form one rail named "<device name>/<label or powerK>". A rail's watts is
// its power file when present, else its energy delta over the clock delta
// (NaN until the clock has moved since detect()). energy_j accumulates
// energy-file deltas since detect(); a counter that goes backwards is taken as
// reset. Total watts = sum of rails (hwmon has no notion of a "whole device"
// rail, so the sensors found are assumed to be disjoint; `sensor` lists them).
// Total energy_j is set only when every rail has an energy counter and all
// were read.
//
// Invalid rails are skipped at detect() and named in info().sensor; a rail
// failing at read() is left out of that reading with a warning.
//
// Thread contract: single-owner (see PowerMeter).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/power/power_meter.h"

namespace greenroute::power {

class HwmonMeter final : public PowerMeter {
 public:
  // kNotFound when no hwmon device has a readable power or energy file.
  static core::Result<std::unique_ptr<PowerMeter>> detect(const std::string& sysfs_root,
                                                          const core::Clock& clock);

  const MeterInfo& info() const override { return info_; }
  core::Result<PowerReading> read() override;

  struct Rail {
    std::string name;
    std::string power_path;   // empty if the channel has no power file
    std::string energy_path;  // empty if the channel has no energy counter
    std::int64_t last_energy_uj = 0;
    double energy_j = 0.0;
    std::int64_t mark_time_ns = 0;
    double energy_at_mark_j = 0.0;
  };

 private:
  HwmonMeter(const core::Clock& clock, MeterInfo info, std::vector<Rail> rails);
  core::Result<RailReading> read_rail(Rail& rail, std::int64_t now_ns);

  const core::Clock& clock_;
  MeterInfo info_;
  std::vector<Rail> rails_;
};

}  // namespace greenroute::power
