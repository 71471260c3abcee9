#include "greenroute/report/text_table.h"

#include <gtest/gtest.h>

namespace greenroute::report {
namespace {

TEST(TextTable, AlignsColumns) {
  TextTable t;
  t.headers = {"batch", "latency_ms", "device"};
  t.align = {Align::kRight, Align::kRight};
  t.rows = {{"1", "41.2", "cpu"}, {"32", "310.0", "rtx 2000 ada"}};
  const core::Result<std::string> text = render_text_table(t);
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  EXPECT_EQ(*text,
            "batch  latency_ms  device\n"
            "-----  ----------  ------------\n"
            "    1        41.2  cpu\n"
            "   32       310.0  rtx 2000 ada\n");
}

TEST(TextTable, CountsUtf8CharactersNotBytes) {
  TextTable t;
  t.headers = {"unit", "value"};
  t.align = {Align::kLeft, Align::kRight};
  t.rows = {{"µJ", "5"}, {"gCO₂e", "12"}};
  EXPECT_EQ(*render_text_table(t),
            "unit   value\n"
            "-----  -----\n"
            "µJ         5\n"
            "gCO₂e     12\n");
}

TEST(TextTable, NoTrailingSpaces) {
  TextTable t;
  t.headers = {"name", "note"};
  t.rows = {{"a", ""}, {"longer name", "x"}};
  EXPECT_EQ(*render_text_table(t),
            "name         note\n"
            "-----------  ----\n"
            "a\n"
            "longer name  x\n");
}

TEST(TextTable, RejectsMalformedTables) {
  TextTable none;
  EXPECT_EQ(render_text_table(none).status().message(), "text table has no columns");
  TextTable ragged;
  ragged.headers = {"a", "b"};
  ragged.rows = {{"1", "2"}, {"3"}};
  EXPECT_EQ(render_text_table(ragged).status().message(),
            "text table row 1 has 1 cells for 2 columns");
  TextTable broken;
  broken.headers = {"a"};
  broken.rows = {{"two\nlines"}};
  EXPECT_EQ(render_text_table(broken).status().message(),
            "text table row 0, column 0: line break in a cell");
  TextTable aligned;
  aligned.headers = {"a"};
  aligned.align = {Align::kLeft, Align::kRight};
  EXPECT_EQ(render_text_table(aligned).status().code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace greenroute::report
