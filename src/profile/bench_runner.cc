#include "greenroute/profile/bench_runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "greenroute/carbon/accounting.h"
#include "greenroute/core/rng.h"
#include "greenroute/engine/batch/generator.h"
#include "greenroute/engine/context/context.h"

namespace greenroute::profile {
namespace {

namespace batch = engine::batch;
namespace context = engine::context;

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::uint64_t peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024;  // ru_maxrss is KiB on Linux
}

std::vector<int> sorted_unique(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

RunMeasurement saturated_row(int batch_size, int max_tokens, std::uint64_t predicted, std::string why) {
  RunMeasurement m;
  m.batch_size = batch_size;
  m.max_tokens = max_tokens;
  m.predicted_bytes = predicted;
  m.saturated = true;
  m.note = std::move(why);
  return m;
}

}  // namespace

core::Status BenchRunner::validate(const SweepOptions& o, const std::vector<BenchPrompt>& prompts) {
  if (o.batch_sizes.empty()) return core::invalid_argument("no batch sizes to run");
  for (int b : o.batch_sizes) {
    if (b < 1 || b > 4096) return core::invalid_argument(fmt::format("batch size {} is not in 1..4096", b));
  }
  if (o.max_tokens.empty()) return core::invalid_argument("no output lengths to run");
  for (int n : o.max_tokens) {
    if (n < 1 || n > (1 << 20)) return core::invalid_argument(fmt::format("output length {} is not in 1..1048576", n));
  }
  if (o.repeat < 1) return core::invalid_argument(fmt::format("repeat must be at least 1, got {}", o.repeat));
  if (o.warmup < 0) return core::invalid_argument(fmt::format("warmup must be at least 0, got {}", o.warmup));
  if (!(o.intensity_g_per_kwh >= 0) || !std::isfinite(o.intensity_g_per_kwh)) {
    return core::invalid_argument("carbon intensity must be a finite number >= 0");
  }
  if (prompts.empty()) return core::invalid_argument("the prompt set is empty");
  for (const BenchPrompt& p : prompts) {
    if (p.text.empty()) return core::invalid_argument("prompt '" + p.id + "' is empty");
  }
  return core::Status::ok();
}

BenchRunner::BenchRunner(const engine::model::Model& model, power::PowerSampler& sampler, const core::Clock& clock,
                         SweepOptions options, std::vector<BenchPrompt> prompts)
    : model_(model), sampler_(sampler), clock_(clock), options_(std::move(options)), prompts_(std::move(prompts)) {}

std::vector<std::size_t> prompt_order(std::size_t count, std::uint64_t seed) {
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  core::Rng rng(seed);
  for (std::size_t i = count; i > 1; --i) {  // Fisher-Yates
    std::swap(order[i - 1], order[rng.next_u64() % i]);
  }
  return order;
}

core::Result<SweepResult> BenchRunner::run(const ProgressFn& progress, const RowFn& on_row,
                                           const std::function<bool()>& should_stop) {
  GR_RETURN_IF_ERROR(validate(options_, prompts_));
  const std::vector<int> sizes = sorted_unique(options_.batch_sizes);
  const std::vector<int> lengths = sorted_unique(options_.max_tokens);
  const auto& tok = model_.tokenizer();
  std::vector<std::vector<std::int32_t>> tokens;
  tokens.reserve(prompts_.size());
  for (const BenchPrompt& p : prompts_) tokens.push_back(tok.tokenize(p.text, /*add_special=*/true, false));

  const power::MeterInfo meter = sampler_.meter_info();
  const std::string energy_source = (meter.measured ? "measured:" : "estimated:") + meter.name;
  const int runs_per_point = options_.warmup + options_.repeat;
  SweepProgress prog;
  prog.runs_total = static_cast<int>(sizes.size() * lengths.size()) * runs_per_point;
  const std::int64_t start_ns = clock_.now_ns();
  double measured_work_s = 0;  // for the ETA: seconds per run so far, weighted by batch x length
  double measured_work_units = 0;
  double remaining_units = 0;
  for (int n : lengths) {
    for (int b : sizes) remaining_units += static_cast<double>(runs_per_point) * b * n;
  }
  auto report = [&](int b, int n, bool warm) {
    prog.batch_size = b;
    prog.max_tokens = n;
    prog.warmup = warm;
    prog.elapsed_s = static_cast<double>(clock_.now_ns() - start_ns) * 1e-9;
    prog.eta_s = measured_work_units > 0 ? measured_work_s / measured_work_units * remaining_units : -1;
    if (progress) progress(prog);
  };

  const std::vector<std::size_t> order = prompt_order(tokens.size(), options_.prompt_seed);
  const std::size_t stride = static_cast<std::size_t>(sizes.back());
  SweepResult result;
  std::vector<std::uint8_t> truncated(prompts_.size(), 0);
  for (int n : lengths) {
    bool saturated = false;
    for (int b : sizes) {
      const double point_units = static_cast<double>(runs_per_point) * b * n;
      if (saturated) {  // a smaller batch already did not fit: larger ones cannot
        prog.runs_done += runs_per_point;
        remaining_units -= point_units;
        report(b, n, false);
        continue;
      }
      const int done_at_start = prog.runs_done;
      const double units_at_start = remaining_units;
      context::ContextParams cp;
      cp.n_threads = options_.threads;
      cp.n_ctx = options_.max_context;
      cp.max_sequences = b;
      cp.memory_limit_bytes = options_.memory_budget;
      auto ctx_r = context::Context::create(model_, cp);
      if (!ctx_r.is_ok()) {
        if (ctx_r.status().code() != core::StatusCode::kResourceExhausted) return ctx_r.status();
        RunMeasurement row = saturated_row(b, n, 0, ctx_r.status().message());
        GR_RETURN_IF_ERROR(on_row(row));
        result.runs.push_back(std::move(row));
        saturated = true;
        prog.runs_done += runs_per_point;
        remaining_units -= point_units;
        report(b, n, false);
        continue;
      }
      context::Context& ctx = **ctx_r;
      const std::int64_t n_ctx = ctx.params().n_ctx;
      if (n >= n_ctx) {
        return core::invalid_argument(fmt::format("output length {} does not fit the context of {} tokens", n, n_ctx));
      }
      const std::size_t max_prompt = static_cast<std::size_t>(n_ctx - n);

      for (int run = 0; run < runs_per_point && !saturated; ++run) {
        if (should_stop && should_stop()) return result;
        const bool warm = run < options_.warmup;
        const int measured_index = run - options_.warmup;
        // Warm-ups use the prompts of the first measured runs, so they warm
        // the same code paths and caches.
        const int prompt_run = warm ? run : measured_index;
        std::vector<batch::GenerationRequest> requests;
        std::int64_t longest = 0;
        for (int i = 0; i < b; ++i) {
          const std::size_t idx =
              order[(static_cast<std::size_t>(prompt_run) * stride + static_cast<std::size_t>(i)) % order.size()];
          batch::GenerationRequest req;
          req.prompt = tokens[idx];
          if (req.prompt.size() > max_prompt) {
            req.prompt.resize(max_prompt);
            if (truncated[idx] == 0) ++result.prompts_truncated;
            truncated[idx] = 1;
          }
          req.sampling.temperature = 0.0f;  // greedy: deterministic runs
          req.max_tokens = n;
          req.ignore_eos = !options_.stop_at_eos;
          longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(req.prompt.size()) + n);
          requests.push_back(std::move(req));
        }
        const std::uint64_t predicted = ctx.memory_model().bytes_for(b, longest);
        if (options_.memory_budget > 0) {
          core::Status fits = ctx.memory_model().check_fits(b, longest, options_.memory_budget);
          if (!fits.is_ok()) {
            RunMeasurement row = saturated_row(b, n, predicted, fits.message());
            GR_RETURN_IF_ERROR(on_row(row));
            result.runs.push_back(std::move(row));
            saturated = true;
            break;
          }
        }

        core::Status before = sampler_.sample_once();
        const std::int64_t t0 = clock_.now_ns();
        batch::Generator gen(ctx, clock_);
        auto results_r = gen.run_to_completion(std::move(requests), b);
        const std::int64_t t1 = clock_.now_ns();
        core::Status after = sampler_.sample_once();
        if (!results_r.is_ok()) {
          if (results_r.status().code() != core::StatusCode::kResourceExhausted) return results_r.status();
          RunMeasurement row = saturated_row(b, n, predicted, results_r.status().message());
          GR_RETURN_IF_ERROR(on_row(row));
          result.runs.push_back(std::move(row));
          saturated = true;
          break;
        }
        const double run_s = static_cast<double>(t1 - t0) * 1e-9;
        measured_work_s += run_s;
        measured_work_units += static_cast<double>(b) * n;
        remaining_units -= static_cast<double>(b) * n;
        ++prog.runs_done;
        if (warm) {
          report(b, n, true);
          continue;
        }

        RunMeasurement m;
        m.batch_size = b;
        m.max_tokens = n;
        m.repeat = measured_index;
        m.prompts = static_cast<int>(results_r->size());
        std::vector<double> ttft, e2e, rate;
        for (const batch::GenerationResult& r : *results_r) {
          m.total_prompt_tokens += r.prompt_tokens;
          m.total_output_tokens += static_cast<std::int64_t>(r.tokens.size());
          ttft.push_back(r.ttft_ms);
          e2e.push_back(r.total_ms);
          m.ttft_ms_max = std::max(m.ttft_ms_max, r.ttft_ms);
          const double decode_ms = r.total_ms - r.ttft_ms;
          if (r.tokens.size() > 1 && decode_ms > 0) {
            rate.push_back(static_cast<double>(r.tokens.size() - 1) * 1000.0 / decode_ms);
          }
        }
        m.mean_prompt_tokens = static_cast<double>(m.total_prompt_tokens) / m.prompts;
        m.mean_output_tokens = static_cast<double>(m.total_output_tokens) / m.prompts;
        m.latency_ms = run_s * 1000.0;
        m.ttft_ms_median = median(ttft);
        m.prompt_latency_ms_median = median(e2e);
        m.output_tokens_per_s_median = median(rate);
        m.throughput_tokens_per_s = run_s > 0 ? static_cast<double>(m.total_output_tokens) / run_s : 0;
        m.predicted_bytes = predicted;
        m.peak_rss_bytes = peak_rss_bytes();
        m.energy_source = energy_source;
        m.intensity_g_per_kwh = options_.intensity_g_per_kwh;
        auto energy = sampler_.energy_between(t0, t1);
        if (before.is_ok() && after.is_ok() && energy.is_ok()) {
          m.joules = energy->joules;
          m.mean_watts = energy->mean_watts;
          m.peak_watts = energy->peak_watts;
          m.joules_per_prompt = m.joules / m.prompts;
          m.joules_per_output_token =
              m.total_output_tokens > 0 ? m.joules / static_cast<double>(m.total_output_tokens) : 0;
          m.grams_co2_per_prompt = carbon::grams_co2(m.joules_per_prompt, options_.intensity_g_per_kwh);
        } else {
          const core::Status& why = !before.is_ok() ? before : !after.is_ok() ? after : energy.status();
          constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
          m.joules = m.mean_watts = m.peak_watts = m.joules_per_prompt = m.joules_per_output_token = kNan;
          m.grams_co2_per_prompt = kNan;
          m.note = "no energy: " + why.to_string();
          result.warnings.push_back(fmt::format("batch {} x {} tokens, repeat {}: {}", b, n, measured_index, m.note));
        }
        GR_RETURN_IF_ERROR(on_row(m));
        result.runs.push_back(std::move(m));
        report(b, n, false);
      }
      // A point cut short by saturation counts as done, for progress and ETA.
      prog.runs_done = done_at_start + runs_per_point;
      remaining_units = units_at_start - point_units;
      if (saturated) report(b, n, false);
    }
  }
  return result;
}

}  // namespace greenroute::profile
