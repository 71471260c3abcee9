// CachedSource: puts a TTL cache and a fallback chain in front of a live
// CarbonSource, so that a router calling intensity() per request neither
// waits on the network each time nor fails when an API does.
//
// intensity(zone, t):
//  1. A value fetched for (zone, t's bucket) less than ttl_s ago: returned
//     as is. Buckets are bucket_s wide, so "now" asked every second is one
//     entry per bucket, not one request per call.
//  2. Otherwise the live source is asked. Success: cached, remembered as the
//     zone's last good value, returned.
//  3. On failure (or while backing off after one, below):
//     a. the zone's last good value, if fetched less than max_stale_s ago,
//        returned with stale = true (it keeps its own at_unix_s and
//        fetched_at_unix_s, so the caller can see how old it is);
//     b. else the fallback source's answer (its own `source` name says so);
//     c. else the live source's error.
//     A failure logs one warning naming the source, zone and error, and what
//     was served instead.
// After a failure the live source is left alone for failure_backoff_s: a
// dead API with a 5 s timeout must not add 5 s to every request.
//
// Time for TTL, staleness and back-off comes from the injected monotonic
// core::Clock (tests use a core::ManualClock).
//
// Thread-safe: state is guarded by a mutex that is never held during a
// fetch. Fetches are serialized by a second mutex, and a caller re-checks the
// cache after waiting for it, so N threads missing the same entry at once
// cost one request.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon {

struct CacheOptions {
  std::int64_t ttl_s = 300;
  std::int64_t bucket_s = 900;
  std::int64_t max_stale_s = 6 * 3600;
  std::int64_t failure_backoff_s = 30;
};

struct CacheStats {
  std::uint64_t hits = 0;
  std::uint64_t fetches = 0;  // calls into the live source
  std::uint64_t failures = 0;
  std::uint64_t stale_served = 0;
  std::uint64_t fallback_served = 0;
};

class CachedSource final : public CarbonSource {
 public:
  // `fallback` may be null. `clock` (monotonic) is not owned and must
  // outlive this object; nullptr uses an internal core::SteadyClock.
  // kInvalidArgument from create() for a null live source or options out of
  // range (ttl_s, max_stale_s, failure_backoff_s >= 0; bucket_s >= 1; each
  // at most ten years).
  static core::Result<std::unique_ptr<CachedSource>> create(std::unique_ptr<CarbonSource> live,
                                                            std::unique_ptr<CarbonSource> fallback,
                                                            const core::Clock* clock,
                                                            CacheOptions options = {});

  // "cached:<live source name>"
  std::string_view name() const override { return name_; }
  core::Result<Intensity> intensity(std::string_view zone, std::int64_t at_unix_s) override;

  CacheStats stats() const;
  CarbonSource& live() { return *live_; }

 private:
  struct Entry {
    Intensity value;
    std::int64_t fetched_ns = 0;  // on clock_
  };
  struct Failure {
    core::Status error;
    std::int64_t until_ns = 0;  // no live fetch for this zone before then
  };
  using Key = std::pair<std::string, std::int64_t>;  // zone, bucket

  CachedSource(std::unique_ptr<CarbonSource> live, std::unique_ptr<CarbonSource> fallback,
               const core::Clock* clock, CacheOptions options);

  // A fresh cached value for `key`, if any. Requires mu_ held.
  const Entry* fresh(const Key& key, std::int64_t now_ns) const;
  // Steps 3a-c for a failed or backed-off zone; `warn` logs the outcome.
  core::Result<Intensity> degrade(std::string_view zone, std::int64_t at_unix_s,
                                  const core::Status& error, bool warn);

  std::unique_ptr<CarbonSource> live_;
  std::unique_ptr<CarbonSource> fallback_;
  core::SteadyClock steady_;  // used when no clock was injected
  const core::Clock& clock_;
  CacheOptions options_;
  std::string name_;

  std::mutex fetch_mu_;  // serializes live fetches; taken before mu_, never inside it
  mutable std::mutex mu_;
  std::map<Key, Entry> cache_;                            // guarded by mu_
  std::map<std::string, Entry, std::less<>> last_good_;   // guarded by mu_
  std::map<std::string, Failure, std::less<>> failures_;  // guarded by mu_
  CacheStats stats_;                                      // guarded by mu_
};

}  // namespace greenroute::carbon
