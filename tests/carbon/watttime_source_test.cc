#include "greenroute/carbon/watttime_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>

#include "carbon/http_test_server.h"
#include "greenroute/core/clock.h"

namespace greenroute::carbon {
namespace {

using test_http::reply_json;
using test_http::TestServer;

constexpr std::int64_t kNow = 1714565400;     // 2024-05-01T12:10:00Z
constexpr std::int64_t kPoint0 = 1714565400;  // the forecast's first (real-time) point
// "Basic " + base64("wt-user:wt-pass-987")
constexpr const char* kBasicAuth = "Basic d3QtdXNlcjp3dC1wYXNzLTk4Nw==";

// A WattTime double: /login checks Basic auth and hands out tok-1, tok-2,
// ...; the data endpoints accept only the latest token.
class FakeWattTime {
 public:
  explicit FakeWattTime(TestServer* server) : server_(server) {
    server_->route("/login", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != kBasicAuth) {
        reply_json(
            res, 401,
            R"({"error":"bad credentials for )" + req.get_header_value("Authorization") + "\"}");
        return;
      }
      std::lock_guard<std::mutex> lock(mu_);
      valid_ = "tok-" + std::to_string(++issued_);
      reply_json(res, 200, R"({"token":")" + valid_ + "\"}");
    });
    server_->route("/v3/forecast", [this](const httplib::Request& req, httplib::Response& res) {
      if (!check(req, res)) return;
      reply_json(res, 200, forecast_body_);
    });
    server_->route("/v3/signal-index", [this](const httplib::Request& req, httplib::Response& res) {
      if (!check(req, res)) return;
      reply_json(
          res, 200,
          R"({"data":[{"point_time":"2024-05-01T12:10:00+00:00","value":73.0}],)"
          R"("meta":{"data_point_period_seconds":300,"region":"CAISO_NORTH","signal_type":"co2_moer",)"
          R"("units":"percentile","warnings":[],"model":{"date":"2023-03-01"}}})");
    });
  }

  // Simulates an expiry on the server's side: the current token stops working.
  void revoke() {
    std::lock_guard<std::mutex> lock(mu_);
    valid_ = "revoked";
  }
  void reject_every_token() { reject_all_ = true; }
  void set_forecast(std::string body) { forecast_body_ = std::move(body); }

 private:
  bool check(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    if (reject_all_ || req.get_header_value("Authorization") != "Bearer " + valid_) {
      reply_json(res, 401, R"({"error":"invalid token"})");
      return false;
    }
    if (req.get_param_value("region") != "CAISO_NORTH" ||
        req.get_param_value("signal_type") != "co2_moer") {
      reply_json(res, 400, R"({"error":"bad region or signal_type"})");
      return false;
    }
    return true;
  }

  TestServer* server_;
  std::mutex mu_;
  std::string valid_;  // guarded by mu_
  int issued_ = 0;     // guarded by mu_
  std::atomic<bool> reject_all_{false};
  // Set before start(); read by the server thread only after.
  std::string forecast_body_ =
      R"({"data":[{"point_time":"2024-05-01T12:10:00+00:00","value":1000.0},)"
      R"({"point_time":"2024-05-01T12:15:00+00:00","value":800.0},)"
      R"({"point_time":"2024-05-01T12:20:00+00:00","value":600.0}],)"
      R"("meta":{"data_point_period_seconds":300,"region":"CAISO_NORTH","signal_type":"co2_moer",)"
      R"("units":"lbs_co2_per_mwh","warnings":[],"generated_at":"2024-05-01T12:10:00+00:00"}})";
};

class WattTimeTest : public ::testing::Test {
 protected:
  std::unique_ptr<WattTimeSource> make(const std::string& password = "wt-pass-987") {
    WattTimeOptions options;
    options.username = "wt-user";
    options.password = password;
    options.http.base_url = server_.url();
    options.http.read_timeout_ms = 3000;
    options.http.unix_clock = &unix_clock_;
    auto created = WattTimeSource::create(options);
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return std::move(created).value();
  }

