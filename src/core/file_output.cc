#include "greenroute/core/file_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace greenroute::core {
namespace {

// Writes all of `data`, retrying short writes and signals; 0 or an errno.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view contents) {
  if (path.empty()) return invalid_argument("cannot write a file with an empty path");
  // The temporary file must be in the target's directory: rename() is atomic
  // only within one file system.
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return io_error("cannot write '" + path +
                          "': cannot create a temporary file beside it: " + std::strerror(errno));
  }
  int err = write_all(fd, contents);
  if (::close(fd) != 0 && err == 0) err = errno;
  // mkstemp creates 0600; an output file should be readable like any other.
  if (err == 0) {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::chmod(tmp.c_str(), 0666 & ~mask) != 0) err = errno;
  }
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return io_error("cannot write '" + path + "': " + std::strerror(err));
  }
  return Status::ok();
}

}  // namespace greenroute::core
