// Gateway batcher: the window, the cap, the energy rule and SLOs.
#include "greenroute/routing/batcher.h"

#include <gtest/gtest.h>

#include "routing_test_util.h"

namespace greenroute::routing {
namespace {

using testing::crafted_profile;
using testing::fast_profile;
using testing::node;
using testing::request;

PendingRequest pending(std::uint64_t id, double arrival_ms, RequestShape shape) {
  PendingRequest p;
  p.id = id;
  p.arrival_ms = arrival_ms;
  p.shape = shape;
  return p;
}

BatcherOptions window(double max_wait_ms, int max_batch) {
  BatcherOptions o;
  o.max_wait_ms = max_wait_ms;
  o.max_batch = max_batch;
  return o;
}

// fast_profile: request(100, 50) alone is 291.5 ms / 15.55 J; two together
// are 329 ms / 18.55 J (the weights are streamed once per step for both).
TEST(Batcher, GroupsWithinTheWindowWhenThatSavesEnergy) {
  const NodeState n = node("fast", fast_profile(), 100);
  Batcher b(window(20, 8));
  ASSERT_TRUE(b.add(pending(1, 0, request(100, 50))).is_ok());
  ASSERT_TRUE(b.add(pending(2, 5, request(100, 50))).is_ok());
  BatchPoll early = b.poll(10, n);
  EXPECT_TRUE(early.ready.empty());
  ASSERT_TRUE(early.next_deadline_ms.has_value());
  EXPECT_DOUBLE_EQ(*early.next_deadline_ms, 20);  // the oldest has waited max_wait_ms

  BatchPoll due = b.poll(20, n);
  ASSERT_EQ(due.ready.size(), 1u);
  const BatchGroup& g = due.ready[0];
  EXPECT_EQ(g.ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(g.shape.num_prompts, 2);
  EXPECT_DOUBLE_EQ(g.shape.prompt_tokens, 100);
  EXPECT_DOUBLE_EQ(g.latency_ms, 329);
  EXPECT_DOUBLE_EQ(g.energy_per_prompt_j, 18.55 / 2);
  EXPECT_DOUBLE_EQ(g.energy_saved_j, 2 * 15.55 - 18.55);
  EXPECT_FALSE(due.next_deadline_ms.has_value());
  EXPECT_EQ(b.pending(), 0u);
}

TEST(Batcher, CapsGroupsAtMaxBatchAndDispatchesFullGroupsAtOnce) {
  NodeState n = node("fast", fast_profile(), 100);
  Batcher b(window(20, 4));
  for (std::uint64_t id = 1; id <= 5; ++id) ASSERT_TRUE(b.add(pending(id, 0, request(100, 50))).is_ok());
  BatchPoll p = b.poll(0, n);
  ASSERT_EQ(p.ready.size(), 1u);
  EXPECT_EQ(p.ready[0].ids, (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(b.pending(), 1u);
  EXPECT_DOUBLE_EQ(*p.next_deadline_ms, 20);

  // The node's own cap binds too.
  n.max_batch = 2;
  Batcher small(window(20, 8));
  for (std::uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(small.add(pending(id, 0, request(100, 50))).is_ok());
  BatchPoll q = small.poll(0, n);
  ASSERT_EQ(q.ready.size(), 1u);
  EXPECT_EQ(q.ready[0].ids.size(), 2u);
}

TEST(Batcher, DoesNotGroupWhenEnergyPerPromptIsNotLower) {
  // Energy linear in the batch (no fixed or per-step cost): grouping saves nothing.
  const NodeState linear = node("linear", crafted_profile({1, 1, 1, 1}, {0, 0.5, 0, 0.25}), 100);
  Batcher b(window(20, 8));
  ASSERT_TRUE(b.add(pending(1, 0, request(100, 10))).is_ok());
  ASSERT_TRUE(b.add(pending(2, 0, request(100, 10))).is_ok());
  BatchPoll p = b.poll(20, linear);
  ASSERT_EQ(p.ready.size(), 2u);
  EXPECT_EQ(p.ready[0].ids, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(p.ready[1].ids, (std::vector<std::uint64_t>{2}));
  EXPECT_DOUBLE_EQ(p.ready[0].energy_saved_j, 0);

  // A short and a very long request: the batch decodes for the longest, so the
  // short one's sequence would burn 990 extra steps.
  const NodeState per_seq = node("seq", crafted_profile({1, 1, 1, 1}, {0, 0, 0.01, 1}), 100);
  Batcher c(window(20, 8));
  ASSERT_TRUE(c.add(pending(1, 0, request(100, 10))).is_ok());
  ASSERT_TRUE(c.add(pending(2, 0, request(100, 1000))).is_ok());
  EXPECT_EQ(c.poll(20, per_seq).ready.size(), 2u);
}

TEST(Batcher, NeverGroupsPastAMembersSlo) {
  const NodeState n = node("fast", fast_profile(), 100);
  Batcher b(window(20, 8));
  // Alone 291.5 ms meets 300; grouped 329 ms would not.
  ASSERT_TRUE(b.add(pending(1, 0, request(100, 50, 1, 300.0))).is_ok());
  ASSERT_TRUE(b.add(pending(2, 0, request(100, 50))).is_ok());
  BatchPoll p = b.poll(0, n);
  EXPECT_TRUE(p.ready.empty());
  // Request 1 must leave by 300 - 291.5 = 8.5 ms.
  EXPECT_DOUBLE_EQ(*p.next_deadline_ms, 8.5);
  BatchPoll q = b.poll(8.5, n);
  ASSERT_EQ(q.ready.size(), 1u);
  EXPECT_EQ(q.ready[0].ids, (std::vector<std::uint64_t>{1}));
  EXPECT_DOUBLE_EQ(q.ready[0].shape.slo_ms.value(), 300);
  EXPECT_DOUBLE_EQ(*q.next_deadline_ms, 20);
}

TEST(Batcher, SloSlackBringsTheDispatchForward) {
  const NodeState n = node("fast", fast_profile(), 100);
  Batcher b(window(20, 8));
  ASSERT_TRUE(b.add(pending(1, 0, request(100, 50, 1, 330.0))).is_ok());
  ASSERT_TRUE(b.add(pending(2, 0, request(100, 50))).is_ok());
  BatchPoll p = b.poll(0, n);
  EXPECT_TRUE(p.ready.empty());
  EXPECT_DOUBLE_EQ(*p.next_deadline_ms, 1);  // 330 - 329: grouped, but only 1 ms to spare
  BatchPoll q = b.poll(1, n);
  ASSERT_EQ(q.ready.size(), 1u);
  EXPECT_EQ(q.ready[0].ids.size(), 2u);
}

TEST(Batcher, UnreachableSloAndMissingProfileDispatchAtOnce) {
  NodeState n = node("fast", fast_profile(), 100);
  Batcher b(window(20, 8));
  ASSERT_TRUE(b.add(pending(1, 0, request(100, 50, 1, 100.0))).is_ok());
  BatchPoll p = b.poll(0, n);
  ASSERT_EQ(p.ready.size(), 1u);

  n.profile = nullptr;
  ASSERT_TRUE(b.add(pending(2, 0, request(100, 50))).is_ok());
  ASSERT_TRUE(b.add(pending(3, 0, request(100, 50))).is_ok());
  BatchPoll q = b.poll(0, n);
  EXPECT_EQ(q.ready.size(), 2u);
  EXPECT_EQ(b.pending(), 0u);
  EXPECT_FALSE(q.next_deadline_ms.has_value());
}

TEST(Batcher, RejectsBadRequestsAndOptions) {
  Batcher b(window(20, 8));
  EXPECT_EQ(b.add(pending(1, 0, request(10, 10, 0))).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(b.pending(), 0u);
  EXPECT_FALSE(validate_batcher_options(window(-1, 8)).is_ok());
  EXPECT_FALSE(validate_batcher_options(window(20, 0)).is_ok());
}

}  // namespace
}  // namespace greenroute::routing
