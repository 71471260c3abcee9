// A STREAM-like read-bandwidth probe for `make bench`: how fast this machine
// streams memory with N threads, the bound on bandwidth-limited LLM decode
// (every weight byte is read once per decode step).
//
//   membw_bench [--threads 2] [--mib 1024] [--reps 5]    prints JSON to stdout
//
// Each thread sums its own slice of a buffer far larger than the caches; the
// best of --reps passes is reported (GB/s = 1e9 bytes/s), as STREAM does.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// Four independent accumulators keep the loop bound by loads, not by the add chain.
double sum_slice(const double* p, std::size_t n) {
  double a = 0, b = 0, c = 0, d = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  for (; i < n; ++i) a += p[i];
  return a + b + c + d;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  std::size_t mib = 1024;
  int reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
    if (k == "--mib") mib = static_cast<std::size_t>(std::max(64, std::atoi(argv[i + 1])));
    if (k == "--reps") reps = std::max(1, std::atoi(argv[i + 1]));
  }
  const std::size_t n = mib * 1024 * 1024 / sizeof(double);
  std::vector<double> buf(n);
  // Each thread first touches its own slice (pages land near it on NUMA boxes).
  const std::size_t per = n / static_cast<std::size_t>(threads);
  {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        for (std::size_t i = t * per; i < (t + 1) * per; ++i) buf[i] = static_cast<double>(i & 7);
      });
    }
    for (auto& th : ts) th.join();
  }
  double best_gbs = 0;
  double checksum = 0;
  std::vector<double> partial(static_cast<std::size_t>(threads));
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] { partial[t] = sum_slice(buf.data() + t * per, per); });
    }
    for (auto& th : ts) th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best_gbs = std::max(best_gbs, static_cast<double>(per * threads * sizeof(double)) / s / 1e9);
    for (double p : partial) checksum += p;  // keeps the sums observable
  }
  std::printf("{\"threads\": %d, \"buffer_mib\": %zu, \"reps\": %d, \"read_gb_per_s\": %.3f, \"checksum\": %.1f}\n",
              threads, mib, reps, best_gbs, checksum);
  return 0;
}
