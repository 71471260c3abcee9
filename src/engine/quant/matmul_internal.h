// Private entry points of matmul.cc that tests use to cover every SIMD level
// regardless of the GREENROUTE_SIMD environment variable.
// Thread contract: as matmul() (the pool is used from the calling thread).
#pragma once

#include <cstdint>

#include "greenroute/engine/cpu_features.h"
#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::quant {

// The level matmul() uses: engine::simd_level(), lowered to what the
// compiled kernels can run on this CPU (the AVX-512 kernels also need VNNI).
SimdLevel effective_level();

// matmul() with an explicit kernel level; the level must be available.
void matmul_at_level(const WeightView& w, const float* x, std::int64_t n_tokens, float* y, core::ThreadPool& pool,
                     MatmulScratch& scratch, SimdLevel level);

}  // namespace greenroute::engine::quant
