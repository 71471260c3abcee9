// Context: the optimized forward pass against the naive reference, batched
// against sequential decoding, chunking, and error cases.
#include "greenroute/engine/context/context.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "engine/model/reference_forward.h"
#include "engine/model/tiny_model.h"

namespace greenroute::engine::context {
namespace {

using model::Architecture;
using testing::TinyModelSpec;

std::unique_ptr<model::Model> load(const TinyModelSpec& spec, const std::string& name) {
  auto m = model::Model::load(testing::write_tiny_model(spec, name));
  EXPECT_TRUE(m.is_ok()) << m.status().to_string();
  return m.is_ok() ? std::move(m).value() : nullptr;
}

std::unique_ptr<Context> make_context(const model::Model& m, ContextParams p) {
  auto c = Context::create(m, p);
  EXPECT_TRUE(c.is_ok()) << c.status().to_string();
  return c.is_ok() ? std::move(c).value() : nullptr;
}

std::int32_t argmax(std::span<const float> v) {
  return static_cast<std::int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

double max_abs_diff(std::span<const float> a, const std::vector<double>& b) {
  double d = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(static_cast<double>(a[i]) - b[i]));
  return d;
}

const std::vector<std::int32_t> kPrompt = {1, 17, 42, 5, 88, 63, 30, 12, 71, 9, 54, 20, 33, 3};

struct ArchCase {
  Architecture arch;
  bool rope_freqs;
  quant::GgmlType kv_type;
  double tolerance;
  const char* file;
};

class ReferenceTest : public ::testing::TestWithParam<ArchCase> {};

// Token-by-token decoding and one whole-prompt pass both match the reference
// at every position.
TEST_P(ReferenceTest, MatchesNaiveForward) {
  const ArchCase& ac = GetParam();
  TinyModelSpec spec;
  spec.arch = ac.arch;
  spec.rope_freqs = ac.rope_freqs;
  auto m = load(spec, ac.file);
  ASSERT_NE(m, nullptr);
  const auto ref = testing::reference_logits(*m, kPrompt);

  ContextParams p;
  p.n_threads = 2;
  p.n_ctx = 64;
  p.kv_type = ac.kv_type;
  p.max_sequences = 2;
  auto ctx = make_context(*m, p);
  ASSERT_NE(ctx, nullptr);
  const int s = *ctx->add_sequence();
  std::vector<float> logits;
  for (std::size_t t = 0; t < kPrompt.size(); ++t) {
    const SequenceChunk ch{s, std::span<const std::int32_t>(&kPrompt[t], 1)};
    ASSERT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
    ASSERT_EQ(logits.size(), 96u);
    EXPECT_LT(max_abs_diff(logits, ref[t]), ac.tolerance) << "position " << t;
  }
  EXPECT_EQ(ctx->sequence_length(s), static_cast<std::int64_t>(kPrompt.size()));

  const int s2 = *ctx->add_sequence();
  const SequenceChunk whole{s2, kPrompt};
  ASSERT_TRUE(ctx->decode({&whole, 1}, logits).is_ok());
  EXPECT_LT(max_abs_diff(logits, ref.back()), ac.tolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Archs, ReferenceTest,
    ::testing::Values(ArchCase{Architecture::kLlama, false, quant::GgmlType::kF32, 2e-4, "ctx_llama.gguf"},
                      ArchCase{Architecture::kQwen2, false, quant::GgmlType::kF32, 2e-4, "ctx_qwen2.gguf"},
                      ArchCase{Architecture::kLlama, true, quant::GgmlType::kF32, 2e-4, "ctx_llama3.gguf"},
                      ArchCase{Architecture::kLlama, false, quant::GgmlType::kF16, 2e-2, "ctx_llama_f16.gguf"},
                      ArchCase{Architecture::kQwen2, false, quant::GgmlType::kF16, 2e-2, "ctx_qwen2_f16.gguf"}));

// Greedy continuation of several prompts, decoded together or each alone,
// gives the same logits and tokens.
TEST(ContextTest, BatchedEqualsSequential) {
  TinyModelSpec spec;
  auto m = load(spec, "ctx_batch.gguf");
  ASSERT_NE(m, nullptr);
  const std::vector<std::vector<std::int32_t>> prompts = {
      {1, 10, 20, 30}, {1, 50, 60, 70, 80, 90, 11}, {1, 5}};
  constexpr int kSteps = 6;
  ContextParams p;
  p.n_threads = 2;
  p.n_ctx = 64;
  p.max_sequences = 3;

  // Alone.
  std::vector<std::vector<std::vector<float>>> alone(prompts.size());
  std::vector<std::vector<std::int32_t>> alone_tokens(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    auto ctx = make_context(*m, p);
    const int s = *ctx->add_sequence();
    std::vector<float> logits;
    SequenceChunk ch{s, prompts[i]};
    ASSERT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
    for (int k = 0; k < kSteps; ++k) {
      alone[i].push_back(logits);
      alone_tokens[i].push_back(argmax(logits));
      ch = SequenceChunk{s, {&alone_tokens[i].back(), 1}};
      ASSERT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
    }
  }

  // Together.
  auto ctx = make_context(*m, p);
  std::vector<int> seqs;
  std::vector<SequenceChunk> chunks;
  for (const auto& pr : prompts) {
    seqs.push_back(*ctx->add_sequence());
    chunks.push_back({seqs.back(), pr});
  }
  std::vector<float> logits;
  ASSERT_TRUE(ctx->decode(chunks, logits).is_ok());
  std::vector<std::int32_t> next(prompts.size());
  for (int k = 0; k < kSteps; ++k) {
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      std::span<const float> row(logits.data() + i * 96, 96);
      for (std::size_t v = 0; v < 96; ++v) ASSERT_NEAR(row[v], alone[i][k][v], 1e-5) << "seq " << i << " step " << k;
      next[i] = argmax(row);
      EXPECT_EQ(next[i], alone_tokens[i][k]);
      chunks[i] = SequenceChunk{seqs[i], {&next[i], 1}};
    }
    ASSERT_TRUE(ctx->decode(chunks, logits).is_ok());
  }
}

// A prompt split over several passes (max_batch_tokens smaller than it) gives
// the same logits as one pass.
TEST(ContextTest, PromptSplitAcrossPasses) {
  TinyModelSpec spec;
  auto m = load(spec, "ctx_split.gguf");
  ASSERT_NE(m, nullptr);
  ContextParams p;
  p.n_threads = 2;
  p.n_ctx = 64;
  p.max_sequences = 2;
  auto big = make_context(*m, p);
  p.max_batch_tokens = 5;
  auto small = make_context(*m, p);
  std::vector<SequenceChunk> a = {{*big->add_sequence(), kPrompt}, {*big->add_sequence(), {kPrompt.data(), 3}}};
  std::vector<SequenceChunk> b = {{*small->add_sequence(), kPrompt}, {*small->add_sequence(), {kPrompt.data(), 3}}};
  std::vector<float> la, lb;
  ASSERT_TRUE(big->decode(a, la).is_ok());
  ASSERT_TRUE(small->decode(b, lb).is_ok());
  ASSERT_EQ(la.size(), lb.size());
  for (std::size_t i = 0; i < la.size(); ++i) EXPECT_NEAR(la[i], lb[i], 1e-5);
  EXPECT_EQ(small->sequence_length(b[0].seq), static_cast<std::int64_t>(kPrompt.size()));
  EXPECT_EQ(small->sequence_length(b[1].seq), 3);
}

TEST(ContextTest, RejectsBadInput) {
  TinyModelSpec spec;
  auto m = load(spec, "ctx_errors.gguf");
  ASSERT_NE(m, nullptr);
  ContextParams p;
  p.n_threads = 1;
  p.n_ctx = 16;
  p.max_sequences = 2;
  auto ctx = make_context(*m, p);
  const int s = *ctx->add_sequence();
  std::vector<float> logits;

  const std::vector<std::int32_t> bad = {1, 96};
  SequenceChunk ch{s, bad};
  core::Status st = ctx->decode({&ch, 1}, logits);
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("token id 96"), std::string::npos) << st.message();
  const std::vector<std::int32_t> negative = {-1};
  ch = {s, negative};
  EXPECT_EQ(ctx->decode({&ch, 1}, logits).code(), core::StatusCode::kInvalidArgument);

