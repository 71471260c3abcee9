#include "greenroute/routing/cluster_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "greenroute/profile/profile_json.h"

namespace greenroute::routing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kSourceDir = GREENROUTE_SOURCE_DIR;

// A fresh folder per test under the system temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("greenroute-cluster-config-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  fs::path path_;
};

core::Result<ClusterConfig> parse(const std::string& text, ConfigFormat format,
                                  const LoadOptions& options = LoadOptions::simulator(),
                                  const fs::path& base_dir = kSourceDir) {
  return parse_cluster_config(text, format, base_dir, options,
                              format == ConfigFormat::kToml ? "c.toml" : "c.yaml");
}

// The message of a config that must fail with kInvalidArgument.
std::string error_of(const std::string& text, ConfigFormat format,
                     const LoadOptions& options = LoadOptions::simulator()) {
  auto r = parse(text, format, options);
  EXPECT_FALSE(r.is_ok()) << "accepted:\n" << text;
  if (r.is_ok()) return "";
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << r.status().to_string();
  return r.status().message();
}

constexpr const char* kFullToml = R"(
[defaults]
policy = "hybrid"
baseline_policy = "round-robin"
hybrid_alpha = 0.25
slo_ms = 1500
request_timeout_ms = 60000
connect_timeout_ms = 500
queue_limit = 32
health_interval_ms = 1000
eject_after_failures = 5
batch_window_ms = 20
max_batch = 4

[[node]]
name = "jetson-a"
url = "http://127.0.0.1:8081/"
zone = "FR"
carbon = "zone-table"
profile = "jetson-orin-nx-8gb"
max_batch = 4

[[node]]
name = "rtx"
zone = "DE"
carbon = "static:350"
profile = "profiles/rtx-2000-ada-16gb.json"
count = 2
)";

constexpr const char* kFullYaml = R"(
defaults:
  policy: hybrid
  baseline_policy: "round-robin"
  hybrid_alpha: 0.25
  slo_ms: 1500
  request_timeout_ms: 60000
  connect_timeout_ms: 500
  queue_limit: 32
  health_interval_ms: 1000
  eject_after_failures: 5
  batch_window_ms: 20
  max_batch: 4
node:
  - name: jetson-a
    url: http://127.0.0.1:8081/
    zone: FR
    carbon: zone-table
    profile: jetson-orin-nx-8gb
    max_batch: 4
  - {name: rtx, zone: DE, carbon: "static:350", profile: profiles/rtx-2000-ada-16gb.json, count: 2}
)";

void expect_same(const ClusterConfig& a, const ClusterConfig& b) {
  EXPECT_EQ(a.defaults, b.defaults);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    SCOPED_TRACE(a.nodes[i].name);
    const NodeConfig& x = a.nodes[i];
    const NodeConfig& y = b.nodes[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.group, y.group);
    EXPECT_EQ(x.replica, y.replica);
    EXPECT_EQ(x.url, y.url);
    EXPECT_EQ(x.zone, y.zone);
    EXPECT_EQ(x.carbon, y.carbon);
    EXPECT_EQ(x.profile_ref, y.profile_ref);
    EXPECT_EQ(x.profile_path, y.profile_path);
    EXPECT_EQ(x.max_batch, y.max_batch);
    ASSERT_TRUE(x.profile && y.profile);
    EXPECT_EQ(profile::profile_to_json(*x.profile), profile::profile_to_json(*y.profile));
  }
}

