#include "experiment_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "greenroute/core/file_output.h"

namespace greenroute::cli::experiment {
namespace fs = std::filesystem;
namespace {

constexpr auto kNodeGrace = std::chrono::seconds(5);
constexpr auto kGatewayGrace = std::chrono::seconds(5);

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// "greenroute: error: X" -> "X"; a process that printed nothing gets its exit status.
std::string reason_of(core::ChildProcess& p) {
  std::string line = p.last_stderr_line();
  const std::string prefix = "greenroute: error: ";
  if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
  if (!line.empty()) return line;
  if (auto code = p.exit_code()) return fmt::format("it exited with status {} and printed no error", *code);
  return "it did not print its listening line in time";
}

}  // namespace

core::Status check_port_free(int port) {
  if (port == 0) return core::Status::ok();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::io_error(std::string("socket: ") + std::strerror(errno));
  // As the servers bind (SO_REUSEADDR): a port in TIME_WAIT is usable, one
  // with a listener is not.
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    return core::unavailable(fmt::format("--gateway-port {}: cannot listen on 127.0.0.1:{}: {}{}", port, port,
                                         std::strerror(err),
                                         err == EADDRINUSE ? " (another program uses it; pick another port or 0)" : ""));
  }
  return core::Status::ok();
}

std::string LiveCluster::cluster_toml(const std::vector<LiveNodeSpec>& nodes, const std::vector<int>& ports,
                                      const ClusterOptions& o) {
  std::string t = "# Written by greenroute experiment: the live cluster it ran (docs/experiment.md).\n";
  t += "[defaults]\n";
  t += fmt::format("policy = {}\n", toml_string(kBaselinePolicy));
  t += fmt::format("baseline_policy = {}\n", toml_string(kBaselinePolicy));
  t += fmt::format("request_timeout_ms = {}\n", o.request_timeout_ms);
  t += "connect_timeout_ms = 2000\n";
  t += fmt::format("queue_limit = {}\n", o.max_requests + 16);
  // Fresh telemetry for routing; tolerant ejection, since two busy cores can
  // make a poll slow without the node being dead.
  t += "health_interval_ms = 500\neject_after_failures = 10\n";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const LiveNodeSpec& n = nodes[i];
    t += "\n[[node]]\n";
    t += fmt::format("name = {}\n", toml_string(n.name));
    t += fmt::format("url = {}\n", toml_string(fmt::format("http://127.0.0.1:{}", ports.at(i))));
    t += fmt::format("zone = {}\n", toml_string(n.zone.zone));
    t += fmt::format("carbon = {}\n", toml_string(n.zone.spec));
    t += fmt::format("profile = {}  # measured here at {} thread(s){}\n", toml_string(n.profile_path), n.threads,
                     n.cpus.empty() ? "" : ", the node pinned to CPU(s) " + n.cpus);
  }
  return t;
}

core::Result<std::unique_ptr<LiveCluster>> LiveCluster::start(const ClusterOptions& o,
                                                              const std::vector<LiveNodeSpec>& nodes) {
  auto cluster = std::unique_ptr<LiveCluster>(new LiveCluster());
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) return core::io_error("cannot create " + o.dir.string() + ": " + ec.message());
  const int http_threads = std::clamp(o.max_requests + 8, 8, 4096);
  const auto interrupted = [&] { return o.should_stop && o.should_stop(); };
  for (const LiveNodeSpec& n : nodes) {
    std::vector<std::string> argv = {o.program,
                                     "node",
                                     "--model",
                                     o.model_path,
                                     "--model-id",
                                     o.model_id,
                                     "--host",
                                     "127.0.0.1",
                                     "--port",
                                     "0",
                                     "--name",
                                     n.name,
                                     "--zone",
                                     n.zone.zone,
                                     "--carbon",
                                     n.zone.spec,
                                     "--threads",
                                     std::to_string(n.threads),
                                     "--profile",
                                     n.profile_path,
                                     "--max-queue",
                                     std::to_string(o.max_requests + 16),
                                     "--http-threads",
                                     std::to_string(http_threads),
                                     "--grace-ms",
                                     "3000",
                                     "--seed",
                                     std::to_string(o.seed)};
    if (!n.cpus.empty()) argv.insert(argv.end(), {"--cpus", n.cpus});
    GR_ASSIGN_OR_RETURN(auto child, core::ChildProcess::spawn(argv, o.dir, "node-" + n.name));
    const int port = child->wait_listening(o.start_timeout, o.should_stop);
    if (port <= 0) {
      if (interrupted()) return core::unavailable("interrupted");
      const std::string why = reason_of(*child);
      cluster->nodes_.push_back(std::move(child));
      cluster->stop();
      return core::unavailable(fmt::format("node {} did not start: {} (log: {})", n.name, why,
                                           (o.dir / ("node-" + n.name + ".err")).string()));
    }
    if (o.message) o.message(fmt::format("cluster: node {} (zone {}, {} thread(s)) listening on 127.0.0.1:{}", n.name,
                                         n.zone.zone, n.threads, port));
    cluster->nodes_.push_back(std::move(child));
    cluster->names_.push_back(n.name);
    cluster->node_ports_.push_back(port);
  }
  cluster->config_path_ = o.dir / "cluster.toml";
  GR_RETURN_IF_ERROR(
      core::write_file_atomically(cluster->config_path_.string(), cluster_toml(nodes, cluster->node_ports_, o)));
  if (core::Status s = cluster->start_gateway(o, o.gateway_port, "gateway"); !s.is_ok()) {
    cluster->stop();
    return s;
  }
  return cluster;
}

