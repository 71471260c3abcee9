// JetsonMeter: the INA3221 power monitor of NVIDIA Jetson boards, in either
// layout the kernel exposes (layouts as documented by alumet-dev/alumet
// plugins/nvidia-jetson/README.md, JetPack 4.6 to 6.x, and used by
// jetson_stats' jtop/core/power.py):
//  - hwmon (JetPack 5+): <sysfs_root>/bus/i2c/drivers/ina3221/<bus-addr>/
//    hwmon/hwmonN/in<k>_label (rail name), in<k>_input (mV),
//    curr<k>_input (mA); P = V * I. Channels without a curr file (such as
//    "sum of shunt voltages") are not rails.
//  - iio (JetPack 4): <sysfs_root>/bus/i2c/drivers/ina3221x/<bus-addr>/
//    iio:deviceN/rail_name_<k>, in_power<k>_input (mW).
// Rails are e.g. VDD_IN, VDD_CPU_GPU_CV, VDD_SOC (Orin) or POM_5V_IN,
// POM_5V_GPU, POM_5V_CPU (Nano). The total is the board input rail (VDD_IN,
// or POM_5V_IN) when present, since the other rails are parts of it; without
// one the total is the sum of the rails and `sensor` says so. The INA3221 has
// no energy counter, so energy_j is never set (integrate watts instead).
//
// Invalid rails are skipped at detect() and named in info().sensor. At read(),
// a failing input rail fails the read (the total would be wrong); another
// failing rail is left out of that reading with a warning.
//
// Thread contract: single-owner (see PowerMeter).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greenroute/power/power_meter.h"

namespace greenroute::power {

class JetsonMeter final : public PowerMeter {
 public:
  // kNotFound when neither layout has a readable rail under sysfs_root.
  static core::Result<std::unique_ptr<PowerMeter>> detect(const std::string& sysfs_root,
                                                          const core::Clock& clock);

  const MeterInfo& info() const override { return info_; }
  core::Result<PowerReading> read() override;

  struct Rail {
    std::string name;
    std::string power_path;    // iio: in_power<k>_input (mW); empty for hwmon
    std::string voltage_path;  // hwmon: in<k>_input (mV)
    std::string current_path;  // hwmon: curr<k>_input (mA)
  };

 private:
  JetsonMeter(const core::Clock& clock, MeterInfo info, std::vector<Rail> rails, int total_rail);

  const core::Clock& clock_;
  MeterInfo info_;
  std::vector<Rail> rails_;
  int total_rail_;  // index into rails_, or -1 for "sum of rails"
};

}  // namespace greenroute::power
