#include "greenroute/sim/cluster_sim.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "greenroute/core/check.h"
#include "greenroute/core/rng.h"
#include "greenroute/routing/counterfactual.h"
#include "greenroute/sim/event_queue.h"

namespace greenroute::sim {
namespace {

enum EventKind : int { kArrival = 0, kSequenceDone = 1, kWaitOver = 2 };

core::Status bad(const std::string& field, const std::string& rule, double is) {
  std::ostringstream os;
  os << "sim." << field << ": must be " << rule << " (is " << is << ")";
  return core::invalid_argument(os.str());
}

double us_to_ms(SimTimeUs us) { return static_cast<double>(us) / static_cast<double>(kUsPerMs); }
double us_to_s(SimTimeUs us) { return static_cast<double>(us) / static_cast<double>(kUsPerS); }

// Lognormal with mean 1.
double noise(double sigma, core::Rng& rng) {
  if (sigma <= 0) return 1.0;
  return std::exp(sigma * rng.normal() - 0.5 * sigma * sigma);
}

// A sequence in a node's running batch. Work is counted in "solo ms": a
// sequence needs its own latency alone (noise included), and every running
// sequence progresses at the same rate, so one counter per node (work_done)
// and a finish mark per sequence describe them all.
struct RunningSequence {
  std::uint32_t request = 0;
  double finish_work = 0;  // the node's work_done at which it completes
  double energy_mark = 0;  // the node's energy_per_sequence when it joined
};

struct NodeRuntime {
  std::deque<std::uint32_t> queue;  // request indices waiting for a slot, arrival order
  std::vector<RunningSequence> running;
  bool wait_timer = false;
  double work_done = 0;            // solo ms each running sequence has progressed, cumulative
  double energy_per_sequence = 0;  // J charged to each running sequence, cumulative
  double rate = 0;                 // solo ms per ms at the current membership
  double power_w = 0;              // at the current membership (energy noise included)
  SimTimeUs updated_us = 0;        // work_done and energy are current to here
  std::uint64_t generation = 0;    // completion events of older memberships are stale
  // The current segment: the stretch of one membership, reported as a batch.
  SimTimeUs segment_start_us = 0;
  double segment_energy_j = 0;
  double segment_g_per_kwh = 0;
  int segment_joined = 0;
  int carried_joined = 0;  // from a segment that ended as it began (not recorded)
  SimTimeUs busy_since_us = 0;
  SimTimeUs idle_since_us = 0;
  int max_batch = 1;
  std::int64_t intensity_bucket = std::numeric_limits<std::int64_t>::min();
  std::size_t zone_key = 0;  // index into Run::zone_lookups_
  std::unique_ptr<routing::OnlineCorrector> corrector;
};

// The last intensity looked up for one (carbon source, zone) pair: nodes of a
// zone refreshed at the same second share one look-up (the offline sources
// are pure functions of zone and time).
struct ZoneLookup {
  carbon::CarbonSource* source = nullptr;
  std::string zone;
  std::int64_t at_unix_s = std::numeric_limits<std::int64_t>::min();
  double g_co2_per_kwh = 0;
};

class Run {
 public:
  Run(std::span<const SimNode> nodes, std::span<const SimRequest> requests, const SimOptions& options)
      : nodes_(nodes), requests_(requests), options_(options), noise_rng_(options.noise_seed) {}

