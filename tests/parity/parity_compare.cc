#include "parity/parity_compare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace greenroute::parity {

std::vector<double> softmax(std::span<const float> logits) {
  std::vector<double> p(logits.size(), 0.0);
  if (logits.empty()) return p;
  const double mx = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    p[i] = std::exp(static_cast<double>(logits[i]) - mx);
    sum += p[i];
  }
  for (double& v : p) v /= sum;
  return p;
}

std::int32_t argmax(std::span<const float> logits) {
  if (logits.empty()) return -1;
  // First maximum, as llama.cpp's greedy sampler picks.
  return static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

std::int32_t argmax(std::span<const double> logits) {
  if (logits.empty()) return -1;
  return static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

DistributionDiff compare_distribution(std::span<const float> ours, std::span<const double> ref_logits,
                                      std::span<const double> ref_probs) {
  DistributionDiff d;
  if (ours.size() != ref_logits.size() || ours.size() != ref_probs.size()) {
    d.max_prob_diff = d.max_logit_diff = std::numeric_limits<double>::infinity();
    return d;
  }
  const std::vector<double> p = softmax(ours);
  double best = -std::numeric_limits<double>::infinity();
  double second = best;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    d.max_prob_diff = std::max(d.max_prob_diff, std::abs(p[i] - ref_probs[i]));
    d.max_logit_diff = std::max(d.max_logit_diff, std::abs(static_cast<double>(ours[i]) - ref_logits[i]));
    if (ref_logits[i] > best) {
      second = best;
      best = ref_logits[i];
    } else if (ref_logits[i] > second) {
      second = ref_logits[i];
    }
  }
  d.argmax_ours = argmax(ours);
  d.argmax_ref = argmax(ref_logits);
  d.ref_margin = best - second;
  return d;
}

bool is_near_tie(const DistributionDiff& d) { return d.ref_margin <= 2.0 * d.max_logit_diff; }

std::string format_tokens(std::span<const std::int32_t> tokens, std::size_t max_items) {
  std::ostringstream ss;
  ss << "[";
  for (std::size_t i = 0; i < tokens.size() && i < max_items; ++i) ss << (i ? ", " : "") << tokens[i];
  if (tokens.size() > max_items) ss << ", ... (" << tokens.size() << " in all)";
  ss << "]";
  return ss.str();
}

void DiffSummary::add(const DistributionDiff& d) {
  max_prob_diff = std::max(max_prob_diff, d.max_prob_diff);
  max_logit_diff = std::max(max_logit_diff, d.max_logit_diff);
  ++compared;
  if (d.argmax_ours != d.argmax_ref) {
    if (is_near_tie(d)) {
      ++argmax_near_tie;
    } else {
      ++argmax_mismatch;
    }
  }
}

}  // namespace greenroute::parity
