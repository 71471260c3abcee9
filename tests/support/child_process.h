// ChildProcess: a real program started by a test (a `greenroute node` or
// `greenroute gateway` on 127.0.0.1), with stdout and stderr captured in
// files, a wait for its "listening on http://HOST:PORT" line (the port it
// picked with --port 0), signals, and a reaping destructor (SIGKILL if still
// running), so a failing test never leaves a server behind.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/test_files.h"

extern char** environ;

namespace greenroute::testing {

class ChildProcess {
 public:
  // Starts argv[0] with the arguments; stdin is /dev/null, stdout and stderr
  // go to <dir>/<name>.out and .err. Null when the spawn fails.
  static std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& argv,
                                             const std::filesystem::path& dir,
                                             const std::string& name) {
    auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
    child->out_ = dir / (name + ".out");
    child->err_ = dir / (name + ".err");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, child->out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, child->err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawn(&child->pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return nullptr;
    return child;
  }

  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The port of the first "listening on http://HOST:PORT" line on stdout;
  // -1 when the process exits or the timeout passes first.
  int wait_listening(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = read_text_file(out_);
      const std::size_t at = text.find("listening on http://");
      if (at != std::string::npos) {
        const std::size_t colon = text.find(':', at + 20);
        const std::size_t end = text.find('\n', at);
        if (colon != std::string::npos && end != std::string::npos && colon < end) {
          return std::stoi(text.substr(colon + 1, end - colon - 1));
        }
      }
      if (exited_or_reap()) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  void signal(int sig) const {
    if (pid_ > 0 && !exited_) ::kill(pid_, sig);
  }

  // Waits for the exit; the exit code (128 + signal for a signal), or -1 on
  // timeout (the process is then killed).
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (exited_or_reap()) return exit_code_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    signal(SIGKILL);
    return -1;
  }

  // SIGKILL and reap: a node that vanishes without a goodbye.
  void kill_hard() {
    signal(SIGKILL);
    wait(std::chrono::seconds(10));
  }

  std::string stdout_text() const { return read_text_file(out_); }
  std::string stderr_text() const { return read_text_file(err_); }
  pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;

  bool exited_or_reap() {
    if (exited_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return exited_;
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

}  // namespace greenroute::testing
