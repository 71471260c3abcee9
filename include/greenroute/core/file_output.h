// Writing output files (profiles, reports, charts) so that a reader never
// sees a half-written one. Thread-safe: touches only the path given and a
// uniquely named temporary file beside it.
#pragma once

#include <string>
#include <string_view>

#include "greenroute/core/status.h"

namespace greenroute::core {

// Writes `contents` to a temporary file in the directory of `path`, then
// renames it over `path` (mode 0666 less the umask, like any new file). On
// failure the temporary file is removed, `path` is left as it was, and the
// kIoError message names `path` and the reason given by the OS.
Status write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace greenroute::core
