// PeerWatch: has this handler's client gone away?
//
// cpp-httplib 0.11 gives handlers no access to their connection, and its
// DataSink::is_writable() does not notice a closed peer, so a node would
// generate on for a client that hung up. A TCP connection is named by its
// local port and its peer's address and port, which httplib does give the
// handler; PeerWatch finds the socket with that name among the process's
// descriptors once, then polls it without blocking: a hang-up, an error, a
// reset (the socket no longer has that peer) or a readable socket with
// nothing to read (an orderly close) means the client is gone.
//
// The search (a walk of /proc/self/fd) waits for the first closed() call:
// handlers ask only once a wait has lasted a poll interval (20 to 50 ms), so
// a quick request never pays for it (it was a tenth of the gateway's CPU per
// request in bench/gateway_load_bench). A client that closes before that
// still leaves its socket in CLOSE_WAIT, found and seen closed; only one
// whose connection was reset before the first check is not found, and then
// nothing is watched (the request runs to its end, and a stream notices its
// failed write), as before for a socket never found.
//
// Thread contract: a PeerWatch is single-owner: one thread at a time (the
// handler's, or the upstream watchdog while the handler waits in
// UpstreamCall::run_here(), which hands it back before returning).
#pragma once

#include <string>

namespace greenroute::server {

class PeerWatch {
 public:
  // Watches the socket connected from remote_addr:remote_port to local_port.
  PeerWatch(const std::string& remote_addr, int remote_port, int local_port);

  // True once the client closed or reset the connection. False when the
  // socket is not found (nothing to watch). The first call searches.
  bool closed();

 private:
  void find();
  bool matches(int fd) const;

  std::string remote_addr_;
  int remote_port_;
  int local_port_;
  bool searched_ = false;
  int fd_ = -1;
};

}  // namespace greenroute::server