  const std::vector<std::int32_t> long_prompt(17, 5);
  ch = {s, long_prompt};
  st = ctx->decode({&ch, 1}, logits);
  EXPECT_EQ(st.code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("prompt of 17 tokens exceeds the context of 16"), std::string::npos) << st.message();
  EXPECT_EQ(ctx->sequence_length(s), 0);  // nothing appended on error

  ch = {7, kPrompt};
  EXPECT_EQ(ctx->decode({&ch, 1}, logits).code(), core::StatusCode::kInvalidArgument);
  const std::vector<std::int32_t> one = {1};
  std::vector<SequenceChunk> dup = {{s, one}, {s, one}};
  EXPECT_EQ(ctx->decode(dup, logits).code(), core::StatusCode::kInvalidArgument);
  ch = {s, {}};
  EXPECT_EQ(ctx->decode({&ch, 1}, logits).code(), core::StatusCode::kInvalidArgument);

  // Filling the context exactly works; one more token is refused.
  const std::vector<std::int32_t> full(16, 7);
  ch = {s, full};
  ASSERT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
  ch = {s, one};
  st = ctx->decode({&ch, 1}, logits);
  EXPECT_EQ(st.code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("would reach 17 tokens"), std::string::npos) << st.message();

  EXPECT_TRUE(ctx->add_sequence().is_ok());
  EXPECT_EQ(ctx->add_sequence().status().code(), core::StatusCode::kResourceExhausted);
}

TEST(ContextTest, MemoryLimitIsEnforced) {
  TinyModelSpec spec;
  auto m = load(spec, "ctx_memory.gguf");
  ASSERT_NE(m, nullptr);
  ContextParams p;
  p.n_threads = 1;
  p.n_ctx = 128;
  p.max_sequences = 4;
  p.memory_limit_bytes = 1000;
  auto too_small = Context::create(*m, p);
  ASSERT_FALSE(too_small.is_ok());
  EXPECT_EQ(too_small.status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(too_small.status().message().find("memory limit"), std::string::npos);

  // Room for exactly two blocks of KV: the third block is refused.
  p.memory_limit_bytes = 0;
  auto probe = make_context(*m, p);
  const model::MemoryModel& mm = probe->memory_model();
  p.memory_limit_bytes = mm.weight_bytes + mm.compute_bytes() + mm.kv_bytes(128);
  auto ctx = make_context(*m, p);
  ASSERT_NE(ctx, nullptr);
  const int a = *ctx->add_sequence();
  const std::vector<std::int32_t> toks(100, 9);
  std::vector<float> logits;
  SequenceChunk ch{a, toks};
  ASSERT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
  const int b = *ctx->add_sequence();
  ch = {b, toks};
  const core::Status st = ctx->decode({&ch, 1}, logits);
  EXPECT_EQ(st.code(), core::StatusCode::kResourceExhausted) << st.to_string();
  EXPECT_LE(ctx->kv_allocated_bytes(), mm.kv_bytes(128));
}

// llama.cpp (CPU) greedy output for stories260K from BOS + "Once upon a time".
TEST(ContextTest, Stories260KGreedyMatchesLlamaCpp) {
  const std::string path = testing::stories260k_path();
  if (path.empty()) GTEST_SKIP() << "shared data absent: stories260K.gguf not found";
  auto m = model::Model::load(path);
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  std::vector<std::int32_t> prompt = (*m)->tokenizer().tokenize("Once upon a time", true, false);
  ASSERT_FALSE(prompt.empty());
  ASSERT_EQ(prompt[0], 1);
  ContextParams p;
  p.n_threads = 2;
  p.n_ctx = 128;
  auto ctx = make_context(**m, p);
  const int s = *ctx->add_sequence();
  std::vector<float> logits;
  SequenceChunk ch{s, prompt};
  ASSERT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
  const std::vector<std::int32_t> expected = {432, 383, 286, 261, 376, 298, 315, 421, 395, 317,
                                              426, 338, 401, 396, 267, 337, 410, 408, 419, 292};
  std::vector<std::int32_t> got;
  std::string text;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    got.push_back(argmax(logits));
    text += (*m)->tokenizer().token_to_piece(got.back());
    ch = {s, {&got.back(), 1}};
    ASSERT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(text.rfind(", there was a little girl named Lily.", 0), 0u) << text;
}

}  // namespace
}  // namespace greenroute::engine::context