TEST(ClusterConfig, FullTomlAndYamlParseToTheSameConfig) {
  auto toml = parse(kFullToml, ConfigFormat::kToml);
  ASSERT_TRUE(toml.is_ok()) << toml.status().to_string();
  auto yaml = parse(kFullYaml, ConfigFormat::kYaml);
  ASSERT_TRUE(yaml.is_ok()) << yaml.status().to_string();
  EXPECT_EQ(toml->format, ConfigFormat::kToml);
  EXPECT_EQ(yaml->format, ConfigFormat::kYaml);
  expect_same(*toml, *yaml);

  const ClusterDefaults& d = toml->defaults;
  EXPECT_EQ(d.policy, PolicyKind::kHybrid);
  EXPECT_EQ(d.baseline_policy, PolicyKind::kRoundRobin);
  EXPECT_DOUBLE_EQ(d.hybrid_alpha, 0.25);
  EXPECT_EQ(d.slo_ms, 1500);
  EXPECT_EQ(d.request_timeout_ms, 60000);
  EXPECT_EQ(d.connect_timeout_ms, 500);
  EXPECT_EQ(d.queue_limit, 32);
  EXPECT_EQ(d.health_interval_ms, 1000);
  EXPECT_EQ(d.eject_after_failures, 5);
  EXPECT_EQ(d.batch_window_ms, 20);
  EXPECT_EQ(d.max_batch, 4);

  ASSERT_EQ(toml->nodes.size(), 3u);  // rtx has count = 2
  const NodeConfig& j = toml->nodes[0];
  EXPECT_EQ(j.name, "jetson-a");
  EXPECT_EQ(j.replica, 0);
  EXPECT_EQ(j.url, "http://127.0.0.1:8081");  // trailing '/' dropped
  EXPECT_EQ(j.zone, "FR");
  EXPECT_EQ(j.carbon, "zone-table");
  EXPECT_EQ(j.max_batch, 4);
  EXPECT_EQ(j.effective_max_batch(), 4);
  EXPECT_EQ(j.profile->device.name, "jetson-orin-nx-8gb");
  EXPECT_EQ(j.line, 15);
  EXPECT_EQ(toml->nodes[1].name, "rtx-1");
  EXPECT_EQ(toml->nodes[2].name, "rtx-2");
  for (int r = 1; r <= 2; ++r) {
    const NodeConfig& n = toml->nodes[static_cast<std::size_t>(r)];
    EXPECT_EQ(n.group, "rtx");
    EXPECT_EQ(n.replica, r);
    EXPECT_EQ(n.url, "");
    EXPECT_EQ(n.carbon, "static:350");
    EXPECT_EQ(n.profile->device.name, "rtx-2000-ada-16gb");
  }
  // Replicas share one loaded profile.
  EXPECT_EQ(toml->nodes[1].profile.get(), toml->nodes[2].profile.get());
  EXPECT_NE(toml->find_node("rtx-2"), nullptr);
  EXPECT_EQ(toml->find_node("rtx"), nullptr);
}

TEST(ClusterConfig, DefaultsApplyWhenOmitted) {
  for (ConfigFormat f : {ConfigFormat::kToml, ConfigFormat::kYaml}) {
    const std::string text = f == ConfigFormat::kToml ? "[[node]]\nname = \"n\"\nzone = \"FR\"\nprofile = \"jetson-orin-nx-8gb\"\n"
                                                      : "node:\n  - name: n\n    zone: FR\n    profile: jetson-orin-nx-8gb\n";
    auto c = parse(text, f);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    EXPECT_EQ(c->defaults, ClusterDefaults{});
    EXPECT_EQ(c->defaults.policy, PolicyKind::kLatencyAware);
    EXPECT_EQ(c->defaults.baseline_policy, PolicyKind::kGreedyFastest);
    EXPECT_DOUBLE_EQ(c->defaults.hybrid_alpha, 0.5);
    EXPECT_EQ(c->defaults.slo_ms, 0);
    EXPECT_EQ(c->defaults.request_timeout_ms, 120000);
    EXPECT_EQ(c->defaults.connect_timeout_ms, 2000);
    EXPECT_EQ(c->defaults.queue_limit, 256);
    EXPECT_EQ(c->defaults.health_interval_ms, 2000);
    EXPECT_EQ(c->defaults.eject_after_failures, 3);
    EXPECT_EQ(c->defaults.batch_window_ms, 0);
    EXPECT_EQ(c->defaults.max_batch, 8);
    ASSERT_EQ(c->nodes.size(), 1u);
    const NodeConfig& n = c->nodes[0];
    EXPECT_EQ(n.carbon, "zone-table");
    EXPECT_EQ(n.url, "");
    EXPECT_FALSE(n.max_batch.has_value());
    EXPECT_EQ(n.effective_max_batch(), std::min(n.profile->knee_batch, n.profile->max_batch_fits));
    EXPECT_TRUE(n.profile_path.empty());  // built in
  }
}

