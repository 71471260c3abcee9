#include "greenroute/core/cpu_affinity.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace greenroute::core {
namespace {

constexpr int kMaxCpu = 1024;  // CPU_SETSIZE on glibc

Result<int> parse_cpu(std::string_view item, std::string_view whole) {
  int v = -1;
  const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
  if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v < 0) {
    return invalid_argument("CPU list '" + std::string(whole) + "': '" + std::string(item) + "' is not a CPU number");
  }
  if (v >= kMaxCpu) {
    return invalid_argument("CPU list '" + std::string(whole) + "': CPU " + std::string(item) + " is beyond " +
                            std::to_string(kMaxCpu - 1));
  }
  return v;
}

}  // namespace

Result<std::vector<int>> parse_cpu_list(std::string_view text) {
  if (text.empty()) return invalid_argument("CPU list is empty (e.g. 0, 0-3, 0,2)");
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty()) return invalid_argument("CPU list '" + std::string(text) + "' has an empty item");
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      GR_ASSIGN_OR_RETURN(int cpu, parse_cpu(item, text));
      out.push_back(cpu);
    } else {
      GR_ASSIGN_OR_RETURN(int lo, parse_cpu(item.substr(0, dash), text));
      GR_ASSIGN_OR_RETURN(int hi, parse_cpu(item.substr(dash + 1), text));
      if (hi < lo) {
        return invalid_argument("CPU list '" + std::string(text) + "': range '" + std::string(item) + "' runs backwards");
      }
      for (int c = lo; c <= hi; ++c) out.push_back(c);
    }
    start = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<int>> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) {
    return unavailable(std::string("sched_getaffinity: ") + std::strerror(errno));
  }
  std::vector<int> out;
  for (int c = 0; c < kMaxCpu; ++c) {
    if (CPU_ISSET(c, &set)) out.push_back(c);
  }
  return out;
}

Status pin_process_to_cpus(const std::vector<int>& cpus) {
  if (cpus.empty()) return invalid_argument("no CPU to pin to");
  GR_ASSIGN_OR_RETURN(std::vector<int> allowed, allowed_cpus());
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) {
    if (!std::binary_search(allowed.begin(), allowed.end(), c)) {
      return invalid_argument("CPU " + std::to_string(c) + " is not available to this process (it may use " +
                              format_cpu_list(allowed) + ")");
    }
    CPU_SET(c, &set);
  }
  if (::sched_setaffinity(0, sizeof set, &set) != 0) {
    return unavailable(std::string("sched_setaffinity: ") + std::strerror(errno));
  }
  return Status::ok();
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace greenroute::core
