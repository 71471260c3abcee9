// HttpServer: cpp-httplib's server as the node agent and the gateway both
// bind it: to a port (0: any free one), with a deeper accept queue.
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

#include <string>

#include "greenroute/core/status.h"

namespace greenroute::server {

class HttpServer : public httplib::Server {
 public:
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
      return core::unavailable("cannot bind to " + host + ":" + std::to_string(port) + " (in use, or no such address)");
    }
    ::listen(svr_sock_, SOMAXCONN);  // best effort: the default queue still works
    return bound;
  }
};

}  // namespace greenroute::server