  core::Result<PolicyResult> run(std::string_view policy_name) {
    GR_ASSIGN_OR_RETURN(policy_, routing::make_policy(policy_name, options_.policy_options));
    GR_ASSIGN_OR_RETURN(counterfactual_,
                        routing::CounterfactualEstimator::create(options_.baseline_policy, options_.policy_options));
    result_.policy = std::string(policy_->name());
    result_.requests = requests_.size();
    rt_.resize(nodes_.size());
    snapshot_.resize(nodes_.size());
    result_.nodes.resize(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      routing::NodeState& s = snapshot_[i];
      s.name = nodes_[i].name;
      s.zone = nodes_[i].zone;
      s.profile = nodes_[i].profile;
      s.pue = nodes_[i].pue;
      s.max_batch = nodes_[i].max_batch;
      s.max_queue = options_.node_max_queue;
      rt_[i].max_batch = s.effective_max_batch();
      rt_[i].zone_key = zone_key(nodes_[i]);
      GR_ASSIGN_OR_RETURN(rt_[i].corrector, routing::OnlineCorrector::create(options_.predictor));
      result_.nodes[i].name = nodes_[i].name;
      result_.nodes[i].zone = nodes_[i].zone;
    }
    predictions_.resize(requests_.size());
    latencies_.reserve(requests_.size());

    SimTimeUs last_arrival = 0;
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      if (i > 0 && requests_[i].arrival_us < requests_[i - 1].arrival_us) {
        return core::invalid_argument("sim.requests[" + std::to_string(i) + "]: not in arrival order");
      }
      if (requests_[i].arrival_us < 0) {
        return core::invalid_argument("sim.requests[" + std::to_string(i) + "]: negative arrival time");
      }
    }
    // Arrivals are pushed lazily, one ahead, so the heap stays small.
    if (!requests_.empty()) events_.push(requests_[0].arrival_us, kArrival, 0);
    core::Status failure;
    events_.run_all([&](const Event& e) {
      if (!failure.is_ok()) return;
      switch (e.kind) {
        case kArrival:
          last_arrival = e.time_us;
          if (e.a + 1 < requests_.size()) events_.push(requests_[e.a + 1].arrival_us, kArrival, e.a + 1);
          failure = arrive(static_cast<std::uint32_t>(e.a));
          if (options_.on_progress && ((e.a + 1) % SimOptions::kProgressEvery == 0 || e.a + 1 == requests_.size())) {
            options_.on_progress(result_.policy, e.a + 1, requests_.size());
          }
          if (e.a + 1 == requests_.size()) {
            for (std::size_t k = 0; k < nodes_.size(); ++k) result_.nodes[k].queue_at_last_arrival = rt_[k].queue.size();
          }
          break;
        case kSequenceDone:
          if (e.b == rt_[e.a].generation) finish_sequences(e.a);
          break;
        case kWaitOver:
          rt_[e.a].wait_timer = false;
          admit(e.a);
          break;
        default:
          GR_CHECK(false);
      }
    });
    GR_RETURN_IF_ERROR(failure);
    const SimTimeUs end_us = std::max(events_.now_us(), last_arrival);
    finalize(end_us);
    return std::move(result_);
  }

 private:
  std::size_t zone_key(const SimNode& node) {
    auto [it, added] = zone_keys_.try_emplace(std::make_pair(node.carbon.get(), node.zone), zone_lookups_.size());
    if (added) {
      zone_lookups_.push_back(ZoneLookup{.source = node.carbon.get(), .zone = node.zone,
                                         .at_unix_s = std::numeric_limits<std::int64_t>::min(), .g_co2_per_kwh = 0});
    }
    return it->second;
  }

  std::int64_t now_unix_s() const { return options_.start_unix_s + events_.now_us() / kUsPerS; }
  std::int64_t bucket_of(std::int64_t unix_s) const {
    return static_cast<std::int64_t>(std::floor(static_cast<double>(unix_s) / options_.intensity_refresh_s));
  }

  // A node's intensity is looked up at most once per refresh bucket: at the
  // first arrival in the bucket, or earlier when the node starts or ends a
  // batch first (grams()).
  void refresh_intensity(std::size_t n) {
    const std::int64_t unix_s = now_unix_s();
    const std::int64_t bucket = bucket_of(unix_s);
    if (bucket == rt_[n].intensity_bucket) return;
    rt_[n].intensity_bucket = bucket;
    ZoneLookup& z = zone_lookups_[rt_[n].zone_key];
    if (z.at_unix_s != unix_s) {
      auto r = z.source->intensity(z.zone, unix_s);
      // Unknown intensity makes the node ineligible (routing's rule for NaN).
      z.g_co2_per_kwh = r.is_ok() ? r->g_co2_per_kwh : std::numeric_limits<double>::quiet_NaN();
      z.at_unix_s = unix_s;
    }
    snapshot_[n].g_co2_per_kwh = z.g_co2_per_kwh;
  }

  // Every node's intensity current for this arrival's bucket. Only the first
  // arrival of a bucket does any work: the snapshot is kept up to date
  // incrementally otherwise (queues, running batches and corrections change
  // where the node's state changes).
  void refresh_all_intensities() {
    const std::int64_t bucket = bucket_of(now_unix_s());
    if (bucket == arrivals_bucket_) return;
    arrivals_bucket_ = bucket;
    for (std::size_t n = 0; n < nodes_.size(); ++n) refresh_intensity(n);
  }

