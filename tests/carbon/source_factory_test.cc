#include "greenroute/carbon/source_factory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "carbon/http_test_server.h"
#include "greenroute/carbon/cached_source.h"
#include "greenroute/core/clock.h"

namespace greenroute::carbon {
namespace {

using test_http::reply_json;
using test_http::TestServer;

constexpr std::int64_t kNow = 1714565400;  // 2024-05-01T12:10:00Z

class SourceFactoryTest : public ::testing::Test {
 protected:
  SourceFactoryContext context() {
    SourceFactoryContext c;
    c.clock = &mono_;
    c.unix_clock = &unix_clock_;
    c.getenv = [this](const std::string& name) -> std::optional<std::string> {
      const auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    return c;
  }

  core::Status error_of(const std::string& spec) {
    auto r = make_carbon_source(spec, context());
    EXPECT_FALSE(r.is_ok()) << spec;
    return r.is_ok() ? core::Status::ok() : r.status();
  }

  std::map<std::string, std::string> env_;
  core::ManualClock mono_{0};
  core::ManualClock unix_clock_{kNow * 1'000'000'000LL};
};

TEST_F(SourceFactoryTest, OfflineKinds) {
  auto st = make_carbon_source("static:350", context());
  ASSERT_TRUE(st.is_ok()) << st.status().to_string();
  EXPECT_EQ((*st)->name(), "static");
  EXPECT_DOUBLE_EQ((*st)->intensity("XX", 0)->g_co2_per_kwh, 350);

  auto table = make_carbon_source(" zone-table ", context());
  ASSERT_TRUE(table.is_ok()) << table.status().to_string();
  EXPECT_DOUBLE_EQ((*table)->intensity("DE", 0)->g_co2_per_kwh, 474);

  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("greenroute_factory_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << "timestamp,value\n1700000000,100\n1700003600,200\n";
  auto csv = make_carbon_source("csv:" + path.string() + ",zone=XX,interp=linear", context());
  std::filesystem::remove(path);
  ASSERT_TRUE(csv.is_ok()) << csv.status().to_string();
  auto mid = (*csv)->intensity("XX", 1700001800);
  ASSERT_TRUE(mid.is_ok()) << mid.status().to_string();
  EXPECT_DOUBLE_EQ(mid->g_co2_per_kwh, 150);
}

TEST_F(SourceFactoryTest, BadSpecsAreInvalidArgumentsThatSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty carbon source spec"},
      {"bogus", "unknown carbon source 'bogus'"},
      {"electricitymaps", "expected one of: static:G, zone-table"},
      {"static", "expected static:G"},
      {"static:", "nothing after ':'"},
      {"static:abc", "expected static:G"},
      {"static:-1", "expected static:G"},
      {"static:350,x=1", "unknown option 'x' for carbon source 'static' (it takes none)"},
      {"zone-table:x=1", "unknown option 'x'"},
      {"csv", "needs a path"},
      {"csv:/nonexistent/trace.csv,interp=cubic", "interp='cubic': expected step or linear"},
      {"uk-grid:foo=1",
       "unknown option 'foo' for carbon source 'uk-grid' (known: url, timeout_ms, ttl"},
      {"uk-grid:ttl", "must be written key=value"},
      {"uk-grid:ttl=abc", "ttl='abc': expected a whole number"},
      {"uk-grid:ttl=-5", "ttl='-5': expected a whole number in [0, 604800]"},
      {"uk-grid:ttl=1,ttl=2", "option 'ttl' given twice"},
      {"uk-grid:ttl=60,,backoff=1", "empty option"},
      {"uk-grid:url=ftp://example.org", "must start with http:// or https://"},
      {"uk-grid:fallback=watttime",
       "fallback='watttime': expected none, zone-table, static:G or csv:PATH"},
      {"uk-grid:fallback=static:x", "fallback: carbon source 'static:x'"},
      {"uk-grid:timeout_ms=0", "timeout_ms='0'"},
      {"electricity-maps", "needs an API key: set ELECTRICITYMAPS_API_KEY"},
      {"electricity-maps:basis=both,key=k", "basis='both': expected direct or lifecycle"},
      {"watttime", "set WATTTIME_USERNAME and WATTTIME_PASSWORD"},
  };
  for (const auto& [spec, want] : cases) {
    const core::Status s = error_of(spec);
    EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument) << spec << ": " << s.to_string();
    EXPECT_NE(s.message().find(want), std::string::npos) << spec << " -> " << s.message();
  }
}

TEST_F(SourceFactoryTest, SecretsAreNotEchoed) {
  const core::Status s = error_of("watttime:user=me,password=hunter2-secret,bogus=1");
  EXPECT_EQ(s.message().find("hunter2-secret"), std::string::npos) << s.message();
  env_["ELECTRICITYMAPS_API_KEY"] = "env-secret-key";
  const core::Status t = error_of("electricity-maps:ttl=soon");
  EXPECT_EQ(t.message().find("env-secret-key"), std::string::npos) << t.message();
}

TEST_F(SourceFactoryTest, LiveSourceComesCachedAndTakesItsOptions) {
  TestServer server;
  server.route("/proxy/intensity", [](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 200,
               R"({"data":[{"from":"2024-05-01T12:00Z","to":"2024-05-01T12:30Z",)"
               R"("intensity":{"forecast":200,"actual":190,"index":"moderate"}}]})");
  });
  server.start();
  auto src = make_carbon_source("uk-grid:url=" + server.url() + "/proxy,ttl=60,timeout_ms=2000",
                                context());
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  EXPECT_EQ((*src)->name(), "cached:uk-grid");
  ASSERT_TRUE((*src)->intensity("GB", kNow).is_ok());
  auto again = (*src)->intensity("GB", kNow);
  ASSERT_TRUE(again.is_ok());
  EXPECT_DOUBLE_EQ(again->g_co2_per_kwh, 190);
  EXPECT_EQ(server.count("/proxy/intensity"), 1);
  mono_.advance_ns(60LL * 1'000'000'000);  // ttl=60 from the spec
  ASSERT_TRUE((*src)->intensity("GB", kNow).is_ok());
  EXPECT_EQ(server.count("/proxy/intensity"), 2);
}

TEST_F(SourceFactoryTest, ElectricityMapsKeyComesFromTheEnvironmentOrTheSpec) {
  TestServer server;
  server.route("/v3/carbon-intensity/latest", [](const httplib::Request& req,
                                                 httplib::Response& res) {
    const std::string key = req.get_header_value("auth-token");
    if (key != "env-key" && key != "spec-key") {
      reply_json(res, 401, R"({"message":"bad key"})");
      return;
    }
    reply_json(
        res, 200,
        R"({"zone":"DE","carbonIntensity":)" + std::string(key == "env-key" ? "300" : "301") +
            R"(,"datetime":"2024-05-01T12:00:00.000Z","isEstimated":false,"emissionFactorType":"lifecycle"})");
  });
  server.start();
  env_["ELECTRICITYMAPS_API_KEY"] = "env-key";
  auto from_env = make_carbon_source("electricity-maps:url=" + server.url(), context());
  ASSERT_TRUE(from_env.is_ok()) << from_env.status().to_string();
  auto a = (*from_env)->intensity("DE", kNow);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_DOUBLE_EQ(a->g_co2_per_kwh, 300);

  auto from_spec =
      make_carbon_source("electricity-maps:key=spec-key,url=" + server.url(), context());
  ASSERT_TRUE(from_spec.is_ok());
  auto b = (*from_spec)->intensity("DE", kNow);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_DOUBLE_EQ(b->g_co2_per_kwh, 301);
}

TEST_F(SourceFactoryTest, DeadApiFallsBackAsConfigured) {
  env_["WATTTIME_USERNAME"] = "u";
  env_["WATTTIME_PASSWORD"] = "p";
  const std::string url = "http://127.0.0.1:" + std::to_string(test_http::closed_port());
  auto src = make_carbon_source("watttime:url=" + url + ",fallback=static:123", context());
  ASSERT_TRUE(src.is_ok()) << src.status().to_string();
  auto r = (*src)->intensity("CAISO_NORTH", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 123);
  EXPECT_EQ(r->source, "static");

  auto none = make_carbon_source("watttime:url=" + url + ",fallback=none", context());
  ASSERT_TRUE(none.is_ok());
  auto e = (*none)->intensity("CAISO_NORTH", kNow);
  ASSERT_FALSE(e.is_ok());
  EXPECT_EQ(e.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(e.status().message().find("watttime GET /login (zone CAISO_NORTH): cannot connect"),
            std::string::npos)
      << e.status().message();
}

}  // namespace
}  // namespace greenroute::carbon
