// ChildProcess: a program this process starts and owns (a `greenroute node`
// or `greenroute gateway` the experiment runs, or one a test runs), with its
// stdout and stderr captured in files, a wait for its "listening on
// http://HOST:PORT" line (the port it picked with --port 0), signals, and a
// reaping destructor: a ChildProcess that is destroyed while its process
// still runs sends SIGKILL and waits for it, so no error path, early return
// or Ctrl-C leaves a server behind.
//
// The child starts with stdin from /dev/null, an empty signal mask and the
// default action for SIGINT, SIGTERM and SIGPIPE (a parent that blocks or
// catches them must not hand that on to a server that relies on them).
//
// Thread contract: single-owner. Every method, the destructor included, must
// be called from one thread at a time; waits poll with short sleeps and
// never block signals.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::core {

class ChildProcess {
 public:
  // Starts argv[0] (a path; no PATH search) with the arguments; stdout and
  // stderr go to <dir>/<name>.out and <dir>/<name>.err (created or
  // truncated). kInvalidArgument for an empty argv; kIoError naming the
  // program and the OS's reason when the spawn fails.
  static Result<std::unique_ptr<ChildProcess>> spawn(const std::vector<std::string>& argv,
                                                     const std::filesystem::path& dir, const std::string& name);

  ~ChildProcess();  // SIGKILL and reap when still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The port of the first "listening on http://HOST:PORT" line on stdout;
  // -1 when the process exits first, the timeout passes, or `should_stop`
  // (polled every 20 ms) returns true. running() tells the cases apart.
  int wait_listening(std::chrono::milliseconds timeout, const std::function<bool()>& should_stop = {});

  // Sends `sig` unless the process has already been reaped.
  void signal(int sig) const;

  // Waits for the exit: the exit code (128 + signal for a signal), or -1 on
  // timeout, in which case the process is sent SIGKILL (and reaped by a later
  // wait or the destructor).
  int wait(std::chrono::milliseconds timeout);

  // SIGTERM, up to `grace` for a clean exit, then SIGKILL and reap. Returns
  // the exit code (128 + 9 when it had to be killed).
  int stop(std::chrono::milliseconds grace);

  // SIGKILL and reap: a process that vanishes without a goodbye.
  void kill_hard();

  // True until the process has exited and been reaped (checks without blocking).
  bool running();
  // The exit code once reaped, else nullopt.
  std::optional<int> exit_code() const;

  std::string stdout_text() const;
  std::string stderr_text() const;
  // The last non-empty line of stderr (the "greenroute: error: ..." line of a
  // failed greenroute command), "" when there is none.
  std::string last_stderr_line() const;
  const std::filesystem::path& stdout_path() const { return out_; }
  const std::filesystem::path& stderr_path() const { return err_; }
  pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;
  bool exited_or_reap();

  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

// The port in the first "listening on http://HOST:PORT" line of `text`;
// nullopt when there is no complete such line.
std::optional<int> parse_listening_port(const std::string& text);

}  // namespace greenroute::core
