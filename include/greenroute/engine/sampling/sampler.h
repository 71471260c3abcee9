// Token sampling: turns one row of logits into the next token.
//
// The chain mirrors llama.cpp's default (common/common.h `samplers`), minus
// the samplers greenroute does not offer (DRY, top-n-sigma, typical-p, XTC):
//   repetition penalty -> [temperature == 0: argmax]
//   -> top-k -> top-p -> min-p -> temperature -> softmax -> seeded draw.
// The penalty uses llama.cpp's rule: each distinct token among the last
// repeat_last_n of the history has a logit <= 0 multiplied by, and a positive
// logit divided by, repeat_penalty. Ties are always broken towards the lower
// token id, so results do not depend on sort stability.
//
// Thread contract: a Sampler is single-owner (one per sequence, so a batch can
// mix settings); SamplingParams is a plain value.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/core/status.h"

namespace greenroute::engine::sampling {

struct SamplingParams {
  float temperature = 0.8f;    // 0 = greedy (argmax)
  int top_k = 40;              // 0 = off
  float top_p = 0.95f;         // 1 = off
  float min_p = 0.05f;         // 0 = off
  float repeat_penalty = 1.0f; // 1 = off
  int repeat_last_n = 64;      // 0 = off
  std::uint64_t seed = 0;

  // kInvalidArgument naming the first field out of range.
  core::Status validate() const;
};

class Sampler {
 public:
  // Precondition: params.validate() is ok (checked: a bad value aborts).
  explicit Sampler(const SamplingParams& params);

  const SamplingParams& params() const { return params_; }

  // Picks a token id in [0, logits.size()). `history` is what the repetition
  // penalty may look at, oldest first: llama-server passes the prompt and the
  // generated tokens; ids outside the vocabulary are ignored. Each call
  // advances the Rng once (unless greedy), so a seed fixes the whole sequence.
  // Precondition: logits is not empty.
  std::int32_t sample(std::span<const float> logits, std::span<const std::int32_t> history);

 private:
  struct Candidate {
    std::int32_t id;
    float logit;
  };

  void apply_repeat_penalty(std::span<const std::int32_t> history);
  void apply_top_k();
  void apply_top_p();
  void apply_min_p();
  std::int32_t draw();

  SamplingParams params_;
  core::Rng rng_;
  bool sorted_ = false;                 // candidates_ sorted by (logit desc, id asc)
  std::vector<Candidate> candidates_;   // reused between calls
  std::vector<float> logits_;           // penalised copy of the input row
  std::vector<std::int32_t> recent_;    // distinct recent tokens (scratch)
  std::vector<double> probs_;           // scratch for top-p and the draw
};

}  // namespace greenroute::engine::sampling
