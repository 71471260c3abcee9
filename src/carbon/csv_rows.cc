#include "carbon/csv_rows.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "carbon/civil_time.h"

namespace greenroute::carbon::detail {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Locale-independent: from_chars never consults the C locale.
std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

struct Layout {
  bool electricity_maps = false;
  std::size_t columns = 2;
  std::size_t time_col = 0;
  std::size_t value_col = 1;
  std::size_t zone_col = 0;
  std::size_t estimated_col = 0;
  bool has_estimated = false;
  std::vector<std::string> names;  // column names for messages
};

// Fills `layout` from the first line; returns whether that line is a header.
core::Result<bool> detect_layout(const std::vector<std::string>& first, std::string_view label,
                                 Lifecycle basis, Layout* layout) {
  std::optional<std::size_t> time, zone, direct, lca, estimated;
  for (std::size_t i = 0; i < first.size(); ++i) {
    const std::string_view f = trim(first[i]);
    if (f == "Datetime (UTC)") time = i;
    if (f == "Zone Id") zone = i;
    if (f.starts_with("Carbon Intensity") && ends_with(f, "(direct)")) direct = i;
    if (f.starts_with("Carbon Intensity") && ends_with(f, "(LCA)")) lca = i;
    if (f == "Data Estimated") estimated = i;
  }
  if (time && zone) {
    const std::optional<std::size_t> value = basis == Lifecycle::kDirect ? direct : lca;
    if (!value) {
      return core::invalid_argument(std::string(label) +
                                    ":1: Electricity Maps header has no carbon intensity (" +
                                    std::string(lifecycle_name(basis)) + ") column");
    }
    layout->electricity_maps = true;
    layout->columns = first.size();
    layout->time_col = *time;
    layout->zone_col = *zone;
    layout->value_col = *value;
    layout->has_estimated = estimated.has_value();
    layout->estimated_col = estimated.value_or(0);
    for (const std::string& f : first) layout->names.emplace_back(trim(f));
    return true;
  }
  layout->names = {"timestamp", "value"};
  // Plain: the first line is data if its first field is a time.
  if (!first.empty() && parse_timestamp(trim(first[0]))) return false;
  if (first.size() != 2) {
    return core::invalid_argument(std::string(label) +
                                  ":1: unrecognised header (expected an Electricity Maps export "
                                  "or 'timestamp,value')");
  }
  layout->names = {std::string(trim(first[0])), std::string(trim(first[1]))};
  return true;
}

std::string column_text(const Layout& layout, std::size_t col) {
  return "column " + std::to_string(col + 1) + " (" + layout.names[col] + ")";
}

// Parses one data line; returns an error message or the row.
std::optional<std::string> parse_row(const std::vector<std::string>& fields, const Layout& layout,
                                     std::string_view plain_zone, CsvRow* row) {
  if (fields.size() != layout.columns) {
    return "expected " + std::to_string(layout.columns) + " columns, got " +
           std::to_string(fields.size());
  }
  const std::string_view time_text = trim(fields[layout.time_col]);
  const std::optional<std::int64_t> t = parse_timestamp(time_text);
  if (!t) return column_text(layout, layout.time_col) + ": bad timestamp '" + std::string(time_text) + "'";
  const std::string_view value_text = trim(fields[layout.value_col]);
  const std::optional<double> v = parse_number(value_text);
  if (!v) {
    return column_text(layout, layout.value_col) +
           (value_text.empty() ? std::string(": empty value")
                               : ": not a number '" + std::string(value_text) + "'");
  }
  if (*v < 0.0) return column_text(layout, layout.value_col) + ": negative intensity " + std::string(value_text);
  row->at_unix_s = *t;
  row->g_co2_per_kwh = *v;
  row->estimated = false;
  if (layout.electricity_maps) {
    row->zone = std::string(trim(fields[layout.zone_col]));
    if (row->zone.empty()) return column_text(layout, layout.zone_col) + ": empty zone";
    if (layout.has_estimated) {
      const std::string flag = lower(trim(fields[layout.estimated_col]));
      if (flag == "true" || flag == "1") {
        row->estimated = true;
      } else if (!flag.empty() && flag != "false" && flag != "0") {
        return column_text(layout, layout.estimated_col) + ": expected true/false, got '" + flag + "'";
      }
    }
  } else {
    row->zone = std::string(plain_zone);
  }
  return std::nullopt;
}

}  // namespace

bool split_csv_fields(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  fields->push_back(std::move(cur));
  return !quoted;
}

core::Result<CsvRowsResult> parse_csv_rows(std::string_view text, std::string_view label,
                                           Lifecycle basis, std::string_view plain_zone) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  CsvRowsResult out;
  Layout layout;
  bool have_layout = false;
  std::vector<std::string> fields;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    const std::string where = std::string(label) + ":" + std::to_string(line_no) + ": ";
    if (!split_csv_fields(line, &fields)) {
      out.bad.push_back(where + "unterminated quoted field");
      continue;
    }
    if (!have_layout) {
      GR_ASSIGN_OR_RETURN(const bool is_header, detect_layout(fields, label, basis, &layout));
      have_layout = true;
      if (!layout.electricity_maps && plain_zone.empty()) {
        return core::invalid_argument(std::string(label) +
                                      ": plain timestamp,value file needs a zone (option 'zone')");
      }
      if (is_header) continue;
    }
    CsvRow row;
    row.line = line_no;
    if (std::optional<std::string> err = parse_row(fields, layout, plain_zone, &row)) {
      out.bad.push_back(where + *err);
      continue;
    }
    out.rows.push_back(std::move(row));
  }
  if (!have_layout) return core::invalid_argument(std::string(label) + ": empty file");
  return out;
}

}  // namespace greenroute::carbon::detail
