// Naive double-precision llama / qwen2 forward pass (see reference_forward.h).
#include "engine/model/reference_forward.h"

#include <cmath>

#include "greenroute/engine/quant/matmul.h"

namespace greenroute::engine::testing {
namespace {

using Mat = std::vector<std::vector<double>>;

std::vector<double> row_of(const quant::WeightView& w, std::int64_t r) {
  std::vector<float> f(static_cast<std::size_t>(w.n_in));
  quant::dequantize_row(w, r, f.data());
  return {f.begin(), f.end()};
}

// y = W x for one token.
std::vector<double> matvec(const Mat& w, const std::vector<double>& x) {
  std::vector<double> y(w.size(), 0.0);
  for (std::size_t o = 0; o < w.size(); ++o) {
    double s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += w[o][i] * x[i];
    y[o] = s;
  }
  return y;
}

Mat load(const quant::WeightView& w) {
  Mat m(static_cast<std::size_t>(w.n_out));
  for (std::int64_t r = 0; r < w.n_out; ++r) m[static_cast<std::size_t>(r)] = row_of(w, r);
  return m;
}

std::vector<double> rms_norm(const std::vector<double>& x, const float* w, double eps) {
  double ss = 0.0;
  for (double v : x) ss += v * v;
  const double scale = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps);
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * w[i];
  return y;
}

void rope(std::vector<double>& v, std::int64_t n_heads, const model::ModelConfig& c, const float* freqs,
          std::int64_t pos) {
  const std::int64_t half = c.n_rot / 2;
  for (std::int64_t h = 0; h < n_heads; ++h) {
    for (std::int64_t i = 0; i < half; ++i) {
      double theta = static_cast<double>(pos) *
                     std::pow(static_cast<double>(c.rope_freq_base), -2.0 * static_cast<double>(i) /
                                                                           static_cast<double>(c.n_rot));
      if (freqs != nullptr) theta /= freqs[i];
      theta *= c.rope_freq_scale;
      const bool neox = c.rope_type() == model::RopeType::kNeox;
      const std::size_t a = static_cast<std::size_t>(h * c.head_dim + (neox ? i : 2 * i));
      const std::size_t b = static_cast<std::size_t>(h * c.head_dim + (neox ? i + half : 2 * i + 1));
      const double x0 = v[a];
      const double x1 = v[b];
      v[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
      v[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
    }
  }
}

void add_bias(std::vector<double>& v, const float* b) {
  if (b == nullptr) return;
  for (std::size_t i = 0; i < v.size(); ++i) v[i] += b[i];
}

}  // namespace

std::vector<std::vector<double>> reference_logits(const model::Model& m, const std::vector<std::int32_t>& tokens) {
  const model::ModelConfig& c = m.config();
  const model::ModelWeights& w = m.weights();
  const auto n = tokens.size();
  const auto hd = static_cast<std::size_t>(c.head_dim);
  const std::int64_t group = c.n_head / c.n_head_kv;

  std::vector<std::vector<double>> x(n);
  for (std::size_t t = 0; t < n; ++t) x[t] = row_of(w.token_embd, tokens[t]);

  for (std::int64_t il = 0; il < c.n_layer; ++il) {
    const model::LayerWeights& l = m.layer(il);
    const Mat wq = load(l.wq), wk = load(l.wk), wv = load(l.wv), wo = load(l.wo);
    const Mat wg = load(l.w_gate), wu = load(l.w_up), wd = load(l.w_down);
    Mat q(n), k(n), v(n);
    for (std::size_t t = 0; t < n; ++t) {
      const std::vector<double> h = rms_norm(x[t], l.attn_norm, c.rms_eps);
      q[t] = matvec(wq, h);
      k[t] = matvec(wk, h);
      v[t] = matvec(wv, h);
      add_bias(q[t], l.bq);
      add_bias(k[t], l.bk);
      add_bias(v[t], l.bv);
      rope(q[t], c.n_head, c, w.rope_freqs, static_cast<std::int64_t>(t));
      rope(k[t], c.n_head_kv, c, w.rope_freqs, static_cast<std::int64_t>(t));
    }
    for (std::size_t t = 0; t < n; ++t) {
      std::vector<double> attn(static_cast<std::size_t>(c.n_embd_q()), 0.0);
      for (std::int64_t h = 0; h < c.n_head; ++h) {
        const std::size_t qo = static_cast<std::size_t>(h) * hd;
        const std::size_t ko = static_cast<std::size_t>(h / group) * hd;
        std::vector<double> s(t + 1);
        double mx = -1e300;
        for (std::size_t j = 0; j <= t; ++j) {
          double d = 0.0;
          for (std::size_t e = 0; e < hd; ++e) d += q[t][qo + e] * k[j][ko + e];
          s[j] = d / std::sqrt(static_cast<double>(hd));
          mx = std::max(mx, s[j]);
        }
        double sum = 0.0;
        for (double& e : s) sum += (e = std::exp(e - mx));
        for (std::size_t j = 0; j <= t; ++j) {
          for (std::size_t e = 0; e < hd; ++e) attn[qo + e] += s[j] / sum * v[j][ko + e];
        }
      }
      const std::vector<double> o = matvec(wo, attn);
      for (std::size_t i = 0; i < o.size(); ++i) x[t][i] += o[i];
      const std::vector<double> h = rms_norm(x[t], l.ffn_norm, c.rms_eps);
      std::vector<double> g = matvec(wg, h);
      const std::vector<double> u = matvec(wu, h);
      for (std::size_t i = 0; i < g.size(); ++i) g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
      const std::vector<double> d = matvec(wd, g);
      for (std::size_t i = 0; i < d.size(); ++i) x[t][i] += d[i];
    }
  }
  const Mat wout = load(w.output);
  std::vector<std::vector<double>> logits(n);
  for (std::size_t t = 0; t < n; ++t) logits[t] = matvec(wout, rms_norm(x[t], w.output_norm, c.rms_eps));
  return logits;
}

}  // namespace greenroute::engine::testing
