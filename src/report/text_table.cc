#include "greenroute/report/text_table.h"

#include <algorithm>

#include "utf8.h"

namespace greenroute::report {
namespace {

void append_cell(const std::string& cell, std::size_t width, Align align, bool last,
                 std::string* line) {
  const std::size_t pad = width - detail::code_point_count(cell);
  if (align == Align::kRight) line->append(pad, ' ');
  *line += cell;
  // Left-aligned text in the last column needs no padding after it.
  if (align == Align::kLeft && !last) line->append(pad, ' ');
  if (!last) *line += "  ";
}

}  // namespace

core::Result<std::string> render_text_table(const TextTable& table) {
  const std::size_t columns = table.headers.size();
  if (columns == 0) return core::invalid_argument("text table has no columns");
  if (table.align.size() > columns) {
    return core::invalid_argument("text table has " + std::to_string(table.align.size()) +
                                  " alignments for " + std::to_string(columns) + " columns");
  }
  std::vector<std::size_t> width(columns, 0);
  auto measure = [&](const std::vector<std::string>& cells,
                     const std::string& where) -> core::Status {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].find_first_of("\r\n") != std::string::npos) {
        return core::invalid_argument(where + ", column " + std::to_string(c) +
                                      ": line break in a cell");
      }
      width[c] = std::max(width[c], detail::code_point_count(cells[c]));
    }
    return core::Status::ok();
  };
  GR_RETURN_IF_ERROR(measure(table.headers, "text table header"));
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::string where = "text table row " + std::to_string(r);
    if (table.rows[r].size() != columns) {
      return core::invalid_argument(where + " has " + std::to_string(table.rows[r].size()) +
                                    " cells for " + std::to_string(columns) + " columns");
    }
    GR_RETURN_IF_ERROR(measure(table.rows[r], where));
  }

  auto align_of = [&](std::size_t c) {
    return c < table.align.size() ? table.align[c] : Align::kLeft;
  };
  auto render_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < columns; ++c)
      append_cell(cells[c], width[c], align_of(c), c + 1 == columns, &line);
    // An empty last cell would leave the separator's spaces behind.
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::string out = render_line(table.headers);
  std::vector<std::string> rule;
  for (std::size_t c = 0; c < columns; ++c) rule.emplace_back(width[c], '-');
  out += render_line(rule);
  for (const std::vector<std::string>& row : table.rows) out += render_line(row);
  return out;
}

}  // namespace greenroute::report
