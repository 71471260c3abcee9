#include "greenroute/profile/builder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "profile_test_util.h"

namespace greenroute::profile {
namespace {

using testing::kEnergyCoef;
using testing::kLatencyCoef;
using testing::RowOptions;
using testing::synthetic_rows;

ProfileInputs inputs() {
  ProfileInputs in;
  in.created_at = "2026-11-24T12:00:00Z";
  in.device = {"box", "", "x86-64, 2 cores", 2, 2'000'000'000ull};
  in.model = {"m", "llama", 1000, "Q4_0", "m.gguf", 700'000'000, true};
  in.meter = {"cpu-estimate", false, "process CPU time x TDP"};
  in.idle_watts = 3;
  return in;
}

TEST(Builder, SummarizesRepeatsIntoMediansAndRanges) {
  auto rows = synthetic_rows(RowOptions{{2}, {64}, 3});
  rows[0].latency_ms = 100;
  rows[1].latency_ms = 300;
  rows[2].latency_ms = 200;
  rows[1].peak_rss_bytes = 9;
  rows[2].peak_rss_bytes = 7'000'000'000;
  const auto sweep = summarize_sweep(rows);
  ASSERT_EQ(sweep.size(), 1u);
  EXPECT_EQ(sweep[0].repeats, 3);
  EXPECT_DOUBLE_EQ(sweep[0].latency_ms.median, 200);
  EXPECT_DOUBLE_EQ(sweep[0].latency_ms.min, 100);
  EXPECT_DOUBLE_EQ(sweep[0].latency_ms.max, 300);
  EXPECT_EQ(sweep[0].peak_rss_bytes, 7'000'000'000u);  // the worst repeat
  EXPECT_FALSE(sweep[0].saturated);
  // An even count takes the mean of the middle two.
  rows.pop_back();
  EXPECT_DOUBLE_EQ(summarize_sweep(rows)[0].latency_ms.median, 200);
}

TEST(Builder, SaturatedRowsMarkThePointButAddNoMetrics) {
  auto rows = synthetic_rows(RowOptions{{1, 8}, {32, 128}, 2, 200, 0, 8});
  const auto sweep = summarize_sweep(rows);
  ASSERT_EQ(sweep.size(), 4u);
  EXPECT_EQ(sweep[0].batch_size, 1);
  EXPECT_EQ(sweep[1].max_tokens, 128);  // sorted by (batch, max_tokens)
  EXPECT_TRUE(sweep[2].saturated);
  EXPECT_EQ(sweep[2].repeats, 2);
  EXPECT_EQ(sweep[2].latency_ms.median, 0);
  EXPECT_EQ(sweep[2].predicted_bytes, 1'080'000'000u);
  EXPECT_EQ(sweep[2].note, "memory model: does not fit");
  EXPECT_EQ(latency_points(rows).size(), 4u);  // the unsaturated rows only
}

TEST(Builder, BuildsAProfileThatRecoversTheModels) {
  RowOptions o;
  o.batches = {1, 2, 4, 8, 16, 32};
  o.repeats = 2;
  o.saturate_from = 32;
  auto p = build_profile(synthetic_rows(o), inputs());
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  for (int t = 0; t < kNumTerms; ++t) {
    EXPECT_NEAR(p->latency_model.coef[t], kLatencyCoef[t], 1e-9 * kLatencyCoef[t]);
    EXPECT_NEAR(p->energy_model.coef[t], kEnergyCoef[t], 1e-9 * kEnergyCoef[t]);
  }
  EXPECT_NEAR(p->ttft_model.coefficient(Term::kFixed), kLatencyCoef[0], 1e-9);
  EXPECT_NEAR(p->ttft_model.coefficient(Term::kPrefillToken), kLatencyCoef[1], 1e-12);
  EXPECT_EQ(p->latency_model.fit->n, 20);  // 5 unsaturated batch sizes x 2 lengths x 2 repeats
  ASSERT_TRUE(p->saturation_batch.has_value());
  EXPECT_EQ(*p->saturation_batch, 32);
  EXPECT_LT(p->knee_batch, 32);
  EXPECT_EQ(p->best_batch.latency, 1);
  EXPECT_EQ(p->best_batch.throughput, 16);
  // predicted_bytes = 1e9 + B * 1e7 against 2e9 of memory: 100 sequences.
  EXPECT_EQ(p->max_batch_fits, 100);
  EXPECT_EQ(p->kind, ProfileKind::kMeasured);
  EXPECT_EQ(p->greenroute_version, std::string(greenroute_version()));
  EXPECT_TRUE(validate_profile(*p).is_ok());
  EXPECT_NEAR(
      p->predict_latency_ms(4, 200, 64),
      kLatencyCoef[0] + kLatencyCoef[1] * 800 + kLatencyCoef[2] * 64 + kLatencyCoef[3] * 256, 1e-6);
}

TEST(Builder, RunsWithoutEnergyAreLeftOutOfTheEnergyFitOnly) {
  auto rows = synthetic_rows(RowOptions{});
  rows[3].joules = std::nan("");
  rows[3].joules_per_prompt = std::nan("");
  rows[3].joules_per_output_token = std::nan("");
  auto p = build_profile(rows, inputs());
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->latency_model.fit->n, 10);
  EXPECT_EQ(p->energy_model.fit->n, 9);
  EXPECT_NEAR(p->energy_model.coefficient(Term::kDecodeStep), kEnergyCoef[2], 1e-9);
}

TEST(Builder, CallerMemoryFigureWins) {
  ProfileInputs in = inputs();
  in.max_batch_fits = 48;
  auto p = build_profile(synthetic_rows(RowOptions{}), in);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->max_batch_fits, 48);
}

TEST(Builder, MaxBatchFitsFallsBackToTheLargestBatchThatRan) {
  std::vector<SweepPoint> sweep(2);
  sweep[0].batch_size = 4;
  sweep[1].batch_size = 8;
  sweep[1].saturated = true;
  EXPECT_EQ(derive_max_batch_fits(sweep, 1000), 4);  // no predicted_bytes at all
  sweep[0].saturated = true;
  EXPECT_FALSE(derive_max_batch_fits(sweep, 1000).has_value());
}

TEST(Builder, ErrorsSayWhichStageFailed) {
  auto all_saturated =
      build_profile(synthetic_rows(RowOptions{{1, 2}, {32}, 1, 200, 0, 1}), inputs());
  ASSERT_FALSE(all_saturated.is_ok());
  EXPECT_EQ(all_saturated.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(all_saturated.status().message().rfind("latency fit: no points", 0), 0u)
      << all_saturated.status().message();

  EXPECT_EQ(build_profile({}, inputs()).status().code(), core::StatusCode::kInvalidArgument);

  ProfileInputs bad = inputs();
  bad.created_at = "";
  auto p = build_profile(synthetic_rows(RowOptions{}), bad);
  ASSERT_FALSE(p.is_ok());
  EXPECT_EQ(p.status().message().rfind("created_at: must be", 0), 0u) << p.status().message();
}

TEST(Builder, NoisyRowsStillGiveASensibleProfile) {
  RowOptions o;
  o.batches = {1, 2, 4, 8, 16, 32, 64};
  o.max_tokens = {32, 128, 256};
  o.repeats = 3;
  o.noise = 0.05;
  o.seed = 7;
  auto p = build_profile(synthetic_rows(o), inputs());
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_GT(p->latency_model.fit->r2, 0.95);
  EXPECT_GT(p->energy_model.fit->r2, 0.95);
  EXPECT_NEAR(p->latency_model.coefficient(Term::kDecodeStep), kLatencyCoef[2],
              0.1 * kLatencyCoef[2]);
  EXPECT_NEAR(p->energy_model.coefficient(Term::kSequenceStep), kEnergyCoef[3],
              0.1 * kEnergyCoef[3]);
  EXPECT_GE(p->knee_batch, 4);
  EXPECT_LE(p->knee_batch, 64);
}

}  // namespace
}  // namespace greenroute::profile
