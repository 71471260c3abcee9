// Ctrl-C handling for long-running commands (power watch, power measure):
// the first SIGINT/SIGTERM sets a flag the command polls, so it can stop
// cleanly and still print what it measured.
#pragma once

#include <cstdint>

namespace greenroute::cli {

// Installs the handlers (idempotent).
void install_interrupt_handlers();
bool interrupt_requested();
// Sleeps up to `ns`, waking early (within ~10 ms) once an interrupt arrives.
void sleep_unless_interrupted(std::int64_t ns);

}  // namespace greenroute::cli
