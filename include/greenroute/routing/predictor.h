// The predictor: what a request would cost on a node (completion time,
// energy, carbon), from the node's device profile and live queue, corrected
// online by what the node actually did.
//
// Prediction (predict(), a pure function of the snapshot):
//   B    = the node's effective max batch (node_state.h), k = the request's prompts
//   b    = min(running + queued + k, max(B, k))       the batch the request runs in
//   over = max(0, running + queued + k - B)           sequences that must finish first
//   wait = over / B * latency(B, Pq, Nq)              fluid drain of the queue at batch B
//                                                      (Pq, Nq: mean queued shape, else the request's)
//   service = latency(b, P, N)
//   latency_ms = (wait + service) * latency_ratio
//   energy_j   = energy_per_prompt(b, P, N) * k * energy_ratio
//   carbon_g   = energy_j / 3.6e6 * g_co2_per_kwh * pue
//
// Online correction (OnlineCorrector, one per node): each finished request
// gives a sample observed / profile-predicted (uncorrected), clamped to
// [min_ratio, max_ratio]; the node's ratio moves towards it by
// ratio = (1 - alpha) * ratio + alpha * sample. Because every sample is
// clamped, the ratio stays in that range. The absolute percentage error of the
// corrected prediction is tracked the same way (an exponentially weighted
// MAPE) with counts, for export as a metric.
//
// Thread contract: predict() and validate_predictor_options() are pure and
// thread-safe. OnlineCorrector is thread-safe: observe() may be called from
// many gateway threads while others read correction() and error_stats(); a
// mutex guards its state and is held only for a few arithmetic operations.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "greenroute/core/status.h"
#include "greenroute/routing/node_state.h"

namespace greenroute::routing {

struct Prediction {
  int batch = 0;                // batch size the request is expected to run in
  double queue_wait_ms = 0;     // corrected
  double service_ms = 0;        // corrected
  double latency_ms = 0;        // completion: queue_wait_ms + service_ms, corrected
  double isolated_ms = 0;       // service alone on an idle node, corrected (greedy-fastest)
  double energy_j = 0;          // the request's share, all its prompts, corrected
  double carbon_g = 0;          // gCO2e of energy_j at the node's intensity now
  double model_latency_ms = 0;  // uncorrected (profile only): what corrections compare with
  double model_energy_j = 0;    // uncorrected
};

// Precondition: node.profile is set (a programming error otherwise: policies
// check eligibility first). Request values are assumed validated.
Prediction predict(const NodeState& node, const RequestShape& request);

struct PredictorOptions {
  double alpha = 0.2;       // weight of the newest sample, in (0, 1]
  double min_ratio = 0.1;   // clamp for samples and ratios, in (0, 1]
  double max_ratio = 10.0;  // >= 1
};

// kInvalidArgument naming the bad field.
core::Status validate_predictor_options(const PredictorOptions& options);

// One finished request: what its decision predicted and what happened.
struct Observation {
  Prediction predicted;                     // as recorded in the Decision
  double observed_latency_ms = 0;           // completion, as the gateway measured it
  std::optional<double> observed_energy_j;  // unset when the node could not meter
};

struct PredictionErrorStats {
  std::uint64_t latency_observations = 0;
  std::uint64_t energy_observations = 0;
  double latency_mape_pct = 0;  // EW mean |predicted - observed| / observed, percent
  double energy_mape_pct = 0;
  std::uint64_t rejected = 0;   // observations refused as malformed
};

class OnlineCorrector {
 public:
  OnlineCorrector() : OnlineCorrector(PredictorOptions{}) {}
  // Validates the options (kInvalidArgument).
  static core::Result<std::unique_ptr<OnlineCorrector>> create(const PredictorOptions& options);

  OnlineCorrector(const OnlineCorrector&) = delete;
  OnlineCorrector& operator=(const OnlineCorrector&) = delete;

  // Folds one finished request in. kInvalidArgument (state unchanged, counted
  // as rejected) for a non-finite or non-positive observed latency, a
  // non-positive model latency, or a non-finite / non-positive observed energy.
  core::Status observe(const Observation& observation);

  // The ratios to put into the node's next snapshot (NodeState::correction).
  Correction correction() const;
  PredictionErrorStats error_stats() const;
  const PredictorOptions& options() const { return options_; }

 private:
  explicit OnlineCorrector(const PredictorOptions& options);

  const PredictorOptions options_;
  mutable std::mutex mu_;
  Correction correction_;        // guarded by mu_
  PredictionErrorStats stats_;   // guarded by mu_
};

}  // namespace greenroute::routing