core::Status LiveCluster::start_gateway(const ClusterOptions& o, int port, const std::string& log_name) {
  const int http_threads = std::clamp(o.max_requests + 8, 8, 4096);
  std::vector<std::string> argv = {o.program,        "gateway", "--config", config_path_.string(),
                                   "--host",         "127.0.0.1",
                                   "--port",         std::to_string(port),
                                   "--http-threads", std::to_string(http_threads),
                                   "--grace-ms",     "3000",
                                   "--seed",         std::to_string(o.seed)};
  GR_ASSIGN_OR_RETURN(gateway_, core::ChildProcess::spawn(argv, o.dir, log_name));
  gateway_port_ = gateway_->wait_listening(o.start_timeout, o.should_stop);
  if (gateway_port_ <= 0) {
    if (o.should_stop && o.should_stop()) return core::unavailable("interrupted");
    const std::string why = reason_of(*gateway_);
    const std::string on = port == 0 ? "" : fmt::format(" on --gateway-port {}", port);
    return core::unavailable(
        fmt::format("the gateway did not start{}: {} (log: {})", on, why, (o.dir / (log_name + ".err")).string()));
  }
  if (o.message) o.message(fmt::format("cluster: gateway listening on 127.0.0.1:{}", gateway_port_));
  return wait_routable(o, nodes_.size());
}

core::Status LiveCluster::restart_gateway(const ClusterOptions& o, const std::string& log_name) {
  const int port = gateway_port_;
  if (gateway_) {
    const int code = gateway_->stop(kGatewayGrace);
    gateway_.reset();
    if (code != 0) return core::unavailable(fmt::format("the gateway exited with status {} when stopped", code));
  }
  return start_gateway(o, port, log_name);
}

core::Status LiveCluster::wait_routable(const ClusterOptions& o, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + o.start_timeout;
  std::string last = "no answer from /v1/cluster";
  while (std::chrono::steady_clock::now() < deadline) {
    if (o.should_stop && o.should_stop()) return core::unavailable("interrupted");
    if (!gateway_->running()) {
      return core::unavailable("the gateway exited while waiting for its nodes: " + reason_of(*gateway_));
    }
    httplib::Client c("127.0.0.1", gateway_port_);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(5, 0);
    if (auto r = c.Get("/v1/cluster"); r && r->status == 200) {
      auto doc = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
      std::size_t healthy = 0;
      std::string waiting;
      if (doc.is_object() && doc["nodes"].is_array()) {
        for (const auto& node : doc["nodes"]) {
          if (node.value("healthy", false)) {
            ++healthy;
          } else {
            waiting += (waiting.empty() ? "" : ", ") + node.value("name", std::string("?"));
          }
        }
      }
      if (healthy == n) return core::Status::ok();
      last = "not yet routable: " + waiting;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return core::deadline_exceeded("the gateway did not see every node healthy in time (" + last + ")");
}

std::vector<std::string> LiveCluster::stop() {
  std::vector<std::string> warnings;
  if (gateway_) {
    const int code = gateway_->stop(kGatewayGrace);
    if (code != 0) warnings.push_back(fmt::format("gateway exited with status {}", code));
    gateway_.reset();
  }
  for (auto& n : nodes_) n->signal(SIGTERM);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const int code = nodes_[i]->stop(kNodeGrace);
    if (code != 0 && i < names_.size()) warnings.push_back(fmt::format("node {} exited with status {}", names_[i], code));
  }
  nodes_.clear();
  return warnings;
}

std::vector<pid_t> LiveCluster::pids() const {
  std::vector<pid_t> out;
  for (const auto& n : nodes_) out.push_back(n->pid());
  if (gateway_) out.push_back(gateway_->pid());
  return out;
}

LiveCluster::~LiveCluster() { stop(); }

}  // namespace greenroute::cli::experiment