  // gCO2e of `energy_j` on node n now (0 when the intensity is unknown).
  double grams(std::size_t n, double energy_j) {
    refresh_intensity(n);
    const double g = snapshot_[n].g_co2_per_kwh;
    if (!std::isfinite(g)) return 0;
    return energy_j / 3.6e6 * g * nodes_[n].pue;
  }

  core::Status arrive(std::uint32_t i) {
    const SimRequest& r = requests_[i];
    routing::RequestShape shape;
    shape.prompt_tokens = r.prompt_tokens;
    shape.max_output_tokens = r.output_tokens;
    shape.slo_ms = r.slo_ms;
    shape.policy = r.policy;
    refresh_all_intensities();
    routing::Policy* policy = policy_.get();
    if (r.policy && *r.policy != policy_->name()) {
      auto it = overrides_.find(*r.policy);
      if (it == overrides_.end()) {
        auto made = routing::make_policy(*r.policy, options_.policy_options);
        if (!made.is_ok()) return made.status().with_context("sim.requests[" + std::to_string(i) + "].policy");
        it = overrides_.emplace(*r.policy, std::move(made).value()).first;
      }
      policy = it->second.get();
    }
    const routing::Decision d = policy->decide(snapshot_, shape, routing::Policy::Explain::kNone);
    if (!d.ok()) {
      ++result_.rejected;
      return core::Status::ok();
    }
    const routing::Counterfactual cf = counterfactual_->estimate(d, snapshot_, shape);
    if (cf.available) result_.predicted_saved_g += cf.carbon_saved_g;
    const std::size_t n = *d.chosen;
    predictions_[i] = d.chosen_prediction();
    NodeRuntime& node = rt_[n];
    node.queue.push_back(i);
    snapshot_[n].queue.requests += 1;
    snapshot_[n].queue.prompt_tokens += r.prompt_tokens;
    snapshot_[n].queue.output_tokens += r.output_tokens;
    NodeResult& nr = result_.nodes[n];
    ++nr.requests;
    nr.max_queue = std::max<std::uint64_t>(nr.max_queue, node.queue.size());
    admit(n);
    return core::Status::ok();
  }

  // Brings node n's work and energy up to now at the current membership.
  void advance(std::size_t n) {
    NodeRuntime& node = rt_[n];
    const SimTimeUs now = events_.now_us();
    if (!node.running.empty() && now > node.updated_us) {
      node.work_done += us_to_ms(now - node.updated_us) * node.rate;
      const double joules = node.power_w * us_to_s(now - node.updated_us);
      node.segment_energy_j += joules;
      node.energy_per_sequence += joules / static_cast<double>(node.running.size());
    }
    node.updated_us = now;
  }

  // Ends the current membership's segment: its energy and grams are charged,
  // and it is recorded as a batch. Precondition: advance(n) ran at this time.
  void close_segment(std::size_t n) {
    NodeRuntime& node = rt_[n];
    if (node.running.empty()) return;
    const SimTimeUs now = events_.now_us();
    if (now == node.segment_start_us) {
      // Nothing ran yet (requests arriving at the same microsecond): no
      // segment; its arrivals count as joining the next.
      node.carried_joined += node.segment_joined;
      return;
    }
    NodeResult& nr = result_.nodes[n];
    const double g = node.segment_g_per_kwh;
    const double carbon = std::isfinite(g) ? node.segment_energy_j / 3.6e6 * g * nodes_[n].pue : 0;
    nr.batch_energy_j += node.segment_energy_j;
    nr.carbon_g += carbon;
    ++nr.batches;
    if (options_.record_batches) {
      result_.batches.push_back(BatchRecord{.node = n, .start_us = node.segment_start_us, .end_us = now,
                                            .size = static_cast<int>(node.running.size()),
                                            .joined = node.segment_joined, .energy_j = node.segment_energy_j,
                                            .g_co2_per_kwh = g, .carbon_g = carbon});
    }
  }

