// Cluster configuration: the file that `greenroute gateway --config` and
// `greenroute simulate --cluster` read, in TOML (.toml) or YAML (.yaml, .yml),
// documented key by key in docs/cluster-config.md.
//
// Loading validates everything once, at the edge: syntax, that every key is
// known (a typo must not silently fall back to a default), types, ranges,
// unique node names, every node's profile (loaded and validated) and carbon
// source spec (parsed and built, which reads a csv trace but never touches the
// network). Errors are kInvalidArgument (kNotFound / kIoError for the file
// itself) and name the file, the line where the parser gives one, and the
// field path, with node[0] the first node:
//   "cluster.toml:14: node[1].zone: must be a string (is integer)"
// Nothing in this header throws; the TOML and YAML libraries' exceptions are
// caught inside the loader.
//
// Thread contract: pure functions, thread-safe. A ClusterConfig is a plain
// value; the profiles it points to are immutable and shared between nodes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/carbon/source_factory.h"
#include "greenroute/core/status.h"
#include "greenroute/profile/profile.h"
#include "greenroute/routing/policy.h"

namespace greenroute::routing {

enum class ConfigFormat { kToml, kYaml };

// "toml", "yaml".
std::string_view config_format_name(ConfigFormat format);

// By extension, case-insensitively: .toml, .yaml, .yml; else kInvalidArgument.
core::Result<ConfigFormat> config_format_for(const std::filesystem::path& path);

// [defaults]: every field optional; these are the defaults.
struct ClusterDefaults {
  PolicyKind policy = PolicyKind::kLatencyAware;  // by name, one of policy_names()
  PolicyKind baseline_policy = PolicyKind::kGreedyFastest;  // for counterfactual accounting
  double hybrid_alpha = 0.5;               // [0, 1]: the hybrid policy's weight of latency
  std::int64_t slo_ms = 0;                 // 0: no SLO
  std::int64_t request_timeout_ms = 120'000;
  std::int64_t connect_timeout_ms = 2'000;
  int queue_limit = 256;                   // requests waiting at the gateway; beyond: 429
  std::int64_t health_interval_ms = 2'000;
  int eject_after_failures = 3;
  std::int64_t batch_window_ms = 0;        // 0: no gateway batching
  int max_batch = 8;                       // largest batch the gateway forms

  bool operator==(const ClusterDefaults&) const = default;
};

// One [[node]] entry; a `count = N` entry becomes N of these.
struct NodeConfig {
  std::string name;      // unique, [A-Za-z0-9._-]+; replicas: "<group>-1".."<group>-N"
  std::string group;     // the name as written (== name when count is 1)
  int replica = 0;       // 1..N for a replicated entry, 0 when count is 1
  std::string url;       // "" when not given (simulator)
  std::string zone;
  // The carbon source spec (source_factory.h), validated; a relative csv
  // trace path is made absolute against the config file's folder.
  std::string carbon = "zone-table";
  std::string profile_ref;             // as written: a reference name or a path
  std::filesystem::path profile_path;  // the file it resolved to; empty for a built-in profile
  std::shared_ptr<const profile::DeviceProfile> profile;  // never null once loaded
  std::optional<int> max_batch;        // override of the profile's knee
  int line = 0;                        // where the entry starts in the file; 0 if unknown

  // max_batch if given, else the profile's knee, capped by what memory holds.
  int effective_max_batch() const;
};

struct ClusterConfig {
  std::filesystem::path source;  // the file read ("" when parsed from text)
  ConfigFormat format = ConfigFormat::kToml;
  ClusterDefaults defaults;
  std::vector<NodeConfig> nodes;  // file order, replicas expanded in place

  const NodeConfig* find_node(std::string_view name) const;
};

struct LoadOptions {
  bool require_url = false;     // the gateway needs every node's URL
  bool allow_replicas = true;   // count > 1 (the simulator); the gateway requires 1
  // Environment and clocks for building the carbon sources while validating
  // (credentials of live sources come from the environment by default).
  carbon::SourceFactoryContext carbon;

  static LoadOptions gateway() { return {.require_url = true, .allow_replicas = false, .carbon = {}}; }
  static LoadOptions simulator() { return {.require_url = false, .allow_replicas = true, .carbon = {}}; }
};

// Reads `path` (format from its extension) and validates it. Relative profile
// and csv trace paths resolve against the file's folder.
core::Result<ClusterConfig> load_cluster_config(const std::filesystem::path& path,
                                                const LoadOptions& options);

// Parses text (for tests and embedded configs): relative paths resolve
// against `base_dir`; messages are prefixed with `name`.
core::Result<ClusterConfig> parse_cluster_config(std::string_view text, ConfigFormat format,
                                                 const std::filesystem::path& base_dir,
                                                 const LoadOptions& options,
                                                 std::string_view name = "cluster config");

}  // namespace greenroute::routing
