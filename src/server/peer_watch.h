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
// Thread contract: a PeerWatch is single-owner (the handler's thread).
#pragma once

#include <string>

namespace greenroute::server {

class PeerWatch {
 public:
  // Finds the socket connected from remote_addr:remote_port to local_port.
  PeerWatch(const std::string& remote_addr, int remote_port, int local_port);

  bool found() const { return fd_ >= 0; }
  // True once the client closed or reset the connection. False when the
  // socket was never found (nothing to watch).
  bool closed() const;

 private:
  bool matches(int fd) const;

  std::string remote_addr_;
  int remote_port_;
  int local_port_;
  int fd_ = -1;
};

}  // namespace greenroute::server
