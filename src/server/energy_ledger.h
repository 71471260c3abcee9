// EnergyLedger: turns a power meter's energy into per-request joules, for
// the node agent (embedded engine and proxy mode alike).
//
// Time is cut into windows. A window closes whenever a request opens or
// finishes, and at least every tick (the agent ticks every 100 ms). The
// energy of a closed window, read from the PowerSampler, is split among the
// requests open in it by power::attribute_energy (attribution.h), weighted
// by the tokens each processed inside the window (prompt tokens when its
// prefill completes, then one per generated token). When no open request
// processed a token in the window (a long prefill, or proxy mode, where the
// upstream's progress is invisible), the window is split equally among the
// open requests. A window with no open request is idle energy: counted in
// the device total, charged to nobody. No idle netting: a request is charged
// the device's whole draw while it ran, as the device profile's energy model
// also counts it.
//
// A window the sampler cannot cover right away (its newest reading is older
// than the window end plus the sampler's allowed extrapolation) triggers one
// sample_once() and a retry; a window that still fails is dropped, counted,
// and marks its requests unmeasured (their energy is reported as unknown,
// never as a partial figure passed off as whole).
//
// Thread contract: thread-safe (one mutex; the sampler is queried under it,
// and the sampler never calls back, so there is no lock cycle).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "greenroute/core/clock.h"
#include "greenroute/power/power_sampler.h"

namespace greenroute::server {

class EnergyLedger {
 public:
  using Key = std::uint64_t;

  // `sampler` may be null: then every request is unmeasured. Both must
  // outlive the ledger; the sampler's clock must be `clock`.
  EnergyLedger(power::PowerSampler* sampler, const core::Clock& clock);

  // Closes the current window, then opens `key` (a new, unique key).
  void open(Key key);
  // Tokens `key` processed since the last call (ignored for unknown keys).
  void add_tokens(Key key, std::int64_t prompt_tokens, std::int64_t generated_tokens);
  // Closes the current window now.
  void tick();

  struct Charge {
    double joules = 0.0;
    bool measured = false;  // every window it ran in was measured
  };
  // Closes the current window, removes `key` and returns its charge.
  Charge finish(Key key);

  struct Totals {
    double device_joules = 0.0;        // every measured window
    double attributed_joules = 0.0;    // charged to requests
    double unattributed_joules = 0.0;  // windows with no open request
    std::uint64_t windows = 0;
    std::uint64_t failed_windows = 0;
    std::size_t open_requests = 0;
  };
  Totals totals() const;

 private:
  struct Entry {
    std::int64_t prompt_tokens = 0;     // in the current window
    std::int64_t generated_tokens = 0;  // in the current window
    double joules = 0.0;
    bool gap = false;                   // a window it ran in was not measured
  };
  void close_window_locked(std::int64_t now_ns);

  power::PowerSampler* const sampler_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::int64_t window_start_ns_;   // guarded by mu_
  std::map<Key, Entry> open_;      // guarded by mu_
  Totals totals_;                  // guarded by mu_
};

}  // namespace greenroute::server
