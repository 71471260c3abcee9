#include "greenroute/power/attribution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "greenroute/core/rng.h"

namespace greenroute::power {
namespace {

double sum_of_requests(const Attribution& a) {
  double s = 0.0;
  for (const RequestEnergy& r : a.requests) s += r.energy_j;
  return s;
}

void expect_books_balance(const Attribution& a) {
  EXPECT_NEAR(a.attributed_j, sum_of_requests(a), 1e-9);
  EXPECT_NEAR(a.attributed_j + a.idle_j + a.unattributed_j, a.window_j, 1e-9 * std::max(1.0, a.window_j));
  EXPECT_LE(std::fabs(a.residual_j), 1e-9 * std::max(1.0, a.window_j));
}

TEST(AttributeEnergy, SplitsInProportionToTokens) {
  AttributionInput in;
  in.window_j = 120.0;
  in.duration_s = 2.0;
  in.requests = {{"a", 100, 20}, {"b", 50, 10}, {"c", 0, 60}};  // 120, 60, 60 tokens
  auto a = attribute_energy(in);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_EQ(a->requests.size(), 3u);
  EXPECT_EQ(a->requests[0].request_id, "a");
  EXPECT_NEAR(a->requests[0].energy_j, 60.0, 1e-12);
  EXPECT_NEAR(a->requests[1].energy_j, 30.0, 1e-12);
  EXPECT_NEAR(a->requests[2].energy_j, 30.0, 1e-12);
  EXPECT_NEAR(a->requests[0].share, 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(a->requests[0].weight, 120.0);
  EXPECT_EQ(a->idle_j, 0.0);
  EXPECT_EQ(a->unattributed_j, 0.0);
  expect_books_balance(*a);
}

TEST(AttributeEnergy, PromptWeightMakesPrefillCheaper) {
  AttributionInput in;
  in.window_j = 100.0;
  in.duration_s = 1.0;
  in.weights.prompt = 0.25;  // a prefill token costs a quarter of a decode token
  in.weights.generated = 1.0;
  in.requests = {{"long-prompt", 400, 0}, {"chatty", 0, 100}};  // weights 100 and 100
  auto a = attribute_energy(in);
  ASSERT_TRUE(a.is_ok());
  EXPECT_NEAR(a->requests[0].energy_j, 50.0, 1e-12);
  EXPECT_NEAR(a->requests[1].energy_j, 50.0, 1e-12);
  expect_books_balance(*a);
}

TEST(AttributeEnergy, NetsIdlePowerFirst) {
  AttributionInput in;
  in.window_j = 100.0;
  in.duration_s = 4.0;
  in.idle_watts = 15.0;  // 60 J of the window is idle
  in.requests = {{"x", 30, 0}, {"y", 10, 0}};
  auto a = attribute_energy(in);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_NEAR(a->idle_j, 60.0, 1e-12);
  EXPECT_FALSE(a->idle_capped);
  EXPECT_NEAR(a->requests[0].energy_j, 30.0, 1e-12);
  EXPECT_NEAR(a->requests[1].energy_j, 10.0, 1e-12);
  EXPECT_NEAR(a->attributed_j + a->idle_j, 100.0, 1e-12);
  expect_books_balance(*a);
}

TEST(AttributeEnergy, IdleNeverDrivesRequestsNegative) {
  AttributionInput in;
  in.window_j = 30.0;
  in.duration_s = 4.0;
  in.idle_watts = 15.0;  // claims 60 J, more than the meter saw
  in.requests = {{"x", 5, 5}};
  auto a = attribute_energy(in);
  ASSERT_TRUE(a.is_ok());
  EXPECT_TRUE(a->idle_capped);
  EXPECT_NEAR(a->idle_j, 30.0, 1e-12);
  EXPECT_EQ(a->requests[0].energy_j, 0.0);
  expect_books_balance(*a);
}

TEST(AttributeEnergy, ZeroTokensLeavesEnergyUnattributed) {
  AttributionInput in;
  in.window_j = 50.0;
  in.duration_s = 2.0;
  in.idle_watts = 10.0;
  in.requests = {{"waiting", 0, 0}, {"queued", 0, 0}};
  auto a = attribute_energy(in);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->requests[0].energy_j, 0.0);
  EXPECT_EQ(a->requests[1].share, 0.0);
  EXPECT_NEAR(a->idle_j, 20.0, 1e-12);
  EXPECT_NEAR(a->unattributed_j, 30.0, 1e-12);
  EXPECT_EQ(a->attributed_j, 0.0);
  expect_books_balance(*a);

  in.requests.clear();
  auto none = attribute_energy(in);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->requests.empty());
  EXPECT_NEAR(none->unattributed_j, 30.0, 1e-12);
  expect_books_balance(*none);

