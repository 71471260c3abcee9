// Parity with llama.cpp: the same GGUF files through greenroute and through
// llama.cpp (tests/parity/reference.mjs, via node-llama-cpp) must give the
// same tokens, the same next-token distributions (within a bound per weight
// type) and the same greedy continuations.
//
// Synthetic models are written at test time (every supported weight type, an
// SPM/llama and a BPE/qwen2 vocabulary); the real files in shared/data are
// used when present. Each test is one model and one node process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "greenroute/engine/context/context.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/model/model.h"
#include "greenroute/engine/synth/synth.h"
#include "greenroute/engine/vocab/tokenizer.h"
#include "greenroute/engine/vocab/vocab_data.h"
#include "parity/parity_compare.h"
#include "parity/parity_engine.h"
#include "parity/parity_texts.h"
#include "parity/reference_runner.h"

namespace greenroute::parity {
namespace {

namespace fs = std::filesystem;
using engine::quant::GgmlType;

const fs::path kModelsDir = fs::path(GREENROUTE_SHARED_DATA_DIR) / "models";

// A scratch folder per test process, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    path_ = fs::temp_directory_path() / ("greenroute_parity_" + std::to_string(::getpid()) + "_" + name);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Tokenization parity: every text gives the same ids, and detokenizing those
// ids gives the same text.
void expect_same_tokens(const engine::vocab::Tokenizer& tok, const std::vector<TextQuery>& texts,
                        const std::vector<ReferenceText>& ref) {
  ASSERT_EQ(texts.size(), ref.size());
  int token_mismatch = 0;
  int text_mismatch = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const TextQuery& q = texts[i];
    const TokenList ours = tok.tokenize(q.text, q.add_special, q.parse_special);
    if (ours != ref[i].tokens) {
      ++token_mismatch;
      ADD_FAILURE() << "tokenize(\"" << q.text << "\", add_special=" << q.add_special
                    << ", parse_special=" << q.parse_special << ")\n  greenroute: " << format_tokens(ours)
                    << "\n  llama.cpp:  " << format_tokens(ref[i].tokens);
    }
    const std::string text = tok.detokenize(ref[i].tokens, false, q.parse_special);
    if (text != ref[i].detokenized) {
      ++text_mismatch;
      ADD_FAILURE() << "detokenize(" << format_tokens(ref[i].tokens) << ", unparse_special=" << q.parse_special
                    << ")\n  greenroute: \"" << text << "\"\n  llama.cpp:  \"" << ref[i].detokenized << "\"";
    }
  }
  std::cout << "[parity] tokenization: " << texts.size() << " texts, " << token_mismatch << " token mismatches, "
            << text_mismatch << " detokenize mismatches\n";
}

struct ModelCheck {
  std::vector<TextQuery> prompts;
  int n_greedy = 64;
  double max_prob_diff = 1e-3;  // bound on |p_ours - p_llama.cpp| for any token
  bool same_text = false;       // also compare the detokenized greedy text
  // Accept a greedy continuation that leaves llama.cpp's at a near tie (the
  // top-2 margin within twice the logit difference). Off where the engines
  // agree closely enough that every greedy pick must be the same.
  bool allow_near_tie_divergence = true;
};

// Runs llama.cpp and greenroute on one model file and checks everything.
void check_model(const fs::path& path, const ModelCheck& check, const fs::path& work) {
  auto model = engine::model::Model::load(path.string());
  ASSERT_TRUE(model.is_ok()) << model.status().to_string();
  const engine::vocab::Tokenizer& tok = (*model)->tokenizer();

  ReferenceSpec spec;
  spec.model = path;
  spec.texts = parity_texts();
  for (const TextQuery& p : check.prompts) spec.prompts.push_back({{}, p});
  spec.n_greedy = check.n_greedy;
  spec.step_logits = true;
  // llama.cpp's CPU results do not depend on its thread count (checked: bit
  // identical logits with 1 and 2 threads), but its spinning 2-thread barrier
  // stalls for seconds on a loaded 2-core machine, so the reference runs on one.
  spec.threads = 1;
  const ReferenceRun run = run_reference(spec, work);
  if (!run.skip_reason.empty()) GTEST_SKIP() << run.skip_reason;
  ASSERT_TRUE(run.error.empty()) << run.error;
  const ReferenceResult& ref = *run.result;
  ASSERT_EQ(ref.prompts.size(), check.prompts.size());
  ASSERT_EQ(ref.n_vocab, (*model)->config().n_vocab);

  expect_same_tokens(tok, spec.texts, ref.texts);

  std::vector<TokenList> prompts;
  std::vector<TokenList> paths;
  std::int64_t longest = 0;
  for (const ReferencePrompt& p : ref.prompts) {
    prompts.push_back(p.tokens);
    paths.push_back(p.greedy);
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(p.tokens.size()));
  }
  engine::context::ContextParams params;
  params.n_threads = 2;
  params.n_ctx = longest + check.n_greedy + 8;
  params.max_sequences = static_cast<int>(prompts.size());
  auto ctx = engine::context::Context::create(**model, params);
  ASSERT_TRUE(ctx.is_ok()) << ctx.status().to_string();