TEST(ClusterConfig, ReferenceProfileByNameAndByRelativePath) {
  TempDir dir;
  fs::copy_file(kSourceDir / "profiles/jetson-orin-nx-8gb.json", dir.path() / "jetson.json");
  const fs::path file = dir.write("conf/cluster.toml", R"(
[[node]]
name = "by-name"
zone = "FR"
profile = "jetson-orin-nx-8gb"
[[node]]
name = "by-path"
zone = "FR"
profile = "../jetson.json"
[[node]]
name = "by-path-again"
zone = "DE"
profile = "../jetson.json"
)");
  auto c = load_cluster_config(file, LoadOptions::simulator());
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->source, file);
  ASSERT_EQ(c->nodes.size(), 3u);
  EXPECT_TRUE(c->nodes[0].profile_path.empty());
  EXPECT_EQ(c->nodes[1].profile_path, dir.path() / "conf" / "../jetson.json");
  EXPECT_EQ(profile::profile_to_json(*c->nodes[0].profile), profile::profile_to_json(*c->nodes[1].profile));
  EXPECT_EQ(c->nodes[1].profile.get(), c->nodes[2].profile.get());
}

TEST(ClusterConfig, RelativeCsvTracesResolveAgainstTheConfigFolder) {
  TempDir dir;
  // An Electricity Maps export names its zone, so a fallback (no options of its own) can read it.
  dir.write("traces/fr.csv",
            "Datetime (UTC),Zone Id,Carbon Intensity gCO2eq/kWh (direct),Carbon Intensity gCO2eq/kWh (LCA)\n"
            "2024-01-01 00:00:00,FR,40,50\n2024-01-01 01:00:00,FR,45,55\n");
  const fs::path file = dir.write("cluster.yaml", R"(
node:
  - name: a
    zone: FR
    carbon: csv:traces/fr.csv,interp=linear
    profile: jetson-orin-nx-8gb
  - name: b
    zone: FR
    carbon: "uk-grid:fallback=csv:traces/fr.csv,ttl=60"
    profile: jetson-orin-nx-8gb
)");
  auto c = load_cluster_config(file, LoadOptions::simulator());
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  const std::string trace = (dir.path() / "traces/fr.csv").lexically_normal().string();
  EXPECT_EQ(c->nodes[0].carbon, "csv:" + trace + ",interp=linear");
  EXPECT_EQ(c->nodes[1].carbon, "uk-grid:fallback=csv:" + trace + ",ttl=60");
}

TEST(ClusterConfig, GatewayNeedsUrlsAndOneNodePerEntry) {
  const std::string no_url = "[[node]]\nname = \"a\"\nzone = \"FR\"\nprofile = \"jetson-orin-nx-8gb\"\n";
  EXPECT_TRUE(parse(no_url, ConfigFormat::kToml).is_ok());
  EXPECT_THAT(error_of(no_url, ConfigFormat::kToml, LoadOptions::gateway()),
              HasSubstr("c.toml:1: node[0].url: required, but missing"));
  const std::string replicas = no_url + "url = \"http://h:1\"\ncount = 2\n";
  EXPECT_TRUE(parse(replicas, ConfigFormat::kToml).is_ok());
  EXPECT_THAT(error_of(replicas, ConfigFormat::kToml, LoadOptions::gateway()),
              HasSubstr("c.toml:6: node[0].count: must be 1 here"));
}

// One bad config in both formats and the message each must contain.
struct BadCase {
  const char* what;
  std::string toml;
  std::string yaml;
  std::string message;  // expected in both
  std::string toml_where;  // "c.toml:<line>: ", checked when not empty
  std::string yaml_where;
};

