#include "profile/json_reader.h"

#include <limits>

namespace greenroute::profile::detail {

std::string_view json_type_name(const nlohmann::json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "a value of unknown type";
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

core::Result<ObjectReader> ObjectReader::open(const nlohmann::json& j, std::string path) {
  if (!j.is_object()) {
    return core::corrupt((path.empty() ? std::string("document") : path) +
                         ": expected an object, found " + std::string(json_type_name(j)));
  }
  return ObjectReader(j, std::move(path));
}

core::Result<const nlohmann::json*> ObjectReader::member(std::string_view key) {
  seen_.emplace(key);
  const auto it = j_->find(key);
  if (it == j_->end()) return core::corrupt(child(key) + ": missing (required)");
  return &*it;
}

core::Status ObjectReader::wrong_type(std::string_view key, const nlohmann::json& v,
                                      std::string_view expected) const {
  return core::corrupt(child(key) + ": expected " + std::string(expected) + ", found " +
                       std::string(json_type_name(v)));
}

core::Result<double> ObjectReader::number(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  if (!v->is_number()) return wrong_type(key, *v, "a number");
  return v->get<double>();
}

core::Result<int> ObjectReader::integer(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      return core::corrupt(child(key) + ": " + std::to_string(u) + " is out of range");
    }
    return static_cast<int>(u);
  }
  if (!v->is_number_integer()) return wrong_type(key, *v, "an integer");
  const auto i = v->get<std::int64_t>();
  if (i < std::numeric_limits<int>::min())
    return core::corrupt(child(key) + ": " + std::to_string(i) + " is out of range");
  return static_cast<int>(i);
}

core::Result<std::uint64_t> ObjectReader::unsigned_integer(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  if (!v->is_number_unsigned()) return wrong_type(key, *v, "a non-negative integer");
  return v->get<std::uint64_t>();
}

core::Result<bool> ObjectReader::boolean(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  if (!v->is_boolean()) return wrong_type(key, *v, "a boolean");
  return v->get<bool>();
}

core::Result<std::string> ObjectReader::string(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  if (!v->is_string()) return wrong_type(key, *v, "a string");
  return v->get<std::string>();
}

core::Result<const nlohmann::json*> ObjectReader::object(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  if (!v->is_object()) return wrong_type(key, *v, "an object");
  return v;
}

core::Result<const nlohmann::json*> ObjectReader::array(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  if (!v->is_array()) return wrong_type(key, *v, "an array");
  return v;
}

core::Result<const nlohmann::json*> ObjectReader::nullable(std::string_view key) {
  GR_ASSIGN_OR_RETURN(const nlohmann::json* v, member(key));
  return v->is_null() ? nullptr : v;
}

core::Status ObjectReader::finish() const {
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    if (seen_.find(it.key()) == seen_.end()) {
      return core::corrupt(child(it.key()) + ": unknown field (not in schema version 1)");
    }
  }
  return core::Status::ok();
}

}  // namespace greenroute::profile::detail
