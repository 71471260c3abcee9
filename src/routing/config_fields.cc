#include "config_fields.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace greenroute::routing::detail {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

// How a value is shown in a message: strings quoted, numbers as written.
std::string shown(const ConfigValue& v) {
  switch (v.kind) {
    case ConfigValue::Kind::kString: return "\"" + v.s + "\"";
    case ConfigValue::Kind::kInt: return std::to_string(v.i);
    case ConfigValue::Kind::kFloat: return fmt::format("{}", v.f);
    case ConfigValue::Kind::kBool: return v.b ? "true" : "false";
    default: return kind_name(v);
  }
}

}  // namespace

std::string member_path(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  return std::string(prefix) + "." + std::string(key);
}

std::string_view closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

core::Status ConfigReader::error(int line, std::string_view path, std::string_view message) const {
  std::string s = file_;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!path.empty()) s += std::string(path) + ": ";
  s += message;
  return core::invalid_argument(std::move(s));
}

core::Status ConfigReader::check_table(const ConfigValue& table, std::string_view path,
                                       std::span<const std::string_view> known) const {
  if (table.kind != ConfigValue::Kind::kTable) {
    return error(table.line, path, "must be a table (is " + kind_name(table) + ")");
  }
  for (const ConfigValue& member : table.items) {
    if (std::find(known.begin(), known.end(), member.key) != known.end()) continue;
    std::string message = "unknown key";
    const std::string_view near = closest_match(member.key, known);
    if (!near.empty()) message += " (did you mean '" + std::string(near) + "'?)";
    message += "; known keys: " + join(known);
    return error(member.line, member_path(path, member.key), message);
  }
  return core::Status::ok();
}

core::Status ConfigReader::get_string(const ConfigValue& table, std::string_view path, std::string_view key,
                                      bool required, std::string* out) const {
  const std::string field = member_path(path, key);
  const ConfigValue* v = table.find(key);
  if (v == nullptr) {
    return required ? error(table.line, field, "required, but missing") : core::Status::ok();
  }
  // A plain YAML scalar that reads as a number is still text the user wrote.
  const bool text = v->kind == ConfigValue::Kind::kString ||
                    (v->plain_scalar && (v->kind == ConfigValue::Kind::kInt || v->kind == ConfigValue::Kind::kFloat));
  if (!text) return error(v->line, field, "must be a string (is " + kind_name(*v) + ")");
  *out = v->s;
  return core::Status::ok();
}

core::Status ConfigReader::get_int(const ConfigValue& table, std::string_view path, std::string_view key,
                                   std::int64_t lo, std::int64_t hi, std::int64_t* out) const {
  const ConfigValue* v = table.find(key);
  if (v == nullptr) return core::Status::ok();
  const std::string field = member_path(path, key);
  const std::string want = fmt::format("must be a whole number in [{}, {}]", lo, hi);
  if (v->kind != ConfigValue::Kind::kInt) return error(v->line, field, want + " (is " + kind_name(*v) + " " + shown(*v) + ")");
  if (v->i < lo || v->i > hi) return error(v->line, field, want + " (is " + std::to_string(v->i) + ")");
  *out = v->i;
  return core::Status::ok();
}

core::Status ConfigReader::get_int(const ConfigValue& table, std::string_view path, std::string_view key, int lo,
                                   int hi, int* out) const {
  std::int64_t wide = *out;
  GR_RETURN_IF_ERROR(get_int(table, path, key, static_cast<std::int64_t>(lo), static_cast<std::int64_t>(hi), &wide));
  *out = static_cast<int>(wide);
  return core::Status::ok();
}

core::Status ConfigReader::get_number(const ConfigValue& table, std::string_view path, std::string_view key,
                                      double lo, double hi, double* out) const {
  const ConfigValue* v = table.find(key);
  if (v == nullptr) return core::Status::ok();
  const std::string field = member_path(path, key);
  const std::string want = fmt::format("must be a number in [{}, {}]", lo, hi);
  double x = 0;
  if (v->kind == ConfigValue::Kind::kInt) {
    x = static_cast<double>(v->i);
  } else if (v->kind == ConfigValue::Kind::kFloat) {
    x = v->f;
  } else {
    return error(v->line, field, want + " (is " + kind_name(*v) + " " + shown(*v) + ")");
  }
  if (!std::isfinite(x) || x < lo || x > hi) return error(v->line, field, want + " (is " + shown(*v) + ")");
  *out = x;
  return core::Status::ok();
}

core::Status ConfigReader::get_choice(const ConfigValue& table, std::string_view path, std::string_view key,
                                      std::span<const std::string_view> allowed, std::string* out) const {
  std::string value = *out;
  GR_RETURN_IF_ERROR(get_string(table, path, key, false, &value));
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    const ConfigValue* v = table.find(key);
    std::string message = "unknown value \"" + value + "\"";
    const std::string_view near = closest_match(value, allowed);
    if (!near.empty()) message += " (did you mean '" + std::string(near) + "'?)";
    message += "; one of: " + join(allowed);
    return error(v != nullptr ? v->line : table.line, member_path(path, key), message);
  }
  *out = std::move(value);
  return core::Status::ok();
}

}  // namespace greenroute::routing::detail
