#include "greenroute/routing/node_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace greenroute::routing {

core::Status validate_request(const RequestShape& request) {
  if (request.num_prompts < 1) {
    return core::invalid_argument(fmt::format("num_prompts must be >= 1 (is {})", request.num_prompts));
  }
  const auto bad_tokens = [](double v) { return !std::isfinite(v) || v < 0; };
  if (bad_tokens(request.prompt_tokens)) {
    return core::invalid_argument(
        fmt::format("prompt_tokens must be finite and >= 0 (is {})", request.prompt_tokens));
  }
  if (bad_tokens(request.max_output_tokens)) {
    return core::invalid_argument(
        fmt::format("max_output_tokens must be finite and >= 0 (is {})", request.max_output_tokens));
  }
  if (request.slo_ms && (!std::isfinite(*request.slo_ms) || *request.slo_ms <= 0)) {
    return core::invalid_argument(fmt::format("slo_ms must be finite and > 0 (is {})", *request.slo_ms));
  }
  return core::Status::ok();
}

}  // namespace greenroute::routing
