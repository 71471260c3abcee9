#include "engine_worker.h"

#include <chrono>
#include <utility>

#include "greenroute/core/log.h"

namespace greenroute::server {

namespace batch = engine::batch;

EngineWorker::EngineWorker(engine::context::Context& ctx, const core::Clock& clock, EnergyLedger& ledger,
                           const EngineWorkerOptions& options)
    : ctx_(ctx), clock_(clock), ledger_(ledger), options_(options), gen_(ctx, clock) {
  gen_.set_max_active(options_.max_batch);
  publish();
}

EngineWorker::~EngineWorker() { stop(); }

void EngineWorker::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

core::Status EngineWorker::submit(std::shared_ptr<RequestChannel> channel) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return core::unavailable("the node is shutting down");
    if (snapshot_.failed) return core::unavailable("the engine failed and is not accepting work");
    std::size_t queued = snapshot_.queued_requests + channel->size();
    for (const auto& c : inbox_) queued += c->size();
    if (queued > options_.max_queue) {
      return core::resource_exhausted("the queue is full (" + std::to_string(queued - channel->size()) +
                                      " prompts waiting, limit " + std::to_string(options_.max_queue) + ")");
    }
    inbox_.push_back(std::move(channel));
  }
  cv_.notify_all();
  return core::Status::ok();
}

void EngineWorker::cancel(std::uint64_t channel_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancels_.push_back(channel_id);
  }
  cv_.notify_all();
}

void EngineWorker::cancel_all(core::Status reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_everything_ = true;
    cancel_reason_ = std::move(reason);
  }
  cv_.notify_all();
}

void EngineWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cancel_everything_ = true;
    if (cancel_reason_.is_ok()) cancel_reason_ = core::unavailable("the node is shutting down");
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

EngineSnapshot EngineWorker::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  EngineSnapshot s = snapshot_;
  for (const auto& c : inbox_) s.queued_requests += c->size();
  return s;
}

void EngineWorker::run() {
  std::vector<batch::TokenEvent> events;
  for (;;) {
    std::deque<std::shared_ptr<RequestChannel>> inbox;
    std::vector<std::uint64_t> cancels;
    bool cancel_everything = false;
    bool stopping = false;
    core::Status reason;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] {
        return stopping_ || cancel_everything_ || !inbox_.empty() || !cancels_.empty() || !gen_.idle();
      });
      if (gen_.idle() && !inbox_.empty() && options_.max_wait_ns > 0 && !stopping_) {
        // Idle to busy: give a burst max_wait to arrive so it starts as one
        // batch. Real time, not the injected clock: this is a wait, not a
        // measurement (as the PowerSampler's pacing).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(options_.max_wait_ns);
        auto prompts = [&] {
          std::size_t n = 0;
          for (const auto& c : inbox_) n += c->size();
          return n;
        };
        cv_.wait_until(lock, deadline, [&] {
          return stopping_ || prompts() >= static_cast<std::size_t>(options_.max_batch);
        });
      }
      inbox.swap(inbox_);
      cancels.swap(cancels_);
      cancel_everything = std::exchange(cancel_everything_, false);
      stopping = stopping_;
      reason = cancel_reason_;
    }
    for (auto& channel : inbox) {
      if (stopping) {
        channel->set_admission(core::unavailable("the node is shutting down"));
      } else {
        admit(std::move(channel));
      }
    }
    if (cancel_everything) {
      for (auto& [id, r] : running_) {
        r.channel->fail(reason);
        (void)gen_.cancel(id);
      }
    }
    for (const std::uint64_t channel_id : cancels) {
      for (auto& [id, r] : running_) {
        if (r.channel->id() == channel_id) (void)gen_.cancel(id);
      }
    }
    if (!gen_.idle()) {
      events.clear();
      core::Status st = gen_.step(events);
      if (!st.is_ok()) {
        spdlog::error("node: engine step failed: {}", st.to_string());
        {
          std::lock_guard<std::mutex> lock(mu_);
          snapshot_.failed = true;
        }
        fail_all(core::internal_error("the engine failed: " + st.to_string()));
      }
      dispatch(events);
    }
    publish();
    if (stopping && gen_.idle()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (inbox_.empty()) break;
    }
  }
  // Anything left (an engine failure that could not drain) still gets a final answer.
  fail_all(core::unavailable("the node is shutting down"));
}

