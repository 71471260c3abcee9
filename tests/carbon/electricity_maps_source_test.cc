#include "greenroute/carbon/electricity_maps_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "carbon/http_test_server.h"
#include "greenroute/core/clock.h"

namespace greenroute::carbon {
namespace {

using test_http::reply_json;
using test_http::TestServer;

constexpr std::int64_t kNow = 1714565400;     // 2024-05-01T12:10:00Z
constexpr std::int64_t kHour12 = 1714564800;  // 2024-05-01T12:00:00Z
constexpr const char* kKey = "em-test-key-123";
constexpr const char* kLatest = "/v3/carbon-intensity/latest";
constexpr const char* kHistory = "/v3/carbon-intensity/history";
constexpr const char* kForecast = "/v3/carbon-intensity/forecast";

// Answers 401 (echoing the key it got, as a careless API might) unless the
// auth-token header carries kKey.
bool authorized(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("auth-token") == kKey) return true;
  reply_json(res, 401,
             R"({"message":"Invalid auth-token )" + req.get_header_value("auth-token") + "\"}");
  return false;
}

std::string entry(const std::string& datetime, const std::string& value, bool estimated,
                  const std::string& type = "lifecycle") {
  return R"({"zone":"DE","carbonIntensity":)" + value + R"(,"datetime":")" + datetime +
         R"(","updatedAt":"2024-05-01T12:05:12.000Z","createdAt":"2024-04-28T12:00:00.000Z",)" +
         R"("emissionFactorType":")" + type + R"(","isEstimated":)" +
         (estimated ? "true" : "false") + R"(,"estimationMethod":null})";
}

class ElectricityMapsTest : public ::testing::Test {
 protected:
  std::unique_ptr<ElectricityMapsSource> make(std::int64_t read_timeout_ms = 3000,
                                              const std::string& base_url = "",
                                              Lifecycle basis = Lifecycle::kLifecycle) {
    ElectricityMapsOptions options;
    options.api_key = kKey;
    options.basis = basis;
    options.http.base_url = base_url.empty() ? server_.url() : base_url;
    options.http.connect_timeout_ms = 3000;
    options.http.read_timeout_ms = read_timeout_ms;
    options.http.unix_clock = &unix_clock_;
    auto created = ElectricityMapsSource::create(options);
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return std::move(created).value();
  }

  void serve_latest(const std::string& body, int status = 200) {
    server_.route(kLatest, [body, status](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      if (req.get_param_value("zone") != "DE") {
        reply_json(res, 404,
                   R"({"status":"error","message":"Zone ')" + req.get_param_value("zone") +
                       R"(' does not exist"})");
        return;
      }
      reply_json(res, status, body);
    });
  }

  core::ManualClock unix_clock_{kNow * 1'000'000'000LL};
  TestServer server_;
};

TEST_F(ElectricityMapsTest, LatestWithProvenance) {
  serve_latest(entry("2024-05-01T12:00:00.000Z", "302", true));
  server_.start();
  auto src = make();
  auto r = src->intensity("DE", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 302);
  EXPECT_EQ(r->zone, "DE");
  EXPECT_EQ(r->at_unix_s, kHour12);
  EXPECT_EQ(r->source, "electricity-maps");
  EXPECT_EQ(r->kind, SignalKind::kAverage);
  EXPECT_EQ(r->basis, Lifecycle::kLifecycle);
  EXPECT_TRUE(r->estimated);
  EXPECT_FALSE(r->forecast);
  EXPECT_FALSE(r->stale);
  EXPECT_EQ(r->fetched_at_unix_s, kNow);
  EXPECT_EQ(server_.count(kLatest), 1);
  EXPECT_EQ(src->name(), "electricity-maps");
}

TEST_F(ElectricityMapsTest, PastWithinADayUsesHistory) {
  server_.route(kHistory, [](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    // Out of order on purpose, with one gap (null) and one direct entry.
    reply_json(res, 200,
               R"({"zone":"DE","history":[)" + entry("2024-05-01T10:00:00.000Z", "410", false) +
                   "," + entry("2024-05-01T09:00:00.000Z", "395", true, "direct") + "," +
                   entry("2024-05-01T11:00:00.000Z", "null", false) + "]}");
  });
  server_.start();
  auto src = make();
  auto r = src->intensity("DE", kNow - 3 * 3600);  // 09:10
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 395);
  EXPECT_EQ(r->at_unix_s, kHour12 - 3 * 3600);
  EXPECT_EQ(r->basis, Lifecycle::kDirect);
  EXPECT_TRUE(r->estimated);
  EXPECT_FALSE(r->forecast);

  auto ten = src->intensity("DE", kHour12 - 2 * 3600 + 59 * 60);  // 10:59 -> the 10:00 hour
  ASSERT_TRUE(ten.is_ok()) << ten.status().to_string();
  EXPECT_DOUBLE_EQ(ten->g_co2_per_kwh, 410);

  auto gap = src->intensity("DE", kHour12 - 3600 + 60);  // 11:01: the API has null
  ASSERT_FALSE(gap.is_ok());
  EXPECT_EQ(gap.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(gap.status().message().find("null"), std::string::npos) << gap.status().message();
  EXPECT_EQ(server_.count(kHistory), 3);
  EXPECT_EQ(server_.count(kLatest), 0);
}

