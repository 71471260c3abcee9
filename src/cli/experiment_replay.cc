// Phase 4 of `greenroute experiment`: the same workload (arrival times and
// prompts) sent through the live gateway once per policy, each request asking
// for the policy in its body ("greenroute": {"policy", "slo_ms"}, docs/server.md),
// with the client-side latency (send to last byte) and the usage extras of
// every answer recorded.
#include "experiment_replay.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "greenroute/core/rng.h"
#include "greenroute/sim/sim_result.h"
#include "greenroute/sim/workload.h"

namespace greenroute::cli::experiment {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double number_or(const json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string string_or(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json request_body(const std::string& model_id, const std::string& prompt, int max_tokens, const std::string& policy,
                  double slo_ms) {
  json greenroute = {{"policy", policy}};
  if (slo_ms > 0) greenroute["slo_ms"] = slo_ms;
  return {{"model", model_id},   {"prompt", prompt}, {"max_tokens", max_tokens},
          {"temperature", 0},    {"seed", 1},        {"greenroute", greenroute}};
}

}  // namespace

LiveWorkload make_live_workload(const PromptPool& pool, int requests, double rate, int max_tokens, double slo_ms,
                                std::uint64_t seed) {
  LiveWorkload w;
  w.max_tokens = max_tokens;
  w.slo_ms = slo_ms;
  w.rate = rate;
  core::Rng arrivals(seed);
  core::Rng prompts(seed ^ 0x9e3779b97f4a7c15ULL);
  double t = 0;
  for (int k = 0; k < requests; ++k) {
    if (k > 0) t += sim::draw_exponential(1.0 / rate, arrivals);
    w.requests.push_back({t, static_cast<std::size_t>(prompts.next_u64() % pool.texts.size())});
  }
  double tokens = 0;
  for (const WorkloadRequest& r : w.requests) tokens += pool.tokens[r.prompt];
  w.description = fmt::format(
      "{} prompts drawn from the built-in set (short and medium, {:.0f} prompt tokens on average), Poisson "
      "arrivals at {:.2f} req/s, max_tokens {}{}",
      requests, requests > 0 ? tokens / requests : 0.0, rate, max_tokens,
      slo_ms > 0 ? fmt::format(", SLO {:.0f} ms", slo_ms) : std::string());
  return w;
}

AutoLoad auto_load(const profile::DeviceProfile& fastest, double mean_prompt_tokens, int max_tokens,
                   double free_cores, double core_seconds_per_request) {
  AutoLoad a;
  a.service_ms = std::max(1.0, fastest.predict_latency_ms(1, mean_prompt_tokens, max_tokens));
  // The fastest node alone would be 70% busy: it queues a little, and the
  // slower nodes, given everything (carbon-aware), are overloaded.
  a.rate = 0.7 * 1000.0 / a.service_ms;
  // But every node computes on the same cores: keep the work to half of
  // what is free of them, or queues, not routing, decide every latency.
  if (core_seconds_per_request > 0) {
    const double cpu_rate = 0.5 * std::max(0.25, free_cores) / core_seconds_per_request;
    if (cpu_rate < a.rate) {
      a.rate = cpu_rate;
      a.cpu_bound = true;
    }
  }
  a.slo_ms = std::ceil(3.0 * a.service_ms);
  return a;
}

void warm_up_nodes(const std::vector<int>& ports, const std::string& model_id, const std::string& prompt,
                   int max_tokens) {
  for (int port : ports) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(120, 0);
    const json body = {{"model", model_id}, {"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", 0}};
    for (int i = 0; i < 2; ++i) (void)c.Post("/v1/completions", body.dump(), "application/json");
  }
}

report::LivePolicyRun summarize_live_run(const std::string& policy, std::vector<report::LiveRequest> log,
                                         double wall_s) {
  report::LivePolicyRun run;
  run.policy = policy;
  run.requests = log.size();
  run.wall_s = wall_s;
  std::vector<double> latencies;
  double sum = 0;
  for (const report::LiveRequest& r : log) {
    if (r.http_status != 200) {
      ++run.errors;
      continue;
    }
    ++run.completed;
    latencies.push_back(r.latency_ms);
    sum += r.latency_ms;
    run.energy_j += r.energy_j;
    run.carbon_g += r.carbon_g;
    ++run.requests_per_node[r.node];
  }
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) run.latency_mean_ms = sum / static_cast<double>(latencies.size());
  run.latency_p50_ms = sim::percentile_sorted(latencies, 50);
  run.latency_p95_ms = sim::percentile_sorted(latencies, 95);
  run.latency_p99_ms = sim::percentile_sorted(latencies, 99);
  run.throughput_rps = wall_s > 0 ? static_cast<double>(run.completed) / wall_s : 0;
  run.requests_log = std::move(log);
  return run;
}

