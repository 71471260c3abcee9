// CPU features that select the engine's SIMD kernels at run time.
//
// The binary is built for baseline x86-64 (or any other target); kernels for
// AVX2 and AVX-512 are compiled in separate files with their own flags and
// chosen here, once, so one build runs well on every machine.
// Thread-safe: the detection runs once and the result is immutable.
#pragma once

#include <string>

namespace greenroute::engine {

enum class SimdLevel { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
};

// What this CPU supports (cached after the first call).
const CpuFeatures& cpu_features();

// The best kernel level this CPU supports, lowered by the environment variable
// GREENROUTE_SIMD=scalar|avx2|avx512 (used by tests to cover every path).
SimdLevel simd_level();

const char* simd_level_name(SimdLevel level);

// e.g. "avx2 fma f16c avx512f avx512bw avx512vl avx512vnni".
std::string cpu_features_string();

}  // namespace greenroute::engine
