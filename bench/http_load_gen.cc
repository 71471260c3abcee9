#include "http_load_gen.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string_view>

namespace greenroute::bench {
namespace {

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double thread_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) !=
        std::tolower(static_cast<unsigned char>(name[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Incremental HTTP/1.1 response parser: feed bytes, ask whether a whole
// response has arrived. One response at a time (no pipelining).
class ResponseParser {
 public:
  enum class State { kIncomplete, kComplete, kMalformed };

  State feed(const char* data, std::size_t n) {
    buf_.append(data, n);
    return parse();
  }
  int status() const { return status_; }
  bool close_after() const { return close_; }
  void reset() { *this = ResponseParser(); }

 private:
  State parse() {
    if (!head_done_) {
      const std::size_t end = buf_.find("\r\n\r\n");
      if (end == std::string::npos)
        return buf_.size() > (64u << 10) ? State::kMalformed : State::kIncomplete;
      if (!parse_head(std::string_view(buf_).substr(0, end))) return State::kMalformed;
      buf_.erase(0, end + 4);
      head_done_ = true;
    }
    if (!chunked_) {
      if (buf_.size() < content_length_) return State::kIncomplete;
      return State::kComplete;
    }
    // Chunked: size line, data, CRLF ... until a zero-size chunk and the final CRLF.
    while (true) {
      const std::size_t eol = buf_.find("\r\n", pos_);
      if (eol == std::string::npos) return State::kIncomplete;
      if (in_trailer_) {
        if (eol == pos_) return State::kComplete;  // the empty line after the trailers
        pos_ = eol + 2;
        continue;
      }
      const std::string size_text(buf_, pos_, eol - pos_);
      char* end = nullptr;
      const unsigned long size = std::strtoul(size_text.c_str(), &end, 16);
      if (end == size_text.c_str()) return State::kMalformed;
      if (size == 0) {
        in_trailer_ = true;
        pos_ = eol + 2;
        continue;
      }
      if (buf_.size() < eol + 2 + size + 2) return State::kIncomplete;
      pos_ = eol + 2 + size + 2;
    }
  }

  bool parse_head(std::string_view head) {
    // "HTTP/1.1 200 OK"
    const std::size_t sp = head.find(' ');
    if (!head.starts_with("HTTP/1.") || sp == std::string_view::npos || head.size() < sp + 4)
      return false;
    status_ = std::atoi(std::string(head.substr(sp + 1, 3)).c_str());
    if (status_ < 100 || status_ > 599) return false;
    if (head.starts_with("HTTP/1.0")) close_ = true;
    std::size_t at = head.find("\r\n");
    while (at != std::string_view::npos) {
      const std::size_t next = head.find("\r\n", at + 2);
      const std::string_view line = head.substr(
          at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals_prefix(line, "content-length:")) {
          content_length_ = std::strtoull(std::string(value).c_str(), nullptr, 10);
        } else if (iequals_prefix(line, "transfer-encoding:")) {
          chunked_ = iequals_prefix(value, "chunked");
        } else if (iequals_prefix(line, "connection:")) {
          if (iequals_prefix(value, "close")) close_ = true;
        }
      }
      at = next;
    }
    return true;
  }

  std::string buf_;
  bool head_done_ = false;
  int status_ = 0;
  bool close_ = false;
  bool chunked_ = false;
  bool in_trailer_ = false;
  std::size_t content_length_ = 0;
  std::size_t pos_ = 0;  // chunked: where the next size line starts in buf_
};

struct Call {
  std::int64_t due_ns = 0;
  bool counted = false;
};

struct Conn {
  int fd = -1;
  bool dead = false;  // closed; freed after the current batch of events
  bool connected = false;
  bool busy = false;
  std::size_t written = 0;
  Call call;
  std::int64_t sent_ns = 0;
  ResponseParser parser;
};

class Generator {
 public:
  explicit Generator(const LoadOptions& o) : o_(o) {}
  ~Generator() {
    for (auto& c : conns_) close_conn(*c);
    if (timer_ >= 0) ::close(timer_);
    if (ep_ >= 0) ::close(ep_);
  }

  LoadResult run() {
    LoadResult r;
    r.offered_rate_per_s = o_.rate_per_s;
    const double cpu0 = thread_cpu_s();
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    timer_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (ep_ < 0 || timer_ < 0 || o_.rate_per_s <= 0 || o_.duration_s <= 0) {
      r.transport_errors = 1;
      return r;
    }
    epoll_event tev{};
    tev.events = EPOLLIN;
    tev.data.ptr = nullptr;  // null: the timer
    ::epoll_ctl(ep_, EPOLL_CTL_ADD, timer_, &tev);

    // The schedule, as offsets from the start, fixed before anything is sent.
    const double length_ns = o_.duration_s * 1e9;
    std::vector<std::int64_t> offsets;
    if (o_.poisson) {
      std::mt19937_64 rng(o_.seed);
      std::exponential_distribution<double> gap(o_.rate_per_s / 1e9);
      for (double t = gap(rng); t < length_ns; t += gap(rng))
        offsets.push_back(static_cast<std::int64_t>(t));
    } else {
      const auto n = static_cast<std::int64_t>(std::llround(o_.rate_per_s * o_.duration_s));
      for (std::int64_t i = 0; i < n; ++i) {
        offsets.push_back(static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / o_.rate_per_s));
      }
    }
    const auto total = static_cast<std::int64_t>(offsets.size());
    const std::int64_t start = now_ns() + 1'000'000;
    const std::int64_t warmup_end = start + static_cast<std::int64_t>(o_.warmup_s * 1e9);
    auto due = [&](std::int64_t i) { return start + offsets[static_cast<std::size_t>(i)]; };
    const std::int64_t schedule_end = start + static_cast<std::int64_t>(length_ns);
    const std::int64_t drain_end =
        schedule_end + static_cast<std::int64_t>(o_.drain_timeout_s * 1e9);
    r_ = &r;

    std::int64_t next = 0;
    epoll_event events[64];
    while (true) {
      const std::int64_t now = now_ns();
      for (; next < total && due(next) <= now; ++next) {
        const Call c{due(next), due(next) >= warmup_end};
        if (c.counted) ++r.scheduled;
        pending_.push_back(c);
      }
      dispatch();
      if (next >= total && pending_.empty() && in_flight() == 0) break;
      if (now >= drain_end) break;
      // Sleep until the next arrival (timerfd: sub-millisecond), or the drain's end.
      const std::int64_t wake = next < total ? due(next) : drain_end;
      itimerspec its{};
      its.it_value.tv_sec = wake / 1'000'000'000;
      its.it_value.tv_nsec = wake % 1'000'000'000;
      ::timerfd_settime(timer_, TFD_TIMER_ABSTIME, &its, nullptr);
      const int n = ::epoll_wait(ep_, events, 64, -1);
      for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == nullptr) {
          std::uint64_t ticks = 0;
          (void)!::read(timer_, &ticks, sizeof ticks);
          continue;
        }
        Conn& c = *static_cast<Conn*>(events[i].data.ptr);
        if (!c.dead) on_event(c, events[i].events);
      }
      reap();
    }
    // What is still unanswered (or never got a connection) timed out.
    for (const Call& c : pending_) r.timeouts += c.counted ? 1 : 0;
    for (auto& c : conns_) {
      if (!c->dead && c->busy && c->call.counted) ++r.timeouts;
    }
    r.duration_s = static_cast<double>(schedule_end - std::min(schedule_end, warmup_end)) * 1e-9;
    r.send_lag_p99_us = percentile(lags_us_, 0.99);
    r.generator_cpu_s = thread_cpu_s() - cpu0;
    return r;
  }

