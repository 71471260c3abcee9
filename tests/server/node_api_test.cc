// `greenroute node` over real HTTP on 127.0.0.1: the OpenAI endpoints,
// streaming, the cost in usage and headers, telemetry, metrics and bad
// input. One node (tiny synthetic model) serves the whole suite.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "node_test_util.h"

namespace greenroute::server::testing {
namespace {

class NodeApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(make_scratch_dir("node_api"));
    const std::string model = write_tiny_model(*dir_);
    std::vector<std::string> args = tiny_node_args(model, "edge-a");
    args.insert(args.end(), {"--max-batch", "4", "--max-wait-ms", "5"});
    std::string error;
    node_ = NodeProcess::start(args, *dir_, &error).release();
    ASSERT_NE(node_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  void SetUp() override { ASSERT_NE(node_, nullptr); }
  const NodeProcess& node() { return *node_; }

  static fs::path* dir_;
  static NodeProcess* node_;
};

fs::path* NodeApiTest::dir_ = nullptr;
NodeProcess* NodeApiTest::node_ = nullptr;

TEST_F(NodeApiTest, CompletionWithCostInUsageAndHeaders) {
  const HttpReply r = post(node(), "/v1/completions",
                           {{"model", "tiny"}, {"prompt", "The sun rises"}, {"max_tokens", 6}, {"temperature", 0}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json_body();
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["model"], "tiny");
  EXPECT_EQ(j["id"].get<std::string>().rfind("cmpl-", 0), 0u);
  ASSERT_EQ(j["choices"].size(), 1u);
  EXPECT_TRUE(j["choices"][0]["text"].is_string());
  const std::string finish = j["choices"][0]["finish_reason"];
  EXPECT_TRUE(finish == "length" || finish == "stop") << finish;
  const json& u = j["usage"];
  expect_cost(u, "edge-a");
  EXPECT_GE(u["completion_tokens"].get<int>(), 1);
  EXPECT_LE(u["completion_tokens"].get<int>(), 6);
  EXPECT_EQ(r.header("X-Greenroute-Node"), "edge-a");
  EXPECT_EQ(r.header("X-Greenroute-Zone"), "DE");
  EXPECT_EQ(r.header("X-Greenroute-Intensity-G-Per-Kwh"), "300");
  EXPECT_EQ(r.header("X-Greenroute-Energy-Source"), "estimated:cpu-estimate");
  EXPECT_NEAR(std::stod(r.header("X-Greenroute-Energy-Joules")), u["energy_joules"].get<double>(), 1e-9);
  EXPECT_FALSE(r.header("X-Greenroute-Carbon-Grams").empty());
}

TEST_F(NodeApiTest, GreedyIsDeterministicAndBatchPromptsGetChoicesInOrder) {
  const json one = {{"model", "tiny"}, {"prompt", "alpha beta"}, {"max_tokens", 5}, {"temperature", 0}};
  const HttpReply a = post(node(), "/v1/completions", one);
  const HttpReply b = post(node(), "/v1/completions", one);
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(a.json_body()["choices"][0]["text"], b.json_body()["choices"][0]["text"]);

  const HttpReply batch = post(node(), "/v1/completions",
                               {{"model", "tiny"}, {"prompt", {"x", "alpha beta", "grid"}}, {"max_tokens", 5},
                                {"temperature", 0}, {"logprobs", 2}});
  ASSERT_EQ(batch.status, 200) << batch.body;
  const json j = batch.json_body();
  ASSERT_EQ(j["choices"].size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(j["choices"][i]["index"], i);
  // Batched with others, greedy text is the same as alone.
  EXPECT_EQ(j["choices"][1]["text"], a.json_body()["choices"][0]["text"]);
  const json& lp = j["choices"][0]["logprobs"];
  ASSERT_TRUE(lp.is_object()) << j;
  EXPECT_EQ(lp["tokens"].size(), lp["token_logprobs"].size());
  EXPECT_LE(lp["top_logprobs"][0].size(), 2u);
  expect_cost(j["usage"], "edge-a");
}

TEST_F(NodeApiTest, ChatCompletion) {
  const HttpReply r = post(node(), "/v1/chat/completions",
                           {{"model", "tiny"},
                            {"messages", {{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Hi"}}}},
                            {"max_completion_tokens", 4},
                            {"seed", 3}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.json_body();
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_TRUE(j["choices"][0]["message"]["content"].is_string());
  expect_cost(j["usage"], "edge-a");
}

TEST_F(NodeApiTest, StreamingCompletionWithIncludeUsage) {
  const StreamReply s = post_stream(node(), "/v1/completions",
                                    {{"model", "tiny"}, {"prompt", "The sun"}, {"max_tokens", 8}, {"temperature", 0},
                                     {"stream", true}, {"stream_options", {{"include_usage", true}}}});
  ASSERT_EQ(s.status, 200) << s.raw;
  EXPECT_EQ(s.header("Content-Type").rfind("text/event-stream", 0), 0u);
  EXPECT_EQ(s.header("X-Greenroute-Node"), "edge-a");
  EXPECT_EQ(s.header("X-Greenroute-Zone"), "DE");
  EXPECT_EQ(s.header("X-Greenroute-Energy-Source"), "estimated:cpu-estimate");
  EXPECT_TRUE(s.done);
  ASSERT_GE(s.events.size(), 2u);
  std::string text;
  int finishes = 0;
  for (std::size_t i = 0; i + 1 < s.events.size(); ++i) {
    const json& e = s.events[i];
    EXPECT_EQ(e["object"], "text_completion");
    ASSERT_EQ(e["choices"].size(), 1u) << e;
    text += e["choices"][0]["text"].get<std::string>();
    finishes += e["choices"][0]["finish_reason"].is_string();
  }
  EXPECT_EQ(finishes, 1);
  const json& last = s.events.back();
  EXPECT_TRUE(last["choices"].empty()) << last;
  expect_cost(last["usage"], "edge-a");
  // The stream says what the non-streaming call says.
  const HttpReply whole = post(node(), "/v1/completions",
                               {{"model", "tiny"}, {"prompt", "The sun"}, {"max_tokens", 8}, {"temperature", 0}});
  EXPECT_EQ(text, whole.json_body()["choices"][0]["text"]);
}

TEST_F(NodeApiTest, StreamingChatCarriesUsageOnTheFinishChunk) {
  const StreamReply s = post_stream(
      node(), "/v1/chat/completions",
      {{"model", "tiny"}, {"messages", {{{"role", "user"}, {"content", "Hello"}}}}, {"max_tokens", 5}, {"stream", true}});
  ASSERT_EQ(s.status, 200) << s.raw;
  EXPECT_TRUE(s.done);
  ASSERT_GE(s.events.size(), 2u);
  EXPECT_EQ(s.events.front()["object"], "chat.completion.chunk");
  EXPECT_EQ(s.events.front()["choices"][0]["delta"]["role"], "assistant");
  const json& last = s.events.back();
  EXPECT_TRUE(last["choices"][0]["finish_reason"].is_string()) << last;
  expect_cost(last["usage"], "edge-a");
}

TEST_F(NodeApiTest, ModelsHealthAndTelemetry) {
  const HttpReply models = http_call(node(), "GET", "/v1/models");
  ASSERT_EQ(models.status, 200);
  EXPECT_EQ(models.json_body()["data"][0]["id"], "tiny");
  const HttpReply health = http_call(node(), "GET", "/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json_body()["status"], "ok");

  ASSERT_EQ(post(node(), "/v1/completions", {{"model", "tiny"}, {"prompt", "warm"}, {"max_tokens", 2}}).status, 200);
  HttpReply t = http_call(node(), "GET", "/v1/node/telemetry");
  ASSERT_EQ(t.status, 200);
  json j = t.json_body();
  // The engine publishes its snapshot just after the last events of a request.
  for (int i = 0; i < 100 && (j["queue"]["requests"] != 0 || j["batch"]["running"] != 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    j = http_call(node(), "GET", "/v1/node/telemetry").json_body();
  }
  EXPECT_EQ(j["node"], "edge-a");
  EXPECT_EQ(j["zone"], "DE");
  EXPECT_EQ(j["mode"], "embedded");
  EXPECT_TRUE(j["device"]["name"].is_string());
  EXPECT_EQ(j["carbon"]["intensity_g_per_kwh"], 300);
  EXPECT_EQ(j["carbon"]["source"], "static");
  EXPECT_EQ(j["power"]["meter"], "cpu-estimate");
  EXPECT_EQ(j["power"]["measured"], false);
  EXPECT_TRUE(j["power"]["watts"].is_number()) << j["power"];
  EXPECT_GT(j["energy"]["device_joules_total"].get<double>(), 0.0);
  EXPECT_GT(j["energy"]["attributed_joules_total"].get<double>(), 0.0);
  EXPECT_EQ(j["queue"]["requests"], 0);
  EXPECT_EQ(j["queue"]["tokens"], 0);
  EXPECT_EQ(j["batch"]["max_batch"], 4);
  EXPECT_GT(j["memory"]["used_bytes"].get<double>(), 0.0);
  EXPECT_GT(j["memory"]["limit_bytes"].get<double>(), 0.0);
  EXPECT_TRUE(j["memory"]["free_bytes"].is_number());
  EXPECT_GT(j["memory"]["kv_bytes_per_token"].get<double>(), 0.0);
  EXPECT_EQ(j["memory"]["kv_block_tokens"], 64);
  // The tokenizer's bytes per token: calibrated at start, then the traffic's.
  EXPECT_GE(j["tokenizer"]["bytes_per_token"].get<double>(), 1.0);
  EXPECT_GT(j["tokenizer"]["observed_prompt_bytes"].get<double>(), 0.0);
  EXPECT_GT(j["tokenizer"]["observed_prompt_tokens"].get<double>(), 0.0);
  EXPECT_TRUE(j["profile"].is_null());
  EXPECT_GE(j["requests"]["completed"].get<int>(), 1);
}

TEST_F(NodeApiTest, MetricsPassPromtool) {
  ASSERT_EQ(post(node(), "/v1/completions", {{"model", "tiny"}, {"prompt", "m"}, {"max_tokens", 2}}).status, 200);
  const HttpReply m = http_call(node(), "GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(m.body.find("greenroute_node_requests_total{endpoint=\"completions\",code=\"200\"}"), std::string::npos);
  EXPECT_NE(m.body.find("greenroute_node_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("greenroute_node_device_energy_joules_total"), std::string::npos);
  EXPECT_NE(m.body.find("greenroute_node_queue_requests"), std::string::npos);
  if (::access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool not installed (package 'prometheus')";
  const fs::path file = *dir_ / "metrics.txt";
  std::ofstream(file) << m.body;
  const std::string cmd = "/usr/bin/promtool check metrics < " + file.string() + " > " + (*dir_ / "promtool.txt").string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << ::greenroute::testing::read_text_file(*dir_ / "promtool.txt") << "\n" << m.body;
}

TEST_F(NodeApiTest, BadRequestsGetOpenAiErrors) {
  struct Case {
    std::string path;
    std::string body;
    int status;
    std::string param;  // "" = null
    std::string code;
  };
  const std::vector<Case> cases = {
      {"/v1/completions", "{not json", 400, "", "invalid_json"},
      {"/v1/completions", "[]", 400, "", "invalid_type"},
      {"/v1/completions", R"({"model": "tiny", "prompt": 42})", 400, "prompt", "invalid_type"},
      {"/v1/completions", R"({"model": "gpt-4", "prompt": "x"})", 404, "model", "model_not_found"},
      {"/v1/completions", R"({"model": "tiny", "prompt": "x", "max_tokens": 999999999})", 400, "max_tokens",
       "invalid_value"},
      {"/v1/completions", R"({"model": "tiny", "prompt": "x", "max_tokens": 100000})", 400, "max_tokens",
       "context_length_exceeded"},
      {"/v1/completions", R"({"model": "tiny", "prompt": "x", "n": 2})", 400, "n", "unsupported"},
      {"/v1/chat/completions", R"({"model": "tiny", "messages": [{"role": "user", "content": 5}]})", 400,
       "messages[0].content", "invalid_type"},
      {"/v1/completions", R"({"model": "tiny", "prompt": "x", "greenroute": {"policy": "nope"}})", 400,
       "greenroute.policy", "unknown_policy"},
      {"/v1/completions", R"({"model": "tiny", "prompt": ")" + std::string(70000, 'a') + "\"}", 413, "",
       "request_too_large"},
      {"/v1/nothing", "{}", 404, "", "not_found"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 80));
    const HttpReply r = http_call(node(), "POST", c.path, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    const json j = r.json_body();
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_TRUE(j["error"]["message"].is_string());
    EXPECT_TRUE(j["error"]["type"].is_string());
    EXPECT_EQ(j["error"]["param"], c.param.empty() ? json(nullptr) : json(c.param)) << r.body;
    EXPECT_EQ(j["error"]["code"], c.code) << r.body;
  }
  // Still serving afterwards.
  EXPECT_EQ(post(node(), "/v1/completions", {{"model", "tiny"}, {"prompt", "ok"}, {"max_tokens", 1}}).status, 200);
}

TEST_F(NodeApiTest, ConcurrentRequestsAreAllAnswered) {
  constexpr int kClients = 12;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      const json body = {{"model", "tiny"}, {"prompt", "client " + std::to_string(i)}, {"max_tokens", 6},
                         {"stream", i % 2 == 0}};
      if (i % 2 == 0) {
        const StreamReply s = post_stream(node(), "/v1/completions", body);
        if (s.status == 200 && s.done && !s.events.empty() && s.events.back().contains("usage")) ++ok;
      } else {
        const HttpReply r = post(node(), "/v1/completions", body);
        if (r.status == 200 && r.json_body()["usage"]["energy_joules"].is_number()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients);
}

// The number after `series ` in a metrics text, 0 when absent.
double metric_value(const std::string& text, const std::string& series) {
  const std::size_t at = text.find(series + " ");
  return at == std::string::npos ? 0.0 : std::stod(text.substr(at + series.size() + 1));
}

TEST_F(NodeApiTest, VanishedStreamingClientDoesNotWedgeTheNode) {
  // A greedy prompt that runs to its length limit (no end-of-generation on the way).
  const json whole = {{"model", "tiny"}, {"prompt", "a long story"}, {"max_tokens", 480}, {"temperature", 0}};
  const bool runs_long = post(node(), "/v1/completions", whole).json_body()["choices"][0]["finish_reason"] == "length";
  const std::string series = "greenroute_node_requests_total{endpoint=\"completions\",code=\"499\"}";
  const double cancelled_before = metric_value(http_call(node(), "GET", "/metrics").body, series);
  for (int round = 0; round < 3; ++round) {
    const int fd = connect_raw(node());
    ASSERT_GE(fd, 0);
    json streaming = whole;
    streaming["stream"] = true;
    const std::string body = streaming.dump();
    const std::string req = raw_post("/v1/completions", body);
    ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    char buf[256];
    ASSERT_GT(::recv(fd, buf, sizeof buf, 0), 0);  // the stream has begun
    ::close(fd);
  }
  // A client that sends half a body and vanishes.
  const int fd = connect_raw(node());
  const std::string partial = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"model\"";
  ASSERT_GT(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL), 0);
  ::close(fd);

  // Cancelled requests leave the batch; the node keeps serving.
  json t;
  for (int i = 0; i < 200; ++i) {
    t = http_call(node(), "GET", "/v1/node/telemetry").json_body();
    if (t["batch"]["running"] == 0 && t["queue"]["requests"] == 0 && t["requests"]["in_flight"] == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(t["batch"]["running"], 0) << t;
  EXPECT_EQ(t["requests"]["in_flight"], 0) << t;
  if (runs_long) {
    // Their requests were cancelled (499), not generated to the end for nobody.
    EXPECT_GE(metric_value(http_call(node(), "GET", "/metrics").body, series) - cancelled_before, 1.0);
  }
  const HttpReply r = post(node(), "/v1/completions", {{"model", "tiny"}, {"prompt", "still there"}, {"max_tokens", 3}});
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace greenroute::server::testing