std::string toml_node(const std::string& extra, const std::string& zone = "\"FR\"") {
  return "[[node]]\nname = \"a\"\nzone = " + zone + "\nprofile = \"jetson-orin-nx-8gb\"\n" + extra;
}
std::string yaml_node(const std::string& extra, const std::string& zone = "FR") {
  return "node:\n  - name: a\n    zone: " + zone + "\n    profile: jetson-orin-nx-8gb\n" + extra;
}

std::vector<BadCase> bad_cases() {
  const std::string two_toml = toml_node("") + "[[node]]\nname = \"b\"\nzone = \"DE\"\nprofile = \"jetson-orin-nx-8gb\"\n";
  const std::string two_yaml = yaml_node("") + "  - name: b\n    zone: DE\n    profile: jetson-orin-nx-8gb\n";
  return {
      {"unknown top-level key", toml_node("") + "[nodes]\n", yaml_node("") + "nodes: {}\n",
       "nodes: unknown key (did you mean 'node'?)", "c.toml:5: ", "c.yaml:5: "},
      {"unknown defaults key", "[defaults]\npolcy = \"random\"\n" + toml_node(""), "defaults:\n  polcy: random\n" + yaml_node(""),
       "defaults.polcy: unknown key (did you mean 'policy'?)", "c.toml:2: ", "c.yaml:2: "},
      {"unknown node key", two_toml + "zoen = \"DE\"\n", two_yaml + "    zoen: DE\n",
       "node[1].zoen: unknown key (did you mean 'zone'?); known keys: name, url, zone", "c.toml:9: ", "c.yaml:8: "},
      {"zone of the wrong type", toml_node("", "5"), yaml_node("", "[5]"), "node[0].zone: must be a string (is ",
       "c.toml:3: ", "c.yaml:3: "},
      {"integer given as a string", "[defaults]\nqueue_limit = \"many\"\n" + toml_node(""),
       "defaults:\n  queue_limit: \"12\"\n" + yaml_node(""),
       "defaults.queue_limit: must be a whole number in [0, 1000000] (is string", "c.toml:2: ", "c.yaml:2: "},
      {"float for an integer", toml_node("max_batch = 8.5\n"), yaml_node("    max_batch: 8.5\n"),
       "node[0].max_batch: must be a whole number in [1, 4096] (is float 8.5)", "c.toml:5: ", "c.yaml:5: "},
      {"alpha of the wrong type", "[defaults]\nhybrid_alpha = true\n" + toml_node(""),
       "defaults:\n  hybrid_alpha: true\n" + yaml_node(""), "defaults.hybrid_alpha: must be a number in [0, 1] (is boolean true)",
       "c.toml:2: ", "c.yaml:2: "},
      {"alpha out of range", "[defaults]\nhybrid_alpha = 1.5\n" + toml_node(""), "defaults:\n  hybrid_alpha: 1.5\n" + yaml_node(""),
       "defaults.hybrid_alpha: must be a number in [0, 1] (is 1.5)", "c.toml:2: ", "c.yaml:2: "},
      {"alpha not a number", "[defaults]\nhybrid_alpha = nan\n" + toml_node(""), "defaults:\n  hybrid_alpha: .nan\n" + yaml_node(""),
       "defaults.hybrid_alpha: must be a number in [0, 1]", "c.toml:2: ", "c.yaml:2: "},
      {"count out of range", toml_node("count = 0\n"), yaml_node("    count: 0\n"),
       "node[0].count: must be a whole number in [1, 100000] (is 0)", "c.toml:5: ", "c.yaml:5: "},
      {"negative slo", "[defaults]\nslo_ms = -1\n" + toml_node(""), "defaults:\n  slo_ms: -1\n" + yaml_node(""),
       "defaults.slo_ms: must be a whole number in [0, 3600000] (is -1)", "c.toml:2: ", "c.yaml:2: "},
      {"connect timeout beyond request timeout", "[defaults]\nrequest_timeout_ms = 100\nconnect_timeout_ms = 200\n" + toml_node(""),
       "defaults:\n  request_timeout_ms: 100\n  connect_timeout_ms: 200\n" + yaml_node(""),
       "defaults.connect_timeout_ms: must not exceed defaults.request_timeout_ms (100)", "c.toml:3: ", "c.yaml:3: "},
      {"unknown policy", "[defaults]\npolicy = \"carbon-awre\"\n" + toml_node(""), "defaults:\n  policy: carbon-awre\n" + yaml_node(""),
       "defaults.policy: unknown value \"carbon-awre\" (did you mean 'carbon-aware'?); one of: round-robin, random",
       "c.toml:2: ", "c.yaml:2: "},
      {"duplicate names", two_toml + "[[node]]\nname = \"a\"\nzone = \"DE\"\nprofile = \"jetson-orin-nx-8gb\"\n",
       two_yaml + "  - name: a\n    zone: DE\n    profile: jetson-orin-nx-8gb\n",
       "node[2].name: \"a\" is already the name of a node in node[0]", "c.toml:10: ", "c.yaml:8: "},
      {"replica name clash", toml_node("count = 2\n") + "[[node]]\nname = \"a-2\"\nzone = \"DE\"\nprofile = \"jetson-orin-nx-8gb\"\n",
       yaml_node("    count: 2\n") + "  - name: a-2\n    zone: DE\n    profile: jetson-orin-nx-8gb\n",
       "node[1].name: \"a-2\" is already the name of a node in node[0]", "", ""},
      {"duplicate urls", "[[node]]\nname = \"a\"\nurl = \"http://h:1\"\nzone = \"FR\"\nprofile = \"jetson-orin-nx-8gb\"\n"
                         "[[node]]\nname = \"b\"\nurl = \"http://h:1\"\nzone = \"FR\"\nprofile = \"jetson-orin-nx-8gb\"\n",
       "node:\n  - {name: a, url: \"http://h:1\", zone: FR, profile: jetson-orin-nx-8gb}\n"
       "  - {name: b, url: \"http://h:1\", zone: FR, profile: jetson-orin-nx-8gb}\n",
       "node[1].url: \"http://h:1\" is already the URL of node[0]", "", ""},
      {"missing name", "[[node]]\nzone = \"FR\"\nprofile = \"jetson-orin-nx-8gb\"\n",
       "node:\n  - zone: FR\n    profile: jetson-orin-nx-8gb\n", "node[0].name: required, but missing", "c.toml:1: ", "c.yaml:2: "},
      {"missing zone", "[[node]]\nname = \"a\"\nprofile = \"jetson-orin-nx-8gb\"\n", "node:\n  - name: a\n    profile: jetson-orin-nx-8gb\n",
       "node[0].zone: required, but missing", "", ""},
      {"missing profile", "[[node]]\nname = \"a\"\nzone = \"FR\"\n", "node:\n  - name: a\n    zone: FR\n",
       "node[0].profile: required, but missing", "", ""},
      {"no nodes", "[defaults]\npolicy = \"random\"\n", "defaults:\n  policy: random\n",
       "node: at least one node is required", "", ""},
      {"empty node list", "node = []\n", "node: []\n", "node: at least one node is required", "", ""},
      {"node as a single table", "[node]\nname = \"a\"\n", "node:\n  name: a\n", "node: must be an array of tables", "", ""},
      {"bad node name", "[[node]]\nname = \"jetson a\"\nzone = \"FR\"\nprofile = \"jetson-orin-nx-8gb\"\n",
       "node:\n  - name: jetson a\n    zone: FR\n    profile: jetson-orin-nx-8gb\n",
       "node[0].name: \"jetson a\" is not a node name", "c.toml:2: ", "c.yaml:2: "},
      {"bad url scheme", toml_node("url = \"ftp://h:1\"\n"), yaml_node("    url: ftp://h:1\n"),
       "node[0].url: \"ftp://h:1\" must start with http:// or https://", "c.toml:5: ", "c.yaml:5: "},
      {"bad url port", toml_node("url = \"http://h:99999\"\n"), yaml_node("    url: http://h:99999\n"),
       "node[0].url: \"http://h:99999\" has a port that is not a number in [1, 65535]", "", ""},
      {"url without host", toml_node("url = \"http://:80\"\n"), yaml_node("    url: http://:80\n"), "has no host", "", ""},
      {"profile file missing", "[[node]]\nname = \"a\"\nzone = \"FR\"\nprofile = \"no/such.json\"\n",
       "node:\n  - name: a\n    zone: FR\n    profile: no/such.json\n",
       "node[0].profile: no profile file '", "c.toml:4: ", "c.yaml:4: "},
      {"bad carbon spec", toml_node("carbon = \"solar\"\n"), yaml_node("    carbon: solar\n"),
       "node[0].carbon: unknown carbon source 'solar'", "c.toml:5: ", "c.yaml:5: "},
      {"bad static intensity", toml_node("carbon = \"static:-5\"\n"), yaml_node("    carbon: \"static:-5\"\n"),
       "node[0].carbon: carbon source 'static:-5'", "", ""},
      {"missing csv trace", toml_node("carbon = \"csv:no-such-trace.csv,zone=FR\"\n"),
       yaml_node("    carbon: csv:no-such-trace.csv,zone=FR\n"), "node[0].carbon: ", "c.toml:5: ", "c.yaml:5: "},
      {"zone not in the zone table", toml_node("", "\"XX\""), yaml_node("", "XX"),
       "node[0].zone: \"XX\" is not in the built-in zone table", "c.toml:3: ", "c.yaml:3: "},
      {"max_batch beyond memory", toml_node("max_batch = 4000\n"), yaml_node("    max_batch: 4000\n"),
       "node[0].max_batch: 4000 is more than the 303 sequences the profile's memory holds", "", ""},
      {"too many replicas", toml_node("count = 100001\n"), yaml_node("    count: 100001\n"), "node[0].count: must be a whole number",
       "", ""},
      {"date for a string", toml_node("url = 2024-01-01\n"), yaml_node("    url: [1]\n"), "node[0].url: must be a string (is ", "", ""},
  };
}

