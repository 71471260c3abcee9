#include "greenroute/carbon/cached_source.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "carbon/http_test_server.h"
#include "greenroute/carbon/static_source.h"
#include "greenroute/carbon/uk_grid_source.h"
#include "greenroute/carbon/zone_table_source.h"
#include "greenroute/core/clock.h"

namespace greenroute::carbon {
namespace {

using test_http::reply_json;
using test_http::TestServer;

constexpr std::int64_t kNow = 1714565400;  // 2024-05-01T12:10:00Z
constexpr std::int64_t kSecond = 1'000'000'000;

std::string uk_body(int value) {
  return R"({"data":[{"from":"2024-05-01T12:00Z","to":"2024-05-01T12:30Z","intensity":{"forecast":)" +
         std::to_string(value) + R"(,"actual":)" + std::to_string(value) +
         R"(,"index":"moderate"}}]})";
}

// The live side is a real UkGridSource against a real server whose answer
// the test switches: a value, or HTTP 500.
class CachedSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_logger_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("carbon-test", sink));
    server_.route("/intensity", [this](const httplib::Request&, httplib::Response& res) {
      const int v = value_.load();
      if (v < 0) {
        reply_json(res, 500, R"({"error":{"message":"database down"}})");
      } else {
        reply_json(res, 200, uk_body(v));
      }
    });
    server_.route("/regional/regionid/13", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 500, R"({"error":{"message":"regional feed down"}})");
    });
    server_.start();
  }
  void TearDown() override {
    spdlog::set_default_logger(previous_logger_);
    spdlog::drop("carbon-test");  // its sink writes into log_, which dies with the fixture
  }

  std::unique_ptr<CachedSource> make(std::unique_ptr<CarbonSource> fallback,
                                     CacheOptions options = {}) {
    UkGridOptions uk;
    uk.http.base_url = server_.url();
    uk.http.read_timeout_ms = 3000;
    uk.http.unix_clock = &unix_clock_;
    auto live = UkGridSource::create(uk);
    EXPECT_TRUE(live.is_ok());
    auto cached =
        CachedSource::create(std::move(live).value(), std::move(fallback), &mono_, options);
    EXPECT_TRUE(cached.is_ok()) << cached.status().to_string();
    return std::move(cached).value();
  }

  int requests() const { return server_.count("/intensity"); }
  int warnings() const {
    const std::string text = log_.str();
    int n = 0;
    for (std::size_t p = text.find("[warning]"); p != std::string::npos;
         p = text.find("[warning]", p + 1))
      ++n;
    return n;
  }

  std::atomic<int> value_{250};  // < 0: the server answers 500
  core::ManualClock mono_{1000 * kSecond};
  core::ManualClock unix_clock_{kNow * kSecond};
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_logger_;
  TestServer server_;
};

TEST_F(CachedSourceTest, SecondCallWithinTtlHitsTheCache) {
  auto src = make(nullptr);
  EXPECT_EQ(src->name(), "cached:uk-grid");
  auto first = src->intensity("GB", kNow);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  value_ = 300;  // the API moved on; the cache has not
  mono_.advance_ns(299 * kSecond);
  auto second = src->intensity("GB", kNow + 5);
  ASSERT_TRUE(second.is_ok());
  EXPECT_DOUBLE_EQ(second->g_co2_per_kwh, 250);
  EXPECT_EQ(requests(), 1);

  mono_.advance_ns(1 * kSecond);  // ttl (300 s) reached
  auto third = src->intensity("GB", kNow);
  ASSERT_TRUE(third.is_ok());
  EXPECT_DOUBLE_EQ(third->g_co2_per_kwh, 300);
  EXPECT_EQ(requests(), 2);

  // Another 15-minute bucket is another entry.
  ASSERT_TRUE(src->intensity("GB", kNow + 1000).is_ok());
  EXPECT_EQ(requests(), 3);
  const CacheStats stats = src->stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.fetches, 3u);
  EXPECT_EQ(warnings(), 0);
}

TEST_F(CachedSourceTest, FailureServesTheLastGoodValueAsStaleThenBacksOff) {
  auto src = make(std::make_unique<StaticSource>(123.0));
  ASSERT_TRUE(src->intensity("GB", kNow).is_ok());
  value_ = -1;
  mono_.advance_ns(301 * kSecond);
  auto stale = src->intensity("GB", kNow);
  ASSERT_TRUE(stale.is_ok()) << stale.status().to_string();
  EXPECT_TRUE(stale->stale);
  EXPECT_DOUBLE_EQ(stale->g_co2_per_kwh, 250);
  EXPECT_EQ(stale->source, "uk-grid");  // the last good value, not the fallback
  EXPECT_EQ(stale->fetched_at_unix_s, kNow);
  EXPECT_EQ(requests(), 2);
  EXPECT_EQ(warnings(), 1);
  EXPECT_NE(log_.str().find("uk-grid failed for zone GB"), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("HTTP 500"), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("as stale"), std::string::npos) << log_.str();

  // Within the back-off the API is not asked again, and not warned about again.
  mono_.advance_ns(29 * kSecond);
  auto again = src->intensity("GB", kNow);
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->stale);
  EXPECT_EQ(requests(), 2);
  EXPECT_EQ(warnings(), 1);

  // After it the API is asked again; once it recovers the value is fresh.
  value_ = 190;
  mono_.advance_ns(1 * kSecond);
  auto fresh = src->intensity("GB", kNow);
  ASSERT_TRUE(fresh.is_ok());
  EXPECT_FALSE(fresh->stale);
  EXPECT_DOUBLE_EQ(fresh->g_co2_per_kwh, 190);
  EXPECT_EQ(requests(), 3);
  EXPECT_EQ(src->stats().stale_served, 2u);
}

