// Phases 1 and 2 of `greenroute experiment`: the model (--model, or a
// synthetic one made once and kept in --model-cache), and a local device
// profile per thread count the live nodes use, measured with the bench's own
// runner (profile::BenchRunner) and builder (profile::build_profile).
#include <algorithm>
#include <ctime>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "bench_command.h"
#include "bench_prompts.h"
#include "experiment.h"
#include "experiment_load.h"
#include "greenroute/carbon/time_text.h"
#include "greenroute/core/clock.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/engine/quant/ggml_type.h"
#include "greenroute/engine/synth/synth.h"
#include "greenroute/power/power_sampler.h"
#include "greenroute/profile/bench_runner.h"
#include "greenroute/profile/builder.h"
#include "greenroute/profile/measurement_csv.h"
#include "greenroute/profile/profile_json.h"
#include "meter_options.h"

namespace greenroute::cli::experiment {
namespace fs = std::filesystem;
namespace {

constexpr std::uint64_t kSynthSeed = 1;

// A cached synthetic model is reused only when its metadata says it is the
// one this experiment would write (same preset and seed).
bool is_cached_synth(const fs::path& path, const std::string& preset) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  auto file = engine::gguf::GgufFile::open(path.string());
  if (!file.is_ok()) return false;
  auto synthetic = (*file)->get_bool("general.synthetic");
  auto p = (*file)->get_string("greenroute.synth.preset");
  auto seed = (*file)->get_uint("greenroute.synth.seed");
  return synthetic.is_ok() && *synthetic && p.is_ok() && *p == preset && seed.is_ok() && *seed == kSynthSeed;
}

std::string energy_label(const power::MeterInfo& m) {
  return std::string(m.measured ? "measured:" : "estimated:") + m.name;
}

std::string model_label(const profile::ModelInfo& m) {
  const double params = static_cast<double>(m.parameters);
  const std::string size = params >= 1e9   ? fmt::format("{:.1f}B", params / 1e9)
                           : params >= 1e6 ? fmt::format("{:.0f}M", params / 1e6)
                                           : fmt::format("{:.0f}K", params / 1e3);
  return fmt::format("{} ({}, {} params, {}{})", m.file, m.architecture, size, m.weight_type,
                     m.synthetic ? ", synthetic weights" : "");
}

core::Result<PromptPool> make_pool(const engine::model::Model& model) {
  GR_ASSIGN_OR_RETURN(PromptSet set, builtin_prompt_set());
  PromptPool pool;
  const auto& tok = model.tokenizer();
  for (const PromptSpec& p : set.prompts) {
    // Long prompts (250-500 words) would make prefill the whole cost of a
    // request on two cores; the workload keeps short and medium ones.
    if (p.length == "long" || p.prompt.empty()) continue;
    pool.ids.push_back(p.id);
    pool.texts.push_back(p.prompt);
    pool.tokens.push_back(static_cast<int>(tok.tokenize(p.prompt, /*add_special=*/true, false).size()));
  }
  if (pool.texts.empty()) return core::internal_error("the built-in prompt set has no short or medium prompts");
  return pool;
}

report::LocalBench local_bench_of(const profile::DeviceProfile& p, const std::string& label, const std::string& energy,
                                  int max_tokens, const std::string& profile_path) {
  report::LocalBench b;
  b.device = fmt::format("{}{} ({} threads)", p.device.cpu.empty() ? "this machine" : p.device.cpu,
                         p.device.accelerator.empty() ? "" : ", " + p.device.accelerator, p.device.threads);
  b.model = label;
  b.energy_label = energy;
  b.output_tokens = max_tokens;
  for (const profile::SweepPoint& s : p.sweep) {
    if (s.max_tokens != max_tokens) continue;
    b.points.push_back(report::BatchPoint{.batch = s.batch_size,
                                          .latency_ms = s.latency_ms.median,
                                          .joules_per_prompt = s.joules_per_prompt.median,
                                          .joules_per_output_token = s.joules_per_output_token,
                                          .throughput_tokens_per_s = s.throughput_tokens_per_s,
                                          .saturated = s.saturated});
  }
  b.knee_batch = p.knee_batch;
  b.profile_path = profile_path;
  return b;
}

}  // namespace

core::Result<std::string> resolve_model(const Plan& plan, const ProgressSink& progress) {
  if (!plan.model_path.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(plan.model_path, ec)) {
      return core::invalid_argument("--model '" + plan.model_path + "': no such file");
    }
    return plan.model_path;
  }
  const fs::path path = plan.model_cache / fmt::format("experiment-{}-{}.gguf", plan.synth_preset, plan.synth_type);
  if (is_cached_synth(path, plan.synth_preset)) {
    progress.message(fmt::format("model: reusing the synthetic model {}", path.string()));
    return path.string();
  }
  std::error_code ec;
  fs::create_directories(plan.model_cache, ec);
  if (ec) {
    return core::io_error("--model-cache '" + plan.model_cache.string() + "': cannot create it: " + ec.message());
  }
  progress.message(fmt::format("model: writing a synthetic {} model ({} weights, seeded random) to {}",
                               plan.synth_preset, plan.synth_type, path.string()));
  engine::synth::SynthOptions s;
  s.preset = plan.synth_preset;
  s.weight_type = *engine::quant::parse_type_name(plan.synth_type);
  s.seed = kSynthSeed;
  GR_RETURN_IF_ERROR(engine::synth::write_synthetic_model(s, path.string()).with_context("--model-cache"));
  return path.string();
}

