// The predictor's core with the per-node work the caller can share hoisted
// out: the node's effective max batch (also needed for eligibility) and the
// profile's isolated latency (the same for every node with that profile).
// predict() and evaluate_candidates() both go through it, so there is one
// formula. Private to src/routing.
//
// Thread contract: pure; thread-safe.
#pragma once

#include <algorithm>

#include "greenroute/core/units.h"
#include "greenroute/routing/node_state.h"
#include "greenroute/routing/predictor.h"

namespace greenroute::routing::internal {

// Writes the prediction into `out` (every field). Precondition: node.profile
// is set; max_batch == node.effective_max_batch(); isolated_model_ms ==
// profile latency(k, P, N) for the request. Inline and in place: built in a
// temporary and copied into the candidate list, the copy stalled on the
// temporary's fresh stores (store forwarding) and cost a third of a decision.
inline void predict_capped_into(const NodeState& node, const RequestShape& request, int max_batch,
                                double isolated_model_ms, Prediction& out) {
  const profile::DeviceProfile& profile = *node.profile;
  const int k = request.num_prompts;
  const int cap = std::max(max_batch, k);
  const int ahead = std::max(node.running_batch, 0) + std::max(node.queue.requests, 0);

  // Continuous batching: the request joins the running batch if there is room;
  // the sequences beyond the cap drain first, `cap` at a time.
  const int batch = std::min(ahead + k, cap);
  const int overflow = std::max(0, ahead + k - cap);
  double queue_wait_ms = 0;
  if (overflow > 0) {
    // Queued work's mean shape; with nothing queued (the overflow is the
    // running batch, of unknown remaining length) the request's own shape.
    const bool queued = node.queue.requests > 0;
    const double pq = queued ? node.queue.prompt_tokens / node.queue.requests : request.prompt_tokens;
    const double nq = queued ? node.queue.output_tokens / node.queue.requests : request.max_output_tokens;
    queue_wait_ms = static_cast<double>(overflow) / cap * profile.predict_latency_ms(cap, pq, nq);
  }
  const double p = request.prompt_tokens;
  const double n = request.max_output_tokens;
  const double service_ms = profile.predict_latency_ms(batch, p, n);
  const double lr = node.correction.latency_ratio;
  const double er = node.correction.energy_ratio;

  out.batch = batch;
  out.model_latency_ms = queue_wait_ms + service_ms;
  out.queue_wait_ms = queue_wait_ms * lr;
  out.service_ms = service_ms * lr;
  out.latency_ms = out.model_latency_ms * lr;
  out.isolated_ms = isolated_model_ms * lr;
  // This request's share of its batch's energy: k of `batch` prompts.
  out.model_energy_j = profile.predict_energy_j(batch, p, n) * k / batch;
  out.energy_j = out.model_energy_j * er;
  // g = J / 3.6e6 * g/kWh * PUE, with the division folded into a constant:
  // this runs for every node of every decision.
  constexpr double kKwhPerJoule = 1.0 / core::kJoulesPerKwh;
  out.carbon_g = out.energy_j * kKwhPerJoule * node.g_co2_per_kwh * node.pue;
}

inline Prediction predict_capped(const NodeState& node, const RequestShape& request, int max_batch,
                                 double isolated_model_ms) {
  Prediction out;
  predict_capped_into(node, request, max_batch, isolated_model_ms, out);
  return out;
}

}  // namespace greenroute::routing::internal