TEST(ClusterConfig, EveryBadFieldIsNamedWithItsPathAndLine) {
  for (const BadCase& c : bad_cases()) {
    SCOPED_TRACE(c.what);
    const std::string toml = error_of(c.toml, ConfigFormat::kToml);
    EXPECT_THAT(toml, HasSubstr(c.message));
    if (!c.toml_where.empty()) {
      EXPECT_THAT(toml, HasSubstr(c.toml_where + c.message.substr(0, c.message.find(':'))));
    }
    const std::string yaml = error_of(c.yaml, ConfigFormat::kYaml);
    EXPECT_THAT(yaml, HasSubstr(c.message));
    if (!c.yaml_where.empty()) {
      EXPECT_THAT(yaml, HasSubstr(c.yaml_where + c.message.substr(0, c.message.find(':'))));
    }
  }
}

TEST(ClusterConfig, InvalidProfileFileIsNamed) {
  TempDir dir;
  dir.write("broken.json", "{ not json");
  std::ifstream in(kSourceDir / "profiles/jetson-orin-nx-8gb.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "\"idle_watts\": ";
  const std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + from.size(), "-");  // negative idle watts: invalid
  dir.write("negative.json", text);
  for (const char* file : {"broken.json", "negative.json"}) {
    SCOPED_TRACE(file);
    const fs::path config = dir.write("c.toml", "[[node]]\nname = \"a\"\nzone = \"FR\"\nprofile = \"" + std::string(file) + "\"\n");
    auto c = load_cluster_config(config, LoadOptions::simulator());
    ASSERT_FALSE(c.is_ok());
    EXPECT_THAT(c.status().message(), HasSubstr(config.string() + ":4: node[0].profile: "));
    EXPECT_THAT(c.status().message(), HasSubstr(file));
  }
}