core::Result<ReplayResult> replay_policy(const ReplayOptions& o, const LiveWorkload& w, const PromptPool& pool,
                                         const std::string& policy, const ProgressSink& progress) {
  const std::size_t n = w.requests.size();
  std::vector<report::LiveRequest> log(n);
  std::vector<std::string> sources(n);
  std::vector<int> completion_tokens(n, -1);
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  threads.reserve(n);
  const Clock::time_point start = Clock::now();
  std::mutex end_mu;
  Clock::time_point last_end = start;

  auto send = [&](std::size_t k) {
    const WorkloadRequest& req = w.requests[k];
    report::LiveRequest& r = log[k];
    r.policy = policy;
    r.prompt_tokens = pool.tokens[req.prompt];
    httplib::Client c("127.0.0.1", o.gateway_port);
    c.set_connection_timeout(10, 0);
    c.set_read_timeout(static_cast<time_t>(o.timeout_ms / 1000 + 10), 0);
    c.set_write_timeout(30, 0);
    const std::string body = request_body(o.model_id, pool.texts[req.prompt], w.max_tokens, policy, w.slo_ms).dump();
    const Clock::time_point t0 = Clock::now();
    auto res = c.Post("/v1/completions", body, "application/json");
    const Clock::time_point t1 = Clock::now();
    r.sent_s = seconds_between(start, t0);
    r.latency_ms = seconds_between(t0, t1) * 1000.0;
    r.http_status = res ? res->status : 0;
    if (res && res->status == 200) {
      const json doc = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
      const json usage = doc.is_object() && doc.contains("usage") ? doc["usage"] : json::object();
      r.prompt_tokens = static_cast<int>(number_or(usage, "prompt_tokens", r.prompt_tokens));
      r.output_tokens = static_cast<int>(number_or(usage, "completion_tokens", 0));
      completion_tokens[k] = r.output_tokens;
      r.energy_j = number_or(usage, "energy_joules", 0);
      r.carbon_g = number_or(usage, "carbon_grams", 0);
      r.intensity_g_per_kwh = number_or(usage, "intensity_g_per_kwh", 0);
      r.node = string_or(usage, "node");
      r.zone = string_or(usage, "zone");
      sources[k] = string_or(usage, "energy_source");
      if (!usage.is_object() || r.node.empty()) r.http_status = 502;  // an answer without the usage extras
    }
    {
      std::lock_guard<std::mutex> lock(end_mu);
      last_end = std::max(last_end, t1);
    }
    answered.fetch_add(1);
  };

  bool interrupted = false;
  for (std::size_t k = 0; k < n; ++k) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(w.requests[k].send_s));
    while (Clock::now() < due && !progress.should_stop()) {
      progress.update(answered.load(), static_cast<int>(n), fmt::format("{}: {} sent", policy, k));
      std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(20)));
    }
    if (progress.should_stop()) {
      interrupted = true;
      break;
    }
    threads.emplace_back(send, k);
  }
  bool aborted = false;
  while (answered.load() < static_cast<int>(threads.size())) {
    if (progress.should_stop() && !aborted) {
      // Stopping the cluster answers every request still in flight.
      if (o.abort) o.abort();
      aborted = true;
    }
    progress.update(answered.load(), static_cast<int>(n), fmt::format("{}: all sent, waiting for answers", policy));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (std::thread& t : threads) t.join();
  if (interrupted || aborted) return core::unavailable("interrupted");
  progress.update(static_cast<int>(n), static_cast<int>(n), policy + ": done");

  ReplayResult out;
  out.run = summarize_live_run(policy, std::move(log), seconds_between(start, last_end));
  std::set<std::string> distinct(sources.begin(), sources.end());
  distinct.erase("");
  for (const std::string& s : distinct) out.run.energy_source += (out.run.energy_source.empty() ? "" : ", ") + s;
  for (std::size_t k = 0; k < n; ++k) {
    if (completion_tokens[k] >= 0 && completion_tokens[k] != w.max_tokens) ++out.short_outputs;
  }
  return out;
}

}  // namespace greenroute::cli::experiment
