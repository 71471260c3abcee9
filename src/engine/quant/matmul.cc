// matmul(): activations are converted to the weight type's dot type once,
// then output rows are split into chunks over the pool. Within a chunk,
// tokens go in tiles of kMaxTile so each weight row is streamed from memory
// once per tile (the chunk's rows stay in L2 between tiles).
#include "greenroute/engine/quant/matmul.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "greenroute/core/check.h"
#include "quant/kernels.h"
#include "quant/matmul_internal.h"

namespace greenroute::engine::quant {

namespace {

// Output rows per pool task: enough work to amortise the dispatch, yet about
// four tasks per thread so the dynamic hand-out balances uneven cores.
std::int64_t rows_per_task(std::int64_t n_out, int threads) {
  const std::int64_t target = n_out / (static_cast<std::int64_t>(threads) * 4);
  return std::clamp<std::int64_t>(target, 16, 64);
}

// Converting many token rows is worth its own parallel region.
constexpr std::int64_t kParallelConvertTokens = 4;

}  // namespace

SimdLevel effective_level() {
  SimdLevel level = simd_level();
  while (level != SimdLevel::kScalar && !level_available(level)) {
    level = static_cast<SimdLevel>(static_cast<int>(level) - 1);
  }
  return level;
}

void matmul_at_level(const WeightView& w, const float* x, std::int64_t n_tokens, float* y, core::ThreadPool& pool,
                     MatmulScratch& scratch, SimdLevel level) {
  const TypeKernels* k = kernels_for(w.type);
  GR_CHECK(k != nullptr);
  GR_CHECK(w.n_in > 0 && is_valid_row_length(w.type, static_cast<std::uint64_t>(w.n_in)));
  GR_CHECK(is_valid_row_length(k->dot_type, static_cast<std::uint64_t>(w.n_in)));
  GR_CHECK(level_available(level));
  if (n_tokens <= 0 || w.n_out <= 0) return;

  const std::int64_t n_in = w.n_in;
  const std::int64_t n_out = w.n_out;

  // Activations in the dot type; F32 weights dot the caller's floats directly.
  const std::uint8_t* act = nullptr;
  std::size_t act_stride = 0;
  if (k->dot_type == GgmlType::kF32) {
    act = reinterpret_cast<const std::uint8_t*>(x);
    act_stride = static_cast<std::size_t>(n_in) * sizeof(float);
  } else {
    act_stride = row_bytes(k->dot_type, static_cast<std::uint64_t>(n_in));
    const std::size_t need = act_stride * static_cast<std::size_t>(n_tokens);
    if (scratch.bytes.size() < need) scratch.bytes.resize(need);  // grows once, then reused
    std::uint8_t* dst = scratch.bytes.data();
    const FromFloatFn convert = act_quantizer(*k, level);
    if (n_tokens >= kParallelConvertTokens && pool.size() > 1) {
      pool.parallel_for(static_cast<std::size_t>(n_tokens), [&](std::size_t t, int) {
        convert(x + static_cast<std::int64_t>(t) * n_in, dst + t * act_stride, n_in);
      });
    } else {
      for (std::int64_t t = 0; t < n_tokens; ++t) {
        convert(x + t * n_in, dst + static_cast<std::size_t>(t) * act_stride, n_in);
      }
    }
    act = dst;
  }

  const DotFn dot = dot_kernel(*k, level);
  const auto* wdata = static_cast<const std::uint8_t*>(w.data);
  const std::size_t w_stride = row_bytes(w.type, static_cast<std::uint64_t>(n_in));
  const std::int64_t rows = rows_per_task(n_out, pool.size());
  const std::int64_t n_tasks = (n_out + rows - 1) / rows;
  const auto out_stride = static_cast<std::size_t>(n_out);

  auto run_chunk = [&](std::size_t task, int /*thread*/) {
    const std::int64_t o0 = static_cast<std::int64_t>(task) * rows;
    const std::int64_t o1 = std::min(n_out, o0 + rows);
    for (std::int64_t t0 = 0; t0 < n_tokens; t0 += kMaxTile) {
      const int nt = static_cast<int>(std::min<std::int64_t>(kMaxTile, n_tokens - t0));
      const std::uint8_t* a = act + static_cast<std::size_t>(t0) * act_stride;
      float* yt = y + t0 * n_out;
      for (std::int64_t o = o0; o < o1; ++o) {
        dot(n_in, wdata + static_cast<std::size_t>(o) * w_stride, a, act_stride, nt, yt + o, out_stride);
      }
    }
  };
  if (n_tasks == 1 || pool.size() == 1) {
    for (std::int64_t task = 0; task < n_tasks; ++task) run_chunk(static_cast<std::size_t>(task), 0);
  } else {
    pool.parallel_for(static_cast<std::size_t>(n_tasks), run_chunk);
  }
}

void matmul(const WeightView& w, const float* x, std::int64_t n_tokens, float* y, core::ThreadPool& pool,
            MatmulScratch& scratch) {
  matmul_at_level(w, x, n_tokens, y, pool, scratch, effective_level());
}

void dequantize_row(const WeightView& w, std::int64_t row, float* out) {
  const TypeKernels* k = kernels_for(w.type);
  GR_CHECK(k != nullptr);
  GR_CHECK(row >= 0 && row < w.n_out);
  const std::size_t stride = row_bytes(w.type, static_cast<std::uint64_t>(w.n_in));
  k->dequantize(static_cast<const std::uint8_t*>(w.data) + static_cast<std::size_t>(row) * stride, out, w.n_in);
}

core::Status quantize_row(GgmlType type, const float* x, std::int64_t n, std::vector<std::uint8_t>& out) {
  const TypeKernels* k = kernels_for(type);
  if (k == nullptr) {
    return core::unsupported(std::string("quantize_row: no quantizer for type ") + std::string(type_name(type)));
  }
  if (n < 0 || !is_valid_row_length(type, static_cast<std::uint64_t>(n))) {
    return core::invalid_argument("quantize_row: " + std::to_string(n) + " is not a multiple of the block size of " +
                                  std::string(type_name(type)));
  }
  const std::size_t old = out.size();
  const std::size_t size = row_bytes(type, static_cast<std::uint64_t>(n));
  out.resize(old + size);
  if (n == 0) return core::Status::ok();
  std::uint8_t* dst = out.data() + old;
  if (reinterpret_cast<std::uintptr_t>(dst) % alignof(float) == 0) {
    k->quantize(x, dst, n);
  } else {
    // Appending after an odd-sized header: the block structs need their
    // natural alignment, so encode aside and copy.
    std::vector<float> aligned(size / sizeof(float) + 1);
    k->quantize(x, aligned.data(), n);
    std::memcpy(dst, aligned.data(), size);
  }
  return core::Status::ok();
}

}  // namespace greenroute::engine::quant
