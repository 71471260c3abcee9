// gateway_load_bench: what the gateway adds to a request's latency, and how
// many requests a second it sustains, against a real `greenroute node`.
//
//   gateway_load_bench --greenroute BUILD/greenroute --work DIR --out RESULT.json
//                      [--rates 100,1000,5000] [--seconds 10] [--rounds 5]
//                      [--ladder 250,500,...] [--ladder-seconds 3] [--sustain-p99-ms 100]
//                      [--arrivals poisson|uniform] [--connections 24]
//
// It writes a tiny synthetic model (`greenroute model synth --preset tiny`),
// starts `greenroute node` on it and `greenroute gateway` in front of that
// node, all on 127.0.0.1 with kernel-picked ports, then drives both with the
// open-loop generator (http_load_gen.h): max_tokens=1 completions at a fixed
// arrival rate, latency from each request's scheduled send time.
//
// Added latency: for each rate, `--rounds` pairs of equal slices, direct to
// the node and through the gateway, alternating which goes first (so drift in
// the machine's load hits both sides alike); per percentile, the gateway's
// figure minus the direct one. Sustained rate: the ladder's highest rate at
// which every request got a 2xx and p99 stayed under --sustain-p99-ms (above
// it a queue builds), for each path.
//
// The machine is shared: the generator, the node and the gateway run on the
// same cores, so each slice records the CPU each of them used and how busy
// the whole machine was (/proc/stat), and the report prints them.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "greenroute/core/child_process.h"
#include "http_load_gen.h"

namespace {

namespace fs = std::filesystem;
using greenroute::bench::LoadOptions;
using greenroute::bench::LoadResult;
using greenroute::bench::percentile;
using greenroute::core::ChildProcess;
using nlohmann::json;

struct Flags {
  std::string greenroute;
  std::string work;
  std::string out;
  std::vector<double> rates = {100, 1000, 5000};
  double seconds = 10;
  int rounds = 5;
  std::vector<double> ladder = {250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000};
  double ladder_seconds = 3;
  double sustain_p99_ms = 100;
  int connections = 24;
  int node_threads = 1;
  int node_max_wait_ms = 0;
  std::string arrivals = "poisson";
};

// CPU seconds a process has used (user + system), from /proc/PID/stat.
double process_cpu_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> f; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stod(f);
    if (i == 15) {
      stime = std::stod(f);
      break;
    }
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The machine's busy and total jiffies (all cores), from /proc/stat.
std::pair<double, double> machine_jiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double busy = 0, total = 0, v = 0;
  for (int i = 0; i < 8 && in >> v; ++i) {
    total += v;
    if (i != 3 && i != 4) busy += v;  // idle, iowait
  }
  return {busy, total};
}

struct Processes {
  pid_t node = -1;
  pid_t gateway = -1;
};

// One measured slice plus the CPU the three parties and the machine used.
struct Slice {
  LoadResult load;
  double wall_s = 0;
  double node_cpu_s = 0;
  double gateway_cpu_s = 0;
  double machine_busy = 0;  // 0..1 of all cores
};

Slice run_slice(const LoadOptions& o, const Processes& p) {
  Slice s;
  const double n0 = process_cpu_s(p.node), g0 = process_cpu_s(p.gateway);
  const auto [b0, t0] = machine_jiffies();
  const auto w0 = std::chrono::steady_clock::now();
  s.load = greenroute::bench::run_open_loop(o);
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  s.node_cpu_s = process_cpu_s(p.node) - n0;
  s.gateway_cpu_s = process_cpu_s(p.gateway) - g0;
  const auto [b1, t1] = machine_jiffies();
  s.machine_busy = t1 > t0 ? (b1 - b0) / (t1 - t0) : 0;
  std::this_thread::sleep_for(
      std::chrono::milliseconds(200));  // let the servers settle between slices
  return s;
}

// Slices of one path, pooled.
struct Pooled {
  std::vector<Slice> slices;

