#include "greenroute/routing/batcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "greenroute/core/check.h"
#include "greenroute/routing/predictor.h"

namespace greenroute::routing {

core::Status validate_batcher_options(const BatcherOptions& o) {
  if (!(o.max_wait_ms >= 0 && std::isfinite(o.max_wait_ms))) {
    return core::invalid_argument(
        fmt::format("batcher max_wait_ms must be finite and >= 0 (is {})", o.max_wait_ms));
  }
  if (o.max_batch < 1) {
    return core::invalid_argument(fmt::format("batcher max_batch must be >= 1 (is {})", o.max_batch));
  }
  return core::Status::ok();
}

Batcher::Batcher(const BatcherOptions& options) : options_(options) {
  GR_CHECK(validate_batcher_options(options_).is_ok());
}

core::Status Batcher::add(const PendingRequest& request) {
  GR_RETURN_IF_ERROR(validate_request(request.shape));
  if (!std::isfinite(request.arrival_ms)) {
    return core::invalid_argument("arrival time must be finite");
  }
  pending_.push_back(request);
  return core::Status::ok();
}

namespace {

// A group under construction: members by index into the pending list.
struct Group {
  std::vector<std::size_t> members;
  int prompts = 0;
  double prompt_token_sum = 0;  // sum of prompts x prompt tokens, for the mean
  double max_output = 0;
  double apart_energy_j = 0;    // every member run as its own batch
  double oldest_arrival_ms = 0;
  std::optional<double> tightest_slo_ms;

  RequestShape shape() const {
    RequestShape s;
    s.num_prompts = prompts;
    s.prompt_tokens = prompts > 0 ? prompt_token_sum / prompts : 0;
    s.max_output_tokens = max_output;
    s.slo_ms = tightest_slo_ms;
    return s;
  }

  void add(std::size_t index, const PendingRequest& r, double energy_alone_j) {
    if (members.empty() || r.arrival_ms < oldest_arrival_ms) oldest_arrival_ms = r.arrival_ms;
    members.push_back(index);
    prompts += r.shape.num_prompts;
    prompt_token_sum += r.shape.num_prompts * r.shape.prompt_tokens;
    max_output = std::max(max_output, r.shape.max_output_tokens);
    apart_energy_j += energy_alone_j;
    if (r.shape.slo_ms) {
      tightest_slo_ms = tightest_slo_ms ? std::min(*tightest_slo_ms, *r.shape.slo_ms) : *r.shape.slo_ms;
    }
  }
};

double batch_energy_j(const profile::DeviceProfile& profile, const RequestShape& s) {
  return profile.predict_energy_j(s.num_prompts, s.prompt_tokens, s.max_output_tokens);
}

// Whether every member with an SLO would meet it if the group left at now_ms
// with predicted completion latency_ms.
bool slos_met(const std::vector<PendingRequest>& pending, const std::vector<std::size_t>& members,
              double now_ms, double latency_ms) {
  for (std::size_t i : members) {
    const PendingRequest& r = pending[i];
    if (r.shape.slo_ms && (now_ms - r.arrival_ms) + latency_ms > *r.shape.slo_ms) return false;
  }
  return true;
}

}  // namespace

BatchPoll Batcher::poll(double now_ms, const NodeState& node) {
  BatchPoll out;
  if (pending_.empty()) return out;
  if (!node.profile) {  // nothing to predict with: no grouping, no waiting
    for (const PendingRequest& r : pending_) {
      BatchGroup g;
      g.ids.push_back(r.id);
      g.shape = r.shape;
      out.ready.push_back(std::move(g));
    }
    pending_.clear();
    return out;
  }
  const profile::DeviceProfile& profile = *node.profile;
  const int cap = std::min(options_.max_batch, node.effective_max_batch());

  std::vector<Group> groups;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    const PendingRequest& r = pending_[i];
    const double alone_j = batch_energy_j(profile, r.shape);
    bool placed = false;
    for (Group& g : groups) {
      if (g.prompts + r.shape.num_prompts > cap) continue;
      Group joined = g;
      joined.add(i, r, alone_j);
      const RequestShape shape = joined.shape();
      // g + r as one batch vs g as it is plus r on its own.
      const double together_j = batch_energy_j(profile, shape);
      const double apart_j = batch_energy_j(profile, g.shape()) + alone_j;
      if (!(together_j < apart_j)) continue;
      if (!slos_met(pending_, joined.members, now_ms, predict(node, shape).latency_ms)) continue;
      g = std::move(joined);
      placed = true;
      break;
    }
    if (!placed) {
      Group g;
      g.add(i, r, alone_j);
      groups.push_back(std::move(g));
    }
  }

  std::vector<bool> dispatched(pending_.size(), false);
  for (const Group& g : groups) {
    const RequestShape shape = g.shape();
    const double latency_ms = predict(node, shape).latency_ms;
    double deadline_ms = g.oldest_arrival_ms + options_.max_wait_ms;
    for (std::size_t i : g.members) {
      const PendingRequest& r = pending_[i];
      if (r.shape.slo_ms) deadline_ms = std::min(deadline_ms, r.arrival_ms + *r.shape.slo_ms - latency_ms);
    }
    if (g.prompts < cap && now_ms < deadline_ms) {
      out.next_deadline_ms = out.next_deadline_ms ? std::min(*out.next_deadline_ms, deadline_ms) : deadline_ms;
      continue;
    }
    BatchGroup ready;
    for (std::size_t i : g.members) {
      ready.ids.push_back(pending_[i].id);
      dispatched[i] = true;
    }
    const double energy_j = batch_energy_j(profile, shape);
    ready.shape = shape;
    ready.latency_ms = latency_ms;
    ready.energy_per_prompt_j = energy_j / shape.num_prompts;
    ready.energy_saved_j = std::max(0.0, g.apart_energy_j - energy_j);
    out.ready.push_back(std::move(ready));
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (!dispatched[i]) pending_[kept++] = pending_[i];
  }
  pending_.resize(kept);
  return out;
}

}  // namespace greenroute::routing
