// The gateway's node view: telemetry parsing, health (ejection after N
// failures, readmission on a good poll), and the NodeState it feeds routing.
#include "gateway_nodes.h"

#include <gtest/gtest.h>

#include <cmath>

#include "greenroute/profile/reference_profiles.h"

namespace greenroute::server {
namespace {

NodePtr make_node(std::optional<int> max_batch = std::nullopt) {
  auto profile = profile::reference_profile("rtx-2000-ada-16gb");
  EXPECT_TRUE(profile.is_ok());
  NodeSpec spec{.name = "n",
                .url = "http://127.0.0.1:1",
                .zone = "SE",
                .carbon = "static:42",
                .profile_ref = "rtx",
                .profile = std::make_shared<const profile::DeviceProfile>(*profile),
                .max_batch = max_batch,
                .registered = false};
  auto url = parse_node_url(spec.url);
  return std::make_shared<GatewayNode>(spec, *url, std::make_unique<routing::OnlineCorrector>(),
                                       nullptr);
}

NodeTelemetry telemetry(int queued, int running, std::optional<double> intensity = 100.0) {
  NodeTelemetry t;
  t.status = "ok";
  t.queued_requests = queued;
  t.queued_tokens = queued * 100.0;
  t.running = running;
  t.max_batch = 4;
  t.intensity = intensity;
  return t;
}

TEST(GatewayNodes, ParsesTelemetryAndModels) {
  auto t = parse_telemetry(R"({"node":"a","status":"ok","queue":{"requests":3,"tokens":120,"limit":64},
    "batch":{"running":2,"max_batch":4},"memory":{"free_bytes":1000},"carbon":{"intensity_g_per_kwh":55.5}})");
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->queued_requests, 3);
  EXPECT_EQ(t->queue_limit, 64);
  EXPECT_EQ(t->running, 2);
  EXPECT_EQ(t->max_batch, 4);
  EXPECT_EQ(*t->memory_free_bytes, 1000u);
  EXPECT_EQ(t->kv_bytes_per_token, 0u);  // not reported: routing skips the KV check
  EXPECT_EQ(t->kv_block_tokens, 1);
  EXPECT_FALSE(t->bytes_per_token.has_value());
  EXPECT_DOUBLE_EQ(*t->intensity, 55.5);
  auto full = parse_telemetry(R"({"node":"a","memory":{"free_bytes":1000,"kv_bytes_per_token":2048,
    "kv_block_tokens":64},"tokenizer":{"bytes_per_token":3.5}})");
  ASSERT_TRUE(full.is_ok());
  EXPECT_EQ(full->kv_bytes_per_token, 2048u);
  EXPECT_EQ(full->kv_block_tokens, 64);
  EXPECT_DOUBLE_EQ(*full->bytes_per_token, 3.5);
  // Nonsense ratios are ignored rather than trusted.
  auto odd = parse_telemetry(R"({"node":"a","tokenizer":{"bytes_per_token":0.2},"memory":{"kv_block_tokens":0}})");
  ASSERT_TRUE(odd.is_ok());
  EXPECT_FALSE(odd->bytes_per_token.has_value());
  EXPECT_EQ(odd->kv_block_tokens, 1);
  EXPECT_FALSE(parse_telemetry("[1,2]").is_ok());
  EXPECT_FALSE(parse_telemetry("not json").is_ok());
  auto ids = parse_model_ids(R"({"object":"list","data":[{"id":"a"},{"id":"b"},{"x":1}]})");
  ASSERT_TRUE(ids.is_ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "b"}));
}

TEST(GatewayNodes, RegistryAveragesTheNodesBytesPerToken) {
  NodeRegistry registry(routing::PredictorOptions{}, carbon::SourceFactoryContext{});
  int port = 0;
  auto add = [&](const std::string& name) {
    auto profile = profile::reference_profile("rtx-2000-ada-16gb");
    NodeSpec spec{.name = name,
                  .url = "http://127.0.0.1:" + std::to_string(++port),
                  .zone = "SE",
                  .carbon = "static:42",
                  .profile_ref = "rtx",
                  .profile = std::make_shared<const profile::DeviceProfile>(*profile),
                  .max_batch = std::nullopt,
                  .registered = false};
    auto added = registry.add(spec);
    EXPECT_TRUE(added.is_ok()) << added.status().to_string();
    return added->first;
  };
  NodePtr a = add("a");
  NodePtr b = add("b");
  NodePtr c = add("c");
  EXPECT_DOUBLE_EQ(registry.bytes_per_token("m"), NodeRegistry::kDefaultBytesPerToken);
  NodeTelemetry ta = telemetry(0, 0);
  ta.bytes_per_token = 2.0;
  a->poll_ok(ta, std::vector<std::string>{"m"}, std::nullopt, 1);
  NodeTelemetry tb = telemetry(0, 0);
  tb.bytes_per_token = 3.0;
  b->poll_ok(tb, std::vector<std::string>{"m"}, std::nullopt, 1);
  NodeTelemetry tc = telemetry(0, 0);
  tc.bytes_per_token = 9.0;  // serves another model: not counted for "m"
  c->poll_ok(tc, std::vector<std::string>{"other"}, std::nullopt, 1);
  EXPECT_DOUBLE_EQ(registry.bytes_per_token("m"), 2.5);
  EXPECT_DOUBLE_EQ(registry.bytes_per_token("other"), 9.0);
}

