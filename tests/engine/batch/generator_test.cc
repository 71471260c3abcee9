// Generator: continuous batching gives each request the tokens it would get
// alone; stop conditions, cancellation, admission and timing.
#include "greenroute/engine/batch/generator.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "engine/model/tiny_model.h"

namespace greenroute::engine::batch {
namespace {

using testing::TinyModelSpec;

// A clock that moves 1 ms every time it is read.
class TickingClock final : public core::Clock {
 public:
  std::int64_t now_ns() const override { return t_ += 1'000'000; }

 private:
  mutable std::int64_t t_ = 0;
};

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TinyModelSpec spec;
    spec.seed = 7;
    auto m = model::Model::load(testing::write_tiny_model(spec, "gen_tiny.gguf"));
    ASSERT_TRUE(m.is_ok()) << m.status().to_string();
    model_ = std::move(m).value().release();
  }
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }

  std::unique_ptr<context::Context> make_context(int max_sequences, std::int64_t max_batch_tokens = 512,
                                                 std::uint64_t memory_limit = 0) {
    context::ContextParams p;
    p.n_threads = 2;
    p.n_ctx = 64;
    p.max_sequences = max_sequences;
    p.max_batch_tokens = max_batch_tokens;
    p.memory_limit_bytes = memory_limit;
    auto c = context::Context::create(*model_, p);
    EXPECT_TRUE(c.is_ok()) << c.status().to_string();
    return std::move(c).value();
  }

  static GenerationRequest greedy(std::vector<std::int32_t> prompt, int max_tokens) {
    GenerationRequest r;
    r.prompt = std::move(prompt);
    r.sampling.temperature = 0.0f;
    r.max_tokens = max_tokens;
    r.ignore_eos = true;
    return r;
  }

  // Greedy tokens straight from the Context, one sequence alone.
  std::vector<std::int32_t> context_greedy(const std::vector<std::int32_t>& prompt, int n) {
    auto ctx = make_context(1);
    const int s = *ctx->add_sequence();
    std::vector<float> logits;
    std::vector<std::int32_t> out;
    context::SequenceChunk ch{s, prompt};
    for (int k = 0; k < n; ++k) {
      EXPECT_TRUE(ctx->decode({&ch, 1}, logits).is_ok());
      out.push_back(static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin()));
      ch = {s, {&out.back(), 1}};
    }
    return out;
  }

  static model::Model* model_;
  TickingClock clock_;
};

model::Model* GeneratorTest::model_ = nullptr;

const std::vector<std::vector<std::int32_t>> kPrompts = {
    {1, 10, 20, 30}, {1, 50, 60, 70, 80, 90, 11, 12, 13}, {1, 5}, {1, 40, 41, 42, 43, 44}};

TEST_F(GeneratorTest, RunToCompletionMatchesSequentialGreedy) {
  auto ctx = make_context(4);
  Generator gen(*ctx, clock_);
  std::vector<GenerationRequest> reqs;
  for (const auto& p : kPrompts) reqs.push_back(greedy(p, 8));
  auto results = gen.run_to_completion(reqs, 4);
  ASSERT_TRUE(results.is_ok()) << results.status().to_string();
  ASSERT_EQ(results->size(), kPrompts.size());
  for (std::size_t i = 0; i < kPrompts.size(); ++i) {
    const GenerationResult& r = (*results)[i];
    EXPECT_EQ(r.tokens, context_greedy(kPrompts[i], 8)) << "request " << i;
    EXPECT_EQ(r.reason, FinishReason::kLength);
    EXPECT_EQ(r.prompt_tokens, static_cast<int>(kPrompts[i].size()));
    EXPECT_GT(r.ttft_ms, 0.0);
    EXPECT_GE(r.total_ms, r.ttft_ms);
    EXPECT_EQ(r.logprobs.size(), 8u);
    std::string text;
    for (std::int32_t t : r.tokens) text += model_->tokenizer().token_to_piece(t);
    EXPECT_EQ(r.text, text);
  }
  EXPECT_TRUE(gen.idle());
  EXPECT_EQ(ctx->live_sequences(), 0);
}

