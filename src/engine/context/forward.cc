// The llama-family forward pass over one batch of pieces (llm_build_llama /
// llm_build_qwen2): embeddings, n_layer x (RMSNorm, QKV, RoPE, attention,
// output projection, RMSNorm, SwiGLU FFN), final norm, output head.
#include <algorithm>
#include <cstring>

#include "context/context_scratch.h"

namespace greenroute::engine::context {
namespace {

// Runs fn(row) for rows [0, n), on the pool when there is enough work to
// repay the dispatch.
template <typename Fn>
void for_rows(core::ThreadPool& pool, std::int64_t n, std::int64_t row_elems, const Fn& fn) {
  if (n * row_elems < 16384 || pool.size() == 1) {
    for (std::int64_t r = 0; r < n; ++r) fn(r, 0);
    return;
  }
  pool.parallel_for(static_cast<std::size_t>(n), [&](std::size_t r, int thread) {
    fn(static_cast<std::int64_t>(r), thread);
  });
}

void add_bias(float* y, const float* b, std::int64_t n_rows, std::int64_t n) {
  if (b == nullptr) return;
  for (std::int64_t r = 0; r < n_rows; ++r) {
    float* row = y + r * n;
    for (std::int64_t i = 0; i < n; ++i) row[i] += b[i];
  }
}

void add_into(float* x, const float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] += y[i];
}

}  // namespace

void Context::forward(std::span<const Piece> pieces, std::int64_t n_tokens, std::int64_t n_out,
                      float* logits_out) {
  const model::ModelConfig& c = model_.config();
  const model::ModelWeights& w = model_.weights();
  Scratch& s = *s_;
  core::ThreadPool& pool = *pool_;
  const std::int64_t n_embd = c.n_embd;
  const std::int64_t n_q = c.n_embd_q();
  const std::int64_t n_kv = c.n_embd_kv();

  // x[T, n_embd] = token embeddings (ggml_get_rows dequantizes to f32).
  for (const Piece& p : pieces) {
    for (std::int64_t i = 0; i < p.n; ++i) {
      quant::dequantize_row(w.token_embd, p.tokens[i], s.x.data() + (p.row0 + i) * n_embd);
    }
  }

  std::int64_t T = n_tokens;
  for (std::int64_t il = 0; il < c.n_layer; ++il) {
    const model::LayerWeights& l = model_.layer(il);
    for_rows(pool, T, n_embd, [&](std::int64_t r, int) {
      rms_norm_row(s.x.data() + r * n_embd, l.attn_norm, n_embd, c.rms_eps, s.cur.data() + r * n_embd);
    });
    quant::matmul(l.wq, s.cur.data(), T, s.q.data(), pool, s.mm);
    quant::matmul(l.wk, s.cur.data(), T, s.k.data(), pool, s.mm);
    quant::matmul(l.wv, s.cur.data(), T, s.v.data(), pool, s.mm);
    add_bias(s.q.data(), l.bq, T, n_q);
    add_bias(s.k.data(), l.bk, T, n_kv);
    add_bias(s.v.data(), l.bv, T, n_kv);

    // RoPE on q and k, each row at its own position.
    for (const Piece& p : pieces) {
      for_rows(pool, p.n, n_q + n_kv, [&](std::int64_t i, int thread) {
        float* cs = s.rope.data() + static_cast<std::size_t>(thread) * static_cast<std::size_t>(c.head_dim);
        rope_factors(s.rope_params, p.pos0 + i, cs);
        const std::int64_t r = p.row0 + i;
        rope_apply(s.rope_params, cs, c.n_head, s.q.data() + r * n_q);
        rope_apply(s.rope_params, cs, c.n_head_kv, s.k.data() + r * n_kv);
      });
    }
    store_kv(pieces, il);

    const bool last_layer = il == c.n_layer - 1;
    if (last_layer && n_out == 0) return;  // nothing downstream needs this pass's rows
    attention(pieces, il);

    if (last_layer && n_out < T) {
      // Only the rows that produce logits go on (llama.cpp's inp_out_ids).
      std::int64_t k = 0;
      for (const Piece& p : pieces) {
        if (p.out_row < 0) continue;
        const std::int64_t r = p.row0 + p.n - 1;
        if (r != k) {
          std::memmove(s.attn.data() + k * n_q, s.attn.data() + r * n_q, static_cast<std::size_t>(n_q) * 4);
          std::memmove(s.x.data() + k * n_embd, s.x.data() + r * n_embd, static_cast<std::size_t>(n_embd) * 4);
        }
        ++k;
      }
      T = n_out;
    }

    quant::matmul(l.wo, s.attn.data(), T, s.cur.data(), pool, s.mm);
    add_into(s.x.data(), s.cur.data(), T * n_embd);

    for_rows(pool, T, n_embd, [&](std::int64_t r, int) {
      rms_norm_row(s.x.data() + r * n_embd, l.ffn_norm, n_embd, c.rms_eps, s.cur.data() + r * n_embd);
    });
    quant::matmul(l.w_gate, s.cur.data(), T, s.gate.data(), pool, s.mm);
    quant::matmul(l.w_up, s.cur.data(), T, s.up.data(), pool, s.mm);
    for_rows(pool, T, c.n_ff, [&](std::int64_t r, int) {
      swiglu_row(s.gate.data() + r * c.n_ff, s.up.data() + r * c.n_ff, c.n_ff);
    });
    quant::matmul(l.w_down, s.gate.data(), T, s.cur.data(), pool, s.mm);
    add_into(s.x.data(), s.cur.data(), T * n_embd);
  }

  for (std::int64_t r = 0; r < T; ++r) {
    rms_norm_row(s.x.data() + r * n_embd, w.output_norm, n_embd, c.rms_eps, s.cur.data() + r * n_embd);
  }
  quant::matmul(w.output, s.cur.data(), T, logits_out, pool, s.mm);
}

}  // namespace greenroute::engine::context
