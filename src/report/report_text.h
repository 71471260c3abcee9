// Numbers and labels as the experiment report writes them (HTML, CSV, file
// names). Numbers go through std::to_chars, never the process locale, so a
// report is byte-identical wherever it is made. Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace greenroute::report::detail {

// `decimals` digits after the point ("12.35", "3"), never "-0"; "n/a" for a
// non-finite value.
std::string fixed_text(double value, int decimals);

// At most `significant` (default three) significant digits without an
// exponent for everyday magnitudes, trailing zeros dropped ("1235", "123",
// "12.3", "1.2", "40", "0.0123"; below 1e-6: "2.5e-07"), never "-0"; "n/a"
// for a non-finite value. For tables and sentences.
std::string figure_text(double value, int significant = 3);

// The shortest text that reads back as exactly `value` ("0.1", "1e+300");
// for CSV, so a figure survives the round trip. "" for a non-finite value.
std::string exact_text(double value);

// A percentage with at most one decimal, trailing zero dropped: "12.3%",
// "35%", "0.2%".
std::string percent_text(double pct);

// A ratio of speeds: "2.5x faster", "1.3x slower", or "the same (1.00x)"
// when within half a percent.
std::string speedup_text(double speedup);

// How an energy figure was obtained, from a label such as
// "estimated:cpu-estimate" or "measured:nvml" (LocalBench::energy_label,
// LivePolicyRun::energy_source).
struct EnergyProvenance {
  bool measured = false;
  bool estimated = false;
  std::string method;  // "cpu-estimate", "nvml"; the label itself when neither
  // "measured (nvml)", "estimated (cpu-estimate)", "provenance not recorded",
  // or "unlabelled: <label>".
  std::string text() const;
  // For chart footnotes, as `greenroute bench` writes them: "energy MEASURED
  // by nvml", "energy ESTIMATED by cpu-estimate".
  std::string footnote() const;
};
EnergyProvenance energy_provenance(std::string_view label);

// A scenario name made safe for a file name: characters outside
// [A-Za-z0-9_-] become '-' (so no '/', '.', spaces or quotes survive).
std::string file_slug(std::string_view name);

}  // namespace greenroute::report::detail
