// UpstreamCall: one HTTP request from the gateway to a node, run on a thread
// of its own so the gateway's handler learns the node's status line before it
// commits to a response (a refused or failed call can still be retried on
// another node), can watch its own client and deadline meanwhile, and
// shutdown can cut the call off (httplib's Client::stop()).
//
// Body bytes are buffered as they arrive and handed out with read(); a body
// larger than max_buffered_bytes stops the call (kMaxBuffered).
//
// Thread contract: the public methods are thread-safe (one mutex guards the
// state the call thread shares). The destructor cancels and joins.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::server {

// A node's base URL split for httplib::Client.
struct NodeUrl {
  std::string scheme_host_port;  // "http://127.0.0.1:8081"
  std::string path_prefix;       // "" or "/prefix"
};
// http[s]://host[:port][/prefix]; a trailing "/" or "/v1" is dropped.
core::Result<NodeUrl> parse_node_url(const std::string& url);

struct UpstreamTimeouts {
  std::int64_t connect_ms = 2000;
  std::int64_t read_ms = 120000;  // per read; the caller enforces the overall deadline
};

class UpstreamCall {
 public:
  UpstreamCall(const NodeUrl& base, std::string method, std::string path, std::string body,
               std::vector<std::pair<std::string, std::string>> headers,
               const UpstreamTimeouts& timeouts);
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Stops the call; pending waits return at once.
  void cancel();

  // Waits up to `timeout` for the status line (or the end). True once known.
  bool wait_head(std::chrono::milliseconds timeout);
  // Appends the body bytes received so far to `out`, waiting up to `timeout`
  // for some. True once the call is over and everything was handed out.
  bool read(std::chrono::milliseconds timeout, std::string& out);

  struct Outcome {
    bool head = false;  // a status line arrived
    int status = 0;
    std::string content_type;
    httplib::Headers headers;  // the node's response headers
    bool done = false;
    httplib::Error error = httplib::Error::Success;  // transport failure, if done
    bool cancelled = false;
  };
  Outcome outcome() const;

 private:
  void run();

  std::unique_ptr<httplib::Client> client_;
  httplib::Request req_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool head_ = false;                               // guarded by mu_
  int status_ = 0;                                  // guarded by mu_
  std::string content_type_;                        // guarded by mu_
  httplib::Headers headers_;                        // guarded by mu_
  std::string buffer_;                              // guarded by mu_
  bool done_ = false;                               // guarded by mu_
  bool cancelled_ = false;                          // guarded by mu_
  httplib::Error error_ = httplib::Error::Success;  // guarded by mu_
};

// A short synchronous GET (health polls): the body of a 2xx answer, else an
// error naming the URL (kUnavailable for transport errors and non-2xx).
core::Result<std::string> http_get(const NodeUrl& base, const std::string& path,
                                   const UpstreamTimeouts& timeouts);

}  // namespace greenroute::server
