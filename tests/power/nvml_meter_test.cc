#include "greenroute/power/nvml_meter.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace greenroute::power {
namespace {

// Drives the fake libnvidia-ml (fake_nvml.cc) through its control functions.
// The meter dlopen()s the same file, so both share the fake's state.
class FakeNvml {
 public:
  explicit FakeNvml(const char* path = FAKE_NVML_PATH) : path_(path) {
    lib_ = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    EXPECT_NE(lib_, nullptr) << dlerror();
    reset = sym<void (*)()>("fake_nvml_reset");
    set_init_result = sym<void (*)(int)>("fake_nvml_set_init_result");
    live_inits = sym<int (*)()>("fake_nvml_live_inits");
    add_gpu = sym<int (*)(const char*, unsigned, unsigned long long, int, unsigned long long,
                          unsigned long long)>("fake_nvml_add_gpu");
    set_power = sym<void (*)(int, unsigned, int)>("fake_nvml_set_power");
    set_energy = sym<void (*)(int, unsigned long long)>("fake_nvml_set_energy");
    reset();
  }
  ~FakeNvml() {
    if (lib_ != nullptr) dlclose(lib_);
  }
  FakeNvml(const FakeNvml&) = delete;
  FakeNvml& operator=(const FakeNvml&) = delete;

  const std::string& path() const { return path_; }

  void (*reset)() = nullptr;
  void (*set_init_result)(int) = nullptr;
  int (*live_inits)() = nullptr;
  int (*add_gpu)(const char*, unsigned, unsigned long long, int, unsigned long long, unsigned long long) = nullptr;
  void (*set_power)(int, unsigned, int) = nullptr;
  void (*set_energy)(int, unsigned long long) = nullptr;

 private:
  template <typename Fn>
  Fn sym(const char* name) {
    return lib_ == nullptr ? nullptr : reinterpret_cast<Fn>(dlsym(lib_, name));
  }
  std::string path_;
  void* lib_ = nullptr;
};

constexpr unsigned long long kGiB = 1ull << 30;

TEST(NvmlMeter, MissingLibraryIsNotFoundWithTheLoadersReason) {
  core::ManualClock clock;
  auto m = NvmlMeter::detect("/nonexistent/libnvidia-ml.so.1", clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("cannot load /nonexistent/libnvidia-ml.so.1"), std::string::npos)
      << m.status().message();
}

TEST(NvmlMeter, LibraryWithoutTheEnergyEntryPointIsUnsupported) {
  FakeNvml fake(FAKE_NVML_OLD_PATH);
  fake.add_gpu("Old GPU", 50000, 0, 0, kGiB, 0);
  core::ManualClock clock;
  auto m = NvmlMeter::detect(fake.path(), clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kUnsupported);
  EXPECT_NE(m.status().message().find("nvmlDeviceGetTotalEnergyConsumption"), std::string::npos);
}

TEST(NvmlMeter, DriverNotLoadedIsNotFound) {
  FakeNvml fake;
  fake.set_init_result(9);
  core::ManualClock clock;
  auto m = NvmlMeter::detect(fake.path(), clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("Driver Not Loaded"), std::string::npos) << m.status().message();
  EXPECT_EQ(fake.live_inits(), 0);
}

TEST(NvmlMeter, NoGpuIsNotFoundAndShutsNvmlDown) {
  FakeNvml fake;
  core::ManualClock clock;
  auto m = NvmlMeter::detect(fake.path(), clock);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("no GPU"), std::string::npos);
  EXPECT_EQ(fake.live_inits(), 0) << "every nvmlInit must be matched by nvmlShutdown";
}

