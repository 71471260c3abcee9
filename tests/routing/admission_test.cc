// Admission: limits, release, Retry-After from the recent drain rate.
#include "greenroute/routing/admission.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace greenroute::routing {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

std::unique_ptr<AdmissionController> make(const AdmissionOptions& o, const core::Clock& clock) {
  auto a = AdmissionController::create(o, clock);
  EXPECT_TRUE(a.is_ok()) << a.status().to_string();
  return a.is_ok() ? std::move(a).value() : nullptr;
}

AdmissionOptions tokens_limit(std::uint64_t max_tokens) {
  AdmissionOptions o;
  o.max_queued_tokens = max_tokens;
  return o;
}

TEST(Admission, AdmitsUpToTheTokenLimitAndAgainAfterRelease) {
  core::ManualClock clock;
  auto a = make(tokens_limit(1000), clock);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(a->try_admit(100).admitted()) << i;
  const AdmissionResult full = a->try_admit(1);
  EXPECT_EQ(full.verdict, AdmissionVerdict::kQueueFull);
  EXPECT_GE(full.retry_after_s, 1);
  EXPECT_EQ(full.reason.rfind("queue full (1000 of 1000 tokens, 10 requests queued)", 0), 0u) << full.reason;
  a->release(100);
  EXPECT_TRUE(a->try_admit(100).admitted());
  const AdmissionStats s = a->stats();
  EXPECT_EQ(s.queued_tokens, 1000u);
  EXPECT_EQ(s.queued_requests, 10u);
  EXPECT_EQ(s.admitted, 11u);
  EXPECT_EQ(s.rejected_full, 1u);
}

TEST(Admission, RequestLargerThanTheQueueIsTooLargeNotFull) {
  core::ManualClock clock;
  auto a = make(tokens_limit(1000), clock);
  const AdmissionResult r = a->try_admit(1001);
  EXPECT_EQ(r.verdict, AdmissionVerdict::kTooLarge);
  EXPECT_EQ(r.retry_after_s, 0);
  EXPECT_EQ(r.reason, "request of 1001 tokens exceeds the queue's capacity of 1000 tokens");
  EXPECT_EQ(a->stats().rejected_too_large, 1u);
  EXPECT_TRUE(a->try_admit(1000).admitted());
}

TEST(Admission, RequestCountLimit) {
  core::ManualClock clock;
  AdmissionOptions o = tokens_limit(1'000'000);
  o.max_queued_requests = 2;
  auto a = make(o, clock);
  EXPECT_TRUE(a->try_admit(10).admitted());
  EXPECT_TRUE(a->try_admit(10).admitted());
  EXPECT_EQ(a->try_admit(10).verdict, AdmissionVerdict::kQueueFull);
  a->release(10);
  EXPECT_TRUE(a->try_admit(10).admitted());
}

TEST(Admission, RetryAfterFromBacklogAndDrainRate) {
  core::ManualClock clock;
  auto a = make(tokens_limit(1000), clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(a->try_admit(100).admitted());
  // 200 tokens drain in the first 2 s: 100 tokens/s.
  clock.advance_ns(2 * kSecond);
  a->release(100);
  a->release(100);
  ASSERT_TRUE(a->try_admit(100).admitted());
  ASSERT_TRUE(a->try_admit(100).admitted());
  EXPECT_DOUBLE_EQ(a->stats().drain_tokens_per_s, 100);
  // 300 more tokens need 300 to drain first: 3 s.
  EXPECT_EQ(a->try_admit(300).retry_after_s, 3);
  EXPECT_EQ(a->try_admit(50).retry_after_s, 1);  // 0.5 s, rounded up

  // Past the 10 s window the old drain no longer counts: nothing is known to
  // drain, so the answer is the ceiling.
  clock.advance_ns(20 * kSecond);
  EXPECT_DOUBLE_EQ(a->stats().drain_tokens_per_s, 0);
  EXPECT_EQ(a->try_admit(300).retry_after_s, 60);
}

TEST(Admission, RetryAfterIsClampedAndCountLimitWaitsForOneRequest) {
  core::ManualClock clock;
  AdmissionOptions o = tokens_limit(1000);
  o.max_queued_requests = 4;
  o.min_retry_after_s = 2;
  o.max_retry_after_s = 30;
  auto a = make(o, clock);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(a->try_admit(50).admitted());
  EXPECT_EQ(a->try_admit(10).retry_after_s, 30);  // nothing drained yet
  clock.advance_ns(10 * kSecond);
  a->release(50);  // 50 tokens in 10 s: 5 tokens/s
  ASSERT_TRUE(a->try_admit(50).admitted());
  // Tokens have room; the count binds: one mean request (50 tokens) = 10 s.
  EXPECT_EQ(a->try_admit(10).retry_after_s, 10);
}

TEST(Admission, RejectsBadOptions) {
  core::ManualClock clock;
  EXPECT_FALSE(AdmissionController::create(AdmissionOptions{}, clock).is_ok());
  AdmissionOptions o = tokens_limit(10);
  o.drain_window_s = 0;
  EXPECT_FALSE(AdmissionController::create(o, clock).is_ok());
  o = tokens_limit(10);
  o.min_retry_after_s = 5;
  o.max_retry_after_s = 4;
  EXPECT_FALSE(AdmissionController::create(o, clock).is_ok());
}

TEST(Admission, ConcurrentAdmitAndReleaseBalance) {
  core::ManualClock clock;
  auto a = make(tokens_limit(100), clock);
  std::vector<std::thread> threads;
  std::atomic<int> admitted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (a->try_admit(10).admitted()) {
          admitted.fetch_add(1);
          a->release(10);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const AdmissionStats s = a->stats();
  EXPECT_EQ(s.queued_tokens, 0u);
  EXPECT_EQ(s.queued_requests, 0u);
  EXPECT_EQ(s.admitted, static_cast<std::uint64_t>(admitted.load()));
  EXPECT_EQ(s.admitted + s.rejected_full, 4000u);
}

}  // namespace
}  // namespace greenroute::routing
