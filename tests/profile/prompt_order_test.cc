// prompt_order: the seeded permutation that gives every batch size of a
// sweep the same mix of prompts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "greenroute/profile/bench_runner.h"

namespace greenroute::profile {
namespace {

TEST(PromptOrder, IsAPermutation) {
  for (std::size_t n : {0u, 1u, 2u, 15u, 120u}) {
    std::vector<std::size_t> order = prompt_order(n, 7);
    ASSERT_EQ(order.size(), n);
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(order[i], i);
  }
}

TEST(PromptOrder, SameSeedSameOrderOtherSeedOther) {
  EXPECT_EQ(prompt_order(120, 1), prompt_order(120, 1));
  EXPECT_NE(prompt_order(120, 1), prompt_order(120, 2));
}

// The built-in set cycles short, medium and long prompts in blocks of five;
// after the shuffle the first four positions must not all come from the same
// block of five (the bias the shuffle exists to remove), for most seeds.
TEST(PromptOrder, BreaksUpOrderedBlocks) {
  int mixed = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const std::vector<std::size_t> order = prompt_order(120, seed);
    const std::size_t block = (order[0] / 5) % 3;
    bool all_same = true;
    for (int i = 1; i < 4; ++i) all_same = all_same && (order[i] / 5) % 3 == block;
    mixed += all_same ? 0 : 1;
  }
  EXPECT_GE(mixed, 40);
}

}  // namespace
}  // namespace greenroute::profile
