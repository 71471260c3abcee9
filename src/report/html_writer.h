// Small building blocks for the HTML report: escaped text, tables and
// figures. Every piece of text given here is escaped on output (as XML:
// & < > " ' become entities, ill-formed UTF-8 and forbidden characters
// U+FFFD), so a hostile node or policy name cannot inject markup. Markup
// passed as `*_html` is trusted (built by these helpers or render_svg).
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace greenroute::report::detail {

// `text` escaped for HTML character data and quoted attribute values.
std::string html_escape(std::string_view text);

// <tag class="cls">escaped text</tag> (no class attribute when cls is empty).
std::string html_element(std::string_view tag, std::string_view text, std::string_view cls = "");

struct HtmlCell {
  HtmlCell() = default;
  // Implicit, so rows read as {{"a"}, {"b", "flag"}}.
  HtmlCell(std::string text_, std::string cls_ = "", std::string title_ = "")  // NOLINT
      : text(std::move(text_)), cls(std::move(cls_)), title(std::move(title_)) {}
  std::string text;   // escaped on output
  std::string cls;    // CSS class of the <td>, e.g. "num", "flag"
  std::string title;  // hover text, escaped; "" for none
  std::string html;   // trusted markup (a badge) shown instead of `text` when set
};

struct HtmlTable {
  std::string caption;               // escaped
  std::vector<std::string> headers;  // escaped
  std::vector<bool> numeric;         // per column: right-aligned, tabular digits
  std::vector<std::vector<HtmlCell>> rows;
  std::string cls;                   // CSS class of the <table>
};

// A <table> with <caption>, <thead> and <tbody>. Rows shorter than the header
// are padded with empty cells.
std::string render_html_table(const HtmlTable& table);

// A <figure> holding trusted markup (an inline <svg>) and an escaped caption.
std::string html_figure(std::string_view inner_html, std::string_view caption);

}  // namespace greenroute::report::detail
