// write_synthetic_model(): metadata as llama.cpp's converter writes it, the
// learned vocabulary, and the generated tensors.
#include <string>

#include "greenroute/core/thread_pool.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/synth/synth.h"
#include "synth/vocab_builder.h"
#include "synth/weights.h"

namespace greenroute::engine::synth {

namespace {

using quant::GgmlType;

// llama_ftype: what general.file_type says the bulk of the weights are.
std::uint32_t file_type_of(GgmlType t) {
  switch (t) {
    case GgmlType::kF32: return 0;
    case GgmlType::kF16: return 1;
    case GgmlType::kQ4_0: return 2;
    case GgmlType::kQ8_0: return 7;
    case GgmlType::kQ4_K: return 14;  // Q4_K_S
    case GgmlType::kQ6_K: return 18;
    case GgmlType::kBF16: return 32;
    default: return 0;
  }
}

bool is_writable_type(GgmlType t) {
  switch (t) {
    case GgmlType::kF32:
    case GgmlType::kF16:
    case GgmlType::kBF16:
    case GgmlType::kQ8_0:
    case GgmlType::kQ4_0:
    case GgmlType::kQ4_K:
    case GgmlType::kQ6_K:
      return true;
    default:
      return false;
  }
}

void set_model_metadata(gguf::GgufWriter& w, const SynthPreset& p, const SynthOptions& o, std::uint32_t n_layer,
                        std::uint32_t n_ctx) {
  const std::string arch(arch_name(p.arch));
  w.set_string("general.architecture", arch);
  w.set_string("general.type", "model");
  w.set_string("general.name", std::string(p.model_name));
  w.set_uint32("general.file_type", file_type_of(o.weight_type));
  w.set_uint32("general.quantization_version", 2);
  w.set_bool("general.synthetic", true);
  w.set_string("greenroute.synth.preset", std::string(p.name));
  w.set_uint64("greenroute.synth.seed", o.seed);

  w.set_uint32(arch + ".vocab_size", p.n_vocab);
  w.set_uint32(arch + ".context_length", n_ctx);
  w.set_uint32(arch + ".embedding_length", p.n_embd);
  w.set_uint32(arch + ".block_count", n_layer);
  w.set_uint32(arch + ".feed_forward_length", p.n_ff);
  w.set_uint32(arch + ".attention.head_count", p.n_head);
  w.set_uint32(arch + ".attention.head_count_kv", p.n_head_kv);
  w.set_uint32(arch + ".attention.key_length", p.head_dim());
  w.set_uint32(arch + ".attention.value_length", p.head_dim());
  w.set_float32(arch + ".attention.layer_norm_rms_epsilon", p.rms_eps);
  w.set_float32(arch + ".rope.freq_base", p.rope_freq_base);
  w.set_uint32(arch + ".rope.dimension_count", p.head_dim());
}

void set_vocab_metadata(gguf::GgufWriter& w, SynthVocab v) {
  w.set_string("tokenizer.ggml.model", v.model);
  if (!v.pre.empty()) w.set_string("tokenizer.ggml.pre", v.pre);
  w.set_string_array("tokenizer.ggml.tokens", std::move(v.tokens));
  if (!v.scores.empty()) w.set_float32_array("tokenizer.ggml.scores", std::move(v.scores));
  w.set_int32_array("tokenizer.ggml.token_type", std::move(v.types));
  if (!v.merges.empty()) w.set_string_array("tokenizer.ggml.merges", std::move(v.merges));
  w.set_uint32("tokenizer.ggml.bos_token_id", static_cast<std::uint32_t>(v.bos));
  w.set_uint32("tokenizer.ggml.eos_token_id", static_cast<std::uint32_t>(v.eos));
  if (v.eot) w.set_uint32("tokenizer.ggml.eot_token_id", static_cast<std::uint32_t>(*v.eot));
  if (v.unk) w.set_uint32("tokenizer.ggml.unknown_token_id", static_cast<std::uint32_t>(*v.unk));
  if (v.pad) w.set_uint32("tokenizer.ggml.padding_token_id", static_cast<std::uint32_t>(*v.pad));
  w.set_bool("tokenizer.ggml.add_bos_token", v.add_bos);
  w.set_bool("tokenizer.ggml.add_eos_token", v.add_eos);
  w.set_string("tokenizer.chat_template", std::move(v.chat_template));
}

}  // namespace

core::Status write_synthetic_model(const SynthOptions& o, const std::string& path) {
  const SynthPreset* preset = find_synth_preset(o.preset);
  if (preset == nullptr) {
    return core::invalid_argument("unknown synthetic model preset '" + o.preset + "'; presets:\n" +
                                  describe_synth_presets());
  }
  if (!is_writable_type(o.weight_type)) {
    return core::invalid_argument("cannot write synthetic weights as " + std::string(quant::type_name(o.weight_type)) +
                                  "; use f32, f16, bf16, q8_0, q4_0, q4_k or q6_k");
  }
  if (o.n_layer && *o.n_layer == 0) return core::invalid_argument("n_layer override must be at least 1");
  if (o.n_ctx && *o.n_ctx == 0) return core::invalid_argument("n_ctx override must be at least 1");
  if (o.n_threads < 0) return core::invalid_argument("n_threads must be >= 0 (0 = all cores)");
  const std::uint32_t n_layer = o.n_layer.value_or(preset->n_layer);
  const std::uint32_t n_ctx = o.n_ctx.value_or(preset->n_ctx);

  GR_ASSIGN_OR_RETURN(SynthVocab vocab, build_vocab(*preset));
  gguf::GgufWriter writer;
  set_model_metadata(writer, *preset, o, n_layer, n_ctx);
  set_vocab_metadata(writer, std::move(vocab));

  core::ThreadPool pool(o.n_threads > 0 ? o.n_threads : core::ThreadPool::default_threads());
  for (const TensorPlan& plan : plan_tensors(*preset, n_layer, o.weight_type)) {
    GR_ASSIGN_OR_RETURN(std::vector<std::uint8_t> data, generate_tensor(plan, *preset, o.seed, pool));
    std::vector<std::uint64_t> shape = {plan.n_in};
    if (!plan.one_dim) shape.push_back(plan.n_out);
    GR_RETURN_IF_ERROR(writer.add_tensor(plan.name, plan.type, std::move(shape), std::move(data)));
  }
  return writer.write(path).with_context("writing synthetic model '" + path + "'");
}

}  // namespace greenroute::engine::synth
