#include "greenroute/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace greenroute::core {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (std::size_t n : {0u, 1u, 3u, 1000u}) {
      std::vector<std::atomic<int>> hits(n);
      pool.parallel_for(n, [&](std::size_t task, int thread) {
        ASSERT_GE(thread, 0);
        ASSERT_LT(thread, threads);
        hits[task].fetch_add(1);
      });
      for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "task " << i;
    }
  }
}

TEST(ThreadPoolTest, ManyBackToBackRegionsComplete) {
  ThreadPool pool(3);
  std::atomic<long> sum{0};
  for (int round = 0; round < 2000; ++round) {
    pool.parallel_for(7, [&](std::size_t task, int) { sum.fetch_add(static_cast<long>(task)); });
  }
  EXPECT_EQ(sum.load(), 2000L * 21L);
}

TEST(ThreadPoolTest, ZeroThreadsMeansCallerOnly) {
  ThreadPool pool(0);
  EXPECT_EQ(pool.size(), 1);
  int count = 0;
  pool.parallel_for(5, [&](std::size_t, int thread) {
    EXPECT_EQ(thread, 0);
    ++count;
  });
  EXPECT_EQ(count, 5);
}

}  // namespace
}  // namespace greenroute::core
