// Plain-text tables with aligned columns for command-line summaries:
//
//   batch  latency_ms  joules
//   -----  ----------  ------
//       1        41.2    0.91
//      32       310.0    0.22
//
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::report {

enum class Align { kLeft, kRight };

struct TextTable {
  std::vector<std::string> headers;
  // One per column; columns without an entry are left-aligned. Numbers read
  // best right-aligned.
  std::vector<Align> align;
  std::vector<std::vector<std::string>> rows;
};

// Header, a rule of dashes, then one line per row; columns are two spaces
// apart, no line has trailing spaces, every line ends in "\n". Widths count
// UTF-8 code points (wide East Asian characters count as one). kInvalidArgument
// if there are no headers, more alignments than headers, a row with a
// different number of cells, or a cell holding a line break.
core::Result<std::string> render_text_table(const TextTable& table);

}  // namespace greenroute::report
