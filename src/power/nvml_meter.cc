#include "greenroute/power/nvml_meter.h"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <utility>

namespace greenroute::power {
namespace {

// NVML's C ABI, as documented in nvml.h. Only what this meter calls.
using NvmlReturn = int;
using NvmlDevice = void*;
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr NvmlReturn kNvmlErrorNotSupported = 3;
constexpr NvmlReturn kNvmlErrorDriverNotLoaded = 9;
constexpr NvmlReturn kNvmlErrorLibraryNotFound = 12;
constexpr unsigned kNameBufferSize = 96;    // NVML_DEVICE_NAME_V2_BUFFER_SIZE
constexpr unsigned kDriverBufferSize = 80;  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

constexpr double kJoulesPerMillijoule = 1e-3;
constexpr double kWattsPerMilliwatt = 1e-3;

}  // namespace

// The dlopen()ed library, its entry points, and one nvmlInit reference.
struct NvmlMeter::Api {
  void* lib = nullptr;
  bool initialised = false;
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  const char* (*error_string)(NvmlReturn) = nullptr;
  NvmlReturn (*driver_version)(char*, unsigned) = nullptr;
  NvmlReturn (*device_count)(unsigned*) = nullptr;
  NvmlReturn (*device_by_index)(unsigned, NvmlDevice*) = nullptr;
  NvmlReturn (*device_name)(NvmlDevice, char*, unsigned) = nullptr;
  NvmlReturn (*power_usage)(NvmlDevice, unsigned*) = nullptr;
  NvmlReturn (*total_energy)(NvmlDevice, unsigned long long*) = nullptr;
  NvmlReturn (*memory_info)(NvmlDevice, NvmlMemory*) = nullptr;
  NvmlReturn (*power_limit)(NvmlDevice, unsigned*) = nullptr;  // optional

  Api() = default;
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;
  ~Api() {
    if (initialised && shutdown != nullptr) shutdown();
    if (lib != nullptr) dlclose(lib);
  }

  std::string describe(NvmlReturn rc) const {
    const char* text = error_string != nullptr ? error_string(rc) : nullptr;
    return (text != nullptr ? std::string(text) : std::string("unknown error")) + " (NVML error " +
           std::to_string(rc) + ")";
  }

