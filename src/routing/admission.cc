#include "greenroute/routing/admission.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "greenroute/core/check.h"

namespace greenroute::routing {

core::Status validate_admission_options(const AdmissionOptions& o) {
  if (o.max_queued_tokens == 0) return core::invalid_argument("admission max_queued_tokens must be > 0");
  if (!(o.drain_window_s > 0 && std::isfinite(o.drain_window_s))) {
    return core::invalid_argument(
        fmt::format("admission drain_window_s must be finite and > 0 (is {})", o.drain_window_s));
  }
  if (!(o.min_retry_after_s >= 0 && std::isfinite(o.min_retry_after_s))) {
    return core::invalid_argument(
        fmt::format("admission min_retry_after_s must be finite and >= 0 (is {})", o.min_retry_after_s));
  }
  if (!(o.max_retry_after_s >= o.min_retry_after_s && std::isfinite(o.max_retry_after_s))) {
    return core::invalid_argument(fmt::format(
        "admission max_retry_after_s must be finite and >= min_retry_after_s (is {})", o.max_retry_after_s));
  }
  return core::Status::ok();
}

core::Result<std::unique_ptr<AdmissionController>> AdmissionController::create(
    const AdmissionOptions& options, const core::Clock& clock) {
  GR_RETURN_IF_ERROR(validate_admission_options(options));
  return std::unique_ptr<AdmissionController>(new AdmissionController(options, clock));
}

AdmissionController::AdmissionController(const AdmissionOptions& options, const core::Clock& clock)
    : options_(options),
      clock_(clock),
      created_ns_(clock.now_ns()),
      bucket_ns_(std::max<std::int64_t>(1, static_cast<std::int64_t>(options.drain_window_s * 1e9 / kBuckets))) {}

AdmissionResult AdmissionController::try_admit(std::uint64_t tokens) {
  const std::int64_t now_ns = clock_.now_ns();
  std::lock_guard<std::mutex> lock(mu_);
  AdmissionResult r;
  if (tokens > options_.max_queued_tokens) {
    ++counters_.rejected_too_large;
    r.verdict = AdmissionVerdict::kTooLarge;
    r.reason = fmt::format("request of {} tokens exceeds the queue's capacity of {} tokens", tokens,
                           options_.max_queued_tokens);
    return r;
  }
  const bool tokens_full = queued_tokens_ + tokens > options_.max_queued_tokens;
  const bool count_full = options_.max_queued_requests > 0 && queued_requests_ >= options_.max_queued_requests;
  if (tokens_full || count_full) {
    ++counters_.rejected_full;
    r.verdict = AdmissionVerdict::kQueueFull;
    r.retry_after_s = retry_after_locked(tokens, now_ns);
    r.reason = fmt::format("queue full ({} of {} tokens, {} requests queued); retry after {} s",
                           queued_tokens_, options_.max_queued_tokens, queued_requests_, r.retry_after_s);
    return r;
  }
  queued_tokens_ += tokens;
  ++queued_requests_;
  ++counters_.admitted;
  return r;
}

void AdmissionController::release(std::uint64_t tokens) {
  const std::int64_t now_ns = clock_.now_ns();
  std::lock_guard<std::mutex> lock(mu_);
  GR_CHECK(queued_requests_ > 0 && tokens <= queued_tokens_);
  queued_tokens_ -= tokens;
  --queued_requests_;
  // max(0, ...): a test clock may be set back; the monotonic clock never is.
  const std::int64_t id = std::max<std::int64_t>(0, now_ns - created_ns_) / bucket_ns_;
  Bucket& b = drained_[static_cast<std::size_t>(id % kBuckets)];
  if (b.id != id) b = Bucket{id, 0};
  b.tokens += tokens;
}

double AdmissionController::drain_rate_locked(std::int64_t now_ns) const {
  const std::int64_t elapsed_ns = std::max<std::int64_t>(0, now_ns - created_ns_);
  const std::int64_t id = elapsed_ns / bucket_ns_;
  std::uint64_t sum = 0;
  for (const Bucket& b : drained_) {
    if (b.id >= 0 && b.id > id - kBuckets && b.id <= id) sum += b.tokens;
  }
  // Over the window, or over the controller's life when younger, but never
  // less than one bucket (a burst in the first millisecond is not a rate).
  const double span_ns = static_cast<double>(std::clamp<std::int64_t>(elapsed_ns, bucket_ns_, bucket_ns_ * kBuckets));
  return static_cast<double>(sum) / (span_ns / 1e9);
}

int AdmissionController::retry_after_locked(std::uint64_t tokens, std::int64_t now_ns) const {
  double excess = static_cast<double>(queued_tokens_ + tokens) - static_cast<double>(options_.max_queued_tokens);
  if (options_.max_queued_requests > 0 && queued_requests_ >= options_.max_queued_requests &&
      queued_requests_ > 0) {
    excess = std::max(excess, static_cast<double>(queued_tokens_) / static_cast<double>(queued_requests_));
  }
  const double rate = drain_rate_locked(now_ns);
  const double seconds = rate > 0 ? excess / rate : options_.max_retry_after_s;
  return static_cast<int>(std::ceil(std::clamp(seconds, options_.min_retry_after_s, options_.max_retry_after_s)));
}

AdmissionStats AdmissionController::stats() const {
  const std::int64_t now_ns = clock_.now_ns();
  std::lock_guard<std::mutex> lock(mu_);
  AdmissionStats s = counters_;
  s.queued_tokens = queued_tokens_;
  s.queued_requests = queued_requests_;
  s.drain_tokens_per_s = drain_rate_locked(now_ns);
  return s;
}

}  // namespace greenroute::routing
