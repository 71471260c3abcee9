// Parsing of byte sizes given on the command line ("512MiB", "2G", "1.5GiB",
// "1000000"). Binary and decimal suffixes are both accepted: K/KB = 1000,
// KiB = 1024, and so on up to T.
#pragma once

#include <cstdint>
#include <string_view>

#include "greenroute/core/status.h"

namespace greenroute::cli {

core::Result<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace greenroute::cli