TEST(GatewayNodes, NodeUrls) {
  auto u = parse_node_url("http://10.0.0.1:8081/prefix/v1/");
  ASSERT_TRUE(u.is_ok());
  EXPECT_EQ(u->scheme_host_port, "http://10.0.0.1:8081");
  EXPECT_EQ(u->path_prefix, "/prefix");
  EXPECT_FALSE(parse_node_url("ftp://x").is_ok());
  EXPECT_FALSE(parse_node_url("http://user@x").is_ok());
  EXPECT_FALSE(parse_node_url("http://").is_ok());
}

TEST(GatewayNodes, EjectsAfterConsecutiveFailuresAndReadmits) {
  NodePtr n = make_node();
  EXPECT_FALSE(n->healthy());  // never answered yet
  EXPECT_TRUE(n->poll_ok(telemetry(0, 0), std::vector<std::string>{"m"}, std::nullopt, 1));
  EXPECT_TRUE(n->healthy());
  EXPECT_FALSE(n->failed("refused", 3, 2));
  EXPECT_FALSE(n->failed("refused", 3, 3));
  EXPECT_TRUE(n->healthy());
  EXPECT_TRUE(n->failed("refused", 3, 4));  // the third in a row ejects
  EXPECT_FALSE(n->healthy());
  EXPECT_EQ(n->ejections(), 1u);
  EXPECT_TRUE(n->poll_ok(telemetry(0, 0), std::nullopt, std::nullopt, 5));
  EXPECT_TRUE(n->healthy());
  EXPECT_TRUE(n->serves("m"));  // the model list survives a poll without one
  EXPECT_FALSE(n->serves("other"));
  NodeTelemetry draining = telemetry(0, 0);
  draining.status = "draining";
  n->poll_ok(draining, std::nullopt, std::nullopt, 6);
  EXPECT_FALSE(n->healthy());
}

TEST(GatewayNodes, StateMergesTelemetryWithTheGatewaysOwnLoad) {
  NodePtr n = make_node();
  n->poll_ok(telemetry(1, 2), std::nullopt, std::nullopt, 1);
  routing::NodeState s = n->state();
  EXPECT_EQ(s.max_batch, 4);
  EXPECT_EQ(s.running_batch, 3);  // 1 queued + 2 running, all fit the batch of 4
  EXPECT_EQ(s.queue.requests, 0);
  EXPECT_EQ(s.max_queue, 0);  // the telemetry reported no limit
  EXPECT_DOUBLE_EQ(s.g_co2_per_kwh, 100.0);
  // The gateway knows of more work than the (older) telemetry: its count wins.
  routing::RequestShape shape;
  shape.prompt_tokens = 10;
  shape.max_output_tokens = 30;
  for (int i = 0; i < 6; ++i) n->begin(shape);
  s = n->state();
  EXPECT_EQ(s.running_batch, 4);
  EXPECT_EQ(s.queue.requests, 2);
  EXPECT_DOUBLE_EQ(s.queue.prompt_tokens, 20.0);
  EXPECT_DOUBLE_EQ(s.queue.output_tokens, 60.0);
  for (int i = 0; i < 6; ++i) n->end(shape);
  EXPECT_EQ(n->in_flight(), 0);
  // No intensity from telemetry: the config's source (looked up at poll time), else unknown.
  n->poll_ok(telemetry(0, 0, std::nullopt), std::nullopt, 42.0, 2);
  EXPECT_DOUBLE_EQ(n->state().g_co2_per_kwh, 42.0);
  n->poll_ok(telemetry(0, 0, std::nullopt), std::nullopt, std::nullopt, 3);
  EXPECT_TRUE(std::isnan(n->state().g_co2_per_kwh));
  // A config max_batch overrides the node's.
  // The KV-cache facts pass through to routing's memory check.
  NodeTelemetry kv = telemetry(0, 0);
  kv.memory_free_bytes = 1u << 20;
  kv.kv_bytes_per_token = 4096;
  kv.kv_block_tokens = 64;
  n->poll_ok(kv, std::nullopt, std::nullopt, 4);
  EXPECT_EQ(n->state().memory_free_bytes, std::optional<std::uint64_t>(1u << 20));
  EXPECT_EQ(n->state().kv_bytes_per_token, 4096u);
  EXPECT_EQ(n->state().kv_block_tokens, 64);
  NodePtr capped = make_node(2);
  capped->poll_ok(telemetry(0, 0), std::nullopt, std::nullopt, 1);
  EXPECT_EQ(capped->state().max_batch, 2);
}

}  // namespace
}  // namespace greenroute::server
