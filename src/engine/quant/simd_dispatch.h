// Maps a run-time token count (1..kMaxTile) onto the compile-time tile
// templates of the SIMD kernels. Private to kernels_avx2.cc / kernels_avx512.cc.
#pragma once

#include "quant/kernels.h"

static_assert(greenroute::engine::quant::kMaxTile == 4, "update the tile dispatch");

// Expects n_tok, act, act_stride, out, out_stride in scope; `kernel` names a
// template instance using kN.
#define GREENROUTE_QUANT_TILE_DISPATCH(kernel, count, wptr)                    \
  do {                                                                         \
    switch (n_tok) {                                                           \
      case 1: {                                                                \
        constexpr int kN = 1;                                                  \
        kernel(count, wptr, act, act_stride, out, out_stride);                 \
        break;                                                                 \
      }                                                                        \
      case 2: {                                                                \
        constexpr int kN = 2;                                                  \
        kernel(count, wptr, act, act_stride, out, out_stride);                 \
        break;                                                                 \
      }                                                                        \
      case 3: {                                                                \
        constexpr int kN = 3;                                                  \
        kernel(count, wptr, act, act_stride, out, out_stride);                 \
        break;                                                                 \
      }                                                                        \
      default: {                                                               \
        constexpr int kN = 4;                                                  \
        kernel(count, wptr, act, act_stride, out, out_stride);                 \
        break;                                                                 \
      }                                                                        \
    }                                                                          \
  } while (0)