  // Starts a segment for the membership as it now is: the rate and power of
  // a batch of this size and mix (from the profile), the grid intensity now,
  // and the completion event of the sequence closest to its end. An empty
  // membership makes the node idle.
  void open_segment(std::size_t n, int joined, bool was_busy) {
    NodeRuntime& node = rt_[n];
    const SimTimeUs now = events_.now_us();
    NodeResult& nr = result_.nodes[n];
    const profile::DeviceProfile& prof = *nodes_[n].profile;
    ++node.generation;
    snapshot_[n].running_batch = static_cast<int>(node.running.size());
    if (node.running.empty()) {
      node.rate = 0;
      node.power_w = 0;
      if (was_busy) {
        nr.busy_s += us_to_s(now - node.busy_since_us);
        node.idle_since_us = now;
      }
      return;
    }
    if (!was_busy) {
      const double idle_j = prof.idle_watts * us_to_s(now - node.idle_since_us);
      nr.idle_energy_j += idle_j;
      nr.carbon_g += grams(n, idle_j);
      node.busy_since_us = now;
    }
    const int k = static_cast<int>(node.running.size());
    double prompt = 0;
    double output = 0;
    for (const RunningSequence& s : node.running) {
      prompt += requests_[s.request].prompt_tokens;
      output += requests_[s.request].output_tokens;
    }
    prompt /= k;
    output /= k;
    // k sequences of this mix together take latency(k) where one alone takes
    // latency(1): each progresses at latency(1) / latency(k) solo ms per ms.
    const double alone_ms = std::max(0.001, prof.predict_latency_ms(1, prompt, output));
    const double together_ms = std::max(0.001, prof.predict_latency_ms(k, prompt, output));
    node.rate = alone_ms / together_ms;
    node.power_w = std::max(0.0, prof.predict_energy_j(k, prompt, output)) / (together_ms / 1e3) *
                   noise(options_.energy_noise_sigma, noise_rng_);
    node.segment_start_us = now;
    node.segment_energy_j = 0;
    node.segment_joined = joined + node.carried_joined;
    node.carried_joined = 0;
    refresh_intensity(n);
    node.segment_g_per_kwh = snapshot_[n].g_co2_per_kwh;
    double next = std::numeric_limits<double>::infinity();
    for (const RunningSequence& s : node.running) next = std::min(next, s.finish_work);
    const double wait_ms = std::max(0.0, next - node.work_done) / node.rate;
    events_.push(now + std::max<SimTimeUs>(1, static_cast<SimTimeUs>(std::ceil(wait_ms * kUsPerMs))), kSequenceDone, n,
                 node.generation);
  }

  // Whether an idle node holds its queue back to fill a batch: with
  // max_wait_ms > 0, until the batch is full or its oldest request has waited
  // that long (the node agent's --max-wait-ms). Arms the timer when it does.
  bool hold_for_batch(std::size_t n) {
    NodeRuntime& node = rt_[n];
    if (!node.running.empty() || options_.max_wait_ms <= 0 || node.queue.empty() ||
        node.queue.size() >= static_cast<std::size_t>(node.max_batch)) {
      return false;
    }
    const SimTimeUs deadline = requests_[node.queue.front()].arrival_us + ms_to_us(options_.max_wait_ms);
    if (events_.now_us() >= deadline) return false;
    if (!node.wait_timer) {
      events_.push(deadline, kWaitOver, n);
      node.wait_timer = true;
    }
    return true;
  }

  // Moves queued requests into the free slots of the running batch; returns
  // how many joined.
  int take_from_queue(std::size_t n) {
    NodeRuntime& node = rt_[n];
    const profile::DeviceProfile& prof = *nodes_[n].profile;
    int joined = 0;
    while (!node.queue.empty() && node.running.size() < static_cast<std::size_t>(node.max_batch)) {
      const std::uint32_t i = node.queue.front();
      node.queue.pop_front();
      const SimRequest& r = requests_[i];
      const double work = std::max(0.001, prof.predict_latency_ms(1, r.prompt_tokens, r.output_tokens)) *
                          noise(options_.latency_noise_sigma, noise_rng_);
      node.running.push_back(RunningSequence{.request = i, .finish_work = node.work_done + work,
                                             .energy_mark = node.energy_per_sequence});
      ++joined;
      snapshot_[n].queue.requests -= 1;
      snapshot_[n].queue.prompt_tokens -= r.prompt_tokens;
      snapshot_[n].queue.output_tokens -= r.output_tokens;
    }
    if (snapshot_[n].queue.requests == 0) snapshot_[n].queue = {};  // no drift from float sums
    return joined;
  }

