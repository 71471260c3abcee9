// The predictor's core with the per-node work the caller can share hoisted
// out: the node's effective max batch (also needed for eligibility) and the
// profile's isolated latency (the same for every node with that profile).
// predict() and evaluate_candidates() both go through it, so there is one
// formula. Private to src/routing.
//
// Thread contract: pure; thread-safe.
#pragma once

#include "greenroute/routing/node_state.h"
#include "greenroute/routing/predictor.h"

namespace greenroute::routing::internal {

// Precondition: node.profile is set; max_batch == node.effective_max_batch();
// isolated_model_ms == profile latency(k, P, N) for the request.
Prediction predict_capped(const NodeState& node, const RequestShape& request, int max_batch,
                          double isolated_model_ms);

}  // namespace greenroute::routing::internal
