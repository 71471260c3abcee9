// Mapping GGUF tensors onto the llama-family weight layout (llm_build_llama,
// llm_build_qwen2 in llama.cpp), with shape and type checks.
#include "greenroute/engine/model/model_weights.h"

#include <string>

namespace greenroute::engine::model {
namespace {

using core::Result;

std::string shape_string(const std::vector<std::uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

class TensorMapper {
 public:
  explicit TensorMapper(const gguf::GgufFile& file) : file_(file) {}

  bool has(const std::string& name) const { return file_.find_tensor(name) != nullptr; }

  // A matrix of n_out rows of n_in elements (GGUF shape [n_in, n_out]).
  Result<quant::WeightView> matrix(const std::string& name, std::int64_t n_in, std::int64_t n_out) const {
    GR_ASSIGN_OR_RETURN(const gguf::TensorInfo* t, find(name, {static_cast<std::uint64_t>(n_in),
                                                               static_cast<std::uint64_t>(n_out)}));
    const quant::TypeTraits& tr = quant::traits(t->type);
    if (!tr.supported) {
      return core::unsupported("tensor '" + name + "' has type " + std::string(tr.name) +
                               ", which greenroute cannot compute with");
    }
    if (!quant::is_valid_row_length(t->type, static_cast<std::uint64_t>(n_in))) {
      return core::corrupt("tensor '" + name + "': row length " + std::to_string(n_in) +
                           " is not a multiple of the " + std::string(tr.name) + " block size");
    }
    return quant::WeightView{t->type, file_.tensor_data(*t), n_in, n_out};
  }

  // An F32 vector of n elements.
  Result<const float*> vector(const std::string& name, std::int64_t n) const {
    GR_ASSIGN_OR_RETURN(const gguf::TensorInfo* t, find(name, {static_cast<std::uint64_t>(n)}));
    if (t->type != quant::GgmlType::kF32) {
      return core::unsupported("tensor '" + name + "' has type " + std::string(quant::type_name(t->type)) +
                               "; greenroute needs norm weights, biases and rope factors in f32");
    }
    const std::uint8_t* data = file_.tensor_data(*t);
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(float) != 0) {
      return core::corrupt("tensor '" + name + "' data is not 4-byte aligned");
    }
    return reinterpret_cast<const float*>(data);
  }

 private:
  Result<const gguf::TensorInfo*> find(const std::string& name, std::vector<std::uint64_t> shape) const {
    const gguf::TensorInfo* t = file_.find_tensor(name);
    if (t == nullptr) return core::corrupt("missing tensor '" + name + "'");
    // GGUF writers may append trailing dimensions of 1.
    std::vector<std::uint64_t> actual = t->shape;
    while (actual.size() > shape.size() && actual.back() == 1) actual.pop_back();
    if (actual != shape) {
      return core::corrupt("tensor '" + name + "' has shape " + shape_string(t->shape) + ", expected " +
                           shape_string(shape));
    }
    return t;
  }

  const gguf::GgufFile& file_;
};

}  // namespace

core::Result<ModelWeights> map_weights(const gguf::GgufFile& file, ModelConfig& config) {
  TensorMapper m(file);
  ModelWeights w;

  const gguf::TensorInfo* embd = file.find_tensor("token_embd.weight");
  if (embd == nullptr) return core::corrupt("missing tensor 'token_embd.weight'");
  if (embd->shape.size() < 2 || embd->shape[1] == 0 || embd->shape[1] > (std::uint64_t{1} << 24)) {
    return core::corrupt("tensor 'token_embd.weight' has shape " + shape_string(embd->shape) +
                         ", expected [n_embd, n_vocab]");
  }
  config.n_vocab = static_cast<std::int64_t>(embd->shape[1]);
  const std::int64_t n_embd = config.n_embd;
  GR_ASSIGN_OR_RETURN(w.token_embd, m.matrix("token_embd.weight", n_embd, config.n_vocab));
  GR_ASSIGN_OR_RETURN(w.output_norm, m.vector("output_norm.weight", n_embd));
  config.tied_output = !m.has("output.weight");
  if (config.tied_output) {
    w.output = w.token_embd;
  } else {
    GR_ASSIGN_OR_RETURN(w.output, m.matrix("output.weight", n_embd, config.n_vocab));
  }
  config.has_rope_freqs = m.has("rope_freqs.weight");
  if (config.has_rope_freqs) {
    GR_ASSIGN_OR_RETURN(w.rope_freqs, m.vector("rope_freqs.weight", config.n_rot / 2));
  }

  const std::int64_t n_q = config.n_embd_q();
  const std::int64_t n_kv = config.n_embd_kv();
  config.attn_bias = m.has("blk.0.attn_q.bias");
  w.layers.resize(static_cast<std::size_t>(config.n_layer));
  for (std::int64_t il = 0; il < config.n_layer; ++il) {
    const std::string p = "blk." + std::to_string(il) + ".";
    LayerWeights& l = w.layers[static_cast<std::size_t>(il)];
    GR_ASSIGN_OR_RETURN(l.attn_norm, m.vector(p + "attn_norm.weight", n_embd));
    GR_ASSIGN_OR_RETURN(l.wq, m.matrix(p + "attn_q.weight", n_embd, n_q));
    GR_ASSIGN_OR_RETURN(l.wk, m.matrix(p + "attn_k.weight", n_embd, n_kv));
    GR_ASSIGN_OR_RETURN(l.wv, m.matrix(p + "attn_v.weight", n_embd, n_kv));
    GR_ASSIGN_OR_RETURN(l.wo, m.matrix(p + "attn_output.weight", n_q, n_embd));
    if (config.attn_bias) {
      GR_ASSIGN_OR_RETURN(l.bq, m.vector(p + "attn_q.bias", n_q));
      GR_ASSIGN_OR_RETURN(l.bk, m.vector(p + "attn_k.bias", n_kv));
      GR_ASSIGN_OR_RETURN(l.bv, m.vector(p + "attn_v.bias", n_kv));
    }
    GR_ASSIGN_OR_RETURN(l.ffn_norm, m.vector(p + "ffn_norm.weight", n_embd));
    GR_ASSIGN_OR_RETURN(l.w_gate, m.matrix(p + "ffn_gate.weight", n_embd, config.n_ff));
    GR_ASSIGN_OR_RETURN(l.w_up, m.matrix(p + "ffn_up.weight", n_embd, config.n_ff));
    GR_ASSIGN_OR_RETURN(l.w_down, m.matrix(p + "ffn_down.weight", config.n_ff, n_embd));
  }
  return w;
}

}  // namespace greenroute::engine::model