TEST_F(ElectricityMapsTest, FutureUsesForecastAndMarksIt) {
  server_.route(kForecast, [](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    reply_json(
        res, 200,
        R"({"zone":"DE","forecast":[{"carbonIntensity":280,"datetime":"2024-05-01T16:00:00.000Z"},)"
        R"({"carbonIntensity":265,"datetime":"2024-05-01T17:00:00.000Z"}],)"
        R"("updatedAt":"2024-05-01T12:00:00.000Z"})");
  });
  server_.start();
  auto src = make();
  auto r = src->intensity("DE", kNow + 5 * 3600);  // 17:10
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 265);
  EXPECT_TRUE(r->forecast);
  EXPECT_FALSE(r->estimated);
  EXPECT_EQ(r->basis, Lifecycle::kLifecycle);  // absent in forecast entries: the requested basis

  auto beyond = src->intensity("DE", kNow + 9 * 3600);
  ASSERT_FALSE(beyond.is_ok());
  EXPECT_EQ(beyond.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(beyond.status().message().find("covers"), std::string::npos)
      << beyond.status().message();
}

TEST_F(ElectricityMapsTest, OlderThanADayIsNotFoundWithoutARequest) {
  serve_latest(entry("2024-05-01T12:00:00.000Z", "302", false));
  server_.start();
  auto r = make()->intensity("DE", kNow - 30 * 3600);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("24 h"), std::string::npos);
  EXPECT_EQ(server_.count(kLatest) + server_.count(kHistory), 0);
}

TEST_F(ElectricityMapsTest, DirectBasisIsRequested) {
  server_.route(kLatest, [](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    if (req.get_param_value("emissionFactorType") != "direct") {
      reply_json(res, 400, R"({"message":"expected emissionFactorType=direct"})");
      return;
    }
    reply_json(res, 200, entry("2024-05-01T12:00:00.000Z", "250", false, "direct"));
  });
  server_.start();
  auto r = make(3000, "", Lifecycle::kDirect)->intensity("DE", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->basis, Lifecycle::kDirect);
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 250);
}

TEST_F(ElectricityMapsTest, BadKeyIs401WithoutLeakingTheKey) {
  serve_latest(entry("2024-05-01T12:00:00.000Z", "302", false));
  server_.start();
  ElectricityMapsOptions options;
  options.api_key = "wrong-secret-key";
  options.http.base_url = server_.url();
  options.http.unix_clock = &unix_clock_;
  auto src = ElectricityMapsSource::create(options);
  ASSERT_TRUE(src.is_ok());
  auto r = (*src)->intensity("DE", kNow);
  ASSERT_FALSE(r.is_ok());
  const std::string& msg = r.status().message();
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(msg.find("electricity-maps GET /v3/carbon-intensity/latest (zone DE)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("HTTP 401"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Invalid auth-token"), std::string::npos) << msg;  // the API's own words
  EXPECT_EQ(msg.find("wrong-secret-key"), std::string::npos) << msg;    // but not the key it echoed
}

TEST_F(ElectricityMapsTest, UnknownZoneCarriesTheApiMessage) {
  serve_latest(entry("2024-05-01T12:00:00.000Z", "302", false));
  server_.start();
  auto r = make()->intensity("XX", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("Zone 'XX' does not exist"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("(zone XX)"), std::string::npos);
}

TEST_F(ElectricityMapsTest, AnswerForAnotherZoneIsRefused) {
  // The API's IP-location fallback: asked for a zone it cannot place, it
  // answers for wherever the caller is.
  server_.route(kLatest, [](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 200,
               R"({"zone":"FR","carbonIntensity":56,"datetime":"2024-05-01T12:00:00.000Z"})");
  });
  server_.start();
  auto r = make()->intensity("ZZ-UNKNOWN", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("answered for 'FR'"), std::string::npos)
      << r.status().message();
}

