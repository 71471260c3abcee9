// CPU lists in the kernel's notation, and pinning this process to them.
#include "greenroute/core/cpu_affinity.h"

#include <gtest/gtest.h>

#include <thread>

namespace greenroute::core {
namespace {

TEST(CpuAffinity, ParsesTheKernelsNotation) {
  EXPECT_EQ(*parse_cpu_list("0"), (std::vector<int>{0}));
  EXPECT_EQ(*parse_cpu_list("3,1"), (std::vector<int>{1, 3}));
  EXPECT_EQ(*parse_cpu_list("0-2,5,1"), (std::vector<int>{0, 1, 2, 5}));
  EXPECT_EQ(*parse_cpu_list("4-4"), (std::vector<int>{4}));
  EXPECT_EQ(format_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
  EXPECT_EQ(format_cpu_list({}), "");
}

TEST(CpuAffinity, RefusesMalformedLists) {
  for (const char* bad : {"", ",", "0,", "a", "-1", "1-", "3-1", "0x1", " 1", "1024", "0-99999"}) {
    auto r = parse_cpu_list(bad);
    EXPECT_FALSE(r.is_ok()) << bad;
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
  EXPECT_NE(parse_cpu_list("3-1").status().message().find("runs backwards"), std::string::npos);
}

TEST(CpuAffinity, PinsThisThreadAndItsChildren) {
  auto before = allowed_cpus();
  ASSERT_TRUE(before.is_ok()) << before.status().to_string();
  ASSERT_FALSE(before->empty());
  // On a thread of its own, so the test process keeps its mask.
  std::thread t([&] {
    const int first = before->front();
    ASSERT_TRUE(pin_process_to_cpus({first}).is_ok());
    EXPECT_EQ(*allowed_cpus(), (std::vector<int>{first}));
    std::vector<int> child_sees;
    std::thread child([&] { child_sees = *allowed_cpus(); });
    child.join();
    EXPECT_EQ(child_sees, (std::vector<int>{first}));
    // A CPU outside the mask is refused by name.
    const Status s = pin_process_to_cpus({1023});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("CPU 1023 is not available"), std::string::npos) << s.message();
  });
  t.join();
  EXPECT_EQ(*allowed_cpus(), *before);
}

}  // namespace
}  // namespace greenroute::core
