#include "cli_common.h"

#include <cstdio>
#include <string>

namespace greenroute::cli {

int fail(std::string_view message, int exit_code) {
  std::fprintf(stderr, "greenroute: error: %.*s\n", static_cast<int>(message.size()), message.data());
  return exit_code;
}

int fail(const core::Status& status) {
  return fail(status.message(),
              status.code() == core::StatusCode::kInvalidArgument ? kExitUsage : kExitFailure);
}

}  // namespace greenroute::cli
