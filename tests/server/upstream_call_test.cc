// UpstreamCall and UpstreamClient (src/server/upstream_call.h) against
// in-process servers on 127.0.0.1: answers and bodies on a worker and on the
// caller's thread, kept connections, a kept connection the upstream dropped,
// the watchdog's cut-off, shutdown's cancel_all, and a refused connection.
#include "upstream_call.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "http_server.h"

namespace greenroute::server {
namespace {

using namespace std::chrono_literals;

// An httplib server on a free port that records the client port of each request.
class EchoServer {
 public:
  EchoServer() {
    http_.configure(4, 1 << 20);
    http_.Post("/v1/echo", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ports_.insert(req.remote_port);
        ++requests_;
      }
      res.set_header("X-Greenroute-Node", "echo");
      res.set_content(req.body, "application/json");
    });
    http_.Post("/v1/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1s);
      res.set_content("{}", "application/json");
    });
    port_ = http_.bind("127.0.0.1", 0).value();
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    while (!http_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~EchoServer() {
    http_.stop();
    thread_.join();
  }
  UpstreamUrl url() const { return UpstreamUrl{"http://127.0.0.1:" + std::to_string(port_), ""}; }
  std::size_t client_ports() {
    std::lock_guard<std::mutex> lock(mu_);
    return ports_.size();
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  HttpServer http_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::set<int> ports_;
  int requests_ = 0;
};

// Runs a call to its end; the body it got.
std::string finish(UpstreamCall& call) {
  std::string body;
  while (!call.read(100ms, body)) {
  }
  return body;
}

TEST(UpstreamCall, AnswersAndKeepsTheConnectionForTheNextCall) {
  EchoServer server;
  UpstreamClient client;
  for (int i = 0; i < 3; ++i) {
    UpstreamCall call(client, server.url(), "POST", "/v1/echo", "{\"n\":" + std::to_string(i) + "}",
                      {}, {});
    call.start();
    ASSERT_TRUE(call.wait_head(5s));
    EXPECT_EQ(finish(call), "{\"n\":" + std::to_string(i) + "}");
    const UpstreamCall::Outcome o = call.outcome();
    EXPECT_TRUE(o.head);
    EXPECT_EQ(o.status, 200);
    EXPECT_EQ(o.error, httplib::Error::Success);
    EXPECT_FALSE(o.cancelled);
    EXPECT_EQ(o.content_type, "application/json");
    EXPECT_EQ(o.headers.find("X-Greenroute-Node")->second, "echo");
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.client_ports(), 1u);  // one kept-alive connection served all three
}

TEST(UpstreamCall, RunsOnTheCallersThreadAndSharesKeptConnections) {
  EchoServer server;
  UpstreamClient client;
  for (int i = 0; i < 3; ++i) {
    UpstreamCall call(client, server.url(), "POST", "/v1/echo", "{\"here\":true}", {}, {});
    if (i == 1) {
      call.start();  // a worker's call and the caller's share the kept connection
    } else {
      call.run_here([] { return false; });
      EXPECT_TRUE(call.outcome().done);  // over when run_here returns
    }
    EXPECT_EQ(finish(call), "{\"here\":true}");
    EXPECT_EQ(call.outcome().status, 200);
  }
  EXPECT_EQ(server.client_ports(), 1u);
}

TEST(UpstreamCall, TheWatchdogCutsOffACallRunHere) {
  EchoServer server;
  UpstreamClient client;
  UpstreamCall call(client, server.url(), "POST", "/v1/slow", "{}", {}, {});
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<int> asked{0};
  call.run_here([&] {
    ++asked;
    return std::chrono::steady_clock::now() - t0 > 100ms;  // the caller's client left
  });
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 900ms);  // not the server's 1 s
  EXPECT_GE(asked.load(), 2);
  const UpstreamCall::Outcome o = call.outcome();
  EXPECT_TRUE(o.done);
  EXPECT_TRUE(o.cancelled);
  EXPECT_FALSE(o.head);
}

TEST(UpstreamCall, CancelAllCutsOffCallsAndRefusesNewOnes) {
  EchoServer server;
  UpstreamClient client;
  client.cancel_all();
  UpstreamCall call(client, server.url(), "POST", "/v1/echo", "{}", {}, {});
  call.start();
  finish(call);
  const UpstreamCall::Outcome o = call.outcome();
  EXPECT_TRUE(o.cancelled);
  EXPECT_FALSE(o.head);
  EXPECT_NE(o.error, httplib::Error::Success);
  EXPECT_EQ(server.requests(), 0);  // never sent
}

TEST(UpstreamCall, RefusedConnectionIsATransportError) {
  // A port nothing listens on: bind one, then close it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  UpstreamClient client;
  UpstreamCall call(
      client, UpstreamUrl{"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), ""}, "POST",
      "/v1/echo", "{}", {}, UpstreamTimeouts{.connect_ms = 1000, .read_ms = 1000});
  call.start();
  finish(call);
  const UpstreamCall::Outcome o = call.outcome();
  EXPECT_FALSE(o.head);
  EXPECT_FALSE(o.cancelled);
  EXPECT_EQ(o.error, httplib::Error::Connection);
}

// A raw HTTP server whose first connection answers one request, then drops
// the connection when the next request arrives on it (an upstream that
// closed a kept connection just as it was reused); later connections answer.
class DroppingServer {
 public:
  DroppingServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(::listen(listen_fd_, 8), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~DroppingServer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  UpstreamUrl url() const { return UpstreamUrl{"http://127.0.0.1:" + std::to_string(port_), ""}; }
  int connections() const { return connections_.load(); }
  int answered() const { return answered_.load(); }

 private:
  // Reads one request (headers and a Content-Length body); false at EOF.
  static bool read_request(int fd) {
    std::string in;
    char buf[4096];
    while (true) {
      const std::size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        const std::size_t cl = in.find("Content-Length: ");
        const std::size_t body = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        if (in.size() >= end + 4 + body) return true;
      }
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<std::size_t>(n));
    }
  }
  void answer(int fd) {
    const std::string res =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    EXPECT_EQ(::send(fd, res.data(), res.size(), MSG_NOSIGNAL), static_cast<ssize_t>(res.size()));
    ++answered_;
  }
  void serve() {
    while (!stop_) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      const int n = ++connections_;
      if (n == 1) {
        if (read_request(fd)) answer(fd);
        if (read_request(fd)) {
          // Reset, unanswered: SO_LINGER 0 makes close() send RST.
          linger l{1, 0};
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
      } else {
        while (read_request(fd)) answer(fd);
      }
      ::close(fd);
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

TEST(UpstreamCall, ADroppedKeptConnectionIsRetriedOnANewOne) {
  DroppingServer server;
  UpstreamClient client;
  {
    UpstreamCall first(client, server.url(), "POST", "/v1/echo", "{}", {}, {});
    first.start();
    EXPECT_EQ(finish(first), "{}");
    EXPECT_EQ(first.outcome().error, httplib::Error::Success);
  }
  UpstreamCall second(client, server.url(), "POST", "/v1/echo", "{}", {}, {});
  second.start();
  EXPECT_EQ(finish(second), "{}");
  const UpstreamCall::Outcome o = second.outcome();
  EXPECT_EQ(o.error, httplib::Error::Success);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.answered(), 2);
}

TEST(UpstreamUrl, Parsing) {
  auto a = parse_upstream_url("http://127.0.0.1:8080/v1/");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->scheme_host_port, "http://127.0.0.1:8080");
  EXPECT_EQ(a->path_prefix, "");
  auto b = parse_upstream_url("https://host/proxy");
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->path_prefix, "/proxy");
  EXPECT_FALSE(parse_upstream_url("ftp://x").is_ok());
  EXPECT_FALSE(parse_upstream_url("http://").is_ok());
  EXPECT_FALSE(parse_upstream_url("http://u:p@host").is_ok());
  const auto bad = parse_upstream_url("http://host name", "node url");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("node url 'http://host name'"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace greenroute::server
