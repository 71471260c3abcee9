#include "greenroute/carbon/uk_grid_source.h"

#include <gtest/gtest.h>

#include <string>

#include "carbon/http_test_server.h"
#include "greenroute/core/clock.h"

namespace greenroute::carbon {
namespace {

using test_http::reply_json;
using test_http::TestServer;

constexpr std::int64_t kNow = 1714565400;     // 2024-05-01T12:10:00Z
constexpr std::int64_t kHour12 = 1714564800;  // 2024-05-01T12:00:00Z

std::string period(const std::string& from, const std::string& to, const std::string& forecast,
                   const std::string& actual, const std::string& index = "moderate") {
  return R"({"from":")" + from + R"(","to":")" + to + R"(","intensity":{"forecast":)" + forecast +
         R"(,"actual":)" + actual + R"(,"index":")" + index + R"("}})";
}

std::string regional_period(const std::string& from, const std::string& to,
                            const std::string& forecast) {
  return R"({"from":")" + from + R"(","to":")" + to + R"(","intensity":{"forecast":)" + forecast +
         R"(,"index":"low"},"generationmix":[{"fuel":"gas","perc":30.1},{"fuel":"wind","perc":41.5}]})";
}

class UkGridTest : public ::testing::Test {
 protected:
  std::unique_ptr<UkGridSource> make() {
    UkGridOptions options;
    options.http.base_url = server_.url();
    options.http.read_timeout_ms = 3000;
    options.http.unix_clock = &unix_clock_;
    auto created = UkGridSource::create(options);
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return std::move(created).value();
  }

  core::ManualClock unix_clock_{kNow * 1'000'000'000LL};
  TestServer server_;
};

TEST_F(UkGridTest, CurrentNationalActual) {
  server_.route("/intensity", [](const httplib::Request&, httplib::Response& res) {
    reply_json(
        res, 200,
        R"({"data":[)" + period("2024-05-01T12:00Z", "2024-05-01T12:30Z", "266", "263") + "]}");
  });
  server_.start();
  auto r = make()->intensity("GB", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 263);  // actual wins over forecast
  EXPECT_FALSE(r->forecast);
  EXPECT_EQ(r->zone, "GB");
  EXPECT_EQ(r->at_unix_s, kHour12);
  EXPECT_EQ(r->source, "uk-grid");
  EXPECT_EQ(r->basis, Lifecycle::kDirect);
  EXPECT_EQ(r->kind, SignalKind::kAverage);
  EXPECT_EQ(r->fetched_at_unix_s, kNow);
  EXPECT_EQ(server_.count("/intensity"), 1);
}

TEST_F(UkGridTest, NullActualFallsBackToTheForecast) {
  server_.route("/intensity", [](const httplib::Request&, httplib::Response& res) {
    reply_json(
        res, 200,
        R"({"data":[)" + period("2024-05-01T12:00Z", "2024-05-01T12:30Z", "270", "null") + "]}");
  });
  server_.start();
  auto r = make()->intensity("gb", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 270);
  EXPECT_TRUE(r->forecast);
}

TEST_F(UkGridTest, FutureAndPastUseFw24hFromTheHalfHourBefore) {
  server_.route("/intensity/([^/]+)/fw24h", [](const httplib::Request& req,
                                               httplib::Response& res) {
    const std::string from = req.matches[1];
    if (from == "2024-05-01T14:30Z") {  // asked for 15:10
      reply_json(res, 200,
                 R"({"data":[)" + period("2024-05-01T14:30Z", "2024-05-01T15:00Z", "150", "null") +
                     "," + period("2024-05-01T15:00Z", "2024-05-01T15:30Z", "140", "null") + "," +
                     period("2024-05-01T15:30Z", "2024-05-01T16:00Z", "130", "null") + "]}");
    } else if (from == "2024-05-01T06:30Z") {  // asked for 07:10
      reply_json(res, 200,
                 R"({"data":[)" + period("2024-05-01T06:30Z", "2024-05-01T07:00Z", "200", "205") +
                     "," + period("2024-05-01T07:00Z", "2024-05-01T07:30Z", "210", "199") + "]}");
    } else {
      reply_json(
          res, 400,
          R"({"error":{"code":"400 Bad Request","message":"unexpected from )" + from + "\"}}");
    }
  });
  server_.start();
  auto src = make();
  auto future = src->intensity("GB", kNow + 3 * 3600);
  ASSERT_TRUE(future.is_ok()) << future.status().to_string();
  EXPECT_DOUBLE_EQ(future->g_co2_per_kwh, 140);
  EXPECT_TRUE(future->forecast);
  EXPECT_EQ(future->at_unix_s, kHour12 + 3 * 3600);

