#include "html_writer.h"

#include <algorithm>

#include "svg_text.h"

namespace greenroute::report::detail {

std::string html_escape(std::string_view text) {
  // XML escaping is also correct HTML escaping (&apos; is an HTML5 entity);
  // line breaks become spaces, which HTML collapses anyway.
  return xml_escape(text);
}

std::string html_element(std::string_view tag, std::string_view text, std::string_view cls) {
  std::string out = "<" + std::string(tag);
  if (!cls.empty()) out += " class=\"" + html_escape(cls) + "\"";
  out += ">" + html_escape(text) + "</" + std::string(tag) + ">";
  return out;
}

std::string render_html_table(const HtmlTable& table) {
  auto numeric = [&](std::size_t column) {
    return column < table.numeric.size() && table.numeric[column];
  };
  std::string out = "<table";
  if (!table.cls.empty()) out += " class=\"" + html_escape(table.cls) + "\"";
  out += ">\n";
  if (!table.caption.empty()) out += html_element("caption", table.caption) + "\n";
  out += "<thead><tr>";
  for (std::size_t c = 0; c < table.headers.size(); ++c) {
    out += "<th scope=\"col\"" + std::string(numeric(c) ? " class=\"num\"" : "") + ">" +
           html_escape(table.headers[c]) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const std::vector<HtmlCell>& row : table.rows) {
    out += "<tr>";
    const std::size_t cells = std::max(row.size(), table.headers.size());
    for (std::size_t c = 0; c < cells; ++c) {
      const HtmlCell empty;
      const HtmlCell& cell = c < row.size() ? row[c] : empty;
      std::string cls = numeric(c) ? "num" : "";
      if (!cell.cls.empty()) cls += (cls.empty() ? "" : " ") + cell.cls;
      out += "<td";
      if (!cls.empty()) out += " class=\"" + html_escape(cls) + "\"";
      if (!cell.title.empty()) out += " title=\"" + html_escape(cell.title) + "\"";
      out += ">" + (cell.html.empty() ? html_escape(cell.text) : cell.html) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  return out;
}

std::string html_figure(std::string_view inner_html, std::string_view caption) {
  std::string out = "<figure>\n";
  out += inner_html;
  if (!caption.empty()) out += html_element("figcaption", caption) + "\n";
  out += "</figure>\n";
  return out;
}

}  // namespace greenroute::report::detail
