#include "greenroute/engine/sampling/logprobs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace greenroute::engine::sampling {
namespace {

TEST(LogprobsTest, ExponentiatedSumIsOneAndChosenMatchesSoftmax) {
  const std::vector<float> logits = {1.0f, -2.0f, 0.5f, 3.0f, 3.0f, -0.25f};
  double z = 0.0;
  for (const float l : logits) z += std::exp(static_cast<double>(l));
  for (std::int32_t chosen = 0; chosen < 6; ++chosen) {
    const LogprobInfo info = compute_logprobs(logits, chosen, 6);
    EXPECT_NEAR(info.chosen_logprob, logits[static_cast<std::size_t>(chosen)] - std::log(z), 1e-6);
  }
  const LogprobInfo all = compute_logprobs(logits, 0, 6);
  double sum = 0.0;
  for (const TokenLogprob& t : all.top) sum += std::exp(static_cast<double>(t.logprob));
  EXPECT_NEAR(sum, 1.0, 1e-6);
}

TEST(LogprobsTest, TopIsSortedDescendingWithTiesByLowerId) {
  const std::vector<float> logits = {1.0f, -2.0f, 3.0f, 0.5f, 3.0f, 1.0f};
  const LogprobInfo info = compute_logprobs(logits, 1, 4);
  ASSERT_EQ(info.top.size(), 4u);
  EXPECT_EQ(info.top[0].token, 2);
  EXPECT_EQ(info.top[1].token, 4);
  EXPECT_EQ(info.top[2].token, 0);
  EXPECT_EQ(info.top[3].token, 5);
  for (std::size_t i = 1; i < info.top.size(); ++i) EXPECT_GE(info.top[i - 1].logprob, info.top[i].logprob);
  EXPECT_LT(info.chosen_logprob, info.top.back().logprob);
}

TEST(LogprobsTest, TopKIsClamped) {
  const std::vector<float> logits = {0.0f, 1.0f};
  EXPECT_TRUE(compute_logprobs(logits, 0, 0).top.empty());
  EXPECT_TRUE(compute_logprobs(logits, 0, -3).top.empty());
  EXPECT_EQ(compute_logprobs(logits, 0, 10).top.size(), 2u);
}

TEST(LogprobsTest, StableForHugeLogits) {
  const std::vector<float> logits = {10000.0f, 9999.0f, -10000.0f};
  const LogprobInfo info = compute_logprobs(logits, 1, 3);
  ASSERT_TRUE(std::isfinite(info.chosen_logprob));
  const double log_z = 10000.0 + std::log(1.0 + std::exp(-1.0));
  EXPECT_NEAR(info.top[0].logprob, 10000.0 - log_z, 1e-4);
  EXPECT_NEAR(info.chosen_logprob, 9999.0 - log_z, 1e-4);
  EXPECT_EQ(info.top[2].token, 2);
}

}  // namespace
}  // namespace greenroute::engine::sampling
