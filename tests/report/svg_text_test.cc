#include "report/svg_text.h"

#include <gtest/gtest.h>

#include "report/utf8.h"

namespace greenroute::report::detail {
namespace {

TEST(XmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(xml_escape("a < b & c > d \"q\" 'r'"),
            "a &lt; b &amp; c &gt; d &quot;q&quot; &apos;r&apos;");
  EXPECT_EQ(xml_escape("</svg><script>x</script>"), "&lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");  // text, never pre-escaped markup
}

TEST(XmlEscape, KeepsValidUtf8) {
  EXPECT_EQ(xml_escape("µJ/prompt — Jetson Orin, 日本, 🙂"),
            "µJ/prompt — Jetson Orin, 日本, 🙂");
}

TEST(XmlEscape, ReplacesWhatXmlForbids) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(xml_escape(std::string("a\0b", 3)), "a" + fffd + "b");
  EXPECT_EQ(xml_escape("a\x01\x1F"
                       "b"),
            "a" + fffd + fffd + "b");
  EXPECT_EQ(xml_escape("\xFF"), fffd);                        // never valid in UTF-8
  EXPECT_EQ(xml_escape("\xC0\xAF"), fffd + fffd);             // overlong '/'
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), fffd + fffd + fffd);  // a UTF-16 surrogate
  EXPECT_EQ(xml_escape("\xE2\x82"), fffd + fffd);             // truncated
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE"), fffd);                // U+FFFE
  EXPECT_EQ(xml_escape("line\nbreak\ttab\r"), "line break tab ");
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(code_point_count(""), 0u);
  EXPECT_EQ(code_point_count("abc"), 3u);
  EXPECT_EQ(code_point_count("µs"), 2u);
  EXPECT_EQ(code_point_count("日本🙂"), 3u);
  EXPECT_EQ(code_point_count("\xFF\xFE"), 2u);
}

TEST(SvgNumber, TwoDecimalsAtMostNeverNegativeZero) {
  EXPECT_EQ(svg_number(300), "300");
  EXPECT_EQ(svg_number(12.5), "12.5");
  EXPECT_EQ(svg_number(12.3449), "12.34");
  EXPECT_EQ(svg_number(-0.25), "-0.25");
  EXPECT_EQ(svg_number(-0.001), "0");
  EXPECT_EQ(svg_number(0.999), "1");
}

TEST(ValueText, SixSignificantDigits) {
  EXPECT_EQ(value_text(123.4567), "123.457");
  EXPECT_EQ(value_text(4), "4");
  EXPECT_EQ(value_text(1e6), "1e+06");
  EXPECT_EQ(value_text(0.00125), "0.00125");
}

}  // namespace
}  // namespace greenroute::report::detail
