// LiveCluster: the experiment's live cluster as real processes on this
// machine: one `greenroute node` per LiveNodeSpec (each with --port 0, its
// zone, carbon source, thread count and local profile), then a `greenroute
// gateway` on a generated cluster.toml naming the nodes by the ports they
// printed. Every process is a core::ChildProcess, so whatever happens (an
// error, Ctrl-C, an exception) the destructor stops them all: SIGTERM and a
// short grace, then SIGKILL and reaping. No process outlives the cluster.
//
// Thread contract: single-owner (the experiment's thread).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "experiment.h"
#include "greenroute/core/child_process.h"
#include "greenroute/core/status.h"

namespace greenroute::cli::experiment {

struct ClusterOptions {
  std::string program;           // the greenroute binary (/proc/self/exe)
  std::filesystem::path dir;     // logs (<name>.out/.err) and cluster.toml
  std::string model_path;
  std::string model_id = "experiment";
  int gateway_port = 0;          // 0: any free port
  std::uint64_t seed = 1;
  int max_requests = 64;         // in flight at once: sizes queues and HTTP threads
  std::int64_t request_timeout_ms = 120000;
  std::chrono::milliseconds start_timeout{std::chrono::seconds(120)};
  std::function<bool()> should_stop;  // Ctrl-C: give up waiting
  std::function<void(const std::string&)> message;
};

class LiveCluster {
 public:
  // Starts the nodes one by one, then the gateway, and waits until the
  // gateway reports every node routable. On any failure everything started
  // so far is stopped and the error names the process and quotes its own
  // error line: "node fr-1t did not start: greenroute: error: ...".
  static core::Result<std::unique_ptr<LiveCluster>> start(const ClusterOptions& options,
                                                          const std::vector<LiveNodeSpec>& nodes);
  ~LiveCluster();
  LiveCluster(const LiveCluster&) = delete;
  LiveCluster& operator=(const LiveCluster&) = delete;

  int gateway_port() const { return gateway_port_; }
  int node_port(std::size_t i) const { return node_ports_.at(i); }
  const std::filesystem::path& config_path() const { return config_path_; }
  // The running processes: nodes, then the gateway.
  std::vector<pid_t> pids() const;

  // Stops the gateway and starts a fresh one on the same config and port
  // (--gateway-port, or the one the first picked), then waits until it sees
  // every node again: each policy then starts from the same routing state
  // (no online correction or round-robin position carried over).
  // Its output goes to <dir>/<log_name>.out and .err.
  core::Status restart_gateway(const ClusterOptions& options, const std::string& log_name);

  // Gateway first (it drains its in-flight requests), then the nodes.
  // Idempotent. Returns a warning line per process that had to be killed.
  std::vector<std::string> stop();

  // The cluster.toml text for these nodes at these ports (relative profile
  // paths resolve against the file's folder).
  static std::string cluster_toml(const std::vector<LiveNodeSpec>& nodes, const std::vector<int>& ports,
                                  const ClusterOptions& options);

 private:
  LiveCluster() = default;
  core::Status wait_routable(const ClusterOptions& options, std::size_t nodes);
  core::Status start_gateway(const ClusterOptions& options, int port, const std::string& log_name);

  std::vector<std::unique_ptr<core::ChildProcess>> nodes_;
  std::vector<std::string> names_;
  std::vector<int> node_ports_;
  std::unique_ptr<core::ChildProcess> gateway_;
  int gateway_port_ = -1;
  std::filesystem::path config_path_;
};

// True when nothing listens on 127.0.0.1:port and it can be bound now (the
// early check of --gateway-port, before minutes of benchmarking).
core::Status check_port_free(int port);

}  // namespace greenroute::cli::experiment
