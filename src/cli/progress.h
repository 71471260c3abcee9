// Progress for long commands: a one-line bar with ETA redrawn in place on a
// terminal, or a plain line every few seconds otherwise (CI logs, pipes), so
// logs stay short and terminals stay lively. Writes to stderr.
// Thread contract: single-owner.
#pragma once

#include <cstdint>
#include <string>

namespace greenroute::cli {

class ProgressDisplay {
 public:
  // `interactive`: draw in place (normally isatty(stderr)).
  explicit ProgressDisplay(bool interactive);
  ~ProgressDisplay();  // ends the bar's line
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // done of total units, what is running now, seconds elapsed and left (< 0: unknown).
  void update(int done, int total, const std::string& what, double elapsed_s, double eta_s);
  // A message that must not be overdrawn (warnings): clears the bar first.
  void message(const std::string& line);
  void finish();

 private:
  bool interactive_;
  bool line_open_ = false;
  double last_plain_s_ = -1e9;
};

// "1h02m", "3m10s", "42s"; "?" for negative.
std::string format_duration(double seconds);

}  // namespace greenroute::cli