void EngineWorker::admit(std::shared_ptr<RequestChannel> channel) {
  bool failed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failed = snapshot_.failed;
  }
  if (failed) {
    channel->set_admission(core::unavailable("the engine failed and is not accepting work"));
    return;
  }
  std::vector<batch::GenerationRequest> prompts = channel->take_prompts();
  std::vector<batch::RequestId> ids;
  core::Status status;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const auto prompt_tokens = static_cast<std::int64_t>(prompts[i].prompt.size());
    const std::int64_t max_tokens = prompts[i].max_tokens;
    core::Result<batch::RequestId> id = gen_.submit(std::move(prompts[i]));
    if (!id.is_ok()) {
      status = prompts.size() > 1 ? id.status().with_context("prompt[" + std::to_string(i) + "]") : id.status();
      break;
    }
    const EnergyLedger::Key key = next_key_++;
    ledger_.open(key);
    running_[*id] = Running{channel, i, key, prompt_tokens, max_tokens, 0};
    ids.push_back(*id);
  }
  if (!status.is_ok()) {
    // All or nothing: a request whose prompt is refused runs none of them.
    for (const batch::RequestId id : ids) {
      (void)gen_.cancel(id);
      (void)ledger_.finish(running_[id].key);
      running_.erase(id);
    }
  }
  channel->set_admission(status);
}

void EngineWorker::dispatch(std::vector<batch::TokenEvent>& events) {
  const std::int64_t now = clock_.now_ns();
  // Every token of the step first, so the window a finish closes holds them all.
  for (const batch::TokenEvent& ev : events) {
    const auto it = running_.find(ev.id);
    if (it == running_.end() || ev.token < 0) continue;
    Running& r = it->second;
    // A prompt's prefill completes with its first token.
    ledger_.add_tokens(r.key, r.generated == 0 ? r.prompt_tokens : 0, 1);
    ++r.generated;
  }
  for (batch::TokenEvent& ev : events) {
    const auto it = running_.find(ev.id);
    if (it == running_.end()) continue;  // refused at admission
    Running& r = it->second;
    ChannelEvent ce;
    ce.prompt = r.prompt;
    ce.time_ns = now;
    const bool finished = ev.finished;
    if (finished) {
      const EnergyLedger::Charge charge = ledger_.finish(r.key);
      if (charge.measured) ce.energy_joules = charge.joules;
    }
    ce.event = std::move(ev);
    r.channel->push(std::move(ce));
    if (finished) running_.erase(it);
  }
}

void EngineWorker::fail_all(const core::Status& status) {
  for (auto& [id, r] : running_) {
    r.channel->fail(status);
    (void)gen_.cancel(id);
    (void)ledger_.finish(r.key);
  }
  running_.clear();
}

void EngineWorker::publish() {
  EngineSnapshot s;
  const std::size_t waiting = gen_.waiting();
  s.queued_requests = waiting;
  s.running = gen_.running();
  // The Generator admits in submission order, so its waiting requests are
  // the newest entries.
  std::size_t seen = 0;
  for (auto it = running_.rbegin(); it != running_.rend(); ++it, ++seen) {
    const Running& r = it->second;
    if (seen < waiting) {
      s.queued_tokens += r.prompt_tokens + r.max_tokens;
    } else {
      s.running_tokens_left += r.max_tokens - r.generated;
    }
  }
  s.kv_allocated_bytes = ctx_.kv_allocated_bytes();
  const engine::model::MemoryModel& mm = ctx_.memory_model();
  s.memory_used_bytes = mm.weight_bytes + mm.compute_bytes() + s.kv_allocated_bytes;
  s.memory_limit_bytes = ctx_.params().memory_limit_bytes;
  std::lock_guard<std::mutex> lock(mu_);
  s.steps = snapshot_.steps + 1;
  s.failed = snapshot_.failed;
  snapshot_ = s;
}

}  // namespace greenroute::server
