#include "config_tree.h"

#include <charconv>
#include <exception>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

namespace greenroute::routing::detail {
namespace {

// Deeper nesting than this is no cluster config (and would only grow the stack).
constexpr int kMaxDepth = 64;

std::string where(std::string_view name, int line) {
  std::string s(name);
  if (line > 0) s += ":" + std::to_string(line);
  return s;
}

core::Status syntax_error(std::string_view name, int line, std::string_view format, std::string_view what) {
  return core::invalid_argument(where(name, line) + ": " + std::string(format) + " syntax: " + std::string(what));
}

// ---- TOML ----

int toml_line(const toml::source_region& region) {
  const auto line = region.begin.line;
  return line > 0 && line <= static_cast<toml::source_index>(std::numeric_limits<int>::max()) ? static_cast<int>(line)
                                                                                               : 0;
}

core::Result<ConfigValue> from_toml(const toml::node& node, std::string key, int depth, std::string_view name) {
  ConfigValue v;
  v.key = std::move(key);
  v.line = toml_line(node.source());
  if (depth > kMaxDepth) return syntax_error(name, v.line, "TOML", "nested too deeply");
  switch (node.type()) {
    case toml::node_type::table:
      v.kind = ConfigValue::Kind::kTable;
      for (auto&& [k, child] : *node.as_table()) {
        GR_ASSIGN_OR_RETURN(ConfigValue c, from_toml(child, std::string(k.str()), depth + 1, name));
        if (c.line == 0) c.line = toml_line(k.source());
        v.items.push_back(std::move(c));
      }
      break;
    case toml::node_type::array:
      v.kind = ConfigValue::Kind::kArray;
      for (const toml::node& child : *node.as_array()) {
        GR_ASSIGN_OR_RETURN(ConfigValue c, from_toml(child, "", depth + 1, name));
        v.items.push_back(std::move(c));
      }
      break;
    case toml::node_type::string:
      v.kind = ConfigValue::Kind::kString;
      v.s = node.as_string()->get();
      break;
    case toml::node_type::integer:
      v.kind = ConfigValue::Kind::kInt;
      v.i = node.as_integer()->get();
      break;
    case toml::node_type::floating_point:
      v.kind = ConfigValue::Kind::kFloat;
      v.f = node.as_floating_point()->get();
      break;
    case toml::node_type::boolean:
      v.kind = ConfigValue::Kind::kBool;
      v.b = node.as_boolean()->get();
      break;
    case toml::node_type::date:
      v.kind = ConfigValue::Kind::kOther;
      v.other_type = "date";
      break;
    case toml::node_type::time:
      v.kind = ConfigValue::Kind::kOther;
      v.other_type = "time";
      break;
    case toml::node_type::date_time:
      v.kind = ConfigValue::Kind::kOther;
      v.other_type = "date-time";
      break;
    case toml::node_type::none:
      v.kind = ConfigValue::Kind::kNull;
      break;
  }
  return v;
}

// ---- YAML ----

int yaml_line(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 0; }

bool all_digits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool dec = c >= '0' && c <= '9';
    const bool ok = base == 8 ? (c >= '0' && c <= '7')
                    : base == 16 ? (dec || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                                 : dec;
    if (!ok) return false;
  }
  return true;
}

// YAML 1.2 core-schema float syntax (sign already removed).
bool looks_like_float(std::string_view s) {
  std::size_t p = 0;
  std::size_t digits = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p, ++digits;
  if (p < s.size() && s[p] == '.') {
    ++p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p, ++digits;
  }
  if (digits == 0) return false;
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    ++p;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) ++p;
    if (!all_digits(s.substr(p), 10)) return false;
    return true;
  }
  return p == s.size();
}

// Types a plain scalar by the YAML 1.2 core schema. Returns false for an
// integer out of range.
bool type_plain_scalar(ConfigValue& v) {
  const std::string& t = v.s;
  v.kind = ConfigValue::Kind::kString;
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") {
    v.kind = ConfigValue::Kind::kNull;
    return true;
  }
  if (t == "true" || t == "True" || t == "TRUE" || t == "false" || t == "False" || t == "FALSE") {
    v.kind = ConfigValue::Kind::kBool;
    v.b = t[0] == 't' || t[0] == 'T';
    return true;
  }
  const bool negative = t[0] == '-';
  std::string_view body(t);
  if (t[0] == '-' || t[0] == '+') body.remove_prefix(1);
  int base = 10;
  std::string_view digits = body;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o') && t[0] != '-' && t[0] != '+') {
    base = body[1] == 'x' ? 16 : 8;
    digits = body.substr(2);
  }
  if (all_digits(digits, base)) {
    std::uint64_t magnitude = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    const std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
    if (ec != std::errc() || end != digits.data() + digits.size() || magnitude > limit) return false;
    v.kind = ConfigValue::Kind::kInt;
    v.i = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
    return true;
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    v.kind = ConfigValue::Kind::kFloat;
    v.f = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (t == ".nan" || t == ".NaN" || t == ".NAN") {
    v.kind = ConfigValue::Kind::kFloat;
    v.f = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (looks_like_float(body)) {
    double f = 0;
    const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), f);
    if (ec == std::errc() && end == body.data() + body.size()) {
      v.kind = ConfigValue::Kind::kFloat;
      v.f = negative ? -f : f;
    }
  }
  return true;
}

