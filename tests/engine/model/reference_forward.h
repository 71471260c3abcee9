// A naive reference forward pass for tests: plain loops in double precision,
// no KV cache (every call recomputes the whole sequence), written straight
// from the llama / qwen2 equations. The optimized Context must agree with it.
#pragma once

#include <cstdint>
#include <vector>

#include "greenroute/engine/model/model.h"

namespace greenroute::engine::testing {

// Logits after each token of `tokens` ([tokens.size()][n_vocab]).
std::vector<std::vector<double>> reference_logits(const model::Model& m, const std::vector<std::int32_t>& tokens);

}  // namespace greenroute::engine::testing
