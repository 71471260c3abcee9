// Constructors of the built-in policies, one file each; make_policy()
// (policy.cc) is the registration table. Private to src/routing.
// Options arrive validated.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "greenroute/routing/policy.h"

namespace greenroute::routing::internal {

std::unique_ptr<Policy> make_round_robin_policy();
std::unique_ptr<Policy> make_random_policy(std::uint64_t seed);
std::unique_ptr<Policy> make_greedy_fastest_policy();
std::unique_ptr<Policy> make_greedy_least_loaded_policy();
std::unique_ptr<Policy> make_latency_aware_policy();
std::unique_ptr<Policy> make_carbon_aware_policy();
std::unique_ptr<Policy> make_hybrid_policy(double alpha);
std::unique_ptr<Policy> make_slo_carbon_policy(std::optional<double> default_slo_ms);

}  // namespace greenroute::routing::internal
