#include "greenroute/sim/workload_config.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include <toml++/toml.h>

namespace greenroute::sim {
namespace {

using Lines = std::map<std::string, int, std::less<>>;  // field path -> line

int line_of(const toml::source_region& region) {
  const auto line = region.begin.line;
  return line > 0 && line <= static_cast<toml::source_index>(std::numeric_limits<int>::max()) ? static_cast<int>(line) : 0;
}

std::string where(std::string_view name, int line) {
  std::string s(name);
  if (line > 0) s += ":" + std::to_string(line);
  return s;
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    default: return "date/time";
  }
}

class Reader {
 public:
  explicit Reader(std::string_view name) : name_(name) {}

  core::Status error(const toml::node& n, const std::string& path, const std::string& what) const {
    return core::invalid_argument(where(name_, line_of(n.source())) + ": workload." + path + ": " + what);
  }

  core::Status number(const toml::node& n, const std::string& path, double& out) {
    lines_[path] = line_of(n.source());
    if (auto v = n.value_exact<double>()) {
      out = *v;
    } else if (auto i = n.value_exact<std::int64_t>()) {
      out = static_cast<double>(*i);
    } else {
      return error(n, path, "must be a number (is " + std::string(type_name(n)) + ")");
    }
    return core::Status::ok();
  }

  core::Status integer(const toml::node& n, const std::string& path, std::int64_t& out) {
    lines_[path] = line_of(n.source());
    auto i = n.value_exact<std::int64_t>();
    if (!i) return error(n, path, "must be an integer (is " + std::string(type_name(n)) + ")");
    out = *i;
    return core::Status::ok();
  }

  core::Status int32(const toml::node& n, const std::string& path, int& out) {
    std::int64_t v = 0;
    GR_RETURN_IF_ERROR(integer(n, path, v));
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
      return error(n, path, "out of range (is " + std::to_string(v) + ")");
    }
    out = static_cast<int>(v);
    return core::Status::ok();
  }

  core::Status string(const toml::node& n, const std::string& path, std::string& out) {
    lines_[path] = line_of(n.source());
    auto s = n.value_exact<std::string>();
    if (!s) return error(n, path, "must be a string (is " + std::string(type_name(n)) + ")");
    out = *s;
    return core::Status::ok();
  }

