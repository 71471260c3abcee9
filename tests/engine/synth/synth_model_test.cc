#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <set>

#include "engine/synth/synth_test_util.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/quant/matmul.h"
#include "greenroute/engine/synth/synth.h"
#include "synth/weights.h"

namespace greenroute::engine::synth {
namespace {

using quant::GgmlType;
using testing::TempFile;

std::unique_ptr<gguf::GgufFile> write_and_open(const SynthOptions& o, const TempFile& file) {
  const core::Status st = write_synthetic_model(o, file.path());
  EXPECT_TRUE(st.is_ok()) << st.to_string();
  auto opened = gguf::GgufFile::open(file.path());
  EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
  return opened.is_ok() ? std::move(opened).value() : nullptr;
}

std::vector<std::uint64_t> shape_of(const gguf::GgufFile& f, const std::string& name) {
  const gguf::TensorInfo* t = f.find_tensor(name);
  return t != nullptr ? t->shape : std::vector<std::uint64_t>{};
}

TEST(SynthPresetTest, TableIsConsistent) {
  std::set<std::string_view> names;
  for (const SynthPreset& p : synth_presets()) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    EXPECT_EQ(find_synth_preset(p.name), &p);
    EXPECT_EQ(p.n_embd % p.n_head, 0u) << p.name;
    EXPECT_EQ(p.n_head % p.n_head_kv, 0u) << p.name;
    EXPECT_EQ(p.head_dim() % 2, 0u) << p.name;
    EXPECT_NE(describe_synth_presets().find(p.name), std::string::npos);
    EXPECT_EQ(p.vocab_kind == VocabKind::kGpt2, !p.tokenizer_pre.empty()) << p.name;
  }
  EXPECT_EQ(find_synth_preset("gpt-5"), nullptr);
  const SynthPreset& llama = *find_synth_preset("llama-3.2-1b");
  EXPECT_EQ(llama.head_dim(), 64u);
  ASSERT_TRUE(llama.llama3_rope.has_value());
  EXPECT_EQ(llama.llama3_rope->factor, 32.0f);
  EXPECT_EQ(find_synth_preset("qwen2.5-0.5b")->head_dim(), 64u);
  EXPECT_EQ(find_synth_preset("smollm2-135m")->head_dim(), 64u);
}

TEST(SynthModelTest, TinyHasCompleteLlamaMetadata) {
  TempFile file("tiny_meta");
  SynthOptions o;
  o.preset = "tiny";
  o.weight_type = GgmlType::kF32;
  o.seed = 11;
  o.n_threads = 2;
  auto f = write_and_open(o, file);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f->get_string("general.architecture"), "llama");
  EXPECT_EQ(*f->get_uint("general.file_type"), 0u);
  EXPECT_TRUE(*f->get_bool("general.synthetic"));
  EXPECT_EQ(*f->get_string("greenroute.synth.preset"), "tiny");
  EXPECT_EQ(*f->get_uint("greenroute.synth.seed"), 11u);
  EXPECT_EQ(*f->get_uint("llama.context_length"), 512u);
  EXPECT_EQ(*f->get_uint("llama.embedding_length"), 64u);
  EXPECT_EQ(*f->get_uint("llama.block_count"), 2u);
  EXPECT_EQ(*f->get_uint("llama.feed_forward_length"), 160u);
  EXPECT_EQ(*f->get_uint("llama.attention.head_count"), 4u);
  EXPECT_EQ(*f->get_uint("llama.attention.head_count_kv"), 2u);
  EXPECT_EQ(*f->get_uint("llama.rope.dimension_count"), 16u);
  EXPECT_FLOAT_EQ(static_cast<float>(*f->get_float("llama.attention.layer_norm_rms_epsilon")), 1e-5f);
  EXPECT_FLOAT_EQ(static_cast<float>(*f->get_float("llama.rope.freq_base")), 10000.0f);
  EXPECT_EQ(*f->get_string("tokenizer.ggml.model"), "llama");
  EXPECT_EQ((*f->get_array("tokenizer.ggml.tokens"))->size(), 512u);
  EXPECT_EQ((*f->get_array("tokenizer.ggml.scores"))->size(), 512u);
  EXPECT_EQ((*f->get_array("tokenizer.ggml.token_type"))->size(), 512u);
  EXPECT_EQ(*f->get_uint("tokenizer.ggml.bos_token_id"), 1u);
  EXPECT_EQ(*f->get_uint("tokenizer.ggml.eos_token_id"), 2u);
  EXPECT_TRUE(*f->get_bool("tokenizer.ggml.add_bos_token"));
  EXPECT_NE(f->get_string("tokenizer.chat_template")->find("<|assistant|>"), std::string::npos);