  // 1. The distribution after each prompt, each prompt alone.
  DiffSummary after_prompt;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    auto logits = prompt_logits(**ctx, prompts[i]);
    ASSERT_TRUE(logits.is_ok()) << logits.status().to_string();
    const DistributionDiff d = compare_distribution(*logits, ref.prompts[i].logits, ref.prompts[i].probs);
    after_prompt.add(d);
    EXPECT_LE(d.max_prob_diff, check.max_prob_diff) << "prompt " << format_tokens(prompts[i]);
    EXPECT_TRUE(d.argmax_ours == d.argmax_ref || (check.allow_near_tie_divergence && is_near_tie(d)))
        << "prompt " << format_tokens(prompts[i]) << ": greenroute picks " << d.argmax_ours << ", llama.cpp "
        << d.argmax_ref << " (margin " << d.ref_margin << ", logit diff " << d.max_logit_diff << ")";
  }

  // 2. Every step of llama.cpp's greedy path, all prompts batched together.
  auto forced = forced_path_logits(**ctx, prompts, paths);
  ASSERT_TRUE(forced.is_ok()) << forced.status().to_string();
  DiffSummary along_path;
  std::vector<std::vector<DistributionDiff>> step_diffs(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const ReferencePrompt& rp = ref.prompts[i];
    ASSERT_EQ(rp.greedy_logits.size(), rp.greedy.size());
    ASSERT_EQ((*forced)[i].size(), rp.greedy.size());
    for (std::size_t k = 0; k < rp.greedy.size(); ++k) {
      const std::vector<double>& ref_logits = rp.greedy_logits[k];
      std::vector<float> ref_f(ref_logits.begin(), ref_logits.end());
      const DistributionDiff d = compare_distribution((*forced)[i][k], ref_logits, softmax(ref_f));
      step_diffs[i].push_back(d);
      along_path.add(d);
      EXPECT_LE(d.max_prob_diff, check.max_prob_diff) << "prompt " << i << " greedy step " << k;
    }
  }
  EXPECT_EQ(along_path.argmax_mismatch, 0) << "greedy picks differ from llama.cpp away from near ties";
  if (!check.allow_near_tie_divergence) {
    EXPECT_EQ(along_path.argmax_near_tie, 0) << "greedy picks differ from llama.cpp (near ties not accepted here)";
  }

  // 3. Free-running greedy generation through the Generator.
  auto generated = generate_greedy(**ctx, prompts, check.n_greedy);
  ASSERT_TRUE(generated.is_ok()) << generated.status().to_string();
  int identical = 0;
  int near_tie_divergence = 0;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const TokenList& ours = (*generated)[i];
    const TokenList& theirs = paths[i];
    if (ours == theirs) {
      ++identical;
      if (check.same_text) {
        EXPECT_EQ(tok.detokenize(ours), tok.detokenize(theirs));
      }
      continue;
    }
    const std::size_t k = static_cast<std::size_t>(
        std::mismatch(ours.begin(), ours.end(), theirs.begin(), theirs.end()).first - ours.begin());
    const bool tie = k < step_diffs[i].size() && is_near_tie(step_diffs[i][k]);
    if (tie) ++near_tie_divergence;
    EXPECT_TRUE(tie && !check.same_text && check.allow_near_tie_divergence)
        << "greedy continuation of prompt " << i << " differs at step " << k
        << (tie ? " (a near tie)" : "") << "\n  greenroute: " << format_tokens(ours)
        << "\n  llama.cpp:  " << format_tokens(theirs) << "\n  text ours:  \"" << tok.detokenize(ours)
        << "\"\n  text ref:   \"" << tok.detokenize(theirs) << "\"";
  }

  std::ostringstream report;
  report << "[parity] " << path.filename().string() << ": max |dp| after prompt " << after_prompt.max_prob_diff
         << ", along " << along_path.compared << " greedy steps " << along_path.max_prob_diff
         << " (bound " << check.max_prob_diff << "); max |dlogit| " << along_path.max_logit_diff
         << "; greedy identical " << identical << "/" << prompts.size() << " (near-tie divergences "
         << near_tie_divergence << ", near-tie argmax flips " << along_path.argmax_near_tie << ")\n";
  std::cout << report.str();
  ::testing::Test::RecordProperty("max_prob_diff",
                                  std::to_string(std::max(after_prompt.max_prob_diff, along_path.max_prob_diff)));
  ::testing::Test::RecordProperty("max_logit_diff", std::to_string(along_path.max_logit_diff));
}

