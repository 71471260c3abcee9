// Causal softmax attention with grouped-query heads, over the KV cache.
//
// Rounding follows ggml's CPU path with flash attention off, so results match
// llama.cpp: kq = mul_mat(K, q) where an F16 K makes ggml convert q to F16
// first; softmax(kq * scale) in f32 with a double sum; kqv = mul_mat(V^T, kq)
// where an F16 V makes ggml convert kq to F16. With an F32 cache nothing is
// rounded.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "context/context_scratch.h"

namespace greenroute::engine::context {

void Context::store_kv(std::span<const Piece> pieces, std::int64_t il) {
  const std::int64_t n_kv = model_.config().n_embd_kv();
  const bool f16 = params_.kv_type == quant::GgmlType::kF16;
  for (const Piece& p : pieces) {
    for (std::int64_t i = 0; i < p.n; ++i) {
      const float* k = s_->k.data() + (p.row0 + i) * n_kv;
      const float* v = s_->v.data() + (p.row0 + i) * n_kv;
      std::uint8_t* kd = kv_->k_row(p.seq, il, p.pos0 + i);
      std::uint8_t* vd = kv_->v_row(p.seq, il, p.pos0 + i);
      if (f16) {
        auto* k16 = reinterpret_cast<std::uint16_t*>(kd);
        auto* v16 = reinterpret_cast<std::uint16_t*>(vd);
        for (std::int64_t e = 0; e < n_kv; ++e) {
          k16[e] = quant::fp32_to_fp16(k[e]);
          v16[e] = quant::fp32_to_fp16(v[e]);
        }
      } else {
        std::memcpy(kd, k, static_cast<std::size_t>(n_kv) * 4);
        std::memcpy(vd, v, static_cast<std::size_t>(n_kv) * 4);
      }
    }
  }
}

// Everything the per-(piece, head) task reads. The task lambda captures only
// `this` and a pointer to this struct, so std::function keeps it in its small
// buffer: no heap allocation per parallel region.
struct Context::AttentionArgs {
  std::span<const Context::Piece> pieces;
  std::int64_t il;
  std::int64_t n_head;
  std::int64_t hd;
  std::int64_t n_q;
  std::int64_t group;
  std::int64_t n_ctx;
  float scale;
  bool f16;
};

void Context::attention(std::span<const Piece> pieces, std::int64_t il) {
  const model::ModelConfig& c = model_.config();
  const AttentionArgs args{pieces,
                           il,
                           c.n_head,
                           c.head_dim,
                           c.n_embd_q(),
                           c.n_head / c.n_head_kv,
                           params_.n_ctx,
                           1.0f / std::sqrt(static_cast<float>(c.head_dim)),
                           params_.kv_type == quant::GgmlType::kF16};
  const std::size_t n_tasks = pieces.size() * static_cast<std::size_t>(c.n_head);
  const AttentionArgs* a = &args;
  pool_->parallel_for(n_tasks, [this, a](std::size_t task, int thread) { attention_task(*a, task, thread); });
}

void Context::attention_task(const AttentionArgs& a, std::size_t task, int thread) {
  Scratch& s = *s_;
  const std::int64_t hd = a.hd;
  const float* table = s.f16_table.data();
  const Piece& p = a.pieces[task / static_cast<std::size_t>(a.n_head)];
  const auto h = static_cast<std::int64_t>(task % static_cast<std::size_t>(a.n_head));
  const std::int64_t kvh = h / a.group;
  const auto th = static_cast<std::size_t>(thread);
  float* scores = s.scores.data() + th * static_cast<std::size_t>(a.n_ctx);
  std::uint16_t* q16 = s.q16.data() + th * static_cast<std::size_t>(hd);
  float* acc = s.acc.data() + th * static_cast<std::size_t>(hd);
  // The query as the dot product sees it (rounded through f16 when K is f16).
  float* qf = s.rope.data() + th * static_cast<std::size_t>(hd);

  for (std::int64_t i = 0; i < p.n; ++i) {
    const std::int64_t row = p.row0 + i;
    const std::int64_t n_keys = p.pos0 + i + 1;  // causal: positions 0..pos
    const float* q = s.q.data() + row * a.n_q + h * hd;
    if (a.f16) {
      for (std::int64_t d = 0; d < hd; ++d) {
        q16[d] = quant::fp32_to_fp16(q[d]);
        qf[d] = table[q16[d]];
      }
    } else {
      std::memcpy(qf, q, static_cast<std::size_t>(hd) * 4);
    }

    // kq = K q, scaled; softmax as ggml_soft_max_ext (f32 exp, double sum).
    float max = -INFINITY;
    for (std::int64_t j = 0; j < n_keys; ++j) {
      const std::uint8_t* kr = kv_->k_row(p.seq, a.il, j);
      float dot = 0.0f;
      if (a.f16) {
        const auto* k = reinterpret_cast<const std::uint16_t*>(kr) + kvh * hd;
        for (std::int64_t d = 0; d < hd; ++d) dot += qf[d] * table[k[d]];
      } else {
        const auto* k = reinterpret_cast<const float*>(kr) + kvh * hd;
        for (std::int64_t d = 0; d < hd; ++d) dot += qf[d] * k[d];
      }
      const float sc = dot * a.scale;
      scores[j] = sc;
      max = std::max(max, sc);
    }
    double sum = 0.0;
    for (std::int64_t j = 0; j < n_keys; ++j) {
      const float e = std::exp(scores[j] - max);
      scores[j] = e;
      sum += static_cast<double>(e);
    }
    const auto inv = static_cast<float>(1.0 / sum);

    // kqv = V^T softmax(kq); with an f16 V, ggml rounds the weights to f16.
    std::fill(acc, acc + hd, 0.0f);
    for (std::int64_t j = 0; j < n_keys; ++j) {
      float pj = scores[j] * inv;
      const std::uint8_t* vr = kv_->v_row(p.seq, a.il, j);
      if (a.f16) {
        pj = table[quant::fp32_to_fp16(pj)];
        const auto* v = reinterpret_cast<const std::uint16_t*>(vr) + kvh * hd;
        for (std::int64_t d = 0; d < hd; ++d) acc[d] += pj * table[v[d]];
      } else {
        const auto* v = reinterpret_cast<const float*>(vr) + kvh * hd;
        for (std::int64_t d = 0; d < hd; ++d) acc[d] += pj * v[d];
      }
    }
    std::memcpy(s.attn.data() + row * a.n_q + h * hd, acc, static_cast<std::size_t>(hd) * 4);
  }
}

}  // namespace greenroute::engine::context
