#include "greenroute/sim/event_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace greenroute::sim {
namespace {

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue q;
  q.push(30, 0, 3);
  q.push(10, 0, 1);
  q.push(20, 0, 2);
  std::vector<std::uint64_t> seen;
  q.run_all([&](const Event& e) { seen.push_back(e.a); });
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(q.now_us(), 30);
  EXPECT_EQ(q.now_ns(), 30'000);
}

TEST(EventQueue, EqualTimesRunInPushOrder) {
  EventQueue q;
  for (std::uint64_t i = 0; i < 100; ++i) q.push(static_cast<SimTimeUs>(5 + (i % 2)), 0, i);
  std::vector<std::uint64_t> seen;
  q.run_all([&](const Event& e) { seen.push_back(e.a); });
  ASSERT_EQ(seen.size(), 100u);
  // Every even index (t=5) first, in push order, then every odd one (t=6).
  for (std::size_t k = 0; k < 50; ++k) {
    EXPECT_EQ(seen[k], 2 * k);
    EXPECT_EQ(seen[50 + k], 2 * k + 1);
  }
}

TEST(EventQueue, HandlerPushedEventsAtTheSameTimeRunAfterOlderOnes) {
  EventQueue q;
  q.push(10, 0, 1);
  q.push(10, 0, 2);
  std::vector<std::uint64_t> seen;
  q.run_all([&](const Event& e) {
    seen.push_back(e.a);
    if (e.a == 1) q.push(10, 0, 3);  // same time, later sequence
  });
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(EventQueue, RunUntilStopsAtTheBoundaryAndAdvancesTheClock) {
  EventQueue q;
  q.push(10, 0, 1);
  q.push(20, 0, 2);
  q.push(21, 0, 3);
  std::vector<std::uint64_t> seen;
  EXPECT_EQ(q.run_until(20, [&](const Event& e) { seen.push_back(e.a); }), 2u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(q.now_us(), 20);
  ASSERT_TRUE(q.next_time_us().has_value());
  EXPECT_EQ(*q.next_time_us(), 21);
  EXPECT_EQ(q.run_until(100, [&](const Event& e) { seen.push_back(e.a); }), 1u);
  EXPECT_EQ(q.now_us(), 100);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.events_handled(), 3u);
}

TEST(EventQueue, MsToUsRounds) {
  EXPECT_EQ(ms_to_us(1.5), 1500);
  EXPECT_EQ(ms_to_us(0.0004), 0);
  EXPECT_EQ(ms_to_us(-3), 0);
}

}  // namespace
}  // namespace greenroute::sim
