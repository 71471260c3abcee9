// RequestChannel: how one HTTP request and the engine thread talk.
//
// The handler thread creates the channel with its prompts, queues it on the
// EngineWorker and then only waits on it; the engine thread reports the
// admission decision, every TokenEvent (tagged with the prompt's index) and,
// per prompt, the finish with its energy charge. Whichever side finishes
// last frees it (shared ownership is the point: either may go first).
//
// Thread contract: thread-safe; one engine thread writes, one handler
// thread reads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/engine/batch/generator.h"

namespace greenroute::server {

struct ChannelEvent {
  std::size_t prompt = 0;  // index into the request's prompts
  engine::batch::TokenEvent event;
  std::int64_t time_ns = 0;  // when the engine produced it
  // Set on the finishing event: the prompt's energy charge.
  std::optional<double> energy_joules;
};

class RequestChannel {
 public:
  RequestChannel(std::uint64_t id, std::vector<engine::batch::GenerationRequest> prompts)
      : id_(id), prompts_(std::move(prompts)), finished_(prompts_.size(), false) {}

  std::uint64_t id() const { return id_; }
  std::size_t size() const { return finished_.size(); }

  // Engine side. take_prompts() moves the requests out once.
  std::vector<engine::batch::GenerationRequest> take_prompts() { return std::move(prompts_); }
  void set_admission(core::Status status);
  void push(ChannelEvent event);
  // The engine failed the whole request (a step error, or a shutdown).
  void fail(core::Status status);

  // Handler side. Blocks until the admission decision.
  core::Status wait_admission();
  // Waits up to `timeout` for events and moves them into `out`. Returns
  // true once every prompt has finished (or the request failed) and all
  // events have been handed out.
  bool wait_events(std::chrono::milliseconds timeout, std::vector<ChannelEvent>& out);
  // The failure set by fail(), ok otherwise.
  core::Status failure() const;

 private:
  bool done_locked() const;

  const std::uint64_t id_;
  std::vector<engine::batch::GenerationRequest> prompts_;  // until the engine takes them
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool admitted_ = false;              // guarded by mu_: the decision was made
  core::Status admission_;             // guarded by mu_
  std::vector<ChannelEvent> pending_;  // guarded by mu_
  std::vector<bool> finished_;         // guarded by mu_
  core::Status failure_;               // guarded by mu_
};

}  // namespace greenroute::server
