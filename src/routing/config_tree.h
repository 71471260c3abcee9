// ConfigValue: a small, format-neutral tree of what a TOML or YAML config
// file says, with the line each value came from, so that one validator
// (cluster_config.cc) serves both formats with the same messages.
//
// The readers catch their library's exceptions and return a Status naming
// `name` and the line: "cluster.yaml:7: <parser's message>".
//
// YAML scalars are typed by the YAML 1.2 core schema (only true/false are
// booleans, so a zone `NO` stays a string); a quoted scalar is always a string.
// A plain (unquoted) YAML scalar keeps its text so a string field may accept
// `name: 42`.
//
// Thread contract: pure functions; a ConfigValue is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::routing::detail {

struct ConfigValue {
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kTable, kArray, kOther };

  Kind kind = Kind::kNull;
  std::string key;          // the key of a table member; "" for array items and the root
  int line = 0;             // 1-based line of the value (of the key for YAML maps); 0: unknown
  bool b = false;           // kBool
  std::int64_t i = 0;       // kInt
  double f = 0;             // kFloat
  std::string s;            // kString; for a plain YAML scalar of any kind, its text
  bool plain_scalar = false;  // an unquoted YAML scalar (its text is in `s`)
  std::string other_type;   // kOther: "date", "time", "date-time"
  std::vector<ConfigValue> items;  // kTable members in file order, or kArray items

  // The member `key` of a table, or nullptr.
  const ConfigValue* find(std::string_view member) const;
};

// "null", "boolean", "integer", "float", "string", "table", "array", or other_type.
std::string kind_name(const ConfigValue& value);

// The parsed document; its root is a table. `name` prefixes messages.
core::Result<ConfigValue> parse_toml_tree(std::string_view text, std::string_view name);
core::Result<ConfigValue> parse_yaml_tree(std::string_view text, std::string_view name);

}  // namespace greenroute::routing::detail