  // A queued request joins the running batch at once when a slot is free
  // (continuous batching: the node agent adds it at the next step).
  void admit(std::size_t n) {
    NodeRuntime& node = rt_[n];
    if (node.queue.empty() || node.running.size() >= static_cast<std::size_t>(node.max_batch)) return;
    if (hold_for_batch(n)) return;
    const bool was_busy = !node.running.empty();
    advance(n);
    close_segment(n);
    const int joined = take_from_queue(n);
    open_segment(n, joined, was_busy);
  }

  // The completion event of node n's current membership: every sequence whose
  // work is done leaves (its latency and energy share go to the corrector),
  // and queued requests take the freed slots.
  void finish_sequences(std::size_t n) {
    NodeRuntime& node = rt_[n];
    const SimTimeUs now = events_.now_us();
    advance(n);
    close_segment(n);
    // The event was rounded up to a whole microsecond, so a finishing
    // sequence's work is done to within float error.
    const double done_below = node.work_done + 1e-9 * std::max(1.0, node.work_done);
    std::size_t kept = 0;
    for (std::size_t s = 0; s < node.running.size(); ++s) {
      const RunningSequence seq = node.running[s];
      if (seq.finish_work > done_below) {
        node.running[kept++] = seq;
        continue;
      }
      const SimRequest& r = requests_[seq.request];
      const double latency_ms = us_to_ms(now - r.arrival_us);
      latencies_.push_back(latency_ms);
      latency_sum_ += latency_ms;
      ++result_.completed;
      if (r.slo_ms) {
        ++result_.slo_requests;
        if (latency_ms > *r.slo_ms) ++result_.slo_violations;
      }
      routing::Observation obs;
      obs.predicted = predictions_[seq.request];
      obs.observed_latency_ms = std::max(latency_ms, 1e-3);
      const double share_j = node.energy_per_sequence - seq.energy_mark;
      if (share_j > 0) obs.observed_energy_j = share_j;
      (void)node.corrector->observe(obs);  // a malformed sample is counted as rejected there
    }
    node.running.resize(kept);
    if (options_.online_correction) snapshot_[n].correction = node.corrector->correction();
    const int joined = hold_for_batch(n) ? 0 : take_from_queue(n);
    open_segment(n, joined, /*was_busy=*/true);
  }

  void finalize(SimTimeUs end_us) {
    result_.events = events_.events_handled();
    result_.makespan_s = us_to_s(end_us);
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
      NodeResult& nr = result_.nodes[n];
      const double idle_j = nodes_[n].profile->idle_watts * us_to_s(end_us - rt_[n].idle_since_us);
      nr.idle_energy_j += idle_j;
      nr.carbon_g += grams(n, idle_j);
      nr.energy_j = nr.batch_energy_j + nr.idle_energy_j;
      nr.utilisation = result_.makespan_s > 0 ? nr.busy_s / result_.makespan_s : 0;
      result_.batch_energy_j += nr.batch_energy_j;
      result_.idle_energy_j += nr.idle_energy_j;
      result_.carbon_g += nr.carbon_g;
    }
    result_.energy_j = result_.batch_energy_j + result_.idle_energy_j;
    result_.energy_kwh = result_.energy_j / 3.6e6;
    result_.throughput_rps = result_.makespan_s > 0 ? static_cast<double>(result_.completed) / result_.makespan_s : 0;
    std::sort(latencies_.begin(), latencies_.end());
    if (!latencies_.empty()) result_.latency_mean_ms = latency_sum_ / static_cast<double>(latencies_.size());
    result_.latency_p50_ms = percentile_sorted(latencies_, 50);
    result_.latency_p95_ms = percentile_sorted(latencies_, 95);
    result_.latency_p99_ms = percentile_sorted(latencies_, 99);
  }

