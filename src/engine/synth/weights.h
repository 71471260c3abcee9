// The tensors of a synthetic model: which exist (llama.cpp's names and GGUF
// shapes), their storage type, and their seeded values.
//
// Values are drawn row by row from an Rng seeded by (seed, tensor name, row),
// so a file does not depend on the number of threads that generated it.
// Scales keep activations near unit RMS through the layers and give logits a
// standard deviation of about kLogitStd, so greedy decoding is not a sea of
// near ties.
//
// Thread contract: plan_tensors() is a pure function; generate_tensor() uses
// the pool from the calling thread (its single owner).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/core/thread_pool.h"
#include "greenroute/engine/quant/ggml_type.h"
#include "greenroute/engine/synth/synth.h"

namespace greenroute::engine::synth {

inline constexpr float kLogitStd = 3.0f;

enum class Init {
  kNormal,    // N(0, std^2)
  kNorm,      // 1 + N(0, std^2): RMSNorm gains
  kRopeFreqs, // llama3 frequency factors (deterministic, not random)
};

struct TensorPlan {
  std::string name;
  quant::GgmlType type = quant::GgmlType::kF32;
  std::uint64_t n_in = 0;   // row length (GGUF shape[0])
  std::uint64_t n_out = 1;  // rows (GGUF shape[1]); 1 with `one_dim` for vectors
  bool one_dim = false;
  Init init = Init::kNormal;
  float std = 0.0f;
};

// The model's tensors in file order. `n_layer` may differ from the preset's.
std::vector<TensorPlan> plan_tensors(const SynthPreset& preset, std::uint32_t n_layer,
                                     quant::GgmlType weight_type);

// The storage type of a 2-D weight with rows of n_in elements: the requested
// type, or its fallback when n_in does not fit the type's block size.
quant::GgmlType weight_storage_type(quant::GgmlType requested, std::uint64_t n_in);

// llama3 rope frequency factors, as convert_hf_to_gguf.py computes them.
std::vector<float> llama3_rope_factors(const SynthPreset& preset);

// The tensor's bytes in its storage type.
core::Result<std::vector<std::uint8_t>> generate_tensor(const TensorPlan& plan, const SynthPreset& preset,
                                                        std::uint64_t seed, core::ThreadPool& pool);

}  // namespace greenroute::engine::synth
