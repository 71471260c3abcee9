#include "greenroute/engine/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace greenroute::engine {

namespace {

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512vl = __builtin_cpu_supports("avx512vl");
  f.avx512vnni = __builtin_cpu_supports("avx512vnni");
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 11)
  f.avx512bf16 = __builtin_cpu_supports("avx512bf16");
#endif
  // F16C has no __builtin_cpu_supports name on older compilers; every CPU
  // with AVX2 we target has it, and the AVX2 kernels require both.
  f.f16c = f.avx2;
#endif
  return f;
}

SimdLevel detect_level() {
  const CpuFeatures& f = cpu_features();
  SimdLevel best = SimdLevel::kScalar;
  if (f.avx2 && f.fma && f.f16c) best = SimdLevel::kAvx2;
  if (best == SimdLevel::kAvx2 && f.avx512f && f.avx512bw && f.avx512vl) best = SimdLevel::kAvx512;
  if (const char* env = std::getenv("GREENROUTE_SIMD")) {
    SimdLevel want = best;
    if (std::strcmp(env, "scalar") == 0) want = SimdLevel::kScalar;
    else if (std::strcmp(env, "avx2") == 0) want = SimdLevel::kAvx2;
    else if (std::strcmp(env, "avx512") == 0) want = SimdLevel::kAvx512;
    // Never go above what the CPU has.
    if (static_cast<int>(want) < static_cast<int>(best)) best = want;
  }
  return best;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

SimdLevel simd_level() {
  static const SimdLevel level = detect_level();
  return level;
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512: return "avx512";
  }
  return "unknown";
}

std::string cpu_features_string() {
  const CpuFeatures& f = cpu_features();
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(f.avx2, "avx2");
  add(f.fma, "fma");
  add(f.f16c, "f16c");
  add(f.avx512f, "avx512f");
  add(f.avx512bw, "avx512bw");
  add(f.avx512vl, "avx512vl");
  add(f.avx512vnni, "avx512vnni");
  add(f.avx512bf16, "avx512bf16");
  return s.empty() ? "none" : s;
}

}  // namespace greenroute::engine
