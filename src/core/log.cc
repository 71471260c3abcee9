#include "greenroute/core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace greenroute::core {

void init_logging(LogLevel level) {
  auto logger = spdlog::get("greenroute");
  if (!logger) logger = spdlog::stderr_color_mt("greenroute");
  logger->set_pattern("%^[%L]%$ %v");
  switch (level) {
    case LogLevel::kDebug: logger->set_level(spdlog::level::debug); break;
    case LogLevel::kInfo: logger->set_level(spdlog::level::info); break;
    case LogLevel::kWarn: logger->set_level(spdlog::level::warn); break;
    case LogLevel::kError: logger->set_level(spdlog::level::err); break;
    case LogLevel::kOff: logger->set_level(spdlog::level::off); break;
  }
  spdlog::set_default_logger(logger);
}

bool parse_log_level(std::string_view name, LogLevel* out) {
  if (name == "debug") *out = LogLevel::kDebug;
  else if (name == "info") *out = LogLevel::kInfo;
  else if (name == "warn") *out = LogLevel::kWarn;
  else if (name == "error") *out = LogLevel::kError;
  else if (name == "off") *out = LogLevel::kOff;
  else return false;
  return true;
}

}  // namespace greenroute::core
