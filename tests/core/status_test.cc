#include "greenroute/core/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace greenroute::core {
namespace {

Result<int> parse_positive(int x) {
  if (x <= 0) return invalid_argument("must be positive, got " + std::to_string(x));
  return x;
}

Result<int> doubled(int x) {
  GR_ASSIGN_OR_RETURN(int v, parse_positive(x));
  return 2 * v;
}

TEST(StatusTest, OkAndErrorRenderClearly) {
  EXPECT_TRUE(Status::ok().is_ok());
  EXPECT_EQ(Status::ok().to_string(), "ok");
  Status s = corrupt("tensor 'x' lies outside the file");
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_EQ(s.to_string(), "corrupt: tensor 'x' lies outside the file");
  EXPECT_EQ(s.with_context("model.gguf").message(), "model.gguf: tensor 'x' lies outside the file");
}

TEST(StatusTest, ResultCarriesValueOrError) {
  auto good = doubled(4);
  ASSERT_TRUE(good.is_ok());
  EXPECT_EQ(*good, 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "must be positive, got -1");
}

TEST(StatusTest, ResultFromOkStatusBecomesInternalError) {
  Result<int> r{Status::ok()};
  EXPECT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(StatusTest, ResultHoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r{std::make_unique<int>(7)};
  ASSERT_TRUE(r.is_ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace greenroute::core
