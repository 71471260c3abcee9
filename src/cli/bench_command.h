// Shared between the parts of `greenroute bench` (cmd_bench.cc runs the
// sweep; bench_outputs.cc writes profile.json and charts and prints the
// summary; bench_prompts loads the prompt set).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/power/power_meter.h"
#include "greenroute/power/power_sampler.h"
#include "greenroute/profile/bench_runner.h"
#include "greenroute/profile/profile.h"
#include "meter_options.h"

namespace greenroute::cli {

struct BenchOptions {
  std::string model_path;
  std::string prompts_path;  // empty: the built-in set
  int max_prompts = 0;
  std::uint64_t prompt_seed = 1;
  std::string batch_sizes = "1,2,4,8,16,32";
  std::string max_tokens = "32,128";
  int repeat = 3;
  int warmup = 1;
  int threads = 0;
  std::int64_t ctx = 0;
  bool stop_at_eos = false;
  std::string memory_limit;
  std::string zone;
  std::string carbon_source = "zone-table";
  int sample_ms = 50;
  double idle_seconds = 2.0;
  MeterOptions meters;
  std::string out_dir = "bench-out";
  std::string device_name;
  bool quiet = false;
};

struct BenchContext {
  const BenchOptions& options;
  const engine::model::Model& model;
  power::MeterInfo meter;
  const profile::SweepOptions& sweep;
  std::string intensity_source;  // empty: no zone given
  double idle_watts = 0;         // measured before the sweep (0: not measured)
};

// The prompts the sweep runs: --prompts (any supported format) or the
// built-in set, cut to --max-prompts.
core::Result<std::vector<profile::BenchPrompt>> load_bench_prompt_set(const BenchOptions& options);

// Pieces of the bench that `greenroute experiment` reuses for its local
// profiles (bench_outputs.cc, cmd_bench.cc).
// "model name" of the first CPU in <procfs_root>/cpuinfo; "" when unknown.
std::string cpu_model_name(const std::string& procfs_root);
// This machine's host name ("localhost" when unknown).
std::string machine_host_name();
// The machine's RAM from <procfs_root>/meminfo; 0 when unknown.
std::uint64_t machine_memory_bytes(const std::string& procfs_root);
// What the GGUF file says about the model (name, architecture, parameters,
// the weight type holding most bytes, file name and size).
profile::ModelInfo describe_model(const std::string& model_path, const engine::model::Model& model);
// The sampler's mean power over `seconds` with nothing running (a started
// sampler); nullopt with a warning on stderr when it cannot be measured.
std::optional<double> measure_idle_watts(power::PowerSampler& sampler, const core::Clock& clock, double seconds);

// Writes profile.json and the charts into out_dir and prints the summary;
// returns the exit code (0, or 1 when an output could not be written).
int write_bench_outputs(const BenchContext& context, const profile::SweepResult& result,
                        const std::filesystem::path& out_dir);

}  // namespace greenroute::cli