  std::vector<double> latencies() const {
    std::vector<double> all;
    for (const Slice& s : slices)
      all.insert(all.end(), s.load.latency_us.begin(), s.load.latency_us.end());
    return all;
  }
  json to_json() const {
    std::int64_t scheduled = 0, ok = 0, http = 0, transport = 0, timeouts = 0, conns = 0;
    double duration = 0, wall = 0, node = 0, gw = 0, gen = 0, busy = 0, lag = 0;
    json statuses = json::object();
    std::vector<double> service;
    for (const Slice& s : slices) {
      const LoadResult& l = s.load;
      scheduled += l.scheduled;
      ok += l.ok;
      http += l.http_errors;
      transport += l.transport_errors;
      timeouts += l.timeouts;
      conns += l.connections_opened;
      duration += l.duration_s;
      wall += s.wall_s;
      node += s.node_cpu_s;
      gw += s.gateway_cpu_s;
      gen += l.generator_cpu_s;
      busy += s.machine_busy * s.wall_s;
      lag = std::max(lag, l.send_lag_p99_us);
      for (const auto& [code, n] : l.status_counts) {
        statuses[std::to_string(code)] = statuses.value(std::to_string(code), std::int64_t{0}) + n;
      }
      service.insert(service.end(), l.service_us.begin(), l.service_us.end());
    }
    const std::vector<double> lat = latencies();
    return {{"slices", slices.size()},
            {"scheduled", scheduled},
            {"ok", ok},
            {"errors", {{"http", http}, {"transport", transport}, {"timeout", timeouts}}},
            {"status_counts", statuses},
            {"achieved_rate_per_s", duration > 0 ? static_cast<double>(ok) / duration : 0},
            {"latency_us", quantiles(lat)},
            {"service_us", quantiles(service)},
            {"generator_send_lag_p99_us", lag},
            {"connections_opened", conns},
            {"cpu_cores",
             {{"node", wall > 0 ? node / wall : 0},
              {"gateway", wall > 0 ? gw / wall : 0},
              {"generator", wall > 0 ? gen / wall : 0},
              {"machine_busy_fraction", wall > 0 ? busy / wall : 0},
              {"machine_cores", std::thread::hardware_concurrency()}}}};
  }
  static json quantiles(const std::vector<double>& v) {
    return {{"p50", percentile(v, 0.50)}, {"p90", percentile(v, 0.90)},
            {"p99", percentile(v, 0.99)}, {"p999", percentile(v, 0.999)},
            {"max", percentile(v, 1.0)},  {"count", v.size()}};
  }
};

// `seed`: the same for the two paths of a round, so both see the same arrivals.
LoadOptions load_options(const Flags& f, int port, double rate, double seconds,
                         std::uint64_t seed) {
  LoadOptions o;
  o.port = port;
  o.rate_per_s = rate;
  o.poisson = f.arrivals == "poisson";
  o.seed = seed;
  o.duration_s = seconds;
  o.max_connections = f.connections;
  o.request = greenroute::bench::json_post_request(
      "127.0.0.1", port, "/v1/completions",
      R"({"model": "tiny", "prompt": "Hello from the load generator", "max_tokens": 1, "temperature": 0})");
  return o;
}

std::unique_ptr<ChildProcess> start(const std::vector<std::string>& argv, const fs::path& dir,
                                    const std::string& name, int* port) {
  auto spawned = ChildProcess::spawn(argv, dir, name);
  if (!spawned.is_ok()) throw std::runtime_error(spawned.status().to_string());
  std::unique_ptr<ChildProcess> child = std::move(spawned).value();
  *port = child->wait_listening(std::chrono::seconds(60));
  if (*port <= 0) throw std::runtime_error(name + " did not start:\n" + child->stderr_text());
  return child;
}

void print_row(const char* rate, const char* path, const json& q, const json& extra) {
  std::printf("%8s  %-8s %9.3f %9.3f %9.3f %9.3f  %s\n", rate, path, q["p50"].get<double>() / 1e3,
              q["p90"].get<double>() / 1e3, q["p99"].get<double>() / 1e3,
              q["p999"].get<double>() / 1e3, extra.get<std::string>().c_str());
}

std::string load_text(const json& r) {
  const json& c = r["cpu_cores"];
  const json& e = r["errors"];
  char buf[256];
  std::snprintf(
      buf, sizeof buf, "ok %lld err %lld  cpu node %.2f gw %.2f gen %.2f  machine %.0f%% of %d",
      static_cast<long long>(r["ok"].get<std::int64_t>()),
      static_cast<long long>(e["http"].get<std::int64_t>() + e["transport"].get<std::int64_t>() +
                             e["timeout"].get<std::int64_t>()),
      c["node"].get<double>(), c["gateway"].get<double>(), c["generator"].get<double>(),
      100 * c["machine_busy_fraction"].get<double>(), c["machine_cores"].get<int>());
  return buf;
}

