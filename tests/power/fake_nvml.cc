// A stand-in for libnvidia-ml.so.1, built as a loadable module, so the NVML
// meter's real dlopen/dlsym path runs in tests on machines without a GPU.
// It exports the NVML entry points the meter uses (same C ABI) plus
// fake_nvml_* controls. A test dlopen()s the same file first to reach the
// controls; the meter's own dlopen() then returns the same handle, so both
// see one state. Single-threaded use only (tests drive it step by step).
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct FakeGpu {
  std::string name;
  unsigned power_mw = 0;
  int power_rc = 0;
  unsigned long long energy_mj = 0;
  int energy_rc = 0;
  unsigned long long mem_total = 0;
  unsigned long long mem_used = 0;
};

struct FakeState {
  int init_rc = 0;
  // FAKE_NVML_FAIL_AFTER=N: power reads fail with "GPU is lost" after N
  // good ones, a meter failing mid-run. < 0: never.
  long fail_after = -1;
  long power_reads = 0;
  int count_rc = 0;
  int live_inits = 0;  // nvmlInit minus nvmlShutdown calls
  std::vector<FakeGpu> gpus;
};

// A process that cannot call the controls (the greenroute binary in CLI
// tests) gets its GPUs from FAKE_NVML_GPUS="name:milliwatts:millijoules;...".
FakeState from_environment() {
  FakeState s;
  if (const char* fail = std::getenv("FAKE_NVML_FAIL_AFTER"); fail != nullptr) s.fail_after = std::atol(fail);
  const char* spec = std::getenv("FAKE_NVML_GPUS");
  if (spec == nullptr) return s;
  std::string rest = spec;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    const std::string item = rest.substr(0, end);
    rest = end == std::string::npos ? "" : rest.substr(end + 1);
    const std::size_t a = item.find(':');
    const std::size_t b = item.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    FakeGpu g;
    g.name = item.substr(0, a);
    g.power_mw = static_cast<unsigned>(std::stoul(item.substr(a + 1, b - a - 1)));
    g.energy_mj = std::stoull(item.substr(b + 1));
    g.mem_total = 16ull << 30;
    g.mem_used = 1ull << 30;
    s.gpus.push_back(g);
  }
  return s;
}

FakeState& state() {
  static FakeState s = from_environment();
  return s;
}

FakeGpu* gpu(void* handle) { return static_cast<FakeGpu*>(handle); }

}  // namespace

extern "C" {

// ---- controls -------------------------------------------------------------
__attribute__((visibility("default"))) void fake_nvml_reset() { state() = FakeState{}; }
__attribute__((visibility("default"))) void fake_nvml_set_init_result(int rc) { state().init_rc = rc; }
__attribute__((visibility("default"))) int fake_nvml_live_inits() { return state().live_inits; }
// Returns the new GPU's index. energy_rc != 0 makes the energy counter fail.
__attribute__((visibility("default"))) int fake_nvml_add_gpu(const char* name, unsigned power_mw,
                                                             unsigned long long energy_mj, int energy_rc,
                                                             unsigned long long mem_total,
                                                             unsigned long long mem_used) {
  FakeGpu g;
  g.name = name;
  g.power_mw = power_mw;
  g.energy_mj = energy_mj;
  g.energy_rc = energy_rc;
  g.mem_total = mem_total;
  g.mem_used = mem_used;
  state().gpus.push_back(g);
  return static_cast<int>(state().gpus.size()) - 1;
}
__attribute__((visibility("default"))) void fake_nvml_set_power(int index, unsigned power_mw, int rc) {
  state().gpus.at(static_cast<std::size_t>(index)).power_mw = power_mw;
  state().gpus.at(static_cast<std::size_t>(index)).power_rc = rc;
}
__attribute__((visibility("default"))) void fake_nvml_set_energy(int index, unsigned long long energy_mj) {
  state().gpus.at(static_cast<std::size_t>(index)).energy_mj = energy_mj;
}

// ---- the NVML ABI subset ----------------------------------------------------
__attribute__((visibility("default"))) int nvmlInit_v2() {
  if (state().init_rc != 0) return state().init_rc;
  ++state().live_inits;
  return 0;
}
__attribute__((visibility("default"))) int nvmlShutdown() {
  --state().live_inits;
  return 0;
}
__attribute__((visibility("default"))) const char* nvmlErrorString(int rc) {
  switch (rc) {
    case 0: return "Success";
    case 3: return "Not Supported";
    case 9: return "Driver Not Loaded";
    case 15: return "GPU is lost";
    default: return "Unknown Error";
  }
}
__attribute__((visibility("default"))) int nvmlSystemGetDriverVersion(char* out, unsigned length) {
  std::strncpy(out, "999.99-fake", length - 1);
  return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = static_cast<unsigned>(state().gpus.size());
  return state().count_rc;
}
__attribute__((visibility("default"))) int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** handle) {
  if (index >= state().gpus.size()) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *handle = &state().gpus[index];
  return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetName(void* handle, char* out, unsigned length) {
  std::strncpy(out, gpu(handle)->name.c_str(), length - 1);
  return 0;
}
__attribute__((visibility("default"))) int nvmlDeviceGetPowerUsage(void* handle, unsigned* mw) {
  if (gpu(handle)->power_rc != 0) return gpu(handle)->power_rc;
  if (state().fail_after >= 0 && state().power_reads++ >= state().fail_after) return 15;  // NVML_ERROR_GPU_IS_LOST
  *mw = gpu(handle)->power_mw;
  return 0;
}
#ifndef FAKE_NVML_WITHOUT_ENERGY  // the "driver too old" variant lacks this entry point
__attribute__((visibility("default"))) int nvmlDeviceGetTotalEnergyConsumption(void* handle,
                                                                              unsigned long long* mj) {
  if (gpu(handle)->energy_rc != 0) return gpu(handle)->energy_rc;
  *mj = gpu(handle)->energy_mj;
  return 0;
}
#endif
__attribute__((visibility("default"))) int nvmlDeviceGetMemoryInfo(void* handle, unsigned long long* mem) {
  mem[0] = gpu(handle)->mem_total;
  mem[1] = gpu(handle)->mem_total - gpu(handle)->mem_used;
  mem[2] = gpu(handle)->mem_used;
  return 0;
}

}  // extern "C"