TEST(ClusterConfig, SyntaxErrorsGiveTheLine) {
  EXPECT_THAT(error_of("[defaults]\npolicy = \"random\"\nmax_batch = \n", ConfigFormat::kToml), HasSubstr("c.toml:3: TOML syntax: "));
  EXPECT_THAT(error_of("defaults:\n  policy: random\n  max_batch: [1, 2\n", ConfigFormat::kYaml), HasSubstr("c.yaml:"));
  EXPECT_THAT(error_of("defaults:\n  policy: random\n  policy: hybrid\n", ConfigFormat::kYaml),
              HasSubstr("c.yaml:3: YAML syntax: key 'policy' appears twice"));
  EXPECT_THAT(error_of("[defaults]\npolicy = \"random\"\npolicy = \"hybrid\"\n", ConfigFormat::kToml), HasSubstr("c.toml:3: "));
  EXPECT_THAT(error_of("- 1\n- 2\n", ConfigFormat::kYaml), HasSubstr("the document must be a mapping"));
  EXPECT_THAT(error_of("", ConfigFormat::kYaml), HasSubstr("node: at least one node is required"));
  EXPECT_THAT(error_of("a: 99999999999999999999\n", ConfigFormat::kYaml), HasSubstr("integer out of range"));
  EXPECT_THAT(error_of("\t- x: [\n", ConfigFormat::kYaml), HasSubstr("c.yaml"));
}

