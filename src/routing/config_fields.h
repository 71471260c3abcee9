// Typed reads of config-tree members (config_tree.h) whose errors name the
// file, the line and the field path: "cluster.toml:9: node[0].count: must be
// an integer in [1, 100000] (is 0)". Used by cluster_config.cc for every
// field, so TOML and YAML files get the same checks and the same messages.
//
// Every getter leaves *out alone when the key is absent and it is not
// required, so callers pre-fill *out with the default. A present value of
// the wrong type is an error (an explicit YAML null included).
//
// Thread contract: a plain value with const methods; thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "config_tree.h"
#include "greenroute/core/status.h"

namespace greenroute::routing::detail {

// "defaults" + "policy" -> "defaults.policy"; "" + "node" -> "node".
std::string member_path(std::string_view prefix, std::string_view key);

class ConfigReader {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // kInvalidArgument "<file>:<line>: <path>: <message>" (no ":<line>" when 0).
  core::Status error(int line, std::string_view path, std::string_view message) const;

  // `table` must be a table; every member's key must be in `known`. An
  // unknown key is named with its path and, when one is close, a suggestion.
  core::Status check_table(const ConfigValue& table, std::string_view path,
                           std::span<const std::string_view> known) const;

  core::Status get_string(const ConfigValue& table, std::string_view path, std::string_view key,
                          bool required, std::string* out) const;
  // Integers only (a float, even 8.0, is refused), within [lo, hi].
  core::Status get_int(const ConfigValue& table, std::string_view path, std::string_view key,
                       std::int64_t lo, std::int64_t hi, std::int64_t* out) const;
  core::Status get_int(const ConfigValue& table, std::string_view path, std::string_view key, int lo,
                       int hi, int* out) const;
  // An integer or a float, finite, within [lo, hi].
  core::Status get_number(const ConfigValue& table, std::string_view path, std::string_view key,
                          double lo, double hi, double* out) const;
  // A string that must be one of `allowed`.
  core::Status get_choice(const ConfigValue& table, std::string_view path, std::string_view key,
                          std::span<const std::string_view> allowed, std::string* out) const;

 private:
  std::string file_;
};

// The closest of `candidates` to `word` within edit distance 2, else "".
std::string_view closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace greenroute::routing::detail
