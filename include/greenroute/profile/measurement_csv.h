// measurements.csv: one row per benchmark run (RunMeasurement), RFC 4180
// quoting, numbers in C locale, NaN written as an empty field (a run whose
// energy could not be measured). Thread-compatible (pure functions).
#pragma once

#include <string>

#include "greenroute/profile/measurement.h"

namespace greenroute::profile {

// The header line, without the line break.
std::string measurement_csv_header();
// One row, without the line break, in header order.
std::string measurement_csv_row(const RunMeasurement& m);

}  // namespace greenroute::profile
