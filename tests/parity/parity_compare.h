// Comparisons between greenroute's outputs and llama.cpp's, for the parity
// tests: next-token distributions and greedy paths.
//
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace greenroute::parity {

// How far one next-token distribution is from the reference's.
struct DistributionDiff {
  double max_prob_diff = 0.0;   // max over tokens of |p_ours - p_ref|
  double max_logit_diff = 0.0;  // max over tokens of |logit_ours - logit_ref|
  std::int32_t argmax_ours = -1;
  std::int32_t argmax_ref = -1;
  double ref_margin = 0.0;      // reference top-1 minus top-2 logit
};

// softmax in double (the reference's probabilities are float softmax; double
// here keeps our side of the comparison free of extra rounding).
std::vector<double> softmax(std::span<const float> logits);

std::int32_t argmax(std::span<const float> logits);
std::int32_t argmax(std::span<const double> logits);

// ours: our raw logits; ref_logits/ref_probs: the reference's, same length.
DistributionDiff compare_distribution(std::span<const float> ours, std::span<const double> ref_logits,
                                      std::span<const double> ref_probs);

// Whether a differing argmax is a near tie that rounding alone can flip: the
// reference's top-2 margin is within twice the largest logit difference seen
// at that step (each engine's top-2 may move by that much either way).
bool is_near_tie(const DistributionDiff& d);

// "[a, b, c]" for messages.
std::string format_tokens(std::span<const std::int32_t> tokens, std::size_t max_items = 80);

// Running maximum over many comparisons, for reporting.
struct DiffSummary {
  double max_prob_diff = 0.0;
  double max_logit_diff = 0.0;
  int compared = 0;
  int argmax_mismatch = 0;       // argmax differs and it is not a near tie
  int argmax_near_tie = 0;       // argmax differs at a near tie (accepted)
  void add(const DistributionDiff& d);
};

}  // namespace greenroute::parity
