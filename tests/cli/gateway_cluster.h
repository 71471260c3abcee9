// A real cluster for the gateway tests: `greenroute node` processes on a tiny
// synthetic model, each in its own zone with a static carbon intensity, and
// a `greenroute gateway` in front of them, all on 127.0.0.1 with ports the
// kernel picks (--port 0; the gateway config is written once the nodes have
// said where they listen). Plain HTTP helpers on top of cpp-httplib.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"
#include "support/child_process.h"

namespace greenroute::cli::testing {

using greenroute::testing::ChildProcess;
using nlohmann::json;

struct TestNode {
  std::string name;
  std::string zone;
  int intensity = 100;  // --carbon static:N
  int max_batch = 2;
};

struct HttpAnswer {
  int status = 0;  // 0: no answer (transport error)
  std::string body;
  httplib::Headers headers;
  json doc() const { return json::parse(body, nullptr, /*allow_exceptions=*/false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

inline HttpAnswer http_post(int port, const std::string& path, const json& body,
                            const httplib::Headers& headers = {}, int timeout_s = 60) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(timeout_s, 0);
  c.set_connection_timeout(5, 0);
  auto r = c.Post(path.c_str(), headers, body.dump(), "application/json");
  if (!r) return {0, "transport error: " + httplib::to_string(r.error()), {}};
  return {r->status, r->body, r->headers};
}

inline HttpAnswer http_get(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  auto r = c.Get(path.c_str());
  if (!r) return {};
  return {r->status, r->body, r->headers};
}

inline json completion(const std::string& prompt, int max_tokens = 4, bool stream = false) {
  return {{"model", "tiny"},
          {"prompt", prompt},
          {"max_tokens", max_tokens},
          {"temperature", 0},
          {"stream", stream}};
}

// Keeps a node busy: `n` requests of `max_tokens` sent to it directly (the
// tiny model decodes thousands of tokens a second, so only a backlog lasts).
inline std::vector<std::future<HttpAnswer>> backlog(int port, int n, int max_tokens = 450) {
  std::vector<std::future<HttpAnswer>> calls;
  for (int i = 0; i < n; ++i) {
    // Staggered: the node's listener (httplib 0.11) has a backlog of only 5.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    calls.push_back(std::async(std::launch::async, [port, i, max_tokens] {
      return http_post(port, "/v1/completions",
                       completion("load " + std::to_string(i), max_tokens));
    }));
  }
  return calls;
}

