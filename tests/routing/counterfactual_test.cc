// Counterfactual: what the baseline would have chosen, and the difference.
#include "greenroute/routing/counterfactual.h"

#include <gtest/gtest.h>

#include "routing_test_util.h"

namespace greenroute::routing {
namespace {

using testing::fast_profile;
using testing::node;
using testing::request;
using testing::slow_profile;

TEST(Counterfactual, CarbonAwareVersusGreedyFastest) {
  const std::vector<NodeState> nodes = {node("fast", fast_profile(), 400), node("slow", slow_profile(), 100)};
  const auto r = request(100, 50);
  auto policy = make_policy("carbon-aware", {});
  ASSERT_TRUE(policy.is_ok());
  const Decision d = (*policy)->decide(nodes, r);
  ASSERT_EQ(*d.chosen, 1u);
  auto estimator = CounterfactualEstimator::create();
  ASSERT_TRUE(estimator.is_ok());
  EXPECT_EQ((*estimator)->baseline(), PolicyKind::kGreedyFastest);
  const Counterfactual c = (*estimator)->estimate(d, nodes, r);
  ASSERT_TRUE(c.available);
  EXPECT_EQ(c.baseline_chosen, 0u);
  EXPECT_DOUBLE_EQ(c.carbon_saved_g, (15.55 * 400 - 7.8 * 100) / 3.6e6);
  EXPECT_DOUBLE_EQ(c.energy_saved_j, 15.55 - 7.8);
  EXPECT_DOUBLE_EQ(c.latency_gained_ms, 291.5 - 960);  // slower: time lost
  EXPECT_NE(c.baseline_reason.find("greedy-fastest: fast"), std::string::npos) << c.baseline_reason;
}

TEST(Counterfactual, SamePolicyAsBaselineSavesNothing) {
  const std::vector<NodeState> nodes = {node("fast", fast_profile(), 400), node("slow", slow_profile(), 100)};
  auto policy = make_policy("greedy-fastest", {});
  ASSERT_TRUE(policy.is_ok());
  const Decision d = (*policy)->decide(nodes, request(100, 50));
  auto estimator = CounterfactualEstimator::create("greedy-fastest");
  ASSERT_TRUE(estimator.is_ok());
  const Counterfactual c = (*estimator)->estimate(d, nodes, request(100, 50));
  ASSERT_TRUE(c.available);
  EXPECT_EQ(c.baseline_chosen, d.chosen);
  EXPECT_EQ(c.carbon_saved_g, 0);
  EXPECT_EQ(c.latency_gained_ms, 0);
}

TEST(Counterfactual, OtherBaselinesUnknownNamesAndNoNode) {
  std::vector<NodeState> nodes = {node("fast", fast_profile(), 400), node("slow", slow_profile(), 100)};
  const auto r = request(100, 50);
  auto latency = make_policy("latency-aware", {});
  ASSERT_TRUE(latency.is_ok());
  const Decision d = (*latency)->decide(nodes, r);
  auto green = CounterfactualEstimator::create("carbon-aware");
  ASSERT_TRUE(green.is_ok());
  const Counterfactual c = (*green)->estimate(d, nodes, r);
  ASSERT_TRUE(c.available);
  EXPECT_EQ(c.baseline_chosen, 1u);
  EXPECT_LT(c.carbon_saved_g, 0);  // latency-aware spent carbon the baseline would not have
  EXPECT_GT(c.latency_gained_ms, 0);

  auto bad = CounterfactualEstimator::create("cheapest");
  EXPECT_EQ(bad.status().code(), core::StatusCode::kInvalidArgument);

  for (NodeState& n : nodes) n.healthy = false;
  const Decision none = (*latency)->decide(nodes, r);
  const Counterfactual nc = (*green)->estimate(none, nodes, r);
  EXPECT_FALSE(nc.available);
  EXPECT_FALSE(nc.baseline_chosen.has_value());
  EXPECT_EQ(nc.carbon_saved_g, 0);
}

}  // namespace
}  // namespace greenroute::routing
