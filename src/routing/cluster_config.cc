// Cluster config: the file (TOML or YAML) becomes a config tree
// (config_tree.h), and one validator turns the tree into a ClusterConfig.
#include "greenroute/routing/cluster_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include "config_fields.h"
#include "config_tree.h"
#include "greenroute/carbon/zone_table_source.h"
#include "greenroute/profile/reference_profiles.h"

namespace greenroute::routing {
namespace {

namespace fs = std::filesystem;
using detail::ConfigReader;
using detail::ConfigValue;
using detail::member_path;

constexpr std::uintmax_t kMaxFileBytes = 16u << 20;  // 16 MiB: far beyond any cluster
constexpr int kMaxNodes = 100'000;                   // after replication
constexpr int kMaxNameLength = 64;
constexpr std::int64_t kHourMs = 3'600'000;

constexpr std::array<std::string_view, 2> kRootKeys = {"defaults", "node"};
constexpr std::array<std::string_view, 11> kDefaultsKeys = {
    "policy",           "baseline_policy",    "hybrid_alpha", "slo_ms",          "request_timeout_ms",
    "connect_timeout_ms", "queue_limit",      "health_interval_ms", "eject_after_failures", "batch_window_ms",
    "max_batch"};
constexpr std::array<std::string_view, 7> kNodeKeys = {"name", "url", "zone", "carbon", "profile", "count",
                                                       "max_batch"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// http[s]://host[:port][/path]; returns "" if fine, else what is wrong.
std::string url_problem(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return "must start with http:// or https://";
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return "must not contain spaces or control characters";
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return "must not contain user information (user@host)";
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return "has an unclosed '[' in its host";
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return "has text after the IPv6 address";
    if (!after.empty()) port = after.substr(1);
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return "has an empty port";
  }
  if (host.empty() || host == "[]") return "has no host";
  if (!port.empty() || authority.ends_with(':')) {
    int number = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || port.size() > 5 || ec != std::errc() || end != port.data() + port.size() || number < 1 ||
        number > 65535) {
      return "has a port that is not a number in [1, 65535]";
    }
  }
  return "";
}

// Makes the relative trace paths in a carbon spec (csv:PATH and
// fallback=csv:PATH; the factory's grammar splits at ',') absolute against
// base_dir.
std::string resolve_spec_paths(std::string_view spec, const fs::path& base_dir) {
  if (base_dir.empty()) return std::string(trim(spec));
  auto resolve = [&](std::string_view path) -> std::string {
    const fs::path p(trim(path));
    if (p.empty() || p.is_absolute()) return std::string(trim(path));
    return (base_dir / p).lexically_normal().string();
  };
  std::string out;
  std::string_view rest = trim(spec);
  for (bool first = true;; first = false) {
    const std::size_t comma = rest.find(',');
    std::string_view piece = rest.substr(0, comma);
    if (!first) out += ',';
    if (first) {  // "KIND" or "KIND:FIRST-ARG"
      if (const std::size_t colon = piece.find(':'); colon != std::string_view::npos) {
        const std::string_view kind = piece.substr(0, colon + 1);
        out += kind;
        piece = piece.substr(colon + 1);
        if (trim(kind) == "csv:") {
          out += resolve(piece);
          piece = {};
        }
      }
    }
    if (trim(piece).starts_with("fallback=csv:")) {
      out += "fallback=csv:" + resolve(trim(piece).substr(13));
    } else {
      out += piece;
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

class Validator {
 public:
  Validator(std::string name, fs::path base_dir, const LoadOptions& options)
      : reader_(std::move(name)), base_dir_(std::move(base_dir)), options_(options) {}

  core::Result<ClusterConfig> run(const ConfigValue& root) {
    GR_RETURN_IF_ERROR(reader_.check_table(root, "", kRootKeys));
    ClusterConfig config;
    if (const ConfigValue* defaults = root.find("defaults")) {
      GR_RETURN_IF_ERROR(read_defaults(*defaults, &config.defaults));
    }
    const ConfigValue* nodes = root.find("node");
    if (nodes == nullptr) return reader_.error(0, "node", "at least one node is required ([[node]] in TOML, node: a list in YAML)");
    if (nodes->kind != ConfigValue::Kind::kArray) {
      return reader_.error(nodes->line, "node",
                           "must be an array of tables ([[node]] in TOML, a list in YAML; is " + kind_name(*nodes) + ")");
    }
    if (nodes->items.empty()) return reader_.error(nodes->line, "node", "at least one node is required");
    for (std::size_t i = 0; i < nodes->items.size(); ++i) {
      GR_RETURN_IF_ERROR(read_node(nodes->items[i], "node[" + std::to_string(i) + "]", &config.nodes));
    }
    return config;
  }

 private:
  core::Status read_defaults(const ConfigValue& t, ClusterDefaults* d) {
    const std::string p = "defaults";
    GR_RETURN_IF_ERROR(reader_.check_table(t, p, kDefaultsKeys));
    GR_RETURN_IF_ERROR(read_policy(t, p, "policy", &d->policy));
    GR_RETURN_IF_ERROR(read_policy(t, p, "baseline_policy", &d->baseline_policy));
    GR_RETURN_IF_ERROR(reader_.get_number(t, p, "hybrid_alpha", 0.0, 1.0, &d->hybrid_alpha));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "slo_ms", std::int64_t{0}, kHourMs, &d->slo_ms));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "request_timeout_ms", std::int64_t{1}, kHourMs, &d->request_timeout_ms));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "connect_timeout_ms", std::int64_t{1}, std::int64_t{600'000},
                                       &d->connect_timeout_ms));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "queue_limit", 0, 1'000'000, &d->queue_limit));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "health_interval_ms", std::int64_t{100}, kHourMs, &d->health_interval_ms));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "eject_after_failures", 1, 1000, &d->eject_after_failures));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "batch_window_ms", std::int64_t{0}, std::int64_t{60'000}, &d->batch_window_ms));
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "max_batch", 1, 4096, &d->max_batch));
    if (d->connect_timeout_ms > d->request_timeout_ms) {
      const ConfigValue* v = t.find("connect_timeout_ms");
      return reader_.error(v != nullptr ? v->line : t.line, "defaults.connect_timeout_ms",
                           "must not exceed defaults.request_timeout_ms (" + std::to_string(d->request_timeout_ms) + ")");
    }
    return core::Status::ok();
  }

  core::Status read_policy(const ConfigValue& t, const std::string& p, std::string_view key, PolicyKind* out) {
    std::string name(policy_name(*out));
    GR_RETURN_IF_ERROR(reader_.get_choice(t, p, key, policy_names(), &name));
    core::Result<PolicyKind> kind = parse_policy_kind(name);
    if (!kind.is_ok()) return reader_.error(line_of(t, key), member_path(p, key), kind.status().message());
    *out = *kind;
    return core::Status::ok();
  }

  static int line_of(const ConfigValue& t, std::string_view key) {
    const ConfigValue* v = t.find(key);
    return v != nullptr ? v->line : t.line;
  }

  core::Status read_node(const ConfigValue& t, const std::string& p, std::vector<NodeConfig>* out) {
    GR_RETURN_IF_ERROR(reader_.check_table(t, p, kNodeKeys));
    NodeConfig n;
    n.line = t.line;
    GR_RETURN_IF_ERROR(reader_.get_string(t, p, "name", true, &n.name));
    if (!valid_name(n.name)) {
      return reader_.error(line_of(t, "name"), p + ".name",
                           "\"" + n.name + "\" is not a node name: 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    GR_RETURN_IF_ERROR(reader_.get_string(t, p, "url", options_.require_url, &n.url));
    if (const ConfigValue* u = t.find("url")) {
      if (const std::string problem = url_problem(n.url); !problem.empty()) {
        return reader_.error(u->line, p + ".url", "\"" + n.url + "\" " + problem);
      }
      while (n.url.size() > 1 && n.url.back() == '/') n.url.pop_back();
    }
    GR_RETURN_IF_ERROR(reader_.get_string(t, p, "zone", true, &n.zone));
    if (n.zone.empty() || std::any_of(n.zone.begin(), n.zone.end(),
                                      [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
      return reader_.error(line_of(t, "zone"), p + ".zone", "must be a zone id such as FR or US-CAL-CISO");
    }
    GR_RETURN_IF_ERROR(reader_.get_string(t, p, "carbon", false, &n.carbon));
    GR_RETURN_IF_ERROR(check_carbon(t, p, &n));
    GR_RETURN_IF_ERROR(reader_.get_string(t, p, "profile", true, &n.profile_ref));
    GR_RETURN_IF_ERROR(load_profile(t, p, &n));
    int count = 1;
    GR_RETURN_IF_ERROR(reader_.get_int(t, p, "count", 1, kMaxNodes, &count));
    if (count > 1 && !options_.allow_replicas) {
      return reader_.error(line_of(t, "count"), p + ".count",
                           "must be 1 here: the gateway runs one node per entry (count > 1 is for the simulator)");
    }
    if (t.find("max_batch") != nullptr) {
      int max_batch = 1;
      GR_RETURN_IF_ERROR(reader_.get_int(t, p, "max_batch", 1, 4096, &max_batch));
      if (max_batch > n.profile->max_batch_fits) {
        return reader_.error(line_of(t, "max_batch"), p + ".max_batch",
                             std::to_string(max_batch) + " is more than the " + std::to_string(n.profile->max_batch_fits) +
                                 " sequences the profile's memory holds");
      }
      n.max_batch = max_batch;
    }
    if (static_cast<std::int64_t>(out->size()) + count > kMaxNodes) {
      return reader_.error(line_of(t, "count"), p + ".count",
                           "the cluster would have more than " + std::to_string(kMaxNodes) + " nodes");
    }
    n.group = n.name;
    for (int r = count > 1 ? 1 : 0; r <= (count > 1 ? count : 0); ++r) {
      NodeConfig node = n;
      node.replica = r;
      if (r > 0) node.name = n.group + "-" + std::to_string(r);
      GR_RETURN_IF_ERROR(claim_unique(t, p, node));
      out->push_back(std::move(node));
    }
    return core::Status::ok();
  }

  core::Status claim_unique(const ConfigValue& t, const std::string& p, const NodeConfig& n) {
    const auto [it, fresh] = names_.emplace(n.name, p);
    if (!fresh) {
      const std::string what = n.replica > 0 ? "replica name \"" + n.name + "\"" : "\"" + n.name + "\"";
      return reader_.error(line_of(t, "name"), p + ".name", what + " is already the name of a node in " + it->second);
    }
    if (!n.url.empty() && n.replica <= 1) {
      const auto [u, fresh_url] = urls_.emplace(n.url, p);
      if (!fresh_url) {
        return reader_.error(line_of(t, "url"), p + ".url", "\"" + n.url + "\" is already the URL of " + u->second);
      }
    }
    return core::Status::ok();
  }

  core::Status check_carbon(const ConfigValue& t, const std::string& p, NodeConfig* n) {
    n->carbon = resolve_spec_paths(n->carbon, base_dir_);
    if (checked_specs_.count(n->carbon) == 0) {
      core::Result<std::unique_ptr<carbon::CarbonSource>> source = carbon::make_carbon_source(n->carbon, options_.carbon);
      if (!source.is_ok()) return reader_.error(line_of(t, "carbon"), p + ".carbon", source.status().message());
      checked_specs_.insert(n->carbon);
    }
    if (n->carbon == "zone-table") {
      std::string known;
      for (const carbon::ZoneTableEntry& e : carbon::ZoneTableSource::entries()) {
        if (iequals(e.zone, n->zone)) return core::Status::ok();
        known += (known.empty() ? "" : ", ") + std::string(e.zone);
      }
      return reader_.error(line_of(t, "zone"), p + ".zone",
                           "\"" + n->zone + "\" is not in the built-in zone table (carbon = \"zone-table\"; known: " +
                               known + "); give another carbon source, e.g. static:G or csv:PATH");
    }
    return core::Status::ok();
  }

  core::Status load_profile(const ConfigValue& t, const std::string& p, NodeConfig* n) {
    auto cached = profiles_.find(n->profile_ref);
    if (cached == profiles_.end()) {
      core::Result<profile::OpenedProfile> opened = profile::open_profile(n->profile_ref, base_dir_);
      if (!opened.is_ok()) return reader_.error(line_of(t, "profile"), p + ".profile", opened.status().message());
      auto shared = std::make_shared<const profile::DeviceProfile>(std::move(opened->profile));
      cached = profiles_.emplace(n->profile_ref, std::make_pair(std::move(shared), std::move(opened->file))).first;
    }
    n->profile = cached->second.first;
    n->profile_path = cached->second.second;
    return core::Status::ok();
  }

  ConfigReader reader_;
  fs::path base_dir_;
  const LoadOptions& options_;
  std::map<std::string, std::string, std::less<>> names_;  // node name -> "node[i]"
  std::map<std::string, std::string, std::less<>> urls_;
  std::set<std::string, std::less<>> checked_specs_;  // carbon specs already built once
  std::map<std::string, std::pair<std::shared_ptr<const profile::DeviceProfile>, fs::path>, std::less<>> profiles_;
};

}  // namespace

std::string_view config_format_name(ConfigFormat format) {
  return format == ConfigFormat::kToml ? "toml" : "yaml";
}

core::Result<ConfigFormat> config_format_for(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (iequals(ext, ".toml")) return ConfigFormat::kToml;
  if (iequals(ext, ".yaml") || iequals(ext, ".yml")) return ConfigFormat::kYaml;
  return core::invalid_argument(path.string() + ": unknown config format '" + ext +
                                "': the file name must end in .toml, .yaml or .yml");
}

int NodeConfig::effective_max_batch() const {
  const int fits = profile ? std::max(1, profile->max_batch_fits) : 1;
  const int wanted = max_batch.value_or(profile ? profile->knee_batch : 1);
  return std::clamp(wanted, 1, fits);
}

const NodeConfig* ClusterConfig::find_node(std::string_view name) const {
  for (const NodeConfig& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

core::Result<ClusterConfig> parse_cluster_config(std::string_view text, ConfigFormat format, const fs::path& base_dir,
                                                 const LoadOptions& options, std::string_view name) {
  try {
    GR_ASSIGN_OR_RETURN(const ConfigValue root, format == ConfigFormat::kToml ? detail::parse_toml_tree(text, name)
                                                                              : detail::parse_yaml_tree(text, name));
    GR_ASSIGN_OR_RETURN(ClusterConfig config, Validator(std::string(name), base_dir, options).run(root));
    config.format = format;
    return config;
  } catch (const std::exception& e) {  // allocation failure, or a library surprise: never past this line
    return core::internal_error(std::string(name) + ": " + e.what());
  }
}

core::Result<ClusterConfig> load_cluster_config(const fs::path& path, const LoadOptions& options) {
  GR_ASSIGN_OR_RETURN(const ConfigFormat format, config_format_for(path));
  const std::string name = path.string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return core::not_found(name + ": no such file");
  if (fs::is_directory(path, ec)) return core::io_error(name + ": is a directory, not a config file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxFileBytes) {
    return core::invalid_argument(name + ": " + std::to_string(size) + " bytes is too large for a cluster config");
  }
  std::string text;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::io_error(name + ": cannot open for reading");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return core::io_error(name + ": read failed");
  } catch (const std::exception& e) {
    return core::io_error(name + ": " + e.what());
  }
  GR_ASSIGN_OR_RETURN(ClusterConfig config, parse_cluster_config(text, format, path.parent_path(), options, name));
  config.source = path;
  return config;
}

}  // namespace greenroute::routing
