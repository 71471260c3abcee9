// Text and numbers as they go into SVG markup. Numbers are written with
// std::to_chars, never with the process locale, so output is byte-identical
// wherever it is made. Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace greenroute::report::detail {

// `text` made safe for XML character data and attribute values: & < > " '
// become entities; ill-formed UTF-8 and characters XML 1.0 forbids (controls
// other than tab, line feed, carriage return; U+FFFE, U+FFFF) become U+FFFD;
// tab, line feed and carriage return become spaces (chart text is one line).
std::string xml_escape(std::string_view text);

// A coordinate or length in px: at most two decimals, trailing zeros
// dropped, never "-0" ("12.5", "300", "-0.25").
std::string svg_number(double value);

// A data value for tooltips: six significant digits ("123.457", "1e+06").
std::string value_text(double value);

}  // namespace greenroute::report::detail
