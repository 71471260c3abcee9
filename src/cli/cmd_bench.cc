// `greenroute bench`: the empirical sweep that produces a device profile.
// Runs prompts at several batch sizes and output lengths on the embedded
// engine while a power meter samples, then writes measurements.csv (row by
// row, so an interrupted sweep keeps what it measured), profile.json and SVG
// charts, and prints a summary. The sweep itself is profile::BenchRunner; the
// outputs after the sweep are in bench_outputs.cc.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_command.h"
#include "bench_prompts.h"
#include "byte_size.h"
#include "cli_common.h"
#include "greenroute/carbon/source_factory.h"
#include "greenroute/core/clock.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/power/power_sampler.h"
#include "greenroute/profile/bench_runner.h"
#include "greenroute/profile/measurement_csv.h"
#include "interrupt.h"
#include "progress.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;

core::Result<std::vector<int>> parse_int_list(const std::string& flag, const std::string& text, int lo, int hi) {
  std::vector<int> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    std::size_t used = 0;
    int v = 0;
    bool ok = !item.empty() && item.find_first_not_of("0123456789") == std::string::npos && item.size() <= 9;
    if (ok) {
      v = std::stoi(item, &used);
      ok = used == item.size() && v >= lo && v <= hi;
    }
    if (!ok) {
      return core::invalid_argument(fmt::format("{} '{}': '{}' is not a whole number in {}..{}", flag, text, item, lo, hi));
    }
    out.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// Fails early, before minutes of measuring, when results could not be saved.
core::Status check_writable(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return core::io_error("cannot create output directory " + dir.string() + ": " + ec.message());
  const fs::path probe = dir / ".greenroute-write-test";
  {
    std::ofstream f(probe);
    if (!f || !(f << "x") || !f.flush()) return core::io_error("cannot write in output directory " + dir.string());
  }
  fs::remove(probe, ec);
  return core::Status::ok();
}

}  // namespace

std::uint64_t machine_memory_bytes(const std::string& procfs_root) {
  std::ifstream in(procfs_root + "/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemTotal:") return kib * 1024;
  }
  return 0;
}

std::optional<double> measure_idle_watts(power::PowerSampler& sampler, const core::Clock& clock, double seconds) {
  core::Status a = sampler.sample_once();
  const std::int64_t t0 = clock.now_ns();
  sleep_unless_interrupted(static_cast<std::int64_t>(seconds * 1e9));
  const std::int64_t t1 = clock.now_ns();
  core::Status b = sampler.sample_once();
  auto idle = sampler.energy_between(t0, t1);
  if (a.is_ok() && b.is_ok() && idle.is_ok()) return idle->mean_watts;
  std::fprintf(stderr, "greenroute: warning: idle power not measured: %s\n",
               (!a.is_ok() ? a : !b.is_ok() ? b : idle.status()).to_string().c_str());
  return std::nullopt;
}

