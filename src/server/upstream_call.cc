#include "upstream_call.h"

#include <ctime>

namespace greenroute::server {
namespace {

constexpr std::size_t kMaxBuffered = 64u << 20;  // an upstream's body we hold, at most
// A send on a kept connection that fails sooner than this failed on a
// connection the upstream had closed (real time: an I/O property).
constexpr auto kStaleFailure = std::chrono::milliseconds(200);

void set_timeouts(httplib::Client& c, const UpstreamTimeouts& t) {
  c.set_connection_timeout(static_cast<time_t>(t.connect_ms / 1000),
                           static_cast<time_t>((t.connect_ms % 1000) * 1000));
  c.set_read_timeout(static_cast<time_t>(t.read_ms / 1000),
                     static_cast<time_t>((t.read_ms % 1000) * 1000));
  c.set_write_timeout(static_cast<time_t>(t.read_ms / 1000),
                      static_cast<time_t>((t.read_ms % 1000) * 1000));
  c.set_tcp_nodelay(true);  // a request's headers and body are separate writes (http_server.h)
}

}  // namespace

core::Result<UpstreamUrl> parse_upstream_url(const std::string& url, std::string_view what) {
  const std::string named = std::string(what) + " '" + url + "'";
  std::string_view rest = url;
  std::string scheme;
  if (rest.starts_with("http://")) {
    scheme = "http://";
  } else if (rest.starts_with("https://")) {
    scheme = "https://";
  } else {
    return core::invalid_argument(named + " must start with http:// or https://");
  }
  rest.remove_prefix(scheme.size());
  for (const char c : rest) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '@') {
      return core::invalid_argument(named +
                                    " must not contain spaces, a query, fragment or user info");
    }
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return core::invalid_argument(named + " has no host");
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.ends_with("/v1")) path.remove_suffix(3);
  return UpstreamUrl{scheme + std::string(authority), std::string(path)};
}

// ---- UpstreamClient ----------------------------------------------------------

UpstreamClient::~UpstreamClient() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    stop_ = true;
    workers.swap(workers_);
  }
  work_cv_.notify_all();
  for (std::thread& t : workers) t.join();
}

void UpstreamClient::cancel_all() {
  std::lock_guard<std::mutex> lock(calls_mu_);
  cancelled_ = true;
  for (UpstreamCall* call : calls_) call->cancel();
}

bool UpstreamClient::add(UpstreamCall* call) {
  std::lock_guard<std::mutex> lock(calls_mu_);
  if (cancelled_) return false;
  calls_.insert(call);
  return true;
}

void UpstreamClient::remove(UpstreamCall* call) {
  std::lock_guard<std::mutex> lock(calls_mu_);
  calls_.erase(call);
}

std::shared_ptr<httplib::Client> UpstreamClient::take_connection(
    const std::string& scheme_host_port, bool& reused) {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    auto it = idle_.find(scheme_host_port);
    if (it != idle_.end()) {
      std::vector<Idle>& idle = it->second;
      const Clock::time_point now = Clock::now();
      // Drop the stale ones (the oldest are at the front), then take the newest.
      std::size_t stale = 0;
      while (stale < idle.size() && now - idle[stale].since > kMaxIdle) ++stale;
      idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(stale));
      if (!idle.empty()) {
        std::shared_ptr<httplib::Client> client = std::move(idle.back().client);
        idle.pop_back();
        reused = true;
        return client;
      }
    }
  }
  reused = false;
  auto client = std::make_shared<httplib::Client>(scheme_host_port);
  client->set_keep_alive(true);
  return client;
}

void UpstreamClient::keep_connection(const std::string& scheme_host_port,
                                     std::shared_ptr<httplib::Client> client) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  std::vector<Idle>& idle = idle_[scheme_host_port];
  if (idle.size() >= kMaxIdlePerUpstream) idle.erase(idle.begin());  // the oldest goes
  idle.push_back(Idle{std::move(client), Clock::now()});
}