  // Resolves `symbol` into *fn; false (and *missing set) when absent.
  template <typename Fn>
  bool bind(Fn* fn, const char* symbol, std::string* missing) {
    *fn = reinterpret_cast<Fn>(dlsym(lib, symbol));
    if (*fn == nullptr && missing != nullptr && missing->empty()) *missing = symbol;
    return *fn != nullptr;
  }
};

namespace {

core::Result<std::unique_ptr<NvmlMeter::Api>> load_api(const std::string& library) {
  auto api = std::make_unique<NvmlMeter::Api>();
  dlerror();
  api->lib = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (api->lib == nullptr) {
    const char* why = dlerror();
    return core::not_found("nvml: cannot load " + library + ": " + (why != nullptr ? why : "unknown reason") +
                           " (no NVIDIA driver on this machine?)");
  }
  std::string missing;
  api->bind(&api->init, "nvmlInit_v2", &missing);
  api->bind(&api->shutdown, "nvmlShutdown", &missing);
  api->bind(&api->error_string, "nvmlErrorString", &missing);
  api->bind(&api->driver_version, "nvmlSystemGetDriverVersion", &missing);
  api->bind(&api->device_count, "nvmlDeviceGetCount_v2", &missing);
  api->bind(&api->device_by_index, "nvmlDeviceGetHandleByIndex_v2", &missing);
  api->bind(&api->device_name, "nvmlDeviceGetName", &missing);
  api->bind(&api->power_usage, "nvmlDeviceGetPowerUsage", &missing);
  api->bind(&api->total_energy, "nvmlDeviceGetTotalEnergyConsumption", &missing);
  api->bind(&api->memory_info, "nvmlDeviceGetMemoryInfo", &missing);
  if (!missing.empty()) {
    return core::unsupported("nvml: " + library + " lacks " + missing + " (driver too old?)");
  }
  api->bind(&api->power_limit, "nvmlDeviceGetEnforcedPowerLimit", nullptr);

  const NvmlReturn rc = api->init();
  if (rc != kNvmlSuccess) {
    const std::string msg = "nvml: nvmlInit failed: " + api->describe(rc);
    if (rc == kNvmlErrorDriverNotLoaded || rc == kNvmlErrorLibraryNotFound) return core::not_found(msg);
    return core::unavailable(msg);
  }
  api->initialised = true;
  return api;
}

}  // namespace

NvmlMeter::NvmlMeter(const core::Clock& clock, MeterInfo info, std::unique_ptr<Api> api,
                     std::vector<Gpu> gpus, bool has_energy)
    : clock_(clock), info_(std::move(info)), api_(std::move(api)), gpus_(std::move(gpus)),
      has_energy_(has_energy) {}

NvmlMeter::~NvmlMeter() = default;

core::Result<std::unique_ptr<PowerMeter>> NvmlMeter::detect(const std::string& library,
                                                            const core::Clock& clock) {
  GR_ASSIGN_OR_RETURN(std::unique_ptr<Api> api, load_api(library));
  unsigned count = 0;
  if (const NvmlReturn rc = api->device_count(&count); rc != kNvmlSuccess) {
    return core::unavailable("nvml: nvmlDeviceGetCount failed: " + api->describe(rc));
  }
  if (count == 0) return core::not_found("nvml: the driver reports no GPU");

  std::vector<Gpu> gpus;
  std::vector<std::string> skipped;
  std::vector<std::string> described;
  bool has_energy = true;
  for (unsigned i = 0; i < count; ++i) {
    Gpu gpu;
    gpu.index = i;
    NvmlDevice handle = nullptr;
    if (const NvmlReturn rc = api->device_by_index(i, &handle); rc != kNvmlSuccess) {
      skipped.push_back("gpu" + std::to_string(i) + " (" + api->describe(rc) + ")");
      continue;
    }
    gpu.handle = handle;
    char name[kNameBufferSize] = {};
    gpu.name = api->device_name(handle, name, kNameBufferSize) == kNvmlSuccess ? name : "unnamed GPU";
    unsigned mw = 0;
    if (const NvmlReturn rc = api->power_usage(handle, &mw); rc != kNvmlSuccess) {
      skipped.push_back("gpu" + std::to_string(i) + " " + gpu.name + " (power: " + api->describe(rc) + ")");
      continue;
    }
    std::string about = "gpu" + std::to_string(i) + " " + gpu.name;
    unsigned long long mj = 0;
    if (const NvmlReturn rc = api->total_energy(handle, &mj); rc == kNvmlSuccess) {
      gpu.energy_base_mj = mj;
      about += ", energy counter";
    } else {
      has_energy = false;
      about += rc == kNvmlErrorNotSupported ? ", no energy counter" : ", energy counter: " + api->describe(rc);
    }
    unsigned limit_mw = 0;
    if (api->power_limit != nullptr && api->power_limit(handle, &limit_mw) == kNvmlSuccess) {
      about += ", power limit " + std::to_string(limit_mw / 1000) + " W";
    }
    described.push_back(about);
    gpus.push_back(std::move(gpu));
  }
  if (gpus.empty()) {
    return core::not_found("nvml: no GPU reports power" + (skipped.empty() ? "" : ": " + skipped.front()));
  }

  MeterInfo info;
  info.name = "nvml";
  info.measured = true;
  char version[kDriverBufferSize] = {};
  const bool have_version = api->driver_version(version, kDriverBufferSize) == kNvmlSuccess;
  info.sensor = "NVML board power (nvmlDeviceGetPowerUsage)";
  if (has_energy) info.sensor += " and energy counter (nvmlDeviceGetTotalEnergyConsumption)";
  info.sensor += ", driver " + std::string(have_version ? version : "unknown") + "; total = sum of";
  for (const std::string& d : described) info.sensor += " [" + d + "]";
  for (const std::string& s : skipped) info.sensor += "; skipped " + s;
  for (const Gpu& g : gpus) info.rails.push_back("gpu" + std::to_string(g.index));
  if (!skipped.empty()) spdlog::warn("nvml: {}", info.sensor);
  return std::unique_ptr<PowerMeter>(new NvmlMeter(clock, std::move(info), std::move(api), std::move(gpus),
                                                   has_energy));
}

core::Result<PowerReading> NvmlMeter::read() {
  PowerReading out;
  out.time_ns = clock_.now_ns();
  double total_j = 0.0;
  std::uint64_t mem_used = 0;
  std::uint64_t mem_total = 0;
  bool have_memory = true;
  for (const Gpu& gpu : gpus_) {
    const std::string rail = "gpu" + std::to_string(gpu.index);
    unsigned mw = 0;
    if (const NvmlReturn rc = api_->power_usage(gpu.handle, &mw); rc != kNvmlSuccess) {
      return core::unavailable("nvml: " + rail + " " + gpu.name + ": power: " + api_->describe(rc));
    }
    RailReading r;
    r.name = rail;
    r.watts = static_cast<double>(mw) * kWattsPerMilliwatt;
    if (has_energy_) {
      unsigned long long mj = 0;
      if (const NvmlReturn rc = api_->total_energy(gpu.handle, &mj); rc != kNvmlSuccess) {
        return core::unavailable("nvml: " + rail + " " + gpu.name + ": energy: " + api_->describe(rc));
      }
      // The counter only runs forward while the driver stays loaded; a lower
      // value means the driver restarted, which would fake a huge delta.
      if (mj < gpu.energy_base_mj) {
        return core::unavailable("nvml: " + rail + " energy counter went backwards (driver reloaded?)");
      }
      r.energy_j = static_cast<double>(mj - gpu.energy_base_mj) * kJoulesPerMillijoule;
      total_j += *r.energy_j;
    }
    NvmlMemory mem{};
    if (api_->memory_info(gpu.handle, &mem) == kNvmlSuccess) {
      mem_used += mem.used;
      mem_total += mem.total;
    } else {
      have_memory = false;
    }
    out.watts += r.watts;
    out.rails.push_back(std::move(r));
  }
  if (has_energy_) out.energy_j = total_j;
  if (have_memory) {
    out.memory_used_bytes = mem_used;
    out.memory_total_bytes = mem_total;
  }
  return out;
}

}  // namespace greenroute::power
