// Helpers for the `greenroute node` integration tests: a tiny synthetic
// model on disk, real HTTP calls (cpp-httplib's client) and SSE streams
// parsed with the server's own SseParser (itself unit-tested against raw
// framing in openai_response_test.cc).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenroute/engine/synth/synth.h"
#include "greenroute/server/sse.h"
#include "node_process.h"

namespace greenroute::server::testing {

using nlohmann::json;
namespace fs = std::filesystem;

inline fs::path make_scratch_dir(const std::string& tag) {
  const fs::path dir = fs::temp_directory_path() / ("greenroute_" + tag + "_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

inline std::string write_tiny_model(const fs::path& dir) {
  const std::string path = (dir / "tiny.gguf").string();
  engine::synth::SynthOptions o;
  o.preset = "tiny";
  o.weight_type = engine::quant::GgmlType::kQ8_0;
  o.seed = 7;
  o.n_threads = 1;
  EXPECT_TRUE(engine::synth::write_synthetic_model(o, path).is_ok());
  return path;
}

// The arguments of a node serving the tiny model, metered by the CPU-time
// estimator, in zone DE at a fixed 300 gCO2e/kWh.
inline std::vector<std::string> tiny_node_args(const std::string& model, const std::string& name) {
  return {"--model", model,  "--name",       name, "--zone",     "DE", "--carbon", "static:300",
          "--meter", "cpu-estimate", "--threads", "1", "--max-body", "64KiB"};
}

struct HttpReply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  json json_body() const { return json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline HttpReply http_call(const NodeProcess& node, const std::string& method, const std::string& path,
                           const std::string& body = "") {
  httplib::Client cli(node.host(), node.port());
  cli.set_read_timeout(60, 0);
  httplib::Result r = method == "GET" ? cli.Get(path) : cli.Post(path, body, "application/json");
  HttpReply out;
  if (!r) {
    ADD_FAILURE() << method << " " << path << " failed: " << httplib::to_string(r.error());
    return out;
  }
  out.status = r->status;
  out.body = r->body;
  out.headers = r->headers;
  return out;
}

inline HttpReply post(const NodeProcess& node, const std::string& path, const json& body) {
  return http_call(node, "POST", path, body.dump());
}

struct StreamReply {
  int status = 0;
  httplib::Headers headers;
  std::string raw;
  std::vector<json> events;  // every data event but [DONE], parsed
  bool done = false;         // ended with data: [DONE]
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline StreamReply post_stream(const NodeProcess& node, const std::string& path, const json& body) {
  httplib::Client cli(node.host(), node.port());
  cli.set_read_timeout(60, 0);
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  StreamReply out;
  req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    out.raw.append(data, n);
    return true;
  };
  httplib::Result r = cli.send(req);
  if (!r) {
    ADD_FAILURE() << "stream " << path << " failed: " << httplib::to_string(r.error());
    return out;
  }
  out.status = r->status;
  out.headers = r->headers;
  SseParser parser;
  EXPECT_TRUE(parser.feed(out.raw));
  while (auto e = parser.next()) {
    EXPECT_FALSE(out.done) << "an event after [DONE]";
    if (e->is_done()) {
      out.done = true;
      continue;
    }
    out.events.push_back(json::parse(e->data, nullptr, false));
    EXPECT_FALSE(out.events.back().is_discarded()) << e->data;
  }
  return out;
}

// A raw TCP connection to the node, for clients that vanish mid-request.
inline int connect_raw(const NodeProcess& node) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(node.port()));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline std::string raw_post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Checks the cost fields of a usage object.
inline void expect_cost(const json& usage, const std::string& node) {
  ASSERT_TRUE(usage.is_object()) << usage;
  EXPECT_GT(usage.value("prompt_tokens", 0), 0) << usage;
  EXPECT_EQ(usage.value("total_tokens", -1),
            usage.value("prompt_tokens", 0) + usage.value("completion_tokens", 0));
  ASSERT_TRUE(usage["energy_joules"].is_number()) << usage;
  EXPECT_GT(usage["energy_joules"].get<double>(), 0.0) << usage;
  ASSERT_TRUE(usage["carbon_grams"].is_number()) << usage;
  EXPECT_GT(usage["carbon_grams"].get<double>(), 0.0) << usage;
  // 300 g/kWh: grams = joules / 3.6e6 * 300.
  EXPECT_NEAR(usage["carbon_grams"].get<double>(), usage["energy_joules"].get<double>() / 3.6e6 * 300, 1e-12);
  EXPECT_EQ(usage["intensity_g_per_kwh"], 300);
  EXPECT_EQ(usage["node"], node);
  EXPECT_EQ(usage["zone"], "DE");
  EXPECT_EQ(usage["energy_source"], "estimated:cpu-estimate");
}

}  // namespace greenroute::server::testing
