#include "request_channel.h"

#include <algorithm>

namespace greenroute::server {

void RequestChannel::set_admission(core::Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    admitted_ = true;
    admission_ = std::move(status);
  }
  cv_.notify_all();
}

void RequestChannel::push(ChannelEvent event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (event.event.finished && event.prompt < finished_.size()) finished_[event.prompt] = true;
    pending_.push_back(std::move(event));
  }
  cv_.notify_all();
}

void RequestChannel::fail(core::Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failure_.is_ok()) failure_ = std::move(status);
    if (!admitted_) {
      admitted_ = true;
      admission_ = failure_;
    }
  }
  cv_.notify_all();
}

core::Status RequestChannel::wait_admission() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return admitted_; });
  return admission_;
}

bool RequestChannel::done_locked() const {
  return !failure_.is_ok() || std::all_of(finished_.begin(), finished_.end(), [](bool f) { return f; });
}

bool RequestChannel::wait_events(std::chrono::milliseconds timeout, std::vector<ChannelEvent>& out) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !pending_.empty() || done_locked(); });
  for (ChannelEvent& e : pending_) out.push_back(std::move(e));
  pending_.clear();
  return done_locked();
}

core::Status RequestChannel::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

}  // namespace greenroute::server
