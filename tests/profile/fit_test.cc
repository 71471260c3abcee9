#include "greenroute/profile/fit.h"

#include <gtest/gtest.h>

#include <cmath>

#include "greenroute/core/rng.h"

namespace greenroute::profile {
namespace {

constexpr std::array<double, kNumTerms> kTrue = {20.0, 0.8, 15.0, 1.0};

// Points on a grid of batch sizes and output lengths; prompt tokens vary a
// little per point, as real prompt sets do.
std::vector<FitPoint> grid(const std::array<double, kNumTerms>& coef, double noise, int repeats,
                           std::vector<int> batches = {1, 2, 4, 8, 16, 32},
                           std::vector<int> outputs = {32, 128, 256}) {
  const CostModel truth = analytic_model(kAllTerms, coef);
  core::Rng rng(42);
  std::vector<FitPoint> pts;
  int i = 0;
  for (int b : batches) {
    for (int n : outputs) {
      for (int r = 0; r < repeats; ++r, ++i) {
        const double p = 200.0 + 7.0 * (i % 5);
        const double y = truth.predict(b, p, n);
        pts.push_back(
            FitPoint{double(b), p, double(n), noise > 0 ? y * (1.0 + noise * rng.normal()) : y});
      }
    }
  }
  return pts;
}

TEST(Fit, RecoversKnownCoefficientsFromNoiselessData) {
  auto m = fit_cost_model(grid(kTrue, 0, 1), FitOptions{});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  for (int t = 0; t < kNumTerms; ++t) {
    EXPECT_NEAR(m->coef[t], kTrue[t], 1e-9 * kTrue[t]) << "term " << t;
    EXPECT_EQ(m->state[t], TermState::kFitted);
  }
  ASSERT_TRUE(m->fit.has_value());
  EXPECT_EQ(m->fit->n, 18);
  EXPECT_NEAR(m->fit->r2, 1.0, 1e-12);
  EXPECT_LT(m->fit->mape_pct, 1e-9);
  EXPECT_LT(m->fit->rmse, 1e-8);
  EXPECT_EQ(m->method, FitMethod::kNnls);
  EXPECT_TRUE(m->note.empty()) << m->note;
}

TEST(Fit, WithinAFewPercentUnderFivePercentNoise) {
  // 5% multiplicative noise, 5 repeats of each of 18 grid points, seeded.
  const auto pts = grid(kTrue, 0.05, 5);
  auto m = fit_cost_model(pts, FitOptions{});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  // The terms that carry most of the cost are pinned down well...
  EXPECT_NEAR(m->coefficient(Term::kPrefillToken), 0.8, 0.05 * 0.8);
  EXPECT_NEAR(m->coefficient(Term::kDecodeStep), 15.0, 0.05 * 15.0);
  EXPECT_NEAR(m->coefficient(Term::kSequenceStep), 1.0, 0.05 * 1.0);
  // ...the 20 ms intercept is small beside batches of seconds (the noise on
  // one large batch is ~500 ms), so it is judged against the typical cost.
  double mean_y = 0;
  for (const FitPoint& p : pts) mean_y += p.y;
  mean_y /= static_cast<double>(pts.size());
  EXPECT_NEAR(m->coefficient(Term::kFixed), 20.0, 0.03 * mean_y);
  EXPECT_GT(m->fit->r2, 0.95);
  EXPECT_NEAR(m->fit->mape_pct, 4.0, 2.5);  // E|0.05 z| is 4%
}

TEST(Fit, FewerPointsThanTermsIsInvalidArgument) {
  auto pts = grid(kTrue, 0, 1);
  pts.resize(3);
  auto m = fit_cost_model(pts, FitOptions{});
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("need at least 4 points"), std::string::npos)
      << m.status().message();
}

TEST(Fit, NoPointsIsUnavailable) {
  auto m = fit_cost_model({}, FitOptions{});
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kUnavailable);
}

TEST(Fit, BadValuesNameThePoint) {
  auto pts = grid(kTrue, 0, 1);
  pts[5].y = std::nan("");
  auto m = fit_cost_model(pts, FitOptions{});
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("point 5: y"), std::string::npos) << m.status().message();
  pts = grid(kTrue, 0, 1);
  pts[2].batch = 0;
  m = fit_cost_model(pts, FitOptions{});
  ASSERT_FALSE(m.is_ok());
  EXPECT_NE(m.status().message().find("point 2: batch must be > 0"), std::string::npos)
      << m.status().message();
}

TEST(Fit, OneBatchSizeFitsTheReducedModelAndSaysSo) {
  // B = 4 only, constant prompt: N and N*B are proportional, B*P is constant.
  std::vector<FitPoint> pts;
  const CostModel truth = analytic_model(kAllTerms, kTrue);
  for (int n : {16, 32, 64, 128})
    pts.push_back(FitPoint{4, 200, double(n), truth.predict(4, 200, n)});
  auto m = fit_cost_model(pts, FitOptions{});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->state[static_cast<int>(Term::kDecodeStep)], TermState::kNotIdentified);
  EXPECT_EQ(m->state[static_cast<int>(Term::kPrefillToken)], TermState::kNotIdentified);
  EXPECT_EQ(m->state[static_cast<int>(Term::kSequenceStep)], TermState::kFitted);
  EXPECT_EQ(m->coefficient(Term::kDecodeStep), 0.0);
  EXPECT_NE(m->note.find("one batch size"), std::string::npos) << m->note;
  EXPECT_NE(m->note.find("per_step"), std::string::npos) << m->note;
  // All decode cost is charged per sequence: (15 + 4 * 1) / 4 per token and sequence.
  EXPECT_NEAR(m->coefficient(Term::kSequenceStep), (15.0 + 4.0) / 4.0, 1e-9);
  EXPECT_NEAR(m->coefficient(Term::kFixed), 20.0 + 0.8 * 4 * 200, 1e-7);
  for (const FitPoint& p : pts)
    EXPECT_NEAR(m->predict(p.batch, p.prompt_tokens, p.output_tokens), p.y, 1e-7);
}

