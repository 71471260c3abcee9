#include "sysfs_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace greenroute::power::detail {
namespace {

// sysfs attributes are at most one page; /proc/stat can be larger, so cap
// generously to refuse a runaway file rather than read it forever.
constexpr std::size_t kMaxFileBytes = 4 * 1024 * 1024;

std::string trim(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Natural order so hwmon10 sorts after hwmon9.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      std::size_t ie = i;
      std::size_t je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string na = a.substr(i, ie - i);
      std::string nb = b.substr(j, je - j);
      na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
      nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

core::Result<std::string> read_text_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return core::not_found(path + ": no such file");
    return core::io_error(path + ": cannot open: " + std::strerror(err));
  }
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return core::io_error(path + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxFileBytes) {
      ::close(fd);
      return core::corrupt(path + ": larger than " + std::to_string(kMaxFileBytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

core::Result<std::string> read_line(const std::string& path) {
  GR_ASSIGN_OR_RETURN(std::string text, read_text_file(path));
  const std::size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  return trim(text);
}

core::Result<std::int64_t> parse_int(const std::string& text, const std::string& what) {
  const std::string t = trim(text);
  std::int64_t v = 0;
  const char* first = t.data();
  const char* last = t.data() + t.size();
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (t.empty() || ec != std::errc() || ptr != last) {
    std::string shown = t.substr(0, 40);
    return core::corrupt(what + ": malformed integer '" + shown + "'");
  }
  return v;
}

core::Result<std::int64_t> read_int(const std::string& path) {
  GR_ASSIGN_OR_RETURN(std::string text, read_text_file(path));
  return parse_int(text, path);
}

core::Result<std::int64_t> read_non_negative(const std::string& path) {
  GR_ASSIGN_OR_RETURN(std::int64_t v, read_int(path));
  if (v < 0) return core::corrupt(path + ": negative value " + std::to_string(v));
  return v;
}

core::Result<std::vector<std::string>> list_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return core::not_found(dir + ": no such directory");
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return core::io_error(dir + ": cannot list: " + ec.message());
  std::vector<std::string> names;
  for (const auto end = std::filesystem::directory_iterator(); it != end; it.increment(ec)) {
    if (ec) return core::io_error(dir + ": cannot list: " + ec.message());
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end(), natural_less);
  return names;
}

bool path_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

bool match_indexed(const std::string& name, const std::string& prefix, const std::string& suffix,
                   int* index) {
  if (name.size() <= prefix.size() + suffix.size()) return false;
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  int v = 0;
  const char* first = name.data() + prefix.size();
  const char* last = name.data() + name.size() - suffix.size();
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || v < 0) return false;
  *index = v;
  return true;
}

}  // namespace greenroute::power::detail
