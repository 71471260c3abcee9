// The part of `greenroute bench` after the sweep: profile.json, the three
// SVG charts, and the summary on stdout.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_command.h"
#include "cli_common.h"
#include "greenroute/carbon/time_text.h"
#include "greenroute/core/thread_pool.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/quant/ggml_type.h"
#include "greenroute/profile/builder.h"
#include "greenroute/profile/profile_json.h"
#include "greenroute/report/svg_chart.h"
#include "greenroute/report/text_table.h"

namespace greenroute::cli {
namespace {

namespace fs = std::filesystem;

std::string energy_label(const power::MeterInfo& m) {
  return m.measured ? "energy measured by " + m.name : "energy ESTIMATED by " + m.name + " (no power sensor)";
}

// One series per output length over the batch sizes that ran.
report::LineChart chart(const profile::DeviceProfile& p, const std::string& title, const std::string& y_label,
                        double (*value)(const profile::SweepPoint&), const profile::Spread* (*spread)(const profile::SweepPoint&),
                        const std::string& footnote) {
  report::LineChart ch;
  ch.title = title;
  ch.subtitle = fmt::format("{} ({}) on {}, {} threads", p.model.name, p.model.weight_type, p.device.name,
                            p.device.threads);
  ch.footnote = footnote;
  ch.x_label = "batch size (prompts run together)";
  ch.y_label = y_label;
  ch.log2_x = true;
  ch.y_from_zero = true;
  std::map<int, report::Series> by_length;
  for (const profile::SweepPoint& s : p.sweep) {
    if (s.saturated) continue;
    report::Series& series = by_length[s.max_tokens];
    series.name = fmt::format("{} output tokens", s.max_tokens);
    series.x.push_back(s.batch_size);
    series.y.push_back(value(s));
    if (spread != nullptr) {
      series.y_low.push_back(spread(s)->min);
      series.y_high.push_back(spread(s)->max);
    }
  }
  for (auto& [n, series] : by_length) ch.series.push_back(std::move(series));
  ch.markers.push_back({static_cast<double>(p.knee_batch), fmt::format("knee: batch {}", p.knee_batch)});
  if (p.saturation_batch) {
    ch.markers.push_back({static_cast<double>(*p.saturation_batch), fmt::format("saturated: batch {}", *p.saturation_batch)});
  }
  return ch;
}

std::string fixed(double v, int digits) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "-"; }

void print_summary(const BenchContext& c, const profile::DeviceProfile& p, const profile::SweepResult& r) {
  report::TextTable t;
  t.headers = {"batch", "out tok", "latency ms", "per prompt ms", "TTFT ms", "tok/s", "J/prompt", "J/token", "W mean",
               "memory"};
  t.align.assign(t.headers.size(), report::Align::kRight);
  for (const profile::SweepPoint& s : p.sweep) {
    if (s.saturated) {
      t.rows.push_back({std::to_string(s.batch_size), std::to_string(s.max_tokens), "saturated", "-", "-", "-", "-",
                        "-", "-", engine::model::format_bytes(s.predicted_bytes)});
      continue;
    }
    t.rows.push_back({std::to_string(s.batch_size), std::to_string(s.max_tokens), fixed(s.latency_ms.median, 0),
                      fixed(s.prompt_latency_ms, 0), fixed(s.ttft_ms, 0), fixed(s.throughput_tokens_per_s, 1),
                      fixed(s.joules_per_prompt.median, 2), fixed(s.joules_per_output_token, 3), fixed(s.mean_watts, 1),
                      engine::model::format_bytes(s.predicted_bytes)});
  }
  auto table = report::render_text_table(t);
  if (table.is_ok()) std::printf("%s\n", table->c_str());
  const profile::SweepPoint* best_energy = nullptr;
  for (const profile::SweepPoint& s : p.sweep) {
    if (!s.saturated && s.batch_size == p.best_batch.energy &&
        (best_energy == nullptr || s.max_tokens > best_energy->max_tokens)) {
      best_energy = &s;
    }
  }
  std::printf("energy-efficiency knee: batch %d (beyond it, doubling the batch saves less than %.0f%% of the "
              "joules per output token%s)\n",
              p.knee_batch, 100 * profile::KneeOptions{}.min_saving,
              p.saturation_batch || p.knee_batch < p.sweep.back().batch_size ? "" : "; at the sweep's edge: sweep further");
  std::printf("best for energy: batch %d%s; best for latency: batch %d; best for throughput: batch %d\n",
              p.best_batch.energy,
              best_energy ? fmt::format(" ({} J/prompt at {} tokens)", fixed(best_energy->joules_per_prompt.median, 2),
                                        best_energy->max_tokens)
                                .c_str()
                          : "",
              p.best_batch.latency, p.best_batch.throughput);
  if (p.saturation_batch) {
    std::printf("memory saturation: batch %d does not fit %s\n", *p.saturation_batch,
                engine::model::format_bytes(p.device.memory_bytes).c_str());
  } else {
    std::printf("memory saturation: none up to the largest batch run (memory holds about %d sequences)\n",
                p.max_batch_fits);
  }
  auto fit_line = [](const char* what, const profile::CostModel& m) {
    if (!m.fit) return fmt::format("{}: no fit", what);
    return fmt::format("{}: R^2 {:.3f}, MAPE {:.1f}% over {} runs", what, m.fit->r2, m.fit->mape_pct, m.fit->n);
  };
  std::printf("fitted models: %s; %s\n", fit_line("latency", p.latency_model).c_str(),
              fit_line("energy", p.energy_model).c_str());
  std::printf("%s; %s\n", energy_label(c.meter).c_str(),
              c.intensity_source.empty() ? "no --zone, so no carbon figures" : ("carbon at " + c.intensity_source).c_str());
  if (r.prompts_truncated > 0) {
    std::printf("note: %d prompts were cut to fit the context (their beginning kept)\n", r.prompts_truncated);
  }
}

}  // namespace

