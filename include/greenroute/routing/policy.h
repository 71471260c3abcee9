// Routing policies: given the cluster snapshot and one request, pick a node.
//
//   round-robin          eligible nodes in turn
//   random               uniformly among eligible nodes (seeded Rng)
//   greedy-fastest       least service latency in isolation, queues ignored
//                        (the reference study's greedy baseline)
//   greedy-least-loaded  fewest queued tokens (prompt + output)
//   latency-aware        least predicted completion time, queue included
//   carbon-aware         least predicted gCO2e for this request
//   hybrid               least alpha * L + (1 - alpha) * C, where L and C are
//                        latency and carbon relative to their means over the
//                        eligible candidates (x / mean - 1; 0 when a mean
//                        is 0, so equal candidates all score 0)
//   slo-carbon           least gCO2e among nodes predicted to meet the SLO;
//                        none meets it: the fastest (least completion time),
//                        and the reason says so; no SLO at all: carbon-aware
//
// Eligibility (shared by all): a node is a candidate when it is healthy, has
// a profile, has a finite, non-negative grid intensity, its effective max
// batch holds the request's prompts, its queue has room for them (when it
// reports a limit: waiting + prompts <= max_queue), and (when known) its free memory holds
// their KV cache (prompts x (prompt + max output tokens) x kv_bytes_per_token).
// Ineligible nodes stay in Decision::candidates with the reason.
//
// Ties: every policy scans nodes in index order and keeps the first strictly
// better one, so among equal scores the lowest index wins. Callers that want
// a stable preference order list nodes in it.
//
// Thread contract: decide() and choose() are thread-safe on every policy.
// Round-robin keeps its position in an atomic (concurrent calls still each
// get an eligible node; the rotation is exact for sequential calls); random
// guards its Rng with a mutex (a seed reproduces the sequence of sequential
// calls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/routing/node_state.h"
#include "greenroute/routing/predictor.h"

namespace greenroute::routing {

enum class PolicyKind {
  kRoundRobin,
  kRandom,
  kGreedyFastest,
  kGreedyLeastLoaded,
  kLatencyAware,
  kCarbonAware,
  kHybrid,
  kSloCarbon,
};

// "round-robin", "random", "greedy-fastest", "greedy-least-loaded",
// "latency-aware", "carbon-aware", "hybrid", "slo-carbon" (this order).
const std::vector<std::string_view>& policy_names();
std::string_view policy_name(PolicyKind kind);
// kInvalidArgument "unknown policy 'x' (valid: round-robin, random, ...)".
core::Result<PolicyKind> parse_policy_kind(std::string_view name);

struct PolicyOptions {
  double hybrid_alpha = 0.5;  // hybrid: weight of latency, in [0, 1]
  std::uint64_t seed = 1;     // random
  // slo-carbon: the SLO for requests that carry none (unset: carbon-aware).
  std::optional<double> default_slo_ms;
};

// kInvalidArgument naming the bad field.
core::Status validate_policy_options(const PolicyOptions& options);

// One node as the decision saw it (same index as the node list).
struct CandidatePrediction {
  bool eligible = false;
  std::string why_not;    // "unhealthy", "needs 3.0 GiB of KV cache, 1.0 GiB free", ...
  Prediction prediction;  // zero when the node has no profile
  double queued_tokens = 0;
};

struct Decision {
  PolicyKind policy = PolicyKind::kRoundRobin;
  // ok with `chosen` set, or kUnavailable "no healthy node can take ..." when
  // no candidate is eligible (the gateway answers 503).
  core::Status status;
  std::optional<std::size_t> chosen;
  std::vector<CandidatePrediction> candidates;  // one per node, in node order
  std::string reason;                           // one line, for logs and /v1/cluster
  // slo-carbon only: no node was predicted to meet the SLO, so the fastest
  // was chosen instead.
  bool slo_fallback = false;

  bool ok() const { return chosen.has_value(); }
  std::string_view policy_name() const { return routing::policy_name(policy); }
  // Precondition: ok().
  const Prediction& chosen_prediction() const { return candidates[*chosen].prediction; }
};

// What a policy picked among candidates already evaluated (Policy::choose):
// a Decision without its candidates.
struct Choice {
  core::Status status;                // as Decision::status
  std::optional<std::size_t> chosen;  // an index into the candidates given
  std::string reason;
  bool slo_fallback = false;
};

// A decision is two steps: every node is evaluated (eligibility and
// predictions, the same for every policy and by far the larger cost on a big
// cluster), then the policy picks among the candidates. Implementations
// supply the pick only.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual PolicyKind kind() const = 0;
  std::string_view name() const { return policy_name(kind()); }

  // `nodes` is the snapshot; the request is assumed validated
  // (validate_request). Never fails other than by Decision::status.
  // Explain::kNone leaves CandidatePrediction::why_not empty (and the
  // unavailable message without per-node reasons): the simulator's choice,
  // since formatting a reason for every full node of a large cluster on
  // every decision cost more than the decision itself.
  enum class Explain { kIneligible, kNone };
  Decision decide(std::span<const NodeState> nodes, const RequestShape& request,
                  Explain explain = Explain::kIneligible);

  // The pick decide() would make, on `candidates` another decision already
  // evaluated on the same `nodes` and `request` (its Decision::candidates):
  // the per-node work is not repeated. The counterfactual baseline uses it.
  // Stateful policies (round-robin, random) advance as decide() would.
  // Precondition (checked): candidates.size() == nodes.size().
  Choice choose(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
                const RequestShape& request);

 protected:
  // The policy's own rule. Called with at least one eligible candidate
  // (`eligible` of them); returns a Choice with `chosen` set.
  virtual Choice pick(std::span<const CandidatePrediction> candidates, std::span<const NodeState> nodes,
                      const RequestShape& request, std::size_t eligible) = 0;
};

// Validates the options, then builds the policy (kInvalidArgument for an
// unknown name, listing the valid ones, or for bad options).
core::Result<std::unique_ptr<Policy>> make_policy(std::string_view name, const PolicyOptions& options);
core::Result<std::unique_ptr<Policy>> make_policy(PolicyKind kind, const PolicyOptions& options);

}  // namespace greenroute::routing
