// The gateway under faults and checks from outside: a node killed mid-run,
// a full queue, no node at all, `promtool check metrics`, and the official
// openai npm client.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

#include "gateway_cluster.h"

namespace greenroute::cli::testing {
namespace {

// A port nothing listens on: one a node had, after the node is gone.
int dead_port(Cluster& cluster) {
  const int port = cluster.start_node({.name = "ghost", .zone = "XX", .intensity = 100});
  cluster.node("ghost").kill_hard();
  return port;
}

TEST_F(GatewayTest, NodeKilledMidRunLosesNoRequest) {
  for (const char* name : {"a", "b", "c"})
    cluster_->start_node({.name = name, .zone = "SE", .intensity = 100, .max_batch = 1});
  const int gw = cluster_->start_gateway(fast_defaults("round-robin"));
  ASSERT_GT(gw, 0);
  constexpr int kRequests = 24;
  std::vector<std::future<HttpAnswer>> calls;
  for (int i = 0; i < kRequests; ++i) {
    const bool stream = i % 3 == 2;
    calls.push_back(std::async(std::launch::async, [gw, i, stream] {
      return http_post(gw, "/v1/completions",
                       completion("request " + std::to_string(i), 300, stream));
    }));
  }
  // Kill b (no goodbye: connections reset) while the gateway has requests there.
  ASSERT_TRUE(cluster_->wait_cluster(
      [](const json& c) { return c["nodes"][1]["in_flight"].get<int>() >= 2; },
      std::chrono::seconds(5)));
  cluster_->node("b").kill_hard();
  int ok = 0;
  int stream_errors = 0;
  for (int i = 0; i < kRequests; ++i) {
    const HttpAnswer a = calls[i].get();  // every request gets an answer: no hang
    ASSERT_NE(a.status, 0) << "request " << i << " got no answer: " << a.body;
    if (i % 3 != 2) {
      EXPECT_EQ(a.status, 200) << "request " << i << ": "
                               << a.body;  // retried elsewhere when b died
      ok += a.status == 200;
      continue;
    }
    ASSERT_EQ(a.status, 200) << a.body;
    const bool done = a.body.find("data: [DONE]") != std::string::npos;
    const bool error = a.body.find("\"error\"") != std::string::npos;
    // A stream either completes or, having lost its node mid-way, ends with an error event and no
    // [DONE].
    EXPECT_TRUE(done != error) << "request " << i << ":\n" << a.body;
    ok += done;
    stream_errors += error;
  }
  EXPECT_EQ(ok + stream_errors, kRequests);
  const std::string metrics = http_get(gw, "/metrics").body;
  EXPECT_TRUE(stream_errors > 0 ||
              metrics.find("greenroute_gateway_retries_total{") != std::string::npos)
      << metrics;
  for (std::size_t at = metrics.find("\ngreenroute_gateway_retries_total{");
       at != std::string::npos; at = metrics.find("\ngreenroute_gateway_retries_total{", at + 1)) {
    std::printf("[   info   ] %s\n",
                metrics.substr(at + 1, metrics.find('\n', at + 1) - at - 1).c_str());
  }
  std::printf("[   info   ] %d stream(s) cut mid-way by the kill\n", stream_errors);
  // b is ejected, and the cluster keeps serving.
  ASSERT_TRUE(
      cluster_->wait_cluster([](const json& c) { return !c["nodes"][1]["healthy"].get<bool>(); }));
  for (int i = 0; i < 4; ++i) {
    const HttpAnswer a = http_post(gw, "/v1/completions", completion("after"));
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_NE(a.doc()["usage"]["node"], "b");
  }
}

TEST_F(GatewayTest, StreamThatLosesItsNodeEndsWithAnErrorEventAndNoDone) {
  cluster_->start_node({.name = "slow", .zone = "SE", .intensity = 100, .max_batch = 1}, {},
                       cluster_->slow_model());
  const int gw = cluster_->start_gateway(fast_defaults("carbon-aware"));
  ASSERT_GT(gw, 0);
  std::mutex mu;
  std::string received;
  auto call = std::async(std::launch::async, [&] {
    httplib::Client c("127.0.0.1", gw);
    c.set_read_timeout(60, 0);
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/completions";
    req.body = completion("a long story", 400, /*stream=*/true).dump();
    req.set_header("Content-Type", "application/json");
    req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
      std::lock_guard<std::mutex> lock(mu);
      received.append(data, n);
      return true;
    };
    auto res = c.send(req);
    return res ? res->status : 0;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto events = [&] {
    std::lock_guard<std::mutex> lock(mu);
    std::size_t n = 0;
    for (std::size_t at = received.find("data: "); at != std::string::npos;
         at = received.find("data: ", at + 1))
      ++n;
    return n;
  };
  while (events() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(events(), 3u) << "the stream never started";
  cluster_->node("slow").kill_hard();
  ASSERT_EQ(call.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "the stream hangs";
  EXPECT_EQ(call.get(), 200);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(received.find("\"code\":\"node_lost\""), std::string::npos) << received;
  EXPECT_EQ(received.find("[DONE]"), std::string::npos) << received;
}

TEST_F(GatewayTest, FullQueueAnswers429WithRetryAfter) {
  cluster_->start_node({.name = "slow", .zone = "SE", .intensity = 100, .max_batch = 1});
  const int gw = cluster_->start_gateway(fast_defaults("carbon-aware", "queue_limit = 2\n"));
  ASSERT_GT(gw, 0);
  auto load = backlog(cluster_->port("slow"), 30);  // the two below wait behind it
  std::vector<std::future<HttpAnswer>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::async(std::launch::async, [gw, i] {
      return http_post(gw, "/v1/completions", completion("hold " + std::to_string(i), 8));
    }));
  }
  ASSERT_TRUE(
      cluster_->wait_cluster([](const json& c) { return c["queue"]["requests"].get<int>() == 2; }));
  const HttpAnswer a = http_post(gw, "/v1/completions", completion("one too many"));
  EXPECT_EQ(a.status, 429) << a.body;
  EXPECT_GE(std::atoi(a.header("Retry-After").c_str()), 1);
  EXPECT_EQ(a.doc()["error"]["code"], "queue_full");
  for (auto& f : held) EXPECT_EQ(f.get().status, 200);
  EXPECT_EQ(http_post(gw, "/v1/completions", completion("room again")).status, 200);
  for (auto& f : load) EXPECT_EQ(f.get().status, 200);
}

TEST_F(GatewayTest, NoLiveNodeAnswers503) {
  const int port = dead_port(*cluster_);
  const int gw = cluster_->start_gateway(fast_defaults("latency-aware"), {"ghost"});
  ASSERT_GT(gw, 0);
  const HttpAnswer a = http_post(gw, "/v1/completions", completion("anyone?"));
  EXPECT_EQ(a.status, 503) << a.body;
  EXPECT_EQ(a.doc()["error"]["type"], "server_error");
  EXPECT_FALSE(a.header("Retry-After").empty());
  const HttpAnswer s = http_post(gw, "/v1/completions", completion("anyone?", 4, true));
  EXPECT_EQ(s.status, 503) << s.body;
  EXPECT_EQ(http_get(gw, "/health").status, 503);
  (void)port;
}

TEST_F(GatewayTest, MetricsPassPromtool) {
  cluster_->start_node({.name = "m1", .zone = "SE", .intensity = 40});
  cluster_->start_node({.name = "m2", .zone = "PL", .intensity = 700});
  const int gw =
      cluster_->start_gateway(fast_defaults("carbon-aware", "baseline_policy = \"round-robin\"\n"));
  ASSERT_GT(gw, 0);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(http_post(gw, "/v1/completions", completion("m", 4, i == 1)).status, 200);
  EXPECT_EQ(http_post(gw, "/v1/completions", json{{"model", 3}}).status, 400);
  const std::string metrics = http_get(gw, "/metrics").body;
  for (const char* name :
       {"greenroute_gateway_requests_total", "greenroute_gateway_routing_decision_seconds_bucket",
        "greenroute_gateway_prediction_error_ratio", "greenroute_gateway_energy_joules_total",
        "greenroute_gateway_predicted_carbon_grams_total{side=\"baseline\"}",
        "greenroute_gateway_counterfactual_carbon_saved_grams", "greenroute_gateway_queue_requests",
        "greenroute_gateway_node_healthy{node=\"m1\",zone=\"SE\"} 1"}) {
    EXPECT_NE(metrics.find(name), std::string::npos) << name << "\n" << metrics;
  }
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP()
        << "promtool not installed (Debian package prometheus): metrics not checked with it";
  }
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"gateway", metrics}, {"node", http_get(cluster_->port("m1"), "/metrics").body}};
  for (const auto& [who, text] : outputs) {
    const auto file = dir_ / (who + ".prom");
    std::ofstream(file) << text;
    const RunResult r = [&] {
      const auto out = dir_ / "promtool.txt";
      const int status = std::system(("promtool check metrics < " + shell_quote(file.string()) +
                                      " > " + shell_quote(out.string()) + " 2>&1")
                                         .c_str());
      return RunResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text_file(out), ""};
    }();
    EXPECT_EQ(r.exit_code, 0) << who << " /metrics fails promtool:\n" << r.out << "\n" << text;
  }
}