int run(const Flags& f) {
  const fs::path work = fs::absolute(f.work);
  fs::create_directories(work);
  const fs::path model = work / "tiny.gguf";
  if (!fs::exists(model)) {
    auto synth = ChildProcess::spawn({f.greenroute, "model", "synth", "--preset", "tiny", "--seed",
                                      "7", "--out", model.string()},
                                     work, "synth");
    if (!synth.is_ok()) throw std::runtime_error(synth.status().to_string());
    if ((*synth)->wait(std::chrono::seconds(120)) != 0)
      throw std::runtime_error("greenroute model synth failed:\n" + (*synth)->stderr_text());
  }
  int node_port = 0;
  auto node = start({f.greenroute,     "node",
                     "--model",        model.string(),
                     "--model-id",     "tiny",
                     "--port",         "0",
                     "--name",         "bench-node",
                     "--zone",         "DE",
                     "--carbon",       "static:300",
                     "--threads",      std::to_string(f.node_threads),
                     "--max-wait-ms",  std::to_string(f.node_max_wait_ms),
                     "--http-threads", "64"},
                    work, "node", &node_port);
  const fs::path config = work / "cluster.toml";
  std::ofstream(config)
      << "[defaults]\npolicy = \"latency-aware\"\n\n[[node]]\nname = \"bench-node\"\n"
      << "url = \"http://127.0.0.1:" << node_port << "\"\nzone = \"DE\"\n"
      << "carbon = \"static:300\"\nprofile = \"rtx-2000-ada-16gb\"\n";
  int gw_port = 0;
  auto gateway = start(
      {f.greenroute, "gateway", "--config", config.string(), "--port", "0", "--http-threads", "64"},
      work, "gateway", &gw_port);
  const Processes procs{node->pid(), gateway->pid()};

  // Warm both paths (connections, the node's first batch, caches).
  for (const int port : {node_port, gw_port})
    (void)run_slice(load_options(f, port, 200, 1, 99), procs);

  json out = {{"what", "gateway added latency, open-loop, max_tokens=1, tiny synthetic model"},
              {"arrivals", f.arrivals},
              {"node", {{"threads", f.node_threads}, {"max_wait_ms", f.node_max_wait_ms}}},
              {"connections", f.connections},
              {"seconds_per_path_per_rate", f.seconds},
              {"rounds", f.rounds},
              {"machine_cores", std::thread::hardware_concurrency()}};
  std::printf(
      "== gateway added latency (ms, from the scheduled send; open loop, %s arrivals, "
      "max_tokens=1)\n",
      f.arrivals.c_str());
  std::printf("%8s  %-8s %9s %9s %9s %9s  %s\n", "req/s", "path", "p50", "p90", "p99", "p99.9",
              "load");
  json rates = json::array();
  for (const double rate : f.rates) {
    Pooled direct, via;
    const double slice_s = f.seconds / f.rounds;
    for (int round = 0; round < f.rounds; ++round) {
      const bool direct_first = round % 2 == 0;
      for (int k = 0; k < 2; ++k) {
        const bool is_direct = (k == 0) == direct_first;
        (is_direct ? direct : via)
            .slices.push_back(
                run_slice(load_options(f, is_direct ? node_port : gw_port, rate, slice_s,
                                       static_cast<std::uint64_t>(round + 1)),
                          procs));
      }
    }
    json d = direct.to_json(), g = via.to_json();
    json added;
    for (const char* q : {"p50", "p90", "p99", "p999"})
      added[q] = g["latency_us"][q].get<double>() - d["latency_us"][q].get<double>();
    const std::string label = std::to_string(static_cast<long long>(rate));
    print_row(label.c_str(), "direct", d["latency_us"], load_text(d));
    print_row("", "gateway", g["latency_us"], load_text(g));
    print_row("", "added", added, json(""));
    rates.push_back({{"rate_per_s", rate}, {"direct", d}, {"gateway", g}, {"added_us", added}});
  }
  out["rates"] = rates;

  std::printf("== sustained rate: every request 2xx and p99 under %.0f ms (%.0f s a step)\n",
              f.sustain_p99_ms, f.ladder_seconds);
  json sustained;
  for (const auto& [name, port] :
       {std::pair<std::string, int>{"direct", node_port}, {"gateway", gw_port}}) {
    json steps = json::array();
    double best = 0;
    std::string stop = "the ladder's top held";
    for (const double rate : f.ladder) {
      Pooled p;
      p.slices.push_back(run_slice(load_options(f, port, rate, f.ladder_seconds, 7), procs));
      const json r = p.to_json();
      const double p99_ms = r["latency_us"]["p99"].get<double>() / 1e3;
      const LoadResult& l = p.slices[0].load;
      steps.push_back({{"rate_per_s", rate}, {"result", r}});
      if (l.errors() > 0 || l.ok == 0 || p99_ms > f.sustain_p99_ms) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "at %.0f req/s: %lld error(s), p99 %.1f ms", rate,
                      static_cast<long long>(l.errors()), p99_ms);
        stop = buf;
        break;
      }
      best = rate;
    }
    std::printf("%-8s sustained %6.0f req/s (stopped %s)\n", name.c_str(), best, stop.c_str());
    sustained[name] = {{"sustained_rate_per_s", best}, {"stopped", stop}, {"steps", steps}};
  }
  out["sustained"] = sustained;
  out["sustain_p99_ms"] = f.sustain_p99_ms;

  gateway->signal(SIGTERM);
  const int gw_exit = gateway->wait(std::chrono::seconds(20));
  node->signal(SIGTERM);
  const int node_exit = node->wait(std::chrono::seconds(20));
  std::ofstream(f.out) << out.dump(2) << "\n";
  std::printf("results: %s\n", f.out.c_str());
  if (gw_exit != 0 || node_exit != 0) {
    std::fprintf(stderr, "gateway_load_bench: gateway exited %d, node %d (logs in %s)\n", gw_exit,
                 node_exit, work.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The gateway's added latency and sustained rate against a real greenroute node"};
  Flags f;
  app.add_option("--greenroute", f.greenroute, "The greenroute program")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--work", f.work, "Scratch folder: model, cluster.toml, server logs")->required();
  app.add_option("--out", f.out, "JSON results")->required();
  app.add_option("--rates", f.rates, "Arrival rates for the added-latency table (req/s)")
      ->delimiter(',')
      ->check(CLI::Range(1.0, 100000.0));
  app.add_option("--seconds", f.seconds, "Seconds per path per rate (split over the rounds)")
      ->check(CLI::Range(0.5, 600.0));
  app.add_option("--rounds", f.rounds, "Direct/gateway slice pairs per rate")
      ->check(CLI::Range(1, 100));
  app.add_option("--ladder", f.ladder, "Rates tried, in order, for the sustained figure")
      ->delimiter(',')
      ->check(CLI::Range(1.0, 100000.0));
  app.add_option("--ladder-seconds", f.ladder_seconds, "Seconds per ladder step")
      ->check(CLI::Range(0.5, 600.0));
  app.add_option("--sustain-p99-ms", f.sustain_p99_ms, "p99 bound of a sustained step")
      ->check(CLI::Range(0.1, 60000.0));
  app.add_option("--connections", f.connections,
                 "Keep-alive connections at most (below the servers' 64 threads)")
      ->check(CLI::Range(1, 48));
  app.add_option("--node-threads", f.node_threads, "The node's engine threads")
      ->check(CLI::Range(1, 256));
  app.add_option("--node-max-wait-ms", f.node_max_wait_ms,
                 "The node's --max-wait-ms (0: no batch-filling wait, so the direct path is as "
                 "fast as it gets)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--arrivals", f.arrivals,
                 "Arrival schedule: poisson (seeded, the same for both paths) or uniform")
      ->check(CLI::IsMember({"poisson", "uniform"}));
  CLI11_PARSE(app, argc, argv);
  if (f.seconds / f.rounds < 0.5) {
    std::fprintf(stderr, "gateway_load_bench: --seconds / --rounds must be at least 0.5 s\n");
    return 2;
  }
  try {
    return run(f);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gateway_load_bench: %s\n", e.what());
    return 1;
  }
}