TEST(NvmlMeter, ReadsBoardPowerEnergyCounterAndMemory) {
  FakeNvml fake;
  const int g = fake.add_gpu("NVIDIA H100 80GB HBM3", 70000, 5'000'000, 0, 80 * kGiB, 2 * kGiB);
  core::ManualClock clock;
  {
    auto m = NvmlMeter::detect(fake.path(), clock);
    ASSERT_TRUE(m.is_ok()) << m.status().to_string();
    const MeterInfo& info = (*m)->info();
    EXPECT_EQ(info.name, "nvml");
    EXPECT_TRUE(info.measured);
    EXPECT_EQ(info.rails, std::vector<std::string>{"gpu0"});
    EXPECT_NE(info.sensor.find("NVIDIA H100 80GB HBM3"), std::string::npos) << info.sensor;
    EXPECT_NE(info.sensor.find("driver 999.99-fake"), std::string::npos) << info.sensor;
    EXPECT_EQ(fake.live_inits(), 1);

    // 2 s at 350 W: the counter (mJ since driver load) advances 700 J.
    clock.advance_ns(2'000'000'000);
    fake.set_power(g, 350000, 0);
    fake.set_energy(g, 5'000'000 + 700'000);
    auto r = (*m)->read();
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->time_ns, 2'000'000'000);
    EXPECT_DOUBLE_EQ(r->watts, 350.0);
    ASSERT_TRUE(r->energy_j.has_value());
    EXPECT_DOUBLE_EQ(*r->energy_j, 700.0) << "re-based to 0 at detect()";
    ASSERT_EQ(r->rails.size(), 1u);
    EXPECT_DOUBLE_EQ(*r->rails[0].energy_j, 700.0);
    EXPECT_EQ(*r->memory_total_bytes, 80 * kGiB);
    EXPECT_EQ(*r->memory_used_bytes, 2 * kGiB);
  }
  EXPECT_EQ(fake.live_inits(), 0) << "the meter's destructor shuts NVML down";
}

TEST(NvmlMeter, SumsGpusAndSkipsOneWithoutPower) {
  FakeNvml fake;
  fake.add_gpu("A", 100000, 1000, 0, 16 * kGiB, kGiB);
  const int b = fake.add_gpu("B", 0, 0, 0, 16 * kGiB, 0);
  fake.set_power(b, 0, 3);  // NVML_ERROR_NOT_SUPPORTED, as on some consumer boards
  fake.add_gpu("C", 50000, 2000, 0, 8 * kGiB, kGiB);
  core::ManualClock clock;
  auto m = NvmlMeter::detect(fake.path(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ((*m)->info().rails, (std::vector<std::string>{"gpu0", "gpu2"}));
  EXPECT_NE((*m)->info().sensor.find("skipped gpu1 B (power: Not Supported"), std::string::npos)
      << (*m)->info().sensor;
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  EXPECT_DOUBLE_EQ(r->watts, 150.0);
  EXPECT_EQ(*r->memory_total_bytes, 24 * kGiB) << "only the metered GPUs";
}

TEST(NvmlMeter, NoEnergyCounterLeavesEnergyUnsetForTheTotal) {
  FakeNvml fake;
  fake.add_gpu("With counter", 10000, 1000, 0, kGiB, 0);
  fake.add_gpu("Without", 20000, 0, 3, kGiB, 0);
  core::ManualClock clock;
  auto m = NvmlMeter::detect(fake.path(), clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_NE((*m)->info().sensor.find("no energy counter"), std::string::npos);
  auto r = (*m)->read();
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->energy_j.has_value()) << "a total missing one GPU's energy would under-count";
  EXPECT_DOUBLE_EQ(r->watts, 30.0);
}

TEST(NvmlMeter, LostGpuFailsTheReadWithNvmlsMessage) {
  FakeNvml fake;
  const int g = fake.add_gpu("G", 10000, 1000, 0, kGiB, 0);
  core::ManualClock clock;
  auto m = NvmlMeter::detect(fake.path(), clock);
  ASSERT_TRUE(m.is_ok());
  fake.set_power(g, 0, 15);
  auto r = (*m)->read();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("gpu0 G: power: GPU is lost"), std::string::npos) << r.status().message();
  fake.set_power(g, 12000, 0);
  EXPECT_TRUE((*m)->read().is_ok()) << "the meter recovers when the GPU answers again";
}

TEST(NvmlMeter, CounterGoingBackwardsIsAnError) {
  FakeNvml fake;
  const int g = fake.add_gpu("G", 10000, 1'000'000, 0, kGiB, 0);
  core::ManualClock clock;
  auto m = NvmlMeter::detect(fake.path(), clock);
  ASSERT_TRUE(m.is_ok());
  fake.set_energy(g, 10);
  auto r = (*m)->read();
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("went backwards"), std::string::npos);
}

TEST(NvmlMeter, MakeMeterFindsItByNameAndDetectionListsItFirst) {
  FakeNvml fake;
  fake.add_gpu("G", 10000, 0, 0, kGiB, 0);
  core::ManualClock clock;
  MeterRoots roots;
  roots.sysfs_root = "/nonexistent-sys";
  roots.procfs_root = "/nonexistent-proc";
  roots.nvml_library = fake.path();
  auto m = make_meter("nvml", roots, clock);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  auto all = detect_meters(roots, clock);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]->info().name, "nvml");
}

}  // namespace
}  // namespace greenroute::power