TEST_F(CachedSourceTest, NeverSucceededUsesTheFallback) {
  value_ = -1;
  auto src = make(std::make_unique<StaticSource>(123.0));
  auto r = src->intensity("GB", kNow);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->g_co2_per_kwh, 123.0);
  EXPECT_EQ(r->source, "static");
  EXPECT_FALSE(r->stale);
  EXPECT_EQ(warnings(), 1);
  EXPECT_NE(log_.str().find("using fallback static"), std::string::npos) << log_.str();
  EXPECT_EQ(src->stats().fallback_served, 1u);
}

TEST_F(CachedSourceTest, TooOldLastGoodGivesWayToTheFallback) {
  CacheOptions options;
  options.max_stale_s = 600;
  auto src = make(std::make_unique<StaticSource>(123.0), options);
  ASSERT_TRUE(src->intensity("GB", kNow).is_ok());
  value_ = -1;
  mono_.advance_ns(601 * kSecond);
  auto r = src->intensity("GB", kNow);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->source, "static");
}

TEST_F(CachedSourceTest, WithoutFallbackTheErrorComesThrough) {
  value_ = -1;
  auto src = make(nullptr);
  auto r = src->intensity("GB", kNow);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("uk-grid GET /intensity (zone GB): HTTP 500"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("database down"), std::string::npos);
  // Backing off, the remembered error says so.
  auto again = src->intensity("GB", kNow);
  ASSERT_FALSE(again.is_ok());
  EXPECT_NE(again.status().message().find("back-off"), std::string::npos)
      << again.status().message();
  EXPECT_EQ(requests(), 1);
}

TEST_F(CachedSourceTest, FailingFallbackReportsBoth) {
  auto src = make(std::make_unique<ZoneTableSource>());
  auto r = src->intensity("GB-13", kNow);  // regional feed down; GB-13 is not in the table
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("regional feed down"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("fallback zone-table"), std::string::npos)
      << r.status().message();
}

TEST_F(CachedSourceTest, ConcurrentCallersShareOneFetch) {
  auto src = make(nullptr);
  constexpr int kThreads = 8;
  constexpr int kCalls = 25;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int> wrong{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int c = 0; c < kCalls; ++c) {
        auto r = src->intensity("GB", kNow);
        if (!r.is_ok()) continue;
        ++ok;
        if (r->g_co2_per_kwh != 250.0 || r->stale) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(requests(), 1);
  const CacheStats stats = src->stats();
  EXPECT_EQ(stats.fetches, 1u);
  EXPECT_EQ(stats.hits, static_cast<std::uint64_t>(kThreads * kCalls - 1));
}

TEST_F(CachedSourceTest, ConcurrentCallersShareOneFailure) {
  value_ = -1;
  auto src = make(std::make_unique<StaticSource>(99.0));
  std::vector<std::thread> threads;
  std::atomic<int> fallback{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = src->intensity("GB", kNow);
      if (r.is_ok() && r->source == "static") ++fallback;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(fallback.load(), 8);
  EXPECT_EQ(requests(), 1);  // the others found the failure and backed off
  EXPECT_EQ(warnings(), 1);
}

TEST(CachedSourceCreate, RejectsBadArguments) {
  EXPECT_FALSE(CachedSource::create(nullptr, nullptr, nullptr).is_ok());
  CacheOptions options;
  options.bucket_s = 0;
  auto r = CachedSource::create(std::make_unique<StaticSource>(1.0), nullptr, nullptr, options);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  options.bucket_s = 60;
  options.ttl_s = -1;
  EXPECT_FALSE(
      CachedSource::create(std::make_unique<StaticSource>(1.0), nullptr, nullptr, options).is_ok());
}

TEST(CachedSourceCreate, WrapsAnySourceWithASteadyClockByDefault) {
  auto r = CachedSource::create(std::make_unique<StaticSource>(42.0), nullptr, nullptr);
  ASSERT_TRUE(r.is_ok());
  auto v = (*r)->intensity("XX", 7);
  ASSERT_TRUE(v.is_ok());
  EXPECT_DOUBLE_EQ(v->g_co2_per_kwh, 42.0);
  EXPECT_EQ((*r)->name(), "cached:static");
}

}  // namespace
}  // namespace greenroute::carbon
