// An open-loop HTTP/1.1 load generator for the gateway benchmark.
//
// Open loop: request i is due at a time fixed before the run starts (evenly
// spaced at the rate, or Poisson arrivals from a seed), whatever happened to
// the ones before it, and its latency is measured from that time, not
// from when a connection was free to send it. A closed-loop client (send,
// wait, send) slows down when the server does and so never sees the queue it
// would have built ("coordinated omission"); here a slow server shows up as
// latency, and the time a request waited inside the generator is part of it.
//
// One thread drives everything with epoll: up to max_connections keep-alive
// connections (opened on demand, the most recently idle one reused first so a
// low rate keeps few open), a timerfd armed at the next due time (no busy
// wait: on this 2-core machine the generator shares the CPU with the node and
// the gateway), non-blocking writes and an incremental response parser
// (Content-Length or chunked bodies, `Connection: close` honoured). Requests
// that find no free connection wait in a FIFO inside the generator.
//
// Thread contract: run_open_loop() is a blocking call that owns all of its
// state; call it from one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace greenroute::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";  // an IPv4 address
  int port = 0;
  std::string request;      // the whole HTTP/1.1 request, sent as is for every call
  double rate_per_s = 100;  // arrivals per second
  bool poisson = false;     // exponential gaps (seeded) instead of even spacing
  std::uint64_t seed = 1;
  double duration_s = 2;       // the schedule's length
  double warmup_s = 0.25;      // requests due this early are sent but not counted
  int max_connections = 16;    // keep it below the server's HTTP thread count
  double drain_timeout_s = 5;  // after the schedule, how long unanswered requests may take
};

struct LoadResult {
  double offered_rate_per_s = 0;
  double duration_s = 0;              // the counted part of the schedule
  std::int64_t scheduled = 0;         // counted requests
  std::int64_t ok = 0;                // 2xx
  std::int64_t http_errors = 0;       // answered with a non-2xx status
  std::int64_t transport_errors = 0;  // refused, reset or cut off
  std::int64_t timeouts = 0;          // unanswered at the end of the drain
  std::map<int, std::int64_t> status_counts;
  // Microseconds, for the counted 2xx answers: from the scheduled time (the
  // figure that matters), and from the moment the request was written.
  std::vector<double> latency_us;
  std::vector<double> service_us;
  double send_lag_p99_us = 0;  // how late the generator itself sent (its own overload)
  int connections_opened = 0;
  double generator_cpu_s = 0;  // this thread's CPU time over the run

  std::int64_t errors() const { return http_errors + transport_errors + timeouts; }
  double achieved_rate_per_s() const {
    return duration_s > 0 ? static_cast<double>(ok) / duration_s : 0;
  }
};

// Runs one schedule against host:port. Never throws; failures to connect are
// counted as transport errors.
LoadResult run_open_loop(const LoadOptions& options);

// The q-quantile (0..1) of `values` by nearest rank; 0 for none. Sorts a copy.
double percentile(std::vector<double> values, double q);

// "POST path HTTP/1.1" with a JSON body, Host and Content-Length, keep-alive.
std::string json_post_request(const std::string& host, int port, const std::string& path,
                              const std::string& body);

}  // namespace greenroute::bench
