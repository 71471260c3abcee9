// From benchmark rows to a DeviceProfile: the step `greenroute bench` runs
// after its sweep.
//
//   rows ─► summarize_sweep ─► sweep table (medians per batch size x max_tokens)
//   rows ─► fit_cost_model  ─► latency, energy and TTFT models (unsaturated rows)
//   sweep ─► find_knee      ─► knee, best batches, saturation batch
//
// The fits use every unsaturated row, not the medians: repeats are extra
// points, and least squares averages their noise. B is a row's `prompts`
// (the prompts that actually ran), P its mean prompt tokens and N its mean
// output tokens as generated (EOS can stop a prompt before max_tokens).
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenroute/carbon/accounting.h"
#include "greenroute/core/status.h"
#include "greenroute/profile/fit.h"
#include "greenroute/profile/knee.h"
#include "greenroute/profile/measurement.h"
#include "greenroute/profile/profile.h"

namespace greenroute::profile {

// What the bench knows that its rows do not.
struct ProfileInputs {
  ProfileKind kind = ProfileKind::kMeasured;
  std::string created_at;  // ISO-8601 UTC from the caller's clock ("...Z")
  DeviceInfo device;
  ModelInfo model;
  MeterInfo meter;
  double idle_watts = 0;
  // The most sequences memory holds, from the engine's MemoryModel
  // (max_sequences(budget, mean prompt + largest max_tokens)). nullopt:
  // derived from the rows' predicted_bytes (derive_max_batch_fits).
  std::optional<int> max_batch_fits;
  std::optional<carbon::EmbodiedCarbon> embodied;
  std::vector<Source> sources;
  std::string notes;
  KneeOptions knee;
};

// One SweepPoint per (batch_size, max_tokens), sorted. Saturated rows count
// as repeats and mark the point saturated but add no metrics. Values that are
// not finite (NaN energy from a failed meter window) are left out of medians.
std::vector<SweepPoint> summarize_sweep(const std::vector<RunMeasurement>& rows);

// The fit inputs of the unsaturated rows with a finite value: batch latency
// (ms), batch energy (J) and median TTFT (ms).
std::vector<FitPoint> latency_points(const std::vector<RunMeasurement>& rows);
std::vector<FitPoint> energy_points(const std::vector<RunMeasurement>& rows);
std::vector<FitPoint> ttft_points(const std::vector<RunMeasurement>& rows);

// Memory capacity in sequences, from the sweep alone: at the largest
// max_tokens, a straight line through predicted_bytes against batch size
// (bytes = base + batch * per_sequence) solved for memory_bytes. With fewer
// than two batch sizes carrying predicted_bytes, the largest unsaturated
// batch size. nullopt when neither exists.
std::optional<int> derive_max_batch_fits(const std::vector<SweepPoint>& sweep,
                                         std::uint64_t memory_bytes);

// The whole pipeline; the result passes validate_profile. Errors carry the
// stage ("latency fit: ...", "knee: ...") and the fit's own code.
core::Result<DeviceProfile> build_profile(const std::vector<RunMeasurement>& rows,
                                          const ProfileInputs& inputs);

}  // namespace greenroute::profile
