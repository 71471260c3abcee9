#include "energy_ledger.h"

#include <string>
#include <vector>

#include "greenroute/core/log.h"
#include "greenroute/power/attribution.h"

namespace greenroute::server {

EnergyLedger::EnergyLedger(power::PowerSampler* sampler, const core::Clock& clock)
    : sampler_(sampler), clock_(clock), window_start_ns_(clock.now_ns()) {}

void EnergyLedger::open(Key key) {
  std::lock_guard<std::mutex> lock(mu_);
  close_window_locked(clock_.now_ns());
  open_[key] = Entry{};
}

void EnergyLedger::add_tokens(Key key, std::int64_t prompt_tokens, std::int64_t generated_tokens) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = open_.find(key);
  if (it == open_.end()) return;
  it->second.prompt_tokens += prompt_tokens;
  it->second.generated_tokens += generated_tokens;
}

void EnergyLedger::tick() {
  std::lock_guard<std::mutex> lock(mu_);
  close_window_locked(clock_.now_ns());
}

EnergyLedger::Charge EnergyLedger::finish(Key key) {
  std::lock_guard<std::mutex> lock(mu_);
  close_window_locked(clock_.now_ns());
  const auto it = open_.find(key);
  if (it == open_.end()) return {};
  Charge c{it->second.joules, sampler_ != nullptr && !it->second.gap};
  open_.erase(it);
  return c;
}

EnergyLedger::Totals EnergyLedger::totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  Totals t = totals_;
  t.open_requests = open_.size();
  return t;
}

void EnergyLedger::close_window_locked(std::int64_t now_ns) {
  const std::int64_t t0 = window_start_ns_;
  if (now_ns <= t0) return;
  window_start_ns_ = now_ns;
  auto reset_tokens = [&] {
    for (auto& [key, e] : open_) e.prompt_tokens = e.generated_tokens = 0;
  };
  if (sampler_ == nullptr) {
    for (auto& [key, e] : open_) e.gap = true;
    reset_tokens();
    return;
  }
  core::Result<power::EnergyWindow> w = sampler_->energy_between(t0, now_ns);
  if (!w.is_ok() && w.status().code() == core::StatusCode::kUnavailable) {
    // The newest reading is too old to reach `now`: take one now.
    (void)sampler_->sample_once();
    w = sampler_->energy_between(t0, now_ns);
  }
  ++totals_.windows;
  if (!w.is_ok()) {
    ++totals_.failed_windows;
    spdlog::debug("node: energy window of {} ms not measured: {}", (now_ns - t0) / 1'000'000,
                  w.status().to_string());
    for (auto& [key, e] : open_) e.gap = true;
    reset_tokens();
    return;
  }
  totals_.device_joules += w->joules;
  if (open_.empty()) {
    totals_.unattributed_joules += w->joules;
    return;
  }
  power::AttributionInput in;
  in.window_j = w->joules;
  in.duration_s = w->duration_s;
  bool any_tokens = false;
  for (const auto& [key, e] : open_) any_tokens |= (e.prompt_tokens + e.generated_tokens) > 0;
  for (const auto& [key, e] : open_) {
    power::RequestTokens r;
    r.request_id = std::to_string(key);
    // No token anywhere in the window: split it equally.
    r.prompt_tokens = any_tokens ? e.prompt_tokens : 0;
    r.generated_tokens = any_tokens ? e.generated_tokens : 1;
    in.requests.push_back(std::move(r));
  }
  core::Result<power::Attribution> a = power::attribute_energy(in);
  if (!a.is_ok()) {
    ++totals_.failed_windows;
    spdlog::warn("node: energy attribution failed: {}", a.status().to_string());
    for (auto& [key, e] : open_) e.gap = true;
    reset_tokens();
    return;
  }
  std::size_t i = 0;
  for (auto& [key, e] : open_) e.joules += a->requests[i++].energy_j;
  totals_.attributed_joules += a->attributed_j;
  totals_.unattributed_joules += a->unattributed_j;
  reset_tokens();
}

}  // namespace greenroute::server
