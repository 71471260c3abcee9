// Policy::choose picks on candidates another decision evaluated: it must give
// exactly what decide() gives on the same snapshot and request (the
// counterfactual baseline and the simulator rely on it), for every policy,
// including the stateful ones and when no node is eligible.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/routing/counterfactual.h"
#include "greenroute/routing/policy.h"
#include "routing_test_util.h"

namespace greenroute::routing {
namespace {

using testing::fast_profile;
using testing::node;
using testing::slow_profile;

// A mixed cluster: queues, running batches, corrections, an unhealthy node and
// one without a known intensity.
std::vector<NodeState> cluster(std::uint64_t seed) {
  core::Rng rng(seed);
  std::vector<NodeState> nodes;
  for (int i = 0; i < 12; ++i) {
    NodeState n = node("n" + std::to_string(i), i % 2 ? fast_profile() : slow_profile(), 20 + 700 * rng.uniform_double());
    const int queued = static_cast<int>(rng.next_u64() % 6);
    n.queue = {queued, queued * 200.0, queued * 90.0};
    n.running_batch = static_cast<int>(rng.next_u64() % 4);
    n.correction = {0.8 + 0.4 * rng.uniform_double(), 0.9 + 0.2 * rng.uniform_double()};
    nodes.push_back(n);
  }
  nodes[3].healthy = false;
  nodes[7].g_co2_per_kwh = std::numeric_limits<double>::quiet_NaN();
  return nodes;
}

TEST(PolicyChoose, SameAsDecideForEveryPolicy) {
  for (std::string_view name : policy_names()) {
    PolicyOptions o;
    o.default_slo_ms = 900;
    auto deciding = make_policy(name, o);
    auto choosing = make_policy(name, o);
    auto evaluator = make_policy("latency-aware", o);  // any policy evaluates the nodes alike
    ASSERT_TRUE(deciding.is_ok() && choosing.is_ok() && evaluator.is_ok());
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const auto nodes = cluster(seed);
      RequestShape request;
      request.prompt_tokens = 50.0 + static_cast<double>(seed * 37 % 400);
      request.max_output_tokens = 16.0 + static_cast<double>(seed * 13 % 200);
      if (seed % 3 == 0) request.slo_ms = 300.0 + static_cast<double>(seed * 50);
      const Decision d = (*deciding)->decide(nodes, request);
      const Decision other = (*evaluator)->decide(nodes, request);
      const Choice c = (*choosing)->choose(other.candidates, nodes, request);
      EXPECT_EQ(c.chosen, d.chosen) << name << " seed " << seed;
      EXPECT_EQ(c.reason, d.reason) << name << " seed " << seed;
      EXPECT_EQ(c.slo_fallback, d.slo_fallback) << name << " seed " << seed;
      EXPECT_EQ(c.status.code(), d.status.code()) << name << " seed " << seed;
    }
  }
}

TEST(PolicyChoose, NoEligibleNodeIsUnavailable) {
  auto nodes = cluster(1);
  for (NodeState& n : nodes) n.healthy = false;
  auto policy = make_policy("carbon-aware", {});
  auto evaluator = make_policy("round-robin", {});
  ASSERT_TRUE(policy.is_ok() && evaluator.is_ok());
  RequestShape request;
  request.prompt_tokens = 100;
  request.max_output_tokens = 50;
  const Decision d = (*evaluator)->decide(nodes, request);
  const Choice c = (*policy)->choose(d.candidates, nodes, request);
  EXPECT_FALSE(c.chosen.has_value());
  EXPECT_EQ(c.status.code(), core::StatusCode::kUnavailable);
  EXPECT_NE(c.reason.find("carbon-aware: no healthy node can take"), std::string::npos) << c.reason;
}

TEST(PolicyChoose, CounterfactualOnTheActualCandidatesMatchesItsOwnDecision) {
  // What the estimator reports must be what the baseline decides by itself.
  for (std::string_view baseline : policy_names()) {
    auto estimator = CounterfactualEstimator::create(baseline);
    auto alone = make_policy(baseline, {});
    auto actual_policy = make_policy("carbon-aware", {});
    ASSERT_TRUE(estimator.is_ok() && alone.is_ok() && actual_policy.is_ok());
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const auto nodes = cluster(seed);
      RequestShape request;
      request.prompt_tokens = 120;
      request.max_output_tokens = 60.0 + static_cast<double>(seed);
      const Decision actual = (*actual_policy)->decide(nodes, request);
      const Counterfactual cf = (*estimator)->estimate(actual, nodes, request);
      const Decision own = (*alone)->decide(nodes, request);
      EXPECT_EQ(cf.baseline_chosen, own.chosen) << baseline << " seed " << seed;
      EXPECT_EQ(cf.baseline_reason, own.reason) << baseline << " seed " << seed;
      ASSERT_TRUE(own.chosen.has_value());
      EXPECT_DOUBLE_EQ(cf.carbon_saved_g, own.chosen_prediction().carbon_g - actual.chosen_prediction().carbon_g);
    }
  }
}

}  // namespace
}  // namespace greenroute::routing