core::Result<ConfigValue> from_yaml(const YAML::Node& node, std::string key, int line_hint, int depth,
                                    std::string_view name) {
  ConfigValue v;
  v.key = std::move(key);
  v.line = yaml_line(node.Mark());
  if (v.line == 0) v.line = line_hint;
  if (depth > kMaxDepth) return syntax_error(name, v.line, "YAML", "nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      v.kind = ConfigValue::Kind::kNull;
      break;
    case YAML::NodeType::Scalar: {
      v.s = node.Scalar();
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") {
        v.kind = ConfigValue::Kind::kString;
      } else {
        v.plain_scalar = true;
        if (!type_plain_scalar(v)) return syntax_error(name, v.line, "YAML", "integer out of range: " + v.s);
      }
      break;
    }
    case YAML::NodeType::Sequence:
      v.kind = ConfigValue::Kind::kArray;
      for (const YAML::Node& child : node) {
        GR_ASSIGN_OR_RETURN(ConfigValue c, from_yaml(child, "", v.line, depth + 1, name));
        v.items.push_back(std::move(c));
      }
      break;
    case YAML::NodeType::Map: {
      v.kind = ConfigValue::Kind::kTable;
      std::set<std::string> seen;
      // By value: yaml-cpp's iterators hand out temporaries (it->first dangles).
      for (const auto& member : node) {
        const YAML::Node k = member.first;
        const YAML::Node value = member.second;
        const int key_line = yaml_line(k.Mark());
        if (!k.IsScalar()) return syntax_error(name, key_line, "YAML", "a key must be a plain string");
        const std::string& key_text = k.Scalar();
        if (!seen.insert(key_text).second) {
          return syntax_error(name, key_line, "YAML", "key '" + key_text + "' appears twice in one mapping");
        }
        GR_ASSIGN_OR_RETURN(ConfigValue c, from_yaml(value, key_text, key_line, depth + 1, name));
        // Messages about a member point at its key, where the eye looks.
        if (key_line > 0) c.line = key_line;
        v.items.push_back(std::move(c));
      }
      break;
    }
  }
  return v;
}

}  // namespace

const ConfigValue* ConfigValue::find(std::string_view member) const {
  if (kind != Kind::kTable) return nullptr;
  for (const ConfigValue& item : items) {
    if (item.key == member) return &item;
  }
  return nullptr;
}

std::string kind_name(const ConfigValue& value) {
  switch (value.kind) {
    case ConfigValue::Kind::kNull: return "null";
    case ConfigValue::Kind::kBool: return "boolean";
    case ConfigValue::Kind::kInt: return "integer";
    case ConfigValue::Kind::kFloat: return "float";
    case ConfigValue::Kind::kString: return "string";
    case ConfigValue::Kind::kTable: return "table";
    case ConfigValue::Kind::kArray: return "array";
    case ConfigValue::Kind::kOther: return value.other_type;
  }
  return "value";
}

core::Result<ConfigValue> parse_toml_tree(std::string_view text, std::string_view name) {
  try {
    const toml::table root = toml::parse(text, name);
    return from_toml(root, "", 0, name);
  } catch (const toml::parse_error& e) {
    return syntax_error(name, toml_line(e.source()), "TOML", e.description());
  } catch (const std::exception& e) {
    return syntax_error(name, 0, "TOML", e.what());
  }
}

core::Result<ConfigValue> parse_yaml_tree(std::string_view text, std::string_view name) {
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    GR_ASSIGN_OR_RETURN(ConfigValue v, from_yaml(root, "", 0, 0, name));
    if (v.kind == ConfigValue::Kind::kNull) {
      v.kind = ConfigValue::Kind::kTable;  // an empty document: an empty table, as in TOML
      v.s.clear();
      v.plain_scalar = false;
    }
    if (v.kind != ConfigValue::Kind::kTable) {
      return core::invalid_argument(where(name, v.line) + ": the document must be a mapping (is " + kind_name(v) + ")");
    }
    return v;
  } catch (const YAML::Exception& e) {
    return syntax_error(name, yaml_line(e.mark), "YAML", e.msg);
  } catch (const std::exception& e) {
    return syntax_error(name, 0, "YAML", e.what());
  }
}

}  // namespace greenroute::routing::detail
