#include "interrupt.h"

#include <csignal>
#include <ctime>

#include <algorithm>

namespace greenroute::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int /*signal*/) { g_interrupted = 1; }

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interrupt_requested() { return g_interrupted != 0; }

void sleep_unless_interrupted(std::int64_t ns) {
  constexpr std::int64_t kSliceNs = 10'000'000;
  while (ns > 0 && !interrupt_requested()) {
    const std::int64_t step = std::min(ns, kSliceNs);
    timespec ts{static_cast<time_t>(step / 1'000'000'000), static_cast<long>(step % 1'000'000'000)};
    nanosleep(&ts, nullptr);
    ns -= step;
  }
}

}  // namespace greenroute::cli
