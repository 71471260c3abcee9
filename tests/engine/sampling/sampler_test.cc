#include "greenroute/engine/sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <vector>

namespace greenroute::engine::sampling {
namespace {

// Parameters with every filter off, at temperature t.
SamplingParams plain(float t, std::uint64_t seed = 1) {
  SamplingParams p;
  p.temperature = t;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.repeat_penalty = 1.0f;
  p.seed = seed;
  return p;
}

std::vector<float> log_of(const std::vector<double>& probs) {
  std::vector<float> out;
  for (const double p : probs) out.push_back(static_cast<float>(std::log(p)));
  return out;
}

// The set of tokens a sampler produces over many draws: the kept set.
std::set<std::int32_t> drawn_set(const SamplingParams& params, const std::vector<float>& logits, int n = 3000) {
  Sampler s(params);
  std::set<std::int32_t> seen;
  for (int i = 0; i < n; ++i) seen.insert(s.sample(logits, {}));
  return seen;
}

TEST(SamplerTest, GreedyPicksArgmaxAndLowestIdOnTies) {
  Sampler s(plain(0.0f));
  EXPECT_EQ(s.sample(std::vector<float>{0.1f, 3.0f, -2.0f, 2.9f}, {}), 1);
  EXPECT_EQ(s.sample(std::vector<float>{1.0f, 5.0f, 5.0f, 5.0f}, {}), 1);
  EXPECT_EQ(s.sample(std::vector<float>{-7.0f}, {}), 0);
}

TEST(SamplerTest, GreedyIgnoresFilters) {
  SamplingParams p = plain(0.0f);
  p.top_k = 1;
  p.top_p = 0.1f;
  p.min_p = 0.9f;
  Sampler s(p);
  EXPECT_EQ(s.sample(std::vector<float>{0.0f, 1.0f, 4.0f, 2.0f}, {}), 2);
}

TEST(SamplerTest, TopKKeepsExactlyK) {
  const std::vector<float> logits = {5.0f, 4.0f, 3.0f, 2.0f, 1.0f, 0.0f};
  SamplingParams p = plain(1.0f);
  p.top_k = 3;
  EXPECT_EQ(drawn_set(p, logits), (std::set<std::int32_t>{0, 1, 2}));
  p.top_k = 1;
  EXPECT_EQ(drawn_set(p, logits, 200), (std::set<std::int32_t>{0}));
  p.top_k = 100;  // larger than the vocabulary: no-op
  EXPECT_EQ(drawn_set(p, {1.0f, 1.0f, 1.0f}, 500), (std::set<std::int32_t>{0, 1, 2}));
}

TEST(SamplerTest, TopPKeepsSmallestSetReachingP) {
  // Token order deliberately not sorted by probability.
  const std::vector<float> logits = log_of({0.15, 0.5, 0.05, 0.3});
  SamplingParams p = plain(1.0f);
  p.top_p = 0.45f;
  EXPECT_EQ(drawn_set(p, logits, 300), (std::set<std::int32_t>{1}));
  p.top_p = 0.75f;
  EXPECT_EQ(drawn_set(p, logits), (std::set<std::int32_t>{1, 3}));
  p.top_p = 0.9f;
  EXPECT_EQ(drawn_set(p, logits), (std::set<std::int32_t>{0, 1, 3}));
  p.top_p = 1.0f;
  EXPECT_EQ(drawn_set(p, logits, 6000), (std::set<std::int32_t>{0, 1, 2, 3}));
}

TEST(SamplerTest, MinPIsRelativeToTheMostLikelyToken) {
  const std::vector<float> logits = log_of({0.15, 0.5, 0.05, 0.3});
  SamplingParams p = plain(1.0f);
  p.min_p = 0.2f;  // keep p >= 0.1
  EXPECT_EQ(drawn_set(p, logits), (std::set<std::int32_t>{0, 1, 3}));
  p.min_p = 0.5f;  // keep p >= 0.25
  EXPECT_EQ(drawn_set(p, logits), (std::set<std::int32_t>{1, 3}));
  p.min_p = 1.0f;
  EXPECT_EQ(drawn_set(p, logits, 300), (std::set<std::int32_t>{1}));
}

TEST(SamplerTest, MinPActsBeforeTemperature) {
  // At T=10 every token is nearly equally likely, but min-p judged the
  // untempered logits, as in llama.cpp's chain: token 2 (p = 0.05) is gone.
  const std::vector<float> logits = log_of({0.15, 0.5, 0.05, 0.3});
  SamplingParams p = plain(10.0f);
  p.min_p = 0.2f;
  EXPECT_EQ(drawn_set(p, logits), (std::set<std::int32_t>{0, 1, 3}));
}

TEST(SamplerTest, RepeatPenaltyDividesPositiveAndMultipliesNegativeLogits) {
  SamplingParams p = plain(0.0f);
  p.repeat_penalty = 2.0f;
  {
    Sampler s(p);  // 2.0 -> 1.0 < 1.5
    EXPECT_EQ(s.sample(std::vector<float>{2.0f, 1.5f}, std::vector<std::int32_t>{0}), 1);
  }
  {
    Sampler s(p);  // -1.0 -> -2.0 < -1.5 (dividing would have raised it to -0.5)
    EXPECT_EQ(s.sample(std::vector<float>{-1.0f, -1.5f}, std::vector<std::int32_t>{0}), 1);
  }
  {
    Sampler s(p);  // no history: no penalty
    EXPECT_EQ(s.sample(std::vector<float>{2.0f, 1.5f}, {}), 0);
  }
}

TEST(SamplerTest, RepeatPenaltyCountsEachTokenOnceWithinWindow) {
  SamplingParams p = plain(0.0f);
  p.repeat_penalty = 2.0f;
  p.repeat_last_n = 2;
  Sampler s(p);
  // Applied once: 3.0 -> 1.5 > 1.4 (three times would give 0.375).
  EXPECT_EQ(s.sample(std::vector<float>{3.0f, 1.4f}, std::vector<std::int32_t>{0, 0, 0}), 0);
  // Token 0 lies outside the last 2 tokens, so it keeps 3.0.
  EXPECT_EQ(s.sample(std::vector<float>{3.0f, 2.9f}, std::vector<std::int32_t>{0, 1, 1}), 0);
  // Out-of-vocabulary history ids are ignored.
  EXPECT_EQ(s.sample(std::vector<float>{3.0f, 2.9f}, std::vector<std::int32_t>{-4, 99}), 0);
  p.repeat_last_n = 0;  // off
  Sampler off(p);
  EXPECT_EQ(off.sample(std::vector<float>{3.0f, 1.4f}, std::vector<std::int32_t>{0}), 0);
}

TEST(SamplerTest, SeededDeterminismAndDifferentSeedsDiffer) {
  const std::vector<float> logits = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f};
  auto run = [&](std::uint64_t seed) {
    Sampler s(plain(1.0f, seed));
    std::vector<std::int32_t> out;
    for (int i = 0; i < 200; ++i) out.push_back(s.sample(logits, out));
    return out;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

// Draws n tokens and compares frequencies with softmax(logits / t).
void expect_matches_softmax(const std::vector<float>& logits, float t, int n, double tol) {
  Sampler s(plain(t, 7));
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < n; ++i) ++counts[static_cast<std::size_t>(s.sample(logits, {}))];
  double z = 0.0;
  for (const float l : logits) z += std::exp(l / t);
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double expected = std::exp(logits[i] / t) / z;
    EXPECT_NEAR(static_cast<double>(counts[i]) / n, expected, tol) << "token " << i;
  }
}

TEST(SamplerTest, FrequenciesMatchSoftmaxAtTemperatureOne) {
  expect_matches_softmax({1.0f, 0.0f, 2.0f, -1.0f, 0.5f, 1.5f}, 1.0f, 20000, 0.012);
}

TEST(SamplerTest, TemperatureSharpensTheDistribution) {
  expect_matches_softmax({1.0f, 0.0f, 2.0f, -1.0f}, 0.5f, 20000, 0.012);
}

TEST(SamplerTest, MaskedTokensAreNeverDrawn) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(drawn_set(plain(1.0f), {-inf, 0.0f, nan, 0.0f}, 500), (std::set<std::int32_t>{1, 3}));
  // Everything masked: still a valid id.
  Sampler s(plain(1.0f));
  const std::int32_t t = s.sample(std::vector<float>{-inf, -inf}, {});
  EXPECT_TRUE(t == 0 || t == 1);
}

TEST(SamplingParamsTest, DefaultsAreValid) { EXPECT_TRUE(SamplingParams{}.validate().is_ok()); }

TEST(SamplingParamsTest, ValidateNamesTheBadField) {
  auto message_of = [](auto mutate) {
    SamplingParams p;
    mutate(p);
    const core::Status st = p.validate();
    EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
    return st.message();
  };
  EXPECT_NE(message_of([](SamplingParams& p) { p.temperature = -0.1f; }).find("temperature"), std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.temperature = std::nanf(""); }).find("temperature"),
            std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.top_k = -1; }).find("top_k"), std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.top_p = 0.0f; }).find("top_p must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.top_p = 1.01f; }).find("top_p"), std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.min_p = -0.01f; }).find("min_p must be in [0, 1]"),
            std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.min_p = 1.5f; }).find("min_p"), std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.repeat_penalty = 0.0f; }).find("repeat_penalty"),
            std::string::npos);
  EXPECT_NE(message_of([](SamplingParams& p) { p.repeat_last_n = -1; }).find("repeat_last_n"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::engine::sampling
