// Admission: the gateway's bounded queue, as accounting. try_admit() takes a
// request's tokens (prompt + max output, all its prompts) into the backlog or
// refuses it; release() gives them back when the request finishes, however
// it finishes. A refusal for a full queue carries a Retry-After estimate:
//
//   excess      = backlog + tokens - max_queued_tokens   (what must drain first;
//                 when the request-count limit is what binds, at least the
//                 mean tokens of one queued request)
//   drain rate  = tokens released over the last drain_window_s
//   retry_after = ceil(clamp(excess / drain rate, min_retry_after_s, max_retry_after_s))
//                 (max_retry_after_s when nothing drained in the window)
//
// A request larger than the whole queue is refused as kTooLarge: waiting
// cannot help, so the gateway answers 4xx without Retry-After.
//
// Thread contract: thread-safe. One mutex guards the counters and the drain
// buckets; every call is O(1) and holds it for a few operations. The Clock
// must outlive the controller.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "greenroute/core/clock.h"
#include "greenroute/core/status.h"

namespace greenroute::routing {

struct AdmissionOptions {
  std::uint64_t max_queued_tokens = 0;    // > 0
  std::uint64_t max_queued_requests = 0;  // 0: no limit on the count
  double drain_window_s = 10;             // > 0
  double min_retry_after_s = 1;           // >= 0
  double max_retry_after_s = 60;          // >= min_retry_after_s
};

// kInvalidArgument naming the bad field.
core::Status validate_admission_options(const AdmissionOptions& options);

enum class AdmissionVerdict { kAdmitted, kQueueFull, kTooLarge };

struct AdmissionResult {
  AdmissionVerdict verdict = AdmissionVerdict::kAdmitted;
  int retry_after_s = 0;  // kQueueFull only
  std::string reason;     // "" when admitted
  bool admitted() const { return verdict == AdmissionVerdict::kAdmitted; }
};

struct AdmissionStats {
  std::uint64_t queued_tokens = 0;
  std::uint64_t queued_requests = 0;
  std::uint64_t admitted = 0;
  std::uint64_t rejected_full = 0;
  std::uint64_t rejected_too_large = 0;
  double drain_tokens_per_s = 0;  // over the recent window
};

class AdmissionController {
 public:
  static core::Result<std::unique_ptr<AdmissionController>> create(const AdmissionOptions& options,
                                                                   const core::Clock& clock);
  AdmissionController(const AdmissionController&) = delete;
  AdmissionController& operator=(const AdmissionController&) = delete;

  AdmissionResult try_admit(std::uint64_t tokens);
  // Precondition (checked): `tokens` were admitted and not yet released.
  void release(std::uint64_t tokens);
  AdmissionStats stats() const;

 private:
  AdmissionController(const AdmissionOptions& options, const core::Clock& clock);

  // The drain window is kBuckets buckets of drain_window_s / kBuckets each,
  // reused round-robin: O(1) memory whatever the request rate.
  static constexpr int kBuckets = 10;
  struct Bucket {
    std::int64_t id = -1;  // floor(time / width) it counts for; -1: never used
    std::uint64_t tokens = 0;
  };
  double drain_rate_locked(std::int64_t now_ns) const;
  int retry_after_locked(std::uint64_t tokens, std::int64_t now_ns) const;

  const AdmissionOptions options_;
  const core::Clock& clock_;
  const std::int64_t created_ns_;
  const std::int64_t bucket_ns_;
  mutable std::mutex mu_;
  std::uint64_t queued_tokens_ = 0;          // guarded by mu_
  std::uint64_t queued_requests_ = 0;        // guarded by mu_
  AdmissionStats counters_;                  // guarded by mu_ (admitted and rejected_*)
  std::array<Bucket, kBuckets> drained_{};   // guarded by mu_
};

}  // namespace greenroute::routing
