// Energy over a time window from a series of PowerReading: pure functions,
// usable on the sampler's history or on any recorded trace.
//
// Two methods:
// - counter: the readings' cumulative energy_j. Energy = E(t1) - E(t0), the
//   counter linearly interpolated where a window edge falls between two
//   readings (i.e. constant power within a sampling interval, which is all a
//   counter can tell). Exact at reading times; preferred whenever present.
// - trapezoid: watts linear between readings, integrated over the window with
//   the edge values interpolated.
// kAuto uses the counter when the series has one and the counter can serve the
// window, else the trapezoid; EnergyWindow::method says which was used.
//
// Input rules (documented because a caller can hit each of them):
// - Readings must be in non-decreasing time_ns order; a decrease anywhere in
//   the series is kInvalidArgument (a caller bug, not a sensor event).
// - Readings with equal time_ns: the first usable one counts, later ones are
//   skipped (a clock that did not move between two reads carries no interval).
// - A reading is usable for the trapezoid when its watts is finite (a
//   counter-only meter's first reading has NaN watts and is skipped), and for
//   the counter when energy_j is set and finite. Readings lacking a counter
//   are skipped by the counter method: the counter is cumulative, so nothing
//   is lost across them.
// - A counter that decreases across an interval the window uses is a reset
//   (meters already unwrap hardware wraparound): kAuto then falls back to the
//   trapezoid and sets counter_reset; a forced kCounter returns kCorrupt.
// - The window is [t0_ns, t1_ns] with t1_ns > t0_ns, else kInvalidArgument.
// - At least two usable readings are needed: kUnavailable otherwise (an empty
//   or just-started series).
//
// Coverage: by default a window must lie within the usable readings. Where it
// does not, the uncovered part is filled by holding the nearest interval's
// power constant only if it reaches no further than max_extrapolate_ns from
// the data; beyond that the call refuses:
// - kNotFound when the window starts before the oldest reading (that data is
//   gone or was never sampled, retrying will not help);
// - kUnavailable when it ends after the newest reading (ask again once the
//   next sample has been taken).
// Refusing is the default because a silently extrapolated figure would be
// charged to requests as if measured; the sampler's caller can opt in to one
// sampling interval of extrapolation to avoid waiting for the next sample.
//
// Thread contract: thread-compatible (stateless functions over caller data).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/power/power_meter.h"

namespace greenroute::power {

enum class IntegrationMethod {
  kAuto,       // request only: the counter when it can serve the window, else the trapezoid
  kCounter,    // cumulative energy_j deltas
  kTrapezoid,  // trapezoidal rule on watts
};

// "auto", "counter", "trapezoid".
std::string_view integration_method_name(IntegrationMethod method);

struct IntegrationOptions {
  IntegrationMethod method = IntegrationMethod::kAuto;
  // How far (ns) a window may reach beyond the first/last usable reading and
  // still be answered by holding the edge power. 0: refuse any gap. >= 0.
  std::int64_t max_extrapolate_ns = 0;
};

struct EnergyWindow {
  std::int64_t t0_ns = 0;
  std::int64_t t1_ns = 0;
  double joules = 0.0;
  double duration_s = 0.0;
  double mean_watts = 0.0;  // joules / duration_s
  // Highest power seen in the window: interpolated edge values and readings
  // inside it for the trapezoid. For the counter: the highest watts the meter
  // itself reported for the intervals overlapping the window, else (no finite watts there) the
  // highest counter interval average, which overshoots when the hardware
  // updates its counter more slowly than it is read.
  double peak_watts = 0.0;
  IntegrationMethod method = IntegrationMethod::kTrapezoid;  // never kAuto
  int samples_used = 0;         // usable readings that contributed
  bool covered = true;          // the readings span the whole window
  std::int64_t extrapolated_ns = 0;  // window time filled by holding edge power
  bool counter_reset = false;   // kAuto fell back to the trapezoid over a counter reset
};

// Energy of the device total (PowerReading::watts / energy_j) over [t0_ns, t1_ns].
core::Result<EnergyWindow> integrate_energy(std::span<const PowerReading> readings, std::int64_t t0_ns,
                                            std::int64_t t1_ns, const IntegrationOptions& options = {});

// One rail's energy. `status` is ok when `window` is valid; a rail can fail on
// its own (e.g. it was left out of readings around the window).
struct RailEnergy {
  std::string name;
  core::Status status;
  EnergyWindow window;
};

// The same integration per rail, for every rail name seen in the series (in
// first-seen order). A reading lacking a rail is simply not a sample of it.
// The series-level checks (window, order, emptiness) fail the whole call.
core::Result<std::vector<RailEnergy>> integrate_rail_energy(std::span<const PowerReading> readings,
                                                            std::int64_t t0_ns, std::int64_t t1_ns,
                                                            const IntegrationOptions& options = {});

}  // namespace greenroute::power
