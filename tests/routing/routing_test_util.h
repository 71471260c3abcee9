// Fixtures for the routing tests: device profiles crafted from known cost
// coefficients (so expected predictions can be computed by hand), the
// reference profiles shipped in profiles/, and node snapshots.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "greenroute/profile/fit.h"
#include "greenroute/profile/profile.h"
#include "greenroute/profile/profile_json.h"
#include "greenroute/routing/node_state.h"

namespace greenroute::routing::testing {

using Coef = std::array<double, profile::kNumTerms>;  // fixed, per prefill token, per step, per sequence step

// A profile whose latency (ms) and energy (J) follow the given coefficients
// exactly: cost = c0 + c1*B*P + c2*N + c3*N*B.
inline std::shared_ptr<const profile::DeviceProfile> crafted_profile(const Coef& latency_ms,
                                                                     const Coef& energy_j,
                                                                     int knee_batch = 8,
                                                                     int max_batch_fits = 64) {
  auto p = std::make_shared<profile::DeviceProfile>();
  p->device.name = "crafted";
  p->latency_model = profile::analytic_model(profile::kAllTerms, latency_ms);
  p->energy_model = profile::analytic_model(profile::kAllTerms, energy_j);
  p->ttft_model = profile::analytic_model(profile::kTtftTerms, {latency_ms[0], latency_ms[1], 0, 0});
  p->knee_batch = knee_batch;
  p->max_batch_fits = max_batch_fits;
  p->idle_watts = 5;
  return p;
}

// A fast, power-hungry device and a slow, frugal one (per token, roughly the
// shapes of the two reference profiles).
inline std::shared_ptr<const profile::DeviceProfile> fast_profile() {
  return crafted_profile({4, 0.25, 5, 0.25}, {0.05, 0.02, 0.25, 0.02});
}
inline std::shared_ptr<const profile::DeviceProfile> slow_profile() {
  return crafted_profile({10, 1, 16, 1}, {0.05, 0.01, 0.125, 0.01});
}

// A shipped reference profile (profiles/<name>.json); null when it cannot be
// read (the test then fails on its own assertion).
inline std::shared_ptr<const profile::DeviceProfile> reference(const std::string& name) {
  auto p = profile::load_profile(std::string(GREENROUTE_SOURCE_DIR) + "/profiles/" + name + ".json");
  if (!p.is_ok()) return nullptr;
  return std::make_shared<const profile::DeviceProfile>(std::move(p).value());
}

inline NodeState node(std::string name, std::shared_ptr<const profile::DeviceProfile> profile,
                      double g_co2_per_kwh, std::string zone = "XX") {
  NodeState n;
  n.name = std::move(name);
  n.zone = std::move(zone);
  n.profile = std::move(profile);
  n.g_co2_per_kwh = g_co2_per_kwh;
  return n;
}

inline RequestShape request(double prompt_tokens, double output_tokens, int prompts = 1,
                            std::optional<double> slo_ms = std::nullopt) {
  RequestShape r;
  r.prompt_tokens = prompt_tokens;
  r.max_output_tokens = output_tokens;
  r.num_prompts = prompts;
  r.slo_ms = slo_ms;
  return r;
}

}  // namespace greenroute::routing::testing
