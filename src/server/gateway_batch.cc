#include "gateway_batch.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace greenroute::server {

GatewayBatcher::GatewayBatcher(const routing::BatcherOptions& options, const core::Clock& clock,
                               GatewayMetrics& metrics)
    : options_(options), clock_(clock), metrics_(metrics) {
  thread_ = std::thread([this] { loop(); });
}

GatewayBatcher::~GatewayBatcher() {
  stop();
}

void GatewayBatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
    for (auto& [name, per] : nodes_) {
      for (auto& [id, w] : per.waiters) w->released = true;
      per.waiters.clear();
    }
  }
  wake_.notify_all();
  released_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int GatewayBatcher::wait_turn(const NodePtr& node, const routing::RequestShape& shape,
                              std::int64_t deadline_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stop_) return 1;
  PerNode& per = nodes_[node->spec().name];
  if (per.node != node) {  // first use, or the node was re-registered
    per.node = node;
    per.batcher = std::make_unique<routing::Batcher>(options_);
    for (auto& [id, w] : per.waiters) w->released = true;
    per.waiters.clear();
    released_.notify_all();
  }
  const std::uint64_t id = next_id_++;
  routing::PendingRequest pending;
  pending.id = id;
  pending.shape = shape;
  pending.arrival_ms = clock_.now_ms();
  if (!per.batcher->add(pending).is_ok()) return 1;
  auto waiter = std::make_shared<Waiter>();
  per.waiters[id] = waiter;
  wake_.notify_all();
  // Real time for the wait; the deadline is on the injected clock.
  while (!waiter->released && !stop_) {
    const std::int64_t left_ns = deadline_ns - clock_.now_ns();
    if (left_ns <= 0) break;
    released_.wait_for(lock, std::chrono::nanoseconds(std::min<std::int64_t>(left_ns, 50'000'000)));
  }
  // Timed out: it stays in the batcher and leaves with some later group,
  // which then finds no waiter for it; we go now, alone.
  return waiter->released ? waiter->group_prompts : 1;
}

void GatewayBatcher::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    std::optional<double> next_ms;
    bool released_any = false;
    for (auto& [name, per] : nodes_) {
      if (per.batcher == nullptr || per.batcher->pending() == 0) continue;
      const routing::NodeState state = per.node->state();
      const routing::BatchPoll poll = per.batcher->poll(clock_.now_ms(), state);
      for (const routing::BatchGroup& group : poll.ready) {
        metrics_.batches.with().inc();
        metrics_.batch_size.with().observe(group.shape.num_prompts);
        metrics_.batch_energy_saved.with().inc(group.energy_saved_j);
        for (const std::uint64_t id : group.ids) {
          auto it = per.waiters.find(id);
          if (it == per.waiters.end()) continue;
          it->second->released = true;
          it->second->group_prompts = group.shape.num_prompts;
          per.waiters.erase(it);
          released_any = true;
        }
      }
      if (poll.next_deadline_ms)
        next_ms = next_ms ? std::min(*next_ms, *poll.next_deadline_ms) : *poll.next_deadline_ms;
    }
    if (released_any) released_.notify_all();
    if (next_ms) {
      const double wait_ms = std::clamp(*next_ms - clock_.now_ms(), 0.1, 1000.0);
      wake_.wait_for(lock, std::chrono::microseconds(static_cast<std::int64_t>(wait_ms * 1000)));
    } else {
      wake_.wait_for(lock, std::chrono::seconds(1));
    }
  }
}

}  // namespace greenroute::server
