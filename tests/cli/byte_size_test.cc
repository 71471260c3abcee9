#include "byte_size.h"

#include <gtest/gtest.h>

namespace greenroute::cli {
namespace {

TEST(ByteSizeTest, AcceptsPlainDecimalAndBinaryUnits) {
  EXPECT_EQ(*parse_byte_size("1000"), 1000u);
  EXPECT_EQ(*parse_byte_size("4k"), 4000u);
  EXPECT_EQ(*parse_byte_size("4KiB"), 4096u);
  EXPECT_EQ(*parse_byte_size("512MiB"), 512ull << 20);
  EXPECT_EQ(*parse_byte_size("2GiB"), 2ull << 30);
  EXPECT_EQ(*parse_byte_size("1.5G"), 1500000000u);
  EXPECT_EQ(*parse_byte_size("1TB"), 1000000000000u);
}

TEST(ByteSizeTest, RejectsGarbageWithAnExample) {
  for (const char* bad : {"", "GiB", "12 parsecs", "1.2.3G", "-5", "0", "1e3", "99999999999TiB"}) {
    auto r = parse_byte_size(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(parse_byte_size("lots").status().message().find("512MiB"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::cli
