// StopText: stop strings across token pieces, hold-back and UTF-8 tails.
#include "batch/stop_text.h"

#include <gtest/gtest.h>

namespace greenroute::engine::batch {
namespace {

TEST(StopTextTest, NoStopsReleasesEverything) {
  StopText st({});
  EXPECT_EQ(st.push("Hello"), "Hello");
  EXPECT_EQ(st.push(" world"), " world");
  EXPECT_EQ(st.flush(), "");
  EXPECT_EQ(st.text(), "Hello world");
}

TEST(StopTextTest, StopSpanningPiecesIsExcluded) {
  StopText st({"END"});
  EXPECT_EQ(st.push("abc E"), "abc ");   // "E" might start the stop string
  EXPECT_EQ(st.push("N"), "");
  EXPECT_EQ(st.push("Dxyz"), "");
  EXPECT_TRUE(st.stopped());
  EXPECT_EQ(st.text(), "abc ");
  EXPECT_EQ(st.push("more"), "");
}

TEST(StopTextTest, FalseAlarmIsReleased) {
  StopText st({"END"});
  EXPECT_EQ(st.push("EN"), "");
  EXPECT_EQ(st.push("X"), "ENX");
  EXPECT_FALSE(st.stopped());
}

TEST(StopTextTest, EarliestOfSeveralStops) {
  StopText st({"world", "lo w"});
  EXPECT_EQ(st.push("Hello world"), "Hel");
  EXPECT_TRUE(st.stopped());
  EXPECT_EQ(st.text(), "Hel");
}

TEST(StopTextTest, HeldBackTextIsFlushedAtTheEnd) {
  StopText st({"\n\n"});
  EXPECT_EQ(st.push("line\n"), "line");
  EXPECT_EQ(st.flush(), "\n");
  EXPECT_EQ(st.text(), "line\n");
}

TEST(StopTextTest, IncompleteUtf8IsHeldBack) {
  StopText st({});
  EXPECT_EQ(st.push("caf\xC3"), "caf");
  EXPECT_EQ(st.push("\xA9!"), "\xC3\xA9!");
  EXPECT_EQ(st.push("\xE2\x82"), "");
  EXPECT_EQ(st.push("\xAC"), "\xE2\x82\xAC");
  EXPECT_EQ(incomplete_utf8_tail("ab"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("a\xF0\x9F\x98"), 3u);
  EXPECT_EQ(incomplete_utf8_tail("a\xF0\x9F\x98\x80"), 0u);
}

}  // namespace
}  // namespace greenroute::engine::batch