// Requests joining while others are mid-generation, with prefill split over
// several steps (max_batch_tokens 4), still get their solo tokens.
TEST_F(GeneratorTest, SequencesJoiningMidwayMatchSolo) {
  auto ctx = make_context(3, 4);
  Generator gen(*ctx, clock_);
  std::vector<RequestId> ids;
  std::vector<std::vector<std::int32_t>> got(kPrompts.size());
  std::vector<bool> done(kPrompts.size(), false);
  std::vector<TokenEvent> events;
  std::size_t next = 0;
  int steps = 0;
  std::size_t max_running = 0;
  while (next < kPrompts.size() || !gen.idle()) {
    if (next < kPrompts.size() && steps % 3 == 0) {
      auto id = gen.submit(greedy(kPrompts[next], 6 + static_cast<int>(next)));
      ASSERT_TRUE(id.is_ok());
      ids.push_back(*id);
      ++next;
    }
    events.clear();
    ASSERT_TRUE(gen.step(events).is_ok());
    max_running = std::max(max_running, gen.running());
    for (const TokenEvent& ev : events) {
      const std::size_t i = static_cast<std::size_t>(std::find(ids.begin(), ids.end(), ev.id) - ids.begin());
      ASSERT_LT(i, ids.size());
      ASSERT_FALSE(done[i]);
      got[i].push_back(ev.token);
      if (ev.finished) done[i] = true;
    }
    ASSERT_LT(++steps, 500);
  }
  EXPECT_LE(max_running, 3u);
  for (std::size_t i = 0; i < kPrompts.size(); ++i) {
    EXPECT_TRUE(done[i]);
    EXPECT_EQ(got[i], context_greedy(kPrompts[i], 6 + static_cast<int>(i))) << "request " << i;
  }
}

TEST_F(GeneratorTest, StopStringEndsAndIsExcluded) {
  // Find what the model says greedily, then stop on a piece of it.
  auto ctx = make_context(1);
  Generator gen(*ctx, clock_);
  auto full = gen.run_to_completion({greedy(kPrompts[0], 10)}, 1);
  ASSERT_TRUE(full.is_ok());
  const std::string text = (*full)[0].text;
  ASSERT_GE(text.size(), 6u);
  const std::string stop = text.substr(3, 3);
  GenerationRequest r = greedy(kPrompts[0], 10);
  r.stop = {stop};
  auto stopped = gen.run_to_completion({r}, 1);
  ASSERT_TRUE(stopped.is_ok());
  EXPECT_EQ((*stopped)[0].reason, FinishReason::kStop);
  EXPECT_EQ((*stopped)[0].text, text.substr(0, text.find(stop)));
  EXPECT_LT((*stopped)[0].tokens.size(), 10u);
}

TEST_F(GeneratorTest, LogprobsAreReported) {
  auto ctx = make_context(1);
  Generator gen(*ctx, clock_);
  GenerationRequest r = greedy(kPrompts[1], 3);
  r.logprobs = 5;
  auto res = gen.run_to_completion({r}, 1);
  ASSERT_TRUE(res.is_ok());
  const GenerationResult& g = (*res)[0];
  ASSERT_EQ(g.top_logprobs.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(g.top_logprobs[k].size(), 5u);
    // Greedy: the chosen token is the most likely one.
    EXPECT_EQ(g.top_logprobs[k][0].token, g.tokens[k]);
    EXPECT_FLOAT_EQ(g.top_logprobs[k][0].logprob, g.logprobs[k]);
    EXPECT_LE(g.logprobs[k], 0.0f);
    for (std::size_t j = 1; j < 5; ++j) EXPECT_LE(g.top_logprobs[k][j].logprob, g.top_logprobs[k][j - 1].logprob);
  }
}

