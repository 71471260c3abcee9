#include "greenroute/core/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

extern char** environ;

namespace greenroute::core {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr auto kPoll = std::chrono::milliseconds(20);

}  // namespace

std::optional<int> parse_listening_port(const std::string& text) {
  static constexpr std::string_view kMarker = "listening on http://";
  const std::size_t at = text.find(kMarker);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t end = text.find('\n', at);
  if (end == std::string::npos) return std::nullopt;  // the line is still being written
  const std::string hostport = text.substr(at + kMarker.size(), end - at - kMarker.size());
  const std::size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || colon + 1 >= hostport.size()) return std::nullopt;
  int port = 0;
  for (std::size_t i = colon + 1; i < hostport.size(); ++i) {
    const char c = hostport[i];
    if (c == '\r') break;
    if (c < '0' || c > '9' || port > 65535) return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port <= 0 || port > 65535) return std::nullopt;
  return port;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                          const std::filesystem::path& dir,
                                                          const std::string& name) {
  if (argv.empty() || argv[0].empty()) return invalid_argument("child process: no program given");
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->out_ = dir / (name + ".out");
  child->err_ = dir / (name + ".err");

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, child->out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, child->err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);

  // The child must not inherit a blocked or ignored SIGINT/SIGTERM/SIGPIPE:
  // servers drain on the first two and rely on the default for the last.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawn(&child->pid_, args[0], &fa, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    child->pid_ = -1;
    return io_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool ChildProcess::exited_or_reap() {
  if (exited_ || pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return exited_;
}

bool ChildProcess::running() { return !exited_or_reap(); }

std::optional<int> ChildProcess::exit_code() const {
  if (!exited_) return std::nullopt;
  return exit_code_;
}

int ChildProcess::wait_listening(std::chrono::milliseconds timeout, const std::function<bool()>& should_stop) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto port = parse_listening_port(read_file(out_))) return *port;
    if (exited_or_reap()) {
      // It may have printed the line and exited at once: read once more.
      if (auto port = parse_listening_port(read_file(out_))) return *port;
      return -1;
    }
    if (should_stop && should_stop()) return -1;
    std::this_thread::sleep_for(kPoll);
  }
  return -1;
}

void ChildProcess::signal(int sig) const {
  if (pid_ > 0 && !exited_) ::kill(pid_, sig);
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (exited_or_reap()) return exit_code_;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  signal(SIGKILL);
  return -1;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (exited_or_reap()) return exit_code_;
  signal(SIGTERM);
  const int code = wait(grace);
  if (code >= 0) return code;
  kill_hard();
  return exit_code_;
}

void ChildProcess::kill_hard() {
  if (pid_ <= 0 || exited_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  if (r == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
}

std::string ChildProcess::stdout_text() const { return read_file(out_); }
std::string ChildProcess::stderr_text() const { return read_file(err_); }

std::string ChildProcess::last_stderr_line() const {
  const std::string text = read_file(err_);
  std::size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ')) --end;
  const std::size_t newline = end == 0 ? std::string::npos : text.rfind('\n', end - 1);
  const std::size_t from = newline == std::string::npos ? 0 : newline + 1;
  return text.substr(from, end - from);
}

}  // namespace greenroute::core
