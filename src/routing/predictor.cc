#include "greenroute/routing/predictor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "greenroute/core/check.h"
#include "predict_capped.h"

namespace greenroute::routing {

Prediction predict(const NodeState& node, const RequestShape& request) {
  GR_CHECK(node.profile != nullptr);
  return internal::predict_capped(node, request, node.effective_max_batch(),
                                  node.profile->predict_latency_ms(request.num_prompts,
                                                                   request.prompt_tokens,
                                                                   request.max_output_tokens));
}


core::Status validate_predictor_options(const PredictorOptions& o) {
  if (!(o.alpha > 0 && o.alpha <= 1)) {
    return core::invalid_argument(fmt::format("predictor alpha must be in (0, 1] (is {})", o.alpha));
  }
  if (!(o.min_ratio > 0 && o.min_ratio <= 1)) {
    return core::invalid_argument(
        fmt::format("predictor min_ratio must be in (0, 1] (is {})", o.min_ratio));
  }
  if (!(o.max_ratio >= 1 && std::isfinite(o.max_ratio))) {
    return core::invalid_argument(
        fmt::format("predictor max_ratio must be finite and >= 1 (is {})", o.max_ratio));
  }
  return core::Status::ok();
}

OnlineCorrector::OnlineCorrector(const PredictorOptions& options) : options_(options) {
  GR_CHECK(validate_predictor_options(options_).is_ok());
}

core::Result<std::unique_ptr<OnlineCorrector>> OnlineCorrector::create(const PredictorOptions& options) {
  GR_RETURN_IF_ERROR(validate_predictor_options(options));
  return std::unique_ptr<OnlineCorrector>(new OnlineCorrector(options));
}

namespace {

bool positive_finite(double v) { return std::isfinite(v) && v > 0; }

// EW update of a ratio toward one clamped sample.
double blend_ratio(double ratio, double sample, const PredictorOptions& o) {
  const double clamped = std::clamp(sample, o.min_ratio, o.max_ratio);
  return std::clamp((1 - o.alpha) * ratio + o.alpha * clamped, o.min_ratio, o.max_ratio);
}

// EW mean absolute percentage error; the first sample seeds it.
double blend_ape(double mape, std::uint64_t seen, double predicted, double observed, double alpha) {
  const double ape = std::abs(predicted - observed) / observed * 100.0;
  return seen == 0 ? ape : (1 - alpha) * mape + alpha * ape;
}

}  // namespace

core::Status OnlineCorrector::observe(const Observation& obs) {
  const Prediction& pred = obs.predicted;
  core::Status bad;
  if (!positive_finite(obs.observed_latency_ms)) {
    bad = core::invalid_argument(fmt::format("observed latency must be finite and > 0 ms (is {})",
                                             obs.observed_latency_ms));
  } else if (!positive_finite(pred.model_latency_ms) || !std::isfinite(pred.latency_ms)) {
    bad = core::invalid_argument(fmt::format("predicted latency must be finite and > 0 ms (is {})",
                                             pred.model_latency_ms));
  } else if (obs.observed_energy_j &&
             (!positive_finite(*obs.observed_energy_j) || !positive_finite(pred.model_energy_j) ||
              !std::isfinite(pred.energy_j))) {
    bad = core::invalid_argument(
        fmt::format("observed and predicted energy must be finite and > 0 J (are {} and {})",
                    *obs.observed_energy_j, pred.model_energy_j));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!bad.is_ok()) {
    ++stats_.rejected;
    return bad;
  }
  const double a = options_.alpha;
  stats_.latency_mape_pct = blend_ape(stats_.latency_mape_pct, stats_.latency_observations,
                                      pred.latency_ms, obs.observed_latency_ms, a);
  ++stats_.latency_observations;
  correction_.latency_ratio =
      blend_ratio(correction_.latency_ratio, obs.observed_latency_ms / pred.model_latency_ms, options_);
  if (obs.observed_energy_j) {
    stats_.energy_mape_pct = blend_ape(stats_.energy_mape_pct, stats_.energy_observations,
                                       pred.energy_j, *obs.observed_energy_j, a);
    ++stats_.energy_observations;
    correction_.energy_ratio =
        blend_ratio(correction_.energy_ratio, *obs.observed_energy_j / pred.model_energy_j, options_);
  }
  return core::Status::ok();
}

Correction OnlineCorrector::correction() const {
  std::lock_guard<std::mutex> lock(mu_);
  return correction_;
}

PredictionErrorStats OnlineCorrector::error_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace greenroute::routing