  std::span<const SimNode> nodes_;
  std::span<const SimRequest> requests_;
  const SimOptions& options_;
  core::Rng noise_rng_;
  EventQueue events_;
  std::unique_ptr<routing::Policy> policy_;
  std::map<std::string, std::unique_ptr<routing::Policy>, std::less<>> overrides_;
  std::unique_ptr<routing::CounterfactualEstimator> counterfactual_;
  std::vector<NodeRuntime> rt_;
  // What the policies see, kept current incrementally (never rebuilt).
  std::vector<routing::NodeState> snapshot_;
  std::vector<ZoneLookup> zone_lookups_;
  std::map<std::pair<const carbon::CarbonSource*, std::string>, std::size_t> zone_keys_;
  std::int64_t arrivals_bucket_ = std::numeric_limits<std::int64_t>::min();
  std::vector<routing::Prediction> predictions_;
  std::vector<double> latencies_;
  double latency_sum_ = 0;
  PolicyResult result_;
};

}  // namespace

core::Status validate_sim_options(const SimOptions& o) {
  if (!std::isfinite(o.latency_noise_sigma) || o.latency_noise_sigma < 0) {
    return bad("latency_noise_sigma", ">= 0", o.latency_noise_sigma);
  }
  if (!std::isfinite(o.energy_noise_sigma) || o.energy_noise_sigma < 0) {
    return bad("energy_noise_sigma", ">= 0", o.energy_noise_sigma);
  }
  if (!std::isfinite(o.max_wait_ms) || o.max_wait_ms < 0) return bad("max_wait_ms", ">= 0", o.max_wait_ms);
  if (o.node_max_queue < 0) return bad("node_max_queue", ">= 0", o.node_max_queue);
  if (!std::isfinite(o.intensity_refresh_s) || o.intensity_refresh_s <= 0) {
    return bad("intensity_refresh_s", "> 0", o.intensity_refresh_s);
  }
  auto baseline = routing::parse_policy_kind(o.baseline_policy);
  if (!baseline.is_ok()) return core::invalid_argument("sim.baseline_policy: " + baseline.status().message());
  GR_RETURN_IF_ERROR(routing::validate_policy_options(o.policy_options).with_context("sim.policy_options"));
  GR_RETURN_IF_ERROR(routing::validate_predictor_options(o.predictor).with_context("sim.predictor"));
  return core::Status::ok();
}

core::Status validate_sim_nodes(std::span<const SimNode> nodes) {
  if (nodes.empty()) return core::invalid_argument("sim.nodes: the cluster has no node");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string at = "sim.node[" + std::to_string(i) + "]";
    if (!nodes[i].profile) return core::invalid_argument(at + ".profile: missing");
    if (!nodes[i].carbon) return core::invalid_argument(at + ".carbon: missing");
    if (nodes[i].max_batch < 0) return core::invalid_argument(at + ".max_batch: must be >= 0");
    if (!std::isfinite(nodes[i].pue) || nodes[i].pue < 1) return core::invalid_argument(at + ".pue: must be >= 1");
  }
  return core::Status::ok();
}

core::Result<std::vector<SimNode>> sim_nodes_from_config(const routing::ClusterConfig& config,
                                                         const carbon::SourceFactoryContext& context) {
  std::map<std::string, std::shared_ptr<carbon::CarbonSource>> sources;
  std::vector<SimNode> out;
  out.reserve(config.nodes.size());
  for (std::size_t i = 0; i < config.nodes.size(); ++i) {
    const routing::NodeConfig& nc = config.nodes[i];
    auto& src = sources[nc.carbon];
    if (!src) {
      auto made = carbon::make_carbon_source(nc.carbon, context);
      if (!made.is_ok()) return made.status().with_context("node[" + std::to_string(i) + "].carbon");
      src = std::shared_ptr<carbon::CarbonSource>(std::move(made).value());
    }
    SimNode n;
    n.name = nc.name;
    n.zone = nc.zone;
    n.profile = nc.profile;
    n.carbon = src;
    n.max_batch = nc.max_batch.value_or(0);
    out.push_back(std::move(n));
  }
  return out;
}

core::Result<PolicyResult> simulate_policy(std::span<const SimNode> nodes, std::span<const SimRequest> requests,
                                           std::string_view policy, const SimOptions& options) {
  GR_RETURN_IF_ERROR(validate_sim_options(options));
  GR_RETURN_IF_ERROR(validate_sim_nodes(nodes));
  Run run(nodes, requests, options);
  return run.run(policy);
}

}  // namespace greenroute::sim
