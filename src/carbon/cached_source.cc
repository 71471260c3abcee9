#include "greenroute/carbon/cached_source.h"

#include <iterator>
#include <optional>

#include "carbon/api_parsing.h"
#include "greenroute/core/log.h"

namespace greenroute::carbon {
namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;

}  // namespace

CachedSource::CachedSource(std::unique_ptr<CarbonSource> live,
                           std::unique_ptr<CarbonSource> fallback, const core::Clock* clock,
                           CacheOptions options)
    : live_(std::move(live)),
      fallback_(std::move(fallback)),
      clock_(clock ? *clock : steady_),
      options_(options),
      name_("cached:" + std::string(live_->name())) {}

core::Result<std::unique_ptr<CachedSource>> CachedSource::create(
    std::unique_ptr<CarbonSource> live, std::unique_ptr<CarbonSource> fallback,
    const core::Clock* clock, CacheOptions options) {
  if (!live) return core::invalid_argument("cache: no live source to wrap");
  // Ten years bounds every product with kNsPerS far below int64 overflow.
  constexpr std::int64_t kMaxS = 10LL * 365 * 24 * 3600;
  const auto in_range = [](std::int64_t v, std::int64_t lo) { return v >= lo && v <= kMaxS; };
  if (!in_range(options.ttl_s, 0) || !in_range(options.max_stale_s, 0) ||
      !in_range(options.failure_backoff_s, 0) || !in_range(options.bucket_s, 1)) {
    return core::invalid_argument(
        "cache: ttl, max_stale and backoff must be in [0 s, 10 years], bucket in [1 s, 10 years]");
  }
  return std::unique_ptr<CachedSource>(
      new CachedSource(std::move(live), std::move(fallback), clock, options));
}

CacheStats CachedSource::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

const CachedSource::Entry* CachedSource::fresh(const Key& key, std::int64_t now_ns) const {
  const auto it = cache_.find(key);
  if (it == cache_.end() || now_ns - it->second.fetched_ns >= options_.ttl_s * kNsPerS)
    return nullptr;
  return &it->second;
}

core::Result<Intensity> CachedSource::intensity(std::string_view zone, std::int64_t at_unix_s) {
  const Key key{std::string(zone), detail::floor_div(at_unix_s, options_.bucket_s)};
  // Answers from memory (a fresh entry, or the remembered failure while
  // backing off) without touching the live source. nullopt: fetch.
  const auto from_memory = [&]() -> std::optional<core::Result<Intensity>> {
    std::optional<core::Status> backing_off;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const std::int64_t now = clock_.now_ns();
      if (const Entry* e = fresh(key, now)) {
        ++stats_.hits;
        return core::Result<Intensity>(e->value);
      }
      const auto f = failures_.find(zone);
      if (f != failures_.end() && now < f->second.until_ns) backing_off = f->second.error;
    }
    if (!backing_off) return std::nullopt;
    const core::Status remembered(
        backing_off->code(),
        backing_off->message() + " (a recent failure; not retried until the back-off ends)");
    return degrade(zone, at_unix_s, remembered, /*warn=*/false);
  };

  if (auto answer = from_memory()) return std::move(*answer);
  std::unique_lock<std::mutex> fetch_lock(fetch_mu_);
  // Another thread may have fetched (or failed) while this one waited.
  if (auto answer = from_memory()) return std::move(*answer);

  core::Result<Intensity> result = live_->intensity(zone, at_unix_s);
  const std::int64_t now = clock_.now_ns();
  if (result.is_ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.fetches;
    // Drop expired entries so the map stays as small as the live set.
    for (auto it = cache_.begin(); it != cache_.end();) {
      it = now - it->second.fetched_ns >= options_.ttl_s * kNsPerS ? cache_.erase(it)
                                                                   : std::next(it);
    }
    cache_[key] = Entry{result.value(), now};
    last_good_.insert_or_assign(std::string(zone), Entry{result.value(), now});
    failures_.erase(std::string(zone));
    return result;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.fetches;
    ++stats_.failures;
    failures_.insert_or_assign(
        std::string(zone), Failure{result.status(), now + options_.failure_backoff_s * kNsPerS});
  }
  fetch_lock.unlock();
  return degrade(zone, at_unix_s, result.status(), /*warn=*/true);
}

core::Result<Intensity> CachedSource::degrade(std::string_view zone, std::int64_t at_unix_s,
                                              const core::Status& error, bool warn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::int64_t now = clock_.now_ns();
    const auto it = last_good_.find(zone);
    if (it != last_good_.end() && now - it->second.fetched_ns <= options_.max_stale_s * kNsPerS) {
      Intensity stale = it->second.value;
      stale.stale = true;
      ++stats_.stale_served;
      if (warn) {
        spdlog::warn(
            "carbon: {} failed for zone {}: {}; serving its last good value ({} g/kWh, fetched {} "
            "s ago) as stale",
            live_->name(), zone, error.to_string(), stale.g_co2_per_kwh,
            (now - it->second.fetched_ns) / kNsPerS);
      }
      return stale;
    }
  }
  if (fallback_) {
    core::Result<Intensity> fb = fallback_->intensity(zone, at_unix_s);
    if (fb.is_ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.fallback_served;
      }
      if (warn) {
        spdlog::warn("carbon: {} failed for zone {}: {}; using fallback {} ({} g/kWh)",
                     live_->name(), zone, error.to_string(), fallback_->name(), fb->g_co2_per_kwh);
      }
      return fb;
    }
    if (warn) {
      spdlog::warn("carbon: {} failed for zone {}: {}; fallback {} failed too: {}", live_->name(),
                   zone, error.to_string(), fallback_->name(), fb.status().to_string());
    }
    return core::Status(error.code(), error.message() + "; fallback " +
                                          std::string(fallback_->name()) + ": " +
                                          fb.status().message());
  }
  if (warn) {
    spdlog::warn("carbon: {} failed for zone {}: {} (no last good value, no fallback)",
                 live_->name(), zone, error.to_string());
  }
  return error;
}

}  // namespace greenroute::carbon
