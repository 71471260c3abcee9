// Writing report files (SVG, and later CSV, JSON, HTML) so that a reader
// never sees a half-written one: core's atomic writer, under report's name.
#pragma once

#include "greenroute/core/file_output.h"

namespace greenroute::report {

using core::write_file_atomically;

}  // namespace greenroute::report
