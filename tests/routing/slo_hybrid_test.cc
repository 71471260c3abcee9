// slo-carbon and hybrid: the two policies that trade latency against carbon.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/routing/policy.h"
#include "routing_test_util.h"

namespace greenroute::routing {
namespace {

using testing::crafted_profile;
using testing::fast_profile;
using testing::node;
using testing::request;
using testing::slow_profile;

std::unique_ptr<Policy> make(std::string_view name, const PolicyOptions& options = {}) {
  auto p = make_policy(name, options);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  return p.is_ok() ? std::move(p).value() : nullptr;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// For request(100, 50): dirty-fast 291.5 ms / 15.55 J at 500 g/kWh,
// medium 580 ms / 9.05 J at 200 g/kWh, clean-slow 960 ms / 7.8 J at 50 g/kWh.
std::vector<NodeState> three_tier() {
  auto medium = crafted_profile({5, 0.5, 10, 0.5}, {0.05, 0.01, 0.15, 0.01});
  return {node("dirty-fast", fast_profile(), 500), node("medium", medium, 200),
          node("clean-slow", slow_profile(), 50)};
}

TEST(SloCarbon, PicksTheCleanestNodeThatMeetsTheSlo) {
  const auto nodes = three_tier();
  auto p = make("slo-carbon");
  Decision d = p->decide(nodes, request(100, 50, 1, 700.0));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d.chosen, 1u);
  EXPECT_FALSE(d.slo_fallback);
  EXPECT_DOUBLE_EQ(d.chosen_prediction().latency_ms, 5 + 50 + 500 + 25);
  EXPECT_TRUE(contains(d.reason, "among 2 nodes meeting the 700 ms SLO")) << d.reason;

  // A loose SLO lets the cleanest through; a tighter one only the fastest.
  EXPECT_EQ(*p->decide(nodes, request(100, 50, 1, 1000.0)).chosen, 2u);
  EXPECT_EQ(*p->decide(nodes, request(100, 50, 1, 300.0)).chosen, 0u);
}

TEST(SloCarbon, InfeasibleSloFallsBackToTheFastestAndSaysSo) {
  auto nodes = three_tier();
  Decision d = make("slo-carbon")->decide(nodes, request(100, 50, 1, 100.0));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d.chosen, 0u);
  EXPECT_TRUE(d.slo_fallback);
  EXPECT_TRUE(contains(d.reason, "no node meets the 100 ms SLO; chose the fastest (predicted 291.5 ms)"))
      << d.reason;
  // The fastest by completion time, queues included: a loaded fast node loses.
  nodes[0].max_batch = 1;
  nodes[0].queue = {10, 1000, 500};
  Decision loaded = make("slo-carbon")->decide(nodes, request(100, 50, 1, 100.0));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded.chosen, 1u);
  EXPECT_TRUE(loaded.slo_fallback);
}

TEST(SloCarbon, WithoutAnSloIsCarbonAwareUnlessADefaultIsSet) {
  const auto nodes = three_tier();
  Decision d = make("slo-carbon")->decide(nodes, request(100, 50));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d.chosen, 2u);
  EXPECT_TRUE(contains(d.reason, "no SLO given")) << d.reason;
  PolicyOptions o;
  o.default_slo_ms = 700;
  EXPECT_EQ(*make("slo-carbon", o)->decide(nodes, request(100, 50)).chosen, 1u);
  // The request's own SLO wins over the default.
  EXPECT_EQ(*make("slo-carbon", o)->decide(nodes, request(100, 50, 1, 300.0)).chosen, 0u);
}

TEST(Hybrid, AlphaPicksTheTradeOff) {
  const auto nodes = three_tier();
  const auto r = request(100, 50);
  // Each figure over its mean: the middle node is the compromise at alpha 0.5.
  PolicyOptions o;
  o.hybrid_alpha = 0.5;
  Decision d = make("hybrid", o)->decide(nodes, r);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d.chosen, 1u);
  EXPECT_TRUE(contains(d.reason, "least hybrid score")) << d.reason;
  o.hybrid_alpha = 1;
  EXPECT_EQ(*make("hybrid", o)->decide(nodes, r).chosen, 0u);
  o.hybrid_alpha = 0;
  EXPECT_EQ(*make("hybrid", o)->decide(nodes, r).chosen, 2u);
}

// Two nodes, each best on one criterion: the larger relative gap decides
// (min-max normalisation tied them all, and the first node won).
TEST(Hybrid, TwoNodesAreWeighedByRelativeGaps) {
  PolicyOptions o;
  o.hybrid_alpha = 0.5;
  const auto r = request(100, 50);
  // A slow device on a clean grid, a fast one on a dirty grid.
  auto pair = [](double clean_g, double dirty_g) {
    return std::vector<NodeState>{node("clean-slow", slow_profile(), clean_g), node("dirty-fast", fast_profile(), dirty_g)};
  };
  auto hybrid = make("hybrid", o);
  // Grids 10x apart: the clean node, though slower.
  const Decision wide = hybrid->decide(pair(50, 500), r);
  EXPECT_EQ(*wide.chosen, 0u) << wide.reason;
  // Grids nearly alike: the fast node.
  const Decision narrow = hybrid->decide(pair(480, 500), r);
  EXPECT_EQ(*narrow.chosen, 1u) << narrow.reason;
}

TEST(Hybrid, ExtremesMatchLatencyAwareAndCarbonAwareOnRandomClusters) {
  PolicyOptions zero;
  zero.hybrid_alpha = 0;
  PolicyOptions one;
  one.hybrid_alpha = 1;
  auto h0 = make("hybrid", zero);
  auto h1 = make("hybrid", one);
  auto carbon = make("carbon-aware");
  auto latency = make("latency-aware");
  core::Rng rng(7);
  const std::vector<std::shared_ptr<const profile::DeviceProfile>> profiles = {
      fast_profile(), slow_profile(), crafted_profile({5, 0.5, 10, 0.5}, {0.05, 0.01, 0.15, 0.01})};
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<NodeState> nodes;
    const int n = 2 + static_cast<int>(rng.next_u64() % 8);
    for (int i = 0; i < n; ++i) {
      NodeState s = node("n" + std::to_string(i), profiles[rng.next_u64() % profiles.size()],
                         20 + 800 * rng.uniform_double());
      s.healthy = rng.uniform_double() > 0.1;
      s.running_batch = static_cast<int>(rng.next_u64() % 8);
      const int queued = static_cast<int>(rng.next_u64() % 20);
      s.queue = {queued, queued * 120.0, queued * 60.0};
      nodes.push_back(std::move(s));
    }
    const auto r = request(50 + 200 * rng.uniform_double(), 10 + 100 * rng.uniform_double());
    SCOPED_TRACE(trial);
    const Decision c = carbon->decide(nodes, r);
    const Decision l = latency->decide(nodes, r);
    EXPECT_EQ(h0->decide(nodes, r).chosen, c.chosen);
    EXPECT_EQ(h1->decide(nodes, r).chosen, l.chosen);
  }
}

TEST(Hybrid, EqualCandidatesScoreZeroAndTieToLowestIndex) {
  std::vector<NodeState> nodes = {node("a", slow_profile(), 100), node("b", slow_profile(), 100)};
  Decision d = make("hybrid")->decide(nodes, request(10, 10));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d.chosen, 0u);
  EXPECT_TRUE(contains(d.reason, "least hybrid score 0.000")) << d.reason;
}

}  // namespace
}  // namespace greenroute::routing