class Cluster {
 public:
  explicit Cluster(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~Cluster() { stop_all(); }

  // The tiny model every node serves (made on first use, in the test's folder).
  const std::filesystem::path& model() {
    if (model_.empty()) {
      model_ = dir_ / "tiny.gguf";
      const RunResult r = run_greenroute(
          {"model", "synth", "--preset", "tiny", "--seed", "7", "--out", model_.string()}, dir_);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return model_;
  }

  // A model that decodes slowly (~20 tokens/s under ASan): streams last long enough to cut.
  std::filesystem::path slow_model() {
    const std::filesystem::path path = dir_ / "slow.gguf";
    const RunResult r = run_greenroute({"model", "synth", "--preset", "smollm2-135m", "--type",
                                        "q4_0", "--seed", "1", "--out", path.string()},
                                       dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }

  int start_node(const TestNode& n, const std::vector<std::string>& extra = {},
                 const std::filesystem::path& file = {}) {
    std::vector<std::string> argv = {
        GREENROUTE_BINARY, "node",
        "--model",         file.empty() ? model().string() : file.string(),
        "--model-id",      "tiny",
        "--port",          "0",
        "--name",          n.name,
        "--zone",          n.zone,
        "--carbon",        "static:" + std::to_string(n.intensity),
        "--threads",       "1",
        "--max-batch",     std::to_string(n.max_batch),
        "--grace-ms",      "200",
        "--chat-template", "chatml"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto spawned = ChildProcess::spawn(argv, dir_, "node-" + n.name);
    EXPECT_TRUE(spawned.is_ok()) << spawned.status().to_string();
    if (!spawned.is_ok()) return -1;
    std::unique_ptr<ChildProcess> child = std::move(spawned).value();
    const int port = child->wait_listening(std::chrono::seconds(60));
    EXPECT_GT(port, 0) << "node " << n.name << " did not start: " << child->stderr_text();
    nodes_[n.name] = {n, port, std::move(child)};
    order_.push_back(n.name);
    return port;
  }

  // Writes cluster.toml (defaults + the nodes started so far, or `only`) and starts the gateway.
  int start_gateway(const std::string& defaults, const std::vector<std::string>& only = {},
                    const std::vector<std::pair<std::string, int>>& dead = {}) {
    std::string toml = "[defaults]\n" + defaults + "\n";
    for (const std::string& name : only.empty() ? order_ : only) {
      const Node& n = nodes_.at(name);
      toml += node_toml(n.spec.name, n.port, n.spec.zone, n.spec.intensity);
    }
    for (const auto& [name, port] : dead) toml += node_toml(name, port, "XX", 100);
    const std::filesystem::path config = dir_ / "cluster.toml";
    std::ofstream(config) << toml;
    auto spawned = ChildProcess::spawn({GREENROUTE_BINARY, "--log-level", "info", "gateway", "--config",
                                        config.string(), "--port", "0", "--grace-ms", "2000"},
                                       dir_, "gateway");
    EXPECT_TRUE(spawned.is_ok()) << spawned.status().to_string();
    if (!spawned.is_ok()) return -1;
    gateway_ = std::move(spawned).value();
    gateway_port_ = gateway_->wait_listening(std::chrono::seconds(60));
    EXPECT_GT(gateway_port_, 0) << "gateway did not start: " << gateway_->stderr_text() << "\n"
                                << toml;
    return gateway_port_;
  }

  int port(const std::string& node) const { return nodes_.at(node).port; }
  ChildProcess& node(const std::string& name) { return *nodes_.at(name).process; }
  ChildProcess& gateway() { return *gateway_; }
  int gateway_port() const { return gateway_port_; }

  // Polls /v1/cluster until `pred` holds for it, up to `timeout`.
  template <typename Pred>
  bool wait_cluster(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const HttpAnswer a = http_get(gateway_port_, "/v1/cluster");
      if (a.status == 200 && pred(a.doc())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // SIGTERM to the gateway, then the nodes; the gateway must exit 0.
  void stop_all() {
    if (gateway_) {
      gateway_->signal(SIGTERM);
      const int code = gateway_->wait(std::chrono::seconds(20));
      EXPECT_EQ(code, 0) << "gateway exit; stderr:\n" << gateway_->stderr_text();
      gateway_.reset();
    }
    for (auto& [name, n] : nodes_) n.process->signal(SIGTERM);
    for (auto& [name, n] : nodes_) n.process->wait(std::chrono::seconds(20));
    nodes_.clear();
  }

 private:
  struct Node {
    TestNode spec;
    int port = 0;
    std::unique_ptr<ChildProcess> process;
  };
  static std::string node_toml(const std::string& name, int port, const std::string& zone,
                               int intensity) {
    return "[[node]]\nname = \"" + name + "\"\nurl = \"http://127.0.0.1:" + std::to_string(port) +
           "\"\nzone = \"" + zone + "\"\ncarbon = \"static:" + std::to_string(intensity) +
           "\"\nprofile = \"rtx-2000-ada-16gb\"\n\n";
  }

  std::filesystem::path dir_;
  std::filesystem::path model_;
  std::map<std::string, Node> nodes_;
  std::vector<std::string> order_;
  std::unique_ptr<ChildProcess> gateway_;
  int gateway_port_ = -1;
};

// A fresh scratch folder per test.
class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("greenroute-gw-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    cluster_ = std::make_unique<Cluster>(dir_);
  }
  void TearDown() override {
    cluster_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Cluster> cluster_;
};

// Defaults for fast tests: quick health polls, quick ejection.
inline std::string fast_defaults(const std::string& policy, const std::string& extra = "") {
  return "policy = \"" + policy +
         "\"\nhealth_interval_ms = 200\neject_after_failures = 2\n"
         "request_timeout_ms = 30000\nconnect_timeout_ms = 1000\n" +
         extra;
}

}  // namespace greenroute::cli::testing