TEST_F(GatewayTest, OfficialOpenAiNpmClient) {
  const std::string node_js = GREENROUTE_NODEJS;
  const std::filesystem::path dir = GREENROUTE_OPENAI_DIR;
  if (node_js.empty()) GTEST_SKIP() << "node not found: the openai npm client test is skipped";
  if (!std::filesystem::exists(dir / "node_modules" / "openai")) {
    GTEST_SKIP()
        << "the openai npm package is not installed (scripts/install-deps.sh --npm): test skipped";
  }
  cluster_->start_node({.name = "n1", .zone = "SE", .intensity = 40});
  cluster_->start_node({.name = "n2", .zone = "PL", .intensity = 700});
  const int gw = cluster_->start_gateway(fast_defaults("carbon-aware"));
  ASSERT_GT(gw, 0);
  const auto out = dir_ / "openai.txt";
  const std::string cmd = shell_quote(node_js) + " " +
                          shell_quote((dir / "openai_client.mjs").string()) +
                          " http://127.0.0.1:" + std::to_string(gw) + "/v1 tiny > " +
                          shell_quote(out.string()) + " 2>&1";
  const int status = std::system(cmd.c_str());
  const std::string text = read_text_file(out);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
  EXPECT_NE(text.find("\"ok\":true"), std::string::npos) << text;
}

}  // namespace
}  // namespace greenroute::cli::testing