TEST(ClusterConfig, YamlScalarsFollowTheCoreSchema) {
  // NO stays a string (YAML 1.1 would read false); a plain number is fine as a name.
  auto c = parse("node:\n  - {name: 42, zone: NO, profile: jetson-orin-nx-8gb, max_batch: 0x10}\n", ConfigFormat::kYaml);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->nodes[0].name, "42");
  EXPECT_EQ(c->nodes[0].zone, "NO");
  EXPECT_EQ(c->nodes[0].max_batch, 16);
  // A quoted number is a string, not a count.
  EXPECT_THAT(error_of(yaml_node("    count: \"2\"\n"), ConfigFormat::kYaml),
              HasSubstr("node[0].count: must be a whole number in [1, 100000] (is string \"2\")"));
  EXPECT_THAT(error_of(yaml_node("    url: true\n"), ConfigFormat::kYaml), HasSubstr("node[0].url: must be a string (is boolean)"));
  EXPECT_THAT(error_of(yaml_node("    url:\n"), ConfigFormat::kYaml), HasSubstr("node[0].url: must be a string (is null)"));
}

TEST(ClusterConfig, FormatComesFromTheExtension) {
  EXPECT_EQ(config_format_for("a/b.toml").value(), ConfigFormat::kToml);
  EXPECT_EQ(config_format_for("B.YAML").value(), ConfigFormat::kYaml);
  EXPECT_EQ(config_format_for("c.yml").value(), ConfigFormat::kYaml);
  auto json = load_cluster_config("cluster.json", LoadOptions::simulator());
  EXPECT_EQ(json.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(json.status().message(), HasSubstr("cluster.json: unknown config format '.json'"));
  auto missing = load_cluster_config("/no/such/dir/cluster.toml", LoadOptions::gateway());
  EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/no/such/dir/cluster.toml: no such file"));
}

TEST(ClusterConfig, ShippedExamplesLoadForGatewayAndSimulator) {
  auto toml = load_cluster_config(kSourceDir / "examples/cluster.toml", LoadOptions::gateway());
  ASSERT_TRUE(toml.is_ok()) << toml.status().to_string();
  auto yaml = load_cluster_config(kSourceDir / "examples/cluster.yaml", LoadOptions::gateway());
  ASSERT_TRUE(yaml.is_ok()) << yaml.status().to_string();
  expect_same(*toml, *yaml);
  ASSERT_EQ(toml->nodes.size(), 2u);
  EXPECT_EQ(toml->defaults.policy, PolicyKind::kCarbonAware);
  EXPECT_EQ(toml->nodes[0].profile->device.name, "jetson-orin-nx-8gb");
  EXPECT_EQ(toml->nodes[1].profile->device.name, "rtx-2000-ada-16gb");
  EXPECT_FALSE(toml->nodes[1].profile_path.empty());
  EXPECT_TRUE(load_cluster_config(kSourceDir / "examples/cluster.toml", LoadOptions::simulator()).is_ok());
}

}  // namespace
}  // namespace greenroute::routing