  core::ManualClock unix_clock_{kNow * 1'000'000'000LL};
  TestServer server_;
  FakeWattTime fake_{&server_};
};

TEST_F(WattTimeTest, ForecastInGramsPerKwhWithMarginalProvenance) {
  server_.start();
  auto src = make();
  auto now = src->intensity("CAISO_NORTH", kNow);
  ASSERT_TRUE(now.is_ok()) << now.status().to_string();
  EXPECT_NEAR(now->g_co2_per_kwh, 453.59237, 1e-9);  // 1000 lbs/MWh
  EXPECT_EQ(now->kind, SignalKind::kMarginal);
  EXPECT_EQ(now->basis, Lifecycle::kDirect);
  EXPECT_EQ(now->source, "watttime");
  EXPECT_EQ(now->zone, "CAISO_NORTH");
  EXPECT_EQ(now->at_unix_s, kPoint0);
  EXPECT_FALSE(now->forecast);  // the first point is the real-time value
  EXPECT_EQ(now->fetched_at_unix_s, kNow);

  auto later = src->intensity("CAISO_NORTH", kNow + 11 * 60);  // 12:21 -> the 12:20 point
  ASSERT_TRUE(later.is_ok()) << later.status().to_string();
  EXPECT_NEAR(later->g_co2_per_kwh, 600 * 0.45359237, 1e-9);
  EXPECT_TRUE(later->forecast);

  EXPECT_EQ(src->login_count(), 1);  // the token is reused
  EXPECT_EQ(server_.count("/login"), 1);
  EXPECT_EQ(server_.count("/v3/forecast"), 2);
}

TEST_F(WattTimeTest, PastAndBeyondTheForecastAreNotFound) {
  server_.start();
  auto src = make();
  auto past = src->intensity("CAISO_NORTH", kNow - 3600);
  ASSERT_FALSE(past.is_ok());
  EXPECT_EQ(past.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(past.status().message().find("/v3/historical"), std::string::npos)
      << past.status().message();
  auto beyond = src->intensity("CAISO_NORTH", kNow + 3600);
  ASSERT_FALSE(beyond.is_ok());
  EXPECT_EQ(beyond.status().code(), core::StatusCode::kNotFound);
}

TEST_F(WattTimeTest, TokenIsRenewedWhenItsLifetimeEnds) {
  server_.start();
  auto src = make();
  ASSERT_TRUE(src->intensity("CAISO_NORTH", kNow).is_ok());
  unix_clock_.advance_ns(30LL * 60 * 1'000'000'000);  // past the 29 min lifetime
  fake_.revoke();                                     // and the server agrees it expired
  auto r = src->intensity("CAISO_NORTH", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(src->login_count(), 2);
  EXPECT_EQ(server_.count("/v3/forecast"), 2);  // no 401 round trip
}

TEST_F(WattTimeTest, A401LogsInAgainOnce) {
  server_.start();
  auto src = make();
  ASSERT_TRUE(src->intensity("CAISO_NORTH", kNow).is_ok());
  fake_.revoke();  // expired early, before our clock says so
  auto r = src->intensity("CAISO_NORTH", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(src->login_count(), 2);
  EXPECT_EQ(server_.count("/v3/forecast"), 3);  // ok, 401, retried ok
}

TEST_F(WattTimeTest, A401AfterAFreshLoginIsAnError) {
  fake_.reject_every_token();
  server_.start();
  auto src = make();
  auto r = src->intensity("CAISO_NORTH", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("watttime GET /v3/forecast (zone CAISO_NORTH): HTTP 401"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(src->login_count(), 2);             // the first login and one re-login
  EXPECT_EQ(server_.count("/v3/forecast"), 2);  // one retry, no loop
  EXPECT_EQ(r.status().message().find("tok-"), std::string::npos) << r.status().message();
}

TEST_F(WattTimeTest, BadPasswordFailsAtLoginWithoutLeakingIt) {
  server_.start();
  auto r = make("not-the-password")->intensity("CAISO_NORTH", kNow);
  ASSERT_FALSE(r.is_ok());
  const std::string& msg = r.status().message();
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(msg.find("watttime GET /login"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HTTP 401"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("not-the-password"), std::string::npos) << msg;
  // The server echoed the Authorization header; its base64 is hidden too.
  EXPECT_EQ(msg.find("d3QtdXNl"), std::string::npos) << msg;
  EXPECT_EQ(server_.count("/v3/forecast"), 0);
}

TEST_F(WattTimeTest, SignalIndexIsAPercentileNotAnIntensity) {
  server_.start();
  auto src = make();
  auto index = src->signal_index("CAISO_NORTH");
  ASSERT_TRUE(index.is_ok()) << index.status().to_string();
  EXPECT_DOUBLE_EQ(index->percentile, 73.0);
  EXPECT_EQ(index->region, "CAISO_NORTH");
  EXPECT_EQ(index->at_unix_s, kNow);
  EXPECT_EQ(index->fetched_at_unix_s, kNow);
  EXPECT_EQ(server_.count("/v3/signal-index"), 1);
}

TEST_F(WattTimeTest, ForecastInOtherUnitsIsRefused) {
  // A percentile must never be read as lbs/MWh.
  fake_.set_forecast(
      R"({"data":[{"point_time":"2024-05-01T12:10:00+00:00","value":50}],)"
      R"("meta":{"region":"CAISO_NORTH","signal_type":"co2_moer","units":"percentile"}})");
  server_.start();
  auto r = make()->intensity("CAISO_NORTH", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("meta.units is 'percentile'"), std::string::npos)
      << r.status().message();
}

TEST_F(WattTimeTest, MissingFieldsAreCorrupt) {
  fake_.set_forecast(
      R"({"data":[{"point_time":"2024-05-01T12:10:00+00:00"}],)"
      R"("meta":{"region":"CAISO_NORTH","signal_type":"co2_moer","units":"lbs_co2_per_mwh"}})");
  server_.start();
  auto r = make()->intensity("CAISO_NORTH", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("field 'data[0].value' is missing"), std::string::npos)
      << r.status().message();
}

TEST(WattTimeCreate, NeedsCredentials) {
  WattTimeOptions options;
  options.username = "u";
  auto r = WattTimeSource::create(options);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace greenroute::carbon
