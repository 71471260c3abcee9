// Private kernel interface of the quant part: the function-pointer types every
// block family implements, and the one traits table (type_table.cc) that wires
// each supported weight type to its dot type, converters and dot kernels per
// SIMD level. Tests include this header to call each level directly.
// Thread-safe: the table is immutable; kernels are pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "greenroute/engine/cpu_features.h"
#include "greenroute/engine/quant/ggml_type.h"

namespace greenroute::engine::quant {

// Most activation rows one dot call handles: each weight block is loaded once
// and reused for up to this many tokens.
inline constexpr int kMaxTile = 4;

// Dots one weight row of n elements with n_tok (1..kMaxTile) activation rows
// stored in the dot type at act + t * act_stride bytes; writes
// out[t * out_stride].
using DotFn = void (*)(std::int64_t n, const void* w, const std::uint8_t* act, std::size_t act_stride, int n_tok,
                       float* out, std::size_t out_stride);
// n floats -> n elements of a type (n a multiple of its block size).
using FromFloatFn = void (*)(const float* x, void* y, std::int64_t n);
// n elements of a type -> n floats.
using ToFloatFn = void (*)(const void* x, float* y, std::int64_t n);

inline constexpr int kSimdLevels = 3;

struct TypeKernels {
  GgmlType type;
  GgmlType dot_type;
  ToFloatFn dequantize;          // a row of this type -> floats
  FromFloatFn quantize;          // floats -> this type (ggml's reference quantizer)
  ToFloatFn dequantize_act;      // a row of the dot type -> floats (tests, references)
  // floats -> dot type, per SimdLevel; every level yields identical bytes.
  // nullptr means "use the next lower level".
  FromFloatFn quantize_act[kSimdLevels];
  DotFn dot[kSimdLevels];        // per SimdLevel; nullptr as above
};

// The table entry of a supported weight type, or nullptr.
const TypeKernels* kernels_for(GgmlType type);

// The dot kernel / activation converter to use at `level` (falls back to the
// best lower level that has one; the scalar level always has one).
DotFn dot_kernel(const TypeKernels& k, SimdLevel level);
FromFloatFn act_quantizer(const TypeKernels& k, SimdLevel level);

// Whether this CPU can run kernels of `level` (tests skip the others).
bool level_available(SimdLevel level);

}  // namespace greenroute::engine::quant
