#include "greenroute/power/attribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_set>

namespace greenroute::power {
namespace {

bool finite_non_negative(double v) { return std::isfinite(v) && v >= 0.0; }

core::Status check_input(const AttributionInput& in) {
  if (!finite_non_negative(in.window_j)) {
    return core::invalid_argument(
        fmt::format("attribution: window energy must be finite and >= 0, got {} J", in.window_j));
  }
  if (!finite_non_negative(in.duration_s)) {
    return core::invalid_argument(
        fmt::format("attribution: duration must be finite and >= 0, got {} s", in.duration_s));
  }
  if (in.idle_watts && !finite_non_negative(*in.idle_watts)) {
    return core::invalid_argument(
        fmt::format("attribution: idle watts must be finite and >= 0, got {}", *in.idle_watts));
  }
  const TokenWeights& w = in.weights;
  if (!finite_non_negative(w.prompt) || !finite_non_negative(w.generated) ||
      (w.prompt == 0.0 && w.generated == 0.0)) {
    return core::invalid_argument(fmt::format(
        "attribution: token weights must be finite, >= 0 and not both 0, got prompt {} generated {}", w.prompt,
        w.generated));
  }
  std::unordered_set<std::string> seen;
  for (const RequestTokens& r : in.requests) {
    if (r.prompt_tokens < 0 || r.generated_tokens < 0) {
      return core::invalid_argument(
          fmt::format("attribution: request '{}' has negative tokens ({} prompt, {} generated)",
                      r.request_id, r.prompt_tokens, r.generated_tokens));
    }
    if (!seen.insert(r.request_id).second) {
      return core::invalid_argument(fmt::format("attribution: request '{}' listed twice", r.request_id));
    }
  }
  return core::Status::ok();
}

}  // namespace

core::Result<Attribution> attribute_energy(const AttributionInput& input) {
  GR_RETURN_IF_ERROR(check_input(input));
  Attribution out;
  out.window_j = input.window_j;
  if (input.idle_watts) {
    const double idle_j = *input.idle_watts * input.duration_s;
    out.idle_capped = idle_j > input.window_j;
    out.idle_j = std::min(idle_j, input.window_j);
  }
  const double active_j = input.window_j - out.idle_j;  // >= 0 by the cap

  double total_weight = 0.0;
  out.requests.reserve(input.requests.size());
  for (const RequestTokens& r : input.requests) {
    RequestEnergy e;
    e.request_id = r.request_id;
    e.weight = input.weights.prompt * static_cast<double>(r.prompt_tokens) +
               input.weights.generated * static_cast<double>(r.generated_tokens);
    total_weight += e.weight;
    out.requests.push_back(std::move(e));
  }
  if (!std::isfinite(total_weight)) {
    return core::invalid_argument("attribution: weighted token total overflows");
  }
  if (total_weight > 0.0) {
    for (RequestEnergy& e : out.requests) {
      e.share = e.weight / total_weight;
      e.energy_j = active_j * e.share;
      out.attributed_j += e.energy_j;
    }
  } else {
    out.unattributed_j = active_j;
  }

  out.residual_j = out.window_j - (out.attributed_j + out.idle_j + out.unattributed_j);
  // Each share is one rounding from exact and the sum adds one more per
  // request, so the error grows with the number of requests, never with luck.
  const double tolerance = 1e-12 + 4.0 * static_cast<double>(out.requests.size() + 2) *
                                       std::numeric_limits<double>::epsilon() * out.window_j;
  if (std::fabs(out.residual_j) > tolerance) {
    return core::internal_error(
        fmt::format("attribution: books off by {} J of {} J", out.residual_j, out.window_j));
  }
  return out;
}

}  // namespace greenroute::power