TEST_F(GeneratorTest, CancelWaitingAndRunning) {
  auto ctx = make_context(1);
  Generator gen(*ctx, clock_);
  auto a = gen.submit(greedy(kPrompts[0], 20));
  auto b = gen.submit(greedy(kPrompts[1], 20));
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  std::vector<TokenEvent> events;
  ASSERT_TRUE(gen.step(events).is_ok());
  EXPECT_EQ(gen.running(), 1u);
  EXPECT_EQ(gen.waiting(), 1u);
  ASSERT_TRUE(gen.cancel(*a).is_ok());
  ASSERT_TRUE(gen.cancel(*b).is_ok());
  EXPECT_EQ(gen.cancel(999).code(), core::StatusCode::kNotFound);
  events.clear();
  ASSERT_TRUE(gen.step(events).is_ok());
  int cancelled = 0;
  for (const TokenEvent& ev : events) {
    if (ev.finished && ev.reason == FinishReason::kCancelled) ++cancelled;
  }
  EXPECT_EQ(cancelled, 2);
  EXPECT_TRUE(gen.idle());
  EXPECT_EQ(ctx->live_sequences(), 0);
}

TEST_F(GeneratorTest, SubmitValidates) {
  auto ctx = make_context(1);
  Generator gen(*ctx, clock_);
  EXPECT_EQ(gen.submit(greedy({}, 4)).status().code(), core::StatusCode::kInvalidArgument);
  auto too_long = gen.submit(greedy(std::vector<std::int32_t>(65, 3), 4));
  EXPECT_EQ(too_long.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("prompt of 65 tokens exceeds the context of 64"), std::string::npos);
  EXPECT_EQ(gen.submit(greedy({1, 96}, 4)).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(gen.submit(greedy({1}, 0)).status().code(), core::StatusCode::kInvalidArgument);
  GenerationRequest bad = greedy({1}, 4);
  bad.sampling.temperature = -1.0f;
  EXPECT_EQ(gen.submit(bad).status().code(), core::StatusCode::kInvalidArgument);
  bad = greedy({1}, 4);
  bad.stop = {""};
  EXPECT_EQ(gen.submit(bad).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(gen.idle());
}

TEST_F(GeneratorTest, ContextEndFinishesWithLength) {
  auto ctx = make_context(1);
  Generator gen(*ctx, clock_);
  auto res = gen.run_to_completion({greedy(std::vector<std::int32_t>(60, 7), 100)}, 1);
  ASSERT_TRUE(res.is_ok());
  EXPECT_EQ((*res)[0].reason, FinishReason::kLength);
  EXPECT_EQ((*res)[0].tokens.size(), 5u);  // 60 + 4 fed back = 64 positions, the 5th is never fed
}

// With memory for two sequences, four requests run at most two at a time.
TEST_F(GeneratorTest, MemoryLimitBoundsAdmission) {
  auto probe = make_context(4);
  const model::MemoryModel& mm = probe->memory_model();
  const std::uint64_t limit = mm.bytes_for(2, 64);
  auto ctx = make_context(4, 512, limit);
  Generator gen(*ctx, clock_);
  std::vector<GenerationRequest> reqs;
  for (const auto& p : kPrompts) reqs.push_back(greedy(p, 50));  // reserves 64 positions each
  std::vector<TokenEvent> events;
  for (auto& r : reqs) ASSERT_TRUE(gen.submit(r).is_ok());
  std::size_t max_running = 0;
  int finished = 0;
  while (!gen.idle()) {
    events.clear();
    ASSERT_TRUE(gen.step(events).is_ok());
    max_running = std::max(max_running, gen.running());
    for (const TokenEvent& ev : events) finished += ev.finished ? 1 : 0;
  }
  EXPECT_EQ(finished, 4);
  EXPECT_EQ(max_running, 2u);

  // A request that cannot fit even alone is refused with the figures.
  context::ContextParams p;
  p.n_threads = 2;
  p.n_ctx = 128;
  auto probe128 = context::Context::create(*model_, p);
  ASSERT_TRUE(probe128.is_ok());
  const model::MemoryModel& m128 = (*probe128)->memory_model();
  p.memory_limit_bytes = m128.weight_bytes + m128.compute_bytes() + m128.kv_bytes(64);
  auto small = context::Context::create(*model_, p);
  ASSERT_TRUE(small.is_ok()) << small.status().to_string();
  Generator g2(**small, clock_);
  EXPECT_TRUE(g2.submit(greedy({1, 2, 3}, 61)).is_ok());  // 64 positions: one block
  auto refused = g2.submit(greedy({1, 2, 3}, 62));       // 65 positions: two blocks
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("batch of 1 sequence x 65 tokens needs"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("at most 0 fit"), std::string::npos) << refused.status().message();
}

TEST(GeneratorStoriesTest, GreedyStoryMatchesLlamaCpp) {
  const std::string path = testing::stories260k_path();
  if (path.empty()) GTEST_SKIP() << "shared data absent: stories260K.gguf not found";
  auto m = model::Model::load(path);
  ASSERT_TRUE(m.is_ok());
  context::ContextParams p;
  p.n_threads = 2;
  p.n_ctx = 512;
  p.max_sequences = 2;
  auto ctx = context::Context::create(**m, p);
  ASSERT_TRUE(ctx.is_ok());
  TickingClock clock;
  Generator gen(**ctx, clock);
  GenerationRequest r;
  r.prompt = (*m)->tokenizer().tokenize("Once upon a time", true, false);
  r.sampling.temperature = 0.0f;
  r.max_tokens = 40;
  GenerationRequest r2 = r;
  r2.max_tokens = 20;
  auto res = gen.run_to_completion({r, r2}, 2);
  ASSERT_TRUE(res.is_ok());
  const std::vector<std::int32_t> llama_cpp = {432, 383, 286, 261, 376, 298, 315, 421, 395, 317,
                                               426, 338, 401, 396, 267, 337, 410, 408, 419, 292};
  EXPECT_EQ((*res)[1].tokens, llama_cpp);
  EXPECT_EQ((*res)[1].text.rfind(", there was a little girl named Lily. She loved to play", 0), 0u)
      << (*res)[1].text;
  EXPECT_EQ((*res)[1].reason, FinishReason::kLength);
  EXPECT_EQ((*res)[0].tokens.size(), 40u);
  EXPECT_EQ((*res)[0].text.rfind((*res)[1].text, 0), 0u);
}

// The model's end-of-generation token ends a request with kEos and no text.
TEST(GeneratorEosTest, EndOfGenerationToken) {
  TinyModelSpec spec;
  spec.seed = 7;
  auto plain = model::Model::load(testing::write_tiny_model(spec, "gen_eos_probe.gguf"));
  ASSERT_TRUE(plain.is_ok());
  context::ContextParams p;
  p.n_threads = 1;
  p.n_ctx = 64;
  TickingClock clock;
  GenerationRequest r;
  r.prompt = kPrompts[1];
  r.sampling.temperature = 0.0f;
  r.max_tokens = 8;
  std::vector<std::int32_t> tokens;
  {
    auto ctx = context::Context::create(**plain, p);
    ASSERT_TRUE(ctx.is_ok());
    Generator gen(**ctx, clock);
    auto res = gen.run_to_completion({r}, 1);
    ASSERT_TRUE(res.is_ok());
    tokens = (*res)[0].tokens;
  }
  // Same weights, but the 4th greedy token is declared the EOS token.
  const std::int32_t eos = tokens[3];
  const auto first = static_cast<std::size_t>(std::find(tokens.begin(), tokens.end(), eos) - tokens.begin());
  spec.eos_id = eos;
  auto m = model::Model::load(testing::write_tiny_model(spec, "gen_eos.gguf"));
  ASSERT_TRUE(m.is_ok());
  ASSERT_TRUE((*m)->tokenizer().is_eog(eos));
  auto ctx = context::Context::create(**m, p);
  ASSERT_TRUE(ctx.is_ok());
  Generator gen(**ctx, clock);
  auto res = gen.run_to_completion({r}, 1);
  ASSERT_TRUE(res.is_ok());
  EXPECT_EQ((*res)[0].reason, FinishReason::kEos);
  EXPECT_EQ((*res)[0].tokens, std::vector<std::int32_t>(tokens.begin(), tokens.begin() + first + 1));
  r.ignore_eos = true;
  auto ignored = gen.run_to_completion({r}, 1);
  ASSERT_TRUE(ignored.is_ok());
  EXPECT_EQ((*ignored)[0].reason, FinishReason::kLength);
  EXPECT_EQ((*ignored)[0].tokens, tokens);
}

}  // namespace
}  // namespace greenroute::engine::batch
