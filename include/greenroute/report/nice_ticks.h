// Axis ticks for charts: "nice" values (1, 2 or 5 times a power of ten) that
// cover a data range, and short, fixed-format labels for them ("0.002",
// "1.2k", "3.5M", "2.5e-7").
//
// Labels never depend on the process locale: they are built with
// std::to_chars, so the same ticks give byte-identical text everywhere.
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <vector>

namespace greenroute::report {

struct Ticks {
  double lo = 0.0;             // the axis range: the first and last tick, so
  double hi = 1.0;             // every value of the data range lies inside it
  double step = 1.0;           // 1, 2 or 5 x 10^exponent
  int exponent = 0;            // the power of ten of `step`
  std::vector<double> values;  // lo, lo + step, ..., hi (at least two)
};

// Ticks covering [lo, hi] with about `target_count` intervals: the step is
// the smallest nice one of at least (hi - lo) / target_count, and rounding the
// ends out to multiples of it can add one more. lo == hi, or a range too
// narrow for a double to tell apart, is widened around the value (0 becomes
// [0, 1]). Preconditions (checked): lo <= hi, both finite with a magnitude of
// at most 1e300, 1 <= target_count <= 1000.
Ticks nice_ticks(double lo, double hi, int target_count = 5);

// The label of `value`, a multiple of 10^exponent (a tick of nice_ticks):
// just as many decimals as that step needs, trailing zeros dropped, SI
// suffixes k, M, G, T, P, E from 1000 up, scientific notation ("2.5e-7") for
// values below 1 on steps under 1e-4 and for values from 1e21, and "0"
// (never "-0") for zero.
std::string format_tick(double value, int exponent);

}  // namespace greenroute::report
