// greenroute's side of the parity tests: the same evaluations reference.mjs
// asks llama.cpp for, run on our Context and Generator.
//
// Thread contract: single-owner (drives one Context).
#pragma once

#include <cstdint>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/context/context.h"

namespace greenroute::parity {

using TokenList = std::vector<std::int32_t>;

// Next-token logits after `prompt`, evaluated alone in a fresh sequence.
core::Result<std::vector<float>> prompt_logits(engine::context::Context& ctx, const TokenList& prompt);

// Teacher forcing, all prompts batched in each decode: out[p][k] are the
// logits before token paths[p][k], i.e. after prompts[p] + paths[p][0..k).
core::Result<std::vector<std::vector<std::vector<float>>>> forced_path_logits(
    engine::context::Context& ctx, const std::vector<TokenList>& prompts, const std::vector<TokenList>& paths);

// Greedy generation through the Generator (temperature 0, no penalties), all
// prompts running together; each result ends at an end-of-generation token
// (included) or after max_tokens.
core::Result<std::vector<TokenList>> generate_greedy(engine::context::Context& ctx,
                                                     const std::vector<TokenList>& prompts, int max_tokens);

}  // namespace greenroute::parity
