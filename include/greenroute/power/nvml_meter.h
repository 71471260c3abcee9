// NvmlMeter: NVIDIA GPUs through NVML, the library behind nvidia-smi.
//
// libnvidia-ml.so.1 is loaded with dlopen() at detect() time, so greenroute
// has no build-time dependency on the CUDA toolkit or the driver and runs
// unchanged on machines without a GPU (detect() then answers kNotFound with
// the loader's message). The handful of NVML entry points used are declared
// here by hand, from NVML's documented C ABI (nvml.h): nvmlInit_v2,
// nvmlShutdown, nvmlErrorString, nvmlSystemGetDriverVersion,
// nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2, nvmlDeviceGetName,
// nvmlDeviceGetPowerUsage, nvmlDeviceGetTotalEnergyConsumption and
// nvmlDeviceGetMemoryInfo.
//
// Each GPU is a rail ("gpu0", "gpu1", ...); the total is their sum.
// - watts: nvmlDeviceGetPowerUsage (board power, mW). On Ampere and newer the
//   driver reports a one-second average here, so a short burst shows up
//   smoothed; energy windows should use the counter.
// - energy_j: nvmlDeviceGetTotalEnergyConsumption (mJ since the driver was
//   loaded; Volta and newer), re-based to 0 at detect(). Set on the reading
//   only when every GPU in the total has the counter, so the total never
//   silently misses a GPU.
// - memory: used and total bytes, summed over the GPUs.
// A GPU whose power cannot be read at detect() (NVML_ERROR_NOT_SUPPORTED on
// some consumer boards) is left out and named in info().sensor; a GPU that
// fails at read() fails that read with NVML's message (a lost GPU should be
// loud, not a sudden drop in watts).
//
// Thread contract: single-owner (see PowerMeter). NVML itself is thread-safe;
// nvmlInit/nvmlShutdown are reference counted by the driver, so several
// meters may coexist.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greenroute/power/power_meter.h"

namespace greenroute::power {

class NvmlMeter final : public PowerMeter {
 public:
  // `library` is what dlopen() is given: a soname searched on the loader's
  // path ("libnvidia-ml.so.1") or a file path (tests load a fake library).
  // kNotFound when the library cannot be loaded, the driver is not loaded,
  // or no GPU reports power; kUnavailable for other NVML failures, with
  // NVML's own error string.
  static core::Result<std::unique_ptr<PowerMeter>> detect(const std::string& library,
                                                          const core::Clock& clock);

  ~NvmlMeter() override;
  const MeterInfo& info() const override { return info_; }
  core::Result<PowerReading> read() override;

  struct Api;  // the loaded library and its entry points (nvml_meter.cc)
  struct Gpu {
    unsigned index = 0;
    std::string name;
    void* handle = nullptr;  // nvmlDevice_t
    unsigned long long energy_base_mj = 0;  // counter value at detect()
  };

 private:
  NvmlMeter(const core::Clock& clock, MeterInfo info, std::unique_ptr<Api> api, std::vector<Gpu> gpus,
            bool has_energy);

  const core::Clock& clock_;
  MeterInfo info_;
  std::unique_ptr<Api> api_;
  std::vector<Gpu> gpus_;
  bool has_energy_;
};

}  // namespace greenroute::power