core::Result<LocalProfiles> bench_local(const Plan& plan, const std::string& model_path, const ProgressSink& progress) {
  core::SteadyClock clock;
  GR_ASSIGN_OR_RETURN(auto model, engine::model::Model::load(model_path));
  LocalProfiles out;
  out.model_path = model_path;
  GR_ASSIGN_OR_RETURN(out.pool, make_pool(*model));
  const profile::ModelInfo info = describe_model(model_path, *model);
  out.model_label = model_label(info);

  MeterOptions meters;
  GR_ASSIGN_OR_RETURN(auto meter, open_meter(meters, clock));
  power::SamplerOptions so;
  so.interval_ns = 50'000'000;
  so.capacity = 1 << 16;
  GR_ASSIGN_OR_RETURN(auto sampler, power::PowerSampler::create(std::move(meter), clock, so));
  sampler->start();
  const power::MeterInfo meter_info = sampler->meter_info();
  out.energy_label = energy_label(meter_info);
  progress.message("bench: energy " + provenance(meter_info));
  auto idle_probe = CpuLoadProbe::start({});
  const double idle_watts = measure_idle_watts(*sampler, clock, plan.idle_seconds).value_or(0.0);
  if (idle_probe.is_ok()) {
    if (auto load = idle_probe->finish(); load.is_ok()) out.idle_background_cores = load->background_cores;
  }

  std::vector<profile::BenchPrompt> prompts;
  for (std::size_t i = 0; i < out.pool.texts.size(); ++i) prompts.push_back({out.pool.ids[i], out.pool.texts[i]});
  const std::vector<int> thread_counts = plan.bench_threads();
  const fs::path dir = plan.out_dir / "profiles";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::io_error("cannot create " + dir.string() + ": " + ec.message());

  int sweep_index = 0;
  for (int threads : thread_counts) {
    profile::SweepOptions sweep;
    sweep.batch_sizes = plan.bench_batches;
    sweep.max_tokens = {plan.max_tokens};
    sweep.repeat = plan.bench_repeat;
    sweep.warmup = plan.bench_warmup;
    sweep.threads = threads;
    sweep.memory_budget = machine_memory_bytes("/proc");
    sweep.prompt_seed = plan.seed;
    GR_RETURN_IF_ERROR(profile::BenchRunner::validate(sweep, prompts));
    const std::string name = fmt::format("local-{}t", threads);
    const fs::path csv_path = dir / ("measurements-" + name + ".csv");
    std::ofstream csv(csv_path, std::ios::trunc);
    if (!csv || !(csv << profile::measurement_csv_header() << '\n')) return core::io_error("cannot write " + csv_path.string());
    profile::BenchRunner runner(*model, *sampler, clock, sweep, prompts);
    const int index = sweep_index++;
    auto on_progress = [&](const profile::SweepProgress& p) {
      progress.update(index * p.runs_total + p.runs_done, static_cast<int>(thread_counts.size()) * p.runs_total,
                      fmt::format("{} threads: batch {}{}", threads, p.batch_size, p.warmup ? " (warm-up)" : ""));
    };
    auto on_row = [&](const profile::RunMeasurement& m) -> core::Status {
      if (!(csv << profile::measurement_csv_row(m) << '\n') || !csv.flush()) {
        return core::io_error("cannot write " + csv_path.string());
      }
      return core::Status::ok();
    };
    auto probe = CpuLoadProbe::start({});
    auto result = runner.run(on_progress, on_row, progress.should_stop);
    if (probe.is_ok()) {
      if (auto load = probe->finish(); load.is_ok()) out.bench_background_cores[threads] = load->background_cores;
    }
    if (!result.is_ok()) return result.status().with_context("bench at " + std::to_string(threads) + " threads");
    if (progress.should_stop()) return core::unavailable("interrupted");

    profile::ProfileInputs in;
    in.kind = profile::ProfileKind::kMeasured;
    in.created_at = carbon::format_utc_time(std::time(nullptr));
    in.device.name = name;
    in.device.cpu = cpu_model_name("/proc");
    in.device.threads = threads;
    in.device.memory_bytes = sweep.memory_budget;
    in.model = info;
    in.meter = {meter_info.name, meter_info.measured, meter_info.sensor};
    in.idle_watts = idle_watts;
    in.notes = fmt::format("greenroute experiment: batch sizes 1,2,4,8 x {} output tokens, {} repeat(s), {} threads, "
                           "short and medium built-in prompts; energy {}",
                           plan.max_tokens, plan.bench_repeat, threads, provenance(meter_info));
    auto built = profile::build_profile(result->runs, in);
    if (!built.is_ok()) {
      return built.status().with_context("local profile at " + std::to_string(threads) + " threads (rows in " +
                                         csv_path.string() + ")");
    }
    const fs::path path = dir / (name + ".json");
    GR_RETURN_IF_ERROR(profile::save_profile(*built, path.string()));
    out.by_threads[threads] = std::make_shared<const profile::DeviceProfile>(std::move(built).value());
    out.path_by_threads[threads] = (fs::path("profiles") / (name + ".json")).string();
  }
  sampler->stop();
  const int top = *thread_counts.rbegin();
  out.bench = local_bench_of(*out.by_threads[top], out.model_label, out.energy_label, plan.max_tokens,
                             out.path_by_threads[top]);
  return out;
}

}  // namespace greenroute::cli::experiment
