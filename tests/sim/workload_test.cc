#include "greenroute/sim/workload.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace greenroute::sim {
namespace {

TEST(Workload, PoissonInterArrivalMeanAndVarianceMatchTheRate) {
  WorkloadConfig c;
  c.rate = 50;
  c.duration_s = 2000;  // about 100k arrivals
  auto r = generate_workload(c);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_GT(r->size(), 95'000u);
  std::vector<double> gaps;
  for (std::size_t i = 1; i < r->size(); ++i) {
    gaps.push_back(static_cast<double>((*r)[i].arrival_us - (*r)[i - 1].arrival_us) / 1e6);
  }
  double sum = 0;
  for (double g : gaps) sum += g;
  const double mean = sum / static_cast<double>(gaps.size());
  double ss = 0;
  for (double g : gaps) ss += (g - mean) * (g - mean);
  const double var = ss / static_cast<double>(gaps.size() - 1);
  // Exponential(rate): mean 1/rate, variance 1/rate^2. Standard errors at
  // n = 1e5 are about 0.3% (mean) and 0.6% (variance); allow 2% / 4%.
  EXPECT_NEAR(mean, 1.0 / c.rate, 0.02 / c.rate);
  EXPECT_NEAR(var, 1.0 / (c.rate * c.rate), 0.04 / (c.rate * c.rate));
  for (const SimRequest& q : *r) {
    EXPECT_GE(q.arrival_us, 0);
    EXPECT_LT(q.arrival_us, 2000LL * kUsPerS);
  }
}

TEST(Workload, SameSeedSameRequestsDifferentSeedDifferent) {
  WorkloadConfig c;
  c.rate = 10;
  c.duration_s = 100;
  c.slo_fraction = 0.3;
  c.slo_ms = 5000;
  auto a = generate_workload(c);
  auto b = generate_workload(c);
  c.seed = 2;
  auto d = generate_workload(c);
  ASSERT_TRUE(a.is_ok() && b.is_ok() && d.is_ok());
  ASSERT_EQ(a->size(), b->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].arrival_us, (*b)[i].arrival_us);
    EXPECT_EQ((*a)[i].prompt_tokens, (*b)[i].prompt_tokens);
    EXPECT_EQ((*a)[i].output_tokens, (*b)[i].output_tokens);
    EXPECT_EQ((*a)[i].slo_ms, (*b)[i].slo_ms);
  }
  bool differs = a->size() != d->size();
  for (std::size_t i = 0; !differs && i < a->size(); ++i) differs = (*a)[i].arrival_us != (*d)[i].arrival_us;
  EXPECT_TRUE(differs);
}

TEST(Workload, DiurnalPeaksAtThePeakHour) {
  WorkloadConfig c;
  c.arrival = ArrivalKind::kDiurnal;
  c.rate = 2;
  c.amplitude = 0.8;
  c.peak_hour = 15;
  c.duration_s = 10 * 86400.0;  // ten days from midnight UTC
  auto r = generate_workload(c);
  ASSERT_TRUE(r.is_ok());
  std::vector<double> per_hour(24, 0);
  for (const SimRequest& q : *r) {
    const auto h = static_cast<std::size_t>((c.start_unix_s + q.arrival_us / kUsPerS) / 3600 % 24);
    per_hour[h] += 1;
  }
  std::size_t best = 0;
  std::size_t worst = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    if (per_hour[h] > per_hour[best]) best = h;
    if (per_hour[h] < per_hour[worst]) worst = h;
  }
  // The hour bins [14,15) and [15,16) are symmetric about 15:00.
  EXPECT_TRUE(best == 14 || best == 15) << best;
  EXPECT_TRUE(worst == 2 || worst == 3) << worst;
  // Mean rate is preserved: 2/s over ten days.
  EXPECT_NEAR(static_cast<double>(r->size()), 2 * c.duration_s, 0.02 * 2 * c.duration_s);
  EXPECT_NEAR(diurnal_factor(c, static_cast<double>(c.start_unix_s) + 15 * 3600.0), 1.8, 1e-9);
}