std::vector<TextQuery> synthetic_prompts() {
  return {{"Once upon a time", true, false},
          {"The quick brown fox jumps over the lazy dog.", true, false},
          {"int main() { return 0; }", true, false}};
}

// ---- synthetic models, every supported weight type ----

struct SynthCase {
  const char* preset;
  GgmlType type;
  std::uint32_t n_layer;  // 0: the preset's
  int n_greedy;
  double max_prob_diff;
  bool allow_near_tie_divergence = true;
};

// Names the case in test output (instead of gtest's byte dump).
void PrintTo(const SynthCase& c, std::ostream* os) {
  *os << c.preset << " " << engine::quant::type_name(c.type) << " (max |dp| " << c.max_prob_diff << ")";
}

std::string case_name(const ::testing::TestParamInfo<SynthCase>& info) {
  std::string name = std::string(info.param.preset) + "_" + std::string(engine::quant::type_name(info.param.type));
  if (info.param.n_layer) name += "_" + std::to_string(info.param.n_layer) + "layer";
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

class SyntheticParity : public ::testing::TestWithParam<SynthCase> {};

TEST_P(SyntheticParity, MatchesLlamaCpp) {
  const SynthCase& c = GetParam();
  TempDir dir;
  engine::synth::SynthOptions opts;
  opts.preset = c.preset;
  opts.weight_type = c.type;
  opts.seed = 42;
  opts.n_threads = 2;
  if (c.n_layer) opts.n_layer = c.n_layer;
  const fs::path file = dir.path() / "model.gguf";
  const core::Status st = engine::synth::write_synthetic_model(opts, file.string());
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  check_model(file, {synthetic_prompts(), c.n_greedy, c.max_prob_diff, false, c.allow_near_tie_divergence}, dir.path());
}

// Bounds per weight type on max |p_ours - p_llama.cpp| over every token of
// every compared distribution (after each prompt and at each of 64 greedy
// steps). Measured with seed 42 (2026-11, node-llama-cpp 3.22.1):
//   F32: tiny 2.5e-5, tiny-bpe 3.6e-5, stories260K 6.8e-4;
//   F16/BF16: at most 3.2e-3 (BF16 rounds activations to 8 mantissa bits);
//   Q8_0/Q4_0/Q4_K/Q6_K: mostly ~1e-7 (bit-level agreement), with isolated
//   single-step spikes up to 2.2e-2 (|dlogit| 0.14) that do not persist to the
//   next step, i.e. one rounding decision taken differently, not drift.
// The bounds leave about 2x headroom over the worst measurement.
constexpr double kF32Bound = 1e-3;
constexpr double kHalfBound = 1e-2;
constexpr double kQuantBound = 5e-2;

INSTANTIATE_TEST_SUITE_P(
    AllWeightTypes, SyntheticParity,
    ::testing::Values(SynthCase{"tiny", GgmlType::kF32, 0, 64, kF32Bound},
                      SynthCase{"tiny", GgmlType::kF16, 0, 64, kHalfBound},
                      SynthCase{"tiny", GgmlType::kBF16, 0, 64, kHalfBound},
                      SynthCase{"tiny", GgmlType::kQ8_0, 0, 64, kQuantBound},
                      SynthCase{"tiny", GgmlType::kQ4_0, 0, 64, kQuantBound},
                      SynthCase{"tiny", GgmlType::kQ4_K, 0, 64, kQuantBound},
                      SynthCase{"tiny", GgmlType::kQ6_K, 0, 64, kQuantBound},
                      SynthCase{"tiny-bpe", GgmlType::kF32, 0, 64, kF32Bound},
                      SynthCase{"tiny-bpe", GgmlType::kF16, 0, 64, kHalfBound},
                      SynthCase{"tiny-bpe", GgmlType::kBF16, 0, 64, kHalfBound},
                      SynthCase{"tiny-bpe", GgmlType::kQ8_0, 0, 64, kQuantBound},
                      SynthCase{"tiny-bpe", GgmlType::kQ4_0, 0, 64, kQuantBound},
                      SynthCase{"tiny-bpe", GgmlType::kQ4_K, 0, 64, kQuantBound},
                      SynthCase{"tiny-bpe", GgmlType::kQ6_K, 0, 64, kQuantBound}),
    case_name);

// The tiny presets are 64 wide, so their K-quant tensors fall back to Q4_0 /
// Q8_0 (as llama.cpp's quantize does). Real K-quant blocks need rows of 256:
// one layer of TinyLlama's shape (2048 wide, 32000 tokens), fewer steps.
//
// Measured (seed 42, 2026-11): max |dp| 5.8e-3, max |dlogit| 0.20, greedy
// identical 3/3 with no near tie involved. Before Q8_K activations used
// ggml's -127 grid and the AVX-512 kernels ggml's lane order it was |dlogit|
// 0.39 and 2 of 3 continuations left llama.cpp's at near ties, so near ties
// are no longer accepted here. The remaining 0.2: single-token prompts agree
// to 1e-5 and the same weights in F32 agree to 6e-6 token by token, but
// at positions >= 1 last-bit differences of the attention path (ggml's
// vectorised exp, F16 dot order) can move one Q8_K activation by one step,
// and this random-weight layer turns a 5e-4 change of its attention output
// into ~0.2 in the logits (measured).
constexpr double kKQuantWideBound = 1.5e-2;
INSTANTIATE_TEST_SUITE_P(
    KQuantsAtRealWidth, SyntheticParity,
    ::testing::Values(SynthCase{"tinyllama-1.1b", GgmlType::kQ4_K, 1, 8, kKQuantWideBound, false},
                      SynthCase{"tinyllama-1.1b", GgmlType::kQ6_K, 1, 8, kKQuantWideBound, false}),
    case_name);

// ---- real files from shared/data ----

TEST(RealModelParity, Stories260KSameGreedyText) {
  const fs::path file = kModelsDir / "stories260K.gguf";
  if (!fs::exists(file)) GTEST_SKIP() << file << " is absent (shared test data not available)";
  TempDir dir;
  check_model(file,
              {{{"Once upon a time", true, false}, {"Lily and Tom went to the park. They", true, false},
                {"One day, a little dog", true, false}},
               64, kF32Bound, true},
              dir.path());
}

TEST(RealVocabParity, LlamaSpmTokenization) {
  const fs::path file = kModelsDir / "ggml-vocab-llama-spm.gguf";
  if (!fs::exists(file)) GTEST_SKIP() << file << " is absent (shared test data not available)";
  TempDir dir;
  auto gguf = engine::gguf::GgufFile::open(file.string());
  ASSERT_TRUE(gguf.is_ok()) << gguf.status().to_string();
  auto data = engine::vocab::load_vocab_data(**gguf);
  ASSERT_TRUE(data.is_ok()) << data.status().to_string();
  auto tok = engine::vocab::Tokenizer::create(std::move(*data));
  ASSERT_TRUE(tok.is_ok()) << tok.status().to_string();

  ReferenceSpec spec;
  spec.model = file;
  spec.vocab_only = true;
  spec.texts = parity_texts();
  for (TextQuery& t : ggml_vocab_test_inputs(kModelsDir / "ggml-vocab-llama-spm.gguf.inp")) {
    spec.texts.push_back(std::move(t));
  }
  const ReferenceRun run = run_reference(spec, dir.path());
  if (!run.skip_reason.empty()) GTEST_SKIP() << run.skip_reason;
  ASSERT_TRUE(run.error.empty()) << run.error;
  expect_same_tokens(**tok, spec.texts, run.result->texts);
}

}  // namespace
}  // namespace greenroute::parity
