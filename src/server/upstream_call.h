// UpstreamCall: one HTTP request to an upstream OpenAI-compatible server,
// shared by the node agent's proxy mode (node_proxy.cc: the device's own
// server) and the gateway (gateway_route.cc: a node agent).
//
// A call runs one of two ways; either way its caller learns the upstream's
// status line before it commits to a response of its own (a refused or failed
// call can still become a proper error, or a retry on another node), and
// shutdown can cut it off (httplib's Client::stop()):
// - start(): on a worker thread, while the caller watches its own client and
//   deadline and reads the body as it arrives (streams);
// - run_here(): to its end on the caller's thread, which saves two thread
//   hand-offs per call (the gateway's tail latency on this 2-core machine,
//   bench/gateway_load_bench); meanwhile the client's watchdog thread asks
//   the caller's `stop_when` every 20 ms and cancels the call when it says
//   so (the caller's client left, its deadline passed).
// Body bytes are buffered as they arrive and handed out with read(); a body
// larger than 64 MiB stops the call.
//
// UpstreamClient: what a server needs to make such calls, one per server:
// - the calls in flight, so shutdown can cut them all off (cancel_all(); a
//   call made afterwards is born cancelled: it never reaches the upstream
//   and reports `cancelled`);
// - keep-alive connections, reused by later calls to the same upstream (a
//   new TCP connection per call cost both ends a connect, an accept and a
//   thread hand-off: measured with bench/gateway_load_bench). A connection is
//   kept only after a call that completed cleanly, and is not reused after
//   kMaxIdle (below a greenroute node's 5 s keep-alive timeout, so the node
//   rarely closes one just as it is reused). A call on a reused connection
//   that fails before any byte of an answer (the upstream closed it
//   meanwhile) is sent once more on a new connection: the upstream did not
//   answer it, so it is not a failure of the upstream.
// - the threads started calls run on: a call takes an idle worker or starts
//   one; a server's calls are bounded by its HTTP threads (each belongs to a
//   handler or a stream), so the workers are too. They are never stopped
//   before the UpstreamClient is destroyed. And the watchdog of calls run
//   here, started with the first one.
//
// Thread contract: UpstreamCall's public methods and UpstreamClient are
// thread-safe (each guards its state with its own mutex); start() or
// run_here() is called once. `stop_when` runs on the watchdog thread while
// its caller is inside run_here(), never after. An UpstreamCall's destructor
// cancels it and waits for its worker to let go of it; every call must be
// destroyed before its UpstreamClient.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::server {

// An upstream's base URL split for httplib::Client.
struct UpstreamUrl {
  std::string scheme_host_port;  // "http://127.0.0.1:8081"
  std::string path_prefix;       // "" or "/prefix"
};
// http[s]://host[:port][/prefix]; a trailing "/" or "/v1" is dropped (OpenAI
// base URLs often end in /v1; the callers add /v1/... themselves). `what`
// names the input in errors ("--upstream", "node url").
core::Result<UpstreamUrl> parse_upstream_url(const std::string& url,
                                             std::string_view what = "--upstream");

struct UpstreamTimeouts {
  std::int64_t connect_ms = 2000;
  std::int64_t read_ms = 120000;  // per read or write; the caller enforces any overall deadline
};

class UpstreamCall;
struct UpstreamCallState;  // what a call shares with the worker that runs it (upstream_call.cc)

class UpstreamClient {
 public:
  UpstreamClient() = default;
  ~UpstreamClient();  // joins the workers and the watchdog
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  // Cancels every call in flight, and every call made from now on.
  void cancel_all();

  // Idle connections older than this are closed, not reused. Real time: the
  // age of a socket, not a measurement.
  static constexpr std::chrono::milliseconds kMaxIdle{2000};
  static constexpr std::size_t kMaxIdlePerUpstream = 64;
  // How often the watchdog asks the calls run here whether to stop.
  static constexpr std::chrono::milliseconds kWatchEvery{20};

 private:
  friend class UpstreamCall;
  friend struct UpstreamCallState;
  using Clock = std::chrono::steady_clock;

  bool add(UpstreamCall* call);  // false once cancel_all() ran
  void remove(UpstreamCall* call);

  // A kept connection to `scheme_host_port` (reused = true), else a new one.
  std::shared_ptr<httplib::Client> take_connection(const std::string& scheme_host_port,
                                                   bool& reused);
  void keep_connection(const std::string& scheme_host_port,
                       std::shared_ptr<httplib::Client> client);

  // Runs `task` on an idle worker, or a new one.
  void run(std::function<void()> task);
  void work();

  // The calls run here: the watchdog cancels one when its stop_when says so.
  void watch(UpstreamCallState* call, const std::function<bool()>* stop_when);
  void unwatch(UpstreamCallState* call);  // waits out a check in progress
  void watchdog();

  std::mutex calls_mu_;
  std::set<UpstreamCall*> calls_;  // guarded by calls_mu_
  bool cancelled_ = false;         // guarded by calls_mu_

  struct Idle {
    std::shared_ptr<httplib::Client> client;
    Clock::time_point since;
  };
  std::mutex pool_mu_;
  std::map<std::string, std::vector<Idle>> idle_;  // guarded by pool_mu_; the back is the newest

  std::mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by work_mu_
  std::size_t idle_workers_ = 0;             // guarded by work_mu_
  bool stop_ = false;                        // guarded by work_mu_
  std::vector<std::thread> workers_;         // guarded by work_mu_

  std::mutex watch_mu_;  // held while the watchdog asks
  std::condition_variable watch_cv_;
  std::map<UpstreamCallState*, const std::function<bool()>*> watched_;  // guarded by watch_mu_
  bool watch_stop_ = false;                                             // guarded by watch_mu_
  std::thread watchdog_;                                                // guarded by watch_mu_
};

class UpstreamCall {
 public:
  // Prepares the call; start() or run_here() sends it.
  UpstreamCall(UpstreamClient& client, const UpstreamUrl& base, std::string method,
               std::string path, std::string body,
               std::vector<std::pair<std::string, std::string>> headers,
               const UpstreamTimeouts& timeouts);
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Sends the call on one of the client's workers and returns at once.
  void start();
  // Sends the call on this thread and returns when it is over (outcome()
  // says how; read() hands out the whole body at once). `stop_when` is asked
  // every kWatchEvery meanwhile, on the watchdog thread.
  void run_here(const std::function<bool()>& stop_when);

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
    httplib::Headers headers;  // the upstream's response headers
    bool done = false;
    httplib::Error error = httplib::Error::Success;  // transport failure, if done
    bool cancelled = false;                          // cancel(), or the client's cancel_all()
  };
  Outcome outcome() const;

 private:
  UpstreamClient& client_;
  bool tracked_ = false;
  bool sent_ = false;  // start() or run_here() ran
  std::shared_ptr<UpstreamCallState> state_;
};

// A short synchronous GET (the gateway's health polls): the body of a 2xx
// answer, else an error naming the URL (kUnavailable for transport errors and
// non-2xx).
core::Result<std::string> http_get(const UpstreamUrl& base, const std::string& path,
                                   const UpstreamTimeouts& timeouts);

}  // namespace greenroute::server