TEST_F(ElectricityMapsTest, RateLimitAndServerErrors) {
  int calls = 0;
  server_.route(kLatest, [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      reply_json(res, 429, R"({"message":"Too many requests"})");
    } else {
      res.status = 500;
      res.set_content("upstream exploded\nat line 3", "text/plain");
    }
  });
  server_.start();
  auto src = make();
  auto limited = src->intensity("DE", kNow);
  ASSERT_FALSE(limited.is_ok());
  EXPECT_EQ(limited.status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(limited.status().message().find("HTTP 429"), std::string::npos);
  auto broken = src->intensity("DE", kNow);
  ASSERT_FALSE(broken.is_ok());
  EXPECT_EQ(broken.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(broken.status().message().find("HTTP 500"), std::string::npos);
  EXPECT_NE(broken.status().message().find("upstream exploded at line 3"), std::string::npos)
      << broken.status().message();
}

TEST_F(ElectricityMapsTest, MalformedAndIllTypedBodiesAreCorrupt) {
  int call = 0;
  const std::string bodies[] = {
      R"({"zone":"DE","carbonIntensity":30)",                    // truncated JSON
      R"({"zone":"DE","datetime":"2024-05-01T12:00:00.000Z"})",  // no value
      R"({"zone":"DE","carbonIntensity":"abc","datetime":"2024-05-01T12:00:00.000Z"})",
      R"({"zone":"DE","carbonIntensity":-5,"datetime":"2024-05-01T12:00:00.000Z"})",
      R"({"zone":"DE","carbonIntensity":300,"datetime":"yesterday"})",
      R"([1,2,3])",
  };
  const std::string expected[] = {"not valid JSON",
                                  "field 'carbonIntensity' is missing",
                                  "field 'carbonIntensity' is a string, expected a number",
                                  "expected a value >= 0",
                                  "not an ISO-8601 time",
                                  "expected an object"};
  server_.route(kLatest, [&](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 200, bodies[call++]);
  });
  server_.start();
  auto src = make();
  for (const std::string& want : expected) {
    auto r = src->intensity("DE", kNow);
    ASSERT_FALSE(r.is_ok()) << want;
    EXPECT_EQ(r.status().code(), core::StatusCode::kCorrupt) << r.status().to_string();
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("(zone DE)"), std::string::npos) << r.status().message();
  }
}

TEST_F(ElectricityMapsTest, SlowServerHitsTheReadTimeout) {
  server_.route(kLatest, [this](const httplib::Request&, httplib::Response& res) {
    server_.wait_at_gate(std::chrono::seconds(5));
    reply_json(res, 200, entry("2024-05-01T12:00:00.000Z", "302", false));
  });
  server_.start();
  auto src = make(/*read_timeout_ms=*/200);
  const auto start = std::chrono::steady_clock::now();
  auto r = src->intensity("DE", kNow);
  const auto waited = std::chrono::steady_clock::now() - start;
  server_.open_gate();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kDeadlineExceeded) << r.status().to_string();
  EXPECT_NE(r.status().message().find("read timeout of 200 ms"), std::string::npos)
      << r.status().message();
  EXPECT_LT(waited, std::chrono::seconds(3));  // bounded by the timeout, not by the server
}

TEST_F(ElectricityMapsTest, NothingListeningIsUnavailable) {
  auto src = make(3000, "http://127.0.0.1:" + std::to_string(test_http::closed_port()));
  auto r = src->intensity("DE", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot connect to 127.0.0.1:"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("/v3/carbon-intensity/latest (zone DE)"), std::string::npos);
}

TEST_F(ElectricityMapsTest, BaseUrlPathPrefixIsKept) {
  server_.route("/proxy/em/v3/carbon-intensity/latest",
                [](const httplib::Request& req, httplib::Response& res) {
                  if (!authorized(req, res)) return;
                  reply_json(res, 200, entry("2024-05-01T12:00:00.000Z", "111", false));
                });
  server_.start();
  auto r = make(3000, server_.url() + "/proxy/em/")->intensity("DE", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 111);
}

TEST(ElectricityMapsCreate, RejectsMissingKeyAndBadUrls) {
  ElectricityMapsOptions options;
  auto no_key = ElectricityMapsSource::create(options);
  ASSERT_FALSE(no_key.is_ok());
  EXPECT_EQ(no_key.status().code(), core::StatusCode::kInvalidArgument);
  options.api_key = "k";
  for (const char* url :
       {"ftp://x", "http://", "http://h:0", "http://h:99999", "http://user@h", "http://h/?q=1"}) {
    options.http.base_url = url;
    auto r = ElectricityMapsSource::create(options);
    ASSERT_FALSE(r.is_ok()) << url;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << url;
  }
  options.http.base_url = "";
  options.http.read_timeout_ms = 0;
  EXPECT_FALSE(ElectricityMapsSource::create(options).is_ok());
}

}  // namespace
}  // namespace greenroute::carbon