  EXPECT_EQ(shape_of(*f, "token_embd.weight"), (std::vector<std::uint64_t>{64, 512}));
  EXPECT_EQ(shape_of(*f, "output.weight"), (std::vector<std::uint64_t>{64, 512}));
  EXPECT_EQ(shape_of(*f, "output_norm.weight"), (std::vector<std::uint64_t>{64}));
  for (int l = 0; l < 2; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    EXPECT_EQ(shape_of(*f, b + "attn_norm.weight"), (std::vector<std::uint64_t>{64}));
    EXPECT_EQ(shape_of(*f, b + "attn_q.weight"), (std::vector<std::uint64_t>{64, 64}));
    EXPECT_EQ(shape_of(*f, b + "attn_k.weight"), (std::vector<std::uint64_t>{64, 32}));
    EXPECT_EQ(shape_of(*f, b + "attn_v.weight"), (std::vector<std::uint64_t>{64, 32}));
    EXPECT_EQ(shape_of(*f, b + "attn_output.weight"), (std::vector<std::uint64_t>{64, 64}));
    EXPECT_EQ(shape_of(*f, b + "ffn_norm.weight"), (std::vector<std::uint64_t>{64}));
    EXPECT_EQ(shape_of(*f, b + "ffn_gate.weight"), (std::vector<std::uint64_t>{64, 160}));
    EXPECT_EQ(shape_of(*f, b + "ffn_up.weight"), (std::vector<std::uint64_t>{64, 160}));
    EXPECT_EQ(shape_of(*f, b + "ffn_down.weight"), (std::vector<std::uint64_t>{160, 64}));
    EXPECT_EQ(f->find_tensor(b + "attn_q.bias"), nullptr);
  }
  EXPECT_EQ(f->tensors().size(), 3u + 2u * 9u);
  for (const gguf::TensorInfo& t : f->tensors()) EXPECT_EQ(t.type, GgmlType::kF32) << t.name;
}

TEST(SynthModelTest, TinyBpeIsQwen2WithBiasesAndTiedOutput) {
  TempFile file("tiny_bpe_meta");
  SynthOptions o;
  o.preset = "tiny-bpe";
  o.weight_type = GgmlType::kQ8_0;
  o.n_threads = 2;
  auto f = write_and_open(o, file);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f->get_string("general.architecture"), "qwen2");
  EXPECT_EQ(*f->get_uint("general.file_type"), 7u);
  EXPECT_EQ(*f->get_uint("qwen2.block_count"), 2u);
  EXPECT_FLOAT_EQ(static_cast<float>(*f->get_float("qwen2.rope.freq_base")), 1e6f);
  EXPECT_EQ(*f->get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(*f->get_string("tokenizer.ggml.pre"), "qwen2");
  EXPECT_GT((*f->get_array("tokenizer.ggml.merges"))->size(), 100u);
  EXPECT_EQ(f->find("tokenizer.ggml.scores"), nullptr);
  EXPECT_EQ(f->find_tensor("output.weight"), nullptr);
  EXPECT_EQ(shape_of(*f, "blk.0.attn_q.bias"), (std::vector<std::uint64_t>{64}));
  EXPECT_EQ(shape_of(*f, "blk.1.attn_k.bias"), (std::vector<std::uint64_t>{32}));
  EXPECT_EQ(shape_of(*f, "blk.1.attn_v.bias"), (std::vector<std::uint64_t>{32}));
  EXPECT_EQ(f->find_tensor("blk.0.attn_q.weight")->type, GgmlType::kQ8_0);
  EXPECT_EQ(f->find_tensor("blk.0.attn_q.bias")->type, GgmlType::kF32);
  EXPECT_EQ(f->find_tensor("blk.0.attn_norm.weight")->type, GgmlType::kF32);
  EXPECT_NE(f->get_string("tokenizer.chat_template")->find("<|im_start|>"), std::string::npos);
}

