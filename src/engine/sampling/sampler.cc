#include "greenroute/engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "greenroute/core/check.h"

namespace greenroute::engine::sampling {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

std::string fmt(float v) { return std::to_string(v); }

}  // namespace

core::Status SamplingParams::validate() const {
  if (!std::isfinite(temperature) || temperature < 0.0f) {
    return core::invalid_argument("temperature must be a finite number >= 0 (0 = greedy), got " +
                                  fmt(temperature));
  }
  if (top_k < 0) {
    return core::invalid_argument("top_k must be >= 0 (0 = off), got " + std::to_string(top_k));
  }
  if (!(top_p > 0.0f && top_p <= 1.0f)) {
    return core::invalid_argument("top_p must be in (0, 1] (1 = off), got " + fmt(top_p));
  }
  if (!(min_p >= 0.0f && min_p <= 1.0f)) {
    return core::invalid_argument("min_p must be in [0, 1] (0 = off), got " + fmt(min_p));
  }
  if (!std::isfinite(repeat_penalty) || repeat_penalty <= 0.0f) {
    return core::invalid_argument("repeat_penalty must be a finite number > 0 (1 = off), got " +
                                  fmt(repeat_penalty));
  }
  if (repeat_last_n < 0) {
    return core::invalid_argument("repeat_last_n must be >= 0 (0 = off), got " +
                                  std::to_string(repeat_last_n));
  }
  return core::Status::ok();
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {
  GR_CHECK(params.validate().is_ok());
}

void Sampler::apply_repeat_penalty(std::span<const std::int32_t> history) {
  if (params_.repeat_penalty == 1.0f || params_.repeat_last_n == 0 || history.empty()) return;
  const std::size_t n = std::min<std::size_t>(history.size(), static_cast<std::size_t>(params_.repeat_last_n));
  const auto n_vocab = static_cast<std::int64_t>(logits_.size());
  recent_.assign(history.end() - static_cast<std::ptrdiff_t>(n), history.end());
  std::sort(recent_.begin(), recent_.end());
  recent_.erase(std::unique(recent_.begin(), recent_.end()), recent_.end());
  for (const std::int32_t id : recent_) {
    if (id < 0 || id >= n_vocab) continue;
    float& l = logits_[static_cast<std::size_t>(id)];
    // Dividing a negative logit would make the token *more* likely; llama.cpp
    // multiplies those instead.
    if (l <= 0.0f) {
      l *= params_.repeat_penalty;
    } else {
      l /= params_.repeat_penalty;
    }
  }
}

namespace {
template <typename C>
bool better(const C& a, const C& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}
}  // namespace

void Sampler::apply_top_k() {
  const std::size_t k = static_cast<std::size_t>(params_.top_k);
  if (k == 0) return;
  if (k < candidates_.size()) {
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(k),
                      candidates_.end(), better<Candidate>);
    candidates_.resize(k);
  } else {
    std::sort(candidates_.begin(), candidates_.end(), better<Candidate>);
  }
  sorted_ = true;
}

void Sampler::apply_top_p() {
  if (params_.top_p >= 1.0f) return;
  if (!sorted_) {
    std::sort(candidates_.begin(), candidates_.end(), better<Candidate>);
    sorted_ = true;
  }
  // Softmax over the surviving candidates, untempered (temperature comes
  // later in llama.cpp's chain).
  const double max_logit = candidates_.front().logit;
  double sum = 0.0;
  probs_.resize(candidates_.size());
  for (std::size_t i = 0; i < candidates_.size(); ++i) {
    probs_[i] = std::exp(static_cast<double>(candidates_[i].logit) - max_logit);
    sum += probs_[i];
  }
  double cum = 0.0;
  for (std::size_t i = 0; i < candidates_.size(); ++i) {
    cum += probs_[i] / sum;
    if (cum >= static_cast<double>(params_.top_p)) {
      candidates_.resize(i + 1);
      return;
    }
  }
}

void Sampler::apply_min_p() {
  if (params_.min_p <= 0.0f) return;
  float max_logit = kNegInf;
  for (const Candidate& c : candidates_) max_logit = std::max(max_logit, c.logit);
  // p_i >= min_p * p_max  <=>  logit_i >= max_logit + log(min_p).
  const float min_logit = max_logit + std::log(params_.min_p);
  // A stable filter keeps the (possibly sorted) order; the maximum always survives.
  std::erase_if(candidates_, [min_logit](const Candidate& c) { return c.logit < min_logit; });
}

std::int32_t Sampler::draw() {
  const Candidate* best = &candidates_.front();
  for (const Candidate& c : candidates_) {
    if (better(c, *best)) best = &c;
  }
  const double inv_t = 1.0 / static_cast<double>(params_.temperature);
  const double max_scaled = static_cast<double>(best->logit) * inv_t;
  double sum = 0.0;
  probs_.resize(candidates_.size());
  for (std::size_t i = 0; i < candidates_.size(); ++i) {
    probs_[i] = std::exp(static_cast<double>(candidates_[i].logit) * inv_t - max_scaled);
    sum += probs_[i];
  }
  // All -inf (every token masked) or an overflow: fall back to the best token.
  if (!(sum > 0.0) || !std::isfinite(sum)) return best->id;
  const double u = rng_.uniform_double() * sum;
  double cum = 0.0;
  for (std::size_t i = 0; i < candidates_.size(); ++i) {
    cum += probs_[i];
    if (u < cum) return candidates_[i].id;
  }
  // Rounding left u just past the last bucket: take the last token with mass.
  for (std::size_t i = candidates_.size(); i-- > 0;) {
    if (probs_[i] > 0.0) return candidates_[i].id;
  }
  return best->id;
}

std::int32_t Sampler::sample(std::span<const float> logits, std::span<const std::int32_t> history) {
  GR_CHECK(!logits.empty());
  GR_CHECK(logits.size() <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()));
  logits_.resize(logits.size());
  for (std::size_t i = 0; i < logits.size(); ++i) {
    // NaN would break the orderings below; treat it as "impossible".
    logits_[i] = std::isnan(logits[i]) ? kNegInf : logits[i];
  }
  apply_repeat_penalty(history);

  if (params_.temperature == 0.0f) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < logits_.size(); ++i) {
      if (logits_[i] > logits_[best]) best = i;  // strict: lowest id wins ties
    }
    return static_cast<std::int32_t>(best);
  }

  candidates_.resize(logits_.size());
  for (std::size_t i = 0; i < logits_.size(); ++i) {
    candidates_[i] = Candidate{static_cast<std::int32_t>(i), logits_[i]};
  }
  sorted_ = false;
  apply_top_k();
  apply_top_p();
  apply_min_p();
  return draw();
}

}  // namespace greenroute::engine::sampling
