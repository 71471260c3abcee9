// Row-level parsing of carbon intensity CSVs (both formats of
// CsvTraceSource): splits lines and fields, detects the format from the
// header, and turns each data line into a row or a message naming
// file:line and column. Thread-compatible: pure functions over strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/carbon/carbon_source.h"
#include "greenroute/core/status.h"

namespace greenroute::carbon::detail {

struct CsvRow {
  std::string zone;
  std::int64_t at_unix_s = 0;
  double g_co2_per_kwh = 0.0;
  bool estimated = false;
  std::size_t line = 0;
};

struct CsvRowsResult {
  std::vector<CsvRow> rows;
  std::vector<std::string> bad;  // one message per bad row, file order
};

// Splits one CSV record (no line terminator) into fields; RFC 4180 quotes.
// Returns false on an unterminated quote.
bool split_csv_fields(std::string_view line, std::vector<std::string>* fields);

// Parses the whole file text. `label` prefixes messages ("<label>:<line>").
// `plain_zone` is the zone for plain timestamp,value files. Returns an error
// only for file-level problems (no header, missing Electricity Maps column,
// plain file without a zone); bad rows go to `bad`.
core::Result<CsvRowsResult> parse_csv_rows(std::string_view text, std::string_view label,
                                           Lifecycle basis, std::string_view plain_zone);

}  // namespace greenroute::carbon::detail