std::string cpu_model_name(const std::string& procfs_root) {
  std::ifstream in(procfs_root + "/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "";
}

std::string machine_host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof(buf) - 1) == 0 ? std::string(buf) : std::string("localhost");
}

// What the file says about the model: the loader keeps only what it runs on.
profile::ModelInfo describe_model(const std::string& model_path, const engine::model::Model& model) {
  profile::ModelInfo info;
  info.name = model.config().name;
  info.synthetic = model.config().synthetic;
  info.file = fs::path(model_path).filename().string();
  auto file = engine::gguf::GgufFile::open(model_path);
  if (!file.is_ok()) return info;
  const engine::gguf::GgufFile& f = **file;
  info.file_bytes = f.file_size();
  auto arch = f.get_string("general.architecture");
  info.architecture = arch.is_ok() ? *arch : "";
  std::map<std::string, std::uint64_t> bytes_by_type;
  for (const auto& t : f.tensors()) {
    info.parameters += t.n_elements;
    bytes_by_type[std::string(engine::quant::type_name(t.type))] += t.n_bytes;
  }
  std::uint64_t most = 0;
  for (const auto& [type, bytes] : bytes_by_type) {
    if (bytes > most) {
      most = bytes;
      info.weight_type = type;  // the type holding most of the weights
    }
  }
  return info;
}

int write_bench_outputs(const BenchContext& c, const profile::SweepResult& r, const fs::path& out_dir) {
  if (!r.warnings.empty()) {
    std::fprintf(stderr, "greenroute: warning: %zu runs have no energy figure (see the note column of "
                 "measurements.csv)\n", r.warnings.size());
  }
  profile::ProfileInputs in;
  in.kind = profile::ProfileKind::kMeasured;
  in.created_at = carbon::format_utc_time(std::time(nullptr));
  const std::string cpu = cpu_model_name(c.options.meters.roots.procfs_root);
  in.device.name = !c.options.device_name.empty() ? c.options.device_name : machine_host_name();
  in.device.cpu = cpu;
  in.device.threads = c.sweep.threads > 0 ? c.sweep.threads : core::ThreadPool::default_threads();
  in.device.memory_bytes = c.sweep.memory_budget;
  in.model = describe_model(c.options.model_path, c.model);
  in.meter = {c.meter.name, c.meter.measured, c.meter.sensor};
  in.idle_watts = c.idle_watts;
  in.notes = fmt::format("greenroute bench --batch-sizes {} --max-tokens {} --repeat {} --warmup {}; {}",
                         c.options.batch_sizes, c.options.max_tokens, c.options.repeat, c.options.warmup,
                         energy_label(c.meter));
  auto built = profile::build_profile(r.runs, in);
  const std::string csv = (out_dir / "measurements.csv").string();
  if (!built.is_ok()) {
    // The sweep ran; what failed is the work (too few good rows), not the invocation.
    return fail(built.status().with_context("cannot build a profile from the sweep (its rows are in " + csv + ")").message(),
                kExitFailure);
  }
  const profile::DeviceProfile& p = *built;
  const std::string profile_path = (out_dir / "profile.json").string();
  if (core::Status s = profile::save_profile(p, profile_path); !s.is_ok()) return fail(s);

  const std::string foot = energy_label(c.meter) + "; whiskers: min-max over repeats";
  const std::vector<std::pair<std::string, report::LineChart>> charts = {
      {"latency.svg",
       chart(p, "Batch latency vs batch size", "batch latency (ms)",
             [](const profile::SweepPoint& s) { return s.latency_ms.median; },
             [](const profile::SweepPoint& s) { return &s.latency_ms; }, foot)},
      {"energy.svg",
       chart(p, "Energy per prompt vs batch size", "joules per prompt (J)",
             [](const profile::SweepPoint& s) { return s.joules_per_prompt.median; },
             [](const profile::SweepPoint& s) { return &s.joules_per_prompt; }, foot)},
      {"throughput.svg",
       chart(p, "Throughput vs batch size", "output tokens per second",
             [](const profile::SweepPoint& s) { return s.throughput_tokens_per_s; }, nullptr, energy_label(c.meter))},
  };
  for (const auto& [file, ch] : charts) {
    if (core::Status s = report::write_svg_file((out_dir / file).string(), ch); !s.is_ok()) return fail(s);
  }
  print_summary(c, p, r);
  std::printf("wrote %s, %s, latency.svg, energy.svg, throughput.svg in %s\n", "measurements.csv", "profile.json",
              out_dir.string().c_str());
  return kExitOk;
}

}  // namespace greenroute::cli
