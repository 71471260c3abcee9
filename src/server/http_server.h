// HttpServer: cpp-httplib's server as the node agent and the gateway both
// set it up: the same limits and keep-alive, bound to a port (0: any free
// one) with a deeper accept queue. wait_until_idle(): their drain on shutdown.
//
// Why: httplib 0.11 listens with a backlog of 5, so a burst of clients beyond
// that overflows the queue and, with SYN cookies, some connections are reset
// before a request is read (seen in the gateway's kill test) or wait for a
// SYN retransmit (1 s). listen() again on a listening socket only resizes its
// queue, so bind() re-listens with SOMAXCONN.
//
// Thread contract: bind() before listen_after_bind(), from one thread.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "greenroute/core/status.h"

namespace greenroute::server {

class HttpServer : public httplib::Server {
 public:
  // `threads` connections served at once (a keep-alive connection holds one
  // between its requests), bodies up to `max_body_bytes`, 10 s to read a
  // request and 30 s to write an answer, keep-alive for up to 1000 requests
  // or 5 idle seconds. Before bind().
  //
  // TCP_NODELAY: httplib writes a response's headers and body as separate
  // segments; with Nagle's algorithm the body waits for the ACK of the
  // headers, which a keep-alive client delays by up to 40 ms (delayed ACK),
  // so every answer on a reused connection took 40 ms more (measured with
  // bench/gateway_load_bench). The listening socket's option is inherited by
  // the accepted ones.
  void configure(int threads, std::size_t max_body_bytes) {
    set_tcp_nodelay(true);
    new_task_queue = [threads] {
      return new httplib::ThreadPool(static_cast<std::size_t>(threads));
    };
    set_payload_max_length(max_body_bytes);
    set_read_timeout(10, 0);
    set_write_timeout(30, 0);
    set_keep_alive_max_count(1000);
    set_keep_alive_timeout(5);
  }

  // Binds to host:port and returns the port bound. Errors: kInvalidArgument
  // for a port outside 0..65535, kUnavailable when the address cannot be
  // bound (in use, or no such address).
  core::Result<int> bind(const std::string& host, int port) {
    if (port < 0 || port > 65535) return core::invalid_argument("--port must be in 0..65535");
    int bound = port;
    if (port == 0) {
      bound = bind_to_any_port(host);
      if (bound <= 0) return core::unavailable("cannot bind to " + host + " on any port");
    } else if (!bind_to_port(host, port)) {
      return core::unavailable("cannot bind to " + host + ":" + std::to_string(port) +
                               " (in use, or no such address)");
    }
    ::listen(svr_sock_, SOMAXCONN);  // best effort: the default queue still works
    return bound;
  }
};

// Waits up to `ms` for `in_flight` to reach 0. Real time: a grace period is a
// wait for clients, not a measurement.
inline void wait_until_idle(const std::atomic<int>& in_flight, std::int64_t ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace greenroute::server
