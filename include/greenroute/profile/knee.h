// The energy-efficiency knee and the preferred batch sizes of a sweep.
//
// The sweep is first reduced to one point per batch size (batch_curve): the
// median, over the sweep's output lengths, of each metric at that size. A
// batch size is saturated if any of its points is; only batch sizes below the
// smallest saturated one (the saturation batch) are candidates, because
// memory only grows with the batch and a larger size that happened to fit a
// short output would not fit the router's longer ones.
//
// The knee is measured in joules per output token, not per prompt: outputs
// can stop early at EOS, and a batch whose prompts happened to generate fewer
// tokens would look cheaper per prompt while costing more per token of work.
//
// Rule (find_knee): the knee is the smallest candidate batch size b such that
// growing the batch from b to any larger candidate c saves less than
// `min_saving` (default 10%) per doubling:
//     saving(b, c) = 1 - (e(c) / e(b)) ^ (1 / log2(c / b))
// where e is joules per output token. "Per doubling" makes steps of 1->2 and
// 16->32 comparable, and comparing b with every larger size (not only the
// next one) keeps one noisy point from ending the search early. The largest
// candidate always qualifies; when it is the knee, `knee_at_edge` says the
// curve had not flattened within the sweep. Worked example in docs/profile.md.
//
// Also offered: the Kneedle point (largest vertical gap below the chord from
// the first to the last candidate, on log2(batch) against energy normalised
// to [0, 1]), which needs no threshold but depends on the sweep's end points.
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/profile/profile.h"

namespace greenroute::profile {

// One batch size of the sweep (medians across its output lengths).
struct BatchPoint {
  int batch_size = 0;
  bool saturated = false;
  double joules_per_output_token = 0;
  double joules_per_prompt = 0;
  double prompt_latency_ms = 0;  // median per-prompt latency, submission to last token
  double throughput_tokens_per_s = 0;
};

// Groups `sweep` by batch size, ascending. Saturated points do not contribute
// metrics; a batch size with only saturated points has zero metrics.
std::vector<BatchPoint> batch_curve(const std::vector<SweepPoint>& sweep);

struct KneeOptions {
  double min_saving = 0.10;  // per doubling, a fraction in (0, 1)
};

struct KneeResult {
  int knee_batch = 1;
  bool knee_at_edge = false;  // the knee is the largest candidate
  int kneedle_batch = 1;
  BestBatches best;
  std::optional<int> saturation_batch;
};

// Errors: kInvalidArgument for an empty curve, a bad threshold, unsorted or
// duplicate batch sizes, or a candidate with non-positive or non-finite
// energy; kUnavailable when no batch size is below saturation.
core::Result<KneeResult> find_knee(const std::vector<BatchPoint>& curve,
                                   const KneeOptions& options);

}  // namespace greenroute::profile
