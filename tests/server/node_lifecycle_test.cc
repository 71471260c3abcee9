// `greenroute node` as a process: graceful SIGTERM, proxy mode (one node as
// the upstream of another), and memory admission.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "greenroute/engine/model/model.h"
#include "node_test_util.h"

namespace greenroute::server::testing {
namespace {

class NodeLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_scratch_dir("node_life");
    model_ = write_tiny_model(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::unique_ptr<NodeProcess> start(std::vector<std::string> args) {
    std::string error;
    auto p = NodeProcess::start(args, dir_, &error);
    EXPECT_NE(p, nullptr) << error;
    return p;
  }

  fs::path dir_;
  std::string model_;
};

TEST_F(NodeLifecycleTest, SigtermFinishesInFlightStreamsAndExitsZero) {
  auto args = tiny_node_args(model_, "edge-term");
  args.insert(args.end(), {"--grace-ms", "200"});
  auto node = start(args);
  ASSERT_NE(node, nullptr);
  // Long streams, so some are still running when the signal comes.
  std::vector<std::future<StreamReply>> streams;
  for (int i = 0; i < 3; ++i) {
    streams.push_back(std::async(std::launch::async, [&node] {
      return post_stream(*node, "/v1/completions",
                         {{"model", "tiny"}, {"prompt", "a long story"}, {"max_tokens", 480}, {"temperature", 0},
                          {"stream", true}});
    }));
  }
  // Let them start.
  for (int i = 0; i < 100; ++i) {
    const json t = http_call(*node, "GET", "/v1/node/telemetry").json_body();
    if (t["requests"]["in_flight"].get<int>() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(node->signal_and_wait(SIGTERM, std::chrono::seconds(30)), 0) << node->stderr_text();
  for (auto& f : streams) {
    const StreamReply s = f.get();
    // Each stream got a final answer: finished normally, or an error event; then [DONE].
    EXPECT_EQ(s.status, 200);
    EXPECT_TRUE(s.done) << s.raw;
    ASSERT_FALSE(s.events.empty());
    const json& last = s.events.back();
    const bool finished = last.contains("usage");
    const bool errored = last.contains("error") && last["error"]["code"] == "unavailable";
    EXPECT_TRUE(finished || errored) << last;
  }
}

TEST_F(NodeLifecycleTest, SigintOnIdleNodeExitsZero) {
  auto node = start(tiny_node_args(model_, "edge-int"));
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->signal_and_wait(SIGINT, std::chrono::seconds(20)), 0) << node->stderr_text();
}

// --cpus pins every thread of the node (engine, HTTP, sampler) to the CPUs
// given, and the engine takes one thread per CPU unless --threads says.
TEST_F(NodeLifecycleTest, CpusPinsTheWholeProcess) {
  auto args = tiny_node_args(model_, "edge-pinned");
  // tiny_node_args may set --threads; the pinned default is what is tested.
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--threads") args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
  }
  args.insert(args.end(), {"--cpus", "0"});
  auto node = start(args);
  ASSERT_NE(node, nullptr);
  ASSERT_EQ(post(*node, "/v1/completions", {{"model", "tiny"}, {"prompt", "pin"}, {"max_tokens", 2}}).status, 200);
  // Every thread of the process, not only the main one.
  const fs::path tasks = fs::path("/proc") / std::to_string(node->pid()) / "task";
  int threads = 0;
  for (const auto& t : fs::directory_iterator(tasks)) {
    const std::string status = greenroute::testing::read_text_file(t.path() / "status");
    const auto at = status.find("Cpus_allowed_list:");
    ASSERT_NE(at, std::string::npos);
    const std::string line = status.substr(at, status.find('\n', at) - at);
    EXPECT_EQ(line.substr(line.find_last_of(" \t") + 1), "0") << t.path() << ": " << line;
    ++threads;
  }
  EXPECT_GT(threads, 2);
  const json t = http_call(*node, "GET", "/v1/node/telemetry").json_body();
  EXPECT_EQ(t["device"]["threads"], 1);
  EXPECT_EQ(node->signal_and_wait(SIGTERM, std::chrono::seconds(20)), 0) << node->stderr_text();
}

TEST_F(NodeLifecycleTest, ProxyModeFrontsAnotherNode) {
  auto upstream = start(tiny_node_args(model_, "engine-node"));
  ASSERT_NE(upstream, nullptr);
  auto proxy = start({"--upstream", upstream->url() + "/v1", "--name", "proxy-node", "--zone", "DE", "--carbon",
                      "static:300", "--meter", "cpu-estimate"});
  ASSERT_NE(proxy, nullptr);

  const HttpReply r = post(*proxy, "/v1/completions",
                           {{"model", "tiny"}, {"prompt", "The sun"}, {"max_tokens", 5}, {"temperature", 0}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json_body();
  expect_cost(j["usage"], "proxy-node");
  EXPECT_EQ(r.header("X-Greenroute-Node"), "proxy-node");
  const HttpReply direct = post(*upstream, "/v1/completions",
                                {{"model", "tiny"}, {"prompt", "The sun"}, {"max_tokens", 5}, {"temperature", 0}});
  EXPECT_EQ(j["choices"][0]["text"], direct.json_body()["choices"][0]["text"]);
  EXPECT_EQ(j["usage"]["prompt_tokens"], direct.json_body()["usage"]["prompt_tokens"]);

  // Streaming chat with include_usage: the upstream's chunks, then a usage chunk with the proxy's cost.
  const StreamReply s = post_stream(*proxy, "/v1/chat/completions",
                                    {{"model", "tiny"}, {"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                                     {"max_tokens", 5}, {"stream", true}, {"stream_options", {{"include_usage", true}}}});
  ASSERT_EQ(s.status, 200) << s.raw;
  EXPECT_TRUE(s.done);
  EXPECT_EQ(s.header("X-Greenroute-Node"), "proxy-node");
  ASSERT_GE(s.events.size(), 2u);
  EXPECT_EQ(s.events.front()["choices"][0]["delta"]["role"], "assistant");
  const json& last = s.events.back();
  EXPECT_TRUE(last["choices"].empty()) << last;
  expect_cost(last["usage"], "proxy-node");

  // Streaming without include_usage: the cost rides on the last chunk.
  const StreamReply s2 = post_stream(*proxy, "/v1/completions",
                                     {{"model", "tiny"}, {"prompt", "x"}, {"max_tokens", 3}, {"stream", true}});
  ASSERT_EQ(s2.status, 200);
  ASSERT_FALSE(s2.events.empty());
  expect_cost(s2.events.back()["usage"], "proxy-node");

  // The upstream's errors pass through; ours come first.
  const HttpReply unknown = post(*proxy, "/v1/completions", {{"model", "nope"}, {"prompt", "x"}});
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.json_body()["error"]["code"], "model_not_found");
  const HttpReply bad = http_call(*proxy, "POST", "/v1/completions", "{oops");
  EXPECT_EQ(bad.status, 400);
  const HttpReply models = http_call(*proxy, "GET", "/v1/models");
  ASSERT_EQ(models.status, 200);
  EXPECT_EQ(models.json_body()["data"][0]["id"], "tiny");
  const json t = http_call(*proxy, "GET", "/v1/node/telemetry").json_body();
  EXPECT_EQ(t["mode"], "proxy");
  EXPECT_GT(t["energy"]["attributed_joules_total"].get<double>(), 0.0);

  // Upstream gone: 502, not a hang.
  EXPECT_EQ(upstream->signal_and_wait(SIGTERM, std::chrono::seconds(20)), 0);
  const HttpReply gone = post(*proxy, "/v1/completions", {{"model", "tiny"}, {"prompt", "x"}, {"max_tokens", 2}});
  EXPECT_EQ(gone.status, 502) << gone.body;
  EXPECT_EQ(gone.json_body()["error"]["code"], "upstream_unavailable");
  EXPECT_EQ(proxy->signal_and_wait(SIGTERM, std::chrono::seconds(20)), 0);
}

TEST_F(NodeLifecycleTest, WorkTheMemoryModelCannotHoldIsRefused) {
  // A budget that holds the weights, the scratch and 128 tokens of KV for one sequence.
  auto m = engine::model::Model::load(model_);
  ASSERT_TRUE(m.is_ok());
  engine::model::MemoryParams mp;
  mp.max_outputs = 1;
  mp.n_threads = 1;
  mp.n_ctx = 512;
  const std::uint64_t budget = (*m)->memory_model(mp).bytes_for(1, 128);
  auto args = tiny_node_args(model_, "edge-small");
  args.insert(args.end(), {"--max-batch", "1", "--ctx", "512", "--memory-limit", std::to_string(budget)});
  auto node = start(args);
  ASSERT_NE(node, nullptr);
  const HttpReply big = post(*node, "/v1/completions", {{"model", "tiny"}, {"prompt", "x"}, {"max_tokens", 400}});
  EXPECT_EQ(big.status, 400) << big.body;
  EXPECT_EQ(big.json_body()["error"]["code"], "insufficient_memory") << big.body;
  const HttpReply small = post(*node, "/v1/completions", {{"model", "tiny"}, {"prompt", "x"}, {"max_tokens", 20}});
  EXPECT_EQ(small.status, 200) << small.body;
  const json t = http_call(*node, "GET", "/v1/node/telemetry").json_body();
  EXPECT_EQ(t["memory"]["limit_bytes"], budget);
  EXPECT_LE(t["memory"]["used_bytes"].get<std::uint64_t>(), budget);
}


TEST_F(NodeLifecycleTest, ProfileSetsBatchAndMemoryAndShowsInTelemetry) {
  const std::string profile = std::string(GREENROUTE_SOURCE_DIR) + "/profiles/jetson-orin-nx-8gb.json";
  auto node = start({"--model", model_, "--profile", profile, "--meter", "cpu-estimate", "--threads", "1",
                     "--name", "orin"});
  ASSERT_NE(node, nullptr);
  const json t = http_call(*node, "GET", "/v1/node/telemetry").json_body();
  ASSERT_TRUE(t["profile"].is_object()) << t;
  EXPECT_EQ(t["profile"]["kind"], "reference");
  EXPECT_EQ(t["batch"]["max_batch"], t["profile"]["knee_batch"]);  // the energy knee by default
  EXPECT_EQ(t["memory"]["limit_bytes"], t["profile"]["memory_bytes"]);
  EXPECT_EQ(t["device"]["name"], t["profile"]["device"]);
  // No zone: carbon is unknown, and says so, but energy is still reported.
  EXPECT_TRUE(t["carbon"]["intensity_g_per_kwh"].is_null());
  const HttpReply r = post(*node, "/v1/completions", {{"model", "tiny"}, {"prompt", "x"}, {"max_tokens", 2}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json u = r.json_body()["usage"];
  EXPECT_GT(u["energy_joules"].get<double>(), 0.0);
  EXPECT_TRUE(u["carbon_grams"].is_null());
  EXPECT_TRUE(u["intensity_g_per_kwh"].is_null());
}

}  // namespace
}  // namespace greenroute::server::testing
