// Attribution: splitting one window's measured energy across the requests
// that ran in it, in proportion to the tokens each processed.
//
// The rule:
// 1. Idle netting (optional). With idle_watts set, idle_j = idle_watts *
//    duration_s is removed first and reported apart: the device would have
//    drawn it with no request at all. It is capped at the window energy, so the
//    active remainder is never negative (idle_capped says the cap applied: the
//    idle figure is above what the meter saw, probably stale).
// 2. Weights. Request i weighs
//        w_i = prompt_weight * prompt_tokens_i + generated_weight * generated_tokens_i
//    Both weights default to 1 (a plain token split). Prefill processes a
//    prompt token in a batched matmul, much cheaper than a decode step, so a
//    device profile's fitted energy per prefill and per decode token are the
//    right weights where known (only their ratio matters).
// 3. Split. Request i gets active_j * w_i / sum(w). A request with no tokens
//    in the window gets 0 J. If no request has any weight (an empty window,
//    or none listed) the active energy is reported as unattributed_j instead
//    of being charged to anyone.
// The books always balance: attributed_j + idle_j + unattributed_j ==
// window_j (checked to floating-point tolerance; residual_j reports the
// difference); unattributed_j is 0 whenever any token was processed, so then
// attributed_j + idle_j == window_j.
//
// Windows and partial overlap: the caller gives, for each request, only the
// tokens it processed INSIDE the window, not its lifetime totals. A request
// that started before the window or ends after it is charged for the part it
// ran in this window, and its other parts are charged in the windows that
// hold them (e.g. one window per batch step, or per accounting tick); summing
// a request's shares over consecutive windows gives its total energy.
//
// Thread contract: thread-compatible (a pure function over caller data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::power {

struct TokenWeights {
  double prompt = 1.0;     // per prompt (prefill) token; finite, >= 0
  double generated = 1.0;  // per generated (decode) token; finite, >= 0; not both 0
};

struct RequestTokens {
  std::string request_id;          // unique within one call
  std::int64_t prompt_tokens = 0;     // prompt tokens prefilled inside the window, >= 0
  std::int64_t generated_tokens = 0;  // tokens generated inside the window, >= 0
};

struct AttributionInput {
  double window_j = 0.0;    // energy of the window (e.g. EnergyWindow::joules), finite, >= 0
  double duration_s = 0.0;  // the window's length (e.g. EnergyWindow::duration_s), finite, >= 0
  std::optional<double> idle_watts;  // finite, >= 0; unset: no idle netting
  TokenWeights weights;
  std::vector<RequestTokens> requests;
};

struct RequestEnergy {
  std::string request_id;
  double weight = 0.0;    // weighted tokens, w_i above
  double share = 0.0;     // w_i / sum(w), 0 when no request has weight
  double energy_j = 0.0;  // share * active energy
};

struct Attribution {
  std::vector<RequestEnergy> requests;  // in input order
  double window_j = 0.0;
  double idle_j = 0.0;          // netted idle energy, <= window_j
  bool idle_capped = false;     // idle_watts * duration_s exceeded window_j
  double attributed_j = 0.0;    // sum of requests[i].energy_j
  double unattributed_j = 0.0;  // active energy with no token to carry it
  double residual_j = 0.0;      // window_j - (attributed_j + idle_j + unattributed_j)
};

// kInvalidArgument for negative or non-finite figures, negative token counts,
// invalid weights or a duplicate request id. kInternal if the books fail to
// balance beyond tolerance (a bug).
core::Result<Attribution> attribute_energy(const AttributionInput& input);

}  // namespace greenroute::power
