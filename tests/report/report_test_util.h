// Helpers for the report tests: a private temporary directory, reading files
// back, checking well-formedness with a real XML parser (xmllint, from
// libxml2-utils) and picking elements out of rendered SVG.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace greenroute::report::testing_util {

inline constexpr const char* kNoXmllint =
    "xmllint not found: install libxml2-utils (scripts/install-deps.sh does) so the SVG output "
    "is checked by a real XML parser";

// A fresh directory under the GoogleTest temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "greenroute_report_XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

inline bool have_xmllint() {
  return std::system("command -v xmllint >/dev/null 2>&1") == 0;
}

// "" when xmllint parses the file as well-formed XML, else what it said.
// `dir` receives xmllint's stderr.
inline std::string xmllint_errors(const TempDir& dir, const std::string& file) {
  const std::string errors = dir.file("xmllint.err");
  const std::string cmd = "xmllint --noout '" + file + "' 2>'" + errors + "'";
  const int rc = std::system(cmd.c_str());
  if (rc == 0) return "";
  const std::string said = read_file(errors);
  return said.empty() ? "xmllint exited with status " + std::to_string(rc) : said;
}

// Writes `svg` into `dir` and checks it with xmllint.
inline std::string xmllint_text(const TempDir& dir, std::string_view svg) {
  const std::string file = dir.file("check.svg");
  write_file(file, svg);
  return xmllint_errors(dir, file);
}

inline std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// The markup of series `index`: from its <g data-series="index"> to its </g>.
inline std::string series_block(const std::string& svg, std::size_t index) {
  const std::string open = "<g data-series=\"" + std::to_string(index) + "\">";
  const std::size_t begin = svg.find(open);
  if (begin == std::string::npos) return "";
  const std::size_t end = svg.find("</g>", begin);
  return svg.substr(begin, end - begin + 4);
}

// Every value of attribute `name` in `markup`, in order, as numbers. A plain
// scan rather than std::regex: GCC 12 raises -Wmaybe-uninitialized inside
// libstdc++'s regex compiler at -O2, which breaks the -Werror test build.
inline std::vector<double> attribute_values(const std::string& markup, const std::string& name) {
  std::vector<double> out;
  const std::string key = " " + name + "=\"";
  for (std::size_t at = markup.find(key); at != std::string::npos; at = markup.find(key, at)) {
    at += key.size();
    const std::size_t end = markup.find('"', at);
    if (end == std::string::npos) break;
    const std::string value = markup.substr(at, end - at);
    if (!value.empty() && value.find_first_not_of("-0123456789.") == std::string::npos) {
      out.push_back(std::stod(value));
    }
    at = end;
  }
  return out;
}

}  // namespace greenroute::report::testing_util
