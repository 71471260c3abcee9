// The predictor: the formula on crafted profiles and the shipped reference
// profiles, and the online correction (convergence, clamping, bad input,
// concurrent observers).
#include "greenroute/routing/predictor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "routing_test_util.h"

namespace greenroute::routing {
namespace {

using testing::crafted_profile;
using testing::fast_profile;
using testing::node;
using testing::request;
using testing::slow_profile;

TEST(Predict, IdleNodeIsTheProfileAtTheRequestsOwnBatch) {
  const NodeState n = node("slow", slow_profile(), 360);
  const Prediction p = predict(n, request(100, 50, 2));
  // latency(2, 100, 50) = 10 + 1*200 + 16*50 + 1*100
  EXPECT_EQ(p.batch, 2);
  EXPECT_DOUBLE_EQ(p.queue_wait_ms, 0);
  EXPECT_DOUBLE_EQ(p.service_ms, 1110);
  EXPECT_DOUBLE_EQ(p.latency_ms, 1110);
  EXPECT_DOUBLE_EQ(p.isolated_ms, 1110);
  // energy(2, 100, 50) = 0.05 + 0.01*200 + 0.125*50 + 0.01*100 = 9.3 J, all of it this request's.
  EXPECT_DOUBLE_EQ(p.energy_j, 9.3);
  EXPECT_DOUBLE_EQ(p.carbon_g, 9.3 / 3.6e6 * 360);
  EXPECT_DOUBLE_EQ(p.model_latency_ms, p.latency_ms);
  EXPECT_DOUBLE_EQ(p.model_energy_j, p.energy_j);
}

TEST(Predict, JoinsTheRunningBatchAndQueuesBeyondTheCap) {
  NodeState n = node("slow", slow_profile(), 100);
  n.max_batch = 4;
  n.running_batch = 2;
  // Room for it: runs in a batch of 3 and pays a third of that batch's energy.
  Prediction joined = predict(n, request(100, 50));
  EXPECT_EQ(joined.batch, 3);
  EXPECT_DOUBLE_EQ(joined.queue_wait_ms, 0);
  EXPECT_DOUBLE_EQ(joined.service_ms, 10 + 300 + 800 + 150);
  EXPECT_DOUBLE_EQ(joined.energy_j, (0.05 + 3 + 6.25 + 1.5) / 3);
  EXPECT_DOUBLE_EQ(joined.isolated_ms, 960);

  // Full batch and 6 queued of shape (200, 20): 4 + 6 + 1 - 4 = 7 sequences
  // beyond the cap drain first, 4 at a time: wait = 7/4 * latency(4, 200, 20).
  n.running_batch = 4;
  n.queue = {6, 6 * 200.0, 6 * 20.0};
  Prediction queued = predict(n, request(100, 50));
  const double batch4 = 10 + 1 * 4 * 200 + 16 * 20 + 1 * 20 * 4;
  EXPECT_EQ(queued.batch, 4);
  EXPECT_DOUBLE_EQ(queued.queue_wait_ms, 7.0 / 4 * batch4);
  EXPECT_DOUBLE_EQ(queued.latency_ms, queued.queue_wait_ms + queued.service_ms);
  EXPECT_DOUBLE_EQ(queued.isolated_ms, 960);  // greedy-fastest's view does not change
}

TEST(Predict, AppliesTheCorrectionAndPue) {
  NodeState n = node("fast", fast_profile(), 200);
  n.correction = {2.0, 0.5};
  n.pue = 1.5;
  const Prediction p = predict(n, request(100, 50));
  EXPECT_DOUBLE_EQ(p.model_latency_ms, 291.5);
  EXPECT_DOUBLE_EQ(p.latency_ms, 583);
  EXPECT_DOUBLE_EQ(p.isolated_ms, 583);
  EXPECT_DOUBLE_EQ(p.model_energy_j, 15.55);
  EXPECT_DOUBLE_EQ(p.energy_j, 7.775);
  EXPECT_DOUBLE_EQ(p.carbon_g, 7.775 / 3.6e6 * 1.5 * 200);
}

TEST(Predict, ReferenceProfilesRankTheRtxFasterThanTheJetson) {
  auto rtx = testing::reference("rtx-2000-ada-16gb");
  auto jetson = testing::reference("jetson-orin-nx-8gb");
  ASSERT_NE(rtx, nullptr);
  ASSERT_NE(jetson, nullptr);
  const auto r = request(256, 128);
  const Prediction pr = predict(node("rtx", rtx, 100), r);
  const Prediction pj = predict(node("jetson", jetson, 100), r);
  EXPECT_DOUBLE_EQ(pr.latency_ms, rtx->predict_latency_ms(1, 256, 128));
  EXPECT_DOUBLE_EQ(pj.energy_j, jetson->predict_energy_j(1, 256, 128));
  EXPECT_LT(pr.latency_ms, pj.latency_ms);
  // The default max batch is the profile's knee.
  EXPECT_EQ(node("j", jetson, 1).effective_max_batch(), jetson->knee_batch);
  NodeState capped = node("j", jetson, 1);
  capped.max_batch = 100000;  // never above what memory holds
  EXPECT_EQ(capped.effective_max_batch(), jetson->max_batch_fits);
}

Observation observed(const Prediction& p, double latency_ms, std::optional<double> energy_j) {
  Observation o;
  o.predicted = p;
  o.observed_latency_ms = latency_ms;
  o.observed_energy_j = energy_j;
  return o;
}

TEST(OnlineCorrector, ConvergesToTheTrueRatioAndPredictionErrorFalls) {
  NodeState n = node("slow", slow_profile(), 100);
  OnlineCorrector corrector;
  const auto r = request(100, 50);
  // The device is really 1.6x slower and uses 0.7x the energy of its profile.
  double first_mape = 0;
  for (int i = 0; i < 100; ++i) {
    n.correction = corrector.correction();
    const Prediction p = predict(n, r);
    ASSERT_TRUE(corrector.observe(observed(p, 1.6 * p.model_latency_ms, 0.7 * p.model_energy_j)).is_ok());
    if (i == 0) first_mape = corrector.error_stats().latency_mape_pct;
  }
  const Correction c = corrector.correction();
  EXPECT_NEAR(c.latency_ratio, 1.6, 1e-6);
  EXPECT_NEAR(c.energy_ratio, 0.7, 1e-6);
  const PredictionErrorStats s = corrector.error_stats();
  EXPECT_EQ(s.latency_observations, 100u);
  EXPECT_EQ(s.energy_observations, 100u);
  EXPECT_NEAR(first_mape, 37.5, 1e-9);  // |1 - 1.6| / 1.6
  EXPECT_LT(s.latency_mape_pct, 0.01);
  EXPECT_LT(s.energy_mape_pct, 0.01);
}

TEST(OnlineCorrector, FirstStepFollowsAlpha) {
  auto c = OnlineCorrector::create({0.5, 0.1, 10});
  ASSERT_TRUE(c.is_ok());
  const Prediction p = predict(node("f", fast_profile(), 1), request(100, 50));
  ASSERT_TRUE((*c)->observe(observed(p, 3 * p.model_latency_ms, std::nullopt)).is_ok());
  EXPECT_DOUBLE_EQ((*c)->correction().latency_ratio, 2.0);  // 0.5 * 1 + 0.5 * 3
  EXPECT_DOUBLE_EQ((*c)->correction().energy_ratio, 1.0);   // no energy observed
  EXPECT_EQ((*c)->error_stats().energy_observations, 0u);
}

TEST(OnlineCorrector, RatiosStayClamped) {
  OnlineCorrector corrector;  // [0.1, 10]
  const Prediction p = predict(node("f", fast_profile(), 1), request(100, 50));
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(corrector.observe(observed(p, 1000 * p.model_latency_ms, 1e-4 * p.model_energy_j)).is_ok());
    const Correction c = corrector.correction();
    ASSERT_LE(c.latency_ratio, 10.0);
    ASSERT_GE(c.energy_ratio, 0.1);
  }
  EXPECT_NEAR(corrector.correction().latency_ratio, 10.0, 1e-9);
  EXPECT_NEAR(corrector.correction().energy_ratio, 0.1, 1e-9);
}

TEST(OnlineCorrector, RejectsMalformedObservationsWithoutMovingAndBadOptions) {
  OnlineCorrector corrector;
  const Prediction p = predict(node("f", fast_profile(), 1), request(100, 50));
  EXPECT_EQ(corrector.observe(observed(p, 0, std::nullopt)).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(corrector.observe(observed(p, std::nan(""), std::nullopt)).code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(corrector.observe(observed(p, 100, -1.0)).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(corrector.observe(observed(Prediction{}, 100, std::nullopt)).code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(corrector.correction().latency_ratio, 1.0);
  EXPECT_EQ(corrector.correction().energy_ratio, 1.0);
  EXPECT_EQ(corrector.error_stats().rejected, 4u);
  EXPECT_EQ(corrector.error_stats().latency_observations, 0u);

  EXPECT_FALSE(OnlineCorrector::create({0, 0.1, 10}).is_ok());
  EXPECT_FALSE(OnlineCorrector::create({1.5, 0.1, 10}).is_ok());
  EXPECT_FALSE(OnlineCorrector::create({0.2, 0, 10}).is_ok());
  EXPECT_FALSE(OnlineCorrector::create({0.2, 0.1, 0.5}).is_ok());
  EXPECT_TRUE(OnlineCorrector::create({1, 1, 1}).is_ok());
}

TEST(OnlineCorrector, ManyObserverThreads) {
  OnlineCorrector corrector;
  const Prediction p = predict(node("f", fast_profile(), 1), request(100, 50));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        EXPECT_TRUE(corrector.observe(observed(p, 2 * p.model_latency_ms, 2 * p.model_energy_j)).is_ok());
        (void)corrector.correction();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(corrector.error_stats().latency_observations, 2000u);
  EXPECT_NEAR(corrector.correction().latency_ratio, 2.0, 1e-9);
}

TEST(Request, Validation) {
  EXPECT_TRUE(validate_request(request(10, 10)).is_ok());
  EXPECT_FALSE(validate_request(request(10, 10, 0)).is_ok());
  EXPECT_FALSE(validate_request(request(-1, 10)).is_ok());
  EXPECT_FALSE(validate_request(request(10, INFINITY)).is_ok());
  EXPECT_FALSE(validate_request(request(10, 10, 1, 0.0)).is_ok());
  EXPECT_EQ(validate_request(request(10, 10, 0)).message(), "num_prompts must be >= 1 (is 0)");
}

}  // namespace
}  // namespace greenroute::routing
