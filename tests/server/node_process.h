// NodeProcess: a real `greenroute node` child process for the integration
// tests. It is started with --port 0 (the kernel picks a free port, so tests
// never race for fixed ports) and the port is read from the line the node
// prints once it serves: "greenroute node: listening on http://HOST:PORT".
// stderr goes to a file the test can show on failure.
//
// Thread contract: single-owner (the test thread).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/test_files.h"

namespace greenroute::server::testing {

class NodeProcess {
 public:
  // Starts `greenroute node ARGS... --port 0` and waits (up to `timeout`)
  // for its listening line. nullptr with *error set on failure.
  static std::unique_ptr<NodeProcess> start(const std::vector<std::string>& args, const std::filesystem::path& dir,
                                            std::string* error,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    static int counter = 0;
    auto p = std::unique_ptr<NodeProcess>(new NodeProcess());
    p->stderr_path_ = dir / ("node_stderr_" + std::to_string(++counter) + ".txt");
    int out[2];
    if (::pipe(out) != 0) {
      *error = "pipe failed";
      return nullptr;
    }
    std::vector<std::string> argv = {GREENROUTE_BINARY, "node"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--port");
    argv.push_back("0");
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const std::string err_path = p->stderr_path_.string();
    const pid_t pid = ::fork();
    if (pid < 0) {
      *error = "fork failed";
      return nullptr;
    }
    if (pid == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) ::dup2(err, 2);
      const int in = ::open("/dev/null", O_RDONLY);
      if (in >= 0) ::dup2(in, 0);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    p->pid_ = pid;
    p->stdout_fd_ = out[0];
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string text;
    const std::string marker = "listening on http://";
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{p->stdout_fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 100) > 0) {
        char buf[512];
        const ssize_t n = ::read(p->stdout_fd_, buf, sizeof buf);
        if (n <= 0) break;  // the node exited
        text.append(buf, static_cast<std::size_t>(n));
        const std::size_t at = text.find(marker);
        const std::size_t eol = at == std::string::npos ? at : text.find('\n', at);
        if (eol != std::string::npos) {
          const std::string hostport = text.substr(at + marker.size(), eol - at - marker.size());
          p->port_ = std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str());
          p->host_ = hostport.substr(0, hostport.rfind(':'));
          return p;
        }
      }
    }
    *error = "the node did not start: stdout '" + text + "', stderr '" + p->stderr_text() + "'";
    return nullptr;
  }

  ~NodeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  int port() const { return port_; }
  const std::string& host() const { return host_; }
  std::string url() const { return "http://" + host_ + ":" + std::to_string(port_); }
  std::string stderr_text() const { return ::greenroute::testing::read_text_file(stderr_path_); }

  // Sends `sig` and waits up to `timeout` for the exit. Returns the exit
  // code, 128+signal if killed by one, or -1 if it did not exit in time.
  int signal_and_wait(int sig, std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  NodeProcess() = default;

 public:
  pid_t pid() const { return pid_; }

 private:

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string host_;
  std::filesystem::path stderr_path_;
};

}  // namespace greenroute::server::testing