  auto past = src->intensity("GB", kNow - 5 * 3600);
  ASSERT_TRUE(past.is_ok()) << past.status().to_string();
  EXPECT_DOUBLE_EQ(past->g_co2_per_kwh, 199);
  EXPECT_FALSE(past->forecast);
  EXPECT_EQ(server_.count("/intensity/([^/]+)/fw24h"), 2);
}

TEST_F(UkGridTest, RegionalNowAndLater) {
  server_.route("/regional/regionid/13", [](const httplib::Request&, httplib::Response& res) {
    reply_json(
        res, 200,
        R"({"data":[{"regionid":13,"dnoregion":"UKPN London","shortname":"London","data":[)" +
            regional_period("2024-05-01T12:00Z", "2024-05-01T12:30Z", "180") + "]}]}");
  });
  server_.route("/regional/intensity/([^/]+)/fw24h/regionid/13", [](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (req.matches[1] != "2024-05-01T14:30Z") {
      reply_json(res, 400, R"({"error":{"message":"unexpected from"}})");
      return;
    }
    // This endpoint sends the region object bare under "data".
    reply_json(res, 200,
               R"({"data":{"regionid":13,"shortname":"London","data":[)" +
                   regional_period("2024-05-01T15:00Z", "2024-05-01T15:30Z", "120") + "]}}");
  });
  server_.start();
  auto src = make();
  auto now = src->intensity("gb-13", kNow);
  ASSERT_TRUE(now.is_ok()) << now.status().to_string();
  EXPECT_DOUBLE_EQ(now->g_co2_per_kwh, 180);
  EXPECT_TRUE(now->forecast);  // regional figures are forecasts only
  EXPECT_EQ(now->zone, "GB-13");
  auto later = src->intensity("GB-13", kNow + 3 * 3600);
  ASSERT_TRUE(later.is_ok()) << later.status().to_string();
  EXPECT_DOUBLE_EQ(later->g_co2_per_kwh, 120);
}

TEST_F(UkGridTest, AnswerForAnotherRegionIsRefused) {
  server_.route("/regional/regionid/13", [](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 200,
               R"({"data":[{"regionid":3,"data":[)" +
                   regional_period("2024-05-01T12:00Z", "2024-05-01T12:30Z", "180") + "]}]}");
  });
  server_.start();
  auto r = make()->intensity("GB-13", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("answered for region 3"), std::string::npos)
      << r.status().message();
}

TEST_F(UkGridTest, UnknownZonesAreRejectedWithoutARequest) {
  server_.route("/intensity", [](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 500, "{}");
  });
  server_.start();
  auto src = make();
  for (const char* zone : {"FR", "GB-0", "GB-18", "GB-x", "GB-", "GB-123", ""}) {
    auto r = src->intensity(zone, kNow);
    ASSERT_FALSE(r.is_ok()) << zone;
    EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound) << zone;
    EXPECT_NE(r.status().message().find("GB-1..GB-17"), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(server_.count("/intensity"), 0);
}

TEST_F(UkGridTest, BadBodiesAndServerErrors) {
  int call = 0;
  server_.route("/intensity", [&call](const httplib::Request&, httplib::Response& res) {
    switch (call++) {
      case 0:
        reply_json(res, 200, R"({"data":[{"from":"2024-05-01T12:00Z","to":"2024-05-01T12:30Z"}]})");
        break;
      case 1:
        reply_json(res, 200,
                   R"({"data":[)" +
                       period("2024-05-01T12:00Z", "2024-05-01T12:30Z", "null", "null") + "]}");
        break;
      case 2:
        reply_json(res, 200, R"({"data":"soon"})");
        break;
      default:
        reply_json(res, 503, R"({"error":{"code":"503","message":"maintenance window"}})");
        break;
    }
  });
  server_.start();
  auto src = make();
  auto missing = src->intensity("GB", kNow);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(missing.status().message().find("field 'data[0].intensity' is missing"),
            std::string::npos)
      << missing.status().message();
  auto both_null = src->intensity("GB", kNow);
  ASSERT_FALSE(both_null.is_ok());
  EXPECT_EQ(both_null.status().code(), core::StatusCode::kNotFound);
  auto not_array = src->intensity("GB", kNow);
  ASSERT_FALSE(not_array.is_ok());
  EXPECT_EQ(not_array.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(not_array.status().message().find("field 'data' is a string, expected an array"),
            std::string::npos)
      << not_array.status().message();
  auto down = src->intensity("GB", kNow);
  ASSERT_FALSE(down.is_ok());
  EXPECT_EQ(down.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find(
                "uk-grid GET /intensity (zone GB): HTTP 503 Service Unavailable: "
                "maintenance window"),
            std::string::npos)
      << down.status().message();
}

}  // namespace
}  // namespace greenroute::carbon