core::Result<std::vector<profile::BenchPrompt>> load_bench_prompt_set(const BenchOptions& o) {
  auto set = o.prompts_path.empty() ? builtin_prompt_set() : read_prompt_set(o.prompts_path);
  if (!set.is_ok()) return set.status();
  std::vector<profile::BenchPrompt> out;
  for (const PromptSpec& spec : set->prompts) {
    if (o.max_prompts > 0 && static_cast<int>(out.size()) >= o.max_prompts) break;
    profile::BenchPrompt p;
    p.id = !spec.id.empty() ? spec.id : fmt::format("line {}", spec.line);
    // A benchmark measures the engine, not a chat format: a chat's turns are
    // run as one plain text, which keeps token counts comparable across models.
    p.text = spec.prompt;
    for (const PromptMessage& m : spec.messages) p.text += (p.text.empty() ? "" : "\n\n") + m.content;
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

int run_bench(const BenchOptions& o) {
  auto sizes = parse_int_list("--batch-sizes", o.batch_sizes, 1, 4096);
  if (!sizes.is_ok()) return fail(sizes.status());
  auto lengths = parse_int_list("--max-tokens", o.max_tokens, 1, 1 << 20);
  if (!lengths.is_ok()) return fail(lengths.status());
  {
    // The fitted models need variation in batch size or output length.
    std::vector<int> b = *sizes, n = *lengths;
    std::sort(b.begin(), b.end());
    std::sort(n.begin(), n.end());
    if (std::unique(b.begin(), b.end()) - b.begin() < 2 && std::unique(n.begin(), n.end()) - n.begin() < 2) {
      return fail("a profile needs at least two batch sizes or two output lengths to fit its models", kExitUsage);
    }
  }
  profile::SweepOptions sweep;
  sweep.batch_sizes = *sizes;
  sweep.max_tokens = *lengths;
  sweep.repeat = o.repeat;
  sweep.warmup = o.warmup;
  sweep.prompt_seed = o.prompt_seed;
  sweep.threads = o.threads;
  sweep.stop_at_eos = o.stop_at_eos;
  sweep.max_context = o.ctx;
  if (!o.memory_limit.empty()) {
    auto l = parse_byte_size(o.memory_limit);
    if (!l.is_ok()) return fail(l.status());
    sweep.memory_budget = *l;
  } else {
    sweep.memory_budget = machine_memory_bytes(o.meters.roots.procfs_root);
  }
  std::string intensity_source;
  if (!o.zone.empty()) {
    auto source = carbon::make_carbon_source(o.carbon_source);
    if (!source.is_ok()) return fail(source.status());
    auto i = (*source)->intensity(o.zone, std::time(nullptr));
    if (!i.is_ok()) return fail(i.status());
    sweep.intensity_g_per_kwh = i->g_co2_per_kwh;
    intensity_source = fmt::format("{} {} ({} g/kWh{})", i->source, i->zone, i->g_co2_per_kwh,
                                   i->stale ? ", STALE" : "");
  }
  auto prompts = load_bench_prompt_set(o);
  if (!prompts.is_ok()) return fail(prompts.status());
  if (core::Status v = profile::BenchRunner::validate(sweep, *prompts); !v.is_ok()) return fail(v);

  const fs::path out_dir(o.out_dir);
  if (core::Status w = check_writable(out_dir); !w.is_ok()) return fail(w);

  core::SteadyClock clock;
  auto model_r = engine::model::Model::load(o.model_path);
  if (!model_r.is_ok()) return fail(model_r.status());
  const engine::model::Model& model = **model_r;

  auto meter = open_meter(o.meters, clock);
  if (!meter.is_ok()) return fail(meter.status());
  power::SamplerOptions so;
  so.interval_ns = static_cast<std::int64_t>(o.sample_ms) * 1'000'000;
  so.capacity = 1 << 16;
  auto sampler_r = power::PowerSampler::create(std::move(meter).value(), clock, so);
  if (!sampler_r.is_ok()) return fail(sampler_r.status());
  power::PowerSampler& sampler = **sampler_r;
  sampler.start();

  // Idle power before any work: the floor that attribution nets out and
  // the profile records.
  double idle_watts = 0;
  if (o.idle_seconds > 0) {
    if (auto idle = measure_idle_watts(sampler, clock, o.idle_seconds)) {
      idle_watts = *idle;
      std::fprintf(stderr, "bench: idle power %.2f W over %.1f s (%s)\n", idle_watts, o.idle_seconds,
                   sampler.meter_info().measured ? "measured" : "ESTIMATED");
    }
  }

  const fs::path csv_path = out_dir / "measurements.csv";
  std::ofstream csv(csv_path, std::ios::trunc);
  if (!csv || !(csv << profile::measurement_csv_header() << '\n') || !csv.flush()) {
    return fail("cannot write " + csv_path.string());
  }

  ProgressDisplay display(isatty(STDERR_FILENO) != 0 && !o.quiet);
  install_interrupt_handlers();
  std::fprintf(stderr, "bench: %s, %zu prompts, batch sizes %s, output lengths %s, %d warm-up + %d runs each\n",
               o.model_path.c_str(), prompts->size(), o.batch_sizes.c_str(), o.max_tokens.c_str(), o.warmup, o.repeat);
  std::fprintf(stderr, "bench: energy %s\n", provenance(sampler.meter_info()).c_str());
  if (!intensity_source.empty()) std::fprintf(stderr, "bench: carbon at %s\n", intensity_source.c_str());

  profile::BenchRunner runner(model, sampler, clock, sweep, std::move(prompts).value());
  std::set<std::string> notes_shown;
  auto on_row = [&](const profile::RunMeasurement& m) -> core::Status {
    if (!(csv << profile::measurement_csv_row(m) << '\n') || !csv.flush()) {
      return core::io_error("cannot write " + csv_path.string() + " (disk full?)");
    }
    if (m.saturated) {
      display.message(fmt::format("bench: batch {} x {} tokens saturates memory: {}; larger batches skipped",
                                  m.batch_size, m.max_tokens, m.note));
    } else if (!m.note.empty() && notes_shown.insert(m.note).second) {
      // Once per distinct problem: a dead meter would otherwise repeat it every run.
      display.message(fmt::format("greenroute: warning: batch {} x {} tokens: {} (shown once; every run it affects "
                                  "is marked in the CSV)",
                                  m.batch_size, m.max_tokens, m.note));
    }
    return core::Status::ok();
  };
  auto on_progress = [&](const profile::SweepProgress& p) {
    if (o.quiet) return;
    display.update(p.runs_done, p.runs_total,
                   fmt::format("batch {} x {} tok{}", p.batch_size, p.max_tokens, p.warmup ? " (warm-up)" : ""),
                   p.elapsed_s, p.eta_s);
  };
  auto result = runner.run(on_progress, on_row, [] { return interrupt_requested(); });
  display.finish();
  sampler.stop();
  if (!result.is_ok()) {
    return fail(result.status().with_context("bench (rows measured so far are in " + csv_path.string() + ")"));
  }
  BenchContext context{o, model, sampler.meter_info(), sweep, intensity_source, idle_watts};
  const int written = write_bench_outputs(context, *result, out_dir);
  if (interrupt_requested()) {
    std::fprintf(stderr, "bench: interrupted; the %zu runs measured are in %s\n", result->runs.size(),
                 csv_path.string().c_str());
    return 130;
  }
  return written;
}

}  // namespace

void register_bench_command(CLI::App& root, std::vector<Command>& commands) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = root.add_subcommand("bench", "Measure latency and energy over batch sizes and output lengths; "
                                               "write measurements.csv, profile.json and charts");
  cmd->footer(
      "Each (output length, batch size) point gets --warmup runs, then --repeat measured runs of greedy decoding\n"
      "with a fixed output length. A batch the memory model says will not fit the machine's RAM (or\n"
      "--memory-limit) is recorded as saturated and larger batches are skipped. measurements.csv is written\n"
      "row by row, so Ctrl-C or a failure keeps what was measured. Energy is measured by the meter chosen\n"
      "(--meter; the cpu-estimate meter's figures are ESTIMATES and are labelled so everywhere).\n"
      "Exit status: 0 ok, 1 the work failed, 2 bad flags or prompt file, 130 interrupted.");
  cmd->add_option("--model,-m", o->model_path, "GGUF model file")->required();
  cmd->add_option("--prompts", o->prompts_path,
                  "Prompt file: greenroute JSONL, MT-bench question.jsonl or ShareGPT JSON (default: the built-in "
                  "set of 120 prompts)");
  cmd->add_option("--max-prompts", o->max_prompts, "Use only the first N prompts of the set (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--prompt-seed", o->prompt_seed,
                  "Seed of the shuffled prompt order; every batch size gets the same mix (docs/bench.md)")
      ->capture_default_str();
  cmd->add_option("--batch-sizes", o->batch_sizes, "Comma-separated batch sizes")->capture_default_str();
  cmd->add_option("--max-tokens", o->max_tokens, "Comma-separated output lengths (tokens per prompt)")
      ->capture_default_str();
  cmd->add_option("--repeat", o->repeat, "Measured runs per point")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--warmup", o->warmup, "Warm-up runs per point (not recorded)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->add_option("--threads,-t", o->threads, "Compute threads (default: all cores)")->check(CLI::Range(0, 512));
  cmd->add_option("--ctx", o->ctx, "Context per sequence (default: min(training context, 4096))")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--stop-at-eos", o->stop_at_eos, "Let end-of-generation tokens end a prompt early");
  cmd->add_option("--memory-limit", o->memory_limit, "Memory budget for saturation (default: the machine's RAM)");
  cmd->add_option("--zone", o->zone, "Grid zone, for gCO2e per prompt");
  cmd->add_option("--carbon", o->carbon_source, "Carbon source spec for --zone (docs/carbon.md)")
      ->capture_default_str();
  cmd->add_option("--idle-seconds", o->idle_seconds, "Measure idle power this long before the sweep (0: skip)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  cmd->add_option("--sample-ms", o->sample_ms, "Power sampling interval")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  add_meter_options(*cmd, o->meters);
  cmd->add_option("--out", o->out_dir, "Output directory")->capture_default_str();
  cmd->add_option("--device-name", o->device_name, "Device name for the profile (default: the CPU model)");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress display");
  commands.push_back({cmd, [o] { return run_bench(*o); }});
}

}  // namespace greenroute::cli
