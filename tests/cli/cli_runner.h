// Runs the real greenroute binary as a user would and captures what it says.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_files.h"

namespace greenroute::cli::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

using ::greenroute::testing::read_text_file;

// Runs GREENROUTE_BINARY with args; stdin is /dev/null. `env` is a list of
// NAME=value assignments (already shell-quoted) put before the command.
inline RunResult run_greenroute(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                                const std::string& env = "") {
  std::string cmd = env + (env.empty() ? "" : " ") + shell_quote(GREENROUTE_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  const auto out = scratch / "stdout.txt";
  const auto err = scratch / "stderr.txt";
  cmd += " </dev/null >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text_file(out);
  r.err = read_text_file(err);
  return r;
}

inline int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += (c == '\n');
  return n;
}

}  // namespace greenroute::cli::testing
