#include "greenroute/profile/knee.h"

#include <gtest/gtest.h>

#include <cmath>

namespace greenroute::profile {
namespace {

// A curve from (batch, joules per output token) pairs; the other metrics are
// derived so that best batches are predictable: per-prompt energy follows the
// per-token energy, latency grows with the batch, throughput with B / latency.
std::vector<BatchPoint> curve(std::initializer_list<std::pair<int, double>> pts) {
  std::vector<BatchPoint> out;
  for (const auto& [b, e] : pts) {
    BatchPoint p;
    p.batch_size = b;
    p.joules_per_output_token = e;
    p.joules_per_prompt = e * 100;
    p.prompt_latency_ms = 1000.0 + 50.0 * b;
    p.throughput_tokens_per_s = 100.0 * b / (1.0 + 0.05 * b);
    out.push_back(p);
  }
  return out;
}

TEST(Knee, ClearKneeAtFour) {
  // The docs/profile.md example.
  auto r = find_knee(curve({{1, 10.0}, {2, 5.4}, {4, 3.1}, {8, 2.9}, {16, 2.8}}), KneeOptions{});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->knee_batch, 4);
  EXPECT_FALSE(r->knee_at_edge);
  EXPECT_EQ(r->kneedle_batch, 4);
  EXPECT_FALSE(r->saturation_batch.has_value());
  EXPECT_EQ(r->best.energy, 16);
  EXPECT_EQ(r->best.latency, 1);
  EXPECT_EQ(r->best.throughput, 16);
}

TEST(Knee, SteadilyHalvingCurveHasItsKneeAtTheEdge) {
  auto r = find_knee(curve({{1, 8.0}, {2, 4.0}, {4, 2.0}, {8, 1.0}}), KneeOptions{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->knee_batch, 8);
  EXPECT_TRUE(r->knee_at_edge);
}

TEST(Knee, FlatCurveHasItsKneeAtTheSmallestBatch) {
  auto r = find_knee(curve({{1, 3.0}, {2, 2.95}, {4, 2.9}, {8, 2.9}}), KneeOptions{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->knee_batch, 1);
}

TEST(Knee, RisingCurveHasItsKneeAtTheSmallestBatch) {
  auto r = find_knee(curve({{1, 1.0}, {2, 1.5}, {4, 2.0}}), KneeOptions{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->knee_batch, 1);
  EXPECT_EQ(r->best.energy, 1);
}

TEST(Knee, ANoisyBumpDoesNotEndTheSearchEarly) {
  // 2 -> 4 gets worse by noise, but 2 -> 8 still saves 29% per doubling.
  auto r = find_knee(curve({{1, 10.0}, {2, 6.0}, {4, 6.3}, {8, 3.0}, {16, 2.9}}), KneeOptions{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->knee_batch, 8);
}

TEST(Knee, UnevenStepsAreComparedPerDoubling) {
  // 4 -> 12 saves 11% overall but only 7% per doubling (log2(3) = 1.58 doublings).
  auto r = find_knee(curve({{1, 4.0}, {4, 1.0}, {12, 0.89}}), KneeOptions{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->knee_batch, 4);
  KneeOptions strict;
  strict.min_saving = 0.05;
  r = find_knee(curve({{1, 4.0}, {4, 1.0}, {12, 0.89}}), strict);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->knee_batch, 12);
}

TEST(Knee, SinglePointIsItsOwnKnee) {
  auto r = find_knee(curve({{4, 2.0}}), KneeOptions{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->knee_batch, 4);
  EXPECT_TRUE(r->knee_at_edge);
  EXPECT_EQ(r->kneedle_batch, 4);
  EXPECT_EQ(r->best.energy, 4);
}

TEST(Knee, SaturationCutsTheCandidates) {
  auto c = curve({{1, 10.0}, {2, 5.0}, {4, 2.5}, {8, 1.2}, {16, 0.6}});
  c[3].saturated = true;  // 8 does not fit; 16 "fit" a short output but is beyond saturation
  auto r = find_knee(c, KneeOptions{});
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->saturation_batch.has_value());
  EXPECT_EQ(*r->saturation_batch, 8);
  EXPECT_EQ(r->knee_batch, 4);
  EXPECT_TRUE(r->knee_at_edge);
  EXPECT_EQ(r->best.throughput, 4);
}

TEST(Knee, AllSaturatedIsUnavailable) {
  auto c = curve({{1, 1.0}, {2, 1.0}});
  for (auto& p : c) p.saturated = true;
  auto r = find_knee(c, KneeOptions{});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("smallest: 1"), std::string::npos);
}

TEST(Knee, RejectsBadInput) {
  EXPECT_EQ(find_knee({}, KneeOptions{}).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_FALSE(find_knee(curve({{2, 1.0}, {1, 2.0}}), KneeOptions{}).is_ok());
  EXPECT_FALSE(find_knee(curve({{1, 1.0}, {1, 2.0}}), KneeOptions{}).is_ok());
  EXPECT_FALSE(find_knee(curve({{1, 0.0}, {2, 2.0}}), KneeOptions{}).is_ok());
  EXPECT_FALSE(find_knee(curve({{1, std::nan("")}}), KneeOptions{}).is_ok());
  KneeOptions bad;
  bad.min_saving = 1.5;
  EXPECT_FALSE(find_knee(curve({{1, 1.0}}), bad).is_ok());
}

SweepPoint sweep_point(int b, int n, double jpt, bool saturated = false) {
  SweepPoint p;
  p.batch_size = b;
  p.max_tokens = n;
  p.saturated = saturated;
  p.joules_per_output_token = jpt;
  p.joules_per_prompt = Spread{jpt * n, jpt * n, jpt * n};
  p.prompt_latency_ms = 10.0 * n;
  p.throughput_tokens_per_s = b * 5.0;
  return p;
}

TEST(Knee, BatchCurveTakesMediansAcrossOutputLengths) {
  const std::vector<SweepPoint> sweep = {sweep_point(2, 32, 1.0), sweep_point(1, 32, 3.0),
                                         sweep_point(1, 128, 2.0), sweep_point(2, 128, 0.5),
                                         sweep_point(2, 512, 0.0, true)};
  const auto c = batch_curve(sweep);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].batch_size, 1);
  EXPECT_DOUBLE_EQ(c[0].joules_per_output_token, 2.5);
  EXPECT_DOUBLE_EQ(c[0].prompt_latency_ms, 800.0);
  EXPECT_FALSE(c[0].saturated);
  EXPECT_EQ(c[1].batch_size, 2);
  EXPECT_TRUE(c[1].saturated);                           // one of its points saturated
  EXPECT_DOUBLE_EQ(c[1].joules_per_output_token, 0.75);  // from the unsaturated points only
}

}  // namespace
}  // namespace greenroute::profile
