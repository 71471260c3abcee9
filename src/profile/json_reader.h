// ObjectReader: typed, path-tracking access to the members of one JSON
// object, for the profile.json reader. Every failure is kCorrupt with the
// member's JSON path ("sweep[2].latency_ms.median: expected a number, found a
// string"), and finish() rejects members nobody asked for, so a misspelt
// field is an error instead of a silent default. Private to src/profile.
//
// Thread-compatible: one reader per object, used by one thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"

namespace greenroute::profile::detail {

// "a string", "an array", ... for messages.
std::string_view json_type_name(const nlohmann::json& j);

// "<parent>.<key>", or "<key>" at the top level.
std::string child_path(std::string_view parent, std::string_view key);

class ObjectReader {
 public:
  // kCorrupt unless `j` is an object. `path` names it ("" for the document).
  static core::Result<ObjectReader> open(const nlohmann::json& j, std::string path);

  const std::string& path() const { return path_; }
  std::string child(std::string_view key) const { return child_path(path_, key); }

  // Required members of a type. integer() also checks the value fits an int.
  core::Result<double> number(std::string_view key);
  core::Result<int> integer(std::string_view key);
  core::Result<std::uint64_t> unsigned_integer(std::string_view key);
  core::Result<bool> boolean(std::string_view key);
  core::Result<std::string> string(std::string_view key);
  core::Result<const nlohmann::json*> object(std::string_view key);
  core::Result<const nlohmann::json*> array(std::string_view key);
  // A required member that may be null: nullptr for null.
  core::Result<const nlohmann::json*> nullable(std::string_view key);

  // kCorrupt naming the first member that was never read.
  core::Status finish() const;

 private:
  ObjectReader(const nlohmann::json& j, std::string path) : j_(&j), path_(std::move(path)) {}
  core::Result<const nlohmann::json*> member(std::string_view key);
  core::Status wrong_type(std::string_view key, const nlohmann::json& v,
                          std::string_view expected) const;

  const nlohmann::json* j_;
  std::string path_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace greenroute::profile::detail