TEST(Fit, OneOutputLengthDropsThePerStepTerm) {
  std::vector<FitPoint> pts;
  const CostModel truth = analytic_model(kAllTerms, kTrue);
  for (int b : {1, 2, 4, 8}) pts.push_back(FitPoint{double(b), 200, 64, truth.predict(b, 200, 64)});
  auto m = fit_cost_model(pts, FitOptions{});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->state[static_cast<int>(Term::kDecodeStep)], TermState::kNotIdentified);
  EXPECT_NE(m->note.find("one output length"), std::string::npos) << m->note;
  for (const FitPoint& p : pts)
    EXPECT_NEAR(m->predict(p.batch, p.prompt_tokens, p.output_tokens), p.y, 1e-7);
}

TEST(Fit, OneDesignPointIsDegenerate) {
  std::vector<FitPoint> pts(5, FitPoint{4, 200, 64, 1234.0});
  auto m = fit_cost_model(pts, FitOptions{});
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(m.status().message().find("degenerate design"), std::string::npos)
      << m.status().message();
  // TTFT accepts a constant: that is what one prompt size measures.
  FitOptions ttft;
  ttft.terms = kTtftTerms;
  ttft.min_identified_slopes = 0;
  auto c = fit_cost_model(pts, ttft);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_NEAR(c->coefficient(Term::kFixed), 1234.0, 1e-9);
  EXPECT_EQ(c->state[static_cast<int>(Term::kPrefillToken)], TermState::kNotIdentified);
  EXPECT_DOUBLE_EQ(c->fit->r2, 1.0);
}

TEST(Fit, NnlsClampsANegativeCoefficientAndRefitsTheRest) {
  // The data want per_step = -1: impossible for a cost (every y stays > 0).
  const std::array<double, kNumTerms> bad = {300.0, 0.8, -1.0, 3.0};
  auto pts = grid(bad, 0, 1);
  auto m = fit_cost_model(pts, FitOptions{});
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_EQ(m->state[static_cast<int>(Term::kDecodeStep)], TermState::kClampedToZero);
  EXPECT_EQ(m->coefficient(Term::kDecodeStep), 0.0);
  EXPECT_NE(m->note.find("clamped to 0 by non-negativity: per_step"), std::string::npos) << m->note;
  for (int t = 0; t < kNumTerms; ++t) EXPECT_GE(m->coef[t], 0.0);
  // The rest is exactly the least-squares fit of the model without per_step.
  FitOptions without;
  without.terms = kAllTerms & ~term_bit(Term::kDecodeStep);
  auto reduced = fit_cost_model(pts, without);
  ASSERT_TRUE(reduced.is_ok()) << reduced.status().to_string();
  for (int t = 0; t < kNumTerms; ++t)
    EXPECT_NEAR(m->coef[t], reduced->coef[t], 1e-9 * (1 + reduced->coef[t]));
  // And no feasible model does better: nudging per_step up raises the residual.
  CostModel nudged = *m;
  nudged.coef[static_cast<int>(Term::kDecodeStep)] = 0.01;
  EXPECT_GT(evaluate_fit(nudged, pts).rmse, m->fit->rmse);
}

TEST(Fit, TtftFormFitsTwoTermsOnly) {
  std::vector<FitPoint> pts;
  for (int b : {1, 2, 4, 8}) {
    for (double p : {100.0, 300.0}) pts.push_back(FitPoint{double(b), p, 999, 12.0 + 0.5 * b * p});
  }
  FitOptions o;
  o.terms = kTtftTerms;
  auto m = fit_cost_model(pts, o);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  EXPECT_NEAR(m->coefficient(Term::kFixed), 12.0, 1e-9);
  EXPECT_NEAR(m->coefficient(Term::kPrefillToken), 0.5, 1e-12);
  EXPECT_EQ(m->coefficient(Term::kDecodeStep), 0.0);
  EXPECT_FALSE(m->uses(Term::kDecodeStep));
  EXPECT_NEAR(m->predict(2, 100, 12345), 112.0, 1e-9);  // N is not in the form
}

TEST(Fit, EvaluateFitStatistics) {
  CostModel m = analytic_model(kAllTerms, {10, 0, 0, 0});
  const std::vector<FitPoint> pts = {{1, 0, 0, 8}, {1, 0, 0, 12}};
  const FitStats s = evaluate_fit(m, pts);
  EXPECT_EQ(s.n, 2);
  EXPECT_DOUBLE_EQ(s.rmse, 2.0);
  EXPECT_NEAR(s.mape_pct, 100.0 * (2.0 / 8 + 2.0 / 12) / 2, 1e-12);
  EXPECT_NEAR(s.r2, 0.0, 1e-12);  // the mean predicts as well as the model
}

}  // namespace
}  // namespace greenroute::profile
