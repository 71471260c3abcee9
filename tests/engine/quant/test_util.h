// Helpers shared by the quant tests: random rows, quantized weight matrices
// and the SIMD levels this CPU can run.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "greenroute/core/rng.h"
#include "greenroute/engine/quant/matmul.h"
#include "quant/kernels.h"

namespace greenroute::engine::quant::testing {

inline std::vector<float> random_row(core::Rng& rng, std::int64_t n, float scale = 1.0f) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = static_cast<float>(rng.normal()) * scale;
  return v;
}

inline std::vector<SimdLevel> available_levels() {
  std::vector<SimdLevel> out;
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (level_available(l)) out.push_back(l);
  }
  return out;
}

// A matrix of n_out rows quantized to `type`, with its dequantized floats.
struct TestMatrix {
  GgmlType type;
  std::int64_t n_in;
  std::int64_t n_out;
  std::vector<std::uint8_t> bytes;
  std::vector<float> dequant;  // n_out * n_in
  WeightView view() const { return WeightView{type, bytes.data(), n_in, n_out}; }
};

inline TestMatrix make_matrix(core::Rng& rng, GgmlType type, std::int64_t n_in, std::int64_t n_out) {
  TestMatrix m{type, n_in, n_out, {}, {}};
  for (std::int64_t o = 0; o < n_out; ++o) {
    const std::vector<float> r = random_row(rng, n_in, 0.5f);
    const core::Status st = quantize_row(type, r.data(), n_in, m.bytes);
    if (!st.is_ok()) return m;
  }
  m.dequant.resize(static_cast<std::size_t>(n_in * n_out));
  for (std::int64_t o = 0; o < n_out; ++o) dequantize_row(m.view(), o, m.dequant.data() + o * n_in);
  return m;
}

inline const char* level_name(SimdLevel l) { return simd_level_name(l); }

}  // namespace greenroute::engine::quant::testing
