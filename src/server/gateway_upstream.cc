#include "gateway_upstream.h"

#include <ctime>
#include <string_view>

namespace greenroute::server {
namespace {

constexpr std::size_t kMaxBuffered = 64u << 20;  // a node's body we hold, at most

void set_timeouts(httplib::Client& c, const UpstreamTimeouts& t) {
  c.set_connection_timeout(static_cast<time_t>(t.connect_ms / 1000),
                           static_cast<time_t>((t.connect_ms % 1000) * 1000));
  c.set_read_timeout(static_cast<time_t>(t.read_ms / 1000),
                     static_cast<time_t>((t.read_ms % 1000) * 1000));
  c.set_write_timeout(static_cast<time_t>(t.read_ms / 1000),
                      static_cast<time_t>((t.read_ms % 1000) * 1000));
}

}  // namespace

core::Result<NodeUrl> parse_node_url(const std::string& url) {
  std::string_view rest = url;
  std::string scheme;
  if (rest.starts_with("http://")) {
    scheme = "http://";
  } else if (rest.starts_with("https://")) {
    scheme = "https://";
  } else {
    return core::invalid_argument("node url '" + url + "' must start with http:// or https://");
  }
  rest.remove_prefix(scheme.size());
  for (const char c : rest) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '@') {
      return core::invalid_argument("node url '" + url +
                                    "' must not contain spaces, a query, fragment or user info");
    }
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return core::invalid_argument("node url '" + url + "' has no host");
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.ends_with("/v1")) path.remove_suffix(3);
  return NodeUrl{scheme + std::string(authority), std::string(path)};
}

UpstreamCall::UpstreamCall(const NodeUrl& base, std::string method, std::string path,
                           std::string body,
                           std::vector<std::pair<std::string, std::string>> headers,
                           const UpstreamTimeouts& timeouts) {
  client_ = std::make_unique<httplib::Client>(base.scheme_host_port);
  set_timeouts(*client_, timeouts);
  req_.method = std::move(method);
  req_.path = base.path_prefix + path;
  req_.body = std::move(body);
  if (!req_.body.empty()) req_.set_header("Content-Type", "application/json");
  req_.set_header("Accept", "application/json, text/event-stream");
  for (auto& [name, value] : headers) req_.set_header(name.c_str(), value);
  req_.response_handler = [this](const httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    head_ = true;
    status_ = res.status;
    content_type_ = res.get_header_value("Content-Type");
    headers_ = res.headers;
    cv_.notify_all();
    return !cancelled_;
  };
  req_.content_receiver = [this](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_ || buffer_.size() + n > kMaxBuffered) return false;
    buffer_.append(data, n);
    cv_.notify_all();
    return true;
  };
  thread_ = std::thread([this] { run(); });
}

UpstreamCall::~UpstreamCall() {
  cancel();
  if (thread_.joinable()) thread_.join();
}

void UpstreamCall::cancel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) return;
    cancelled_ = true;
  }
  client_->stop();
  cv_.notify_all();
}

bool UpstreamCall::wait_head(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return head_ || done_; });
  return head_ || done_;
}

bool UpstreamCall::read(std::chrono::milliseconds timeout, std::string& out) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !buffer_.empty() || done_; });
  out += buffer_;
  buffer_.clear();
  return done_;
}

UpstreamCall::Outcome UpstreamCall::outcome() const {
  std::lock_guard<std::mutex> lock(mu_);
  Outcome o;
  o.head = head_;
  o.status = status_;
  o.content_type = content_type_;
  o.headers = headers_;
  o.done = done_;
  o.error = error_;
  o.cancelled = cancelled_;
  return o;
}

void UpstreamCall::run() {
  httplib::Error error = httplib::Error::Success;
  bool skip = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    skip = cancelled_;
  }
  if (skip) {
    error = httplib::Error::Canceled;
  } else {
    try {
      httplib::Result res = client_->send(req_);
      error = res.error();
    } catch (...) {
      error = httplib::Error::Unknown;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  error_ = error;
  cv_.notify_all();
}

core::Result<std::string> http_get(const NodeUrl& base, const std::string& path,
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