  core::Status length(const toml::node& n, const std::string& path, LengthSpec& spec) {
    lines_[path] = line_of(n.source());
    const toml::table* t = n.as_table();
    if (t == nullptr) return error(n, path, "must be a table (is " + std::string(type_name(n)) + ")");
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      const std::string p = path + "." + key;
      if (key == "kind") {
        std::string s;
        GR_RETURN_IF_ERROR(string(v, p, s));
        if (s == "lognormal") {
          spec.kind = LengthKind::kLognormal;
        } else if (s == "list") {
          spec.kind = LengthKind::kList;
        } else {
          return error(v, p, "must be \"lognormal\" or \"list\" (is \"" + s + "\")");
        }
      } else if (key == "mean") {
        GR_RETURN_IF_ERROR(number(v, p, spec.mean));
      } else if (key == "sigma") {
        GR_RETURN_IF_ERROR(number(v, p, spec.sigma));
      } else if (key == "min") {
        GR_RETURN_IF_ERROR(int32(v, p, spec.min));
      } else if (key == "max") {
        GR_RETURN_IF_ERROR(int32(v, p, spec.max));
      } else if (key == "values") {
        lines_[p] = line_of(v.source());
        const toml::array* a = v.as_array();
        if (a == nullptr) return error(v, p, "must be an array of integers (is " + std::string(type_name(v)) + ")");
        spec.values.clear();
        for (std::size_t i = 0; i < a->size(); ++i) {
          int x = 0;
          GR_RETURN_IF_ERROR(int32((*a)[i], p + "[" + std::to_string(i) + "]", x));
          spec.values.push_back(x);
        }
      } else {
        return error(v, p, "unknown key (valid: kind, mean, sigma, min, max, values)");
      }
    }
    return core::Status::ok();
  }

  core::Status top(const toml::table& root, WorkloadConfig& c) {
    const auto nums = numbers(c);
    for (const auto& [k, v] : root) {
      const std::string key(k.str());
      if (key == "arrival") {
        std::string s;
        GR_RETURN_IF_ERROR(string(v, key, s));
        if (s == "poisson") {
          c.arrival = ArrivalKind::kPoisson;
        } else if (s == "bursty") {
          c.arrival = ArrivalKind::kBursty;
        } else if (s == "diurnal") {
          c.arrival = ArrivalKind::kDiurnal;
        } else {
          return error(v, key, "must be \"poisson\", \"bursty\" or \"diurnal\" (is \"" + s + "\")");
        }
      } else if (auto it = nums.find(key); it != nums.end()) {
        GR_RETURN_IF_ERROR(number(v, key, *it->second));
      } else if (key == "start_unix_s") {
        GR_RETURN_IF_ERROR(integer(v, key, c.start_unix_s));
      } else if (key == "seed") {
        std::int64_t s = 0;
        GR_RETURN_IF_ERROR(integer(v, key, s));
        if (s < 0) return error(v, key, "must be >= 0 (is " + std::to_string(s) + ")");
        c.seed = static_cast<std::uint64_t>(s);
      } else if (key == "override_policy") {
        GR_RETURN_IF_ERROR(string(v, key, c.override_policy));
      } else if (key == "prompt") {
        GR_RETURN_IF_ERROR(length(v, key, c.prompt));
      } else if (key == "output") {
        GR_RETURN_IF_ERROR(length(v, key, c.output));
      } else {
        return error(v, key, "unknown key");
      }
    }
    return core::Status::ok();
  }

  // The line of the field a validation message names ("workload.<path>: ...").
  int line_for_message(const std::string& message) const {
    constexpr std::string_view kPrefix = "workload.";
    if (message.rfind(kPrefix, 0) != 0) return 0;
    const auto colon = message.find(':');
    if (colon == std::string::npos) return 0;
    std::string path = message.substr(kPrefix.size(), colon - kPrefix.size());
    while (!path.empty()) {
      if (auto it = lines_.find(path); it != lines_.end()) return it->second;
      const auto cut = path.find_last_of(".[");
      if (cut == std::string::npos) break;
      path.resize(cut);
    }
    return 0;
  }

 private:
  static std::map<std::string, double*, std::less<>> numbers(WorkloadConfig& c) {
    return {{"duration_s", &c.duration_s}, {"rate", &c.rate},           {"on_rate", &c.on_rate},
            {"off_rate", &c.off_rate},     {"on_mean_s", &c.on_mean_s}, {"off_mean_s", &c.off_mean_s},
            {"amplitude", &c.amplitude},   {"peak_hour", &c.peak_hour}, {"slo_fraction", &c.slo_fraction},
            {"slo_ms", &c.slo_ms},         {"override_fraction", &c.override_fraction}};
  }

  std::string_view name_;
  Lines lines_;
};

}  // namespace

core::Result<WorkloadConfig> parse_workload_toml(std::string_view text, std::string_view name) {
  WorkloadConfig c;
  Reader reader(name);
  try {
    const toml::table root = toml::parse(text, name);
    GR_RETURN_IF_ERROR(reader.top(root, c));
  } catch (const toml::parse_error& e) {
    return core::invalid_argument(where(name, line_of(e.source())) + ": TOML syntax: " + std::string(e.description()));
  }
  core::Status st = validate_workload(c);
  if (!st.is_ok()) return core::invalid_argument(where(name, reader.line_for_message(st.message())) + ": " + st.message());
  return c;
}

core::Result<WorkloadConfig> load_workload_config(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return core::not_found(path.string() + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::io_error(path.string() + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return core::io_error(path.string() + ": read failed");
  return parse_workload_toml(ss.str(), path.string());
}

}  // namespace greenroute::sim