void UpstreamClient::run(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(work_mu_);
  tasks_.push_back(std::move(task));
  if (idle_workers_ >= tasks_.size()) {
    work_cv_.notify_one();
  } else {
    workers_.emplace_back([this] { work(); });
  }
}

void UpstreamClient::work() {
  std::unique_lock<std::mutex> lock(work_mu_);
  while (true) {
    ++idle_workers_;
    work_cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
    --idle_workers_;
    if (stop_ && tasks_.empty()) return;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

// ---- UpstreamCall --------------------------------------------------------------

// Shared by the call and the task that runs it, so either may finish first.
struct UpstreamCallState {
  UpstreamClient* owner = nullptr;
  std::string scheme_host_port;
  UpstreamTimeouts timeouts;
  httplib::Request req;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<httplib::Client> client;         // guarded by mu (the task uses its own copy)
  bool head = false;                               // guarded by mu
  int status = 0;                                  // guarded by mu
  std::string content_type;                        // guarded by mu
  httplib::Headers headers;                        // guarded by mu
  std::string buffer;                              // guarded by mu
  bool done = false;                               // guarded by mu
  bool cancelled = false;                          // guarded by mu
  httplib::Error error = httplib::Error::Success;  // guarded by mu

  void run();
  void cancel();
  // One send on `c`; the transport error (Success when an answer came).
  httplib::Error send_on(httplib::Client& c);
};

void UpstreamCallState::cancel() {
  std::shared_ptr<httplib::Client> c;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (done) return;
    cancelled = true;
    c = client;
  }
  if (c) c->stop();
  cv.notify_all();
}

void UpstreamClient::watch(UpstreamCallState* call, const std::function<bool()>* stop_when) {
  std::lock_guard<std::mutex> lock(watch_mu_);
  watched_[call] = stop_when;
  if (!watchdog_.joinable()) watchdog_ = std::thread([this] { watchdog(); });
}

void UpstreamClient::unwatch(UpstreamCallState* call) {
  std::lock_guard<std::mutex> lock(watch_mu_);
  watched_.erase(call);
}

void UpstreamClient::watchdog() {
  std::unique_lock<std::mutex> lock(watch_mu_);
  while (!watch_stop_) {
    // A real wait (pacing), not a measurement. Not woken per call: calls
    // come and go far more often than the watchdog looks.
    watch_cv_.wait_for(lock, kWatchEvery, [&] { return watch_stop_; });
    for (const auto& [call, stop_when] : watched_) {
      bool stop = false;
      try {
        stop = (*stop_when)();
      } catch (...) {
        stop = true;  // cannot tell: let the call go rather than run unwatched
      }
      if (stop) call->cancel();
    }
  }
}

httplib::Error UpstreamCallState::send_on(httplib::Client& c) {
  set_timeouts(c, timeouts);
  try {
    return c.send(req).error();
  } catch (...) {
    return httplib::Error::Unknown;
  }
}

void UpstreamCallState::run() {
  bool reused = false;
  std::shared_ptr<httplib::Client> c;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!cancelled) {
      c = owner->take_connection(scheme_host_port, reused);
      client = c;
    }
  }
  httplib::Error result = httplib::Error::Canceled;
  if (c) {
    const auto sent = std::chrono::steady_clock::now();
    result = send_on(*c);
    const bool at_once = std::chrono::steady_clock::now() - sent < kStaleFailure;
    if (reused && at_once && (result == httplib::Error::Write || result == httplib::Error::Read)) {
      // The kept connection failed at once, before anything was answered:
      // the upstream had closed it. Once more, on a new connection. (Not
      // after a slow failure: a read timeout is the upstream's, and the
      // request may have run there.)
      bool retry = false;
      {
        std::lock_guard<std::mutex> lock(mu);
        retry = !head && !cancelled;
        if (retry) {
          bool fresh = false;
          c = owner->take_connection(scheme_host_port, fresh);  // stale ones are gone: usually new
          client = c;
        }
      }
      if (retry) result = send_on(*c);
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  // A connection that served a whole answer is kept for the next call.
  if (c && result == httplib::Error::Success && !cancelled)
    owner->keep_connection(scheme_host_port, c);
  client.reset();
  done = true;
  error = result;
  cv.notify_all();
}

UpstreamCall::UpstreamCall(UpstreamClient& client, const UpstreamUrl& base, std::string method,
                           std::string path, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers,
                           const UpstreamTimeouts& timeouts)
    : client_(client), state_(std::make_shared<UpstreamCallState>()) {
  UpstreamCallState& s = *state_;
  s.owner = &client;
  s.scheme_host_port = base.scheme_host_port;
  s.timeouts = timeouts;
  s.req.method = std::move(method);
  s.req.path = base.path_prefix + path;
  s.req.body = std::move(body);
  if (!s.req.body.empty()) s.req.set_header("Content-Type", "application/json");
  s.req.set_header("Accept", "application/json, text/event-stream");
  for (auto& [name, value] : headers) s.req.set_header(name, value);
  // The callbacks hold the state weakly: the task's own reference keeps it
  // alive while it sends.
  UpstreamCallState* raw = state_.get();
  s.req.response_handler = [raw](const httplib::Response& res) {
    std::lock_guard<std::mutex> lock(raw->mu);
    raw->head = true;
    raw->status = res.status;
    raw->content_type = res.get_header_value("Content-Type");
    raw->headers = res.headers;
    raw->cv.notify_all();
    return !raw->cancelled;
  };
  s.req.content_receiver = [raw](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    std::lock_guard<std::mutex> lock(raw->mu);
    if (raw->cancelled || raw->buffer.size() + n > kMaxBuffered) return false;
    raw->buffer.append(data, n);
    raw->cv.notify_all();
    return true;
  };
  // Registered before it is sent, so a shutdown cannot miss it.
  tracked_ = client_.add(this);
  if (!tracked_) s.cancelled = true;  // run() reports it without sending
}

void UpstreamCall::start() {
  sent_ = true;
  client_.run([state = state_] { state->run(); });
}

void UpstreamCall::run_here(const std::function<bool()>& stop_when) {
  sent_ = true;
  client_.watch(state_.get(), &stop_when);
  state_->run();
  client_.unwatch(state_.get());
}

UpstreamCall::~UpstreamCall() {
  if (tracked_) client_.remove(this);  // first: cancel_all() must not reach a dying call
  cancel();
  if (!sent_) return;
  // A worker may still be inside httplib with this call's request: wait for it.
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait(lock, [&] { return state_->done; });
}

void UpstreamCall::cancel() {
  state_->cancel();
}

bool UpstreamCall::wait_head(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait_for(lock, timeout, [&] { return state_->head || state_->done; });
  return state_->head || state_->done;
}

bool UpstreamCall::read(std::chrono::milliseconds timeout, std::string& out) {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait_for(lock, timeout, [&] { return !state_->buffer.empty() || state_->done; });
  out += state_->buffer;
  state_->buffer.clear();
  return state_->done;
}

UpstreamCall::Outcome UpstreamCall::outcome() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Outcome o;
  o.head = state_->head;
  o.status = state_->status;
  o.content_type = state_->content_type;
  o.headers = state_->headers;
  o.done = state_->done;
  o.error = state_->error;
  o.cancelled = state_->cancelled;
  return o;
}

core::Result<std::string> http_get(const UpstreamUrl& base, const std::string& path,
                                   const UpstreamTimeouts& timeouts) {
  const std::string where = base.scheme_host_port + base.path_prefix + path;
  try {
    httplib::Client client(base.scheme_host_port);
    set_timeouts(client, timeouts);
    httplib::Result res = client.Get((base.path_prefix + path).c_str());
    if (!res) return core::unavailable("GET " + where + ": " + httplib::to_string(res.error()));
    if (res->status < 200 || res->status >= 300) {
      return core::unavailable("GET " + where + ": HTTP " + std::to_string(res->status));
    }
    return std::move(res->body);
  } catch (const std::exception& e) {
    return core::unavailable("GET " + where + ": " + e.what());
  }
}

}  // namespace greenroute::server
