// routing_decision_bench: the cost of one routing decision (every node's
// eligibility and prediction, then the policy's choice and its reason) for
// clusters of 10, 100 and 1,000 nodes. Target: under 5 us at 100 nodes.
//
// The cluster mixes the two reference profiles, grid intensities from 20 to
// 820 g/kWh, running batches and queues, and a few unhealthy nodes, drawn from
// a fixed seed so runs compare.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/profile/reference_profiles.h"
#include "greenroute/routing/policy.h"

namespace {

using greenroute::routing::NodeState;
using greenroute::routing::Policy;
using greenroute::routing::RequestShape;

std::vector<NodeState> make_cluster(int n) {
  std::vector<std::shared_ptr<const greenroute::profile::DeviceProfile>> profiles;
  for (const std::string& name : greenroute::profile::reference_profile_names()) {
    auto p = greenroute::profile::reference_profile(name);
    if (!p.is_ok()) {
      std::fprintf(stderr, "routing_decision_bench: %s\n", p.status().to_string().c_str());
      std::exit(1);
    }
    profiles.push_back(std::make_shared<const greenroute::profile::DeviceProfile>(std::move(p).value()));
  }
  greenroute::core::Rng rng(1);
  std::vector<NodeState> nodes(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    NodeState& s = nodes[static_cast<std::size_t>(i)];
    s.name = "node-" + std::to_string(i);
    s.zone = "Z" + std::to_string(i % 16);
    s.profile = profiles[static_cast<std::size_t>(i) % profiles.size()];
    s.healthy = rng.uniform_double() > 0.05;
    s.g_co2_per_kwh = 20 + 800 * rng.uniform_double();
    s.running_batch = static_cast<int>(rng.next_u64() % 16);
    const int queued = static_cast<int>(rng.next_u64() % 24);
    s.queue = {queued, queued * 256.0, queued * 128.0};
    s.memory_free_bytes = (1ull << 30) + rng.next_u64() % (4ull << 30);
    s.kv_bytes_per_token = 32 * 1024;
  }
  return nodes;
}

void decide(benchmark::State& state, const char* policy_name) {
  const auto nodes = make_cluster(static_cast<int>(state.range(0)));
  auto policy = greenroute::routing::make_policy(policy_name, {});
  if (!policy.is_ok()) {
    state.SkipWithError(policy.status().to_string().c_str());
    return;
  }
  RequestShape request;
  request.prompt_tokens = 256;
  request.max_output_tokens = 128;
  request.slo_ms = 3000;
  for (auto _ : state) {
    auto decision = (*policy)->decide(nodes, request);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(decide, latency_aware, "latency-aware")->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_CAPTURE(decide, carbon_aware, "carbon-aware")->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_CAPTURE(decide, hybrid, "hybrid")->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK_CAPTURE(decide, slo_carbon, "slo-carbon")->Arg(10)->Arg(100)->Arg(1000);

BENCHMARK_MAIN();
