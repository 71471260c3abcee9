// Small checked readers for sysfs/procfs text files. Every error names the
// file, so a broken sensor is reported precisely. Thread-compatible (stateless).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::power::detail {

// Whole file contents. kNotFound if absent, kIoError if it cannot be read
// (permission denied, a directory, ...).
core::Result<std::string> read_text_file(const std::string& path);

// The first line, trailing whitespace removed.
core::Result<std::string> read_line(const std::string& path);

// A file holding one base-10 integer (optionally surrounded by whitespace).
// kCorrupt naming the file and the text when it is anything else.
core::Result<std::int64_t> read_int(const std::string& path);

// Same, also rejecting negative values (counters, microwatts).
core::Result<std::int64_t> read_non_negative(const std::string& path);

// Parses `text` as a base-10 integer; `what` names the source in errors.
core::Result<std::int64_t> parse_int(const std::string& text, const std::string& what);

// Names of the entries in `dir`, sorted with embedded numbers compared as
// numbers ("hwmon2" < "hwmon10"). kNotFound when `dir` does not exist.
core::Result<std::vector<std::string>> list_dir(const std::string& dir);

bool path_exists(const std::string& path);

// "a" + "/" + "b", without doubling slashes.
std::string join_path(const std::string& a, const std::string& b);

// True if `name` is `prefix`, one or more digits, then `suffix` (e.g.
// "power3_input" for "power", "_input"); sets *index to the digits.
bool match_indexed(const std::string& name, const std::string& prefix, const std::string& suffix,
                   int* index);

}  // namespace greenroute::power::detail