TEST(SynthModelTest, SameSeedSameBytesOtherSeedOtherBytes) {
  TempFile a("det_a"), b("det_b"), c("det_c");
  SynthOptions o;
  o.preset = "tiny";
  o.weight_type = GgmlType::kQ4_0;
  o.seed = 5;
  o.n_threads = 1;
  ASSERT_TRUE(write_synthetic_model(o, a.path()).is_ok());
  o.n_threads = 2;  // thread count must not matter
  ASSERT_TRUE(write_synthetic_model(o, b.path()).is_ok());
  o.seed = 6;
  ASSERT_TRUE(write_synthetic_model(o, c.path()).is_ok());
  const auto bytes_a = testing::read_file_bytes(a.path());
  EXPECT_FALSE(bytes_a.empty());
  EXPECT_EQ(bytes_a, testing::read_file_bytes(b.path()));
  EXPECT_NE(bytes_a, testing::read_file_bytes(c.path()));
}

TEST(SynthModelTest, EveryWeightTypeWritesAndDecodesToSaneValues) {
  const GgmlType types[] = {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0,
                            GgmlType::kQ4_0, GgmlType::kQ4_K, GgmlType::kQ6_K};
  for (const GgmlType type : types) {
    SCOPED_TRACE(std::string(quant::type_name(type)));
    TempFile file("type");
    SynthOptions o;
    o.preset = "tiny";
    o.weight_type = type;
    o.n_threads = 2;
    auto f = write_and_open(o, file);
    ASSERT_NE(f, nullptr);
    // n_embd 64 holds no 256-element super-block: K types fall back.
    const GgmlType stored = type == GgmlType::kQ4_K ? GgmlType::kQ4_0
                            : type == GgmlType::kQ6_K ? GgmlType::kQ8_0
                                                      : type;
    const gguf::TensorInfo* embd = f->find_tensor("token_embd.weight");
    ASSERT_NE(embd, nullptr);
    EXPECT_EQ(embd->type, stored);
    EXPECT_EQ(f->find_tensor("blk.1.ffn_down.weight")->type, stored);
    EXPECT_EQ(f->find_tensor("output_norm.weight")->type, GgmlType::kF32);

    // The embedding decodes to N(0, (3/sqrt(64))^2) within quantization error.
    const quant::WeightView view{embd->type, f->tensor_data(*embd), 64, 512};
    std::vector<float> row(64);
    double sum = 0.0, sum_sq = 0.0;
    for (std::int64_t r = 0; r < 512; ++r) {
      quant::dequantize_row(view, r, row.data());
      for (const float x : row) {
        ASSERT_TRUE(std::isfinite(x));
        sum += x;
        sum_sq += static_cast<double>(x) * x;
      }
    }
    const double n = 512.0 * 64.0;
    EXPECT_NEAR(sum / n, 0.0, 0.01);
    EXPECT_NEAR(std::sqrt(sum_sq / n), 3.0 / 8.0, 0.03);
  }
}

