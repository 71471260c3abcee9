#include "greenroute/engine/sampling/logprobs.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "greenroute/core/check.h"

namespace greenroute::engine::sampling {

namespace {
float key(float x) { return std::isnan(x) ? -INFINITY : x; }
}  // namespace

LogprobInfo compute_logprobs(std::span<const float> raw_logits, std::int32_t chosen, int top_k) {
  GR_CHECK(!raw_logits.empty());
  GR_CHECK(chosen >= 0 && static_cast<std::size_t>(chosen) < raw_logits.size());

  // log p_i = x_i - (max + log sum exp(x_j - max)): no overflow for any logits.
  double max_logit = -INFINITY;
  for (const float x : raw_logits) max_logit = std::max(max_logit, static_cast<double>(x));
  double sum = 0.0;
  for (const float x : raw_logits) sum += std::exp(static_cast<double>(x) - max_logit);
  const double log_z = max_logit + std::log(sum);
  auto logprob = [&](std::size_t i) { return static_cast<float>(static_cast<double>(raw_logits[i]) - log_z); };

  LogprobInfo info;
  info.chosen_logprob = logprob(static_cast<std::size_t>(chosen));

  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(std::max(top_k, 0)), raw_logits.size());
  if (k == 0) return info;
  std::vector<std::int32_t> ids(raw_logits.size());
  std::iota(ids.begin(), ids.end(), 0);
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(),
                    [&](std::int32_t a, std::int32_t b) {
                      // NaN sorts last so the ordering stays strict-weak.
                      const float la = key(raw_logits[static_cast<std::size_t>(a)]);
                      const float lb = key(raw_logits[static_cast<std::size_t>(b)]);
                      return la > lb || (la == lb && a < b);
                    });
  info.top.reserve(k);
  for (std::size_t i = 0; i < k; ++i) {
    info.top.push_back(TokenLogprob{ids[i], logprob(static_cast<std::size_t>(ids[i]))});
  }
  return info;
}

}  // namespace greenroute::engine::sampling