TEST(Workload, BurstyRateIsTheTimeWeightedMix) {
  WorkloadConfig c;
  c.arrival = ArrivalKind::kBursty;
  c.on_rate = 20;
  c.off_rate = 1;
  c.on_mean_s = 5;
  c.off_mean_s = 15;
  c.duration_s = 20000;
  auto r = generate_workload(c);
  ASSERT_TRUE(r.is_ok());
  const double expected = (20 * 5 + 1 * 15) / 20.0 * c.duration_s;  // 5.75/s
  EXPECT_NEAR(static_cast<double>(r->size()), expected, 0.05 * expected);
}

TEST(Workload, LognormalLengthsHaveTheConfiguredMean) {
  LengthSpec s{.kind = LengthKind::kLognormal, .values = {}, .mean = 200, .sigma = 0.7, .min = 1, .max = 1'000'000};
  core::Rng rng(7);
  double sum = 0;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) sum += draw_length(s, rng);
  EXPECT_NEAR(sum / n, 200, 200 * 0.02);
  // Clipping holds.
  s.min = 50;
  s.max = 300;
  for (int i = 0; i < 1000; ++i) {
    const int v = draw_length(s, rng);
    EXPECT_GE(v, 50);
    EXPECT_LE(v, 300);
  }
}

TEST(Workload, ListLengthsComeFromTheList) {
  LengthSpec s{.kind = LengthKind::kList, .values = {7, 11, 13}, .mean = 1, .sigma = 0, .min = 1, .max = 1};
  core::Rng rng(3);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 30'000; ++i) {
    const int v = draw_length(s, rng);
    ASSERT_TRUE(v == 7 || v == 11 || v == 13);
    counts[v == 7 ? 0 : v == 11 ? 1 : 2]++;
  }
  for (int k : counts) EXPECT_NEAR(k, 10'000, 500);
}

TEST(Workload, SloAndOverrideFractions) {
  WorkloadConfig c;
  c.rate = 100;
  c.duration_s = 200;
  c.slo_fraction = 0.25;
  c.slo_ms = 1000;
  c.override_fraction = 0.1;
  c.override_policy = "carbon-aware";
  auto r = generate_workload(c);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  double slo = 0, over = 0;
  for (const SimRequest& q : *r) {
    slo += q.slo_ms.has_value();
    over += q.policy.has_value();
    if (q.policy) {
      EXPECT_EQ(*q.policy, "carbon-aware");
    }
  }
  const double n = static_cast<double>(r->size());
  EXPECT_NEAR(slo / n, 0.25, 0.01);
  EXPECT_NEAR(over / n, 0.1, 0.01);
}

TEST(Workload, ValidationNamesTheField) {
  WorkloadConfig c;
  c.rate = 0;
  EXPECT_NE(validate_workload(c).message().find("workload.rate"), std::string::npos);
  c = {};
  c.prompt.sigma = -1;
  EXPECT_NE(validate_workload(c).message().find("workload.prompt.sigma"), std::string::npos);
  c = {};
  c.output.kind = LengthKind::kList;
  EXPECT_NE(validate_workload(c).message().find("workload.output.values"), std::string::npos);
  c = {};
  c.arrival = ArrivalKind::kDiurnal;
  c.peak_hour = 24;
  EXPECT_NE(validate_workload(c).message().find("workload.peak_hour"), std::string::npos);
  c = {};
  c.override_fraction = 0.5;
  c.override_policy = "fastest";
  EXPECT_NE(validate_workload(c).message().find("workload.override_policy"), std::string::npos);
  c = {};
  c.slo_fraction = 0.5;
  EXPECT_NE(validate_workload(c).message().find("workload.slo_ms"), std::string::npos);
  EXPECT_FALSE(generate_workload(c).is_ok());
}

}  // namespace
}  // namespace greenroute::sim
