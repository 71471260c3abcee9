// TestServer: a real cpp-httplib server on 127.0.0.1, on a port the kernel
// picks, run on its own thread, for the live carbon sources' tests. Routes
// are registered before start(); every route counts its requests so tests
// can assert what reached the network. A route may block on the server's
// gate (to outlast a client's read timeout); stop() opens the gate first, so
// teardown never waits on a sleeping handler.
//
// Thread contract: configure (route, start) from the test thread; count()
// and open_gate() from any thread.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace greenroute::carbon::test_http {

class TestServer {
 public:
  TestServer() : port_(server_.bind_to_any_port("127.0.0.1")) {}
  ~TestServer() { stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // GET `pattern` (a httplib regex over the path, query excluded).
  void route(const std::string& pattern, httplib::Server::Handler handler) {
    auto& counter = counters_[pattern];
    counter = std::make_unique<std::atomic<int>>(0);
    std::atomic<int>* c = counter.get();
    server_.Get(pattern, [c, handler = std::move(handler)](const httplib::Request& req,
                                                           httplib::Response& res) {
      c->fetch_add(1);
      handler(req, res);
    });
  }

  void start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // listen_after_bind() flags the server running before it accepts; the
    // socket is already bound, so connections queue even before then.
    while (!server_.is_running()) std::this_thread::yield();
  }

  void stop() {
    open_gate();
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int count(const std::string& pattern) const {
    const auto it = counters_.find(pattern);
    return it == counters_.end() ? 0 : it->second->load();
  }

  // For handlers: blocks until open_gate() or `limit` passes.
  void wait_at_gate(std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(gate_mu_);
    gate_cv_.wait_for(lock, limit, [this] { return gate_open_; });
  }
  void open_gate() {
    {
      std::lock_guard<std::mutex> lock(gate_mu_);
      gate_open_ = true;
    }
    gate_cv_.notify_all();
  }

 private:
  httplib::Server server_;
  int port_;
  std::thread thread_;
  std::map<std::string, std::unique_ptr<std::atomic<int>>> counters_;
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  bool gate_open_ = false;  // guarded by gate_mu_
};

inline void reply_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

// A port with nothing listening: the kernel picks a free one for a socket
// that is closed again without listen(), so a connect is refused.
inline int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace greenroute::carbon::test_http