  // A zero-token request beside a working one gets nothing.
  in.requests = {{"idle", 0, 0}, {"busy", 3, 7}};
  auto mixed = attribute_energy(in);
  ASSERT_TRUE(mixed.is_ok());
  EXPECT_EQ(mixed->requests[0].energy_j, 0.0);
  EXPECT_NEAR(mixed->requests[1].energy_j, 30.0, 1e-12);
  EXPECT_EQ(mixed->unattributed_j, 0.0);
}

TEST(AttributeEnergy, SingleRequestTakesAllActiveEnergy) {
  AttributionInput in;
  in.window_j = 12.5;
  in.duration_s = 0.5;
  in.idle_watts = 5.0;
  in.requests = {{"only", 1, 1}};
  auto a = attribute_energy(in);
  ASSERT_TRUE(a.is_ok());
  EXPECT_NEAR(a->requests[0].energy_j, 10.0, 1e-12);
  EXPECT_DOUBLE_EQ(a->requests[0].share, 1.0);
  EXPECT_NEAR(a->attributed_j + a->idle_j, 12.5, 1e-12);
}

TEST(AttributeEnergy, BooksBalanceOverManyRandomRequests) {
  core::Rng rng(42);
  for (int round = 0; round < 50; ++round) {
    AttributionInput in;
    in.window_j = 1e-3 + 1e4 * rng.uniform_double();
    in.duration_s = 0.01 + 30.0 * rng.uniform_double();
    if (round % 2 == 0) in.idle_watts = 50.0 * rng.uniform_double();
    in.weights.prompt = rng.uniform_double();
    const int n = 1 + static_cast<int>(rng.next_u64() % 300);
    for (int i = 0; i < n; ++i) {
      in.requests.push_back({"r" + std::to_string(i), static_cast<std::int64_t>(rng.next_u64() % 4096),
                             static_cast<std::int64_t>(rng.next_u64() % 512)});
    }
    auto a = attribute_energy(in);
    ASSERT_TRUE(a.is_ok()) << a.status().to_string();
    expect_books_balance(*a);
    for (const RequestEnergy& r : a->requests) EXPECT_GE(r.energy_j, 0.0);
  }
}

TEST(AttributeEnergy, RejectsInvalidInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto code = [](AttributionInput in) { return attribute_energy(in).status().code(); };
  AttributionInput ok;
  ok.window_j = 1.0;
  ok.duration_s = 1.0;
  ok.requests = {{"a", 1, 1}};
  ASSERT_TRUE(attribute_energy(ok).is_ok());

  AttributionInput in = ok;
  in.window_j = -1.0;
  EXPECT_EQ(code(in), core::StatusCode::kInvalidArgument);
  in = ok;
  in.window_j = nan;
  EXPECT_EQ(code(in), core::StatusCode::kInvalidArgument);
  in = ok;
  in.duration_s = -0.5;
  EXPECT_EQ(code(in), core::StatusCode::kInvalidArgument);
  in = ok;
  in.idle_watts = -3.0;
  EXPECT_EQ(code(in), core::StatusCode::kInvalidArgument);
  in = ok;
  in.weights = {0.0, 0.0};
  EXPECT_EQ(code(in), core::StatusCode::kInvalidArgument);
  in = ok;
  in.weights.prompt = -1.0;
  EXPECT_EQ(code(in), core::StatusCode::kInvalidArgument);
  in = ok;
  in.requests = {{"a", -1, 0}};
  EXPECT_EQ(code(in), core::StatusCode::kInvalidArgument);
  in = ok;
  in.requests = {{"a", 1, 0}, {"a", 2, 0}};
  auto dup = attribute_energy(in);
  EXPECT_EQ(dup.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(dup.status().message().find("'a' listed twice"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::power
