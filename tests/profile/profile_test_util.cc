#include "profile_test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <string>

#include "greenroute/profile/builder.h"

namespace greenroute::profile::testing {

std::vector<RunMeasurement> synthetic_rows(const RowOptions& o) {
  core::Rng rng(o.seed);
  auto noisy = [&](double v) {
    return o.noise > 0 ? v * std::max(0.5, 1.0 + o.noise * rng.normal()) : v;
  };
  const CostModel latency = analytic_model(kAllTerms, kLatencyCoef);
  const CostModel energy = analytic_model(kAllTerms, kEnergyCoef);
  std::vector<RunMeasurement> rows;
  for (int b : o.batches) {
    for (int n : o.max_tokens) {
      for (int rep = 0; rep < o.repeats; ++rep) {
        RunMeasurement r;
        r.batch_size = b;
        r.max_tokens = n;
        r.repeat = rep;
        r.predicted_bytes = 1'000'000'000ull + static_cast<std::uint64_t>(b) * 10'000'000ull;
        if (o.saturate_from > 0 && b >= o.saturate_from) {
          r.saturated = true;
          r.note = "memory model: does not fit";
          rows.push_back(r);
          continue;
        }
        r.prompts = b;
        r.mean_prompt_tokens = o.prompt_tokens;
        r.mean_output_tokens = n;
        r.total_prompt_tokens = static_cast<std::int64_t>(o.prompt_tokens * b);
        r.total_output_tokens = static_cast<std::int64_t>(n) * b;
        r.latency_ms = noisy(latency.predict(b, o.prompt_tokens, n));
        r.ttft_ms_median = noisy(kLatencyCoef[0] + kLatencyCoef[1] * b * o.prompt_tokens);
        r.ttft_ms_max = r.ttft_ms_median;
        r.prompt_latency_ms_median = r.latency_ms;
        r.throughput_tokens_per_s = b * n / (r.latency_ms / 1000.0);
        r.output_tokens_per_s_median = n / ((r.latency_ms - r.ttft_ms_median) / 1000.0);
        r.joules = noisy(energy.predict(b, o.prompt_tokens, n));
        r.joules_per_prompt = r.joules / b;
        r.joules_per_output_token = r.joules / (b * n);
        r.mean_watts = r.joules / (r.latency_ms / 1000.0);
        r.peak_watts = r.mean_watts * 1.2;
        r.energy_source = "measured:test";
        r.peak_rss_bytes = r.predicted_bytes + 1000;
        rows.push_back(r);
      }
    }
  }
  return rows;
}

DeviceProfile sample_profile() {
  ProfileInputs in;
  in.created_at = "2026-11-24T20:27:04Z";
  in.device = {"test-box", "", "AMD EPYC, 2 cores", 2, 24ull << 30};
  in.model = {"tiny-llama", "llama", 1235814400, "Q8_0", "tiny.gguf", 1'300'000'000, true};
  in.meter = {"rapl", true, "package-0"};
  in.idle_watts = 12.5;
  in.embodied = carbon::EmbodiedCarbon{150.0, 35040.0};
  in.sources = {{"S1", "a datasheet", "https://example.org/ds.pdf", "bandwidth"}};
  in.notes = "made by the tests";
  RowOptions o;
  o.repeats = 3;
  o.noise = 0.02;
  auto p = build_profile(synthetic_rows(o), in);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  return p.is_ok() ? *p : DeviceProfile{};
}

std::filesystem::path make_temp_dir(const char* tag) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("greenroute_profile_" + std::string(tag) + "_" + std::to_string(::getpid()) + "_" +
       (info ? info->name() : "x"));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace greenroute::profile::testing
