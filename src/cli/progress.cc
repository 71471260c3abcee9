#include "progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace greenroute::cli {

namespace {
constexpr int kBarWidth = 24;
constexpr double kPlainEverySeconds = 5.0;
}  // namespace

std::string format_duration(double s) {
  if (s < 0) return "?";
  const auto total = static_cast<long long>(s + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02d}m", total / 3600, static_cast<int>(total % 3600 / 60));
  if (total >= 60) return fmt::format("{}m{:02d}s", total / 60, static_cast<int>(total % 60));
  return fmt::format("{}s", total);
}

ProgressDisplay::ProgressDisplay(bool interactive) : interactive_(interactive) {}

ProgressDisplay::~ProgressDisplay() { finish(); }

void ProgressDisplay::update(int done, int total, const std::string& what, double elapsed_s, double eta_s) {
  const double frac = total > 0 ? static_cast<double>(done) / total : 0.0;
  if (interactive_) {
    const int filled = static_cast<int>(frac * kBarWidth + 0.5);
    std::fprintf(stderr, "\r\033[K[%s%s] %3d%% %d/%d  %s  %s elapsed, ETA %s",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(kBarWidth - filled), '.').c_str(),
                 static_cast<int>(frac * 100 + 0.5), done, total, what.c_str(), format_duration(elapsed_s).c_str(),
                 format_duration(eta_s).c_str());
    std::fflush(stderr);
    line_open_ = true;
    return;
  }
  if (elapsed_s - last_plain_s_ < kPlainEverySeconds && done < total) return;
  last_plain_s_ = elapsed_s;
  std::fprintf(stderr, "progress: %d/%d (%d%%) %s, %s elapsed, ETA %s\n", done, total,
               static_cast<int>(frac * 100 + 0.5), what.c_str(), format_duration(elapsed_s).c_str(),
               format_duration(eta_s).c_str());
}

void ProgressDisplay::message(const std::string& line) {
  if (line_open_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s\n", line.c_str());
  line_open_ = false;
}

void ProgressDisplay::finish() {
  if (line_open_) std::fprintf(stderr, "\n");
  line_open_ = false;
}

}  // namespace greenroute::cli
