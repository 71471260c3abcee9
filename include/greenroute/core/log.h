// Logging: a thin layer over spdlog so components share one format and the
// CLI decides the level. Thread-safe (spdlog's default logger is).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace greenroute::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

// Configures the process-wide logger to write to stderr at `level`.
void init_logging(LogLevel level);

// Parses "debug", "info", "warn", "error", "off". Returns false if unknown.
bool parse_log_level(std::string_view name, LogLevel* out);

}  // namespace greenroute::core
