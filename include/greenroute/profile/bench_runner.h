// BenchRunner: the empirical sweep behind a device profile. For every
// (output length, batch size) point it runs warm-up batches, then repeated
// measured batches of prompts on the embedded engine, and records time,
// energy (from a running PowerSampler), memory and carbon per run.
//
// Method, and why:
// - Output length is fixed per point (ignore EOS by default) so runs at one
//   point are comparable and the fitted models see the output length asked
//   for; greedy decoding keeps runs deterministic.
// - Run r of batch size B takes prompts [(r*B) mod n, ...) from the prompt
//   set, so repeats see different prompts and the fit sees varied lengths.
// - Energy is the device's over [first submit, last token] of the run: the
//   sampler is read once right before and once right after, so the window is
//   always covered by readings (no extrapolation), whatever the sampling rate.
// - Memory saturation: before a batch runs, the engine's memory model says
//   whether weights + KV for B sequences of the longest prompt + output +
//   scratch fit the memory budget. A batch that does not, or whose context
//   cannot be created, is recorded as saturated (not an error) and larger
//   batch sizes at that output length are skipped.
// - Prompts longer than the context allows (context - output length) are cut
//   to fit, keeping their beginning; the count is reported.
//
// Thread contract: single-owner. run() blocks; the callbacks are called on
// the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/power/power_sampler.h"
#include "greenroute/profile/measurement.h"

namespace greenroute::profile {

struct BenchPrompt {
  std::string id;
  std::string text;
};

struct SweepOptions {
  std::vector<int> batch_sizes = {1, 2, 4, 8, 16, 32};
  std::vector<int> max_tokens = {32, 128};
  int repeat = 3;
  int warmup = 1;
  int threads = 0;                 // 0: all cores
  std::uint64_t memory_budget = 0;  // bytes; 0: no limit
  bool stop_at_eos = false;        // default: fixed output length
  std::int64_t max_context = 0;    // 0: min(training context, 4096)
  double intensity_g_per_kwh = 0;  // for grams per prompt; 0: none
  // Seeds the fixed shuffle of the prompt set (see prompt_order()).
  std::uint64_t prompt_seed = 1;
};

struct SweepProgress {
  int runs_done = 0;   // measured + warm-up runs finished, plus skipped ones
  int runs_total = 0;
  int batch_size = 0;
  int max_tokens = 0;
  bool warmup = false;
  double elapsed_s = 0;
  double eta_s = -1;   // < 0: unknown yet
};

struct SweepResult {
  std::vector<RunMeasurement> runs;  // measured runs and saturated points, in order
  int prompts_truncated = 0;
  std::vector<std::string> warnings;  // e.g. energy windows that could not be integrated
};

// The order in which a sweep takes prompts: a seeded shuffle of 0..count-1.
// Measured run r of batch size b uses positions [r*S, r*S + b) of this order
// (modulo count), S being the largest batch size of the sweep, so each
// batch's prompts are a prefix of the next larger batch's and every size
// sees the same random mix of prompt lengths rather than whichever slice of
// an ordered file its window happens to land on.
std::vector<std::size_t> prompt_order(std::size_t count, std::uint64_t seed);

class BenchRunner {
 public:
  using ProgressFn = std::function<void(const SweepProgress&)>;
  // Called with each row as soon as it is measured, so a caller can put it on
  // disk before the next run (a crash or Ctrl-C then loses nothing measured).
  using RowFn = std::function<core::Status(const RunMeasurement&)>;

  // kInvalidArgument for empty or impossible sweep options (batch sizes < 1,
  // output lengths < 1, repeat < 1, warmup < 0) or an empty prompt set.
  static core::Status validate(const SweepOptions& options, const std::vector<BenchPrompt>& prompts);

  // The model and sampler must outlive the runner; the sampler must be
  // running (the runner adds its own samples at run edges).
  BenchRunner(const engine::model::Model& model, power::PowerSampler& sampler, const core::Clock& clock,
              SweepOptions options, std::vector<BenchPrompt> prompts);

  // Runs the sweep. Stops early, keeping what was measured, when
  // `should_stop` returns true between runs or a row callback fails.
  core::Result<SweepResult> run(const ProgressFn& progress, const RowFn& on_row,
                                const std::function<bool()>& should_stop = {});

 private:
  const engine::model::Model& model_;
  power::PowerSampler& sampler_;
  const core::Clock& clock_;
  SweepOptions options_;
  std::vector<BenchPrompt> prompts_;
};

}  // namespace greenroute::profile
