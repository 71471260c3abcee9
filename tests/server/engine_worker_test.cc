// EngineWorker on the tiny synthetic model: queue bound, batching through
// channels, cancellation and shutdown (no HTTP).
#include "engine_worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "greenroute/engine/model/model.h"
#include "greenroute/engine/synth/synth.h"

namespace greenroute::server {
namespace {

namespace batch = engine::batch;
namespace fs = std::filesystem;

class EngineWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("greenroute_worker_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    engine::synth::SynthOptions o;
    o.preset = "tiny";
    o.seed = 3;
    o.n_threads = 1;
    const std::string path = (dir_ / "tiny.gguf").string();
    ASSERT_TRUE(engine::synth::write_synthetic_model(o, path).is_ok());
    auto m = engine::model::Model::load(path);
    ASSERT_TRUE(m.is_ok());
    model_ = std::move(m).value();
    engine::context::ContextParams cp;
    cp.n_threads = 1;
    cp.max_sequences = 2;
    auto c = engine::context::Context::create(*model_, cp);
    ASSERT_TRUE(c.is_ok());
    ctx_ = std::move(c).value();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::shared_ptr<RequestChannel> channel(std::uint64_t id, int prompts, int max_tokens) {
    std::vector<batch::GenerationRequest> reqs;
    for (int i = 0; i < prompts; ++i) {
      batch::GenerationRequest g;
      g.prompt = model_->tokenizer().tokenize("hello " + std::to_string(i), true, false);
      g.max_tokens = max_tokens;
      g.sampling.temperature = 0;
      g.ignore_eos = true;
      reqs.push_back(std::move(g));
    }
    return std::make_shared<RequestChannel>(id, std::move(reqs));
  }

  // Drains a channel; returns the tokens generated per prompt.
  std::vector<int> drain(RequestChannel& ch) {
    std::vector<int> tokens(ch.size(), 0);
    std::vector<ChannelEvent> events;
    for (bool done = false; !done;) {
      events.clear();
      done = ch.wait_events(std::chrono::milliseconds(50), events);
      for (const ChannelEvent& e : events) tokens[e.prompt] += e.event.token >= 0;
    }
    return tokens;
  }

  fs::path dir_;
  std::unique_ptr<engine::model::Model> model_;
  std::unique_ptr<engine::context::Context> ctx_;
  core::SteadyClock clock_;
};

TEST_F(EngineWorkerTest, BoundsTheQueueThenRunsEverything) {
  EnergyLedger ledger(nullptr, clock_);
  EngineWorkerOptions o;
  o.max_batch = 2;
  o.max_queue = 3;
  EngineWorker worker(*ctx_, clock_, ledger, o);
  auto a = channel(1, 2, 5);
  auto b = channel(2, 1, 4);
  auto c = channel(3, 1, 4);
  ASSERT_TRUE(worker.submit(a).is_ok());
  ASSERT_TRUE(worker.submit(b).is_ok());
  const core::Status full = worker.submit(c);  // 2 + 1 queued, +1 > 3
  EXPECT_EQ(full.code(), core::StatusCode::kResourceExhausted) << full.to_string();
  EXPECT_EQ(worker.snapshot().queued_requests, 3u);
  worker.start();
  ASSERT_TRUE(a->wait_admission().is_ok());
  ASSERT_TRUE(b->wait_admission().is_ok());
  EXPECT_EQ(drain(*a), (std::vector<int>{5, 5}));
  EXPECT_EQ(drain(*b), (std::vector<int>{4}));
  EXPECT_TRUE(a->failure().is_ok());
  // The engine publishes its snapshot right after handing out the last events.
  EngineSnapshot s = worker.snapshot();
  for (int i = 0; i < 200 && (s.running != 0 || s.queued_requests != 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s = worker.snapshot();
  }
  EXPECT_EQ(s.queued_requests, 0u);
  EXPECT_EQ(s.running, 0u);
  EXPECT_GT(s.memory_used_bytes, 0u);
  EXPECT_EQ(ledger.totals().open_requests, 0u);
}

TEST_F(EngineWorkerTest, RefusedPromptsRefuseTheWholeRequest) {
  EnergyLedger ledger(nullptr, clock_);
  EngineWorker worker(*ctx_, clock_, ledger, {});
  worker.start();
  std::vector<batch::GenerationRequest> reqs(2);
  reqs[0].prompt = {1, 2, 3};
  reqs[1].prompt = {};  // empty: refused by the Generator
  auto ch = std::make_shared<RequestChannel>(9, std::move(reqs));
  ASSERT_TRUE(worker.submit(ch).is_ok());
  const core::Status st = ch->wait_admission();
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument) << st.to_string();
  EXPECT_NE(st.message().find("prompt[1]"), std::string::npos) << st.message();
  EXPECT_EQ(ledger.totals().open_requests, 0u);
}

TEST_F(EngineWorkerTest, CancelAndStopAlwaysFinishChannels) {
  EnergyLedger ledger(nullptr, clock_);
  EngineWorker worker(*ctx_, clock_, ledger, {});
  worker.start();
  auto a = channel(1, 1, 400);
  ASSERT_TRUE(worker.submit(a).is_ok());
  ASSERT_TRUE(a->wait_admission().is_ok());
  worker.cancel(1);
  EXPECT_LE(drain(*a)[0], 400);  // finishes (cancelled, unless it already ran to the end)
  auto b = channel(2, 1, 400);
  ASSERT_TRUE(worker.submit(b).is_ok());
  ASSERT_TRUE(b->wait_admission().is_ok());
  worker.stop();
  drain(*b);  // returns: the stop failed it
  EXPECT_EQ(b->failure().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(worker.submit(channel(3, 1, 1)).code(), core::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace greenroute::server
