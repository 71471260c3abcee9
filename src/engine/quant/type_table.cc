// The one traits table: for each supported weight type, its dot type (the
// activation format, exactly as ggml's CPU backend pairs them), converters
// and dot kernels per SIMD level. A new type is a new block file plus one row.
#include <array>

#include "quant/float_rows.h"
#include "quant/kernels.h"
#include "quant/kernels_simd.h"
#include "quant/q4_0.h"
#include "quant/q4_k.h"
#include "quant/q6_k.h"
#include "quant/q8_0.h"
#include "quant/q8_k.h"

namespace greenroute::engine::quant {

namespace {

#if defined(GREENROUTE_QUANT_X86)
#define GR_AVX2(fn) avx2::fn
#define GR_AVX512(fn) avx512::fn
#else
#define GR_AVX2(fn) nullptr
#define GR_AVX512(fn) nullptr
#endif

const std::array<TypeKernels, 7> kKernels = {{
    {GgmlType::kF32, GgmlType::kF32, to_float_f32, copy_f32, to_float_f32,
     {copy_f32, nullptr, nullptr},
     {dot_f32_scalar, GR_AVX2(dot_f32), GR_AVX512(dot_f32)}},
    {GgmlType::kF16, GgmlType::kF16, to_float_f16, from_float_f16, to_float_f16,
     {from_float_f16, GR_AVX2(from_float_f16), nullptr},
     {dot_f16_scalar, GR_AVX2(dot_f16), GR_AVX512(dot_f16)}},
    {GgmlType::kBF16, GgmlType::kBF16, to_float_bf16, from_float_bf16, to_float_bf16,
     {from_float_bf16, nullptr, nullptr},
     {dot_bf16_scalar, GR_AVX2(dot_bf16), nullptr}},
    {GgmlType::kQ8_0, GgmlType::kQ8_0, dequantize_q8_0, quantize_q8_0_ref, dequantize_q8_0,
     {quantize_q8_0_act, GR_AVX2(quantize_q8_0_act), nullptr},
     {dot_q8_0_q8_0_scalar, GR_AVX2(dot_q8_0), GR_AVX512(dot_q8_0)}},
    {GgmlType::kQ4_0, GgmlType::kQ8_0, dequantize_q4_0, quantize_q4_0_ref, dequantize_q8_0,
     {quantize_q8_0_act, GR_AVX2(quantize_q8_0_act), nullptr},
     {dot_q4_0_q8_0_scalar, GR_AVX2(dot_q4_0), GR_AVX512(dot_q4_0)}},
    {GgmlType::kQ4_K, GgmlType::kQ8_K, dequantize_q4_k, quantize_q4_k_ref, dequantize_q8_k,
     {quantize_q8_k_ref, nullptr, nullptr},
     {dot_q4_k_q8_k_scalar, GR_AVX2(dot_q4_k), GR_AVX512(dot_q4_k)}},
    {GgmlType::kQ6_K, GgmlType::kQ8_K, dequantize_q6_k, quantize_q6_k_ref, dequantize_q8_k,
     {quantize_q8_k_ref, nullptr, nullptr},
     {dot_q6_k_q8_k_scalar, GR_AVX2(dot_q6_k), GR_AVX512(dot_q6_k)}},
}};

#undef GR_AVX2
#undef GR_AVX512

}  // namespace

const TypeKernels* kernels_for(GgmlType type) {
  for (const auto& k : kKernels) {
    if (k.type == type) return &k;
  }
  return nullptr;
}

bool level_available(SimdLevel level) {
  const CpuFeatures& f = cpu_features();
  switch (level) {
    case SimdLevel::kScalar:
      return true;
    case SimdLevel::kAvx2:
#if defined(GREENROUTE_QUANT_X86)
      return f.avx2 && f.fma && f.f16c;
#else
      return false;
#endif
    case SimdLevel::kAvx512:
#if defined(GREENROUTE_QUANT_X86)
      return f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
#else
      return false;
#endif
  }
  return false;
}

DotFn dot_kernel(const TypeKernels& k, SimdLevel level) {
  for (int l = static_cast<int>(level); l > 0; --l) {
    if (k.dot[l] != nullptr) return k.dot[l];
  }
  return k.dot[0];
}

FromFloatFn act_quantizer(const TypeKernels& k, SimdLevel level) {
  for (int l = static_cast<int>(level); l > 0; --l) {
    if (k.quantize_act[l] != nullptr) return k.quantize_act[l];
  }
  return k.quantize_act[0];
}

}  // namespace greenroute::engine::quant
