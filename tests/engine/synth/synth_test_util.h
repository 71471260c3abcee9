// Helpers shared by the synth tests: temporary paths and file reading.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/test_files.h"

namespace greenroute::engine::synth::testing {

inline std::string temp_path(const std::string& stem) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/gr_synth_" + stem + "_" + std::to_string(::getpid()) +
         ".gguf";
}

using ::greenroute::testing::read_file_bytes;

// Removes the file when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& stem) : path_(temp_path(stem)) {}
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace greenroute::engine::synth::testing