TEST(SynthModelTest, KQuantsAreUsedWhereRowsHoldSuperBlocks) {
  // smollm2's ffn_down rows (1536) hold whole 256-blocks; its 576-wide rows do not.
  const SynthPreset& p = *find_synth_preset("smollm2-135m");
  for (const TensorPlan& t : plan_tensors(p, 1, GgmlType::kQ4_K)) {
    if (t.one_dim) {
      EXPECT_EQ(t.type, GgmlType::kF32) << t.name;
    } else if (t.n_in == 1536) {
      EXPECT_EQ(t.type, GgmlType::kQ4_K) << t.name;
    } else {
      EXPECT_EQ(t.type, GgmlType::kQ4_0) << t.name;
    }
  }
  core::ThreadPool pool(2);
  for (const GgmlType type : {GgmlType::kQ4_K, GgmlType::kQ6_K}) {
    TensorPlan plan{"blk.0.ffn_down.weight", type, 512, 8, false, Init::kNormal, 0.5f};
    auto bytes = generate_tensor(plan, p, 3, pool);
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
    ASSERT_EQ(bytes->size(), quant::row_bytes(type, 512) * 8);
    std::vector<float> row(512);
    double sum_sq = 0.0;
    for (std::int64_t r = 0; r < 8; ++r) {
      quant::dequantize_row(quant::WeightView{type, bytes->data(), 512, 8}, r, row.data());
      for (const float x : row) sum_sq += static_cast<double>(x) * x;
    }
    EXPECT_NEAR(std::sqrt(sum_sq / (512.0 * 8.0)), 0.5, 0.05);
  }
}

TEST(SynthModelTest, OverridesAndOneLayerRealShape) {
  TempFile file("override");
  SynthOptions o;
  o.preset = "tiny";
  o.weight_type = GgmlType::kF16;
  o.n_layer = 1;
  o.n_ctx = 128;
  o.n_threads = 2;
  auto f = write_and_open(o, file);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f->get_uint("llama.block_count"), 1u);
  EXPECT_EQ(*f->get_uint("llama.context_length"), 128u);
  EXPECT_EQ(f->find_tensor("blk.1.attn_q.weight"), nullptr);
  EXPECT_NE(f->find_tensor("blk.0.attn_q.weight"), nullptr);
}

TEST(SynthModelTest, RejectsBadOptions) {
  TempFile file("bad");
  SynthOptions o;
  o.preset = "nope";
  core::Status st = write_synthetic_model(o, file.path());
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("tiny-bpe"), std::string::npos) << "lists the presets";
  o.preset = "tiny";
  o.weight_type = GgmlType::kQ5_0;
  EXPECT_EQ(write_synthetic_model(o, file.path()).code(), core::StatusCode::kInvalidArgument);
  o.weight_type = GgmlType::kF32;
  o.n_layer = 0;
  EXPECT_EQ(write_synthetic_model(o, file.path()).code(), core::StatusCode::kInvalidArgument);
  o.n_layer.reset();
  EXPECT_EQ(write_synthetic_model(o, "/nonexistent-dir/x.gguf").code(), core::StatusCode::kIoError);
}

TEST(SynthModelTest, Llama3RopeFactorsFollowTheConverter) {
  const std::vector<float> f = llama3_rope_factors(*find_synth_preset("llama-3.2-1b"));
  ASSERT_EQ(f.size(), 32u);
  EXPECT_EQ(f.front(), 1.0f);   // short wavelengths are kept
  EXPECT_EQ(f.back(), 32.0f);   // long wavelengths are scaled by the factor
  for (std::size_t i = 1; i < f.size(); ++i) EXPECT_GE(f[i], f[i - 1]);
  // Dimension pair 16: wavelength 2*pi*500000^(32/64) ~ 4443 lies between
  // 8192/4 and 8192/1, so it is smoothed: 1 / ((1 - s) / 32 + s), s = (8192 / wavelen - 1) / 3.
  const double wavelen = 2.0 * std::numbers::pi * std::pow(500000.0, 32.0 / 64.0);
  const double s = (8192.0 / wavelen - 1.0) / 3.0;
  EXPECT_NEAR(f[16], 1.0 / ((1.0 - s) / 32.0 + s), 1e-3);
  EXPECT_GT(f[16], 1.0f);
  EXPECT_LT(f[16], 32.0f);
}

}  // namespace
}  // namespace greenroute::engine::synth
