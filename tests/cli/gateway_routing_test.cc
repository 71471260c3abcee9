// The gateway routes real requests between real node agents: carbon-aware to
// the low-carbon zone, latency-aware away from a loaded node, per-request
// policy overrides (body field and header), bad policies, node registration
// and gateway batching.
#include <future>
#include <set>
#include <thread>

#include "gateway_cluster.h"

namespace greenroute::cli::testing {
namespace {

std::string served_by(const HttpAnswer& a) {
  const json j = a.doc();
  if (!j.is_object() || !j.contains("usage") || !j["usage"].contains("node")) return "";
  return j["usage"]["node"].get<std::string>();
}

TEST_F(GatewayTest, CarbonAwareRoutesToTheLowCarbonZone) {
  // The dirty node first: a tie would pick it, so choosing "green" is the policy's doing.
  cluster_->start_node({.name = "brown", .zone = "PL", .intensity = 700});
  cluster_->start_node({.name = "green", .zone = "SE", .intensity = 30});
  const int gw = cluster_->start_gateway(fast_defaults("carbon-aware"));
  ASSERT_GT(gw, 0);
  for (int i = 0; i < 3; ++i) {
    const HttpAnswer a = http_post(gw, "/v1/completions", completion("Hello " + std::to_string(i)));
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(served_by(a), "green");
    EXPECT_EQ(a.header("X-Greenroute-Policy"), "carbon-aware");
    EXPECT_EQ(a.header("X-Greenroute-Node"), "green");
    const json g = a.doc()["greenroute"];
    EXPECT_EQ(g["node"], "green");
    EXPECT_GT(g["predicted"]["carbon_g"].get<double>(), 0.0);
  }
  const HttpAnswer chat = http_post(gw, "/v1/chat/completions",
                                    {{"model", "tiny"},
                                     {"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                                     {"max_tokens", 4}});
  ASSERT_EQ(chat.status, 200) << chat.body;
  EXPECT_EQ(served_by(chat), "green");

  // /v1/cluster: both nodes healthy with telemetry, decisions with reasons and the baseline.
  const json c = http_get(gw, "/v1/cluster").doc();
  ASSERT_EQ(c["nodes"].size(), 2u);
  for (const json& n : c["nodes"]) {
    EXPECT_TRUE(n["healthy"].get<bool>()) << n.dump();
    EXPECT_TRUE(n["telemetry"].is_object());
    EXPECT_TRUE(n["correction"]["latency_ratio"].is_number());
  }
  ASSERT_GE(c["decisions"].size(), 4u);
  const json& d = c["decisions"][0];  // newest first
  EXPECT_EQ(d["policy"], "carbon-aware");
  EXPECT_EQ(d["node"], "green");
  EXPECT_NE(d["reason"].get<std::string>().find("green"), std::string::npos);
  EXPECT_EQ(d["baseline"]["policy"], "greedy-fastest");
  EXPECT_EQ(d["status"], 200);

  // /v1/models: the union of the nodes' models.
  const json m = http_get(gw, "/v1/models").doc();
  ASSERT_EQ(m["data"].size(), 1u);
  EXPECT_EQ(m["data"][0]["id"], "tiny");
  EXPECT_EQ(http_get(gw, "/health").status, 200);
}

TEST_F(GatewayTest, PerRequestPolicyOverridesAndBadPolicies) {
  cluster_->start_node({.name = "brown", .zone = "PL", .intensity = 700});
  cluster_->start_node({.name = "green", .zone = "SE", .intensity = 30});
  const int gw = cluster_->start_gateway(fast_defaults("carbon-aware"));
  ASSERT_GT(gw, 0);
  // Body field: round-robin visits both nodes in two calls.
  std::set<std::string> nodes;
  for (int i = 0; i < 2; ++i) {
    json body = completion("rr");
    body["greenroute"] = {{"policy", "round-robin"}};
    const HttpAnswer a = http_post(gw, "/v1/completions", body);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.header("X-Greenroute-Policy"), "round-robin");
    nodes.insert(served_by(a));
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"brown", "green"}));
  // Header: wins over the body.
  json body = completion("hdr");
  body["greenroute"] = {{"policy", "random"}};
  const HttpAnswer h =
      http_post(gw, "/v1/completions", body, {{"X-Greenroute-Policy", "greedy-fastest"}});
  ASSERT_EQ(h.status, 200) << h.body;
  EXPECT_EQ(h.header("X-Greenroute-Policy"), "greedy-fastest");
  // slo-carbon with an SLO header is accepted.
  const HttpAnswer slo =
      http_post(gw, "/v1/completions", completion("slo"),
                {{"X-Greenroute-Policy", "slo-carbon"}, {"X-Greenroute-Slo-Ms", "60000"}});
  EXPECT_EQ(slo.status, 200) << slo.body;

  // Unknown policies: 400 naming the valid ones, from the body and from the header.
  json bad = completion("bad");
  bad["greenroute"] = {{"policy", "cheapest"}};
  const HttpAnswer b1 = http_post(gw, "/v1/completions", bad);
  EXPECT_EQ(b1.status, 400);
  EXPECT_NE(b1.body.find("carbon-aware"), std::string::npos) << b1.body;
  EXPECT_EQ(b1.doc()["error"]["type"], "invalid_request_error");
  const HttpAnswer b2 =
      http_post(gw, "/v1/completions", completion("bad"), {{"X-Greenroute-Policy", "cheapest"}});
  EXPECT_EQ(b2.status, 400);
  EXPECT_NE(b2.body.find("latency-aware"), std::string::npos) << b2.body;
  const HttpAnswer b3 =
      http_post(gw, "/v1/completions", completion("x"), {{"X-Greenroute-Slo-Ms", "-5"}});
  EXPECT_EQ(b3.status, 400);
  // Bad input in general: the shared schema's 4xx.
  EXPECT_EQ(http_post(gw, "/v1/completions", json{{"prompt", "no model"}}).status, 400);
  const HttpAnswer unknown =
      http_post(gw, "/v1/completions", json{{"model", "gpt-9"}, {"prompt", "x"}});
  EXPECT_EQ(unknown.status, 404) << unknown.body;
}

TEST_F(GatewayTest, LatencyAwareAvoidsTheLoadedNode) {
  // "busy" is listed first, so only its load can make the policy pick "idle".
  cluster_->start_node({.name = "busy", .zone = "SE", .intensity = 100, .max_batch = 1});
  cluster_->start_node({.name = "idle", .zone = "SE", .intensity = 100, .max_batch = 1});
  const int gw = cluster_->start_gateway(fast_defaults("latency-aware"));
  ASSERT_GT(gw, 0);
  // Load "busy" directly (not through the gateway): the gateway sees it in telemetry.
  auto load = backlog(cluster_->port("busy"), 30);
  ASSERT_TRUE(cluster_->wait_cluster([](const json& c) {
    const json& t = c["nodes"][0]["telemetry"];
    return t.is_object() &&
           t["queue"]["requests"].get<int>() + t["batch"]["running"].get<int>() >= 3;
  })) << "the load never showed in busy's telemetry";
  const HttpAnswer a = http_post(gw, "/v1/completions", completion("quick"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(served_by(a), "idle");
  for (auto& f : load) EXPECT_EQ(f.get().status, 200);
}

TEST_F(GatewayTest, NodesRegisterThemselvesAndHeartbeat) {
  cluster_->start_node({.name = "brown", .zone = "PL", .intensity = 700});
  const int gw = cluster_->start_gateway(fast_defaults("carbon-aware"));
  ASSERT_GT(gw, 0);
  const int green = cluster_->start_node({.name = "green", .zone = "SE", .intensity = 30});
  const std::string url = "http://127.0.0.1:" + std::to_string(green);
  // Validation: 400 naming the field.
  const HttpAnswer bad =
      http_post(gw, "/v1/cluster/nodes", {{"name", "green"}, {"url", "ftp://x"}, {"zone", "SE"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.doc()["error"]["param"], "url");
  EXPECT_EQ(
      http_post(gw, "/v1/cluster/nodes", {{"name", "g"}, {"url", url}, {"zone", "SE"}, {"zoen", 1}})
          .status,
      400);
  EXPECT_EQ(
      http_post(gw, "/v1/cluster/nodes", {{"name", "brown"}, {"url", url}, {"zone", "SE"}}).status,
      409);
  const HttpAnswer reg = http_post(gw, "/v1/cluster/nodes",
                                   {{"name", "green"},
                                    {"url", url},
                                    {"zone", "SE"},
                                    {"profile", "rtx-2000-ada-16gb"},
                                    {"carbon", "static:30"}});
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(http_post(gw, "/v1/cluster/nodes/green/heartbeat", json::object()).status, 200);
  EXPECT_EQ(http_post(gw, "/v1/cluster/nodes/nobody/heartbeat", json::object()).status, 404);
  ASSERT_TRUE(cluster_->wait_cluster([](const json& c) {
    return c["nodes"].size() == 2 && c["nodes"][1]["telemetry"].is_object();
  }));
  const HttpAnswer a = http_post(gw, "/v1/completions", completion("to the new node"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(served_by(a), "green");
  httplib::Client c("127.0.0.1", gw);
  auto del = c.Delete("/v1/cluster/nodes/green");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(served_by(http_post(gw, "/v1/completions", completion("back"))), "brown");
}

TEST_F(GatewayTest, BatchWindowCoSchedulesConcurrentPrompts) {
  cluster_->start_node({.name = "solo", .zone = "SE", .intensity = 100, .max_batch = 4});
  const int gw = cluster_->start_gateway(
      fast_defaults("carbon-aware", "batch_window_ms = 100\nmax_batch = 4\n"));
  ASSERT_GT(gw, 0);
  std::vector<std::future<HttpAnswer>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [gw, i] {
      return http_post(gw, "/v1/completions", completion("batch " + std::to_string(i), 4));
    }));
  }
  for (auto& f : calls) EXPECT_EQ(f.get().status, 200);
  const json c = http_get(gw, "/v1/cluster").doc();
  int grouped = 0;
  for (const json& d : c["decisions"]) grouped += d["batch"].get<int>() > 1 ? 1 : 0;
  EXPECT_GE(grouped, 2) << c["decisions"].dump();
  const std::string metrics = http_get(gw, "/metrics").body;
  EXPECT_NE(metrics.find("greenroute_gateway_batches_total"), std::string::npos);
}

}  // namespace
}  // namespace greenroute::cli::testing