 private:
  int in_flight() const {
    int n = 0;
    for (const auto& c : conns_) n += !c->dead && c->busy ? 1 : 0;
    return n;
  }
  int live() const {
    int n = 0;
    for (const auto& c : conns_) n += c->dead ? 0 : 1;
    return n;
  }
  // Frees dropped connections, once no event of this batch can name them.
  void reap() {
    conns_.erase(
        std::remove_if(conns_.begin(), conns_.end(), [](const auto& p) { return p->dead; }),
        conns_.end());
  }

  // Gives due calls to idle connections, opening new ones up to the cap.
  void dispatch() {
    while (!pending_.empty()) {
      Conn* conn = nullptr;
      if (!idle_.empty()) {  // the most recently freed: a low rate keeps few connections
        conn = idle_.back();
        idle_.pop_back();
      }
      if (conn == nullptr) {
        if (live() >= o_.max_connections) return;
        conn = open_conn();
        if (conn == nullptr) {
          if (pending_.front().counted) ++r_->transport_errors;
          pending_.pop_front();
          continue;
        }
      }
      conn->call = pending_.front();
      pending_.pop_front();
      conn->busy = true;
      conn->written = 0;
      conn->parser.reset();
      if (conn->connected) write_some(*conn);
    }
  }

  Conn* open_conn() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    if (::inet_pton(AF_INET, o_.host.c_str(), &addr.sin_addr) != 1 ||
        (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
         errno != EINPROGRESS)) {
      ::close(fd);
      return nullptr;
    }
    auto conn = std::make_unique<Conn>();
    conn->fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;  // OUT: the connect's end
    ev.data.ptr = conn.get();
    ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    ++r_->connections_opened;
    conns_.push_back(std::move(conn));
    return conns_.back().get();
  }

  void close_conn(Conn& c) {
    if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
  }

  // Drops a connection (and fails the call it carried, if any).
  void drop(Conn& c) {
    if (c.busy && c.call.counted) ++r_->transport_errors;
    c.busy = false;
    c.dead = true;
    close_conn(c);
    idle_.erase(std::remove(idle_.begin(), idle_.end(), &c), idle_.end());
  }

  void write_some(Conn& c) {
    while (c.written < o_.request.size()) {
      const ssize_t n =
          ::send(c.fd, o_.request.data() + c.written, o_.request.size() - c.written, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        drop(c);
        return;
      }
      if (c.written == 0) {
        c.sent_ns = now_ns();
        if (c.call.counted)
          lags_us_.push_back(static_cast<double>(c.sent_ns - c.call.due_ns) * 1e-3);
      }
      c.written += static_cast<std::size_t>(n);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (c.written < o_.request.size() ? EPOLLOUT : 0u);
    ev.data.ptr = &c;
    ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void on_event(Conn& c, std::uint32_t events) {
    if (!c.connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return drop(c);
      c.connected = true;
      if (!c.busy) idle_.push_back(&c);
    }
    if (c.busy && c.written < o_.request.size() && (events & EPOLLOUT) != 0) write_some(c);
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) return;
    char buf[16384];
    while (true) {
      const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        return drop(c);  // closed or reset
      if (n < 0) return;
      if (!c.busy) return drop(c);  // bytes nobody asked for
      const ResponseParser::State s = c.parser.feed(buf, static_cast<std::size_t>(n));
      if (s == ResponseParser::State::kMalformed) return drop(c);
      if (s == ResponseParser::State::kComplete) return complete(c);
    }
  }

  void complete(Conn& c) {
    const std::int64_t done = now_ns();
    const int status = c.parser.status();
    if (c.call.counted) {
      ++r_->status_counts[status];
      if (status >= 200 && status < 300) {
        ++r_->ok;
        r_->latency_us.push_back(static_cast<double>(done - c.call.due_ns) * 1e-3);
        r_->service_us.push_back(static_cast<double>(done - c.sent_ns) * 1e-3);
      } else {
        ++r_->http_errors;
      }
    }
    c.busy = false;
    if (c.parser.close_after()) {
      drop(c);
    } else {
      idle_.push_back(&c);
    }
    dispatch();
  }

  const LoadOptions& o_;
  LoadResult* r_ = nullptr;
  int ep_ = -1;
  int timer_ = -1;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Conn*> idle_;  // connected and free; the back is the most recently freed
  std::deque<Call> pending_;
  std::vector<double> lags_us_;
};

}  // namespace

LoadResult run_open_loop(const LoadOptions& options) {
  Generator g(options);
  return g.run();
}

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(q * static_cast<double>(values.size()));
  const auto idx =
      static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(values.size()))) - 1;
  return values[idx];
}

std::string json_post_request(const std::string& host, int port, const std::string& path,
                              const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
         "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace greenroute::bench
